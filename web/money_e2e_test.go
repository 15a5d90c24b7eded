package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// approvedCertificate has a citizen apply for a birth certificate (a Rs 10
// fee) through the API, and the office approve it: the file waits for the
// fee before it can be issued.
func approvedCertificate(t *testing.T, env *testEnv, who string) fileJSON {
	t.Helper()
	r := env.signIn(t, who).do(t, "POST", "/api/v1/applications", birthWith("registration_number", "B-77/2019"))
	var f fileJSON
	r.json(t, &f)
	if r.status != http.StatusCreated {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	return walk(t, env, f.ID, [2]string{"section_clerk", "forwarded"}, [2]string{"registrar", "approved"})
}

// TestBrowser_ACitizenPaysOnlineAndTheCashierTakesCashForAnother: a
// citizen on a phone pays a fee through the payment gateway's page and
// gets the receipt; at the office, the cashier takes another citizen's
// fee in cash and prints the receipt. Both files may then be issued.
func TestBrowser_ACitizenPaysOnlineAndTheCashierTakesCashForAnother(t *testing.T) {
	exe := chromium(t)
	env := newTestEnv(t).withStaff(t)
	mine := approvedCertificate(t, env, citizenA)
	theirs := approvedCertificate(t, env, citizenB)

	b := newBrowser(t, exe, env.ts.URL)
	b.signIn("9847000001", testPassword)
	b.run("open the application", chromedp.Navigate(b.url+"/applications/"+mine.ID), chromedp.WaitVisible(chromedp.CSS("section.due")))
	due := b.textOf("section.due")
	for _, want := range []string{"₹10.00", "To be paid", "DM/"} {
		if !strings.Contains(due, want) {
			t.Errorf("the fee on the application's page does not say %q: %s", want, due)
		}
	}
	b.screenshot("money-citizen-owes.png")
	b.run("pay online",
		b.submit(`form[action$="/online"] button[type=submit]`),
		chromedp.Click(chromedp.CSS("#continue")),
		chromedp.WaitVisible(chromedp.CSS(`button[value=pay]`)))
	if page := b.textOf("body"); !strings.Contains(page, "Test payment gateway") || !strings.Contains(page, "10.00") {
		t.Fatalf("the gateway's page: %s", page)
	}
	b.run("pay at the gateway", b.submit(`button[value=pay]`), chromedp.WaitVisible(chromedp.CSS(`.ok`)))
	if ok := b.textOf(".ok"); !strings.Contains(ok, "payment is received") {
		t.Fatalf("back from the gateway the page says %q", ok)
	}
	due = b.textOf("section.due")
	if !strings.Contains(due, "Paid") || !strings.Contains(due, "DEMO01-ON-") || !strings.Contains(due, "Online") {
		t.Errorf("after paying, the fee says: %s", due)
	}
	b.screenshot("money-citizen-paid.png")
	href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(".ok a").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	if r := env.signIn(t, citizenA).do(t, "GET", href, nil); r.status != http.StatusOK || !strings.HasPrefix(string(r.body), "%PDF-") {
		t.Errorf("downloading the receipt from %s: %d", href, r.status)
	}

	cashier := newBrowserSized(t, exe, env.ts.URL, 1280, 900)
	cashier.signIn("cashier", testPassword)
	cashier.run("find the other citizen's fee",
		chromedp.Navigate(cashier.url+"/office/cashier?q="+theirs.Number),
		chromedp.WaitVisible(chromedp.CSS(`form[action^="/office/cashier/"] button[type=submit]`)))
	if found := cashier.textOf("section.due"); !strings.Contains(found, "Biju Thomas") || !strings.Contains(found, "₹10.00") {
		t.Fatalf("the cashier finds: %s", found)
	}
	cashier.screenshot("money-cashier-counter.png")
	cashier.run("take cash", cashier.submit(`form[action^="/office/cashier/"] button[type=submit]`), chromedp.WaitVisible(chromedp.CSS(`.ok`)))
	receipt := cashier.text()
	if !strings.Contains(receipt, "DEMO01-C1-") || !strings.Contains(receipt, "Cash") || !strings.Contains(receipt, "₹10.00") {
		t.Fatalf("the receipt page: %s", receipt)
	}
	cashier.screenshot("money-cashier-receipt.png")

	for _, f := range []fileJSON{mine, theirs} {
		r := env.signIn(t, "front_office").do(t, "POST", "/api/v1/applications/"+f.ID+"/actions", map[string]string{"action": "issued"})
		if r.status != http.StatusOK {
			t.Errorf("issuing %s once paid: %d %s", f.Number, r.status, r.body)
		}
	}
}
