package workflow_test

import (
	"reflect"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
)

// TestDesks_RightAfterSubmittingTheCitizensListAndTheClerksInboxShowTheFile:
// the desks follow the log, yet what a person has just done shows at once:
// the application in the citizen's list and on the clerk's desk, and once
// forwarded, off the clerk's desk and on the registrar's.
func TestDesks_RightAfterSubmittingTheCitizensListAndTheClerksInboxShowTheFile(t *testing.T) {
	w, _ := newWorkflow(t)
	// The view is built before the submissions, so they reach it by
	// following the log, not by the first build.
	if inbox, err := w.Inbox(clerk, 0); err != nil || len(inbox) != 0 {
		t.Fatalf("a new office's inbox: %v %+v", err, inbox)
	}
	for i := range 3 {
		f := submitBirthCertificate(t, w)
		mine, err := w.Applications(citizen.ID, 0)
		if err != nil || len(mine) != i+1 || mine[0].ID != f.ID || mine[0].Number != f.Number {
			t.Fatalf("the citizen's list right after submitting %s: %v %+v", f.Number, err, mine)
		}
		inbox, err := w.Inbox(clerk, 0)
		if err != nil || len(inbox) != i+1 || inbox[i].ID != f.ID || inbox[i].StepName != f.StepName {
			t.Fatalf("the clerk's inbox right after %s was submitted: %v %+v", f.Number, err, inbox)
		}
	}
	if others, _ := w.Applications(neighbour.ID, 0); len(others) != 0 {
		t.Fatalf("another citizen's list shows %d files", len(others))
	}
	mine, _ := w.Applications(citizen.ID, 0)
	f, err := w.Act(clerk, mine[0].ID, workflow.Request{Kind: workflow.KindForwarded})
	if err != nil {
		t.Fatal(err)
	}
	if inbox, _ := w.Inbox(clerk, 0); len(inbox) != 2 || containsFile(inbox, f.ID) {
		t.Fatalf("the clerk's inbox right after forwarding %s: %+v", f.Number, inbox)
	}
	if inbox, _ := w.Inbox(registrar, 0); len(inbox) != 1 || inbox[0].ID != f.ID || inbox[0].Role != domain.RoleRegistrar {
		t.Fatalf("the registrar's inbox right after %s was forwarded: %+v", f.Number, inbox)
	}
	if mine, _ := w.Applications(citizen.ID, 0); mine[0].ID != f.ID || mine[0].Role != domain.RoleRegistrar {
		t.Fatalf("the citizen's list does not show the file with the registrar: %+v", mine[0])
	}
}

// TestDesks_ABuiltAfreshViewEqualsTheOneThatFollowedTheLog: a workflow
// whose desks followed a morning's submissions, returns, forwards,
// escalations and decisions event by event, and one that builds them from
// the store afterwards (as a restarted process does), show every desk and
// every citizen's list alike.
func TestDesks_ABuiltAfreshViewEqualsTheOneThatFollowedTheLog(t *testing.T) {
	w, c := newWorkflow(t)
	w.Inbox(clerk, 0) // built now, then following
	var ids []string
	for i := range 12 {
		by := citizen
		if i%3 == 0 {
			by = neighbour
		}
		f, err := w.Submit(by, workflow.Submission{Service: "birth_certificate", Values: birthCertificateForm(),
			Applicant: workflow.Applicant{Name: domain.T("Anagha", "അനഘ")}, Channel: workflow.ChannelOnline})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.ID)
		c.t = c.t.Add(time.Hour)
	}
	act := func(by domain.Actor, id string, r workflow.Request) {
		t.Helper()
		if _, err := w.Act(by, id, r); err != nil {
			t.Fatalf("%s on %s: %v", r.Kind, id, err)
		}
	}
	act(clerk, ids[0], workflow.Request{Kind: workflow.KindForwarded})
	act(clerk, ids[1], workflow.Request{Kind: workflow.KindForwarded})
	act(registrar, ids[1], workflow.Request{Kind: workflow.KindApproved})
	act(clerk, ids[2], workflow.Request{Kind: workflow.KindReturned, Note: "Attach the hospital discharge summary."})
	act(clerk, ids[3], workflow.Request{Kind: workflow.KindForwarded})
	act(registrar, ids[3], workflow.Request{Kind: workflow.KindRejected, Note: "No such birth in the register."})
	c.t = c.t.AddDate(0, 0, 30)
	if n, err := w.EscalateOverdue(); err != nil || n == 0 {
		t.Fatalf("escalated %d: %v", n, err)
	}
	act(clerk, ids[4], workflow.Request{Kind: workflow.KindForwarded})

	fresh := &workflow.Workflow{Store: w.Store, Catalogue: w.Catalogue, LocalBody: w.LocalBody, Calendar: w.Calendar, Now: w.Now,
		Users: w.Users, Documents: w.Documents}
	for _, by := range []domain.Actor{clerk, headClerk, registrar, secretary, counter} {
		followed, err := w.Inbox(by, 0)
		if err != nil {
			t.Fatal(err)
		}
		built, err := fresh.Inbox(by, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(followed, built) {
			t.Errorf("%s's inbox as followed:\n%+v\nas built afresh:\n%+v", by.Name, followed, built)
		}
	}
	for _, by := range []domain.Actor{citizen, neighbour} {
		followed, _ := w.Applications(by.ID, 0)
		built, _ := fresh.Applications(by.ID, 0)
		if len(followed) == 0 || !reflect.DeepEqual(followed, built) {
			t.Errorf("%s's list as followed:\n%+v\nas built afresh:\n%+v", by.Name, followed, built)
		}
	}
	if hc, _ := fresh.Inbox(headClerk, 0); len(hc) == 0 {
		t.Error("the escalated files are not on the head clerk's desk")
	}
}

func containsFile(list []workflow.DeskEntry, id string) bool {
	for _, e := range list {
		if e.ID == id {
			return true
		}
	}
	return false
}
