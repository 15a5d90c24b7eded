package store

import (
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// releaseEvery is how often the store gives the pages of the file's
// mapping back (see releaseMapped): often enough that an import or a
// follower reading the whole log keeps only a few seconds' worth of pages
// resident, seldom enough that the pages in use are rarely faulted in again.
const releaseEvery = 2 * time.Second

// releaseMapped drops the pages of bbolt's mapping of the file from this
// process's resident set (madvise MADV_DONTNEED). The mapping is shared,
// read-only and of a file, so nothing is lost: the pages stay in the
// kernel's page cache and the next read maps them again (a minor fault).
// Without it every page ever read stays mapped: bbolt's open walks every
// page of the file to rebuild the freelist (NoFreelistSync), and the
// appliance's open walks the whole log to verify the chain, so a 3.9 GB
// file of 1M births made a freshly started server 3.6 GB resident, and an
// import that indexes what it writes mapped 2.2 GB of it.
//
// It must run inside a bbolt transaction, read or write: an open
// transaction holds bbolt's mmap lock for reading, and bbolt remaps the
// file only with it held for writing, so the mapping's address and size
// cannot change under the call.
func releaseMapped(db *bolt.DB, btx *bolt.Tx) {
	// bbolt's Info gives the mapping's address; the used size is within the
	// mapping. An error only means nothing was released.
	syscall.Syscall(syscall.SYS_MADVISE, db.Info().Data, uintptr(btx.Size()), syscall.MADV_DONTNEED)
}

// releaseIn releases the mapping's pages inside the transaction btx and
// notes when.
func (s *Store) releaseIn(btx *bolt.Tx) {
	releaseMapped(s.db, btx)
	s.releasedAt.Store(time.Now().UnixNano())
}

// releaseDue releases the mapping's pages inside btx when they were last
// released releaseEvery ago or more: for readers of many pages (a follower
// catching up on the log, the chain's walk at open) and the committer.
func (s *Store) releaseDue(btx *bolt.Tx) {
	if time.Since(time.Unix(0, s.releasedAt.Load())) >= releaseEvery {
		s.releaseIn(btx)
	}
}

// ReleaseMemory gives the pages of the file's mapping that reads have
// touched back to the kernel now; the store does it by itself at most
// every few seconds while it writes or reads the log.
func (s *Store) ReleaseMemory() error {
	return s.db.View(func(btx *bolt.Tx) error { s.releaseIn(btx); return nil })
}
