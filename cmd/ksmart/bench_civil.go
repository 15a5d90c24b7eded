package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"ksmart/appliance/synth/legacy"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/go-pdf/fpdf"
	bolt "go.etcd.io/bbolt"

	"ksmart/appliance"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/appliance/synth"
	"ksmart/store"
)

// certificateTargetMs is the design's target for a certificate's median
// time (appliance/documents/DESIGN.md).
const certificateTargetMs = 5.0

// certificateParallel is how many goroutines, and GOMAXPROCS, the parallel
// measurement uses: a two-core appliance, as `go test -cpu 2` measures it.
const certificateParallel = 2

// benchCertificate measures birth certificates with Malayalam names drawn
// by the appliance's renderer, against fpdf writing an empty page in the
// same run.
func benchCertificate(env *env, args []string) error {
	fs := newFlags(env, "bench certificate", "[--json] [--n N]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	n := fs.Int("n", 2000, "certificates per measurement (and fpdf empty pages)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		return usageError{"--n must be at least 1"}
	}
	fonts, fontErr := documents.SystemFonts()
	if fontErr != nil {
		fonts = documents.EnglishOnly()
		fmt.Fprintf(env.stderr, "warning: %s\n", englishOnlyNote)
	}
	r, err := runCertificateBench(certificateBenchConfig{
		Fonts: fonts, N: *n,
		OnPhase: func(p string) { fmt.Fprintf(env.stderr, "measuring: %s\n", p) },
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(r)
	}
	fmt.Fprintf(env.stdout, "certificate: a signed birth certificate with Malayalam names, %d KiB, font %s\n", r.PDFBytes/1024, r.Font)
	if !r.Malayalam {
		fmt.Fprintf(env.stdout, "ENGLISH ONLY: %s\n", englishOnlyNote)
	}
	fmt.Fprintln(env.stdout)
	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tmedian ms\tp99 ms\tPDFs/s\t\n")
	for _, t := range []pdfTimes{r.Sequential, r.Parallel, r.Floor} {
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%.0f\t\n", t.label(), t.MedianMs, t.P99Ms, t.PerSec)
	}
	w.Flush()
	met := "met"
	if !r.TargetMet {
		met = "NOT met"
	}
	fmt.Fprintf(env.stdout, "\n%d documents per row, after one warm-up; %d CPUs\n", r.N, r.CPUs)
	fmt.Fprintf(env.stdout, "ratio, certificate median over fpdf's empty-page median (lower is better): %.1f\n", r.Ratio)
	fmt.Fprintf(env.stdout, "target, median <= %.0f ms one at a time and %d at once: %s\n", r.TargetMedianMs, certificateParallel, met)
	return nil
}

// englishOnlyNote says what the figures of a machine without a Malayalam
// font are worth, and how to get the real ones.
const englishOnlyNote = "no Malayalam font is installed, so the certificates are English only (Helvetica, nothing shaped or embedded) and the figures understate the real cost; install one with: apt-get install fonts-smc-manjari"

// certificateBenchConfig says what to draw. Zero fields take defaults.
type certificateBenchConfig struct {
	Fonts   *documents.Fonts // nil means documents.EnglishOnly()
	N       int              // documents per measurement; default 2,000
	OnPhase func(string)
}

// certificateBenchResult holds the figures of one run. Ratio is the
// sequential certificate median over fpdf's empty-page median, the floor of
// the raw library: how many empty pages a certificate costs.
type certificateBenchResult struct {
	Name           string   `json:"name"`
	Font           string   `json:"font"`
	Malayalam      bool     `json:"malayalam"`
	Note           string   `json:"note,omitempty"`
	N              int      `json:"n"`
	CPUs           int      `json:"cpus"`
	PDFBytes       int      `json:"pdf_bytes"`
	Sequential     pdfTimes `json:"sequential"`
	Parallel       pdfTimes `json:"parallel"`
	Floor          pdfTimes `json:"fpdf_empty_page"`
	Ratio          float64  `json:"ratio"`
	TargetMedianMs float64  `json:"target_median_ms"`
	// TargetMet is whether both the sequential and the parallel medians
	// are within TargetMedianMs.
	TargetMet bool `json:"target_met"`
}

// pdfTimes are the timings of one measurement: Goroutines drawing at once
// with GOMAXPROCS set to as many.
type pdfTimes struct {
	What       string  `json:"what"`
	Goroutines int     `json:"goroutines"`
	MedianMs   float64 `json:"median_ms"`
	P99Ms      float64 `json:"p99_ms"`
	PerSec     float64 `json:"pdfs_per_s"`
}

func (t pdfTimes) label() string {
	return fmt.Sprintf("%s, %d at once", t.What, t.Goroutines)
}

func runCertificateBench(c certificateBenchConfig) (certificateBenchResult, error) {
	if c.Fonts == nil {
		c.Fonts = documents.EnglishOnly()
	}
	if c.N == 0 {
		c.N = 2000
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := certificateBenchResult{Name: "certificate", Font: c.Fonts.Name(), Malayalam: c.Fonts.Malayalam(), N: c.N,
		CPUs: runtime.NumCPU(), TargetMedianMs: certificateTargetMs}
	if !res.Malayalam {
		res.Note = englishOnlyNote
	}
	cert, err := benchBirthCertificate()
	if err != nil {
		return res, err
	}
	r := documents.NewRenderer(c.Fonts)
	render := func() error { _, err := r.Certificate(cert); return err }
	c.OnPhase("one certificate to warm up (loading glyphs, shaping the words)")
	pdf, err := r.Certificate(cert)
	if err != nil {
		return res, err
	}
	res.PDFBytes = len(pdf)
	c.OnPhase(fmt.Sprintf("%d certificates, one at a time", c.N))
	if res.Sequential, err = timePDFs("certificate", c.N, 1, render); err != nil {
		return res, err
	}
	c.OnPhase(fmt.Sprintf("%d certificates, %d at once", c.N, certificateParallel))
	if res.Parallel, err = timePDFs("certificate", c.N, certificateParallel, render); err != nil {
		return res, err
	}
	floor := func() error {
		p := fpdf.New("P", "mm", "A4", "")
		p.AddPage()
		var buf bytes.Buffer
		return p.Output(&buf)
	}
	c.OnPhase(fmt.Sprintf("%d empty A4 pages with fpdf, one at a time", c.N))
	if err := floor(); err != nil {
		return res, err
	}
	if res.Floor, err = timePDFs("fpdf empty A4 page", c.N, 1, floor); err != nil {
		return res, err
	}
	res.Ratio = res.Sequential.MedianMs / res.Floor.MedianMs
	res.TargetMet = max(res.Sequential.MedianMs, res.Parallel.MedianMs) <= certificateTargetMs
	return res, nil
}

// timePDFs calls draw n times from goroutines goroutines, with GOMAXPROCS
// set to goroutines for the while, and returns the median and 99th
// percentile of the calls and the calls made per second of wall time.
func timePDFs(what string, n, goroutines int, draw func() error) (pdfTimes, error) {
	prev := runtime.GOMAXPROCS(goroutines)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()
	lat := make([]time.Duration, n)
	var next atomic.Int64
	start := time.Now()
	err := parallelErr(goroutines, func(int) error {
		for {
			k := next.Add(1) - 1
			if k >= int64(n) {
				return nil
			}
			t0 := time.Now()
			if err := draw(); err != nil {
				return err
			}
			lat[k] = time.Since(t0)
		}
	})
	wall := time.Since(start)
	if err != nil {
		return pdfTimes{}, err
	}
	slices.Sort(lat)
	return pdfTimes{What: what, Goroutines: goroutines, MedianMs: msFine(lat[n/2]), P99Ms: msFine(lat[min(n-1, n*99/100)]),
		PerSec: float64(n) / wall.Seconds()}, nil
}

// msFine is d in milliseconds to the nanosecond: an empty page takes
// fractions of a millisecond.
func msFine(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// benchBirthCertificate is a birth certificate shaped like the documents
// package's benchmark record: names that need conjuncts and reordered vowel
// signs, two long addresses, and a QR payload signed with a fresh key over
// the record's digest, as an issued certificate carries.
func benchBirthCertificate() (documents.Certificate, error) {
	lb := domain.LocalBody{Code: "M0701", Name: domain.T("Pala Municipality", "പാലാ നഗരസഭ"), Kind: domain.KindMunicipality, District: domain.T("Kottayam", "കോട്ടയം")}
	address := domain.T("Kizhakkedathu House, Kizhathadiyoor, Pala, Kottayam 686575", "കിഴക്കേടത്ത് വീട്, കിഴതടിയൂർ, പാലാ, കോട്ടയം 686575")
	c := documents.Certificate{
		Kind:               documents.CertBirth,
		LocalBody:          lb,
		Number:             "M0701-BC-2026-12",
		RegistrationNumber: "B-12/2026",
		RegistrationDate:   time.Date(2026, 3, 14, 11, 5, 0, 0, domain.IST),
		Issued:             time.Date(2026, 3, 20, 15, 30, 0, 0, domain.IST),
		Officer:            domain.T("Muhammad Basheer", "മുഹമ്മദ് ബഷീർ"),
		OfficerTitle:       domain.T("Registrar of Births and Deaths", "ജനന മരണ രജിസ്ട്രാർ"),
		Fields: []documents.CertField{
			{Label: domain.T("Name", "പേര്"), Value: domain.T("Sreekutty", "ശ്രീക്കുട്ടി")},
			{Label: domain.T("Sex", "ലിംഗം"), Value: domain.T("Female", "സ്ത്രീ")},
			{Label: domain.T("Date of birth", "ജനന തീയതി"), Value: domain.T("12-03-2026", "")},
			{Label: domain.T("Place of birth", "ജനന സ്ഥലം"), Value: domain.T("Government Hospital, Pala", "ഗവൺമെന്റ് ആശുപത്രി, പാലാ")},
			{Label: domain.T("Name of mother", "മാതാവിന്റെ പേര്"), Value: domain.T("Priya", "പ്രിയ")},
			{Label: domain.T("Name of father", "പിതാവിന്റെ പേര്"), Value: domain.T("Krishnan", "കൃഷ്ണൻ")},
			{Label: domain.T("Address of parents at the time of birth", "ജനന സമയത്ത് മാതാപിതാക്കളുടെ വിലാസം"), Value: address},
			{Label: domain.T("Permanent address of parents", "മാതാപിതാക്കളുടെ സ്ഥിര വിലാസം"), Value: address},
		},
	}
	key, err := seal.Generate(lb.Code)
	if err != nil {
		return c, err
	}
	payload, err := key.Sign("https://pala.ksmart.lsgkerala.gov.in", c.Number, c.Digest())
	if err != nil {
		return c, err
	}
	c.QR = payload.String()
	return c, nil
}

// importBenchBatch is how many entries the raw bbolt peer writes in one
// db.Update: the rows civil.Import commits in one store write.
const importBenchBatch = 2000

// importBenchMaxRows is the most rows `bench import` generates: the
// synthetic register's million rows end in 2019, before any date that could
// be in the future.
const importBenchMaxRows = 1_000_000

// noSearchIndex says what the import figures leave out.
const noSearchIndex = "the search index is not included here: ksmart bench search times indexing the same register"

// benchImport measures `ksmart import births` of a synthetic legacy
// register into a fresh data directory, against raw bbolt writing the same
// entries on the same disk in the same run.
func benchImport(env *env, args []string) error {
	fs := newFlags(env, "bench import", "[--json] [--rows N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	rows := fs.Int("rows", 200000, "synthetic legacy births to import")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *rows < 1 || *rows > importBenchMaxRows {
		return usageError{fmt.Sprintf("--rows must be from 1 to %d", importBenchMaxRows)}
	}
	r, err := runImportBench(importBenchConfig{
		Dir: *dir, Rows: *rows,
		OnPhase: func(p string) { fmt.Fprintf(env.stderr, "measuring: %s\n", p) },
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(r)
	}
	fmt.Fprintf(env.stdout, "import: %d synthetic legacy births (%.1f MiB of CSV) into a fresh data directory, as 'ksmart import births' does\n\n", r.Rows, r.CSVMiB)
	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\trows/s\tseconds\tfile MiB\t\n")
	fmt.Fprintf(w, "ksmart import births\t%.0f\t%.2f\t%.1f\t\n", r.RowsPerSec, r.Seconds, r.StoreMiB)
	fmt.Fprintf(w, "raw bbolt, the same entries' JSON, db.Update per %d\t%.0f\t%.2f\t%.1f\t\n", importBenchBatch, r.RawRowsPerSec, r.RawSeconds, r.RawMiB)
	w.Flush()
	fmt.Fprintf(env.stdout, "\nthe entries' JSON alone: %.1f MiB; file sizes are bbolt's, free pages included\n", r.EntriesMiB)
	fmt.Fprintf(env.stdout, "1,000,000 rows at this rate: %.0f s (extrapolated linearly)\n", r.Seconds1M)
	fmt.Fprintf(env.stdout, "ratio to raw bbolt writing the same entries: %.2f\n", r.Ratio)
	fmt.Fprintf(env.stdout, "note: %s\n", noSearchIndex)
	return nil
}

// importBenchConfig says how much to import. Zero fields take defaults.
type importBenchConfig struct {
	Dir     string // scratch directory on the disk to measure; default a temp dir
	Rows    int    // synthetic births; default 200,000
	OnPhase func(string)
}

// importBenchResult holds the figures of one run. Ratio is rows per second
// through civil.Import (reading and checking the CSV, the entry, its two
// indexes, its event in the hash-chained log, 2,000 rows a commit) over rows
// per second of raw bbolt putting the same entries' JSON into one bucket in
// register order, one db.Update per 2,000.
type importBenchResult struct {
	Name          string  `json:"name"`
	Rows          int     `json:"rows"`
	CSVMiB        float64 `json:"csv_mib"`
	Seconds       float64 `json:"seconds"`
	RowsPerSec    float64 `json:"rows_per_s"`
	StoreMiB      float64 `json:"store_mib"`
	Seconds1M     float64 `json:"seconds_per_1m_rows"` // extrapolated linearly from RowsPerSec
	RawSeconds    float64 `json:"raw_bbolt_seconds"`
	RawRowsPerSec float64 `json:"raw_bbolt_rows_per_s"`
	RawMiB        float64 `json:"raw_bbolt_mib"`
	EntriesMiB    float64 `json:"entries_json_mib"` // the entries' JSON alone, what either file must hold at least
	Ratio         float64 `json:"ratio"`
	SearchIndex   bool    `json:"search_index_included"` // false: bench search times indexing
	Note          string  `json:"note"`
}

func runImportBench(c importBenchConfig) (importBenchResult, error) {
	if c.Rows == 0 {
		c.Rows = 200000
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := importBenchResult{Name: "import", Rows: c.Rows, Note: noSearchIndex}
	scratch, err := os.MkdirTemp(c.Dir, "ksmart-bench-import-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(scratch)

	c.OnPhase(fmt.Sprintf("writing %d synthetic legacy births as CSV", c.Rows))
	csvPath := filepath.Join(scratch, "births.csv")
	if err := writeLegacyBirths(csvPath, c.Rows); err != nil {
		return res, err
	}
	if res.CSVMiB, err = fileMiB(csvPath); err != nil {
		return res, err
	}

	c.OnPhase("opening an appliance on a fresh data directory")
	lb := synth.DemoLocalBody()
	data := filepath.Join(scratch, "appliance")
	app, err := appliance.Open(appliance.Config{Dir: data, LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return res, err
	}
	defer app.Close()
	in, err := os.Open(csvPath)
	if err != nil {
		return res, err
	}
	defer in.Close()
	before := app.Store.LastSeq()
	c.OnPhase(fmt.Sprintf("importing %d births", c.Rows))
	start := time.Now()
	rep, err := app.Civil.Import("births", in, appliance.CLIActor("bench"), nil)
	took := time.Since(start)
	if err != nil {
		return res, fmt.Errorf("the import failed after %d rows: %w", rep.Read, err)
	}
	if rep.Imported != c.Rows {
		first := ""
		if len(rep.Problems) > 0 {
			first = fmt.Sprintf("; the first, line %d: %s", rep.Problems[0].Line, rep.Problems[0].Reason)
		}
		return res, fmt.Errorf("%d of the %d synthetic rows were imported, %d bad%s", rep.Imported, c.Rows, rep.Bad, first)
	}
	res.Seconds = took.Seconds()
	res.RowsPerSec = float64(c.Rows) / res.Seconds
	res.Seconds1M = 1e6 / res.RowsPerSec
	if res.StoreMiB, err = fileMiB(filepath.Join(data, store.DBFile)); err != nil {
		return res, err
	}

	c.OnPhase(fmt.Sprintf("raw bbolt writing the same %d entries, %d per db.Update", c.Rows, importBenchBatch))
	rawPath := filepath.Join(scratch, "raw.db")
	raw, entryBytes, err := rawImportPeer(rawPath, app.Store, before+1, c.Rows)
	if err != nil {
		return res, err
	}
	res.EntriesMiB = float64(entryBytes) / (1 << 20)
	res.RawSeconds = raw.Seconds()
	res.RawRowsPerSec = float64(c.Rows) / res.RawSeconds
	if res.RawMiB, err = fileMiB(rawPath); err != nil {
		return res, err
	}
	res.Ratio = res.RowsPerSec / res.RawRowsPerSec
	return res, nil
}

// writeLegacyBirths writes rows synthetic births as CSV into a new file at path.
func writeLegacyBirths(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := legacy.Births(f, rows, 1); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileMiB(path string) (float64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return float64(fi.Size()) / (1 << 20), nil
}

// rawImportPeer puts the entries an import wrote into a new bbolt file at
// path, with the store's bbolt options: each entry's JSON, exactly as the
// store holds it, under its id in one bucket, in register order,
// importBenchBatch entries per db.Update. The entries are read from the
// log's ".imported" events from seq on, a batch at a time outside the
// timing. It returns the time spent in db.Update alone and the bytes of
// JSON written.
func rawImportPeer(path string, s *store.Store, from uint64, rows int) (took time.Duration, size int64, err error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	bucket := []byte("entries")
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucket); return err }); err != nil {
		return 0, 0, err
	}
	written := 0
	for written < rows {
		evs, err := s.ReadLog(from, importBenchBatch)
		if err != nil {
			return 0, 0, err
		}
		if len(evs) == 0 {
			return 0, 0, fmt.Errorf("the log holds %d imported entries, want %d", written, rows)
		}
		from = evs[len(evs)-1].Seq + 1
		evs = slices.DeleteFunc(evs, func(ev store.Event) bool { return !strings.HasSuffix(ev.Type, ".imported") })
		start := time.Now()
		err = db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			for _, ev := range evs {
				if err := b.Put([]byte(ev.ID), ev.Data); err != nil {
					return err
				}
				size += int64(len(ev.Data))
			}
			return nil
		})
		took += time.Since(start)
		if err != nil {
			return 0, 0, err
		}
		written += len(evs)
	}
	return took, size, nil
}
