package civil_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/identity"
	"ksmart/appliance/kyc"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type office struct {
	app                           *appliance.Appliance
	clock                         *clock
	clerk, head, registrar, front domain.Actor
	cashier                       domain.Actor
	citizen                       domain.Actor
}

func newOffice(t *testing.T) *office {
	t.Helper()
	lb := synth.DemoLocalBody()
	// Monday 7 December 2026, 10:30 IST.
	c := &clock{time.Date(2026, 12, 7, 10, 30, 0, 0, domain.IST)}
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Now: c.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicURL: "https://demo.ksmart.test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	o := &office{app: app, clock: c}
	for _, s := range []struct {
		login string
		role  domain.Role
		to    *domain.Actor
	}{{"clerk", domain.RoleSectionClerk, &o.clerk}, {"head", domain.RoleHeadClerk, &o.head}, {"registrar", domain.RoleRegistrar, &o.registrar}, {"front", domain.RoleFrontOffice, &o.front},
		{"cashier", domain.RoleCashier, &o.cashier}} {
		u, _, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: s.login, Name: "Officer " + s.login, Roles: []domain.Role{s.role}})
		if err != nil {
			t.Fatal(err)
		}
		*s.to = u.Actor()
	}
	o.citizen = domain.Actor{ID: "u-900", Name: "Ravi", Roles: []domain.Role{domain.RoleCitizen}}
	return o
}

var pdf = workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")}

func (o *office) day(daysAgo int) string {
	return o.clock.t.AddDate(0, 0, -daysAgo).Format(time.DateOnly)
}

func (o *office) birthForm(daysAgo int) map[string]string {
	return map[string]string{
		"child_name_en": "Sreekutty", "child_name_ml": "ശ്രീക്കുട്ടി", "sex": "female", "still_birth": "no", "date_of_birth": o.day(daysAgo),
		"place_type": "hospital", "place_of_birth": "General Hospital, Ernakulam", "reported_by": "institution",
		"mother_name_en": "Priya", "mother_name_ml": "പ്രിയ", "father_name_en": "Krishnan", "father_name_ml": "കൃഷ്ണൻ",
		"permanent_address": "Thekkedath House, Fort Road", "ward": "3", "informant_name_en": "General Hospital", "informant_phone": "9847012345",
	}
}

func (o *office) submit(t *testing.T, service string, values map[string]string, uploads map[string]workflow.Upload) (workflow.File, error) {
	t.Helper()
	return o.app.Workflow.Submit(o.front, workflow.Submission{Service: service, Values: values, Uploads: uploads,
		Applicant: workflow.Applicant{Name: domain.T("Ravi", "രവി"), Phone: "+919847012345"}, Channel: workflow.ChannelCounter})
}

// decide walks a file through every step to approval and issue.
func (o *office) decide(t *testing.T, f workflow.File) workflow.File {
	t.Helper()
	by := map[domain.Role]domain.Actor{domain.RoleSectionClerk: o.clerk, domain.RoleHeadClerk: o.head, domain.RoleRegistrar: o.registrar}
	var err error
	for f.Status == workflow.StatusInProgress {
		svc := o.app.Workflow.Service(f)
		kind := workflow.KindForwarded
		if f.Step == len(svc.Steps)-1 {
			kind = workflow.KindApproved
		}
		if f, err = o.app.Workflow.Act(by[f.Role], f.ID, workflow.Request{Kind: kind}); err != nil {
			t.Fatalf("%s on %s: %v", kind, f.Number, err)
		}
	}
	o.pay(t, f)
	if f, err = o.app.Workflow.Act(o.front, f.ID, workflow.Request{Kind: workflow.KindIssued}); err != nil {
		t.Fatalf("issue %s: %v", f.Number, err)
	}
	return f
}

// pay pays in cash at the counter whatever is owed on a file.
func (o *office) pay(t *testing.T, f workflow.File) {
	t.Helper()
	m, err := o.app.Finance.OfFile(f.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Demands {
		if d.Balance() > 0 {
			if _, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: d.Balance(), Mode: finance.ModeCash}); err != nil {
				t.Fatalf("paying %s on %s: %v", d.Number, f.Number, err)
			}
		}
	}
}

func fieldErr(err error, field string) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Fields[field].En
	}
	return ""
}

// described spells out an error with its field messages, for failures.
func described(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return fmt.Sprint(err)
	}
	s := de.Message
	for k, v := range de.Fields {
		s += fmt.Sprintf("; %s: %s", k, v.En)
	}
	return s
}

