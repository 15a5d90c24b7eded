package replication

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	bolterrors "go.etcd.io/bbolt/errors"

	bolt "go.etcd.io/bbolt"
)

// RecoverResult is what RecoverCluster did.
type RecoverResult struct {
	Servers   []raft.Server // the node's new cluster configuration
	LastIndex uint64        // the last raft entry kept (all of them are)
	Bodies    int           // local bodies in the state after recovery
}

// RecoverCluster is the way out for a cluster that lost quorum for good
// (two of three nodes destroyed, a mistyped voter that never answers): on
// a STOPPED node it replaces the raft configuration with servers — by
// default (nil) this node alone, as the only voter — keeping every entry
// of its log and snapshot (raft.RecoverCluster, the peers.json path of
// hashicorp/raft). Started again, the node elects itself (or, with several
// servers, they elect one among them once each was recovered with the same
// list) and takes writes; new nodes then join with fresh data directories.
//
// Only run it on nodes that hold the most recent log among the survivors:
// what a lost node had committed but this one lacks is lost. It refuses a
// node whose data directory is in use, has no raft state, or is not among
// servers.
func RecoverCluster(c Config, servers []raft.Server) (RecoverResult, error) {
	var res RecoverResult
	if c.ID == "" || c.Dir == "" {
		return res, errors.New("give the node's --id and --data directory")
	}
	if servers == nil {
		if c.RaftAddr == "" {
			return res, errors.New("give the node's --raft-addr (the address it runs with), or --peers with the surviving nodes")
		}
		servers = []raft.Server{{Suffrage: raft.Voter, ID: raft.ServerID(c.ID), Address: raft.ServerAddress(c.RaftAddr)}}
	}
	found := false
	for _, s := range servers {
		found = found || (s.ID == raft.ServerID(c.ID) && s.Suffrage == raft.Voter)
	}
	if !found {
		return res, fmt.Errorf("node %s is not a voter in the new configuration; list it in --peers, or recover on the node that is", c.ID)
	}
	logPath := filepath.Join(c.Dir, raftDir, raftLogFile)
	if _, err := os.Stat(logPath); err != nil {
		return res, fmt.Errorf("%s holds no raft log (%v): is --data the directory of a state node?", c.Dir, err)
	}
	logs, err := raftboltdb.New(raftboltdb.Options{Path: logPath, BoltOptions: &bolt.Options{Timeout: time.Second, NoFreelistSync: true}})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return res, fmt.Errorf("%s is in use: stop ksmart state run on this node first", c.Dir)
		}
		return res, fmt.Errorf("open the raft log: %w", err)
	}
	defer logs.Close()
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hlog := hclog.New(&hclog.LoggerOptions{Name: "raft", Level: hclog.Warn, Output: slogWriter{logger}, DisableTime: true})
	snaps, err := raft.NewFileSnapshotStoreWithLogger(filepath.Join(c.Dir, raftDir), 2, hlog.Named("snapshots"))
	if err != nil {
		return res, err
	}
	fsm, err := openFSM(filepath.Join(c.Dir, stateFile), logger)
	if err != nil {
		return res, err
	}
	clean := false
	defer func() { fsm.close(clean) }()
	_, trans := raft.NewInmemTransport(raft.ServerAddress(c.RaftAddr))
	rc := RaftConfig(c)
	rc.Logger = hlog
	conf := raft.Configuration{Servers: servers}
	if err := raft.RecoverCluster(rc, releasingFSM{fsm}, logs, logs, snaps, trans, conf); err != nil {
		return res, fmt.Errorf("recover: %w", err)
	}
	clean = true
	res.Servers = servers
	res.LastIndex, _ = logs.LastIndex()
	if idx := fsm.AppliedIndex(); idx > res.LastIndex {
		res.LastIndex = idx
	}
	bodies, err := fsm.Bodies()
	if err != nil {
		return res, err
	}
	res.Bodies = len(bodies)
	return res, nil
}

// ReadPeers reads a peers.json file (hashicorp/raft's format: a list of
// {"id", "address", "non_voter"}) for RecoverCluster.
func ReadPeers(path string) ([]raft.Server, error) {
	conf, err := raft.ReadConfigJSON(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v (write it as [{\"id\": \"state1\", \"address\": \"state1.example:7000\"}, …])", path, err)
	}
	return conf.Servers, nil
}

// releasingFSM releases each snapshot once persisted: raft.RecoverCluster
// (v1.8.0) never calls Release, and the FSM's snapshot holds a read
// transaction on state.db until it is released.
type releasingFSM struct{ *FSM }

func (f releasingFSM) Snapshot() (raft.FSMSnapshot, error) {
	s, err := f.FSM.Snapshot()
	if err != nil {
		return nil, err
	}
	return releaseAfterPersist{s}, nil
}

type releaseAfterPersist struct{ raft.FSMSnapshot }

func (s releaseAfterPersist) Persist(sink raft.SnapshotSink) error {
	defer s.FSMSnapshot.Release()
	return s.FSMSnapshot.Persist(sink)
}
