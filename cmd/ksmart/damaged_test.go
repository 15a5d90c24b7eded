package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ksmart/store"
)

// run runs ksmart as a child process (so that a panic or a fault shows as
// what a user sees, not as the end of the test binary) and returns its exit
// status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KSMART_TEST_AS_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// boltRoot returns the page size and the root page of the newest sound
// meta page of a bbolt file.
func boltRoot(t *testing.T, path string) (pageSize, root int64) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	pageSize = int64(le.Uint32(raw[16+8:]))
	var txid uint64
	for i := int64(0); i < 2; i++ {
		m := raw[i*pageSize+16:]
		if tx := le.Uint64(m[48:]); tx >= txid {
			txid, root = tx, int64(le.Uint64(m[16:]))
		}
	}
	return pageSize, root
}

// middleLogPage returns a leaf in the middle of the log bucket: a page that
// only bbolt's own walks (the freelist rebuild at open, Check) reach, in a
// goroutine of their own.
func middleLogPage(t *testing.T, path string) (pageSize, page int64) {
	ps, root := boltRoot(t, path)
	raw, _ := os.ReadFile(path)
	p := raw[root*ps:]
	le := binary.LittleEndian
	for i := range int(le.Uint16(p[10:])) {
		e := p[16+i*16:]
		pos, ksize := int(le.Uint32(e[4:])), int(le.Uint32(e[8:]))
		if k := e[pos : pos+ksize]; string(k) == "log" {
			logRoot := raw[int64(le.Uint64(e[pos+ksize:]))*ps:]
			if le.Uint16(logRoot[8:]) != 0x01 {
				t.Fatal("the log bucket's root is not a branch page; seed more events")
			}
			middle := logRoot[16+int(le.Uint16(logRoot[10:]))/2*16:]
			return ps, int64(le.Uint64(middle[8:]))
		}
	}
	t.Fatal("no log bucket in the root page")
	return 0, 0
}

func overwrite(t *testing.T, path string, off int64, b []byte) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// damageKinds are the ways a ksmart.db is found damaged: each is what the
// commands must answer with one line, never a stack trace.
var damageKinds = []struct {
	name   string
	damage func(t *testing.T, path string)
	// said is what the line must say; oneMeta marks the damage a store
	// survives (serve runs from the other meta page).
	said    string
	oneMeta bool
}{
	{"garbage page header", func(t *testing.T, path string) {
		ps, root := boltRoot(t, path)
		overwrite(t, path, root*ps, []byte("GARBAGE!GARBAGE!"))
	}, "garbage header", false},
	{"garbage header on a page in the middle of the log", func(t *testing.T, path string) {
		ps, page := middleLogPage(t, path)
		overwrite(t, path, page*ps, []byte("GARBAGE!GARBAGE!"))
	}, "garbage header", false},
	{"truncated below its used size", func(t *testing.T, path string) {
		fi, _ := os.Stat(path)
		os.Truncate(path, fi.Size()/2)
	}, "truncated", false},
	{"empty", func(t *testing.T, path string) { os.Truncate(path, 0) }, "empty (0 bytes)", false},
	{"one meta page damaged", func(t *testing.T, path string) {
		overwrite(t, path, 16, bytes.Repeat([]byte{0xAB}, 64))
	}, "meta page 0", true},
	{"both meta pages damaged", func(t *testing.T, path string) {
		ps, _ := boltRoot(t, path)
		overwrite(t, path, 16, bytes.Repeat([]byte{0xAB}, 64))
		overwrite(t, path, ps+16, bytes.Repeat([]byte{0xCD}, 64))
	}, "both of its meta pages", false},
}

// damagedDir returns a data directory whose ksmart.db has the damage.
func damagedDir(t *testing.T, damage func(*testing.T, string)) (dir, path string) {
	dir = t.TempDir()
	seed(t, dir, 400)
	path = filepath.Join(dir, store.DBFile)
	damage(t, path)
	return dir, path
}

