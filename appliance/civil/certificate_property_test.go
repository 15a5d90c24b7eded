package civil_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/appliance/synth"
	"ksmart/internal/needs"
)

// certSeeds is how many seeds the certificate property test runs: 16 by
// default (256 certificates, each checked by two external programs: about a
// minute of CPU, CI's budget for it), more with KSMART_CERT_SEEDS for a
// longer run by hand.
func certSeeds(tb testing.TB) int {
	tb.Helper()
	v := os.Getenv("KSMART_CERT_SEEDS")
	if v == "" {
		return 16
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		tb.Fatalf("KSMART_CERT_SEEDS=%q: give a number of seeds, e.g. 500", v)
	}
	return n
}

// TestCertificates_EveryLawfulRecordPrintsChecksAndGivesItsNamesBack is a
// property test over the synthetic registers (synth.RegisterEntry,
// synth.NonAvailabilityForm): for each seed, certificates of every kind
// civil issues (birth, death, marriage, non-availability) from ordinary
// entries, from entries with the longest values the forms accept, from
// entries corrected several times, and from both at once, each drawn as
// civil issues it. Every one must print (on one page, or with an
// annexure), pass qpdf --check, give back through pdftotext every name it
// prints and its number on every page, and draw the same bytes again. A
// still birth, which civil registers but never certifies, is refused in
// both languages.
//
// With KSMART_EVIDENCE_DIR set, the certificates that took an annexure are
// kept there to be looked at. A failure names its seed, kind and variant;
// -run with
// 'TestCertificates_EveryLawfulRecordPrintsChecksAndGivesItsNamesBack/seed=17'
// repeats it.
func TestCertificates_EveryLawfulRecordPrintsChecksAndGivesItsNamesBack(t *testing.T) {
	needs.Tool(t, "qpdf", "qpdf")
	needs.Tool(t, "poppler-utils", "pdftotext")
	fonts, err := documents.SystemFonts()
	if err != nil {
		needs.Missing(t, err.Error())
	}
	cat, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	lb := synth.DemoLocalBody()
	key, err := seal.Generate(lb.Code)
	if err != nil {
		t.Fatal(err)
	}
	office := &civil.Civil{LocalBody: lb, Seal: key, Documents: documents.NewRenderer(fonts),
		PublicURL: func() string { return "https://demo.ksmart.test" }}
	seeds := certSeeds(t)
	var tally certTally
	start := time.Now()
	t.Run("seeds", func(t *testing.T) {
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				printEverything(t, office, cat, seed, &tally)
			})
		}
	})
	t.Logf("%d seeds: %d certificates drawn and checked (%d one page, %d with an annexure, at most %d pages) in %s; KSMART_CERT_SEEDS=%d runs more",
		seeds, tally.certificates, tally.certificates-tally.annexed, tally.annexed, tally.mostPages, time.Since(start).Round(time.Second), 10*seeds)
}

// certTally counts what the property test drew.
type certTally struct {
	sync.Mutex
	certificates, annexed, mostPages int
}

func (c *certTally) add(pages int) {
	c.Lock()
	defer c.Unlock()
	c.certificates++
	if pages > 1 {
		c.annexed++
	}
	c.mostPages = max(c.mostPages, pages)
}

