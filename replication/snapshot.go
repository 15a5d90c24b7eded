package replication

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Snapshots that do not copy the world (DESIGN.md, "Snapshots").
//
// A body's log is append-only and an event, once committed, never changes,
// so a snapshot need not carry the logs: it is a manifest of each body's
// head (its record in the bodies table: last sequence and hash) and, in
// full, the small tables that do change (bodies, forks, nodes, certs,
// revoked). A node restoring one keeps what it holds of each log, fetches
// from a peer only the events it lacks (GET /v1/cluster/ranges/{code},
// permission PermSnapshotRange, node certificates only), checks them
// against the chain and the manifest's head hash, writes them beyond its
// recorded heads (where nothing reads them yet), and then, in one bbolt
// transaction, truncates what lies beyond the manifest's heads, replaces
// the small tables and records the manifest's raft index. A crash before
// that transaction leaves the previous state as it was, and raft restores
// the snapshot again at the next start.

// manifestMagic starts a manifest snapshot; legacySnapshotMagic a snapshot
// of the first format, the whole bbolt file (still restored, so that a node
// upgraded keeps its old snapshots). Both are the same length.
var (
	manifestMagic       = []byte("KSMART-STATE-MANIFEST\x00\x02")
	legacySnapshotMagic = []byte("KSMART-STATE-SNAPSHOT\x00\x01")
)

// maxManifestBytes bounds what Restore reads of a manifest: 1,200 bodies
// and tens of thousands of certificates are a few MiB.
const maxManifestBytes = 256 << 20

// manifest is a snapshot: the raft index it stands for, the node that took
// it (which holds every event it refers to), and the small tables in full.
type manifest struct {
	Schema uint64                  `json:"schema"`
	Index  uint64                  `json:"index"`
	Term   uint64                  `json:"term"`
	Source string                  `json:"source"`
	Tables map[string][]manifestKV `json:"tables"`
}

type manifestKV struct {
	K []byte `json:"k"`
	V []byte `json:"v"`
}

// carriedInFull reports whether a top-level bucket goes into a manifest
// as it is: every one but meta and the per-body logs and change sets.
func carriedInFull(name []byte) bool {
	return !bytes.Equal(name, bucketMeta) && !bytes.Equal(name, bucketLog) && !bytes.Equal(name, bucketChanges)
}

// heads returns the manifest's body records, by code.
func (m *manifest) heads() (map[string]BodyInfo, error) {
	out := map[string]BodyInfo{}
	for _, kv := range m.Tables[string(bucketBodies)] {
		var b BodyInfo
		if err := json.Unmarshal(kv.V, &b); err != nil {
			return nil, fmt.Errorf("the snapshot's record of body %s: %w", kv.K, err)
		}
		out[string(kv.K)] = b
	}
	return out, nil
}

// nodes returns the manifest's node addresses.
func (m *manifest) nodes() []NodeInfo {
	var out []NodeInfo
	for _, kv := range m.Tables[string(bucketNodes)] {
		var n NodeInfo
		if json.Unmarshal(kv.V, &n) == nil {
			out = append(out, n)
		}
	}
	return out
}

// Snapshot takes the manifest at once, on raft's FSM goroutine: it reads
// the small tables only, so it costs milliseconds whatever the logs hold,
// and holds no read transaction while raft persists it.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	m := &manifest{Source: f.self, Tables: map[string][]manifestKV{}}
	err := f.view(func(tx *bolt.Tx) error {
		m.Schema = fileSchema(tx)
		m.Index, m.Term = readApplied(tx)
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if !carriedInFull(name) {
				return nil
			}
			rows := []manifestKV{}
			err := b.ForEach(func(k, v []byte) error {
				if v == nil {
					return fmt.Errorf("bucket %s holds a nested bucket %q; a snapshot carries flat tables only", name, k)
				}
				rows = append(rows, manifestKV{K: bytes.Clone(k), V: bytes.Clone(v)})
				return nil
			})
			m.Tables[string(name)] = rows
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return &manifestSnapshot{data: data, fsm: f}, nil
}

type manifestSnapshot struct {
	data []byte
	fsm  *FSM
}

// Persist writes the manifest behind its magic.
func (s *manifestSnapshot) Persist(sink raft.SnapshotSink) error {
	_, err := sink.Write(manifestMagic)
	if err == nil {
		_, err = sink.Write(s.data)
	}
	if err != nil {
		sink.Cancel()
		return err
	}
	if err := sink.Close(); err != nil {
		return err
	}
	s.fsm.snapshots.Add(1)
	return nil
}

// Release does nothing: the manifest holds no transaction.
func (s *manifestSnapshot) Release() {}

// Restore brings the state to a snapshot. A manifest is restored
// incrementally (restoreManifest); a snapshot of the first format (the
// whole file) is streamed to a temporary file and swapped in. Either way
// a failed restore leaves the current state as it was.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	cr := &countingReader{r: rc}
	br := bufio.NewReaderSize(cr, 1<<20)
	head, err := br.Peek(len(manifestMagic))
	if err != nil {
		return fmt.Errorf("restore state snapshot: not a ksmart state snapshot (%v)", err)
	}
	switch {
	case bytes.Equal(head, manifestMagic):
		br.Discard(len(manifestMagic))
		err = f.restoreManifest(br)
	case bytes.Equal(head, legacySnapshotMagic):
		br.Discard(len(legacySnapshotMagic))
		err = f.restoreFile(br)
	default:
		err = errors.New("not a ksmart state snapshot (or of a newer format): upgrade this node")
	}
	if f.live.Load() {
		// Raft's own stream, as received from the leader; not a node's
		// own snapshot read at start.
		f.snapReceived.Add(uint64(cr.n))
	}
	if err != nil {
		return fmt.Errorf("restore state snapshot: %w", err)
	}
	f.restores.Add(1)
	f.logger.Info("state restored from a snapshot", "applied_index", f.applied.Load())
	f.subMu.RLock()
	subs := f.onRestore
	revSubs := f.onRevoke
	f.subMu.RUnlock()
	for _, fn := range subs {
		fn()
	}
	for _, r := range f.Revocations() { // a node restored from a snapshot drops what it revokes, too
		for _, fn := range revSubs {
			fn(r)
		}
	}
	return nil
}

