package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The appliance's live heap is often small (~20 MB serving 1M register
// entries) while it allocates fast as it answers (~60 KB a request, ~75 KB
// a commit of an application). Go's default collects each time the heap has
// doubled: with 20 MB live, every 20 MB allocated, which cost ~100 µs of CPU
// per application submitted through the API (bench submit: 608 → 500 µs at
// GOGC=400). A fixed GOGC=400 with a 1 GiB soft limit made a server with
// 100k files 1.7 GB resident, against 0.76 GB. So the heap may grow by at
// least gcHeadroom past what the last collection found live, and by no
// less than Go's default: a small heap is collected four to eight times
// less often, a large one as before. Tuning values, not rules; GOGC set in
// the environment turns this off.
const (
	gcHeadroom    = 128 << 20
	gcMostPercent = 800
)

// gcPercentFor is the GOGC that lets a heap of live bytes grow by
// gcHeadroom, between Go's default of 100 and gcMostPercent.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcMostPercent
	}
	return int(min(max(100, gcHeadroom*100/live), gcMostPercent))
}

// tuneGC sets the collector's percentage from the live heap at start and
// again after every collection, for the life of the process, unless GOGC
// is set. After a collection, not on a clock: the live heap can fall from
// 135 MB to 15 MB in one (argon2's memory of sign-ups freed), and the
// percentage for 135 MB would then collect every 15 MB allocated.
func tuneGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	set := func(last int) int {
		metrics.Read(live)
		pct := gcPercentFor(live[0].Value.Uint64())
		if pct != last {
			debug.SetGCPercent(pct)
		}
		return pct
	}
	afterNextGC(set(0), set)
}

// gcSentinel is garbage at once; its cleanup runs after the collection
// that finds it. It holds pointers so that it is allocated on its own, not
// in a block of tiny objects that might outlive it.
type gcSentinel struct{ _ [2]*byte }

// afterNextGC calls set after the next collection, and again after each one.
func afterNextGC(last int, set func(last int) int) {
	runtime.AddCleanup(new(gcSentinel), func(last int) { afterNextGC(set(last), set) }, last)
}
