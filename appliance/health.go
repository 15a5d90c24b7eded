package appliance

import (
	"syscall"
)

// Health is what the administrator's page and /metrics say of the things
// that can fail without a request failing: the disk, the search index and
// the background work.
type Health struct {
	// DiskFull: the last write was refused because the data directory's
	// disk is full; nothing of it was written. The next write that
	// succeeds clears it.
	DiskFull bool
	// FreeBytes is the space left for ksmart on the data directory's file
	// system (0 when it cannot be read).
	FreeBytes uint64
	// IndexBroken: the search index failed (as when the disk filled) and
	// waits to be set aside and rebuilt from the log; IndexErr says why
	// indexing stopped, if it has.
	IndexBroken bool
	IndexErr    string
	// Panics are the panics recovered in background work since start,
	// each logged with its stack.
	Panics uint64
}

// Health returns the appliance's health now.
func (a *Appliance) Health() Health {
	h := Health{DiskFull: a.Store.DiskFull(), IndexBroken: a.indexBroken.Load(), Panics: a.panics.Load()}
	var st syscall.Statfs_t
	if syscall.Statfs(a.Store.Dir(), &st) == nil {
		h.FreeBytes = uint64(st.Bavail) * uint64(st.Bsize)
	}
	if err := a.Search.Err(); err != nil {
		h.IndexErr = err.Error()
	}
	return h
}
