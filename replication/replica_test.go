package replication

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"

	"ksmart/store"
	"ksmart/store/storetest"
)

// writeFiles makes n writes in st, each a document, a key and an event, and
// every tenth a blob of blobBytes: writes whose change sets a copy needs.
func writeFiles(tb testing.TB, st *store.Store, from, n, blobBytes int) {
	tb.Helper()
	for i := from; i < from+n; i++ {
		_, err := st.Write(func(tx *store.Tx) error {
			id := fmt.Sprintf("f%05d", i)
			doc := map[string]any{"n": i, "name": "Sreekumar", "ward": i % 40}
			if i%10 == 9 && blobBytes > 0 {
				blob := make([]byte, blobBytes)
				rand.Read(blob)
				sum, err := tx.PutBlob(blob)
				if err != nil {
					return err
				}
				doc["scan"] = sum
			}
			if err := tx.Put("file", id, doc); err != nil {
				return err
			}
			if err := tx.ClaimKey("file_number", fmt.Sprintf("KS/%d", i), id); err != nil {
				return err
			}
			return tx.Emit("clerk1", store.EventType{Name: "file.saved", Version: 1}, "file", id, doc)
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// replicaLog is an FSM raft entry shipping records with their change sets.
func replicaLog(index uint64, code string, evs []store.Event, changes [][]byte) *raft.Log {
	cs := make([][]byte, len(evs))
	copy(cs, changes)
	return &raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: encodeShipReplica(code, encodeAll(evs), cs),
		AppendedAt: time.Date(2026, 2, 1, 10, 0, 0, int(index), time.UTC)}
}

// sameReplica fails unless the FSM holds exactly evs with changes as the
// body's log.
func sameReplica(tb testing.TB, who string, f *FSM, code string, evs []store.Event, changes [][]byte) {
	tb.Helper()
	got, gotChanges, err := f.ReadReplica(code, 1, 0)
	if err != nil {
		tb.Fatal(err)
	}
	if len(got) != len(evs) {
		tb.Fatalf("%s holds %d events of %s, want %d", who, len(got), code, len(evs))
	}
	for i := range evs {
		if !bytes.Equal(got[i].Hash, evs[i].Hash) {
			tb.Fatalf("%s: event %d differs", who, evs[i].Seq)
		}
		if !bytes.Equal(gotChanges[i], changes[i]) {
			tb.Fatalf("%s: the change set of event %d is %d bytes, want %d as shipped", who, evs[i].Seq, len(gotChanges[i]), len(changes[i]))
		}
	}
}

func TestFSM_ChangeSetsAreKeptAsFirstShippedAndResendsChangeNothing(t *testing.T) {
	src := storetest.Open(t)
	writeFiles(t, src, 0, 60, 100)
	evs, changes, err := src.ReadReplica(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := openTestFSM(t)
	if r := applyOne(f, replicaLog(1, "M0701", evs[:40], changes[:40])); r.err != nil || r.ack.Head != 40 {
		t.Fatalf("first batch: %+v", r)
	}
	// A resend, and an overlap, whose change sets differ from what was
	// shipped first: what is held is not touched; the new tail is kept.
	forged := make([][]byte, len(changes))
	for i := range forged {
		forged[i] = []byte("\x01\x05state\x04file\x01x\x02{}")
	}
	if r := applyOne(f, replicaLog(2, "M0701", evs[:40], forged[:40])); r.err != nil || !r.ack.Duplicate {
		t.Fatalf("resend: %+v", r)
	}
	if r := applyOne(f, replicaLog(3, "M0701", evs[30:60], append(forged[30:40:40], changes[40:60]...))); r.err != nil || r.ack.Head != 60 || r.ack.Applied != 20 {
		t.Fatalf("overlap: %+v", r)
	}
	sameReplica(t, "the FSM", f, "M0701", evs, changes)
	// A change set that is not framed as one is a bad batch.
	bad := chain(seeded(t), 61, evs[59].Hash, 1)
	if r := applyOne(f, replicaLog(4, "M0701", bad, [][]byte{{1, 200}})); !errors.Is(r.err, ErrBadBatch) || r.ack.Head != 0 {
		t.Fatalf("a malformed change set: %+v", r)
	}
	// A page of ReadReplicaRaw stops at the byte budget, but holds one
	// record at least.
	raws, cs, err := f.ReadReplicaRaw("M0701", 1, 0, 1)
	if err != nil || len(raws) != 1 || len(cs) != 1 {
		t.Fatalf("a page of 1 byte: %d records, %v", len(raws), err)
	}
}

// TestFSM_ASchema1FileIsMigratedAtOpenAndFromASnapshot: a node upgraded
// from the first schema keeps its clean state.db and restores its old
// snapshots, both migrated to schema 2 (a changes bucket).
func TestFSM_ASchema1FileIsMigratedAtOpenAndFromASnapshot(t *testing.T) {
	rng := seeded(t)
	path := filepath.Join(t.TempDir(), stateFile)
	f, err := openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	f.ApplyBatch([]*raft.Log{fsmLog(1, "M0701", chain(rng, 1, nil, 20))})
	// Make it a schema-1 file, as the first release wrote it.
	f.db.Update(func(tx *bolt.Tx) error {
		tx.DeleteBucket(bucketChanges)
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, 1))
	})
	// A snapshot the first release took (the whole file), and a manifest
	// of the schema-1 file, whose events a restore fetches from it.
	legacy := legacySnapshotOf(t, f)
	manifestSnap := snapshotOf(t, f)
	f.close(true)

	schemaOf := func(f *FSM) (v uint64, changes bool) {
		f.view(func(tx *bolt.Tx) error {
			v, changes = fileSchema(tx), tx.Bucket(bucketChanges) != nil
			return nil
		})
		return v, changes
	}
	f, err = openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := schemaOf(f); !f.reused || v != schemaVersion || !ok {
		t.Fatalf("a clean schema-1 file at open: reused %v, schema %d, changes bucket %v", f.reused, v, ok)
	}
	for name, snap := range map[string][]byte{"the whole file": legacy, "a manifest": manifestSnap} {
		other := openTestFSM(t)
		restoreFrom(other, newFSMSource(f))
		if err := other.Restore(nopCloser{bytes.NewReader(snap)}); err != nil {
			t.Fatalf("restoring a schema-1 snapshot (%s): %v", name, err)
		}
		if v, ok := schemaOf(other); v != schemaVersion || !ok {
			t.Fatalf("a schema-1 snapshot (%s) restored: schema %d, changes bucket %v", name, v, ok)
		}
		if head, _, _ := other.Head("M0701"); head != 20 {
			t.Fatalf("the restored snapshot (%s) holds %d events, want 20", name, head)
		}
	}
	f.close(false)
}

// bufSink is a raft.SnapshotSink into memory.
type bufSink struct{ *bytes.Buffer }

func (bufSink) ID() string    { return "test" }
func (bufSink) Cancel() error { return nil }
func (bufSink) Close() error  { return nil }

// TestCluster_ShipperShipsChangeSetsAndA10MiBBlobToEveryNode: a local body's
// store, with documents, keys, numbers and blobs — one of 10 MiB, more than
// a batch may hold — shipped by its Shipper through a 3-node cluster. Every
// node holds each event's change set exactly as the store recorded it; the
// big one went in a batch of its own; a copy made from what the state
// serves (Client.ReadReplica, page by page) has the store's documents and
// blob; and a resend changes nothing.
func TestCluster_ShipperShipsChangeSetsAndA10MiBBlobToEveryNode(t *testing.T) {
	c := newCluster(t, 3, nil)
	src := storetest.Open(t)
	writeFiles(t, src, 0, 200, 2000)
	_, err := src.Write(func(tx *store.Tx) error {
		blob := make([]byte, 10<<20)
		rand.Read(blob)
		sum, err := tx.PutBlob(blob)
		if err != nil {
			return err
		}
		if err := tx.Put("file", "big", map[string]string{"scan": sum}); err != nil {
			return err
		}
		return tx.Emit("clerk1", store.EventType{Name: "file.saved", Version: 1}, "file", "big", map[string]string{"scan": sum})
	})
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, src, 200, 100, 0)

	const code = "KL-EKM-M01"
	sh := &Shipper{Store: src, Client: c.client(code), Logger: testLogger()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sh.Run(ctx) }()
	defer func() { cancel(); <-done }()
	last := src.LastSeq()
	eventually(t, 60*time.Second, func() error {
		if st := sh.Status(); st.Acked != last || st.LagEvents != 0 || st.LagSeconds != 0 {
			return fmt.Errorf("shipper status %+v, want acked %d and no lag", st, last)
		}
		return nil
	})
	c.sameEverywhere(code, last, src.LastHash())
	evs, changes, err := src.ReadReplica(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	big := 0
	for i, cs := range changes {
		if len(cs) > 10<<20 {
			big = i
		}
	}
	if big == 0 {
		t.Fatal("no change set holds the 10 MiB blob")
	}
	for _, n := range c.live() {
		sameReplica(t, n.ID(), n.FSM(), code, evs, changes)
	}

	// A copy from the state's pages.
	cl := c.client(code)
	dst := storetest.Open(t)
	var prev []byte
	pages := 0
	for from := uint64(1); from <= last; pages++ {
		page, cs, err := cl.ReadReplica(context.Background(), from, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 || !bytes.Equal(page[0].Prev, prev) {
			t.Fatalf("page from %d does not follow the one before", from)
		}
		if page[0].Seq == uint64(big+1) && len(page) != 1 {
			t.Fatalf("the 10 MiB record came in a page of %d events, not alone", len(page))
		}
		if err := dst.AppendReplica(page, cs); err != nil {
			t.Fatal(err)
		}
		prev, from = page[len(page)-1].Hash, page[len(page)-1].Seq+1
	}
	if dst.LastSeq() != last || !bytes.Equal(dst.LastHash(), src.LastHash()) {
		t.Fatalf("the copy ends at %d, want %d", dst.LastSeq(), last)
	}
	for _, id := range []string{"big", "f00009", "f00299"} {
		var want, got map[string]any
		src.View(func(tx *store.Tx) error { return tx.Get("file", id, &want) })
		if err := dst.View(func(tx *store.Tx) error { return tx.Get("file", id, &got) }); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("document %s in the copy: %v %v, want %v", id, got, err, want)
		}
		if sum, ok := want["scan"].(string); ok {
			var a, b []byte
			src.View(func(tx *store.Tx) error { a, _ = tx.Blob(sum); a = bytes.Clone(a); return nil })
			dst.View(func(tx *store.Tx) error { b, _ = tx.Blob(sum); b = bytes.Clone(b); return nil })
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Fatalf("blob %s of %s: copy has %d bytes, original %d", sum[:8], id, len(b), len(a))
			}
		}
	}
	if pages < 3 {
		t.Fatalf("the copy came in %d pages; the 10 MiB record should have had one of its own", pages)
	}

	// A resend of everything, with other change sets, changes nothing.
	forged := make([][]byte, len(changes))
	if _, err := cl.ShipReplica(context.Background(), evs[:100], forged[:100]); err != nil {
		t.Fatalf("resend: %v", err)
	}
	for _, n := range c.live() {
		sameReplica(t, n.ID(), n.FSM(), code, evs, changes)
	}
}

// TestAPI_ReplicaBatchesOverTheLimitsAreRefusedNamingBoth: two records of
// 3 MiB make a batch over MaxBatchBytes; one record over MaxRecordBytes is
// refused before it is read whole. Each 413 names both limits.
func TestAPI_ReplicaBatchesOverTheLimitsAreRefusedNamingBoth(t *testing.T) {
	c := newCluster(t, 1, nil)
	const code = "M0701"
	hc := rawClient(t, c, KindBody, code)
	evs := chain(seeded(t), 1, nil, 2)
	big := func(n int) []byte {
		cs := []byte{1}
		for _, f := range [][]byte{[]byte("blobs"), nil, []byte("k"), bytes.Repeat([]byte("x"), n)} {
			cs = binary.AppendUvarint(cs, uint64(len(f)))
			cs = append(cs, f...)
		}
		return cs
	}
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"two records of 3 MiB", encodeReplica(encodeAll(evs), [][]byte{big(3 << 20), big(3 << 20)})},
		{"one record of 49 MiB", encodeReplica(encodeAll(evs[:1]), [][]byte{big(49 << 20)})},
	} {
		resp, err := hc.Post("https://"+c.nodes[0].HTTPAddr()+"/v1/bodies/"+code+"/log", ReplicaMediaType, bytes.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(msg), "4 MiB per batch") || !strings.Contains(string(msg), "up to 48 MiB") {
			t.Errorf("%s: %d %s; want 413 naming both limits", tc.name, resp.StatusCode, msg)
		}
	}
	// One record of 6 MiB is taken.
	if _, err := c.client(code).ShipReplicaEncoded(context.Background(), encodeAll(evs[:1]), [][]byte{big(6 << 20)}); err != nil {
		t.Fatalf("one record of 6 MiB: %v", err)
	}
	if head, _, _ := c.nodes[0].Head(code); head != 1 {
		t.Fatalf("head %d after the refusals and one record, want 1", head)
	}
}

