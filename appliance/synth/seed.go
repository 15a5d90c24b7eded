package synth

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/synth/legacy"
	"ksmart/appliance/workflow"
)

// Login is a demo account to print at start.
type Login struct {
	Login, Password string
	Roles           []domain.Role
}

// demoStaff are the demo office: one account per role.
var demoStaff = []struct {
	login string
	name  string
	role  domain.Role
	wards []int
}{
	{"frontoffice", "Beena Thomas", domain.RoleFrontOffice, nil},
	{"clerk", "Anitha K.", domain.RoleSectionClerk, nil},
	{"headclerk", "Varghese P. J.", domain.RoleHeadClerk, nil},
	{"revenue", "Shaji M.", domain.RoleRevenueInspector, nil},
	{"health", "Noushad A.", domain.RoleHealthInspector, nil},
	{"overseer", "Prakash V.", domain.RoleOverseer, nil},
	{"engineer", "Deepa Nair", domain.RoleAssistantEngineer, nil},
	{"registrar", "Ramachandran K.", domain.RoleRegistrar, nil},
	{"secretary", "Sheeba George", domain.RoleSecretary, nil},
	{"accountant", "Jayan S.", domain.RoleAccountant, nil},
	{"cashier", "Lissy Joseph", domain.RoleCashier, nil},
	{"kiosk", "Front Hall Kiosk", domain.RoleKiosk, nil},
	{"admin", "Administrator", domain.RoleAdmin, nil},
	{"auditor", "State IT Audit", domain.RoleStateAuditor, nil},
	// The LSGD's officers who hear Right to Service appeals: a first
	// appeal on the Secretary's own desk, and every second appeal.
	{"deputydirector", "Suresh Kumar R.", domain.RoleAppellateAuthority, nil},
	{"jointdirector", "Latha Menon", domain.RoleAppellateAuthority, nil},
}

// DemoPassword is every demo staff account's password: demo data only.
func DemoPassword(login string) string { return "demo-" + login + "-2026" }

// DemoCitizen is the demo citizen account.
const (
	DemoCitizenPhone    = "9847000001"
	DemoCitizenPassword = "demo-citizen-2026"
)

var codeInMessage = regexp.MustCompile(`\b\d{6}\b`)

// DemoFailure is a demo application that failed while it was seeded.
type DemoFailure struct {
	// Index is its place in the run, from 0: the same seed on the same day
	// makes it again.
	Index   int
	Service string
	// Number is its application number; "" when it was refused before it
	// got one.
	Number string
	Err    error
}

func (f DemoFailure) Error() string {
	return fmt.Sprintf("demo application %d (%s %s): %v%s", f.Index, f.Service, f.Number, f.Err, fieldsOf(f.Err))
}

func (f DemoFailure) Unwrap() error { return f.Err }

// demoGivesUpAfter is how many applications in a row may fail before the
// seeding is taken for broken (a store that no longer writes, say) rather
// than a record that is.
const demoGivesUpAfter = 100

// SeedDemo fills a fresh appliance with a living office: one staff account
// per role, some citizens, and applications in every state of the
// workflow, some overdue and escalated. It returns the logins to print.
//
// The same seed makes the same office — the same people, applications,
// decisions, register entries and certificates — on the same day: the
// applications are dated back from the start of today (IST), not from the
// moment it runs. Run on another day, it makes the same office moved by
// that many days.
//
// An application that fails stops the seeding with a DemoFailure as the
// error, unless skip is set: then skip is told of it, the application is
// left where it stopped, and seeding goes on, so that one bad seeded record
// never takes the demo down. Even then, demoGivesUpAfter failures in a row
// stop it.
func SeedDemo(app *appliance.Appliance, applications int, seed uint64, progress func(done, total int), skip func(DemoFailure)) ([]Login, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var logins []Login
	byRole := map[domain.Role]domain.Actor{}
	for _, s := range demoStaff {
		u, otp, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: s.login, Name: s.name, Roles: []domain.Role{s.role}, Wards: s.wards})
		if err != nil {
			return nil, fmt.Errorf("demo staff %s: %w", s.login, err)
		}
		if err := app.Identity.ChangePassword(u.ID, otp, DemoPassword(s.login)); err != nil {
			return nil, err
		}
		byRole[s.role] = u.Actor()
		logins = append(logins, Login{Login: s.login, Password: DemoPassword(s.login), Roles: u.Roles})
	}
	var citizens []domain.Actor
	for i := range 6 {
		p := NewPerson(rng)
		contact, password := p.Phone, fmt.Sprintf("citizen-%d-%d", i, rng.IntN(1e9))
		if i == 0 {
			contact, password = DemoCitizenPhone, DemoCitizenPassword
		}
		u, err := Citizen(app, contact, p.Name.En, password)
		if err != nil {
			return nil, err
		}
		citizens = append(citizens, u.Actor())
		if i == 0 {
			logins = append(logins, Login{Login: DemoCitizenPhone, Password: DemoCitizenPassword, Roles: u.Roles})
		}
	}

	var services []catalogue.Service
	for _, svc := range app.Catalogue.All() {
		// Licences are seeded by SeedLicences, on premises of the register
		// and with licences to renew.
		if app.Catalogue.Available(svc.Code) && svc.Module != catalogue.ModuleTradeLicence {
			services = append(services, svc)
		}
	}
	today := app.Now().In(domain.IST)
	dayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, domain.IST)
	var registers civilForms
	buildings := buildingForms{pt: app.PropertyTax}
	if app.PropertyTax != nil {
		bs, err := SeedBuildings(app, rng, 1, min(max(applications, 40), 300))
		if err != nil {
			return nil, fmt.Errorf("demo buildings: %w", err)
		}
		for _, b := range bs {
			buildings.numbers = append(buildings.numbers, b.Number)
		}
	}
	failedInARow := 0
	for i := range applications {
		if progress != nil {
			progress(i, applications)
		}
		err := seedApplication(app, rng, services, &registers, &buildings, byRole, citizens, i, applications, dayStart)
		var failure DemoFailure
		switch {
		case err == nil:
			failedInARow = 0
			continue
		case !errors.As(err, &failure):
			return nil, err
		case skip == nil:
			return nil, failure
		}
		skip(failure)
		if failedInARow++; failedInARow >= demoGivesUpAfter {
			return nil, fmt.Errorf("%d demo applications in a row failed, so the seeding itself is broken; the last: %w", failedInARow, failure)
		}
	}
	if progress != nil {
		progress(applications, applications)
	}
	if _, err := app.Workflow.EscalateOverdue(); err != nil {
		return nil, err
	}
	return logins, nil
}

