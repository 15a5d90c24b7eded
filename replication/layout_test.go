package replication_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayout_ReplicationImportsOnlyStoreAndSearchOfOurs holds the layout's
// rule (DESIGN.md, "Layout"): the state cluster knows documents and events,
// never a module; what reads the modules (the state view) is an Extension
// in a package of its own.
func TestLayout_ReplicationImportsOnlyStoreAndSearchOfOurs(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		switch {
		case !strings.HasPrefix(p, "ksmart/"), p == "ksmart/replication", p == "ksmart/store", p == "ksmart/search", strings.HasPrefix(p, "ksmart/search/"):
		default:
			t.Errorf("replication depends on %s; it may import only store and search of ours", p)
		}
	}
}
