package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/propertytax"
)

const buildingsHeader = "building_number,ward,owners,floors,plot_area_sqm,zone,road,construction,year_built,occupancy,annual_tax_rs,arrears_rs\n"

// buildingsCSV writes a property register file with the given rows.
func buildingsCSV(t *testing.T, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "buildings.csv")
	if err := os.WriteFile(path, []byte(buildingsHeader+strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The register of Thrikkakara's wards 1 and 2 (README's example local
// body, wards 1 to 3) as an old system kept it, with four bad rows.
var oldRegister = []string{
	`1/10,1,Ravi Kumar:100:9847012345,residential:100,400,secondary,other_road,rcc,2010,owner,1400,2000`, // line 2
	`1/11,1,Joseph:100:,commercial:40,100,secondary,other_road,rcc,2010,owner,2315,`,                     // line 3
	`1/12,1,Beena Thomas,godown:50,200,secondary,other_road,rcc,2001,owner,900,`,                         // line 4: unknown use
	`1/13,1,Anil Kumar,residential:600,10,secondary,other_road,rcc,2001,owner,7000,500`,                  // line 5: plinth 60× the plot
	`1/10,1,Ravi Kumar,residential:100,400,secondary,other_road,rcc,2010,owner,1400,`,                    // line 6: the number again
	`1/1x4,1,Mary,residential:90,300,secondary,other_road,rcc,2001,owner,1000,`,                          // line 7: not a number
	`2/1,2,Kunjamma,residential:50,150,tertiary,no_road,tiled,1990,owner,0,`,                             // line 8
}

func TestImportBuildings_RefusedRowsByLineTheParityTableAndExit1ThenAgainThroughTheRunningAppliance(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	file := buildingsCSV(t, oldRegister...)

	code, stdout, stderr := importProcess(t, "", "import", "buildings", file, "--data", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`line 4: building 1/12: floors: "godown" is not a use this local body has a rate for`,
		`line 5: building 1/13: floors: A plinth area of 600 m² on a plot of 10 m² is more than 50 times the plot`,
		`line 6: building 1/10: building_number: building 1/10 is on line 2 already`,
		`line 7: building 1/1x4: building_number: "1/1x4" is not a building number`,
		"does not reconcile:\n  ward 1: 4 of 6 rows refused (listed above by line)\n  ward 1: 4 buildings in the file, 2 of them in the register",
		"ward 1: arrears 2,500.00 in the file, 2,000.00 demanded",
		"buildings: 7 rows read, 3 imported, 0 already present, 4 not imported (bad), in ",
	} {
		if !strings.Contains(strings.ReplaceAll(stdout, "₹", ""), want) {
			t.Errorf("stdout does not say %q:\n%s", want, stdout)
		}
	}
	table := regexp.MustCompile(`(?m)^\s+1\s+6\s+4\s+14,015\.00\s+2,500\.00\s+2\s+.*DIFFERS\s*$`)
	if !table.MatchString(stdout) || !regexp.MustCompile(`(?m)^\s+2\s+1\s+1\s+0\.00\s+0\.00\s+1\s+0\.00\s+0\.00\s+0\s+\+0\.0%\s*$`).MatchString(stdout) {
		t.Errorf("the parity table does not show ward 1 (6 rows, 4 buildings, 2 registered) differing and ward 2 reconciled:\n%s", stdout)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "4 of 7 rows were not imported and ward 1 does not reconcile with the file") {
		t.Errorf("stderr %q; want one line saying what was refused and which ward does not reconcile", stderr)
	}

	// Again, through the running appliance, as JSON: nothing imported
	// twice, the same parity.
	p := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	code, stdout, stderr = importProcess(t, "", "import", "buildings", file, "--data", dir, "--json")
	var rep propertytax.ImportReport
	if code != 1 || json.Unmarshal([]byte(stdout), &rep) != nil || strings.Count(strings.TrimSpace(stdout), "\n") != 0 {
		t.Fatalf("--json through the appliance: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if rep.Read != 7 || rep.Imported != 0 || rep.AlreadyPresent != 3 || rep.Bad != 4 || len(rep.Parity.Wards) != 2 || rep.Parity.Wards[0].Registered != 2 ||
		rep.Parity.Wards[0].Arrears != 200000 || rep.Parity.Wards[1].Registered != 1 || !rep.Parity.Wards[1].Reconciled || rep.Parity.Reconciled {
		t.Errorf("the second run's report: %+v", rep)
	}

	// The corrected file (the good rows, the tax as ksmart reckons it):
	// nothing to import, and it reconciles.
	rules, _ := propertytax.DefaultRules("municipality")
	taxOf := func(use string, area int64) string {
		a, err := rules.Assess(propertytax.Building{Floors: []propertytax.Floor{{Use: use, Area: propertytax.SquareMetres(area)}}, Occupancy: "owner",
			Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2010}, propertytax.PeriodOf(time.Now()).Year)
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(rupees(a.Tax), ",", "")
	}
	fixed := buildingsCSV(t, strings.Replace(oldRegister[0], ",1400,2000", ","+taxOf("residential", 100)+",2000", 1),
		strings.Replace(oldRegister[1], ",2315,", ","+taxOf("commercial", 40)+",", 1), oldRegister[6])
	code, stdout, stderr = importProcess(t, "", "import", "buildings", fixed, "--data", dir)
	if code != 0 || stderr != "" || !strings.Contains(stdout, "the register reconciles with the file") || !strings.Contains(stdout, "[through the running appliance]") {
		t.Errorf("the corrected file: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d: %s", code, p.stderr)
	}
	if code, stdout, _ := ksmart(t, "check", "--data", dir); code != 0 {
		t.Errorf("check after the imports: %d %s", code, stdout)
	}
}

func TestImportBuildings_JSONIsForBuildingsAndABadHeaderIsOneLine(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	births := importCSV(t, goodBirths...)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"births", births, "--data", dir, "--json"}, 2, "--json is for import buildings"},
		{[]string{"buildings", births, "--data", dir}, 1, `unknown column "register_number"`},
		{[]string{"buildings", "--data", dir}, 2, "give the CSV FILE of buildings"},
	} {
		code, stdout, stderr := ksmart(t, append([]string{"import"}, c.args...)...)
		if code != c.code || stdout != "" || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("import %v: exit %d, stdout %q, stderr %q; want %d and one line with %q", c.args, code, stdout, stderr, c.code, c.want)
		}
	}
	code, stdout, _ := ksmart(t, "import", "-h")
	for _, want := range []string{"births|deaths|marriages FILE.csv --data DIR --registrar LOGIN | buildings FILE.csv", "building_number*", "floors*", `"residential:85.5;commercial:40"`, "annual_tax_rs*", "arrears_rs"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("import -h does not say %q:\n%s", want, stdout)
		}
	}
}
