package replication

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"ksmart/store"
)

// Config is a state node's configuration. ID, Dir, RaftAddr and Identity
// are required; every duration or count left zero takes the default noted.
type Config struct {
	ID       string    // raft server ID, unique in the cluster for all time, e.g. "state1"
	Dir      string    // data directory: state.db, raft/log.db, raft/snapshots/
	RaftAddr string    // host:port the raft transport listens on; port 0 picks one
	HTTPAddr string    // host:port of the HTTPS API; "" for none (port 0 picks one)
	Identity *Identity // this node's certificate (kind node) and the state CA

	// RaftAdvertise and HTTPAdvertise are the addresses peers and clients
	// dial, when they differ from the listen addresses (e.g. 0.0.0.0:7000).
	RaftAdvertise, HTTPAdvertise string

	Logger       *slog.Logger // default: slog.Default()
	RaftLogLevel string       // level of raft's own log lines: default "warn"

	HeartbeatTimeout   time.Duration // default 1s
	ElectionTimeout    time.Duration // default 1s
	LeaderLeaseTimeout time.Duration // default 750ms
	CommitTimeout      time.Duration // default 50ms
	SnapshotInterval   time.Duration // how often to consider a snapshot; default 2m
	SnapshotThreshold  uint64        // raft entries between snapshots; default 8192
	TrailingLogs       uint64        // raft entries kept after a snapshot; default 2048
	MaxAppendEntries   int           // entries per AppendEntries RPC; default 16
	ApplyTimeout       time.Duration // longest a write waits for commit; default 10s

	// Extension, when set, runs beside the FSM and answers on the API
	// (see Extension): the state view, package stateview. nil for none.
	Extension Extension

	// wrapStream lets tests put a fault injector around the raft transport.
	wrapStream func(raft.StreamLayer) raft.StreamLayer
}

// Node is one member of a state cluster: raft with its log in raft-boltdb
// and file snapshots, the FSM holding every body's log, the TLS transport
// and the HTTPS API. Writes (Ship, Join, Leave) are committed only by the
// leader and return ErrNotLeader elsewhere; the HTTP API forwards them.
// Reads (Head, ReadLog, Bodies, Forks) answer from this node's state and may
// trail the leader slightly.
type Node struct {
	cfg    Config
	logger *slog.Logger

	fsm      *FSM
	raft     *raft.Raft
	trans    *raft.NetworkTransport
	stream   raft.StreamLayer
	logStore *raftboltdb.BoltStore
	snaps    *raft.FileSnapshotStore

	httpLn  net.Listener
	httpSrv *http.Server
	fwd     *http.Client // this node's client to the leader's API

	rangeClient *http.Client // this node's client to its peers' range API (snapshot restores)

	extOpened bool // Config.Extension was opened and not yet closed

	rawStream raft.StreamLayer // the TLS stream, before any test wrapper
	routeList []Route          // the API's routes, as routes registered them

	seenMu   sync.Mutex
	seen     map[string][]byte // certificates admitted and not yet in the register, by serial
	seenKick chan struct{}

	notify chan bool
	stop   chan struct{}
	wg     sync.WaitGroup
	closed atomic.Bool
}

// NewNode returns a node for cfg; Open starts it.
func NewNode(cfg Config) *Node {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Node{cfg: cfg, logger: cfg.Logger.With("node", cfg.ID)}
}

