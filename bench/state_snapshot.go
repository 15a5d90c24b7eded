package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"text/tabwriter"
	"time"

	"ksmart/replication"
)

// SnapshotConfig configures RunStateSnapshot. Zero values take the
// defaults noted.
type SnapshotConfig struct {
	Dir       string // scratch directory on the disk to measure; default a temp directory
	Bodies    int    // local bodies, one chain each; default 10
	Events    int    // events in the state before the cut, over all bodies; default 200,000
	CutOff    int    // events that arrive while the follower is down, over all bodies; default 60,000 (1,000 events/s for a minute)
	DataBytes int    // bytes of each event's JSON data; default 1,500 (the ~1.7 kB an event takes in state.db with its change set)
	// TrailingLogs is the raft entries the leader keeps after a snapshot
	// (default 64, so that the follower must install one; a node's
	// default is 2,048); it snapshots every TrailingLogs/8 entries.
	TrailingLogs uint64
	OnPhase      func(string)
	Logger       *slog.Logger // the state nodes' log; default discarded
}

// SnapshotResult holds the figures of one RunStateSnapshot run.
type SnapshotResult struct {
	Name        string `json:"name"` // "state-snapshot"
	Bodies      int    `json:"bodies"`
	Events      int    `json:"events"`  // in the state before the cut
	CutOff      int    `json:"cut_off"` // arrived while the follower was down
	EventBytes  int    `json:"event_bytes"`
	CutOffBytes int64  `json:"cut_off_bytes"` // the encoded events that arrived meanwhile
	StateBytes  int64  `json:"state_bytes"`   // the leader's state.db after the run

	// The follower's install: what it received (its
	// ksmart_state_snapshot_received_bytes_total: raft's stream and the
	// ranges fetched), the snapshots it installed, and the seconds from
	// its restart to holding every event.
	InstallBytes   int64   `json:"snapshot_install_bytes"`
	InstallSeconds float64 `json:"snapshot_install_seconds"`
	OpenSeconds    float64 `json:"open_seconds"` // of InstallSeconds, the node's start (opening state.db and raft) before it heard from the leader
	Installs       uint64  `json:"installs"`
	// FullCopyBytes is what the first design's snapshot (the whole
	// state.db) would have sent; Ratio is InstallBytes / FullCopyBytes.
	FullCopyBytes int64   `json:"full_copy_bytes"`
	Ratio         float64 `json:"ratio"`

	// Carried to a state of 10 million events with the same bodies and
	// cut-off: the install does not depend on the events held (only the
	// manifest does, by bodies and certificates), the full copy grows
	// with them.
	Install10MBytes  int64 `json:"snapshot_install_bytes_at_10m"`
	FullCopy10MBytes int64 `json:"full_copy_bytes_at_10m"`
}

