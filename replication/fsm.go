package replication

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"ksmart/store"
)

// Hash is a SHA-256 hash; in JSON it is lower-case hex.
type Hash []byte

// MarshalText writes the hash as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

// UnmarshalText reads a hex hash.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	*h = v
	return err
}

// String returns the hash as hex.
func (h Hash) String() string { return hex.EncodeToString(h) }

// BodyInfo is what the state holds of one local body's log.
type BodyInfo struct {
	Code      string    `json:"code"`
	LastSeq   uint64    `json:"last_seq"`            // the head: the last event the state holds
	LastHash  Hash      `json:"last_hash,omitempty"` // its hash
	Events    uint64    `json:"events"`              // events held (LastSeq: logs start at 1 and have no gaps)
	Bytes     uint64    `json:"bytes"`               // their encoded size
	FirstTime time.Time `json:"first_time,omitzero"` // time of the body's first event, by its clock
	LastTime  time.Time `json:"last_time,omitzero"`  // time of its last event, by its clock
	Updated   time.Time `json:"updated,omitzero"`    // when the state last applied a batch (the raft leader's clock)
	Forks     int       `json:"forks"`               // forks recorded and not yet resolved
	// Bound is the first event that bound its write's change set into the
	// chain (store schema 3); from it on, a change set must be bound.
	Bound uint64 `json:"bound,omitempty"`
	// UpdatedIndex is the raft entry that last applied a batch of the
	// body's: a fork met at an earlier entry is behind a body that has
	// since shipped events continuing the state's log (ResolveFork).
	UpdatedIndex uint64 `json:"updated_index,omitempty"`
}