// Open opens the node's stores, starts raft and its transport and, when
// HTTPAddr is set, the HTTPS API. A node that was part of a cluster rejoins
// it; a new node waits to be bootstrapped or joined.
func (n *Node) Open() (err error) {
	c := n.cfg
	switch {
	case c.ID == "" || c.Dir == "" || c.RaftAddr == "":
		return errors.New("a state node needs an ID, a data directory and a raft address")
	case c.Identity == nil:
		return errors.New("a state node needs its node certificate, key and the state CA")
	case c.Identity.Kind != KindNode:
		return fmt.Errorf("the certificate %q is a %s certificate; a state node needs one issued with --kind node", c.Identity.Name, c.Identity.Kind)
	}
	if err := os.MkdirAll(filepath.Join(c.Dir, raftDir), 0o700); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			n.closeAll(false)
		}
	}()

	n.logStore, err = raftboltdb.New(raftboltdb.Options{
		Path:        filepath.Join(c.Dir, raftDir, raftLogFile),
		BoltOptions: &bolt.Options{Timeout: time.Second, NoFreelistSync: true},
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return fmt.Errorf("%s is in use (is another ksmart state running on this directory?)", c.Dir)
		}
		return fmt.Errorf("open the raft log: %w", err)
	}
	hlog := hclog.New(&hclog.LoggerOptions{
		Name: "raft", Level: hclog.LevelFromString(orDefault(c.RaftLogLevel, "warn")),
		Output: slogWriter{n.logger}, DisableTime: true,
	})
	n.snaps, err = raft.NewFileSnapshotStoreWithLogger(filepath.Join(c.Dir, raftDir), 2, hlog.Named("snapshots"))
	if err != nil {
		return err
	}
	n.fsm, err = openFSM(filepath.Join(c.Dir, stateFile), n.logger)
	if err != nil {
		return err
	}
	restoreOnStart, err := n.fsmNeedsRestore()
	if err != nil {
		return err
	}

	n.seen, n.seenKick = map[string][]byte{}, make(chan struct{}, 1)
	tls, err := newTLSStream(c.RaftAddr, c.RaftAdvertise, c.Identity, n.fsm.checkRevoked, n.noteCert)
	if err != nil {
		return fmt.Errorf("listen for raft on %s: %w", c.RaftAddr, err)
	}
	n.fsm.OnRevoke(n.dropRevoked)
	n.stream, n.rawStream = tls, tls
	if c.wrapStream != nil {
		n.stream = c.wrapStream(tls)
	}
	n.trans = newNetworkTransport(n.stream, hlog.Named("net"))

	rc := RaftConfig(c)
	rc.Logger = hlog
	rc.NoSnapshotRestoreOnStart = !restoreOnStart
	n.notify = make(chan bool, 16)
	rc.NotifyCh = n.notify
	// A snapshot is a manifest: restoring one fetches the events this
	// node lacks from its peers (snapshot.go, ranges.go).
	n.rangeClient = n.newRangeClient()
	n.fsm.self, n.fsm.sources = c.ID, n.rangeSources
	snaps := countingSnapshots{SnapshotStore: n.snaps, live: &n.fsm.live, sent: &n.fsm.snapSent}
	n.raft, err = raft.NewRaft(rc, n.fsm, n.logStore, n.logStore, snaps, n.trans)
	if err != nil {
		return fmt.Errorf("start raft: %w", err)
	}
	n.fsm.live.Store(true)

	if err := n.openExtension(); err != nil {
		return err
	}
	// A leader that is frozen or cut off must not hold a forwarded request
	// until the caller gives up on this node too: after forwardStall this
	// node answers 503 (no leader) and the caller retries, by then with
	// the leader the cluster elected meanwhile.
	n.fwd = &http.Client{Transport: &http.Transport{TLSClientConfig: c.Identity.clientTLSRevoked(n.fsm.checkRevoked), MaxIdleConnsPerHost: 64,
		DialContext: (&net.Dialer{Timeout: forwardStall}).DialContext, TLSHandshakeTimeout: forwardStall, ResponseHeaderTimeout: forwardStall}}
	if c.HTTPAddr != "" {
		if err := n.serveHTTP(); err != nil {
			return err
		}
	}
	n.stop = make(chan struct{})
	n.warnExpiry()
	n.wg.Add(2)
	go n.watchLeadership()
	go n.recordSeen()
	return nil
}

