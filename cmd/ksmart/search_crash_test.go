package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/search"
	"ksmart/store"
)

// TestServe_KilledDuringABulkImportItsIndexCatchesUpToExactlyTheLog
// streams a 60,000-row register into a serving appliance, kills it with
// SIGKILL part-way, and opens the data directory again: the index starts
// from the last batch it had made durable and catches up to the log's
// last event, with one document per entry and file, counted.
func TestServe_KilledDuringABulkImportItsIndexCatchesUpToExactlyTheLog(t *testing.T) {
	const rows = 60000
	dir := t.TempDir()
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	registrar, err := synth.DemoRegistrar(app)
	if err != nil {
		t.Fatal(err)
	}
	app.Close()
	csv := filepath.Join(t.TempDir(), "births.csv")
	f, _ := os.Create(csv)
	if err := legacy.Births(f, rows, 7); err != nil {
		t.Fatal(err)
	}
	f.Close()

	p := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "text")
	imported := make(chan struct{})
	go func() {
		defer close(imported)
		ksmart(t, "import", "births", csv, "--data", dir, "--registrar", registrar)
	}()
	// Kill once a good part of the register is in the log.
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, body := p.get(t, "/healthz")
		var h struct {
			LastSeq uint64 `json:"last_seq"`
		}
		json.Unmarshal([]byte(body), &h)
		if h.LastSeq > rows/3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import did not get going within 60 s: %s", p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	<-imported

	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	last, atRestart := app.Store.LastSeq(), app.Search.Applied()
	if atRestart > last {
		t.Fatalf("the index claims event %d, but the log ends at %d", atRestart, last)
	}
	if err := app.Search.CatchUp(context.Background(), app.Store); err != nil {
		t.Fatal(err)
	}
	if app.Search.Applied() != last {
		t.Fatalf("after catching up the index is at event %d, the log at %d", app.Search.Applied(), last)
	}
	entries, files := countEntities(t, app)
	docs, _ := app.Search.Count()
	t.Logf("killed with %d events in the log, the index durable to event %d; after the catch-up %d documents for %d entries and %d files", last, atRestart, docs, entries, files)
	if docs != uint64(entries+files) {
		t.Fatalf("the index holds %d documents, the store %d entries and %d files", docs, entries, files)
	}
	if entries == 0 || entries >= rows {
		t.Fatalf("%d entries: the kill should land part-way through the %d rows", entries, rows)
	}
	// The last entry the log has is found by its number.
	res, err := app.Search.Search(context.Background(), search.Query{Number: lastImported(t, app)})
	if err != nil || res.Total != 1 {
		t.Fatalf("the last imported entry is not found by its number: %v %+v", err, res)
	}
}

// countEntities counts the register entries and files in the store.
func countEntities(t *testing.T, app *appliance.Appliance) (entries, files int) {
	t.Helper()
	app.Store.View(func(tx *store.Tx) error {
		entries, files = tx.Count("civil_entry"), tx.Count("file")
		return nil
	})
	return entries, files
}

// lastImported is the register number of the last entry the log imported.
func lastImported(t *testing.T, app *appliance.Appliance) string {
	t.Helper()
	for seq := app.Store.LastSeq(); seq > 0; seq-- {
		ev, err := app.Store.Event(seq)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == "birth.imported" {
			var e struct {
				Number string `json:"number"`
			}
			json.Unmarshal(ev.Data, &e)
			return e.Number
		}
	}
	t.Fatal("no birth.imported event in the log")
	return ""
}
