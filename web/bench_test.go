package web

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"ksmart/appliance/synth"
	"ksmart/bench"
	"ksmart/store"
)

// BenchmarkSubmitHTTP submits birth certificate applications through POST
// /api/v1/applications from 64 concurrent clients, each signed in as a
// citizen of its own, on a real appliance served over loopback HTTP. It
// reports applications/s, p50 and p99 latency, and the ratio to the store's
// own durable write rate (one event and one document of the same size per
// write, 64 writers) measured afterwards on the same disk. The design
// target is a ratio of at least 0.5. `ksmart bench submit` measures the
// same with a real listener.
func BenchmarkSubmitHTTP(b *testing.B) {
	const clients = 64
	env := newTestEnv(b)
	transport := &http.Transport{MaxIdleConnsPerHost: 2 * clients, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()

	// Citizens sign up and verify through the API, as a phone app would.
	citizens := make([]*client, clients)
	var wg sync.WaitGroup
	for i := range citizens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			citizens[i] = benchCitizen(b, env, i)
			citizens[i].hc.Transport = transport
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	svc, _ := env.app.Catalogue.Get("birth_certificate")
	rng := rand.New(rand.NewPCG(1, 2))
	bodies := make([]rawBody, 512)
	for i := range bodies {
		values, _ := synth.FillForm(rng, svc, env.app.LocalBody, synth.NewPerson(rng), env.app.Now())
		data, _ := json.Marshal(map[string]any{"service": svc.Code, "values": values})
		bodies[i] = rawBody{"application/json", data}
	}
	// One application to learn the size of a file as stored.
	r := citizens[0].do(b, "POST", "/api/v1/applications", bodies[0])
	var f struct{ ID string }
	r.json(b, &f)
	if r.status != 201 {
		b.Fatalf("submit: %d %s", r.status, r.body)
	}
	var doc json.RawMessage
	if err := env.app.Store.View(func(tx *store.Tx) (err error) { doc, err = tx.GetRaw("file", f.ID); return err }); err != nil {
		b.Fatal(err)
	}

	work := make(chan int)
	lat := make(chan time.Duration, 1024)
	var all []time.Duration
	collected := make(chan struct{})
	go func() {
		for d := range lat {
			all = append(all, d)
		}
		close(collected)
	}()
	var workers sync.WaitGroup
	for _, c := range citizens {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for n := range work {
				t0 := time.Now()
				r := c.do(b, "POST", "/api/v1/applications", bodies[n%len(bodies)])
				if r.status != 201 {
					b.Errorf("submit: %d %s", r.status, r.body)
					return
				}
				lat <- time.Since(t0)
			}
		}()
	}
	start := time.Now()
	n := 0
	for b.Loop() {
		work <- n
		n++
	}
	close(work)
	workers.Wait()
	elapsed := time.Since(start)
	close(lat)
	<-collected
	if b.Failed() || len(all) == 0 {
		return
	}
	slices.Sort(all)
	rate := float64(len(all)) / elapsed.Seconds()
	b.ReportMetric(rate, "apps/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[(len(all)-1)*99/100].Microseconds())/1000, "p99-ms")

	sr, err := bench.RunStore(bench.StoreConfig{Dir: b.TempDir(), Writers: clients, Events: max(len(all), 2000),
		PayloadBytes: len(doc), SingleEvents: 1, FsyncSamples: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(sr.StoreConcurrent, "store-writes/s")
	b.ReportMetric(rate/sr.StoreConcurrent, "ratio")
}

// benchCitizen signs citizen i up through the API and verifies them with the
// in-app code, which signs the client in.
func benchCitizen(tb testing.TB, env *testEnv, i int) *client {
	c := env.newClient(tb)
	if r := c.do(tb, "POST", "/api/v1/signup", map[string]string{"contact": fmt.Sprintf("94%08d", i), "name": "Bench Citizen", "password": testPassword}); r.status != 201 {
		tb.Errorf("sign up: %d %s", r.status, r.body)
		return c
	}
	r := c.do(tb, "GET", "/api/v1/verify", nil)
	var pending struct {
		Message struct{ Body struct{ En string } }
	}
	r.json(tb, &pending)
	if r = c.do(tb, "POST", "/api/v1/verify", map[string]string{"code": codeInMessage.FindString(pending.Message.Body.En)}); r.status != 200 {
		tb.Errorf("verify: %d %s", r.status, r.body)
	}
	return c
}