// RaftConfig is the raft configuration a Node with configuration c runs
// with: c's ID, timeouts and snapshot settings, or their defaults, and
// batched applies; Open sets its Logger, NotifyCh and
// NoSnapshotRestoreOnStart besides. It is for a plain raft cluster that
// must be configured as a Node is, such as the raw raft peer of ksmart
// bench state; changing it changes both.
func RaftConfig(c Config) *raft.Config {
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(c.ID)
	rc.HeartbeatTimeout = orDuration(c.HeartbeatTimeout, time.Second)
	rc.ElectionTimeout = orDuration(c.ElectionTimeout, time.Second)
	rc.LeaderLeaseTimeout = orDuration(c.LeaderLeaseTimeout, 750*time.Millisecond)
	rc.CommitTimeout = orDuration(c.CommitTimeout, rc.CommitTimeout)
	rc.SnapshotInterval = orDuration(c.SnapshotInterval, rc.SnapshotInterval)
	rc.SnapshotThreshold = orUint(c.SnapshotThreshold, 8192)
	rc.TrailingLogs = orUint(c.TrailingLogs, 2048)
	rc.MaxAppendEntries = 16 // entries are batches of up to 4 MiB: keep one RPC to tens of MiB at most
	if c.MaxAppendEntries > 0 {
		rc.MaxAppendEntries = c.MaxAppendEntries
	}
	rc.BatchApplyCh = true
	return rc
}

// fsmNeedsRestore decides whether raft must restore its latest snapshot at
// start: not when state.db was kept and already holds everything the
// snapshot does. A kept file behind the snapshot (an install that stopped
// midway) stays: restoring the manifest fetches only what it lacks. With
// no raft state at all, a kept state.db belongs to nothing and is started
// afresh.
func (n *Node) fsmNeedsRestore() (bool, error) {
	if !n.fsm.reused {
		return true, nil
	}
	has, err := raft.HasExistingState(n.logStore, n.logStore, n.snaps)
	if err != nil {
		return false, err
	}
	snaps, err := n.snaps.List()
	if err != nil {
		return false, err
	}
	if has && (len(snaps) == 0 || snaps[0].Index <= n.fsm.AppliedIndex()) {
		return false, nil
	}
	if has {
		n.logger.Info("state.db is behind raft's latest snapshot; restoring the snapshot brings it up", "applied_index", n.fsm.AppliedIndex(), "snapshot_index", snaps[0].Index)
		return true, nil
	}
	n.logger.Info("state.db belongs to no raft state; starting it afresh")
	path := n.fsm.path
	n.fsm.close(false)
	if err := os.Remove(path); err != nil {
		return false, err
	}
	n.fsm, err = openFSM(path, n.logger)
	return true, err
}

// watchLeadership records this node's addresses in the state each time it
// becomes the leader, so that followers know where to forward writes.
func (n *Node) watchLeadership() {
	defer n.wg.Done()
	for {
		select {
		case <-n.stop:
			return
		case leader := <-n.notify:
			if !leader {
				continue
			}
			if err := n.registerSelf(); err != nil && !errors.Is(err, ErrNotLeader) && !errors.Is(err, ErrNoLeader) && !errors.Is(err, ErrClosed) {
				n.logger.Warn("could not record this node's addresses", "error", err)
			}
		}
	}
}

func (n *Node) registerSelf() error {
	if err := n.raft.Barrier(n.applyTimeout()).Error(); err != nil {
		return n.raftError(err)
	}
	self := NodeInfo{ID: n.cfg.ID, RaftAddr: n.RaftAddr(), HTTPAddr: n.HTTPAddr()}
	if cur, ok := n.fsm.node(n.cfg.ID); ok && cur == self {
		return nil
	}
	return n.applyCommand(context.Background(), encodeCommand(opSetNode, []byte(self.ID), []byte(self.RaftAddr), []byte(self.HTTPAddr)))
}

// Bootstrap makes this node a cluster of one, its leader once elected.
// Bootstrapping a node that already has raft state does nothing, so a
// restart with --bootstrap is harmless.
func (n *Node) Bootstrap() error {
	f := n.raft.BootstrapCluster(raft.Configuration{Servers: []raft.Server{{
		ID: raft.ServerID(n.cfg.ID), Address: n.trans.LocalAddr(), Suffrage: raft.Voter,
	}}})
	if err := f.Error(); err != nil && !errors.Is(err, raft.ErrCantBootstrap) {
		return err
	}
	return nil
}

