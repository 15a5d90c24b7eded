package replication

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/store"
	"ksmart/store/storetest"
)

// runShipperT runs sh until the test ends.
func runShipperT(t *testing.T, sh *Shipper) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sh.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("the shipper returned %v, want context.Canceled", err)
		}
	})
}

// clock is a settable clock for stores and shippers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestShipper_WhileTheStateIsDownItBacksOffShowsItsLagAndCatchesUp: events
// written while the state is down wait; the shipper retries with back-off,
// says why, and shows its lag in events and in seconds (the age of the
// oldest event waiting); when the state is back it ships them all and the
// lag is 0.
func TestShipper_WhileTheStateIsDownItBacksOffShowsItsLagAndCatchesUp(t *testing.T) {
	c := newCluster(t, 1, nil)
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	st := storetest.OpenDir(t, t.TempDir(), store.Options{Now: clk.Now})
	const code = "M0701"
	sh := &Shipper{Store: st, Client: c.client(code), Logger: testLogger(), Now: clk.Now,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, AttemptTimeout: 700 * time.Millisecond}
	if s := sh.Status(); s.Known || s.Acked != 0 || s.LagEvents != 0 || s.LagSeconds != 0 {
		t.Fatalf("status before anything: %+v", s)
	}
	runShipperT(t, sh)
	writeFiles(t, st, 0, 30, 0)
	eventually(t, 20*time.Second, func() error {
		if s := sh.Status(); !s.Known || s.Acked != 30 || s.LagEvents != 0 || s.LastShipped.IsZero() {
			return fmt.Errorf("status %+v, want 30 acknowledged", s)
		}
		return nil
	})

	c.nodes[0].Shutdown() // as a crash: the state is unreachable
	writeFiles(t, st, 30, 20, 0)
	clk.Add(90 * time.Second)
	eventually(t, 20*time.Second, func() error {
		s := sh.Status()
		if s.Errors < 3 || s.LastError == "" {
			return fmt.Errorf("status %+v: want several failed attempts while the state is down", s)
		}
		if s.Acked != 30 || s.Local != 50 || s.LagEvents != 20 || s.LagSeconds != 90 {
			return fmt.Errorf("status %+v: want 20 events waiting, the oldest 90 s old", s)
		}
		return nil
	})
	errsBefore := sh.Status().Errors
	time.Sleep(time.Second)
	if n := sh.Status().Errors - errsBefore; n > 10 {
		t.Fatalf("%d attempts in a second while the state is down: it does not back off", n)
	}

	n := c.restart(0)
	if _, err := n.WaitForLeader(15 * time.Second); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() error {
		if s := sh.Status(); s.Acked != 50 || s.LagEvents != 0 || s.LagSeconds != 0 {
			return fmt.Errorf("status %+v after the state came back: want 50 acknowledged, no lag", s)
		}
		return nil
	})
	c.sameEverywhere(code, 50, st.LastHash())
	if s := sh.Status(); s.Fork != nil {
		t.Fatalf("a fork where there is none: %+v", s.Fork)
	}
}

