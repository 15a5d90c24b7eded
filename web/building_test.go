package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ksmart/appliance/building"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

// scrutinyHouse is a 120 m² house in the demo municipality that keeps
// every rule: the example of a Rs 4,200 permit fee.
func scrutinyHouse() map[string]any {
	return map[string]any{"use": "a1_residential", "plot_area_m2": 300, "floor_area_m2": 120, "footprint_m2": 60, "floors": 2,
		"height_m": 7, "road_width_m": 4, "front_m": 3.5, "rear_m": 2, "left_m": 1.2, "right_m": 1}
}

func with(base map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

type scrutinyAnswer struct {
	Pass    bool  `json:"pass"`
	LowRisk bool  `json:"low_risk"`
	Fee     int64 `json:"fee_paise"`
	Rules   string
	Checks  []struct {
		Key      string      `json:"key"`
		Rule     string      `json:"rule"`
		Title    domain.Text `json:"title"`
		Required string      `json:"required"`
		Provided string      `json:"provided"`
		Pass     bool        `json:"pass"`
	} `json:"checks"`
}

func TestScrutinyAPI_AnswersEveryCheckWithItsFeeAndRefusesImpossiblePlans(t *testing.T) {
	env := newTestEnv(t)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	c := env.signIn(t, citizenA)
	before := env.app.Store.LastSeq()

	r := c.do(t, "POST", "/api/v1/building-permits/scrutiny", scrutinyHouse())
	var a scrutinyAnswer
	r.json(t, &a)
	if r.status != 200 || !a.Pass || !a.LowRisk || a.Fee != 420000 || a.Rules != "KMBR" {
		t.Fatalf("the 120 m² house: %d %s", r.status, r.body)
	}
	for _, ch := range a.Checks {
		if ch.Rule == "" || ch.Title.En == "" || ch.Title.Ml == "" || ch.Required == "" || ch.Provided == "" {
			t.Errorf("a check is not fully stated: %+v", ch)
		}
	}

	// A 2.5 m front yard fails the front yard's check, with the figures.
	r = c.do(t, "POST", "/api/v1/building-permits/scrutiny", with(scrutinyHouse(), "front_m", 2.5))
	a = scrutinyAnswer{}
	r.json(t, &a)
	failed := false
	for _, ch := range a.Checks {
		if ch.Key == "front" {
			failed = !ch.Pass && ch.Required == "≥ 3.00 m" && ch.Provided == "2.50 m"
		}
	}
	if r.status != 200 || a.Pass || a.LowRisk || !failed {
		t.Errorf("a 2.5 m front yard: %d %s", r.status, r.body)
	}

	// In a grama panchayat the same house is under KPBR at Rs 25 a m².
	r = c.do(t, "POST", "/api/v1/building-permits/scrutiny", with(scrutinyHouse(), "local_body_kind", "grama_panchayat"))
	a = scrutinyAnswer{}
	r.json(t, &a)
	if r.status != 200 || a.Rules != "KPBR" || a.Fee != 120*2500 || a.LowRisk {
		t.Errorf("in a panchayat: %d %s", r.status, r.body)
	}

	for _, bad := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"negative plot", with(scrutinyHouse(), "plot_area_m2", -300), "plot_area_m2"},
		{"zero floor area", with(scrutinyHouse(), "floor_area_m2", 0), "floor_area_m2"},
		{"footprint larger than the plot", with(scrutinyHouse(), "footprint_m2", 301, "floor_area_m2", 301, "floors", 1), "footprint_m2"},
		{"floors × footprint far from the floor area", with(scrutinyHouse(), "floor_area_m2", 600), "floor_area_m2"},
		{"KPBR in a municipality", with(scrutinyHouse(), "rules", "KPBR", "local_body_kind", "municipality"), "rules"},
	} {
		r := c.do(t, "POST", "/api/v1/building-permits/scrutiny", bad.body)
		var e apiError
		r.json(t, &e)
		if r.status != 400 || e.Fields[bad.field].En == "" || e.Fields[bad.field].Ml == "" {
			t.Errorf("%s: %d %s, want 400 naming %s in both languages", bad.name, r.status, r.body, bad.field)
		}
	}
	if r := c.do(t, "POST", "/api/v1/building-permits/scrutiny", with(scrutinyHouse(), "storeys", 2)); r.status != 400 {
		t.Errorf("an unknown field: %d", r.status)
	}
	if after := env.app.Store.LastSeq(); after != before {
		t.Errorf("scrutiny wrote %d events; it writes nothing", after-before)
	}
}

