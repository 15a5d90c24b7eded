package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/replication"
	"ksmart/search"
	"ksmart/store"
	"ksmart/store/storetest"
)

// testState is a state cluster of nodes in this process, with a CA and a
// way to issue certificates, closed at cleanup.
type testState struct {
	dir   string
	ca    string
	nodes []*replication.Node
}

// startTestState starts size nodes on loopback, bootstraps the first and
// joins the others.
func startTestState(t *testing.T, size int) *testState {
	t.Helper()
	s := &testState{dir: t.TempDir()}
	s.ca = filepath.Join(s.dir, "ca")
	if err := replication.InitCA(s.ca); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	for i := range size {
		id := fmt.Sprintf("state%d", i+1)
		tls := s.issue(t, replication.KindNode, id)
		ident, err := replication.LoadIdentity(tls[1], tls[3], tls[5])
		if err != nil {
			t.Fatal(err)
		}
		n := replication.NewNode(replication.Config{ID: id, Dir: filepath.Join(s.dir, id), RaftAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Identity: ident, Logger: quiet,
			HeartbeatTimeout: 500 * time.Millisecond, ElectionTimeout: 500 * time.Millisecond, LeaderLeaseTimeout: 250 * time.Millisecond, CommitTimeout: 5 * time.Millisecond})
		if err := n.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		s.nodes = append(s.nodes, n)
	}
	if err := s.nodes[0].Bootstrap(); err != nil {
		t.Fatal(err)
	}
	for _, n := range s.nodes[1:] {
		deadline := time.Now().Add(20 * time.Second)
		for {
			err := replication.ErrNoLeader
			for _, l := range s.nodes {
				if l.IsLeader() {
					err = l.Join(context.Background(), n.ID(), n.RaftAddr(), n.HTTPAddr(), true)
				}
			}
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("join %s: %v", n.ID(), err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return s
}

// issue issues a certificate and returns its flags: --state-ca FILE
// --state-cert FILE --state-key FILE.
func (s *testState) issue(t *testing.T, kind replication.Kind, name string) []string {
	t.Helper()
	out := filepath.Join(s.dir, "certs", string(kind)+"-"+name)
	cert, key, err := replication.IssueCert(s.ca, kind, name, out)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--state-ca", filepath.Join(out, replication.CACertFile), "--state-cert", cert, "--state-key", key}
}

// addrs is the --state value: every node's API.
func (s *testState) addrs() string {
	var a []string
	for _, n := range s.nodes {
		a = append(a, "https://"+n.HTTPAddr())
	}
	return strings.Join(a, ",")
}

// stateConfig is the appliance's configuration for shipping to s.
func (s *testState) stateConfig(t *testing.T, code string) *appliance.StateConfig {
	f := s.issue(t, replication.KindBody, code)
	list, _ := stateAddrList(s.addrs())
	return &appliance.StateConfig{Addrs: list, CAFile: f[1], CertFile: f[3], KeyFile: f[5]}
}

// dumpStore is storetest.Dump without sessions and the private key, which
// a copy from the state does not have.
func dumpStore(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := storetest.Dump(t, dir)
	for k := range out {
		if strings.HasPrefix(k, "state/private ") || strings.HasPrefix(k, "state/session") {
			delete(out, k)
		}
	}
	return out
}

// TestRestore_FromStateRebuildsADeletedLocalBody: a local body with more
// than 10,000 events — a living office and an imported register, with
// certificates issued — ships its log to a 3-node state cluster and loses
// its data directory. ksmart restore --from-state rebuilds it: ksmart check
// passes with the same events and last hash, every document, key, number
// and blob is back (the private key aside), the search index finds a
// register entry by its number, and a certificate issued before the loss
// still verifies after the appliance makes a new seal key.
func TestRestore_FromStateRebuildsADeletedLocalBody(t *testing.T) {
	state := startTestState(t, 3)
	dir := filepath.Join(t.TempDir(), "body")
	lb := synth.DemoLocalBody()
	quiet := slog.New(slog.DiscardHandler)
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: quiet, State: state.stateConfig(t, lb.Code)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedDemo(app, 150, 7, nil, nil); err != nil {
		t.Fatal(err)
	}
	rows := max(10_200-int(app.Store.LastSeq()), 1000)
	if _, err := synth.SeedLegacyRegister(app, rows); err != nil {
		t.Fatal(err)
	}
	var cert civil.Certificate
	app.Store.View(func(tx *store.Tx) error {
		return tx.Scan("civil_certificate", store.ScanOptions{}, func(_ string, raw []byte) error {
			return json.Unmarshal(raw, &cert)
		})
	})
	if cert.Number == "" {
		t.Fatal("the demo issued no certificate to verify after the restore")
	}
	var entry legacy.Record
	legacy.BirthRecords(rows, 2026, func(r legacy.Record) {
		if entry.Number == "" {
			entry = r
		}
	})
	oldKey := cert.Key

	// The shipper alone: Run would also escalate the demo's overdue files,
	// writing while the test waits for the state to hold everything.
	ctx, cancel := context.WithCancel(context.Background())
	shipped := make(chan struct{})
	go func() { defer close(shipped); app.Shipper.Run(ctx) }()
	last := app.Store.LastSeq()
	if last < 10_000 {
		t.Fatalf("the body has %d events; the test wants at least 10,000", last)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for st := app.Shipper.Status(); st.Acked < last; st = app.Shipper.Status() {
		if time.Now().After(deadline) {
			t.Fatalf("the shipper reached %d of %d events: %+v", st.Acked, last, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-shipped
	lastHash := fmt.Sprintf("%x", app.Store.LastHash())
	if app.Store.LastSeq() != last {
		t.Fatalf("the body wrote %d events while it shipped", app.Store.LastSeq()-last)
	}
	app.Close()
	want := dumpStore(t, dir)
	_, checked, _ := ksmart(t, "check", "--data", dir)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}

	admin := state.issue(t, replication.KindAdmin, "it-admin")
	code, out, errOut := ksmart(t, append([]string{"restore", "--from-state", state.addrs(), "--local-body", lb.Code, "--data", dir}, admin...)...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d events (last hash %s)", last, short(lastHash))) || !strings.Contains(out, "keys/seal.key") || !strings.Contains(out, "records indexed") {
		t.Fatalf("restore --from-state: exit %d\n%s%s", code, out, errOut)
	}
	t.Log(strings.TrimSpace(out))
	// The same check, but for one record: the seal's private key, which
	// never leaves the body (its digest alone is in the log).
	records := regexp.MustCompile(`(\d+) current records match`)
	code, again, _ := ksmart(t, "check", "--data", dir)
	before, after := records.FindStringSubmatch(checked), records.FindStringSubmatch(again)
	sameElse := records.ReplaceAllString(again, "N current records match") == records.ReplaceAllString(checked, "N current records match")
	if code != 0 || before == nil || after == nil || !sameElse || atoi(t, after[1]) != atoi(t, before[1])-1 {
		t.Fatalf("check after the restore: exit %d %q; before the loss: %q", code, again, checked)
	}
	got := dumpStore(t, dir)
	// Numbers handed out in reserved blocks (application and certificate
	// numbers) go on after the last one used, not after the block.
	used := map[string]uint64{}
	for k, v := range want {
		if strings.HasPrefix(k, "state/civil_certificate ") {
			var c civil.Certificate
			json.Unmarshal([]byte(v), &c)
			i := strings.LastIndex(c.Number, "-")
			n, _ := strconv.ParseUint(c.Number[i+1:], 10, 64)
			seq := "numbers certificate/" + strconv.Itoa(c.Issued.In(domain.IST).Year())
			used[seq] = max(used[seq], n)
		}
	}
	if len(used) == 0 {
		t.Fatal("no certificate numbers found")
	}
	for k, v := range want {
		switch {
		case strings.HasPrefix(k, "numbers "):
			if len(got[k]) != 8 {
				t.Errorf("number %s is missing after the restore", k)
				continue
			}
			n, was := binary.BigEndian.Uint64([]byte(got[k])), binary.BigEndian.Uint64([]byte(v))
			if n > was || n < used[k] {
				t.Errorf("number %s: %x after the restore, %x before, %d used", k, got[k], v, used[k])
			}
		case got[k] != v:
			t.Errorf("%s differs after the restore:\n got %.200q\nwant %.200q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("the restored store has %s, which the original did not", k)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	if code, _, errOut := ksmart(t, append([]string{"restore", "--from-state", state.addrs(), "--local-body", lb.Code, "--data", dir}, admin...)...); code != 1 || !strings.Contains(errOut, "already holds") {
		t.Fatalf("a second restore onto the restored directory: exit %d %s", code, errOut)
	}

	// The appliance starts on it with a new seal key; the search index
	// was built; the old certificate still verifies.
	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if app.Search.Applied() < last {
		t.Fatalf("the index was built up to %d of %d events", app.Search.Applied(), last)
	}
	res, err := app.Search.Search(context.Background(), search.Query{Number: entry.Number})
	if err != nil || res.Total == 0 {
		t.Fatalf("searching the restored index for register number %s: %+v %v", entry.Number, res, err)
	}
	if app.Seal == nil || oldKey == "" || app.Civil.Seal == nil || cert.Key == seal.Fingerprint(app.Seal.Public()) {
		t.Fatalf("the restored appliance should sign with a new seal key (old %s)", oldKey)
	}
	u, err := url.Parse(cert.QR)
	if err != nil {
		t.Fatal(err)
	}
	v, err := app.Civil.Verify(cert.Number, u.Query().Get("d"), u.Query().Get("s"))
	if err != nil || !v.Checked || !v.ShowsParticulars() {
		t.Fatalf("certificate %s (key %s) after the restore: %+v %v", cert.Number, oldKey, v.Problem, err)
	}
	// ksmart verify finds the old public key in the data directory too.
	app.Close()
	if code, out, _ := ksmart(t, "verify", "--data", dir, cert.QR); code != 0 || !strings.Contains(out, "genuine") || !strings.Contains(out, oldKey) {
		t.Fatalf("ksmart verify --data of the old certificate: exit %d %s", code, out)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
