package stateview

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ksmart/appliance/workflow"
	"ksmart/replication"
	"ksmart/replication/replicationtest"
	"ksmart/search"
	"ksmart/store"
)

// fakeSource feeds mirrors from local bodies' stores directly, as the FSM
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

func openTestMirrors(tb testing.TB, src replicaSource, cfg MirrorsConfig) *Mirrors {
	tb.Helper()
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(tb.TempDir(), "mirrors")
	}
	m, err := openMirrors(src, cfg, replicationtest.Logger(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

// mirrorHolds waits until the body's mirror and its index hold want events
// and the index finds the files by applicant name.
func mirrorHolds(tb testing.TB, m *Mirrors, code string, want uint64, name string, files int) {
	tb.Helper()
	replicationtest.Eventually(tb, 10*time.Second, func() error {
		s, err := m.Status(code)
		if err != nil {
			return err
		}
		if s.MirrorSeq != want {
			return fmt.Errorf("%s's mirror holds %d events, want %d (%+v)", code, s.MirrorSeq, want, s)
		}
		var found uint64
		err = m.use(m.get(code), func(o *openMirror) error {
			if err := o.ix.WaitFor(context.Background(), want); err != nil {
				return err
			}
			r, err := o.ix.Search(context.Background(), search.Query{Name: name, Size: 1})
			found = r.Total
			return err
		})
		if err != nil {
			return err
		}
		if found != uint64(files) {
			return fmt.Errorf("%s's index finds %d files named %s, want %d", code, found, name, files)
		}
		return nil
	})
}

func TestMirrors_AWriteCutShortAtTheHeadWaitsForItsChangeSet(t *testing.T) {
	src := newFakeSource()
	m := openTestMirrors(t, src, MirrorsConfig{TailQuiet: 50 * time.Millisecond})
	st := bodyStore(t, 30, 10, "Sreekumar") // writes of events 1-10, 11-20, 21-30
	// The shipper has sent events 1-15: the second write's first half.
	src.set("T01", st, 15, false)
	replicationtest.Eventually(t, 10*time.Second, func() error {
		s, _ := m.Status("T01")
		if s.MirrorSeq != 10 || s.Waiting != 5 {
			return fmt.Errorf("want the first write appended and 5 events waiting, got %+v", s)
		}
		return nil
	})
	// Well past TailQuiet, the half write still waits: it names files the
	// mirror does not hold.
	time.Sleep(200 * time.Millisecond)
	if s, _ := m.Status("T01"); s.MirrorSeq != 10 {
		t.Fatalf("a half write was appended: %+v", s)
	}
	src.set("T01", st, 0, false)
	// Every file is indexed, those of the write that came in two parts too.
	mirrorHolds(t, m, "T01", 30, "Sreekumar", 30)
}

func TestMirrors_AMirrorThatContradictsTheStateIsRebuilt(t *testing.T) {
	src := newFakeSource()
	m := openTestMirrors(t, src, MirrorsConfig{})
	src.set("T01", bodyStore(t, 20, 5, "Sreekumar"), 0, false)
	mirrorHolds(t, m, "T01", 20, "Sreekumar", 20)

	// The state now holds another log under the same code (a cluster made
	// again and shipped to by a restored body): the mirror's last event is
	// not the state's, so it is made again.
	src.set("T01", bodyStore(t, 20, 4, "Mohammed"), 0, false)
	mirrorHolds(t, m, "T01", 20, "Mohammed", 20)
	if s, _ := m.Status("T01"); s.Rebuilds != 1 {
		t.Fatalf("rebuilt %d times, want 1", s.Rebuilds)
	}

	// After a snapshot is installed, a mirror ahead of the state is wrong
	// too (a snapshot never takes the state back).
	src.set("T01", bodyStore(t, 12, 4, "Rajesh"), 0, true)
	mirrorHolds(t, m, "T01", 12, "Rajesh", 12)
	if s, _ := m.Status("T01"); s.Rebuilds != 2 {
		t.Fatalf("rebuilt %d times, want 2", s.Rebuilds)
	}
}

func TestMirrors_AMirrorAheadOfAReplayingStateIsKept(t *testing.T) {
	src := newFakeSource()
	m := openTestMirrors(t, src, MirrorsConfig{})
	st := bodyStore(t, 20, 5, "Sreekumar")
	src.set("T01", st, 0, false)
	mirrorHolds(t, m, "T01", 20, "Sreekumar", 20)
	// After an unclean restart the FSM restores an older snapshot and
	// replays raft's log: for a while it holds less than the mirror.
	src.set("T01", st, 10, false)
	replicationtest.Eventually(t, 10*time.Second, func() error {
		if s, _ := m.Status("T01"); !s.Ahead || s.MirrorSeq != 20 || s.Rebuilds != 0 {
			return fmt.Errorf("want the mirror kept and said to be ahead: %+v", s)
		}
		return nil
	})
}

func TestMirrors_AtMostMaxOpenStayOpenAndDeletedMirrorsComeBack(t *testing.T) {
	src := newFakeSource()
	dir := filepath.Join(t.TempDir(), "mirrors")
	cfg := MirrorsConfig{Dir: dir, MaxOpen: 2, Workers: 3}
	m := openTestMirrors(t, src, cfg)
	codes := []string{"T01", "T02", "T03", "T04", "T05"}
	for _, c := range codes {
		src.set(c, bodyStore(t, 8, 3, "Anitha"), 0, false)
	}
	for _, c := range codes {
		mirrorHolds(t, m, c, 8, "Anitha", 8)
	}
	m.mu.Lock()
	open := m.nOpen
	m.mu.Unlock()
	if open > cfg.MaxOpen {
		t.Fatalf("%d mirrors open, at most %d wanted", open, cfg.MaxOpen)
	}
	m.Close()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	m = openTestMirrors(t, src, cfg)
	for _, c := range codes {
		mirrorHolds(t, m, c, 8, "Anitha", 8)
	}
}
