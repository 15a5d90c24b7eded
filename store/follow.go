package store

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// ReadLog returns up to limit events with Seq >= from, in order. Events of
// types a reader does not know are returned like any other; readers skip
// what they do not understand.
func (s *Store) ReadLog(from uint64, limit int) ([]Event, error) {
	if from == 0 {
		from = 1
	}
	var out []Event
	err := s.view(func(btx *bolt.Tx) error {
		defer s.releaseDue(btx) // a follower catching up reads the whole log
		c := btx.Bucket(bucketLog).Cursor()
		for k, v := c.Seek(seqKey(from)); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			ev, err := DecodeEvent(v)
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		return nil
	})
	return out, err
}

// Event returns the event with sequence number seq.
func (s *Store) Event(seq uint64) (Event, error) {
	evs, err := s.ReadLog(seq, 1)
	if err != nil {
		return Event{}, err
	}
	if len(evs) == 0 || evs[0].Seq != seq {
		return Event{}, ErrNotFound
	}
	return evs[0], nil
}

// changed returns a channel that is closed at the next commit.
func (s *Store) changed() (<-chan struct{}, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notify, s.lastSeq
}

// WaitFor blocks until the log holds an event with Seq > after, the context
// ends, or the store closes. It does not poll: every commit wakes waiters.
func (s *Store) WaitFor(ctx context.Context, after uint64) error {
	for {
		ch, last := s.changed()
		if last > after {
			return nil
		}
		select {
		case <-ch:
		case <-s.stopped:
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Follow hands every event from sequence from onwards to fn, in order and in
// batches of at most batch, then waits for new ones. It returns when the
// context ends, the store closes, or fn fails. A follower that remembers the
// last Seq it handled can resume from the next one after a restart.
func (s *Store) Follow(ctx context.Context, from uint64, batch int, fn func([]Event) error) error {
	if from == 0 {
		from = 1
	}
	for {
		// A follower catching up on a long backlog stops between batches
		// when asked, not only once it has caught up.
		if err := ctx.Err(); err != nil {
			return err
		}
		evs, err := s.ReadLog(from, batch)
		if err != nil {
			return err
		}
		if len(evs) > 0 {
			if err := fn(evs); err != nil {
				return err
			}
			from = evs[len(evs)-1].Seq + 1
			continue
		}
		if err := s.WaitFor(ctx, from-1); err != nil {
			return err
		}
	}
}