// oneLineNaming fails unless out is one line that names path and says what.
func oneLineNaming(t *testing.T, what string, code int, out, path, said string) {
	t.Helper()
	// serve's structured log lines (the font it found) are not the answer.
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, `{"time"`) {
			lines = append(lines, l)
		}
	}
	out = strings.Join(lines, "\n")
	if code != 1 || strings.Contains(out, "goroutine") || len(lines) != 1 || !(strings.Contains(out, path+" ") || strings.Contains(out, path+":")) || !strings.Contains(out, said) {
		t.Fatalf("%s: exit %d, %q; want exit 1 and one line naming %s and saying %q", what, code, out, path, said)
	}
}

func TestDamagedFile_CheckServeRestoreAndBackupAnswerOneLineNeverATrace(t *testing.T) {
	for _, kind := range damageKinds {
		t.Run(kind.name, func(t *testing.T) {
			dir, path := damagedDir(t, kind.damage)
			code, stdout, stderr := run(t, "check", "--data", dir)
			oneLineNaming(t, "check --data", code, stdout+stderr, path, kind.said)
			if kind.oneMeta && !strings.Contains(stderr, "ksmart reads the file from meta page 1") {
				t.Fatalf("check does not say the file is read from the other meta page: %q", stderr)
			}

			// A backup file with the same damage is refused by restore
			// and by check --file.
			backup := filepath.Join(t.TempDir(), "nightly.kbak")
			raw, _ := os.ReadFile(path)
			os.WriteFile(backup, raw, 0o600)
			target := filepath.Join(t.TempDir(), "restored")
			code, stdout, stderr = run(t, "restore", "--data", target, "--from", backup)
			oneLineNaming(t, "restore --from", code, stdout+stderr, backup, map[bool]string{true: "damaged meta page", false: kind.said}[kind.oneMeta])
			if _, err := os.Stat(filepath.Join(target, store.DBFile)); err == nil {
				t.Fatal("a refused restore left a data file behind")
			}
			code, stdout, stderr = run(t, "check", "--file", backup)
			oneLineNaming(t, "check --file", code, stdout+stderr, backup, kind.said)

			if kind.oneMeta {
				// serve runs from the other meta page and says the same
				// as check; its first write repairs the damaged page.
				p := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "text")
				if code := p.stop(t); code != 0 {
					t.Fatalf("serve with one damaged meta page: exit %d\n%s", code, p.stderr)
				}
				if !strings.Contains(p.stderr.String(), "meta page 0 (one of the file's two headers) is damaged; ksmart reads the file from meta page 1") {
					t.Fatalf("serve does not say what check says:\n%s", p.stderr)
				}
				if code, stdout, stderr := run(t, "check", "--data", dir); code != 0 {
					t.Fatalf("check after serve rewrote the meta page: exit %d %q %q", code, stdout, stderr)
				}
				return
			}
			code, stdout, stderr = run(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
			oneLineNaming(t, "serve", code, stdout+stderr, path, kind.said)
			out := filepath.Join(t.TempDir(), "copy.kbak")
			code, stdout, stderr = run(t, "backup", "--data", dir, "--out", out)
			oneLineNaming(t, "backup", code, stdout+stderr, path, kind.said)
		})
	}
}

func TestServe_SIGTERMStopsCleanlyWithNoErrorLoggedAfterIt(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 50)
	p := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "text")
	if code, _ := p.get(t, "/healthz"); code != 200 {
		t.Fatalf("GET /healthz = %d", code)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit status after SIGTERM = %d:\n%s", code, p.stderr)
	}
	log := p.stderr.String()
	after := log[strings.Index(log, "shutting down"):]
	lines := strings.Split(strings.TrimSpace(after), "\n")
	if strings.Contains(after, "level=ERROR") || !strings.Contains(lines[len(lines)-1], "stopped cleanly") {
		t.Fatalf("after SIGTERM the log has an error, or does not end with \"stopped cleanly\":\n%s", after)
	}
}
