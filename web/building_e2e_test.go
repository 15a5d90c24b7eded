package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowser_AnEngineerChecksAPlanFromTheKeyboardOnAPhone: a licensed
// engineer signed in on a phone opens the plan scrutiny, moves from field
// to field with Tab, types a house's figures with a 2.9 m front yard and
// presses Enter: the page says the plan fails, shows the front yard's rule
// with 3.00 m required and 2.90 m provided, the fee, and keeps what was
// typed; corrected to 3 m it passes and is low-risk. Every control has a
// name, and the page reads in Malayalam too.
func TestBrowser_AnEngineerChecksAPlanFromTheKeyboardOnAPhone(t *testing.T) {
	exe := chromium(t)
	env := newTestEnv(t)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	b := newBrowser(t, exe, env.ts.URL)
	b.signIn("9847000001", testPassword)
	b.run("open the scrutiny", chromedp.Navigate(b.url+"/building-permits/scrutiny"), chromedp.WaitVisible(chromedp.CSS("#f-plot_area_m2")))
	if n := eval[int](b, unlabelled); n != 0 {
		t.Errorf("%d form controls have no label", n)
	}
	// From the plot area on, each figure is the next field: Tab moves on.
	figures := []string{"300", "120", "60", "2", "7", "4", "2.9", "2", "1.2", "1"}
	actions := []chromedp.Action[chromedp.Void]{chromedp.Focus(chromedp.CSS("#f-plot_area_m2"))}
	for i, v := range figures {
		actions = append(actions, chromedp.KeyEvent(v))
		if i < len(figures)-1 {
			actions = append(actions, chromedp.KeyEvent(kb.Tab))
		}
	}
	b.run("type the figures from the keyboard", actions...)
	if focused := eval[string](b, `document.activeElement.id`); focused != "f-right_m" {
		t.Errorf("after ten figures and nine Tabs the focus is on %q, want the right side yard", focused)
	}
	b.run("check the plan with Enter", b.pressEnter(), chromedp.WaitVisible(chromedp.CSS("#bp-result-h")))
	if h := b.textOf("#bp-result-h"); !strings.Contains(h, "fails") {
		t.Errorf("the answer's heading: %q", h)
	}
	table := b.textOf("table.checks")
	if !strings.Contains(table, "Front yard") || !strings.Contains(table, "≥ 3.00 m") || !strings.Contains(table, "2.90 m") || !strings.Contains(table, "fails") {
		t.Errorf("the checks do not show the front yard failing:\n%s", table)
	}
	if v := eval[string](b, `document.querySelector("#f-front_m").value`); v != "2.9" {
		t.Errorf("the typed front yard came back as %q", v)
	}
	b.evidence("scrutiny-fails.png")
	b.run("correct the front yard", chromedp.Focus(chromedp.CSS("#f-front_m")), chromedp.SetValue(chromedp.CSS("#f-front_m"), "3"), b.pressEnter(),
		chromedp.WaitVisible(chromedp.CSS("#bp-result-h")))
	if result := b.textOf("section[aria-labelledby=bp-result-h]"); !strings.Contains(result, "passes every rule") || !strings.Contains(result, "same day") || !strings.Contains(result, "₹4,200.00") {
		t.Errorf("with a 3 m front yard: %s", result)
	}
	b.run("the page in Malayalam", chromedp.Navigate(b.url+"/building-permits/scrutiny?lang=ml"), chromedp.WaitVisible(chromedp.CSS("#f-plot_area_m2")))
	if page := b.text(); !strings.Contains(page, "കെട്ടിട പ്ലാൻ സൂക്ഷ്മപരിശോധന") || !strings.Contains(page, "പ്ലോട്ടിന്റെ വിസ്തീർണ്ണം") {
		t.Errorf("the Malayalam page: %s", page)
	}
}
