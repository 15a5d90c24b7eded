package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"ksmart/replication"
	"ksmart/store"
)

// Targets of the state at a tenth of Kerala, from the design and issue 21.
const (
	scaleTargetP99Ms     = 100.0
	scaleTargetRecall    = 0.95
	scaleTargetDiskRatio = 1.5
	scaleTargetFailover  = 5.0
	// snapshotMetric is the counter a node exposes, once raft snapshots
	// go by segment, of the bytes it received to install snapshots.
	snapshotMetric = "ksmart_state_snapshot_received_bytes_total"
)

// StateScaleConfig says what the state-scale benchmark builds. Zero values
// take the defaults noted.
type StateScaleConfig struct {
	Dir     string // scratch directory; default the temp directory (~3× the bodies' stores)
	Bodies  int    // local bodies; default 120
	Records int    // register entries and files over all bodies; default 4,500,000
	Nodes   int    // state nodes, at least 3; default 3
	// Command runs the ksmart binary: `Command... state run …` starts a
	// node. Env is the nodes' environment (nil: this process's).
	Command []string
	Env     []string
	// Cut is how long a follower's raft link is cut (default 1m) while
	// the bodies write CutRate events/s in all (default 1,000).
	Cut     time.Duration
	CutRate int
	// Load is how long the search latency is measured, from two threads;
	// default 10s.
	Load    time.Duration
	OnPhase func(string)
}

// StateScaleResult holds the figures of one run.
type StateScaleResult struct {
	Name         string  `json:"name"` // "state-scale"
	Bodies       int     `json:"bodies"`
	Records      int     `json:"records"` // register entries and files in all
	Births       int     `json:"births"`
	Deaths       int     `json:"deaths"`
	Files        int     `json:"files"`
	Events       uint64  `json:"events"` // in the bodies' logs, shipped
	Nodes        int     `json:"nodes"`
	NodeKind     string  `json:"node_kind"` // "process": ksmart state run, one process a node
	GenerateSecs float64 `json:"generate_seconds"`
	ShipSeconds  float64 `json:"ship_seconds"`  // shippers started → every body's last event acknowledged
	IndexSeconds float64 `json:"index_seconds"` // shippers started → the search finds every body's last record
	IndexRecPerS float64 `json:"index_records_per_s"`
	ShipEventsPS float64 `json:"ship_events_per_s"`
	// IndexCPUSeconds is each node process's CPU time (user and system)
	// from its start until the search found every body: with other work on
	// the machine, records over CPU seconds is the fairer rate.
	IndexCPUSeconds []float64 `json:"index_cpu_seconds,omitempty"`
	SearchNode      string    `json:"search_node"`
	Queries         int       `json:"queries"`        // of the relevance set
	ExpectedHits    int       `json:"expected_hits"`  // records the relevance set must find
	RecallAt10      float64   `json:"recall_at_10"`   // expected records found in the first ten, over all expected
	SearchCount     int       `json:"search_count"`   // searches timed under load
	SearchPerSec    float64   `json:"search_per_sec"` // under load, two threads
	SearchP50Ms     float64   `json:"search_p50_ms"`
	SearchP99Ms     float64   `json:"search_p99_ms"`
	BodiesBytes     int64     `json:"bodies_bytes"` // the bodies' own stores (ksmart.db) in all
	NodeBytes       []int64   `json:"node_bytes"`   // each node's data directory
	DiskRatio       float64   `json:"disk_ratio"`   // the largest node's over the bodies'
	CutSeconds      float64   `json:"cut_seconds"`
	CutEvents       int       `json:"cut_events"` // written by the bodies while the follower was cut off
	SnapBytes       int64     `json:"snapshot_install_bytes"`
	SnapBytesFrom   string    `json:"snapshot_install_bytes_source"` // "proxy" (bytes into its raft port) or "proxy+metric" (plus the node's own count of what it fetched to install a snapshot)
	SnapSeconds     float64   `json:"snapshot_install_seconds"`      // link back → the follower applied what the leader had committed
	SnapInstalled   bool      `json:"snapshot_installed"`            // the follower caught up by a snapshot, not by the log alone
	FailoverSecs    float64   `json:"failover_seconds"`              // leader frozen → a body's next batch acknowledged by another node
	FailoverBy      string    `json:"failover_acknowledged_by"`      // the node that leads after
	FailoverFrom    string    `json:"failover_frozen_leader"`
	// LoadAverages is the machine's 1-minute load average as shipping
	// starts, and at the end: other work on the machine slows every
	// figure (nothing where /proc/loadavg is not).
	LoadAverages []float64 `json:"load_averages,omitempty"`

	TargetP99Ms      float64 `json:"target_search_p99_ms"`
	TargetRecall     float64 `json:"target_recall_at_10"`
	TargetDiskRatio  float64 `json:"target_disk_ratio"`
	TargetFailover   float64 `json:"target_failover_seconds"`
	TargetP99Met     bool    `json:"target_search_p99_met"`
	TargetRecallMet  bool    `json:"target_recall_met"`
	TargetDiskMet    bool    `json:"target_disk_ratio_met"`
	TargetFailoverOK bool    `json:"target_failover_met"`
}

