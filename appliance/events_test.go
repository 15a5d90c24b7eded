package appliance_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/store"
)

// TestEvents_EveryEventALivingOfficeWritesIsDeclared runs the demo's office
// (files in every state, registrations, certificates, escalations), a
// legacy import, office and kiosk searches and sign-in failures, and finds
// every event in the log among the types the packages declare.
func TestEvents_EveryEventALivingOfficeWritesIsDeclared(t *testing.T) {
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := synth.SeedDemo(app, 200, 7, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedPermits(app, 7); err != nil {
		t.Fatal(err)
	}
	person, err := synth.SeedLegacyRegister(app, 300)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app.FollowIndex(ctx)
	if err := app.Search.WaitFor(ctx, app.Store.LastSeq()); err != nil {
		t.Fatal(err)
	}
	registrar := domain.Actor{ID: "u-registrar", Name: "Registrar", Roles: []domain.Role{domain.RoleRegistrar}}
	if _, err := app.OfficeSearch(ctx, registrar, appliance.OfficeQuery{Text: person.NameEn}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Civil.KioskSearch(ctx, appliance.KioskActor("k1"), "127.0.0.1", civil.KioskQuery{Name: person.NameEn, Date: person.EventDate}); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		app.Identity.Authenticate("clerk", "not the password")
	}

	declared := map[store.EventType]bool{}
	for _, et := range appliance.EventTypes(appliance.Modules) {
		if declared[et] {
			t.Errorf("%s is declared twice", et)
		}
		declared[et] = true
	}
	seen := map[store.EventType]int{}
	evs, err := app.Store.ReadLog(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		seen[ev.TypeOf()]++
	}
	for et, n := range seen {
		if !declared[et] {
			t.Errorf("%d events of type %s, which no package declares", n, et)
		}
	}
	if len(seen) < 25 {
		t.Errorf("the office wrote only %d kinds of event: %v", len(seen), seen)
	}
}
