package web

import (
	"net/http"
	"strings"
	"testing"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/licence"
	"ksmart/appliance/workflow"
)

// grantedLicence has the test user who apply online for a bakery's
// licence at building, pay its fee, and the office grant and issue it.
func grantedLicence(t *testing.T, env *testEnv, who, building string) licence.Licence {
	t.Helper()
	u := env.users[who]
	pdf := workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%scan\n")}
	f, err := env.app.Workflow.Submit(u.Actor(), workflow.Submission{Service: licence.SvcNew, Channel: workflow.ChannelOnline,
		Values: map[string]string{"trade_name": "Sree Bakery", "trade_type": "bakery", "trade_description": "Bakes and sells bread",
			"building_number": building, "ward": "5", "area_sqm": "80", "trade_started_on": env.app.Now().AddDate(0, 0, -10).Format("2006-01-02"),
			"owner_name_en": u.Name, "owner_address": "Market Road", "phone": u.Login},
		Applicant: workflow.Applicant{Name: domain.T(u.Name, ""), Phone: u.Login},
		Uploads:   map[string]workflow.Upload{"premises_proof": pdf, "owner_id": pdf, "fssai": pdf}})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	m, _ := env.app.Finance.OfFile(f.ID)
	cashier := domain.Actor{ID: "u-cash-fixture", Name: "Cashier", Roles: []domain.Role{domain.RoleCashier}}
	for _, d := range m.Demands {
		if _, err := env.app.Finance.Collect(cashier, d.ID, finance.Payment{Counter: "C1", Amount: d.Balance(), Mode: finance.ModeCash}); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		role domain.Role
		kind string
	}{{domain.RoleSectionClerk, workflow.KindForwarded}, {domain.RoleHealthInspector, workflow.KindForwarded}, {domain.RoleSecretary, workflow.KindApproved}, {domain.RoleSecretary, workflow.KindIssued}} {
		by := domain.Actor{ID: "u-" + string(step.role), Name: "Officer", Roles: []domain.Role{step.role}}
		if f, err = env.app.Workflow.Act(by, f.ID, workflow.Request{Kind: step.kind}); err != nil {
			t.Fatalf("%s: %v", step.kind, err)
		}
	}
	l, err := env.app.Licences.Licence(f.Record)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestAPI_ALicenceAnswersTheContract: anyone reads a licence by number
// with the fields the issue names; the office lists the register by
// status; a status that is not one is refused naming the field, in both
// languages; an unknown number is 404.
func TestAPI_ALicenceAnswersTheContract(t *testing.T) {
	env := taxEnv(t, domain.RoleSectionClerk)
	claimedHouse(t, env, citizenA, "5/101", "2025-26/H1")
	l := grantedLicence(t, env, citizenA, "5/101")

	r := env.newClient(t).do(t, "GET", "/api/v1/licences/"+l.Number, nil)
	var got map[string]any
	r.json(t, &got)
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/v1/licences/%s: %d %s", l.Number, r.status, r.body)
	}
	want := map[string]any{"number": l.Number, "status": "active", "trade": "Bakery", "premises": "5/101", "holder": "Anitha Kumari",
		"valid_from": "2025-12-07", "valid_to": "2026-03-31", "fee_paise": float64(150000)}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
	if strings.Contains(string(r.body), "9847000001") {
		t.Error("the public answer shows the holder's phone")
	}
	clerk := env.signIn(t, "section_clerk")
	r = clerk.do(t, "GET", "/api/v1/licences?status=active", nil)
	if r.status != http.StatusOK || string(r.body) != `{"licences":[{"number":"`+l.Number+`","status":"active","valid_to":"2026-03-31"}]}`+"\n" {
		t.Errorf("the active list: %d %s", r.status, r.body)
	}
	if r = clerk.do(t, "GET", "/api/v1/licences?status=expired", nil); string(r.body) != `{"licences":[]}`+"\n" {
		t.Errorf("the expired list: %s", r.body)
	}
	r = clerk.do(t, "GET", "/api/v1/licences?status=lapsed", nil)
	var e apiError
	r.json(t, &e)
	if r.status != http.StatusBadRequest || e.Fields["status"].En == "" || e.Fields["status"].Ml == "" {
		t.Errorf("a status that is not one: %d %s", r.status, r.body)
	}
	if r = env.newClient(t).do(t, "GET", "/api/v1/licences/NOPE-999", nil); r.status != http.StatusNotFound {
		t.Errorf("an unknown licence: %d", r.status)
	}
}

