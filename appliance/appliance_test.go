package appliance_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ksmart/appliance"
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
	if len(evs) != 1 || evs[0].Type != "local_body.configured" {
		t.Fatalf("log = %+v", evs)
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
