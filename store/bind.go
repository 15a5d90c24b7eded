package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Binding the current state into the chain (schema 3): every write's
// change set is bound into the log by its digest (Event.Changes), so that
// Check can replay the change sets and compare every current document,
// key, number and blob with what the write that last stored it stored.
// The store writes two events of its own for this:
//
//   - EventLocalEntities declares the entities written without events
//     (sessions, an outbox's delivery state): Check does not verify them,
//     and says which they are. The declaration is in the log, so widening
//     it is itself a recorded event.
//   - EventSealed, written once when a data file of schema 1 or 2 is
//     opened for writing, records the digest of every current document,
//     key and blob (and each number) as it stood: the baseline that the
//     change sets after it continue. A large store's seal is split into
//     parts (Data.Part of Data.Parts), each a change set under 1 MiB so
//     that it ships to the state like any other write.
var (
	EventLocalEntities = EventType{Name: "store.local_entities_declared", Version: 1}
	EventSealed        = EventType{Name: "store.sealed", Version: 1}
)

// Events are the event types the store itself writes.
var Events = []EventType{EventLocalEntities, EventSealed}

// ErrChangesDiffer is returned when a change set does not match the digest
// its event binds, or a change set is stored or shipped that no event
// binds: it was changed after it was written.
var ErrChangesDiffer = errors.New("store: change set differs from what the log binds")

// storeActor is the actor of the store's own events.
const storeActor = "system"

// sealPartBytes is the most change-set bytes one EventSealed part carries.
const sealPartBytes = 1 << 20

// LocalEntitiesData is the data of an EventLocalEntities event.
type LocalEntitiesData struct {
	Entities []string `json:"entities"`
}

// SealedData is the data of an EventSealed event.
type SealedData struct {
	FromSchema uint64 `json:"from_schema"`
	ToSchema   uint64 `json:"to_schema"`
	Part       int    `json:"part"`
	Parts      int    `json:"parts"`
	Records    int    `json:"records"`
}

// verifyChangeSet checks cs against the digest ev binds. bound says
// whether the log already binds change sets (a legacy change set, stored
// before schema 3, binds none).
func verifyChangeSet(ev *Event, cs []byte, bound bool) error {
	switch {
	case len(ev.Changes) > 0 && len(cs) == 0:
		return fmt.Errorf("%w: event %d binds a change set that is missing", ErrChangesDiffer, ev.Seq)
	case len(ev.Changes) > 0:
		if sum := sha256.Sum256(cs); !bytes.Equal(sum[:], ev.Changes) {
			return fmt.Errorf("%w: the change set of event %d does not match the digest the event carries; it was changed after it was written", ErrChangesDiffer, ev.Seq)
		}
	case len(cs) > 0 && bound:
		return fmt.Errorf("%w: event %d carries a change set that it does not bind", ErrChangesDiffer, ev.Seq)
	}
	return nil
}

// appendOwnEvent appends one of the store's own events directly to the
// log inside btx, with cs (maybe empty) as its change set; it is for init,
// before the committer runs.
func appendOwnEvent(btx *bolt.Tx, seq *uint64, prev *[]byte, now time.Time, t EventType, id string, data any, cs []byte) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	*seq++
	ev := Event{Seq: *seq, Time: now.UTC(), Actor: storeActor, Type: t.Name, Version: t.Version, Entity: "store", ID: id, Data: raw, Prev: *prev}
	if len(cs) > 0 {
		sum := sha256.Sum256(cs)
		ev.Changes = sum[:]
		if err := btx.Bucket(bucketChanges).Put(seqKey(*seq), cs); err != nil {
			return err
		}
		if err := markBound(btx, *seq); err != nil {
			return err
		}
	}
	if err := btx.Bucket(bucketLog).Put(seqKey(*seq), ev.seal()); err != nil {
		return err
	}
	*prev = ev.Hash
	return nil
}