// Join adds a node to the cluster as a voter or, with voter false, a
// non-voter that receives the log but does not vote (a read replica, or a
// node catching up before it is promoted). Joining a node already in the
// cluster with the same address and role does nothing. It must run on the
// leader (ErrNotLeader otherwise).
func (n *Node) Join(ctx context.Context, id, raftAddr, httpAddr string, voter bool) error {
	if id == "" || raftAddr == "" {
		return fmt.Errorf("%w: a join needs the node's ID and raft address", ErrBadRequest)
	}
	if !n.IsLeader() {
		return n.notLeader()
	}
	cf := n.raft.GetConfiguration()
	if err := cf.Error(); err != nil {
		return n.raftError(err)
	}
	for _, s := range cf.Configuration().Servers {
		if s.ID == raft.ServerID(id) && s.Address == raft.ServerAddress(raftAddr) && (s.Suffrage == raft.Voter) == voter {
			return n.recordNode(ctx, id, raftAddr, httpAddr)
		}
	}
	// A voter that never answers (a mistyped address, a node not started)
	// would cost a one-node cluster its quorum for good: reach it first.
	if err := n.probeRaft(id, raftAddr); err != nil {
		return err
	}
	for _, s := range cf.Configuration().Servers {
		if s.ID != raft.ServerID(id) && s.Address != raft.ServerAddress(raftAddr) {
			continue
		}
		if s.ID != raft.ServerID(id) {
			return fmt.Errorf("%w: the raft address %s is already that of node %s; remove it first (ksmart state leave --id %s)", ErrBadRequest, raftAddr, s.ID, s.ID)
		}
		if voter && s.Suffrage == raft.Voter && s.Address != raft.ServerAddress(raftAddr) {
			// A voter that moved: remove it first, as hraftd does.
			if err := n.raft.RemoveServer(s.ID, 0, n.applyTimeout()).Error(); err != nil {
				return n.raftError(err)
			}
		}
	}
	var f raft.IndexFuture
	if voter {
		f = n.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(raftAddr), 0, n.applyTimeout())
	} else {
		f = n.raft.AddNonvoter(raft.ServerID(id), raft.ServerAddress(raftAddr), 0, n.applyTimeout())
	}
	if err := f.Error(); err != nil {
		return n.raftError(err)
	}
	n.logger.Info("node joined", "id", id, "raft", raftAddr, "http", httpAddr, "voter", voter)
	return n.recordNode(ctx, id, raftAddr, httpAddr)
}

// probeRaft dials raftAddr as raft would, TLS handshake included, and
// checks that the node there accepts this cluster's certificate: the
// handshake's client side completes before the server has judged our
// certificate, so it reads briefly — a node that accepted waits for a
// command (the read times out), one that refused sends an alert.
func (n *Node) probeRaft(id, raftAddr string) error {
	refuse := func(why string) error {
		return fmt.Errorf("%w: node %s's raft address %s %s; check --raft-addr and that ksmart state run runs there (with a node certificate of this CA and its port open), then join again. Nothing was changed", ErrBadRequest, id, raftAddr, why)
	}
	tcp, err := net.DialTimeout("tcp", raftAddr, probeTimeout)
	if err != nil {
		return refuse(fmt.Sprintf("cannot be reached (%v)", err))
	}
	tcp.Close()
	c, err := n.stream.Dial(raft.ServerAddress(raftAddr), probeTimeout)
	if err != nil {
		return refuse(fmt.Sprintf("answered, but not as a state node of this cluster (%v)", err))
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(probeTimeout / 10))
	var b [1]byte
	_, err = c.Read(b[:])
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		return refuse(fmt.Sprintf("answered, but not as a state node of this cluster (%v)", err))
	}
	return nil
}

// probeTimeout bounds the dial of a joining node's raft address.
const probeTimeout = 5 * time.Second

