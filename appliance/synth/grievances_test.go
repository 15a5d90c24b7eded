package synth_test

import (
	"io"
	"log/slog"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/grievance"
	"ksmart/appliance/identity"
	"ksmart/appliance/synth"
)

// TestSeedGrievances_EveryStateOfAComplaint: the demo's complaints reach
// every state a person would look for — open, overdue and escalated,
// fixed, reopened, rated, closed with a reason, merged duplicates,
// anonymous — across every category and ward.
func TestSeedGrievances_EveryStateOfAComplaint(t *testing.T) {
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for _, r := range []domain.Role{domain.RoleOverseer, domain.RoleHealthInspector, domain.RoleSectionClerk, domain.RoleAssistantEngineer, domain.RoleHeadClerk, domain.RoleSecretary} {
		if _, _, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: string(r), Name: r.Name().En + " Demo", Roles: []domain.Role{r}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := synth.SeedGrievances(app, synth.DemoGrievances, 7)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", got)
	if got.Reports != synth.DemoGrievances || got.Open == 0 || got.Overdue == 0 || got.Escalated == 0 || got.Fixed == 0 || got.Reopened == 0 ||
		got.Rated == 0 || got.Closed == 0 || got.Merged == 0 || got.Anonymous == 0 || got.Example == "" {
		t.Errorf("a state is missing: %+v", got)
	}
	stats, _, err := app.Grievance.Statistics()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		if s.Received == 0 {
			t.Errorf("no %s complaints", s.Category)
		}
	}
	for w := 1; w <= len(lb.Wards); w++ {
		if l, _ := app.Grievance.List(grievance.Filter{Ward: w, Limit: 1}); len(l) == 0 {
			t.Errorf("no complaints in ward %d", w)
		}
	}
}
