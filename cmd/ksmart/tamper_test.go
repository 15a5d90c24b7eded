package main

import (
	"regexp"
	"strings"
	"testing"

	"ksmart/store/storetest"
)

// Issue 20, failure 3: a bit flipped in a current register entry, outside
// the log, is found by check, which names the entry and the write that
// stored it.
func TestCheck_ABitFlippedInARegisterEntryIsNamedWithTheEventThatStoredIt(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	addRegistrar(t, dir)
	file := importCSV(t, goodBirths[0], goodBirths[1])
	if code, stdout, stderr := ksmart(t, "import", "births", file, "--data", dir, "--registrar", "suma"); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := run(t, "check", "--data", dir); code != 0 {
		t.Fatalf("check before the edit: exit %d\n%s\n%s", code, stdout, stderr)
	}
	id := storetest.EditDocument(t, dir, "civil_entry", func(v []byte) []byte {
		i := strings.Index(string(v), "male")
		if i < 0 {
			t.Fatalf("the entry does not hold the child's sex: %s", v)
		}
		v[i] ^= 0x01 // "male" becomes "lale"
		return v
	})
	code, stdout, stderr := run(t, "check", "--data", dir)
	if code != 1 || stdout != "" {
		t.Fatalf("check after a bit flip: exit %d, stdout %q; want 1 and nothing on stdout", code, stdout)
	}
	line := strings.TrimSpace(stderr)
	want := regexp.MustCompile(`document civil_entry "` + regexp.QuoteMeta(id) + `": holds other bytes than the write of event \d+ \(birth\.[a-z_]+\) stored: it was changed outside the log`)
	if strings.Contains(line, "\n") || !want.MatchString(line) {
		t.Fatalf("check said %q; want one line naming the entry and the event that stored it", line)
	}
}
