package replication

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"

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

// TestFSM_ASnapshotIsAManifestAndARestoreFetchesOnlyTheEventsMissing: a
// snapshot carries each body's head, not its log; a node restoring it keeps
// what it holds, fetches only the events it lacks (no more bytes than
// those events and their framing), drops a body the snapshot does not
// know, and ends with exactly the source's logs as of the snapshot.
func TestFSM_ASnapshotIsAManifestAndARestoreFetchesOnlyTheEventsMissing(t *testing.T) {
	rng := seeded(t)
	src := openTestFSM(t)
	logs := map[string][]store.Event{}
	var entries []*raft.Log
	for i, code := range []string{"M0701", "KL-EKM-M01", "G0101"} {
		logs[code] = chain(rng, 1, nil, 500+i)
		entries = append(entries, fsmLog(uint64(i+1), code, logs[code]))
	}
	src.ApplyBatch(entries)
	// The restoring node already holds the first 400 events of M0701 and
	// all of G0101, and a body the snapshot does not know.
	dst := openTestFSM(t)
	dst.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", logs["M0701"][:400]), fsmLog(2, "G0101", logs["G0101"]), fsmLog(3, "X01", chain(rng, 1, nil, 5))})

	snap := snapshotOf(t, src)
	// Applies go on after the snapshot: it holds the state as of Snapshot.
	src.ApplyBatch([]*raft.Log{fsmLog(4, "M0702", chain(rng, 1, nil, 10)), fsmLog(5, "M0701", chain(rng, 501, logs["M0701"][499].Hash, 50))})
	if len(snap) > 8<<10 {
		t.Fatalf("the snapshot of 3 bodies and 1,503 events is %d bytes; a manifest should be a few kB", len(snap))
	}

	source := newFSMSource(src)
	restoreFrom(dst, source)
	restored := 0
	dst.OnRestore(func() { restored++ })
	if err := dst.Restore(nopCloser{bytes.NewReader(snap)}); err != nil {
		t.Fatal(err)
	}
	bodies, _ := dst.Bodies()
	if len(bodies) != 3 || restored != 1 || dst.AppliedIndex() != 3 {
		t.Fatalf("restored %d bodies (%v), %d notifications, applied %d; want the 3 of the snapshot, 1, 3", len(bodies), bodies, restored, dst.AppliedIndex())
	}
	for code, evs := range logs {
		var got []store.Event
		if err := dst.EachEvent(code, 1, func(e store.Event) error { got = append(got, e); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(evs) || !bytes.Equal(got[len(got)-1].Hash, evs[len(evs)-1].Hash) {
			t.Fatalf("%s: the restored node holds %d events, want the snapshot's %d", code, len(got), len(evs))
		}
	}
	if _, ok, _ := dst.Body("X01"); ok {
		t.Fatal("a body the snapshot does not know was kept")
	}
	if evs, _ := dst.ReadLog("X01", 1, 10); len(evs) != 0 {
		t.Fatalf("the log of a body the snapshot does not know was kept: %d events", len(evs))
	}
	// Only M0701's events 401-500 and KL-EKM-M01's 501 were missing.
	var missing int64
	for _, ev := range append(append([]store.Event{}, logs["M0701"][400:]...), logs["KL-EKM-M01"]...) {
		missing += int64(RecordSize(ev.Encode(), nil))
	}
	got := dst.Stats().SnapshotReceivedBytes
	if *source.served != missing || int64(got) != missing {
		t.Fatalf("the restore fetched %d bytes (counted %d); the events it lacked are %d", *source.served, got, missing)
	}
	t.Logf("snapshot %d bytes; fetched %d bytes for 601 of 1,503 events", len(snap), got)

	// A stream that is not a snapshot is refused and the state kept.
	for name, bad := range map[string][]byte{
		"a zip file":                      []byte("PK\x03\x04 a zip file of some length"),
		"a manifest that is not JSON":     append(bytes.Clone(manifestMagic), "not json"...),
		"an old snapshot that is no file": append(bytes.Clone(legacySnapshotMagic), "not bbolt"...),
	} {
		if err := dst.Restore(nopCloser{bytes.NewReader(bad)}); err == nil {
			t.Fatalf("%s was restored", name)
		}
	}
	if b, _ := dst.Bodies(); len(b) != 3 || dst.AppliedIndex() != 3 {
		t.Fatalf("a refused restore changed the state: %d bodies, applied %d", len(b), dst.AppliedIndex())
	}
}

// TestFSM_ARestoreCutShortLeavesTheStateAsItWasAndIsRedoneAfterACrash: the
// peer goes away after two pages of a restore. The restore fails, and the
// node's state is exactly what it was (heads, applied index, what reads
// see); after a crash the file is kept, and the next restore (as raft does
// at start) completes it, fetching only what the first did not.
func TestFSM_ARestoreCutShortLeavesTheStateAsItWasAndIsRedoneAfterACrash(t *testing.T) {
	rng := seeded(t)
	src := openTestFSM(t)
	evs := chain(rng, 1, nil, 30_000)
	var entries []*raft.Log
	for i := 0; i < len(evs); i += 5_000 {
		entries = append(entries, fsmLog(uint64(i/5_000+1), "M0701", evs[i:i+5_000]))
	}
	src.ApplyBatch(entries)
	snap := snapshotOf(t, src)

	path := filepath.Join(t.TempDir(), stateFile)
	dst, err := openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	dst.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", evs[:1_000])})
	flaky := newFSMSource(src)
	flaky.failAfter = 2
	restoreFrom(dst, flaky)
	if err := dst.Restore(nopCloser{bytes.NewReader(snap)}); err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("a restore whose peer went away: %v", err)
	}
	if head, _, _ := dst.Head("M0701"); head != 1_000 || dst.AppliedIndex() != 1 {
		t.Fatalf("after a failed restore: head %d applied %d, want 1000 and 1 as before", head, dst.AppliedIndex())
	}
	dst.close(false) // a crash

	dst, err = openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkFSM(t, dst); dst.close(false) })
	if head, _, _ := dst.Head("M0701"); !dst.reused || head != 1_000 {
		t.Fatalf("after a crash mid-restore: kept %v, head %d; want the file kept at 1000", dst.reused, head)
	}
	second := newFSMSource(src)
	restoreFrom(dst, second)
	if err := dst.Restore(nopCloser{bytes.NewReader(snap)}); err != nil {
		t.Fatal(err)
	}
	// It resumed after the two pages the first attempt wrote: it fetched
	// only the rest.
	var rest int64
	firstPages := *flaky.served
	for _, ev := range evs[1_000:] {
		rest += int64(RecordSize(ev.Encode(), nil))
	}
	if *second.served != rest-firstPages {
		t.Fatalf("the redone restore fetched %d bytes; the first attempt had fetched %d of the %d missing, so %d were due", *second.served, firstPages, rest, rest-firstPages)
	}
	if head, hash, _ := dst.Head("M0701"); head != 30_000 || !bytes.Equal(hash, evs[29_999].Hash) || dst.AppliedIndex() != 6 {
		t.Fatalf("after the restore was redone: head %d applied %d", head, dst.AppliedIndex())
	}
	n := 0
	dst.EachEvent("M0701", 1, func(e store.Event) error {
		if !bytes.Equal(e.Hash, evs[n].Hash) {
			t.Fatalf("event %d differs from the source's", e.Seq)
		}
		n++
		return nil
	})
	if n != 30_000 {
		t.Fatalf("holds %d events, want 30000", n)
	}
}

