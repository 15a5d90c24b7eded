package replication

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/store"
)

// metricValue reads one unlabelled metric from a /metrics page.
func metricValue(t *testing.T, page, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics has no %s:\n%.3000s", name, page)
	return 0
}

// TestCluster_ACutOffFollowerReceivesTheNewEventsNotTheWholeState: three
// real nodes hold 60,000 events of three bodies; a follower is cut off
// from raft while 3,000 more arrive and the leader compacts its log past
// it, so that it must install a snapshot. What it receives to install it
// (its /metrics, ksmart_state_snapshot_received_bytes_total: raft's stream
// and the ranges fetched) is bounded by the new events' bytes, not by the
// state's: less than twice their bytes plus 64 KiB, and a small fraction
// of its state.db. The other nodes' sent counters say the same.
func TestCluster_ACutOffFollowerReceivesTheNewEventsNotTheWholeState(t *testing.T) {
	rng := seeded(t)
	c, leader, fi := snapshottingCluster(t)
	follower := c.nodes[fi]
	codes := []string{"KL-EKM-M01", "KL-TVM-G07", "KL-KKD-C01"}
	const before, during = 20_000, 1_000
	logs := map[string][]store.Event{}
	for _, code := range codes {
		logs[code] = chain(rng, 1, nil, before+during)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ship := func(from, to, batch int) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, len(codes))
		for _, code := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := shipAll(ctx, c.client(code, leader.HTTPAddr()), logs[code][from:to], batch, nil)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	ship(0, before, 1_000)
	for _, code := range codes {
		c.sameEverywhere(code, before, logs[code][before-1].Hash)
	}
	admin := &httpsGetter{id: issue(t, c.ca, KindAdmin, "it-admin")}
	metric := func(n *Node, name string) float64 {
		status, page := admin.get(t, n, "/metrics")
		if status != 200 {
			t.Fatalf("/metrics of %s: %d %.500s", n.ID(), status, page)
		}
		return metricValue(t, page, name)
	}
	receivedBefore := metric(follower, "ksmart_state_snapshot_received_bytes_total")
	// What the others sent: the leader, or another node elected meanwhile.
	sentByOthers := func() float64 {
		var sum float64
		for _, n := range c.nodes {
			if n != follower {
				sum += metric(n, "ksmart_state_snapshot_sent_bytes_total")
			}
		}
		return sum
	}
	sentBefore := sentByOthers()
	restoresBefore := follower.FSM().Stats().Restores
	c.cuts[fi].setCut(true)
	// The follower holds at most what the leader held when it was cut off.
	cutAt := leader.Stats().LastLogIndex

	ship(before, before+during, 50)
	compactPast(t, c, leader, follower, cutAt)
	start := time.Now()
	c.cuts[fi].setCut(false)
	for _, code := range codes {
		evs := logs[code]
		c.sameEverywhere(code, uint64(len(evs)), evs[len(evs)-1].Hash)
	}
	took := time.Since(start)
	if got := follower.FSM().Stats().Restores; got <= restoresBefore {
		t.Fatalf("the follower caught up without installing a snapshot (restores %d → %d)", restoresBefore, got)
	}
	for _, code := range codes {
		holdsExactly(t, follower, code, logs[code])
	}

	var newBytes, allBytes float64
	for _, code := range codes {
		for i, ev := range logs[code] {
			n := float64(RecordSize(ev.Encode(), nil))
			allBytes += n
			if i >= before {
				newBytes += n
			}
		}
	}
	received := metric(follower, "ksmart_state_snapshot_received_bytes_total") - receivedBefore
	sent := sentByOthers() - sentBefore
	fileBytes := float64(follower.FSM().Stats().FileBytes)
	t.Logf("new events %.0f bytes of %.0f; the follower received %.0f bytes (%.2f× the new events; state.db %.0f bytes, %.4f of it) in %s; the other nodes sent %.0f",
		newBytes, allBytes, received, received/newBytes, fileBytes, received/fileBytes, took.Round(time.Millisecond), sent)
	if received <= 0 || received > 2*newBytes+64<<10 {
		t.Fatalf("the follower received %.0f bytes to install the snapshot; the %d new events are %.0f bytes: want more than 0 and less than twice that plus 64 KiB", received, len(codes)*during, newBytes)
	}
	if received*10 > allBytes || received*10 > fileBytes {
		t.Fatalf("the follower received %.0f bytes, more than a tenth of the state (%.0f bytes of events, state.db %.0f bytes)", received, allBytes, fileBytes)
	}
	if sent < received {
		t.Fatalf("the other nodes count %.0f bytes sent, the follower %.0f received", sent, received)
	}
}

// TestCluster_ANodeWhoseStateDBWasLostRebuildsItFromItsPeers: a follower's
// state.db is deleted while it is stopped (its raft log and snapshots,
// manifests, survive). At start it restores its own latest snapshot,
// fetching every event from the other nodes, replays raft's log after it,
// and holds exactly what the others hold.
func TestCluster_ANodeWhoseStateDBWasLostRebuildsItFromItsPeers(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 3, func(cfg *Config) {
		cfg.SnapshotThreshold = 20
		cfg.TrailingLogs = 10
		cfg.SnapshotInterval = 50 * time.Millisecond
	})
	leader := c.waitLeader()
	fi := 0
	for i, n := range c.nodes {
		if n != leader {
			fi = i
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	evs := chain(rng, 1, nil, 5_000)
	if _, err := shipAll(ctx, c.client("KL-EKM-M01", leader.HTTPAddr()), evs, 50, nil); err != nil {
		t.Fatal(err)
	}
	c.sameEverywhere("KL-EKM-M01", 5_000, evs[4_999].Hash)
	eventually(t, 10*time.Second, func() error {
		if s := c.nodes[fi].Stats(); s.LastSnapshotIndex == 0 {
			return fmt.Errorf("%s has taken no snapshot yet", s.ID)
		}
		return nil
	})
	if err := c.nodes[fi].Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(c.cfgs[fi].Dir, stateFile)); err != nil {
		t.Fatal(err)
	}
	n := c.restart(fi)
	st := n.FSM().Stats()
	if st.Restores != 1 || st.SnapshotReceivedBytes == 0 {
		t.Fatalf("the node did not rebuild state.db from its snapshot and its peers: %+v", st)
	}
	c.sameEverywhere("KL-EKM-M01", 5_000, evs[4_999].Hash)
	holdsExactly(t, n, "KL-EKM-M01", evs)
}
