package rts_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/files"
	"ksmart/appliance/finance"
	"ksmart/appliance/licence"
	"ksmart/appliance/module"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// TestReport_FiguresEqualACountFromTheLog makes files in every state over
// July and August 2026 — decided in time, rejected late, still late,
// returned and answered (its due date moved), a late RTI request
// appealed and ordered, a rejection appealed and upheld, a trade licence
// deemed granted by the law — and checks the report for several periods
// against a count made only from the log's events, replayed in order.
func TestReport_FiguresEqualACountFromTheLog(t *testing.T) {
	c := (&clock{}).At("2026-07-20 10:00:00")
	app := open(t, c, "2026-08-15")
	meena := citizen(t, app, "9847022222", "Meena Joseph")
	toSecretary := func(f workflow.File) {
		act(t, app, front, f.ID, workflow.KindForwarded, "")
		act(t, app, clerk, f.ID, workflow.KindForwarded, "")
	}
	july := petition(t, app, meena) // received before August, decided in it
	toSecretary(july)

	c.At("2026-08-03 10:00:00")
	inTime, rejectedLate, stillLate, answered := petition(t, app, meena), petition(t, app, meena), petition(t, app, meena), petition(t, app, meena)
	info := rti(t, app, meena, true)
	for _, f := range []workflow.File{inTime, rejectedLate, stillLate} {
		toSecretary(f)
	}
	c.At("2026-08-06 10:00:00")
	act(t, app, secretary, inTime.ID, workflow.KindApproved, "The lamp will be replaced this week.")
	act(t, app, secretary, july.ID, workflow.KindApproved, "The lamp will be replaced this week.")
	act(t, app, front, answered.ID, workflow.KindReturned, "Give the pole's number.")
	c.At("2026-08-14 10:00:00")
	if _, err := app.Workflow.Answer(meena, answered.ID, "Pole 14.", nil); err != nil {
		t.Fatal(err)
	}
	toSecretary(answered)
	// After its first due date (24-08) but before the one its return moved.
	c.At("2026-08-26 10:00:00")
	act(t, app, secretary, answered.ID, workflow.KindApproved, "The lamp will be replaced this week.")
	act(t, app, secretary, rejectedLate.ID, workflow.KindRejected, "The pole belongs to KSEB, not the municipality.")
	c.At("2026-08-28 10:00:00")
	upheld, err := app.RTS.File(meena, rejectedLate.ID, "The pole is the municipality's.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.RTS.Decide(lsgd1, upheld.ID, rts.Ruling{Outcome: rts.OutcomeUphold, Reasons: "The site report shows a KSEB pole."}); err != nil {
		t.Fatal(err)
	}
	deemedLicence(t, app, c)
	c.At("2026-09-05 10:00:00")
	late, err := app.RTS.File(meena, info.ID, "No information in 30 days.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.RTS.Decide(secretary, late.ID, rts.Ruling{Outcome: rts.OutcomeDeliver, DeliverWithinDays: 7, Reasons: "Give the information within 7 days."}); err != nil {
		t.Fatal(err)
	}
	c.At("2026-09-10 10:00:00")

	fromLog := countLog(t, app, c.Now())
	for _, p := range [][2]string{{"2026-08-01", "2026-08-31"}, {"2026-07-01", "2026-09-30"}, {"2026-08-04", "2026-08-26"}, {"2026-09-01", "2026-09-30"}} {
		period, err := rts.ParsePeriod(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		rep, err := app.RTS.Report(period)
		if err != nil {
			t.Fatal(err)
		}
		want := fromLog(period)
		got := map[string]rts.ServiceFigure{}
		for _, s := range rep.Services {
			s.Name = domain.Text{}
			got[s.Code] = s
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s..%s:\n report %+v\n log    %+v", p[0], p[1], got, want)
		}
	}
	// What the figures are, for August, in words a secretary would check.
	aug, _ := rts.ParsePeriod("2026-08-01", "2026-08-31")
	rep, _ := app.RTS.Report(aug)
	byCode := map[string]rts.ServiceFigure{}
	for _, s := range rep.Services {
		byCode[s.Code] = s
	}
	if gp := byCode["general_petition"]; gp.Received != 4 || gp.InTime != 3 || gp.Late != 1 || gp.PendingOverdue != 1 || gp.Appeals != 1 {
		t.Errorf("petitions in August: %+v; want 4 received, 3 in time (one after its return), 1 late, 1 still late, 1 appeal", gp)
	}
	sep, _ := rts.ParsePeriod("2026-09-01", "2026-09-30")
	rep, _ = app.RTS.Report(sep)
	seen := 0
	for _, s := range rep.Services {
		if s.Code == licence.SvcNew || s.Code == "rti_application" {
			seen++
		}
		if s.Code == licence.SvcNew && (s.Deemed != 1 || s.InTime+s.Late != 0) {
			t.Errorf("licences in September: %+v; want one deemed, none decided by the office", s)
		}
		if s.Code == "rti_application" && s.Appeals != 1 {
			t.Errorf("RTI in September: %+v; want its appeal", s)
		}
	}
	if seen != 2 {
		t.Errorf("September's report has %d of the licence and RTI lines: %+v", seen, rep.Services)
	}
	// The state view's figures of the body count the same appeals and the
	// deemed licence.
	tally := module.NewTally(c.Now())
	if err := app.Store.View(func(tx *store.Tx) error { return files.Module.Figures.Count(tx, tally) }); err != nil {
		t.Fatal(err)
	}
	if tally.Counts[files.FigureAppeals] != 2 || tally.Counts[files.FigureDeemed] != 1 || tally.Counts[files.FigurePenalties] != 0 {
		t.Errorf("the state view counts %v; want 2 appeals, 1 deemed, no penalty", tally.Counts)
	}
	if _, err := rts.ParsePeriod("2026-08-31", "2026-08-01"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a period ending before it starts: %v", err)
	}
}

// deemedLicence files a paid trade licence application on 1 August and
// lets its 30 days (s.447(6)) run out: the day's job deems it.
func deemedLicence(t *testing.T, app *appliance.Appliance, c *clock) {
	t.Helper()
	back := c.Now()
	c.At("2026-08-01 10:00:00")
	if _, err := app.PropertyTax.Register(domain.System, propertytax.Building{Number: "3/40", Ward: 3, Occupancy: "rented",
		Owners: []propertytax.Owner{{Name: domain.T("Market Committee", ""), Share: 100}}, Floors: []propertytax.Floor{{Use: propertytax.UseCommercial, Area: propertytax.SquareMetres(900)}},
		PlotArea: propertytax.SquareMetres(1200), Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2001}); err != nil {
		t.Fatal(err)
	}
	f, err := app.Workflow.Submit(front, workflow.Submission{Service: licence.SvcNew, Channel: workflow.ChannelCounter,
		Values: map[string]string{"trade_name": "Stall A", "trade_type": "grocery", "trade_description": "Groceries",
			"building_number": "3/40", "ward": "3", "area_sqm": "20", "trade_started_on": "2026-07-28",
			"owner_name_en": "Trader", "owner_address": "Market", "phone": "9847011111"},
		Applicant: workflow.Applicant{Name: domain.T("Trader", "")}, Uploads: map[string]workflow.Upload{"premises_proof": scan, "owner_id": scan, "fssai": scan}})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Due.Equal(dayEnd("2026-08-31")) {
		t.Errorf("a licence application of 01-08 is due %v; s.447(6)'s 30 days are calendar days", f.Due.In(domain.IST))
	}
	var demand string
	app.Store.View(func(tx *store.Tx) error {
		ds, err := app.Finance.DemandsFor(tx, "file", f.ID)
		if len(ds) > 0 {
			demand = ds[0].ID
		}
		return err
	})
	cashier := domain.Actor{ID: "u-cash", Name: "Cashier", Roles: []domain.Role{domain.RoleCashier}}
	if _, err := app.Finance.Collect(cashier, demand, finance.Payment{Counter: "C1", Amount: f.Fee, Mode: finance.ModeCash}); err != nil {
		t.Fatal(err)
	}
	c.At("2026-08-31 23:00:00")
	if got, err := app.Licences.DeemDue(c.Now()); err != nil || len(got) != 0 {
		t.Fatalf("deemed on its 30th day: %v, %v", got, err)
	}
	c.At("2026-09-01 00:30:00")
	if got, err := app.Licences.DeemDue(c.Now()); err != nil || len(got) != 1 {
		t.Fatalf("deemed on the 31st day: %v, %v", got, err)
	}
	if got, err := app.Licences.DeemDue(c.Now()); err != nil || len(got) != 0 {
		t.Fatalf("deemed twice: %v, %v", got, err)
	}
	c.Set(back)
}

// countLog replays the log's events into each file's clock and decisions
// and each appeal, and returns a counter of a period's figures by the
// report's definitions. It reads nothing but the events.
func countLog(t *testing.T, app *appliance.Appliance, now time.Time) func(rts.Period) map[string]rts.ServiceFigure {
	t.Helper()
	type file struct {
		service          string
		submitted, due   time.Time
		status           string
		decided          time.Time
		byOffice, deemed bool
	}
	files := map[string]*file{}
	var appeals []struct {
		service string
		filed   time.Time
	}
	for seq := uint64(1); ; seq += 1000 {
		evs, err := app.Store.ReadLog(seq, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			var act struct {
				At  time.Time `json:"at"`
				Due time.Time `json:"due"`
			}
			switch e.Type {
			case workflow.EventSubmitted.Name:
				var f struct {
					Service   string    `json:"service"`
					Submitted time.Time `json:"submitted"`
					Due       time.Time `json:"due"`
				}
				json.Unmarshal(e.Data, &f)
				files[e.ID] = &file{service: f.Service, submitted: f.Submitted, due: f.Due, status: "open"}
				continue
			case workflow.EventDeemed.Name:
				var d struct {
					Action struct {
						At time.Time `json:"at"`
					} `json:"action"`
				}
				json.Unmarshal(e.Data, &d)
				f := files[e.ID]
				f.status, f.decided, f.deemed = "done", d.Action.At, true
				continue
			case rts.EventAppealFiled.Name:
				var a struct {
					Service string    `json:"service"`
					Filed   time.Time `json:"filed"`
				}
				json.Unmarshal(e.Data, &a)
				appeals = append(appeals, struct {
					service string
					filed   time.Time
				}{a.Service, a.Filed})
				continue
			}
			json.Unmarshal(e.Data, &act)
			f := files[e.ID]
			switch e.Type {
			case workflow.EventReturned.Name:
				f.status = "returned"
			case workflow.EventResubmitted.Name:
				f.status, f.due = "open", act.Due
			case workflow.EventApproved.Name:
				f.status, f.decided, f.byOffice = "approved", act.At, true
			case workflow.EventRejected.Name:
				f.status, f.decided, f.byOffice = "rejected", act.At, true
			case workflow.EventIssued.Name:
				f.status = "done"
			case workflow.EventOrdered.Name:
				if f.status == "rejected" {
					f.status, f.decided, f.byOffice, f.due = "open", time.Time{}, false, act.Due
				}
			}
		}
		if len(evs) < 1000 {
			break
		}
	}
	return func(p rts.Period) map[string]rts.ServiceFigure {
		out := map[string]rts.ServiceFigure{}
		add := func(code string, fn func(*rts.ServiceFigure)) {
			s := out[code]
			s.Code = code
			fn(&s)
			out[code] = s
		}
		for _, f := range files {
			if p.In(f.submitted) {
				add(f.service, func(s *rts.ServiceFigure) { s.Received++ })
				if f.status == "open" && now.After(f.due) {
					add(f.service, func(s *rts.ServiceFigure) { s.PendingOverdue++ })
				}
			}
			if f.byOffice && p.In(f.decided) {
				if f.decided.After(f.due) {
					add(f.service, func(s *rts.ServiceFigure) { s.Late++ })
				} else {
					add(f.service, func(s *rts.ServiceFigure) { s.InTime++ })
				}
			}
			if f.deemed && p.In(f.decided) {
				add(f.service, func(s *rts.ServiceFigure) { s.Deemed++ })
			}
		}
		for _, a := range appeals {
			if p.In(a.filed) {
				add(a.service, func(s *rts.ServiceFigure) { s.Appeals++ })
			}
		}
		return out
	}
}
