package documents

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"ksmart/appliance/domain"
)

func TestCertificate_IsReproducibleByteForByte(t *testing.T) {
	r := malayalamRenderer(t)
	for _, c := range sampleCertificates() {
		t.Run(c.Kind, func(t *testing.T) {
			first, err := r.Certificate(c)
			if err != nil {
				t.Fatal(err)
			}
			// A renderer with freshly loaded fonts (empty caches) must give
			// the same bytes as one that has drawn before.
			fresh, err := LoadFonts(r.Fonts().faces[regular].file, r.Fonts().faces[bold].file)
			if err != nil {
				t.Fatal(err)
			}
			for i, rr := range []*Renderer{r, NewRenderer(fresh), r} {
				again, err := rr.Certificate(c)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first, again) {
					t.Fatalf("render %d differs from the first (%s vs %s)", i+2, SHA256(again), SHA256(first))
				}
			}
			other := c
			other.Fields = append([]CertField{}, c.Fields...)
			other.Fields[0].Value.En += "x"
			b, err := r.Certificate(other)
			if err != nil {
				t.Fatal(err)
			}
			if SHA256(b) == SHA256(first) {
				t.Fatal("different certificates have the same SHA-256")
			}
		})
	}
}

func TestCertificate_ConcurrentRendersAreIdentical(t *testing.T) {
	r := malayalamRenderer(t)
	certs := sampleCertificates()
	want := make([][]byte, len(certs))
	for i, c := range certs {
		var err error
		if want[i], err = r.Certificate(c); err != nil {
			t.Fatal(err)
		}
	}
	// Fresh fonts, so that the goroutines also race to fill the caches.
	fresh, err := LoadFonts(r.Fonts().faces[regular].file, r.Fonts().faces[bold].file)
	if err != nil {
		t.Fatal(err)
	}
	rr := NewRenderer(fresh)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			i := g % len(certs)
			got, err := rr.Certificate(certs[i])
			if err == nil && !bytes.Equal(got, want[i]) {
				err = fmt.Errorf("concurrent render of the %s certificate differs: %s vs %s", certs[i].Kind, SHA256(got), SHA256(want[i]))
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

func TestCertificate_PassesQpdfCheck(t *testing.T) {
	needTool(t, "qpdf", "qpdf")
	r := malayalamRenderer(t)
	for _, c := range sampleCertificates() {
		pdf, err := r.Certificate(c)
		if err != nil {
			t.Fatal(err)
		}
		out := runTool(t, "qpdf", "--check", writeFile(t, "cert.pdf", pdf))
		if !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
			t.Errorf("%s certificate, qpdf --check:\n%s", c.Kind, out)
		}
	}
}

func TestCertificate_QRCodeReadsBackThePayload(t *testing.T) {
	needTool(t, "zbarimg", "zbar-tools")
	r := malayalamRenderer(t)
	for _, dpi := range []int{150, 200} {
		c := sampleBirth()
		pdf, err := r.Certificate(c)
		if err != nil {
			t.Fatal(err)
		}
		out := runTool(t, "zbarimg", "--quiet", "--raw", renderPNG(t, pdf, dpi, false))
		if got := strings.TrimSpace(string(out)); got != c.QR {
			t.Errorf("at %d dpi the QR code reads %q, want %q", dpi, got, c.QR)
		}
	}
}

func TestCertificate_TextHasStatementNamesAndRegisterNumber(t *testing.T) {
	r := malayalamRenderer(t)
	for _, c := range sampleCertificates() {
		t.Run(c.Kind, func(t *testing.T) {
			pdf, err := r.Certificate(c)
			if err != nil {
				t.Fatal(err)
			}
			text := flat(pdfText(t, pdf))
			st := c.statement()
			want := []string{
				"Government of Kerala", "കേരള സർക്കാർ",
				c.LocalBody.Name.En, c.LocalBody.Name.Ml, "Kottayam District",
				certKinds[c.Kind].title.En, certKinds[c.Kind].title.Ml,
				st.En, st.Ml, c.Number,
				c.Officer.En, c.Officer.Ml, c.OfficerTitle.En, "Seal", "Scan to verify this certificate",
				"Date of issue", "20-03-2026",
			}
			if c.Kind == CertNonAvailability {
				want = append(want, "is not registered in them")
			} else {
				want = append(want, "Registration number", c.RegistrationNumber, "Date of registration", "14-03-2026")
			}
			if c.Kind == CertBirth {
				want = append(want, "This is to certify that the following information has been taken from the original record of birth which is the register for Pala Municipality of Kottayam district of Kerala State.")
			}
			for _, f := range c.Fields {
				want = append(want, f.Label.En, f.Value.En)
				if f.Value.Ml != "" {
					want = append(want, f.Value.Ml)
				}
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("extracted text lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("extracted text:\n%s", text)
			}
		})
	}
}

func TestCertificate_RemarksAndSupersededNumberArePrinted(t *testing.T) {
	r := malayalamRenderer(t)
	c := sampleBirth()
	c.Remarks = domain.T("Name of the child entered on 18-03-2026.", "കുട്ടിയുടെ പേര് 18-03-2026-ന് ചേർത്തു.")
	c.Supersedes = "M0701-BC-2026-9"
	pdf, err := r.Certificate(c)
	if err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, pdf))
	for _, w := range []string{c.Remarks.En, c.Remarks.Ml, "This certificate replaces certificate No. M0701-BC-2026-9, which is no longer valid."} {
		if !strings.Contains(text, w) {
			t.Errorf("extracted text lacks %q:\n%s", w, text)
		}
	}
}

