package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"ksmart/store"
	"ksmart/store/storetest"
)

// TestDocView_ReadsSeeEachWriteAtOnceAndARebuildAgrees: a view of the
// applications by status, built from the documents and then following the
// log, shows every write to a reader straight after it commits (a status
// changed, a document deleted, an event that names nothing left alone), and
// a view built afresh over the same store agrees with it.
func TestDocView_ReadsSeeEachWriteAtOnceAndARebuildAgrees(t *testing.T) {
	s := storetest.Open(t)
	changed := store.EventType{Name: "application.changed", Version: 1}
	put := func(id, status string) {
		t.Helper()
		if _, err := s.Write(func(tx *store.Tx) error {
			if status == "" {
				if err := tx.Delete("application", id); err != nil {
					return err
				}
			} else if err := tx.Put("application", id, application{Status: status}); err != nil {
				return err
			}
			return tx.Emit("clerk", changed, "application", id, nil)
		}); err != nil {
			t.Fatal(err)
		}
	}
	newView := func() (*store.DocView, map[string]string) {
		status := map[string]string{}
		v := &store.DocView{Store: s, Entity: "application",
			Reset:    func() { clear(status) },
			Affected: func(ev store.Event) []string { return []string{ev.ID} },
			Apply: func(id string, doc []byte) error {
				if doc == nil {
					delete(status, id)
					return nil
				}
				var a application
				if err := json.Unmarshal(doc, &a); err != nil {
					return err
				}
				status[id] = a.Status
				return nil
			}}
		return v, status
	}
	statusOf := func(v *store.DocView, status map[string]string, id string) string {
		t.Helper()
		var got string
		if err := v.Read(func() error { got = status[id]; return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}

	put("a1", "submitted")
	put("a2", "submitted")
	v, status := newView()
	if got := statusOf(v, status, "a1"); got != "submitted" {
		t.Fatalf("built from the documents: a1 is %q", got)
	}
	put("a1", "approved")
	if got := statusOf(v, status, "a1"); got != "approved" {
		t.Errorf("right after a1 was approved the view says %q", got)
	}
	put("a2", "")
	if got := statusOf(v, status, "a2"); got != "" {
		t.Errorf("a2 was deleted; the view still has it as %q", got)
	}
	put("a3", "submitted")
	fresh, freshStatus := newView()
	for _, id := range []string{"a1", "a2", "a3"} {
		if a, b := statusOf(v, status, id), statusOf(fresh, freshStatus, id); a != b {
			t.Errorf("%s: the followed view says %q, one built afresh %q", id, a, b)
		}
	}

	// Follow keeps it caught up and stops when its context ends.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.Follow(ctx) }()
	put("a3", "returned")
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Follow ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not stop when its context ended")
	}
	if got := statusOf(v, status, "a3"); got != "returned" {
		t.Errorf("a3 after following: %q", got)
	}
}
