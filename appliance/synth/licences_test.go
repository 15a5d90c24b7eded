package synth_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/licence"
	"ksmart/appliance/synth"
)

// TestSeedLicences_EveryStatusOneDeemedOneExpiredOneRenewedOnline: the
// demo's register has a licence in every status; one deemed by the day's
// job because its file sat 31 days, naming the health inspector; one
// renewed online and in force for this year; the demo citizen sees theirs.
func TestSeedLicences_EveryStatusOneDeemedOneExpiredOneRenewedOnline(t *testing.T) {
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
	got, err := synth.SeedLicences(app, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range licence.Statuses {
		if len(got.ByStatus[s]) == 0 {
			t.Errorf("no licence is %s: %v", s, got.ByStatus)
		}
	}
	d, err := app.Licences.Licence(got.Deemed)
	if err != nil || d.StatusAt(now) != licence.StatusDeemed || d.Deemed == nil || d.Deemed.Role != domain.RoleHealthInspector || d.Deemed.OfficerName == "" || d.Deemed.Days != 31 {
		t.Errorf("the deemed licence %q: %+v %v", got.Deemed, d.Deemed, err)
	}
	r, err := app.Licences.Licence(got.RenewedOnline)
	if err != nil || r.StatusAt(now) != licence.StatusActive || r.Year != "2026-27" || r.Holder.UserID == "" || r.First.Year() != 2025 {
		t.Errorf("the licence renewed online: %+v %v", r, err)
	}
	mine, _ := app.Licences.HeldBy(r.Holder.UserID)
	if len(mine) != 2 {
		t.Errorf("the demo citizen holds %d licences, want 2", len(mine))
	}
}
