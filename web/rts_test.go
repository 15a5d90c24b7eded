package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
)

// TestRTS_CitizenAppealsALateFileTheAuthorityOrdersDeliveryAndTheReportCountsIt:
// citizen A's petition of 2 March 2026 is past its 15 working days. Her
// application's page shows an Appeal button with the last day to appeal;
// an empty appeal is refused beside the field, a real one is filed. The
// LSGD's appellate authority orders delivery within 7 days from the
// appeal's page; the citizen downloads the order. The secretary's report
// (API and dashboard) counts the file as received, pending past due and
// appealed, with exactly the contract's keys; a bad period is refused.
func TestRTS_CitizenAppealsALateFileTheAuthorityOrdersDeliveryAndTheReportCountsIt(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, domain.IST)
	env := openTestEnv(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	env.withRoles(t, domain.RoleSecretary, domain.RoleStateAuditor, domain.RoleAppellateAuthority, domain.RoleSectionClerk)
	a := env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	f, err := env.app.Workflow.Submit(a.Actor(), workflow.Submission{Service: "general_petition", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Anitha Kumari", "")},
		Values: map[string]string{"applicant_name_en": "Anitha Kumari", "address": "Kadavil House", "ward": "3", "phone": "9847000001",
			"subject": "Drain blocked", "petition": "The drain near the school has been blocked for a month."}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = f.Due.Add(48 * time.Hour)
	mu.Unlock()

	citizen := env.signIn(t, citizenA)
	page := citizen.do(t, "GET", "/applications/"+f.ID, nil)
	deadline := f.Due.AddDate(0, 0, 30).In(domain.IST).Format("02-01-2006")
	for _, want := range []string{`id="appeal"`, ">Appeal<", "not delivered within its time limit", deadline, "Deputy Director of Panchayats"} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("the late application's page does not show %q", want)
		}
	}
	r := citizen.do(t, "POST", "/applications/"+f.ID+"/appeal", formBody("grounds="))
	if r.status != 422 || !strings.Contains(string(r.body), "Say why you appeal") {
		t.Fatalf("an empty appeal: %d", r.status)
	}
	r = citizen.do(t, "POST", "/applications/"+f.ID+"/appeal", formBody(url.Values{"grounds": {"Nobody has answered my petition about the drain."}}.Encode()))
	if r.status != 303 {
		t.Fatalf("appeal: %d %s", r.status, r.body)
	}
	appeals, err := env.app.RTS.Of(f.ID)
	if err != nil || len(appeals) != 1 {
		t.Fatalf("appeals %v %v", appeals, err)
	}
	ap := appeals[0]
	if page := citizen.do(t, "GET", "/applications/"+f.ID, nil); !strings.Contains(string(page.body), ap.Number) || strings.Contains(string(page.body), `id="appeal"`) {
		t.Errorf("after appealing, the page shows the appeal and no second Appeal button")
	}

	authority := env.signIn(t, "appellate_authority")
	if p := authority.do(t, "GET", "/office/rts/appeals/"+ap.ID, nil); p.status != 200 || !strings.Contains(string(p.body), "Issue the order") {
		t.Fatalf("the appeal's page for its authority: %d", p.status)
	}
	if p := env.signIn(t, "secretary").do(t, "GET", "/office/rts/appeals/"+ap.ID, nil); strings.Contains(string(p.body), "Issue the order") {
		t.Error("the secretary, the designated officer, is offered to decide the appeal against their own desk")
	}
	r = authority.do(t, "POST", "/office/rts/appeals/"+ap.ID+"/decide", formBody("outcome=deliver&reasons=The+drain+is+to+be+cleared.&deliver_within_days=seven"))
	if r.status != 422 || !strings.Contains(string(r.body), "whole number") {
		t.Fatalf("days as words: %d", r.status)
	}
	r = authority.do(t, "POST", "/office/rts/appeals/"+ap.ID+"/decide", formBody("outcome=deliver&reasons=The+drain+is+to+be+cleared+within+a+week.&deliver_within_days=7"))
	if r.status != 303 {
		t.Fatalf("decide: %d %s", r.status, r.body)
	}
	order := citizen.do(t, "GET", "/applications/"+f.ID+"/appeals/"+ap.ID+"/order.pdf", nil)
	if order.status != 200 || !strings.HasPrefix(string(order.body), "%PDF-") {
		t.Errorf("the citizen's order: %d", order.status)
	}

	secretary := env.signIn(t, "secretary")
	from, to := f.Submitted.In(domain.IST).Format(time.DateOnly), now.In(domain.IST).Format(time.DateOnly)
	r = secretary.do(t, "GET", "/api/v1/rts/report?from="+from+"&to="+to, nil)
	var top map[string]json.RawMessage
	r.json(t, &top)
	var raw struct {
		Services []map[string]json.RawMessage `json:"services"`
	}
	r.json(t, &raw)
	if r.status != 200 || len(top) != 1 || len(raw.Services) != 1 {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	var keys []string
	for k := range raw.Services[0] {
		keys = append(keys, k)
	}
	var line struct {
		Code                                                    string
		Received, InTime, Late, PendingOverdue, Appeals, Deemed int
	}
	b, _ := json.Marshal(raw.Services[0])
	json.Unmarshal([]byte(strings.NewReplacer(`"in_time"`, `"InTime"`, `"pending_overdue"`, `"PendingOverdue"`).Replace(string(b))), &line)
	if len(keys) != 7 || line.Code != "general_petition" || line.Received != 1 || line.PendingOverdue != 1 || line.Appeals != 1 || line.InTime+line.Late+line.Deemed != 0 {
		t.Errorf("report line %s; want exactly code, received, in_time, late, pending_overdue, appeals, deemed: 1 received, 1 pending past due, 1 appeal", b)
	}
	for _, bad := range []string{"?from=2026-03-31&to=2026-03-01", "?from=March&to=2026-03-31", ""} {
		if r := secretary.do(t, "GET", "/api/v1/rts/report"+bad, nil); r.status != 400 {
			t.Errorf("report%s: %d %s", bad, r.status, r.body)
		}
	}
	dash := secretary.do(t, "GET", "/office", nil)
	if !strings.Contains(string(dash.body), `id="rts-summary"`) || !strings.Contains(string(dash.body), "/office/rts") {
		t.Error("the secretary's dashboard does not show the Right to Service summary")
	}
	full := env.signIn(t, string(domain.RoleStateAuditor)).do(t, "GET", "/office/rts?from="+from+"&to="+to, nil)
	for _, want := range []string{"General petition", ap.Number, "Delivery ordered"} {
		if !strings.Contains(string(full.body), want) {
			t.Errorf("the state auditor's report page does not show %q", want)
		}
	}
}

// TestBrowser_ACitizenAppealsALateApplicationFromTheKeyboard: the
// citizen's petition is past its 15 working days. On its page she sees
// the Right to Service section — the designated officer, the appellate
// authorities — and "Appeal" with the last day to appeal; every control
// is labelled. She writes why and appeals from the keyboard; the page
// then lists her appeal as pending with the Deputy Director, and the
// Appeal button is gone. In Malayalam the same section reads in Malayalam.
func TestBrowser_ACitizenAppealsALateApplicationFromTheKeyboard(t *testing.T) {
	exe := chromium(t)
	var clock atomic.Pointer[time.Time]
	setNow := func(t time.Time) { clock.Store(&t) }
	setNow(time.Date(2026, 3, 2, 10, 0, 0, 0, domain.IST))
	env := openTestEnv(t, func() time.Time { return *clock.Load() })
	a := env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	f, err := env.app.Workflow.Submit(a.Actor(), workflow.Submission{Service: "general_petition", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Anitha Kumari", "")},
		Values: map[string]string{"applicant_name_en": "Anitha Kumari", "address": "Kadavil House", "ward": "3", "phone": "9847000001",
			"subject": "Drain blocked", "petition": "The drain near the school has been blocked for a month."}})
	if err != nil {
		t.Fatal(err)
	}
	setNow(f.Due.Add(72 * time.Hour))
	deadline := f.Due.AddDate(0, 0, 30).In(domain.IST).Format("02-01-2006")

	b := newBrowser(t, exe, env.ts.URL)
	b.signIn("9847000001", testPassword)
	b.run("open the late application", chromedp.Navigate(env.ts.URL+"/applications/"+f.ID), chromedp.WaitVisible(chromedp.CSS("#appeal")))
	page := b.text()
	for _, want := range []string{"Right to Service", "Designated officer", "Deputy Director of Panchayats", "not delivered within its time limit", "Appeal by " + deadline} {
		if !strings.Contains(page, want) {
			t.Errorf("the late application's page does not say %q:\n%s", want, page)
		}
	}
	if n := eval[int](b, unlabelled); n != 0 {
		t.Errorf("%d form controls have no label", n)
	}
	b.evidence("rts-appeal-button.png")
	b.run("write why and appeal from the keyboard",
		chromedp.Focus(chromedp.CSS("#f-grounds")), chromedp.SendKeys(chromedp.CSS("#f-grounds"), "Nobody has answered my petition about the drain."),
		chromedp.Focus(chromedp.CSS("#appeal")), b.pressEnter())
	b.run("wait for the appeal", chromedp.WaitVisible(chromedp.CSS("#rts table")))
	page = b.text()
	appeals, _ := env.app.RTS.Of(f.ID)
	if len(appeals) != 1 || !strings.Contains(page, appeals[0].Number) || !strings.Contains(page, "Pending") || strings.Contains(page, "Appeal by") {
		t.Errorf("after appealing (%d appeals) the page says:\n%s", len(appeals), page)
	}
	b.evidence("rts-appeal-filed.png")
	b.run("read it in Malayalam", chromedp.Navigate(env.ts.URL+"/applications/"+f.ID+"?lang=ml"), chromedp.WaitVisible(chromedp.CSS("#rts")))
	if page := b.textOf("#rts"); !strings.Contains(page, "സേവനാവകാശം") || !strings.Contains(page, "നിയുക്ത ഉദ്യോഗസ്ഥൻ") {
		t.Errorf("the Right to Service section in Malayalam:\n%s", page)
	}
}
