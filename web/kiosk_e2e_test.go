package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
)

// evidence saves a screenshot of what the browser shows: into
// KSMART_EVIDENCE_DIR when it is set (a relative path is taken from the
// module's root, so KSMART_EVIDENCE_DIR=docs/evidence/issue-5 keeps them
// there), else into the test's temporary directory.
func (b *browser) evidence(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("KSMART_EVIDENCE_DIR")
	switch {
	case dir == "":
		dir = b.t.TempDir()
	case !filepath.IsAbs(dir):
		dir = filepath.Join("..", dir) // tests run in web/
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// media emulates a CSS media type ("print", or "" for the screen).
func media(m string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	})
}

// eval returns what a JavaScript expression gives on the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// pressEnter presses Enter in the focused field and waits for the page the
// server answers with, as submit does for a click.
func (b *browser) pressEnter() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Evaluate[bool](`document.body.dataset.stale = "1"; true`)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.KeyEvent(kb.Enter)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		_, err := chromedp.WaitVisible(chromedp.CSS(`body:not([data-stale]) main`))(ctx, t)
		return chromedp.Void{}, err
	}
}

// TestBrowser_KioskSearchOpenPrintViewAndIdleReset is a person at the
// kiosk: types a name and a date with the keyboard, finds one masked
// record, opens it, prints the page (only the particulars show), and
// walks away; a moment later the kiosk is blank again. Screenshots of each
// step, and of the office's search, are the evidence looked at.
func TestBrowser_KioskSearchOpenPrintViewAndIdleReset(t *testing.T) {
	exe := chromium(t)
	env := newTestEnv(t).withRoles(t, domain.RoleRegistrar)
	seedBirths(t, env, kioskBirths)
	b := newBrowserSized(t, exe, env.ts.URL, 1080, 1350) // a kiosk's upright touch screen

	b.run("open the kiosk", chromedp.Navigate(env.ts.URL+"/kiosk"), chromedp.WaitVisible(chromedp.CSS("#k-name")))
	if text := b.text(); !strings.Contains(text, "Find a certificate") || !strings.Contains(text, "സർട്ടിഫിക്കറ്റ് കണ്ടെത്തുക") {
		t.Fatalf("the kiosk's page is not in both languages:\n%s", text)
	}
	if foot := b.textOf(".k-foot"); !strings.Contains(foot, "clears itself after a minute") {
		t.Errorf("no note that the kiosk clears itself: %q", foot)
	}
	if h := eval[float64](b, `document.querySelector("button[type=submit]").getBoundingClientRect().height`); h < 56 {
		t.Errorf("the search button is %.0f px tall, want at least 56", h)
	}
	if px := eval[string](b, `getComputedStyle(document.body).fontSize`); px != "24px" {
		t.Errorf("the kiosk's type is %s, want 24px", px)
	}

	// Name and date with the keyboard; Enter searches.
	b.run("type a name and a date",
		chromedp.Click(chromedp.CSS("#k-name")),
		chromedp.KeyEvent("Sreelakshmi"),
		chromedp.KeyEvent(kb.Tab), // to the date's field (its hint is not focusable)
		chromedp.KeyEvent("31-01-2021"))
	if id := eval[string](b, `document.activeElement.id`); id != "k-date" {
		t.Fatalf("Tab from the name went to %q, not the date", id)
	}
	b.evidence("kiosk-search.png")
	b.run("search", b.pressEnter(), chromedp.WaitVisible(chromedp.CSS(".k-card")))
	card := b.textOf(".k-card")
	for _, want := range []string{"Sreelakshmi P•••", "ശ്രീലക്ഷ്മി പു•••", "B-•/2021", "Open", "തുറക്കുക"} {
		if !strings.Contains(card, want) {
			t.Errorf("the result card lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(b.text(), "Puthenveettil") || strings.Contains(b.text(), "Gopika") {
		t.Errorf("the results show a word not typed:\n%s", b.text())
	}
	if id := eval[string](b, `document.activeElement.id`); id != "k-results-h" {
		t.Errorf("after the search, focus is on %q, not the results", id)
	}
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); strings.Contains(loc, "Sreelakshmi") || strings.Contains(loc, "?") {
		t.Errorf("the search's words are in the address bar: %s", loc)
	}
	b.evidence("kiosk-results.png")

	// Tab to the card's Open button and press Enter.
	b.run("tab to Open", chromedp.KeyEvent(kb.Tab))
	if txt := eval[string](b, `document.activeElement.textContent`); !strings.Contains(txt, "Open") {
		t.Fatalf("Tab from the results went to %q, not the Open button", txt)
	}
	b.run("open the record", b.pressEnter(), chromedp.WaitVisible(chromedp.CSS(".k-particulars")))
	particulars := b.textOf(".k-particulars")
	for _, want := range []string{"B-15/2021", "Sreelakshmi Puthenveettil", "ശ്രീലക്ഷ്മി പുത്തൻവീട്ടിൽ", "Remadevi Puthenveettil", "Mohanan Nair",
		"31-01-2021", "Puthenveettil House, Market Road", "Name of mother", "അമ്മയുടെ പേര്"} {
		if !strings.Contains(particulars, want) {
			t.Errorf("the opened record lacks %q:\n%s", want, particulars)
		}
	}
	b.evidence("kiosk-open.png")

	// Printed, the page shows the particulars and nothing else.
	b.run("print view", media("print"))
	shown := func(sel string) bool {
		return eval[bool](b, `(() => { const e = document.querySelector(`+"`"+sel+"`"+`); return !!e && getComputedStyle(e).display !== "none"; })()`)
	}
	for _, sel := range []string{".k-particulars", "#k-entry-h", ".k-print-only"} {
		if !shown(sel) {
			t.Errorf("printed, %s does not show", sel)
		}
	}
	for _, sel := range []string{".k-actions", ".k-foot", `form[action="/kiosk/copy"] button`} {
		if shown(sel) {
			t.Errorf("printed, %s shows", sel)
		}
	}
	b.evidence("kiosk-print.png")
	b.run("screen again", media(""))

	// A copy has a fee: asking for it shows the demand's number and a UPI
	// code; once the cashier has taken the fee, the copy prints in a frame
	// of the page, to print from, while the page's idle timer keeps running.
	b.run("pay for a copy", chromedp.Click(chromedp.CSS(`form[action="/kiosk/copy"] button`)), chromedp.WaitVisible(chromedp.CSS("#k-demand")))
	number := b.textOf("#k-demand")
	if !strings.HasPrefix(number, "DM/") || !strings.Contains(b.text(), "₹10.00") || eval[int](b, `document.querySelectorAll(".k-upi svg").length`) != 1 {
		t.Fatalf("the copy's page: demand %q\n%s", number, b.text())
	}
	if id := eval[string](b, `document.activeElement.id`); id != "k-copy-h" {
		t.Errorf("on the copy's page, focus is on %q, not its heading", id)
	}
	b.evidence("kiosk-copy.png")
	cashier := domain.Actor{ID: "cashier-e2e", Name: "Counter Cashier", Roles: []domain.Role{domain.RoleCashier}}
	if _, err := env.app.Finance.Collect(cashier, number, finance.Payment{Counter: "C1", Amount: 1000, Mode: finance.ModeCash}); err != nil {
		t.Fatalf("the cashier taking the copy's fee: %v", err)
	}
	b.run("print the paid copy", chromedp.Click(chromedp.CSS("#k-paid button")), chromedp.WaitVisible(chromedp.CSS("#k-printed")))
	ctype := ""
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	ctype, _ = chromedp.Run(ctx, chromedp.Poll[string](`(() => { const d = document.getElementById("k-printed").contentDocument; return d && d.contentType === "application/pdf" ? d.contentType : null; })()`))
	cancel()
	if ctype != "application/pdf" {
		t.Fatalf("the copy's frame shows %q, not the PDF", ctype)
	}
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.HasSuffix(loc, "/kiosk/copy/print") {
		t.Errorf("printing left the kiosk's page for %s", loc)
	}
	b.evidence("kiosk-printed.png")

	// Left alone, the kiosk clears itself (here after 1.5 s, not a minute).
	env.srv.KioskIdle = 1500 * time.Millisecond
	b.run("search again",
		chromedp.Navigate(env.ts.URL+"/kiosk"),
		chromedp.SendKeys(chromedp.CSS("#k-name"), "Sreelakshmi"),
		chromedp.SendKeys(chromedp.CSS("#k-date"), "31-01-2021"),
		b.submit(`form[action="/kiosk/search"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(".k-card")))
	ctx, cancel = context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent(chromedp.CSS(".k-card")), chromedp.WaitVisible(chromedp.CSS("#k-name"))); err != nil {
		t.Fatalf("the idle kiosk did not clear itself: %v", err)
	}
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	name := eval[string](b, `document.querySelector("#k-name").value`)
	if !strings.HasSuffix(loc, "/kiosk") || name != "" || strings.Contains(b.text(), "Sreelakshmi") {
		t.Fatalf("after the idle reset: at %s, name field %q", loc, name)
	}
	if back := eval[int](b, `history.length`); back > 4 {
		t.Logf("history length %d", back)
	}

	// The office's search, in a registrar's browser: a name spelt another
	// way from the menu's box finds register entries and an application.
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	if r := env.signIn(t, citizenA).do(t, "POST", "/api/v1/applications", birthWith("person_name_en", "Srilakshmi P.", "person_name_ml", "ശ്രീലക്ഷ്മി പി.")); r.status != 201 {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	seedBirths(t, env, kioskBirthsHeader+"B-3/2024,2024-07-02,Sreelekha Kalathil,ശ്രീലേഖ കളത്തിൽ,female,2024-06-30,Taluk Hospital,Sreelakshmi Kalathil,ശ്രീലക്ഷ്മി കളത്തിൽ,,,\n")
	office := newBrowserSized(t, exe, env.ts.URL, 1280, 900)
	office.signIn("registrar", testPassword)
	office.run("search from the menu",
		chromedp.SendKeys(chromedp.CSS("#menu-q"), "Srilakshmi"),
		office.submit(`form.menu-search button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(".hits")))
	if text := office.text(); !strings.Contains(text, "Sreelakshmi Puthenveettil") || !strings.Contains(text, "B-15/2021") || !strings.Contains(text, "KS/DEMO01/") {
		t.Fatalf("the office's search for Srilakshmi:\n%s", text)
	}
	office.evidence("office-search.png")
	office.run("filter to births", office.submit(`button[value="kind:birth"]`), chromedp.WaitVisible(chromedp.CSS(`button[value="kind:birth"][aria-pressed=true]`)))
	if text := office.text(); strings.Contains(text, "KS/DEMO01/") || !strings.Contains(text, "B-15/2021") {
		t.Fatalf("filtered to births, the results:\n%s", text)
	}
	office.evidence("office-search-filtered.png")
}
