package replication

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"

	"ksmart/store"
)

// testLogger discards unless KSMART_TEST_LOG is set: nodes that are killed
// on purpose log a great deal, and may log after their test has ended.
func testLogger() *slog.Logger {
	if os.Getenv("KSMART_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.DiscardHandler)
}

// testCA makes a CA in a temp directory and returns the directory.
func testCA(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "ca")
	if err := InitCA(dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// issue issues a certificate and loads it as an Identity.
func issue(tb testing.TB, caDir string, kind Kind, name string) *Identity {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "certs")
	cert, key, err := IssueCert(caDir, kind, name, out)
	if err != nil {
		tb.Fatal(err)
	}
	// The copy of the CA issue wrote beside the certificate: each identity
	// has files of its own, which a test of a CA rollover rewrites.
	id, err := LoadIdentity(filepath.Join(out, CACertFile), cert, key)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// pems returns the PEM files of a certificate issued for a client.
func pems(tb testing.TB, caDir string, kind Kind, name string) (ca, cert, key []byte) {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "certs")
	certPath, keyPath, err := IssueCert(caDir, kind, name, out)
	if err != nil {
		tb.Fatal(err)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	return read(filepath.Join(caDir, CACertFile)), read(certPath), read(keyPath)
}

// fastRaft sets raft timeouts short enough for tests on a loaded 2-core
// machine without spurious elections.
func fastRaft(c *Config) {
	c.HeartbeatTimeout = 500 * time.Millisecond
	c.ElectionTimeout = 500 * time.Millisecond
	c.LeaderLeaseTimeout = 250 * time.Millisecond
	c.CommitTimeout = 5 * time.Millisecond
	c.ApplyTimeout = 5 * time.Second
}

// cluster is a test cluster on 127.0.0.1 with real TLS.
type cluster struct {
	tb    testing.TB
	ca    string
	nodes []*Node
	cfgs  []Config
	cuts  []*faultyStream
}

// newCluster starts size nodes, bootstraps the first and joins the others,
// and closes them all (checking each state.db) at cleanup. tune adjusts
// every node's config.
func newCluster(tb testing.TB, size int, tune func(*Config)) *cluster {
	tb.Helper()
	c := &cluster{tb: tb, ca: testCA(tb)}
	for i := range size {
		id := fmt.Sprintf("state%d", i+1)
		cfg := Config{ID: id, Dir: filepath.Join(tb.TempDir(), id), RaftAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
			Identity: issue(tb, c.ca, KindNode, id), Logger: testLogger().With("test", tb.Name())}
		fastRaft(&cfg)
		fs := &faultyStream{}
		cfg.wrapStream = fs.wrap
		if tune != nil {
			tune(&cfg)
		}
		c.cuts = append(c.cuts, fs)
		n := NewNode(cfg)
		if err := n.Open(); err != nil {
			tb.Fatalf("open %s: %v", id, err)
		}
		// Restarts reuse the ports the node was given.
		cfg.RaftAddr, cfg.HTTPAddr = n.RaftAddr(), n.HTTPAddr()
		c.nodes, c.cfgs = append(c.nodes, n), append(c.cfgs, cfg)
		tb.Cleanup(func() { c.closeNode(n) })
	}
	if err := c.nodes[0].Bootstrap(); err != nil {
		tb.Fatal(err)
	}
	for _, n := range c.nodes[1:] {
		// Joining is idempotent; on a loaded machine the leader may step
		// down while the new voter is slow to answer, so join again.
		eventually(tb, 20*time.Second, func() error {
			return c.waitLeader().Join(context.Background(), n.ID(), n.RaftAddr(), n.HTTPAddr(), true)
		})
	}
	for _, n := range c.nodes {
		if _, err := n.WaitForLeader(10 * time.Second); err != nil {
			tb.Fatal(err)
		}
	}
	// Followers forward to the leader's recorded address: wait until all know it.
	eventually(tb, 10*time.Second, func() error {
		for _, n := range c.nodes {
			if _, _, h := n.Leader(); h == "" {
				return fmt.Errorf("%s does not know the leader's API address yet", n.ID())
			}
		}
		return nil
	})
	return c
}

// closeNode checks a live node's state.db and closes it.
func (c *cluster) closeNode(n *Node) {
	if !n.closed.Load() {
		checkFSM(c.tb, n.fsm)
	}
	n.Close()
}

// restart opens node i again on its data directory and addresses.
func (c *cluster) restart(i int) *Node {
	c.tb.Helper()
	n := NewNode(c.cfgs[i])
	if err := n.Open(); err != nil {
		c.tb.Fatalf("restart %s: %v", c.cfgs[i].ID, err)
	}
	c.nodes[i] = n
	c.tb.Cleanup(func() { c.closeNode(n) })
	return n
}

// waitLeader waits until some live node leads and returns it.
func (c *cluster) waitLeader() *Node {
	c.tb.Helper()
	var leader *Node
	eventually(c.tb, 15*time.Second, func() error {
		for _, n := range c.nodes {
			if !n.closed.Load() && n.IsLeader() {
				leader = n
				return nil
			}
		}
		return ErrNoLeader
	})
	return leader
}

func (c *cluster) live() []*Node {
	var out []*Node
	for _, n := range c.nodes {
		if !n.closed.Load() {
			out = append(out, n)
		}
	}
	return out
}

func (c *cluster) httpAddrs() []string {
	var out []string
	for _, cfg := range c.cfgs {
		out = append(out, cfg.HTTPAddr)
	}
	return out
}

// client returns a body's client, trying the nodes in the order given
// (all of them by default).
func (c *cluster) client(code string, addrs ...string) *Client {
	c.tb.Helper()
	if len(addrs) == 0 {
		addrs = c.httpAddrs()
	}
	ca, cert, key := pems(c.tb, c.ca, KindBody, code)
	cl, err := NewClient(ClientConfig{Addrs: addrs, CAPEM: ca, CertPEM: cert, KeyPEM: key, LocalBody: code, RequestTimeout: 10 * time.Second})
	if err != nil {
		c.tb.Fatal(err)
	}
	c.tb.Cleanup(cl.Close)
	return cl
}

// sameEverywhere waits until every live node holds the body's log up to
// want, with the same last hash.
func (c *cluster) sameEverywhere(code string, want uint64, hash []byte) {
	c.tb.Helper()
	eventually(c.tb, 30*time.Second, func() error {
		for _, n := range c.live() {
			seq, h, err := n.Head(code)
			if err != nil {
				return err
			}
			if seq != want || !bytes.Equal(h, hash) {
				return fmt.Errorf("%s holds %s up to %d (%x), want %d (%x)", n.ID(), code, seq, short(h), want, short(hash))
			}
		}
		return nil
	})
}

func short(h []byte) []byte {
	if len(h) > 6 {
		return h[:6]
	}
	return h
}

// eventually retries fn until it succeeds or the deadline passes.
func eventually(tb testing.TB, timeout time.Duration, fn func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	wait := 5 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("not within %s: %v", timeout, err)
		}
		time.Sleep(wait)
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// chain makes n hash-chained events of a body's log, from sequence from,
// following prev. Data varies with rng so that two chains from different
// seeds differ.
func chain(rng *rand.Rand, from uint64, prev []byte, n int) []store.Event {
	evs := make([]store.Event, n)
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range evs {
		seq := from + uint64(i)
		data, _ := json.Marshal(map[string]any{"n": seq, "name": "Sreekumar", "ward": rng.IntN(40) + 1, "fee": rng.IntN(100000)})
		ev := store.Event{Seq: seq, Time: t0.Add(time.Duration(seq) * time.Second), Actor: "clerk1", Type: "birth.registered", Version: 1,
			Entity: "birth", ID: fmt.Sprintf("b%d", seq), Data: data, Prev: prev}
		ev.Hash = ev.ComputeHash()
		prev = ev.Hash
		evs[i] = ev
	}
	return evs
}

func encodeAll(evs []store.Event) [][]byte {
	out := make([][]byte, len(evs))
	for i := range evs {
		out[i] = evs[i].Encode()
	}
	return out
}

// seeded returns a random source and logs its seed.
func seeded(tb testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("KSMART_TEST_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	tb.Logf("seed %d (rerun with KSMART_TEST_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// checkFSM checks a state.db the way `ksmart check` checks a store: bbolt's
// page check, and every body's chain and hashes against its record. It
// holds off the FSM's writes meanwhile: bbolt's check counts pages a
// newer transaction freed as free, which a concurrent commit would make
// look "reachable freed".
func checkFSM(tb testing.TB, f *FSM) {
	tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.db == nil {
		return
	}
	err := f.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("bbolt check: %w", err)
		}
		return tx.Bucket(bucketBodies).ForEach(func(k, v []byte) error {
			var b BodyInfo
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			lb := tx.Bucket(bucketLog).Bucket(k)
			var prev []byte
			var seq uint64
			if lb != nil {
				err := lb.ForEach(func(k, v []byte) error {
					ev, err := store.DecodeEvent(v)
					if err != nil {
						return err
					}
					seq++
					if ev.Seq != seq {
						return fmt.Errorf("body %s: event %d where %d was due", b.Code, ev.Seq, seq)
					}
					sum := sha256.Sum256(v[:len(v)-sha256.Size])
					if !bytes.Equal(sum[:], ev.Hash) || !bytes.Equal(ev.Prev, prev) {
						return fmt.Errorf("body %s: chain broken at %d", b.Code, ev.Seq)
					}
					prev = ev.Hash
					return nil
				})
				if err != nil {
					return err
				}
			}
			if seq != b.LastSeq || !bytes.Equal(prev, b.LastHash) {
				return fmt.Errorf("body %s: record says head %d, log ends at %d", b.Code, b.LastSeq, seq)
			}
			return nil
		})
	})
	if err != nil && !errors.Is(err, ErrClosed) {
		tb.Errorf("state.db check: %v", err)
	}
}

// faultyStream wraps a node's raft stream layer so a test can cut the node
// off: while cut, it refuses to dial, drops every connection it accepts, and
// closes those it had.
type faultyStream struct {
	raft.StreamLayer
	cut   atomic.Bool
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (f *faultyStream) wrap(s raft.StreamLayer) raft.StreamLayer {
	f.StreamLayer = s
	f.conns = map[net.Conn]struct{}{}
	return f
}

func (f *faultyStream) Accept() (net.Conn, error) {
	for {
		c, err := f.StreamLayer.Accept()
		if err != nil {
			return nil, err
		}
		if f.cut.Load() {
			c.Close()
			continue
		}
		f.track(c)
		return c, nil
	}
}

func (f *faultyStream) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	if f.cut.Load() {
		return nil, errors.New("cut off by the test")
	}
	c, err := f.StreamLayer.Dial(addr, timeout)
	if err == nil {
		f.track(c)
	}
	return c, err
}

func (f *faultyStream) track(c net.Conn) {
	f.mu.Lock()
	f.conns[c] = struct{}{}
	f.mu.Unlock()
}

// setCut cuts the node off or lets it back.
func (f *faultyStream) setCut(cut bool) {
	f.cut.Store(cut)
	if !cut {
		return
	}
	f.mu.Lock()
	conns := f.conns
	f.conns = map[net.Conn]struct{}{}
	f.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}

var _ io.Closer = (*faultyStream)(nil)

// fsmSource serves ranges from another FSM in the same process, as a peer's
// range API would (handleRange), counting what it serves; failAfter > 0
// makes it fail from that page on, as a peer that goes away mid-restore.
type fsmSource struct {
	f         *FSM
	pages     *int
	failAfter int
	served    *int64
}

func newFSMSource(f *FSM) fsmSource { return fsmSource{f: f, pages: new(int), served: new(int64)} }

func (s fsmSource) String() string { return "the test's source FSM" }

func (s fsmSource) readRange(_ context.Context, code string, from, to uint64) (events, changes [][]byte, n int64, err error) {
	*s.pages++
	if s.failAfter > 0 && *s.pages > s.failAfter {
		return nil, nil, 0, errors.New("connection reset")
	}
	events, changes, err = s.f.readRangeFrom(code, from, to)
	n = int64(len(encodeReplica(events, changes)))
	*s.served += n
	return events, changes, n, err
}

// restoreFrom makes f fetch what a restore lacks from srcs.
func restoreFrom(f *FSM, srcs ...rangeSource) {
	f.sources = func(*manifest) []rangeSource { return srcs }
}

// snapshotOf persists f's snapshot into memory.
func snapshotOf(tb testing.TB, f *FSM) []byte {
	tb.Helper()
	s, err := f.Snapshot()
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Release()
	var buf bytes.Buffer
	if err := s.Persist(bufSink{Buffer: &buf}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// legacySnapshotOf is f's snapshot as the first releases wrote them: the
// whole bbolt file behind legacySnapshotMagic.
func legacySnapshotOf(tb testing.TB, f *FSM) []byte {
	tb.Helper()
	buf := bytes.NewBuffer(bytes.Clone(legacySnapshotMagic))
	if err := f.db.View(func(tx *bolt.Tx) error { _, err := tx.WriteTo(buf); return err }); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// compactPast snapshots until every node but follower has compacted its
// raft log past cutAt (the last index follower holds), so that follower,
// let back, must install a snapshot: every other node's log, not only the
// leader's, since either may lead once it is back.
func compactPast(t *testing.T, c *cluster, leader, follower *Node, cutAt uint64) {
	t.Helper()
	if err := leader.raft.Snapshot().Error(); err != nil {
		t.Logf("snapshot: %v", err)
	}
	eventually(t, 10*time.Second, func() error {
		for _, n := range c.nodes {
			if n == follower {
				continue
			}
			first, err := n.logStore.FirstIndex()
			if err != nil {
				return err
			}
			if first <= cutAt+1 {
				if err := n.raft.Snapshot().Error(); err != nil {
					t.Logf("snapshot on %s: %v", n.ID(), err)
				}
				return fmt.Errorf("%s's log still starts at %d, the follower needs %d", n.ID(), first, cutAt+1)
			}
		}
		return nil
	})
}

// snapshottingCluster is three nodes that snapshot and compact their raft
// logs often, with the leader and the index of a follower to cut off.
func snapshottingCluster(t *testing.T) (c *cluster, leader *Node, follower int) {
	c = newCluster(t, 3, func(cfg *Config) {
		cfg.SnapshotThreshold = 40
		cfg.TrailingLogs = 10
		cfg.SnapshotInterval = 50 * time.Millisecond
	})
	leader = c.waitLeader()
	for i, n := range c.nodes {
		if n != leader {
			return c, leader, i
		}
	}
	return c, leader, 0
}