func TestScrutinyPage_ReChecksOnSubmitFromTypedFiguresOrADrawing(t *testing.T) {
	env := newTestEnv(t)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	c := env.signIn(t, citizenA)

	page := string(c.do(t, "GET", "/building-permits/scrutiny", nil).body)
	for _, name := range []string{"plot_area_m2", "floor_area_m2", "footprint_m2", "floors", "height_m", "road_width_m", "front_m", "rear_m", "left_m", "right_m", "plan_dxf", "use"} {
		if !strings.Contains(page, `<label for="f-`+name+`"`) || !strings.Contains(page, `id="f-`+name+`"`) {
			t.Errorf("the form's %s has no label of its own", name)
		}
	}

	typed := url.Values{"rules": {"KMBR"}, "local_body_kind": {"municipality"}, "use": {"a1_residential"}, "plot_area_m2": {"300"}, "floor_area_m2": {"120"},
		"footprint_m2": {"60"}, "floors": {"2"}, "height_m": {"7"}, "road_width_m": {"4"}, "front_m": {"2.99"}, "rear_m": {"2"}, "left_m": {"1.2"}, "right_m": {"1"}}
	r := c.do(t, "POST", "/building-permits/scrutiny", formBody(typed.Encode()))
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, "The plan fails some rules.") || !strings.Contains(body, "2.99 m") || !strings.Contains(body, `value="2.99"`) {
		t.Errorf("typed figures with a 2.99 m front yard: %d\n%s", r.status, body)
	}

	// The drawing's figures replace the typed ones and are sent back.
	r = c.do(t, "POST", "/building-permits/scrutiny", &multipartBody{fields: map[string]string{"use": "a1_residential", "height_m": "7", "rules": "KMBR"},
		files: map[string][]byte{"plan_dxf": synth.HouseDrawing().Bytes()}})
	body = string(r.body)
	if r.status != 200 || !strings.Contains(body, "The plan passes every rule checked.") || !strings.Contains(body, `value="375.00"`) || !strings.Contains(body, "₹10,800.00") {
		t.Errorf("the house's drawing: %d\n%s", r.status, body)
	}

	// A PDF for a drawing is refused beside the field, in the page's
	// language.
	r = c.do(t, "POST", "/building-permits/scrutiny", &multipartBody{fields: map[string]string{"use": "a1_residential", "height_m": "7"},
		files: map[string][]byte{"plan_dxf": tinyPDF}})
	body = string(r.body)
	if r.status != 400 || !strings.Contains(body, "This is not a DXF drawing") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("a PDF as the drawing: %d\n%s", r.status, body)
	}
	// A drawing over the limit is refused naming the field in both
	// languages (JSON asked for here, to read the fields).
	c.header.Set("Accept", "application/json")
	r = c.do(t, "POST", "/building-permits/scrutiny", &multipartBody{fields: map[string]string{"use": "a1_residential"}, big: 200 << 20})
	var e apiError
	r.json(t, &e)
	if r.status != http.StatusRequestEntityTooLarge || e.Fields["plan_dxf"].En == "" || e.Fields["plan_dxf"].Ml == "" {
		t.Errorf("a 200 MB drawing: %d %s", r.status, r.body)
	}
}

