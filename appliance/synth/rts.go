package synth

import (
	"fmt"
	"strings"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
)

// RTSSeeded says what SeedRTS made: the demo citizen's files in each
// Right to Service state, by what a visitor should look at.
type RTSSeeded struct {
	// Appealable is a late petition the demo citizen may appeal now;
	// RejectedAppealable a rejected one.
	Appealable, RejectedAppealable string
	// FirstPending is an appeal waiting for the Deputy Director;
	// SecondPending a second appeal (after the first was upheld) waiting
	// for the Joint Director; Penalty the second appeal that proposed a
	// penalty, on an RTI request first ordered delivered.
	FirstPending, SecondPending, Penalty string
}

// SeedRTS gives the demo citizen files in every Right to Service state,
// made the way the office and the citizen make them, back-dated from the
// start of today: a petition late and appealable; one rejected and
// appealable; one late with its first appeal pending; one rejected, the
// rejection upheld on first appeal, the second appeal pending; and a free
// RTI request (below the poverty line) not answered in its 30 calendar
// days, ordered delivered on first appeal, still not delivered, and a
// penalty proposed on the clerk on second appeal. It runs once, on a
// fresh demo, after SeedDemo (whose staff it uses); the trade licence
// deemed granted is SeedLicences'.
func SeedRTS(app *appliance.Appliance) (RTSSeeded, error) {
	var out RTSSeeded
	staff, err := app.Identity.List(identity.KindStaff)
	if err != nil {
		return out, err
	}
	by := map[string]domain.Actor{}
	for _, u := range staff {
		by[u.Login] = u.Actor()
	}
	for _, l := range []string{"frontoffice", "clerk", "headclerk", "secretary", "deputydirector", "jointdirector"} {
		if by[l].ID == "" {
			return out, fmt.Errorf("demo Right to Service: the demo office has no %s (run SeedDemo first)", l)
		}
	}
	citizens, err := app.Identity.List(identity.KindCitizen)
	if err != nil {
		return out, err
	}
	var citizen domain.Actor
	for _, u := range citizens {
		if strings.HasSuffix(u.Phone, DemoCitizenPhone) || strings.HasSuffix(u.Login, DemoCitizenPhone) {
			citizen = u.Actor()
		}
	}
	if citizen.ID == "" {
		return out, fmt.Errorf("demo Right to Service: no demo citizen (run SeedDemo first)")
	}
	today := app.Now().In(domain.IST)
	dayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, domain.IST)
	var at time.Time
	wf := *app.Workflow
	wf.Now = func() time.Time { return at }
	rt := *app.RTS
	rt.Workflow, rt.Now = &wf, func() time.Time { return at }
	day := func(daysAgo int, hour int) {
		at = dayStart.AddDate(0, 0, -daysAgo).Add(time.Duration(hour) * time.Hour)
	}

	petition := func(subject string) (workflow.File, error) {
		return wf.Submit(citizen, workflow.Submission{Service: "general_petition", Channel: workflow.ChannelOnline,
			Applicant: workflow.Applicant{Name: domain.T(citizen.Name, "")},
			Values: map[string]string{"applicant_name_en": citizen.Name, "address": "Kadavil House, Fort Road", "ward": "1", "phone": DemoCitizenPhone,
				"subject": subject, "petition": subject + ": please look into it; it has been so for weeks."}})
	}
	act := func(who string, f workflow.File, kind, note string) (workflow.File, error) {
		return wf.Act(by[who], f.ID, workflow.Request{Kind: kind, Note: note})
	}
	toSecretary := func(f workflow.File) (workflow.File, error) {
		f, err := act("frontoffice", f, workflow.KindForwarded, "")
		if err == nil {
			f, err = act("clerk", f, workflow.KindNote, "Asked the section for a report.")
		}
		if err == nil {
			f, err = act("clerk", f, workflow.KindForwarded, "")
		}
		return f, err
	}
	reject := func(f workflow.File) (workflow.File, error) {
		f, err := toSecretary(f)
		if err == nil {
			f, err = act("secretary", f, workflow.KindRejected, "The road belongs to the PWD, not to the municipality; the petition is sent to them.")
		}
		return f, err
	}
	step := func(err error, what string) error {
		if err != nil {
			return fmt.Errorf("demo Right to Service, %s: %w", what, err)
		}
		return nil
	}

	// Late and appealable: 40 days ago, never got past the clerk.
	day(40, 10)
	f, err := petition("Street light out at pole 14")
	if err == nil {
		_, err = act("frontoffice", f, workflow.KindForwarded, "")
	}
	if err := step(err, "a late petition"); err != nil {
		return out, err
	}
	out.Appealable = f.Number

	// Rejected five days ago, appealable.
	day(20, 11)
	f, err = petition("Potholes on Market Road")
	if err == nil {
		day(5, 12)
		_, err = reject(f)
	}
	if err := step(err, "a rejected petition"); err != nil {
		return out, err
	}
	out.RejectedAppealable = f.Number

	// Late, first appeal pending with the Deputy Director.
	day(45, 10)
	f, err = petition("Drain blocked near the school")
	if err == nil {
		_, err = act("frontoffice", f, workflow.KindForwarded, "")
	}
	var a rts.Appeal
	if err == nil {
		day(4, 15)
		a, err = rt.File(citizen, f.ID, "My petition on the blocked drain has had no answer in its 15 working days.")
	}
	if err := step(err, "a pending first appeal"); err != nil {
		return out, err
	}
	out.FirstPending = a.Number

	// Rejected, upheld on first appeal, second appeal pending.
	day(50, 10)
	f, err = petition("Stray cattle on the bypass")
	if err == nil {
		day(30, 11)
		f, err = reject(f)
	}
	if err == nil {
		day(25, 10)
		a, err = rt.File(citizen, f.ID, "The bypass is within the municipality; the rejection is wrong.")
	}
	if err == nil {
		day(12, 16)
		_, err = rt.Decide(by["deputydirector"], a.ID, rts.Ruling{Outcome: rts.OutcomeUphold,
			Reasons: "The site inspection report shows the stretch is a PWD road; the rejection with reasons is upheld. The petition has been sent to the PWD."})
	}
	if err == nil {
		day(3, 10)
		a, err = rt.File(citizen, f.ID, "The PWD says the cattle are the municipality's duty under the Act; I appeal against the first order.")
	}
	if err := step(err, "a pending second appeal"); err != nil {
		return out, err
	}
	out.SecondPending = a.Number

	// A free RTI request, late, ordered delivered, a penalty proposed.
	day(60, 10)
	f, err = wf.Submit(citizen, workflow.Submission{Service: "rti_application", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T(citizen.Name, "")},
		Values: map[string]string{"applicant_name_en": citizen.Name, "address": "Kadavil House, Fort Road", "phone": DemoCitizenPhone,
			"information_sought": "Copies of the work orders and bills for street lights in ward 1 in 2025-26.", "below_poverty_line": "yes"},
		Uploads: map[string]workflow.Upload{"bpl_proof": {Name: "ration-card.pdf", Data: tinyPDF}}})
	if err == nil {
		f, err = act("clerk", f, workflow.KindNote, "Work orders are with the engineering section; asked for copies.")
	}
	if err == nil {
		day(25, 11)
		a, err = rt.File(citizen, f.ID, "No information was given within the 30 days the RTI Act allows.")
	}
	if err == nil {
		day(20, 15)
		_, err = rt.Decide(by["secretary"], a.ID, rts.Ruling{Outcome: rts.OutcomeDeliver, DeliverWithinDays: 7,
			Reasons: "The request is clear and the records are with the office. The Public Information Officer is directed to give the information within 7 days, free of cost."})
	}
	if err == nil {
		day(10, 10)
		a, err = rt.File(citizen, f.ID, "Even after the first appellate order no information has come.")
	}
	if err == nil {
		day(6, 14)
		a, err = rt.Decide(by["jointdirector"], a.ID, rts.Ruling{Outcome: rts.OutcomePenalty, Penalty: 2500_00, DeliverWithinDays: 5,
			Reasons: "The information was not given in time nor after the first appellate order, and no reason was shown. A penalty is proposed and the information is to be given within 5 days.",
			Hearing: "Heard the section clerk and the head clerk; the delay was put down to the engineering section, which the record does not bear out."})
	}
	if err := step(err, "an RTI request to a penalty"); err != nil {
		return out, err
	}
	out.Penalty = a.Number
	return out, nil
}