// TestShipper_AForkStopsShippingAndShowsInStatus: a body whose data
// directory is older than what it shipped (the state is ahead), and one
// whose log went another way after event 30 (restored from an old backup,
// then written to), both stop shipping and say so in Status; the second is
// recorded by the state. The state's copy is untouched.
func TestShipper_AForkStopsShippingAndShowsInStatus(t *testing.T) {
	c := newCluster(t, 1, nil)
	const code = "M0701"
	same := func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) } // so two stores can write the same events

	orig := storetest.OpenDir(t, t.TempDir(), store.Options{Now: same})
	writeFiles(t, orig, 0, 50, 0)
	sh := &Shipper{Store: orig, Client: c.client(code), Logger: testLogger(), MaxBackoff: 300 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sh.Run(ctx) }()
	eventually(t, 20*time.Second, func() error {
		if s := sh.Status(); s.Acked != 50 {
			return fmt.Errorf("status %+v", s)
		}
		return nil
	})
	cancel()
	<-done
	stateHash := orig.LastHash()

	// The fork is placed at the exact event where the logs part, and
	// recorded by the state at once (not once the body's log outgrows the
	// state's); the acknowledged event is the last the two agree on.
	for _, tc := range []struct {
		name      string
		same      int // events the old copy shares with the state
		after     int // events it writes after them
		wantAt    uint64
		wantWords string
		recorded  bool
	}{
		{"older than what it shipped", 30, 0, 31, "restore --from-state", false},
		{"went another way after event 30", 30, 40, 31, "event 31 differs from the state's event 31", true},
		{"went another way after event 20, shorter than the state's", 20, 5, 21, "differs from the state's from event 21 on", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := storetest.OpenDir(t, t.TempDir(), store.Options{Now: same})
			writeFiles(t, old, 0, tc.same, 0)
			if tc.after > 0 {
				writeFiles(t, old, 1000, tc.after, 0)
			}
			sh := &Shipper{Store: old, Client: c.client(code), Logger: testLogger(), ForkRecheck: 200 * time.Millisecond}
			runShipperT(t, sh)
			eventually(t, 20*time.Second, func() error {
				s := sh.Status()
				if s.Fork == nil || s.Fork.AtSeq != tc.wantAt || !strings.Contains(s.Fork.Reason, tc.wantWords) || s.Acked != tc.wantAt-1 {
					return fmt.Errorf("status %+v, fork %+v: want a fork at %d saying %q, acknowledged %d", s, s.Fork, tc.wantAt, tc.wantWords, tc.wantAt-1)
				}
				return nil
			})
			recordedAt := func() bool {
				forks, _ := c.nodes[0].Forks()
				for _, f := range forks {
					if f.AtSeq == tc.wantAt {
						return true
					}
				}
				return false
			}
			if recordedAt() != tc.recorded {
				t.Fatalf("a fork at %d recorded by the state: %v, want %v", tc.wantAt, !tc.recorded, tc.recorded)
			}
			// Writing on regardless: shipping stays stopped, and the
			// body's log now contradicts the state's at wantAt, which the
			// state records when it is next presented.
			writeFiles(t, old, 2000, 5, 0)
			time.Sleep(500 * time.Millisecond)
			if s := sh.Status(); s.Fork == nil || s.Fork.AtSeq != tc.wantAt {
				t.Fatalf("the fork went from the status, or moved: %+v", s)
			}
			head, hash, _ := c.nodes[0].Head(code)
			if head != 50 || !bytes.Equal(hash, stateHash) {
				t.Fatalf("the state's copy changed: head %d", head)
			}
			eventually(t, 10*time.Second, func() error {
				if !recordedAt() {
					return fmt.Errorf("no fork at %d recorded by the state after the body wrote on", tc.wantAt)
				}
				return nil
			})
		})
	}
}

// TestShipper_ShipsOnlyItsOwnLog: a client for one body cannot carry
// another body's certificate; and a shipper whose state cannot be reached
// keeps trying and says why.
func TestShipper_ShipsOnlyItsOwnLog(t *testing.T) {
	c := newCluster(t, 1, nil)
	ca, cert, key := pems(t, c.ca, KindBody, "M0701")
	if _, err := NewClient(ClientConfig{Addrs: c.httpAddrs(), CAPEM: ca, CertPEM: cert, KeyPEM: key, LocalBody: "M0702"}); err == nil || !strings.Contains(err.Error(), "M0701") {
		t.Fatalf("a client for M0702 with M0701's certificate: %v", err)
	}
	// Unreachable addresses only: the shipper keeps trying and says so.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	cl, err := NewClient(ClientConfig{Addrs: []string{dead}, CAPEM: ca, CertPEM: cert, KeyPEM: key})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	writeFiles(t, st, 0, 3, 0)
	sh := &Shipper{Store: st, Client: cl, Logger: testLogger(), AttemptTimeout: 200 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	runShipperT(t, sh)
	eventually(t, 10*time.Second, func() error {
		if s := sh.Status(); s.Known || s.Errors == 0 || !strings.Contains(s.LastError, "no state node could answer") || s.LagEvents != 3 {
			return fmt.Errorf("status %+v", s)
		}
		return nil
	})
}
