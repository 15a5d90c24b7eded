package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/licence"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/workflow"
)

// LicencesSeeded says what SeedLicences made, by the status each licence
// stands in today.
type LicencesSeeded struct {
	ByStatus map[string][]string // licence numbers
	// Deemed is the licence the day's job granted because its file sat
	// 31 days undecided; RenewedOnline the one renewed from the demo
	// citizen's page.
	Deemed, RenewedOnline string
	Open                  string // an application still on the clerk's desk
	MSME                  int
}

// SeedLicences gives the demo office trade licences in every status, on
// premises of the demo ward's register (SeedDemo's buildings), each made
// the way an office makes it, back-dated: an active bakery and a licence
// renewed online, both the demo citizen's; an expired one never renewed;
// one pending, its late renewal returned for a defect; one suspended and
// one cancelled by the secretary after a hearing; a hotel whose file sat
// 31 days on the health inspector's desk, deemed granted by the day's job;
// a fresh application; two MSME acknowledgements, one ended. It runs
// once, on a fresh demo, after SeedDemo.
func SeedLicences(app *appliance.Appliance, seed uint64) (LicencesSeeded, error) {
	out := LicencesSeeded{ByStatus: map[string][]string{}}
	lc := app.Licences
	if lc == nil || app.PropertyTax == nil || app.Finance == nil {
		return out, nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x11c))
	staff, err := app.Identity.List(identity.KindStaff)
	if err != nil {
		return out, err
	}
	byRole := map[domain.Role]domain.Actor{}
	for _, u := range staff {
		for _, r := range u.Roles {
			byRole[r] = u.Actor()
		}
	}
	for _, r := range []domain.Role{domain.RoleFrontOffice, domain.RoleSectionClerk, domain.RoleHealthInspector, domain.RoleSecretary, domain.RoleCashier} {
		if len(byRole[r].Roles) == 0 {
			return out, fmt.Errorf("demo licences: the demo office has no %s (run SeedDemo first)", r)
		}
	}
	citizens, err := app.Identity.List(identity.KindCitizen)
	if err != nil {
		return out, err
	}
	var citizen identity.User
	for _, u := range citizens {
		if strings.HasSuffix(u.Phone, DemoCitizenPhone) || strings.HasSuffix(u.Login, DemoCitizenPhone) {
			citizen = u
		}
	}
	bs, err := app.PropertyTax.ByWard(1, "", 0)
	if err != nil {
		return out, err
	}
	var premises []propertytax.Building
	for _, b := range bs {
		if b.Status == propertytax.StatusActive {
			premises = append(premises, b)
		}
	}
	if len(premises) < 9 || citizen.ID == "" {
		return out, fmt.Errorf("demo licences: the demo ward has %d buildings and the demo citizen %q; run SeedDemo first", len(premises), citizen.ID)
	}

	now := app.Now()
	fy := licence.FinancialYear(now)
	yearStart := time.Date(fy, 4, 1, 11, 0, 0, 0, domain.IST)
	// inYear is days before now, but not before this year's second day,
	// so the licence granted then is this year's.
	inYear := func(days int) time.Time {
		t := now.AddDate(0, 0, -days)
		if t.Before(yearStart.AddDate(0, 0, 1)) {
			t = yearStart.AddDate(0, 0, 1)
		}
		return t
	}
	at := now
	wf := *app.Workflow
	wf.Now = func() time.Time { return at }
	next := 0
	shop := func() propertytax.Building { b := premises[next%len(premises)]; next++; return b }

	type trade struct{ name, kind, area, what string }
	trades := []trade{{"Sree Bakery", "bakery", "60", "Bakes and sells bread and sweets"}, {"Hotel Malabar", "eating_house", "120", "Meals and tea"},
		{"Thomas Textiles", "textile", "150", "Sells cloth and readymades"}, {"Kerala Stores", "grocery", "40", "Groceries"},
		{"Fresh Fish Stall", "fish_meat_stall", "20", "Sells fish"}, {"City Lodge", "lodge", "400", "Rooms for travellers"},
		{"Style Beauty Parlour", "beauty_parlour", "30", "Hair and beauty"}, {"Grand Godown", "godown", "300", "Stores rice"}}
	// apply files a new licence's application on b at when: online by the
	// demo citizen, or at the counter for a walk-in holder.
	apply := func(tr trade, b propertytax.Building, online bool, when time.Time) (workflow.File, error) {
		at = when
		p := NewPerson(rng)
		holder, phone := p.Name, p.Phone
		by, channel := byRole[domain.RoleFrontOffice], workflow.ChannelCounter
		if online {
			holder, phone = domain.T(citizen.Name, ""), citizen.Login
			by, channel = citizen.Actor(), workflow.ChannelOnline
		}
		v := map[string]string{"trade_name": tr.name, "trade_type": tr.kind, "trade_description": tr.what, "building_number": b.Number,
			"ward": fmt.Sprint(b.Ward), "area_sqm": tr.area, "trade_started_on": when.AddDate(0, 0, -12).Format(time.DateOnly),
			"owner_name_en": holder.En, "owner_name_ml": holder.Ml, "owner_address": fmt.Sprintf("%s, ward %d", b.Number, b.Ward), "phone": phone}
		return wf.Submit(by, workflow.Submission{Service: licence.SvcNew, Values: v, Channel: channel, Uploads: licenceUploads(&wf, by, licence.SvcNew, v, when),
			Applicant: workflow.Applicant{Name: holder, Phone: phone}})
	}
	act := func(f workflow.File, role domain.Role, kind, note string, when time.Time, report bool) (workflow.File, error) {
		at = when
		req := workflow.Request{Kind: kind, Note: note}
		if report {
			req.Report = &workflow.Upload{Name: "inspection-with-photos.pdf", Data: tinyPDF}
		}
		return wf.Act(byRole[role], f.ID, req)
	}
	// grant pays the fee on the day of application and takes the file
	// through the office: the clerk verifies, the health inspector
	// inspects and reports with photos, the secretary grants and issues.
	grant := func(f workflow.File, when time.Time) (licence.Licence, error) {
		steps := []struct {
			role   domain.Role
			kind   string
			note   string
			report bool
		}{
			{domain.RoleSectionClerk, workflow.KindForwarded, "", false},
			{domain.RoleHealthInspector, workflow.KindInspection, "Premises inspected; clean, ventilated, waste disposal arranged. Photos attached.", true},
			{domain.RoleHealthInspector, workflow.KindForwarded, "", false},
			{domain.RoleSecretary, workflow.KindApproved, "Inspected and found in order.", false},
			{domain.RoleSecretary, workflow.KindIssued, "", false},
		}
		if err := payFees(&wf, rng, f, byRole, f.Submitted.Add(time.Hour)); err != nil {
			return licence.Licence{}, err
		}
		var err error
		for i, s := range steps {
			if f, err = act(f, s.role, s.kind, s.note, when.Add(time.Duration(i)*time.Hour), s.report); err != nil {
				return licence.Licence{}, fmt.Errorf("%s %s: %w", s.kind, f.Number, err)
			}
		}
		return lc.Licence(f.Record)
	}
	fresh := func(tr trade, online bool, applied, granted time.Time) (licence.Licence, error) {
		f, err := apply(tr, shop(), online, applied)
		if err != nil {
			return licence.Licence{}, fmt.Errorf("%s: %w", tr.name, err)
		}
		return grant(f, granted)
	}
	renew := func(l licence.Licence, online bool, when time.Time) (workflow.File, error) {
		at = when
		by, channel := byRole[domain.RoleFrontOffice], workflow.ChannelCounter
		if online {
			by, channel = citizen.Actor(), workflow.ChannelOnline
		}
		f, err := wf.Submit(by, workflow.Submission{Service: licence.SvcRenewal, Values: lc.RenewalForm(l), Channel: channel,
			Applicant: workflow.Applicant{Name: l.Holder.Name, Phone: l.Holder.Phone}})
		if err != nil {
			return f, fmt.Errorf("renewing %s: %w", l.Number, err)
		}
		return f, payFees(&wf, rng, f, byRole, when.Add(time.Hour))
	}
	lastYear := yearStart.AddDate(-1, 0, 0)

	// Active: the demo citizen's bakery, granted this year.
	if _, err := fresh(trades[0], true, inYear(60), inYear(50)); err != nil {
		return out, err
	}
	// Renewed online: the demo citizen's hotel of last year, renewed from
	// their page in March before it expired.
	renewed, err := fresh(trades[1], true, lastYear.AddDate(0, 0, 20), lastYear.AddDate(0, 0, 30))
	if err != nil {
		return out, err
	}
	rf, err := renew(renewed, true, yearStart.AddDate(0, 0, -15))
	if err != nil {
		return out, err
	}
	if renewed, err = grant(rf, yearStart.AddDate(0, 0, -8)); err != nil {
		return out, err
	}
	out.RenewedOnline = renewed.Number
	// Expired: last year's, never renewed.
	if _, err := fresh(trades[2], false, lastYear.AddDate(0, 1, 10), lastYear.AddDate(0, 1, 20)); err != nil {
		return out, err
	}
	// Pending: last year's, renewed a week late (with the penalty) and
	// returned for a defect the holder has not yet answered.
	pending, err := fresh(trades[3], false, lastYear.AddDate(0, 2, 0), lastYear.AddDate(0, 2, 9))
	if err != nil {
		return out, err
	}
	pf, err := renew(pending, false, yearStart.AddDate(0, 0, 7))
	if err != nil {
		return out, err
	}
	if _, err := act(pf, domain.RoleSectionClerk, workflow.KindReturned, "Attach the renewed FSSAI registration; the one on file has lapsed.", yearStart.AddDate(0, 0, 12), false); err != nil {
		return out, err
	}
	// Suspended and cancelled, by the secretary after a hearing.
	suspended, err := fresh(trades[4], false, inYear(100), inYear(90))
	if err != nil {
		return out, err
	}
	cancelled, err := fresh(trades[5], false, inYear(130), inYear(120))
	if err != nil {
		return out, err
	}
	secretary := *lc
	secretary.Now = func() time.Time { return inYear(5) }
	until := inYear(5).AddDate(0, 1, 0)
	if end := time.Date(fy+1, 3, 31, 0, 0, 0, 0, domain.IST); until.After(end) {
		until = end
	}
	if _, err := secretary.Order(byRole[domain.RoleSecretary], suspended.Number, licence.OrderRequest{Kind: licence.OrderSuspend,
		Hearing: "Heard the licensee on the complaint of foul smell; she undertook to clean the drain within a month.",
		Reasons: "Waste water let into the public drain; stall to stay closed until the drain is cleaned.", Until: until.Format(time.DateOnly)}); err != nil {
		return out, fmt.Errorf("suspending %s: %w", suspended.Number, err)
	}
	if _, err := secretary.Order(byRole[domain.RoleSecretary], cancelled.Number, licence.OrderRequest{Kind: licence.OrderCancel,
		Hearing: "Notice served; the licensee did not appear on the date fixed for hearing.",
		Reasons: "Rooms let without the Fire and Rescue NOC after two notices."}); err != nil {
		return out, fmt.Errorf("cancelling %s: %w", cancelled.Number, err)
	}
	// Deemed: a hotel's file verified by the clerk and inspected, then
	// left 31 days undecided on the health inspector's desk.
	df, err := apply(trades[6], shop(), false, now.AddDate(0, 0, -31))
	if err != nil {
		return out, err
	}
	if err := payFees(&wf, rng, df, byRole, df.Submitted.Add(time.Hour)); err != nil {
		return out, err
	}
	if df, err = act(df, domain.RoleSectionClerk, workflow.KindForwarded, "", now.AddDate(0, 0, -29), false); err != nil {
		return out, err
	}
	if _, err = act(df, domain.RoleHealthInspector, workflow.KindNote, "Visited; to inspect the kitchen again.", now.AddDate(0, 0, -25), false); err != nil {
		return out, err
	}
	// A fresh application, on the clerk's desk.
	of, err := apply(trades[7], shop(), false, now.AddDate(0, 0, -3))
	if err != nil {
		return out, err
	}
	out.Open = of.Number
	if err := payFees(&wf, rng, of, byRole, of.Submitted.Add(time.Hour)); err != nil {
		return out, err
	}
	// MSME acknowledgements: one in force, one whose three years ended.
	for i, back := range []time.Time{now.AddDate(-3, 0, 40), now.AddDate(-3, 0, -30)} {
		b := shop()
		p := NewPerson(rng)
		if _, err := lc.RecordMSME(byRole[domain.RoleSectionClerk], licence.Exemption{Number: fmt.Sprintf("UDYAM-KL-07-%07d", 1000+i), Date: back.Format(time.DateOnly),
			Enterprise: []string{"Kairali Spices", "Nila Coir Works"}[i], Holder: p.Name, Premises: b.Number}); err != nil {
			return out, err
		}
		out.MSME++
	}
	// The day's job: the hotel is deemed, last year's licences expire,
	// the ended exemption is recorded.
	job, err := lc.Daily(now)
	if err != nil {
		return out, err
	}
	if len(job.Deemed) == 1 {
		out.Deemed = job.Deemed[0]
	}
	for _, s := range licence.Statuses {
		ls, err := lc.ByStatus(s, 0)
		if err != nil {
			return out, err
		}
		for _, l := range ls {
			out.ByStatus[s] = append(out.ByStatus[s], l.Number)
		}
	}
	return out, nil
}

// licenceUploads are the documents a licence application attaches: the
// service's own and those its trade needs.
func licenceUploads(wf *workflow.Workflow, by domain.Actor, service string, v map[string]string, at time.Time) map[string]workflow.Upload {
	svc, _ := wf.Catalogue.Get(service)
	up := map[string]workflow.Upload{}
	for _, d := range svc.Documents {
		if d.Required {
			up[d.Code] = workflow.Upload{Name: d.Code + ".pdf", Data: tinyPDF}
		}
	}
	if a, err := wf.Assess(by, svc, v, workflow.ChannelCounter, at); err == nil {
		for _, d := range a.Documents {
			up[d.Code] = workflow.Upload{Name: d.Code + ".pdf", Data: tinyPDF}
		}
	}
	return up
}
