package stateview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/replication"
	"ksmart/search"
	"ksmart/store"
)

// Mirrors are the state view's copies of each local body: on every state
// node, <node dir>/mirrors/<code>/ holds a store.Store fed only by
// AppendReplica from the FSM's copy of the body's log and change sets, so
// that it holds the body's current documents, and a search.Index over it
// made by the modules' own search sources (appliance.SearchSources). The
// figures, certificate verification and the state-wide search of the view
// read them.
//
// Mirrors are derived: deleting mirrors/ (or one body's directory) makes
// them again from the FSM. They follow the FSM of the node they run on, so
// on a follower they may trail the leader a little, and always trail this
// node's FSM by the moment it takes to append; every answer of the view
// says by how much.
//
// A body's mirror is rebuilt from nothing when it contradicts the FSM: its
// last event is not the FSM's event of that sequence, or (after a snapshot
// was installed) it is ahead of the FSM. Stores are opened when needed and
// at most MaxOpen stay open (those whose index has caught up, least
// recently used, are closed first), so 1,200 bodies need not hold 1,200
// bbolt files and Bleve indexes open. DESIGN.md ("Mirrors") has the
// reasons.
type Mirrors struct {
	cfg     MirrorsConfig
	src     replicaSource
	logger  *slog.Logger
	modules []module.Module
	cat     *catalogue.Catalogue // the catalogue the modules' sources and hits read
	sources []search.Source
	indexed map[string]bool // the entities the sources index

	mu      sync.Mutex // guards mirrors, and each mirror's lastUse and isOpen
	mirrors map[string]*mirror
	nOpen   int
	closed  bool

	dirtyMu  sync.Mutex
	dirty    map[string]bool // bodies to catch up; true: after a snapshot install
	busy     map[string]bool // bodies a worker is catching up
	wake     chan struct{}
	restored bool // a snapshot was installed since the last full check

	stop chan struct{}
	wg   sync.WaitGroup

	// counters keep each body's figures as the FSM applies its writes.
	counters *Counters
}

// MirrorsConfig configures a node's mirrors. Zero values take the defaults
// noted.
type MirrorsConfig struct {
	// Dir holds one directory per body; default <node dir>/mirrors.
	Dir string
	// MaxOpen is how many bodies' stores and indexes stay open at once;
	// default 128 (each holds a bbolt file and a Bleve index's files open).
	MaxOpen int
	// Workers is how many bodies are caught up at once; default 2.
	Workers int
	// Page is how many events one read from the FSM and one append take;
	// default 2000.
	Page int
	// Counters is the file of the bodies' figures kept as counters
	// (counters.go); default <Dir>/counters.db.
	Counters string
	// Recheck is how often every body is compared with the FSM even
	// without news from it, as a safety net; default 1 minute.
	Recheck time.Duration
	// TailQuiet is how long events at the head of a body's log that no
	// change set closes (see releaseTail) wait before they are appended;
	// default 3s.
	TailQuiet time.Duration
	// Now is the clock figures are computed at (overdue files, the last 24
	// months); default time.Now.
	Now func() time.Time
}

// replicaSource is what mirrors read: the FSM. It is an interface so that
// a test can feed mirrors from stores directly.
type replicaSource interface {
	Body(code string) (replication.BodyInfo, bool, error)
	Bodies() ([]replication.BodyInfo, error)
	Forks(code string) ([]replication.Fork, error)
	ReadReplica(code string, from uint64, limit int) ([]store.Event, [][]byte, error)
	// ReadChange is one record of an event's change set
	// (replication.FSM.ReadChange).
	ReadChange(code string, seq uint64, at int) (store.Change, bool, error)
	OnApplied(fn func(code string, events []store.Event))
	OnRestore(fn func())
}

// mirror is one body's mirror, open or not.
type mirror struct {
	code string
	dir  string

	// rw is held for reading while the store or index is in use, and for
	// writing to open, close or delete them.
	rw   sync.RWMutex
	open *openMirror

	lastUse time.Time // guarded by Mirrors.mu
	isOpen  bool      // guarded by Mirrors.mu

	smu   sync.Mutex // guards the fields below
	state mirrorState
	tail  tailWait
}

