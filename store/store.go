package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Sentinel errors. Each is wrapped with a message that names the record.
var (
	// ErrNotFound: no document, key, event or blob by that name.
	ErrNotFound = errors.New("store: not found")
	// ErrDuplicate: a unique key already belongs to another document.
	ErrDuplicate = errors.New("store: duplicate key")
	// ErrLocked: another process has the data directory open.
	ErrLocked = errors.New("store: data directory in use")
	// ErrChainBroken: the log's hash chain does not verify.
	ErrChainBroken = errors.New("store: log hash chain broken")
	// ErrCorrupt: the bbolt file is damaged or is not a ksmart store.
	ErrCorrupt = errors.New("store: data file corrupt")
	// ErrTooLarge: a blob over Options.MaxBlobSize.
	ErrTooLarge = errors.New("store: too large")
	// ErrReadOnly: a write attempted inside View.
	ErrReadOnly = errors.New("store: read-only transaction")
	// ErrClosed: the store is closed.
	ErrClosed = errors.New("store: closed")
)

// Options tune a Store. The zero value is what the appliance uses.
type Options struct {
	// LockTimeout is how long Open waits for another process to release the
	// file before it gives up with ErrLocked. Default 2s.
	LockTimeout time.Duration
	// MaxBlobSize limits one blob. Default 20 MiB.
	MaxBlobSize int
	// MaxBatch limits how many writes one commit gathers. Default 256.
	MaxBatch int
	// Now is the clock that stamps events. Default time.Now.
	Now func() time.Time
	// ReadOnly opens the file without taking the write lock exclusively
	// (for check and backup tools); Write then fails.
	ReadOnly bool
	// LocalEntities are the entities whose documents are written without
	// events (sessions, delivery state): they are not replicated and Check
	// does not verify them. A change to the list is recorded in the log
	// (EventLocalEntities) at Open.
	LocalEntities []string
	// Replica marks a store that copies another's log (AppendReplica: the
	// state's mirrors, a restore) or a tool that must not add to the log:
	// the store then writes no event of its own. It declares no local
	// entities, and a file of an older schema that holds events keeps that
	// schema until a store without Replica opens it and seals it.
	Replica bool
}

// Store is an open data directory.
type Store struct {
	db   *bolt.DB
	dir  string
	opts Options

	queue   chan *writeRequest
	stopped chan struct{}
	closeMu sync.RWMutex
	closed  bool

	// Owned by the committer goroutine; read by others through mu.
	mu       sync.Mutex
	lastSeq  uint64
	lastHash []byte
	notify   chan struct{} // closed and replaced after every commit
	stats    Stats

	// metaDamage says, when one of the file's meta pages was damaged at
	// open, what that means; "" otherwise.
	metaDamage string
	bound      bool // the log binds change sets (meta "bound"); guarded by mu
	diskFull   atomic.Bool
	// releasedAt is when the mapping's pages were last given back
	// (releaseMapped), in Unix nanoseconds.
	releasedAt atomic.Int64

	reserveMu sync.Mutex
	sequences map[string]*sequence // Reserve's state, per sequence
}

// Open opens (creating if needed) the store in data directory dir.
func Open(dir string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if err := prepareDir(dir, opts.ReadOnly); err != nil {
		return nil, err
	}
	return openPath(dir, filepath.Join(dir, DBFile), opts)
}

// withDefaults fills in the zero fields.
func (opts Options) withDefaults() Options {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 2 * time.Second
	}
	if opts.MaxBlobSize == 0 {
		opts.MaxBlobSize = 20 << 20
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = 256
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return opts
}

// openPath opens the bbolt file at path, named in messages as given.
func openPath(dir, path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	var pre precheckResult
	if _, err := os.Stat(path); err == nil || opts.ReadOnly {
		unlock, err := lockForCheck(path, !opts.ReadOnly, opts.LockTimeout)
		if err != nil {
			return nil, err
		}
		pre, err = precheckFile(path)
		unlock()
		if err != nil {
			return nil, err
		}
	}
	db, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dir: dir, opts: opts, notify: make(chan struct{}), stopped: make(chan struct{}), metaDamage: pre.metaDamage}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	if !opts.ReadOnly {
		s.queue = make(chan *writeRequest, opts.MaxBatch)
		go s.commitLoop()
	} else {
		close(s.stopped)
	}
	return s, nil
}

func prepareDir(dir string, readOnly bool) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%w: data directory %s is a file, not a directory; give --data a directory", ErrCorrupt, dir)
	case errors.Is(err, os.ErrNotExist) && !readOnly:
		return os.MkdirAll(dir, 0o750)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%w: data directory %s does not exist", ErrNotFound, dir)
	case err != nil:
		return err
	}
	if readOnly {
		if _, err := os.Stat(filepath.Join(dir, DBFile)); err != nil {
			return fmt.Errorf("%w: no %s in %s; is this a ksmart data directory?", ErrNotFound, DBFile, dir)
		}
	}
	return nil
}