func TestCertificate_ReadCertificateRoundTrips(t *testing.T) {
	r := malayalamRenderer(t)
	for _, c := range sampleCertificates() {
		t.Run(c.Kind, func(t *testing.T) {
			c.Remarks = domain.T(`Quotes " and <angle> & ampersands`, "")
			pdf, err := r.Certificate(c)
			if err != nil {
				t.Fatal(err)
			}
			got, qr, err := ReadCertificate(pdf)
			if err != nil {
				t.Fatal(err)
			}
			if qr != c.QR {
				t.Errorf("QR payload %q, want %q", qr, c.QR)
			}
			want := c
			want.QR, want.LocalBody.Wards = "", nil // the record is what the digest covers
			if !reflect.DeepEqual(normaliseTimes(got), normaliseTimes(want)) {
				t.Errorf("record read back:\n%+v\nwant:\n%+v", got, want)
			}
			if got.Digest() != c.Digest() {
				t.Error("the record read back has a different digest")
			}
			// Drawing the record again gives the same file: how an offline
			// verifier detects an edited PDF.
			got.QR = qr
			again, err := r.Certificate(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, pdf) {
				t.Error("drawing the record read back does not give the same bytes")
			}
		})
	}
}

// normaliseTimes puts a certificate's times in UTC, since JSON keeps the
// instant and offset but not the *time.Location.
func normaliseTimes(c Certificate) Certificate {
	c.Issued = c.Issued.UTC()
	c.RegistrationDate = c.RegistrationDate.UTC()
	return c
}

func TestCertificate_DigestIgnoresWardsAndQRButNothingElse(t *testing.T) {
	c := sampleBirth()
	d := c.Digest()
	same := c
	same.LocalBody.Wards = nil
	same.QR = "https://elsewhere/verify/x"
	if same.Digest() != d {
		t.Error("the digest changes with the wards or the QR payload")
	}
	for name, change := range map[string]func(*Certificate){
		"number": func(c *Certificate) { c.Number += "1" },
		"name": func(c *Certificate) {
			c.Fields = []CertField{{Label: c.Fields[0].Label, Value: domain.T("Sreekutty", "ശ്രീകുട്ടി")}}
		},
		"issued":      func(c *Certificate) { c.Issued = c.Issued.Add(24 * time.Hour) },
		"officer":     func(c *Certificate) { c.Officer.Ml = "" },
		"local body":  func(c *Certificate) { c.LocalBody.District.En = "Idukki" },
		"supersedes":  func(c *Certificate) { c.Supersedes = "M0701-BC-2026-1" },
		"remarks":     func(c *Certificate) { c.Remarks.En = "x" },
		"reg. number": func(c *Certificate) { c.RegistrationNumber = "B-13/2026" },
	} {
		other := sampleBirth()
		change(&other)
		if other.Digest() == d {
			t.Errorf("changing the %s leaves the digest as it was", name)
		}
	}
}

