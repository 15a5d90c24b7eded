package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A store's current state may be kept elsewhere than in its own file: the
// state cluster keeps no copy of a body's store, only its change sets and
// a small locator of where each document was last written
// (stateview). EachChange decodes a change set for such a keeper, and
// ViewReader gives it a read-only Tx over what it keeps, so that the
// modules' own readers (search sources, hits, civil's Verify) read it as
// they read a store.

// Part is a part of a store's current state.
type Part uint8

// Parts of a store's current state, as a change set writes them and a
// Reader holds them.
const (
	PartDocuments Part = iota + 1 // documents by entity and id (Tx.Get)
	PartKeys                      // unique keys by index: key → document id (Tx.Lookup)
	PartNumbers                   // sequences by name ("" sub): 8-byte big-endian numbers
	PartBlobs                     // blobs by hex SHA-256 ("" sub)
)

// ChangeOp is what one record of a change set does.
type ChangeOp uint8

// Change operations, as the change set's encoding numbers them
// (changes.go).
const (
	ChangePut           ChangeOp = changePut
	ChangeDelete        ChangeOp = changeDelete
	ChangePutIfNone     ChangeOp = changePutIfNone     // a blob: written only when absent
	ChangeNumberAtLeast ChangeOp = changeNumberAtLeast // a sequence raised to Value, never lowered
	ChangeDigest        ChangeOp = changeDigest        // what Key holds after the write, by SHA-256; writes nothing
)

// Change is one record of a change set: Op on Key of Sub (the entity of a
// document, the index of a key; "" for numbers and blobs) in Part. At is
// where the record begins in the change set (ChangeAt reads it alone).
type Change struct {
	Op    ChangeOp
	Part  Part
	Sub   string
	Key   []byte
	Value []byte
	At    int
}

// EachChange calls fn with each record of a change set, in the order
// written, after checking its framing. The slices point into cs. A change
// set that does not decode is an error wrapping ErrBadChanges.
func EachChange(cs []byte, fn func(c Change) error) error {
	return eachChangeAt(cs, 0, func(at int, op byte, top []byte, sub string, key, value []byte) error {
		return fn(Change{Op: ChangeOp(op), Part: partOf(top), Sub: sub, Key: key, Value: value, At: at})
	})
}

// ChangeAt reads the one record of a change set that begins at at (a
// Change's At), without decoding the others: a keeper of where each
// document was written reads it back from a large write's change set.
func ChangeAt(cs []byte, at int) (Change, error) {
	var out Change
	found := false
	err := eachChangeAt(cs, at, func(at int, op byte, top []byte, sub string, key, value []byte) error {
		out, found = Change{Op: ChangeOp(op), Part: partOf(top), Sub: sub, Key: key, Value: value, At: at}, true
		return errStopChanges
	})
	if errors.Is(err, errStopChanges) || err == nil && found {
		return out, nil
	}
	if err == nil {
		err = fmt.Errorf("%w: no record at %d", ErrBadChanges, at)
	}
	return Change{}, err
}

var errStopChanges = errors.New("stop")

// Number is the number a ChangeNumberAtLeast record raises its sequence
// to; 0 for any other record.
func (c Change) Number() uint64 {
	if c.Op != ChangeNumberAtLeast || len(c.Value) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(c.Value)
}

// String names a part as the store's buckets do: "state" (documents),
// "keys", "numbers" or "blobs".
func (p Part) String() string { return string(p.bucket()) }

// bucket is the top-level bucket holding a part.
func (p Part) bucket() []byte {
	switch p {
	case PartDocuments:
		return bucketState
	case PartKeys:
		return bucketKeys
	case PartNumbers:
		return bucketNumbers
	case PartBlobs:
		return bucketBlobs
	}
	return nil
}

func partOf(top []byte) Part {
	switch {
	case bytes.Equal(top, bucketState):
		return PartDocuments
	case bytes.Equal(top, bucketKeys):
		return PartKeys
	case bytes.Equal(top, bucketNumbers):
		return PartNumbers
	case bytes.Equal(top, bucketBlobs):
		return PartBlobs
	}
	return 0
}

// A Reader holds a store's current state outside a store file, for
// ViewReader. Its answers must not change while a view runs.
type Reader interface {
	// Get returns what Key of Sub in part holds, nil when nothing.
	Get(part Part, sub string, key []byte) ([]byte, error)
	// Cursor walks Sub of part in key order; nil when it holds nothing.
	Cursor(part Part, sub string) Cursor
	// Err is a failure a cursor met (it then ends as if at the end).
	Err() error
}

// Cursor walks one sub-bucket in key order, as a bbolt cursor does: each
// method returns a key and its value, or nil keys past either end.
type Cursor interface {
	First() (key, value []byte)
	Last() (key, value []byte)
	Seek(seek []byte) (key, value []byte)
	Next() (key, value []byte)
	Prev() (key, value []byte)
}

// ViewReader runs fn with a read-only Tx over r: Get, GetRaw, Exists,
// Scan, Count, Lookup, ScanKeys, CurrentNumber and Blob read r. The Tx
// has no store: a write stages nothing (ErrReadOnly). A failure of r ends
// the view with it, whatever fn made of the missing answer, so that a
// reader never takes a failed read for a missing document.
func ViewReader(r Reader, fn func(tx *Tx) error) error {
	tx := &Tx{reader: r}
	err := fn(tx)
	if tx.rerr == nil {
		tx.rerr = r.Err()
	}
	if tx.rerr != nil {
		return fmt.Errorf("store: reading: %w", tx.rerr)
	}
	return err
}

func (tx *Tx) readerGet(top []byte, sub string, key []byte) []byte {
	if tx.rerr != nil {
		return nil
	}
	v, err := tx.reader.Get(partOf(top), sub, key)
	if err != nil {
		tx.rerr = err
		return nil
	}
	return v
}

func (tx *Tx) readerCursor(top []byte, sub string) Cursor {
	if tx.rerr != nil {
		return nil
	}
	return tx.reader.Cursor(partOf(top), sub)
}

// Viewer runs read-only views of a store's current state: a Store, or a
// keeper of it outside a store file that reads through ViewReader.
type Viewer interface {
	View(fn func(tx *Tx) error) error
}

var _ Viewer = (*Store)(nil)

// ReadChange returns the record at offset at (Change.At) of the change
// set recorded under event seq, copied, without copying the rest; ok is
// false when the event has no change set.
func (s *Store) ReadChange(seq uint64, at int) (c Change, ok bool, err error) {
	err = s.view(func(btx *bolt.Tx) error {
		cs := btx.Bucket(bucketChanges).Get(seqKey(seq))
		if cs == nil {
			return nil
		}
		if c, err = ChangeAt(cs, at); err != nil {
			return err
		}
		c.Key, c.Value, ok = bytes.Clone(c.Key), bytes.Clone(c.Value), true
		return nil
	})
	return c, ok, err
}