// Issue 20, failure 3: the state applies a change set only if it is the
// one its event binds into the chain.
func TestFSM_AChangeSetThatItsEventDoesNotBindIsRefusedAndNothingApplied(t *testing.T) {
	src := storetest.Open(t)
	writeFiles(t, src, 0, 20, 0)
	evs, changes, err := src.ReadReplica(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := openTestFSM(t)
	if r := applyOne(f, replicaLog(1, "M0701", evs[:10], changes[:10])); r.err != nil || r.ack.Head != 10 {
		t.Fatalf("first batch: %+v", r)
	}
	tampered := append([][]byte(nil), changes[10:]...)
	tampered[3] = bytes.Replace(tampered[3], []byte("Sreekumar"), []byte("Sreekumax"), 1)
	missing := append([][]byte(nil), changes[10:]...)
	missing[2] = nil
	index := uint64(1)
	for _, c := range []struct {
		name    string
		changes [][]byte
		want    string
	}{
		{"a change set edited on the way", tampered, "the change set sent with event 14 does not match the digest the event binds"},
		{"a change set left out", missing, "event 13 binds a change set, and none was sent with it"},
	} {
		index++
		r := applyOne(f, replicaLog(index, "M0701", evs[10:], c.changes))
		if !errors.Is(r.err, ErrBadBatch) || !strings.Contains(r.err.Error(), c.want) {
			t.Fatalf("%s: %v; want ErrBadBatch saying %q", c.name, r.err, c.want)
		}
	}
	// Nothing of the refused batches was applied: all ten apply now.
	if r := applyOne(f, replicaLog(index+1, "M0701", evs[10:], changes[10:])); r.err != nil || r.ack.Head != 20 || r.ack.Applied != 10 {
		t.Fatalf("the true change sets: %+v", r)
	}
	sameReplica(t, "the FSM", f, "M0701", evs, changes)
}
