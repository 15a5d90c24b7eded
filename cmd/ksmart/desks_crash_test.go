package main

import (
	"io"
	"log/slog"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// TestServe_KilledWhileEscalatingTheDesksAreRebuiltAsTheyWere: 150
// applications were made 40 days ago by three citizens, and a third of
// them forwarded to the registrar; `ksmart serve` starts, and its
// escalation puts each overdue file on the head clerk's desk as well, a
// write each. The process is killed with SIGKILL part-way through. Opened
// again, the desks and the citizens' lists — a view that follows the log,
// not records of their own — are rebuilt from the store: the clerk's,
// the registrar's and each citizen's lists are as they were before serve
// started, the head clerk's holds exactly the files escalated before the
// kill, and the store checks.
func TestServe_KilledWhileEscalatingTheDesksAreRebuiltAsTheyWere(t *testing.T) {
	const applications = 150
	dir := t.TempDir()
	lb := synth.DemoLocalBody()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	filed := time.Now().AddDate(0, 0, -40)
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: quiet, Now: func() time.Time { return filed }})
	if err != nil {
		t.Fatal(err)
	}
	citizens := []domain.Actor{}
	for i := range 3 {
		citizens = append(citizens, domain.Actor{ID: "u-citizen-" + strconv.Itoa(i), Name: "Citizen", Roles: []domain.Role{domain.RoleCitizen}})
	}
	clerk := domain.Actor{ID: "u-clerk", Name: "Clerk", Roles: []domain.Role{domain.RoleSectionClerk}}
	app.Workflow.Inbox(clerk, 0) // the desks follow the submissions from here
	svc, _ := app.Catalogue.Get("birth_certificate")
	for i := range applications {
		values := map[string]string{"person_name_en": "Anagha", "person_name_ml": "അനഘ", "sex": "female",
			"date_of_birth": filed.AddDate(-3, 0, 0).Format(time.DateOnly), "mother_name_en": "Lakshmi", "mother_name_ml": "ലക്ഷ്മി",
			"applicant_name_en": "Anagha", "applicant_name_ml": "അനഘ", "relationship": "self", "phone": "9847012345"}
		f, err := app.Workflow.Submit(citizens[i%3], workflow.Submission{Service: svc.Code, Values: values, Channel: workflow.ChannelOnline,
			Applicant: workflow.Applicant{Name: domain.T("Anagha", "അനഘ")}})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := app.Workflow.Act(clerk, f.ID, workflow.Request{Kind: workflow.KindForwarded}); err != nil {
				t.Fatal(err)
			}
		}
	}
	registrar := domain.Actor{ID: "u-registrar", Name: "Registrar", Roles: []domain.Role{domain.RoleRegistrar}}
	headClerk := domain.Actor{ID: "u-head", Name: "Head clerk", Roles: []domain.Role{domain.RoleHeadClerk}}
	ids := func(app *appliance.Appliance, by domain.Actor) []string {
		t.Helper()
		var list []workflow.DeskEntry
		if by.Has(domain.RoleCitizen) {
			list, err = app.Workflow.Applications(by.ID, 0)
		} else {
			list, err = app.Workflow.Inbox(by, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range list {
			out = append(out, e.ID)
		}
		slices.Sort(out)
		return out
	}
	before := map[string][]string{}
	for _, by := range append([]domain.Actor{clerk, registrar, headClerk}, citizens...) {
		before[by.ID] = ids(app, by)
	}
	if len(before[clerk.ID]) != applications*2/3 || len(before[registrar.ID]) != applications/3 || len(before[headClerk.ID]) != 0 {
		t.Fatalf("before serve: %d on the clerk's desk, %d on the registrar's, %d on the head clerk's", len(before[clerk.ID]), len(before[registrar.ID]), len(before[headClerk.ID]))
	}
	app.Close()

	p, _ := startLogged(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "text")
	first := lastSeq(t, p)
	deadline := time.Now().Add(60 * time.Second)
	for lastSeq(t, p) < first+20 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := app.Store.Check(); err != nil {
		t.Fatal(err)
	}
	var escalated []string
	err = app.Store.View(func(tx *store.Tx) error {
		return workflow.ScanFiles(tx, func(f workflow.File) error {
			if f.EscalatedTo == domain.RoleHeadClerk {
				escalated = append(escalated, f.ID)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(escalated) == 0 || len(escalated) == applications*2/3 {
		t.Fatalf("at the kill %d of %d files were escalated; the kill must fall in the middle", len(escalated), applications*2/3)
	}
	t.Logf("killed with %d of %d files escalated", len(escalated), applications*2/3)
	for _, by := range append([]domain.Actor{clerk, registrar}, citizens...) {
		if got := ids(app, by); !slices.Equal(got, before[by.ID]) {
			t.Errorf("%s after the kill: %d files, before serve %d", by.ID, len(got), len(before[by.ID]))
		}
	}
	if got := ids(app, headClerk); !slices.Equal(got, escalated) {
		t.Errorf("the head clerk's desk after the kill holds %d files; %d were escalated", len(got), len(escalated))
	}
}