// tailWait is when a mirror first held back events at the FSM's head
// (releaseTail), and the head then.
type tailWait struct {
	head  uint64
	since time.Time
}

// mirrorState is what is known of a mirror without opening it.
type mirrorState struct {
	Seq      uint64
	Hash     []byte
	Known    bool // Seq and Hash were read from the mirror since this process started
	Ahead    bool // the mirror holds more than this node's FSM (which is replaying)
	Partial  bool // the log is held but not the state (shipped before change sets)
	Identity bool // the body's identity (appliance.LocalBodyIn) is in the mirror
	Body     domain.LocalBody
	Waiting  uint64 // events at the head held back until their write is known to be whole (see releaseTail)
	IndexSeq uint64 // what the index had applied when the mirror was last closed
	Err      string // the last failure catching up, if any
	Rebuilds int    // times rebuilt since this process started
}

// openMirror is an open mirror's store and index, and the goroutine that
// keeps the index following the store.
type openMirror struct {
	st     *store.Store
	ix     *search.Index
	cancel context.CancelFunc
	done   chan struct{}
}

// errRebuild says a mirror contradicts the FSM and must be made again.
var errRebuild = errors.New("the mirror contradicts the state's log")

// OpenMirrors starts mirrors following fsm, of the bodies' documents of
// appliance.Modules. The caller closes them before the FSM.
func OpenMirrors(fsm *replication.FSM, cfg MirrorsConfig, logger *slog.Logger) (*Mirrors, error) {
	return openMirrors(fsm, cfg, logger)
}

