package propertytax_test

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/messaging"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// office is a municipality's revenue section, cashier and accountant, and
// an owner with an account, on Monday 7 December 2026.
type office struct {
	app                                            *appliance.Appliance
	pt                                             *propertytax.PropertyTax
	clock                                          *clock
	clerk, inspector, secretary, cashier, accounts domain.Actor
	owner                                          domain.Actor
}

func newOffice(t *testing.T) *office {
	t.Helper()
	lb := synth.DemoLocalBody()
	c := &clock{time.Date(2026, 12, 7, 10, 30, 0, 0, domain.IST)}
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Now: c.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicURL: "https://demo.ksmart.test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tb, err := app.Finance.TrialBalance(domain.Actor{ID: "u-check", Roles: []domain.Role{domain.RoleAccountant}}, "2099-12-31")
		if err != nil || tb.TotalDebit != tb.TotalCredit {
			t.Errorf("the books do not balance: %v against %v (%v)", tb.TotalDebit, tb.TotalCredit, err)
		}
		app.Close()
	})
	u, err := synth.Citizen(app, "9847012345", "Ravi Kumar", "a long enough password 1")
	if err != nil {
		t.Fatal(err)
	}
	staff := func(id string, r domain.Role) domain.Actor {
		return domain.Actor{ID: id, Name: "Officer " + id, Roles: []domain.Role{r}}
	}
	return &office{app: app, pt: app.PropertyTax, clock: c, owner: u.Actor(),
		clerk: staff("u-clerk", domain.RoleSectionClerk), inspector: staff("u-ri", domain.RoleRevenueInspector),
		secretary: staff("u-sec", domain.RoleSecretary), cashier: staff("u-cash", domain.RoleCashier), accounts: staff("u-acc", domain.RoleAccountant)}
}

