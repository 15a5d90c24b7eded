package replication

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"ksmart/store"
)

// openTestFSM opens an FSM in a temp directory, checked and closed at
// cleanup.
func openTestFSM(tb testing.TB) *FSM {
	tb.Helper()
	f, err := openFSM(filepath.Join(tb.TempDir(), stateFile), testLogger())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { checkFSM(tb, f); f.close(false) })
	return f
}

// fsmLog is a raft entry shipping evs for code.
func fsmLog(index uint64, code string, evs []store.Event) *raft.Log {
	return &raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: ShipCommand(code, encodeAll(evs)),
		AppendedAt: time.Date(2026, 2, 1, 10, 0, 0, int(index), time.UTC)}
}

func applyOne(f *FSM, l *raft.Log) *applyResult {
	r, _ := f.ApplyBatch([]*raft.Log{l})[0].(*applyResult)
	return r
}

func TestFSM_BatchesAreAppliedOnlyWhereTheyContinueTheChain(t *testing.T) {
	rng := seeded(t)
	a := chain(rng, 1, nil, 200)                                                        // the body's true log
	b := append(append([]store.Event{}, a[:50]...), chain(rng, 51, a[49].Hash, 150)...) // restored from a backup at 50, then went on differently
	broken := append([]store.Event{}, a[100:110]...)
	broken[3].Data = []byte(`{"edited":true}`)

	type step struct {
		evs               []store.Event
		wantErr           error
		wantHead, applied uint64
		duplicate         bool
		forkAt            uint64
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"first batch, then the next", []step{
			{evs: a[:100], wantHead: 100, applied: 100},
			{evs: a[100:150], wantHead: 150, applied: 50}}},
		{"a resend is acknowledged again without change", []step{
			{evs: a[:100], wantHead: 100, applied: 100},
			{evs: a[:100], wantHead: 100, duplicate: true},
			{evs: a[40:60], wantHead: 100, duplicate: true}}},
		{"an overlapping batch applies only its new tail", []step{
			{evs: a[:100], wantHead: 100, applied: 100},
			{evs: a[50:150], wantHead: 150, applied: 50}}},
		{"a batch after a gap is refused", []step{
			{evs: a[:100], wantHead: 100, applied: 100},
			{evs: a[120:150], wantErr: ErrGap, wantHead: 100}}},
		{"a first batch not from event 1 is a gap", []step{
			{evs: a[10:20], wantErr: ErrGap, wantHead: 0}}},
		{"the same numbers with different events are a fork", []step{
			{evs: a[:100], wantHead: 100, applied: 100},
			{evs: b[40:120], wantErr: ErrFork, wantHead: 100, forkAt: 51}}},
		{"a batch that does not follow the head is a fork", []step{
			{evs: a[:100], wantHead: 100, applied: 100},
			{evs: b[110:120], wantErr: ErrGap, wantHead: 100},
			{evs: b[100:120], wantErr: ErrFork, wantHead: 100, forkAt: 100}}},
		{"a changed event is a bad batch", []step{
			{evs: a[:100], wantHead: 100, applied: 100},
			{evs: broken, wantErr: ErrBadBatch, wantHead: 100}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := openTestFSM(t)
			for i, s := range tc.steps {
				r := applyOne(f, fsmLog(uint64(i+1), "M0701", s.evs))
				if !errors.Is(r.err, s.wantErr) || (s.wantErr == nil && r.err != nil) {
					t.Fatalf("step %d: error %v, want %v", i, r.err, s.wantErr)
				}
				if r.err == nil && (r.ack.Head != s.wantHead || uint64(r.ack.Applied) != s.applied || r.ack.Duplicate != s.duplicate) {
					t.Fatalf("step %d: ack %+v, want head %d applied %d duplicate %v", i, r.ack, s.wantHead, s.applied, s.duplicate)
				}
				head, hash, _ := f.Head("M0701")
				if head != s.wantHead {
					t.Fatalf("step %d: head %d, want %d", i, head, s.wantHead)
				}
				if head > 0 && !bytes.Equal(hash, a[head-1].Hash) {
					t.Fatalf("step %d: head hash is not the true log's: something was overwritten", i)
				}
				if s.forkAt > 0 {
					if r.ack.Fork == nil || r.ack.Fork.AtSeq != s.forkAt {
						t.Fatalf("step %d: fork %+v, want at %d", i, r.ack.Fork, s.forkAt)
					}
					if !bytes.Equal(r.ack.Fork.Ours, a[s.forkAt-1].Hash) || !bytes.Equal(r.ack.Fork.Theirs, b[s.forkAt-1].Hash) {
						t.Fatalf("step %d: fork hashes ours %x theirs %x", i, short(r.ack.Fork.Ours), short(r.ack.Fork.Theirs))
					}
					forks, _ := f.Forks("M0701")
					if len(forks) != 1 {
						t.Fatalf("step %d: %d forks recorded, want 1", i, len(forks))
					}
				}
			}
		})
	}
}

