package pgpeer

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
)

// benchQuery is a query and the record it was made from.
type benchQuery struct {
	q    Query
	want string
}

// benchRecords is how many records BenchmarkSearch loads.
var benchRecords = flag.Int("pgpeer.records", 100_000, "how many synthetic records BenchmarkSearch loads")

// BenchmarkSearch loads 100,000 synthetic records (-pgpeer.records) and times Search under two
// client goroutines (the kiosk target's load) for each query shape, reporting
// p50 and p99 latency and recall@10 (how often the record a query was made
// from is among the first ten). With -v it logs the plan PostgreSQL runs for
// each shape as the server runs it after eight executions.
//
//	go test -run '^$' -bench Search -benchtime 300x ./bench/pgpeer
//	go test -run '^$' -bench Search -benchtime 100x ./bench/pgpeer -args -pgpeer.records=1000000
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	records := slices.Collect(synthRecords(7, *benchRecords))
	p := startPeer(b)
	start := time.Now()
	loaded, err := p.Load(ctx, slices.Values(records))
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	size, err := p.SizeBytes(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// Printed, not logged: a parent benchmark's log shows only with -v.
	fmt.Printf("pgpeer: %s: loaded %d records in %v (%.0f records/s: COPY, indexes, VACUUM ANALYZE); table and indexes %.1f MiB\n",
		p.Version(), loaded, took.Round(time.Millisecond), float64(loaded)/took.Seconds(), float64(size)/(1<<20))

	rng := rand.New(rand.NewPCG(8, 8))
	english := func(r Record) string {
		for _, name := range r.Names {
			if name[0] < utf8.RuneSelf {
				return name
			}
		}
		return ""
	}
	shapes := []struct {
		name string
		make func(r Record) Query // zero Query: r does not suit the shape
	}{
		{"name+date", func(r Record) Query { return Query{Name: r.Names[0], EventDate: r.EventDate} }},
		{"misspelt+date", func(r Record) Query {
			if e := english(r); e != "" {
				return Query{Name: misspell(rng, e), EventDate: r.EventDate}
			}
			return Query{}
		}},
		{"name+relation", func(r Record) Query { return Query{Name: r.Names[0], Relation: r.Relations[0]} }},
		{"number", func(r Record) Query { return Query{Number: strings.ToLower(r.Number)} }},
		{"name", func(r Record) Query { return Query{Name: r.Names[0]} }},
	}
	for _, s := range shapes {
		var qs []benchQuery
		for len(qs) < 1000 {
			r := records[rng.IntN(len(records))]
			if q := s.make(r); q != (Query{}) {
				qs = append(qs, benchQuery{q, r.ID})
			}
		}
		if testing.Verbose() {
			b.Logf("%s: %+v\n%s", s.name, qs[0].q, explain(b, p, qs[0].q))
		}
		b.Run(s.name, func(b *testing.B) { searchWithClients(b, p, qs, 2) })
	}
}

// searchWithClients runs b.N searches from qs on the given number of
// goroutines and reports latency percentiles and recall@10.
func searchWithClients(b *testing.B, p *Peer, qs []benchQuery, clients int) {
	ctx := context.Background()
	var (
		next  atomic.Int64
		found atomic.Int64
		mu    sync.Mutex
		lat   []time.Duration
		wg    sync.WaitGroup
	)
	b.ResetTimer()
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for i := next.Add(1) - 1; i < int64(b.N); i = next.Add(1) - 1 {
				q := qs[i%int64(len(qs))]
				t0 := time.Now()
				ids, err := p.Search(ctx, q.q, 10)
				mine = append(mine, time.Since(t0))
				if err != nil {
					b.Error(err)
					return
				}
				if slices.Contains(ids, q.want) {
					found.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	pct := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(found.Load())/float64(len(lat)), "recall@10")
}

// misspell changes one letter (not the first) of the longest word of name.
func misspell(rng *rand.Rand, name string) string {
	words := strings.Fields(name)
	longest := 0
	for i, w := range words {
		if len(w) > len(words[longest]) {
			longest = i
		}
	}
	w := []byte(words[longest])
	i := 1 + rng.IntN(len(w)-1)
	for c := w[i]; c == w[i]; {
		w[i] = byte('a' + rng.IntN(26))
	}
	words[longest] = string(w)
	return strings.Join(words, " ")
}

// explain runs q's statement enough times on one connection that PostgreSQL
// settles on a generic or a custom plan, then returns EXPLAIN ANALYZE of it.
func explain(tb testing.TB, p *Peer, q Query) string {
	tb.Helper()
	ctx := context.Background()
	sql, args, err := p.statement(q, 10)
	if err != nil || sql == "" {
		tb.Fatalf("statement(%+v): %q, %v", q, sql, err)
	}
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Conn().Prepare(ctx, "explained", sql); err != nil {
		tb.Fatal(err)
	}
	defer conn.Exec(ctx, "DEALLOCATE explained")
	for range 8 {
		if _, err := conn.Exec(ctx, "explained", args...); err != nil {
			tb.Fatal(err)
		}
	}
	literals := make([]string, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case string:
			literals[i] = "'" + strings.ReplaceAll(a, "'", "''") + "'"
		case pgtype.Date:
			literals[i] = "'" + a.Time.Format(time.DateOnly) + "'"
		default:
			literals[i] = fmt.Sprint(a)
		}
	}
	rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE explained("+strings.Join(literals, ", ")+")")
	if err != nil {
		tb.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			tb.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return sql + "\n" + strings.Join(plan, "\n")
}