// printEverything draws and checks one seed's certificates.
func printEverything(t *testing.T, office *civil.Civil, cat *catalogue.Catalogue, seed uint64, tally *certTally) {
	rng := rand.New(rand.NewPCG(seed, 0xce27))
	now := time.Date(2026, 12, 7, 10, 30, 0, 0, domain.IST).AddDate(0, 0, int(seed%400))
	year := now.In(domain.IST).Year()
	variants := []struct {
		name string
		opts synth.EntryOptions
	}{
		{"ordinary", synth.EntryOptions{}},
		{"longest", synth.EntryOptions{Longest: true}},
		{"corrected", synth.EntryOptions{Corrections: 2 + rng.IntN(5)}},
		{"longest-corrected", synth.EntryOptions{Longest: true, Corrections: 3 + rng.IntN(10)}},
	}
	serial := uint64(seed * 1000)
	for _, v := range variants {
		officer := civil.Officer{ID: "registrar", Name: synth.OfficerName(rng, v.opts.Longest)}
		for _, kind := range []string{civil.KindBirth, civil.KindDeath, civil.KindMarriage} {
			serial++
			what := fmt.Sprintf("seed %d, %s %s", seed, v.name, kind)
			e, err := synth.RegisterEntry(rng, cat, office.LocalBody, kind, serial, now, v.opts)
			if err != nil {
				t.Fatalf("%s: the generator made a record the forms refuse: %v", what, err)
			}
			number := civil.CertificateNumber(office.LocalBody.Code, kind, year, serial)
			supersedes := ""
			if len(e.Changes) > 0 {
				supersedes = civil.CertificateNumber(office.LocalBody.Code, kind, year, serial-1)
			}
			draw := func() (documents.Certificate, []byte, error) {
				return office.DrawCertificate(e, number, supersedes, officer, now)
			}
			checkCertificate(t, what, draw, tally)
		}
		serial++
		what := fmt.Sprintf("seed %d, %s non-availability", seed, v.name)
		values, err := synth.NonAvailabilityForm(rng, cat, office.LocalBody, now, v.opts)
		if err != nil {
			t.Fatalf("%s: the generator made a form the service refuses: %v", what, err)
		}
		number := civil.CertificateNumber(office.LocalBody.Code, "", year, serial)
		checkCertificate(t, what, func() (documents.Certificate, []byte, error) {
			return office.DrawNonAvailability(values, number, officer, now)
		}, tally)
	}

	serial++
	still, err := synth.RegisterEntry(rng, cat, office.LocalBody, civil.KindStillBirth, serial, now, synth.EntryOptions{})
	if err != nil {
		t.Fatalf("seed %d, still birth: %v", seed, err)
	}
	_, pdf, err := office.DrawCertificate(still, civil.CertificateNumber(office.LocalBody.Code, civil.KindBirth, year, serial), "", civil.Officer{Name: "Anitha K."}, now)
	var de *domain.Error
	if pdf != nil || !errors.As(err, &de) || de.Code != domain.EINVALID || de.MessageML == "" {
		t.Errorf("seed %d: a still birth's certificate: %d bytes, %v; want it refused in both languages", seed, len(pdf), err)
	}
}

// checkCertificate draws a certificate twice and checks what a citizen and
// a verifier would: that it printed, the same bytes both times; that qpdf
// finds the file sound; and that pdftotext gives back its number on every
// page, "Page i of N" on each page of more than one, its register number
// and every name it prints, in both scripts.
func checkCertificate(t *testing.T, what string, draw func() (documents.Certificate, []byte, error), tally *certTally) {
	t.Helper()
	printed, pdf, err := draw()
	if err != nil {
		t.Errorf("%s: the certificate was not printed: %v", what, err)
		return
	}
	if _, again, err := draw(); err != nil || !bytes.Equal(again, pdf) {
		t.Errorf("%s: drawing the same record again gives other bytes (%v)", what, err)
	}
	pages, err := documents.PageCount(pdf)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	tally.add(pages)
	if dir := os.Getenv("KSMART_EVIDENCE_DIR"); dir != "" && pages > 1 {
		// Certificates with an annexure, kept to be looked at.
		name := strings.NewReplacer(" ", "-", ",", "").Replace(what) + ".pdf"
		if err := os.WriteFile(filepath.Join(dir, name), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Errorf("%s: qpdf --check (%v):\n%s", what, err, out)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Errorf("%s: pdftotext: %v", what, err)
		return
	}
	texts := strings.Split(string(out), "\f")
	texts = texts[:len(texts)-1]
	if len(texts) != pages {
		t.Errorf("%s: pdftotext finds %d pages, the file says %d", what, len(texts), pages)
	}
	for i, text := range texts {
		if !strings.Contains(text, printed.Number) {
			t.Errorf("%s: page %d of %d does not carry the certificate number %s", what, i+1, pages, printed.Number)
		}
		if pageOf := fmt.Sprintf("Page %d of %d", i+1, pages); pages > 1 && !strings.Contains(squeeze(text), squeeze(pageOf)) {
			t.Errorf("%s: page %d lacks %q", what, i+1, pageOf)
		}
	}
	all := squeeze(string(out))
	if !strings.Contains(all, squeeze(printed.RegistrationNumber)) {
		t.Errorf("%s: the register number %s is not printed", what, printed.RegistrationNumber)
	}
	for _, f := range printed.Fields {
		if !strings.HasPrefix(f.Label.En, "Name") {
			continue
		}
		for _, half := range []string{f.Value.En, f.Value.Ml} {
			if half != "" && !strings.Contains(all, squeeze(half)) {
				t.Errorf("%s (%d pages): pdftotext does not give back the %s %q", what, pages, f.Label.En, half)
			}
		}
	}
}

// squeeze drops white space, where a long name may be wrapped or a word
// too wide for its column broken.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
