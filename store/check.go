package store

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// CheckError names the first problem Check found. Seq is the first bad
// event's sequence number, 0 when the problem is in the file itself. For a
// current document, key, number or blob that differs from what the log
// says, Key names it (e.g. `document birth "b-1"`) and Seq is the event
// whose write last stored it (0 when none did).
type CheckError struct {
	Seq     uint64
	Key     string
	Problem string
	Err     error // ErrChainBroken, ErrChangesDiffer or ErrCorrupt
}

func (e *CheckError) Error() string {
	switch {
	case e.Key != "":
		return fmt.Sprintf("%s: %s", e.Key, e.Problem)
	case e.Seq > 0:
		return fmt.Sprintf("log event %d: %s", e.Seq, e.Problem)
	}
	return e.Problem
}

func (e *CheckError) Unwrap() error { return e.Err }

// CheckReport summarises a successful Check.
type CheckReport struct {
	Events   uint64
	LastHash []byte
	// Records is how many current documents, keys, numbers and blobs
	// were verified against the change sets the log binds; Unbound is true
	// for a file of schema 2 or older opened read-only, whose state is
	// not yet sealed into the chain (a writable open seals it).
	Records int
	Unbound bool
	// Local are the entities declared local (written without events),
	// whose documents are not verified.
	Local []string
}

// Check runs bbolt's own consistency check over every page, then walks the
// whole log verifying that sequence numbers run 1, 2, 3, … without gaps,
// that every event's hash and prev link verify and that every change set
// matches the digest its event binds; then it compares every current
// document, key, number and blob with what the write that last stored it
// stored. It returns a *CheckError naming the first problem.
func (s *Store) Check() (rep CheckReport, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &CheckError{Problem: fmt.Sprintf("data file is damaged (%v); restore it from a backup", r), Err: ErrCorrupt}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	err = s.db.View(func(btx *bolt.Tx) error {
		if err := checkSize(btx, s.db.Path()); err != nil {
			return &CheckError{Problem: err.Error(), Err: ErrCorrupt}
		}
		for cerr := range btx.Check() {
			// Report the first; drain the rest so the checker finishes.
			if err == nil {
				err = &CheckError{Problem: fmt.Sprintf("data file is damaged: %v; restore it from a backup", cerr), Err: ErrCorrupt}
			}
		}
		if err != nil {
			return err
		}
		rep, err = checkAll(btx)
		return err
	})
	if err == nil && s.metaDamage != "" {
		// Everything else holds: say what is true, as serve does.
		err = &CheckError{Problem: s.metaDamage, Err: ErrMetaDamaged}
	}
	return rep, err
}

// VerifyChain walks the log only (no page check); serve runs it at start.
func (s *Store) VerifyChain() (rep CheckReport, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &CheckError{Problem: fmt.Sprintf("data file is damaged (%v); restore it from a backup", r), Err: ErrCorrupt}
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	err = s.db.View(func(btx *bolt.Tx) error {
		rep, err = walkChain(btx, func() { s.releaseDue(btx) })
		return err
	})
	return rep, err
}

// walkChain verifies the log's chain in btx, calling every, when not nil,
// after every 10,000 events (VerifyChain gives mapped pages back).
func walkChain(btx *bolt.Tx, every func()) (CheckReport, error) {
	var rep CheckReport
	var prev []byte
	c := btx.Bucket(bucketLog).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		want := rep.Events + 1
		if len(k) != 8 || !bytes.Equal(k, seqKey(want)) {
			return rep, &CheckError{Seq: want, Problem: fmt.Sprintf("missing; the log jumps to key %x", k), Err: ErrChainBroken}
		}
		ev, err := DecodeEvent(v)
		if err != nil {
			return rep, &CheckError{Seq: want, Problem: err.Error(), Err: ErrChainBroken}
		}
		if ev.Seq != want {
			return rep, &CheckError{Seq: want, Problem: fmt.Sprintf("stored under %d but says it is %d", want, ev.Seq), Err: ErrChainBroken}
		}
		if err := ev.Verify(prev); err != nil {
			problem := "its hash does not match its contents: it was changed after it was written"
			if !bytes.Equal(ev.Prev, prev) {
				problem = "its prev hash does not match the event before it: the chain is broken"
			}
			return rep, &CheckError{Seq: want, Problem: problem, Err: ErrChainBroken}
		}
		prev = ev.Hash
		rep.Events++
		if every != nil && rep.Events%10000 == 0 {
			every()
		}
	}
	rep.LastHash = prev
	return rep, nil
}

// IsCorrupt reports whether err means the data is damaged (as opposed to,
// say, a locked or missing directory).
func IsCorrupt(err error) bool {
	return errors.Is(err, ErrCorrupt) || errors.Is(err, ErrChainBroken) || errors.Is(err, ErrChangesDiffer)
}
