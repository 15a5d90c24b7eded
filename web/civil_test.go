package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
)

// needTool returns the path of a command-line tool the test needs, or
// skips (fails under KSMART_REQUIRE_ALL=1) naming its Debian package.
func needTool(tb testing.TB, name, debianPackage string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
		tb.Fatalf("%s is needed: apt-get install %s", name, debianPackage)
	}
	tb.Skipf("%s is needed: apt-get install %s (CI installs it)", name, debianPackage)
	return ""
}

// readQR renders a PDF's first page and reads its QR code back, as a phone
// camera would from the printed paper.
func readQR(t *testing.T, pdf []byte) string {
	t.Helper()
	needTool(t, "pdftoppm", "poppler-utils")
	needTool(t, "zbarimg", "zbar-tools")
	dir := t.TempDir()
	in := filepath.Join(dir, "cert.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code on the certificate: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	needTool(t, "pdftotext", "poppler-utils")
	in := filepath.Join(t.TempDir(), "cert.pdf")
	os.WriteFile(in, pdf, 0o600)
	out, err := exec.Command("pdftotext", "-layout", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

type fileJSON struct {
	ID, Number, Status, Record string
	Fee                        domain.Paise
	FeeNote                    domain.Text `json:"fee_note"`
	Issued                     *struct{ Number, Blob string }
}

// walk acts on a file through the API as each role in turn.
// pay has the cashier who take what is owed on a file, in cash, through
// the API.
func (env *testEnv) pay(t *testing.T, who, fileID string) {
	t.Helper()
	c := env.signIn(t, who)
	var f struct {
		Demand struct {
			Demands []struct {
				ID      string `json:"id"`
				Balance int64  `json:"balance_paise"`
			} `json:"demands"`
		} `json:"demand"`
	}
	c.do(t, "GET", "/api/v1/applications/"+fileID, nil).json(t, &f)
	for _, d := range f.Demand.Demands {
		if d.Balance > 0 {
			if r := c.do(t, "POST", "/api/v1/demands/"+d.ID+"/payments", map[string]any{"counter": "C1", "amount_paise": d.Balance, "mode": "cash"}); r.status != http.StatusCreated {
				t.Fatalf("paying %s: %d %s", d.ID, r.status, r.body)
			}
		}
	}
}

func walk(t *testing.T, env *testEnv, id string, steps ...[2]string) fileJSON {
	t.Helper()
	var f fileJSON
	for _, s := range steps {
		if s[1] == "pay" { // what is owed, in cash at the counter
			env.pay(t, s[0], id)
			continue
		}
		r := env.signIn(t, s[0]).do(t, "POST", "/api/v1/applications/"+id+"/actions", map[string]string{"action": s[1]})
		if r.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", s[0], s[1], r.status, r.body)
		}
		r.json(t, &f)
	}
	return f
}

// TestCivil_HospitalReportsABirth25DaysLateAndAnyoneVerifiesTheCertificate
// is the civil registration journey end to end: the late fee, the
// register, the certificate's QR code read back from the rendered page,
// the public verification it opens, and a correction superseding it.
func TestCivil_HospitalReportsABirth25DaysLateAndAnyoneVerifiesTheCertificate(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	env.addCitizen(t, "hospital", "9847000099", "General Hospital Ernakulam")
	hospital := env.signIn(t, "hospital")
	dob := time.Now().In(domain.IST).AddDate(0, 0, -25).Format(time.DateOnly)
	r := hospital.do(t, "POST", "/api/v1/applications", &multipartBody{fields: map[string]string{
		"service": "birth_registration", "child_name_en": "Sreekutty", "child_name_ml": "ശ്രീക്കുട്ടി", "sex": "female", "still_birth": "no",
		"date_of_birth": dob, "place_type": "hospital", "place_of_birth": "General Hospital, Ernakulam", "reported_by": "institution",
		"mother_name_en": "Priya", "mother_name_ml": "പ്രിയ", "father_name_en": "Krishnan", "father_name_ml": "കൃഷ്ണൻ",
		"permanent_address": "Thekkedath House, Fort Road", "ward": "3", "informant_name_en": "General Hospital", "informant_phone": "9847000099",
	}, files: map[string][]byte{"parent_id": tinyPDF, "birth_report": tinyPDF}})
	var f fileJSON
	r.json(t, &f)
	if r.status != http.StatusCreated {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	if f.Fee != 200 || !strings.Contains(f.FeeNote.En, "late fee") {
		t.Fatalf("25 days late: fee %s (%q), want the Rs 2 late fee", f.Fee, f.FeeNote.En)
	}
	f = walk(t, env, f.ID, [2]string{"section_clerk", "forwarded"}, [2]string{"registrar", "approved"}, [2]string{"cashier", "pay"}, [2]string{"registrar", "issued"})
	year := time.Now().In(domain.IST).Year()
	if f.Record != fmt.Sprintf("B-1/%d", year) || f.Issued == nil {
		t.Fatalf("after issue: record %q issued %+v", f.Record, f.Issued)
	}

	// The hospital downloads the certificate; its QR code opens the
	// verification page, for anyone.
	r = hospital.do(t, "GET", "/applications/"+f.ID+"/certificate.pdf", nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("certificate download: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if other := env.signIn(t, citizenB).do(t, "GET", "/applications/"+f.ID+"/certificate.pdf", nil); other.status != http.StatusNotFound {
		t.Fatalf("another citizen downloading the certificate: %d", other.status)
	}
	cert := r.body
	text := pdfText(t, cert)
	for _, want := range []string{"ശ്രീക്കുട്ടി", "Sreekutty", "പ്രിയ", "കൃഷ്ണൻ", f.Record, f.Issued.Number} {
		if !strings.Contains(text, want) {
			t.Errorf("the certificate's text lacks %q", want)
		}
	}
	qr := readQR(t, cert)
	if !strings.HasPrefix(qr, env.ts.URL+"/verify/"+f.Issued.Number+"?d=") {
		t.Fatalf("QR code reads %q, want this server's verification URL for %s", qr, f.Issued.Number)
	}
	u, _ := url.Parse(qr)
	anyone := env.newClient(t)
	page := anyone.do(t, "GET", u.RequestURI(), nil)
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "Genuine and current") || !strings.Contains(string(page.body), "Sreekutty") || !strings.Contains(string(page.body), f.Record) {
		t.Fatalf("verification page: %d %.2000s", page.status, page.body)
	}
	if page.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the verification page may be cached: %q", page.header.Get("Cache-Control"))
	}
	q := u.Query()
	q.Set("s", "A"+q.Get("s")[1:])
	if q.Get("s") == u.Query().Get("s") {
		q.Set("s", "B"+q.Get("s")[1:])
	}
	forged := anyone.do(t, "GET", u.Path+"?"+q.Encode(), nil)
	if !strings.Contains(string(forged.body), "altered or forged") || strings.Contains(string(forged.body), "Genuine and current") {
		t.Fatalf("a forged signature: %.1500s", forged.body)
	}
	var api verification
	anyone.do(t, "GET", "/api/v1/certificates/"+f.Issued.Number+"/verification?"+u.RawQuery, nil).json(t, &api)
	if !api.Genuine || !api.Checked || api.Status != "current" {
		t.Fatalf("API verification: %+v", api)
	}

	// A correction supersedes the certificate; its verification says so and
	// points to the new one.
	r = hospital.do(t, "POST", "/api/v1/applications", &multipartBody{fields: map[string]string{
		"service": "birth_correction", "registration_number": f.Record, "date_of_birth": dob, "entry": "mother_name",
		"present_entry": "Priya", "correct_entry": "Priya Menon", "reason": "The mother's name was written short.",
		"applicant_name_en": "Krishnan", "relationship": "father", "phone": "9847000099",
	}, files: map[string][]byte{"evidence": tinyPDF, "applicant_id": tinyPDF}})
	var c fileJSON
	r.json(t, &c)
	if r.status != http.StatusCreated {
		t.Fatalf("correction: %d %s", r.status, r.body)
	}
	c = walk(t, env, c.ID, [2]string{"section_clerk", "forwarded"}, [2]string{"head_clerk", "forwarded"}, [2]string{"registrar", "approved"}, [2]string{"front_office", "issued"})
	page = anyone.do(t, "GET", u.RequestURI(), nil)
	if !strings.Contains(string(page.body), "Superseded") || !strings.Contains(string(page.body), "/verify/"+c.Issued.Number) || strings.Contains(string(page.body), "Genuine and current") {
		t.Fatalf("the old certificate's verification after the correction: %.2000s", page.body)
	}
	newCert := hospital.do(t, "GET", "/applications/"+c.ID+"/certificate.pdf", nil)
	if text := pdfText(t, newCert.body); !strings.Contains(text, "Priya Menon") || !strings.Contains(text, f.Issued.Number) {
		t.Fatalf("the new certificate does not carry the correction and the number it replaces:\n%s", text)
	}

	// The registrar sees it all in the register.
	reg := env.signIn(t, "registrar").do(t, "GET", "/office/registers/entry?number="+url.QueryEscape(f.Record), nil)
	for _, want := range []string{"Priya Menon", f.Issued.Number, c.Issued.Number, "Superseded"} {
		if !strings.Contains(string(reg.body), want) {
			t.Errorf("the register entry page lacks %q", want)
		}
	}

	// In a browser, the QR's address opens a page a person can read.
	b := newBrowser(t, chromium(t), env.ts.URL)
	b.run("open the verification page", chromedp.Navigate(qr))
	if heading := b.textOf("[role=alert]"); !strings.Contains(heading, "Superseded") {
		t.Fatalf("browser shows %q", heading)
	}
	b.screenshot("certificate-superseded")
}

// TestPages_AFreshFormMarksNoFieldWrong: a form shown before anything was
// sent has no field marked wrong, for the eye (the red "bad" frame) or for
// a screen reader (aria-invalid).
func TestPages_AFreshFormMarksNoFieldWrong(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	a := env.signIn(t, citizenA)
	r := a.do(t, "POST", "/api/v1/applications", birthWith())
	var f fileJSON
	r.json(t, &f)
	pages := []struct{ who, path string }{
		{"", "/signup"}, {citizenA, "/account/password"}, {citizenA, "/account/messages"}, {citizenA, "/applications/" + f.ID},
		{citizenA, "/services/birth_registration/apply"}, {"section_clerk", "/office/files/" + f.ID}, {"admin", "/admin/users"},
	}
	for _, p := range pages {
		r := env.signIn(t, p.who).do(t, "GET", p.path, nil)
		body := string(r.body)
		if r.status != http.StatusOK || strings.Contains(body, "aria-invalid") || strings.Contains(body, ` bad"`) || strings.Contains(body, `class="err"`) {
			t.Errorf("GET %s as %q: %d; a fresh form marks a field wrong", p.path, p.who, r.status)
		}
	}
}

// TestSignUp_CodeIsShownInTheBrowserOnlyWhileNoChannelCanCarryIt: with SMS
// configured, the code must reach the phone, not the page, or signing up
// would prove nothing about who holds the number.
func TestSignUp_CodeIsShownInTheBrowserOnlyWhileNoChannelCanCarryIt(t *testing.T) {
	env := newTestEnv(t)
	signUp := func(phone string) string {
		c := env.newClient(t)
		if r := c.do(t, "POST", "/api/v1/signup", map[string]string{"contact": phone, "name": "Ravi", "password": testPassword}); r.status != http.StatusCreated && r.status != http.StatusOK {
			t.Fatalf("sign up: %d %s", r.status, r.body)
		}
		return string(c.do(t, "GET", "/verify", nil).body)
	}
	if page := signUp("9847011111"); !strings.Contains(page, `id="inapp-code"`) {
		t.Fatal("with no SMS configured, the code is not shown in the browser that signed up")
	}
	env.app.Outbox.Config.SMS = &messaging.SMSConfig{URL: "http://127.0.0.1:1/send?to={to}&text={text}", Method: "GET"}
	if page := signUp("9847022222"); strings.Contains(page, `id="inapp-code"`) || codeInMessage.MatchString(page) {
		t.Fatal("with SMS configured, the code is still shown in the browser")
	}
}

// TestVerify_ANumberAloneShowsTheStatusNotThePerson: certificate numbers
// run in order, so counting through them must not harvest names and
// addresses; the particulars show only to a QR code that checks.
func TestVerify_ANumberAloneShowsTheStatusNotThePerson(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	a := env.signIn(t, citizenA)
	r := a.do(t, "POST", "/api/v1/applications", birthWith("registration_number", "B-77/2019"))
	var f fileJSON
	r.json(t, &f)
	if r.status != http.StatusCreated {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	f = walk(t, env, f.ID, [2]string{"section_clerk", "forwarded"}, [2]string{"registrar", "approved"}, [2]string{"cashier", "pay"}, [2]string{"front_office", "issued"})
	anyone := env.newClient(t)
	page := string(anyone.do(t, "GET", "/verify/"+f.Issued.Number, nil).body)
	if !strings.Contains(page, "Only the number was checked") || strings.Contains(page, "Anagha") || strings.Contains(page, "Lakshmi") || strings.Contains(page, "Kizhakkethil") {
		t.Fatalf("a number typed in shows a person's particulars:\n%.1500s", page)
	}
	var api verification
	anyone.do(t, "GET", "/api/v1/certificates/"+f.Issued.Number+"/verification", nil).json(t, &api)
	if !api.Genuine || api.Printed != nil || api.PDFSHA256 != "" {
		t.Fatalf("API for a number alone: %+v", api)
	}
	cert := a.do(t, "GET", "/applications/"+f.ID+"/certificate.pdf", nil)
	qr, _ := url.Parse(readQR(t, cert.body))
	if page := string(anyone.do(t, "GET", qr.RequestURI(), nil).body); !strings.Contains(page, "Anagha") || !strings.Contains(page, "Genuine and current") {
		t.Fatalf("the QR code's page does not show what the certificate printed:\n%.1500s", page)
	}
	q := qr.Query()
	q.Set("d", "AAAAAAAAAAAAAAAAAAAAAA")
	if page := string(anyone.do(t, "GET", qr.Path+"?"+q.Encode(), nil).body); strings.Contains(page, "Anagha") || !strings.Contains(page, "altered or forged") {
		t.Fatalf("a forged code shows the particulars:\n%.1500s", page)
	}
}