// RunStateScale generates c.Bodies local bodies' data directories holding
// c.Records register entries and files in all, starts c.Nodes state nodes
// as processes on loopback, ships every body with the real Shipper, and
// measures through the nodes' public interfaces only (their HTTPS API with
// an admin certificate, /metrics, their data directories, their processes
// and the proxies in front of their raft ports): the index build, the
// state-wide search's recall on a planted relevance set and its latency,
// each node's disk over the bodies', a follower cut off for c.Cut, and a
// frozen leader. It removes its scratch files.
func RunStateScale(ctx context.Context, c StateScaleConfig) (StateScaleResult, error) {
	orDefault(&c.Bodies, 120)
	orDefault(&c.Records, 4_500_000)
	orDefault(&c.Nodes, 3)
	orDefault(&c.CutRate, 1000)
	if c.Cut <= 0 {
		c.Cut = time.Minute
	}
	if c.Load <= 0 {
		c.Load = 10 * time.Second
	}
	phase := func(s string) {
		if c.OnPhase != nil {
			c.OnPhase(s)
		}
	}
	res := StateScaleResult{Name: "state-scale", Bodies: c.Bodies, Nodes: c.Nodes, NodeKind: "process",
		TargetP99Ms: scaleTargetP99Ms, TargetRecall: scaleTargetRecall, TargetDiskRatio: scaleTargetDiskRatio, TargetFailover: scaleTargetFailover}
	perBody := c.Records / c.Bodies
	if c.Nodes < 3 || len(c.Command) == 0 || perBody < 20 {
		return res, fmt.Errorf("the state-scale benchmark needs at least 3 nodes, the ksmart command, and at least 20 records a body (%d bodies, %d records)", c.Bodies, c.Records)
	}
	if c.Env == nil {
		c.Env = os.Environ()
	}
	dir, err := os.MkdirTemp(c.Dir, "ksmart-bench-state-scale-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)

	// The bodies, two at a time (the machine's cores).
	phase(fmt.Sprintf("generating %d bodies of %d records each (births and deaths imported, files submitted, %d planted names each)", c.Bodies, perBody, plantsPerBody))
	planted, set := plantSet(c.Bodies)
	bodies := make([]scaleBody, c.Bodies)
	start := time.Now()
	var next atomic.Int64
	var made atomic.Int64
	err = parallelErr(2, func(int) error {
		for {
			i := int(next.Add(1)) - 1
			if i >= c.Bodies || ctx.Err() != nil {
				return ctx.Err()
			}
			b, err := makeBody(filepath.Join(dir, "bodies"), i, perBody, planted[i])
			if err != nil {
				return fmt.Errorf("body %s: %w", bodyCode(i), err)
			}
			bodies[i] = b
			if k := made.Add(1); k%10 == 0 && int(k) < c.Bodies {
				phase(fmt.Sprintf("generated %d of %d bodies", k, c.Bodies))
			}
		}
	})
	if err != nil {
		return res, err
	}
	res.GenerateSecs = time.Since(start).Seconds()
	for _, b := range bodies {
		res.Records += b.records
		res.Deaths += b.deaths
		res.Files += b.files
		fi, err := os.Stat(filepath.Join(b.dir, store.DBFile))
		if err != nil {
			return res, err
		}
		res.BodiesBytes += fi.Size()
	}
	res.Births = res.Records - res.Deaths - res.Files

	// The cluster.
	phase(fmt.Sprintf("starting %d state nodes (ksmart state run), each behind a raft proxy", c.Nodes))
	caDir := filepath.Join(dir, "ca")
	if err := replication.InitCA(caDir); err != nil {
		return res, err
	}
	ca, cert, key, err := issuePEMs(dir, caDir, replication.KindAdmin, "bench-admin")
	if err != nil {
		return res, err
	}
	api, err := newAdminAPI(ca, cert, key)
	if err != nil {
		return res, err
	}
	defer api.close()
	var nodes []*scaleNode
	defer func() {
		var wg sync.WaitGroup
		for _, n := range nodes {
			wg.Add(1)
			go func() { defer wg.Done(); n.stop() }()
		}
		wg.Wait()
	}()
	for i := range c.Nodes {
		n, err := startScaleNode(c.Command, c.Env, dir, caDir, fmt.Sprintf("state%d", i+1), i == 0)
		if err != nil {
			return res, err
		}
		nodes = append(nodes, n)
	}
	admin, err := replication.NewClient(replication.ClientConfig{Addrs: []string{nodes[0].api}, CAPEM: ca, CertPEM: cert, KeyPEM: key})
	if err != nil {
		return res, err
	}
	defer admin.Close()
	for _, n := range nodes[1:] {
		jctx, cancel := context.WithTimeout(ctx, time.Minute)
		_, err := admin.Join(jctx, replication.JoinRequest{ID: n.id, RaftAddr: n.proxy.addr(), HTTPAddr: n.api})
		cancel()
		if err != nil {
			return res, fmt.Errorf("joining %s: %w", n.id, err)
		}
	}
	addrs := make([]string, len(nodes))
	for i, n := range nodes {
		addrs[i] = n.api
	}

	// Ship every body; time the acknowledgements and the index.
	phase(fmt.Sprintf("shipping %d bodies with the real Shipper; waiting until the state's search finds every body's last record", c.Bodies))
	ships := make([]*bodyShip, c.Bodies)
	defer func() {
		for _, s := range ships {
			if s != nil {
				s.close()
			}
		}
	}()
	for i, b := range bodies {
		if ships[i], err = openBodyShip(dir, caDir, b, addrs); err != nil {
			return res, err
		}
		res.Events += ships[i].st.LastSeq()
	}
	noteLoad(&res)
	searchNode := nodes[len(nodes)-1]
	res.SearchNode = searchNode.id
	start = time.Now()
	for _, s := range ships {
		s.run(ctx)
	}
	shipped := false
	said := time.Now()
	err = waitUntil(ctx, 6*time.Hour, func() (bool, error) {
		if !shipped && allAcked(ships) {
			shipped = true
			res.ShipSeconds = time.Since(start).Seconds()
		}
		h, err := api.search(ctx, searchNode.api, sentinelName, 100)
		if err != nil {
			return false, err
		}
		if time.Since(said) >= 30*time.Second {
			said = time.Now()
			var acked uint64
			for _, s := range ships {
				acked += s.sh.Status().Acked
			}
			phase(fmt.Sprintf("%.0f s: %d of %d events acknowledged; the search finds %d of %d bodies' last records", time.Since(start).Seconds(), acked, res.Events, h.Total, c.Bodies))
		}
		if h.Total < uint64(c.Bodies) {
			time.Sleep(200 * time.Millisecond)
			return false, nil
		}
		res.IndexSeconds = time.Since(start).Seconds()
		return true, nil
	})
	if err != nil {
		return res, fmt.Errorf("waiting for the index: %w", err)
	}
	if err := waitUntil(ctx, time.Hour, func() (bool, error) { return allAcked(ships), nil }); err != nil {
		return res, fmt.Errorf("waiting for the shippers: %w", err)
	}
	if !shipped {
		res.ShipSeconds = time.Since(start).Seconds()
	}
	res.IndexRecPerS = float64(res.Records) / res.IndexSeconds
	for _, n := range nodes {
		if cpu, ok := processCPUSeconds(n.cmd.Process.Pid); ok {
			res.IndexCPUSeconds = append(res.IndexCPUSeconds, cpu)
		}
	}
	res.ShipEventsPS = float64(res.Events) / res.ShipSeconds

	// Relevance and latency.
	phase(fmt.Sprintf("relevance: %d names planted in known bodies, each searched as typed and reordered", len(set)))
	var queries []plantQuery
	for _, p := range set {
		words := strings.Fields(p.name)
		queries = append(queries, plantQuery{q: p.name, want: p.hits},
			plantQuery{q: strings.ToLower(words[1] + " " + words[0]), want: p.hits})
	}
	found := 0
	for _, q := range queries {
		h, err := api.search(ctx, searchNode.api, q.q, 10)
		if err != nil {
			return res, err
		}
		res.ExpectedHits += len(q.want)
		for _, w := range q.want {
			if slices.Contains(h.Hits, stateHit{Body: w.body, Number: w.number}) {
				found++
			}
		}
	}
	res.Queries = len(queries)
	res.RecallAt10 = float64(found) / float64(max(res.ExpectedHits, 1))
	phase(fmt.Sprintf("state-wide search latency on %s, two threads, %s", searchNode.id, c.Load))
	lat, err := searchLoad(ctx, c.Load, func(i int) error {
		_, err := api.search(ctx, searchNode.api, queries[i%len(queries)].q, 10)
		return err
	})
	if err != nil {
		return res, err
	}
	res.SearchCount, res.SearchPerSec, res.SearchP50Ms, res.SearchP99Ms = lat.Queries, lat.PerSec, lat.P50Ms, lat.P99Ms

	// Disk.
	for _, n := range nodes {
		b, err := dirBytes(n.dir)
		if err != nil {
			return res, err
		}
		res.NodeBytes = append(res.NodeBytes, b)
	}
	res.DiskRatio = float64(slices.Max(res.NodeBytes)) / float64(res.BodiesBytes)

	// A follower cut off while the bodies write.
	if err := measureCut(ctx, c, api, nodes, ships, phase, &res); err != nil {
		return res, fmt.Errorf("the follower cut off: %w", err)
	}
	// A frozen leader.
	if err := measureFailover(ctx, api, nodes, ships, phase, &res); err != nil {
		return res, fmt.Errorf("the frozen leader: %w", err)
	}

	noteLoad(&res)
	res.TargetP99Met = res.SearchP99Ms <= scaleTargetP99Ms
	res.TargetRecallMet = res.RecallAt10 >= scaleTargetRecall
	res.TargetDiskMet = res.DiskRatio <= scaleTargetDiskRatio
	res.TargetFailoverOK = res.FailoverSecs <= scaleTargetFailover
	return res, nil
}

// processCPUSeconds is the user and system CPU time of process pid so
// far, from /proc (Linux).
func processCPUSeconds(pid int) (float64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The fields after the command (in parentheses): state is the first,
	// utime the 12th and stime the 13th, in clock ticks of 1/100 s.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, false
	}
	var ut, st float64
	if _, err := fmt.Sscan(f[11]+" "+f[12], &ut, &st); err != nil {
		return 0, false
	}
	return (ut + st) / 100, true
}

