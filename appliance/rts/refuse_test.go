package rts_test

import (
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
)

// TestAppeal_RefusedWithAReasonInBothLanguagesAndNothingStored: an appeal
// on a file neither late nor rejected, after the time to appeal, by
// someone other than the applicant, and a second appeal before the first
// is decided are each refused with a reason in English and Malayalam, and
// the log does not move.
func TestAppeal_RefusedWithAReasonInBothLanguagesAndNothingStored(t *testing.T) {
	c := (&clock{}).At("2026-08-03 10:00:00")
	app := open(t, c)
	meena := citizen(t, app, "9847022222", "Meena Joseph")
	ravi := citizen(t, app, "9847033333", "Ravi Menon")
	onTime := petition(t, app, meena)
	rejected := petition(t, app, meena)
	pending := petition(t, app, meena)
	for _, id := range []string{rejected.ID, pending.ID} {
		act(t, app, front, id, workflow.KindForwarded, "")
	}
	act(t, app, clerk, rejected.ID, workflow.KindForwarded, "")
	rejected = act(t, app, secretary, rejected.ID, workflow.KindRejected, "The street light is on a KSEB pole, not ours.")
	c.Set(pending.Due.Add(time.Hour))
	first, err := app.RTS.File(meena, pending.ID, "No answer within the time limit.")
	if err != nil {
		t.Fatal(err)
	}
	late := rejected.Decided.AddDate(0, 0, 31)

	for _, tc := range []struct {
		name   string
		at     time.Time
		by     domain.Actor
		file   string
		code   string
		wantEn string
		wantMl string
	}{
		{"neither late nor rejected", rejected.Decided, meena, onTime.ID, domain.ECONFLICT, "neither late nor rejected", "നിരസിക്കുകയോ"},
		{"after the time to appeal", late, meena, rejected.ID, domain.ECONFLICT, "The time to appeal ended on", "അപ്പീൽ നൽകാനുള്ള സമയം"},
		{"by another citizen", rejected.Decided, ravi, rejected.ID, domain.ENOTFOUND, "Only the applicant may appeal", "അപേക്ഷകന് മാത്രമേ"},
		{"by office staff", rejected.Decided, secretary, rejected.ID, domain.EFORBIDDEN, "Only the applicant may appeal", "അപേക്ഷകന് മാത്രമേ"},
		{"second before the first is decided", c.Now(), meena, pending.ID, domain.ECONFLICT, "first appeal " + first.Number + " is not decided yet", "ഒന്നാം അപ്പീൽ"},
		{"grounds too short", rejected.Decided, meena, rejected.ID, domain.EINVALID, "Say why you appeal", "അപ്പീലിന്റെ കാരണം"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.Set(tc.at)
			before := app.Store.LastSeq()
			grounds := "The office did not do what I applied for."
			if tc.code == domain.EINVALID {
				grounds = "no"
			}
			_, err := app.RTS.File(tc.by, tc.file, grounds)
			de, ok := err.(*domain.Error)
			if !ok || de.Code != tc.code || !strings.Contains(de.Message, tc.wantEn) || !strings.Contains(de.MessageML, tc.wantMl) {
				t.Fatalf("got %#v; want %s saying %q and %q", err, tc.code, tc.wantEn, tc.wantMl)
			}
			if app.Store.LastSeq() != before {
				t.Errorf("a refused appeal wrote %d events", app.Store.LastSeq()-before)
			}
		})
	}
	all, err := app.RTS.All()
	if err != nil || len(all) != 1 {
		t.Errorf("appeals stored: %d, %v; want the one filed", len(all), err)
	}
}

// TestAppeal_RejectionUpheldOrSetAsideByAnOrderToDeliver: two rejected
// petitions are appealed. One rejection is upheld with reasons, and the
// file stays rejected; the other is set aside by an order to deliver in
// 5 days, which puts the file back on the Secretary's desk with the date
// ordered as its due date, and the Secretary then approves it.
func TestAppeal_RejectionUpheldOrSetAsideByAnOrderToDeliver(t *testing.T) {
	c := (&clock{}).At("2026-08-03 10:00:00")
	app := open(t, c)
	meena := citizen(t, app, "9847022222", "Meena Joseph")
	var files []workflow.File
	for range 2 {
		f := petition(t, app, meena)
		act(t, app, front, f.ID, workflow.KindForwarded, "")
		act(t, app, clerk, f.ID, workflow.KindForwarded, "")
		files = append(files, act(t, app, secretary, f.ID, workflow.KindRejected, "The street light is on a KSEB pole, not ours."))
	}
	c.Add(5 * 24 * time.Hour)
	var appeals []rts.Appeal
	for _, f := range files {
		a, err := app.RTS.File(meena, f.ID, "The pole is the municipality's: its number plate says so.")
		if err != nil {
			t.Fatal(err)
		}
		if a.Ground != rts.GroundRejected {
			t.Errorf("ground %q", a.Ground)
		}
		appeals = append(appeals, a)
	}
	c.Add(24 * time.Hour)
	upheld, err := app.RTS.Decide(lsgd1, appeals[0].ID, rts.Ruling{Outcome: rts.OutcomeUphold, Reasons: "The site report shows the pole belongs to KSEB; the rejection stands."})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := app.Workflow.File(files[0].ID); f.Status != workflow.StatusRejected || upheld.Decision.Outcome != rts.OutcomeUphold {
		t.Errorf("upheld: file %s, outcome %s", f.Status, upheld.Decision.Outcome)
	}
	if _, err := app.RTS.Decide(lsgd1, appeals[0].ID, rts.Ruling{Outcome: rts.OutcomeDeliver, DeliverWithinDays: 3, Reasons: "On second thoughts, deliver."}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("an appeal decided twice: %v", err)
	}
	if _, err := app.RTS.Decide(lsgd1, appeals[1].ID, rts.Ruling{Outcome: rts.OutcomeDeliver, Reasons: "Deliver it now please."}); err == nil || err.(*domain.Error).Fields["deliver_within_days"].Ml == "" {
		t.Errorf("an order to deliver without a date: %v", err)
	}
	ordered, err := app.RTS.Decide(lsgd1, appeals[1].ID, rts.Ruling{Outcome: rts.OutcomeDeliver, DeliverWithinDays: 5, Reasons: "The pole is the municipality's; the rejection is set aside."})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := app.Workflow.File(files[1].ID)
	if f.Status != workflow.StatusInProgress || f.Role != domain.RoleSecretary || !f.Due.Equal(ordered.Decision.DeliverBy) || f.Reason != "" {
		t.Fatalf("after the order the file is %s on %s's desk, due %v (ordered %v)", f.Status, f.Role, f.Due, ordered.Decision.DeliverBy)
	}
	inbox, _ := app.Workflow.Inbox(secretary, 10)
	if len(inbox) != 1 || inbox[0].ID != f.ID {
		t.Errorf("the Secretary's inbox: %+v", inbox)
	}
	f = act(t, app, secretary, f.ID, workflow.KindApproved, "The lamp will be replaced by 20-08-2026.")
	if f.Status != workflow.StatusApproved {
		t.Errorf("approved after the order: %s", f.Status)
	}
}
