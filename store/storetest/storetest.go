// Package storetest opens real stores on temporary directories for tests,
// and checks each one's consistency (bbolt's page check and the hash chain)
// when the test ends.
package storetest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ksmart/store"
)

// Open returns a store in a fresh temporary directory. At cleanup the store
// is checked and closed; a failed check fails the test.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	return OpenDir(tb, tb.TempDir(), store.Options{})
}

// OpenDir opens the store in dir with opts, checked and closed at cleanup.
func OpenDir(tb testing.TB, dir string, opts store.Options) *store.Store {
	tb.Helper()
	s, err := store.Open(dir, opts)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := s.Check(); err != nil {
			tb.Errorf("store check at cleanup: %v", err)
		}
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// EditEvent rewrites the stored bytes of event seq in the closed data
// directory dir with edit, the way a hex editor or a failing disk would,
// so tests can show that the change is detected.
func EditEvent(tb testing.TB, dir string, seq uint64, edit func([]byte) []byte) {
	tb.Helper()
	db, err := bolt.Open(filepath.Join(dir, store.DBFile), 0o600, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("log"))
		k := binary.BigEndian.AppendUint64(nil, seq)
		v := b.Get(k)
		if v == nil {
			return fmt.Errorf("no event %d to edit", seq)
		}
		return b.Put(k, edit(bytes.Clone(v)))
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// Dump lists every key and value of the current state of the closed data
// file in dir — documents, keys, numbers and blobs, nested buckets as
// "bucket/sub", each as "<bucket> <key>" — leaving out the log, meta and
// change sets: what two stores must agree on to hold the same records.
func Dump(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	db, err := bolt.Open(filepath.Join(dir, store.DBFile), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	var walk func(path string, b *bolt.Bucket)
	walk = func(path string, b *bolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(path+"/"+string(k), b.Bucket(k))
				return nil
			}
			out[path+" "+string(k)] = string(v)
			return nil
		})
	}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			switch string(name) {
			case "log", "meta", "changes":
				return nil
			}
			walk(string(name), b)
			return nil
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// EditDocument rewrites the first current document of entity in the closed
// data directory dir with edit, outside the store and its log (as someone
// with a hex editor would), and returns the document's id.
func EditDocument(tb testing.TB, dir, entity string, edit func([]byte) []byte) string {
	tb.Helper()
	db, err := bolt.Open(filepath.Join(dir, store.DBFile), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var id string
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("state")).Bucket([]byte(entity))
		if b == nil {
			return fmt.Errorf("no %s documents to edit", entity)
		}
		k, v := b.Cursor().First()
		if k == nil {
			return fmt.Errorf("no %s documents to edit", entity)
		}
		id = string(k)
		return b.Put(bytes.Clone(k), edit(bytes.Clone(v)))
	})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}