func (n *Node) recordNode(ctx context.Context, id, raftAddr, httpAddr string) error {
	return n.applyCommand(ctx, encodeCommand(opSetNode, []byte(id), []byte(raftAddr), []byte(httpAddr)))
}

// Leave removes a node from the cluster. Removing the leader itself makes
// it step down once the change is committed. It must run on the leader.
func (n *Node) Leave(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("%w: a leave needs the node's ID", ErrBadRequest)
	}
	if !n.IsLeader() {
		return n.notLeader()
	}
	cf := n.raft.GetConfiguration()
	if err := cf.Error(); err != nil {
		return n.raftError(err)
	}
	found := false
	for _, s := range cf.Configuration().Servers {
		found = found || s.ID == raft.ServerID(id)
	}
	if !found {
		return fmt.Errorf("%w: no node %q in the cluster (ksmart state status lists them)", ErrBadRequest, id)
	}
	if err := n.applyCommand(ctx, encodeCommand(opRemoveNode, []byte(id))); err != nil {
		return err
	}
	if err := n.raft.RemoveServer(raft.ServerID(id), 0, n.applyTimeout()).Error(); err != nil {
		return n.raftError(err)
	}
	n.logger.Info("node left", "id", id)
	return nil
}

// Ship commits a batch of a body's encoded events (store.Event.Encode) and
// returns the state's head for the body. A batch the state already holds
// is acknowledged again without a raft entry (Ack.Duplicate), on any node.
// Otherwise it must run on the leader (ErrNotLeader). Refusals: ErrBadBatch
// or ErrTooLarge before raft, ErrGap or ErrFork (Ack.Fork) by the FSM; in
// each case nothing was applied. If the context ends or leadership is lost
// while waiting, the batch may or may not have been committed: resend it.
func (n *Node) Ship(ctx context.Context, code string, events [][]byte) (Ack, error) {
	if n.closed.Load() {
		return Ack{}, ErrClosed
	}
	if err := CheckBodyCode(code); err != nil {
		return Ack{}, err
	}
	evs, err := checkBatch(events)
	if err != nil {
		return Ack{Body: code}, err
	}
	if ack, ok := n.fsm.duplicate(code, evs); ok {
		return ack, nil
	}
	if !n.IsLeader() {
		return Ack{Body: code}, n.notLeader()
	}
	res, err := n.apply(ctx, ShipCommand(code, events))
	if err != nil {
		return Ack{Body: code}, err
	}
	return res.ack, res.err
}

// ShipReplica is Ship for a batch whose events carry their change sets
// (store.ReadReplica): changes[i] is event i's, empty for none. The state
// keeps each change set exactly as shipped with the event the first time
// it applies it; a resend or an overlap never changes one. The limits are
// MaxBatchEvents and MaxBatchBytes for a batch, and MaxRecordBytes for a
// batch of one event (a write that carried a big upload).
func (n *Node) ShipReplica(ctx context.Context, code string, events, changes [][]byte) (Ack, error) {
	if n.closed.Load() {
		return Ack{}, ErrClosed
	}
	if err := CheckBodyCode(code); err != nil {
		return Ack{}, err
	}
	evs, err := checkReplica(events, changes)
	if err != nil {
		return Ack{Body: code}, err
	}
	if ack, ok := n.fsm.duplicate(code, evs); ok {
		return ack, nil
	}
	if !n.IsLeader() {
		return Ack{Body: code}, n.notLeader()
	}
	res, err := n.apply(ctx, encodeShipReplica(code, events, changes))
	if err != nil {
		return Ack{Body: code}, err
	}
	return res.ack, res.err
}

// ReadReplica returns up to limit events of a body's log from sequence
// from on with their change sets, as this node holds them.
func (n *Node) ReadReplica(code string, from uint64, limit int) ([]store.Event, [][]byte, error) {
	return n.fsm.ReadReplica(code, from, limit)
}

// applyCommand commits a command and returns the FSM's error for it.
func (n *Node) applyCommand(ctx context.Context, cmd []byte) error {
	res, err := n.apply(ctx, cmd)
	if err != nil {
		return err
	}
	return res.err
}

