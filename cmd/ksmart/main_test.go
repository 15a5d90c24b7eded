package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"ksmart/store"
	"ksmart/store/storetest"
)

// TestMain lets the test binary run as the ksmart binary, so tests start
// real processes (with real signals and file locks) without a build step.
func TestMain(m *testing.M) {
	if os.Getenv("KSMART_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// ksmart runs a subcommand to completion and returns its exit status and
// output.
func ksmart(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// process is a ksmart subcommand running as its own process.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	// said is what it printed on stdout up to the line with its URL.
	said string
}

// start runs ksmart with args as a child process and waits for the line
// that gives its URL.
func start(t *testing.T, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KSMART_TEST_AS_MAIN=1")
	stdout, _ := cmd.StdoutPipe()
	p := &process{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	// A generous deadline: the demo seeds and imports 20,000 births before
	// it listens, which takes well over 30 s on a CI machine's two cores
	// while other packages' tests run beside it.
	deadline := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		p.said += lines.Text() + "\n"
		i := strings.Index(lines.Text(), "http://")
		if i < 0 {
			i = strings.Index(lines.Text(), "https://")
		}
		if i >= 0 {
			p.url = strings.Fields(lines.Text()[i:])[0]
			go io.Copy(io.Discard, stdout)
			return p
		}
	}
	cmd.Wait()
	t.Fatalf("ksmart %v did not start: %s", args, p.stderr)
	return nil
}

func (p *process) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(p.url, "/") + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// stop sends SIGTERM and returns the exit status.
func (p *process) stop(t *testing.T) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("ksmart did not stop within 20s of SIGTERM")
	}
	return p.cmd.ProcessState.ExitCode()
}

