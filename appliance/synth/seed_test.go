package synth_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"ksmart/appliance"
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
	logins, err := synth.SeedDemo(app, 150, 42, nil)
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := synth.SeedPropertyTax(app, gw, 42)
	if err != nil {
		t.Fatal(err)
	}
	checkDemoPropertyTax(t, app, seeded)
	if len(logins) != 15 { // 14 office roles and the demo citizen
		t.Fatalf("%d demo logins, want 15", len(logins))
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
			if _, err := synth.SeedDemo(app, 300, seed, nil); err != nil {
				t.Errorf("seed %d: %v", seed, err)
			}
		})
	}
}