func TestReadCertificate_OtherFilesAreRefusedClearly(t *testing.T) {
	r := malayalamRenderer(t)
	receipt, err := r.Receipt(sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := r.Certificate(sampleBirth())
	if err != nil {
		t.Fatal(err)
	}
	doubled := append(append([]byte{}, cert...), cert...)
	cut := cert[:bytes.Index(cert, []byte(xmpCertClose))]
	for _, tc := range []struct {
		name string
		pdf  []byte
		want string
	}{
		{"a receipt", receipt, "not a ksmart certificate"},
		{"not a PDF", []byte("hello"), "not a PDF"},
		{"two records", doubled, "more than one"},
		{"cut short", cut, "cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadCertificate(tc.pdf)
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadCertificate = %v; want an EINVALID error saying %q", err, tc.want)
			}
		})
	}
}

func TestCertificate_BadInputIsRejectedNamingEachProblem(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Certificate)
		want   []string
	}{
		{"no number", func(c *Certificate) { c.Number = "" }, []string{"certificate number is missing"}},
		{"number with a slash", func(c *Certificate) { c.Number = "BC/2026/12" }, []string{"certificate number"}},
		{"no kind", func(c *Certificate) { c.Kind = "" }, []string{"kind must be one of"}},
		{"unknown kind", func(c *Certificate) { c.Kind = "adoption" }, []string{"kind must be one of"}},
		{"no local body", func(c *Certificate) { c.LocalBody = domain.LocalBody{} }, []string{"local body is missing"}},
		{"no fields", func(c *Certificate) { c.Fields = nil }, []string{"fields are missing"}},
		{"empty field value", func(c *Certificate) { c.Fields[1].Value = domain.Text{} }, []string{"field 2 (Sex) has no value"}},
		{"no registration number", func(c *Certificate) { c.RegistrationNumber = "" }, []string{"registration number is missing"}},
		{"registered after issue", func(c *Certificate) { c.RegistrationDate = c.Issued.AddDate(0, 0, 2) }, []string{"after the date of issue"}},
		{"no officer", func(c *Certificate) { c.Officer, c.OfficerTitle = domain.Text{}, domain.Text{} }, []string{"officer's name", "designation"}},
		{"supersedes itself", func(c *Certificate) { c.Supersedes = c.Number }, []string{"supersede itself"}},
		{"everything at once", func(c *Certificate) { *c = Certificate{} },
			[]string{"kind", "certificate number", "local body", "fields", "date of issue", "officer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sampleBirth()
			tc.change(&c)
			err := c.Validate()
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("Validate() = %v; want an EINVALID error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if pdf, err := NewRenderer(EnglishOnly()).Certificate(c); domain.ErrorCode(err) != domain.EINVALID || pdf != nil {
				t.Errorf("Certificate() = %d bytes, %v; want an EINVALID error", len(pdf), err)
			}
		})
	}
	c := sampleBirth()
	c.QR = ""
	if err := c.Validate(); err != nil {
		t.Errorf("Validate asks for the QR payload, which is made from the valid record: %v", err)
	}
	if _, err := NewRenderer(EnglishOnly()).Certificate(c); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "QR") {
		t.Errorf("a certificate without its QR payload is drawn: %v", err)
	}
	na := sampleCertificates()[3]
	na.RegistrationNumber = "B-1/1975"
	if err := na.Validate(); err == nil || !strings.Contains(err.Error(), "non-availability") {
		t.Errorf("a non-availability certificate with a registration number: %v", err)
	}
}

// textBox is a word pdftotext -bbox finds, with its box in points.
type textBox struct {
	word                   string
	xMin, yMin, xMax, yMax float64
}

