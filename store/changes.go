package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Change sets let a copy of a store be rebuilt from its log: the state
// cluster keeps every local body's log with its change sets, and
// `ksmart restore --from-state` replays them into a new data directory.
//
// A Write that appends events also records its change set: every document,
// key, number and blob it wrote, in the order written, under the sequence
// of its last event (bucket changes), and binds the change set's SHA-256
// into the hash chain as that event's Changes. A Write without events (a
// session, a reserved block of numbers) records none: it is not a change
// anyone replicates, and its documents belong to entities declared local
// (Options.LocalEntities), which Check does not verify. Documents of the
// entity PrivateEntity are recorded only by their digest (changeDigest):
// their bytes stay on the machine that wrote them (the seal's private key),
// yet Check verifies them like any other.
//
// Encoding, repeated to the end:
//
//	op (1 byte) ‖ uvarint len ‖ bucket ‖ uvarint len ‖ sub-bucket ‖ uvarint len ‖ key ‖ uvarint len ‖ value
//
// op is changePut, changeDelete, changePutIfNone (blobs, stored once),
// changeNumberAtLeast (a sequence is raised to value, an 8-byte number,
// and never lowered) or changeDigest (value is the SHA-256 of what the key
// holds after the write, or empty when it holds nothing; replay writes
// nothing: it is what Check compares, for private documents and for the
// seal of a store migrated to schema 3).
const (
	changePut           = 1
	changeDelete        = 2
	changePutIfNone     = 3
	changeNumberAtLeast = 4
	changeDigest        = 5
)

// PrivateEntity is the entity whose documents are never put in a change
// set, so never replicated.
const PrivateEntity = "private"

// ErrBadChanges is returned for a change set that does not decode.
var ErrBadChanges = errors.New("store: malformed change set")

// changeSet encodes what a write function staged, and the numbers it
// used, for replay elsewhere.
func (tx *Tx) changeSet() []byte {
	// Sized once: growing it record by record took about a tenth of the
	// committer's time in the submit profile.
	size := 0
	for _, w := range tx.writes {
		size += 1 + 4*binary.MaxVarintLen16 + len(w.top) + len(w.sub) + len(w.key) + max(len(w.value), sha256.Size)
	}
	for name := range tx.used {
		size += 1 + 4*binary.MaxVarintLen16 + len(bucketNumbers) + len(name) + 8
	}
	buf := make([]byte, 0, size)
	put := func(op byte, top []byte, sub string, key, value []byte) {
		buf = append(buf, op)
		for _, f := range [][]byte{top, []byte(sub), key, value} {
			buf = binary.AppendUvarint(buf, uint64(len(f)))
			buf = append(buf, f...)
		}
	}
	for _, w := range tx.writes {
		switch {
		case bytes.Equal(w.top, bucketState) && w.sub == PrivateEntity:
			var sum []byte
			if w.value != nil {
				d := sha256.Sum256(w.value)
				sum = d[:]
			}
			put(changeDigest, w.top, w.sub, w.key, sum)
		case bytes.Equal(w.top, bucketNumbers):
			put(changeNumberAtLeast, w.top, w.sub, w.key, w.value)
		case w.value == nil:
			put(changeDelete, w.top, w.sub, w.key, nil)
		case w.ifNone:
			put(changePutIfNone, w.top, w.sub, w.key, w.value)
		default:
			put(changePut, w.top, w.sub, w.key, w.value)
		}
	}
	for name, n := range tx.used {
		put(changeNumberAtLeast, bucketNumbers, "", []byte(name), binary.BigEndian.AppendUint64(nil, n))
	}
	return buf
}

// eachChange calls fn with each record of a change set, in order, after
// checking its framing, bucket and key. The slices point into cs.
func eachChange(cs []byte, fn func(op byte, top []byte, sub string, key, value []byte) error) error {
	return eachChangeAt(cs, 0, func(_ int, op byte, top []byte, sub string, key, value []byte) error {
		return fn(op, top, sub, key, value)
	})
}

