package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
)

// metric reads one unlabelled series from a /metrics page.
func metric(page, name string) (float64, bool) {
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// TestReplication_TwoBodiesShipThroughASIGKILLedStateNode runs the state
// as three `ksmart state run` processes and two local bodies as `ksmart
// serve` processes shipping to it, puts load on both (a register of births
// imported into each through its control socket), kills a state node with
// SIGKILL under that load and starts it again. Both shippers catch up (lag
// 0 on /metrics), and every node holds each body's log up to the body's
// last event with the same last hash — the hash ksmart check gives for the
// body's own data directory.
func TestReplication_TwoBodiesShipThroughASIGKILLedStateNode(t *testing.T) {
	started := time.Now()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca")
	if code, _, errOut := ksmart(t, "state", "init-ca", "--dir", ca); code != 0 {
		t.Fatal(errOut)
	}
	certs := func(kind, name string) (caFile, cert, key string) {
		out := filepath.Join(dir, "certs", name)
		if code, _, errOut := ksmart(t, "state", "issue-cert", "--ca", ca, "--kind", kind, "--name", name, "--out", out); code != 0 {
			t.Fatal(errOut)
		}
		return filepath.Join(out, "ca.crt"), filepath.Join(out, name+".crt"), filepath.Join(out, name+".key")
	}
	type nodeArgs struct{ id, data, raft, api string }
	var args []nodeArgs
	nodes := make([]*stateNode, 3)
	run := func(i int, extra ...string) *stateNode {
		a := args[i]
		caFile, cert, key := filepath.Join(dir, "certs", a.id, "ca.crt"), filepath.Join(dir, "certs", a.id, a.id+".crt"), filepath.Join(dir, "certs", a.id, a.id+".key")
		return startStateNode(t, append([]string{"--data", a.data, "--id", a.id, "--raft-addr", a.raft, "--http-addr", a.api, "--ca", caFile, "--cert", cert, "--key", key, "--log-format", "json"}, extra...)...)
	}
	for i := range 3 {
		id := fmt.Sprintf("state%d", i+1)
		certs("node", id)
		args = append(args, nodeArgs{id: id, data: filepath.Join(dir, id), raft: "127.0.0.1:0", api: "127.0.0.1:0"})
		var extra []string
		if i == 0 {
			extra = []string{"--bootstrap"}
		}
		nodes[i] = run(i, extra...)
		args[i].raft, args[i].api = nodes[i].raft, nodes[i].api // a restart reuses them
	}
	adminCA, adminCert, adminKey := certs("admin", "it-admin")
	admin := []string{"--ca", adminCA, "--cert", adminCert, "--key", adminKey}
	for _, n := range nodes[1:] {
		id := args[len(args)-1].id
		for _, a := range args {
			if a.api == n.api {
				id = a.id
			}
		}
		if code, out, errOut := ksmart(t, append([]string{"state", "join", "--node", nodes[0].api, "--id", id, "--raft-addr", n.raft, "--http-addr", n.api}, admin...)...); code != 0 {
			t.Fatalf("join %s: %s%s", id, out, errOut)
		}
	}
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, "https://"+n.api)
	}
	stateFlag := strings.Join(addrs, ",")

	// Two local bodies, each with its own certificate.
	type body struct {
		code, data string
		p          *process
	}
	bodies := []*body{{code: "M0701"}, {code: "G0702"}}
	for _, b := range bodies {
		b.data = filepath.Join(dir, "body-"+b.code)
		lbFile := filepath.Join(dir, b.code+".json")
		lb := synth.DemoLocalBody() // its wards are those of the synthetic register
		lb.Code = b.code
		raw, _ := json.Marshal(lb)
		os.WriteFile(lbFile, raw, 0o600)
		caFile, cert, key := certs("body", b.code)
		b.p = start(t, "serve", "--data", b.data, "--addr", "127.0.0.1:0", "--local-body", lbFile, "--log-format", "text",
			"--state", stateFlag, "--state-ca", caFile, "--state-cert", cert, "--state-key", key)
	}

	// The registrar answerable for each body's imported register.
	for _, b := range bodies {
		addRegistrar(t, b.data)
	}

	// Load: a register of 5,000 births imported into each body at once.
	csv := filepath.Join(dir, "births.csv")
	f, _ := os.Create(csv)
	if err := legacy.Births(f, 5000, 11); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var wg sync.WaitGroup
	imports := make([]string, len(bodies))
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, out, errOut := ksmart(t, "import", "births", csv, "--data", b.data, "--registrar", "suma")
			imports[i] = fmt.Sprintf("exit %d: %s%s", code, out, errOut)
		}()
	}
	// Under that load, kill a state node (the first: it led the cluster
	// it bootstrapped) without warning, then start it again.
	lastSeq := func(b *body) uint64 {
		_, h := b.p.get(t, "/healthz")
		var v struct {
			LastSeq uint64 `json:"last_seq"`
		}
		json.Unmarshal([]byte(h), &v)
		return v.LastSeq
	}
	for deadline := time.Now().Add(30 * time.Second); lastSeq(bodies[0]) < 1000 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	nodes[0].cmd.Process.Signal(syscall.SIGKILL)
	nodes[0].cmd.Wait()
	t.Logf("killed %s with SIGKILL while %s was at event %d", args[0].id, bodies[0].code, lastSeq(bodies[0]))
	time.Sleep(time.Second)
	nodes[0] = run(0)
	wg.Wait()
	for i, s := range imports {
		if !strings.HasPrefix(s, "exit 0") {
			t.Fatalf("import into %s: %s", bodies[i].code, s)
		}
	}

	// Both shippers catch up.
	for _, b := range bodies {
		deadline := time.Now().Add(45 * time.Second)
		for {
			_, page := b.p.get(t, "/metrics")
			lag, ok1 := metric(page, "ksmart_replication_lag_events")
			acked, ok2 := metric(page, "ksmart_replication_acked_seq")
			last := lastSeq(b)
			if ok1 && ok2 && lag == 0 && uint64(acked) == last && last > 5000 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: lag %v, acked %v of %d\n%s", b.code, lag, acked, last, b.p.stderr)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// Every node holds each body's log to the same last event and hash.
	type status struct {
		BodyList []struct {
			Code     string `json:"code"`
			LastSeq  uint64 `json:"last_seq"`
			LastHash string `json:"last_hash"`
		} `json:"body_list"`
	}
	heads := map[string]string{} // body → "seq hash"
	for _, b := range bodies {
		heads[b.code] = fmt.Sprint(lastSeq(b))
	}
	for i, n := range nodes {
		deadline := time.Now().Add(30 * time.Second)
		for {
			code, out, errOut := ksmart(t, append([]string{"state", "status", "--node", n.api, "--json"}, admin...)...)
			var st status
			json.Unmarshal([]byte(out), &st)
			got := map[string]string{}
			for _, bl := range st.BodyList {
				got[bl.Code] = fmt.Sprintf("%d %s", bl.LastSeq, bl.LastHash)
			}
			ok := code == 0
			for _, b := range bodies {
				want := heads[b.code]
				if strings.Contains(want, " ") {
					ok = ok && got[b.code] == want
				} else {
					ok = ok && strings.HasPrefix(got[b.code], want+" ")
					if ok && i == 0 {
						heads[b.code] = got[b.code]
					}
				}
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s holds %v, want %v (%s)", args[i].id, got, heads, errOut)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// The hash the state holds is the one the body's own check gives.
	for _, b := range bodies {
		if code := b.p.stop(t); code != 0 {
			t.Fatalf("%s exited %d: %s", b.code, code, b.p.stderr)
		}
		seq, hash, _ := strings.Cut(heads[b.code], " ")
		_, out, _ := ksmart(t, "check", "--data", b.data)
		if !strings.Contains(out, seq+" events") || !strings.Contains(out, short(hash)) {
			t.Fatalf("%s: the state holds %s %s; ksmart check says %s", b.code, seq, short(hash), out)
		}
	}
	for _, n := range nodes {
		n.stop(t)
	}
	t.Logf("two bodies, three state nodes, one SIGKILL: %s", time.Since(started).Round(time.Millisecond))
}

// TestServe_StateFlagsAllOrNoneAndTheCertificateMustBeTheBodys: serve
// needs all four --state flags or none, and refuses to start with a
// certificate issued to another local body, naming both codes.
func TestServe_StateFlagsAllOrNoneAndTheCertificateMustBeTheBodys(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca")
	ksmart(t, "state", "init-ca", "--dir", ca)
	ksmart(t, "state", "issue-cert", "--ca", ca, "--kind", "body", "--name", "G0702", "--out", filepath.Join(dir, "g"))
	ksmart(t, "state", "issue-cert", "--ca", ca, "--kind", "admin", "--name", "it", "--out", filepath.Join(dir, "a"))
	other := []string{"--state-ca", filepath.Join(dir, "g", "ca.crt"), "--state-cert", filepath.Join(dir, "g", "G0702.crt"), "--state-key", filepath.Join(dir, "g", "G0702.key")}
	adminCert := []string{"--state-ca", filepath.Join(dir, "a", "ca.crt"), "--state-cert", filepath.Join(dir, "a", "it.crt"), "--state-key", filepath.Join(dir, "a", "it.key")}
	serve := []string{"serve", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--local-body", "../../examples/local-body.json"}
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"--state", "https://127.0.0.1:7443"}, 2, []string{"missing --state-ca FILE, --state-cert FILE, --state-key FILE"}},
		{append([]string{"--state", "127.0.0.1"}, other...), 2, []string{"--state", "https://HOST:PORT"}},
		{append([]string{"--state", "http://127.0.0.1:7443"}, other...), 2, []string{"HTTPS only"}},
		{append([]string{"--state", "https://127.0.0.1:7443"}, other...), 1, []string{"G0702", "M0701", "issue-cert --kind body --name M0701"}},
		{append([]string{"--state", "https://127.0.0.1:7443"}, adminCert...), 1, []string{"of kind admin", "M0701"}},
	} {
		os.RemoveAll(filepath.Join(dir, "data"))
		code, _, errOut := ksmart(t, append(serve, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		errOut = lines[len(lines)-1] // after the log lines, the one that says what is wrong
		ok := code == tc.code && strings.HasPrefix(errOut, "ksmart serve: ")
		for _, w := range tc.want {
			ok = ok && strings.Contains(errOut, w)
		}
		if !ok {
			t.Errorf("serve %v: exit %d, %q; want exit %d with %q", tc.args, code, errOut, tc.code, tc.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "data", "ksmart.db")); err == nil {
			t.Errorf("serve %v wrote a data directory before refusing to start", tc.args)
		}
	}
}

// TestRestore_FromStateMistakesSayWhatToFix: the flags restore
// --from-state needs, and a directory that holds a store already.
func TestRestore_FromStateMistakesSayWhatToFix(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 3)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--data", t.TempDir(), "--from-state", "https://127.0.0.1:1"}, 2, "give --local-body CODE, --state-ca FILE, --state-cert FILE, --state-key FILE"},
		{[]string{"--data", t.TempDir(), "--from-state", "https://127.0.0.1:1", "--from", "x.kbak"}, 2, "does not take --from"},
		{[]string{"--data", dir, "--from-state", "https://127.0.0.1:1", "--local-body", "M0701", "--state-ca", "a", "--state-cert", "b", "--state-key", "c"}, 1, "already holds ksmart.db"},
		{[]string{"--data", t.TempDir(), "--from-state", "https://127.0.0.1:1", "--local-body", "M0701", "--state-ca", "a", "--state-cert", "b", "--state-key", "c"}, 1, "cannot read the state CA certificate"},
	} {
		code, _, errOut := ksmart(t, append([]string{"restore"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("restore %v: exit %d %q; want exit %d with %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

// TestBenchState_JSONReportsTheClusterTheLagAndTheCatchUp: a small
// ksmart bench state gives every figure, the shipper's included.
func TestBenchState_JSONReportsTheClusterTheLagAndTheCatchUp(t *testing.T) {
	code, stdout, stderr := ksmart(t, "bench", "state", "--json", "--shippers", "2", "--batch", "500", "--events", "2000", "--rounds", "1",
		"--steady-rate", "200", "--steady-for", "1s", "--backlog", "5000", "--dir", t.TempDir())
	var r map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &r) != nil {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	for _, k := range []string{"events_per_sec", "ratio", "lag_p99_seconds", "catch_up_seconds", "catch_up_events_per_sec"} {
		if _, ok := r[k].(float64); !ok {
			t.Errorf("bench state --json lacks %s: %s", k, stdout)
		}
	}
	if r["name"] != "state" || r["backlog"] != float64(5000) {
		t.Errorf("bench state --json: %s", stdout)
	}
}

// TestBenchStateSnapshot_JSONReportsTheInstallAndTheFullCopy: a small
// ksmart bench state-snapshot gives the follower's install bytes and
// seconds beside the whole state.db, and both at 10 million events.
func TestBenchStateSnapshot_JSONReportsTheInstallAndTheFullCopy(t *testing.T) {
	code, stdout, stderr := ksmart(t, "bench", "state-snapshot", "--json", "--bodies", "2", "--events", "20000", "--cut-off", "10000", "--data-bytes", "200", "--dir", t.TempDir())
	var r map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &r) != nil {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	for _, k := range []string{"snapshot_install_bytes", "snapshot_install_seconds", "full_copy_bytes", "ratio", "snapshot_install_bytes_at_10m", "full_copy_bytes_at_10m"} {
		if v, ok := r[k].(float64); !ok || v <= 0 {
			t.Errorf("bench state-snapshot --json lacks %s: %s", k, stdout)
		}
	}
	if r["name"] != "state-snapshot" || r["cut_off"] != float64(10000) || r["snapshot_install_bytes"].(float64) >= r["full_copy_bytes"].(float64) {
		t.Errorf("bench state-snapshot --json: %s", stdout)
	}
	if code, _, errOut := ksmart(t, "bench", "state-snapshot", "--cut-off", "50"); code != 2 || !strings.Contains(errOut, "--cut-off at least 10,000") {
		t.Errorf("a cut-off of 50 events: exit %d %q", code, errOut)
	}
}
