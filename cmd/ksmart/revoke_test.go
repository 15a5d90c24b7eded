package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/replication"
)

// TestReplication_ARevokedBodyStopsShippingSaysWhyAndResumesWithANewCertificateOnSIGHUP:
// a local body ships to a state node; state IT revokes its certificate
// (a stolen laptop); the body's next batch is refused and its shipper
// stops, saying so on /metrics and in its log with the serial and the
// reason, while the office keeps working. A new certificate put in place
// of the old files and a SIGHUP resume shipping without a restart, and
// the state ends up with every event.
func TestReplication_ARevokedBodyStopsShippingSaysWhyAndResumesWithANewCertificateOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca")
	if code, _, errOut := ksmart(t, "state", "init-ca", "--dir", ca); code != 0 {
		t.Fatal(errOut)
	}
	certs := func(kind, name, out string) []string {
		if code, _, errOut := ksmart(t, "state", "issue-cert", "--ca", ca, "--kind", kind, "--name", name, "--out", out); code != 0 {
			t.Fatal(errOut)
		}
		return []string{filepath.Join(out, "ca.crt"), filepath.Join(out, name+".crt"), filepath.Join(out, name+".key")}
	}
	n := certs("node", "state1", filepath.Join(dir, "state1"))
	node := startStateNode(t, "--data", filepath.Join(dir, "data1"), "--id", "state1", "--raft-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
		"--ca", n[0], "--cert", n[1], "--key", n[2], "--bootstrap")
	a := certs("admin", "it-admin", filepath.Join(dir, "admin"))
	admin := []string{"--node", node.api, "--ca", a[0], "--cert", a[1], "--key", a[2]}
	const code = "M0701"
	b := certs("body", code, filepath.Join(dir, "body"))
	id, err := replication.LoadIdentity(b[0], b[1], b[2])
	if err != nil {
		t.Fatal(err)
	}
	lbFile := filepath.Join(dir, "lb.json")
	lb := synth.DemoLocalBody()
	lb.Code = code
	raw, _ := json.Marshal(lb)
	os.WriteFile(lbFile, raw, 0o600)
	data := filepath.Join(dir, "body-data")
	body := start(t, "serve", "--data", data, "--addr", "127.0.0.1:0", "--local-body", lbFile, "--log-format", "text",
		"--state", "https://"+node.api, "--state-ca", b[0], "--state-cert", b[1], "--state-key", b[2])

	// One register of 200 births, imported in two halves by the
	// registrar answerable for it.
	addRegistrar(t, data)
	var reg strings.Builder
	if err := legacy.Births(&reg, 200, 1); err != nil {
		t.Fatal(err)
	}
	rows := strings.SplitAfter(reg.String(), "\n")
	births := func(half int) {
		t.Helper()
		csv := filepath.Join(t.TempDir(), "births.csv")
		os.WriteFile(csv, []byte(rows[0]+strings.Join(rows[1+half*100:1+(half+1)*100], "")), 0o600)
		if code, out, errOut := ksmart(t, "import", "births", csv, "--data", data, "--registrar", "suma"); code != 0 {
			t.Fatalf("import: %s%s", out, errOut)
		}
	}
	waitMetric := func(what string, ok func(page string) bool) string {
		t.Helper()
		deadline := time.Now().Add(45 * time.Second)
		for {
			_, page := body.get(t, "/metrics")
			if ok(page) {
				return page
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 45 s:\n%s", what, page)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	caughtUp := func(page string) bool {
		lag, ok := metric(page, "ksmart_replication_lag_events")
		acked, _ := metric(page, "ksmart_replication_acked_seq")
		return ok && lag == 0 && acked > 0
	}
	births(0)
	waitMetric("the first births reach the state", caughtUp)

	code1, out, errOut := ksmart(t, append([]string{"state", "revoke", "--serial", id.Serial(), "--reason", "laptop stolen from the office"}, admin...)...)
	if code1 != 0 {
		t.Fatalf("revoke: %s%s", out, errOut)
	}
	births(1) // the office keeps working; its next batch is refused
	page := waitMetric("the shipper stops", func(p string) bool { v, _ := metric(p, "ksmart_replication_revoked"); return v == 1 })
	if lag, _ := metric(page, "ksmart_replication_lag_events"); lag == 0 {
		t.Fatalf("a revoked body's events were acknowledged:\n%s", page)
	}

	// A new certificate, put in place of the old files, then SIGHUP.
	renewed := certs("body", code, filepath.Join(dir, "renewed"))
	for i := 1; i <= 2; i++ {
		raw, _ := os.ReadFile(renewed[i])
		os.WriteFile(b[i], raw, 0o600)
	}
	body.cmd.Process.Signal(syscall.SIGHUP)
	waitMetric("shipping resumes with the new certificate", func(p string) bool {
		v, _ := metric(p, "ksmart_replication_revoked")
		return v == 0 && caughtUp(p)
	})
	if c := body.stop(t); c != 0 {
		t.Fatalf("serve exited %d: %s", c, body.stderr)
	}
	log := body.stderr.String()
	for _, want := range []string{"REPLICATION TO THE STATE IS STOPPED", id.Serial(), "laptop stolen from the office", "state certificate reloaded", "stopped cleanly"} {
		if !strings.Contains(log, want) {
			t.Fatalf("the body's log does not say %q:\n%s", want, log)
		}
	}
	_, out, _ = ksmart(t, append([]string{"state", "status", "--json"}, admin...)...)
	var st replication.Status
	json.Unmarshal([]byte(out), &st)
	_, check, _ := ksmart(t, "check", "--data", data)
	if len(st.BodyList) != 1 || !strings.Contains(check, " "+strconv.FormatUint(st.BodyList[0].LastSeq, 10)+" events") || len(st.Revoked) != 1 {
		t.Fatalf("the state holds %+v and %d revocations; ksmart check says %s", st.BodyList, len(st.Revoked), check)
	}
	node.stop(t)
}
