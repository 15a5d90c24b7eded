package documents

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"ksmart/appliance/domain"
)

// corrections are remarks as civil writes them for an entry corrected n
// times, in English and Malayalam.
func corrections(n int) domain.Text {
	var en, ml []string
	for i := range n {
		en = append(en, fmt.Sprintf("Corrected on %02d-03-2026 (KS/M0701/2026/BCR/%d).", i+1, 10000+i))
		ml = append(ml, fmt.Sprintf("%02d-03-2026-ന് തിരുത്തി (KS/M0701/2026/BCR/%d).", i+1, 10000+i))
	}
	return domain.T(strings.Join(en, " "), strings.Join(ml, " "))
}

// longAddress is an address of 500 characters, the longest the
// registration form takes, in English and Malayalam.
func longAddress() domain.Text {
	en := strings.Repeat("Kizhakkedathu Puthenveedu House, Temple Road, Near Government Higher Secondary School, ", 6)
	ml := strings.Repeat("കിഴക്കേടത്ത് പുത്തൻവീട്, ക്ഷേത്രം റോഡ്, ഗവൺമെന്റ് ഹയർ സെക്കൻഡറി സ്കൂളിന് സമീപം, ", 8)
	return domain.T(strings.TrimSpace(en[:500]), strings.TrimSpace(string([]rune(ml)[:500])))
}

// longBirth is a birth certificate too long for one page even at the
// smallest size: both addresses at the longest the form takes and fourteen
// corrections in its remarks.
func longBirth() Certificate {
	c := sampleBirth()
	c.Fields[6].Value = longAddress()
	c.Fields[7].Value = longAddress()
	c.Remarks = corrections(14)
	c.Supersedes = "M0701-BC-2026-9"
	return c
}

// pdfPages returns the text pdftotext extracts from each page of a PDF.
func pdfPages(tb testing.TB, pdf []byte) []string {
	tb.Helper()
	pages := strings.Split(pdfText(tb, pdf), "\f")
	return pages[:len(pages)-1] // pdftotext ends every page with a form feed
}

func TestCertificate_TooLongForOnePageGoesOnToNumberedAnnexurePages(t *testing.T) {
	for _, r := range []*Renderer{malayalamRenderer(t), NewRenderer(EnglishOnly())} {
		t.Run(r.Fonts().Name(), func(t *testing.T) {
			c := longBirth()
			if !r.Fonts().Malayalam() {
				c.Remarks = corrections(40) // English alone takes half the room
			}
			if _, err := r.drawCertificate(c, bodyScales[len(bodyScales)-1]); err == nil {
				t.Fatal("the sample is meant to overflow one page at the smallest size; make it longer")
			}
			pdf, err := r.Certificate(c)
			if err != nil {
				t.Fatalf("a certificate too long for one page was refused: %v", err)
			}
			n, err := PageCount(pdf)
			if err != nil || n < 2 {
				t.Fatalf("PageCount = %d, %v; want an annexure", n, err)
			}
			pages := pdfPages(t, pdf)
			if len(pages) != n {
				t.Fatalf("pdftotext finds %d pages, PageCount %d", len(pages), n)
			}
			malayalam := r.Fonts().Malayalam()
			for i, text := range pages {
				text = flat(text)
				want := []string{c.Number, fmt.Sprintf("Page %d of %d", i+1, n)}
				if malayalam {
					want = append(want, fmt.Sprintf("ആകെ %d പേജുകളിൽ %d-ാം പേജ്", n, i+1))
				}
				if i > 0 {
					want = append(want, "ANNEXURE TO THE BIRTH CERTIFICATE", c.RegistrationNumber, "Registration number",
						fmt.Sprintf("This page is part of certificate No. %s, of %d pages", c.Number, n))
					if malayalam {
						want = append(want, "ജനന സർട്ടിഫിക്കറ്റിന്റെ അനുബന്ധം")
					}
				}
				last := i == n-1
				if !last {
					want = append(want, fmt.Sprintf("Continued on page %d", i+2))
				} else {
					want = append(want, "Scan to verify this certificate", c.Officer.En, "Signature of the issuing authority", "Date of issue")
				}
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("page %d of %d lacks %q", i+1, n, w)
					}
				}
				if !last && strings.Contains(text, "Scan to verify") {
					t.Errorf("page %d of %d has the QR code's caption; it belongs on the last page", i+1, n)
				}
			}
			all := flat(strings.Join(pages, " "))
			for _, f := range c.Fields {
				if !strings.Contains(all, f.Value.En) {
					t.Errorf("the certificate lacks the %s %q", f.Label.En, f.Value.En)
				}
				if malayalam && f.Value.Ml != "" && !strings.Contains(all, f.Value.Ml) {
					t.Errorf("the certificate lacks the %s %q", f.Label.En, f.Value.Ml)
				}
			}
			sentences := strings.SplitAfter(c.Remarks.En, ").")
			if malayalam {
				sentences = append(sentences, strings.SplitAfter(c.Remarks.Ml, ").")...)
			}
			for _, s := range sentences {
				if s = strings.TrimSpace(s); s != "" && !strings.Contains(all, s) {
					t.Errorf("the remarks lack %q", s)
				}
			}
			if t.Failed() {
				t.Logf("extracted text:\n%s", strings.Join(pages, "\n---- page break ----\n"))
			}
			keepEvidence(t, "certificate-annexure-"+strings.Fields(r.Fonts().Name())[0]+".pdf", pdf)
		})
	}
}

