package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/search"
)

// TestReindex_RebuildsTheIndexOfAStoppedDirectoryAndRefusesARunningOne
// imports a register without indexing it, rebuilds the index with ksmart
// reindex, and finds an entry; with the appliance serving the directory,
// reindex refuses and says why.
func TestReindex_RebuildsTheIndexOfAStoppedDirectoryAndRefusesARunningOne(t *testing.T) {
	dir := t.TempDir()
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	legacy.Births(&csv, 3000, 5)
	registrar, err := synth.DemoRegistrar(app)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := app.ImportRegister("births", &csv, "test", registrar, nil); err != nil || rep.Imported != 3000 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if app.Search.Applied() != 0 {
		t.Fatalf("the index applied %d events without an indexer running", app.Search.Applied())
	}
	app.Close()

	code, stdout, stderr := ksmart(t, "reindex", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "3000 records indexed") {
		t.Fatalf("reindex: exit %d %q %q", code, stdout, stderr)
	}
	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if app.Search.Applied() != app.Store.LastSeq() {
		t.Fatalf("after reindex the index is at %d, the log at %d", app.Search.Applied(), app.Store.LastSeq())
	}
	res, err := app.Search.Search(context.Background(), search.Query{Number: "B-2999/1970"})
	app.Close()
	if err != nil || res.Total != 1 {
		t.Fatalf("an imported entry is not found after reindex: %+v %v", res, err)
	}

	p := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "text")
	code, _, stderr = ksmart(t, "reindex", "--data", dir)
	if code != 1 || !strings.Contains(stderr, "in use by a running ksmart; stop it first") {
		t.Fatalf("reindex of a served directory: exit %d %q", code, stderr)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d: %s", code, p.stderr)
	}
	if code, _, stderr := ksmart(t, "reindex"); code != 2 || !strings.Contains(stderr, "give --data") {
		t.Fatalf("reindex without --data: exit %d %q", code, stderr)
	}
}