// secondsList is v as seconds to the tenth, comma-separated.
func secondsList(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.1f s", x)
	}
	return strings.Join(s, ", ")
}

// noteLoad adds the machine's 1-minute load average to the result.
func noteLoad(res *StateScaleResult) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return
	}
	var l float64
	if _, err := fmt.Sscan(string(b), &l); err == nil {
		res.LoadAverages = append(res.LoadAverages, l)
	}
}

// plantQuery is a search of the relevance set and the records it must find.
type plantQuery struct {
	q    string
	want []scaleHit
}

// bodyShip is a body's store and its Shipper.
type bodyShip struct {
	st     *store.Store
	sh     *replication.Shipper
	cl     *replication.Client
	stop   func()
	cursor int // events the benchmark itself wrote, for their ids
}

// openBodyShip opens body b's store (as a replica: the benchmark adds no
// event of the store's own) and a Shipper to every node.
func openBodyShip(dir, caDir string, b scaleBody, addrs []string) (*bodyShip, error) {
	st, err := store.Open(b.dir, store.Options{Replica: true})
	if err != nil {
		return nil, err
	}
	ca, cert, key, err := issuePEMs(dir, caDir, replication.KindBody, b.code)
	if err != nil {
		st.Close()
		return nil, err
	}
	cl, err := replication.NewClient(replication.ClientConfig{Addrs: addrs, CAPEM: ca, CertPEM: cert, KeyPEM: key, LocalBody: b.code})
	if err != nil {
		st.Close()
		return nil, err
	}
	return &bodyShip{st: st, cl: cl, sh: &replication.Shipper{Store: st, Client: cl, Logger: slog.New(slog.DiscardHandler), MaxBackoff: time.Second}}, nil
}

