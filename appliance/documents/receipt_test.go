package documents

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance/domain"
)

func TestReceipt_IsReproducibleByteForByte(t *testing.T) {
	r := malayalamRenderer(t)
	rec := sampleReceipt()
	first, err := r.Receipt(rec)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		again, err := r.Receipt(rec)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("render %d differs from the first (%s vs %s)", i+2, SHA256(again), SHA256(first))
		}
	}
	if h := SHA256(first); len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("SHA256 = %q, want 64 lowercase hex digits", h)
	}
	// A different record must give a different document.
	other := rec
	other.Number = "KS/M0701/2026/BR/000124"
	b, err := r.Receipt(other)
	if err != nil {
		t.Fatal(err)
	}
	if SHA256(b) == SHA256(first) {
		t.Fatal("receipts for different applications have the same SHA-256")
	}
}

func TestReceipt_ConcurrentRendersAreIdentical(t *testing.T) {
	r := malayalamRenderer(t)
	want, err := r.Receipt(sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			got, err := r.Receipt(sampleReceipt())
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("concurrent render differs: %s vs %s", SHA256(got), SHA256(want))
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestReceipt_MalayalamTextIsExtractable(t *testing.T) {
	r := malayalamRenderer(t)
	rec := sampleReceipt()
	pdf, err := r.Receipt(rec)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{
		"കൈപ്പറ്റ് രസീത്", "Acknowledgement Receipt",
		rec.LocalBody.Name.Ml, rec.LocalBody.Name.En,
		"Application number", "അപേക്ഷാ നമ്പർ", rec.Number,
		"Service", "ജനന സർട്ടിഫിക്കറ്റ്",
		"Applicant", "ശ്രീകുമാർ കെ. ആർ.",
		"Date of submission", "12-03-2026",
		"Due date", "19-03-2026",
		"Fee", "₹30.00 (paid)", "അടച്ചു",
		"How to track", "Scan the QR code or visit",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q", want)
		}
	}
	// No glyph may come out as a Private Use Area code point or a
	// placeholder instead of its text.
	for _, c := range text {
		if c >= 0xE000 && c <= 0xF8FF {
			t.Fatalf("extracted text has PUA code point U+%04X:\n%s", c, text)
		}
	}
	if t.Failed() {
		t.Logf("extracted text:\n%s", text)
	}
}

func TestReceipt_NoFeeSaysSoInBothLanguages(t *testing.T) {
	r := malayalamRenderer(t)
	rec := sampleReceipt()
	rec.Fee, rec.FeePaid = 0, false
	pdf, err := r.Receipt(rec)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	if !strings.Contains(text, "No fee") || !strings.Contains(text, "ഫീസില്ല") {
		t.Fatalf("receipt without a fee does not say so:\n%s", text)
	}
}

func TestReceipt_AccentedLatinAndRupeeSignAreExtractable(t *testing.T) {
	r := malayalamRenderer(t)
	rec := sampleReceipt()
	rec.Applicant = domain.T("José Mathew–Kurian", "ജോസ് മാത്യു")
	rec.Fee, rec.FeePaid = 1234550, false
	pdf, err := r.Receipt(rec)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"José Mathew–Kurian", "ജോസ് മാത്യു", "₹12,345.50", "to be paid", "അടയ്ക്കാനുണ്ട്"} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q:\n%s", want, text)
		}
	}
}

func TestReceipt_EnglishOnlyPrintsEnglishAndRupeesAsRs(t *testing.T) {
	rec := sampleReceipt()
	rec.Applicant = domain.T("José Mathew–Kurian", "ജോസ് മാത്യു")
	pdf, err := NewRenderer(EnglishOnly()).Receipt(rec)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"Acknowledgement Receipt", "José Mathew–Kurian", "Rs.30.00 (paid)", rec.Number} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsFunc(text, isMalayalam) {
		t.Errorf("an English-only receipt has Malayalam:\n%s", text)
	}
}

