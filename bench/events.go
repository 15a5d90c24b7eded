package bench

import "ksmart/store"

// EventWritten is the event the store and state benchmarks write to a
// scratch store: one per measured write (entity "bench" or "file"; data: the
// benchmark's payload). It is no part of a node's vocabulary
// (appliance.EventTypes) and never reaches a real data directory.
var EventWritten = store.EventType{Name: "bench.written", Version: 1}

// Events lists the event types the benchmarks write.
var Events = []store.EventType{EventWritten}
