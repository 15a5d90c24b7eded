package appliance

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// ShutdownWait bounds how long Close waits for the background work Run
// started (the indexer, escalation, the outbox, the jobs) to finish what it
// is doing before the store closes under it. A job still running after
// that is logged by name, and the store closes anyway.
const ShutdownWait = 30 * time.Second

// background runs fn as background work that Close waits for. A panic in
// fn (a derived worker meeting what it did not expect, a library failing
// as the disk fills) is logged with its stack and fn is started again
// after a pause: background work never takes the process down.
func (a *Appliance) background(name string, fn func()) {
	a.bgMu.Lock()
	defer a.bgMu.Unlock()
	if a.bgRunning == nil {
		a.bgRunning = map[string]int{}
	}
	a.bgRunning[name]++
	a.bg.Add(1)
	go func() {
		defer func() {
			a.bgMu.Lock()
			a.bgRunning[name]--
			a.bgMu.Unlock()
			a.bg.Done()
		}()
		for a.supervised(name, fn) {
			select {
			case <-a.closing:
				return
			case <-time.After(a.retry):
			}
		}
	}()
}

// supervised runs fn and reports whether it panicked.
func (a *Appliance) supervised(name string, fn func()) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			a.panics.Add(1)
			a.Logger.Error("background work panicked; starting it again", "work", name, "after", a.retry, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			panicked = true
		}
	}()
	fn()
	return false
}

// runContext returns a context that ends with ctx or when Close begins,
// whichever is first: background work stops on either.
func (a *Appliance) runContext(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-a.closing:
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx
}

// awaitBackground waits, at most ShutdownWait, for the background work to
// end, and logs what is still running if it does not.
func (a *Appliance) awaitBackground() {
	done := make(chan struct{})
	go func() { a.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(ShutdownWait):
		a.bgMu.Lock()
		var still []string
		for name, n := range a.bgRunning {
			if n > 0 {
				still = append(still, name)
			}
		}
		a.bgMu.Unlock()
		a.Logger.Warn("closing the store while background work is still running", "waited", ShutdownWait, "running", still)
	}
}
