package web

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

// TestAPI_RightAfterSubmittingTheCitizensListAndTheClerksInboxShowTheFile:
// two citizens apply at once, several times each, while the appliance's
// follower keeps the desks; each answer of POST /api/v1/applications is
// followed at once by the citizen's list, with the new application first,
// and by the section clerk's inbox, with it in. The desks are a view that
// follows the log, and what a person has just done must show in it.
func TestAPI_RightAfterSubmittingTheCitizensListAndTheClerksInboxShowTheFile(t *testing.T) {
	env := newTestEnv(t).withRoles(t, "section_clerk")
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	env.addCitizen(t, citizenB, "9847000002", "Biju Thomas")
	ctx, cancel := context.WithCancel(context.Background())
	following := make(chan error, 1)
	go func() { following <- env.app.Workflow.FollowDesks(ctx) }()
	t.Cleanup(func() { cancel(); <-following })

	type entry struct{ ID, Number string }
	var wg sync.WaitGroup
	for _, who := range []string{citizenA, citizenB} {
		citizen, clerk := env.signIn(t, who), env.signIn(t, "section_clerk")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				r := citizen.do(t, "POST", "/api/v1/applications", birthWith())
				var f entry
				if r.status != http.StatusCreated {
					t.Errorf("%s's application %d: %d %s", who, i, r.status, r.body)
					return
				}
				r.json(t, &f)
				var mine []entry
				citizen.do(t, "GET", "/api/v1/applications", nil).json(t, &mine)
				if len(mine) != i+1 || mine[0].Number != f.Number {
					t.Errorf("%s's list right after submitting %s: %+v", who, f.Number, mine)
				}
				var inbox []entry
				clerk.do(t, "GET", "/api/v1/inbox", nil).json(t, &inbox)
				found := false
				for _, e := range inbox {
					found = found || e.ID == f.ID
				}
				if !found {
					t.Errorf("the clerk's inbox right after %s was submitted does not hold it (%d files)", f.Number, len(inbox))
				}
			}
		}()
	}
	wg.Wait()
}
