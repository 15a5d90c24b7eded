package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/propertytax"
	"ksmart/store"
)

// councilFile writes examples/property-tax.json with edit applied.
func councilFile(t *testing.T, edit func(string) string) string {
	t.Helper()
	raw, err := os.ReadFile("../../examples/property-tax.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "property-tax.json")
	if err := os.WriteFile(path, []byte(edit(string(raw))), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The municipality's residential rate up to 300 m², as the example has it.
const exampleRate = `"municipality": {
        "uses": [
          {"code": "residential", "rates": [{"up_to_m2": 300, "paise": 1200}`

func TestServe_PropertyTaxSettingsOutsideTheLimitsOrUnknownStopTheStartNamingEachAndWriteNothing(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1) // Thrikkakara, a municipality
	outside := councilFile(t, func(s string) string {
		s = strings.Replace(s, exampleRate, strings.Replace(exampleRate, "1200", "3000", 1), 1)
		return strings.Replace(s, `{"code": "tertiary", "percent": -10}`, `{"code": "tertiary", "percent": -10}, {"code": "downtown", "percent": 20}`, 1)
	})
	unknown := councilFile(t, func(s string) string {
		return strings.Replace(s, `"cess_percent": 5,`, `"cess_percent": 5, "rebate_percent": 5,`, 1)
	})
	if !strings.Contains(readText(t, outside), `"paise": 3000}`) || !strings.Contains(readText(t, unknown), "rebate_percent") {
		t.Fatal("the example's figures moved; update the edits above")
	}
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"a rate outside the limits and an unknown zone", outside, []string{
			"the council's property tax settings (serve --property-tax FILE) cannot be used",
			"the residential rate ₹30.00 a m² (up to 300 m²) is outside the Government's limits for a municipality, ₹8.00 to ₹17.00; local.zones: \"downtown\" is not one ksmart knows"}},
		{"an unknown field", unknown, []string{`unknown field "rebate_percent"`, "see examples/property-tax.json"}},
		{"no such file", filepath.Join(t.TempDir(), "nope.json"), []string{"--property-tax: open "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := ksmart(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--property-tax", c.file)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1] // after the log's lines
			if code != 1 || stdout != "" || !strings.HasPrefix(last, "ksmart serve: ") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and one line saying why", code, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(last, w) {
					t.Errorf("the message does not say %q: %s", w, last)
				}
			}
		})
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Only the store's own declaration of the appliance's local entities,
	// made as it opens, may follow the seed's one event.
	for seq := uint64(2); seq <= st.LastSeq(); seq++ {
		if ev, err := st.Event(seq); err != nil || ev.Type != store.EventLocalEntities.Name {
			t.Errorf("a refused start wrote event %d (%s, %v)", seq, ev.Type, err)
		}
	}
	st.Close()
	if _, err := os.Stat(filepath.Join(dir, "keys")); err == nil {
		t.Errorf("a refused start made a seal key")
	}
}

func TestServe_ThePropertyTaxSettingsGivenAreTheRatesTheRegisterIsTaxedAt(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	// The council set ₹15 a m² for homes up to 300 m², not the example's ₹12.
	file := councilFile(t, func(s string) string {
		return strings.Replace(s, exampleRate, strings.Replace(exampleRate, "1200", "1500", 1), 1)
	})
	p := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--property-tax", file)
	house := buildingsCSV(t, `1/10,1,Ravi Kumar:100:9847012345,residential:100,400,secondary,other_road,rcc,2010,owner,1400,`)
	code, stdout, stderr := importProcess(t, "", "import", "buildings", house, "--data", dir, "--json")
	var rep propertytax.ImportReport
	if code > 1 || json.Unmarshal([]byte(stdout), &rep) != nil || rep.Imported != 1 {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b := propertytax.Building{Floors: []propertytax.Floor{{Use: "residential", Area: propertytax.SquareMetres(100)}}, Occupancy: "owner",
		Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2010}
	year := propertytax.PeriodOf(time.Now()).Year
	council, err := propertytax.ParseRules([]byte(readText(t, file)), "municipality")
	if err != nil {
		t.Fatal(err)
	}
	defaults, _ := propertytax.DefaultRules("municipality")
	want, _ := council.Assess(b, year)
	other, _ := defaults.Assess(b, year)
	if got := rep.Parity.Total.Tax; got != want.Tax || got == other.Tax {
		t.Errorf("the house is taxed %v a year; want %v at the council's ₹15 a m² (the defaults would give %v)", got, want.Tax, other.Tax)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d: %s", code, p.stderr)
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
