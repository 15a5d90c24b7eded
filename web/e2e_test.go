package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the browser to drive, or skips (fails under
// KSMART_REQUIRE_ALL=1) with what to install.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
		t.Fatal("browser tests need Chromium: apt-get install chromium")
	}
	t.Skip("browser tests need Chromium: apt-get install chromium (CI installs it)")
	return ""
}

// Malayalam text is put in with SetValue, as an input method commits it:
// chromedp's SendKeys emulates key presses, and for some Malayalam letters
// (മ among them) it sends no character at all.

// browser is one person's headless Chromium with its own cookies.
type browser struct {
	t   *testing.T
	ctx context.Context
	url string
}

func newBrowser(t *testing.T, exe, baseURL string) *browser {
	t.Helper()
	return newBrowserSized(t, exe, baseURL, 412, 915) // a mid-range phone
}

// newBrowserSized is a browser with a window of width × height pixels.
func newBrowserSized(t *testing.T, exe, baseURL string, width, height int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, url: baseURL}
}

func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("main")))
		b.t.Fatalf("%s: %v\npage says: %s", what, err, body)
	}
}

// submit clicks a form's submit button and waits for the page the server
// answers with: the old page is marked, and the wait ends when a page
// without the mark (a new document) is shown.
func (b *browser) submit(button string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Evaluate[bool](`document.body.dataset.stale = "1"; true`)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.Click(chromedp.CSS(button))(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.WaitVisible(chromedp.CSS(`body:not([data-stale]) main`))(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, nil
	}
}

// textOf returns what the element sel says.
func (b *browser) textOf(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// text returns what the page's main area says.
func (b *browser) text() string { return b.textOf("main") }

func (b *browser) screenshot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("KSMART_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "ksmart-e2e")
	}
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

func (b *browser) signIn(login, password string) {
	b.t.Helper()
	b.run("sign in as "+login,
		chromedp.Navigate(b.url+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#f-login"), login),
		chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		b.submit(`form[action="/signin"] button[type=submit]`))
}

// act takes an office action on a file from its page.
func (b *browser) act(fileID, action, note string) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(b.url + "/office/files/" + fileID),
		chromedp.Click(chromedp.CSS(`input[name=action][value=` + action + `]`)),
	}
	if note != "" {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS("#f-note"), note))
	}
	steps = append(steps, b.submit(`section.actions button[type=submit]`))
	b.run(action+" file "+fileID, steps...)
}

