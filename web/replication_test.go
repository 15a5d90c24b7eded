package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/replication"
	"ksmart/replication/replicationtest"
	"ksmart/store"
)

// TestAdminReplication_ShowsTheStateTheLagAndTheLastErrorOnThePageAndInMetrics:
// without a state the page says how to configure one; with a state that
// cannot be reached, the page and /metrics show the events waiting, their
// age and the failures.
func TestAdminReplication_ShowsTheStateTheLagAndTheLastErrorOnThePageAndInMetrics(t *testing.T) {
	env := newTestEnv(t).withRoles(t, domain.RoleAdmin)
	admin := env.signIn(t, string(domain.RoleAdmin))
	if r := admin.do(t, http.MethodGet, "/admin/replication", nil); r.status != 200 || !strings.Contains(string(r.body), "--state-cert") {
		t.Fatalf("GET /admin/replication without a state: %d %s", r.status, r.body)
	}

	// A state whose only node does not answer.
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	if err := replication.InitCA(caDir); err != nil {
		t.Fatal(err)
	}
	code := env.app.LocalBody.Code
	// A certificate 20 days from expiry: the page and /metrics warn.
	certPath, keyPath, err := replication.Issue(caDir, replication.KindBody, code, filepath.Join(dir, "body"), replication.IssueOptions{Days: 20})
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte { b, _ := os.ReadFile(p); return b }
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	cl, err := replication.NewClient(replication.ClientConfig{Addrs: []string{dead}, CAPEM: read(filepath.Join(caDir, replication.CACertFile)),
		CertPEM: read(certPath), KeyPEM: read(keyPath)})
	if err != nil {
		t.Fatal(err)
	}
	sh := &replication.Shipper{Store: env.app.Store, Client: cl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AttemptTimeout: 100 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sh.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; cl.Close() })
	env.app.Shipper = sh
	srv, err := New(env.app, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", false)
	if err != nil {
		t.Fatal(err)
	}
	env.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(env.ts.Close)
	deadline := time.Now().Add(10 * time.Second)
	for sh.Status().Errors == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}

	admin = env.signIn(t, string(domain.RoleAdmin))
	r := admin.do(t, http.MethodGet, "/admin/replication?lang=en", nil)
	page := string(r.body)
	for _, want := range []string{dead, "The state has not been reached", `<td id="acked">0</td>`, "no state node could answer", "Records waiting to be sent",
		`id="certificate-warning"`, "The state certificate expires within 30 days", `<span id="certificate-days-left">19</span>`} {
		if r.status != 200 || !strings.Contains(page, want) {
			t.Fatalf("GET /admin/replication: %d, want %q in:\n%s", r.status, want, page)
		}
	}
	if r := admin.do(t, http.MethodGet, "/admin/replication?lang=ml", nil); !strings.Contains(string(r.body), "സംസ്ഥാനത്തേക്കുള്ള പകർപ്പ്") {
		t.Fatalf("the page in Malayalam lacks its title:\n%s", r.body)
	}
	if r := admin.do(t, http.MethodGet, "/office", nil); !strings.Contains(string(r.body), `href="/admin/replication"`) {
		t.Fatal("the admin's menu does not link to the replication page")
	}
	m := string(admin.do(t, http.MethodGet, "/metrics", nil).body)
	for _, want := range []string{"ksmart_replication_lag_events " + strconv.FormatUint(env.app.Store.LastSeq(), 10), "ksmart_replication_lag_seconds ", "ksmart_replication_acked_seq 0", "ksmart_replication_errors_total ", "ksmart_replication_fork 0",
		"ksmart_replication_certificate_days_left 19", "ksmart_replication_revoked 0"} {
		if !strings.Contains(m, want) {
			t.Fatalf("/metrics lacks %q:\n%s", want, m)
		}
	}
}

