package stateview

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/replication"
	"ksmart/store"
)

// Counters keep each body's figures as the FSM applies its writes: every
// module's module.Counter, fed with the documents of each write's change
// set, so that a body's figures are read from a few sums instead of
// counted again over a copy of its documents. They are derived and kept
// outside the FSM's state.db, in one bbolt file (CountersFile): deleting
// it makes them again from the FSM's log and change sets. Each body's
// progress (the last event applied and its hash) is written with its sums
// in one transaction, so a restart resumes where it stopped; a body whose
// log the FSM no longer continues (rebuilt, or a fork resolved the other
// way) has its counters reset and counted again from its first event.
//
// Layout (countersSchema; "meta" → "schema" holds it with each module's
// Counter.Version), under bucket "bodies" one bucket per body code:
//
//	"head"                               → seq (8 bytes, big-endian) ‖ hash
//	"body"                               → the body's identity (JSON), once seen
//	bucket "sums"    module 0 name 0 sub → int64 (8 bytes, big-endian)
//	bucket "docs"    module 0 entity 0 id → the group the document is in
//	bucket "groups"  module 0 group 0 entity 0 id → what Keep kept of it
//	bucket "members" module 0 set 0 member → how many groups hold it (uvarint)
type Counters struct {
	src    replicaSource
	db     *bolt.DB
	logger *slog.Logger
	page   int
	mods   []counterModule
	watch  map[string][]int // entity → the modules (indexes into mods) that count it

	mu     sync.Mutex // guards bodies and closed
	bodies map[string]*bodyCounters

	follow *following
	closed bool
}

// CountersFile is the counters' file in the figures' directory
// (FiguresDir).
const CountersFile = "counters.db"

// countersSchema is the layout's version: a change to it, or to any
// module's Counter.Version, makes the counters again from the FSM.
const countersSchema = 1

var (
	bucketCountersMeta = []byte("meta")
	bucketBodies       = []byte("bodies")
	bucketSums         = []byte("sums")
	bucketDocs         = []byte("docs")
	bucketGroups       = []byte("groups")
	bucketMembers      = []byte("members")
	keySchema          = []byte("schema")
	keyHead            = []byte("head")
	keyBody            = []byte("body")
)

type counterModule struct {
	name string
	c    *module.Counter
}

// bodyCounters are one body's sums in memory, by module, and its place in
// its log. mu is held for reading while figures are read, and for
// writing while a batch is applied.
type bodyCounters struct {
	mu       sync.RWMutex
	loaded   bool
	seq      uint64
	hash     []byte
	sums     map[string]*module.Sums // by module name
	body     domain.LocalBody
	identity bool
	err      string
	resets   int
}

// errResetCounters says a body's counters contradict the FSM's log.
var errResetCounters = errors.New("the counters contradict the state's log")

// openCounters opens (or makes) the counters' file at path and follows
// src with the modules' Counters.
func openCounters(src replicaSource, path string, page int, mods []module.Module, logger *slog.Logger) (*Counters, error) {
	// The rules counted by: a module's Counter whose Version changed (or
	// a module added or taken away) counts every body again.
	rules := fmt.Sprintf("schema %d", countersSchema)
	for _, m := range mods {
		if m.Figures != nil && m.Figures.Counter != nil {
			rules += fmt.Sprintf("; %s %d", m.Name, m.Figures.Counter.Version)
		}
	}
	opts := &bolt.Options{Timeout: time.Second, NoSync: true, NoFreelistSync: true, FreelistType: bolt.FreelistMapType}
	db, err := bolt.Open(path, 0o600, opts)
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error {
			meta, err := tx.CreateBucketIfNotExists(bucketCountersMeta)
			if err != nil {
				return err
			}
			if v := meta.Get(keySchema); string(v) != rules {
				// Another layout or other rules: count again from the logs.
				if tx.Bucket(bucketBodies) != nil {
					if err := tx.DeleteBucket(bucketBodies); err != nil {
						return err
					}
				}
				if err := meta.Put(keySchema, []byte(rules)); err != nil {
					return err
				}
			}
			_, err = tx.CreateBucketIfNotExists(bucketBodies)
			return err
		})
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		// Derived: a file that will not open is made again.
		logger.Warn("counters cannot be opened; making them again from the state's logs", "path", path, "error", err)
		if rerr := os.Remove(path); rerr != nil && !os.IsNotExist(rerr) {
			return nil, fmt.Errorf("counters: %w", err)
		}
		return openCounters(src, path, page, mods, logger)
	}
	c := &Counters{src: src, db: db, logger: logger.With("part", "counters"), page: page, watch: map[string][]int{},
		bodies: map[string]*bodyCounters{}}
	for _, m := range mods {
		if m.Figures == nil || m.Figures.Count == nil && m.Figures.Counter == nil {
			continue
		}
		if m.Figures.Counter == nil {
			db.Close()
			return nil, fmt.Errorf("counters: module %s counts figures (Figures.Count) but has no Counter, so the state could not show them; give it one (appliance/module/counter.go)", m.Name)
		}
		for _, e := range m.Figures.Counter.Entities {
			c.watch[e] = append(c.watch[e], len(c.mods))
		}
		c.mods = append(c.mods, counterModule{name: m.Name, c: m.Figures.Counter})
	}
	return c, nil
}