func TestReceipt_PassesQpdfCheck(t *testing.T) {
	needTool(t, "qpdf", "qpdf")
	for _, r := range []*Renderer{malayalamRenderer(t), NewRenderer(EnglishOnly())} {
		pdf, err := r.Receipt(sampleReceipt())
		if err != nil {
			t.Fatal(err)
		}
		out := runTool(t, "qpdf", "--check", writeFile(t, "receipt.pdf", pdf))
		if !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
			t.Fatalf("qpdf --check (%s):\n%s", r.Fonts().Name(), out)
		}
	}
}

func TestReceipt_QRCodeReadsBackTheStatusURL(t *testing.T) {
	needTool(t, "zbarimg", "zbar-tools")
	r := malayalamRenderer(t)
	rec := sampleReceipt()
	pdf, err := r.Receipt(rec)
	if err != nil {
		t.Fatal(err)
	}
	out := runTool(t, "zbarimg", "--quiet", "--raw", renderPNG(t, pdf, 150, false))
	if got := strings.TrimSpace(string(out)); got != rec.StatusURL {
		t.Fatalf("QR code reads %q, want %q", got, rec.StatusURL)
	}
}

// TestReceipt_RendersToAPage rasterises the receipt so a person can look at
// it: set KSMART_EVIDENCE_DIR to keep the PNG.
func TestReceipt_RendersToAPage(t *testing.T) {
	pdf, err := malayalamRenderer(t).Receipt(sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	png := readFile(t, renderPNG(t, pdf, 100, false))
	if len(png) < 10_000 {
		t.Fatalf("rendered page is only %d bytes; is it blank?", len(png))
	}
	keepEvidence(t, "receipt.png", png)
}

func TestReceipt_BadInputIsRejected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Receipt)
	}{
		{"empty number", func(r *Receipt) { r.Number = " " }},
		{"zero submission time", func(r *Receipt) { r.SubmittedAt = time.Time{} }},
		{"zero due date", func(r *Receipt) { r.DueAt = time.Time{} }},
		{"due before submission", func(r *Receipt) { r.DueAt = r.SubmittedAt.Add(-time.Hour) }},
		{"no status URL", func(r *Receipt) { r.StatusURL = "" }},
		{"unknown channel", func(r *Receipt) { r.Channel = "fax" }},
		{"no Malayalam local body name", func(r *Receipt) { r.LocalBody.Name.Ml = "" }},
		{"negative fee", func(r *Receipt) { r.Fee = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := sampleReceipt()
			tc.change(&rec)
			b, err := NewRenderer(EnglishOnly()).Receipt(rec)
			if domain.ErrorCode(err) != domain.EINVALID || b != nil {
				t.Fatalf("Receipt() = %d bytes, %v; want an EINVALID error", len(b), err)
			}
		})
	}
}

func TestReceipt_LongValuesWrapInsideThePage(t *testing.T) {
	r := malayalamRenderer(t)
	rec := sampleReceipt()
	rec.Service = domain.T(
		"Registration of a birth reported after one year, with an order of the Revenue Divisional Officer",
		"ഒരു വർഷത്തിനു ശേഷം അറിയിച്ച ജനനത്തിന്റെ രജിസ്ട്രേഷൻ, റവന്യൂ ഡിവിഷണൽ ഓഫീസറുടെ ഉത്തരവോടെ",
	)
	rec.StatusURL = "https://pala.ksmart.lsgkerala.gov.in/citizen/applications/status?number=KS%2FM0701%2F2026%2FBR%2F000123&lang=ml"
	pdf, err := r.Receipt(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range textBoxes(t, pdf) {
		if limit := pageW - marginX + 0.5; b.xMax > limit {
			t.Errorf("%q reaches x=%.1f pt, past the right margin at %.1f pt", b.word, b.xMax, limit)
		}
	}
}
