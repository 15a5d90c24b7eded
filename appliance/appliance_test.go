package appliance_test

import (
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