// house is a 100 m² owner-occupied house in ward 5 built in 2010, every
// adjustment 0%: ₹1,200 a year at the 2023-24 rate, ₹1,323 in 2025-26 and
// ₹1,389 in 2026-27, with 5% service cess.
func (o *office) house(t *testing.T, number, from string) propertytax.Building {
	t.Helper()
	b, err := o.pt.Register(o.inspector, propertytax.Building{Number: number, Ward: 5, Occupancy: "owner",
		Owners:   []propertytax.Owner{{Name: domain.T("Ravi Kumar", "രവി കുമാർ"), Share: 100, Phone: "9847012345"}},
		Floors:   []propertytax.Floor{{Use: propertytax.UseResidential, Area: propertytax.SquareMetres(100)}},
		PlotArea: propertytax.SquareMetres(400), Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2010, TaxedFrom: from,
		Address: domain.T("Thekkedath House, Fort Road", "")})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (o *office) dues(t *testing.T, b propertytax.Building) map[string]propertytax.Due {
	t.Helper()
	ds, err := o.pt.Dues(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]propertytax.Due{}
	for _, d := range ds {
		out[d.Period] = d
	}
	return out
}

func TestPropertyTax_FromAssessmentThroughDemandsInterestAndPayment(t *testing.T) {
	o := newOffice(t)
	b := o.house(t, "5/10", "2025-26/H1")

	// Registered with arrears from 2025-26: a demand a half-year, tax and
	// cess, up to the current one.
	dues := o.dues(t, b)
	want := map[string]domain.Paise{"2025-26/H1": 66150 + 3300, "2025-26/H2": 66150 + 3300, "2026-27/H1": 69450 + 3450, "2026-27/H2": 69450 + 3450}
	if len(dues) != len(want) {
		t.Fatalf("dues %+v, want the four half-years since 2025-26", dues)
	}
	for per, amount := range want {
		if d := dues[per]; d.Amount != amount || d.Interest != 0 || d.Balance != amount {
			t.Errorf("%s: %+v, want %v", per, d, amount)
		}
	}
	if d := dues["2026-27/H2"]; d.DueDate != "2027-03-31" {
		t.Errorf("the second half is due %s", d.DueDate)
	}

	// The half-year's job raises nothing more for it, however often it runs.
	for range 2 {
		job, err := o.pt.RaiseDemands(propertytax.Period{Year: 2026, Half: 2}, domain.System, nil)
		if err != nil || !job.Done || job.Raised != 0 || job.Buildings != 1 {
			t.Fatalf("the job for 2026-27/H2: %+v %v", job, err)
		}
	}

	// On 7 December 2026 the overdue half-years have gathered interest at
	// 2% a month or part, on the instalment, rounded to the rupee: 15
	// months for the half due 30 September 2025 (₹13.89 → ₹14), 9 for the
	// one due 31 March 2026, 3 for the one due 30 September 2026 (₹14.58 →
	// ₹15); the one due 31 March 2027 none.
	n, err := o.pt.AccrueInterest(domain.System)
	if err != nil || n != 15+9+3 {
		t.Fatalf("interest charged for %d months (%v), want 27", n, err)
	}
	dues = o.dues(t, b)
	for per, interest := range map[string]domain.Paise{"2025-26/H1": 15 * 1400, "2025-26/H2": 9 * 1400, "2026-27/H1": 3 * 1500, "2026-27/H2": 0} {
		if d := dues[per]; d.Interest != interest || d.Balance != want[per]+interest {
			t.Errorf("%s: interest %v balance %v, want %v", per, d.Interest, d.Balance, interest)
		}
	}
	if n, _ := o.pt.AccrueInterest(domain.System); n != 0 {
		t.Errorf("charging again charged %d more months", n)
	}

	// A part payment goes to the interest first: ₹100 on the half due 30
	// September 2026 pays its ₹45 of interest and ₹55 of the instalment,
	// so its fourth month (from 31 December) is 2% of ₹674, ₹13.48 → ₹13.
	h1 := dues["2026-27/H1"]
	if _, err := o.app.Finance.Collect(o.cashier, h1.Demand, finance.Payment{Counter: "C1", Amount: 10000, Mode: finance.ModeCash}); err != nil {
		t.Fatal(err)
	}
	o.clock.t = time.Date(2026, 12, 31, 9, 0, 0, 0, domain.IST)
	// 31 December begins a month for the halves due on 30 September
	// 2025 and 2026; the one due 31 March 2026 begins its next on 1 January.
	if n, _ := o.pt.AccrueInterest(domain.System); n != 2 {
		t.Errorf("on 31 December, %d months charged, want 2", n)
	}
	dues = o.dues(t, b)
	if d := dues["2026-27/H1"]; d.Interest != 3*1500+1300 || d.Paid != 10000 {
		t.Errorf("2026-27/H1 after a part payment and a month: %+v, want ₹13 more interest (2%% of ₹673.50)", d)
	}

	// Paid in full, the demand stops gathering interest.
	if _, err := o.app.Finance.Collect(o.cashier, h1.Demand, finance.Payment{Counter: "C1", Amount: dues["2026-27/H1"].Balance, Mode: finance.ModeCash}); err != nil {
		t.Fatal(err)
	}
	o.clock.t = time.Date(2027, 2, 2, 9, 0, 0, 0, domain.IST)
	if _, err := o.pt.AccrueInterest(domain.System); err != nil {
		t.Fatal(err)
	}
	if d := o.dues(t, b)["2026-27/H1"]; d.Balance != 0 || d.Interest != 3*1500+1300 || d.State != finance.StatePaid {
		t.Errorf("after full payment: %+v", d)
	}

	// Paying more than a half-year owes, or on a building's period not
	// demanded, is refused.
	if _, err := o.app.Finance.Collect(o.cashier, h1.Demand, finance.Payment{Counter: "C1", Amount: 100, Mode: finance.ModeCash}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("paying a settled half-year again: %v", err)
	}
}

func TestPropertyTax_ANewBuildingIsAssessedNumberedAndDemandedFromTheHalfYearAfterCompletion(t *testing.T) {
	o := newOffice(t)
	o.house(t, "5/10", "")
	f, err := o.app.Workflow.Submit(o.owner, workflow.Submission{Service: "property_tax_assessment", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Ravi Kumar", "")},
		Uploads:   map[string]workflow.Upload{"title_deed": pdf, "possession_certificate": pdf, "occupancy_certificate": pdf},
		Values: map[string]string{"permit_number": "BP/2025/77", "occupancy_number": "OC/2026/12", "owner_name_en": "Ravi Kumar", "owner_address": "Kizhakkethil, Fort Road",
			"ward": "5", "survey_number": "123/4", "building_kind": "house", "occupancy": "rented", "usage": "residential", "plinth_area_sqm": "150.5",
			"other_use": "commercial", "other_use_area_sqm": "30", "floors": "2", "plot_area_sqm": "250", "roof_type": "concrete", "road": "main_road",
			"completed_on": "2026-05-10", "phone": "9847012345"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		by   domain.Actor
		kind string
	}{{o.clerk, workflow.KindForwarded}, {o.inspector, workflow.KindForwarded}, {o.secretary, workflow.KindApproved}, {o.secretary, workflow.KindIssued}} {
		if f, err = o.app.Workflow.Act(step.by, f.ID, workflow.Request{Kind: step.kind, Note: "Measured on site; as applied."}); err != nil {
			t.Fatalf("%s: %v", step.kind, err)
		}
	}
	// Ward 5's next door number after 5/10.
	if f.Values["allotted_numbers"] != "5/11" {
		t.Fatalf("allotted %q", f.Values["allotted_numbers"])
	}
	b, err := o.pt.Building("5/11")
	if err != nil || b.TaxedFrom != "2026-27/H2" || len(b.Floors) != 2 || !b.OwnedBy(o.owner.ID) {
		t.Fatalf("the new building: %+v %v", b, err)
	}
	// 120.5 m² home and 30 m² shop, rented (+10%) on a main road (+10%):
	// (120.5 × ₹12 + 30 × ₹50) × 120% = ₹3,535.20, × 1.05³ for 2026-27 =
	// ₹4,092.44 → ₹4,092; cess ₹204.60 → ₹205. Completed in May, it is
	// taxed from the second half.
	dues := o.dues(t, b)
	if len(dues) != 1 || dues["2026-27/H2"].Amount != 204600+10250 {
		t.Errorf("the new building's demands: %+v, want only 2026-27/H2 of ₹2,046 + ₹102.50", dues)
	}
	_, order, err := o.app.Workflow.Issued(o.owner, f.ID)
	if err != nil || !strings.HasPrefix(string(order), "%PDF") {
		t.Fatalf("the assessment order: %v", err)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		path := filepath.Join(t.TempDir(), "order.pdf")
		os.WriteFile(path, order, 0o600)
		out, _ := exec.Command("pdftotext", path, "-").Output()
		for _, want := range []string{"5/11", "₹4,092.00", "₹205.00", "2026-27/H2"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the order does not say %q:\n%s", want, out)
			}
		}
	}
}

var pdf = workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")}

// apply takes a file from submission to issue, each desk in turn, the
// fee paid at the counter before the issue.
func (o *office) apply(t *testing.T, service string, values map[string]string, uploads ...string) workflow.File {
	t.Helper()
	docs := map[string]workflow.Upload{}
	for _, u := range uploads {
		docs[u] = pdf
	}
	f, err := o.app.Workflow.Submit(o.owner, workflow.Submission{Service: service, Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Ravi Kumar", ""), Phone: "9847012345"}, Uploads: docs, Values: values})
	if err != nil {
		t.Fatalf("%s: %v", service, err)
	}
	svc, _ := o.app.Catalogue.Get(service)
	by := map[domain.Role]domain.Actor{domain.RoleSectionClerk: o.clerk, domain.RoleRevenueInspector: o.inspector, domain.RoleSecretary: o.secretary}
	for i, step := range svc.Steps {
		kind := workflow.KindForwarded
		if i == len(svc.Steps)-1 {
			kind = workflow.KindApproved
		}
		if f, err = o.app.Workflow.Act(by[step.Role], f.ID, workflow.Request{Kind: kind, Note: "Verified at the building; allowed."}); err != nil {
			t.Fatalf("%s %s: %v", service, kind, err)
		}
	}
	money, err := o.app.Finance.OfFile(f.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range money.Demands {
		if d.Balance() > 0 {
			if _, err := o.app.Workflow.Act(o.secretary, f.ID, workflow.Request{Kind: workflow.KindIssued}); domain.ErrorCode(err) != domain.ECONFLICT {
				t.Errorf("%s issued with %v unpaid: %v", service, d.Balance(), err)
			}
			if _, err := o.app.Finance.Collect(o.cashier, d.Number, finance.Payment{Counter: "C1", Amount: d.Balance(), Mode: finance.ModeCash}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if f, err = o.app.Workflow.Act(o.secretary, f.ID, workflow.Request{Kind: workflow.KindIssued}); err != nil {
		t.Fatalf("%s issue: %v", service, err)
	}
	return f
}

func TestPropertyTax_ServicesChangeTheRegister(t *testing.T) {
	o := newOffice(t)
	o.house(t, "5/10", "")
	base := map[string]string{"building_number": "5/10", "ward": "5", "owner_name_en": "Ravi Kumar", "phone": "9847012345"}
	with := func(kv ...string) map[string]string {
		v := map[string]string{}
		for k, x := range base {
			v[k] = x
		}
		for i := 0; i < len(kv); i += 2 {
			v[kv[i]] = kv[i+1]
		}
		return v
	}

	// A floor added in July and reported in December: reassessed, with
	// the fine of ₹1,000 or the year's tax, whichever is higher, to pay
	// before the order issues.
	f := o.apply(t, "property_tax_reassessment", with("change_kind", "addition", "change_date", "2026-07-01", "usage", "residential",
		"plinth_area_sqm", "160", "floors", "2"), "change_evidence")
	if b, _ := o.pt.Building("5/10"); b.PlinthArea() != propertytax.SquareMetres(160) || b.Version != 2 {
		t.Errorf("after the reassessment: %+v", b)
	}
	// 160 m² × ₹12 × 1.05³ = ₹2,222.64 → ₹2,223 a year: the fine is that.
	if f.Values["fine_paise"] != "222300" || f.Values["annual_tax_paise"] != "233400" {
		t.Errorf("the reassessment's fine %s and new tax %s, want ₹2,223 and ₹2,334 with cess", f.Values["fine_paise"], f.Values["annual_tax_paise"])
	}

	// The owner's self-assessment: now rented.
	o.apply(t, "self_assessment_return", with("occupancy", "rented", "usage", "residential", "plinth_area_sqm", "160", "floors", "2",
		"roof_type", "concrete", "road", "other_road"), "tax_receipt")
	if b, _ := o.pt.Building("5/10"); b.Occupancy != "rented" {
		t.Errorf("after the return: %+v", b)
	}

	// A revision petition that the area is 150 m², allowed.
	o.apply(t, "property_tax_revision", with("assessment_order", "KS/DEMO01/2026/PTX/1", "notice_date", "2026-11-20",
		"grounds", "The verandah was measured as a room.", "claimed_plinth_area_sqm", "150"), "assessment_notice")
	if b, _ := o.pt.Building("5/10"); b.PlinthArea() != propertytax.SquareMetres(150) {
		t.Errorf("after the revision: %v", b.PlinthArea())
	}

	// A certificate of ownership: the fee first, then the certificate.
	f = o.apply(t, "ownership_certificate", with("purpose", "Bank loan"), "tax_receipt")
	if f.Issued == nil || f.Issued.Kind != "certificate" {
		t.Errorf("the ownership certificate: %+v", f.Issued)
	}

	// A mutation to the buyer on a registered deed: the owners change when
	// the order issues, after the council's fee.
	f = o.apply(t, "ownership_change", with("present_owner_en", "Ravi Kumar", "new_owner_en", "Sreeja Menon", "new_owner_address", "Menon House",
		"transfer_kind", "sale", "deed_number", "1234/2026", "deed_date", "2026-11-02", "sub_registry", "Fort Kochi"), "deed", "possession_certificate", "tax_receipt")
	if b, _ := o.pt.Building("5/10"); len(b.Owners) != 1 || b.Owners[0].Name.En != "Sreeja Menon" {
		t.Errorf("after the mutation the owners are %+v", b.Owners)
	}
	if m, _ := o.app.Finance.OfFile(f.ID); m.Paid != 10000 {
		t.Errorf("the mutation fee paid: %v, want the council's ₹100", m.Paid)
	}

	// The former owner can no longer apply about it.
	_, err := o.app.Workflow.Submit(o.owner, workflow.Submission{Service: "ownership_certificate", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Ravi Kumar", "")}, Uploads: map[string]workflow.Upload{"tax_receipt": pdf}, Values: with("purpose", "Loan")})
	if de, ok := err.(*domain.Error); !ok || !strings.Contains(de.Fields["owner_name"].En, `does not name "Ravi Kumar" as an owner of 5/10`) {
		t.Errorf("a certificate for a former owner: %v", err)
	}

	// Demolished: no more demands after; what is owed stays.
	base["owner_name_en"] = "Sreeja Menon"
	o.apply(t, "assessment_deletion", with("demolished_on", "2026-12-01", "demolition_permit", "DP/2026/3"), "tax_receipt")
	if b, _ := o.pt.Building("5/10"); b.Status != propertytax.StatusDemolished {
		t.Errorf("after the deletion: %s", b.Status)
	}
	o.clock.t = time.Date(2027, 4, 2, 10, 0, 0, 0, domain.IST)
	job, err := o.pt.RaiseDemands(propertytax.Period{Year: 2027, Half: 1}, domain.System, nil)
	if err != nil || job.Raised != 0 {
		t.Errorf("the 2027-28/H1 job demanded %d of a demolished building (%v)", job.Raised, err)
	}
}

func TestPropertyTax_AnExemptedBuildingIsNotDemandedFromTheNextHalfYear(t *testing.T) {
	o := newOffice(t)
	o.house(t, "5/10", "")
	o.apply(t, "property_tax_exemption", map[string]string{"building_number": "5/10", "ward": "5", "owner_name_en": "Ravi Kumar", "phone": "9847012345",
		"ground": "religious_worship", "details": "A prayer hall open to all."}, "eligibility_proof")
	o.clock.t = time.Date(2027, 4, 2, 10, 0, 0, 0, domain.IST)
	job, err := o.pt.RaiseDemands(propertytax.Period{Year: 2027, Half: 1}, domain.System, nil)
	if err != nil || job.Raised != 0 || job.Exempt != 1 {
		t.Errorf("the job after the exemption: %+v %v", job, err)
	}
}

func TestPropertyTax_BadApplicationsAreRefusedFieldByFieldAndWriteNothing(t *testing.T) {
	o := newOffice(t)
	o.house(t, "5/10", "")
	before := o.app.Store.LastSeq()
	for _, c := range []struct {
		name, service string
		values        map[string]string
		field, says   string
	}{
		{"a building not in the register", "ownership_certificate", map[string]string{"building_number": "5/999", "ward": "5", "owner_name_en": "Ravi Kumar", "purpose": "Loan", "phone": "9847012345"},
			"building_number", "no building 5/999 in the register"},
		{"a number that is not one", "ownership_certificate", map[string]string{"building_number": "nonsense", "ward": "5", "owner_name_en": "Ravi Kumar", "purpose": "Loan", "phone": "9847012345"},
			"building_number", "is not a building number"},
		{"the wrong ward", "ownership_certificate", map[string]string{"building_number": "5/10", "ward": "6", "owner_name_en": "Ravi Kumar", "purpose": "Loan", "phone": "9847012345"},
			"ward", "is in ward 5, not ward 6"},
		{"someone else's building", "building_age_certificate", map[string]string{"building_number": "5/10", "ward": "5", "owner_name_en": "Somebody Else", "purpose": "Loan", "phone": "9847012345"},
			"owner_name", "does not name"},
		{"a plinth 50× its plot", "property_tax_assessment", map[string]string{"permit_number": "BP/1", "occupancy_number": "OC/1", "owner_name_en": "Ravi Kumar",
			"owner_address": "Fort Road", "ward": "5", "survey_number": "1/1", "building_kind": "house", "occupancy": "owner", "usage": "residential",
			"plinth_area_sqm": "900", "floors": "3", "plot_area_sqm": "10", "roof_type": "concrete", "road": "other_road", "completed_on": "2026-01-01", "phone": "9847012345"},
			"plinth_area_sqm", "more than 50 times the plot"},
		{"a mutation without the deed's sub-registry", "ownership_change", map[string]string{"building_number": "5/10", "ward": "5", "present_owner_en": "Ravi Kumar",
			"new_owner_en": "Sreeja Menon", "new_owner_address": "Menon House", "transfer_kind": "sale", "deed_number": "1/2026", "deed_date": "2026-11-02", "phone": "9847012345"},
			"sub_registry", ""},
	} {
		_, err := o.app.Workflow.Submit(o.owner, workflow.Submission{Service: c.service, Channel: workflow.ChannelOnline,
			Applicant: workflow.Applicant{Name: domain.T("Ravi Kumar", "")}, Values: c.values,
			Uploads: map[string]workflow.Upload{"tax_receipt": pdf, "title_deed": pdf, "possession_certificate": pdf, "occupancy_certificate": pdf, "deed": pdf}})
		de, ok := err.(*domain.Error)
		if !ok || de.Fields[c.field].En == "" || de.Fields[c.field].Ml == "" || !strings.Contains(de.Fields[c.field].En, c.says) {
			t.Errorf("%s: %v %v, want the field %s to say %q in both languages", c.name, err, fieldsOf(err), c.field, c.says)
		}
	}
	// A second building under a number in use.
	if _, err := o.pt.Register(o.inspector, propertytax.Building{Number: "5/10", Ward: 5, Occupancy: "owner",
		Owners: []propertytax.Owner{{Name: domain.T("X", ""), Share: 100}}, Floors: []propertytax.Floor{{Use: "residential", Area: 10000}},
		PlotArea: 20000, Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2000}); err == nil || !strings.Contains(fieldsOf(err), "already in the register") {
		t.Errorf("a second building 5/10: %v %v", err, fieldsOf(err))
	}
	if after := o.app.Store.LastSeq(); after != before {
		t.Errorf("refusals wrote %d events", after-before)
	}
}

func fieldsOf(err error) string {
	de, ok := err.(*domain.Error)
	if !ok {
		return ""
	}
	var parts []string
	for k, v := range de.Fields {
		parts = append(parts, k+": "+v.En)
	}
	return strings.Join(parts, "; ")
}

func TestPropertyTax_AnOwnerClaimsTheirBuildingAndIsRemindedOnceBeforeTheDueDate(t *testing.T) {
	o := newOffice(t)
	mine := o.house(t, "5/10", "")
	theirs, err := o.pt.Register(o.inspector, propertytax.Building{Number: "5/11", Ward: 5, Occupancy: "owner",
		Owners: []propertytax.Owner{{Name: domain.T("Biju Thomas", ""), Share: 100, Phone: "9847099999"}},
		Floors: []propertytax.Floor{{Use: "residential", Area: propertytax.SquareMetres(90)}}, PlotArea: propertytax.SquareMetres(300),
		Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2000})
	if err != nil {
		t.Fatal(err)
	}
	// The register has Ravi's mobile for 5/10, not for 5/11.
	if _, err := o.pt.Claim(o.owner, theirs.Number); domain.ErrorCode(err) != domain.EFORBIDDEN || !strings.Contains(domain.ErrorMessage(err), "revenue section") {
		t.Errorf("claiming another's building: %v", err)
	}
	if b, err := o.pt.Claim(o.owner, mine.Number); err != nil || !b.OwnedBy(o.owner.ID) {
		t.Fatalf("claiming his own: %+v %v", b, err)
	}
	if bs, _ := o.pt.ClaimedBy(o.owner.ID); len(bs) != 1 || bs[0].Number != "5/10" {
		t.Errorf("his buildings: %+v", bs)
	}

	// Twenty days before 31 March no reminder; fifteen days before, one,
	// saying what is owed; the next run none again.
	o.clock.t = time.Date(2027, 3, 11, 9, 0, 0, 0, domain.IST)
	if n, _ := o.pt.Remind(); n != 0 {
		t.Errorf("20 days before the due date %d reminders went", n)
	}
	o.clock.t = time.Date(2027, 3, 16, 9, 0, 0, 0, domain.IST)
	if n, err := o.pt.Remind(); n != 1 || err != nil {
		t.Fatalf("15 days before: %d reminders (%v), want 1 (only the claimed building's owner has an account)", n, err)
	}
	if n, _ := o.pt.Remind(); n != 0 {
		t.Errorf("a second run sent %d more", n)
	}
	msgs, _ := messaging.Inbox(o.app.Store, o.owner.ID, 0)
	if len(msgs) == 0 || !strings.Contains(msgs[0].Subject.En, "Property tax due by 31-03-2027") || !strings.Contains(msgs[0].Body.En, "₹729.00 is owed on building 5/10") {
		t.Errorf("the reminder: %+v", msgs[0])
	}
}
