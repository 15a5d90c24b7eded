package pgpeer

import (
	"context"
	"sync"
	"testing"
	"time"
)

// application is a small application as the submit benchmark gives it.
func application() Application {
	return Application{
		UserID: "0000000007", NumberPrefix: "KS/M001/2026/BC/",
		File: []byte(`{"service":"birth_certificate"}`), Entry: []byte(`{"status":"in_progress"}`),
		Desks: []string{"open", "clerk"}, Due: time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC),
		Message:       []byte(`{"kind":"acknowledgement"}`),
		SubmittedType: "application.submitted", SubmittedData: []byte(`{"service":"birth_certificate"}`),
		QueuedType: "message.queued", QueuedData: []byte(`{"kind":"acknowledgement"}`),
	}
}

// startSubmitPeer starts a submit peer for conns clients and connects them.
func startSubmitPeer(t *testing.T, conns int) (*Peer, *Submitter) {
	t.Helper()
	requirePostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := StartSubmit(ctx, t.TempDir(), conns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	s, err := DialSubmit(ctx, p.SocketDir(), conns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return p, s
}

func TestSubmit_ConcurrentApplicationsAreEachWrittenWholeWithTheirOwnNumbers(t *testing.T) {
	p, s := startSubmitPeer(t, 8)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8*5)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				errs <- s.Submit(ctx, application())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	files, rows, err := p.CountApplications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if files != 40 || rows != 40*7 {
		t.Errorf("%d files in %d rows, want 40 in 280 (file, two desk entries, the applicant's row, the message, two events)", files, rows)
	}
	var numbers int
	if err := p.pool.QueryRow(ctx, `SELECT count(DISTINCT number) FROM file WHERE number LIKE 'KS/M001/2026/BC/%'`).Scan(&numbers); err != nil {
		t.Fatal(err)
	}
	if numbers != 40 {
		t.Errorf("%d distinct application numbers, want 40", numbers)
	}
	var durable string
	if err := p.pool.QueryRow(ctx, `SELECT current_setting('synchronous_commit') || ' ' || current_setting('fsync')`).Scan(&durable); err != nil {
		t.Fatal(err)
	}
	if durable != "on on" {
		t.Errorf("synchronous_commit and fsync are %q, want on on: the peer's commits must be durable as ours are", durable)
	}
}

func TestSubmit_AnApplicationThatFailsHalfwayLeavesNothing(t *testing.T) {
	p, s := startSubmitPeer(t, 2)
	ctx := context.Background()
	bad := application()
	bad.Desks = []string{"clerk", "clerk"} // the second desk entry collides with the first, after the file is inserted
	if err := s.Submit(ctx, bad); err == nil {
		t.Fatal("an application with the same desk twice was written")
	}
	if files, rows, err := p.CountApplications(ctx); err != nil || files != 0 || rows != 0 {
		t.Errorf("after the failed application: %d files, %d rows (%v); want nothing", files, rows, err)
	}
	if err := s.Submit(ctx, application()); err != nil {
		t.Fatalf("the next application: %v", err)
	}
	if files, rows, _ := p.CountApplications(ctx); files != 1 || rows != 7 {
		t.Errorf("after the next application: %d files, %d rows; want 1 in 7", files, rows)
	}
}
