package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// expected is what the change sets say one key holds: the SHA-256 of its
// value (present) or nothing, and for a number the least it may be
// (Reserve sets numbers aside without events, so a number may run ahead).
type expected struct {
	seq     uint64 // the event whose write last stored the key
	sum     [sha256.Size]byte
	present bool
	number  uint64
	isNum   bool
	seen    bool
}

// checkAll walks the chain as walkChain does and, beside it, replays every
// change set into what each current key must hold, then compares the
// current state with that.
func checkAll(btx *bolt.Tx) (CheckReport, error) {
	var rep CheckReport
	var prev []byte
	want := map[string]*expected{}
	var local []string
	bound := false
	cc := btx.Bucket(bucketChanges).Cursor()
	ck, cv := cc.First()
	c := btx.Bucket(bucketLog).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		seq := rep.Events + 1
		ev, err := checkEvent(k, v, seq, prev)
		if err != nil {
			return rep, err
		}
		// Change sets are keyed like the log: one whose key is not an
		// event's was put there by hand.
		if ck != nil && bytes.Compare(ck, k) < 0 {
			return rep, &CheckError{Problem: fmt.Sprintf("a change set is stored under key %x, which no event has: it was put there outside the log", ck), Err: ErrChangesDiffer}
		}
		var cs []byte
		if ck != nil && bytes.Equal(ck, k) {
			cs = cv
			ck, cv = cc.Next()
		}
		if err := verifyChangeSet(&ev, cs, bound); err != nil {
			return rep, &CheckError{Seq: seq, Problem: err.Error(), Err: ErrChangesDiffer}
		}
		bound = bound || len(ev.Changes) > 0
		switch {
		case ev.Is(EventLocalEntities):
			var d LocalEntitiesData
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				return rep, &CheckError{Seq: seq, Problem: "its list of local entities does not decode: " + err.Error(), Err: ErrChainBroken}
			}
			local = d.Entities
		case ev.Is(EventSealed):
			var d SealedData
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				return rep, &CheckError{Seq: seq, Problem: "its seal does not decode: " + err.Error(), Err: ErrChainBroken}
			}
			if d.Part == 1 {
				// The seal states the whole state as it stood: what the
				// change sets before it said (unbound) no longer counts.
				clear(want)
			}
		}
		if len(cs) > 0 {
			if err := expect(want, cs, seq); err != nil {
				return rep, &CheckError{Seq: seq, Problem: "its change set: " + err.Error(), Err: ErrChangesDiffer}
			}
		}
		prev = ev.Hash
		rep.Events++
	}
	if ck != nil {
		return rep, &CheckError{Problem: fmt.Sprintf("a change set is stored under key %x, after the last event", ck), Err: ErrChangesDiffer}
	}
	rep.LastHash, rep.Local = prev, local
	if v := btx.Bucket(bucketMeta).Get(keySchema); len(v) == 8 && binary.BigEndian.Uint64(v) < 3 {
		rep.Unbound = true
		return rep, nil
	}
	n, err := compareState(btx, want, local)
	rep.Records = n
	return rep, err
}

// checkEvent decodes and verifies the event stored under k as the seq-th.
func checkEvent(k, v []byte, seq uint64, prev []byte) (Event, error) {
	if len(k) != 8 || !bytes.Equal(k, seqKey(seq)) {
		return Event{}, &CheckError{Seq: seq, Problem: fmt.Sprintf("missing; the log jumps to key %x", k), Err: ErrChainBroken}
	}
	ev, err := DecodeEvent(v)
	if err != nil {
		return ev, &CheckError{Seq: seq, Problem: err.Error(), Err: ErrChainBroken}
	}
	if ev.Seq != seq {
		return ev, &CheckError{Seq: seq, Problem: fmt.Sprintf("stored under %d but says it is %d", seq, ev.Seq), Err: ErrChainBroken}
	}
	if err := ev.Verify(prev); err != nil {
		problem := "its hash does not match its contents: it was changed after it was written"
		if !bytes.Equal(ev.Prev, prev) {
			problem = "its prev hash does not match the event before it: the chain is broken"
		}
		return ev, &CheckError{Seq: seq, Problem: problem, Err: ErrChainBroken}
	}
	return ev, nil
}

// expect replays a change set into want.
func expect(want map[string]*expected, cs []byte, seq uint64) error {
	return eachChange(cs, func(op byte, top []byte, sub string, key, value []byte) error {
		k := overlayKey(top, sub, key)
		e := want[k]
		if e == nil {
			e = &expected{}
			want[k] = e
		}
		switch op {
		case changePut:
			*e = expected{seq: seq, sum: sha256.Sum256(value), present: true}
		case changePutIfNone:
			if !e.present {
				*e = expected{seq: seq, sum: sha256.Sum256(value), present: true}
			}
		case changeDelete:
			*e = expected{seq: seq}
		case changeDigest:
			*e = expected{seq: seq, present: len(value) > 0}
			copy(e.sum[:], value)
		case changeNumberAtLeast:
			if n := binary.BigEndian.Uint64(value); !e.isNum || n > e.number {
				*e = expected{seq: seq, present: true, isNum: true, number: n}
			}
		}
		return nil
	})
}

