package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
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
	serials := map[string]string{}
	for _, c := range [][]string{{"node", "state1"}, {"node", "state2"}, {"admin", "it-admin"}, {"body", "KL-EKM-M01"}, {"auditor", "cag-auditor"}} {
		code, out, errOut := ksmart(t, "state", "issue-cert", "--ca", ca, "--kind", c[0], "--name", c[1], "--out", filepath.Join(dir, c[1]))
		if code != 0 {
			t.Fatalf("issue-cert %v: %d %s %s", c, code, out, errOut)
		}
		_, after, _ := strings.Cut(out, "serial ")
		serials[c[1]], _, _ = strings.Cut(after, ",")
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

	// The client waits (up to 30s) while the first node elects itself. A
	// mistyped raft address is refused, and the one-node cluster keeps
	// its quorum.
	code, out, errOut := ksmart(t, append([]string{"state", "join", "--node", s1.api, "--id", "state2", "--raft-addr", "127.0.0.1:1", "--http-addr", s2.api}, admin...)...)
	if code != 1 || !strings.Contains(errOut, "127.0.0.1:1 cannot be reached") || !strings.Contains(errOut, "Nothing was changed") {
		t.Fatalf("join at a mistyped raft address: %d %s %s", code, out, errOut)
	}
	code, out, errOut = ksmart(t, append([]string{"state", "join", "--node", s1.api, "--id", "state2", "--raft-addr", s2.raft, "--http-addr", s2.api}, admin...)...)
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
	// The body's certificate was stolen: revoked through the second node,
	// listed by status, refused from then on.
	code, _, errOut = ksmart(t, append([]string{"state", "revoke", "--node", s1.api, "--serial", serials["KL-EKM-M01"], "--reason", "laptop stolen"}, tlsOf("cag-auditor")...)...)
	if code != 1 || !strings.Contains(errOut, "kind admin") {
		t.Fatalf("revoke with an auditor's certificate: %d %s", code, errOut)
	}
	code, out, errOut = ksmart(t, append([]string{"state", "revoke", "--node", s2.api, "--serial", serials["KL-EKM-M01"], "--reason", "laptop stolen"}, admin...)...)
	if code != 0 || !strings.Contains(out, "revoked on every node") || !strings.Contains(out, "(body KL-EKM-M01)") {
		t.Fatalf("revoke: %d %s %s", code, out, errOut)
	}
	code, out, errOut = ksmart(t, append([]string{"state", "status", "--node", s1.api}, admin...)...)
	if code != 0 || !strings.Contains(out, "1 certificates revoked") || !strings.Contains(out, serials["KL-EKM-M01"]) || !strings.Contains(out, "laptop stolen") || !strings.Contains(out, "admin/it-admin") {
		t.Fatalf("status lists no revocation: %d %s %s", code, out, errOut)
	}
	code, _, errOut = ksmart(t, append([]string{"state", "status", "--node", s1.api}, tlsOf("KL-EKM-M01")...)...)
	if code != 1 || !strings.Contains(errOut, "was revoked") || !strings.Contains(errOut, "laptop stolen") {
		t.Fatalf("the revoked body's next request: %d %s", code, errOut)
	}
	// state1's certificate is renewed in place and loaded on SIGHUP.
	renewed := filepath.Join(dir, "renewed")
	code, out, errOut = ksmart(t, "state", "issue-cert", "--ca", ca, "--kind", "node", "--name", "state1", "--out", renewed)
	if code != 0 {
		t.Fatalf("renew: %d %s %s", code, out, errOut)
	}
	_, after, _ := strings.Cut(out, "serial ")
	newSerial, _, _ := strings.Cut(after, ",")
	for _, f := range []string{"state1.crt", "state1.key"} {
		b, _ := os.ReadFile(filepath.Join(renewed, f))
		os.WriteFile(filepath.Join(dir, "state1", f), b, 0o600)
	}
	s1.cmd.Process.Signal(syscall.SIGHUP)
	adminPair, err := tls.LoadX509KeyPair(filepath.Join(dir, "it-admin", "it-admin.crt"), filepath.Join(dir, "it-admin", "it-admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	presented := func() string { // the serial state1's API presents now
		conn, err := tls.Dial("tcp", s1.api, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{adminPair}}) // only the serial is looked at
		if err != nil {
			return err.Error()
		}
		defer conn.Close()
		return fmt.Sprintf("%x", conn.ConnectionState().PeerCertificates[0].SerialNumber)
	}
	for deadline := time.Now().Add(10 * time.Second); presented() != newSerial; {
		if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP state1 presents %s, want the renewed certificate %s", presented(), newSerial)
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, out, errOut = ksmart(t, append([]string{"state", "status", "--node", s1.api}, admin...)...)
	if code != 0 || !strings.Contains(out, "leader state1") {
		t.Fatalf("status after state1's certificate was renewed: %d %s %s", code, out, errOut)
	}
	code, out, errOut = ksmart(t, append([]string{"state", "leave", "--node", s1.api, "--id", "state2"}, admin...)...)
	if code != 0 || !strings.Contains(out, "state2 left the cluster; it now has 1 nodes") {
		t.Fatalf("leave: %d %s %s", code, out, errOut)
	}
	s2.stop(t)
	s1.stop(t)

	// state recover on the stopped node (here already alone): it starts
	// again as the cluster, leading, holding what it held.
	code, out, errOut = ksmart(t, "state", "recover", "--data", filepath.Join(dir, "data-state1"), "--id", "state1", "--raft-addr", s1.raft)
	if code != 0 || !strings.Contains(out, "recovered state1") || !strings.Contains(out, "state1\t"+s1.raft+"\tvoter") {
		t.Fatalf("recover: %d %s %s", code, out, errOut)
	}
	s1 = startStateNode(t, append([]string{"--data", filepath.Join(dir, "data-state1"), "--id", "state1", "--raft-addr", s1.raft, "--http-addr", s1.api}, tlsOf("state1")...)...)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) { // it elects itself first
		code, out, errOut = ksmart(t, append([]string{"state", "status", "--node", s1.api}, admin...)...)
		if code == 0 && strings.Contains(out, "leader state1") && strings.Contains(out, "1 certificates revoked") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status after recovery: %d %s %s", code, out, errOut)
		}
	}
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
		{[]string{"state", "issue-cert", "--ca", ca, "--kind", "mayor", "--name", "x", "--out", dir}, 2, "--kind must be node, body, admin or auditor"},
		{[]string{"state", "issue-cert", "--ca", ca, "--kind", "body"}, 2, "give --name NAME, --out DIR"},
		{[]string{"state", "issue-cert", "--ca", ca, "--kind", "body", "--name", "ernakulam", "--out", dir}, 1, "local body's code"},
		{[]string{"state", "issue-cert", "--ca", filepath.Join(dir, "nowhere"), "--kind", "admin", "--name", "a", "--out", dir}, 1, "init-ca"},
		{[]string{"state", "run", "--data", dir}, 2, "give --id ID"},
		{[]string{"state", "run", "--data", filepath.Join(dir, "d"), "--id", "state1", "--raft-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
			"--ca", filepath.Join(dir, "b", "ca.crt"), "--cert", filepath.Join(dir, "b", "M0701.crt"), "--key", filepath.Join(dir, "b", "M0701.key")}, 1, "needs a node certificate"},
		{[]string{"state", "run", "--data", filepath.Join(dir, "d"), "--id", "state1", "--mirrors=false"}, 2, "--view=false for a node that only replicates"},
		{[]string{"state", "join", "--node", "127.0.0.1:1"}, 2, "give --id ID"},
		{[]string{"state", "status"}, 2, "give --node HOST:PORT"},
		{[]string{"state", "recover", "--data", dir}, 2, "give --id ID, --raft-addr HOST:PORT"},
		{[]string{"state", "recover", "--data", filepath.Join(dir, "empty"), "--id", "state1", "--raft-addr", "127.0.0.1:7000"}, 1, "holds no raft log"},
		{[]string{"state", "revoke", "--node", "127.0.0.1:1", "--serial", "ab12"}, 2, "give --reason TEXT"},
		{[]string{"state", "revoke", "--node", "127.0.0.1:1", "--reason", "stolen"}, 2, "give --serial SERIAL"},
		{[]string{"state", "revoke", "--node", "127.0.0.1:1", "--serial", "KL-EKM-M01", "--reason", "stolen", "--ca", "x", "--cert", "y", "--key", "z"}, 1, "read x"},
		{[]string{"state", "issue-cert", "--ca", ca, "--kind", "auditor", "--name", "a", "--out", dir, "--days", "900"}, 2, "--days must be 1 to 825"},
		{[]string{"state", "bench", "--batch", "20000"}, 2, "--batch"},
	}
	for _, tc := range cases {
		code, _, errOut := ksmart(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("ksmart %s: exit %d, %q; want exit %d and one line saying %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.want)
		}
	}
}