// TestPages_ALicenceForTheShopkeeperAndTheOffice: the shopkeeper sees
// their licence with its certificate; the QR's verification page says it
// is genuine and in force; the office finds it by the holder's name and
// sees the premises' property tax arrears; the secretary's suspension
// without a hearing is refused naming the field, in Malayalam too.
func TestPages_ALicenceForTheShopkeeperAndTheOffice(t *testing.T) {
	env := taxEnv(t, domain.RoleSectionClerk, domain.RoleSecretary)
	claimedHouse(t, env, citizenA, "5/101", "2025-26/H1")
	l := grantedLicence(t, env, citizenA, "5/101")

	a := env.signIn(t, citizenA)
	r := a.do(t, "GET", "/licences", nil)
	if body := string(r.body); r.status != http.StatusOK || !strings.Contains(body, l.Number) || !strings.Contains(body, "/licences/"+l.Number+"/certificate.pdf") {
		t.Errorf("my licences: %d", r.status)
	}
	if r = a.do(t, "GET", "/licences/"+l.Number+"/certificate.pdf", nil); r.status != http.StatusOK || !strings.HasPrefix(string(r.body), "%PDF") {
		t.Errorf("the certificate: %d", r.status)
	}
	c, _, err := env.app.Licences.CertificatePDF(l.Number)
	if err != nil {
		t.Fatal(err)
	}
	qr := c.QR[strings.Index(c.QR, "/verify/"):]
	if r = env.newClient(t).do(t, "GET", qr, nil); r.status != http.StatusOK || !strings.Contains(string(r.body), "Genuine, and the licence is in force") || !strings.Contains(string(r.body), "Sree Bakery") {
		t.Errorf("the QR's page: %d %.500s", r.status, r.body)
	}

	clerk := env.signIn(t, "section_clerk")
	r = clerk.do(t, "GET", "/office/licences?q=anitha", nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), l.Number) {
		t.Errorf("the register found nothing for the holder's name: %d", r.status)
	}
	r = clerk.do(t, "GET", "/office/licences/"+l.Number, nil)
	if body := string(r.body); r.status != http.StatusOK || !strings.Contains(body, "Property tax owed on the premises") || !strings.Contains(body, "<strong>₹") {
		t.Errorf("the licence's page does not show the premises' arrears: %d", r.status)
	}
	sec := env.signIn(t, "secretary")
	r = sec.do(t, "POST", "/office/licences/"+l.Number+"/order?lang=ml", formBody("kind=suspended&reasons=Kitchen+unclean+on+inspection&until=2026-01-31"))
	if body := string(r.body); r.status != http.StatusUnprocessableEntity || !strings.Contains(body, "ഹിയറിംഗ്") || !strings.Contains(body, `id="order-hearing-err"`) {
		t.Errorf("a suspension without a hearing: %d", r.status)
	}
	if st := must(env.app.Licences.Licence(l.Number)).Status; st != licence.StatusActive {
		t.Errorf("the refused order changed the licence to %s", st)
	}
}

// TestPages_AnOfficerSeesWhenAFileWillBeDeemed: the office's page of a
// new licence's file says the day the law will grant it if nobody
// decides, and how many of its 30 days have run.
func TestPages_AnOfficerSeesWhenAFileWillBeDeemed(t *testing.T) {
	env := taxEnv(t, domain.RoleSectionClerk)
	claimedHouse(t, env, citizenA, "5/101", "2025-26/H1")
	u := env.users[citizenA]
	pdf := workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%scan\n")}
	f, err := env.app.Workflow.Submit(u.Actor(), workflow.Submission{Service: licence.SvcNew, Channel: workflow.ChannelOnline,
		Values: map[string]string{"trade_name": "Sree Bakery", "trade_type": "bakery", "trade_description": "Bread", "building_number": "5/101", "ward": "5",
			"area_sqm": "80", "trade_started_on": "2025-12-01", "owner_name_en": u.Name, "owner_address": "Market Road", "phone": u.Login},
		Applicant: workflow.Applicant{Name: domain.T(u.Name, "")}, Uploads: map[string]workflow.Upload{"premises_proof": pdf, "owner_id": pdf, "fssai": pdf}})
	if err != nil {
		t.Fatal(err)
	}
	r := env.signIn(t, "section_clerk").do(t, "GET", "/office/files/"+f.ID, nil)
	if body := string(r.body); r.status != http.StatusOK || !strings.Contains(body, "Deemed granted by law, if not decided, on") || !strings.Contains(body, "07-01-2026") {
		t.Errorf("the file's page does not say when it will be deemed: %d", r.status)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