func openMirrors(src replicaSource, cfg MirrorsConfig, logger *slog.Logger) (*Mirrors, error) {
	if cfg.Dir == "" {
		return nil, errors.New("mirrors need a directory")
	}
	if cfg.MaxOpen <= 0 {
		cfg.MaxOpen = 128
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Page <= 0 {
		cfg.Page = 2000
	}
	if cfg.Counters == "" {
		cfg.Counters = filepath.Join(cfg.Dir, CountersFile)
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = time.Minute
	}
	if cfg.TailQuiet <= 0 {
		cfg.TailQuiet = 3 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("mirrors: %w", err)
	}
	// The built-in catalogue, as every body's node reads it: the modules'
	// search sources and hits look services up in it.
	cat, err := appliance.Catalogue("", modules)
	if err != nil {
		return nil, fmt.Errorf("mirrors: %w", err)
	}
	m := &Mirrors{cfg: cfg, src: src, logger: logger.With("part", "mirrors"), modules: modules, cat: cat,
		sources: appliance.SearchSources(cat, modules), indexed: map[string]bool{},
		mirrors: map[string]*mirror{}, dirty: map[string]bool{}, busy: map[string]bool{},
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	for _, s := range m.sources {
		m.indexed[s.Entity()] = true
	}
	if m.counters, err = openCounters(src, cfg.Counters, cfg.Page, modules, m.logger); err != nil {
		return nil, fmt.Errorf("mirrors: %w", err)
	}
	m.counters.start(cfg.Recheck)
	// Subscribe before the first check, so that nothing applied meanwhile
	// goes unnoticed.
	src.OnApplied(func(code string, _ []store.Event) { m.markDirty(code, false) })
	src.OnRestore(func() {
		m.dirtyMu.Lock()
		m.restored = true
		m.dirtyMu.Unlock()
		m.signal()
	})
	// Bodies whose directories are here but which the FSM may not know.
	if ents, err := os.ReadDir(cfg.Dir); err == nil {
		for _, e := range ents {
			if e.IsDir() && replication.CheckBodyCode(e.Name()) == nil {
				m.markDirty(e.Name(), false)
			}
		}
	}
	m.markAll(false)
	for range cfg.Workers {
		m.wg.Add(1)
		go m.work()
	}
	m.wg.Add(1)
	go m.recheck()
	return m, nil
}

// Close stops catching up and closes every open mirror.
func (m *Mirrors) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	close(m.stop)
	m.wg.Wait()
	errs := []error{m.counters.Close()}
	for _, mr := range m.all() {
		mr.rw.Lock()
		errs = append(errs, m.closeLocked(mr))
		mr.rw.Unlock()
	}
	return errors.Join(errs...)
}

// all returns every mirror known, by code.
func (m *Mirrors) all() []*mirror {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*mirror, 0, len(m.mirrors))
	for _, mr := range m.mirrors {
		out = append(out, mr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out
}

// get returns the mirror of a body, making its record (not its files).
func (m *Mirrors) get(code string) *mirror {
	m.mu.Lock()
	defer m.mu.Unlock()
	mr := m.mirrors[code]
	if mr == nil {
		mr = &mirror{code: code, dir: filepath.Join(m.cfg.Dir, code)}
		m.mirrors[code] = mr
	}
	return mr
}

// markDirty asks a worker to compare a body's mirror with the FSM; restored
// says a snapshot was installed since (so a mirror ahead is wrong).
func (m *Mirrors) markDirty(code string, restored bool) {
	m.dirtyMu.Lock()
	m.dirty[code] = m.dirty[code] || restored
	m.dirtyMu.Unlock()
	m.signal()
}

func (m *Mirrors) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// markAll marks every body the FSM holds, and every mirror known.
func (m *Mirrors) markAll(restored bool) {
	bodies, err := m.src.Bodies()
	if err != nil {
		m.logger.Warn("reading the bodies the state holds", "error", err)
	}
	for _, b := range bodies {
		m.markDirty(b.Code, restored)
	}
	for _, mr := range m.all() {
		m.markDirty(mr.code, restored)
	}
}

// next takes a body to catch up that no other worker has.
func (m *Mirrors) next() (code string, restored, ok bool) {
	m.dirtyMu.Lock()
	restoredAll := m.restored
	m.restored = false
	m.dirtyMu.Unlock()
	if restoredAll {
		m.markAll(true)
	}
	m.dirtyMu.Lock()
	defer m.dirtyMu.Unlock()
	codes := make([]string, 0, len(m.dirty))
	for c := range m.dirty {
		if !m.busy[c] {
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		return "", false, false
	}
	sort.Strings(codes) // deterministic, and fair enough: a body is re-marked after each turn
	code = codes[0]
	restored = m.dirty[code]
	delete(m.dirty, code)
	m.busy[code] = true
	return code, restored, true
}

func (m *Mirrors) done(code string) {
	m.dirtyMu.Lock()
	delete(m.busy, code)
	more := len(m.dirty) > 0
	m.dirtyMu.Unlock()
	if more {
		m.signal()
	}
}

// work catches bodies up as they are marked.
func (m *Mirrors) work() {
	defer m.wg.Done()
	for {
		select {
		case <-m.stop:
			return
		case <-m.wake:
		}
		for {
			select {
			case <-m.stop:
				return
			default:
			}
			code, restored, ok := m.next()
			if !ok {
				break
			}
			m.signal() // another worker may take the next body
			more, err := m.safeCatchUp(code, restored)
			if errors.Is(err, errRebuild) {
				m.logger.Warn("mirror contradicts the state's log; rebuilding it", "body", code, "reason", err)
				if err = m.rebuild(code); err == nil {
					more = true
				}
			}
			if err != nil && !errors.Is(err, replication.ErrClosed) {
				m.logger.Error("catching a mirror up failed; retrying at the next change or check", "body", code, "error", err)
				m.setErr(code, err)
			}
			m.done(code)
			if more {
				m.markDirty(code, false)
			}
		}
	}
}

// safeCatchUp is catchUp with a panic turned into errRebuild: a mirror is
// derived, and one that makes its worker panic is made again, never the
// end of the state node.
func (m *Mirrors) safeCatchUp(code string, restored bool) (more bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: catching up panicked: %v", errRebuild, r)
		}
	}()
	return m.catchUp(code, restored)
}

// recheck marks every body now and then, in case a wake was missed.
func (m *Mirrors) recheck() {
	defer m.wg.Done()
	t := time.NewTicker(m.cfg.Recheck)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.markAll(false)
		}
	}
}