// textBoxes returns the boxes pdftotext -bbox finds for each word.
func textBoxes(tb testing.TB, pdf []byte) []textBox {
	tb.Helper()
	needTool(tb, "pdftotext", "poppler-utils")
	out := string(runTool(tb, "pdftotext", "-bbox", writeFile(tb, "doc.pdf", pdf), "-"))
	var boxes []textBox
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "<word ") {
			continue
		}
		var b textBox
		if _, err := fmt.Sscanf(line, `<word xMin="%g" yMin="%g" xMax="%g" yMax="%g">`, &b.xMin, &b.yMin, &b.xMax, &b.yMax); err != nil {
			tb.Fatalf("cannot read %q: %v", line, err)
		}
		b.word = line[strings.Index(line, ">")+1 : strings.LastIndex(line, "<")]
		boxes = append(boxes, b)
	}
	return boxes
}

func TestCertificate_LongValuesWrapAndStayOnThePage(t *testing.T) {
	r := malayalamRenderer(t)
	c := sampleBirth()
	c.Fields[3].Value = domain.T(
		"Government Taluk Headquarters Hospital, Pala, maternity ward on the second floor of the new block beside the Meenachil river",
		"ഗവൺമെന്റ് താലൂക്ക് ആസ്ഥാന ആശുപത്രി, പാലാ, മീനച്ചിൽ നദിക്കരികിലെ പുതിയ ബ്ലോക്കിന്റെ രണ്ടാം നിലയിലെ പ്രസവ വാർഡ്")
	c.Fields[0].Value.En = "Sreekutty" + strings.Repeat("Kizhakkedathu", 8) // one word longer than the column
	c.Remarks = domain.T("Entered late under rule 9(3) with the order of the Revenue Divisional Officer, Pala, dated 10-03-2026, after an enquiry.", "")
	pdf, err := r.Certificate(c)
	if err != nil {
		t.Fatal(err)
	}
	right := (pageW - marginX) + 0.5
	for _, b := range textBoxes(t, pdf) {
		if b.xMax > right || b.xMin < marginX-0.5 {
			t.Errorf("%q spans x %.1f–%.1f pt, outside the margins (%.1f–%.1f)", b.word, b.xMin, b.xMax, marginX, right)
		}
		if b.yMax > pageH || b.yMin < 0 {
			t.Errorf("%q lies off the page at y %.1f–%.1f", b.word, b.yMin, b.yMax)
		}
	}
	text := flat(pdfText(t, pdf))
	for _, w := range []string{"maternity ward on the second floor", "മീനച്ചിൽ നദിക്കരികിലെ", "Revenue Divisional Officer"} {
		if !strings.Contains(text, w) {
			t.Errorf("extracted text lacks %q", w)
		}
	}

}

func TestCertificate_ParticularsTooLongForTheNormalSizeAreSetSmallerNotRefused(t *testing.T) {
	r := malayalamRenderer(t)
	c := sampleBirth()
	address := domain.T(strings.Repeat("Kizhakkedathu Puthenveedu House, Temple Road, Near Government Higher Secondary School, ", 3)+"Pala",
		strings.Repeat("കിഴക്കേടത്ത് പുത്തൻവീട്, ക്ഷേത്രം റോഡ്, ഗവൺമെന്റ് ഹയർ സെക്കൻഡറി സ്കൂളിന് സമീപം, ", 3)+"പാലാ")
	for i := range 2 {
		c.Fields = append(c.Fields, CertField{Label: domain.T(fmt.Sprintf("Address at the time of event (%d)", i+1), "സംഭവ സമയത്തെ വിലാസം"), Value: address})
	}
	if _, err := r.drawCertificate(c, 1); err == nil {
		t.Fatal("the sample is meant to overflow at the normal size; make it longer")
	}
	pdf, err := r.Certificate(c)
	if err != nil {
		t.Fatalf("a certificate with long particulars was refused: %v", err)
	}
	if text := flat(pdfText(t, pdf)); !strings.Contains(text, "Higher Secondary School") || !strings.Contains(text, "പുത്തൻവീട്") {
		t.Errorf("the long particulars are not all on the page")
	}
}

