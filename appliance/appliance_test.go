package appliance_test

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/appliance/synth"
	"ksmart/store"
)

func TestOpen_FirstStartRecordsTheLocalBodyOnce(t *testing.T) {
	dir := t.TempDir()
	if _, err := appliance.Open(appliance.Config{Dir: dir}); err == nil || !strings.Contains(err.Error(), "--local-body") {
		t.Fatalf("first start without an identity: %v", err)
	}
	lb := synth.DemoLocalBody()
	a, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	a, err = appliance.Open(appliance.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if a.LocalBody.Name.Ml != lb.Name.Ml || len(a.LocalBody.Wards) != 12 {
		t.Fatalf("identity after restart: %+v", a.LocalBody)
	}
	evs, _ := a.Store.ReadLog(1, 0)
	// The entities kept outside the log declared once (so check knows not
	// to verify them), the identity once, then the seal's public key once:
	// a restart adds nothing.
	if len(evs) != 3 || !evs[0].Is(store.EventLocalEntities) || evs[1].Type != "local_body.configured" || evs[2].Type != "seal.created" {
		t.Fatalf("log has %d events: %v", len(evs), eventTypes(evs))
	}
	a.Close()

	other := lb
	other.Code = "M0999"
	if _, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &other}); err == nil || !strings.Contains(err.Error(), "serves one local body") {
		t.Fatalf("opening with another local body's code: %v", err)
	}
	bad := lb
	bad.Name.Ml = ""
	if _, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &bad}); err == nil || !strings.Contains(err.Error(), "Malayalam") {
		t.Fatalf("identity without a Malayalam name: %v", err)
	}
	if _, err := store.CheckFile(dir + "/" + store.DBFile); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_ACatalogueWithErrorsStopsTheStartListingEveryProblem(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "civil_registration.json"), []byte(`{"module": "civil_registration", "services": [
	  {"code": "birth_certificate", "name": {"en": "Birth certificate", "ml": ""}, "fields": [{"name": "x", "label": {"en": "X", "ml": "എക്സ്"}, "type": "colour"}],
	   "steps": [{"code": "s", "name": {"en": "Sign", "ml": "ഒപ്പ്"}, "role": "peon"}], "fee": {"kind": "none"}, "time_limit_days": 3},
	  {"code": "birth_certificate", "name": {"en": "Again", "ml": "വീണ്ടും"}, "fields": [], "steps": [{"code": "s", "name": {"en": "Sign", "ml": "ഒപ്പ്"}, "role": "registrar"}], "fee": {"kind": "none"}, "time_limit_days": 3}
	]}`), 0o600)
	lb := synth.DemoLocalBody()
	data := t.TempDir()
	_, err := appliance.Open(appliance.Config{Dir: data, LocalBody: &lb, CatalogueDir: dir})
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("a refused start left %d files in the data directory", len(entries))
	}
	if err == nil {
		t.Fatal("a broken catalogue did not stop the start")
	}
	for _, want := range []string{"Malayalam", "colour", "peon", "birth_certificate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %q:\n%v", want, err)
		}
	}
	if strings.Count(err.Error(), "\n") < 3 {
		t.Errorf("the problems are not listed one per line:\n%v", err)
	}
}

func eventTypes(evs []store.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestSeal_KeyIsMadeOnceKeptInTheStoreAndRestoredToKeys(t *testing.T) {
	dir := t.TempDir()
	lb := synth.DemoLocalBody()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	made := seal.Fingerprint(a.Seal.Public())
	a.Close()
	for _, f := range []string{seal.PrivateFile, seal.PublicFile} {
		if fi, err := os.Stat(filepath.Join(dir, "keys", f)); err != nil || (f == seal.PrivateFile && fi.Mode().Perm() != 0o600) {
			t.Fatalf("keys/%s: %v %v", f, fi.Mode(), err)
		}
	}

	// A data directory restored from a backup has no keys/: the store
	// carries the key, and it is written back.
	os.RemoveAll(filepath.Join(dir, "keys"))
	a, err = appliance.Open(appliance.Config{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if got := seal.Fingerprint(a.Seal.Public()); got != made {
		t.Fatalf("after keys/ was lost the key is %s, want %s", got, made)
	}
	a.Close()
	if _, err := os.Stat(filepath.Join(dir, "keys", seal.PrivateFile)); err != nil {
		t.Fatalf("keys/ not written back: %v", err)
	}

	// Another body's key in keys/ is refused: its certificates would not verify.
	other, _ := seal.Generate(lb.Code)
	other.WriteFiles(filepath.Join(dir, "keys"))
	if _, err := appliance.Open(appliance.Config{Dir: dir, Logger: quiet}); err == nil || !strings.Contains(err.Error(), "not the seal key") {
		t.Fatalf("a foreign key in keys/: %v", err)
	}
}

// TestReaders_AStoreHoldingABodysDocumentsNamesItAndItsSealKeys reads a
// body's identity and seal keys as the state view reads them from its copy:
// through the exported readers, from the store and from the log.
func TestReaders_AStoreHoldingABodysDocumentsNamesItAndItsSealKeys(t *testing.T) {
	lb := synth.DemoLocalBody()
	a, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	fp := seal.Fingerprint(a.Seal.Public())
	var got domain.LocalBody
	var keys []appliance.SealRecord
	err = a.Store.View(func(tx *store.Tx) (err error) {
		if got, err = appliance.LocalBodyIn(tx); err != nil {
			return err
		}
		keys, err = appliance.SealKeysIn(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != lb.Code || got.Name != lb.Name || len(keys) != 1 || keys[0].Fingerprint != fp {
		t.Fatalf("the store names %s %v with keys %+v; want %s with the key %s", got.Code, got.Name, keys, lb.Code, fp)
	}
	evs, err := a.Store.ReadLog(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	var published []string
	for _, ev := range evs {
		if k, ok := appliance.PublishedSealKey(ev); ok {
			published = append(published, k.Fingerprint)
		}
	}
	if len(published) != 1 || published[0] != fp {
		t.Fatalf("the log publishes the keys %v, want only %s", published, fp)
	}
	empty, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	err = empty.View(func(tx *store.Tx) error { _, err := appliance.LocalBodyIn(tx); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an empty store's identity: %v, want store.ErrNotFound", err)
	}
}