// start follows the FSM: a body is caught up when the FSM applies its
// events, every body after a snapshot is installed and each recheck.
func (c *Counters) start(recheck time.Duration) {
	c.follow = follow(c.src, c.logger, 1, recheck, nil, func(code string, restored bool) bool {
		more, err := c.CatchUp(code, restored)
		if err != nil && !errors.Is(err, replication.ErrClosed) {
			c.logger.Error("counting a body's writes failed; retrying at the next change or check", "body", code, "error", err)
		}
		return more
	})
}

// Close stops following the FSM and closes the file.
func (c *Counters) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	if c.follow != nil {
		c.follow.close()
	}
	return c.db.Close()
}

// body returns a body's counters, loaded from the file.
func (c *Counters) body(code string) (*bodyCounters, error) {
	c.mu.Lock()
	b := c.bodies[code]
	if b == nil {
		b = &bodyCounters{}
		c.bodies[code] = b
	}
	c.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.loaded {
		return b, nil
	}
	if err := c.load(code, b); err != nil {
		return nil, err
	}
	return b, nil
}

// load reads a body's head and sums from the file; b.mu is held.
func (c *Counters) load(code string, b *bodyCounters) error {
	b.seq, b.hash, b.identity, b.body = 0, nil, false, domain.LocalBody{}
	b.sums = map[string]*module.Sums{}
	for _, m := range c.mods {
		b.sums[m.name] = module.NewSums()
	}
	err := c.db.View(func(tx *bolt.Tx) error {
		bb := tx.Bucket(bucketBodies).Bucket([]byte(code))
		if bb == nil {
			return nil
		}
		if v := bb.Get(keyHead); len(v) >= 8 {
			b.seq, b.hash = binary.BigEndian.Uint64(v), bytes.Clone(v[8:])
		}
		if v := bb.Get(keyBody); v != nil {
			if err := json.Unmarshal(v, &b.body); err != nil {
				return fmt.Errorf("counters of %s: the body's identity: %w", code, err)
			}
			b.identity = true
		}
		sb := bb.Bucket(bucketSums)
		if sb == nil {
			return nil
		}
		return sb.ForEach(func(k, v []byte) error {
			parts := bytes.SplitN(k, []byte{0}, 3)
			if len(parts) != 3 || len(v) != 8 {
				return fmt.Errorf("counters of %s: a sum's key %q does not read", code, k)
			}
			if s := b.sums[string(parts[0])]; s != nil {
				s.AddTo(string(parts[1]), string(parts[2]), int64(binary.BigEndian.Uint64(v)))
			}
			return nil
		})
	})
	b.loaded = err == nil
	return err
}

