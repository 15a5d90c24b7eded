package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBackup_IntoADirectoryKeepsTheNewestN is what the package's daily
// timer runs: each backup is checked and named by its time, and only the
// newest N of them are kept; other files in the directory stay.
func TestBackup_IntoADirectoryKeepsTheNewestN(t *testing.T) {
	data, backups := t.TempDir(), t.TempDir()
	seed(t, data, 4)
	os.WriteFile(filepath.Join(backups, "notes.txt"), []byte("the office's own file"), 0o600)
	var made []string
	for range 3 {
		code, stdout, stderr := ksmart(t, "backup", "--data", data, "--dir", backups, "--keep", "2")
		if code != 0 || !strings.Contains(stdout, "checked") {
			t.Fatalf("backup --dir --keep 2: exit %d %q %q", code, stdout, stderr)
		}
		made = append(made, strings.TrimSuffix(strings.Fields(stdout)[1], ":"))
	}
	left, _ := filepath.Glob(filepath.Join(backups, "*"))
	want := []string{made[1], made[2], filepath.Join(backups, "notes.txt")}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Fatalf("after three backups keeping 2 the directory holds %v, want %v", left, want)
	}
	for _, b := range made[1:] {
		if code, stdout, _ := ksmart(t, "check", "--file", b); code != 0 || !strings.Contains(stdout, "4 events") {
			t.Errorf("check --file %s: %d %q", b, code, stdout)
		}
	}
	for _, args := range [][]string{
		{"backup", "--data", data, "--keep", "2", "--out", filepath.Join(backups, "x.kbak")},
		{"backup", "--data", data, "--dir", backups, "--out", filepath.Join(backups, "x.kbak")},
		{"backup", "--data", data, "--dir", backups, "--keep", "-1"},
	} {
		if code, _, stderr := ksmart(t, args...); code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
	if code, _, stderr := ksmart(t, "backup", "--data", data, "--dir", filepath.Join(backups, "missing")); code != 1 || !strings.Contains(stderr, "is not a directory") {
		t.Errorf("backup into a missing directory: exit %d %q", code, stderr)
	}
}