func TestFSM_ReplayedEntriesAndRepeatedForksChangeNothing(t *testing.T) {
	rng := seeded(t)
	f := openTestFSM(t)
	a := chain(rng, 1, nil, 100)
	other := chain(rng, 1, nil, 100)
	logs := []*raft.Log{fsmLog(1, "M0701", a[:60]), fsmLog(2, "M0701", other[:80]), fsmLog(3, "M0701", other[:80])}
	f.ApplyBatch(logs)
	forks, _ := f.Forks("")
	if len(forks) != 1 || forks[0].Attempts != 2 {
		t.Fatalf("forks %+v, want one seen twice", forks)
	}
	// Raft replays entries after a restart: the FSM skips what it holds.
	resps := f.ApplyBatch([]*raft.Log{logs[1], logs[2], fsmLog(4, "M0701", a[60:100])})
	if resps[0] != nil || resps[1] != nil {
		t.Fatalf("replayed entries were applied again: %v", resps)
	}
	forks, _ = f.Forks("")
	if len(forks) != 1 || forks[0].Attempts != 2 {
		t.Fatalf("replay changed the fork record: %+v", forks)
	}
	if head, _, _ := f.Head("M0701"); head != 100 || f.AppliedIndex() != 4 {
		t.Fatalf("head %d applied %d, want 100 and 4", head, f.AppliedIndex())
	}
}

// fileSink is a raft.SnapshotSink on a file.
type fileSink struct {
	*os.File
	cancelled bool
}

func (s *fileSink) ID() string    { return "test" }
func (s *fileSink) Cancel() error { s.cancelled = true; return s.File.Close() }

func TestFSM_SnapshotStreamsTheFileAndRestoreSwapsItIn(t *testing.T) {
	rng := seeded(t)
	src := openTestFSM(t)
	var logs []*raft.Log
	for i, code := range []string{"M0701", "KL-EKM-M01", "G0101"} {
		logs = append(logs, fsmLog(uint64(i+1), code, chain(rng, 1, nil, 500+i)))
	}
	src.ApplyBatch(logs)
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// Applies go on while the snapshot streams; it holds the state as of Snapshot.
	src.ApplyBatch([]*raft.Log{fsmLog(4, "M0702", chain(rng, 1, nil, 10))})
	path := filepath.Join(t.TempDir(), "snap")
	out, _ := os.Create(path)
	if err := snap.Persist(&fileSink{File: out}); err != nil {
		t.Fatal(err)
	}
	snap.Release()

	dst := openTestFSM(t)
	dst.ApplyBatch([]*raft.Log{fsmLog(1, "X01", chain(rng, 1, nil, 5))}) // to be discarded
	restored := 0
	dst.OnRestore(func() { restored++ })
	in, _ := os.Open(path)
	if err := dst.Restore(in); err != nil {
		t.Fatal(err)
	}
	bodies, _ := dst.Bodies()
	if len(bodies) != 3 || restored != 1 || dst.AppliedIndex() != 3 {
		t.Fatalf("restored %d bodies (%v), %d notifications, applied %d; want the 3 of the snapshot, 1, 3", len(bodies), bodies, restored, dst.AppliedIndex())
	}
	for _, b := range bodies {
		s, h, _ := src.Head(b.Code)
		if s != b.LastSeq || !bytes.Equal(h, b.LastHash) {
			t.Fatalf("%s: restored head %d, source %d", b.Code, b.LastSeq, s)
		}
	}
	// A stream that is not a snapshot is refused and the state kept.
	if err := dst.Restore(nopCloser{bytes.NewReader([]byte("PK\x03\x04 a zip file"))}); err == nil {
		t.Fatal("a stream that is not a snapshot was restored")
	}
	if err := dst.Restore(nopCloser{bytes.NewReader(append(append([]byte{}, snapshotMagic...), "not bbolt"...))}); err == nil {
		t.Fatal("a snapshot that is not a bbolt file was restored")
	}
	if b, _ := dst.Bodies(); len(b) != 3 {
		t.Fatalf("a refused restore changed the state: %d bodies", len(b))
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func TestFSM_CleanCloseIsKeptAndAnUncleanOneRebuilt(t *testing.T) {
	rng := seeded(t)
	path := filepath.Join(t.TempDir(), stateFile)
	f, err := openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	f.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", chain(rng, 1, nil, 20))})
	f.close(true)

	f, err = openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	if head, _, _ := f.Head("M0701"); !f.reused || head != 20 || f.AppliedIndex() != 1 {
		t.Fatalf("after a clean close: reused %v head %d applied %d", f.reused, head, f.AppliedIndex())
	}
	f.close(false) // as after a crash

	f, err = openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer f.close(false)
	if head, _, _ := f.Head("M0701"); f.reused || head != 0 || f.AppliedIndex() != 0 {
		t.Fatalf("after an unclean close: reused %v head %d applied %d; want a fresh file", f.reused, head, f.AppliedIndex())
	}
}

func TestFSM_OnAppliedSeesEachNewEventOnce(t *testing.T) {
	rng := seeded(t)
	f := openTestFSM(t)
	var got []uint64
	f.OnApplied(func(code string, evs []store.Event) {
		for _, e := range evs {
			got = append(got, e.Seq)
		}
	})
	a := chain(rng, 1, nil, 30)
	f.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", a[:10]), fsmLog(2, "M0701", a[5:20]), fsmLog(3, "M0701", a[:20])})
	if len(got) != 20 || got[0] != 1 || got[19] != 20 {
		t.Fatalf("OnApplied saw %v, want 1..20 once each", got)
	}
	var seen uint64
	if err := f.EachEvent("M0701", 5, func(e store.Event) error { seen++; return nil }); err != nil || seen != 16 {
		t.Fatalf("EachEvent from 5 saw %d events (%v), want 16", seen, err)
	}
}
