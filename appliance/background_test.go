package appliance_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/synth"
)

// syncBuffer is a log the test reads while the appliance writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestClose_WaitsForTheBackgroundWorkSoNothingFailsAfterTheStoreCloses(t *testing.T) {
	lb := synth.DemoLocalBody()
	log := &syncBuffer{}
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedDemo(app, 20, 11, nil, nil); err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{})
	// As serve runs it; the context never ends here, so only Close stops
	// the background work.
	go func() { app.Run(context.Background()); close(ran) }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := app.Search.WaitFor(ctx, app.Store.LastSeq()); err != nil {
		t.Fatalf("the indexer Run started did not catch up: %v", err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	default:
		t.Fatal("Run's background work is still running after Close returned and closed the store")
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Fatalf("errors were logged around Close:\n%s", log)
	}
}
