package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/bench/pgpeer"
	"ksmart/web"
)

// Targets of the kiosk's search, from the design: p99 through HTTP at 1M
// civil records under two-thread load, and how much faster than
// PostgreSQL full text + pg_trgm on the same records and queries.
const (
	searchTargetP99Ms   = 10.0
	searchTargetSpeedup = 5.0
	searchThreads       = 2
	searchRecordsSeed   = 2026
	searchQueriesSeed   = 11
)

// SearchConfig says what the search benchmark measures. Every field but
// Version, Dir and OnPhase must be given: `ksmart bench search` gives 1M
// records, 400 queries and 10 s of load by default.
type SearchConfig struct {
	Records, Queries int           // births in the synthetic register (at least 1,000); queries in the relevance set (at least 10)
	Load             time.Duration // how long each Latency measurement lasts
	Postgres         bool          // also run PostgreSQL (bench/pgpeer) on the same records and queries
	Dir              string        // scratch directory; default the temp directory; ~2 GiB at 1M records
	Version          string        // the version the web server reports (ksmart's own)
	OnPhase          func(string)
}

// Latency is one measurement of queries under load.
type Latency struct {
	Queries int     `json:"queries"`
	PerSec  float64 `json:"per_sec"`
	P50Ms   float64 `json:"p50_ms"`
	P99Ms   float64 `json:"p99_ms"`
}

// SearchResult holds the figures of one run: the import and the indexing,
// recall@10 and near misses on the relevance set, latency through HTTP and
// in the process, and PostgreSQL's beside them when it ran.
type SearchResult struct {
	Name             string  `json:"name"`
	Records          int     `json:"records"`
	Queries          int     `json:"queries"`
	NearMisses       int     `json:"near_misses"`
	ImportSeconds    float64 `json:"import_seconds"`
	IndexSeconds     float64 `json:"index_seconds"`
	IndexDocsPerSec  float64 `json:"index_docs_per_sec"`
	IndexBytes       int64   `json:"index_bytes"`
	CompactSeconds   float64 `json:"compact_seconds"`
	RecallAt10       float64 `json:"recall_at_10"`
	NearMissesInTop3 int     `json:"near_misses_in_top3"`
	// HTTP is the kiosk's search page through HTTP on loopback (search,
	// masking, the audit event's durable write, the HTML); Direct is the
	// same queries through civil's ranking, in the process.
	HTTP   Latency `json:"kiosk_http"`
	Direct Latency `json:"kiosk_direct"`

	Postgres         string  `json:"postgres,omitempty"` // version, or why it did not run
	PGLoadSeconds    float64 `json:"pg_load_seconds,omitempty"`
	PGBytes          int64   `json:"pg_bytes,omitempty"`
	PGRecallAt10     float64 `json:"pg_recall_at_10,omitempty"`
	PG               Latency `json:"pg"`
	SpeedupP99HTTP   float64 `json:"speedup_p99_http_vs_pg,omitempty"`
	SpeedupP99       float64 `json:"speedup_p99_direct_vs_pg,omitempty"`
	SpeedupP50       float64 `json:"speedup_p50_direct_vs_pg,omitempty"`
	TargetP99Ms      float64 `json:"target_p99_ms"`
	TargetSpeedup    float64 `json:"target_speedup"`
	TargetP99Met     bool    `json:"target_p99_met"`
	TargetSpeedupMet bool    `json:"target_speedup_met"`
}