func verifyURL(t *testing.T, o *office, number string) (d, s string) {
	t.Helper()
	rec, _, err := o.app.Civil.CertificatePDF(o.registrar, number)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(rec.QR)
	if err != nil || u.Host != "demo.ksmart.test" || u.Path != "/verify/"+number {
		t.Fatalf("QR payload %q does not point at this body's verification page", rec.QR)
	}
	return u.Query().Get("d"), u.Query().Get("s")
}

func TestBirth_ReportedLateBy25DaysChargesTheLateFeeRegistersAndCertifies(t *testing.T) {
	o := newOffice(t)
	f, err := o.submit(t, "birth_registration", o.birthForm(25), map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	if f.Fee != 200 || !strings.Contains(f.FeeNote.En, "22 to 30 days") {
		t.Fatalf("fee %s (%s), want the Rs 2 late fee of the 22-30 day band", f.Fee, f.FeeNote.En)
	}
	// The late fee is a demand the office cannot issue past until it is paid.
	if m, err := o.app.Finance.OfFile(f.ID); err != nil || m.Balance != 200 || len(m.Demands) != 1 || m.Demands[0].Head != "140-41" {
		t.Fatalf("the file's demand: %+v %v", m, err)
	}
	f = o.decide(t, f)
	if f.Record != "B-1/2026" || f.Issued == nil {
		t.Fatalf("record %q issued %+v", f.Record, f.Issued)
	}
	if m, _ := o.app.Finance.OfFile(f.ID); m.Paid != 200 || m.Balance != 0 || m.Demands[0].State != finance.StatePaid {
		t.Fatalf("after payment the file's demand is %+v", m)
	}
	e, err := o.app.Civil.Entry(o.registrar, "b-1/2026")
	if err != nil {
		t.Fatal(err)
	}
	if e.Name("child_name").Ml != "ശ്രീക്കുട്ടി" || e.EventDate != o.day(25) || e.File != f.Number {
		t.Fatalf("register entry %+v", e)
	}
	d, s := verifyURL(t, o, f.Issued.Number)
	v, err := o.app.Civil.Verify(f.Issued.Number, d, s)
	if err != nil || !v.Genuine() || !v.Checked {
		t.Fatalf("the issued certificate does not verify: %+v %v", v.Problem, err)
	}
	if v.Certificate.Printed.RegistrationNumber != "B-1/2026" || v.Certificate.Printed.Fields[0].Value.Ml != "ശ്രീക്കുട്ടി" {
		t.Fatalf("verification shows %+v", v.Certificate.Printed)
	}
	// Reading the register is recorded: whose eyes saw which page.
	if list, err := o.app.Civil.List(o.clerk, civil.ListOptions{Kind: civil.KindBirth}); err != nil || len(list) != 1 {
		t.Fatalf("register list: %v %v", list, err)
	}
	if last, _ := o.app.Store.ReadLog(o.app.Store.LastSeq(), 1); last[0].Type != "civil.register_viewed" || last[0].Actor != o.clerk.ID {
		t.Fatalf("listing the register left %s by %s in the log, want civil.register_viewed by the clerk", last[0].Type, last[0].Actor)
	}
	if _, err := o.app.Civil.List(o.citizen, civil.ListOptions{Kind: civil.KindBirth}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("a citizen listing the register: %v", err)
	}
	// The second birth gets the next number.
	f2, err := o.submit(t, "birth_registration", o.birthForm(3), map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	if f2.Fee != 0 {
		t.Fatalf("a birth reported within 21 days costs %s, want nothing", f2.Fee)
	}
	if f2 = o.decide(t, f2); f2.Record != "B-2/2026" {
		t.Fatalf("second birth registered as %s", f2.Record)
	}
	// The register is searched by a number or its beginning, newest first.
	for _, c := range []struct {
		number string
		year   int
		want   []string
	}{{"B-", 0, []string{"B-2/2026", "B-1/2026"}}, {"b-2", 0, []string{"B-2/2026"}}, {"B-1/2026", 0, []string{"B-1/2026"}}, {"B-", 2025, nil}, {"D-", 0, nil}} {
		list, err := o.app.Civil.List(o.registrar, civil.ListOptions{Kind: civil.KindBirth, Number: c.number, Year: c.year})
		var got []string
		for _, e := range list {
			got = append(got, e.Number)
		}
		if err != nil || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("search %q year %d: %v %v, want %v", c.number, c.year, got, err, c.want)
		}
	}
}

func TestBirth_DelayBandsComeFromTheCatalogue(t *testing.T) {
	o := newOffice(t)
	cases := []struct {
		name    string
		service string
		daysAgo int
		fee     domain.Paise
		needs   []string // documents required on top
		refusal string   // the date field's message, when refused
	}{
		{"on the 21st day", "birth_registration", 21, 0, nil, ""},
		{"on the 22nd day", "birth_registration", 22, 200, nil, ""},
		{"on the 30th day", "birth_registration", 30, 200, nil, ""},
		{"on the 31st day, ordinary", "birth_registration", 31, 0, nil, "delayed birth registration"},
		{"on the 31st day, delayed", "delayed_birth_registration", 31, 500, []string{"registrar_permission", "affidavit"}, ""},
		{"after a year", "delayed_birth_registration", 400, 1000, []string{"rdo_order", "affidavit"}, ""},
		{"within 30 days, delayed", "delayed_birth_registration", 10, 0, nil, "30 days old or less"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			uploads := map[string]workflow.Upload{"parent_id": pdf}
			form := o.birthForm(c.daysAgo)
			if c.service == "delayed_birth_registration" {
				uploads["proof_of_birth"] = pdf
				form["reason_for_delay"] = "The family was abroad."
			}
			_, err := o.submit(t, c.service, form, uploads)
			if c.refusal != "" {
				if !strings.Contains(fieldErr(err, "date_of_birth"), c.refusal) {
					t.Fatalf("want refusal naming %q, got %s", c.refusal, described(err))
				}
				return
			}
			for _, d := range c.needs {
				if fieldErr(err, d) == "" {
					t.Fatalf("document %s was not asked for: %s", d, described(err))
				}
				uploads[d] = pdf
			}
			f, err := o.submit(t, c.service, form, uploads)
			if err != nil {
				t.Fatal(described(err))
			}
			if f.Fee != c.fee {
				t.Fatalf("fee %s, want %s", f.Fee, c.fee)
			}
		})
	}
}

