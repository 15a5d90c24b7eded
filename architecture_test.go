package ksmart_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A rule says what a package (or every package under a prefix ending in
// "/...") may import of ours, directly or through others: only the
// packages listed (with their subpackages, and its own), or never those
// listed. A direct rule looks at the package's own imports only.
type rule struct {
	pkg    string
	only   []string // when not nil: the only ksmart packages it may depend on
	never  []string // packages (or prefixes ending in "/...") it must not depend on
	direct bool
	why    string
}

// The layering, written once. Each rule says why.
var rules = []rule{
	{pkg: "ksmart/store", only: []string{},
		why: "store is infrastructure, as database/sql is: it knows documents and events, nothing above it"},
	{pkg: "ksmart/search", only: []string{"ksmart/store"},
		why: "search indexes the documents the log names; it knows no module"},
	{pkg: "ksmart/replication", only: []string{"ksmart/store", "ksmart/search"},
		why: "the state cluster carries and checks logs, never interprets them; what state IT sees is stateview's"},
	{pkg: "ksmart/appliance/domain", only: []string{},
		why: "the shared vocabulary: the standard library only, so that every package may use it"},
	{pkg: "ksmart/appliance/...", never: []string{"ksmart/web", "ksmart/stateview", "ksmart/cmd/...", "ksmart/bench/..."},
		why: "modules know nothing of HTTP, of the state's view or of benchmarks"},
	{pkg: "ksmart/appliance/module", never: []string{"ksmart/appliance/civil", "ksmart/appliance/files"},
		why: "the seam is below the modules: each module plugs into it, it names none"},
	{pkg: "ksmart/appliance/finance/...", never: []string{"ksmart/appliance/civil", "ksmart/appliance/files", "ksmart/appliance/propertytax", "ksmart/appliance/licence"},
		why: "finance is the money spine below the modules that post to it: it takes their fees through workflow.Money and their demands as they raise them, and imports none of them (no cycles)"},
	{pkg: "ksmart/appliance/civil", never: []string{"ksmart/appliance/files", "ksmart/appliance/propertytax"},
		why: "modules of one level do not import one another; a lower one (finance) only through what it exports"},
	{pkg: "ksmart/appliance/licence", never: []string{"ksmart/appliance/civil", "ksmart/appliance/files"},
		why: "licences read premises from property tax and owe fees through finance, both below; civil and files are of its own level"},
	{pkg: "ksmart/appliance/propertytax", never: []string{"ksmart/appliance/licence"},
		why: "property tax is below licensing: a licence's premises are its buildings, never the other way"},
	{pkg: "ksmart/appliance/propertytax", never: []string{"ksmart/appliance/building"},
		why: "building permission hands a completed building to property tax through what property tax exports; the register knows nothing of permits"},
	{pkg: "ksmart/appliance/kyc", never: []string{"ksmart/appliance/civil", "ksmart/appliance/files", "ksmart/appliance/propertytax", "ksmart/appliance/finance/..."},
		why: "video KYC is below the modules whose applications need it: they ask kyc.Verified, it names none of them"},
	{pkg: "ksmart/appliance/files", never: []string{"ksmart/appliance/civil", "ksmart/appliance/finance/...", "ksmart/appliance/propertytax"},
		why: "file management is below the modules: every file is its record"},
	{pkg: "ksmart/appliance/grievance", never: []string{"ksmart/appliance/civil", "ksmart/appliance/files", "ksmart/appliance/finance/...", "ksmart/appliance/propertytax"},
		why: "grievances stand beside the other modules: a report is not a file, a tax or a fee"},
	{pkg: "ksmart/appliance/...", never: []string{"ksmart/appliance/finance/sandbox"},
		why: "the sandbox gateway is a peer for tests, the demo and benchmarks; an office pays through a real gateway"},
	{pkg: "ksmart/web", never: []string{"ksmart/store", "ksmart/stateview"}, direct: true,
		why: "web holds no rule and opens no store transaction: it goes through appliance and its modules"},
	{pkg: "ksmart/web", never: []string{"ksmart/appliance/finance/sandbox"},
		why: "the sandbox gateway is a peer for tests, the demo and benchmarks; an office pays through a real gateway"},
	{pkg: "ksmart/stateview", never: []string{"ksmart/web"},
		why: "the state view serves its own pages on the state node's API"},
	{pkg: "ksmart/...", never: []string{"ksmart/internal/needs", "ksmart/store/storetest", "ksmart/replication/replicationtest"},
		why: "test helpers are for tests: production code never depends on them"},
}

// benchUsers may depend on the benchmarks: the binary, whose bench
// subcommand runs them, and the benchmarks themselves.
var benchUsers = []string{"ksmart/cmd/ksmart", "ksmart/bench/..."}

func matches(pattern, pkg string) bool {
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == p || strings.HasPrefix(pkg, p+"/")
	}
	return pattern == pkg
}

