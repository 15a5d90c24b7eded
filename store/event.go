package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Event is one fact in the log: something that happened to one document.
// Events are never changed or deleted; a correction is a new event.
//
// Hash is SHA-256 over the canonical encoding of every other field, Prev
// included, so each event seals the whole log before it.
type Event struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Type    string    `json:"type"`    // e.g. "application.submitted"
	Version uint16    `json:"version"` // version of Type's data layout; readers skip versions they do not know
	Entity  string    `json:"entity"`  // the kind of document, e.g. "application"
	ID      string    `json:"id"`      // the document's id within Entity
	Data    []byte    `json:"data"`    // JSON; exactly the bytes hashed
	Prev    []byte    `json:"prev"`    // Hash of the event before; empty for the first
	// Changes is the SHA-256 of the change set of the write this event
	// ends (changes.go): the documents, keys, numbers and blobs it stored,
	// bound into the chain with the event. Empty for the other events of a
	// write, for writes that stored nothing, and for events written before
	// schema 3.
	Changes []byte `json:"changes,omitempty"`
	Hash    []byte `json:"hash"`
}

// EventType names a kind of event and the version of its data's layout.
// Each package declares the types it writes, once, as values in its
// events.go, and readers elsewhere compare with those values (Event.Is), so
// that a type is spelt in one place. A new layout of a type's data is a new
// Version: a reader that meets a type or version it does not know keeps the
// event and skips it, since local bodies and state nodes upgrade on
// different days.
type EventType struct {
	Name    string // e.g. "application.submitted": <subject>.<what happened>
	Version uint16 // 1 for the first layout
}

// String returns "name/vN".
func (t EventType) String() string { return fmt.Sprintf("%s/v%d", t.Name, t.Version) }

// Is reports whether the event is of type t, in t's version.
func (e *Event) Is(t EventType) bool { return e.Type == t.Name && e.Version == t.Version }

// TypeOf returns the event's type and version.
func (e *Event) TypeOf() EventType { return EventType{Name: e.Type, Version: e.Version} }

// The first byte of every encoded event is the layout of the encoding
// itself, so a later layout can be read beside this one. Format 1 has six
// length-prefixed fields; format 2 adds a seventh, the 32-byte digest of the
// write's change set (Changes). An event without Changes is always format 1
// and one with Changes always format 2, so each event has exactly one
// encoding.
const (
	eventFormat        = 1
	eventFormatChanges = 2
)

// ErrBadEvent is returned when stored bytes do not decode as an event.
var ErrBadEvent = errors.New("store: malformed event")

// canonical is the encoding that is hashed: format byte, sequence, time in
// Unix nanoseconds, version, then each string or byte field length-prefixed.
func (e *Event) canonical(buf []byte) []byte {
	format := byte(eventFormat)
	if len(e.Changes) > 0 {
		format = eventFormatChanges
	}
	buf = append(buf, format)
	buf = binary.BigEndian.AppendUint64(buf, e.Seq)
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.Time.UnixNano()))
	buf = binary.BigEndian.AppendUint16(buf, e.Version)
	for _, f := range [][]byte{[]byte(e.Actor), []byte(e.Type), []byte(e.Entity), []byte(e.ID), e.Data, e.Prev} {
		buf = binary.AppendUvarint(buf, uint64(len(f)))
		buf = append(buf, f...)
	}
	if format == eventFormatChanges {
		buf = binary.AppendUvarint(buf, uint64(len(e.Changes)))
		buf = append(buf, e.Changes...)
	}
	return buf
}

// ComputeHash returns the SHA-256 of the event's canonical encoding.
func (e *Event) ComputeHash() []byte {
	sum := sha256.Sum256(e.canonical(make([]byte, 0, 64+len(e.Data))))
	return sum[:]
}

// seal sets Hash and returns the stored form, encoding the event once.
func (e *Event) seal() []byte {
	buf := e.canonical(make([]byte, 0, 96+len(e.Data)))
	sum := sha256.Sum256(buf)
	e.Hash = sum[:]
	return append(buf, e.Hash...)
}

// Encode returns the stored form: the canonical encoding followed by Hash.
// It is the form replication ships; DecodeEvent reads it back.
func (e *Event) Encode() []byte {
	buf := e.canonical(make([]byte, 0, 96+len(e.Data)))
	return append(buf, e.Hash...)
}

// DecodeEvent parses a stored event. It copies what it keeps, so b may be
// memory that a transaction owns. It does not verify the hash; see Verify.
func DecodeEvent(b []byte) (Event, error) {
	var e Event
	if len(b) < 1+8+8+2+sha256.Size || (b[0] != eventFormat && b[0] != eventFormatChanges) {
		return e, fmt.Errorf("%w: too short or unknown format", ErrBadEvent)
	}
	nfields := 6
	if b[0] == eventFormatChanges {
		nfields = 7
	}
	p := b[1:]
	e.Seq = binary.BigEndian.Uint64(p)
	e.Time = time.Unix(0, int64(binary.BigEndian.Uint64(p[8:]))).UTC()
	e.Version = binary.BigEndian.Uint16(p[16:])
	p = p[18:]
	var fields [7][]byte
	for i := range fields[:nfields] {
		n, w := binary.Uvarint(p)
		if w <= 0 || n > uint64(len(p)-w) {
			return e, fmt.Errorf("%w: field %d overruns the record", ErrBadEvent, i)
		}
		if w != len(binary.AppendUvarint(nil, n)) {
			return e, fmt.Errorf("%w: field %d length is not minimally encoded", ErrBadEvent, i)
		}
		fields[i] = bytes.Clone(p[w : w+int(n)])
		p = p[w+int(n):]
	}
	if len(p) != sha256.Size {
		return e, fmt.Errorf("%w: hash is %d bytes, want %d", ErrBadEvent, len(p), sha256.Size)
	}
	e.Actor, e.Type, e.Entity, e.ID = string(fields[0]), string(fields[1]), string(fields[2]), string(fields[3])
	e.Data, e.Prev = fields[4], fields[5]
	if nfields == 7 {
		if len(fields[6]) != sha256.Size {
			return e, fmt.Errorf("%w: change set digest is %d bytes, want %d", ErrBadEvent, len(fields[6]), sha256.Size)
		}
		e.Changes = fields[6]
	}
	e.Hash = bytes.Clone(p)
	return e, nil
}

// Verify reports whether the event's Hash matches its contents and Prev
// matches prev.
func (e *Event) Verify(prev []byte) error {
	if !bytes.Equal(e.Prev, prev) {
		return fmt.Errorf("%w: event %d does not follow the event before it (prev hash differs)", ErrChainBroken, e.Seq)
	}
	if !bytes.Equal(e.ComputeHash(), e.Hash) {
		return fmt.Errorf("%w: event %d was changed after it was written (hash differs)", ErrChainBroken, e.Seq)
	}
	return nil
}

func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}