// pagesPerTurn bounds one body's turn, so that a body with a long backlog
// does not hold a worker while others wait.
const pagesPerTurn = 10

// catchUp appends what the FSM holds beyond a body's mirror, up to a few
// pages, and reports whether more remains. errRebuild means the mirror
// contradicts the FSM.
func (m *Mirrors) catchUp(code string, restored bool) (more bool, err error) {
	if replication.CheckBodyCode(code) != nil {
		return false, nil
	}
	info, found, err := m.src.Body(code)
	if err != nil {
		return false, err
	}
	mr := m.get(code)
	if !found {
		if _, serr := os.Stat(mr.dir); serr != nil {
			return false, nil // nothing held, nothing mirrored
		}
	}
	err = m.use(mr, func(o *openMirror) error {
		var waiting uint64
		for range pagesPerTurn {
			seq := o.st.LastSeq()
			if seq >= info.LastSeq {
				break
			}
			evs, changes, err := m.src.ReadReplica(code, seq+1, m.cfg.Page)
			if err != nil {
				return err
			}
			if len(evs) == 0 {
				break
			}
			// Append whole writes only (see writeEnd): a write's documents
			// come with its last event, and the index reads a document
			// when it meets an event that names it.
			n := writeEnd(changes)
			atHead := evs[len(evs)-1].Seq >= info.LastSeq
			if n == 0 && !atHead {
				// No write ends in the page: a write longer than a page, or
				// writes that changed nothing. Read on to an end.
				if evs, changes, err = m.src.ReadReplica(code, seq+1, m.cfg.Page*pagesPerTurn); err != nil {
					return err
				}
				if n = writeEnd(changes); n == 0 {
					n = len(evs) // nothing marks an end: take it as it is
				}
			}
			if n == 0 {
				release, err := m.releaseTail(mr, o, evs, info.LastSeq)
				if err != nil {
					return err
				}
				if !release {
					waiting = uint64(len(evs))
					break
				}
				n = len(evs)
			}
			evs, changes = evs[:n], changes[:n]
			if err := o.st.AppendReplica(evs, changes); err != nil {
				if errors.Is(err, store.ErrChainBroken) {
					return fmt.Errorf("%w: %v", errRebuild, err)
				}
				return err
			}
		}
		seq, hash := o.st.LastSeq(), o.st.LastHash()
		ahead := false
		switch {
		case seq == info.LastSeq && !bytes.Equal(hash, info.LastHash):
			return fmt.Errorf("%w: its event %d is not the state's", errRebuild, seq)
		case seq > info.LastSeq && restored:
			return fmt.Errorf("%w: it holds %d events and the state, after installing a snapshot, %d", errRebuild, seq, info.LastSeq)
		case seq > info.LastSeq && info.LastSeq > 0:
			ev, err := o.st.Event(info.LastSeq)
			if err != nil {
				return err
			}
			if !bytes.Equal(ev.Hash, info.LastHash) {
				return fmt.Errorf("%w: its event %d is not the state's", errRebuild, info.LastSeq)
			}
			ahead = true // the FSM is replaying after a restart; it will catch up
		case seq > info.LastSeq:
			ahead = true
		case seq+waiting < info.LastSeq:
			more = true
		}
		st := mirrorState{Seq: seq, Hash: hash, Known: true, Ahead: ahead, Waiting: waiting, IndexSeq: o.ix.Applied()}
		err := o.st.View(func(tx *store.Tx) error {
			var err error
			st.Body, err = appliance.LocalBodyIn(tx)
			if errors.Is(err, store.ErrNotFound) {
				st.Partial = seq > 0
				return nil
			}
			st.Identity = err == nil
			return err
		})
		if err != nil {
			return err
		}
		mr.smu.Lock()
		st.Rebuilds = mr.state.Rebuilds
		mr.state = st
		mr.smu.Unlock()
		return nil
	})
	return more, err
}