// compareState compares every current document (but the local entities'),
// key, number and blob with want, and reports the first that differs.
func compareState(btx *bolt.Tx, want map[string]*expected, local []string) (int, error) {
	n := 0
	// differs names the key and the write that last stored it.
	differs := func(what string, e *expected, problem string) error {
		var seq uint64
		switch {
		case e == nil:
			problem = "is present, but no write in the log stored it: it was put there outside the log"
		case !e.present:
			seq = e.seq
			problem = "is present, but the write of " + eventName(btx, seq) + " removed it: it was put back outside the log"
		default:
			seq = e.seq
			problem += " the write of " + eventName(btx, seq) + " stored: it was changed outside the log"
		}
		return &CheckError{Seq: seq, Key: what, Problem: problem, Err: ErrChangesDiffer}
	}
	for _, top := range [][]byte{bucketState, bucketKeys} {
		kind := "document"
		if bytes.Equal(top, bucketKeys) {
			kind = "key"
		}
		var err error
		btx.Bucket(top).ForEachBucket(func(sub []byte) error {
			if bytes.Equal(top, bucketState) && slices.Contains(local, string(sub)) {
				return nil
			}
			return btx.Bucket(top).Bucket(sub).ForEach(func(k, v []byte) error {
				if v == nil {
					return nil
				}
				what := fmt.Sprintf("%s %s %s", kind, sub, strconv.Quote(string(k)))
				e := want[overlayKey(top, string(sub), k)]
				switch {
				case e == nil || !e.present:
					err = differs(what, e, "")
				case sha256.Sum256(v) != e.sum:
					err = differs(what, e, "holds other bytes than")
				}
				if err != nil {
					return err
				}
				e.seen = true
				n++
				return nil
			})
		})
		if err != nil {
			return n, err
		}
	}
	var err error
	btx.Bucket(bucketNumbers).ForEach(func(k, v []byte) error {
		e := want[overlayKey(bucketNumbers, "", k)]
		if e == nil {
			return nil // set aside by Reserve and not used yet
		}
		e.seen = true
		n++
		if len(v) != 8 || binary.BigEndian.Uint64(v) < e.number {
			err = differs("number "+strconv.Quote(string(k)), e, fmt.Sprintf("is lower (%x) than the %d", v, e.number))
		}
		return err
	})
	if err != nil {
		return n, err
	}
	btx.Bucket(bucketBlobs).ForEach(func(k, v []byte) error {
		what := "blob " + string(k)
		e := want[overlayKey(bucketBlobs, "", k)]
		switch {
		case e == nil || !e.present:
			err = differs(what, e, "")
		case sha256.Sum256(v) != e.sum:
			err = differs(what, e, "holds other bytes than")
		}
		if err != nil {
			return err
		}
		e.seen = true
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	// What the log says is there must be there. Report in key order.
	var missing []string
	for k, e := range want {
		// A private document's bytes never leave the machine that wrote
		// it: a copy made from the log lacks it, and may.
		if e.present && !e.seen && !isLocal(k, local) && !strings.HasPrefix(k, privatePrefix) {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return n, nil
	}
	slices.Sort(missing)
	k := missing[0]
	parts := strings.SplitN(k, "\x00", 3)
	top, sub, key := parts[0], parts[1], parts[2]
	what := map[string]string{"state": "document", "keys": "key", "numbers": "number", "blobs": "blob"}[top]
	if sub != "" {
		what += " " + sub
	}
	what += " " + strconv.Quote(key)
	return n, &CheckError{Seq: want[k].seq, Key: what, Problem: "is missing, but the write of " + eventName(btx, want[k].seq) + " stored it: it was removed outside the log", Err: ErrChangesDiffer}
}

var privatePrefix = overlayKey(bucketState, PrivateEntity, nil)

// isLocal reports whether an overlay key is a local entity's document.
func isLocal(k string, local []string) bool {
	top, rest, _ := bytes.Cut([]byte(k), []byte{0})
	sub, _, _ := bytes.Cut(rest, []byte{0})
	return bytes.Equal(top, bucketState) && slices.Contains(local, string(sub))
}

// eventName says "event 12 (birth.registered)".
func eventName(btx *bolt.Tx, seq uint64) string {
	name := fmt.Sprintf("event %d", seq)
	if v := btx.Bucket(bucketLog).Get(seqKey(seq)); v != nil {
		if ev, err := DecodeEvent(v); err == nil {
			name += " (" + ev.Type + ")"
		}
	}
	return name
}