func matchesAny(patterns []string, pkg string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matches(p, pkg) })
}

// TestArchitecture_PackagesImportOnlyWhatTheLayeringAllows lists every
// package of the repository with what it depends on (go list -deps, test
// files left out) and checks each rule.
func TestArchitecture_PackagesImportOnlyWhatTheLayeringAllows(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	oursOf := func(list string) []string {
		var ours []string
		for _, d := range strings.Fields(list) {
			if d == "ksmart" || strings.HasPrefix(d, "ksmart/") {
				ours = append(ours, d)
			}
		}
		return ours
	}
	checked := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Split(line, "|")
		pkg, imports, deps := fields[0], oursOf(fields[1]), oursOf(fields[2])
		for _, r := range rules {
			if !matches(r.pkg, pkg) {
				continue
			}
			checked[r.pkg]++
			ours := deps
			if r.direct {
				ours = imports
			}
			for _, d := range ours {
				own := strings.HasPrefix(d, pkg+"/")
				allowed := slices.ContainsFunc(r.only, func(a string) bool { return matches(a+"/...", d) })
				if r.only != nil && !own && !allowed {
					t.Errorf("%s depends on %s, but may depend only on %v: %s", pkg, d, r.only, r.why)
				}
				if matchesAny(r.never, d) && !matchesAny(r.never, pkg) {
					t.Errorf("%s depends on %s: %s", pkg, d, r.why)
				}
			}
		}
		ours := deps
		if !matchesAny(benchUsers, pkg) {
			for _, d := range ours {
				if matches("ksmart/bench/...", d) {
					t.Errorf("%s depends on %s: benchmarks are run by ksmart bench, never by the appliance", pkg, d)
				}
			}
		}
	}
	for _, r := range rules {
		if checked[r.pkg] == 0 {
			t.Errorf("the rule for %s matched no package: it checks nothing", r.pkg)
		}
	}
}

// TestArchitecture_EventTypesAreDeclaredOnlyInEventsFiles finds every
// store.EventType written out in the repository's code, outside tests: each
// must be in a file named events.go, where its package declares its
// vocabulary, so that a reader finds every type a package writes in one
// place and others use the declared names.
func TestArchitecture_EventTypesAreDeclaredOnlyInEventsFiles(t *testing.T) {
	fset := token.NewFileSet()
	found := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() && path == "store" {
			return filepath.SkipDir // where the type itself is defined
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			isType := false
			switch t := lit.Type.(type) {
			case *ast.SelectorExpr:
				x, ok := t.X.(*ast.Ident)
				isType = ok && x.Name == "store" && t.Sel.Name == "EventType"
			}
			if !isType {
				return true
			}
			found++
			if filepath.Base(path) != "events.go" {
				t.Errorf("%s: an event type written out here; declare it in the package's events.go and use its name", fset.Position(lit.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 40 {
		t.Errorf("found only %d event types declared: the walk is missing packages", found)
	}
}
