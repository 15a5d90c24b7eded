package licence_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/licence"
	"ksmart/appliance/messaging"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// day moves the clock to n days after start, at 11:00.
func (c *clock) day(start time.Time, n int) { c.t = start.AddDate(0, 0, n) }

// office is a municipality's licence section (clerk, health inspector,
// secretary), its cashier, and a shopkeeper with an account, whose shop
// is building 5/120 of the property tax register.
type office struct {
	app                                  *appliance.Appliance
	lic                                  *licence.Licences
	clock                                *clock
	clerk, inspector, secretary, cashier domain.Actor
	shopkeeper                           domain.Actor
}

func newOffice(t *testing.T, at time.Time) *office {
	t.Helper()
	lb := synth.DemoLocalBody()
	c := &clock{at}
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
	u, err := synth.Citizen(app, "9847012345", "Lakshmi Nair", "a long enough password 1")
	if err != nil {
		t.Fatal(err)
	}
	staff := func(id string, r domain.Role) domain.Actor {
		return domain.Actor{ID: id, Name: "Officer " + id, Roles: []domain.Role{r}}
	}
	o := &office{app: app, lic: app.Licences, clock: c, shopkeeper: u.Actor(),
		clerk: staff("u-clerk", domain.RoleSectionClerk), inspector: staff("u-hi", domain.RoleHealthInspector),
		secretary: staff("u-sec", domain.RoleSecretary), cashier: staff("u-cash", domain.RoleCashier)}
	if _, err := app.PropertyTax.Register(staff("u-ri", domain.RoleRevenueInspector), propertytax.Building{Number: "5/120", Ward: 5, Occupancy: "owner",
		Owners:   []propertytax.Owner{{Name: domain.T("Lakshmi Nair", "ലക്ഷ്മി നായർ"), Share: 100, Phone: "9847012345"}},
		Floors:   []propertytax.Floor{{Use: propertytax.UseCommercial, Area: propertytax.SquareMetres(90)}},
		PlotArea: propertytax.SquareMetres(200), Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2012,
		Address: domain.T("Market Road", "")}); err != nil {
		t.Fatal(err)
	}
	return o
}

var pdf = workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%scan\n")}

// bakery is the new-licence form of an 80 m² bakery at 5/120 that began
// on started.
func bakery(started string) map[string]string {
	return map[string]string{"trade_name": "Sree Bakery", "trade_type": "bakery", "trade_description": "Bakes and sells bread",
		"building_number": "5/120", "ward": "5", "area_sqm": "80", "trade_started_on": started, "owner_name_en": "Lakshmi Nair",
		"owner_name_ml": "ലക്ഷ്മി നായർ", "owner_address": "Market Road, Demo", "phone": "9847012345"}
}

