package replication

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ksmart/store"
)

// shipAll ships evs in batches of size in order through cl, checking that
// each acknowledgement names the batch's last event as the head, and calls
// after(i) after batch i is acknowledged.
func shipAll(ctx context.Context, cl *Client, evs []store.Event, size int, after func(batch int)) (acked uint64, err error) {
	for i := 0; i*size < len(evs); i++ {
		b := evs[i*size : min((i+1)*size, len(evs))]
		ack, err := cl.Ship(ctx, b)
		if err != nil {
			return acked, fmt.Errorf("batch %d (events %d-%d): %w", i, b[0].Seq, b[len(b)-1].Seq, err)
		}
		if ack.Head != b[len(b)-1].Seq {
			return acked, fmt.Errorf("batch %d acknowledged with head %d, want %d", i, ack.Head, b[len(b)-1].Seq)
		}
		acked = ack.Head
		if after != nil {
			after(i)
		}
	}
	return acked, nil
}

// holdsExactly checks that a node holds exactly evs as a body's log.
func holdsExactly(t *testing.T, n *Node, code string, evs []store.Event) {
	t.Helper()
	i := 0
	err := n.FSM().EachEvent(code, 1, func(e store.Event) error {
		if i >= len(evs) || e.Seq != evs[i].Seq || string(e.Hash) != string(evs[i].Hash) {
			return fmt.Errorf("event %d differs from what the body shipped", e.Seq)
		}
		i++
		return nil
	})
	if err == nil && i != len(evs) {
		err = fmt.Errorf("holds %d events, want %d", i, len(evs))
	}
	if err != nil {
		t.Fatalf("%s, body %s: %v", n.ID(), code, err)
	}
}

func TestCluster_LeaderKilledMidShipLosesNoAcknowledgedBatch(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 3, nil)
	bodies := map[string][]store.Event{
		"KL-EKM-M01": chain(rng, 1, nil, 100_000),
		"KL-TVM-G07": chain(rng, 1, nil, 20_000),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	oldLeader := c.waitLeader()
	killed := -1
	var killOnce sync.Once
	kill := func() {
		killOnce.Do(func() {
			for i, n := range c.nodes {
				if n == oldLeader {
					killed = i
				}
			}
			t.Logf("killing the leader %s without warning", oldLeader.ID())
			oldLeader.Shutdown()
		})
	}

	var wg sync.WaitGroup
	errs := make(chan error, len(bodies))
	for code, evs := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := c.client(code)
			_, err := shipAll(ctx, cl, evs, 500, func(i int) {
				if code == "KL-EKM-M01" && i == 80 { // 40,500 events in
					kill()
				}
			})
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
	if killed < 0 {
		t.Fatal("the leader was never killed")
	}
	t.Logf("every batch acknowledged")
	newLeader := c.waitLeader()
	if newLeader == oldLeader {
		t.Fatal("the killed node still leads")
	}
	for code, evs := range bodies {
		c.sameEverywhere(code, uint64(len(evs)), evs[len(evs)-1].Hash)
		for _, n := range c.live() {
			holdsExactly(t, n, code, evs)
		}
	}

	t.Logf("the survivors hold every batch; restarting %s", oldLeader.ID())
	restarted := c.restart(killed)
	for code, evs := range bodies {
		c.sameEverywhere(code, uint64(len(evs)), evs[len(evs)-1].Hash)
		holdsExactly(t, restarted, code, evs)
	}
	if !restarted.FSM().Stats().Reused {
		t.Error("the killed node rebuilt its state.db; it is durable and should have been kept")
	}
}