func TestCertificate_AnnexureIsReproducibleByteForByteAndReadsBack(t *testing.T) {
	r := malayalamRenderer(t)
	c := longBirth()
	first, err := r.Certificate(c)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := LoadFonts(r.Fonts().faces[regular].file, r.Fonts().faces[bold].file)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	again := make([][]byte, 8)
	errs := make([]error, len(again))
	for i := range again {
		rr := r
		if i%2 == 1 {
			rr = NewRenderer(fresh) // racing to fill empty caches
		}
		wg.Go(func() { again[i], errs[i] = rr.Certificate(c) })
	}
	wg.Wait()
	for i := range again {
		if errs[i] != nil || !bytes.Equal(again[i], first) {
			t.Fatalf("render %d of the same record: %v, SHA-256 %s; want %s", i+2, errs[i], SHA256(again[i]), SHA256(first))
		}
	}

	got, qr, err := ReadCertificate(first)
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest() != c.Digest() || qr != c.QR {
		t.Fatal("the record read back from a certificate with an annexure differs from what was drawn")
	}
	got.QR = qr
	redrawn, err := r.Certificate(got)
	if err != nil || !bytes.Equal(redrawn, first) {
		t.Fatalf("drawing the record read back gives other bytes (%v): an offline check could not vouch for the annexure", err)
	}

	// Any change to what any page prints changes the digest the QR code's
	// signature covers: here, one correction's date on the last page.
	changed := c
	changed.Remarks.En = strings.Replace(changed.Remarks.En, "14-03-2026", "15-03-2026", 1)
	if changed.Digest() == c.Digest() {
		t.Error("a change on the annexure leaves the signed digest as it was")
	}
}

func TestCertificate_AnnexurePassesQpdfCheckAndItsQRCodeOnTheLastPageReadsBack(t *testing.T) {
	needTool(t, "qpdf", "qpdf")
	needTool(t, "zbarimg", "zbar-tools")
	needTool(t, "pdftoppm", "poppler-utils")
	r := malayalamRenderer(t)
	c := longBirth()
	pdf, err := r.Certificate(c)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "annexure.pdf", pdf)
	out := runTool(t, "qpdf", "--check", path)
	if !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Errorf("qpdf --check:\n%s", out)
	}
	n, _ := PageCount(pdf)
	for page := 1; page <= n; page++ {
		prefix := filepath.Join(t.TempDir(), "page")
		runTool(t, "pdftoppm", "-r", "150", "-png", "-singlefile", "-f", fmt.Sprint(page), "-l", fmt.Sprint(page), path, prefix)
		out, err := exec.Command("zbarimg", "--quiet", "--raw", prefix+".png").Output()
		got := strings.TrimSpace(string(out))
		switch {
		case page == n && (err != nil || got != c.QR):
			t.Errorf("the last page's QR code reads %q (%v), want %q", got, err, c.QR)
		case page < n && got != "":
			t.Errorf("page %d of %d has a QR code; it belongs on the last page", page, n)
		}
		if page == n || testing.Verbose() {
			keepEvidence(t, fmt.Sprintf("certificate-annexure-page-%d.png", page), readFile(t, prefix+".png"))
		}
	}
}

func TestCertificate_LongestOfficerNamePrintsAndAnImpossibleOneIsRefusedNamingIt(t *testing.T) {
	r := malayalamRenderer(t)
	c := sampleBirth()
	// A staff name may have 100 characters.
	c.Officer = domain.T(strings.TrimSpace(strings.Repeat("Ramachandran Kizhakkedathu ", 4)[:100]), "")
	pdf, err := r.Certificate(c)
	if err != nil {
		t.Fatalf("the longest officer's name a staff account takes was refused: %v", err)
	}
	if n, _ := PageCount(pdf); n != 1 {
		t.Errorf("a certificate with a long officer's name took %d pages, want 1", n)
	}
	if text := flat(pdfText(t, pdf)); !strings.Contains(text, c.Officer.En) {
		t.Errorf("the officer's name is not printed in full:\n%s", text)
	}

	c.Officer.En = strings.Repeat("Ramachandran ", 200)
	_, err = r.Certificate(c)
	var de *domain.Error
	if domain.ErrorCode(err) != domain.EINVALID || !errors.As(err, &de) || de.Fields["officer"].En == "" || de.MessageML == "" {
		t.Fatalf("an officer's name no page could hold: %v; want an EINVALID error naming the officer field in both languages", err)
	}
}

func TestCertificate_TheLastPageNeverHoldsTheDateOfIssueAlone(t *testing.T) {
	r := malayalamRenderer(t)
	annexed := 0
	needTool(t, "pdftotext", "poppler-utils")
	for n := 16; n <= 68; n += 4 {
		c := sampleBirth()
		c.Remarks = corrections(n)
		pdf, err := r.Certificate(c)
		if err != nil {
			t.Fatalf("%d corrections: %v", n, err)
		}
		pages, _ := PageCount(pdf)
		if pages < 2 {
			continue
		}
		annexed++
		lastPage := fmt.Sprint(pages)
		last := flat(string(runTool(t, "pdftotext", "-enc", "UTF-8", "-f", lastPage, "-l", lastPage, writeFile(t, "doc.pdf", pdf), "-")))
		if !strings.Contains(last, "Remarks") {
			t.Errorf("with %d corrections the last page has no remarks, only the date of issue and the signature:\n%s", n, last)
		}
	}
	if annexed < 8 {
		t.Fatalf("only %d of the certificates took an annexure; the test needs more", annexed)
	}
}
