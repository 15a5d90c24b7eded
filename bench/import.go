package bench

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	bolt "go.etcd.io/bbolt"

	"ksmart/appliance"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/store"
)

// importBenchBatch is how many entries the raw bbolt peer writes in one
// db.Update: the rows civil.Import commits in one store write.
const importBenchBatch = 2000

// ImportMaxRows is the most rows the import benchmark generates: the
// synthetic register's million rows end in 2019, before any date that could
// be in the future.
const ImportMaxRows = 1_000_000

// noSearchIndex says what the import figures leave out.
const noSearchIndex = "the search index is not included here: ksmart bench search times indexing the same register"

// ImportConfig says how much the import benchmark imports. Zero fields
// take defaults.
type ImportConfig struct {
	Dir     string // scratch directory on the disk to measure; default a temp dir
	Rows    int    // synthetic births; default 200,000
	OnPhase func(string)
}

// ImportResult holds the figures of one run. Ratio is rows per second
// through civil.Import (reading and checking the CSV, the entry, its two
// indexes, its event in the hash-chained log, 2,000 rows a commit) over rows
// per second of raw bbolt putting the same entries' JSON into one bucket in
// register order, one db.Update per 2,000.
type ImportResult struct {
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

// RunImport writes c.Rows synthetic legacy births as CSV, imports them
// into a fresh data directory as `ksmart import births` does, and has raw
// bbolt put the same entries' JSON into one bucket on the same disk. It
// removes its scratch files. c.Rows must be at most ImportMaxRows.
func RunImport(c ImportConfig) (ImportResult, error) {
	if c.Rows == 0 {
		c.Rows = 200000
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := ImportResult{Name: "import", Rows: c.Rows, Note: noSearchIndex}
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
	// The registrar answerable for the register, as a real import names.
	registrar, err := synth.DemoRegistrar(app)
	if err != nil {
		return res, err
	}
	before := app.Store.LastSeq()
	c.OnPhase(fmt.Sprintf("importing %d births", c.Rows))
	start := time.Now()
	rep, err := app.ImportRegister("births", in, "bench", registrar, nil)
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

// WriteTable writes the figures as `ksmart bench import` prints them.
func (r ImportResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "import: %d synthetic legacy births (%.1f MiB of CSV) into a fresh data directory, as 'ksmart import births' does\n\n", r.Rows, r.CSVMiB)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\trows/s\tseconds\tfile MiB\t\n")
	fmt.Fprintf(w, "ksmart import births\t%.0f\t%.2f\t%.1f\t\n", r.RowsPerSec, r.Seconds, r.StoreMiB)
	fmt.Fprintf(w, "raw bbolt, the same entries' JSON, db.Update per %d\t%.0f\t%.2f\t%.1f\t\n", importBenchBatch, r.RawRowsPerSec, r.RawSeconds, r.RawMiB)
	w.Flush()
	fmt.Fprintf(out, "\nthe entries' JSON alone: %.1f MiB; file sizes are bbolt's, free pages included\n", r.EntriesMiB)
	fmt.Fprintf(out, "1,000,000 rows at this rate: %.0f s (extrapolated linearly)\n", r.Seconds1M)
	fmt.Fprintf(out, "ratio to raw bbolt writing the same entries: %.2f\n", r.Ratio)
	fmt.Fprintf(out, "note: %s\n", noSearchIndex)
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