func (o *office) marriageForm(daysAgo int) map[string]string {
	return map[string]string{
		"date_of_marriage": o.day(daysAgo), "place_of_marriage": "St. Mary's Church, Fort Kochi", "ward": "4", "applying_from": "kerala",
		"bride_name_en": "Jyothilakshmi", "bride_name_ml": "ജ്യോതിലക്ഷ്മി", "bride_dob": "1998-05-01", "bride_address": "Thekkedath House",
		"groom_name_en": "Mohammed Basheer", "groom_name_ml": "മുഹമ്മദ് ബഷീർ", "groom_dob": "1995-02-11", "groom_address": "Puthenpurayil House",
		"witness1_name_en": "Anil Kumar", "witness1_address": "Kochi", "witness2_name_en": "Thomas", "witness2_address": "Kochi", "phone": "9847012345",
	}
}

func marriageUploads() map[string]workflow.Upload {
	u := map[string]workflow.Upload{}
	for _, d := range []string{"form_i", "bride_age_proof", "groom_age_proof", "marriage_proof", "photographs", "witness_id"} {
		u[d] = pdf
	}
	return u
}

func TestMarriage_FineAfter45DaysAndRegistrarGeneralAfterAYear(t *testing.T) {
	o := newOffice(t)
	f, err := o.submit(t, "marriage_registration", o.marriageForm(30), marriageUploads())
	if err != nil || f.Fee != 10000 {
		t.Fatalf("within 45 days: fee %v, err %v; want Rs 100", f.Fee, err)
	}
	if _, err := o.submit(t, "marriage_registration", o.marriageForm(60), marriageUploads()); fieldErr(err, "form_ii") == "" {
		t.Fatalf("after 45 days the Form II declaration must be asked for: %v", err)
	}
	u := marriageUploads()
	u["form_ii"] = pdf
	if f, err = o.submit(t, "marriage_registration", o.marriageForm(60), u); err != nil || f.Fee != 20000 {
		t.Fatalf("after 45 days: fee %v, err %v; want Rs 100 and the Rs 100 fine", f.Fee, err)
	}
	if _, err := o.submit(t, "marriage_registration", o.marriageForm(400), u); fieldErr(err, "registrar_general_permission") == "" {
		t.Fatalf("after a year the Registrar General's permission must be asked for: %v", err)
	}
	young := o.marriageForm(10)
	young["bride_dob"] = o.day(10 + 365*17)
	if _, err := o.submit(t, "marriage_registration", young, marriageUploads()); !strings.Contains(fieldErr(err, "bride_dob"), "under 18") {
		t.Fatalf("an under-age bride: %v", err)
	}
	f = o.decide(t, f)
	if f.Record != "M-1/2026" || f.Issued == nil {
		t.Fatalf("marriage registered as %q, issued %+v", f.Record, f.Issued)
	}
}

