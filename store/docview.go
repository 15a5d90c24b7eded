package store

import (
	"context"
	"errors"
	"sync"
)

// DocView keeps a view derived from the documents of one entity — which
// files are on which desk, which demands are in whose name — in memory,
// caught up with the log, instead of as index documents each write would
// have to put. It is built at first use from the documents as they stand;
// after that, for every event Affected names documents of, it reads those
// documents afresh and hands them to Apply. Applying is idempotent (a
// document is read as it is now, never patched), so the view is always
// the documents' current state, whatever it replays; nothing of it is
// stored, so a restarted process (kill -9 included) rebuilds it from the
// documents, never from a copy that could disagree with them.
//
// Read catches up with the log as it stands at the moment of the call, so
// a person who has just written sees the result (read-your-writes);
// Follow only keeps the view warm.
type DocView struct {
	Store  *Store
	Entity string
	// Reset empties the view; it is called before the view is built.
	Reset func()
	// Affected returns the ids of Entity's documents whose part in the
	// view an event may have changed.
	Affected func(Event) []string
	// Apply puts a document in the view as it is now; doc is nil when the
	// document is gone.
	Apply func(id string, doc []byte) error

	mu      sync.Mutex
	built   bool
	applied uint64 // the last log sequence applied
}

// Read runs fn with the view caught up with the log as it is now; no
// other Read or catch-up runs meanwhile.
func (v *DocView) Read(fn func() error) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.catchUp(context.Background()); err != nil {
		return err
	}
	return fn()
}

// Follow keeps the view caught up with the log until ctx ends (ctx.Err()),
// the store closes (ErrClosed) or a read fails.
func (v *DocView) Follow(ctx context.Context) error {
	for {
		v.mu.Lock()
		err := v.catchUp(ctx)
		at := v.applied
		v.mu.Unlock()
		if err != nil {
			return err
		}
		if err := v.Store.WaitFor(ctx, at); err != nil {
			return err
		}
	}
}

// catchUp builds the view when it is new, then applies the events up to
// the last one committed when it was called, stopping between batches
// when ctx ends (a process shutting down). v.mu is held.
func (v *DocView) catchUp(ctx context.Context) error {
	// Every event up to target is committed before LastSeq says so, so the
	// documents read below hold at least all of them.
	target := v.Store.LastSeq()
	if !v.built {
		v.Reset()
		err := v.Store.View(func(tx *Tx) error {
			return tx.Scan(v.Entity, ScanOptions{}, func(id string, raw []byte) error { return v.Apply(id, raw) })
		})
		if err != nil {
			return err
		}
		v.applied, v.built = target, true
	}
	for v.applied < target {
		if err := ctx.Err(); err != nil {
			return err
		}
		evs, err := v.Store.ReadLog(v.applied+1, 1000)
		if err != nil || len(evs) == 0 {
			return err
		}
		// One event may name many documents (a batch of a half-year's
		// demands); each is read once however many events name it.
		var ids []string
		seen := map[string]bool{}
		for _, ev := range evs {
			for _, id := range v.Affected(ev) {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		if len(ids) > 0 {
			err := v.Store.View(func(tx *Tx) error {
				for _, id := range ids {
					raw, err := tx.GetRaw(v.Entity, id)
					if errors.Is(err, ErrNotFound) {
						raw, err = nil, nil
					}
					if err != nil {
						return err
					}
					if err := v.Apply(id, raw); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		v.applied = evs[len(evs)-1].Seq
	}
	return nil
}