// writeEnd returns how many of a run of events end with the last one that
// carries a change set, 0 when none does. A store records a write's
// change set under the write's last event, so a run cut there holds only
// whole writes (and writes that changed nothing, which carry none).
func writeEnd(changes [][]byte) int {
	for i := len(changes) - 1; i >= 0; i-- {
		if len(changes[i]) > 0 {
			return i + 1
		}
	}
	return 0
}

// releaseTail decides whether events at the head of the FSM's log that no
// change set closes may be appended now. They are either whole writes that
// changed no document (an entry viewed, a search made) or the first events
// of a write whose last event (with the change set) the shipper has not
// sent yet. Appending the latter early would let the index meet events
// naming documents the mirror does not hold yet, and never index them. So
// the tail waits while any of its events names a document of an indexed
// entity that the mirror does not hold (a new document is coming), and
// otherwise until the head has not moved for TailQuiet.
func (m *Mirrors) releaseTail(mr *mirror, o *openMirror, tail []store.Event, head uint64) (bool, error) {
	missing := false
	err := o.st.View(func(tx *store.Tx) error {
		for _, ev := range tail {
			if m.indexed[ev.Entity] && !tx.Exists(ev.Entity, ev.ID) {
				missing = true
				return nil
			}
		}
		return nil
	})
	if err != nil || missing {
		return false, err
	}
	mr.smu.Lock()
	defer mr.smu.Unlock()
	if mr.tail.head != head {
		mr.tail = tailWait{head: head, since: time.Now()}
	}
	if wait := m.cfg.TailQuiet - time.Since(mr.tail.since); wait > 0 {
		time.AfterFunc(wait+10*time.Millisecond, func() { m.markDirty(mr.code, false) })
		return false, nil
	}
	return true, nil
}

func (m *Mirrors) setErr(code string, err error) {
	mr := m.get(code)
	mr.smu.Lock()
	mr.state.Err = err.Error()
	mr.smu.Unlock()
}

// use runs fn with the body's mirror open, opening it if need be. The
// mirror stays open (and is not rebuilt) while fn runs.
func (m *Mirrors) use(mr *mirror, fn func(o *openMirror) error) error {
	for {
		mr.rw.RLock()
		if o := mr.open; o != nil {
			m.touch(mr)
			err := fn(o)
			mr.rw.RUnlock()
			return err
		}
		mr.rw.RUnlock()
		if err := m.openMirror(mr); err != nil {
			return err
		}
	}
}

// touch records a use, for the LRU.
func (m *Mirrors) touch(mr *mirror) {
	m.mu.Lock()
	mr.lastUse = time.Now()
	m.mu.Unlock()
}

// openMirror opens a mirror's store and index and starts the indexer, then
// closes the least recently used mirrors beyond MaxOpen.
func (m *Mirrors) openMirror(mr *mirror) error {
	mr.rw.Lock()
	if mr.open == nil {
		m.mu.Lock()
		closed := m.closed
		m.mu.Unlock()
		if closed {
			mr.rw.Unlock()
			return replication.ErrClosed
		}
		o, err := m.openFiles(mr)
		if err != nil {
			mr.rw.Unlock()
			return err
		}
		mr.open = o
		m.mu.Lock()
		mr.isOpen, mr.lastUse = true, time.Now()
		m.nOpen++
		m.mu.Unlock()
	}
	mr.rw.Unlock()
	m.evict(mr)
	return nil
}