// eachChangeAt is eachChange from the record at offset at, telling fn
// where each record begins.
func eachChangeAt(cs []byte, at int, fn func(at int, op byte, top []byte, sub string, key, value []byte) error) error {
	if at < 0 || at > len(cs) {
		return fmt.Errorf("%w: no record at %d", ErrBadChanges, at)
	}
	for p := cs[at:]; len(p) > 0; {
		start := len(cs) - len(p)
		op := p[0]
		p = p[1:]
		var f [4][]byte
		for i := range f {
			n, w := binary.Uvarint(p)
			if w <= 0 || n > uint64(len(p)-w) {
				return fmt.Errorf("%w: field %d overruns it", ErrBadChanges, i)
			}
			f[i], p = p[w:w+int(n)], p[w+int(n):]
		}
		top, sub, key, value := f[0], string(f[1]), f[2], f[3]
		if !knownTop(top) || len(key) == 0 {
			return fmt.Errorf("%w: bucket %q key %q", ErrBadChanges, top, key)
		}
		switch {
		case op < changePut || op > changeDigest:
			return fmt.Errorf("%w: unknown op %d", ErrBadChanges, op)
		case op == changeNumberAtLeast && len(value) != 8:
			return fmt.Errorf("%w: number %q is %d bytes", ErrBadChanges, key, len(value))
		case op == changeDigest && len(value) != 0 && len(value) != sha256.Size:
			return fmt.Errorf("%w: digest of %q is %d bytes", ErrBadChanges, key, len(value))
		}
		if err := fn(start, op, top, sub, key, value); err != nil {
			return err
		}
	}
	return nil
}

// applyChanges writes a change set into a bbolt transaction.
func applyChanges(btx *bolt.Tx, cs []byte) error {
	return eachChange(cs, func(op byte, top []byte, sub string, key, value []byte) error {
		if op == changeDigest {
			return nil // says what the key holds; writes nothing
		}
		b := btx.Bucket(top)
		if sub != "" {
			if op == changeDelete {
				if b = b.Bucket([]byte(sub)); b == nil {
					return nil
				}
			} else {
				var err error
				if b, err = b.CreateBucketIfNotExists([]byte(sub)); err != nil {
					return err
				}
			}
		}
		var err error
		switch op {
		case changePut:
			err = b.Put(key, bytes.Clone(value))
		case changeDelete:
			err = b.Delete(key)
		case changePutIfNone:
			if b.Get(key) == nil {
				err = b.Put(key, bytes.Clone(value))
			}
		case changeNumberAtLeast:
			if old := b.Get(key); len(old) != 8 || binary.BigEndian.Uint64(old) < binary.BigEndian.Uint64(value) {
				err = b.Put(key, bytes.Clone(value))
			}
		}
		return err
	})
}

// EachDocument calls fn with each document a change set writes, in the
// order written: the entity, the id, and the document (nil when the
// write deleted it). Private documents (recorded by digest only), keys,
// numbers and blobs are left out. doc points into cs. It returns
// ErrBadChanges for a change set that does not decode.
func EachDocument(cs []byte, fn func(entity, id string, doc []byte) error) error {
	return eachChange(cs, func(op byte, top []byte, sub string, key, value []byte) error {
		if !bytes.Equal(top, bucketState) || sub == "" {
			return nil
		}
		switch op {
		case changePut, changePutIfNone:
			return fn(sub, string(key), value)
		case changeDelete:
			return fn(sub, string(key), nil)
		}
		return nil
	})
}

// knownTop reports whether a change set may write the bucket: current
// state only, never the log or the store's own meta.
func knownTop(top []byte) bool {
	for _, b := range [][]byte{bucketState, bucketKeys, bucketNumbers, bucketBlobs} {
		if bytes.Equal(top, b) {
			return true
		}
	}
	return false
}

// ReadReplica returns up to limit events with Seq >= from, each with the
// change set recorded under it (nil for most events, and for events
// written before change sets were kept): what a copy of this store needs.
func (s *Store) ReadReplica(from uint64, limit int) ([]Event, [][]byte, error) {
	if from == 0 {
		from = 1
	}
	var evs []Event
	var changes [][]byte
	err := s.view(func(btx *bolt.Tx) error {
		cb := btx.Bucket(bucketChanges)
		c := btx.Bucket(bucketLog).Cursor()
		for k, v := c.Seek(seqKey(from)); k != nil && (limit <= 0 || len(evs) < limit); k, v = c.Next() {
			ev, err := DecodeEvent(v)
			if err != nil {
				return err
			}
			var cs []byte
			if cb != nil {
				if raw := cb.Get(k); raw != nil {
					cs = bytes.Clone(raw)
				}
			}
			evs, changes = append(evs, ev), append(changes, cs)
		}
		return nil
	})
	return evs, changes, err
}