// markBound records the first event that binds a change set (meta
// "bound"); from it on, every change set must be bound.
func markBound(btx *bolt.Tx, seq uint64) error {
	meta := btx.Bucket(bucketMeta)
	if meta.Get(keyBound) != nil {
		return nil
	}
	return meta.Put(keyBound, seqKey(seq))
}

// bindState runs at every writable open: it declares the local entities
// when they changed and, for a file of schema 1 or 2, seals its current
// state. from is the schema the file had (0 for a new file).
func (s *Store) bindState(btx *bolt.Tx, from uint64) error {
	var seq uint64
	var prev []byte
	if k, v := btx.Bucket(bucketLog).Cursor().Last(); k != nil {
		ev, err := DecodeEvent(v)
		if err != nil {
			return fmt.Errorf("%w: last event: %v", ErrChainBroken, err)
		}
		seq, prev = ev.Seq, ev.Hash
	}
	now := s.opts.Now()
	local := slices.Compact(slices.Sorted(slices.Values(s.opts.LocalEntities)))
	var declared []string
	meta := btx.Bucket(bucketMeta)
	if v := meta.Get(keyLocal); v != nil {
		if err := json.Unmarshal(v, &declared); err != nil {
			return fmt.Errorf("%w: meta local entities: %v", ErrCorrupt, err)
		}
	}
	if s.opts.LocalEntities != nil && !slices.Equal(local, declared) {
		if err := appendOwnEvent(btx, &seq, &prev, now, EventLocalEntities, "local-entities", LocalEntitiesData{Entities: local}, nil); err != nil {
			return err
		}
		raw, _ := json.Marshal(local)
		if err := meta.Put(keyLocal, raw); err != nil {
			return err
		}
	}
	if from == 0 || from >= 3 {
		return nil
	}
	parts, records := sealParts(btx, local)
	if seq == 0 && records == 0 {
		return nil // nothing was ever written: there is nothing to seal
	}
	for i, cs := range parts {
		d := SealedData{FromSchema: from, ToSchema: schemaVersion, Part: i + 1, Parts: len(parts), Records: records}
		if err := appendOwnEvent(btx, &seq, &prev, now, EventSealed, "schema-3", d, cs); err != nil {
			return err
		}
	}
	return markBound(btx, seq)
}

// sealParts encodes the digest of every current document, key and blob and
// the value of every number, except the local entities' documents, as
// change sets of at most about sealPartBytes each (at least one, maybe
// empty).
func sealParts(btx *bolt.Tx, local []string) ([][]byte, int) {
	var parts [][]byte
	var buf []byte
	records := 0
	put := func(op byte, top []byte, sub, key, value []byte) {
		buf = append(buf, op)
		for _, f := range [][]byte{top, sub, key, value} {
			buf = binary.AppendUvarint(buf, uint64(len(f)))
			buf = append(buf, f...)
		}
		records++
		if len(buf) >= sealPartBytes {
			parts, buf = append(parts, buf), nil
		}
	}
	digest := func(v []byte) []byte { d := sha256.Sum256(v); return d[:] }
	for _, top := range [][]byte{bucketState, bucketKeys} {
		btx.Bucket(top).ForEachBucket(func(sub []byte) error {
			if bytes.Equal(top, bucketState) && slices.Contains(local, string(sub)) {
				return nil
			}
			return btx.Bucket(top).Bucket(sub).ForEach(func(k, v []byte) error {
				if v != nil {
					put(changeDigest, top, sub, k, digest(v))
				}
				return nil
			})
		})
	}
	btx.Bucket(bucketNumbers).ForEach(func(k, v []byte) error {
		if len(v) == 8 {
			put(changeNumberAtLeast, bucketNumbers, nil, k, v)
		}
		return nil
	})
	btx.Bucket(bucketBlobs).ForEach(func(k, v []byte) error {
		put(changeDigest, bucketBlobs, nil, k, digest(v))
		return nil
	})
	if len(buf) > 0 || len(parts) == 0 {
		parts = append(parts, buf)
	}
	return parts, records
}