// openFiles opens the store and index in a mirror's directory; a store
// that cannot be opened is derived data, so it is deleted and made again.
func (m *Mirrors) openFiles(mr *mirror) (*openMirror, error) {
	st, err := store.Open(mr.dir, store.Options{LockTimeout: 5 * time.Second, Replica: true})
	if err != nil && !errors.Is(err, store.ErrLocked) {
		m.logger.Warn("a mirror's store does not open; making it again", "body", mr.code, "error", err)
		if rerr := os.RemoveAll(mr.dir); rerr != nil {
			return nil, fmt.Errorf("mirror %s: %v, and it cannot be removed: %w", mr.code, err, rerr)
		}
		st, err = store.Open(mr.dir, store.Options{LockTimeout: 5 * time.Second, Replica: true})
	}
	if err != nil {
		return nil, fmt.Errorf("mirror %s: %w", mr.code, err)
	}
	ix, err := search.Open(filepath.Join(mr.dir, "index"), m.sources, search.Options{})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("mirror %s: %w", mr.code, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	o := &openMirror{st: st, ix: ix, cancel: cancel, done: make(chan struct{})}
	go m.follow(mr.code, ctx, o)
	return o, nil
}

// follow keeps a mirror's index following its store until the mirror is
// closed; a failure is logged and retried after a pause.
func (m *Mirrors) follow(code string, ctx context.Context, o *openMirror) {
	defer close(o.done)
	for {
		err := o.ix.Follow(ctx, o.st)
		if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, store.ErrClosed) {
			return
		}
		m.logger.Error("indexing a mirror failed; retrying in 10 s", "body", code, "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Second):
		}
		if errors.Is(err, search.ErrBroken) {
			// Derived: set the failed index aside and rebuild it from the mirror's log.
			if serr := o.ix.SetAside(); serr != nil {
				m.logger.Error("a mirror's failed index cannot be made again yet", "body", code, "error", serr)
			}
		}
	}
}

// closeLocked closes an open mirror; the caller holds mr.rw for writing.
func (m *Mirrors) closeLocked(mr *mirror) error {
	o := mr.open
	if o == nil {
		return nil
	}
	mr.open = nil
	o.cancel()
	<-o.done
	indexed, seq := o.ix.Applied(), o.st.LastSeq()
	err := errors.Join(o.ix.Close(), o.st.Close())
	mr.smu.Lock()
	mr.state.IndexSeq = indexed
	mr.smu.Unlock()
	m.mu.Lock()
	mr.isOpen = false
	m.nOpen--
	closed := m.closed
	m.mu.Unlock()
	if indexed < seq && !closed {
		// Its index had not caught up: open it again soon to finish.
		time.AfterFunc(time.Second, func() { m.markDirty(mr.code, false) })
	}
	return err
}

// evict closes open mirrors beyond MaxOpen, never keep and never one in
// use: first those whose index has caught up, least recently used first.
func (m *Mirrors) evict(keep *mirror) {
	m.mu.Lock()
	over := m.nOpen - m.cfg.MaxOpen
	var open []*mirror
	if over > 0 {
		for _, mr := range m.mirrors {
			if mr.isOpen && mr != keep {
				open = append(open, mr)
			}
		}
	}
	m.mu.Unlock()
	if over <= 0 {
		return
	}
	type candidate struct {
		mr      *mirror
		indexed bool
		used    time.Time
	}
	var locked []candidate
	for _, mr := range open {
		if !mr.rw.TryLock() {
			continue // in use
		}
		if mr.open == nil {
			mr.rw.Unlock()
			continue
		}
		m.mu.Lock()
		used := mr.lastUse
		m.mu.Unlock()
		locked = append(locked, candidate{mr, mr.open.ix.Applied() >= mr.open.st.LastSeq(), used})
	}
	sort.Slice(locked, func(i, j int) bool {
		if locked[i].indexed != locked[j].indexed {
			return locked[i].indexed
		}
		return locked[i].used.Before(locked[j].used)
	})
	for _, c := range locked {
		if over > 0 {
			if err := m.closeLocked(c.mr); err != nil {
				m.logger.Warn("closing a mirror", "body", c.mr.code, "error", err)
			}
			over--
		}
		c.mr.rw.Unlock()
	}
}