func (s *bodyShip) run(ctx context.Context) { s.stop = runShipper(ctx, s.sh) }

func (s *bodyShip) acked() bool { return s.sh.Status().Acked >= s.st.LastSeq() }

func (s *bodyShip) close() {
	if s.stop != nil {
		s.stop()
	}
	s.cl.Close()
	s.st.Close()
}

func allAcked(ships []*bodyShip) bool {
	for _, s := range ships {
		if !s.acked() {
			return false
		}
	}
	return true
}

// searchLoad runs searches from searchThreads goroutines for d.
func searchLoad(ctx context.Context, d time.Duration, run func(i int) error) (Latency, error) {
	var next atomic.Int64
	per := make([][]time.Duration, searchThreads)
	deadline := time.Now().Add(d)
	err := parallelErr(searchThreads, func(t int) error {
		for time.Now().Before(deadline) {
			if err := ctx.Err(); err != nil {
				return err
			}
			i := int(next.Add(1))
			s := time.Now()
			if err := run(i); err != nil {
				return err
			}
			per[t] = append(per[t], time.Since(s))
		}
		return nil
	})
	if err != nil {
		return Latency{}, err
	}
	all := slices.Concat(per...)
	if len(all) == 0 {
		return Latency{}, fmt.Errorf("no search finished in %s", d)
	}
	slices.Sort(all)
	return Latency{Queries: len(all), PerSec: float64(len(all)) / d.Seconds(), P50Ms: ms(all[len(all)/2]), P99Ms: ms(all[int(float64(len(all)-1)*0.99)])}, nil
}

