package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"ksmart/store"
	"ksmart/store/storetest"
)

// TestReplica_ALogWithItsChangeSetsRebuildsTheStoreExceptItsPrivateKeys
// writes documents, keys, numbers (gapless and reserved), blobs, deletions
// and a private document, then copies the log and its change sets into an
// empty store a page at a time: the copy has the same log, the same current
// state, numbers that go on after the original's, and no private document.
func TestReplica_ALogWithItsChangeSetsRebuildsTheStoreExceptItsPrivateKeys(t *testing.T) {
	srcDir := t.TempDir()
	src, err := store.Open(srcDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var reserved uint64
	for i := range 50 {
		n, err := src.Reserve("certificate/2026")
		if err != nil {
			t.Fatal(err)
		}
		reserved = n
		_, err = src.Write(func(tx *store.Tx) error {
			id := fmt.Sprintf("f%03d", i)
			num, err := tx.NextNumber("register/birth/2026")
			if err != nil {
				return err
			}
			if err := tx.Put("file", id, map[string]any{"n": num, "cert": n}); err != nil {
				return err
			}
			if err := tx.ClaimKey("file_number", fmt.Sprintf("B-%d/2026", num), id); err != nil {
				return err
			}
			if err := tx.UseNumber("certificate/2026", n); err != nil {
				return err
			}
			if _, err := tx.PutBlob([]byte(strings.Repeat("scan ", i+1))); err != nil {
				return err
			}
			if i%10 == 9 {
				if err := tx.Delete("file", fmt.Sprintf("f%03d", i-5)); err != nil {
					return err
				}
			}
			return tx.Emit("u1", store.EventType{Name: "file.saved", Version: 1}, "file", id, map[string]int{"i": i})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = src.Write(func(tx *store.Tx) error {
		if err := tx.Put(store.PrivateEntity, "seal", "SECRET-KEY"); err != nil {
			return err
		}
		return tx.Emit("system", store.EventType{Name: "seal.created", Version: 1}, "seal", "k1", map[string]string{"public": "P"})
	})
	if err != nil {
		t.Fatal(err)
	}
	// A write without events (a session) is not a change to copy.
	src.Write(func(tx *store.Tx) error { return tx.Put("session", "s1", "x") })
	last, lastHash := src.LastSeq(), src.LastHash()

	copyDir := t.TempDir()
	dst, err := store.Open(copyDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for from := uint64(1); from <= last; from += 7 {
		evs, changes, err := src.ReadReplica(from, 7)
		if err != nil {
			t.Fatal(err)
		}
		if err := dst.AppendReplica(evs, changes); err != nil {
			t.Fatal(err)
		}
	}
	if dst.LastSeq() != last || !bytes.Equal(dst.LastHash(), lastHash) {
		t.Fatalf("the copy ends at %d %x, the original at %d %x", dst.LastSeq(), dst.LastHash(), last, lastHash)
	}
	// A resend of what it has is refused as not continuing its chain.
	evs, changes, _ := src.ReadReplica(last, 1)
	if err := dst.AppendReplica(evs, changes); !errors.Is(err, store.ErrChainBroken) {
		t.Fatalf("appending event %d again: %v, want ErrChainBroken", last, err)
	}
	next, err := dst.Reserve("certificate/2026")
	if err != nil {
		t.Fatal(err)
	}
	if next <= reserved {
		t.Fatalf("the copy hands out certificate number %d, already used as %d", next, reserved)
	}
	if rep, err := dst.Check(); err != nil || rep.Events != last {
		t.Fatalf("check of the copy: %+v %v", rep, err)
	}
	src.Close()
	dst.Close()

	want, got := storetest.Dump(t, srcDir), storetest.Dump(t, copyDir)
	for k, v := range want {
		switch {
		case strings.HasPrefix(k, "state/private"), strings.HasPrefix(k, "state/session"):
			if _, ok := got[k]; ok {
				t.Errorf("the copy has %s, which must stay on the original", k)
			}
		case k == "numbers certificate/2026":
			// Reserved in blocks: the copy goes on after the last used (above).
		case strings.HasPrefix(k, "numbers "):
			if len(got[k]) != 8 || binary.BigEndian.Uint64([]byte(got[k])) < binary.BigEndian.Uint64([]byte(v)) {
				t.Errorf("number %s: copy %x, original %x", k, got[k], v)
			}
		case got[k] != v:
			t.Errorf("%s differs: copy %q, original %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("the copy has %s, which the original does not", k)
		}
	}
}

func TestReplica_AnEventThatDoesNotContinueTheChainWritesNothing(t *testing.T) {
	src := storetest.Open(t)
	for i := range 3 {
		src.Write(func(tx *store.Tx) error {
			tx.Put("doc", fmt.Sprint(i), i)
			return tx.Emit("u", store.EventType{Name: "doc.put", Version: 1}, "doc", fmt.Sprint(i), i)
		})
	}
	evs, changes, _ := src.ReadReplica(1, 0)
	dst := storetest.Open(t)
	evs[2].Data = []byte(`{"edited":true}`)
	if err := dst.AppendReplica(evs, changes); !errors.Is(err, store.ErrChainBroken) {
		t.Fatalf("an edited event: %v, want ErrChainBroken", err)
	}
	if dst.LastSeq() != 0 {
		t.Fatalf("an edited batch left %d events", dst.LastSeq())
	}
	if err := dst.AppendReplica(evs[1:2], changes[1:2]); !errors.Is(err, store.ErrChainBroken) {
		t.Fatalf("a batch that skips event 1: %v", err)
	}
}

// TestEachDocument_AWritesDocumentsAndDeletionsInOrderWithoutPrivateOnesOrBlobs
// reads back, from a write's change set, the documents it put and deleted
// in the order written, as the state's counters read them; a private
// document, a number and a blob are not documents to them.
func TestEachDocument_AWritesDocumentsAndDeletionsInOrderWithoutPrivateOnesOrBlobs(t *testing.T) {
	st := storetest.Open(t)
	if _, err := st.Write(func(tx *store.Tx) error {
		if err := tx.Put("file", "f1", map[string]int{"v": 1}); err != nil {
			return err
		}
		return tx.Emit("clerk", store.EventType{Name: "file.made", Version: 1}, "file", "f1", nil)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write(func(tx *store.Tx) error {
		if err := tx.Put("file", "f2", map[string]int{"v": 2}); err != nil {
			return err
		}
		if err := tx.Delete("file", "f1"); err != nil {
			return err
		}
		if err := tx.Put(store.PrivateEntity, "seal", map[string]string{"key": "secret"}); err != nil {
			return err
		}
		if _, err := tx.NextNumber("register/birth/2026"); err != nil {
			return err
		}
		if _, err := tx.PutBlob([]byte("a scanned form")); err != nil {
			return err
		}
		return tx.Emit("clerk", store.EventType{Name: "file.replaced", Version: 1}, "file", "f2", nil)
	}); err != nil {
		t.Fatal(err)
	}
	_, changes, err := st.ReadReplica(2, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = store.EachDocument(changes[0], func(entity, id string, doc []byte) error {
		got = append(got, fmt.Sprintf("%s/%s=%s", entity, id, doc))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`file/f2={"v":2}`, "file/f1="}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("documents of the write: %q, want %q", got, want)
	}
	if err := store.EachDocument([]byte{1, 200}, func(string, string, []byte) error { return nil }); !errors.Is(err, store.ErrBadChanges) {
		t.Fatalf("a change set cut short: %v, want ErrBadChanges", err)
	}
}

// TestReplay_AWriteLostToAForkIsWrittenAgainAsANewBoundWrite: a write of a
// document, a unique key, a number and a blob in one store is replayed in
// another under a new event: the other store then holds the same document,
// key, number and blob, its chain binds the new change set (the check at
// cleanup walks it), and a change set with a private document is refused
// writing nothing.
func TestReplay_AWriteLostToAForkIsWrittenAgainAsANewBoundWrite(t *testing.T) {
	src := storetest.Open(t)
	saved := store.EventType{Name: "file.saved", Version: 1}
	if _, err := src.Write(func(tx *store.Tx) error {
		n, err := tx.NextNumber("register/birth/2026")
		if err != nil {
			return err
		}
		if err := tx.Put("file", "f1", map[string]any{"n": n}); err != nil {
			return err
		}
		if err := tx.ClaimKey("file_number", fmt.Sprintf("B-%d/2026", n), "f1"); err != nil {
			return err
		}
		if _, err := tx.PutBlob([]byte("scan")); err != nil {
			return err
		}
		return tx.Emit("u1", saved, "file", "f1", nil)
	}); err != nil {
		t.Fatal(err)
	}
	_, changes, err := src.ReadReplica(1, 10)
	if err != nil || len(changes) != 1 || len(changes[0]) == 0 {
		t.Fatalf("no change set: %v", err)
	}
	var kinds []string
	store.EachChange(changes[0], func(c store.Change) error {
		kinds = append(kinds, c.Part.String()+"/"+c.Sub+"/"+string(c.Key))
		return nil
	})
	if !strings.Contains(strings.Join(kinds, " "), "state/file/f1") || !strings.Contains(strings.Join(kinds, " "), "keys/file_number/B-1/2026") {
		t.Fatalf("EachChange reports %v", kinds)
	}

	dst := storetest.Open(t)
	evs, err := dst.Write(func(tx *store.Tx) error {
		if err := tx.Replay(changes[0]); err != nil {
			return err
		}
		return tx.Emit("fork", store.EventType{Name: "fork.reapplied", Version: 1}, "fork", "1", nil)
	})
	if err != nil || len(evs) != 1 || len(evs[0].Changes) == 0 {
		t.Fatalf("replay: %v %+v", err, evs)
	}
	err = dst.View(func(tx *store.Tx) error {
		var doc map[string]any
		if err := tx.Get("file", "f1", &doc); err != nil || doc["n"] != float64(1) {
			return fmt.Errorf("document %v %v", doc, err)
		}
		if id, err := tx.Lookup("file_number", "B-1/2026"); id != "f1" {
			return fmt.Errorf("key: %q %v", id, err)
		}
		if n := tx.CurrentNumber("register/birth/2026"); n != 1 {
			return fmt.Errorf("number %d", n)
		}
		if b, err := tx.Blob(store.SumBlob([]byte("scan"))); string(b) != "scan" {
			return fmt.Errorf("blob %q %v", b, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A change set with the seal's private key cannot be replayed.
	if _, err := src.Write(func(tx *store.Tx) error {
		if err := tx.Put(store.PrivateEntity, "seal", map[string]string{"k": "other"}); err != nil {
			return err
		}
		return tx.Emit("u1", saved, "seal", "s", nil)
	}); err != nil {
		t.Fatal(err)
	}
	_, changes, _ = src.ReadReplica(2, 10)
	before := dst.LastSeq()
	if _, err := dst.Write(func(tx *store.Tx) error {
		if err := tx.Replay(changes[0]); err != nil {
			return err
		}
		return tx.Emit("fork", saved, "fork", "2", nil)
	}); !errors.Is(err, store.ErrPrivateChange) || dst.LastSeq() != before {
		t.Fatalf("a private change set replayed: %v, %d events after %d", err, dst.LastSeq(), before)
	}
}
