package stateview

import (
	"log/slog"
	"sync"
	"time"

	"ksmart/store"
)

// following is how the state index and the counters follow the FSM: the
// set of bodies each has yet to catch up, fed by the FSM's applies and
// snapshot installs and by a recheck of every body now and then, and the
// workers that catch them up, one body at a time each, lowest code first.
// A body is never caught up by two workers at once.
type following struct {
	src    replicaSource
	logger *slog.Logger
	// others lists bodies to recheck besides those the FSM holds (the
	// index's: bodies it indexed that the state may have dropped).
	others func() []string
	// catchUp brings a body up to the FSM, from scratch when restored (a
	// snapshot was installed since); more means it is not there yet.
	catchUp func(code string, restored bool) (more bool)

	mu       sync.Mutex
	dirty    map[string]bool // bodies to catch up; true: after a snapshot install
	busy     map[string]bool // bodies a worker is catching up
	restored bool            // a snapshot was installed: every body is dirty
	wake     chan struct{}
	stop     chan struct{}
	wg       sync.WaitGroup
}

// follow starts following the FSM: every body is marked now, and workers
// catch up what is marked; every recheck marks every body again.
func follow(src replicaSource, logger *slog.Logger, workers int, recheck time.Duration, others func() []string, catchUp func(code string, restored bool) bool) *following {
	f := &following{src: src, logger: logger, others: others, catchUp: catchUp,
		dirty: map[string]bool{}, busy: map[string]bool{}, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	src.OnApplied(func(code string, _ []store.Event) { f.mark(code, false) })
	src.OnRestore(func() {
		f.mu.Lock()
		f.restored = true
		f.mu.Unlock()
		f.signal()
	})
	f.markAll(false)
	for range workers {
		f.wg.Add(1)
		go f.work()
	}
	f.wg.Add(1)
	go f.recheck(recheck)
	return f
}

// close stops the workers, after the body each is catching up.
func (f *following) close() {
	close(f.stop)
	f.wg.Wait()
}

func (f *following) mark(code string, restored bool) {
	f.mu.Lock()
	f.dirty[code] = f.dirty[code] || restored
	f.mu.Unlock()
	f.signal()
}

func (f *following) signal() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// markAll marks every body the FSM holds, and the others.
func (f *following) markAll(restored bool) {
	bodies, err := f.src.Bodies()
	if err != nil {
		f.logger.Warn("reading the bodies the state holds", "error", err)
	}
	for _, b := range bodies {
		f.mark(b.Code, restored)
	}
	if f.others != nil {
		for _, code := range f.others() {
			f.mark(code, restored)
		}
	}
}

// next takes the lowest marked body no worker has.
func (f *following) next() (code string, restored, ok bool) {
	f.mu.Lock()
	all := f.restored
	f.restored = false
	f.mu.Unlock()
	if all {
		f.markAll(true)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.dirty {
		if !f.busy[c] && (!ok || c < code) {
			code, ok = c, true
		}
	}
	if !ok {
		return "", false, false
	}
	restored = f.dirty[code]
	delete(f.dirty, code)
	f.busy[code] = true
	return code, restored, true
}

// done hands a body back; marked again meanwhile, it is taken again.
func (f *following) done(code string) {
	f.mu.Lock()
	delete(f.busy, code)
	more := len(f.dirty) > 0
	f.mu.Unlock()
	if more {
		f.signal()
	}
}

func (f *following) work() {
	defer f.wg.Done()
	for {
		select {
		case <-f.stop:
			return
		case <-f.wake:
		}
		for {
			select {
			case <-f.stop:
				return
			default:
			}
			code, restored, ok := f.next()
			if !ok {
				break
			}
			f.signal() // another worker may take the next body
			more := f.catchUp(code, restored)
			f.done(code)
			if more {
				f.mark(code, false)
			}
		}
	}
}

func (f *following) recheck(every time.Duration) {
	defer f.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
			f.markAll(false)
		}
	}
}