func (n *Node) apply(ctx context.Context, cmd []byte) (*applyResult, error) {
	timeout := n.applyTimeout()
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	f := n.raft.Apply(cmd, timeout)
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		if err != nil {
			return nil, n.raftError(err)
		}
	case <-ctx.Done():
		return nil, fmt.Errorf("%w; the batch may or may not be committed: resend it (resends are harmless)", ctx.Err())
	}
	res, ok := f.Response().(*applyResult)
	if !ok || res == nil {
		return nil, fmt.Errorf("replication: no result for raft entry %d", f.Index())
	}
	return res, nil
}

// raftError turns raft's errors into this package's.
func (n *Node) raftError(err error) error {
	switch {
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		return n.notLeader()
	case errors.Is(err, raft.ErrLeadershipLost):
		return fmt.Errorf("%w: leadership was lost while committing; the write may or may not be committed: resend it", ErrNotLeader)
	case errors.Is(err, raft.ErrRaftShutdown):
		return ErrClosed
	case errors.Is(err, raft.ErrEnqueueTimeout):
		return fmt.Errorf("%w: the leader is overloaded (timed out queueing the write); retry", ErrNoLeader)
	}
	return err
}

func (n *Node) notLeader() error {
	id, _, httpAddr := n.Leader()
	if id == "" {
		return fmt.Errorf("%w: no leader is elected at the moment; retry in a few seconds", ErrNoLeader)
	}
	return fmt.Errorf("%w: node %s is a follower; the leader is %s (%s)", ErrNotLeader, n.cfg.ID, id, httpAddr)
}

// forwardStall is how long a follower waits for the leader to start
// answering a forwarded request; below the Client's NodeTimeout, so that
// the caller hears "no leader, retry" from this node rather than giving up
// on it.
const forwardStall = 2 * time.Second

func (n *Node) applyTimeout() time.Duration { return orDuration(n.cfg.ApplyTimeout, 10*time.Second) }

// Barrier waits until this node, the leader, has applied every entry
// committed before the call, so that its reads reflect every acknowledged
// write. It returns ErrNotLeader on a follower.
func (n *Node) Barrier(ctx context.Context) error {
	timeout := n.applyTimeout()
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	if err := n.raft.Barrier(timeout).Error(); err != nil {
		return n.raftError(err)
	}
	return nil
}

// Head returns the last sequence number and hash this node holds of a
// body's log (0, nil for a body that has shipped nothing). It may trail
// the leader.
func (n *Node) Head(code string) (uint64, []byte, error) { return n.fsm.Head(code) }

// ReadLog returns up to limit events of a body's log from sequence from on,
// as this node holds them.
func (n *Node) ReadLog(code string, from uint64, limit int) ([]store.Event, error) {
	return n.fsm.ReadLog(code, from, limit)
}

// Bodies returns what this node holds of every body, by code.
func (n *Node) Bodies() ([]BodyInfo, error) { return n.fsm.Bodies() }

// Forks returns every fork recorded, by body and sequence.
func (n *Node) Forks() ([]Fork, error) { return n.fsm.Forks("") }

// FSM returns the node's state machine, for its read API and subscriptions
// (an Extension's: the state view).
func (n *Node) FSM() *FSM { return n.fsm }

// Certificate returns the node's own certificate, as now in use.
func (n *Node) Certificate() *x509.Certificate { return n.cfg.Identity.Certificate() }

// ReloadCertificate reads the node's certificate, key and CA files again
// (Identity.Reload) and uses them from the next handshake on, on the raft
// transport and the API: ksmart state run calls it on SIGHUP.
func (n *Node) ReloadCertificate() error {
	if err := n.cfg.Identity.Reload(); err != nil {
		return err
	}
	c := n.cfg.Identity.Certificate()
	n.logger.Info("certificate reloaded", "serial", n.cfg.Identity.Serial(), "expires", c.NotAfter.Format(time.DateOnly))
	n.warnExpiry()
	n.fwd.CloseIdleConnections()
	// A CA taken out of the trusted set takes the raft connections it
	// vouched for with it; raft dials again with what is trusted now.
	if s, ok := n.tlsStream(); ok {
		if dropped := s.dropUntrusted(n.cfg.Identity.pool()); dropped > 0 {
			n.logger.Info("dropped raft connections whose peer's CA is no longer trusted", "connections", dropped)
		}
	}
	return nil
}