// TestAdminReplication_AForkSaysWhereOnThePageAndInMetrics: the state holds
// a log for this office that is not this office's (another data directory
// shipped under its code); the shipper stops, and the page and /metrics
// say at which event the logs part, with the last event both agree on as
// acknowledged — not the state's head.
func TestAdminReplication_AForkSaysWhereOnThePageAndInMetrics(t *testing.T) {
	env := newTestEnv(t).withRoles(t, domain.RoleAdmin, domain.RoleSecretary, domain.RoleSectionClerk)
	code := env.app.LocalBody.Code
	c := replicationtest.New(t, 1, nil)
	other, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for i := range 3 {
		if _, err := other.Write(func(tx *store.Tx) error {
			return tx.Emit("clerk1", store.EventType{Name: "note.saved", Version: 1}, "note", strconv.Itoa(i), map[string]int{"n": i})
		}); err != nil {
			t.Fatal(err)
		}
	}
	evs, changes, err := other.ReadReplica(1, 10)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Client(code).ShipReplica(ctx, evs, changes); err != nil {
		t.Fatal(err)
	}
	sh := &replication.Shipper{Store: env.app.Store, Client: c.Client(code), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ForkRecheck: time.Hour}
	sctx, scancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sh.Run(sctx) }()
	t.Cleanup(func() { scancel(); <-done })
	env.app.Shipper = sh
	srv, err := New(env.app, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", false)
	if err != nil {
		t.Fatal(err)
	}
	env.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(env.ts.Close)
	replicationtest.Eventually(t, 20*time.Second, func() error {
		if sh.Status().Fork == nil {
			return fmt.Errorf("no fork yet: %+v", sh.Status())
		}
		return nil
	})
	admin := env.signIn(t, string(domain.RoleAdmin))
	page := string(admin.do(t, http.MethodGet, "/admin/replication?lang=en", nil).body)
	for _, want := range []string{"Forked at event", `<span id="forked-at">1</span>`, `<td id="acked">0</td>`} {
		if !strings.Contains(page, want) {
			t.Fatalf("GET /admin/replication lacks %q:\n%s", want, page)
		}
	}
	m := string(admin.do(t, http.MethodGet, "/metrics", nil).body)
	for _, want := range []string{"ksmart_replication_fork 1", "ksmart_replication_fork_at_seq 1", "ksmart_replication_acked_seq 0"} {
		if !strings.Contains(m, want) {
			t.Fatalf("/metrics lacks %q", want)
		}
	}

	// Every page the administrator and the secretary see warns, in both
	// languages, with the event and a link to the cure; a clerk's do not.
	secretary := env.signIn(t, string(domain.RoleSecretary))
	for _, who := range []*client{admin, secretary} {
		for _, path := range []string{"/office?lang=en", "/services?lang=en", "/office/rts?lang=ml"} {
			page := string(who.do(t, http.MethodGet, path, nil).body)
			banner := "Sending to the state has stopped"
			if strings.Contains(path, "lang=ml") {
				banner = "സംസ്ഥാനത്തേക്കുള്ള അയയ്ക്കൽ നിലച്ചു"
			}
			for _, want := range []string{`id="fork-banner"`, banner, `<span id="fork-banner-at">1</span>`, `href="/admin/replication/fork"`} {
				if !strings.Contains(page, want) {
					t.Fatalf("GET %s lacks %q:\n%s", path, want, page)
				}
			}
		}
	}
	clerk := env.signIn(t, string(domain.RoleSectionClerk))
	if page := string(clerk.do(t, http.MethodGet, "/office", nil).body); strings.Contains(page, "fork-banner") {
		t.Fatal("a clerk's page carries the fork warning, which only the administrator and the secretary can act on")
	}
	// The fork page: the fork, and the cure's command with this office's
	// own data directory and state files.
	page = string(secretary.do(t, http.MethodGet, "/admin/replication/fork?lang=en", nil).body)
	for _, want := range []string{`<span id="fork-page-at">1</span>`, "--data " + env.app.Store.Dir(), "--local-body " + code, "--reapply-forked", "systemctl stop ksmart", "ksmart state forks resolve " + code} {
		if !strings.Contains(page, want) {
			t.Fatalf("the fork page lacks %q:\n%s", want, page)
		}
	}
}

// TestForkPage_ListsACuresReappliedAndConflictingWrites: after a cure
// (ksmart restore --reapply-forked) the fork page lists, from its report,
// what was written again and, for an officer, each write that was not,
// with why and what it would have stored.
func TestForkPage_ListsACuresReappliedAndConflictingWrites(t *testing.T) {
	env := newTestEnv(t).withRoles(t, domain.RoleAdmin)
	at := time.Date(2026, 12, 6, 4, 30, 0, 0, time.UTC)
	r := appliance.ForkCure{LocalBody: env.app.LocalBody.Code, At: at, ForkedAt: 141, StateHead: 180, ForkedHead: 144, LastSeq: 183,
		Reapplied: []appliance.ForkedWrite{{Seqs: []uint64{141}, Types: []string{"user.created"}, Time: at, NewSeq: 182}},
		Conflicting: []appliance.ForkedWrite{{Seqs: []uint64{142, 143, 144}, Types: []string{"birth.imported"}, Actor: "cli:demo", Time: at,
			Conflicts: []string{"key civil_number B-1/1970 was also written by the state's event 180 (birth.imported)"},
			Changes:   []appliance.ForkedChange{{Kind: "state", Sub: "civil_entry", Key: "birth/1970/000001", JSON: []byte(`{"name":"Anagha"}`)}}}},
		KeptAt: env.app.Store.Dir() + ".forked-at-141-20261206-043000", Report: filepath.Join(env.app.Store.Dir(), appliance.ForkReportsDir, "fork-at-141.json")}
	raw, _ := json.Marshal(r)
	os.MkdirAll(filepath.Dir(r.Report), 0o750)
	if err := os.WriteFile(r.Report, raw, 0o640); err != nil {
		t.Fatal(err)
	}
	admin := env.signIn(t, string(domain.RoleAdmin))
	page := string(admin.do(t, http.MethodGet, "/admin/replication/fork?lang=en", nil).body)
	for _, want := range []string{"This office&#39;s records do not fork", "Forked at event 141 · 06-12-2026 10:00", "user.created", "<td>182</td>",
		"142, 143, 144", "B-1/1970 was also written by the state&#39;s event 180", "civil_entry birth/1970/000001", "Anagha", r.KeptAt} {
		if !strings.Contains(page, want) {
			t.Fatalf("the fork page lacks %q:\n%s", want, page)
		}
	}
}
