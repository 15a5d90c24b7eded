package replication

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"regexp"
	"time"

	"ksmart/store"
)

// Limits on one shipped batch. A shipper sends at most this much per
// request; more is refused with ErrTooLarge, never split by the state.
// A batch of one record (an event and its change set) may be larger, up to
// MaxRecordBytes, so that a write carrying a big upload (a blob of up to 20
// MiB, or a few of them) can always be shipped on its own.
const (
	MaxBatchEvents = 10_000
	MaxBatchBytes  = 4 << 20  // encoded events and change sets, framing included
	MaxRecordBytes = 48 << 20 // a batch of one record: one event and its change set, framing included
)

// limitsText says the limits, for the messages of ErrTooLarge.
var limitsText = fmt.Sprintf("the state takes at most %d events and %d MiB per batch, or a single event with its change set of up to %d MiB", MaxBatchEvents, MaxBatchBytes>>20, MaxRecordBytes>>20)

// checkSize refuses a batch of n records of size bytes (framing included)
// over the limits.
func checkSize(n, size int) error {
	switch {
	case n > MaxBatchEvents:
		return fmt.Errorf("%w: the batch holds %d events; %s", ErrTooLarge, n, limitsText)
	case n == 1 && size > MaxRecordBytes:
		return fmt.Errorf("%w: the event and its change set are %d bytes; %s", ErrTooLarge, size, limitsText)
	case n > 1 && size > MaxBatchBytes:
		return fmt.Errorf("%w: the batch is %d bytes; %s; send it in smaller batches", ErrTooLarge, size, limitsText)
	}
	return nil
}

// RecordSize is what one event and its change set count towards the
// batch limits (MaxBatchBytes, MaxRecordBytes): their bytes and framing.
func RecordSize(event, changes []byte) int {
	return uvarintLen(len(event)) + len(event) + uvarintLen(len(changes)) + len(changes)
}

