package stateview

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"ksmart/appliance/workflow"
	"ksmart/replication"
	"ksmart/store"
)

// fakeSource feeds the index and counters from local bodies' stores directly, as the FSM
// would from what they shipped; visible cuts a body's log short, as a
// shipper part-way through a write leaves it.
type fakeSource struct {
	mu      sync.Mutex
	stores  map[string]*store.Store
	visible map[string]uint64 // 0: all
	applied []func(string, []store.Event)
	restore []func()
}

func newFakeSource() *fakeSource {
	return &fakeSource{stores: map[string]*store.Store{}, visible: map[string]uint64{}}
}

func (f *fakeSource) head(code string) (uint64, *store.Store) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.stores[code]
	if st == nil {
		return 0, nil
	}
	h := st.LastSeq()
	if v := f.visible[code]; v > 0 && v < h {
		h = v
	}
	return h, st
}

func (f *fakeSource) Body(code string) (replication.BodyInfo, bool, error) {
	h, st := f.head(code)
	if st == nil {
		return replication.BodyInfo{Code: code}, false, nil
	}
	b := replication.BodyInfo{Code: code, LastSeq: h, Events: h}
	if h > 0 {
		ev, err := st.Event(h)
		if err != nil {
			return b, false, err
		}
		b.LastHash = ev.Hash
	}
	return b, true, nil
}

func (f *fakeSource) Bodies() ([]replication.BodyInfo, error) {
	f.mu.Lock()
	var codes []string
	for c := range f.stores {
		codes = append(codes, c)
	}
	f.mu.Unlock()
	var out []replication.BodyInfo
	for _, c := range codes {
		b, _, err := f.Body(c)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func (f *fakeSource) Forks(string) ([]replication.Fork, error) { return nil, nil }

func (f *fakeSource) ReadReplica(code string, from uint64, limit int) ([]store.Event, [][]byte, error) {
	h, st := f.head(code)
	if st == nil || from > h {
		return nil, nil, nil
	}
	if n := int(h - from + 1); limit <= 0 || n < limit {
		limit = n
	}
	return st.ReadReplica(from, limit)
}

func (f *fakeSource) ReadChange(code string, seq uint64, at int) (store.Change, bool, error) {
	h, st := f.head(code)
	if st == nil || seq > h {
		return store.Change{}, false, nil
	}
	return st.ReadChange(seq, at)
}

func (f *fakeSource) OnApplied(fn func(string, []store.Event)) {
	f.mu.Lock()
	f.applied = append(f.applied, fn)
	f.mu.Unlock()
}

func (f *fakeSource) OnRestore(fn func()) {
	f.mu.Lock()
	f.restore = append(f.restore, fn)
	f.mu.Unlock()
}

// set makes st the body's log (all of it visible up to visible, 0: all)
// and tells the subscribers.
func (f *fakeSource) set(code string, st *store.Store, visible uint64, restored bool) {
	f.mu.Lock()
	f.stores[code], f.visible[code] = st, visible
	subs, rs := f.applied, f.restore
	f.mu.Unlock()
	if restored {
		for _, fn := range rs {
			fn()
		}
		return
	}
	for _, fn := range subs {
		fn(code, nil)
	}
}

// bodyStore is a local body's store with n files, submitted in writes of
// perWrite files (each file its own event; the write's change set under
// its last event).
func bodyStore(tb testing.TB, n, perWrite int, name string) *store.Store {
	tb.Helper()
	st, err := store.Open(tb.TempDir(), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	now := time.Now()
	entity := workflow.SearchSource(nil).Entity() // where files are kept
	for i := 0; i < n; i += perWrite {
		_, err := st.Write(func(tx *store.Tx) error {
			for j := i; j < min(n, i+perWrite); j++ {
				id := fmt.Sprintf("%010d", j+1)
				f := workflow.File{ID: id, Number: fmt.Sprintf("KS/T01/2026/X/%d", j+1), Service: "x", Status: workflow.StatusInProgress,
					Submitted: now, Due: now.Add(time.Hour)}
				f.Applicant.Name.En = fmt.Sprintf("%s %d", name, j+1)
				if err := tx.Put(entity, id, f); err != nil {
					return err
				}
				if err := tx.Emit("clerk", workflow.EventSubmitted, entity, id, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return st
}
