package bench

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/go-pdf/fpdf"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
)

// pdfTargetMs is the design's target for a certificate's or a
// receipt's median time (appliance/documents/DESIGN.md).
const pdfTargetMs = 5.0

// pdfParallel is how many goroutines, and GOMAXPROCS, the parallel
// measurement uses: a two-core appliance, as `go test -cpu 2` measures it.
const pdfParallel = 2

// EnglishOnlyNote says what the certificate figures of a machine without a
// Malayalam font are worth, and how to get the real ones.
const EnglishOnlyNote = "no Malayalam font is installed, so the certificates are English only (Helvetica, nothing shaped or embedded) and the figures understate the real cost; install one with: apt-get install fonts-smc-manjari"

// CertificateConfig says what the certificate benchmark draws. Zero fields
// take defaults.
type CertificateConfig struct {
	Fonts   *documents.Fonts // nil means documents.EnglishOnly()
	N       int              // documents per measurement; default 2,000
	OnPhase func(string)
}

// PDFResult holds the figures of one run of a document benchmark
// (certificate or receipt). Ratio is the sequential median over fpdf's
// empty-page median, the floor of the raw library: how many empty pages a
// document costs. MedianMs and P99Ms repeat the sequential measurement's.
type PDFResult struct {
	Name           string   `json:"name"`
	Document       string   `json:"document"`
	Font           string   `json:"font"`
	Malayalam      bool     `json:"malayalam"`
	Note           string   `json:"note,omitempty"`
	N              int      `json:"n"`
	CPUs           int      `json:"cpus"`
	PDFBytes       int      `json:"pdf_bytes"`
	MedianMs       float64  `json:"median_ms"`
	P99Ms          float64  `json:"p99_ms"`
	Sequential     PDFTimes `json:"sequential"`
	Parallel       PDFTimes `json:"parallel"`
	Floor          PDFTimes `json:"fpdf_empty_page"`
	Ratio          float64  `json:"ratio"`
	TargetMedianMs float64  `json:"target_median_ms"`
	// TargetMet is whether both the sequential and the parallel medians
	// are within TargetMedianMs.
	TargetMet bool `json:"target_met"`
}

// PDFTimes are the timings of one measurement: Goroutines drawing at once
// with GOMAXPROCS set to as many.
type PDFTimes struct {
	What       string  `json:"what"`
	Goroutines int     `json:"goroutines"`
	MedianMs   float64 `json:"median_ms"`
	P99Ms      float64 `json:"p99_ms"`
	PerSec     float64 `json:"pdfs_per_s"`
}

// WriteTable writes the figures as `ksmart bench certificate` and `ksmart
// bench receipt` print them.
func (r PDFResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "%s: %s, %d KiB, font %s\n", r.Name, r.Document, r.PDFBytes/1024, r.Font)
	if !r.Malayalam {
		fmt.Fprintf(out, "ENGLISH ONLY: %s\n", EnglishOnlyNote)
	}
	fmt.Fprintln(out)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tmedian ms\tp99 ms\tPDFs/s\t\n")
	for _, t := range []PDFTimes{r.Sequential, r.Parallel, r.Floor} {
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%.0f\t\n", t.label(), t.MedianMs, t.P99Ms, t.PerSec)
	}
	w.Flush()
	fmt.Fprintf(out, "\n%d documents per row, after one warm-up; %d CPUs\n", r.N, r.CPUs)
	fmt.Fprintf(out, "ratio, %s median over fpdf's empty-page median (lower is better): %.1f\n", r.Name, r.Ratio)
	fmt.Fprintf(out, "target, median <= %.0f ms one at a time and %d at once: %s\n", r.TargetMedianMs, pdfParallel, metOrNot(r.TargetMet))
}

// label names the measurement in the table.
func (t PDFTimes) label() string {
	return fmt.Sprintf("%s, %d at once", t.What, t.Goroutines)
}

// RunCertificate draws a signed birth certificate with Malayalam names
// c.N times one at a time and c.N times from two goroutines, after one
// warm-up, and fpdf's empty A4 page c.N times, the raw library's floor.
// Without a Malayalam font in c.Fonts the result says it is English only
// (Malayalam false, Note EnglishOnlyNote).
func RunCertificate(c CertificateConfig) (PDFResult, error) {
	cert, err := benchBirthCertificate()
	if err != nil {
		return PDFResult{}, err
	}
	return runPDF(c, "certificate", "a signed birth certificate with Malayalam names",
		func(r *documents.Renderer) ([]byte, error) { return r.Certificate(cert) })
}

// runPDF measures one kind of document as RunCertificate says: draw
// renders it with the renderer of c.Fonts.
func runPDF(c CertificateConfig, name, document string, draw func(*documents.Renderer) ([]byte, error)) (PDFResult, error) {
	if c.Fonts == nil {
		c.Fonts = documents.EnglishOnly()
	}
	if c.N == 0 {
		c.N = 2000
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := PDFResult{Name: name, Document: document, Font: c.Fonts.Name(), Malayalam: c.Fonts.Malayalam(), N: c.N,
		CPUs: runtime.NumCPU(), TargetMedianMs: pdfTargetMs}
	if !res.Malayalam {
		res.Note = EnglishOnlyNote
	}
	r := documents.NewRenderer(c.Fonts)
	render := func() error { _, err := draw(r); return err }
	c.OnPhase(fmt.Sprintf("one %s to warm up (loading glyphs, shaping the words)", name))
	pdf, err := draw(r)
	if err != nil {
		return res, err
	}
	res.PDFBytes = len(pdf)
	c.OnPhase(fmt.Sprintf("%d %ss, one at a time", c.N, name))
	if res.Sequential, err = timePDFs(name, c.N, 1, render); err != nil {
		return res, err
	}
	c.OnPhase(fmt.Sprintf("%d %ss, %d at once", c.N, name, pdfParallel))
	if res.Parallel, err = timePDFs(name, c.N, pdfParallel, render); err != nil {
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
	res.MedianMs, res.P99Ms = res.Sequential.MedianMs, res.Sequential.P99Ms
	res.Ratio = res.Sequential.MedianMs / res.Floor.MedianMs
	res.TargetMet = max(res.Sequential.MedianMs, res.Parallel.MedianMs) <= pdfTargetMs
	return res, nil
}

// timePDFs calls draw n times from goroutines goroutines, with GOMAXPROCS
// set to goroutines for the while, and returns the median and 99th
// percentile of the calls and the calls made per second of wall time.
func timePDFs(what string, n, goroutines int, draw func() error) (PDFTimes, error) {
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
		return PDFTimes{}, err
	}
	slices.Sort(lat)
	return PDFTimes{What: what, Goroutines: goroutines, MedianMs: msFine(lat[n/2]), P99Ms: msFine(lat[min(n-1, n*99/100)]),
		PerSec: float64(n) / wall.Seconds()}, nil
}

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