// RunStateSnapshot measures what a follower that was down while events
// arrived receives to catch up by a snapshot: a 3-node state cluster on
// loopback holds Events events of Bodies bodies; a follower is stopped;
// CutOff more events arrive and the leader compacts its log past the
// follower (TrailingLogs); the follower is started again, installs the
// leader's snapshot (a manifest) and fetches the events it lacks.
func RunStateSnapshot(ctx context.Context, cfg SnapshotConfig) (SnapshotResult, error) {
	orDefault(&cfg.Bodies, 10)
	orDefault(&cfg.Events, 200_000)
	orDefault(&cfg.CutOff, 60_000)
	orDefault(&cfg.DataBytes, 1_500)
	if cfg.TrailingLogs == 0 {
		cfg.TrailingLogs = 64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	phase := func(s string) {
		if cfg.OnPhase != nil {
			cfg.OnPhase(s)
		}
	}
	// Raft compacts its log to TrailingLogs behind its last entry at each
	// snapshot (every threshold entries): the cut-off's raft entries (one
	// a batch of 100 events) must outnumber both for the follower to need
	// a snapshot.
	threshold := max(cfg.TrailingLogs/8, 4)
	if need := int(cfg.TrailingLogs+threshold) + 2; cfg.CutOff/100 < need {
		return SnapshotResult{}, fmt.Errorf("a cut-off of %d events is %d raft entries of 100 events; the leader keeps %d after a snapshot and snapshots every %d: give at least %d events", cfg.CutOff, cfg.CutOff/100, cfg.TrailingLogs, threshold, need*100)
	}
	res := SnapshotResult{Name: "state-snapshot", Bodies: cfg.Bodies, Events: cfg.Events / cfg.Bodies * cfg.Bodies, CutOff: cfg.CutOff / cfg.Bodies * cfg.Bodies}
	dir, err := os.MkdirTemp(cfg.Dir, "ksmart-bench-snapshot-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	caDir := filepath.Join(dir, "ca")
	if err := replication.InitCA(caDir); err != nil {
		return res, err
	}
	codes := make([]string, cfg.Bodies)
	for i := range codes {
		codes[i] = fmt.Sprintf("BENCH%02d", i)
	}
	phase("starting a 3-node state cluster")
	state, err := startStateCluster(ctx, dir, caDir, codes, cfg.Logger, func(c *replication.Config) {
		c.SnapshotThreshold = threshold
		c.TrailingLogs = cfg.TrailingLogs
		c.SnapshotInterval = 200 * time.Millisecond
	})
	if state != nil {
		defer state.close()
	}
	if err != nil {
		return res, err
	}

	heads := make([]uint64, cfg.Bodies)
	prevs := make([][]byte, cfg.Bodies)
	var sizeMu sync.Mutex
	var total, count int64
	// ship sends n more events of every body, in batches of batch.
	ship := func(n, batch int) (int64, error) {
		var wg sync.WaitGroup
		errs := make([]error, cfg.Bodies)
		var shipped int64
		for s := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for sent := 0; sent < n; sent += batch {
					evs := chainFrom(heads[s]+1, prevs[s], min(batch, n-sent), cfg.DataBytes)
					raws := make([][]byte, len(evs))
					var bytes int64
					for i, ev := range evs {
						raws[i] = ev.Encode()
						bytes += int64(replication.RecordSize(raws[i], nil))
					}
					last := evs[len(evs)-1]
					if err := state.ship(ctx, s, raws, last.Seq); err != nil {
						errs[s] = err
						return
					}
					heads[s], prevs[s] = last.Seq, last.Hash
					sizeMu.Lock()
					total, count, shipped = total+bytes, count+int64(len(evs)), shipped+bytes
					sizeMu.Unlock()
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return 0, err
			}
		}
		return shipped, nil
	}
	phase(fmt.Sprintf("shipping %d events of %d bodies", res.Events, cfg.Bodies))
	if _, err := ship(res.Events/cfg.Bodies, 1_000); err != nil {
		return res, err
	}
	if err := state.check(codes, heads[0]); err != nil {
		return res, err
	}

	fi := 0
	for i, n := range state.nodes {
		if !n.IsLeader() {
			fi = i
			break
		}
	}
	follower := state.nodes[fi]
	phase(fmt.Sprintf("stopping %s; %d events arrive", follower.ID(), res.CutOff))
	if err := follower.Close(); err != nil {
		return res, err
	}
	// The follower holds at most what any other node held when it stopped.
	var cutAt uint64
	for _, n := range state.nodes {
		if n != follower {
			cutAt = max(cutAt, n.Stats().LastLogIndex)
		}
	}
	// Bodies that are caught up ship small batches, as they write.
	if res.CutOffBytes, err = ship(res.CutOff/cfg.Bodies, 100); err != nil {
		return res, err
	}
	var leader *replication.Node
	deadline := time.Now().Add(time.Minute)
	for {
		// Every other node's log must have been compacted past it: any
		// of them may lead once the follower is back.
		compacted := true
		for _, n := range state.nodes {
			if n == follower {
				continue
			}
			if n.IsLeader() {
				leader = n
			}
			compacted = compacted && n.Stats().FirstLogIndex > cutAt+1
		}
		if leader != nil && compacted {
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("the other nodes did not compact their logs past raft index %d within a minute", cutAt)
		}
		time.Sleep(50 * time.Millisecond)
	}

	phase(fmt.Sprintf("starting %s again: it installs a snapshot", follower.ID()))
	start := time.Now()
	restarted := replication.NewNode(state.cfgs[fi])
	if err := restarted.Open(); err != nil {
		return res, err
	}
	res.OpenSeconds = time.Since(start).Seconds()
	state.nodes[fi] = restarted
	if err := state.check(codes, heads[0]); err != nil {
		return res, err
	}
	// The restored tables become readable in the install's last
	// transaction, a moment before the FSM counts the restore.
	st := restarted.FSM().Stats()
	for wait := time.Now().Add(5 * time.Second); st.Restores == 0 && time.Now().Before(wait); st = restarted.FSM().Stats() {
		time.Sleep(10 * time.Millisecond)
	}
	res.InstallSeconds = time.Since(start).Seconds()
	res.InstallBytes, res.Installs = int64(st.SnapshotReceivedBytes), st.Restores
	if res.Installs == 0 {
		return res, fmt.Errorf("%s caught up from the log without installing a snapshot; lower TrailingLogs", follower.ID())
	}
	res.EventBytes = int(total / count)
	res.StateBytes = leader.FSM().Stats().FileBytes
	res.FullCopyBytes = res.StateBytes
	res.Ratio = float64(res.InstallBytes) / float64(res.FullCopyBytes)
	all := int64(res.Events + res.CutOff)
	res.Install10MBytes = res.InstallBytes
	res.FullCopy10MBytes = res.FullCopyBytes * 10_000_000 / all
	return res, nil
}

// WriteTable prints the result.
func (r SnapshotResult) WriteTable(out io.Writer) {
	mib := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "state held\t%d events of %d bodies (%d bytes each), state.db %s\n", r.Events+r.CutOff, r.Bodies, r.EventBytes, mib(r.StateBytes))
	fmt.Fprintf(w, "while a follower was down\t%d events (%s)\n", r.CutOff, mib(r.CutOffBytes))
	fmt.Fprintf(w, "its snapshot install\t%s received in %.2f s from its restart (%.2f s of it opening; %d installs); %.2f× the new events\n", mib(r.InstallBytes), r.InstallSeconds, r.OpenSeconds, r.Installs, float64(r.InstallBytes)/float64(r.CutOffBytes))
	fmt.Fprintf(w, "a whole-file snapshot\t%s (ratio %.4f)\n", mib(r.FullCopyBytes), r.Ratio)
	fmt.Fprintf(w, "at 10 million events\tinstall %s; whole file %s\n", mib(r.Install10MBytes), mib(r.FullCopy10MBytes))
	w.Flush()
}