// fetchPlan is one body's part of a restore: the events from..head to
// fetch, following prev; reset when what this node holds of the body is
// not a prefix of the snapshot's log and is dropped first.
type fetchPlan struct {
	code  string
	info  BodyInfo // the snapshot's record
	from  uint64
	prev  []byte
	reset bool
}

// restoreManifest restores a manifest; see the comment at the top.
func (f *FSM) restoreManifest(r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, maxManifestBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxManifestBytes {
		return fmt.Errorf("the snapshot's manifest is over %d MiB", maxManifestBytes>>20)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("the snapshot's manifest does not decode: %w", err)
	}
	if m.Schema < 1 || m.Schema > schemaVersion {
		return fmt.Errorf("the snapshot's schema is %d; this node knows schemas 1 to %d: upgrade this node", m.Schema, schemaVersion)
	}
	heads, err := m.heads()
	if err != nil {
		return err
	}
	plans, err := f.planRestore(heads)
	if err != nil {
		return err
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.db == nil {
		return ErrClosed
	}
	var sources []rangeSource
	for _, p := range plans {
		if p.reset {
			if err := f.db.Update(func(tx *bolt.Tx) error { return dropBody(tx, p.code, true) }); err != nil {
				return err
			}
		}
		if p.from > p.info.LastSeq {
			continue
		}
		if sources == nil {
			if f.sources != nil {
				sources = f.sources(&m)
			}
			if len(sources) == 0 {
				return fmt.Errorf("body %s: events %d-%d are not on this node and no other node is known to fetch them from", p.code, p.from, p.info.LastSeq)
			}
		}
		if err := f.fetchRange(sources, p); err != nil {
			return err
		}
	}
	err = f.db.Update(func(tx *bolt.Tx) error {
		if err := replaceTables(tx, &m); err != nil {
			return err
		}
		if err := truncateLogs(tx, heads); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keySchema, binary.BigEndian.AppendUint64(nil, m.Schema)); err != nil {
			return err
		}
		if err := meta.Put(keyApplied, binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(make([]byte, 0, 16), m.Index), m.Term)); err != nil {
			return err
		}
		return migrate(tx)
	})
	if err != nil {
		return err
	}
	f.applied.Store(m.Index)
	return f.loadPKI(f.db)
}

// planRestore compares what this node holds of each body with the
// snapshot's heads.
func (f *FSM) planRestore(heads map[string]BodyInfo) ([]fetchPlan, error) {
	var plans []fetchPlan
	err := f.view(func(tx *bolt.Tx) error {
		bb, logs := tx.Bucket(bucketBodies), tx.Bucket(bucketLog)
		for code, info := range heads {
			p := fetchPlan{code: code, info: info, from: 1}
			var local BodyInfo
			if v := bb.Get([]byte(code)); v != nil {
				if err := json.Unmarshal(v, &local); err != nil {
					return fmt.Errorf("body record %s: %w", code, err)
				}
			}
			lb := logs.Bucket([]byte(code))
			h := local.LastSeq
			switch {
			case h == 0:
				p.reset = lb != nil // events beyond a head of 0: left by a restore that stopped
			case !bytes.Equal(storedHash(lb, h), local.LastHash):
				p.reset = true // the record and the log disagree: start the body afresh
			case h >= info.LastSeq:
				p.from = info.LastSeq + 1 // truncated to the snapshot's head at the end
				if info.LastSeq > 0 && !bytes.Equal(storedHash(lb, info.LastSeq), info.LastHash) {
					p.from, p.reset = 1, true
				}
			default:
				p.from, p.prev = resumeAfter(lb, h, local.LastHash, info.LastSeq)
			}
			plans = append(plans, p)
		}
		return nil
	})
	sort.Slice(plans, func(i, j int) bool { return plans[i].code < plans[j].code })
	return plans, err
}