// AppendReplica appends events another store wrote, verbatim, after this
// store's last event, and replays their change sets into the current
// state, all in one transaction. Each event must continue the chain (next
// sequence number, prev hash, its own hash), or nothing is written and the
// error is ErrChainBroken. It is for a store that copies another —
// ksmart restore --from-state, the state's copies — and must not be mixed
// with Write on the same store.
func (s *Store) AppendReplica(evs []Event, changes [][]byte) error {
	if len(changes) != 0 && len(changes) != len(evs) {
		return fmt.Errorf("store: %d change sets for %d events", len(changes), len(evs))
	}
	s.mu.Lock()
	seq, prev, bound := s.lastSeq, s.lastHash, s.bound
	s.mu.Unlock()
	for i := range evs {
		if evs[i].Seq != seq+1 {
			return fmt.Errorf("%w: event %d does not follow event %d", ErrChainBroken, evs[i].Seq, seq)
		}
		if err := evs[i].Verify(prev); err != nil {
			return err
		}
		var cs []byte
		if len(changes) > 0 {
			cs = changes[i]
		}
		// A change set is replayed only if the chain binds it: one changed
		// on the way, or at rest in the state, is refused with the rest.
		if err := verifyChangeSet(&evs[i], cs, bound); err != nil {
			return err
		}
		bound = bound || len(evs[i].Changes) > 0
		seq, prev = evs[i].Seq, evs[i].Hash
	}
	if len(evs) == 0 {
		return nil
	}
	_, err := s.Write(func(tx *Tx) error {
		tx.replica = &replica{evs: evs, changes: changes}
		return nil
	})
	return err
}

// replica is an AppendReplica riding the committer, so that it is ordered
// with (and fsynced like) any other write.
type replica struct {
	evs     []Event
	changes [][]byte
}

// applyReplica writes a replica's events and change sets; the caller has
// checked that they continue the chain at seq.
func applyReplica(btx *bolt.Tx, r *replica, seq uint64, prev []byte, bound *bool) (uint64, []byte, error) {
	log, cb := btx.Bucket(bucketLog), btx.Bucket(bucketChanges)
	for i := range r.evs {
		ev := &r.evs[i]
		if ev.Seq != seq+1 || !bytes.Equal(ev.Prev, prev) {
			return seq, prev, fmt.Errorf("%w: event %d does not follow event %d", ErrChainBroken, ev.Seq, seq)
		}
		if err := log.Put(seqKey(ev.Seq), ev.Encode()); err != nil {
			return seq, prev, err
		}
		if len(r.changes) > 0 && len(r.changes[i]) > 0 {
			if err := applyChanges(btx, r.changes[i]); err != nil {
				return seq, prev, fmt.Errorf("event %d: %w", ev.Seq, err)
			}
			if err := cb.Put(seqKey(ev.Seq), r.changes[i]); err != nil {
				return seq, prev, err
			}
		}
		if ev.Is(EventLocalEntities) {
			// A copy declares what its origin declared (Options.Replica).
			var d LocalEntitiesData
			if json.Unmarshal(ev.Data, &d) == nil {
				raw, _ := json.Marshal(d.Entities)
				if err := btx.Bucket(bucketMeta).Put(keyLocal, raw); err != nil {
					return seq, prev, err
				}
			}
		}
		if len(ev.Changes) > 0 && !*bound {
			if err := markBound(btx, ev.Seq); err != nil {
				return seq, prev, err
			}
			*bound = true
		}
		seq, prev = ev.Seq, ev.Hash
	}
	return seq, prev, nil
}

// ErrPrivateChange is returned by Replay for a change set that wrote a
// document of PrivateEntity: only its digest travels, so it cannot be
// written again elsewhere.
var ErrPrivateChange = errors.New("store: the change set holds a private document, kept only as its digest")

// Replay stages, in this Write, everything a change set another write
// recorded: its documents, keys and blobs as they were written, and each
// number it used (raised to it, never lowered). With the events the caller
// emits, the write records and binds a change set of its own, as any other
// write does. It is how a write lost to a fork is written again as a new
// one (ksmart restore --reapply-forked). Nothing is staged when it returns
// an error: ErrBadChanges, or ErrPrivateChange.
func (tx *Tx) Replay(cs []byte) error {
	if !tx.writable {
		return ErrReadOnly
	}
	var staged []stagedWrite
	var numbers []Change
	err := EachChange(cs, func(c Change) error {
		switch {
		case c.Op == ChangeDigest:
			return ErrPrivateChange
		case c.Part == PartNumbers:
			numbers = append(numbers, c)
		default:
			w := stagedWrite{top: c.Part.bucket(), sub: c.Sub, key: bytes.Clone(c.Key), ifNone: c.Part == PartBlobs}
			if c.Op != ChangeDelete {
				w.value = bytes.Clone(c.Value)
			}
			staged = append(staged, w)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, w := range staged {
		if err := tx.stage(w); err != nil {
			return err
		}
	}
	for _, n := range numbers {
		if err := tx.UseNumber(string(n.Key), n.Number()); err != nil {
			return err
		}
	}
	return nil
}
