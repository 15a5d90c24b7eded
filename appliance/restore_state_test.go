package appliance_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ksmart/appliance"
	"ksmart/store"
)

// TestRestoreFromState_RefusesADirectoryThatHoldsAStore: a restore from the
// state builds a new data directory; one that holds a store is left alone,
// before any state node is asked, and the message says what to do.
func TestRestoreFromState_RefusesADirectoryThatHoldsAStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, store.DBFile)
	if err := os.WriteFile(db, []byte("the office's store"), 0o600); err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err := appliance.RestoreFromState(context.Background(), appliance.RestoreStateConfig{Dir: dir, LocalBody: "M0701", Addrs: []string{"127.0.0.1:1"},
		Progress: func(string, uint64, uint64) { calls++ }})
	if err == nil || !strings.Contains(err.Error(), "already holds "+store.DBFile) || !strings.Contains(err.Error(), "move the old one away first") {
		t.Fatalf("restore onto a directory with a store: %v", err)
	}
	if b, _ := os.ReadFile(db); string(b) != "the office's store" || calls != 0 {
		t.Fatalf("the store was touched (%q) or progress reported (%d calls)", b, calls)
	}
	if left, _ := os.ReadDir(filepath.Dir(dir)); len(left) != 1 {
		t.Errorf("the restore left %d entries beside the directory", len(left))
	}
}
