package synth_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance/sandbox"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

func TestSeedDemo_ALivingOfficeWithFilesInEveryStateSomeOverdue(t *testing.T) {
	gw, err := sandbox.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	keys := gw.Keys
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Payments: appliance.PaymentsConfig{Gateway: &keys}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	logins, err := synth.SeedDemo(app, 150, 42, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := synth.SeedPropertyTax(app, gw, 42)
	if err != nil {
		t.Fatal(err)
	}
	checkDemoPropertyTax(t, app, seeded)
	if len(logins) != 17 { // 14 office roles, two appellate authorities and the demo citizen
		t.Fatalf("%d demo logins, want 17", len(logins))
	}
	for _, l := range logins {
		if _, err := app.Identity.Authenticate(l.Login, l.Password); err != nil {
			t.Errorf("demo login %s does not work: %v", l.Login, err)
		}
	}
	statuses := map[string]int{}
	overdue, escalated := 0, 0
	for _, role := range []domain.Role{domain.RoleSectionClerk, domain.RoleHeadClerk, domain.RoleSecretary, domain.RoleRegistrar, domain.RoleFrontOffice,
		domain.RoleRevenueInspector, domain.RoleHealthInspector, domain.RoleOverseer, domain.RoleAssistantEngineer, domain.RoleAccountant} {
		entries, err := app.Workflow.Inbox(domain.Actor{ID: "x", Roles: []domain.Role{role}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Overdue(app.Now()) {
				overdue++
			}
			if e.EscalatedTo != "" {
				escalated++
			}
		}
	}
	err = app.Store.View(func(tx *store.Tx) error {
		return tx.Scan("file", store.ScanOptions{}, func(_ string, raw []byte) error {
			var f workflow.File
			if err := json.Unmarshal(raw, &f); err != nil {
				return err
			}
			statuses[f.Status]++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{workflow.StatusInProgress, workflow.StatusReturned, workflow.StatusApproved, workflow.StatusRejected, workflow.StatusIssued} {
		if statuses[st] == 0 {
			t.Errorf("no demo file is %s (statuses %v)", st, statuses)
		}
	}
	if overdue == 0 || escalated == 0 {
		t.Errorf("overdue %d, escalated %d: the demo office should show both", overdue, escalated)
	}
}

// TestSeedDemo_AnySeedSeedsWithoutARefusal: ksmart demo seeds with the
// clock as its seed, so no seed may make a lawful-looking application the
// services refuse (a copy of an entry not yet registered, a second name
// inclusion): the demo would not start.
func TestSeedDemo_AnySeedSeedsWithoutARefusal(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			lb := synth.DemoLocalBody()
			app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer app.Close()
			if _, err := synth.SeedDemo(app, 300, seed, nil, nil); err != nil {
				t.Errorf("seed %d: %v", seed, err)
			}
		})
	}
}

// demoData is what a demo office holds that its seed decides: every file
// (number, service, values, where it stands, what it made and issued),
// every register entry with its corrections, and every certificate's
// number, signed digest and pages. The clock's own marks (log times,
// escalations, which follow the time of day) and secrets (password salts,
// the seal key) are left out.
func demoData(t *testing.T, app *appliance.Appliance) string {
	t.Helper()
	var b strings.Builder
	err := app.Store.View(func(tx *store.Tx) error {
		return tx.Scan("file", store.ScanOptions{}, func(_ string, raw []byte) error {
			var f workflow.File
			if err := json.Unmarshal(raw, &f); err != nil {
				return err
			}
			issued := ""
			if f.Issued != nil {
				issued = f.Issued.Number
			}
			fmt.Fprintf(&b, "file %s %s %s step %d fee %d record %q issued %q values %v\n", f.Number, f.Service, f.Status, f.Step, f.Fee, f.Record, issued, f.Values)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	registrar := domain.Actor{ID: "test", Roles: []domain.Role{domain.RoleRegistrar}}
	for _, kind := range []string{civil.KindBirth, civil.KindStillBirth, civil.KindDeath, civil.KindMarriage} {
		entries, err := app.Civil.List(registrar, civil.ListOptions{Kind: kind, Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			fmt.Fprintf(&b, "entry %s %s v%d %v\n", e.Number, e.Registered.UTC(), e.Version, e.Values)
			for _, ch := range e.Changes {
				fmt.Fprintf(&b, "  change %s %s %s %q→%q %s\n", ch.Kind, ch.File, ch.At.UTC(), ch.From, ch.To, ch.Officer.Name)
			}
			certs, err := app.Civil.Certificates(e)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range certs {
				fmt.Fprintf(&b, "  certificate %s %s digest %s pages %d\n", c.Number, c.Status, c.Digest, c.Pages)
			}
		}
	}
	return b.String()
}

// seededDemos seeds fresh appliances at once, one for each seed and clock.
func seededDemos(t *testing.T, runs ...struct {
	seed uint64
	at   time.Time
}) []*appliance.Appliance {
	t.Helper()
	apps := make([]*appliance.Appliance, len(runs))
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	for i, r := range runs {
		lb := synth.DemoLocalBody()
		app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Now: func() time.Time { return r.at },
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { app.Close() })
		apps[i] = app
		wg.Go(func() { _, errs[i] = synth.SeedDemo(app, 80, r.seed, nil, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("seed %d: %v", runs[i].seed, err)
		}
	}
	return apps
}

// TestSeedDemo_TheSameSeedOnTheSameDayMakesTheSameOffice: ksmart demo
// --seed N repeats a demo, and any failure in it, exactly; another seed
// makes another office.
func TestSeedDemo_TheSameSeedOnTheSameDayMakesTheSameOffice(t *testing.T) {
	morning := time.Date(2026, 12, 7, 9, 5, 0, 0, domain.IST)
	apps := seededDemos(t, []struct {
		seed uint64
		at   time.Time
	}{{11, morning}, {11, morning.Add(8*time.Hour + 17*time.Minute)}, {12, morning}}...)
	first, again, other := demoData(t, apps[0]), demoData(t, apps[1]), demoData(t, apps[2])
	if first != again {
		t.Errorf("seed 11 made two different offices on one day; the first difference:\n%s", firstDifference(first, again))
	}
	if !strings.Contains(first, "certificate ") || !strings.Contains(first, "change ") {
		t.Fatalf("the demo office has no certificate or correction to compare:\n%s", first)
	}
	if other == first {
		t.Error("seeds 11 and 12 made the same office")
	}
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(al), len(bl))
}

// TestSeedDemo_AFailingApplicationIsReportedSkippedAndCounted: with no
// document renderer no certificate can be issued, so every issue of one
// fails; the demo reports each, leaves it where it stopped, and seeds the
// rest. Without a skip, the first failure is the error, naming the
// application.
func TestSeedDemo_AFailingApplicationIsReportedSkippedAndCounted(t *testing.T) {
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	app.Civil.Documents = nil
	var failed []synth.DemoFailure
	if _, err := synth.SeedDemo(app, 80, 5, nil, func(f synth.DemoFailure) { failed = append(failed, f) }); err != nil {
		t.Fatalf("a failing application took the demo down: %v", err)
	}
	if len(failed) == 0 {
		t.Fatal("no application failed; the test needs one that does")
	}
	for _, f := range failed {
		if svc, ok := app.Catalogue.Get(f.Service); !ok || svc.Module != catalogue.ModuleCivilRegistration {
			t.Errorf("an application that issues no civil certificate failed: %v", f)
		}
		if f.Number == "" || f.Index < 0 || f.Index >= 80 || !strings.Contains(f.Error(), f.Number) {
			t.Errorf("the failure does not say which application it was: %+v", f)
		}
	}
	files := 0
	app.Store.View(func(tx *store.Tx) error {
		return tx.Scan("file", store.ScanOptions{}, func(string, []byte) error { files++; return nil })
	})
	if files != 80 {
		t.Errorf("%d files after seeding 80 with %d failing; each should have been submitted and left where it stopped", files, len(failed))
	}

	strict, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	strict.Civil.Documents = nil
	_, err = synth.SeedDemo(strict, 80, 5, nil, nil)
	var failure synth.DemoFailure
	if !errors.As(err, &failure) || failure.Index != failed[0].Index {
		t.Fatalf("without a skip the seeding ended with %v; want the first failure, application %d", err, failed[0].Index)
	}
}
