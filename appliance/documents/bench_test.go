package documents

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	bqr "github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"
)

// benchDocuments runs render in GOMAXPROCS goroutines (set it with -cpu
// 1,2) and reports, besides the mean, the median and 99th percentile time per
// document and the documents made per second of wall time. The design's
// target is a median.
func benchDocuments(b *testing.B, render func() ([]byte, error)) {
	if _, err := render(); err != nil { // fill the fonts' caches outside the timing
		b.Fatal(err)
	}
	var mu sync.Mutex
	var times []time.Duration
	var size int
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		for pb.Next() {
			t0 := time.Now()
			pdf, err := render()
			local = append(local, time.Since(t0))
			if err != nil {
				b.Error(err)
				return
			}
			size = len(pdf)
		}
		mu.Lock()
		times = append(times, local...)
		mu.Unlock()
	})
	wall := time.Since(start)
	b.StopTimer()
	reportTimes(b, times, wall)
	b.ReportMetric(float64(size)/1024, "KiB/pdf")
}

// reportTimes reports the median, 99th percentile and rate of times.
func reportTimes(b *testing.B, times []time.Duration, wall time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
	b.ReportMetric(ms(times[len(times)/2]), "ms/median")
	b.ReportMetric(ms(times[min(len(times)-1, len(times)*99/100)]), "ms/p99")
	b.ReportMetric(float64(len(times))/wall.Seconds(), "PDFs/s")
}

// BenchmarkCertificatePDF measures a whole birth certificate with Malayalam
// names: layout, shaping (cached across documents), placing glyph outlines,
// the QR code, and writing and compressing the file. Run it with -cpu 1,2.
func BenchmarkCertificatePDF(b *testing.B) {
	r := malayalamRenderer(b)
	c := sampleBirth()
	benchDocuments(b, func() ([]byte, error) { return r.Certificate(c) })
}

// BenchmarkCertificatePDF_EnglishOnly is the same certificate without a
// Malayalam font: Helvetica text only.
func BenchmarkCertificatePDF_EnglishOnly(b *testing.B) {
	r := NewRenderer(EnglishOnly())
	c := sampleBirth()
	benchDocuments(b, func() ([]byte, error) { return r.Certificate(c) })
}

// BenchmarkReceiptPDF measures a whole acknowledgement receipt.
func BenchmarkReceiptPDF(b *testing.B) {
	r := malayalamRenderer(b)
	rec := sampleReceipt()
	benchDocuments(b, func() ([]byte, error) { return r.Receipt(rec) })
}

// BenchmarkCertificatePDF_FirstWithNewFonts measures what the first
// certificate of a process costs: loading both font files, converting every
// glyph it uses to a compressed outline and shaping every word.
func BenchmarkCertificatePDF_FirstWithNewFonts(b *testing.B) {
	fonts := malayalamRenderer(b).Fonts()
	regularFile, boldFile := fonts.faces[regular].file, fonts.faces[bold].file
	c := sampleBirth()
	for b.Loop() {
		f, err := LoadFonts(regularFile, boldFile)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewRenderer(f).Certificate(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCertificateParts splits a certificate's time: the QR code alone,
// the page (layout, drawing and the QR code) without writing the file, and
// writing the file (compressing the content, copying the glyph forms).
func BenchmarkCertificateParts(b *testing.B) {
	r := malayalamRenderer(b)
	c := sampleBirth()
	f, err := r.certificateFile(c)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("qr", func(b *testing.B) {
		for b.Loop() {
			if _, err := qrModules(c.QR); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			if _, err := r.certificateFile(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("file", func(b *testing.B) {
		for b.Loop() {
			f.bytes()
		}
	})
	b.Logf("content %d bytes uncompressed, %d glyph forms (%d bytes)", len(f.pages[0].content), len(f.forms), formBytes(f.forms))
}

func formBytes(forms []*glyphForm) int {
	n := 0
	for _, f := range forms {
		n += len(f.object)
	}
	return n
}

// BenchmarkFloor_FpdfEmptyPage is the floor of the library the design names:
// fpdf making an empty A4 page.
func BenchmarkFloor_FpdfEmptyPage(b *testing.B) {
	for b.Loop() {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.AddPage()
		if err := pdf.Output(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloor_EmptyPage is this package's writer making an empty A4 page.
func BenchmarkFloor_EmptyPage(b *testing.B) {
	for b.Loop() {
		f := &pdfFile{width: pageW, height: pageH, info: pdfInfo{Title: "x", Time: time.Unix(0, 0)}}
		f.bytes()
	}
}

// BenchmarkAlternative_BoombulerQR encodes the certificate's QR payload with
// boombuler/barcode, the encoder used before, for comparison with
// BenchmarkCertificateParts/qr.
func BenchmarkAlternative_BoombulerQR(b *testing.B) {
	for b.Loop() {
		if _, err := bqr.Encode(sampleQR, bqr.M, bqr.Auto); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAlternative_FpdfInlineGlyphPaths measures the other way to draw
// outlines: every glyph's path written into the page content where it is
// used (q … cm path f Q) through fpdf's RawWriteStr, which then compresses
// the page. It is the same certificate's content with each "/Rn Do" replaced
// by the glyph's path.
func BenchmarkAlternative_FpdfInlineGlyphPaths(b *testing.B) {
	r := malayalamRenderer(b)
	f, err := r.certificateFile(sampleBirth())
	if err != nil {
		b.Fatal(err)
	}
	paths := map[string][]byte{}
	for _, form := range f.forms {
		paths[form.name] = inflateForm(b, form)
	}
	inline := regexp.MustCompile(`/([RB][0-9]+) Do`).ReplaceAllFunc(f.pages[0].content, func(m []byte) []byte {
		return append(append([]byte("q "), paths[string(m[1:len(m)-3])]...), " Q"...)
	})
	var size int
	for b.Loop() {
		pdf := fpdf.New("P", "pt", "A4", "")
		pdf.AddPage()
		pdf.RawWriteStr(string(inline))
		var out bytes.Buffer
		if err := pdf.Output(&out); err != nil {
			b.Fatal(err)
		}
		size = out.Len()
	}
	b.ReportMetric(float64(len(inline))/1024, "KiB-content")
	b.ReportMetric(float64(size)/1024, "KiB/pdf")
}

// inflateForm returns a glyph form's uncompressed path.
func inflateForm(tb testing.TB, f *glyphForm) []byte {
	tb.Helper()
	_, stream, _ := bytes.Cut(f.object, []byte("stream\n"))
	stream, _, _ = bytes.Cut(stream, []byte("\nendstream"))
	zr, err := zlib.NewReader(bytes.NewReader(stream))
	if err != nil {
		tb.Fatal(err)
	}
	path, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}
