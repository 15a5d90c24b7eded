package store

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// writeSome writes a few documents, keys, numbers and a blob, each write
// with an event, as a module would.
func writeSome(t *testing.T, s *Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		_, err := s.Write(func(tx *Tx) error {
			if err := tx.Put("birth", id, map[string]string{"name": "Anagha " + id}); err != nil {
				return err
			}
			if err := tx.ClaimKey("register", "B-"+id, id); err != nil {
				return err
			}
			if _, err := tx.NextNumber("birth"); err != nil {
				return err
			}
			if _, err := tx.PutBlob([]byte("photo of " + id)); err != nil {
				return err
			}
			return tx.Append(Event{Type: "birth.registered", Entity: "birth", ID: id})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// downgradeToSchema2 rewrites a closed data file as the code before schema
// 3 wrote it: events in format 1 (no change set digest), the chain
// recomputed, no "bound" or "local" in meta, schema 2.
func downgradeToSchema2(t *testing.T, dir string) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		log := tx.Bucket(bucketLog)
		var prev []byte
		c := log.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			ev, err := DecodeEvent(v)
			if err != nil {
				return err
			}
			ev.Changes, ev.Prev = nil, prev
			if err := log.Put(k, ev.seal()); err != nil {
				return err
			}
			prev = ev.Hash
		}
		meta := tx.Bucket(bucketMeta)
		meta.Delete(keyBound)
		meta.Delete(keyLocal)
		return meta.Put(keySchema, binary.BigEndian.AppendUint64(nil, 2))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countType(t *testing.T, s *Store, typ EventType) int {
	t.Helper()
	evs, _, err := s.ReadReplica(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Is(typ) {
			n++
		}
	}
	return n
}

func TestMigration_ASchema2DirectoryIsSealedOnceWithAnEventAndThenChecked(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	writeSome(t, s, "1", "2", "3")
	s.Close()
	downgradeToSchema2(t, dir)

	// Read-only, as check opens it: the chain verifies, the state is not
	// yet bound, and nothing is written.
	rep, err := CheckFile(filepath.Join(dir, DBFile))
	if err != nil || !rep.Unbound || rep.Events != 3 {
		t.Fatalf("check of the schema 2 file: %+v, %v; want the chain verified and the state not yet bound", rep, err)
	}

	s, err = Open(dir, Options{LocalEntities: []string{"session"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := countType(t, s, EventSealed); n != 1 {
		t.Fatalf("%d seal events after the first open, want 1", n)
	}
	if n := countType(t, s, EventLocalEntities); n != 1 {
		t.Fatalf("%d local entity declarations, want 1", n)
	}
	writeSome(t, s, "4")
	rep, err = s.Check()
	if err != nil || rep.Unbound || rep.Records != 4+4+1+4 {
		t.Fatalf("check after the migration: %+v, %v; want every record verified (4 documents, 4 keys, 1 number, 4 blobs)", rep, err)
	}
	last := s.LastSeq()
	s.Close()

	// Opening again migrates nothing more.
	s, err = Open(dir, Options{LocalEntities: []string{"session"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.LastSeq() != last || countType(t, s, EventSealed) != 1 {
		t.Fatalf("the second open wrote events (last %d, was %d)", s.LastSeq(), last)
	}
	s.Close()

	// A document sealed by the migration and changed since is named with
	// the seal event that vouches for it.
	db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketState).Bucket([]byte("birth")).Put([]byte("2"), []byte(`{"name":"Anagha 9"}`))
	})
	db.Close()
	_, err = CheckFile(filepath.Join(dir, DBFile))
	var ce *CheckError
	if !errors.As(err, &ce) || !errors.Is(err, ErrChangesDiffer) || ce.Key != `document birth "2"` || !strings.Contains(err.Error(), "(store.sealed)") {
		t.Fatalf("check after editing a sealed document: %v; want it named with the seal event", err)
	}
}

func TestCheck_EveryKindOfTamperingWithTheStateIsNamed(t *testing.T) {
	cases := []struct {
		name string
		edit func(tx *bolt.Tx) error
		want string
	}{
		{"document changed", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketState).Bucket([]byte("birth")).Put([]byte("1"), []byte(`{"name":"Anagha 2"}`))
		}, `document birth "1": holds other bytes than the write of event 1 (birth.registered) stored`},
		{"document removed", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketState).Bucket([]byte("birth")).Delete([]byte("2"))
		}, `document birth "2": is missing, but the write of event 2 (birth.registered) stored it`},
		{"document added", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketState).Bucket([]byte("birth")).Put([]byte("9"), []byte(`{}`))
		}, `document birth "9": is present, but no write in the log stored it`},
		{"key moved", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketKeys).Bucket([]byte("register")).Put([]byte("B-1"), []byte("2"))
		}, `key register "B-1": holds other bytes than the write of event 1`},
		{"number lowered", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketNumbers).Put([]byte("birth"), binary.BigEndian.AppendUint64(nil, 1))
		}, `number "birth": is lower`},
		{"blob changed", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketBlobs).Put([]byte(SumBlob([]byte("photo of 1"))), []byte("another photo"))
		}, `holds other bytes than the write of event 1`},
		{"change set changed", func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketChanges)
			v := append([]byte(nil), b.Get(seqKey(2))...)
			v[len(v)-1] ^= 1
			return b.Put(seqKey(2), v)
		}, `log event 2: store: change set differs from what the log binds: the change set of event 2 does not match`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			writeSome(t, s, "1", "2")
			s.Close()
			db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(c.edit); err != nil {
				t.Fatal(err)
			}
			db.Close()
			_, err = CheckFile(filepath.Join(dir, DBFile))
			if err == nil || !strings.Contains(err.Error(), c.want) || !IsCorrupt(err) {
				t.Fatalf("check: %v; want %q", err, c.want)
			}
		})
	}
}

func TestAppendReplica_ATamperedChangeSetIsRefusedAndNothingIsWritten(t *testing.T) {
	src, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	writeSome(t, src, "1", "2")
	evs, changes, err := src.ReadReplica(1, 0)
	if err != nil {
		t.Fatal(err)
	}

	dst, err := Open(t.TempDir(), Options{Replica: true})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	tampered := append([][]byte(nil), changes...)
	tampered[1] = []byte(strings.Replace(string(changes[1]), "Anagha 2", "Anagha 7", 1))
	if err := dst.AppendReplica(evs, tampered); !errors.Is(err, ErrChangesDiffer) || !strings.Contains(err.Error(), "event 2") {
		t.Fatalf("a tampered change set: %v; want ErrChangesDiffer naming event 2", err)
	}
	if dst.LastSeq() != 0 {
		t.Fatalf("a refused batch wrote %d events", dst.LastSeq())
	}
	if err := dst.AppendReplica(evs, changes); err != nil {
		t.Fatalf("the true change sets: %v", err)
	}
	if _, err := dst.Check(); err != nil {
		t.Fatalf("the copy fails its check: %v", err)
	}
}