// leaderOf asks the nodes (but skip) who leads, and returns its index.
func leaderOf(ctx context.Context, api *adminAPI, nodes []*scaleNode, skip int) (int, error) {
	var err error
	for i, m := range nodes {
		if i == skip {
			continue
		}
		var s replication.Status
		if s, err = api.status(ctx, m.api); err != nil || s.LeaderID == "" {
			continue
		}
		for j, l := range nodes {
			if l.id == s.LeaderID && j != skip {
				return j, nil
			}
		}
	}
	return -1, errors.Join(replication.ErrNoLeader, err)
}

// measureCut cuts a follower's raft link for c.Cut while the bodies write
// c.CutRate events/s in all and ship them, then lets it back and measures
// the bytes it receives and the time until it has applied everything the
// leader had committed.
func measureCut(ctx context.Context, c StateScaleConfig, api *adminAPI, nodes []*scaleNode, ships []*bodyShip, phase func(string), res *StateScaleResult) error {
	li, err := leaderOf(ctx, api, nodes, -1)
	if err != nil {
		return err
	}
	fi := (li + 1) % len(nodes)
	f := nodes[fi]
	// The follower first catches up with what the leader has committed,
	// so that what it receives afterwards is what it missed while cut off.
	lead, err := api.status(ctx, nodes[li].api)
	if err != nil {
		return err
	}
	var before replication.Status
	if err := waitUntil(ctx, 30*time.Minute, func() (bool, error) {
		before, err = api.status(ctx, f.api)
		return err == nil && before.AppliedIndex >= lead.CommitIndex, err
	}); err != nil {
		return fmt.Errorf("%s did not catch up before the cut: %w", f.id, err)
	}
	metric0, hasMetric, err := api.metric(ctx, f.api, snapshotMetric)
	if err != nil {
		return err
	}
	phase(fmt.Sprintf("cutting %s's raft link for %s while the bodies write %d events/s", f.id, c.Cut, c.CutRate))
	f.proxy.setCut(true)
	start := time.Now()
	const tick = 100 * time.Millisecond
	perTick := max(c.CutRate/10, 1)
	t := time.NewTicker(tick)
	k := 0
	for time.Since(start) < c.Cut {
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		for left := perTick; left > 0; {
			s := ships[k%len(ships)]
			n := min(left, max(perTick/len(ships), 1))
			if err := writeBenchEvents(s.st, s.cursor, n); err != nil {
				t.Stop()
				return err
			}
			s.cursor += n
			res.CutEvents += n
			left -= n
			k++
		}
	}
	t.Stop()
	if err := waitUntil(ctx, 10*time.Minute, func() (bool, error) { return allAcked(ships), nil }); err != nil {
		return fmt.Errorf("the bodies' writes were not acknowledged with one node cut off: %w", err)
	}
	res.CutSeconds = time.Since(start).Seconds()
	lead, err = api.status(ctx, nodes[li].api)
	if err != nil {
		return err
	}
	phase(fmt.Sprintf("letting %s back: it must apply up to raft index %d (it had %d)", f.id, lead.CommitIndex, before.AppliedIndex))
	bytes0 := f.proxy.in.Load()
	back := time.Now()
	f.proxy.setCut(false)
	var after replication.Status
	if err := waitUntil(ctx, 30*time.Minute, func() (bool, error) {
		s, err := api.status(ctx, f.api)
		if err != nil {
			return false, nil // busy installing; ask again
		}
		after = s
		return s.AppliedIndex >= lead.CommitIndex, nil
	}); err != nil {
		return fmt.Errorf("%s did not catch up: %w", f.id, err)
	}
	res.SnapSeconds = time.Since(back).Seconds()
	// Everything into its raft port (log entries, and a snapshot's
	// manifest when one is sent), plus what the node fetched from its
	// peers to install a snapshot, which does not pass the proxy: the
	// counter also holds the manifest, a few hundred bytes a body counted
	// twice.
	res.SnapBytes, res.SnapBytesFrom = f.proxy.in.Load()-bytes0, "proxy"
	if hasMetric {
		m, _, err := api.metric(ctx, f.api, snapshotMetric)
		if err != nil {
			return err
		}
		res.SnapBytes += int64(m - metric0)
		res.SnapBytesFrom = "proxy+metric"
	}
	res.SnapInstalled = after.LastSnapshotIndex > before.AppliedIndex
	return nil
}