// RunSearch writes a synthetic register of c.Records births, imports it
// into a fresh appliance and times indexing the log; runs the relevance
// set; loads the kiosk's search page through HTTP on loopback and civil's
// ranking in the process for c.Load each, from two threads; and, with
// c.Postgres, does the same with PostgreSQL (Debian's package) on the same
// records and queries. Without PostgreSQL installed the result says so and
// holds ours alone. It removes its scratch files.
func RunSearch(ctx context.Context, c SearchConfig) (SearchResult, error) {
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := SearchResult{Name: "search", Records: c.Records, TargetP99Ms: searchTargetP99Ms, TargetSpeedup: searchTargetSpeedup}
	scratch, err := os.MkdirTemp(c.Dir, "ksmart-bench-search-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(scratch)

	c.OnPhase(fmt.Sprintf("writing a register of %d births (CSV)", c.Records))
	csvPath := filepath.Join(scratch, "births.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		return res, err
	}
	if err := legacy.Births(f, c.Records, searchRecordsSeed); err != nil {
		f.Close()
		return res, err
	}
	f.Close()
	qs, nearMisses := legacy.RelevanceQueries(c.Records, searchRecordsSeed, c.Queries, searchQueriesSeed)
	res.Queries, res.NearMisses = len(qs), len(nearMisses)

	c.OnPhase("importing it into an appliance")
	lb := synth.DemoLocalBody()
	logger := slog.New(slog.DiscardHandler)
	app, err := appliance.Open(appliance.Config{Dir: filepath.Join(scratch, "appliance"), LocalBody: &lb, Logger: logger})
	if err != nil {
		return res, err
	}
	defer app.Close()
	in, err := os.Open(csvPath)
	if err != nil {
		return res, err
	}
	registrar, err := synth.DemoRegistrar(app)
	if err != nil {
		in.Close()
		return res, err
	}
	start := time.Now()
	rep, err := app.ImportRegister("births", in, "bench", registrar, nil)
	in.Close()
	if err != nil {
		return res, err
	}
	if rep.Bad > 0 {
		return res, fmt.Errorf("%d rows of the synthetic register were refused; the first: line %d: %s", rep.Bad, rep.Problems[0].Line, rep.Problems[0].Reason)
	}
	res.ImportSeconds = time.Since(start).Seconds()

	c.OnPhase("indexing the log")
	start = time.Now()
	if err := app.Search.CatchUp(ctx, app.Store); err != nil {
		return res, err
	}
	res.IndexSeconds = time.Since(start).Seconds()
	docs, _ := app.Search.Count()
	res.IndexDocsPerSec = float64(docs) / res.IndexSeconds
	c.OnPhase("merging the index's segments")
	start = time.Now()
	if err := app.Search.Compact(ctx); err != nil {
		return res, err
	}
	res.CompactSeconds = time.Since(start).Seconds()
	res.IndexBytes = app.Search.Size()

	c.OnPhase(fmt.Sprintf("relevance: %d queries and %d near misses", len(qs), len(nearMisses)))
	ours := func(ctx context.Context, q legacy.Query, n int) ([]string, error) {
		return app.Civil.KioskRanking(ctx, kioskQueryOf(q), n)
	}
	if res.RecallAt10, res.NearMissesInTop3, err = relevance(ctx, qs, nearMisses, ours); err != nil {
		return res, err
	}

	c.OnPhase(fmt.Sprintf("kiosk searches in the process, %d threads, %s", searchThreads, c.Load))
	if res.Direct, err = underLoad(ctx, c.Load, qs, func(q legacy.Query) error { _, err := ours(ctx, q, 10); return err }); err != nil {
		return res, err
	}

	c.OnPhase(fmt.Sprintf("kiosk searches through HTTP, %d threads, %s", searchThreads, c.Load))
	if res.HTTP, err = kioskHTTPLoad(ctx, app, logger, c.Version, c.Load, qs); err != nil {
		return res, err
	}
	res.TargetP99Met = res.HTTP.P99Ms <= searchTargetP99Ms

	if !c.Postgres {
		res.Postgres = "not run (--postgres=false)"
		return res, nil
	}
	c.OnPhase("starting PostgreSQL")
	pg, err := pgpeer.Start(ctx, filepath.Join(scratch, "postgres"))
	if errors.Is(err, pgpeer.ErrNotInstalled) {
		res.Postgres = "not run: " + err.Error()
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("starting PostgreSQL: %w", err)
	}
	defer pg.Close()
	res.Postgres = pg.Version()
	c.OnPhase("loading the same records into PostgreSQL and indexing them")
	start = time.Now()
	if _, err := pg.Load(ctx, pgRecords(c.Records)); err != nil {
		return res, err
	}
	res.PGLoadSeconds = time.Since(start).Seconds()
	res.PGBytes, _ = pg.SizeBytes(ctx)
	theirs := func(ctx context.Context, q legacy.Query, n int) ([]string, error) {
		return pg.Search(ctx, pgpeer.Query{Name: q.Name, EventDate: q.EventDate, Relation: q.Relation, Number: q.Number}, n)
	}
	c.OnPhase("relevance of PostgreSQL on the same queries")
	if res.PGRecallAt10, _, err = relevance(ctx, qs, nearMisses, theirs); err != nil {
		return res, err
	}
	c.OnPhase(fmt.Sprintf("PostgreSQL searches, %d threads, %s", searchThreads, c.Load))
	if res.PG, err = underLoad(ctx, c.Load, qs, func(q legacy.Query) error { _, err := theirs(ctx, q, 10); return err }); err != nil {
		return res, err
	}
	res.SpeedupP99HTTP = res.PG.P99Ms / res.HTTP.P99Ms
	res.SpeedupP99 = res.PG.P99Ms / res.Direct.P99Ms
	res.SpeedupP50 = res.PG.P50Ms / res.Direct.P50Ms
	res.TargetSpeedupMet = res.SpeedupP99HTTP >= searchTargetSpeedup
	return res, nil
}

// kioskQueryOf is a relevance query as a person types it at the kiosk.
func kioskQueryOf(q legacy.Query) civil.KioskQuery {
	return civil.KioskQuery{Name: q.Name, Date: q.EventDate, Relation: q.Relation, Number: q.Number}
}

// pgRecords are the register's records as PostgreSQL gets them, the record
// id being the register number.
func pgRecords(rows int) iter.Seq[pgpeer.Record] {
	return func(yield func(pgpeer.Record) bool) {
		stop := false
		legacy.BirthRecords(rows, searchRecordsSeed, func(r legacy.Record) {
			if stop {
				return
			}
			rec := pgpeer.Record{ID: r.Number, Kind: r.Kind, Number: r.Number, EventDate: r.EventDate}
			for _, n := range []string{r.NameEn, r.NameMl} {
				if n != "" {
					rec.Names = append(rec.Names, n)
				}
			}
			for _, n := range []string{r.MotherEn, r.MotherMl, r.FatherEn, r.FatherMl, r.SpouseEn, r.SpouseMl} {
				if n != "" {
					rec.Relations = append(rec.Relations, n)
				}
			}
			stop = !yield(rec)
		})
	}
}

// relevance runs the relevance set through rank: the share of queries
// whose record is among the first ten, and how many near misses put the
// record they must not find among the first three.
func relevance(ctx context.Context, qs, nearMisses []legacy.Query, rank func(context.Context, legacy.Query, int) ([]string, error)) (recall float64, missesInTop3 int, err error) {
	found := 0
	for _, q := range qs {
		got, err := rank(ctx, q, 10)
		if err != nil {
			return 0, 0, fmt.Errorf("query %+v: %w", q, err)
		}
		if slices.Contains(got, q.Target) {
			found++
		}
	}
	for _, q := range nearMisses {
		got, err := rank(ctx, q, 3)
		if err != nil {
			return 0, 0, fmt.Errorf("near miss %+v: %w", q, err)
		}
		if slices.Contains(got, q.Avoid) {
			missesInTop3++
		}
	}
	return float64(found) / float64(max(len(qs), 1)), missesInTop3, nil
}

// underLoad runs the queries round and round from searchThreads
// goroutines for d and measures each.
func underLoad(ctx context.Context, d time.Duration, qs []legacy.Query, run func(legacy.Query) error) (Latency, error) {
	var next atomic.Int64
	per := make([][]time.Duration, searchThreads)
	deadline := time.Now().Add(d)
	err := parallelErr(searchThreads, func(i int) error {
		for time.Now().Before(deadline) {
			if err := ctx.Err(); err != nil {
				return err
			}
			q := qs[int(next.Add(1))%len(qs)]
			t := time.Now()
			if err := run(q); err != nil {
				return err
			}
			per[i] = append(per[i], time.Since(t))
		}
		return nil
	})
	if err != nil {
		return Latency{}, err
	}
	all := slices.Concat(per...)
	if len(all) == 0 {
		return Latency{}, fmt.Errorf("no query finished in %s", d)
	}
	slices.Sort(all)
	return Latency{Queries: len(all), PerSec: float64(len(all)) / d.Seconds(), P50Ms: ms(all[len(all)/2]), P99Ms: ms(all[int(float64(len(all)-1)*0.99)])}, nil
}

// kioskHTTPLoad serves the appliance on loopback and runs the queries
// through the kiosk's search page, as a kiosk's browser posts them.
func kioskHTTPLoad(ctx context.Context, app *appliance.Appliance, logger *slog.Logger, version string, d time.Duration, qs []legacy.Query) (Latency, error) {
	srv, err := web.New(app, logger, version, false)
	if err != nil {
		return Latency{}, err
	}
	srv.NoKioskLimit = true // the benchmark is one kiosk asking as fast as it can
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Latency{}, err
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	defer func() { stop(); <-served }()
	base := "http://" + ln.Addr().String()
	transport := &http.Transport{MaxIdleConnsPerHost: 8}
	defer transport.CloseIdleConnections()
	kiosks := make([]*kioskClient, searchThreads)
	for i := range kiosks {
		if kiosks[i], err = newKioskClient(base, transport); err != nil {
			return Latency{}, err
		}
	}
	var k atomic.Int64
	return underLoad(ctx, d, qs, func(q legacy.Query) error {
		return kiosks[int(k.Add(1))%len(kiosks)].search(q)
	})
}

// kioskClient is a kiosk's browser: its kiosk cookie and form token.
type kioskClient struct {
	base   string
	client *http.Client
	csrf   string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func newKioskClient(base string, rt http.RoundTripper) (*kioskClient, error) {
	jar, _ := cookiejar.New(nil)
	kc := &kioskClient{base: base, client: &http.Client{Transport: rt, Jar: jar}}
	resp, err := kc.client.Get(base + "/kiosk")
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		return nil, fmt.Errorf("GET /kiosk answered %d without a form token", resp.StatusCode)
	}
	kc.csrf = string(m[1])
	return kc, nil
}

func (kc *kioskClient) search(q legacy.Query) error {
	form := url.Values{"_csrf": {kc.csrf}, "name": {q.Name}, "date": {q.EventDate}, "relation": {q.Relation}, "number": {q.Number}}
	resp, err := kc.client.PostForm(kc.base+"/kiosk/search", form)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("kiosk search answered %d: %.200s", resp.StatusCode, body)
	}
	return nil
}

