package stateview

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"ksmart/appliance/synth/legacy"
	"ksmart/replication/replicationtest"
	"ksmart/search"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkIndex_StateSearch builds the state index of many bodies and
// measures a state-wide name search on it, against one Bleve index of the
// same documents (every body in one shard, the same mapping and query).
//
// KSMART_STATE_BODIES bodies (default 30) of KSMART_STATE_ROWS register
// entries each (default 2000): fifteen registers of their own (one body
// per district of Kerala and one of another name, each an appliance with a
// legacy register of its own seed), each served to the index under
// bodies/15 codes, as the FSM serves every body's log. It reports the
// build rate, the disk per record against a body's own store and index
// (what a mirror held), the search's p50 and p99 (ms; the hits read as
// their modules say, from the FSM's change sets) and ratio, the sharded
// search's median over the single index's.
func BenchmarkIndex_StateSearch(b *testing.B) {
	nBodies, rows := envInt("KSMART_STATE_BODIES", 30), envInt("KSMART_STATE_ROWS", 2000)
	districts := []string{"Alappuzha", "Ernakulam", "Idukki", "Kannur", "Kasaragod", "Kollam", "Kottayam", "Kozhikode",
		"Malappuram", "Palakkad", "Pathanamthitta", "Thiruvananthapuram", "Thrissur", "Wayanad", "Mahe"}
	src := newFakeSource()
	regs := make([]indexBody, len(districts))
	var mirrorBytes int64
	for i, d := range districts {
		regs[i] = newIndexBody(b, fmt.Sprintf("D%02d", i), d, 0)
		importBirths(b, regs[i].app, rows, uint64(3000+i))
	}
	for i := range nBodies {
		src.set(fmt.Sprintf("B%04d", i), regs[i%len(regs)].app.Store, 0, false)
	}
	for _, r := range regs {
		if fi, err := os.Stat(r.app.Store.Path()); err == nil {
			mirrorBytes += fi.Size()
		}
		mirrorBytes += r.app.Search.Size()
	}

	dir := b.TempDir()
	start := time.Now()
	x := openTestIndex(b, src, filepath.Join(dir, "sharded"))
	replicationtest.Eventually(b, 30*time.Minute, x.CaughtUp)
	took := time.Since(start)
	st, err := x.Stats()
	if err != nil {
		b.Fatal(err)
	}
	one, err := openIndex(src, IndexConfig{Dir: filepath.Join(dir, "single"), oneShard: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer one.Close()
	replicationtest.Eventually(b, 30*time.Minute, one.CaughtUp)

	// Merged as the shards and the one index become in time (Bleve merges
	// segments in the background), so that both are compared whole.
	if err := x.Compact(context.Background()); err != nil {
		b.Fatal(err)
	}
	if err := one.Compact(context.Background()); err != nil {
		b.Fatal(err)
	}
	var texts []string
	for i := range districts {
		qs, _ := legacy.RelevanceQueries(rows, uint64(3000+i), 8, 5)
		for _, q := range qs {
			texts = append(texts, q.Name)
		}
	}
	ctx := context.Background()
	time1 := func(fn func(q string) error) []float64 {
		var ms []float64
		for _, q := range texts {
			t0 := time.Now()
			if err := fn(q); err != nil {
				b.Fatal(err)
			}
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
		slices.Sort(ms)
		return ms
	}
	pct := func(ms []float64, p float64) float64 { return ms[min(len(ms)-1, int(p*float64(len(ms))))] }
	sharded := func(q string) error {
		_, err := x.shards.Search(ctx, search.Query{Text: q, Size: 20})
		return err
	}
	single := func(q string) error {
		_, err := one.shards.Search(ctx, search.Query{Text: q, Size: 20}, otherShard)
		return err
	}
	whole := func(q string) error {
		_, err := x.search(ctx, SearchQuery{Text: q})
		return err
	}
	district := func(q string) error {
		_, err := x.search(ctx, SearchQuery{Text: q, District: "ernakulam"})
		return err
	}
	time1(sharded) // warm both
	time1(single)
	b.ResetTimer()
	var ws, wd, ss, si []float64
	for range b.N {
		ws, wd = time1(whole), time1(district)
		ss, si = time1(sharded), time1(single)
	}
	b.StopTimer()
	docs := float64(st.Documents)
	b.ReportMetric(pct(ws, 0.5), "p50-ms")
	b.ReportMetric(pct(ws, 0.99), "p99-ms")
	b.ReportMetric(pct(ss, 0.5)/pct(si, 0.5), "ratio")
	b.ReportMetric(docs/took.Seconds(), "docs/s")
	b.Logf("%d bodies, %.0f records: indexed in %s (%.0f records/s, %.0f events/s)", nBodies, docs, took.Round(time.Millisecond), docs/took.Seconds(), float64(st.EventsSince)/took.Seconds())
	b.Logf("disk per record: %.0f B (locator %.0f, shards %.0f); a body's own store and index (a mirror's): %.0f B",
		float64(st.LocatorBytes+st.ShardBytes)/docs, float64(st.LocatorBytes)/docs, float64(st.ShardBytes)/docs, float64(mirrorBytes)/float64(len(regs)*rows))
	b.Logf("state-wide search with hits: p50 %.2f ms p99 %.2f ms; one district: p50 %.2f ms p99 %.2f ms (%d queries)", pct(ws, 0.5), pct(ws, 0.99), pct(wd, 0.5), pct(wd, 0.99), len(texts))
	b.Logf("index alone: sharded p50 %.2f p99 %.2f ms, one Bleve index p50 %.2f p99 %.2f ms: ratio %.2f", pct(ss, 0.5), pct(ss, 0.99), pct(si, 0.5), pct(si, 0.99), pct(ss, 0.5)/pct(si, 0.5))
}
