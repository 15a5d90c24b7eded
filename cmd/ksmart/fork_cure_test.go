package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/synth"
	"ksmart/replication"
)

// shipAll runs the appliance's shipper until the state acknowledged every
// local event, or until it reports a fork when fork is set; it returns the
// shipper's last status.
func shipAll(t *testing.T, app *appliance.Appliance, fork bool) replication.ShipperStatus {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); app.Shipper.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(time.Minute)
	for {
		st := app.Shipper.Status()
		if fork && st.Fork != nil || !fork && st.Fork == nil && st.Known && st.Acked == app.Store.LastSeq() {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("shipping (fork wanted: %v): %+v", fork, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRestore_ReapplyForkedCuresAnOfficeRestoredFromAnOldBackup: an office
// ships its log to the state, is backed up, goes on working (a register
// imported; the state has it all) and loses its server. Restored from the
// old backup, it adds a member of staff and imports the same register
// again: the logs fork at the first new event and shipping stops.
// ksmart restore --from-state --reapply-forked then keeps the state's
// events, writes the new member of staff again as a new event, lists the
// register import (its registration numbers were handed out by the state's
// log too) for an officer with what it would have stored, keeps the forked
// directory beside, passes ksmart check, and ships to the state cleanly.
func TestRestore_ReapplyForkedCuresAnOfficeRestoredFromAnOldBackup(t *testing.T) {
	state := startTestState(t, 1)
	base := t.TempDir()
	dir := filepath.Join(base, "body")
	lb := synth.DemoLocalBody()
	quiet := slog.New(slog.DiscardHandler)
	sc := state.stateConfig(t, lb.Code)
	open := func() *appliance.Appliance {
		t.Helper()
		app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: quiet, State: sc})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	app := open()
	if _, err := synth.SeedDemo(app, 5, 3, nil, nil); err != nil {
		t.Fatal(err)
	}
	shipAll(t, app, false)
	app.Close()
	backup := filepath.Join(base, "backup")
	if err := os.CopyFS(backup, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}

	// The office goes on; the state receives everything; the server is lost.
	app = open()
	if _, err := synth.SeedLegacyRegister(app, 40); err != nil {
		t.Fatal(err)
	}
	stateHead := shipAll(t, app, false).Acked
	app.Close()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}

	// Restored from the old backup, the office writes again.
	if err := os.Rename(backup, dir); err != nil {
		t.Fatal(err)
	}
	app = open()
	forkedAt := app.Store.LastSeq() + 1
	if _, _, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: "newclerk", Name: "Anitha K", Roles: []domain.Role{domain.RoleSectionClerk}}); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedLegacyRegister(app, 3); err != nil {
		t.Fatal(err)
	}
	if st := shipAll(t, app, true); st.Fork.AtSeq != forkedAt {
		t.Fatalf("the fork is at event %d, want %d", st.Fork.AtSeq, forkedAt)
	}
	forkedHead := app.Store.LastSeq()
	app.Close()

	// State IT sees the fork, and cannot resolve it while the body's log
	// still contradicts the state's.
	f := state.issue(t, replication.KindAdmin, "it-admin")
	admin := []string{"--node", state.nodes[0].HTTPAddr(), "--ca", f[1], "--cert", f[3], "--key", f[5]}
	code, out, errOut := ksmart(t, append([]string{"state", "forks"}, admin...)...)
	row := fmt.Sprintf(`%s\s+%d\s+%d\s+%d\s+\d\d-\d\d-2026 `, lb.Code, forkedAt, stateHead, forkedAt)
	if code != 0 || !strings.Contains(out, "1 forks to resolve") || !regexp.MustCompile(row).MatchString(out) {
		t.Fatalf("state forks: exit %d, want a row matching %s:\n%s%s", code, row, out, errOut)
	}
	resolve := append([]string{"state", "forks", "resolve", lb.Code, "--reason", "cured with --reapply-forked"}, admin...)
	if code, _, errOut := ksmart(t, resolve...); code != 1 || !strings.Contains(errOut, "still contradicts the state's") || !strings.Contains(errOut, "--reapply-forked") {
		t.Fatalf("resolving a fork not cured: exit %d %s", code, errOut)
	}

	body := []string{"--state-ca", sc.CAFile, "--state-cert", sc.CertFile, "--state-key", sc.KeyFile}
	code, out, errOut = ksmart(t, append([]string{"restore", "--from-state", state.addrs(), "--local-body", lb.Code, "--data", dir, "--reapply-forked"}, body...)...)
	t.Log(out)
	if code != 0 {
		t.Fatalf("restore --reapply-forked: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		fmt.Sprintf("cured the fork of %s at event %d: the state's %d events restored; the forked directory had %d", lb.Code, forkedAt, stateHead, forkedHead),
		"user.created", "CONFLICT", "the state's log handed out up to", "kept, untouched, at",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("the cure's output lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := ksmart(t, "check", "--data", dir); code != 0 {
		t.Fatalf("ksmart check after the cure: exit %d %s", code, out)
	}
	reports, err := appliance.ForkCureReports(dir)
	if err != nil || len(reports) != 1 {
		t.Fatalf("reports: %v %v", reports, err)
	}
	r := reports[0]
	if len(r.Reapplied) == 0 || len(r.Conflicting) == 0 {
		t.Fatalf("reapplied %d, conflicting %d: %+v", len(r.Reapplied), len(r.Conflicting), r)
	}
	kept := false
	for _, c := range r.Conflicting {
		for _, ch := range c.Changes {
			kept = kept || ch.Kind == "state" && len(ch.JSON) > 0
		}
	}
	if !kept {
		t.Fatalf("the report keeps no document of the conflicting writes: %+v", r.Conflicting)
	}
	if _, err := os.Stat(filepath.Join(r.KeptAt, "ksmart.db")); err != nil {
		t.Fatalf("the forked directory is not kept: %v", err)
	}

	// The cured office has the new clerk, the state's register, and ships
	// cleanly: the state holds its whole log.
	app = open()
	if _, err := app.Identity.ByLogin("newclerk"); err != nil {
		t.Fatalf("the reapplied member of staff is missing: %v", err)
	}
	if st := shipAll(t, app, false); st.Acked != app.Store.LastSeq() || st.Acked <= stateHead {
		t.Fatalf("after the cure the shipper says %+v", st)
	}
	var cured appliance.ForkCureSummary
	ev, err := app.Store.Event(r.LastSeq)
	if err != nil || !ev.Is(appliance.EventForkCured) || json.Unmarshal(ev.Data, &cured) != nil || cured.ForkedAt != forkedAt || len(cured.Conflicting) != len(r.Conflicting) {
		t.Fatalf("the log's record of the cure: %+v %v", ev, err)
	}

	// Cured and shipping: state IT records the fork as resolved, with who
	// and why, on every node; it is listed as resolved, no longer open.
	if code, out, errOut := ksmart(t, resolve...); code != 0 || !strings.Contains(out, fmt.Sprintf("resolved on every node: %s's fork at event %d", lb.Code, forkedAt)) || !strings.Contains(out, "by admin/it-admin") {
		t.Fatalf("resolving the cured fork: exit %d %s%s", code, out, errOut)
	}
	code, out, _ = ksmart(t, append([]string{"state", "forks", "--json"}, admin...)...)
	var listed struct{ Open, Resolved []forkRow }
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || len(listed.Open) != 0 || len(listed.Resolved) != 1 ||
		listed.Resolved[0].Resolved.Reason != "cured with --reapply-forked" || listed.Resolved[0].ForkedAt != forkedAt {
		t.Fatalf("state forks --json after the resolution: exit %d %s", code, out)
	}
	if code, _, errOut := ksmart(t, resolve...); code != 1 || !strings.Contains(errOut, "no fork to resolve") {
		t.Fatalf("resolving again: exit %d %s", code, errOut)
	}

	// A cure is refused while the office runs, and on a log that does not
	// fork; either way nothing changes.
	cure := append([]string{"restore", "--from-state", state.addrs(), "--local-body", lb.Code, "--data", dir, "--reapply-forked"}, body...)
	if code, _, errOut := ksmart(t, cure...); code != 1 || !strings.Contains(errOut, "stop ksmart serve first") {
		t.Fatalf("a cure of a directory in use: exit %d %s", code, errOut)
	}
	last := app.Store.LastSeq()
	app.Close()
	if code, _, errOut := ksmart(t, cure...); code != 1 || !strings.Contains(errOut, "nothing to cure") {
		t.Fatalf("a cure of a log that continues the state's: exit %d %s", code, errOut)
	}
	if code, out, _ := ksmart(t, "check", "--data", dir); code != 0 || !strings.Contains(out, fmt.Sprintf("%d events", last)) {
		t.Fatalf("after the refused cures: exit %d %s", code, out)
	}
}
