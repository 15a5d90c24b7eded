package replication

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// TestJoin_AMistypedRaftAddressIsRefusedAndChangesNothing: on a one-node
// cluster, a join whose raft address nobody listens on is refused before
// the voter is added — the message names the address and what to check —
// and the cluster still has one voter and still takes writes. (Before, the
// unreachable voter cost the cluster its quorum for good.)
func TestJoin_AMistypedRaftAddressIsRefusedAndChangesNothing(t *testing.T) {
	c := newCluster(t, 1, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := ln.Addr().String()
	ln.Close()
	// A port that answers, but not with a state node's TLS.
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	go func() {
		for {
			conn, err := plain.Accept()
			if err != nil {
				return
			}
			conn.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
			conn.Close()
		}
	}()
	ca, cert, key := pems(t, c.ca, KindAdmin, "it-admin")
	admin, err := NewClient(ClientConfig{Addrs: c.httpAddrs(), CAPEM: ca, CertPEM: cert, KeyPEM: key})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tc := range []struct{ addr, words string }{
		{nobody, "cannot be reached"},
		{plain.Addr().String(), "not as a state node"},
	} {
		_, err := admin.Join(ctx, JoinRequest{ID: "state2", RaftAddr: tc.addr, HTTPAddr: "127.0.0.1:1"})
		if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), tc.addr) || !strings.Contains(err.Error(), tc.words) || !strings.Contains(err.Error(), "Nothing was changed") {
			t.Fatalf("join at %s: %v; want a refusal naming the address and saying %q", tc.addr, err, tc.words)
		}
	}
	cf := c.nodes[0].raft.GetConfiguration()
	if err := cf.Error(); err != nil {
		t.Fatal(err)
	}
	if s := cf.Configuration().Servers; len(s) != 1 {
		t.Fatalf("the configuration is %v after refused joins, want the one node", s)
	}
	evs := chain(seeded(t), 1, nil, 5)
	if _, err := c.client("M0701").Ship(ctx, evs); err != nil {
		t.Fatalf("the cluster does not take writes after the refused joins: %v", err)
	}
}

// TestRecoverCluster_ThreeNodesThatLostTwoComeBackAsOneWithNothingLost: a
// three-node cluster holding a body's log loses two nodes for good; the
// survivor has no quorum and takes no writes. RecoverCluster on the
// stopped survivor makes it the only voter; started again it leads, holds
// every event it held, and takes writes.
func TestRecoverCluster_ThreeNodesThatLostTwoComeBackAsOneWithNothingLost(t *testing.T) {
	c := newCluster(t, 3, nil)
	const code = "M0701"
	evs := chain(seeded(t), 1, nil, 60)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := c.client(code)
	if _, err := cl.Ship(ctx, evs[:40]); err != nil {
		t.Fatal(err)
	}
	c.sameEverywhere(code, 40, evs[39].Hash)

	for _, i := range []int{1, 2} {
		c.closeNode(c.nodes[i])
	}
	survivor := c.nodes[0]
	short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
	_, err := c.client(code, survivor.HTTPAddr()).Ship(short, evs[40:41])
	cancelShort()
	if err == nil {
		t.Fatal("one node of three took a write without quorum")
	}

	if _, err := RecoverCluster(c.cfgs[0], nil); err == nil || !strings.Contains(err.Error(), "stop ksmart state run") {
		t.Fatalf("recover on a running node: %v, want a refusal saying to stop it", err)
	}
	c.closeNode(survivor)
	if _, err := RecoverCluster(c.cfgs[0], []raft.Server{{ID: "state2", Address: "127.0.0.1:1", Suffrage: raft.Voter}}); err == nil || !strings.Contains(err.Error(), "not a voter") {
		t.Fatalf("recover with a list that leaves the node out: %v", err)
	}
	res, err := RecoverCluster(c.cfgs[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Servers) != 1 || res.Servers[0].ID != "state1" || res.Bodies != 1 {
		t.Fatalf("recovered %+v, want state1 alone holding one body", res)
	}
	n := c.restart(0)
	if _, err := n.WaitForLeader(15 * time.Second); err != nil {
		t.Fatalf("the recovered node does not lead: %v", err)
	}
	// Event 41 may have reached the survivor's log while it still led
	// (never committed, never acknowledged): recovery keeps it, and the
	// body ships on from the state's head as after any lost answer.
	seq, h, err := n.Head(code)
	if err != nil || seq < 40 || seq > 41 || string(h) != string(evs[seq-1].Hash) {
		t.Fatalf("after recovery the node holds %s up to %d (%v), want 40 (or 41, the write sent without quorum): something was lost", code, seq, err)
	}
	cl = c.client(code, n.HTTPAddr())
	if _, err := cl.Ship(ctx, evs[seq:]); err != nil {
		t.Fatalf("the recovered cluster does not take writes: %v", err)
	}
	holdsExactly(t, n, code, evs)
}
