package catalogue

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"ksmart/appliance/domain"
)

// loadTB loads the embedded catalogue or stops the test with every problem.
func loadTB(tb testing.TB) *Catalogue {
	tb.Helper()
	c, err := Load()
	if err != nil {
		tb.Fatalf("embedded catalogue does not load:\n%v", err)
	}
	return c
}

func TestCatalogue_EmbeddedLoadsWithEveryModuleAndBothLanguages(t *testing.T) {
	c := loadTB(t)
	if c.Len() < 45 {
		t.Errorf("catalogue has %d services, want at least 45", c.Len())
	}
	for _, m := range Modules {
		n := len(c.ByModule(m))
		t.Logf("%-20s %2d services", m, n)
		if n == 0 {
			t.Errorf("module %s has no services", m)
		}
		if name := ModuleName(m); name.En == "" || !hasMalayalam(name.Ml) {
			t.Errorf("module %s has no bilingual name: %+v", m, name)
		}
	}
	for _, s := range c.All() {
		if strings.TrimSpace(s.Name.En) == "" {
			t.Errorf("%s: no English name", s.Code)
		}
		if !hasMalayalam(s.Name.Ml) || hasLatinLetter(s.Name.Ml) {
			t.Errorf("%s: Malayalam name %q is not in Malayalam script", s.Code, s.Name.Ml)
		}
		if s.Approver() == "" || !s.Approver().Known() {
			t.Errorf("%s: no approving role", s.Code)
		}
	}
}

func TestCatalogue_AllIsSortedByModuleThenCode(t *testing.T) {
	c := loadTB(t)
	all := c.All()
	if len(all) != c.Len() {
		t.Fatalf("All has %d services, Len says %d", len(all), c.Len())
	}
	sorted := slices.IsSortedFunc(all, func(a, b Service) int {
		if d := moduleRank(a.Module) - moduleRank(b.Module); d != 0 {
			return d
		}
		return strings.Compare(a.Code, b.Code)
	})
	if !sorted {
		t.Error("All is not sorted by module, then code")
	}
	// All returns a copy: reordering it must not reorder the catalogue.
	all[0], all[1] = all[1], all[0]
	if c.All()[0].Code == all[0].Code {
		t.Error("changing the slice All returned changed the catalogue")
	}
}

func TestCatalogue_GetFindsTheServicesCitizensAskFor(t *testing.T) {
	c := loadTB(t)
	want := map[string]struct {
		module   string
		approver domain.Role
		issues   string
	}{
		"birth_registration":           {ModuleCivilRegistration, domain.RoleRegistrar, IssueBirthCertificate},
		"birth_certificate":            {ModuleCivilRegistration, domain.RoleRegistrar, IssueBirthCertificate},
		"death_registration":           {ModuleCivilRegistration, domain.RoleRegistrar, IssueDeathCertificate},
		"marriage_registration":        {ModuleCivilRegistration, domain.RoleRegistrar, IssueMarriageCertificate},
		"dando_licence":                {ModuleTradeLicence, domain.RoleSecretary, IssueTradeLicence},
		"ownership_change":             {ModulePropertyTax, domain.RoleSecretary, IssueOrder},
		"property_tax_payment":         {ModulePropertyTax, domain.RoleAccountant, IssueReceipt},
		"building_permit":              {ModuleBuildingPermission, domain.RoleSecretary, IssuePermit},
		"occupancy_certificate":        {ModuleBuildingPermission, domain.RoleSecretary, IssueOccupancyCertificate},
		"video_kyc_abroad":             {ModuleUserManagement, domain.RoleSecretary, ""},
		"rti_application":              {ModuleFileManagement, domain.RoleHeadClerk, IssueReply},
		"fee_refund":                   {ModuleFinance, domain.RoleSecretary, IssueOrder},
		"public_grievance":             {ModuleGrievance, domain.RoleSecretary, IssueReply},
		"non_availability_certificate": {ModuleCivilRegistration, domain.RoleRegistrar, IssueNonAvailability},
	}
	for code, w := range want {
		s, ok := c.Get(code)
		if !ok {
			t.Errorf("Get(%q) found nothing", code)
			continue
		}
		if s.Module != w.module || s.Approver() != w.approver || s.Issues != w.issues {
			t.Errorf("%s: module %s, approver %s, issues %q; want %s, %s, %q",
				code, s.Module, s.Approver(), s.Issues, w.module, w.approver, w.issues)
		}
	}
	if _, ok := c.Get("no_such_service"); ok {
		t.Error("Get found a service that does not exist")
	}
	if s, _ := c.Get("fee_refund"); !slices.ContainsFunc(s.Steps, func(st Step) bool { return st.Role == domain.RoleAccountant }) {
		t.Error("a refund passes no accountant")
	}
	if s, _ := c.Get("building_permit"); len(s.DocumentFields()) == 0 {
		t.Error("a building permit asks for no plan upload")
	}
}

