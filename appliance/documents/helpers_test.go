package documents

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/internal/needs"
)

// needTool returns the path of an external program a test needs. When the
// program is missing the test is skipped, naming the Debian package that
// provides it, unless KSMART_REQUIRE_ALL=1, when it fails instead so that a
// CI machine without the tools cannot pass silently.
func needTool(tb testing.TB, name, debianPackage string) string {
	tb.Helper()
	return needs.Tool(tb, debianPackage, name)
}

var (
	systemFontsOnce sync.Once
	systemFonts     *Fonts
	systemFontsErr  error
)

// malayalamRenderer returns a renderer with the system's Malayalam font,
// shared by the tests of the package so its caches fill once. Without one the
// test is skipped, naming the package to install, or fails under
// KSMART_REQUIRE_ALL=1.
func malayalamRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	systemFontsOnce.Do(func() { systemFonts, systemFontsErr = SystemFonts() })
	if systemFontsErr != nil {
		needs.Missing(tb, systemFontsErr.Error())
	}
	return NewRenderer(systemFonts)
}

// fontFile returns path when it exists, else skips the test naming the
// Debian package that installs it (or fails under KSMART_REQUIRE_ALL=1).
func fontFile(tb testing.TB, path, debianPackage string) string {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		needs.Missing(tb, fmt.Sprintf("%s not found: install the Debian package %s (apt-get install -y %s)", path, debianPackage, debianPackage))
	}
	return path
}

