package appliance_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/seal"
	"ksmart/appliance/synth"
	"ksmart/store"
)

// TestOpen_ACopyFromTheLogKeepsItsLogUntilServedThenMakesANewSealKey: a
// data directory rebuilt from its log and change sets (as ksmart restore
// --from-state does) has no private key. Opened with KeepLog it writes
// nothing and makes no key; opened to serve, it makes a new key and keeps
// the old public key beside it, as a document and as a file.
func TestOpen_ACopyFromTheLogKeepsItsLogUntilServedThenMakesANewSealKey(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	lb := synth.DemoLocalBody()
	src := t.TempDir()
	a, err := appliance.Open(appliance.Config{Dir: src, LocalBody: &lb, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	oldKey := seal.Fingerprint(a.Seal.Public())
	evs, changes, err := a.Store.ReadReplica(1, 0)
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	s, err := store.Open(dst, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AppendReplica(evs, changes); err != nil {
		t.Fatal(err)
	}
	s.Close()

	a, err = appliance.Open(appliance.Config{Dir: dst, Logger: quiet, KeepLog: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.Seal != nil || a.Store.LastSeq() != uint64(len(evs)) {
		t.Fatalf("KeepLog: seal %v, %d events (was %d)", a.Seal != nil, a.Store.LastSeq(), len(evs))
	}
	if _, err := os.Stat(filepath.Join(dst, "keys", "seal-"+oldKey+".pub")); err != nil {
		t.Fatalf("the old public key is not written out: %v", err)
	}
	a.Close()

	a, err = appliance.Open(appliance.Config{Dir: dst, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	newKey := seal.Fingerprint(a.Seal.Public())
	keys, err := a.SealKeys()
	if err != nil || len(keys) != 2 || newKey == oldKey {
		t.Fatalf("seal keys after serving the copy: %+v %v (old %s, new %s)", keys, err, oldKey, newKey)
	}
	last, _ := a.Store.Event(a.Store.LastSeq())
	if last.Type != "seal.created" || last.ID != newKey {
		t.Fatalf("the new key's event: %+v", last)
	}
	for _, fp := range []string{oldKey, newKey} {
		if _, err := os.Stat(filepath.Join(dst, "keys", "seal-"+fp+".pub")); err != nil {
			t.Fatalf("public key %s is not written out: %v", fp, err)
		}
	}
	// The bundle for verifiers holds both.
	raw, err := os.ReadFile(filepath.Join(dst, "keys", seal.BundleFile))
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := seal.ParsePublicKeys(raw)
	if err != nil || len(bundle) != 2 {
		t.Fatalf("the key bundle: %d keys, %v; want the old and the new", len(bundle), err)
	}
	for _, k := range bundle {
		if fp := seal.Fingerprint(k.Key); fp != oldKey && fp != newKey {
			t.Fatalf("the key bundle holds %s, neither the old nor the new key", fp)
		}
	}
}