func TestPermitVerify_ThePermitsQRCodeOpensWhatItPrinted(t *testing.T) {
	env := newTestEnv(t)
	u := env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	app := env.app
	values := map[string]string{"owner_name_en": "Anitha Kumari", "owner_address": "Fort Road", "phone": "9847000001", "ward": "2", "survey_number": "12/3",
		"village": "Fort Kochi", "plot_area_sqm": "300", "built_up_area_sqm": "120", "footprint_sqm": "60", "floors": "2", "height_m": "7",
		"occupancy": "a1_residential", "road_width_m": "4", "front_m": "3.5", "rear_m": "2", "left_m": "1.2", "right_m": "1",
		"licensee_name": "Anil Kumar", "licensee_number": "E-1234"}
	for _, d := range building.Declarations {
		values[d.Field] = "yes"
	}
	pdf := workflow.Upload{Name: "a.pdf", Data: tinyPDF}
	f, err := app.Workflow.Submit(u.Actor(), workflow.Submission{Service: building.SvcLowRisk, Values: values, Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Anitha Kumari", ""), Phone: "9847000001"},
		Uploads:   map[string]workflow.Upload{"plan": pdf, "self_certificate": pdf, "title_deed": pdf, "possession_certificate": pdf, "land_tax_receipt": pdf}})
	if err != nil {
		t.Fatal(err)
	}
	money, _ := app.Finance.OfFile(f.ID)
	cashier := domain.Actor{ID: "u-cash", Roles: []domain.Role{domain.RoleCashier}}
	if _, err := app.Finance.Collect(cashier, money.Demands[0].Number, finance.Payment{Counter: "C1", Amount: money.Balance, Mode: finance.ModeCash}); err != nil {
		t.Fatal(err)
	}
	secretary := domain.Actor{ID: "u-sec", Name: "Sheeba George", Roles: []domain.Role{domain.RoleSecretary}}
	for _, step := range []struct {
		by   domain.Actor
		kind string
	}{{domain.Actor{ID: "u-fo", Roles: []domain.Role{domain.RoleFrontOffice}}, workflow.KindForwarded}, {secretary, workflow.KindApproved}, {secretary, workflow.KindIssued}} {
		if f, err = app.Workflow.Act(step.by, f.ID, workflow.Request{Kind: step.kind}); err != nil {
			t.Fatal(err)
		}
	}
	link, err := app.Building.VerifyURL(f.Issued.Number)
	if err != nil {
		t.Fatal(err)
	}
	u2, _ := url.Parse(link)
	anyone := env.newClient(t)
	r := anyone.do(t, "GET", u2.RequestURI(), nil)
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, "Genuine and in force.") || !strings.Contains(body, "Anitha Kumari") || !strings.Contains(body, "120.00 m²") {
		t.Errorf("the QR code's link: %d\n%s", r.status, body)
	}
	// The number alone says it is issued, without the owner's particulars.
	r = anyone.do(t, "GET", "/verify/"+f.Issued.Number, nil)
	if body := string(r.body); r.status != 200 || !strings.Contains(body, "checked by number only") || strings.Contains(body, "Anitha Kumari") {
		t.Errorf("the number alone: %d\n%s", r.status, body)
	}
	q := u2.Query()
	q.Set("s", "A"+q.Get("s")[1:])
	if r := anyone.do(t, "GET", "/verify/"+f.Issued.Number+"?"+q.Encode(), nil); !strings.Contains(string(r.body), "altered or forged") {
		t.Errorf("an altered code: %d\n%s", r.status, r.body)
	}
}