// Fork is a batch the state refused because it does not continue what the
// state holds of the body's log: at AtSeq the body's event (Theirs) and the
// state's (Ours) differ. Resends of the same fork update LastSeen and
// Attempts rather than add records.
type Fork struct {
	Body       string    `json:"body"`
	AtSeq      uint64    `json:"at_seq"`
	Theirs     Hash      `json:"theirs"`
	Ours       Hash      `json:"ours"`
	Reason     string    `json:"reason"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	Attempts   int       `json:"attempts"`
	RaftIndex  uint64    `json:"raft_index"` // the raft entry that first met it
	StateHead  uint64    `json:"state_head"` // the state's head for the body then
	BatchFirst uint64    `json:"batch_first"`
	BatchLast  uint64    `json:"batch_last"`
	// LastRaftIndex is the raft entry that last met it.
	LastRaftIndex uint64 `json:"last_raft_index,omitempty"`
	// Resolved is set once state IT recorded the fork as resolved
	// (ResolveFork); Forks no longer lists it, ResolvedForks does.
	Resolved *ForkResolution `json:"resolved,omitempty"`
}

// NodeInfo is a state node's addresses, as the cluster knows them.
type NodeInfo struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	HTTPAddr string `json:"http_addr"`
}

// Ack is the state's answer to a shipped batch: where the body's log now
// ends in the state, and what this batch did.
type Ack struct {
	Body      string `json:"body"`
	Head      uint64 `json:"head"`                // the last event the state holds for the body
	HeadHash  Hash   `json:"head_hash,omitempty"` // its hash
	Applied   int    `json:"applied"`             // events of this batch newly applied
	Duplicate bool   `json:"duplicate,omitempty"` // every event of the batch was already held
	Fork      *Fork  `json:"fork,omitempty"`      // set with ErrFork
	Index     uint64 `json:"index,omitempty"`     // the raft entry that decided it (0 for a duplicate answered without raft)
}

// applyResult is what the FSM returns for one raft entry; Node.Ship
// receives it through the ApplyFuture on the leader.
type applyResult struct {
	ack   Ack
	err   error
	value any // what a command other than a ship answers (a *RevokeResult)
}

// FSM is the state cluster's replicated state machine: every local body's
// log, a record of each body's head, the forks refused, and the cluster's
// node addresses, in one bbolt file. Raft calls ApplyBatch, Snapshot and
// Restore; everything else is the read API, safe to call concurrently from
// any goroutine, on any node (reads see what this node has applied, which on
// a follower may trail the leader by a little).
type FSM struct {
	path   string
	logger *slog.Logger

	mu sync.RWMutex // held for reading around every use of db; Restore takes it to swap the file
	db *bolt.DB

	reused bool // the file was kept from a clean close; see openFSM

	subMu     sync.RWMutex
	onApplied []func(code string, events []store.Event)
	onRestore []func()
	onRevoke  []func(Revocation)

	pki atomic.Pointer[pkiState] // the register and revocations, as of the last commit

	applied   atomic.Uint64
	restores  atomic.Uint64
	snapshots atomic.Uint64

	// self names this node in the manifests it takes; sources, set by the
	// Node, gives the peers a restore fetches missing events from.
	self    string
	sources func(m *manifest) []rangeSource
	// fetching ends when the node stops, so that a restore waiting on a
	// peer does not hold raft's shutdown.
	fetching  context.Context
	stopFetch context.CancelFunc
	// live is set once raft has started: from then on a snapshot Restore
	// reads came from the leader and count as received.
	live         atomic.Bool
	snapReceived atomic.Uint64 // bytes received to install snapshots: raft's streams and the ranges fetched
	snapSent     atomic.Uint64 // bytes sent for other nodes' installs: raft's streams and the ranges served
}

// fsmOptions open the FSM's bbolt file. Every commit is synced: a snapshot
// is a manifest that refers to the logs in this file rather than a copy of
// them, so the file must survive a crash (DESIGN.md, "state.db is durable").
var fsmOptions = &bolt.Options{
	Timeout:        time.Second,
	NoFreelistSync: true,
	// The log is appended and read in runs: large pages mean fewer, larger
	// writes per commit (about 1.5× the apply rate of 4 KiB pages).
	PageSize:     64 << 10,
	FreelistType: bolt.FreelistMapType,
	// A snapshot holds a read transaction for as long as it streams; a
	// write that must grow the memory map waits for it. Mapping 1 GiB
	// up front (address space, not memory) keeps that rare.
	InitialMmapSize: 1 << 30,
}

// openFSM opens the FSM file at path. A durable file (synced on every
// commit, marked "durable") is kept after a crash as after a clean close,
// and so is a file of the first releases closed cleanly (its "clean" mark
// set by close); any other file — one of those releases after a crash,
// unreadable, or of a newer schema — is removed and started afresh, to be
// rebuilt by raft from its snapshot and log.
func openFSM(path string, logger *slog.Logger) (*FSM, error) {
	f := &FSM{path: path, logger: logger}
	f.fetching, f.stopFetch = context.WithCancel(context.Background())
	if _, err := os.Stat(path); err == nil {
		db, reused, err := reopenClean(path)
		if err != nil {
			return nil, err
		}
		if reused {
			f.db, f.reused = db, true
			f.applied.Store(appliedIndex(db))
			if err := f.loadPKI(db); err != nil {
				db.Close()
				return nil, err
			}
			return f, nil
		}
		logger.Info("state.db was not closed cleanly by a release that did not sync it, or cannot be read; rebuilding it from raft's snapshot and log", "path", path)
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	db, err := createFSMFile(path)
	if err != nil {
		return nil, err
	}
	f.db = db
	if err := f.loadPKI(db); err != nil {
		db.Close()
		return nil, err
	}
	return f, nil
}

// reopenClean opens an existing file and reports whether it may be kept.
func reopenClean(path string) (*bolt.DB, bool, error) {
	db, err := bolt.Open(path, 0o600, fsmOptions)
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, false, fmt.Errorf("%s is in use by another process (is another ksmart state running on this directory?)", path)
		}
		return nil, false, nil // unreadable: rebuild
	}
	keep := false
	err = db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil {
			return nil
		}
		c, d := m.Get(keyClean), m.Get(keyDurable)
		clean, durable := len(c) == 1 && c[0] == 1, len(d) == 1 && d[0] == 1
		if (!clean && !durable) || !knownSchema(tx) {
			return nil
		}
		keep = true
		if err := migrate(tx); err != nil {
			return err
		}
		if err := m.Put(keyDurable, []byte{1}); err != nil {
			return err
		}
		return m.Put(keyClean, []byte{0})
	})
	if err != nil || !keep {
		db.Close()
		return nil, false, nil
	}
	return db, true, nil
}

// migrations are the schema changes, in order: migrations[i] takes a file
// of schema i+1 to schema i+2. Each is idempotent, and deterministic, so
// that every node migrates the same snapshot alike.
var migrations = []func(tx *bolt.Tx) error{
	// 1 → 2: each event's change set, per body.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketChanges)
		return err
	},
	// 2 → 3: the certificates known and those revoked.
	func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketCerts); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketRevoked)
		return err
	},
}

// fileSchema returns the schema version a file says it has (0 if none).
func fileSchema(tx *bolt.Tx) uint64 {
	m := tx.Bucket(bucketMeta)
	if m == nil {
		return 0
	}
	s := m.Get(keySchema)
	if len(s) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(s)
}

// knownSchema reports whether this code can read (and migrate) the file.
func knownSchema(tx *bolt.Tx) bool {
	v := fileSchema(tx)
	return v >= 1 && v <= schemaVersion
}

// migrate brings a file of a known schema to schemaVersion.
func migrate(tx *bolt.Tx) error {
	for v := fileSchema(tx); v < schemaVersion; v++ {
		if err := migrations[v-1](tx); err != nil {
			return fmt.Errorf("migrate state.db from schema %d: %w", v, err)
		}
		if err := tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, v+1)); err != nil {
			return err
		}
	}
	return nil
}

func createFSMFile(path string) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, fsmOptions)
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range topBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		m := tx.Bucket(bucketMeta)
		if err := m.Put(keySchema, binary.BigEndian.AppendUint64(nil, schemaVersion)); err != nil {
			return err
		}
		if err := m.Put(keyDurable, []byte{1}); err != nil {
			return err
		}
		return m.Put(keyClean, []byte{0})
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// close closes the file. With clean set it first marks it clean (which
// only the logs and status say now: a durable file is kept either way).
func (f *FSM) close(clean bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.db == nil {
		return nil
	}
	if clean {
		if err := f.db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Put(keyClean, []byte{1})
		}); err != nil {
			f.logger.Error("could not mark state.db clean; it will be rebuilt at the next start", "error", err)
		}
	}
	err := f.db.Close()
	f.db = nil
	return err
}

func appliedIndex(db *bolt.DB) uint64 {
	var idx uint64
	db.View(func(tx *bolt.Tx) error {
		idx, _ = readApplied(tx)
		return nil
	})
	return idx
}

func readApplied(tx *bolt.Tx) (index, term uint64) {
	v := tx.Bucket(bucketMeta).Get(keyApplied)
	if len(v) != 16 {
		return 0, 0
	}
	return binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])
}

// view runs fn in a read transaction on the current file.
func (f *FSM) view(fn func(tx *bolt.Tx) error) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.db == nil {
		return ErrClosed
	}
	return f.db.View(fn)
}

// Apply applies one raft entry. Raft calls ApplyBatch instead; Apply is
// here for the FSM interface.
func (f *FSM) Apply(l *raft.Log) interface{} {
	return f.ApplyBatch([]*raft.Log{l})[0]
}

// ApplyBatch applies raft entries in one bbolt transaction, with the index
// and term of the last one. Entries at or below the index the file already
// holds are skipped (raft replays them after a restart). A command that
// does not decode stops the node: its peers applied it, so skipping it
// would make this node's state differ from theirs.
func (f *FSM) ApplyBatch(logs []*raft.Log) []interface{} {
	resps := make([]interface{}, len(logs))
	type appliedEvents struct {
		code string
		raws [][]byte
	}
	var done []appliedEvents
	var lastIndex uint64
	var revoked []Revocation
	pkiChanged := false

	f.mu.RLock()
	defer f.mu.RUnlock()
	err := f.db.Update(func(tx *bolt.Tx) error {
		done, revoked, pkiChanged = done[:0], revoked[:0], false
		st := &applyTx{tx: tx, bodies: map[string]*BodyInfo{}}
		prevIndex, _ := readApplied(tx)
		lastIndex = prevIndex
		var lastTerm uint64
		for i, l := range logs {
			if l.Index <= prevIndex {
				continue
			}
			lastIndex, lastTerm = l.Index, l.Term
			if l.Type != raft.LogCommand {
				continue
			}
			cmd, err := decodeCommand(l.Data)
			if err != nil {
				panic(fmt.Sprintf("replication: raft entry %d does not decode (%v): the raft log is damaged or was written by a newer ksmart; upgrade this node", l.Index, err))
			}
			at := l.AppendedAt.UTC().Round(0)
			switch cmd.op {
			case opShip:
				if len(cmd.args) < 1 {
					panic(fmt.Sprintf("replication: raft entry %d: ship without a body code", l.Index))
				}
				code := string(cmd.args[0])
				res, tail, err := st.ship(code, cmd.args[1:], nil, at, l.Index)
				if err != nil {
					return err
				}
				resps[i] = res
				if len(tail) > 0 {
					done = append(done, appliedEvents{code, tail})
				}
			case opShipReplica:
				if len(cmd.args) < 1 || len(cmd.args)%2 != 1 {
					panic(fmt.Sprintf("replication: raft entry %d: ship-replica with %d arguments (a body code, then pairs of event and change set)", l.Index, len(cmd.args)))
				}
				code := string(cmd.args[0])
				raws := make([][]byte, 0, len(cmd.args)/2)
				changes := make([][]byte, 0, len(cmd.args)/2)
				for j := 1; j < len(cmd.args); j += 2 {
					raws, changes = append(raws, cmd.args[j]), append(changes, cmd.args[j+1])
				}
				res, tail, err := st.ship(code, raws, changes, at, l.Index)
				if err != nil {
					return err
				}
				resps[i] = res
				if len(tail) > 0 {
					done = append(done, appliedEvents{code, tail})
				}
			case opSetNode:
				if len(cmd.args) != 3 {
					panic(fmt.Sprintf("replication: raft entry %d: set-node with %d arguments", l.Index, len(cmd.args)))
				}
				n := NodeInfo{ID: string(cmd.args[0]), RaftAddr: string(cmd.args[1]), HTTPAddr: string(cmd.args[2])}
				v, _ := json.Marshal(n)
				if err := tx.Bucket(bucketNodes).Put([]byte(n.ID), v); err != nil {
					return err
				}
				resps[i] = &applyResult{}
			case opRemoveNode:
				if len(cmd.args) != 1 {
					panic(fmt.Sprintf("replication: raft entry %d: remove-node with %d arguments", l.Index, len(cmd.args)))
				}
				if err := tx.Bucket(bucketNodes).Delete(cmd.args[0]); err != nil {
					return err
				}
				resps[i] = &applyResult{}
			case opRecordCerts:
				changed, err := applyRecordCerts(tx, cmd.args, at)
				if err != nil {
					return err
				}
				pkiChanged = pkiChanged || changed
				resps[i] = &applyResult{}
			case opRevoke:
				if len(cmd.args) != 5 {
					panic(fmt.Sprintf("replication: raft entry %d: revoke with %d arguments", l.Index, len(cmd.args)))
				}
				res, r, err := applyRevoke(tx, cmd.args, at, l.Index)
				if err != nil {
					return err
				}
				if r != nil {
					revoked, pkiChanged = append(revoked, *r), true
				}
				resps[i] = res
			case opResolveFork:
				if len(cmd.args) != 4 {
					panic(fmt.Sprintf("replication: raft entry %d: resolve-fork with %d arguments", l.Index, len(cmd.args)))
				}
				res, err := st.resolveFork(cmd.args, at, l.Index)
				if err != nil {
					return err
				}
				resps[i] = res
			default:
				panic(fmt.Sprintf("replication: raft entry %d holds %v, which this ksmart does not know: upgrade this node", l.Index, cmd.op))
			}
		}
		if err := st.flush(); err != nil {
			return err
		}
		if lastIndex == prevIndex {
			return nil
		}
		v := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(make([]byte, 0, 16), lastIndex), lastTerm)
		return tx.Bucket(bucketMeta).Put(keyApplied, v)
	})
	if err != nil {
		// The raft log holds the entries; a node that cannot write its
		// state (disk full, I/O error) must stop rather than diverge.
		panic(fmt.Sprintf("replication: cannot write state.db: %v", err))
	}
	f.applied.Store(lastIndex)
	if pkiChanged {
		if err := f.loadPKI(f.db); err != nil {
			panic(fmt.Sprintf("replication: %v", err))
		}
	}
	f.subMu.RLock()
	subs := f.onApplied
	revSubs := f.onRevoke
	f.subMu.RUnlock()
	for _, r := range revoked {
		for _, fn := range revSubs {
			fn(r)
		}
	}
	if len(subs) > 0 {
		for _, d := range done {
			evs := make([]store.Event, len(d.raws))
			for i, raw := range d.raws {
				var err error
				if evs[i], err = store.DecodeEvent(raw); err != nil {
					panic(fmt.Sprintf("replication: an applied event does not decode: %v", err)) // checked before it was applied
				}
			}
			for _, fn := range subs {
				fn(d.code, evs)
			}
		}
	}
	return resps
}

// applyTx applies ship commands within one bbolt transaction, keeping each
// touched body's record in memory until flush.
type applyTx struct {
	tx     *bolt.Tx
	bodies map[string]*BodyInfo
}

func (st *applyTx) body(code string) (*BodyInfo, error) {
	if b, ok := st.bodies[code]; ok {
		return b, nil
	}
	b := &BodyInfo{Code: code}
	if v := st.tx.Bucket(bucketBodies).Get([]byte(code)); v != nil {
		if err := json.Unmarshal(v, b); err != nil {
			return nil, fmt.Errorf("body record %s: %w", code, err)
		}
	}
	st.bodies[code] = b
	return b, nil
}

func (st *applyTx) flush() error {
	bb := st.tx.Bucket(bucketBodies)
	for code, b := range st.bodies {
		if b.LastSeq == 0 && b.Forks == 0 {
			continue // only looked at
		}
		v, err := json.Marshal(b)
		if err != nil {
			return err
		}
		if err := bb.Put([]byte(code), v); err != nil {
			return err
		}
	}
	return nil
}

// storedHash returns the hash of the state's event seq of a body's log:
// the last 32 bytes of the stored event.
func storedHash(lb *bolt.Bucket, seq uint64) []byte {
	if lb == nil {
		return nil
	}
	v := lb.Get(seqKey(seq))
	if len(v) < sha256.Size {
		return nil
	}
	return bytes.Clone(v[len(v)-sha256.Size:])
}

// ship decides a batch against the body's chain: apply what continues it,
// acknowledge what it already holds, refuse and record a fork. changes,
// when not nil, holds each event's change set (opShipReplica); those of
// the events newly applied are kept, and those of events already held are
// ignored, so a resend never changes what the state keeps. It returns the
// encoded events newly applied. The error it returns is a failure to
// write; a refusal is in the result.
func (st *applyTx) ship(code string, raws, changes [][]byte, at time.Time, index uint64) (*applyResult, [][]byte, error) {
	refuse := func(err error) *applyResult { return &applyResult{ack: Ack{Body: code, Index: index}, err: err} }
	if err := CheckBodyCode(code); err != nil {
		return refuse(err), nil, nil
	}
	var evs []eventView
	var err error
	if changes != nil {
		evs, err = checkReplica(raws, changes)
	} else {
		evs, err = checkBatch(raws)
	}
	if err != nil {
		return refuse(err), nil, nil
	}
	b, err := st.body(code)
	if err != nil {
		return nil, nil, err
	}
	lb := st.tx.Bucket(bucketLog).Bucket([]byte(code))
	first, last := evs[0].Seq, evs[len(evs)-1].Seq
	ack := func() Ack {
		return Ack{Body: code, Head: b.LastSeq, HeadHash: bytes.Clone(b.LastHash), Index: index}
	}

	if first > b.LastSeq+1 {
		a := ack()
		return &applyResult{ack: a, err: fmt.Errorf("%w: body %s sent events %d-%d but the state holds only up to %d; nothing was applied; send from event %d", ErrGap, code, first, last, b.LastSeq, b.LastSeq+1)}, nil, nil
	}
	// The overlap first..min(last, head) must be what the state holds;
	// comparing hashes compares contents and everything before them.
	if first <= b.LastSeq {
		end := min(last, b.LastSeq)
		if !bytes.Equal(storedHash(lb, end), evs[end-first].Hash) {
			at0 := first
			for s := first; s <= end; s++ {
				if !bytes.Equal(storedHash(lb, s), evs[s-first].Hash) {
					at0 = s
					break
				}
			}
			fk := Fork{Body: code, AtSeq: at0, Theirs: bytes.Clone(evs[at0-first].Hash), Ours: storedHash(lb, at0),
				Reason: fmt.Sprintf("event %d differs from the state's event %d: the body wrote different events under numbers the state already holds (was it restored from an old backup?)", at0, at0)}
			return st.fork(b, fk, at, index, first, last, ack)
		}
		if last <= b.LastSeq {
			a := ack()
			a.Duplicate = true
			return &applyResult{ack: a}, nil, nil
		}
	} else if first > 1 && !bytes.Equal(evs[0].Prev, b.LastHash) {
		// The batch starts right after the head but does not follow it:
		// the body's event first-1 (whose hash is evs[0].Prev) is not ours.
		fk := Fork{Body: code, AtSeq: first - 1, Theirs: bytes.Clone(evs[0].Prev), Ours: bytes.Clone(b.LastHash),
			Reason: fmt.Sprintf("event %d does not follow the state's event %d: the body's event %d differs from the state's (was it restored from an old backup?)", first, first-1, first-1)}
		return st.fork(b, fk, at, index, first, last, ack)
	}

	tail := evs[b.LastSeq+1-first:]
	rawTail := raws[b.LastSeq+1-first:]
	bound := b.Bound
	if changes != nil {
		// Each change set must be the one its event binds, before anything
		// is written: a refusal writes nothing.
		tailChanges := changes[b.LastSeq+1-first:]
		for i, ev := range tail {
			if err := checkBound(ev, tailChanges[i], bound > 0); err != nil {
				return refuse(err), nil, nil
			}
			if bound == 0 && len(ev.Changes) > 0 {
				bound = ev.Seq
			}
		}
	}
	if lb == nil {
		if lb, err = st.tx.Bucket(bucketLog).CreateBucket([]byte(code)); err != nil {
			return nil, nil, err
		}
	}
	lb.FillPercent = 1 // keys only ever grow: pack pages full
	for i, ev := range tail {
		if err := lb.Put(seqKey(ev.Seq), rawTail[i]); err != nil {
			return nil, nil, err
		}
		b.Bytes += uint64(len(rawTail[i]))
	}
	if changes != nil {
		if err := st.putChanges(code, tail, changes[b.LastSeq+1-first:]); err != nil {
			return nil, nil, err
		}
	}
	if b.LastSeq == 0 {
		b.FirstTime = tail[0].Time
	}
	lastEv := tail[len(tail)-1]
	b.Bound, b.UpdatedIndex = bound, index
	b.LastSeq, b.LastHash, b.Events = lastEv.Seq, bytes.Clone(lastEv.Hash), lastEv.Seq
	b.LastTime, b.Updated = lastEv.Time, at
	a := ack()
	a.Applied = len(tail)
	return &applyResult{ack: a}, rawTail, nil
}

// putChanges keeps the change sets of newly applied events, the non-empty
// ones, under changes/<code>.
func (st *applyTx) putChanges(code string, evs []eventView, changes [][]byte) error {
	var cb *bolt.Bucket
	for i, cs := range changes {
		if len(cs) == 0 {
			continue
		}
		if cb == nil {
			var err error
			if cb, err = st.tx.Bucket(bucketChanges).CreateBucketIfNotExists([]byte(code)); err != nil {
				return err
			}
			cb.FillPercent = 1
		}
		if err := cb.Put(seqKey(evs[i].Seq), cs); err != nil {
			return err
		}
	}
	return nil
}

// fork records a refused batch. The same fork met again (same body,
// sequence and their hash) updates its record.
func (st *applyTx) fork(b *BodyInfo, fk Fork, at time.Time, index, first, last uint64, ack func() Ack) (*applyResult, [][]byte, error) {
	fb := st.tx.Bucket(bucketForks)
	key := forkKey(b.Code, fk.AtSeq, fk.Theirs)
	known := fb.Get(key)
	if v := known; v != nil {
		var old Fork
		if err := json.Unmarshal(v, &old); err != nil {
			return nil, nil, err
		}
		old.LastSeen, old.LastRaftIndex = at, index
		old.Attempts++
		old.BatchLast = max(old.BatchLast, last)
		fk = old
	}
	if known == nil || fk.Resolved != nil {
		// New, or met again after it was resolved (the same old backup
		// restored once more): a fork to resolve again.
		fk.Resolved = nil
		fk.FirstSeen, fk.LastSeen, fk.Attempts, fk.RaftIndex, fk.LastRaftIndex = at, at, 1, index, index
		fk.StateHead, fk.BatchFirst, fk.BatchLast = b.LastSeq, first, last
		b.Forks++
	}
	v, err := json.Marshal(fk)
	if err != nil {
		return nil, nil, err
	}
	if err := fb.Put(key, v); err != nil {
		return nil, nil, err
	}
	a := ack()
	a.Fork = &fk
	return &applyResult{ack: a, err: fmt.Errorf("%w: body %s: %s; nothing was applied and the fork is recorded for state IT to resolve (ksmart state status lists forks)", ErrFork, b.Code, fk.Reason)}, nil, nil
}

// duplicate reports whether every event of a checked batch is already
// held, so the batch can be acknowledged without a raft entry. What this
// node's state holds is committed, so the answer is true on any node.
func (f *FSM) duplicate(code string, evs []eventView) (Ack, bool) {
	var a Ack
	ok := false
	f.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBodies).Get([]byte(code))
		if v == nil {
			return nil
		}
		var b BodyInfo
		if json.Unmarshal(v, &b) != nil || evs[len(evs)-1].Seq > b.LastSeq {
			return nil
		}
		last := evs[len(evs)-1]
		if !bytes.Equal(storedHash(tx.Bucket(bucketLog).Bucket([]byte(code)), last.Seq), last.Hash) {
			return nil
		}
		a, ok = Ack{Body: code, Head: b.LastSeq, HeadHash: b.LastHash, Duplicate: true}, true
		return nil
	})
	return a, ok
}

// OnApplied registers fn to be called with the events newly applied for a
// body, after they are committed to this node's state, in log order. It
// runs on raft's apply goroutine: it must return quickly (hand the events
// to a channel) and must not call back into the node's writes. It is not
// called for what a snapshot restore brings in; see OnRestore.
func (f *FSM) OnApplied(fn func(code string, events []store.Event)) {
	f.subMu.Lock()
	defer f.subMu.Unlock()
	f.onApplied = append(f.onApplied, fn)
}

// OnRestore registers fn to be called after the state was replaced by a
// snapshot (a follower that fell too far behind). A reader that follows
// OnApplied should then compare its position with Bodies and read what it
// missed with ReadLog.
func (f *FSM) OnRestore(fn func()) {
	f.subMu.Lock()
	defer f.subMu.Unlock()
	f.onRestore = append(f.onRestore, fn)
}

// AppliedIndex is the index of the last raft entry in this node's state.
func (f *FSM) AppliedIndex() uint64 { return f.applied.Load() }

// Head returns the last sequence number and hash this node holds for a
// body; 0 and nil for a body that has shipped nothing.
func (f *FSM) Head(code string) (uint64, []byte, error) {
	b, _, err := f.Body(code)
	return b.LastSeq, b.LastHash, err
}

// Body returns what this node holds of a body's log, and whether it holds
// anything.
func (f *FSM) Body(code string) (BodyInfo, bool, error) {
	b := BodyInfo{Code: code}
	found := false
	err := f.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBodies).Get([]byte(code))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &b)
	})
	return b, found, err
}

// Bodies returns every body the state holds, by code.
func (f *FSM) Bodies() ([]BodyInfo, error) {
	var out []BodyInfo
	err := f.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBodies).ForEach(func(_, v []byte) error {
			var b BodyInfo
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
	})
	return out, err
}

// Forks returns the forks recorded and not resolved, for one body or
// (code "") all, by body and sequence.
func (f *FSM) Forks(code string) ([]Fork, error) { return f.forks(code, false) }

// ResolvedForks returns the forks state IT resolved, for one body or
// (code "") all, by body and sequence, each with its resolution.
func (f *FSM) ResolvedForks(code string) ([]Fork, error) { return f.forks(code, true) }

func (f *FSM) forks(code string, resolved bool) ([]Fork, error) {
	var out []Fork
	err := f.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketForks).Cursor()
		var prefix []byte
		if code != "" {
			prefix = forkPrefix(code)
		}
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var fk Fork
			if err := json.Unmarshal(v, &fk); err != nil {
				return err
			}
			if (fk.Resolved != nil) == resolved {
				out = append(out, fk)
			}
		}
		return nil
	})
	return out, err
}

// Nodes returns the state nodes' addresses, by ID.
func (f *FSM) Nodes() ([]NodeInfo, error) {
	var out []NodeInfo
	err := f.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNodes).ForEach(func(_, v []byte) error {
			var n NodeInfo
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

func (f *FSM) node(id string) (NodeInfo, bool) {
	var n NodeInfo
	ok := false
	f.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketNodes).Get([]byte(id)); v != nil {
			ok = json.Unmarshal(v, &n) == nil
		}
		return nil
	})
	return n, ok
}

// ReadLogRaw returns up to limit encoded events of a body's log from
// sequence from on, stopping early once maxBytes (if > 0) is reached; at
// least one event is returned when there is one. The bytes are copies.
func (f *FSM) ReadLogRaw(code string, from uint64, limit, maxBytes int) ([][]byte, error) {
	if from == 0 {
		from = 1
	}
	var out [][]byte
	size := 0
	err := f.view(func(tx *bolt.Tx) error {
		lb := tx.Bucket(bucketLog).Bucket([]byte(code))
		if lb == nil {
			return nil
		}
		c := lb.Cursor()
		for k, v := c.Seek(seqKey(from)); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			if maxBytes > 0 && len(out) > 0 && size+len(v) > maxBytes {
				break
			}
			out = append(out, bytes.Clone(v))
			size += len(v)
		}
		return nil
	})
	return out, err
}

// ReadReplicaRaw is ReadLogRaw with each event's change set (nil where it
// has none): up to limit records from sequence from on, stopping early
// once maxBytes (if > 0; events, change sets and their framing) is
// reached, with at least one record when there is one. The bytes are
// copies.
func (f *FSM) ReadReplicaRaw(code string, from uint64, limit, maxBytes int) (events, changes [][]byte, err error) {
	if from == 0 {
		from = 1
	}
	size := 0
	err = f.view(func(tx *bolt.Tx) error {
		lb := tx.Bucket(bucketLog).Bucket([]byte(code))
		if lb == nil {
			return nil
		}
		cb := tx.Bucket(bucketChanges).Bucket([]byte(code))
		c := lb.Cursor()
		for k, v := c.Seek(seqKey(from)); k != nil && (limit <= 0 || len(events) < limit); k, v = c.Next() {
			var cs []byte
			if cb != nil {
				cs = cb.Get(k)
			}
			n := RecordSize(v, cs)
			if maxBytes > 0 && len(events) > 0 && size+n > maxBytes {
				break
			}
			events, changes = append(events, bytes.Clone(v)), append(changes, bytes.Clone(cs))
			size += n
		}
		return nil
	})
	return events, changes, err
}

// ReadReplica returns up to limit events of a body's log from sequence
// from on, decoded, each with the change set it was shipped with (nil for
// most events, and for events shipped without change sets): what
// store.AppendReplica needs to rebuild the body's data, and what the
// state's view of the body's documents is made from.
func (f *FSM) ReadReplica(code string, from uint64, limit int) ([]store.Event, [][]byte, error) {
	raws, changes, err := f.ReadReplicaRaw(code, from, limit, 0)
	if err != nil {
		return nil, nil, err
	}
	evs := make([]store.Event, len(raws))
	for i, r := range raws {
		if evs[i], err = store.DecodeEvent(r); err != nil {
			return nil, nil, err
		}
	}
	return evs, changes, nil
}

// ReadLog returns up to limit events of a body's log from sequence from on,
// decoded.
func (f *FSM) ReadLog(code string, from uint64, limit int) ([]store.Event, error) {
	raws, err := f.ReadLogRaw(code, from, limit, 0)
	if err != nil {
		return nil, err
	}
	out := make([]store.Event, len(raws))
	for i, r := range raws {
		if out[i], err = store.DecodeEvent(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EachEvent hands fn every event of a body's log from sequence from on, in
// order, reading in chunks so that no read transaction stays open long.
// It stops at the head as it was when each chunk was read, or when fn fails.
func (f *FSM) EachEvent(code string, from uint64, fn func(store.Event) error) error {
	const chunk = 1024
	for {
		evs, err := f.ReadLog(code, from, chunk)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if err := fn(ev); err != nil {
				return err
			}
		}
		if len(evs) < chunk {
			return nil
		}
		from = evs[len(evs)-1].Seq + 1
	}
}

// FSMStats are counters for a status page.
type FSMStats struct {
	AppliedIndex uint64 `json:"applied_index"`
	Snapshots    uint64 `json:"snapshots"` // snapshots persisted by this node
	Restores     uint64 `json:"restores"`  // snapshots restored (at start or installed from the leader)
	// SnapshotReceivedBytes is what this node received to install
	// snapshots (raft's streams and the ranges it fetched);
	// SnapshotSentBytes what it sent for other nodes' installs.
	SnapshotReceivedBytes uint64 `json:"snapshot_received_bytes"`
	SnapshotSentBytes     uint64 `json:"snapshot_sent_bytes"`
	FileBytes             int64  `json:"file_bytes"`
	Reused                bool   `json:"reused"` // state.db was kept from a clean close at start
}

// Stats returns the FSM's counters.
func (f *FSM) Stats() FSMStats {
	s := FSMStats{AppliedIndex: f.applied.Load(), Snapshots: f.snapshots.Load(), Restores: f.restores.Load(), Reused: f.reused,
		SnapshotReceivedBytes: f.snapReceived.Load(), SnapshotSentBytes: f.snapSent.Load()}
	f.view(func(tx *bolt.Tx) error {
		s.FileBytes = tx.Size()
		return nil
	})
	return s
}