func TestBrowser_CitizenAppliesInMalayalamOfficeReturnsCitizenAnswersRegistrarApproves(t *testing.T) {
	exe := chromium(t)
	env := newTestEnv(t).withStaff(t)
	citizen := newBrowser(t, exe, env.ts.URL)

	// Sign up in Malayalam with a mobile number; the code arrives in-app.
	citizen.run("sign up",
		chromedp.Navigate(env.ts.URL+"/signup?lang=ml"),
		chromedp.SendKeys(chromedp.CSS("#f-contact"), "9847055555"),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Anagha Menon"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "njan-anagha-2026"),
		citizen.submit(`form[action="/signup"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS("#f-code")))
	inApp := citizen.textOf("#inapp-code")
	code := regexp.MustCompile(`\d{6}`).FindString(inApp)
	if code == "" {
		t.Fatalf("no 6-digit code in the in-app message %q", inApp)
	}
	citizen.run("verify",
		chromedp.SendKeys(chromedp.CSS("#f-code"), code),
		citizen.submit(`form[action="/verify"] button[type=submit]:not([name])`),
		chromedp.WaitVisible(chromedp.CSS(`form[role=search]`)))
	if page := citizen.text(); !strings.Contains(page, "സേവനങ്ങൾ") {
		t.Fatalf("after verifying, the services page is not in Malayalam: %q", page[:min(200, len(page))])
	}

	// A first try with a date of birth in the future and no sex chosen is
	// refused field by field, keeping what was typed.
	citizen.run("apply with mistakes",
		chromedp.Navigate(env.ts.URL+"/services/birth_certificate/apply"),
		chromedp.SetValue(chromedp.CSS("#f-person_name_ml"), "അനഘ മേനോൻ"),
		chromedp.SetValue(chromedp.CSS("#f-date_of_birth"), "2099-01-01"),
		citizen.submit(`form[action$="/apply"] button[type=submit]`))
	errs := citizen.textOf("main")
	for _, want := range []string{"തിരുത്തേണ്ടതുണ്ട്"} {
		if !strings.Contains(errs, want) {
			t.Fatalf("the refused form does not say %q:\n%s", want, errs)
		}
	}
	if kept, _ := chromedp.Run(citizen.ctx, chromedp.Evaluate[string](`document.querySelector("#f-person_name_ml").value`)); kept != "അനഘ മേനോൻ" {
		t.Fatalf("the Malayalam name typed was not kept: %q", kept)
	}
	if n, _ := chromedp.Run(citizen.ctx, chromedp.Evaluate[int](`document.querySelectorAll("[aria-invalid=true]").length`)); n < 3 {
		t.Fatalf("only %d fields are marked invalid for screen readers", n)
	}
	citizen.screenshot("apply-errors.png")

	// Apply for a birth certificate, names typed in Malayalam and English.
	citizen.run("apply for a birth certificate",
		chromedp.Navigate(env.ts.URL+"/services/birth_certificate/apply"),
		chromedp.SendKeys(chromedp.CSS("#f-person_name_en"), "Anagha Menon"),
		chromedp.SetValue(chromedp.CSS("#f-person_name_ml"), "അനഘ മേനോൻ"),
		chromedp.SetValue(chromedp.CSS("#f-sex"), "female"),
		chromedp.SetValue(chromedp.CSS("#f-date_of_birth"), "2001-06-15"),
		chromedp.SendKeys(chromedp.CSS("#f-mother_name_en"), "Lakshmi Menon"),
		chromedp.SetValue(chromedp.CSS("#f-mother_name_ml"), "ലക്ഷ്മി മേനോൻ"),
		// The form comes back as the draft left it (the account's name and
		// mobile in it): set, not typed after them.
		chromedp.SetValue(chromedp.CSS("#f-applicant_name_en"), "Anagha Menon"),
		chromedp.SetValue(chromedp.CSS("#f-applicant_name_ml"), "അനഘ മേനോൻ"),
		chromedp.SetValue(chromedp.CSS("#f-relationship"), "സ്വയം"),
		chromedp.SetValue(chromedp.CSS("#f-phone"), "9847055555"),
		citizen.submit(`form[action$="/apply"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`div.ok`)))
	fileURL, err := chromedp.Run(citizen.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	fileID := regexp.MustCompile(`/applications/(\d+)`).FindStringSubmatch(fileURL)
	if fileID == nil {
		t.Fatalf("after applying, the browser is at %s", fileURL)
	}
	id := fileID[1]
	if page := citizen.text(); !strings.Contains(page, "KS/DEMO01/") || !strings.Contains(page, "നടപടിയിൽ") {
		t.Fatalf("the application page lacks the number or the status 'in progress':\n%s", page)
	}

	// The section clerk returns it for a missing document.
	office := newBrowser(t, exe, env.ts.URL)
	office.signIn("section_clerk", testPassword)
	if page := office.text(); !strings.Contains(page, "KS/DEMO01/") {
		t.Fatalf("the clerk's inbox does not list the application:\n%s", page)
	}
	office.screenshot("office-inbox.png")
	office.act(id, "returned", "Please attach your SSLC certificate as proof of date of birth.")

	// The citizen sees the return and answers it with the document.
	citizen.run("open the returned application", chromedp.Navigate(env.ts.URL+"/applications/"+id), chromedp.WaitVisible(chromedp.CSS("h1")))
	if page := citizen.text(); !strings.Contains(page, "SSLC certificate") || !strings.Contains(page, "അപേക്ഷകന് തിരിച്ചയച്ചു") {
		t.Fatalf("the citizen does not see the return and its reason:\n%s", page)
	}
	sslc := filepath.Join(t.TempDir(), "sslc.pdf")
	os.WriteFile(sslc, []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600)
	citizen.run("answer the return",
		chromedp.SendKeys(chromedp.CSS("#f-note"), "SSLC certificate attached."),
		chromedp.SetUploadFiles(chromedp.CSS("#f-document"), []string{sslc}),
		citizen.submit(`form[action$="/answer"] button[type=submit]`))
	if page := citizen.text(); !strings.Contains(page, "അപേക്ഷകൻ മറുപടി നൽകി") || !strings.Contains(page, "sslc.pdf") {
		t.Fatalf("after answering, the history lacks the answer or the document:\n%s", page)
	}

	// The clerk forwards it; the registrar approves.
	office.act(id, "forwarded", "")
	registrar := newBrowser(t, exe, env.ts.URL)
	registrar.signIn("registrar", testPassword)
	registrar.act(id, "approved", "")

	citizen.run("see the decision", chromedp.Navigate(env.ts.URL+"/applications/"+id), chromedp.WaitVisible(chromedp.CSS("h1")))
	page := citizen.text()
	for _, want := range []string{"അംഗീകരിച്ചു", "കൈമാറി", "അപേക്ഷകന് തിരിച്ചയച്ചു", "അപേക്ഷകൻ മറുപടി നൽകി", "സമർപ്പിച്ചു"} {
		if !strings.Contains(page, want) {
			t.Errorf("the citizen's page does not show %q:\n%s", want, page)
		}
	}
	citizen.screenshot("citizen-status.png")
	registrar.run("open the registrar's inbox", chromedp.Navigate(env.ts.URL+"/office"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if page := registrar.text(); strings.Contains(page, id) {
		t.Errorf("the approved file is still waiting in the registrar's inbox")
	}
}
