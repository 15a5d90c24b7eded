package building_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/building"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// office is the demo municipality's engineering section on Monday
// 7 December 2026, with an owner who signed up.
type office struct {
	app                                               *appliance.Appliance
	clock                                             *clock
	front, overseer, engineer, secretary, cashier, ri domain.Actor
	owner                                             domain.Actor
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
	return &office{app: app, clock: c, owner: u.Actor(), front: staff("u-fo", domain.RoleFrontOffice), overseer: staff("u-ov", domain.RoleOverseer),
		engineer: staff("u-ae", domain.RoleAssistantEngineer), secretary: staff("u-sec", domain.RoleSecretary), cashier: staff("u-cash", domain.RoleCashier),
		ri: staff("u-ri", domain.RoleRevenueInspector)}
}

var pdf = workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")}

func photo(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// permitForm is the 180 m² house of TestScrutiny, applied for in ward 3.
func permitForm() map[string]string {
	return map[string]string{
		"owner_name_en": "Ravi Kumar", "owner_name_ml": "രവി കുമാർ", "owner_address": "Thekkedath House, Fort Road", "phone": "9847012345",
		"ward": "3", "survey_number": "123/4", "village": "Fort Kochi", "plot_area_sqm": "400", "built_up_area_sqm": "180",
		"footprint_sqm": "95", "floors": "2", "height_m": "7", "occupancy": "a1_residential", "work": "new",
		"road_width_m": "5", "front_m": "4", "rear_m": "2", "left_m": "1.5", "right_m": "1.2",
		"licensee_name": "Anil Kumar", "licensee_number": "E-1234",
	}
}

func (o *office) submit(t *testing.T, service string, values map[string]string, uploads map[string]workflow.Upload) (workflow.File, error) {
	t.Helper()
	return o.app.Workflow.Submit(o.owner, workflow.Submission{Service: service, Values: values, Uploads: uploads, Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Ravi Kumar", "രവി കുമാർ"), Phone: "9847012345"}})
}

func (o *office) act(t *testing.T, by domain.Actor, f workflow.File, kind, note string) workflow.File {
	t.Helper()
	f, err := o.app.Workflow.Act(by, f.ID, workflow.Request{Kind: kind, Note: note})
	if err != nil {
		t.Fatalf("%s on %s by %s: %v", kind, f.Number, by.ID, err)
	}
	return f
}

// payAll pays every demand on a file at the counter.
func (o *office) payAll(t *testing.T, f workflow.File) domain.Paise {
	t.Helper()
	m, err := o.app.Finance.OfFile(f.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Demands {
		if d.Balance() > 0 {
			if _, err := o.app.Finance.Collect(o.cashier, d.Number, finance.Payment{Counter: "C1", Amount: d.Balance(), Mode: finance.ModeCash}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return m.Amount
}

func (o *office) inspect(t *testing.T, f workflow.File) {
	t.Helper()
	if _, err := o.app.Building.Inspect(o.overseer, f.ID, building.InspectionInput{Latitude: 9.9658, Longitude: 76.2421,
		Findings: "Site as in the plan; boundary stones seen; road 5 m wide.", Photos: [][]byte{photo(t)}}); err != nil {
		t.Fatal(err)
	}
}

func TestPermit_FromApplicationThroughOccupancyToTheBuildingsFirstPropertyTaxDemand(t *testing.T) {
	o := newOffice(t)
	uploads := map[string]workflow.Upload{"plan": pdf, "site_plan": pdf, "title_deed": pdf, "possession_certificate": pdf, "land_tax_receipt": pdf}
	f, err := o.submit(t, building.SvcPermit, permitForm(), uploads)
	if err != nil {
		t.Fatal(err)
	}
	if f.Fee != domain.Rupees(300) {
		t.Errorf("the application fee is %v, want Rs 300 for a house up to 300 m²", f.Fee)
	}
	// The application fee is paid on applying; nothing can be decided
	// before, and the secretary cannot approve without the inspection and
	// the engineer's report.
	o.payAll(t, f)
	f = o.act(t, o.front, f, workflow.KindForwarded, "")
	if _, err := o.app.Building.ReportScrutiny(o.engineer, f.ID, building.Plan{}, "too early"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("the engineer reported on a file on the overseer's desk: %v", err)
	}
	if _, err := o.app.Building.Inspect(o.overseer, f.ID, building.InspectionInput{Latitude: 25.2, Longitude: 55.3, Findings: "Site as in the plan.", Photos: [][]byte{photo(t)}}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("an inspection located in Dubai was taken: %v", err)
	}
	o.inspect(t, f)
	f = o.act(t, o.overseer, f, workflow.KindForwarded, "")
	// The engineer verifies the figures: the rear yard is 1.8 m on site.
	plan := building.PlanInput{Use: "a1_residential", PlotArea: 400, FloorArea: 180, Footprint: 95, Floors: 2, Height: 7, RoadWidth: 5, Front: 4, Rear: 1.8, Left: 1.5, Right: 1.2}.Plan()
	rep, err := o.app.Building.ReportScrutiny(o.engineer, f.ID, plan, "Verified on the drawings; rear yard 1.8 m as measured on site.")
	if err != nil || !rep.Result.Pass {
		t.Fatalf("report %+v: %v", rep.Result.Failing(), err)
	}
	f = o.act(t, o.engineer, f, workflow.KindForwarded, "")
	f = o.act(t, o.secretary, f, workflow.KindApproved, "Permit granted on the engineer's report.")
	permitNumber := f.Record
	if !strings.HasPrefix(permitNumber, "DEMO01-BP-2026-") {
		t.Fatalf("permit number %q", permitNumber)
	}
	// The permit fee, 180 m² at Rs 60 in a municipality, is demanded on
	// approval; the permit is printed once it is paid.
	if _, err := o.app.Workflow.Act(o.secretary, f.ID, workflow.Request{Kind: workflow.KindIssued}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("the permit was printed with its fee unpaid: %v", err)
	}
	if total := o.payAll(t, f); total != domain.Rupees(300+180*60) {
		t.Errorf("the file's demands come to %v, want the application fee and Rs 10,800", total)
	}
	f = o.act(t, o.secretary, f, workflow.KindIssued, "")
	if f.Issued == nil || f.Issued.Number != permitNumber {
		t.Fatalf("issued %+v", f.Issued)
	}
	_, permitPDF, err := o.app.Workflow.Issued(o.owner, f.ID)
	if err != nil || !bytes.HasPrefix(permitPDF, []byte("%PDF")) {
		t.Fatalf("the permit PDF: %v", err)
	}
	if dir := os.Getenv("KSMART_EVIDENCE_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, "permit.pdf"), permitPDF, 0o644)
	}
	p, err := o.app.Building.Permit(permitNumber)
	if err != nil || p.Status != building.StatusIssued || p.Plan.Rear != 180 || !p.ValidUntil.Equal(o.clock.t.AddDate(5, 0, 0)) {
		t.Fatalf("the register holds %+v (%v)", p, err)
	}

	// Its QR code verifies on /verify; an altered code does not.
	v, err := o.app.Building.Verify(permitNumber, "", "", nil)
	if err != nil || !v.Found || v.Checked || !v.Genuine() {
		t.Fatalf("looked up by number: %+v %v", v, err)
	}
	qr := qrOf(t, o, f)
	v, _ = o.app.Building.Verify(permitNumber, qr.Get("d"), qr.Get("s"), nil)
	if !v.Checked || !v.Genuine() {
		t.Errorf("the permit's own code does not verify: %+v", v.Problem)
	}
	v, _ = o.app.Building.Verify(permitNumber, qr.Get("d"), "A"+qr.Get("s")[1:], nil)
	if v.Genuine() || v.Problem.En == "" {
		t.Error("an altered code verifies")
	}

	// The owner reports the work begun, once, on a date the permit allows.
	if _, err := o.app.Building.Commence(o.owner, permitNumber, "2026-12-08"); !fieldNamed(err, "commenced_on") {
		t.Errorf("commencement tomorrow was taken: %v", err)
	}
	if p, err := o.app.Building.Commence(o.owner, permitNumber, "2026-12-07"); err != nil || p.Commenced != "2026-12-07" {
		t.Fatalf("commencement: %+v %v", p, err)
	}
	if _, err := o.app.Building.Commence(o.ri, permitNumber, "2026-12-07"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("someone else recorded the commencement: %v", err)
	}

	// Completed on 1 December 2026, 178 m² as built; inspected, certified.
	oc, err := o.submit(t, building.SvcOccupancy, map[string]string{"permit_number": permitNumber, "permit_date": "2026-12-07", "completed_on": "2026-12-07",
		"owner_name_en": "Ravi Kumar", "phone": "9847012345", "ward": "3", "built_up_area_sqm": "178", "deviations": "Kitchen 2 m² smaller.",
		"occupied_by": "owner", "roof_type": "concrete", "road": "other_road"},
		map[string]workflow.Upload{"completion_plan": pdf, "completion_certificate": pdf, "permit_copy": pdf})
	if err != nil {
		t.Fatal(err)
	}
	oc = o.act(t, o.front, oc, workflow.KindForwarded, "")
	o.inspect(t, oc)
	oc = o.act(t, o.overseer, oc, workflow.KindForwarded, "")
	oc = o.act(t, o.engineer, oc, workflow.KindForwarded, "")
	oc = o.act(t, o.secretary, oc, workflow.KindApproved, "Completed as permitted.")
	number := oc.Values["building_number"]
	if number != "3/1" {
		t.Fatalf("the building got the number %q, want the ward's first, 3/1", number)
	}
	oc = o.act(t, o.secretary, oc, workflow.KindIssued, "")
	if oc.Issued == nil || !strings.HasPrefix(oc.Issued.Number, "DEMO01-OC-2026-") {
		t.Fatalf("the occupancy certificate: %+v", oc.Issued)
	}
	if dir := os.Getenv("KSMART_EVIDENCE_DIR"); dir != "" {
		_, data, _ := o.app.Workflow.Issued(o.owner, oc.ID)
		os.WriteFile(filepath.Join(dir, "occupancy.pdf"), data, 0o644)
	}
	if p, _ := o.app.Building.Permit(permitNumber); p.Status != building.StatusOccupied || p.Occupancy.BuildingNumber != number {
		t.Errorf("the permit after occupancy: %+v", p)
	}

	// The register has the building, the owner's, taxed from the next
	// half-year: no demand yet in December; April's job raises its first.
	b, err := o.app.PropertyTax.Building(number)
	if err != nil || b.PlinthArea() != propertytax.SquareMetres(178) || b.TaxedFrom != "2027-28/H1" || !b.OwnedBy(o.owner.ID) {
		t.Fatalf("the register holds %+v: %v", b, err)
	}
	if dues, _ := o.app.PropertyTax.Dues(b.ID); len(dues) != 0 {
		t.Fatalf("demanded before it is taxed: %+v", dues)
	}
	o.clock.t = time.Date(2027, 4, 2, 10, 0, 0, 0, domain.IST)
	if _, err := o.app.PropertyTax.RaiseDemands(propertytax.Period{Year: 2027, Half: 1}, domain.System, nil); err != nil {
		t.Fatal(err)
	}
	dues, err := o.app.PropertyTax.Dues(b.ID)
	if err != nil || len(dues) != 1 || dues[0].Period != "2027-28/H1" || dues[0].Amount <= 0 {
		t.Fatalf("the building's first demand: %+v %v", dues, err)
	}
}

func qrOf(t *testing.T, o *office, f workflow.File) url.Values {
	t.Helper()
	link, err := o.app.Building.VerifyURL(f.Issued.Number)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, "https://demo.ksmart.test/verify/"+f.Issued.Number+"?") {
		t.Fatalf("the QR code's link %q: %v", link, err)
	}
	return u.Query()
}

func lowRiskForm() map[string]string {
	v := permitForm()
	delete(v, "work")
	for _, d := range building.Declarations {
		v[d.Field] = "yes"
	}
	return v
}

func TestLowRisk_ASmallHouseGetsItsPermitTheSameDayOnSelfCertification(t *testing.T) {
	o := newOffice(t)
	uploads := map[string]workflow.Upload{"plan": pdf, "self_certificate": pdf, "title_deed": pdf, "possession_certificate": pdf, "land_tax_receipt": pdf}

	// Without the paddy land declaration, no permit on self-certification.
	v := lowRiskForm()
	delete(v, "not_paddy_wetland")
	if _, err := o.submit(t, building.SvcLowRisk, v, uploads); err == nil || !fieldNamed(err, "not_paddy_wetland") {
		t.Errorf("taken without the paddy land and wetland declaration: %v", err)
	}
	// An 8 m house is not low-risk: told why, and to apply for a permit.
	v = lowRiskForm()
	v["height_m"] = "8"
	if _, err := o.submit(t, building.SvcLowRisk, v, uploads); err == nil || !fieldNamed(err, "occupancy") {
		t.Errorf("an 8 m house was taken as low-risk: %v", err)
	}

	f, err := o.submit(t, building.SvcLowRisk, lowRiskForm(), uploads)
	if err != nil {
		t.Fatal(err)
	}
	if f.Fee != domain.Rupees(300+180*60) {
		t.Errorf("fees %v, want the application fee and the permit fee together", f.Fee)
	}
	o.payAll(t, f)
	f = o.act(t, o.front, f, workflow.KindForwarded, "")
	f = o.act(t, o.secretary, f, workflow.KindApproved, "")
	f = o.act(t, o.secretary, f, workflow.KindIssued, "")
	p, err := o.app.Building.Permit(f.Record)
	if err != nil || !p.LowRisk || p.Status != building.StatusIssued || !p.Granted.Equal(f.Submitted) {
		t.Fatalf("the same-day permit: %+v %v", p, err)
	}
	if f.Due.After(o.app.Calendar.AddWorkingDays(f.Submitted, 1)) {
		t.Errorf("due %v: a low-risk permit is due within a day", f.Due)
	}
}

func fieldNamed(err error, field string) bool {
	de, ok := err.(*domain.Error)
	if !ok {
		return false
	}
	t, ok := de.Fields[field]
	return ok && t.En != "" && t.Ml != ""
}

func TestPermit_AFailingPlanIsTakenOnlyAsARequestForRelaxationAndRefusedWithItsReasons(t *testing.T) {
	o := newOffice(t)
	uploads := map[string]workflow.Upload{"plan": pdf, "site_plan": pdf, "title_deed": pdf, "possession_certificate": pdf, "land_tax_receipt": pdf}
	v := permitForm()
	v["front_m"] = "2.5"
	_, err := o.submit(t, building.SvcPermit, v, uploads)
	if !fieldNamed(err, "relaxation") || !strings.Contains(err.(*domain.Error).Fields["relaxation"].En, "Front yard") {
		t.Fatalf("a plan with a 2.5 m front yard was taken, or its failing check not named: %v", err)
	}
	v["relaxation"], v["relaxation_reason"] = "yes", "The plot is 15 m deep; the old house stood 2.5 m from the road."
	f, err := o.submit(t, building.SvcPermit, v, uploads)
	if err != nil {
		t.Fatal(err)
	}
	o.payAll(t, f)
	f = o.act(t, o.front, f, workflow.KindForwarded, "")
	o.inspect(t, f)
	f = o.act(t, o.overseer, f, workflow.KindForwarded, "")
	if _, err := o.app.Building.ReportScrutiny(o.engineer, f.ID, building.PlanInput{Use: "a1_residential", PlotArea: 400, FloorArea: 180, Footprint: 95, Floors: 2, Height: 7, RoadWidth: 5, Front: 2.5, Rear: 2, Left: 1.5, Right: 1.2}.Plan(), "Front yard 2.5 m as drawn."); err != nil {
		t.Fatal(err)
	}
	f = o.act(t, o.engineer, f, workflow.KindForwarded, "")
	f = o.act(t, o.secretary, f, workflow.KindRejected, "Refused: the front yard is 2.50 m where KMBR 2019 r.23 requires 3.00 m; no ground for relaxation.")
	if f.Status != workflow.StatusRejected || !strings.Contains(f.Reason, "3.00 m") {
		t.Errorf("refused %s with %q", f.Status, f.Reason)
	}
}

func TestRenewal_ExtendsThePermitOnceForItsFeeAndReplacesItsDocument(t *testing.T) {
	o := newOffice(t)
	uploads := map[string]workflow.Upload{"plan": pdf, "self_certificate": pdf, "title_deed": pdf, "possession_certificate": pdf, "land_tax_receipt": pdf}
	f, err := o.submit(t, building.SvcLowRisk, lowRiskForm(), uploads)
	if err != nil {
		t.Fatal(err)
	}
	o.payAll(t, f)
	f = o.act(t, o.front, f, workflow.KindForwarded, "")
	f = o.act(t, o.secretary, f, workflow.KindApproved, "")
	f = o.act(t, o.secretary, f, workflow.KindIssued, "")
	number := f.Record
	was, _ := o.app.Building.Permit(number)

	// Four and a half years on, the work is not done: renewed for 10% of
	// the Rs 10,800 permit fee, at least Rs 300 (Rs 1,080).
	o.clock.t = o.clock.t.AddDate(4, 6, 0)
	renew := map[string]string{"permit_number": number, "permit_date": "2026-12-07", "owner_name_en": "Ravi Kumar", "phone": "9847012345", "ward": "3",
		"work_status": "in_progress", "reason": "Funds ran short after the first floor."}
	r, err := o.submit(t, building.SvcRenewal, renew, map[string]workflow.Upload{"permit_copy": pdf})
	if err != nil {
		t.Fatal(err)
	}
	if r.Fee != domain.Rupees(1080) {
		t.Errorf("renewal fee %v, want Rs 1,080", r.Fee)
	}
	o.payAll(t, r)
	clerk := domain.Actor{ID: "u-clerk", Roles: []domain.Role{domain.RoleSectionClerk}}
	r = o.act(t, clerk, r, workflow.KindForwarded, "")
	r = o.act(t, o.engineer, r, workflow.KindForwarded, "")
	r = o.act(t, o.secretary, r, workflow.KindApproved, "")
	r = o.act(t, o.secretary, r, workflow.KindIssued, "")
	p, _ := o.app.Building.Permit(number)
	if !p.ValidUntil.Equal(was.ValidUntil.AddDate(5, 0, 0)) || p.Renewals != 1 || r.Issued.Number != number+"-R1" {
		t.Errorf("renewed until %v (was %v), renewals %d, document %s", p.ValidUntil, was.ValidUntil, p.Renewals, r.Issued.Number)
	}
	if v, _ := o.app.Building.Verify(number, "", "", nil); v.Genuine() {
		t.Error("the permit as first printed still verifies as the one in force")
	}
	if v, _ := o.app.Building.Verify(number+"-R1", "", "", nil); !v.Genuine() {
		t.Errorf("the renewal does not verify: %+v", v.Problem)
	}
	if _, err := o.submit(t, building.SvcRenewal, renew, map[string]workflow.Upload{"permit_copy": pdf}); !fieldNamed(err, "permit_number") {
		t.Errorf("a second renewal was taken: %v", err)
	}
}