func TestCatalogue_ServiceJSONHasTheAPIKeys(t *testing.T) {
	c := loadTB(t)
	s, _ := c.Get("birth_certificate")
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"code", "module", "name", "time_limit_days", "fields", "steps", "fee"} {
		if _, ok := got[key]; !ok {
			t.Errorf("service JSON has no %q: %s", key, b)
		}
	}
	if name, _ := got["name"].(map[string]any); name["en"] != "Birth certificate" || name["ml"] != "ജനന സർട്ടിഫിക്കറ്റ്" {
		t.Errorf("name = %v", got["name"])
	}
	if fee, _ := got["fee"].(map[string]any); fee["amount"] != float64(1000) {
		t.Errorf("birth certificate fee = %v, want 1000 paise (₹10)", got["fee"])
	}
}

// brokenCatalogue holds one of every mistake an editor of the data files is
// likely to make.
var brokenCatalogue = map[string][]byte{
	"civil_registration.json": []byte(`{
  "module": "civil_registration",
  "services": [
    {
      "code": "birth_registration",
      "name": {"en": "Birth registration"},
      "fields": [{"name": "dob", "label": {"en": "Date of birth", "ml": "ജനന തീയതി"}, "type": "datetime"}],
      "steps": [{"code": "check", "name": {"en": "Check", "ml": "പരിശോധന"}, "role": "inspector"}],
      "fee": {"kind": "none"},
      "time_limit_days": 3
    },
    {
      "code": "birth_registration",
      "name": {"en": "Birth registration", "ml": "ജനന രജിസ്ട്രേഷൻ"},
      "fields": [{"name": "dob", "label": {"en": "Date of birth", "ml": "ജനന തീയതി"}, "type": "date"}],
      "steps": [{"code": "register", "name": {"en": "Register", "ml": "രജിസ്റ്റർ ചെയ്യൽ"}, "role": "registrar"}],
      "fee": {"kind": "none"},
      "time_limit_days": 3
    },
    {
      "code": "death_certificate",
      "name": {"en": "Death certificate", "ml": "Death certificate"},
      "colour": "red",
      "fields": [{"name": "name", "label": {"en": "Name", "ml": "പേര്"}, "type": "name"}],
      "steps": [{"code": "sign", "name": {"en": "Sign", "ml": "ഒപ്പിടൽ"}, "role": "registrar"}],
      "fee": {"kind": "flat", "amount": 1000},
      "time_limit_days": 3
    },
    {
      "code": "marriage_certificate",
      "name": {"en": "Marriage certificate", "ml": "വിവാഹ സർട്ടിഫിക്കറ്റ്"},
      "fields": [
        {"name": "kind", "label": {"en": "Kind", "ml": "തരം"}, "type": "choice"},
        {"name": "kind", "label": {"en": "Kind again", "ml": "വീണ്ടും തരം"}, "type": "text"}
      ],
      "steps": [],
      "fee": {"kind": "none"},
      "time_limit_days": 0
    }
  ]
}`),
	"finance.json": []byte(`{"module": "finanse", "services": [{
      "code": "fee_refund",
      "name": {"en": "Fee refund", "ml": "ഫീസ് തിരികെ നൽകൽ"},
      "fields": [{"name": "amount", "label": {"en": "Amount", "ml": "തുക"}, "type": "number"}],
      "steps": [{"code": "approve", "name": {"en": "Approve", "ml": "അംഗീകരിക്കൽ"}, "role": "citizen"}],
      "fee": {"kind": "none"},
      "time_limit_days": 15
    }]}`),
}

