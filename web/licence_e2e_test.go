package web

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ksmart/appliance/domain"
)

// TestBrowser_AShopkeeperRenewsFromTheKeyboardAndTheOfficeFindsTheLicence:
// on a phone, three weeks before her licence ends, the shopkeeper opens
// "Trade licences" from the menu, sees her bakery's licence in force with
// its certificate, and renews it from the keyboard: the renewal is filed
// with its fee, ₹1,500. At the office, the section clerk reads the register
// in Malayalam, every control labelled, and finds the licence by her name.
func TestBrowser_AShopkeeperRenewsFromTheKeyboardAndTheOfficeFindsTheLicence(t *testing.T) {
	exe := chromium(t)
	var clock atomic.Pointer[time.Time]
	setNow := func(t time.Time) { clock.Store(&t) }
	setNow(time.Date(2025, 12, 7, 10, 30, 0, 0, domain.IST))
	env := openTestEnv(t, func() time.Time { return *clock.Load() }).withRoles(t, domain.RoleSectionClerk)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	claimedHouse(t, env, citizenA, "5/101", "2025-26/H1")
	l := grantedLicence(t, env, citizenA, "5/101")
	setNow(time.Date(2026, 3, 10, 10, 0, 0, 0, domain.IST))

	shop := newBrowser(t, exe, env.ts.URL)
	shop.signIn("9847000001", testPassword)
	shop.run("open Trade licences from the menu",
		chromedp.Click(chromedp.CSS(`nav.menu details.more summary`)), chromedp.Click(chromedp.CSS(`nav.menu a[href="/licences"]`)), chromedp.WaitVisible(chromedp.CSS("main table")))
	page := shop.text()
	for _, want := range []string{l.Number, "Sree Bakery", "5/101", "31-03-2026", "In force", "Licence certificate (PDF)", "Renew for 2026-27"} {
		if !strings.Contains(page, want) {
			t.Errorf("my licences does not say %q:\n%s", want, page)
		}
	}
	shop.evidence("licence-mine.png")
	shop.run("renew from the keyboard", chromedp.Focus(chromedp.CSS(`form[action$="/renew"] button`)), shop.pressEnter())
	if page := shop.text(); !strings.Contains(page, "₹1,500.00") || !strings.Contains(page, "renewal") {
		t.Errorf("after renewing, the application's page says:\n%s", page)
	}
	shop.evidence("licence-renewal-filed.png")

	clerk := newBrowser(t, exe, env.ts.URL)
	clerk.signIn("section_clerk", testPassword)
	clerk.run("open the register in Malayalam", chromedp.Navigate(env.ts.URL+"/office/licences?lang=ml"), chromedp.WaitVisible(chromedp.CSS("#lc-q")))
	if page := clerk.text(); !strings.Contains(page, "വ്യാപാര ലൈസൻസ് രജിസ്റ്റർ") {
		t.Errorf("the register is not in Malayalam:\n%s", page)
	}
	if n := eval[int](clerk, unlabelled); n != 0 {
		t.Errorf("%d form controls have no label", n)
	}
	clerk.run("find her licence by name from the keyboard",
		chromedp.Focus(chromedp.CSS("#lc-q")), chromedp.SendKeys(chromedp.CSS("#lc-q"), "anitha"), clerk.pressEnter())
	if page := clerk.text(); !strings.Contains(page, l.Number) || !strings.Contains(page, "പുതുക്കൽ തീർപ്പാക്കാനുണ്ട്") && !strings.Contains(page, "പ്രാബല്യത്തിൽ") {
		t.Errorf("the search for her name:\n%s", page)
	}
	clerk.evidence("licence-register-ml.png")
}