func TestCertificate_EnglishOnlyHasNoMalayalam(t *testing.T) {
	r := NewRenderer(EnglishOnly())
	if r.Fonts().Malayalam() || r.Fonts().Name() != "none (English only)" {
		t.Fatalf("EnglishOnly() = %q, Malayalam %v", r.Fonts().Name(), r.Fonts().Malayalam())
	}
	for _, c := range sampleCertificates() {
		t.Run(c.Kind, func(t *testing.T) {
			c.Fields = append(c.Fields, CertField{Label: domain.T("Village", "വില്ലേജ്"), Value: domain.T("", "കിഴതടിയൂർ")})
			pdf, err := r.Certificate(c)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(pdf, []byte("/XObject")) {
				t.Error("an English-only certificate draws glyph outlines")
			}
			text := pdfText(t, pdf)
			for _, ch := range text {
				if unicode.Is(unicode.Malayalam, ch) || (ch >= 0xE000 && ch <= 0xF8FF) {
					t.Fatalf("extracted text has %q (U+%04X):\n%s", ch, ch, text)
				}
			}
			for _, w := range []string{c.statement().En, c.Number, c.Fields[0].Value.En, malayalamOnly} {
				if !strings.Contains(flat(text), w) {
					t.Errorf("extracted text lacks %q", w)
				}
			}
			if c.Kind != CertNonAvailability && !strings.Contains(text, c.RegistrationNumber) {
				t.Errorf("extracted text lacks the register number %q", c.RegistrationNumber)
			}
			if _, qr, err := ReadCertificate(pdf); err != nil || qr != c.QR {
				t.Errorf("ReadCertificate: %q, %v", qr, err)
			}
		})
	}
}

func TestCertificate_RendersToAPage(t *testing.T) {
	r := malayalamRenderer(t)
	for _, c := range sampleCertificates() {
		pdf, err := r.Certificate(c)
		if err != nil {
			t.Fatal(err)
		}
		png := readFile(t, renderPNG(t, pdf, 100, false))
		if len(png) < 30_000 {
			t.Fatalf("the %s certificate renders to only %d bytes of PNG; is it blank?", c.Kind, len(png))
		}
		keepEvidence(t, "certificate-"+c.Kind+".png", png)
		keepEvidence(t, "certificate-"+c.Kind+".pdf", pdf)
	}
	pdf, err := NewRenderer(EnglishOnly()).Certificate(sampleBirth())
	if err != nil {
		t.Fatal(err)
	}
	keepEvidence(t, "certificate-birth-english-only.png", readFile(t, renderPNG(t, pdf, 100, false)))
}

// TestCertificate_AMarriageCertificatePrintsFormIVAndRule11 draws a
// certificate of marriage as civil issues it now: Form No. IV under rule
// 11(1) of the Kerala Registration of Marriages (Common) Rules, 2008. One
// issued before, of kind CertMarriage, still draws without them, as it was
// signed.
func TestCertificate_AMarriageCertificatePrintsFormIVAndRule11(t *testing.T) {
	r := malayalamRenderer(t)
	var marriage Certificate
	for _, c := range sampleCertificates() {
		if c.Kind == CertMarriage {
			marriage = c
		}
	}
	now := marriage
	now.Kind = CertMarriageFormIV
	pdf, err := r.Certificate(now)
	if err != nil {
		t.Fatal(err)
	}
	text := flat(pdfText(t, pdf))
	for _, w := range []string{"Form No. IV", "rule 11(1) of the Kerala Registration of Marriages (Common) Rules, 2008", "CERTIFICATE OF REGISTRATION OF MARRIAGE"} {
		if !strings.Contains(text, w) {
			t.Errorf("the marriage certificate lacks %q:\n%s", w, text)
		}
	}
	old, err := r.Certificate(marriage)
	if err != nil {
		t.Fatal(err)
	}
	if text := flat(pdfText(t, old)); strings.Contains(text, "Form No. IV") || strings.Contains(text, "rule 11(1)") {
		t.Errorf("a marriage certificate issued before prints the form now; it would no longer draw as signed:\n%s", text)
	}
}
