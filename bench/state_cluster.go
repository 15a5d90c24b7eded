package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	bolt "go.etcd.io/bbolt"

	"ksmart/replication"
)

// stateCluster is the state cluster under measurement, with one client per
// shipper.
type stateCluster struct {
	nodes   []*replication.Node
	cfgs    []replication.Config // each node's, with the addresses it was given (to restart it)
	clients []*replication.Client
}

func (b *stateCluster) close() {
	for _, c := range b.clients {
		c.Close()
	}
	for _, n := range b.nodes {
		n.Close()
	}
}

// ship sends a batch, whose last event is number last, through shipper
// s's client. A batch may come back as a duplicate (the client resent it
// after an answer came too late): what counts is that the head covers it.
func (b *stateCluster) ship(ctx context.Context, s int, batch [][]byte, last uint64) error {
	ack, err := b.clients[s].ShipEncoded(ctx, batch)
	if err == nil && ack.Head < last {
		err = fmt.Errorf("batch up to %d acknowledged with head %d", last, ack.Head)
	}
	return err
}

// check waits until every node holds want events of every body: the run
// counts only if followers end with everything.
func (b *stateCluster) check(codes []string, want uint64) error {
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range b.nodes {
		for _, code := range codes {
			for {
				seq, _, err := n.Head(code)
				if err != nil {
					return err
				}
				if seq == want {
					break
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("%s holds %d events of %s after the run, want %d", n.ID(), seq, code, want)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	return nil
}

// addrs are the nodes' API addresses, the leader first.
func (b *stateCluster) addrs() []string {
	var addrs []string
	for _, n := range b.nodes {
		if n.IsLeader() {
			addrs = append([]string{n.HTTPAddr()}, addrs...)
		} else {
			addrs = append(addrs, n.HTTPAddr())
		}
	}
	return addrs
}

// startStateCluster starts three state nodes on loopback, bootstraps the
// first, joins the others as voters, and makes one client for each body in
// codes, the leader first in its addresses. tune, when not nil, adjusts
// each node's configuration.
func startStateCluster(ctx context.Context, dir, caDir string, codes []string, logger *slog.Logger, tune func(*replication.Config)) (*stateCluster, error) {
	b := &stateCluster{}
	for i := range 3 {
		id := fmt.Sprintf("state%d", i+1)
		ident, err := issueIdentity(dir, caDir, replication.KindNode, id)
		if err != nil {
			return b, err
		}
		cfg := replication.Config{ID: id, Dir: filepath.Join(dir, "state", id), RaftAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Identity: ident, Logger: logger}
		if tune != nil {
			tune(&cfg)
		}
		n := replication.NewNode(cfg)
		if err := n.Open(); err != nil {
			return b, err
		}
		cfg.RaftAddr, cfg.HTTPAddr = n.RaftAddr(), n.HTTPAddr()
		b.nodes, b.cfgs = append(b.nodes, n), append(b.cfgs, cfg)
	}
	if err := b.nodes[0].Bootstrap(); err != nil {
		return b, err
	}
	// Join the others through whichever node leads; joining is idempotent,
	// so a join cut short by a leadership change is simply repeated.
	for _, n := range b.nodes[1:] {
		deadline := time.Now().Add(30 * time.Second)
		for {
			err := replication.ErrNoLeader
			for _, l := range b.nodes {
				if l.IsLeader() {
					err = l.Join(ctx, n.ID(), n.RaftAddr(), n.HTTPAddr(), true)
				}
			}
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return b, fmt.Errorf("join %s: %w", n.ID(), err)
			}
			select {
			case <-ctx.Done():
				return b, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	// Shippers try the leader first.
	addrs := b.addrs()
	for _, code := range codes {
		ca, cert, key, err := issuePEMs(dir, caDir, replication.KindBody, code)
		if err != nil {
			return b, err
		}
		cl, err := replication.NewClient(replication.ClientConfig{Addrs: addrs, CAPEM: ca, CertPEM: cert, KeyPEM: key, LocalBody: code})
		if err != nil {
			return b, err
		}
		b.clients = append(b.clients, cl)
	}
	return b, nil
}

// countFSM is raw raft's FSM: it counts entries and keeps nothing.
type countFSM struct{ n atomic.Uint64 }

func (f *countFSM) Apply(*raft.Log) interface{}         { f.n.Add(1); return nil }
func (f *countFSM) Snapshot() (raft.FSMSnapshot, error) { return countSnapshot{}, nil }
func (f *countFSM) Restore(rc io.ReadCloser) error      { return rc.Close() }

type countSnapshot struct{}

func (countSnapshot) Persist(s raft.SnapshotSink) error { return s.Close() }
func (countSnapshot) Release()                          {}

// rawRaft is raw raft, configured as a Node configures it.
type rawRaft struct {
	rafts  []*raft.Raft
	trans  []*raft.NetworkTransport
	stores []*raftboltdb.BoltStore
}

func (b *rawRaft) close() {
	for _, r := range b.rafts {
		r.Shutdown().Error()
	}
	for _, t := range b.trans {
		t.Close()
	}
	for _, s := range b.stores {
		s.Close()
	}
}

func (b *rawRaft) apply(entry []byte) error {
	for _, r := range b.rafts {
		if r.State() == raft.Leader {
			return r.Apply(entry, 10*time.Second).Error()
		}
	}
	return replication.ErrNoLeader
}

// startRawRaft starts raw raft: three voters on loopback with the state
// nodes' transport and raft configuration and raft-boltdb log stores
// opened as a node opens its own, applying to a countFSM. It returns when
// one leads.
func startRawRaft(ctx context.Context, dir, caDir string) (*rawRaft, error) {
	b := &rawRaft{}
	quiet := hclog.NewNullLogger()
	var servers []raft.Server
	for i := range 3 {
		id := fmt.Sprintf("raw%d", i+1)
		ident, err := issueIdentity(dir, caDir, replication.KindNode, id)
		if err != nil {
			return b, err
		}
		trans, err := replication.NewTransport("127.0.0.1:0", "", ident, quiet)
		if err != nil {
			return b, err
		}
		b.trans = append(b.trans, trans)
		servers = append(servers, raft.Server{ID: raft.ServerID(id), Address: trans.LocalAddr(), Suffrage: raft.Voter})
	}
	for i := range 3 {
		ndir := filepath.Join(dir, "raw", string(servers[i].ID), "raft")
		if err := os.MkdirAll(ndir, 0o700); err != nil {
			return b, err
		}
		logs, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(ndir, "log.db"), BoltOptions: &bolt.Options{Timeout: time.Second, NoFreelistSync: true}})
		if err != nil {
			return b, err
		}
		b.stores = append(b.stores, logs)
		snaps, err := raft.NewFileSnapshotStoreWithLogger(ndir, 2, quiet)
		if err != nil {
			return b, err
		}
		rc := replication.RaftConfig(replication.Config{ID: string(servers[i].ID)})
		rc.Logger = quiet
		if err := raft.BootstrapCluster(rc, logs, logs, snaps, b.trans[i], raft.Configuration{Servers: servers}); err != nil {
			return b, err
		}
		r, err := raft.NewRaft(rc, &countFSM{}, logs, logs, snaps, b.trans[i])
		if err != nil {
			return b, err
		}
		b.rafts = append(b.rafts, r)
	}
	for {
		for _, r := range b.rafts {
			if r.State() == raft.Leader {
				return b, nil
			}
		}
		select {
		case <-ctx.Done():
			return b, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// issuePEMs issues a certificate of kind for name from the CA in caDir and
// returns the CA's certificate, the certificate and its key, all PEM.
func issuePEMs(dir, caDir string, kind replication.Kind, name string) (ca, cert, key []byte, err error) {
	out := filepath.Join(dir, "certs", name)
	certPath, keyPath, err := replication.IssueCert(caDir, kind, name, out)
	if err != nil {
		return nil, nil, nil, err
	}
	if ca, err = os.ReadFile(filepath.Join(caDir, replication.CACertFile)); err != nil {
		return
	}
	if cert, err = os.ReadFile(certPath); err != nil {
		return
	}
	key, err = os.ReadFile(keyPath)
	return
}

// issueIdentity issues a certificate as issuePEMs does and parses it.
func issueIdentity(dir, caDir string, kind replication.Kind, name string) (*replication.Identity, error) {
	ca, cert, key, err := issuePEMs(dir, caDir, kind, name)
	if err != nil {
		return nil, err
	}
	return replication.ParseIdentity(ca, cert, key)
}
