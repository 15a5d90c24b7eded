package store

import (
	"crypto/sha256"
	"errors"
	"fmt"
	bolt "go.etcd.io/bbolt"
	"runtime/debug"
	"syscall"
	"time"
)

type writeRequest struct {
	fn     func(*Tx) error
	err    error
	events []Event
	done   chan struct{}
}

// Write runs fn once in a write transaction and commits what it staged,
// together with other concurrent writers' changes, in one durable bbolt
// commit. It returns the events fn appended, now with their Seq and Hash,
// only after the commit has reached the disk. If fn returns an error (or
// panics), nothing it staged is written and that error is returned.
func (s *Store) Write(fn func(tx *Tx) error) ([]Event, error) {
	if s.opts.ReadOnly {
		return nil, ErrReadOnly
	}
	r := &writeRequest{fn: fn, done: make(chan struct{})}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return nil, ErrClosed
	}
	s.queue <- r
	s.closeMu.RUnlock()
	<-r.done
	return r.events, r.err
}

// commitLoop is the single committer: it takes whatever writes are waiting
// (at least one, at most MaxBatch) and commits them in one transaction. A
// lone writer commits at once. Under load it lingers briefly for the writers
// that the last commit just released: without that, 64 writers settle into
// two cohorts that take turns, and each commit carries half of them.
func (s *Store) commitLoop() {
	defer close(s.stopped)
	batch := make([]*writeRequest, 0, s.opts.MaxBatch)
	var last, pendingAfterLast int
	var lastCommit time.Duration
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for first := range s.queue {
		batch = append(batch[:0], first)
		closed, _ := s.gather(&batch, nil)
		// The writers the last commit released are likely on their way back;
		// those that queued during it are here already.
		if target := min(last+pendingAfterLast, s.opts.MaxBatch); !closed && last > 1 && len(batch) < target {
			linger.Reset(min(lastCommit/2, 2*time.Millisecond))
			for !closed && len(batch) < target {
				var expired bool
				closed, expired = s.gather(&batch, linger.C)
				if expired {
					break
				}
			}
			linger.Stop()
		}
		start := time.Now()
		s.commit(batch)
		lastCommit = time.Since(start)
		last, pendingAfterLast = len(batch), len(s.queue)
	}
}

// gather moves waiting requests into batch. With wait nil it takes only
// what is queued now; otherwise it blocks for one more request or until
// wait fires. It reports whether the queue was closed or wait fired.
func (s *Store) gather(batch *[]*writeRequest, wait <-chan time.Time) (closed, expired bool) {
	for len(*batch) < s.opts.MaxBatch {
		if wait == nil {
			select {
			case r, ok := <-s.queue:
				if !ok {
					return true, false
				}
				*batch = append(*batch, r)
			default:
				return false, false
			}
			continue
		}
		select {
		case r, ok := <-s.queue:
			if !ok {
				return true, false
			}
			*batch = append(*batch, r)
			wait = nil // then take whatever else is queued
		case <-wait:
			return false, true
		}
	}
	return false, false
}

func (s *Store) commit(batch []*writeRequest) {
	seq, prev := s.lastSeq, s.lastHash
	s.mu.Lock()
	bound := s.bound
	s.mu.Unlock()
	err := s.db.Update(func(btx *bolt.Tx) error {
		log := btx.Bucket(bucketLog)
		// The log's keys only ever grow, so its pages are filled instead of
		// split in half: a log of small events takes its own size on disk,
		// not twice it (measured: 1M imported births, 4.0 GiB → 3.0 GiB).
		log.FillPercent = 1.0
		// So are the change sets' keys (the sequence of their write's last
		// event): full pages halve what they write per commit.
		changes := btx.Bucket(bucketChanges)
		changes.FillPercent = 1.0
		grown := tails{}
		for _, r := range batch {
			tx := &Tx{btx: btx, store: s, writable: true, tails: grown}
			if r.err = call(r.fn, tx); r.err != nil {
				continue
			}
			if tx.replica != nil {
				var err error
				if seq, prev, err = applyReplica(btx, tx.replica, seq, prev, &bound); err != nil {
					return err
				}
				continue
			}
			if err := tx.apply(); err != nil {
				return err
			}
			var cs []byte
			if len(tx.events) > 0 {
				// The write's last event binds its change set into the chain.
				if cs = tx.changeSet(); len(cs) > 0 {
					sum := sha256.Sum256(cs)
					tx.events[len(tx.events)-1].Changes = sum[:]
				}
			}
			for i := range tx.events {
				ev := &tx.events[i]
				seq++
				ev.Seq, ev.Prev = seq, prev
				value := ev.seal()
				if err := log.Put(seqKey(seq), value); err != nil {
					return err
				}
				prev = ev.Hash
			}
			if len(cs) > 0 {
				if err := changes.Put(seqKey(seq), cs); err != nil {
					return err
				}
				if !bound {
					if err := markBound(btx, seq); err != nil {
						return err
					}
					bound = true
				}
			}
			r.events = tx.events
		}
		s.releaseDue(btx)
		return nil
	})
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			s.diskFull.Store(true)
		}
		for _, r := range batch {
			if r.err == nil {
				r.err, r.events = fmt.Errorf("store: commit failed, nothing was written: %w", err), nil
			}
		}
	} else {
		s.diskFull.Store(false)
	}
	if err == nil && seq != s.lastSeq {
		s.mu.Lock()
		s.bound = bound
		s.stats.Commits++
		s.stats.Events += seq - s.lastSeq
		s.lastSeq, s.lastHash = seq, prev
		close(s.notify)
		s.notify = make(chan struct{})
		s.mu.Unlock()
	}
	for _, r := range batch {
		close(r.done)
	}
}

// call runs fn, turning a panic into an error so one bad writer cannot take
// the committer (and every other writer) down.
func call(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: write function panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(tx)
}
