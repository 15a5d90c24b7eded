package replication

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ksmart/store"
	"ksmart/store/storetest"
)

// freezer is a TCP proxy in front of a node's API that the test can
// freeze: it then keeps every connection open, accepts new ones, and
// forwards nothing — what a body sees of a node that is SIGSTOPped or cut
// off by the network (not crashed: nothing is refused).
type freezer struct {
	ln     net.Listener
	target string
	frozen atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newFreezer(tb testing.TB, target string) *freezer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f := &freezer{ln: ln, target: target}
	go f.serve()
	tb.Cleanup(f.close)
	return f
}

func (f *freezer) addr() string { return f.ln.Addr().String() }

func (f *freezer) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.track(c)
		if f.frozen.Load() {
			continue // held open, never answered
		}
		go func() {
			up, err := net.Dial("tcp", f.target)
			if err != nil {
				c.Close()
				return
			}
			f.track(up)
			go f.pipe(up, c)
			f.pipe(c, up)
		}()
	}
}

// pipe copies src to dst until either closes; once frozen it stops
// forwarding, leaving both open.
func (f *freezer) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if f.frozen.Load() {
			return
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				dst.Close()
			}
			return
		}
	}
}

func (f *freezer) track(c net.Conn) {
	f.mu.Lock()
	f.conns = append(f.conns, c)
	f.mu.Unlock()
}

func (f *freezer) close() {
	f.ln.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Close()
	}
}

// TestShipper_FailsOverFromAFrozenLeaderInSeconds: a body ships to a
// three-node cluster through its leader; the leader then freezes — its API
// keeps connections open and answers nothing, and its raft traffic is cut —
// so nothing is refused and no connection breaks. The shipper's next batch
// lands on another node, with default timeouts, and the stall is counted
// among the shipper's errors (ksmart_replication_errors_total) with a last
// error naming the node. The seconds it took are logged.
func TestShipper_FailsOverFromAFrozenLeaderInSeconds(t *testing.T) {
	c := newCluster(t, 3, nil)
	leader := c.waitLeader()
	li := -1
	var proxies []*freezer
	var addrs []string
	for i, n := range c.nodes {
		if n == leader {
			li = i
		}
		p := newFreezer(t, n.HTTPAddr())
		proxies, addrs = append(proxies, p), append(addrs, p.addr())
	}
	// The leader first, as the client settles on it anyway.
	addrs[0], addrs[li] = addrs[li], addrs[0]
	const code = "M0701"
	st := storetest.OpenDir(t, t.TempDir(), store.Options{})
	sh := &Shipper{Store: st, Client: c.client(code, addrs...), Logger: testLogger()}
	runShipperT(t, sh)
	writeFiles(t, st, 0, 20, 0)
	eventually(t, 20*time.Second, func() error {
		if s := sh.Status(); s.Acked != 20 {
			return fmt.Errorf("status %+v, want 20 acknowledged", s)
		}
		return nil
	})
	errsBefore := sh.Status().Errors

	proxies[li].frozen.Store(true)
	c.cuts[li].setCut(true)
	frozeAt := time.Now()
	writeFiles(t, st, 20, 5, 0)
	// The ceiling is the behaviour: it fails over rather than waiting on
	// the frozen node for ever (or for the old 20-30 s request timeout).
	eventually(t, 15*time.Second, func() error {
		if s := sh.Status(); s.Acked != 25 {
			return fmt.Errorf("status %+v, want 25 acknowledged after the leader froze", s)
		}
		return nil
	})
	took := time.Since(frozeAt)
	t.Logf("failover from a frozen leader: the next batch was acknowledged %.2f s after the freeze", took.Seconds())

	var others []*Node
	for i, n := range c.nodes {
		if i != li {
			others = append(others, n)
		}
	}
	eventually(t, 20*time.Second, func() error {
		for _, n := range others {
			seq, h, err := n.Head(code)
			if err != nil {
				return err
			}
			if seq != 25 || !bytes.Equal(h, st.LastHash()) {
				return fmt.Errorf("%s holds %s up to %d, want 25", n.ID(), code, seq)
			}
		}
		return nil
	})
	if seq, _, _ := leader.Head(code); seq != 20 {
		t.Fatalf("the frozen leader holds %d events, want 20: it was not cut off", seq)
	}
	s := sh.Status()
	if s.Errors <= errsBefore {
		t.Fatalf("errors %d, were %d: the stall on the frozen node was not counted", s.Errors, errsBefore)
	}
	if want := addrs[0]; !strings.Contains(s.LastError, want) {
		t.Fatalf("last error %q does not name the frozen node %s", s.LastError, want)
	}

	// Let it back: it catches up from the new leader.
	proxies[li].frozen.Store(false)
	c.cuts[li].setCut(false)
	c.sameEverywhere(code, 25, st.LastHash())
}