func TestDemo_ServesHealthzAndTheLocalBodyThenStopsOnSIGTERM(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	p := start(t, "demo", "--data", dir, "--addr", "127.0.0.1:0", "--applications", "40")
	// Seeded from the clock, it says which seed, so that the run can be
	// repeated.
	m := regexp.MustCompile(`seeding 40 applications with --seed (\d+) \(ksmart demo --seed (\d+) makes the same data again`).FindStringSubmatch(p.said)
	if m == nil || m[1] != m[2] {
		t.Errorf("a demo seeded from the clock does not say how to repeat it:\n%s", p.said)
	}
	if !strings.Contains(p.said, "two-step    OFF in the demo") {
		t.Errorf("the demo does not say that its logins skip two-step sign-in:\n%s", p.said)
	}
	// The demo's Right to Service: appeals at both levels and a penalty.
	if !regexp.MustCompile(`Right to Service at /office/rts: appeals RTS/\S+/A1/\d+ \(first, pending\) and RTS/\S+/A2/\d+ \(second, pending\), a penalty proposed on RTS/\S+/A2/\d+`).MatchString(p.said) {
		t.Errorf("the demo does not say where its Right to Service appeals are:\n%s\n%s", p.said, p.stderr)
	}
	code, body := p.get(t, "/healthz")
	var health struct {
		Status    string `json:"status"`
		LocalBody string `json:"local_body"`
		LastSeq   uint64 `json:"last_seq"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &health) != nil || health.Status != "ok" || health.LastSeq == 0 {
		t.Fatalf("GET /healthz = %d %s", code, body)
	}
	if code, body := p.get(t, "/?lang=ml"); code != 200 || !strings.Contains(body, "ഡെമോ മുനിസിപ്പാലിറ്റി") || !strings.Contains(body, `lang="ml"`) {
		t.Fatalf("home page in Malayalam = %d %s", code, body)
	}
	if code, body := p.get(t, "/metrics"); code != 200 || !strings.Contains(body, `ksmart_http_requests_total{code="200",method="GET",route="/healthz"} 1`) {
		t.Fatalf("GET /metrics = %d, missing the healthz request:\n%s", code, body)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit status after SIGTERM = %d; stderr:\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "stopped cleanly") {
		t.Fatalf("no clean shutdown logged:\n%s", p.stderr)
	}
}

func TestDemo_ABadSeedIsRefusedNamingTheFlag(t *testing.T) {
	for _, bad := range []string{"twelve", "-1"} {
		code, _, stderr := ksmart(t, "demo", "--seed", bad)
		if code != 2 || !strings.Contains(stderr, "-seed") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("demo --seed %s: exit %d, %q; want exit 2 and one line naming --seed", bad, code, stderr)
		}
	}
}

func TestCheck_ExitStatusAndOneLineNamingTheProblem(t *testing.T) {
	healthy := t.TempDir()
	seed(t, healthy, 5)
	edited := t.TempDir()
	seed(t, edited, 5)
	storetest.EditEvent(t, edited, 3, func(b []byte) []byte { return bytes.Replace(b, []byte("ward 3"), []byte("ward 9"), 1) })
	truncated := t.TempDir()
	seed(t, truncated, 400)
	fi, _ := os.Stat(filepath.Join(truncated, store.DBFile))
	os.Truncate(filepath.Join(truncated, store.DBFile), fi.Size()/2)
	overwritten := t.TempDir()
	seed(t, overwritten, 5)
	os.WriteFile(filepath.Join(overwritten, store.DBFile), bytes.Repeat([]byte("garbage!"), 4096), 0o600)
	aFile := filepath.Join(t.TempDir(), "notadir")
	os.WriteFile(aFile, []byte("x"), 0o600)

	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"healthy", []string{"--data", healthy}, 0, "ok: "},
		{"event edited in place", []string{"--data", edited}, 1, "log event 3: its hash does not match"},
		{"truncated", []string{"--data", truncated}, 1, "truncated"},
		{"overwritten", []string{"--data", overwritten}, 1, "restore it from a backup"},
		{"data directory is a file", []string{"--data", aFile}, 1, "is a file, not a directory"},
		{"missing", []string{"--data", filepath.Join(aFile + "-nope")}, 1, "does not exist"},
		{"no flags", nil, 2, "give --data DIR or --file BACKUP"},
		{"wrong flag", []string{"--dir", healthy}, 2, "flag provided but not defined: -dir"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := ksmart(t, append([]string{"check"}, c.args...)...)
			out := stdout + stderr
			if code != c.code || !strings.Contains(out, c.want) || strings.Count(strings.TrimSpace(out), "\n") != 0 {
				t.Fatalf("exit %d, output %q; want exit %d and one line with %q", code, out, c.code, c.want)
			}
		})
	}
}

func TestServe_RefusesABrokenChainAndSaysHowToRecover(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 5)
	storetest.EditEvent(t, dir, 2, func(b []byte) []byte { return bytes.Replace(b, []byte("ward 2"), []byte("ward 7"), 1) })
	code, _, stderr := ksmart(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "log event 2") || !strings.Contains(stderr, "ksmart restore") {
		t.Fatalf("serve on a broken chain: exit %d, %q", code, stderr)
	}
}

func TestBackup_OnlineFromARunningApplianceRestoresAndChecks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "live")
	p := start(t, "demo", "--data", dir, "--addr", "127.0.0.1:0", "--applications", "20", "--seed", "2026")
	if !strings.Contains(p.said, "seeding 20 applications with --seed 2026") {
		t.Errorf("the demo does not seed with the seed given:\n%s", p.said)
	}
	backup := filepath.Join(t.TempDir(), "live.kbak")
	code, stdout, stderr := ksmart(t, "backup", "--data", dir, "--out", backup)
	if code != 0 || !strings.Contains(stdout, "online, from the running appliance") {
		t.Fatalf("online backup: exit %d %q %q", code, stdout, stderr)
	}
	// While it runs, check goes through the appliance too.
	if code, stdout, stderr := ksmart(t, "check", "--data", dir); code != 0 || !strings.Contains(stdout, "checked by the running appliance") {
		t.Fatalf("check of a running appliance: exit %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := ksmart(t, "restore", "--data", dir, "--from", backup, "--force"); code != 1 || !strings.Contains(stderr, "locked by another ksmart process") {
		t.Fatalf("restore over a running appliance: exit %d %q", code, stderr)
	}
	p.stop(t)

	target := filepath.Join(t.TempDir(), "restored")
	_, checked, _ := ksmart(t, "check", "--file", backup)
	events := strings.Fields(strings.SplitN(checked, "pages consistent, ", 2)[1])[0]
	if code, stdout, stderr := ksmart(t, "restore", "--data", target, "--from", backup); code != 0 || !strings.Contains(stdout, "restored "+events+" events") {
		t.Fatalf("restore: exit %d %q %q", code, stdout, stderr)
	}
	if code, stdout, _ := ksmart(t, "check", "--data", target); code != 0 {
		t.Fatalf("check after restore: %d %q", code, stdout)
	}
	if code, _, stderr := ksmart(t, "backup", "--data", dir, "--out", backup); code != 1 || !strings.Contains(stderr, "exists already") {
		t.Fatalf("backup over an existing file: exit %d %q", code, stderr)
	}
}

func TestCommands_HelpAndMistakes(t *testing.T) {
	for name := range commands {
		if name == "bench" {
			continue
		}
		code, stdout, _ := ksmart(t, name, "-h")
		if code != 0 || !strings.Contains(stdout, "Usage: ksmart "+name) {
			t.Errorf("ksmart %s -h: exit %d, %q", name, code, stdout)
		}
	}
	if code, stdout, _ := ksmart(t, "bench", "-h"); code != 0 || !strings.Contains(stdout, "store") {
		t.Errorf("bench -h: exit %d %q", code, stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serv"}, `unknown command "serv"`},
		{[]string{"serve", "--port", "80"}, "flag provided but not defined: -port"},
		{[]string{"serve", "--log-format", "xml"}, "--log-format must be json or text"},
		{[]string{"bench", "searches"}, `unknown benchmark "searches"`},
		{[]string{"restore", "--data", "x"}, "give both --data DIR and --from FILE"},
		{[]string{"backup", "--data", "x", "extra"}, `unexpected argument "extra"`},
	} {
		code, _, stderr := ksmart(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("ksmart %v: exit %d, %q; want exit 2 with %q", c.args, code, stderr, c.want)
		}
	}
	if code, _, stderr := ksmart(t, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(stderr, "--local-body FILE") {
		t.Errorf("first serve without an identity: exit %d %q", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "lb.json")
	os.WriteFile(bad, []byte(`{"code":"m1","name":{"en":"X"},"kind":"village","wards":[]}`), 0o600)
	if code, _, stderr := ksmart(t, "serve", "--data", t.TempDir(), "--local-body", bad); code != 1 || !strings.Contains(stderr, "Malayalam") || !strings.Contains(stderr, "kind must be") {
		t.Errorf("serve with a bad identity file: exit %d %q", code, stderr)
	}
}

func TestBenchStore_JSONReportsRatioToRawBbolt(t *testing.T) {
	code, stdout, stderr := ksmart(t, "bench", "store", "--json", "--writers", "4", "--events", "200")
	var r map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &r) != nil {
		t.Fatalf("exit %d, %q %q", code, stdout, stderr)
	}
	if r["name"] != "store" || r["ratio"].(float64) <= 0 || r["raw_bbolt_batch_tuned_per_s"].(float64) <= 0 {
		t.Fatalf("bench output lacks figures: %v", r)
	}
}

// seed makes a data directory with a local body and n-1 more events.
func seed(t *testing.T, dir string, n int) {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The README's example identity file, so the README stays true.
	lb, err := readLocalBody("../../examples/local-body.json")
	if err != nil {
		t.Fatal(err)
	}
	s.Write(func(tx *store.Tx) error {
		tx.Put("local_body", "self", lb)
		return tx.Emit("system", store.EventType{Name: "local_body.configured", Version: 1}, "local_body", "self", lb)
	})
	for i := 2; i <= n; i++ {
		s.Write(func(tx *store.Tx) error {
			return tx.Emit("test", store.EventType{Name: "note.added", Version: 1}, "note", "n", map[string]string{"text": "ward " + string(rune('0'+i%10))})
		})
	}
}

func TestServe_PublicURLMustBeAnAddress(t *testing.T) {
	code, _, stderr := ksmart(t, "serve", "--data", t.TempDir(), "--public-url", "ksmart.local/x")
	if code != 2 || !strings.Contains(stderr, "must be like https://host") {
		t.Fatalf("a bad --public-url: exit %d %q", code, stderr)
	}
}