// resumeAfter returns where a body's fetch starts: after its head h
// (whose hash is hash), or further on over events a restore that stopped
// already wrote beyond it, as long as they are intact and follow the chain
// (up to the snapshot's head, to).
func resumeAfter(lb *bolt.Bucket, h uint64, hash []byte, to uint64) (uint64, []byte) {
	prev := bytes.Clone(hash)
	c := lb.Cursor()
	seq := h
	for k, v := c.Seek(seqKey(h + 1)); k != nil && seq < to; k, v = c.Next() {
		ev, err := checkEvent(v)
		if err != nil || ev.Seq != seq+1 || !bytes.Equal(ev.Prev, prev) {
			break
		}
		seq, prev = ev.Seq, bytes.Clone(ev.Hash)
	}
	return seq + 1, prev
}

// dropBody removes what a node holds of a body: its log, change sets and,
// with record, its record.
func dropBody(tx *bolt.Tx, code string, record bool) error {
	for _, top := range [][]byte{bucketLog, bucketChanges} {
		if err := tx.Bucket(top).DeleteBucket([]byte(code)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
	}
	if record {
		return tx.Bucket(bucketBodies).Delete([]byte(code))
	}
	return nil
}

// fetchRange fetches p's events from the sources in turn (the next where
// one fails or holds no more), page by page, each page checked (hashes,
// chain, change sets against their digests) and written in its own
// transaction beyond the body's recorded head. It fails unless the events
// end at the snapshot's head and hash.
func (f *FSM) fetchRange(sources []rangeSource, p fetchPlan) error {
	next, prev, to := p.from, p.prev, p.info.LastSeq
	var failures []string
	for _, src := range sources {
		for next <= to {
			ctx, cancel := context.WithTimeout(f.fetching, rangeTimeout)
			raws, changes, n, err := src.readRange(ctx, p.code, next, to)
			cancel()
			f.snapReceived.Add(uint64(n))
			if err == nil && len(raws) == 0 {
				err = fmt.Errorf("holds nothing from event %d", next)
			}
			if err == nil {
				err = f.writeRange(p, next, prev, raws, changes)
			}
			if err != nil {
				failures = append(failures, fmt.Sprintf("%s: %v", src, err))
				break
			}
			next += uint64(len(raws))
			prev = raws[len(raws)-1][len(raws[len(raws)-1])-len(p.info.LastHash):]
		}
		if next > to {
			break
		}
	}
	if next <= to {
		return fmt.Errorf("body %s: events %d-%d of the snapshot could not be fetched (%s); the state is as it was and the install is retried (a node starting: start a node that holds them first)", p.code, next, to, strings.Join(failures, "; "))
	}
	if to > 0 && !bytes.Equal(prev, p.info.LastHash) {
		return fmt.Errorf("body %s: the events fetched end at hash %s, the snapshot's head is %s; the state is as it was", p.code, Hash(prev), p.info.LastHash)
	}
	return nil
}

// rangeTimeout bounds one page of a fetch.
const rangeTimeout = 2 * time.Minute

// writeRange checks one fetched page and writes it.
func (f *FSM) writeRange(p fetchPlan, next uint64, prev []byte, raws, changes [][]byte) error {
	evs, err := checkReplica(raws, changes)
	if err != nil {
		return err
	}
	last := evs[len(evs)-1]
	switch {
	case evs[0].Seq != next:
		return fmt.Errorf("sent events from %d when asked from %d", evs[0].Seq, next)
	case next > 1 && !bytes.Equal(evs[0].Prev, prev):
		return fmt.Errorf("event %d does not follow event %d as this node holds it", next, next-1)
	case last.Seq > p.info.LastSeq:
		return fmt.Errorf("sent events up to %d beyond the snapshot's head %d", last.Seq, p.info.LastSeq)
	}
	for i, ev := range evs {
		if err := checkBound(ev, changes[i], p.info.Bound > 0 && ev.Seq > p.info.Bound); err != nil {
			return err
		}
	}
	return f.db.Update(func(tx *bolt.Tx) error {
		lb, err := tx.Bucket(bucketLog).CreateBucketIfNotExists([]byte(p.code))
		if err != nil {
			return err
		}
		lb.FillPercent = 1
		var cb *bolt.Bucket
		for i, ev := range evs {
			if err := lb.Put(seqKey(ev.Seq), raws[i]); err != nil {
				return err
			}
			if len(changes[i]) == 0 {
				continue
			}
			if cb == nil {
				if cb, err = tx.Bucket(bucketChanges).CreateBucketIfNotExists([]byte(p.code)); err != nil {
					return err
				}
				cb.FillPercent = 1
			}
			if err := cb.Put(seqKey(ev.Seq), changes[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// replaceTables replaces every table carried in full with the manifest's
// (a table it lacks, being of an older schema, is emptied).
func replaceTables(tx *bolt.Tx, m *manifest) error {
	names := map[string]bool{}
	for name := range m.Tables {
		names[name] = true
	}
	if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if carriedInFull(name) {
			names[string(name)] = true
		}
		return nil
	}); err != nil {
		return err
	}
	for name := range names {
		if !carriedInFull([]byte(name)) {
			return fmt.Errorf("the snapshot carries table %q, which is kept per body", name)
		}
		if err := tx.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		b, err := tx.CreateBucket([]byte(name))
		if err != nil {
			return err
		}
		for _, kv := range m.Tables[name] {
			if err := b.Put(kv.K, kv.V); err != nil {
				return err
			}
		}
	}
	return nil
}

// truncateLogs drops the logs of bodies the snapshot does not know and,
// of the others, every event beyond the snapshot's head (left by a restore
// that stopped, or held by a node ahead of the snapshot: raft replays
// those entries after it).
func truncateLogs(tx *bolt.Tx, heads map[string]BodyInfo) error {
	for _, top := range [][]byte{bucketLog, bucketChanges} {
		var gone []string
		tb := tx.Bucket(top)
		if err := tb.ForEachBucket(func(k []byte) error {
			info, ok := heads[string(k)]
			if !ok {
				gone = append(gone, string(k))
				return nil
			}
			b := tb.Bucket(k)
			var extra [][]byte
			c := b.Cursor()
			for k, _ := c.Seek(seqKey(info.LastSeq + 1)); k != nil; k, _ = c.Next() {
				extra = append(extra, bytes.Clone(k))
			}
			for _, k := range extra {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		for _, code := range gone {
			if err := tb.DeleteBucket([]byte(code)); err != nil {
				return err
			}
		}
	}
	return nil
}

// rangeSource serves the events of a body's log that a restoring node
// lacks: a peer's API (peerSource), or in tests another FSM.
type rangeSource interface {
	// readRange returns the records (each event and its change set, nil
	// for none) of body code from sequence from on, at most up to to: a
	// page, at least one record when the source holds from. n is the
	// bytes received for it.
	readRange(ctx context.Context, code string, from, to uint64) (events, changes [][]byte, n int64, err error)
	String() string
}

// readRangeFrom reads a page of a range from an FSM's file, for a peer's
// request (handleRange): up to to, logPageLimit events and MaxBatchBytes.
func (f *FSM) readRangeFrom(code string, from, to uint64) (events, changes [][]byte, err error) {
	if from == 0 || to < from {
		return nil, nil, nil
	}
	limit := int(min(to-from+1, logPageLimit))
	return f.ReadReplicaRaw(code, from, limit, MaxBatchBytes)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// restoreFile restores a snapshot of the first format: the whole bbolt
// file, streamed to a temporary file beside state.db, checked to open with
// a schema this code knows, and only then swapped in.
func (f *FSM) restoreFile(r io.Reader) error {
	tmp := f.path + ".restore"
	os.Remove(tmp)
	if err := receiveFile(r, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.db != nil {
		if err := f.db.Close(); err != nil {
			return err
		}
		f.db = nil
	}
	if err := os.Rename(tmp, f.path); err != nil {
		if db, oerr := bolt.Open(f.path, 0o600, fsmOptions); oerr == nil {
			f.db = db // carry on with the state as it was
		}
		return err
	}
	db, err := bolt.Open(f.path, 0o600, fsmOptions)
	if err != nil {
		return err
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if err := migrate(tx); err != nil {
			return err
		}
		m := tx.Bucket(bucketMeta)
		if err := m.Put(keyDurable, []byte{1}); err != nil {
			return err
		}
		return m.Put(keyClean, []byte{0})
	}); err != nil {
		db.Close()
		return err
	}
	f.db = db
	f.applied.Store(appliedIndex(db))
	return f.loadPKI(db)
}

func receiveFile(r io.Reader, tmp string) error {
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("the snapshot is not a readable bbolt file: %w", err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("the snapshot has no meta bucket")
		}
		if !knownSchema(tx) {
			return fmt.Errorf("the snapshot's schema is %d; this node knows schemas 1 to %d: upgrade this node", fileSchema(tx), schemaVersion)
		}
		return nil
	})
}
