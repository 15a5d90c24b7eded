package bench

import (
	"bytes"
	"strings"
	"testing"

	"ksmart/appliance/documents"
)

func TestCertificate_WithoutAMalayalamFontTheFiguresSayTheyAreEnglishOnly(t *testing.T) {
	r, err := RunCertificate(CertificateConfig{Fonts: documents.EnglishOnly(), N: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Malayalam || !strings.Contains(r.Note, "English only") || !strings.Contains(r.Note, "fonts-smc-manjari") {
		t.Errorf("malayalam %v, note %q; want false and a note naming fonts-smc-manjari", r.Malayalam, r.Note)
	}
	var table bytes.Buffer
	r.WriteTable(&table)
	if !strings.Contains(table.String(), "ENGLISH ONLY: "+EnglishOnlyNote) {
		t.Errorf("the table does not say the figures are English only:\n%s", table.String())
	}
}