// measureFailover freezes the leader's process (SIGSTOP: its API and raft
// hold their connections and answer nothing), writes a batch into one
// body, and times until its Shipper has it acknowledged by another node.
func measureFailover(ctx context.Context, api *adminAPI, nodes []*scaleNode, ships []*bodyShip, phase func(string), res *StateScaleResult) error {
	li, err := leaderOf(ctx, api, nodes, -1)
	if err != nil {
		return err
	}
	l := nodes[li]
	s := ships[0]
	phase(fmt.Sprintf("freezing the leader %s (SIGSTOP) and timing a body's next batch", l.id))
	if err := freezeProcess(l.cmd.Process); err != nil {
		return err
	}
	defer resumeProcess(l.cmd.Process)
	frozen := time.Now()
	if err := writeBenchEvents(s.st, s.cursor, 10); err != nil {
		return err
	}
	s.cursor += 10
	if err := waitUntil(ctx, 5*time.Minute, func() (bool, error) { return s.acked(), nil }); err != nil {
		return fmt.Errorf("the batch was not acknowledged with the leader frozen: %w (shipper: %s)", err, s.sh.Status().LastError)
	}
	res.FailoverSecs = time.Since(frozen).Seconds()
	res.FailoverFrom = l.id
	if ni, err := leaderOf(ctx, api, nodes, li); err == nil {
		res.FailoverBy = nodes[ni].id
	}
	return nil
}