func TestMarriage_FromAbroadNeedsTheApplicantsVideoKYC(t *testing.T) {
	o := newOffice(t)
	u, err := o.app.Identity.SignUp(identity.SignUp{Contact: "+971501234567", Name: "Basheer", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	form := o.marriageForm(20)
	form["applying_from"] = "abroad"
	apply := func() error {
		_, err := o.app.Workflow.Submit(u.Actor(), workflow.Submission{Service: "marriage_registration", Values: form, Uploads: marriageUploads(),
			Applicant: workflow.Applicant{Name: domain.T("Basheer", "")}, Channel: workflow.ChannelOnline})
		return err
	}
	if err := apply(); domain.ErrorCode(err) != domain.EFORBIDDEN || !strings.Contains(err.Error(), "video KYC") || !errors.Is(err, kyc.ErrNeeded) {
		t.Fatalf("without KYC: %v", err)
	}
	if _, err := o.app.KYC.Override(appliance.CLIActor("root"), u.Actor(), "marriage_registration", "short"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("an override without a reason: %v", err)
	}
	if _, err := o.app.KYC.Override(appliance.CLIActor("root"), u.Actor(), "marriage_registration", "Passport seen at the Dubai consulate camp, 3 Dec"); err != nil {
		t.Fatal(err)
	}
	if err := apply(); err != nil {
		t.Fatalf("with KYC recorded: %v", err)
	}
}

func TestCorrection_SupersedesTheOldCertificateAndPointsToTheNew(t *testing.T) {
	o := newOffice(t)
	f, err := o.submit(t, "birth_registration", o.birthForm(5), map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	f = o.decide(t, f)
	old := f.Issued.Number
	corr := map[string]string{"registration_number": f.Record, "date_of_birth": o.day(5), "entry": "mother_name",
		"present_entry": "Priya", "correct_entry": "Priya Menon", "reason": "Spelt short in the hospital's report.",
		"applicant_name_en": "Krishnan", "relationship": "father", "phone": "9847012345"}
	if _, err := o.submit(t, "birth_correction", map[string]string{"registration_number": "B-99/2026", "date_of_birth": o.day(5), "entry": "sex", "present_entry": "x", "correct_entry": "y", "reason": "because", "applicant_name_en": "K", "relationship": "father", "phone": "9847012345"},
		map[string]workflow.Upload{"evidence": pdf, "applicant_id": pdf}); fieldErr(err, "registration_number") == "" {
		t.Fatalf("a correction of an unregistered number: %v", err)
	}
	c, err := o.submit(t, "birth_correction", corr, map[string]workflow.Upload{"evidence": pdf, "applicant_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	c = o.decide(t, c)
	e, _ := o.app.Civil.Entry(o.registrar, f.Record)
	if e.Version != 2 || e.Values["mother_name_en"] != "Priya Menon" || len(e.Changes) != 1 || e.Changes[0].Officer.ID != o.registrar.ID || len(e.Changes[0].Evidence) != 2 {
		t.Fatalf("entry after correction: version %d, mother %q, changes %+v", e.Version, e.Values["mother_name_en"], e.Changes)
	}
	v, _ := o.app.Civil.Verify(old, "", "")
	if v.Certificate.Status != civil.StatusSuperseded || v.Certificate.SupersededBy != c.Issued.Number || v.Genuine() {
		t.Fatalf("old certificate after correction: %s → %q", v.Certificate.Status, v.Certificate.SupersededBy)
	}
	n, _ := o.app.Civil.Verify(c.Issued.Number, "", "")
	if !n.Genuine() || n.Certificate.Printed.Supersedes != old || !strings.Contains(n.Certificate.Printed.Remarks.En, "Corrected") {
		t.Fatalf("new certificate: %+v", n.Certificate.Printed)
	}
}

func TestNameInclusion_FreeWithinAYearThenFeeUpTo15Years(t *testing.T) {
	o := newOffice(t)
	form := o.birthForm(2)
	form["child_name_en"], form["child_name_ml"] = "", ""
	f, err := o.submit(t, "birth_registration", form, map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	f = o.decide(t, f)
	other, err := o.submit(t, "birth_registration", form, map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	other = o.decide(t, other)
	incl := map[string]string{"registration_number": f.Record, "date_of_birth": o.day(2), "sex": "female", "child_name_en": "Sreekutty", "child_name_ml": "ശ്രീക്കുട്ടി",
		"mother_name_en": "Priya", "applicant_name_en": "Priya", "phone": "9847012345"}
	g, err := o.submit(t, "birth_name_inclusion", incl, map[string]workflow.Upload{"parents_declaration": pdf})
	if err != nil || g.Fee != 0 {
		t.Fatalf("inclusion within a year: fee %v err %v", g.Fee, err)
	}
	o.clock.t = o.clock.t.AddDate(2, 0, 0)
	late, err := o.submit(t, "birth_name_inclusion", incl, map[string]workflow.Upload{"parents_declaration": pdf})
	if err != nil || late.Fee != 500 {
		t.Fatalf("inclusion after two years: fee %v err %v; want Rs 5", late.Fee, err)
	}
	g = o.decide(t, g)
	e, _ := o.app.Civil.Entry(o.registrar, f.Record)
	if e.Name("child_name").Ml != "ശ്രീക്കുട്ടി" || e.Changes[0].Kind != civil.ChangeNameIncluded {
		t.Fatalf("entry after inclusion: %+v", e)
	}
	if _, err := o.submit(t, "birth_name_inclusion", incl, map[string]workflow.Upload{"parents_declaration": pdf}); !strings.Contains(fieldErr(err, "registration_number"), "already registered with a name") {
		t.Fatalf("a second inclusion: %v", err)
	}
	o.clock.t = o.clock.t.AddDate(14, 0, 0)
	incl["registration_number"] = other.Record
	if _, err := o.submit(t, "birth_name_inclusion", incl, map[string]workflow.Upload{"parents_declaration": pdf}); !strings.Contains(fieldErr(err, "registration_number"), "within 15 years") {
		t.Fatalf("an inclusion 16 years after registration: %v", err)
	}
}

func TestStillBirth_IsEnteredInItsOwnRegisterAndNotCertified(t *testing.T) {
	o := newOffice(t)
	form := o.birthForm(1)
	form["still_birth"], form["child_name_en"], form["child_name_ml"] = "yes", "", ""
	f, err := o.submit(t, "birth_registration", form, map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	f = o.decide(t, f)
	if f.Record != "SB-1/2026" || f.Issued != nil || f.Status != workflow.StatusIssued {
		t.Fatalf("still birth: record %q issued %+v status %s", f.Record, f.Issued, f.Status)
	}
}

func TestNonAvailability_RefusedWhenTheRegisterHasTheEvent(t *testing.T) {
	o := newOffice(t)
	f, err := o.submit(t, "birth_registration", o.birthForm(5), map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	o.decide(t, f)
	nac := func(name string) workflow.File {
		g, err := o.submit(t, "non_availability_certificate", map[string]string{"event": "birth", "person_name_en": name, "date_of_event": o.day(5),
			"place_of_event": "Kochi", "applicant_name_en": "Ravi", "relationship": "father", "purpose": "passport", "phone": "9847012345"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err = o.app.Workflow.Act(o.clerk, g.ID, workflow.Request{Kind: workflow.KindForwarded})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g := nac("sreekutty")
	if _, err := o.app.Workflow.Act(o.registrar, g.ID, workflow.Request{Kind: workflow.KindApproved}); domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "B-1/2026") {
		t.Fatalf("non-availability of a registered birth: %v", err)
	}
	h := o.decide(t, nac("Someone Else"))
	if h.Issued == nil || !strings.Contains(h.Issued.Number, "-NA-") {
		t.Fatalf("non-availability certificate: %+v", h.Issued)
	}
}

func TestVerify_ForgedEditedForeignAndUnknownAreSaidPlainly(t *testing.T) {
	o := newOffice(t)
	f, err := o.submit(t, "birth_registration", o.birthForm(1), map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(err)
	}
	f = o.decide(t, f)
	n := f.Issued.Number
	d, s := verifyURL(t, o, n)
	flip := func(x string) string {
		b := []byte(x)
		if b[5] == 'A' {
			b[5] = 'B'
		} else {
			b[5] = 'A'
		}
		return string(b)
	}
	cases := []struct {
		name, number, d, s, want string
	}{
		{"forged signature", n, d, flip(s), "altered or forged"},
		{"edited digest", n, flip(d), s, "altered or forged"},
		{"garbage code", n, "xx", "yy", "altered or forged"},
		{"unknown number", "DEMO01-BC-2026-999", d, s, "has issued no certificate"},
		{"another local body", "M0701-BC-2026-1", d, s, "another local body (M0701)"},
		{"not a number", "<script>", "", "", "not a certificate number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := o.app.Civil.Verify(c.number, c.d, c.s)
			if err != nil {
				t.Fatal(err)
			}
			if v.Genuine() || !strings.Contains(v.Problem.En, c.want) || v.Problem.Ml == "" {
				t.Fatalf("verification says %q, want %q (genuine %v)", v.Problem.En, c.want, v.Genuine())
			}
		})
	}
	if _, err := o.app.Civil.Revoke(o.clerk, n, "the registration was cancelled by court order"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("a clerk revoking: %v", err)
	}
	if _, err := o.app.Civil.Revoke(o.registrar, n, "short"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("revoking without a reason: %v", err)
	}
	if _, err := o.app.Civil.Revoke(o.registrar, n, "The registration was cancelled by court order."); err != nil {
		t.Fatal(err)
	}
	v, _ := o.app.Civil.Verify(n, d, s)
	if v.Genuine() || v.Certificate.Status != civil.StatusRevoked || !strings.Contains(v.Certificate.StatusReason.En, "court order") {
		t.Fatalf("revoked certificate verifies as %+v", v.Certificate.Status)
	}
}

// TestIssue_ACertificateTooLongForOnePageIsIssuedWithAnAnnexureThatVerifies:
// a birth registered with the longest address the form takes, corrected
// twelve times to the longest values, still gets its certificate: on two pages or more, each
// page in the PDF the office keeps, and verifiable as any other.
func TestIssue_ACertificateTooLongForOnePageIsIssuedWithAnAnnexureThatVerifies(t *testing.T) {
	o := newOffice(t)
	form := o.birthForm(5)
	address := strings.Repeat("Kizhakkedathu Puthenveedu House, Temple Road, near Government Higher Secondary School, ", 6)[:499] + "a"
	form["permanent_address"] = address
	f, err := o.submit(t, "birth_registration", form, map[string]workflow.Upload{"parent_id": pdf})
	if err != nil {
		t.Fatal(described(err))
	}
	f = o.decide(t, f)
	first := f.Issued.Number
	// Corrections to 200 characters, the most the correction form takes.
	long := map[string]string{
		"place_of_birth": strings.Repeat("Government Taluk Headquarters Hospital, maternity ward, second floor of the new block, ", 3)[:200],
		"mother_name":    strings.Repeat("Priya Lakshmi Kizhakkedathu Puthenveedu ", 5)[:200],
		"father_name":    strings.Repeat("Krishnan Nair Thekkedathu Puthenpurayil ", 5)[:200],
	}
	for i := range 12 {
		entry := []string{"place_of_birth", "mother_name", "father_name"}[i%3]
		corr := map[string]string{"registration_number": f.Record, "date_of_birth": o.day(5), "entry": entry,
			"present_entry": "As registered", "correct_entry": long[entry], "reason": "The hospital's report spelt it short.",
			"applicant_name_en": "Krishnan", "relationship": "father", "phone": "9847012345"}
		c, err := o.submit(t, "birth_correction", corr, map[string]workflow.Upload{"evidence": pdf, "applicant_id": pdf})
		if err != nil {
			t.Fatal(described(err))
		}
		f = o.decide(t, c)
	}
	rec, issued, err := o.app.Civil.CertificatePDF(o.registrar, f.Issued.Number)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := documents.PageCount(issued)
	if err != nil || pages < 2 || rec.Pages != pages {
		t.Fatalf("the certificate after twelve corrections has %d pages (%v), its record says %d; want an annexure, recorded", pages, err, rec.Pages)
	}
	d, s := verifyURL(t, o, rec.Number)
	v, err := o.app.Civil.Verify(rec.Number, d, s)
	if err != nil || !v.Genuine() || !v.ShowsParticulars() || strings.Count(v.Certificate.Printed.Remarks.En, "Corrected on") != 12 {
		t.Fatalf("the certificate with an annexure does not verify with all its remarks: %+v %v", v.Problem, err)
	}
	old, _, _ := o.app.Civil.CertificatePDF(o.registrar, first)
	if old.Pages != 1 {
		t.Errorf("the first, short certificate records %d pages, want 1", old.Pages)
	}
}
