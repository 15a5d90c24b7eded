package stateview

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/files"
	"ksmart/appliance/finance/sandbox"
	"ksmart/appliance/grievance"
	"ksmart/appliance/licence"
	"ksmart/appliance/module"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/synth"
	"ksmart/replication/replicationtest"
	"ksmart/store"
)

// openTestCounters opens counters at path following src, caught up by
// hand (catchUpAll) rather than by a goroutine.
func openTestCounters(tb testing.TB, src replicaSource, path string) *Counters {
	tb.Helper()
	c, err := openCounters(src, path, 500, modules, replicationtest.Logger(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

func catchUpAll(tb testing.TB, c *Counters, code string, restored bool) {
	tb.Helper()
	for {
		more, err := c.CatchUp(code, restored)
		if err != nil {
			tb.Fatal(err)
		}
		if !more {
			return
		}
	}
}

// demoBody opens a demo local body (payments through a sandbox gateway)
// whose seeds the test runs one by one.
func demoBody(t testing.TB, code string) (*appliance.Appliance, synth.Settler) {
	t.Helper()
	gw, err := sandbox.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	keys := gw.Keys
	lb := synth.DemoLocalBody()
	lb.Code = code
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Payments: appliance.PaymentsConfig{Gateway: &keys}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return app, gw
}

// computeFigures counts a body's current documents as the view did
// before counters: every module's Figures.Count into one tally, in one
// read transaction of a store holding them.
func computeFigures(st *store.Store, now time.Time) (*Figures, error) {
	t := module.NewTally(now)
	err := st.View(func(tx *store.Tx) error {
		for _, m := range modules {
			if m.Figures == nil || m.Figures.Count == nil {
				continue
			}
			if err := m.Figures.Count(tx, t); err != nil {
				return fmt.Errorf("the figures of %s: %w", m.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return figuresOf(t), nil
}

// countersEqualCount checks that the counters give, at each of the times,
// exactly the tally every module's Figures.Count gives over the body's
// store, and returns the tally at the first.
func countersEqualCount(t *testing.T, c *Counters, code string, st *store.Store, when string, at ...time.Time) *module.Tally {
	t.Helper()
	var first *module.Tally
	for _, now := range at {
		got, seq, err := c.Tally(code, now)
		if err != nil {
			t.Fatal(err)
		}
		if seq != st.LastSeq() {
			t.Fatalf("%s: the counters counted %d events of %d", when, seq, st.LastSeq())
		}
		want, err := computeFigures(st, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Counts, want.Counts) || !reflect.DeepEqual(got.Monthly, want.Monthly) || !reflect.DeepEqual(got.Months, want.Months) {
			t.Fatalf("%s, at %s: the counters differ from Figures.Count:\n%s", when, now.Format(time.DateTime), tallyDiff(got, want.Tally))
		}
		if first == nil {
			first = got
		}
	}
	return first
}

// tallyDiff lists the counts and series that differ.
func tallyDiff(got, want *module.Tally) string {
	out := ""
	keys := map[string]bool{}
	for k := range got.Counts {
		keys[k] = true
	}
	for k := range want.Counts {
		keys[k] = true
	}
	for k := range keys {
		g, gok := got.Counts[k]
		w, wok := want.Counts[k]
		if g != w || gok != wok {
			out += fmt.Sprintf("  count %s: counters %d (present %v), Count %d (present %v)\n", k, g, gok, w, wok)
		}
	}
	for k := range got.Monthly {
		if !reflect.DeepEqual(got.Monthly[k], want.Monthly[k]) {
			out += fmt.Sprintf("  monthly %s: counters %v, Count %v\n", k, got.Monthly[k], want.Monthly[k])
		}
	}
	for k := range want.Monthly {
		if _, ok := got.Monthly[k]; !ok {
			out += fmt.Sprintf("  monthly %s: counters none, Count %v\n", k, want.Monthly[k])
		}
	}
	return out
}

// TestCounters_EveryModulesCountersEqualItsCountAfterEachSeedAndARebuild
// seeds a demo body with every module's records, seed by seed, and after
// each compares the counters kept as the writes arrived with each
// module's Figures.Count over the same store — now, in a fortnight, in
// four months and a year and a half on (files and complaints fall
// overdue, licences expire, another financial year is "this year") —
// then deletes the counters' file and counts again from the log.
func TestCounters_EveryModulesCountersEqualItsCountAfterEachSeedAndARebuild(t *testing.T) {
	app, gw := demoBody(t, "M0101")
	src := newFakeSource()
	src.set("M0101", app.Store, 0, false)
	path := filepath.Join(t.TempDir(), CountersFile)
	c := openTestCounters(t, src, path)
	now := time.Now()
	times := []time.Time{now, now.AddDate(0, 0, 15), now.AddDate(0, 4, 0), now.AddDate(1, 6, 0), now.AddDate(0, -3, 0)}

	seeds := []struct {
		name string
		seed func() error
	}{
		{"the demo office", func() error { _, err := synth.SeedDemo(app, 60, 7, nil, nil); return err }},
		{"money", func() error { return synth.SeedMoney(app, gw, 7) }},
		{"property tax", func() error { _, err := synth.SeedPropertyTax(app, gw, 7); return err }},
		{"licences", func() error { _, err := synth.SeedLicences(app, 7); return err }},
		{"Right to Service appeals", func() error { _, err := synth.SeedRTS(app); return err }},
		{"grievances", func() error { _, err := synth.SeedGrievances(app, 60, 7); return err }},
		{"a legacy register", func() error { _, err := synth.SeedLegacyRegister(app, 500); return err }},
	}
	for _, s := range seeds {
		if err := s.seed(); err != nil {
			t.Fatalf("seeding %s: %v", s.name, err)
		}
		catchUpAll(t, c, "M0101", false)
		countersEqualCount(t, c, "M0101", app.Store, "after "+s.name, times...)
	}
	got := countersEqualCount(t, c, "M0101", app.Store, "seeded", now)
	// The comparison means something only if every module counted.
	for _, k := range []string{civil.FigureKey(civil.KindBirth), files.FigureApplications, files.FigurePending, files.FigureOverdue, files.FigureDecided,
		files.FigureAppeals, files.FigurePenalties, licence.FigureIssued, licence.FigureInForce, licence.FigureDeemed,
		grievance.FigureReceived, grievance.FigureOverdue, grievance.FigureFixed, propertytax.FigureBuildings, propertytax.FigureDemand,
		propertytax.FigureCollected, propertytax.FigureArrears, propertytax.FigureDefaulters} {
		if got.Counts[k] <= 0 {
			t.Errorf("the seeded body has no %s (%d): the comparison proves nothing of it", k, got.Counts[k])
		}
	}

	// A restart resumes; a deleted file is counted again from the log.
	c.Close()
	c = openTestCounters(t, src, path)
	if seq, _ := c.Head("M0101"); seq != app.Store.LastSeq() {
		t.Fatalf("reopened counters resume at %d, want %d", seq, app.Store.LastSeq())
	}
	countersEqualCount(t, c, "M0101", app.Store, "reopened", times...)
	c.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c = openTestCounters(t, src, path)
	catchUpAll(t, c, "M0101", false)
	countersEqualCount(t, c, "M0101", app.Store, "rebuilt from the log", times...)
	if lb, ok := c.identity("M0101"); !ok || lb.Code != "M0101" {
		t.Errorf("the counters know the body as %+v (%v), want its identity from its log", lb, ok)
	}
}

// TestCounters_ABodyWhoseLogTheStateNoLongerContinuesIsCountedAgain
// replaces a body's log at the state with another (a body rebuilt, or a
// fork resolved the other way): the counters see that their last event is
// not the state's, reset and count the new log, not the sum of both.
func TestCounters_ABodyWhoseLogTheStateNoLongerContinuesIsCountedAgain(t *testing.T) {
	src := newFakeSource()
	first := bodyStore(t, 30, 5, "Anil")
	src.set("M0202", first, 0, false)
	c := openTestCounters(t, src, filepath.Join(t.TempDir(), CountersFile))
	catchUpAll(t, c, "M0202", false)
	now := time.Now()
	countersEqualCount(t, c, "M0202", first, "the first log", now)

	other := bodyStore(t, 40, 3, "Beena") // longer, and its events are not the first's
	src.set("M0202", other, 0, false)
	catchUpAll(t, c, "M0202", false)
	got := countersEqualCount(t, c, "M0202", other, "the other log", now, now.Add(2*time.Hour))
	if got.Counts[files.FigureApplications] != 40 {
		t.Errorf("applications %d after the log was replaced, want the other log's 40", got.Counts[files.FigureApplications])
	}

	shorter := bodyStore(t, 10, 2, "Chandran") // shorter, after a snapshot was installed
	src.set("M0202", shorter, 0, true)
	catchUpAll(t, c, "M0202", true)
	countersEqualCount(t, c, "M0202", shorter, "a shorter log after a snapshot", now)
}

// TestCounters_AModulesNewRulesCountEveryBodyAgain reopens counters with
// a module whose Counter's Version was raised: what was counted by the old
// rules is dropped and every body counted again from its log, never
// sums of both rules added up.
func TestCounters_AModulesNewRulesCountEveryBodyAgain(t *testing.T) {
	src := newFakeSource()
	st := bodyStore(t, 12, 4, "Devi")
	src.set("M0303", st, 0, false)
	path := filepath.Join(t.TempDir(), CountersFile)
	c := openTestCounters(t, src, path)
	catchUpAll(t, c, "M0303", false)
	if seq, _ := c.Head("M0303"); seq != st.LastSeq() {
		t.Fatalf("counted %d of %d events", seq, st.LastSeq())
	}
	c.Close()

	raised := append([]module.Module(nil), modules...)
	for i, m := range raised {
		if m.Name == "files" {
			fig, ctr := *m.Figures, *m.Figures.Counter
			ctr.Version++
			fig.Counter = &ctr
			raised[i].Figures = &fig
		}
	}
	c2, err := openCounters(src, path, 500, raised, replicationtest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if seq, _ := c2.Head("M0303"); seq != 0 {
		t.Fatalf("after the files' rules changed the counters resume at %d; want them counted again from the first event", seq)
	}
	catchUpAll(t, c2, "M0303", false)
	countersEqualCount(t, c2, "M0303", st, "counted again by the new rules", time.Now())
}