func TestCluster_CutOffFollowerCatchesUpBySnapshot(t *testing.T) {
	rng := seeded(t)
	c, leader, fi := snapshottingCluster(t)
	follower := c.nodes[fi]
	codes := []string{"M0701", "M0702", "G0101"}
	logs := map[string][]store.Event{}
	for _, code := range codes {
		logs[code] = chain(rng, 1, nil, 6_000)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// Ship a little with everyone up, then cut the follower off and ship the rest.
	for _, code := range codes {
		if _, err := shipAll(ctx, c.client(code, leader.HTTPAddr()), logs[code][:500], 100, nil); err != nil {
			t.Fatal(err)
		}
	}
	c.sameEverywhere("G0101", 500, logs["G0101"][499].Hash)
	c.cuts[fi].setCut(true)
	// The follower holds at most what the leader held when it was cut off.
	cutAt := leader.Stats().LastLogIndex
	t.Logf("cut %s off at raft index %d or before", follower.ID(), cutAt)

	var wg sync.WaitGroup
	errs := make(chan error, len(codes))
	for _, code := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := shipAll(ctx, c.client(code, leader.HTTPAddr()), logs[code][500:], 50, nil)
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
	compactPast(t, c, leader, follower, cutAt)
	if seq, _, _ := follower.Head("M0701"); seq != 500 {
		t.Fatalf("the cut-off follower holds %d events of M0701; it should have stopped at 500", seq)
	}
	restoresBefore := follower.FSM().Stats().Restores

	c.cuts[fi].setCut(false)
	for _, code := range codes {
		evs := logs[code]
		c.sameEverywhere(code, uint64(len(evs)), evs[len(evs)-1].Hash)
	}
	if got := follower.FSM().Stats().Restores; got <= restoresBefore {
		t.Fatalf("the follower caught up without installing a snapshot (restores %d → %d)", restoresBefore, got)
	}
	for _, code := range codes {
		holdsExactly(t, follower, code, logs[code])
	}
	// And it goes on taking plain log entries afterwards.
	more := chain(rng, 6_001, logs["M0701"][5_999].Hash, 100)
	if _, err := shipAll(ctx, c.client("M0701"), more, 100, nil); err != nil {
		t.Fatal(err)
	}
	c.sameEverywhere("M0701", 6_100, more[99].Hash)
}

func TestCluster_AdminJoinsAVoterAndANonVoterThroughAnyNodeAndRemovesOne(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 1, nil)
	first := c.nodes[0]
	// Two more nodes, started but not yet members.
	var extra []*Node
	for _, id := range []string{"state2", "state3"} {
		cfg := Config{ID: id, Dir: filepath.Join(t.TempDir(), id), RaftAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
			Identity: issue(t, c.ca, KindNode, id), Logger: testLogger()}
		fastRaft(&cfg)
		n := NewNode(cfg)
		if err := n.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.closeNode(n) })
		extra = append(extra, n)
	}
	admin := func(addrs ...string) *Client {
		ca, cert, key := pems(t, c.ca, KindAdmin, "it-admin")
		cl, err := NewClient(ClientConfig{Addrs: addrs, CAPEM: ca, CertPEM: cert, KeyPEM: key})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin(first.HTTPAddr()).Join(ctx, JoinRequest{ID: "state2", RaftAddr: extra[0].RaftAddr(), HTTPAddr: extra[0].HTTPAddr()}); err != nil {
		t.Fatal(err)
	}
	if _, err := extra[0].WaitForLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() error {
		if _, _, h := extra[0].Leader(); h == "" {
			return errors.New("state2 does not know the leader's API address yet")
		}
		return nil
	})
	// Through the follower state2: forwarded to the leader.
	if _, err := admin(extra[0].HTTPAddr()).Join(ctx, JoinRequest{ID: "state3", RaftAddr: extra[1].RaftAddr(), HTTPAddr: extra[1].HTTPAddr(), NonVoter: true}); err != nil {
		t.Fatal(err)
	}
	st, err := admin(extra[0].HTTPAddr()).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]bool{}
	for _, s := range st.Servers {
		roles[s.ID] = s.Voter
	}
	if len(roles) != 3 || !roles["state1"] || !roles["state2"] || roles["state3"] {
		t.Fatalf("servers %+v; want state1 and state2 voting, state3 not", st.Servers)
	}
	evs := chain(rng, 1, nil, 300)
	if _, err := c.client("M0701", first.HTTPAddr()).Ship(ctx, evs); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() error {
		if seq, _, _ := extra[1].Head("M0701"); seq != 300 {
			return fmt.Errorf("the non-voter holds %d events", seq)
		}
		return nil
	})
	if _, err := admin(first.HTTPAddr()).Leave(ctx, "state3"); err != nil {
		t.Fatal(err)
	}
	if s := first.Stats(); len(s.Servers) != 2 {
		t.Fatalf("after leave: servers %+v", s.Servers)
	}
	if nodes, _ := first.FSM().Nodes(); len(nodes) != 2 {
		t.Fatalf("after leave the state still records %+v", nodes)
	}
}

func TestCluster_CleanRestartKeepsStateDBAndCatchesUp(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 3, func(cfg *Config) {
		cfg.SnapshotThreshold = 20
		cfg.TrailingLogs = 500
		cfg.SnapshotInterval = 50 * time.Millisecond
	})
	leader := c.waitLeader()
	fi := 0
	for i, n := range c.nodes {
		if n != leader {
			fi = i
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	evs := chain(rng, 1, nil, 6000)
	cl := c.client("M0701", leader.HTTPAddr())
	if _, err := shipAll(ctx, cl, evs[:3000], 50, nil); err != nil {
		t.Fatal(err)
	}
	c.sameEverywhere("M0701", 3000, evs[2999].Hash)
	if err := c.nodes[fi].Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := shipAll(ctx, cl, evs[3000:], 50, nil); err != nil {
		t.Fatal(err)
	}
	n := c.restart(fi)
	if !n.FSM().Stats().Reused {
		t.Fatal("a cleanly closed node rebuilt its state.db")
	}
	c.sameEverywhere("M0701", 6000, evs[5999].Hash)
	holdsExactly(t, n, "M0701", evs)
}
