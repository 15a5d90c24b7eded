package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stateNode is a `ksmart state run` child process.
type stateNode struct {
	cmd            *exec.Cmd
	raft, api      string
	stdout, stderr *bytes.Buffer
}

// startStateNode runs `ksmart state run` with args and waits for the lines
// that give its addresses.
func startStateNode(t *testing.T, args ...string) *stateNode {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"state", "run"}, args...)...)
	cmd.Env = append(os.Environ(), "KSMART_TEST_AS_MAIN=1")
	out, _ := cmd.StdoutPipe()
	n := &stateNode{cmd: cmd, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	cmd.Stderr = n.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		n.stdout.WriteString(lines.Text() + "\n")
		f := strings.Fields(lines.Text())
		switch {
		case len(f) == 2 && f[0] == "raft":
			n.raft = f[1]
		case len(f) == 2 && f[0] == "api":
			n.api = strings.TrimSuffix(strings.TrimPrefix(f[1], "https://"), "/")
		case len(f) > 0 && f[0] == "stop":
			go io.Copy(n.stdout, out)
			return n
		}
	}
	cmd.Wait()
	t.Fatalf("ksmart state run %v did not start: %s%s", args, n.stdout, n.stderr)
	return nil
}

// stop sends SIGTERM and checks the node exits cleanly.
func (n *stateNode) stop(t *testing.T) {
	t.Helper()
	n.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("state node exited with %v: %s", err, n.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Errorf("state node did not stop on SIGTERM")
	}
}

func TestState_InitCAIssueRunJoinStatusLeave(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca")
	if code, out, errOut := ksmart(t, "state", "init-ca", "--dir", ca); code != 0 || !strings.Contains(out, "ca.key") {
		t.Fatalf("init-ca: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := ksmart(t, "state", "init-ca", "--dir", ca); code != 1 || !strings.Contains(errOut, "already holds a CA") {
		t.Fatalf("a second init-ca in the same directory: %d %s", code, errOut)
	}
	for _, c := range [][]string{{"node", "state1"}, {"node", "state2"}, {"admin", "it-admin"}, {"body", "KL-EKM-M01"}} {
		if code, out, errOut := ksmart(t, "state", "issue-cert", "--ca", ca, "--kind", c[0], "--name", c[1], "--out", filepath.Join(dir, c[1])); code != 0 {
			t.Fatalf("issue-cert %v: %d %s %s", c, code, out, errOut)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "state1", "state1.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the node key is not private: %v %v", fi.Mode(), err)
	}
	tlsOf := func(name string) []string {
		return []string{"--ca", filepath.Join(dir, name, "ca.crt"), "--cert", filepath.Join(dir, name, name+".crt"), "--key", filepath.Join(dir, name, name+".key")}
	}
	node := func(id string, extra ...string) *stateNode {
		args := append([]string{"--data", filepath.Join(dir, "data-"+id), "--id", id, "--raft-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"}, tlsOf(id)...)
		return startStateNode(t, append(args, extra...)...)
	}
	s1 := node("state1", "--bootstrap")
	s2 := node("state2")
	admin := tlsOf("it-admin")

	// The client waits (up to 30s) while the first node elects itself.
	code, out, errOut := ksmart(t, append([]string{"state", "join", "--node", s1.api, "--id", "state2", "--raft-addr", s2.raft, "--http-addr", s2.api}, admin...)...)
	if code != 0 || !strings.Contains(out, "state2 joined the cluster as a voter") {
		t.Fatalf("join: %d %s %s", code, out, errOut)
	}
	code, out, errOut = ksmart(t, append([]string{"state", "status", "--node", s2.api}, admin...)...)
	if code != 0 || !strings.Contains(out, "leader state1") || !strings.Contains(out, "state2") || !strings.Contains(out, "0 forks") {
		t.Fatalf("status through the second node: %d %s %s", code, out, errOut)
	}
	// A body's certificate is not an admin's.
	code, _, errOut = ksmart(t, append([]string{"state", "status", "--node", s1.api}, tlsOf("KL-EKM-M01")...)...)
	if code != 1 || !strings.Contains(errOut, "kind admin") {
		t.Fatalf("status with a body certificate: %d %s", code, errOut)
	}
	code, out, errOut = ksmart(t, append([]string{"state", "leave", "--node", s1.api, "--id", "state2"}, admin...)...)
	if code != 0 || !strings.Contains(out, "state2 left the cluster; it now has 1 nodes") {
		t.Fatalf("leave: %d %s %s", code, out, errOut)
	}
	s2.stop(t)
	s1.stop(t)
}

func TestState_MistakesSayWhatToFix(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca")
	ksmart(t, "state", "init-ca", "--dir", ca)
	ksmart(t, "state", "issue-cert", "--ca", ca, "--kind", "body", "--name", "M0701", "--out", filepath.Join(dir, "b"))
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"state"}, 2, "give an action"},
		{[]string{"state", "frobnicate"}, 2, "unknown action"},
		{[]string{"state", "init-ca"}, 2, "give --dir DIR"},
		{[]string{"state", "issue-cert", "--ca", ca, "--kind", "mayor", "--name", "x", "--out", dir}, 2, "--kind must be node, body or admin"},
		{[]string{"state", "issue-cert", "--ca", ca, "--kind", "body"}, 2, "give --name NAME, --out DIR"},
		{[]string{"state", "issue-cert", "--ca", ca, "--kind", "body", "--name", "ernakulam", "--out", dir}, 1, "local body's code"},
		{[]string{"state", "issue-cert", "--ca", filepath.Join(dir, "nowhere"), "--kind", "admin", "--name", "a", "--out", dir}, 1, "init-ca"},
		{[]string{"state", "run", "--data", dir}, 2, "give --id ID"},
		{[]string{"state", "run", "--data", filepath.Join(dir, "d"), "--id", "state1", "--raft-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
			"--ca", filepath.Join(dir, "b", "ca.crt"), "--cert", filepath.Join(dir, "b", "M0701.crt"), "--key", filepath.Join(dir, "b", "M0701.key")}, 1, "needs a node certificate"},
		{[]string{"state", "join", "--node", "127.0.0.1:1"}, 2, "give --id ID"},
		{[]string{"state", "status"}, 2, "give --node HOST:PORT"},
		{[]string{"state", "bench", "--batch", "20000"}, 2, "--batch"},
	}
	for _, tc := range cases {
		code, _, errOut := ksmart(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("ksmart %s: exit %d, %q; want exit %d and one line saying %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.want)
		}
	}
}