func TestCatalogue_BrokenCatalogueListsEveryProblemAtOnce(t *testing.T) {
	c, err := Parse(brokenCatalogue)
	if c != nil || err == nil {
		t.Fatal("a broken catalogue loaded")
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error is %T, want *ValidationError: %v", err, err)
	}
	t.Logf("problems:\n%v", err)
	want := []struct{ file, service, fragment string }{
		{"civil_registration.json", `"birth_registration"`, `unknown role "inspector"`},
		{"civil_registration.json", `"birth_registration"`, "name: missing Malayalam"},
		{"civil_registration.json", `"birth_registration"`, `bad field type "datetime"`},
		{"civil_registration.json", `"birth_registration"`, "duplicate service code"},
		{"civil_registration.json", `"death_certificate"`, `unknown key "colour"`},
		{"civil_registration.json", `"death_certificate"`, "is not in Malayalam script"},
		{"civil_registration.json", `"marriage_certificate"`, "choice field has no choices"},
		{"civil_registration.json", `"marriage_certificate"`, `duplicate field name "kind"`},
		{"civil_registration.json", `"marriage_certificate"`, "no steps"},
		{"civil_registration.json", `"marriage_certificate"`, "time_limit_days must be"},
		{"finance.json", "", `unknown module "finanse"`},
		{"finance.json", `"fee_refund"`, `role "citizen" does not act on files`},
	}
	for _, w := range want {
		found := slices.ContainsFunc(ve.Problems, func(p string) bool {
			return strings.HasPrefix(p, w.file+": ") && strings.Contains(p, w.service) && strings.Contains(p, w.fragment)
		})
		if !found {
			t.Errorf("no problem in %s for %s saying %q", w.file, w.service, w.fragment)
		}
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != len(ve.Problems) {
		t.Errorf("Error() has %d lines for %d problems", got, len(ve.Problems))
	}
}

func TestCatalogue_NotJSONIsReportedWithTheFileName(t *testing.T) {
	_, err := Parse(map[string][]byte{
		"grievance.json": []byte(`{"module": "grievance", "services": [`),
	})
	if err == nil || !strings.HasPrefix(err.Error(), "grievance.json: ") {
		t.Fatalf("got %v, want a problem naming grievance.json", err)
	}
	if _, err := Parse(nil); err == nil {
		t.Fatal("an empty catalogue loaded")
	}
}

func TestCatalogue_LoadFSReadsADirectoryOverride(t *testing.T) {
	fsys := fstest.MapFS{
		"grievance.json": {Data: []byte(`{"module": "grievance", "services": [{
			"code": "pothole", "abbr": "POT",
			"name": {"en": "Pothole", "ml": "കുഴി"},
			"fields": [{"name": "location", "label": {"en": "Location", "ml": "സ്ഥലം"}, "type": "text", "required": true}],
			"steps": [{"code": "fix", "name": {"en": "Fix", "ml": "നന്നാക്കൽ"}, "role": "overseer"}],
			"fee": {"kind": "none"},
			"time_limit_days": 7
		}]}`)},
		"README.txt": {Data: []byte("not a service file")},
	}
	c, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := c.Get("pothole")
	if !ok || s.Module != ModuleGrievance || c.Len() != 1 {
		t.Fatalf("got %+v, %d services", s, c.Len())
	}
}

func TestCatalogue_TwoServicesWithOneAbbreviationAreRefused(t *testing.T) {
	svc := func(code string) string {
		return `{"code": "` + code + `", "abbr": "BC", "name": {"en": "A service", "ml": "ഒരു സേവനം"}, "fields": [],
		  "steps": [{"code": "sign", "name": {"en": "Sign", "ml": "ഒപ്പിടൽ"}, "role": "registrar"}], "fee": {"kind": "none"}, "time_limit_days": 3}`
	}
	_, err := Parse(map[string][]byte{"civil_registration.json": []byte(`{"module": "civil_registration", "services": [` + svc("one") + `,` + svc("two") + `]}`)})
	if err == nil || !strings.Contains(err.Error(), `abbr "BC" is already "one"'s`) {
		t.Fatalf("two services sharing BC: %v", err)
	}
}