// seedApplication submits application i of the demo's n and moves it along
// its steps. A fault of the application is returned as a DemoFailure.
func seedApplication(app *appliance.Appliance, rng *rand.Rand, services []catalogue.Service, registers *civilForms, buildings *buildingForms, byRole map[domain.Role]domain.Actor,
	citizens []domain.Actor, i, applications int, dayStart time.Time) error {
	svc := services[rng.IntN(len(services))]
	// Submitted over the last 30 days, in order (a correction comes after
	// the registration it corrects), so some are overdue.
	at := dayStart.Add(-time.Duration(30*24*(applications-i)/max(applications, 1)+rng.IntN(3)) * time.Hour)
	wf := *app.Workflow
	wf.Now = func() time.Time { return at }
	p := NewPerson(rng)
	values, uploads := FillForm(rng, svc, app.LocalBody, p, at)
	if !registers.fill(rng, svc, values, at) || !buildings.fill(rng, svc, values) || !housePlan(rng, svc, values, app.LocalBody.Kind) {
		// Nothing registered yet to apply about: register a birth instead.
		svc, _ = app.Catalogue.Get("birth_registration")
		values, uploads = FillForm(rng, svc, app.LocalBody, p, at)
		registers.fill(rng, svc, values, at)
	}
	// Documents a late band asks for.
	if as, err := app.Workflow.Assess(byRole[domain.RoleFrontOffice], svc, values, workflow.ChannelCounter, at); err == nil {
		for _, d := range as.Documents {
			uploads[d.Code] = workflow.Upload{Name: d.Code + ".pdf", Data: tinyPDF}
		}
	}
	sub := workflow.Submission{Service: svc.Code, Values: values, Uploads: uploads, Applicant: workflow.Applicant{Name: p.Name, Phone: p.Phone}}
	by := byRole[domain.RoleFrontOffice]
	sub.Channel = workflow.ChannelCounter
	if i%3 != 0 {
		by, sub.Channel = citizens[rng.IntN(len(citizens))], workflow.ChannelOnline
	}
	f, err := wf.Submit(by, sub)
	if err != nil {
		return DemoFailure{Index: i, Service: svc.Code, Err: err}
	}
	number := f.Number
	if f, err = advance(&wf, rng, f, byRole, by, &at, buildingSteps(app, byRole)); err != nil {
		return DemoFailure{Index: i, Service: svc.Code, Number: number, Err: err}
	}
	if f.Record != "" && registrations[f.Service] {
		if e, err := app.Civil.Entry(domain.Actor{ID: "system", Roles: []domain.Role{domain.RoleRegistrar}}, f.Record); err == nil {
			registers.add(e)
		}
	}
	return nil
}

// registrations are the services whose approval makes a register entry.
var registrations = map[string]bool{"birth_registration": true, "delayed_birth_registration": true,
	"death_registration": true, "delayed_death_registration": true, "marriage_registration": true}

// Citizen signs a citizen up and verifies them with the code from their
// in-app message, the way a person would (the demo, tests and benchmarks
// run with no SMS or e-mail gateway, so the code is in-app).
func Citizen(app *appliance.Appliance, contact, name, password string) (identity.User, error) {
	u, err := app.Identity.SignUp(identity.SignUp{Contact: contact, Name: name, Password: password})
	if err != nil {
		return u, fmt.Errorf("demo citizen %s: %w", contact, err)
	}
	msg, ok := messaging.Latest(app.Store, u.ID, messaging.KindVerificationCode)
	code := codeInMessage.FindString(msg.Body.En)
	if !ok || code == "" {
		return u, fmt.Errorf("demo citizen %s: no code in the in-app message", contact)
	}
	if err := app.Identity.Verify(u.ID, code); err != nil {
		return u, err
	}
	return app.Identity.Get(u.ID)
}

