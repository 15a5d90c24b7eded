package appliance_test

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

func openDemo(t *testing.T, cfg appliance.Config) *appliance.Appliance {
	t.Helper()
	lb := synth.DemoLocalBody()
	cfg.Dir, cfg.LocalBody = t.TempDir(), &lb
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	app, err := appliance.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}

// TestOffer_AServiceWhoseModuleIsNotBuiltIsListedButNobodyCanApply tries, as
// a citizen and the front office would, the services of modules not built
// yet (a pet dog licence, a layout approval, a property tax payment): they are
// listed as not yet available, in both languages, and applying for one is
// refused with nothing written.
func TestOffer_AServiceWhoseModuleIsNotBuiltIsListedButNobodyCanApply(t *testing.T) {
	app := openDemo(t, appliance.Config{})
	for _, code := range []string{"pet_dog_licence", "layout_approval", "property_tax_payment", "fee_refund", "public_grievance", "contact_update", "certified_copy"} {
		if _, ok := app.Catalogue.Get(code); !ok {
			t.Fatalf("%s is not listed", code)
		}
		if app.Catalogue.Available(code) {
			t.Errorf("%s is offered, but no module serves it", code)
		}
		before := app.Store.LastSeq()
		for _, by := range []domain.Actor{{ID: "u-9", Roles: []domain.Role{domain.RoleCitizen}}, {ID: "u-8", Roles: []domain.Role{domain.RoleFrontOffice}}} {
			channel := workflow.ChannelOnline
			if by.Has(domain.RoleFrontOffice) {
				channel = workflow.ChannelCounter
			}
			_, err := app.Workflow.Submit(by, workflow.Submission{Service: code, Values: map[string]string{"building_number": "nonsense", "financial_year": "banana"},
				Applicant: workflow.Applicant{Name: domain.T("Ravi", "")}, Channel: channel})
			de, ok := err.(*domain.Error)
			if !ok || de.Code != domain.EUNAVAILABLE || !strings.Contains(de.Message, "not yet available") || !strings.Contains(de.MessageML, "ലഭ്യമല്ല") {
				t.Errorf("%s applied for by %v: %v", code, by.Roles, err)
			}
		}
		if app.Store.LastSeq() != before {
			t.Errorf("a refused application for %s wrote to the log", code)
		}
	}
	for _, code := range []string{"birth_registration", "marriage_registration", "non_availability_certificate", "general_petition", "rti_application"} {
		if !app.Catalogue.Available(code) {
			reason, _ := app.Catalogue.NotOfferedReason(code)
			t.Errorf("%s is not offered: %s", code, reason.En)
		}
	}
	// Every offered service has rules that reckon its fee and issue its document.
	for _, svc := range app.Catalogue.All() {
		if app.Catalogue.Available(svc.Code) && app.Workflow.Rules[svc.Code] == nil {
			t.Errorf("%s is offered with no module's rules", svc.Code)
		}
	}
}

// TestOffer_ADefinitionAModuleCannotServeStopsTheStartNamingIt: a local
// body's catalogue that gives a civil service a computed fee, or makes it
// issue a permit, is refused at start, every such service named.
func TestOffer_ADefinitionAModuleCannotServeStopsTheStartNamingIt(t *testing.T) {
	files, err := catalogue.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, b := range files {
		s := string(b)
		if name == "civil_registration.json" {
			s = strings.Replace(s, `"fee": {"kind": "flat", "amount": 1000, "head": "140-40"}`, `"fee": {"kind": "computed"}`, 1)
			s = strings.Replace(s, `"issues": "death_certificate"`, `"issues": "permit"`, 1)
		}
		os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600)
	}
	lb := synth.DemoLocalBody()
	data := t.TempDir()
	_, err = appliance.Open(appliance.Config{Dir: data, LocalBody: &lb, CatalogueDir: dir})
	if err == nil {
		t.Fatal("a civil service with a computed fee and one issuing a permit did not stop the start")
	}
	for _, want := range []string{"computed", "permit", "module civil"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not mention %q:\n%v", want, err)
		}
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("a refused start left %d files in the data directory", len(entries))
	}
}