// rebuild deletes a body's mirror; the next catch-up makes it again from
// the FSM.
func (m *Mirrors) rebuild(code string) error {
	mr := m.get(code)
	mr.rw.Lock()
	defer mr.rw.Unlock()
	if err := m.closeLocked(mr); err != nil {
		m.logger.Warn("closing a mirror to rebuild it", "body", code, "error", err)
	}
	if err := os.RemoveAll(mr.dir); err != nil {
		return fmt.Errorf("mirror %s: removing it to rebuild: %w", code, err)
	}
	mr.smu.Lock()
	mr.state = mirrorState{Rebuilds: mr.state.Rebuilds + 1}
	mr.smu.Unlock()
	return nil
}

// MirrorStatus is what a mirror holds against this node's FSM.
type MirrorStatus struct {
	Code string `json:"code"`
	// MirrorSeq is the last event in the mirror, StateSeq the last this
	// node's FSM holds; Lag is how many the mirror still has to append.
	MirrorSeq uint64 `json:"mirror_seq"`
	StateSeq  uint64 `json:"state_seq"`
	Lag       uint64 `json:"lag"`
	// Waiting counts the events at the head held back until their write
	// is known to be whole (part of Lag).
	Waiting uint64 `json:"waiting,omitempty"`
	// IndexSeq is the last event the mirror's search index has applied
	// (when the mirror was last closed, if it is closed now).
	IndexSeq uint64 `json:"index_seq,omitempty"`
	// Ahead: the mirror holds more than this node's FSM, which is replaying
	// its log after a restart.
	Ahead bool `json:"ahead,omitempty"`
	// Partial: the body shipped events before change sets existed, so its
	// mirror holds the log but not the documents it made.
	Partial bool   `json:"partial,omitempty"`
	Error   string `json:"error,omitempty"`
	// Rebuilds counts rebuilds since this node started.
	Rebuilds int `json:"rebuilds,omitempty"`
}

// Status returns a body's mirror against the FSM, without opening it.
func (m *Mirrors) Status(code string) (MirrorStatus, error) {
	info, _, err := m.src.Body(code)
	if err != nil {
		return MirrorStatus{}, err
	}
	return m.status(code, info), nil
}

func (m *Mirrors) status(code string, info replication.BodyInfo) MirrorStatus {
	mr := m.get(code)
	mr.smu.Lock()
	st := mr.state
	mr.smu.Unlock()
	s := MirrorStatus{Code: code, MirrorSeq: st.Seq, StateSeq: info.LastSeq, IndexSeq: st.IndexSeq, Waiting: st.Waiting, Ahead: st.Ahead, Partial: st.Partial, Error: st.Err, Rebuilds: st.Rebuilds}
	if info.LastSeq > st.Seq {
		s.Lag = info.LastSeq - st.Seq
	}
	if mr.rw.TryRLock() {
		if mr.open != nil {
			s.IndexSeq = mr.open.ix.Applied()
		}
		mr.rw.RUnlock()
	}
	return s
}

// CaughtUp reports whether every body's mirror holds all that this node's
// FSM holds, and its index all that the mirror holds (for tests and health
// checks).
func (m *Mirrors) CaughtUp() error {
	bodies, err := m.src.Bodies()
	if err != nil {
		return err
	}
	for _, b := range bodies {
		s := m.status(b.Code, b)
		if seq, err := m.counters.Head(b.Code); err != nil || seq != b.LastSeq {
			return fmt.Errorf("the counters of %s counted %d of the %d events the state holds (%v)", b.Code, seq, b.LastSeq, err)
		}
		switch {
		case s.Lag > 0 || s.MirrorSeq != b.LastSeq:
			return fmt.Errorf("the mirror of %s holds %d of the %d events the state holds", b.Code, s.MirrorSeq, b.LastSeq)
		case s.IndexSeq < s.MirrorSeq:
			return fmt.Errorf("the index of %s's mirror has applied %d of %d events", b.Code, s.IndexSeq, s.MirrorSeq)
		}
	}
	return nil
}

// MirrorsDir is the directory of a node's mirrors, in its data directory.
const MirrorsDir = "mirrors"