// warnExpiry logs a warning when the node's certificate expires within
// ExpiryWarning.
func (n *Node) warnExpiry() {
	c := n.cfg.Identity.Certificate()
	if left := time.Until(c.NotAfter); left < ExpiryWarning {
		n.logger.Warn("this node's certificate expires soon: issue a new one, put it in place of --cert and --key, and send SIGHUP",
			"serial", n.cfg.Identity.Serial(), "expires", c.NotAfter.Format(time.DateOnly), "days_left", DaysLeft(c.NotAfter, time.Now()))
	}
}

// ID returns the node's raft server ID.
func (n *Node) ID() string { return n.cfg.ID }

// Dir returns the node's data directory. An Extension may keep files of
// its own in a directory of it that the node does not use (the state
// view's stateindex/ and figures/).
func (n *Node) Dir() string { return n.cfg.Dir }

// RaftAddr returns the raft address peers dial.
func (n *Node) RaftAddr() string { return string(n.trans.LocalAddr()) }

// HTTPAddr returns the address of the node's HTTPS API ("" when it has
// none).
func (n *Node) HTTPAddr() string {
	if n.cfg.HTTPAdvertise != "" {
		return n.cfg.HTTPAdvertise
	}
	if n.httpLn == nil {
		return ""
	}
	return n.httpLn.Addr().String()
}

// IsLeader reports whether this node is the leader.
func (n *Node) IsLeader() bool { return n.raft.State() == raft.Leader }

// Leader returns the leader's ID, raft address and HTTP address as this
// node knows them; empty when there is no leader (or its HTTP address is
// not recorded yet).
func (n *Node) Leader() (id, raftAddr, httpAddr string) {
	addr, sid := n.raft.LeaderWithID()
	if sid == "" {
		return "", "", ""
	}
	info, _ := n.fsm.node(string(sid))
	return string(sid), string(addr), info.HTTPAddr
}

// WaitForLeader waits until this node knows a leader and returns its ID.
func (n *Node) WaitForLeader(timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, id := n.raft.LeaderWithID(); id != "" {
			return string(id), nil
		}
		select {
		case <-deadline.C:
			return "", fmt.Errorf("%w: none elected within %s", ErrNoLeader, timeout)
		case <-tick.C:
		}
	}
}

// Server is one member of the raft configuration.
type Server struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	HTTPAddr string `json:"http_addr,omitempty"`
	Voter    bool   `json:"voter"`
	Leader   bool   `json:"leader"`
}

// Stats is a node's view of the cluster and its state, for `ksmart state
// status` and the state pages.
type Stats struct {
	ID                string   `json:"id"`
	State             string   `json:"state"` // Leader, Follower, Candidate, Shutdown
	LeaderID          string   `json:"leader_id"`
	LeaderHTTP        string   `json:"leader_http"`
	Term              uint64   `json:"term"`
	FirstLogIndex     uint64   `json:"first_log_index"` // raft's log starts here: a follower that lacks an entry before it installs a snapshot
	LastLogIndex      uint64   `json:"last_log_index"`
	CommitIndex       uint64   `json:"commit_index"`
	AppliedIndex      uint64   `json:"applied_index"`
	LastSnapshotIndex uint64   `json:"last_snapshot_index"`
	LastContact       string   `json:"last_contact"`
	Servers           []Server `json:"servers"`
	Bodies            int      `json:"bodies"`
	Events            uint64   `json:"events"`
	Forks             int      `json:"forks"`
	FSM               FSMStats `json:"fsm"`
}