// runTool runs a tool and returns its standard output, failing the test with its
// standard error when it fails.
func runTool(tb testing.TB, name string, args ...string) []byte {
	tb.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// writeFile writes b into a file called name in a temporary directory and
// returns its path.
func writeFile(tb testing.TB, name string, b []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// pdfText returns what pdftotext extracts from a PDF.
func pdfText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	needTool(tb, "pdftotext", "poppler-utils")
	return string(runTool(tb, "pdftotext", "-enc", "UTF-8", writeFile(tb, "doc.pdf", pdf), "-"))
}

var spaces = regexp.MustCompile(`\s+`)

// flat collapses every run of white space (line breaks included) to one
// space, so that a sentence wrapped over lines can be searched for.
func flat(s string) string { return spaces.ReplaceAllString(s, " ") }

// renderPNG rasterises the first page of a PDF at dpi and returns the PNG's
// path; gray selects 8-bit greyscale.
func renderPNG(tb testing.TB, pdf []byte, dpi int, gray bool) string {
	tb.Helper()
	needTool(tb, "pdftoppm", "poppler-utils")
	path := writeFile(tb, "page.pdf", pdf)
	prefix := strings.TrimSuffix(path, ".pdf")
	args := []string{"-r", fmt.Sprint(dpi), "-png", "-singlefile"}
	if gray {
		args = append(args, "-gray")
	}
	runTool(tb, "pdftoppm", append(args, path, prefix)...)
	return prefix + ".png"
}

// readFile returns a file's bytes.
func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// keepEvidence copies a file into KSMART_EVIDENCE_DIR, when set, under name.
func keepEvidence(tb testing.TB, name string, b []byte) {
	tb.Helper()
	dir := os.Getenv("KSMART_EVIDENCE_DIR")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("kept %s", path)
}

func sampleLocalBody() domain.LocalBody {
	return domain.LocalBody{
		Code:     "M0701",
		Name:     domain.T("Pala Municipality", "പാലാ നഗരസഭ"),
		Kind:     domain.KindMunicipality,
		District: domain.T("Kottayam", "കോട്ടയം"),
		Wards:    []domain.Ward{{Number: 1, Name: domain.T("Ward 1", "വാർഡ് 1")}},
	}
}

func sampleReceipt() Receipt {
	return Receipt{
		LocalBody:   sampleLocalBody(),
		Number:      "KS/M0701/2026/BR/000123",
		Service:     domain.T("Birth certificate", "ജനന സർട്ടിഫിക്കറ്റ്"),
		Applicant:   domain.T("Sreekumar K. R.", "ശ്രീകുമാർ കെ. ആർ."),
		SubmittedAt: time.Date(2026, 3, 12, 10, 42, 5, 0, domain.IST),
		DueAt:       time.Date(2026, 3, 19, 23, 59, 59, 0, domain.IST),
		Fee:         domain.Rupees(30),
		FeePaid:     true,
		StatusURL:   "https://pala.ksmart.lsgkerala.gov.in/status/KS/M0701/2026/BR/000123",
		Channel:     ChannelOnline,
	}
}

// sampleQR is shaped like the real payload: the verification address with
// a 16-byte digest and a 64-byte Ed25519 signature in base64url.
const sampleQR = "https://pala.ksmart.lsgkerala.gov.in/verify/M0701-BC-2026-12?d=q83vEjRWeJCrze8SNFZ4kA&s=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYm"

// sampleBirth is a birth certificate with names that need conjuncts and
// reordered vowel signs.
func sampleBirth() Certificate {
	return Certificate{
		Kind:               CertBirth,
		LocalBody:          sampleLocalBody(),
		Number:             "M0701-BC-2026-12",
		RegistrationNumber: "B-12/2026",
		RegistrationDate:   time.Date(2026, 3, 14, 11, 5, 0, 0, domain.IST),
		Issued:             time.Date(2026, 3, 20, 15, 30, 0, 0, domain.IST),
		Officer:            domain.T("Muhammad Basheer", "മുഹമ്മദ് ബഷീർ"),
		OfficerTitle:       domain.T("Registrar of Births and Deaths", "ജനന മരണ രജിസ്ട്രാർ"),
		Fields: []CertField{
			{Label: domain.T("Name", "പേര്"), Value: domain.T("Sreekutty", "ശ്രീക്കുട്ടി")},
			{Label: domain.T("Sex", "ലിംഗം"), Value: domain.T("Female", "സ്ത്രീ")},
			{Label: domain.T("Date of birth", "ജനന തീയതി"), Value: domain.T("12-03-2026", "")},
			{Label: domain.T("Place of birth", "ജനന സ്ഥലം"), Value: domain.T("Government Hospital, Pala", "ഗവൺമെന്റ് ആശുപത്രി, പാലാ")},
			{Label: domain.T("Name of mother", "മാതാവിന്റെ പേര്"), Value: domain.T("Jyothilakshmi", "ജ്യോതിലക്ഷ്മി")},
			{Label: domain.T("Name of father", "പിതാവിന്റെ പേര്"), Value: domain.T("Krishnan", "കൃഷ്ണൻ")},
			{Label: domain.T("Address of parents at the time of birth", "ജനന സമയത്ത് മാതാപിതാക്കളുടെ വിലാസം"),
				Value: domain.T("Kizhakkedathu House, Kizhathadiyoor, Pala, Kottayam 686575", "കിഴക്കേടത്ത് വീട്, കിഴതടിയൂർ, പാലാ, കോട്ടയം 686575")},
			{Label: domain.T("Permanent address of parents", "മാതാപിതാക്കളുടെ സ്ഥിര വിലാസം"),
				Value: domain.T("Kizhakkedathu House, Kizhathadiyoor, Pala, Kottayam 686575", "കിഴക്കേടത്ത് വീട്, കിഴതടിയൂർ, പാലാ, കോട്ടയം 686575")},
		},
		QR: sampleQR,
	}
}

// sampleCertificates is one certificate of each kind.
func sampleCertificates() []Certificate {
	birth := sampleBirth()

	death := sampleBirth()
	death.Kind, death.Number, death.RegistrationNumber = CertDeath, "M0701-DC-2026-7", "D-7/2026"
	death.Fields = []CertField{
		{Label: domain.T("Name of deceased", "മരിച്ചയാളുടെ പേര്"), Value: domain.T("Muhammad Basheer", "മുഹമ്മദ് ബഷീർ")},
		{Label: domain.T("Sex", "ലിംഗം"), Value: domain.T("Male", "പുരുഷൻ")},
		{Label: domain.T("Date of death", "മരണ തീയതി"), Value: domain.T("02-03-2026", "")},
		{Label: domain.T("Place of death", "മരണ സ്ഥലം"), Value: domain.T("Residence, Pala", "വീട്, പാലാ")},
		{Label: domain.T("Name of father / husband", "പിതാവിന്റെ / ഭർത്താവിന്റെ പേര്"), Value: domain.T("Abdul Khader", "അബ്ദുൾ ഖാദർ")},
	}
	death.Officer = domain.T("Jyothilakshmi", "ജ്യോതിലക്ഷ്മി")

	marriage := sampleBirth()
	marriage.Kind, marriage.Number, marriage.RegistrationNumber = CertMarriage, "M0701-MC-2026-3", "M-3/2026"
	marriage.OfficerTitle = domain.T("Local Registrar of Marriages (Common)", "തദ്ദേശ വിവാഹ രജിസ്ട്രാർ (പൊതു)")
	marriage.Fields = []CertField{
		{Label: domain.T("Name of husband", "ഭർത്താവിന്റെ പേര്"), Value: domain.T("Krishnan", "കൃഷ്ണൻ")},
		{Label: domain.T("Name of wife", "ഭാര്യയുടെ പേര്"), Value: domain.T("Priya", "പ്രിയ")},
		{Label: domain.T("Date of marriage", "വിവാഹ തീയതി"), Value: domain.T("01-02-2026", "")},
		{Label: domain.T("Place of marriage", "വിവാഹ സ്ഥലം"), Value: domain.T("Town Hall, Pala", "ടൗൺ ഹാൾ, പാലാ")},
	}

	na := sampleBirth()
	na.Kind, na.Number, na.RegistrationNumber, na.RegistrationDate = CertNonAvailability, "M0701-NA-2026-4", "", time.Time{}
	na.Fields = []CertField{
		{Label: domain.T("Event searched for", "തിരഞ്ഞ സംഭവം"), Value: domain.T("Birth", "ജനനം")},
		{Label: domain.T("Name", "പേര്"), Value: domain.T("Priya", "പ്രിയ")},
		{Label: domain.T("Date of the event", "സംഭവ തീയതി"), Value: domain.T("05-06-1975", "")},
		{Label: domain.T("Years of the registers searched", "പരിശോധിച്ച രജിസ്റ്ററുകളുടെ വർഷങ്ങൾ"), Value: domain.T("1974 to 1976", "")},
	}
	return []Certificate{birth, death, marriage, na}
}