// bodyCode is what a local body's code may look like on the state side: the
// codes the appliance uses (e.g. M0701) and the state's longer district
// form (e.g. KL-EKM-M01).
var bodyCode = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,31}$`)

// CheckBodyCode refuses a code that cannot be a local body's, with an
// error wrapping ErrBadBatch that says what a code looks like. Every code
// the FSM holds passes it, so a reader may use a code as a file name once
// it has.
func CheckBodyCode(code string) error {
	if !bodyCode.MatchString(code) {
		return fmt.Errorf("%w: %q is not a local body code (2-32 capital letters, digits or hyphens, starting with a letter, e.g. KL-EKM-M01)", ErrBadBatch, code)
	}
	return nil
}

// eventView is what the state needs of an encoded event, pointing into its
// bytes: scanEvent reads it without copying, and store.DecodeEvent gives
// the whole event when a reader wants it.
type eventView struct {
	Seq     uint64
	Time    time.Time
	Prev    []byte
	Changes []byte // the digest of the write's change set it binds; empty for none
	Hash    []byte
}

// eventFormat and eventFormatChanges are store's first byte of every
// encoded event (store/event.go): the second adds a seventh field, the
// 32-byte digest of the write's change set. FuzzScanEvent checks that
// scanEvent accepts exactly what store.DecodeEvent accepts and reads the
// same fields.
const (
	eventFormat        = 1
	eventFormatChanges = 2
)

// scanEvent parses an encoded store.Event as strictly as store.DecodeEvent
// (format byte, lengths minimally encoded, exactly a 32-byte hash at the
// end) without copying or allocating.
func scanEvent(b []byte) (eventView, error) {
	var v eventView
	if len(b) < 1+8+8+2+sha256.Size || (b[0] != eventFormat && b[0] != eventFormatChanges) {
		return v, fmt.Errorf("%w: too short or unknown format", store.ErrBadEvent)
	}
	fields := 6
	if b[0] == eventFormatChanges {
		fields = 7
	}
	v.Seq = binary.BigEndian.Uint64(b[1:])
	v.Time = time.Unix(0, int64(binary.BigEndian.Uint64(b[9:]))).UTC()
	p := b[19:]
	for i := range fields {
		n, w := binary.Uvarint(p)
		if w <= 0 || n > uint64(len(p)-w) {
			return v, fmt.Errorf("%w: field %d overruns the record", store.ErrBadEvent, i)
		}
		if w != uvarintLen(int(n)) {
			return v, fmt.Errorf("%w: field %d length is not minimally encoded", store.ErrBadEvent, i)
		}
		switch i {
		case 5:
			v.Prev = p[w : w+int(n)]
		case 6:
			if n != sha256.Size {
				return v, fmt.Errorf("%w: change set digest is %d bytes, want %d", store.ErrBadEvent, n, sha256.Size)
			}
			v.Changes = p[w : w+int(n)]
		}
		p = p[w+int(n):]
	}
	if len(p) != sha256.Size {
		return v, fmt.Errorf("%w: hash is %d bytes, want %d", store.ErrBadEvent, len(p), sha256.Size)
	}
	v.Hash = p
	return v, nil
}

// checkBatch reads every event of a batch and checks what can be checked
// without the state's copy: the limits, that each event's hash matches its
// contents, and that the events form one unbroken chain (consecutive
// sequence numbers, each event's prev the hash of the one before, no prev
// on event 1). Whether the batch continues the state's copy is the FSM's
// decision. The views point into raw.
func checkBatch(raw [][]byte) ([]eventView, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: the batch holds no events", ErrBadBatch)
	}
	if len(raw) > MaxBatchEvents {
		return nil, fmt.Errorf("%w: the batch holds %d events; the state takes at most %d events (and %d MiB) per batch", ErrTooLarge, len(raw), MaxBatchEvents, MaxBatchBytes>>20)
	}
	size := 0
	for _, r := range raw {
		size += len(r) + uvarintLen(len(r))
	}
	if size > MaxBatchBytes {
		return nil, fmt.Errorf("%w: the batch is %d bytes; the state takes at most %d MiB (%d bytes) and %d events per batch", ErrTooLarge, size, MaxBatchBytes>>20, MaxBatchBytes, MaxBatchEvents)
	}
	return checkChain(raw)
}

// checkReplica is checkBatch for a batch whose events carry change sets
// (changes[i] belongs to raw[i], empty for none): the limits count both,
// a batch of one record may be up to MaxRecordBytes, and each change set
// must be well framed.
func checkReplica(raw, changes [][]byte) ([]eventView, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: the batch holds no events", ErrBadBatch)
	}
	if len(changes) != len(raw) {
		return nil, fmt.Errorf("%w: %d change sets for %d events", ErrBadBatch, len(changes), len(raw))
	}
	size := 0
	for i := range raw {
		size += RecordSize(raw[i], changes[i])
	}
	if err := checkSize(len(raw), size); err != nil {
		return nil, err
	}
	evs, err := checkChain(raw)
	if err != nil {
		return nil, err
	}
	for i, cs := range changes {
		if err := checkChanges(cs); err != nil {
			return nil, fmt.Errorf("%w: the change set of event %d: %v", ErrBadBatch, evs[i].Seq, err)
		}
	}
	return evs, nil
}

// checkBound checks a change set against the digest its event binds into
// the chain (store's Event.Changes). bound says whether the body's log
// already binds change sets, so that one on an event that binds none is a
// change set added on the way, not a write from before the body's store
// bound them.
func checkBound(ev eventView, cs []byte, bound bool) error {
	switch {
	case len(ev.Changes) > 0 && len(cs) == 0:
		return fmt.Errorf("%w: event %d binds a change set, and none was sent with it; nothing was applied", ErrBadBatch, ev.Seq)
	case len(ev.Changes) > 0:
		if sum := sha256.Sum256(cs); !bytes.Equal(sum[:], ev.Changes) {
			return fmt.Errorf("%w: the change set sent with event %d does not match the digest the event binds: it was changed after it was written; nothing was applied", ErrBadBatch, ev.Seq)
		}
	case len(cs) > 0 && bound:
		return fmt.Errorf("%w: event %d binds no change set, yet one was sent with it; nothing was applied", ErrBadBatch, ev.Seq)
	}
	return nil
}

// checkChanges checks a change set's framing (store/changes.go): records
// of an op byte and four length-prefixed fields, to the end. What the ops
// mean is the store's business: the state keeps change sets as shipped,
// for a store to replay.
func checkChanges(cs []byte) error {
	for p, rec := cs, 1; len(p) > 0; rec++ {
		p = p[1:]
		for i := range 4 {
			n, w := binary.Uvarint(p)
			if w <= 0 || n > uint64(len(p)-w) {
				return fmt.Errorf("record %d, field %d overruns it: not a change set", rec, i+1)
			}
			p = p[w+int(n):]
		}
	}
	return nil
}

// checkChain checks each event of a batch and that they form one chain.
func checkChain(raw [][]byte) ([]eventView, error) {
	evs := make([]eventView, len(raw))
	for i, r := range raw {
		ev, err := checkEvent(r)
		if err != nil {
			if i > 0 {
				return nil, fmt.Errorf("%w (the event after %d): %v", ErrBadBatch, evs[i-1].Seq, err)
			}
			return nil, fmt.Errorf("%w: %v", ErrBadBatch, err)
		}
		switch {
		case i == 0 && ev.Seq == 1 && len(ev.Prev) != 0:
			return nil, fmt.Errorf("%w: event 1 has a prev hash; the first event of a log has none", ErrBadBatch)
		case i > 0 && ev.Seq != evs[i-1].Seq+1:
			return nil, fmt.Errorf("%w: event %d follows event %d; a batch must hold consecutive events", ErrBadBatch, ev.Seq, evs[i-1].Seq)
		case i > 0 && !bytes.Equal(ev.Prev, evs[i-1].Hash):
			return nil, fmt.Errorf("%w: event %d does not follow event %d (its prev hash differs); the chain is broken", ErrBadBatch, ev.Seq, evs[i-1].Seq)
		}
		evs[i] = ev
	}
	return evs, nil
}

// checkEvent reads one encoded event and checks its hash. Because an event
// has exactly one encoding (store.DecodeEvent refuses any other), the hash
// is checked over the shipped bytes themselves.
func checkEvent(raw []byte) (eventView, error) {
	ev, err := scanEvent(raw)
	if err != nil {
		return ev, err
	}
	if ev.Seq == 0 {
		return ev, fmt.Errorf("an event has sequence number 0; logs start at 1")
	}
	sum := sha256.Sum256(raw[:len(raw)-sha256.Size])
	if !bytes.Equal(sum[:], ev.Hash) {
		return ev, fmt.Errorf("event %d was changed after it was written (its hash does not match its contents)", ev.Seq)
	}
	return ev, nil
}

func uvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}