// WriteTable writes the figures as `ksmart bench search` prints them.
func (r SearchResult) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "search: the kiosk's certificate search over %d births (synthetic Kerala names, English and Malayalam)\n\n", r.Records)
	fmt.Fprintf(w, "import %.1f s, then indexing %.1f s (%.0f docs/s) and merging it into one segment %.1f s: %s; together %.1f s\n", r.ImportSeconds, r.IndexSeconds, r.IndexDocsPerSec,
		r.CompactSeconds, humanBytes(r.IndexBytes), r.ImportSeconds+r.IndexSeconds+r.CompactSeconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\trecall@10\tp50 ms\tp99 ms\tqueries/s\t\n")
	fmt.Fprintf(tw, "ksmart kiosk page, HTTP\t%.3f\t%.2f\t%.2f\t%.0f\t\n", r.RecallAt10, r.HTTP.P50Ms, r.HTTP.P99Ms, r.HTTP.PerSec)
	fmt.Fprintf(tw, "ksmart kiosk ranking, in process\t%.3f\t%.2f\t%.2f\t%.0f\t\n", r.RecallAt10, r.Direct.P50Ms, r.Direct.P99Ms, r.Direct.PerSec)
	if r.PG.Queries > 0 {
		fmt.Fprintf(tw, "PostgreSQL full text + pg_trgm, SQL\t%.3f\t%.2f\t%.2f\t%.0f\t\n", r.PGRecallAt10, r.PG.P50Ms, r.PG.P99Ms, r.PG.PerSec)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d relevance queries, %d near misses (of which %d put the record they must not find in the top 3); %d threads\n",
		r.Queries, r.NearMisses, r.NearMissesInTop3, searchThreads)
	fmt.Fprintf(w, "PostgreSQL: %s", r.Postgres)
	if r.PGBytes > 0 {
		fmt.Fprintf(w, "; loaded and indexed in %.1f s, %s", r.PGLoadSeconds, humanBytes(r.PGBytes))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "target p99 <= %.0f ms through HTTP: %s\n", r.TargetP99Ms, metOrNot(r.TargetP99Met))
	if r.PG.Queries > 0 {
		fmt.Fprintf(w, "ratio, PostgreSQL p99 over ksmart's HTTP p99: %.1f× (in process: p99 %.1f×, p50 %.1f×); target >= %.0f×: %s\n",
			r.SpeedupP99HTTP, r.SpeedupP99, r.SpeedupP50, r.TargetSpeedup, metOrNot(r.TargetSpeedupMet))
	}
}
