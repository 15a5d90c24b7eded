package store

import (
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// releaseEvery is how often the committer gives the pages of the file's
// mapping back (see releaseMapped): often enough that an import or a
// follower reading the whole log keeps only a few seconds' worth of pages
// resident, seldom enough that the pages in use are rarely faulted in again.
const releaseEvery = 2 * time.Second

// releaseMapped drops the pages of bbolt's mapping of the file from this
// process's resident set (madvise MADV_DONTNEED). The mapping is shared,
// read-only and of a file, so nothing is lost: the pages stay in the
// kernel's page cache and the next read maps them again (a minor fault).
// Without it every page ever read stays mapped: bbolt's open walks every
// page of the file to rebuild the freelist (NoFreelistSync), so a 3.9 GB
// file of 1M births made a freshly started server 3.6 GB resident, and an
// import that indexes what it writes mapped 2.2 GB of it.
//
// It must run inside a bbolt write transaction: only a write transaction's
// commit remaps the file, so the mapping's address and size cannot change
// under it. (Rolling back a write transaction instead would rebuild the
// freelist by walking every page again.)
func releaseMapped(db *bolt.DB, btx *bolt.Tx) {
	// bbolt's Info gives the mapping's address; the used size is within the
	// mapping. An error only means nothing was released.
	syscall.Syscall(syscall.SYS_MADVISE, db.Info().Data, uintptr(btx.Size()), syscall.MADV_DONTNEED)
}

// releaseIn releases the mapping's pages inside the write transaction btx
// and notes when.
func (s *Store) releaseIn(btx *bolt.Tx) {
	releaseMapped(s.db, btx)
	s.releasedAt.Store(time.Now().UnixNano())
}

// releaseDue gives the mapping's pages back when a reader of many pages (a
// follower catching up on the log) has read for releaseEvery since they
// were last given back.
func (s *Store) releaseDue() error {
	if s.opts.ReadOnly || time.Since(time.Unix(0, s.releasedAt.Load())) < releaseEvery {
		return nil
	}
	return s.ReleaseMemory()
}

// ReleaseMemory gives the pages of the file's mapping that reads have
// touched back to the kernel, with an empty commit, for a process that
// reads much and writes little; the committer does it by itself at most
// every few seconds of writing.
func (s *Store) ReleaseMemory() error {
	_, err := s.Write(func(tx *Tx) error { tx.release = true; return nil })
	return err
}
