// Package storetest opens real stores on temporary directories for tests,
// and checks each one's consistency (bbolt's page check and the hash chain)
// when the test ends.
package storetest

import (
	"testing"

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