// WriteTable writes the figures as `ksmart bench state-scale` prints them.
func (r StateScaleResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "state-scale: %d local bodies, %d records (%d births, %d deaths, %d files; %d events), shipped into %d state nodes (ksmart state run processes) on loopback\n\n",
		r.Bodies, r.Records, r.Births, r.Deaths, r.Files, r.Events, r.Nodes)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "bodies generated\t%.1f s\t\n", r.GenerateSecs)
	fmt.Fprintf(w, "every body's log acknowledged\t%.1f s\t%.0f events/s\n", r.ShipSeconds, r.ShipEventsPS)
	fmt.Fprintf(w, "search finds every body's last record\t%.1f s\t%.0f records/s indexed\n", r.IndexSeconds, r.IndexRecPerS)
	if len(r.IndexCPUSeconds) > 0 {
		fmt.Fprintf(w, "the nodes' CPU time until then\t%s\t%.0f records per CPU second of the busiest node\n", secondsList(r.IndexCPUSeconds), float64(r.Records)/slices.Max(r.IndexCPUSeconds))
	}
	fmt.Fprintf(w, "recall@10, %d searches for %d planted records\t%.3f\ttarget >= %.2f: %s\n", r.Queries, r.ExpectedHits, r.RecallAt10, r.TargetRecall, metOrNot(r.TargetRecallMet))
	fmt.Fprintf(w, "state-wide search on %s, 2 threads\tp50 %.1f ms, p99 %.1f ms\ttarget p99 <= %.0f ms: %s (%d searches, %.0f/s)\n", r.SearchNode, r.SearchP50Ms, r.SearchP99Ms, r.TargetP99Ms, metOrNot(r.TargetP99Met), r.SearchCount, r.SearchPerSec)
	nb := make([]string, len(r.NodeBytes))
	for i, b := range r.NodeBytes {
		nb[i] = humanBytes(b)
	}
	fmt.Fprintf(w, "disk: nodes %s over the bodies' stores %s\t%.2f×\ttarget <= %.1f×: %s\n", strings.Join(nb, ", "), humanBytes(r.BodiesBytes), r.DiskRatio, r.TargetDiskRatio, metOrNot(r.TargetDiskMet))
	how := "by the log"
	if r.SnapInstalled {
		how = "by a snapshot"
	}
	fmt.Fprintf(w, "follower cut off %.0f s (%d events written meanwhile), caught up %s\t%s in %.1f s\tbytes from %s\n", r.CutSeconds, r.CutEvents, how, humanBytes(r.SnapBytes), r.SnapSeconds, r.SnapBytesFrom)
	fmt.Fprintf(w, "leader %s frozen (SIGSTOP): next batch acknowledged via %s\t%.2f s\ttarget <= %.0f s: %s\n", r.FailoverFrom, r.FailoverBy, r.FailoverSecs, r.TargetFailover, metOrNot(r.TargetFailoverOK))
	w.Flush()
	if len(r.LoadAverages) > 0 {
		fmt.Fprintf(out, "\nthe machine's load average (1 min) as shipping started and at the end: %s\n", roundList(r.LoadAverages))
	}
}
