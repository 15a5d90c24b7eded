package stateview

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"ksmart/store"
	"ksmart/store/storetest"
)

// The index's four workers and the counters' one share how they follow the
// FSM: a body changed while a worker catches it up is caught up again
// after, never by two workers at once, and a snapshot installed has every
// body caught up from scratch.
func TestFollowing_ABodyIsCaughtUpByOneWorkerAtATimeAndEveryBodyAfterARestore(t *testing.T) {
	src := newFakeSource()
	codes := []string{"G01", "G02", "G03", "M04", "M05", "C06"}
	stores := map[string]*store.Store{}
	for _, c := range codes {
		stores[c] = storetest.Open(t)
		src.set(c, stores[c], 0, false)
	}
	var (
		mu       sync.Mutex
		inside   = map[string]int{}
		calls    = map[string]int{}
		restored = map[string]bool{}
		problems []string
	)
	f := follow(src, slog.New(slog.NewTextHandler(io.Discard, nil)), 4, time.Hour, nil, func(code string, r bool) bool {
		mu.Lock()
		inside[code]++
		if inside[code] > 1 {
			problems = append(problems, fmt.Sprintf("%s caught up by %d workers at once", code, inside[code]))
		}
		calls[code]++
		first := calls[code] == 1
		if r {
			restored[code] = true
		}
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		inside[code]--
		mu.Unlock()
		return first // not there yet the first time: again at once
	})
	defer f.close()
	// Changes arrive for every body while workers are at them.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				f.mark(codes[(i+j)%len(codes)], false)
			}
		}()
	}
	wg.Wait()
	settle := func(want func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			ok := want()
			mu.Unlock()
			if ok {
				return
			}
		}
		t.Fatalf("not settled: calls %v, restored %v", calls, restored)
	}
	settle(func() bool {
		for _, c := range codes {
			if calls[c] < 2 {
				return false
			}
		}
		return true
	})
	src.set("G01", stores["G01"], 0, true) // a snapshot installed: tells OnRestore
	settle(func() bool {
		for _, c := range codes {
			if !restored[c] {
				return false
			}
		}
		return true
	})
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("%d times a body was caught up twice at once, e.g. %s", len(problems), problems[0])
	}
}