// Head returns the last event a body's counters have applied.
func (c *Counters) Head(code string) (uint64, error) {
	b, err := c.body(code)
	if err != nil {
		return 0, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.seq, nil
}

// counterStatus is a body's place in its log as its counters know it.
type counterStatus struct {
	seq      uint64
	identity bool
	err      string
}

// status returns a body's counters' place, for the view's answers.
func (c *Counters) status(code string) counterStatus {
	b, err := c.body(code)
	if err != nil {
		return counterStatus{err: err.Error()}
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return counterStatus{seq: b.seq, identity: b.identity, err: b.err}
}

// CaughtUp reports whether every body's counters have counted all that
// this node's FSM holds (for tests and health checks).
func (c *Counters) CaughtUp() error {
	bodies, err := c.src.Bodies()
	if err != nil {
		return err
	}
	for _, b := range bodies {
		if s := c.status(b.Code); s.seq != b.LastSeq {
			if s.err != "" {
				return fmt.Errorf("the counters of %s counted %d of the %d events the state holds: %s", b.Code, s.seq, b.LastSeq, s.err)
			}
			return fmt.Errorf("the counters of %s counted %d of the %d events the state holds", b.Code, s.seq, b.LastSeq)
		}
	}
	return nil
}

// Tally returns a body's tally at now, from every module's Counter, and
// the last event counted. It reads only the body's sums.
func (c *Counters) Tally(code string, now time.Time) (*module.Tally, uint64, error) {
	b, err := c.body(code)
	if err != nil {
		return nil, 0, err
	}
	t := module.NewTally(now)
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, m := range c.mods {
		m.c.Read(b.sums[m.name], t)
	}
	return t, b.seq, nil
}

// identity returns the body's identity as its log recorded it, and
// whether one was seen.
func (c *Counters) identity(code string) (domain.LocalBody, bool) {
	b, err := c.body(code)
	if err != nil {
		return domain.LocalBody{}, false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.body, b.identity
}

// countersPages bounds one body's turn, as pagesPerTurn does the index's.
const countersPages = 10

// CatchUp counts what the FSM holds of a body beyond its counters, up to
// a few pages, and reports whether more remains. Counters that contradict
// the FSM's log are reset and counted again from the first event.
// restored says a snapshot was installed since the last turn.
func (c *Counters) CatchUp(code string, restored bool) (more bool, err error) {
	more, err = c.catchUp(code, restored)
	if errors.Is(err, errResetCounters) {
		c.logger.Warn("counters contradict the state's log; counting the body again", "body", code, "reason", err)
		if err = c.reset(code); err == nil {
			more = true
		}
	}
	return more, err
}

func (c *Counters) catchUp(code string, restored bool) (bool, error) {
	if replication.CheckBodyCode(code) != nil {
		return false, nil
	}
	info, found, err := c.src.Body(code)
	if err != nil {
		return false, err
	}
	b, err := c.body(code)
	if err != nil {
		return false, err
	}
	b.mu.RLock()
	seq := b.seq
	b.mu.RUnlock()
	switch {
	case !found && seq == 0:
		return false, nil
	case !found:
		return false, fmt.Errorf("%w: the state holds no log of the body", errResetCounters)
	case seq > info.LastSeq && restored:
		return false, fmt.Errorf("%w: they counted %d events and the state, after installing a snapshot, holds %d", errResetCounters, seq, info.LastSeq)
	case seq > info.LastSeq:
		// The FSM is replaying raft's log after a restart: wait for it.
		return false, nil
	case seq == info.LastSeq:
		b.mu.RLock()
		same := bytes.Equal(b.hash, info.LastHash)
		b.mu.RUnlock()
		if !same {
			return false, fmt.Errorf("%w: their event %d is not the state's", errResetCounters, seq)
		}
		return false, nil
	}
	for range countersPages {
		// Read from the last event counted, to see that the log still
		// continues it.
		from := max(seq, 1)
		evs, changes, err := c.src.ReadReplica(code, from, c.page+1)
		if err != nil {
			return false, err
		}
		if seq > 0 {
			if len(evs) == 0 || evs[0].Seq != seq || !bytes.Equal(evs[0].Hash, b.hashNow()) {
				return false, fmt.Errorf("%w: their event %d is not the state's", errResetCounters, seq)
			}
			evs, changes = evs[1:], changes[1:]
		}
		if len(evs) == 0 {
			break
		}
		if err := c.apply(code, b, evs, changes); err != nil {
			return false, err
		}
		seq = evs[len(evs)-1].Seq
		if seq >= info.LastSeq {
			return false, nil
		}
	}
	return seq < info.LastSeq, nil
}

func (b *bodyCounters) hashNow() []byte {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.hash
}

// reset forgets a body's counters.
func (c *Counters) reset(code string) error {
	b, err := c.body(code)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	err = c.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketBodies).Bucket([]byte(code)) == nil {
			return nil
		}
		return tx.Bucket(bucketBodies).DeleteBucket([]byte(code))
	})
	if err != nil {
		return err
	}
	resets := b.resets + 1
	err = c.load(code, b)
	b.resets = resets
	return err
}