// openBolt opens the file, turning bbolt's errors and panics on a damaged
// file into ErrCorrupt or ErrLocked with a message that says what to do.
func openBolt(path string, opts Options) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s cannot be read (%v); restore it from a backup with 'ksmart restore'", ErrCorrupt, path, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        opts.LockTimeout,
		ReadOnly:       opts.ReadOnly,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s is locked by another ksmart process; stop it first (waited %s)", ErrLocked, path, opts.LockTimeout)
	case err != nil:
		return nil, fmt.Errorf("%w: %s cannot be opened (%v); restore it from a backup with 'ksmart restore'", ErrCorrupt, path, err)
	}
	return db, nil
}

// init creates the buckets, checks the schema version and loads the tail of
// the log into memory.
func (s *Store) init() (err error) {
	// A damaged file can make bbolt touch mapped memory past the end of the
	// file; turn that fault into a panic we recover, not a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v; restore from a backup with 'ksmart restore'", ErrCorrupt, r)
		}
	}()
	if !s.opts.ReadOnly {
		err = s.db.Update(func(tx *bolt.Tx) error {
			for _, name := range topBuckets {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			if s.opts.Replica && schemaOf(tx) > 0 && schemaOf(tx) < 3 && tx.Bucket(bucketLog).Stats().KeyN > 0 {
				return nil // sealing it writes events: the next writable open's
			}
			// bbolt's open has just walked every page of the file.
			s.releaseIn(tx)
			from, err := migrate(tx)
			if err != nil || s.opts.Replica {
				return err
			}
			return s.bindState(tx, from)
		})
		if err != nil {
			return err
		}
	}
	return s.db.View(func(tx *bolt.Tx) error {
		if err := checkSize(tx, s.db.Path()); err != nil {
			return err
		}
		for _, name := range topBuckets {
			if tx.Bucket(name) == nil && !bytes.Equal(name, bucketChanges) {
				return fmt.Errorf("%w: bucket %q missing; this is not a ksmart data file", ErrCorrupt, name)
			}
		}
		if v := tx.Bucket(bucketMeta).Get(keySchema); len(v) != 8 || binary.BigEndian.Uint64(v) > schemaVersion {
			return fmt.Errorf("%w: schema version unknown to this ksmart (%x); upgrade ksmart", ErrCorrupt, v)
		}
		k, v := tx.Bucket(bucketLog).Cursor().Last()
		if k == nil {
			return nil
		}
		ev, err := DecodeEvent(v)
		if err != nil {
			return fmt.Errorf("%w: last event: %v", ErrChainBroken, err)
		}
		s.lastSeq, s.lastHash = ev.Seq, ev.Hash
		s.bound = tx.Bucket(bucketMeta).Get(keyBound) != nil
		return nil
	})
}

// checkSize refuses a file shorter than its own meta page says it is (a
// truncated copy, a full disk): reading past the end would fault.
func checkSize(tx *bolt.Tx, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if tx.Size() > fi.Size() {
		return fmt.Errorf("%w: %s is %d bytes but its header says %d: the file was truncated; restore it from a backup", ErrCorrupt, path, fi.Size(), tx.Size())
	}
	return nil
}

// migrations bring a file from version i to i+1; each is idempotent.
var migrations = []func(*bolt.Tx) error{
	// 0 → 1: the buckets above; nothing to move.
	func(*bolt.Tx) error { return nil },
	// 1 → 2: the changes bucket (created with the others); writes before
	// it have no change sets.
	func(*bolt.Tx) error { return nil },
	// 2 → 3: change sets bound into the chain; sealing the state as it
	// stands is bindState's, which needs the store's options and writes an
	// event.
	func(*bolt.Tx) error { return nil },
}

// schemaOf returns the file's schema version, 0 for a new file.
func schemaOf(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(keySchema); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// migrate runs the migrations the file lacks and returns the schema it had
// (0 for a new file).
func migrate(tx *bolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	var have uint64
	if v := meta.Get(keySchema); len(v) == 8 {
		have = binary.BigEndian.Uint64(v)
	}
	if have > schemaVersion {
		return have, fmt.Errorf("%w: data file has schema %d, this ksmart knows up to %d; upgrade ksmart", ErrCorrupt, have, schemaVersion)
	}
	for v := have; v < schemaVersion; v++ {
		if err := migrations[v](tx); err != nil {
			return have, err
		}
	}
	return have, meta.Put(keySchema, binary.BigEndian.AppendUint64(nil, schemaVersion))
}

// MetaDamage returns a sentence for the operator when one of the file's two
// meta pages was damaged at Open (the file opened from the other, and a
// write rewrites the damaged one), or "" when both were sound. Check
// reports the same as an error wrapping ErrMetaDamaged.
func (s *Store) MetaDamage() string { return s.metaDamage }

// DiskFull reports whether the last commit failed because the disk is
// full (an error wrapping syscall.ENOSPC): nothing of it was written.
// The next commit that succeeds clears it.
func (s *Store) DiskFull() bool { return s.diskFull.Load() }

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the bbolt file's path.
func (s *Store) Path() string { return s.db.Path() }

// Close waits for pending writes to commit and closes the file.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	if s.queue != nil {
		close(s.queue)
	}
	s.closeMu.Unlock()
	<-s.stopped
	return s.db.Close()
}

