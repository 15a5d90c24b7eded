package synth_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/rts"
	"ksmart/appliance/synth"
)

// TestSeedRTS_AppealsAtBothLevelsAPenaltyAndADeemedLicence: the demo
// office has, besides its ordinary files, the demo citizen's files in
// every Right to Service state — one she may appeal now, first and second
// appeals pending, appeals upheld and ordered, a penalty in the register —
// and SeedLicences' licence deemed granted, all counted by the report.
func TestSeedRTS_AppealsAtBothLevelsAPenaltyAndADeemedLicence(t *testing.T) {
	lb := synth.DemoLocalBody()
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, domain.IST)
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := synth.SeedDemo(app, 10, 7, nil, func(synth.DemoFailure) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedLicences(app, 7); err != nil {
		t.Fatal(err)
	}
	got, err := synth.SeedRTS(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, number := range []string{got.Appealable, got.RejectedAppealable} {
		id, err := app.Workflow.IDByNumber(number)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := app.Workflow.File(id)
		if st, err := app.RTS.Standing(f); err != nil || !st.Can() {
			t.Errorf("%s (%s) cannot be appealed by the demo citizen: %+v %v", number, f.Status, st, err)
		}
	}
	period, _ := rts.ParsePeriod("2026-09-01", "2026-12-05")
	rep, err := app.RTS.Report(period)
	if err != nil {
		t.Fatal(err)
	}
	appeals, deemed := 0, 0
	for _, s := range rep.Services {
		appeals += s.Appeals
		deemed += s.Deemed
	}
	if appeals != 5 || rep.PendingAppeals != 2 || rep.Penalties != 1 || deemed < 1 ||
		rep.Outcomes[rts.OutcomeDeliver] != 1 || rep.Outcomes[rts.OutcomeUphold] != 1 || rep.Outcomes[rts.OutcomePenalty] != 1 {
		t.Errorf("the demo's report: %d appeals (%d pending), outcomes %v, %d penalties, %d deemed; want 5 (2 pending), one of each outcome, 1 penalty, a deemed licence",
			appeals, rep.PendingAppeals, rep.Outcomes, rep.Penalties, deemed)
	}
	all, _ := app.RTS.All()
	levels := map[int]int{}
	for _, a := range all {
		levels[a.Level]++
	}
	if levels[rts.First] != 3 || levels[rts.Second] != 2 {
		t.Errorf("appeals by level %v; want 3 first and 2 second", levels)
	}
}
