package stateview

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ksmart/appliance"
	"ksmart/appliance/synth"
	"ksmart/replication"
	"ksmart/replication/replicationtest"
)

// seededBenchBody seeds a demo body as the demo does, with 150
// applications, 150 complaints and a legacy register of 20,000 births.
// It takes a minute or two: run the benchmarks with -benchtime=1x (each
// measures several rounds itself and prints their median).
func seededBenchBody(b *testing.B, code string) *appliance.Appliance {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	app, gw := demoBody(b, code)
	seeds := []func() error{
		func() error { _, err := synth.SeedDemo(app, 150, 11, nil, nil); return err },
		func() error { return synth.SeedMoney(app, gw, 11) },
		func() error { _, err := synth.SeedPropertyTax(app, gw, 11); return err },
		func() error { _, err := synth.SeedLicences(app, 11); return err },
		func() error { _, err := synth.SeedRTS(app); return err },
		func() error { _, err := synth.SeedGrievances(app, 150, 11); return err },
		func() error { _, err := synth.SeedLegacyRegister(app, 20000); return err },
	}
	for _, s := range seeds {
		if err := s(); err != nil {
			b.Fatal(err)
		}
	}
	return app
}

// BenchmarkCounters_ApplyRateAgainstTheStatesApplyRate ships a seeded
// body's log with its change sets into a one-node state cluster (raft and
// the FSM applying, as the state does), then counts it from that FSM with
// fresh counters, and prints the ratio of the counters' rate to the
// state's: above 1, the counters keep up with the state.
func BenchmarkCounters_ApplyRateAgainstTheStatesApplyRate(b *testing.B) {
	app := seededBenchBody(b, "M0909")
	events := app.Store.LastSeq()
	var stateRate, counterRate []float64
	for range 3 * b.N {
		cl := replicationtest.New(b, 1, func(_ int, c *replication.Config) { replicationtest.FastRaft(c) })
		leader := cl.WaitLeader()
		start := time.Now()
		for from := uint64(1); from <= events; {
			evs, changes, err := app.Store.ReadReplica(from, 1000)
			if err != nil {
				b.Fatal(err)
			}
			// A batch as a shipper sends it: under the state's 4 MiB.
			var raws [][]byte
			size := 0
			for j, ev := range evs {
				raw := ev.Encode()
				if n := replication.RecordSize(raw, changes[j]); j == 0 || size+n <= 3<<20 {
					raws, size = append(raws, raw), size+n
					continue
				}
				break
			}
			if _, err := leader.ShipReplica(context.Background(), "M0909", raws, changes[:len(raws)]); err != nil {
				b.Fatal(err)
			}
			from = evs[len(raws)-1].Seq + 1
		}
		stateRate = append(stateRate, float64(events)/time.Since(start).Seconds())

		c, err := openCounters(leader.FSM(), filepath.Join(b.TempDir(), CountersFile), 2000, modules, replicationtest.Logger(b))
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		catchUpAll(b, c, "M0909", false)
		counterRate = append(counterRate, float64(events)/time.Since(start).Seconds())
		bc, err := c.body("M0909")
		if err != nil {
			b.Fatal(err)
		}
		sums := 0
		for _, s := range bc.sums {
			sums += s.Len()
		}
		var used int
		c.db.View(func(tx *bolt.Tx) error {
			st := tx.Bucket(bucketBodies).Bucket([]byte("M0909")).Stats()
			used = st.BranchInuse + st.LeafInuse
			return nil
		})
		c.Close()
		b.Logf("the body's counters: %d bytes in use (%.0f bytes an event); %d sums in memory", used, float64(used)/float64(events), sums)
	}
	s, k := medianOf(stateRate), medianOf(counterRate)
	b.ReportMetric(s, "state-events/s")
	b.ReportMetric(k, "counter-events/s")
	b.ReportMetric(k/s, "ratio")
	b.Logf("%d events (demo seeds, every module): the state applied %.0f events/s, the counters counted %.0f events/s: ratio %.2f", events, s, k, k/s)
}

// BenchmarkCounters_OverviewOf120BodiesAgainstCountingEachStore reads the
// figures of 120 bodies (each holding the seeded body's log) and adds
// them up per district and for the state, as the overview does: from the
// counters, and as the view did before them with every module's
// Figures.Count over each body's documents (the per-body mirror's store
// it kept then; its cache held a body's figures for at most a minute). It
// prints the ratio.
func BenchmarkCounters_OverviewOf120BodiesAgainstCountingEachStore(b *testing.B) {
	app := seededBenchBody(b, "M0909")
	const bodies = 120
	src := newFakeSource()
	var codes []string
	for i := range bodies {
		code := fmt.Sprintf("M%04d", i+1)
		codes = append(codes, code)
		src.set(code, app.Store, 0, false)
	}
	c, err := openCounters(src, filepath.Join(b.TempDir(), CountersFile), 2000, modules, replicationtest.Logger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, code := range codes {
		catchUpAll(b, c, code, false)
	}
	overview := func(tally func(code string, now time.Time) (*Figures, error)) time.Duration {
		start := time.Now()
		now := time.Now()
		total, district := newFigures(now), newFigures(now)
		for _, code := range codes {
			f, err := tally(code, now)
			if err != nil {
				b.Fatal(err)
			}
			district.add(f)
			total.add(f)
		}
		district.rate()
		total.rate()
		return time.Since(start)
	}
	fromCounters := func(code string, now time.Time) (*Figures, error) {
		t, _, err := c.Tally(code, now)
		return figuresOf(t), err
	}
	fromStores := func(_ string, now time.Time) (*Figures, error) { return computeFigures(app.Store, now) }
	var counted, recounted []float64
	b.ResetTimer()
	for range 3 * b.N {
		counted = append(counted, overview(fromCounters).Seconds()*1000)
		recounted = append(recounted, overview(fromStores).Seconds()*1000)
	}
	k, m := medianOf(counted), medianOf(recounted)
	b.ReportMetric(k, "counters-ms")
	b.ReportMetric(m, "count-ms")
	b.ReportMetric(m/k, "ratio")
	b.Logf("overview figures of %d bodies of %d events each: counters %.2f ms, Figures.Count over each body's store %.1f ms: %.0f× faster", bodies, app.Store.LastSeq(), k, m, m/k)
}

func medianOf(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