// LastSeq returns the sequence number of the last committed event (0 when
// the log is empty).
func (s *Store) LastSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastSeq
}

// LastHash returns the hash of the last committed event.
func (s *Store) LastHash() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.lastHash)
}

// reserveBlock is how many numbers Reserve sets aside with one write.
const reserveBlock = 64

// sequence is Reserve's state for one sequence.
type sequence struct {
	next, end uint64        // next number to hand out; last one set aside on disk
	extending chan struct{} // closed when the block being set aside is on disk; nil when none is
	err       error         // why the last extension failed
}

// Reserve hands out the next number of the named sequence outside a write,
// so that a caller can build and encode everything that carries the number
// before Write, away from the single committer. The Write that uses the
// number should call tx.UseNumber. A number is never handed out twice, even
// across a crash: Reserve durably sets aside a block of numbers before it
// hands out any of them (the next block is set aside while the current one
// is still in use, so callers rarely wait), and after a restart it starts
// above the last block. So a restart, or a write that fails, leaves gaps.
// A sequence is used either through Reserve or through Tx.NextNumber
// (gapless), never both. Reserve must not be called from inside a Write
// function.
func (s *Store) Reserve(name string) (uint64, error) {
	if err := checkName("sequence", name); err != nil {
		return 0, err
	}
	s.reserveMu.Lock()
	if s.sequences == nil {
		s.sequences = map[string]*sequence{}
	}
	seq := s.sequences[name]
	if seq == nil {
		seq = &sequence{}
		s.sequences[name] = seq
	}
	for {
		if seq.next > 0 && seq.next <= seq.end {
			n := seq.next
			seq.next++
			if seq.end-n < reserveBlock/2 && seq.extending == nil {
				s.extend(name, seq)
			}
			s.reserveMu.Unlock()
			return n, nil
		}
		if seq.extending == nil {
			if err := seq.err; err != nil {
				seq.err = nil
				s.reserveMu.Unlock()
				return 0, err
			}
			s.extend(name, seq)
		}
		wait := seq.extending
		s.reserveMu.Unlock()
		<-wait
		s.reserveMu.Lock()
	}
}

// extend sets the next block of the sequence aside on disk, in the
// background. Called with reserveMu held.
func (s *Store) extend(name string, seq *sequence) {
	done := make(chan struct{})
	seq.extending = done
	go func() {
		var from, to uint64
		_, err := s.Write(func(tx *Tx) error {
			from, to = tx.CurrentNumber(name)+1, tx.CurrentNumber(name)+reserveBlock
			return tx.stage(stagedWrite{top: bucketNumbers, key: []byte(name), value: binary.BigEndian.AppendUint64(nil, to)})
		})
		s.reserveMu.Lock()
		if err != nil {
			seq.err = err
		} else {
			if seq.next == 0 || seq.next > seq.end {
				seq.next = from // the old block is used up, or this is the first
			}
			seq.end = to
		}
		seq.extending = nil
		s.reserveMu.Unlock()
		close(done)
	}()
}

// View runs fn in a read-only transaction over committed state.
//
// On a closed store it returns ErrClosed, as Write does: a reader that
// loops until the store closes (the outbox, the indexer) sees one error
// however the close and its read interleave.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.view(func(btx *bolt.Tx) error {
		return fn(&Tx{btx: btx, store: s})
	})
}

// view runs a bbolt read transaction, answering ErrClosed on a closed
// store.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	err := s.db.View(fn)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// Stats are counters since Open.
type Stats struct {
	Commits uint64 // bbolt write transactions committed by Write
	Events  uint64 // events committed
	// PageWrites and PageBytes are what bbolt wrote to the file, one
	// write call per page or run of overflow pages, since the store opened:
	// a write's true cost, which grows with the pages it dirties, not only
	// with its bytes.
	PageWrites, PageBytes uint64
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	st := s.stats
	s.mu.Unlock()
	tx := s.db.Stats().TxStats
	st.PageWrites = uint64(tx.GetWrite())
	st.PageBytes = uint64(tx.GetPageAlloc())
	return st
}