// advance moves a file a random distance along its service's steps, so the
// demo has files at every desk and in every state.
// Before a desk passes a file on, desk records what that desk must record
// (a building file's inspection and scrutiny report).
func advance(wf *workflow.Workflow, rng *rand.Rand, f workflow.File, byRole map[domain.Role]domain.Actor, applicant domain.Actor, at *time.Time, desk func(workflow.File) error) (workflow.File, error) {
	svc := wf.Service(f)
	later := func() { *at = at.Add(time.Duration(1+rng.IntN(20)) * time.Hour) }
	act := func(kind, note string) error {
		later()
		var err error
		f, err = wf.Act(byRole[f.Role], f.ID, workflow.Request{Kind: kind, Note: note})
		return err
	}
	stopAt := rng.IntN(len(svc.Steps) + 3) // beyond the steps: decided
	for f.Step < len(svc.Steps)-1 && f.Step < stopAt {
		if rng.IntN(6) == 0 {
			if err := act(workflow.KindNote, "Verified against the register."); err != nil {
				return f, err
			}
		}
		if err := desk(f); err != nil {
			return f, err
		}
		if err := act(workflow.KindForwarded, ""); err != nil {
			return f, err
		}
	}
	switch r := rng.IntN(10); {
	case stopAt < len(svc.Steps):
		if r < 2 { // returned for more information, some answered
			if err := act(workflow.KindReturned, "Please attach a copy of the ration card."); err != nil {
				return f, err
			}
			if r == 1 {
				later()
				var err error
				f, err = wf.Answer(applicant, f.ID, "Attached the ration card.", map[string]workflow.Upload{"ration_card": {Name: "ration_card.pdf", Data: tinyPDF}})
				return f, err
			}
		}
	case r < 2:
		err := act(workflow.KindRejected, "The details do not match the register; apply for a correction first.")
		return f, err
	default:
		if svc.Fee.Pay == catalogue.PayOnApplication {
			if err := payFees(wf, rng, f, byRole, *at); err != nil {
				return f, err
			}
		}
		// The decision's note; for a service that ends in a reply, the reply.
		if err := act(workflow.KindApproved, "Examined and found in order; the office will act on it as asked."); err != nil {
			return f, err
		}
		if r < 7 {
			later()
			if err := payFees(wf, rng, f, byRole, *at); err != nil {
				return f, err
			}
			err := act(workflow.KindIssued, "")
			return f, err
		}
	}
	return f, nil
}

// fieldsOf lists an error's field messages, so that a demo seeding fault
// names the field.
func fieldsOf(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return ""
	}
	out := ""
	for k, v := range de.Fields {
		out += fmt.Sprintf(" [%s: %s]", k, v.En)
	}
	return out
}

// DemoRegisterRows is how many births of the synthetic legacy register the
// demo imports, so that the kiosk and the office search have people to find.
const DemoRegisterRows = 20000

// SeedLegacyRegister imports the first rows births of the synthetic legacy
// register (legacy.Births, seed 2026) as a local body's old register, and
// returns one of them for a person to look for at the kiosk.
func SeedLegacyRegister(app *appliance.Appliance, rows int) (legacy.Record, error) {
	// The demo's registrar answers for its old register, as a real
	// body's registrar does: the certificates printed from it name them.
	login, err := DemoRegistrar(app)
	if err != nil {
		return legacy.Record{}, err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(legacy.Births(pw, rows, 2026)) }()
	rep, err := app.ImportRegister("births", pr, "demo", login, nil)
	pr.Close()
	if err != nil {
		return legacy.Record{}, err
	}
	if rep.Bad > 0 {
		return legacy.Record{}, fmt.Errorf("the demo register had %d bad rows; the first: line %d: %s", rep.Bad, rep.Problems[0].Line, rep.Problems[0].Reason)
	}
	var example legacy.Record
	n := 0
	legacy.BirthRecords(rows, 2026, func(r legacy.Record) {
		if n++; n >= rows/2 && example.Number == "" && r.NameEn != "" && r.MotherEn != "" {
			example = r
		}
	})
	return example, nil
}

// DemoRegistrar returns the login of the demo's registrar account, adding
// it when the demo office was not seeded (a register imported alone).
func DemoRegistrar(app *appliance.Appliance) (string, error) {
	for _, s := range demoStaff {
		if s.role != domain.RoleRegistrar {
			continue
		}
		if _, err := app.Identity.ByLogin(s.login); err == nil {
			return s.login, nil
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return "", err
		}
		u, otp, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: s.login, Name: s.name, Roles: []domain.Role{s.role}, Wards: s.wards})
		if err != nil {
			return "", fmt.Errorf("demo staff %s: %w", s.login, err)
		}
		return s.login, app.Identity.ChangePassword(u.ID, otp, DemoPassword(s.login))
	}
	return "", errors.New("the demo office has no registrar")
}