// TestFSM_ARestoreRefusesEventsThatAreNotTheSnapshots: a peer that serves
// other events than the snapshot names (another chain) is refused, and the
// node's state is left as it was.
func TestFSM_ARestoreRefusesEventsThatAreNotTheSnapshots(t *testing.T) {
	rng := seeded(t)
	src, liar := openTestFSM(t), openTestFSM(t)
	src.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", chain(rng, 1, nil, 300))})
	liar.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", chain(rng, 1, nil, 300))})
	snap := snapshotOf(t, src)
	dst := openTestFSM(t)
	restoreFrom(dst, newFSMSource(liar))
	err := dst.Restore(nopCloser{bytes.NewReader(snap)})
	if err == nil || !strings.Contains(err.Error(), "the snapshot's head is") {
		t.Fatalf("events of another chain were restored: %v", err)
	}
	if _, ok, _ := dst.Body("M0701"); ok || dst.AppliedIndex() != 0 {
		t.Fatal("a refused restore changed the state")
	}
}

// TestFSM_AnOldSnapshotOfTheWholeFileIsStillRestored: a node upgraded
// keeps the snapshots the first releases wrote, the whole file.
func TestFSM_AnOldSnapshotOfTheWholeFileIsStillRestored(t *testing.T) {
	rng := seeded(t)
	src := openTestFSM(t)
	src.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", chain(rng, 1, nil, 200)), fsmLog(2, "G0101", chain(rng, 1, nil, 20))})
	dst := openTestFSM(t)
	if err := dst.Restore(nopCloser{bytes.NewReader(legacySnapshotOf(t, src))}); err != nil {
		t.Fatal(err)
	}
	if h, _, _ := dst.Head("M0701"); h != 200 || dst.AppliedIndex() != 2 {
		t.Fatalf("an old snapshot restored: head %d, applied %d", h, dst.AppliedIndex())
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// TestFSM_TheFileIsKeptAfterACrashAndAnOldReleasesUncleanOneRebuilt:
// state.db is synced on every commit, so it is kept after a clean close
// and after a crash alike; a file an earlier release (which did not sync
// it) left unclean is rebuilt.
func TestFSM_TheFileIsKeptAfterACrashAndAnOldReleasesUncleanOneRebuilt(t *testing.T) {
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
	if head, _, _ := f.Head("M0701"); !f.reused || head != 20 || f.AppliedIndex() != 1 {
		t.Fatalf("after a crash: reused %v head %d applied %d; want the file kept", f.reused, head, f.AppliedIndex())
	}
	// As an earlier release left it after a crash: not durable, not clean.
	f.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyDurable) })
	f.close(false)

	f, err = openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer f.close(false)
	if head, _, _ := f.Head("M0701"); f.reused || head != 0 || f.AppliedIndex() != 0 {
		t.Fatalf("an earlier release's unclean file: reused %v head %d applied %d; want a fresh file", f.reused, head, f.AppliedIndex())
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