func (o *office) apply(t *testing.T, service string, values map[string]string) (workflow.File, error) {
	t.Helper()
	var uploads map[string]workflow.Upload
	if service == licence.SvcNew {
		uploads = map[string]workflow.Upload{"premises_proof": pdf, "owner_id": pdf, "fssai": pdf}
	}
	return o.app.Workflow.Submit(o.shopkeeper, workflow.Submission{Service: service, Values: values, Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Lakshmi Nair", "ലക്ഷ്മി നായർ"), Phone: "9847012345"}, Uploads: uploads})
}

// pay pays everything owed on a file at the counter.
func (o *office) pay(t *testing.T, f workflow.File) {
	t.Helper()
	m, err := o.app.Finance.OfFile(f.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Demands {
		if d.Balance() > 0 {
			if _, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: d.Balance(), Mode: finance.ModeCash}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func (o *office) act(t *testing.T, by domain.Actor, f workflow.File, kind, note string) workflow.File {
	t.Helper()
	f, err := o.app.Workflow.Act(by, f.ID, workflow.Request{Kind: kind, Note: note})
	if err != nil {
		t.Fatalf("%s %s: %v", kind, f.Number, err)
	}
	return f
}

// grant takes a paid file through the office to its licence.
func (o *office) grant(t *testing.T, f workflow.File) licence.Licence {
	t.Helper()
	f = o.act(t, o.clerk, f, workflow.KindForwarded, "")
	f = o.act(t, o.inspector, f, workflow.KindForwarded, "")
	f = o.act(t, o.secretary, f, workflow.KindApproved, "Inspected; in order.")
	f = o.act(t, o.secretary, f, workflow.KindIssued, "")
	l, err := o.lic.Licence(f.Record)
	if err != nil {
		t.Fatalf("file %s made no licence: %v", f.Number, err)
	}
	return l
}

func TestSchedule_FeeSlabsByCategoryAndCapacity(t *testing.T) {
	s, err := licence.DefaultSchedule()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		category string
		capacity int64
		fee      domain.Paise // 0: refused
		field    string
	}{
		{"bakery", 1, domain.Rupees(750), ""},
		{"bakery", 50, domain.Rupees(750), ""},
		{"bakery", 51, domain.Rupees(1500), ""},
		{"bakery", 500, domain.Rupees(3000), ""},
		{"bakery", 501, 0, "area_sqm"},
		{"eating_house", 2000, domain.Rupees(8000), ""},
		{"sawmill", 10, domain.Rupees(2000), ""},
		{"sawmill", 11, domain.Rupees(5000), ""},
		{"sawmill", 201, 0, "machinery_hp"},
		{"hospital", 0, domain.Rupees(1000), ""},
		{"hospital", 1, domain.Rupees(5000), ""},
		{"hospital", 1001, 0, "beds"},
		{"grocery", -1, 0, "area_sqm"},
	} {
		cat, ok := s.Category(c.category)
		if !ok {
			t.Fatalf("no category %s", c.category)
		}
		fee, err := cat.Fee(c.capacity)
		if c.fee == 0 {
			de, ok := err.(*domain.Error)
			if !ok || de.Fields[c.field].En == "" || de.Fields[c.field].Ml == "" {
				t.Errorf("%s %d: %v, want a refusal naming %s in both languages", c.category, c.capacity, err, c.field)
			}
			continue
		}
		if err != nil || fee != c.fee {
			t.Errorf("%s %d: %v %v, want %v", c.category, c.capacity, fee, err, c.fee)
		}
	}
	if !strings.Contains(s.Local.Source, "LOCAL SETTINGS") || s.Statutory.DeemedSource == "" {
		t.Error("the schedule does not say which figures are local settings and which law")
	}
}

func TestSchedule_LatePenaltyBands(t *testing.T) {
	s, _ := licence.DefaultSchedule()
	for _, c := range []struct {
		days int
		want domain.Paise
	}{{-3, 0}, {0, 0}, {1, 25000}, {30, 25000}, {31, 50000}, {90, 50000}, {91, 100000}, {400, 100000}} {
		if got, _ := s.LatePenalty(domain.Rupees(1000), c.days); got != c.want {
			t.Errorf("%d days late on ₹1,000: %v, want %v", c.days, got, c.want)
		}
	}
}

var june1 = time.Date(2026, 6, 1, 11, 0, 0, 0, domain.IST)

// TestDeemed_NotDecidedIn30DaysIsGrantedOnDay31NamingTheDesk: a paid
// application on the health inspector's desk is not deemed on day 29 or
// 30; on day 31 ksmart grants it by itself, prints the deemed-licence
// certificate (verifiable), closes the file naming the inspector and
// tells the shopkeeper; running the job again grants nothing more.
func TestDeemed_NotDecidedIn30DaysIsGrantedOnDay31NamingTheDesk(t *testing.T) {
	o := newOffice(t, june1)
	f, err := o.apply(t, licence.SvcNew, bakery("2026-05-20"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Fee != domain.Rupees(1500) {
		t.Errorf("fee %v, want ₹1,500 for an 80 m² bakery", f.Fee)
	}
	o.pay(t, f)
	o.clock.day(june1, 2)
	f = o.act(t, o.clerk, f, workflow.KindForwarded, "")
	o.clock.day(june1, 5)
	o.act(t, o.inspector, f, workflow.KindNote, "Visited; kitchen to be tiled.")
	for _, day := range []int{29, 30} {
		o.clock.day(june1, day)
		job, err := o.lic.Daily(o.clock.t)
		if err != nil || len(job.Deemed) != 0 {
			t.Fatalf("day %d: deemed %v (%v), want none", day, job.Deemed, err)
		}
	}
	o.clock.day(june1, 31)
	job, err := o.lic.Daily(o.clock.t)
	if err != nil || len(job.Deemed) != 1 {
		t.Fatalf("day 31: deemed %v (%v), want the bakery", job.Deemed, err)
	}
	l, err := o.lic.Licence(job.Deemed[0])
	if err != nil {
		t.Fatal(err)
	}
	if l.StatusAt(o.clock.t) != licence.StatusDeemed || l.Deemed == nil || l.Deemed.OfficerName != "Officer u-hi" || l.Deemed.Role != domain.RoleHealthInspector ||
		l.ValidTo != "2027-03-31" || l.Premises != "5/120" {
		t.Errorf("deemed licence %+v (desk %+v)", l, l.Deemed)
	}
	f, _ = o.app.Workflow.File(f.ID)
	last := f.History[len(f.History)-1]
	if f.Status != workflow.StatusIssued || last.Kind != workflow.KindDeemed || last.ActorID != domain.System.ID || last.ToUser != "u-hi" || f.Issued == nil {
		t.Errorf("file %s: %s, last action %+v", f.Number, f.Status, last)
	}
	c, pdfBytes, err := o.lic.CertificatePDF(l.Number)
	if err != nil || len(pdfBytes) == 0 || c.Printed.Kind != "deemed_licence" || !strings.Contains(c.Printed.Remarks.En, "Officer u-hi") {
		t.Fatalf("deemed certificate %+v: %v", c.Printed, err)
	}
	q := c.QR[strings.Index(c.QR, "?")+1:]
	d, s, _ := strings.Cut(strings.TrimPrefix(q, "d="), "&s=")
	if v, err := o.lic.Verify(c.Number, d, s); err != nil || !v.Genuine() {
		t.Errorf("the deemed certificate does not verify: %+v %v", v, err)
	}
	if v, _ := o.lic.Verify(c.Number, d, "AAAA"+s[4:]); v.Genuine() {
		t.Error("a forged code verifies")
	}
	if msg, ok := messaging.Latest(o.app.Store, o.shopkeeper.ID, messaging.KindFileDecided); !ok || !strings.Contains(msg.Body.En, "deemed granted") {
		t.Errorf("the shopkeeper was not told: %+v", msg)
	}
	o.clock.day(june1, 32)
	if job, err := o.lic.Daily(o.clock.t); err != nil || len(job.Deemed) != 0 {
		t.Errorf("the next day's job deemed %v again (%v)", job.Deemed, err)
	}
}

// TestDeemed_AReturnStopsTheClockAndTheAnswerRestartsIt: returned on day
// 20 and answered on day 25, the file has had 26 days on day 31 and 30 on
// day 35; it is deemed on day 36.
func TestDeemed_AReturnStopsTheClockAndTheAnswerRestartsIt(t *testing.T) {
	o := newOffice(t, june1)
	f, err := o.apply(t, licence.SvcNew, bakery("2026-05-20"))
	if err != nil {
		t.Fatal(err)
	}
	o.pay(t, f)
	o.clock.day(june1, 20)
	f = o.act(t, o.clerk, f, workflow.KindReturned, "Attach the rent agreement signed by both.")
	if c := o.lic.ClockOf(f, o.clock.t); c.Running || c.Days != 20 {
		t.Errorf("returned on day 20: %+v", c)
	}
	o.clock.day(june1, 25)
	f, err = o.app.Workflow.Answer(o.shopkeeper, f.ID, "Attached.", map[string]workflow.Upload{"premises_proof": pdf})
	if err != nil {
		t.Fatal(err)
	}
	if c := o.lic.ClockOf(f, o.clock.t); !c.Running || c.Days != 20 || c.Stopped != 5 || c.DeemedOn != "2026-07-07" {
		t.Errorf("answered on day 25: %+v, want 20 days run, 5 stopped, deemed on 7 July", c)
	}
	for _, day := range []int{31, 35} {
		o.clock.day(june1, day)
		if job, err := o.lic.Daily(o.clock.t); err != nil || len(job.Deemed) != 0 {
			t.Fatalf("day %d: deemed %v (%v)", day, job.Deemed, err)
		}
	}
	o.clock.day(june1, 36)
	if job, err := o.lic.Daily(o.clock.t); err != nil || len(job.Deemed) != 1 {
		t.Fatalf("day 36: deemed %v (%v), want the bakery", job.Deemed, err)
	}
}

// TestDeemed_AnUnpaidApplicationIsNotComplete: the fee is paid with the
// application; until it is, the clock cannot run out.
func TestDeemed_AnUnpaidApplicationIsNotComplete(t *testing.T) {
	o := newOffice(t, june1)
	f, err := o.apply(t, licence.SvcNew, bakery("2026-05-20"))
	if err != nil {
		t.Fatal(err)
	}
	o.clock.day(june1, 40)
	if job, _ := o.lic.Daily(o.clock.t); len(job.Deemed) != 0 {
		t.Fatalf("an unpaid application was deemed: %v", job.Deemed)
	}
	o.pay(t, f)
	if job, _ := o.lic.Daily(o.clock.t); len(job.Deemed) != 1 {
		t.Fatalf("paid and past its time, it was not deemed: %v", job.Deemed)
	}
}

// TestRenewal_BeforeAndAfter31March: renewed on 20 March it costs the
// year's fee; on 10 April, with the licence expired, 25% more. A licence
// whose renewal is being decided on 1 April is pending, the other
// expired; the renewed one runs to 31 March 2028.
func TestRenewal_BeforeAndAfter31March(t *testing.T) {
	o := newOffice(t, june1)
	f, err := o.apply(t, licence.SvcNew, bakery("2026-05-25"))
	if err != nil {
		t.Fatal(err)
	}
	o.pay(t, f)
	early := o.grant(t, f)
	f, _ = o.apply(t, licence.SvcNew, bakery("2026-05-25"))
	o.pay(t, f)
	late := o.grant(t, f)
	if early.Certificate == "" || early.Year != "2026-27" || early.ValidFrom != "2026-06-01" || early.ValidTo != "2027-03-31" {
		t.Fatalf("granted %+v", early)
	}
	renew := func(l licence.Licence) map[string]string {
		return map[string]string{"licence_number": l.Number, "financial_year": "2027-28", "ward": "5", "owner_name_en": "Lakshmi Nair", "phone": "9847012345"}
	}
	o.clock.t = time.Date(2027, 3, 20, 11, 0, 0, 0, domain.IST)
	rf, err := o.apply(t, licence.SvcRenewal, renew(early))
	if err != nil || rf.Fee != domain.Rupees(1500) {
		t.Fatalf("renewal on 20 March: fee %v (%v), want ₹1,500", rf.Fee, err)
	}
	o.pay(t, rf)
	o.clock.t = time.Date(2027, 4, 1, 9, 0, 0, 0, domain.IST)
	job, err := o.lic.Daily(o.clock.t)
	if err != nil || job.Expired != 1 || job.Pending != 1 {
		t.Fatalf("1 April: %+v %v, want one expired and one pending", job, err)
	}
	if st := must(t, o.lic, early.Number).StatusAt(o.clock.t); st != licence.StatusPending {
		t.Errorf("the licence being renewed is %s", st)
	}
	if list, _ := o.lic.ByStatus(licence.StatusExpired, 0); len(list) != 1 || list[0].Number != late.Number {
		t.Errorf("expired list %v", list)
	}
	o.clock.t = time.Date(2027, 4, 10, 11, 0, 0, 0, domain.IST)
	lf, err := o.apply(t, licence.SvcRenewal, renew(late))
	if err != nil || lf.Fee != domain.Rupees(1500+375) || !strings.Contains(lf.FeeNote.En, "late penalty") {
		t.Fatalf("renewal on 10 April: fee %v %q (%v), want ₹1,875 with the late penalty", lf.Fee, lf.FeeNote.En, err)
	}
	if st := must(t, o.lic, late.Number).StatusAt(o.clock.t); st != licence.StatusPending {
		t.Errorf("the expired licence, its late renewal applied for, is %s; want pending", st)
	}
	renewed := o.grant(t, rf)
	if renewed.Number != early.Number || renewed.Year != "2027-28" || renewed.ValidTo != "2028-03-31" || renewed.StatusAt(o.clock.t) != licence.StatusActive {
		t.Errorf("renewed %+v", renewed)
	}
}

func must(t *testing.T, s *licence.Licences, number string) licence.Licence {
	t.Helper()
	l, err := s.Licence(number)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestBadInput_RefusedWithTheFieldNamedAndNothingWritten: a renewal of a
// licence that does not exist, of someone else's, for a year outside the
// licence's; a new licence on premises not in the register, with a
// capacity outside every slab, begun in the future.
func TestBadInput_RefusedWithTheFieldNamedAndNothingWritten(t *testing.T) {
	o := newOffice(t, june1)
	f, _ := o.apply(t, licence.SvcNew, bakery("2026-05-25"))
	o.pay(t, f)
	l := o.grant(t, f)
	other, err := synth.Citizen(o.app, "9847099999", "Someone Else", "a long enough password 2")
	if err != nil {
		t.Fatal(err)
	}
	renewal := func(number, year string) map[string]string {
		return map[string]string{"licence_number": number, "financial_year": year, "ward": "5", "owner_name_en": "Lakshmi Nair", "phone": "9847012345"}
	}
	with := func(k, v string) map[string]string { m := bakery("2026-05-25"); m[k] = v; return m }
	docs := func(service string) map[string]workflow.Upload {
		if service != licence.SvcNew {
			return nil
		}
		return map[string]workflow.Upload{"premises_proof": pdf, "owner_id": pdf, "fssai": pdf}
	}
	for _, c := range []struct {
		name    string
		by      domain.Actor
		service string
		values  map[string]string
		field   string
	}{
		{"a licence that does not exist", o.shopkeeper, licence.SvcRenewal, renewal("NOPE-999", "2027-28"), "licence_number"},
		{"someone else's licence", other.Actor(), licence.SvcRenewal, renewal(l.Number, "2027-28"), "licence_number"},
		{"a year outside the licence's", o.shopkeeper, licence.SvcRenewal, renewal(l.Number, "1999-00"), "financial_year"},
		{"a year two ahead", o.shopkeeper, licence.SvcRenewal, renewal(l.Number, "2028-29"), "financial_year"},
		{"premises not in the register", o.shopkeeper, licence.SvcNew, with("building_number", "5/999"), "building_number"},
		{"a capacity outside every slab", o.shopkeeper, licence.SvcNew, with("area_sqm", "900"), "area_sqm"},
		{"a trade begun in the future", o.shopkeeper, licence.SvcNew, with("trade_started_on", "2026-07-01"), "trade_started_on"},
	} {
		before := o.app.Store.LastSeq()
		_, err := o.app.Workflow.Submit(c.by, workflow.Submission{Service: c.service, Values: c.values, Channel: workflow.ChannelOnline,
			Applicant: workflow.Applicant{Name: domain.T("Applicant", "")}, Uploads: docs(c.service)})
		de, ok := err.(*domain.Error)
		if !ok || de.Fields[c.field].En == "" || de.Fields[c.field].Ml == "" {
			t.Errorf("%s: %v, want the field %s named in both languages", c.name, err, c.field)
		}
		if o.app.Store.LastSeq() != before {
			t.Errorf("%s: something was written", c.name)
		}
	}
}

// TestMSME_TheExemptionEndsByItselfAndTheEnterpriseHasSixMonths: an
// acknowledgement of 15 June 2023 exempts the enterprise to 14 June 2026;
// the day after, the job records its end once; a licence applied for by
// 14 December 2026 pays no late penalty, one in January does.
func TestMSME_TheExemptionEndsByItselfAndTheEnterpriseHasSixMonths(t *testing.T) {
	o := newOffice(t, june1)
	e, err := o.lic.RecordMSME(o.clerk, licence.Exemption{Number: "UDYAM-KL-07-0012345", Date: "2023-06-15", Enterprise: "Sree Bakery",
		Holder: domain.T("Lakshmi Nair", ""), Premises: "5/120"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Ends != "2026-06-14" || e.ApplyBy.In(domain.IST).Format(time.DateOnly) != "2026-12-14" {
		t.Errorf("exemption ends %s, apply by %v", e.Ends, e.ApplyBy)
	}
	o.clock.t = time.Date(2026, 6, 14, 11, 0, 0, 0, domain.IST)
	if job, _ := o.lic.Daily(o.clock.t); job.MSMEEnded != 0 {
		t.Errorf("ended on its last day")
	}
	o.clock.t = time.Date(2026, 6, 15, 11, 0, 0, 0, domain.IST)
	if job, _ := o.lic.Daily(o.clock.t); job.MSMEEnded != 1 {
		t.Errorf("not ended the day after: %+v", job)
	}
	if job, _ := o.lic.Daily(o.clock.t); job.MSMEEnded != 0 {
		t.Errorf("ended twice")
	}
	form := bakery("2023-06-01")
	form["msme_acknowledgement"] = "udyam-kl-07-0012345"
	o.clock.t = time.Date(2026, 12, 10, 11, 0, 0, 0, domain.IST)
	if a, err := o.app.Workflow.Assess(o.shopkeeper, service(t, o, licence.SvcNew), form, workflow.ChannelOnline, o.clock.t); err != nil || a.Fee != domain.Rupees(1500) {
		t.Errorf("within six months: %v %v, want ₹1,500", a.Fee, err)
	}
	o.clock.t = time.Date(2027, 1, 20, 11, 0, 0, 0, domain.IST)
	if a, err := o.app.Workflow.Assess(o.shopkeeper, service(t, o, licence.SvcNew), form, workflow.ChannelOnline, o.clock.t); err != nil || a.Fee != domain.Rupees(1500+750) {
		t.Errorf("37 days after: %v %v, want ₹2,250 with 50%% penalty", a.Fee, err)
	}
	if _, err := o.lic.RecordMSME(o.clerk, licence.Exemption{Number: "UDYAM-KL-07-9", Date: "2030-01-01", Enterprise: "X", Holder: domain.T("Y", ""), Premises: "5/120"}); err == nil {
		t.Error("an acknowledgement dated in the future was recorded")
	}
}

func service(t *testing.T, o *office, code string) catalogue.Service {
	t.Helper()
	s, ok := o.app.Catalogue.Get(code)
	if !ok {
		t.Fatalf("no service %s", code)
	}
	return s
}

// TestAfterwards_AmendTransferSuspendReinstateSurrender: an amendment to
// 200 m² costs the amendment fee and the dearer slab's difference and
// changes the licence; a transfer names the new licensee; the secretary
// suspends after a hearing (refused without one), the suspension ends by
// itself after its last day; the holder's surrender cancels the licence.
// Each change is an event of the licence.
func TestAfterwards_AmendTransferSuspendReinstateSurrender(t *testing.T) {
	o := newOffice(t, june1)
	f, _ := o.apply(t, licence.SvcNew, bakery("2026-05-25"))
	o.pay(t, f)
	l := o.grant(t, f)

	o.clock.day(june1, 10)
	af, err := o.apply(t, licence.SvcAmendment, map[string]string{"licence_number": l.Number, "area_sqm": "200", "partners": "Meera Nair",
		"ward": "5", "owner_name_en": "Lakshmi Nair", "phone": "9847012345"})
	if err != nil || af.Fee != domain.Rupees(250+3000-1500) {
		t.Fatalf("amendment to 200 m²: fee %v (%v), want ₹1,750", af.Fee, err)
	}
	o.pay(t, af)
	if l = o.grant(t, af); l.Capacity != 200 || l.Partners != "Meera Nair" || l.Certificate == "" {
		t.Errorf("amended: %+v", l)
	}

	o.clock.day(june1, 20)
	if _, err := o.lic.Order(o.secretary, l.Number, licence.OrderRequest{Kind: licence.OrderSuspend, Reasons: "Kitchen unclean on inspection.", Until: "2026-07-31"}); err == nil {
		t.Error("a suspension without a hearing was ordered")
	}
	if _, err := o.lic.Order(o.clerk, l.Number, licence.OrderRequest{Kind: licence.OrderCancel, Hearing: "Heard on 10 June.", Reasons: "Kitchen unclean on inspection."}); err == nil {
		t.Error("a clerk cancelled a licence")
	}
	s, err := o.lic.Order(o.secretary, l.Number, licence.OrderRequest{Kind: licence.OrderSuspend, Hearing: "Heard the licensee on 18 June; she asked for a week.",
		Reasons: "Kitchen unclean on two inspections.", Until: "2026-07-31"})
	if err != nil || s.StatusAt(o.clock.t) != licence.StatusSuspended {
		t.Fatalf("suspended: %v %v", s.Status, err)
	}
	if st := s.StatusAt(time.Date(2026, 8, 1, 9, 0, 0, 0, domain.IST)); st != licence.StatusActive {
		t.Errorf("after the suspension's last day the licence is %s", st)
	}
	if _, err := o.lic.Order(o.secretary, l.Number, licence.OrderRequest{Kind: licence.OrderReinstate, Reasons: "Kitchen tiled and clean on re-inspection."}); err != nil {
		t.Fatal(err)
	}

	tf, err := o.app.Workflow.Submit(o.shopkeeper, workflow.Submission{Service: licence.SvcTransfer, Channel: workflow.ChannelOnline,
		Values: map[string]string{"licence_number": l.Number, "trade_name": "Sree Bakery", "present_licensee_en": "Lakshmi Nair", "new_licensee_en": "Meera Nair",
			"new_licensee_address": "Market Road", "transfer_date": "2026-06-20", "phone": "9847012345"},
		Applicant: workflow.Applicant{Name: domain.T("Lakshmi Nair", "")},
		Uploads:   map[string]workflow.Upload{"transfer_deed": pdf, "present_licensee_consent": pdf}})
	if err != nil || tf.Fee != domain.Rupees(500) {
		t.Fatalf("transfer: %v %v", tf.Fee, err)
	}
	o.pay(t, tf)
	if l = o.grant(t, tf); l.Holder.Name.En != "Meera Nair" {
		t.Errorf("transferred to %q", l.Holder.Name.En)
	}

	front := domain.Actor{ID: "u-front", Name: "Front office", Roles: []domain.Role{domain.RoleFrontOffice}}
	sf, err := o.app.Workflow.Submit(front, workflow.Submission{Service: licence.SvcSurrender, Channel: workflow.ChannelCounter,
		Values: map[string]string{"licence_number": l.Number, "trade_name": "Sree Bakery", "ward": "5", "closed_on": "2026-06-20",
			"reason": "Moved the bakery to Kollam.", "owner_name_en": "Meera Nair", "phone": "9847012345"},
		Applicant: workflow.Applicant{Name: domain.T("Meera Nair", "")}})
	if err != nil {
		t.Fatalf("surrender: %v %+v", err, err.(*domain.Error).Fields)
	}
	if l = o.grant(t, sf); l.StatusAt(o.clock.t) != licence.StatusCancelled || l.Order == nil || l.Order.Kind != "surrendered" {
		t.Errorf("surrendered: %s %+v", l.Status, l.Order)
	}
	var kinds []string
	evs, _ := o.app.Store.ReadLog(1, 100000)
	for _, e := range evs {
		if e.Entity == "lic_licence" && e.ID == l.ID {
			kinds = append(kinds, e.Type)
		}
	}
	got := strings.Join(kinds, " ")
	for _, k := range []string{"licence.granted", "licence.amended", "licence.suspended", "licence.reinstated", "licence.transferred", "licence.surrendered"} {
		if !strings.Contains(got, k) {
			t.Errorf("the licence's history has no %s: %s", k, got)
		}
	}
}

// TestReminders_TheHolderIsToldToRenewOnceInEachWindow: 45 days before
// the licence's year ends its holder is reminded, once; 31 days before,
// again.
func TestReminders_TheHolderIsToldToRenewOnceInEachWindow(t *testing.T) {
	o := newOffice(t, june1)
	f, _ := o.apply(t, licence.SvcNew, bakery("2026-05-25"))
	o.pay(t, f)
	l := o.grant(t, f)
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2027, 2, 13, 9, 0, 0, 0, domain.IST), 0},
		{time.Date(2027, 2, 14, 9, 0, 0, 0, domain.IST), 1},
		{time.Date(2027, 2, 20, 9, 0, 0, 0, domain.IST), 0},
		{time.Date(2027, 2, 28, 9, 0, 0, 0, domain.IST), 1},
	} {
		o.clock.t = c.at
		job, err := o.lic.Daily(c.at)
		if err != nil || job.Reminded != c.want {
			t.Errorf("%s: reminded %d (%v), want %d", c.at.Format(time.DateOnly), job.Reminded, err, c.want)
		}
	}
	if msg, ok := messaging.Latest(o.app.Store, o.shopkeeper.ID, messaging.KindNotice); !ok || !strings.Contains(msg.Subject.En, "Renew licence "+l.Number) || msg.Body.Ml == "" {
		t.Errorf("the reminder: %+v", msg)
	}
}