// Stats returns the node's view of the cluster.
func (n *Node) Stats() Stats {
	rs := n.raft.Stats()
	u := func(k string) uint64 { v, _ := strconv.ParseUint(rs[k], 10, 64); return v }
	s := Stats{ID: n.cfg.ID, State: rs["state"], Term: u("term"), LastLogIndex: u("last_log_index"),
		CommitIndex: u("commit_index"), AppliedIndex: u("applied_index"), LastSnapshotIndex: u("last_snapshot_index"),
		LastContact: rs["last_contact"], FSM: n.fsm.Stats()}
	s.FirstLogIndex, _ = n.logStore.FirstIndex()
	s.LeaderID, _, s.LeaderHTTP = n.Leader()
	nodes, _ := n.fsm.Nodes()
	httpOf := map[string]string{}
	for _, nd := range nodes {
		httpOf[nd.ID] = nd.HTTPAddr
	}
	if cf := n.raft.GetConfiguration(); cf.Error() == nil {
		for _, sv := range cf.Configuration().Servers {
			s.Servers = append(s.Servers, Server{ID: string(sv.ID), RaftAddr: string(sv.Address), HTTPAddr: httpOf[string(sv.ID)],
				Voter: sv.Suffrage == raft.Voter, Leader: string(sv.ID) == s.LeaderID})
		}
	}
	bodies, _ := n.fsm.Bodies()
	s.Bodies = len(bodies)
	for _, b := range bodies {
		s.Events += b.Events
		s.Forks += b.Forks
	}
	return s
}

// Close stops the node cleanly: it hands leadership to another voter when
// it leads, stops raft, and marks state.db clean so the next start keeps
// it instead of rebuilding it.
func (n *Node) Close() error {
	if !n.closed.CompareAndSwap(false, true) {
		return nil
	}
	if n.raft != nil && n.IsLeader() {
		if err := n.raft.LeadershipTransfer().Error(); err != nil && !errors.Is(err, raft.ErrLeadershipTransferInProgress) {
			n.logger.Info("no leadership transfer before closing", "reason", err)
		}
	}
	return n.closeAll(true)
}

// Shutdown stops the node at once, as a crash would from its peers' point
// of view: no leadership transfer, connections dropped, state.db left
// unclean (the next start rebuilds it from the snapshot and log). For
// tests of failure.
func (n *Node) Shutdown() error {
	if !n.closed.CompareAndSwap(false, true) {
		return nil
	}
	return n.closeAll(false)
}

func (n *Node) closeAll(clean bool) error {
	var errs []error
	if n.httpSrv != nil {
		if clean {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			n.httpSrv.Shutdown(ctx)
			cancel()
		}
		n.httpSrv.Close()
	}
	// Raft first: a Barrier or Apply that watchLeadership waits on then
	// returns at once, and the goroutine keeps draining NotifyCh meanwhile.
	// A snapshot restore fetching from a peer gives up first (its state
	// stays as it was), or raft's shutdown would wait for it.
	if n.fsm != nil {
		n.fsm.stopFetch()
	}
	if n.raft != nil {
		if err := n.raft.Shutdown().Error(); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, n.closeExtension())
	if n.stop != nil {
		close(n.stop)
		n.wg.Wait()
	}
	if n.trans != nil {
		n.trans.Close()
		n.stream.Close() // drop accepted connections too
	}
	if n.fwd != nil {
		n.fwd.CloseIdleConnections()
	}
	if n.rangeClient != nil {
		n.rangeClient.CloseIdleConnections()
	}
	if n.logStore != nil {
		errs = append(errs, n.logStore.Close())
	}
	if n.fsm != nil {
		errs = append(errs, n.fsm.close(clean))
	}
	return errors.Join(errs...)
}

// slogWriter passes raft's (hclog's) lines to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	switch {
	case strings.HasPrefix(line, "[ERROR]"):
		w.l.Error(line)
	case strings.HasPrefix(line, "[WARN]"):
		w.l.Warn(line)
	default:
		w.l.Info(line)
	}
	return len(p), nil
}

var _ io.Writer = slogWriter{}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func orUint(v, def uint64) uint64 {
	if v == 0 {
		return def
	}
	return v
}
