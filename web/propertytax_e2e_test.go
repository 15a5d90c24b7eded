package web

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
)

// unlabelled counts the page's form controls a screen reader would
// announce without a name: no label, no aria-label.
const unlabelled = `[...document.querySelectorAll("main input:not([type=hidden]), main select, main textarea")].filter(e => e.labels.length == 0 && !e.getAttribute("aria-label")).length`

// TestBrowser_AnOwnerFindsClaimsAndPaysTheirHouseAndTheInspectorSeesTheWard:
// on a phone, the owner of 5/10A (arrears since 2024-25, with interest)
// finds it by its number from the keyboard, claims it with the mobile the
// register has, and pays its oldest half-year through the payment
// gateway's page; it then shows paid. At the office, the revenue inspector
// reads the demand, collection and balance register and ward 5's
// defaulters, and opens the house's assessment.
func TestBrowser_AnOwnerFindsClaimsAndPaysTheirHouseAndTheInspectorSeesTheWard(t *testing.T) {
	exe := chromium(t)
	env := taxEnv(t, domain.RoleRevenueInspector)
	registerHouse(t, env, citizenA, "5/10A", "2024-25/H1")
	registerHouse(t, env, citizenB, "5/3", "")
	paidUp, err := env.app.PropertyTax.Register(fixtureInspector, house("5/7", "Mary Joseph", "9847012399", ""))
	if err != nil {
		t.Fatal(err)
	}
	dues, _ := env.app.PropertyTax.Dues(paidUp.ID)
	cashier := domain.Actor{ID: "u-cash-fixture", Name: "Fixture Cashier", Roles: []domain.Role{domain.RoleCashier}}
	if _, err := env.app.Finance.Collect(cashier, dues[0].Demand, finance.Payment{Counter: "C1", Amount: dues[0].Balance, Mode: finance.ModeCash}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.app.PropertyTax.AccrueInterest(domain.System); err != nil {
		t.Fatal(err)
	}

	owner := newBrowser(t, exe, env.ts.URL)
	owner.signIn("9847000001", testPassword)
	owner.run("open Property tax from the menu",
		chromedp.Click(chromedp.CSS(`nav.menu details.more summary`)), chromedp.Click(chromedp.CSS(`nav.menu a[href="/property-tax"]`)), chromedp.WaitVisible(chromedp.CSS("#number")))
	if page := owner.text(); !strings.Contains(page, "No building is on your account yet") {
		t.Errorf("before the claim the page says: %s", page)
	}
	owner.run("find 5/10A from the keyboard",
		chromedp.Focus(chromedp.CSS("#number")), chromedp.SendKeys(chromedp.CSS("#number"), "5/10A"), owner.pressEnter(),
		chromedp.WaitVisible(chromedp.CSS("#found-h")))
	found := owner.textOf("section.building")
	for _, want := range []string{"Building 5/10A", "Residential", "100 m²", "₹1,389.00", "2024-25/H1", "₹195.00", "₹856.50", "15 months overdue", "₹3,066.00"} {
		if !strings.Contains(found, want) {
			t.Errorf("the building found does not say %q:\n%s", want, found)
		}
	}
	if n := eval[int](owner, unlabelled); n != 0 {
		t.Errorf("%d form controls have no label", n)
	}
	owner.evidence("ptax-citizen-found.png")

	owner.run("claim it", owner.submit(`form.claim button[type=submit]`), chromedp.WaitVisible(chromedp.CSS(".ok")))
	if ok := owner.textOf(".ok"); !strings.Contains(ok, "added to your account") {
		t.Fatalf("after the claim: %s", ok)
	}
	if owed := owner.textOf("#owed"); owed != "₹3,066.00" {
		t.Errorf("the building owes %q, want ₹3,066.00", owed)
	}
	owner.evidence("ptax-citizen-building.png")
	notice := env.signIn(t, citizenA).do(t, "GET", "/buildings/005-000010A/notice.pdf", nil)
	if notice.status != http.StatusOK || !strings.HasPrefix(string(notice.body), "%PDF-") {
		t.Fatalf("the demand notice: %d", notice.status)
	}
	keepFile(t, "ptax-demand-notice.pdf", notice.body)

	owner.run("pay the oldest half-year online",
		owner.submit(`section.due form button[type=submit]`),
		chromedp.Click(chromedp.CSS("#continue")),
		chromedp.WaitVisible(chromedp.CSS(`button[value=pay]`)))
	if page := owner.textOf("body"); !strings.Contains(page, "Test payment gateway") || !strings.Contains(page, "856.50") {
		t.Fatalf("the gateway's page: %s", page)
	}
	owner.run("pay at the gateway", owner.submit(`button[value=pay]`), chromedp.WaitVisible(chromedp.CSS(`.ok`)))
	if ok := owner.textOf(".ok"); !strings.Contains(ok, "payment is received") || !strings.Contains(ok, "DEMO01-ON-") {
		t.Fatalf("back from the gateway: %s", ok)
	}
	row := owner.textOf("table.dues tbody tr:first-child")
	if !strings.Contains(row, "2024-25/H1") || !strings.Contains(row, "Paid") || !strings.Contains(row, "₹0.00") {
		t.Errorf("2024-25/H1 after paying: %s", row)
	}
	if owed := owner.textOf("#owed"); owed != "₹2,209.50" {
		t.Errorf("after paying ₹856.50 the building owes %q, want ₹2,209.50", owed)
	}
	receipts := owner.textOf("table.receipts")
	if !strings.Contains(receipts, "2024-25/H1") || !strings.Contains(receipts, "₹856.50") || !strings.Contains(receipts, "Online") {
		t.Errorf("the receipts: %s", receipts)
	}
	owner.evidence("ptax-citizen-paid.png")
	href := eval[string](owner, `document.querySelector("table.receipts a").getAttribute("href")`)
	if r := env.signIn(t, citizenA).do(t, "GET", href, nil); r.status != http.StatusOK || !strings.HasPrefix(string(r.body), "%PDF-") {
		t.Errorf("the owner downloads the receipt from %s: %d", href, r.status)
	}
	owner.run("the same in Malayalam", chromedp.Navigate(owner.url+"/property-tax?lang=ml"), chromedp.WaitVisible(chromedp.CSS("#number")))
	if page := owner.text(); !strings.Contains(page, "എന്റെ കെട്ടിടങ്ങൾ") || !strings.Contains(page, "5/10A") || !strings.Contains(page, "₹2,209.50") {
		t.Errorf("the Malayalam page: %s", page)
	}
	owner.evidence("ptax-citizen-mine-ml.png")

	// Someone whose mobile the register does not have is told what to do.
	other := newBrowser(t, exe, env.ts.URL)
	other.signIn("9847000002", testPassword)
	other.run("claim someone else's house",
		chromedp.Navigate(other.url+"/property-tax?number=5/10A"), chromedp.WaitVisible(chromedp.CSS("#found-h")),
		other.submit(`form.claim button[type=submit]`), chromedp.WaitVisible(chromedp.CSS(".alert")))
	if alert := other.textOf(".alert"); !strings.Contains(alert, "Bring the title deed or a tax receipt to the revenue section") {
		t.Errorf("a claim without the register's mobile says: %s", alert)
	}
	if strings.Contains(other.text(), "9847000001") {
		t.Error("the refused claim shows the owner's mobile number")
	}
	other.evidence("ptax-citizen-claim-refused.png")

	ri := newBrowserSized(t, exe, env.ts.URL, 1280, 900)
	ri.signIn("revenue_inspector", testPassword)
	ri.run("ward 5's register from the menu",
		chromedp.Click(chromedp.CSS(`nav.menu details.more summary`)), chromedp.Click(chromedp.CSS(`nav.menu a[href="/office/buildings"]`)), chromedp.WaitVisible(chromedp.CSS("#ward")),
		chromedp.SetValue(chromedp.CSS("#ward"), "5"), ri.submit(`form.search button[type=submit]`), chromedp.WaitVisible(chromedp.CSS("table.register")))
	register := ri.textOf("table.register tbody")
	for _, want := range []string{"5/3", "5/7", "5/10A", "₹1,389.00", "₹2,209.50"} {
		if !strings.Contains(register, want) {
			t.Errorf("ward 5's register does not say %q: %s", want, register)
		}
	}
	ri.evidence("ptax-office-register.png")
	ri.run("the DCB register", chromedp.Click(chromedp.CSS(`nav.tabs a[href="/office/property-tax/dcb"]`)), chromedp.WaitVisible(chromedp.CSS("table.dcb")))
	// This year (2025-26): 5/10A's two halves (₹694.50 each, ₹42 interest
	// on the first), 5/3's and 5/7's second half (₹694.50 each): ₹2,820;
	// 5/7's paid: 24.6%. 5/10A's 2024-25/H2 is still in arrears.
	dcb := ri.textOf("table.dcb tbody")
	for _, want := range []string{"Railway Station", "₹2,820.00", "₹694.50", "₹778.50", "24.6%"} {
		if !strings.Contains(dcb, want) {
			t.Errorf("ward 5's DCB line does not say %q: %s", want, dcb)
		}
	}
	if total := ri.textOf("dl.dcb-total"); !strings.Contains(total, "24.6%") || !strings.Contains(total, "3") {
		t.Errorf("the whole body's line: %s", total)
	}
	ri.evidence("ptax-office-dcb.png")
	ri.run("ward 5's defaulters", chromedp.Click(chromedp.CSS(`table.dcb a[href="/office/property-tax/defaulters?ward=5"]`)), chromedp.WaitVisible(chromedp.CSS("table.defaulters")))
	defaulters := ri.textOf("table.defaulters tbody")
	if !strings.Contains(defaulters, "5/10A") || !strings.Contains(defaulters, "5/3") || strings.Contains(defaulters, "5/7") ||
		strings.Index(defaulters, "5/10A") > strings.Index(defaulters, "5/3") || !strings.Contains(defaulters, "2024-25/H2") {
		t.Errorf("ward 5's defaulters, most owed first: %s", defaulters)
	}
	ri.evidence("ptax-office-defaulters.png")
	ri.run("open 5/10A", chromedp.Click(chromedp.CSS(`table.defaulters a[href="/office/buildings/005-000010A"]`)), chromedp.WaitVisible(chromedp.CSS("table.assessment")))
	page := ri.text()
	for _, want := range []string{"919847000001", "Anitha Kumari", "₹12.00", "₹1,200.00", "5% × 2", "₹1,323.00", "₹66.00", "₹1,389.00", "2024-25/H2"} {
		if !strings.Contains(page, want) {
			t.Errorf("the office's page of 5/10A does not say %q", want)
		}
	}
	if n := eval[int](ri, unlabelled); n != 0 {
		t.Errorf("%d form controls of the building's page have no label", n)
	}
	ri.evidence("ptax-office-building.png")

	// The same register on the inspector's phone.
	phone := newBrowser(t, exe, env.ts.URL)
	phone.signIn("revenue_inspector", testPassword)
	phone.run("the DCB register on a phone", chromedp.Navigate(phone.url+"/office/property-tax/dcb"), chromedp.WaitVisible(chromedp.CSS("table.dcb")))
	if w, vw := eval[int](phone, `document.documentElement.scrollWidth`), eval[int](phone, `window.innerWidth`); w > vw {
		t.Errorf("the DCB register is %d px wide on a %d px phone: it scrolls sideways", w, vw)
	}
	phone.evidence("ptax-office-dcb-phone.png")
	phone.run("the survey form on a phone", chromedp.Navigate(phone.url+"/office/buildings/new"), chromedp.WaitVisible(chromedp.CSS("#f-number")))
	if n := eval[int](phone, unlabelled); n != 0 {
		t.Errorf("%d form controls of the survey form have no label", n)
	}
	phone.evidence("ptax-office-survey-phone.png")
}

// keepFile saves a file beside the screenshots, when KSMART_EVIDENCE_DIR
// is set.
func keepFile(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("KSMART_EVIDENCE_DIR")
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