// apply counts events (and their change sets) that continue a body's
// counters, in one transaction with the new head.
func (c *Counters) apply(code string, b *bodyCounters, evs []store.Event, changes [][]byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	touched := map[sumRef]bool{}
	err := c.db.Update(func(tx *bolt.Tx) error {
		bb, err := tx.Bucket(bucketBodies).CreateBucketIfNotExists([]byte(code))
		if err != nil {
			return err
		}
		w := &countersTx{c: c, b: b, bb: bb, touched: touched}
		for _, name := range [][]byte{bucketSums, bucketDocs, bucketGroups, bucketMembers} {
			if _, err := bb.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		for i, ev := range evs {
			if changes[i] == nil {
				continue
			}
			err := store.EachDocument(changes[i], func(entity, id string, doc []byte) error {
				if lb, ok, err := appliance.LocalBodyFrom(entity, id, doc); ok {
					if err != nil {
						return err
					}
					b.body, b.identity = lb, true
					return bb.Put(keyBody, bytes.Clone(doc))
				}
				for _, mi := range c.watch[entity] {
					if err := w.document(mi, entity, id, doc); err != nil {
						return fmt.Errorf("event %d, %s %s: %w", ev.Seq, entity, id, err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		last := evs[len(evs)-1]
		if err := bb.Put(keyHead, append(binary.BigEndian.AppendUint64(nil, last.Seq), last.Hash...)); err != nil {
			return err
		}
		return w.flush()
	})
	if err != nil {
		// The sums in memory may hold part of the batch: read them again.
		b.err = err.Error()
		if lerr := c.load(code, b); lerr != nil {
			b.loaded = false
		}
		return err
	}
	b.seq, b.hash, b.err = evs[len(evs)-1].Seq, bytes.Clone(evs[len(evs)-1].Hash), ""
	return nil
}

// sumRef names one sum of a module.
type sumRef struct{ mod, name, sub string }

// countersTx is one batch being counted into a body's bucket.
type countersTx struct {
	c       *Counters
	b       *bodyCounters
	bb      *bolt.Bucket
	touched map[sumRef]bool
}

func key(parts ...string) []byte {
	var k []byte
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// document counts one document's write (doc nil: deleted) for module mi:
// the old contribution of each group it leaves or joins is taken away
// and the new one added.
func (w *countersTx) document(mi int, entity, id string, doc []byte) error {
	m := w.c.mods[mi]
	docs, groups := w.bb.Bucket(bucketDocs), w.bb.Bucket(bucketGroups)
	docKey := key(m.name, entity, id)
	oldGroup := string(docs.Get(docKey))
	var newGroup string
	var kept []byte
	if doc != nil {
		var err error
		if newGroup, kept, err = m.c.Keep(entity, id, doc); err != nil {
			return err
		}
	}
	if oldGroup == "" && newGroup == "" {
		return nil
	}
	if oldGroup == newGroup && bytes.Equal(groups.Get(key(m.name, oldGroup, entity, id)), kept) {
		return nil // nothing it counts changed
	}
	affected := []string{}
	for _, g := range []string{oldGroup, newGroup} {
		if g != "" && (len(affected) == 0 || affected[0] != g) {
			affected = append(affected, g)
		}
	}
	for _, g := range affected {
		if err := w.contribute(m, g, -1); err != nil {
			return err
		}
	}
	if oldGroup != "" {
		if err := groups.Delete(key(m.name, oldGroup, entity, id)); err != nil {
			return err
		}
	}
	if newGroup != "" {
		if err := groups.Put(key(m.name, newGroup, entity, id), kept); err != nil {
			return err
		}
		if err := docs.Put(docKey, []byte(newGroup)); err != nil {
			return err
		}
	} else if err := docs.Delete(docKey); err != nil {
		return err
	}
	for _, g := range affected {
		if err := w.contribute(m, g, +1); err != nil {
			return err
		}
	}
	return nil
}

// contribute adds (sign +1) or takes away (-1) a group's contribution, as
// Part reckons it from what the group holds now.
func (w *countersTx) contribute(m counterModule, group string, sign int64) error {
	prefix := append(key(m.name, group), 0)
	var kept []module.Kept
	cur := w.bb.Bucket(bucketGroups).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		entity, id, ok := bytes.Cut(k[len(prefix):], []byte{0})
		if !ok {
			return fmt.Errorf("a group's key %q does not read", k)
		}
		kept = append(kept, module.Kept{Entity: string(entity), ID: string(id), Data: bytes.Clone(v)})
	}
	if len(kept) == 0 {
		return nil
	}
	var ct module.Contribution
	if err := m.c.Part(group, kept, &ct); err != nil {
		return err
	}
	sums := w.b.sums[m.name]
	for k, n := range ct.Sums {
		sums.AddTo(k.Name, k.Sub, sign*n)
		w.touched[sumRef{m.name, k.Name, k.Sub}] = true
	}
	members := w.bb.Bucket(bucketMembers)
	for k := range ct.Members {
		mk := key(m.name, k.Name, k.Sub)
		n, _ := binary.Uvarint(members.Get(mk))
		switch {
		case sign > 0:
			n++
			if n == 1 {
				sums.AddTo(k.Name, "", 1)
				w.touched[sumRef{m.name, k.Name, ""}] = true
			}
		case n > 0:
			n--
			if n == 0 {
				sums.AddTo(k.Name, "", -1)
				w.touched[sumRef{m.name, k.Name, ""}] = true
			}
		}
		var err error
		if n == 0 {
			err = members.Delete(mk)
		} else {
			err = members.Put(mk, binary.AppendUvarint(nil, n))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// flush writes the sums the batch touched.
func (w *countersTx) flush() error {
	sb := w.bb.Bucket(bucketSums)
	for r := range w.touched {
		k := key(r.mod, r.name, r.sub)
		n := w.b.sums[r.mod].Get(r.name, r.sub)
		var err error
		if n == 0 {
			err = sb.Delete(k)
		} else {
			err = sb.Put(k, binary.BigEndian.AppendUint64(nil, uint64(n)))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