func TestBuildingFile_TheOverseerAndTheEngineerRecordTheirPartOnTheirDesks(t *testing.T) {
	env := newTestEnv(t).withRoles(t, domain.RoleOverseer, domain.RoleAssistantEngineer)
	u := env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	values := map[string]string{"owner_name_en": "Anitha Kumari", "owner_address": "Fort Road", "phone": "9847000001", "ward": "2", "survey_number": "12/3",
		"village": "Fort Kochi", "plot_area_sqm": "300", "built_up_area_sqm": "120", "footprint_sqm": "60", "floors": "2", "height_m": "7",
		"occupancy": "a1_residential", "work": "new", "road_width_m": "4", "front_m": "3.5", "rear_m": "2", "left_m": "1.2", "right_m": "1",
		"licensee_name": "Anil Kumar", "licensee_number": "E-1234"}
	pdf := workflow.Upload{Name: "a.pdf", Data: tinyPDF}
	f, err := env.app.Workflow.Submit(u.Actor(), workflow.Submission{Service: building.SvcPermit, Values: values, Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Anitha Kumari", ""), Phone: "9847000001"},
		Uploads:   map[string]workflow.Upload{"plan": pdf, "site_plan": pdf, "title_deed": pdf, "possession_certificate": pdf, "land_tax_receipt": pdf}})
	if err != nil {
		t.Fatal(err)
	}
	if f, err = env.app.Workflow.Act(domain.Actor{ID: "u-fo", Roles: []domain.Role{domain.RoleFrontOffice}}, f.ID, workflow.Request{Kind: workflow.KindForwarded}); err != nil {
		t.Fatal(err)
	}
	overseer := env.signIn(t, string(domain.RoleOverseer))
	page := string(overseer.do(t, "GET", "/office/building-files/"+f.ID, nil).body)
	if !strings.Contains(page, "The plan passes every rule checked.") || !strings.Contains(page, `<label for="f-latitude">`) {
		t.Fatalf("the overseer's page:\n%s", page)
	}
	photo := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
	r := overseer.do(t, "POST", "/office/building-files/"+f.ID+"/inspection", &multipartBody{fields: map[string]string{"latitude": "51.5", "longitude": "-0.12", "findings": "Site as on the plan."},
		files: map[string][]byte{"photo1": photo}})
	if r.status != 400 || !strings.Contains(string(r.body), "is not in Kerala") {
		t.Errorf("an inspection located in London: %d", r.status)
	}
	r = overseer.do(t, "POST", "/office/building-files/"+f.ID+"/inspection", &multipartBody{fields: map[string]string{"latitude": "9.9658", "longitude": "76.2421", "findings": "Site as on the plan; road 4 m."},
		files: map[string][]byte{"photo1": photo}})
	if body := string(r.body); r.status != 200 || !strings.Contains(body, "The site inspection is recorded") || !strings.Contains(body, "9.96580, 76.24210") {
		t.Fatalf("the inspection: %d\n%s", r.status, body)
	}
	if f, err = env.app.Workflow.Act(env.users[string(domain.RoleOverseer)].Actor(), f.ID, workflow.Request{Kind: workflow.KindForwarded}); err != nil {
		t.Fatal(err)
	}
	engineer := env.signIn(t, string(domain.RoleAssistantEngineer))
	form := url.Values{"use": {"a1_residential"}, "plot_area_m2": {"300"}, "floor_area_m2": {"120"}, "footprint_m2": {"60"}, "floors": {"2"}, "height_m": {"7"},
		"road_width_m": {"4"}, "front_m": {"2.8"}, "rear_m": {"2"}, "left_m": {"1.2"}, "right_m": {"1"}, "remarks": {"Front yard measured 2.8 m on site."}}
	r = engineer.do(t, "POST", "/office/building-files/"+f.ID+"/report", formBody(form.Encode()))
	if body := string(r.body); r.status != 200 || !strings.Contains(body, "Front yard measured 2.8 m on site.") || !strings.Contains(body, "2.80 m") {
		t.Fatalf("the report: %d\n%s", r.status, body)
	}
	// The secretary may not grant it: the engineer's figures fail and no
	// relaxation was asked.
	f, _ = env.app.Workflow.Act(env.users[string(domain.RoleAssistantEngineer)].Actor(), f.ID, workflow.Request{Kind: workflow.KindForwarded})
	money, _ := env.app.Finance.OfFile(f.ID)
	env.app.Finance.Collect(domain.Actor{ID: "u-cash", Roles: []domain.Role{domain.RoleCashier}}, money.Demands[0].Number, finance.Payment{Counter: "C1", Amount: money.Balance, Mode: finance.ModeCash})
	_, err = env.app.Workflow.Act(domain.Actor{ID: "u-sec", Roles: []domain.Role{domain.RoleSecretary}}, f.ID, workflow.Request{Kind: workflow.KindApproved})
	if de, ok := err.(*domain.Error); !ok || !strings.Contains(de.Message, "Front yard") {
		t.Errorf("the secretary granted a plan the engineer found failing: %v", err)
	}
}
