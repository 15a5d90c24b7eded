package workflow_test

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

// BenchmarkSubmit measures applications submitted by 64 citizens at once
// straight through the workflow (no HTTP), each a durable write.
func BenchmarkSubmit(b *testing.B) {
	w, _ := newWorkflowB(b)
	svc, _ := w.Catalogue.Get("birth_certificate")
	rng := rand.New(rand.NewPCG(1, 2))
	forms := make([]map[string]string, 256)
	for i := range forms {
		forms[i], _ = synth.FillForm(rng, svc, w.LocalBody, synth.NewPerson(rng), w.Now())
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for c := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := domain.Actor{ID: "u-" + string(rune('A'+c)), Roles: []domain.Role{domain.RoleCitizen}}
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				_, err := w.Submit(who, workflow.Submission{Service: svc.Code, Values: forms[i%256], Channel: workflow.ChannelOnline,
					Applicant: workflow.Applicant{Name: domain.T("Anagha", "അനഘ")}})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "applications/s")
	st := w.Store.Stats()
	b.ReportMetric(float64(b.N)/float64(st.Commits), "applications/commit")
}
