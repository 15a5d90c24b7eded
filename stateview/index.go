package stateview

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/seal"
	"ksmart/replication"
	"ksmart/search"
	"ksmart/store"
)

// Index is the state-wide index of every local body's records, on one
// state node: the search and certificate verification of the view answer
// from it, with no copy of any body's store.
//
// It has two parts, both derived from what the FSM applies and so rebuilt
// from it when lost (keys.go has the layout):
//
//   - a locator (locator.db): for each body, where each current document,
//     unique key and number was last written — the sequence of the change
//     set that wrote it, whose bytes the FSM keeps — so that a document is
//     read from the FSM's change sets (locReader), through a read-only
//     store.Tx (store.ViewReader) that the modules' own readers take as a
//     store's: their search sources (appliance.SearchSources), their hits
//     (appliance.Hits) and civil's Verify;
//   - search shards (search.Shards), one per district of Kerala, holding
//     the documents the modules' search sources make of each body's
//     records, exactly as in the body's office index.
//
// Each body's progress is kept with what it covers: the locator's in the
// same bbolt transaction as the locations, the index's in the same Bleve
// batch as the documents; a restart resumes from both. A body whose log
// the FSM contradicts (another event at the index's sequence, or fewer
// events after a snapshot was installed) has its documents deleted from
// its shard and its locations dropped, and is indexed again: replaced,
// never duplicated. A body whose identity names another district moves
// to that district's shard the same way.
type Index struct {
	cfg     IndexConfig
	src     replicaSource
	logger  *slog.Logger
	modules []module.Module
	cat     *catalogue.Catalogue
	sources map[string]search.Source // by entity

	db     *bolt.DB
	shards *search.Shards

	mu     sync.Mutex // guards bodies, closed
	bodies map[string]*bodyState
	closed bool

	follow *following

	events atomic.Uint64 // events indexed since Open
	docs   atomic.Uint64 // documents written to the shards since Open
}

// replicaSource is what the index and the counters read: the FSM. It is
// an interface so that a test can feed them from stores directly.
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

// errRebuild says the index contradicts the FSM for a body, which must be
// indexed again.
var errRebuild = errors.New("the index contradicts the state's log")

// pagesPerTurn bounds one body's turn, so that a body with a long backlog
// does not hold a worker while others wait.
const pagesPerTurn = 10

// IndexConfig configures a node's state index. Zero values take the
// defaults noted.
type IndexConfig struct {
	// Dir holds locator.db and shards/; default <node dir>/stateindex.
	Dir string
	// Workers is how many bodies are indexed at once; default 2.
	Workers int
	// Page is how many events one read from the FSM and one Bleve batch
	// cover; default 5000.
	Page int
	// Recheck is how often every body is compared with the FSM even
	// without news from it; default 1 minute.
	Recheck time.Duration

	// oneShard puts every body in one shard: the baseline a benchmark
	// compares the district shards with.
	oneShard bool
}

// bodyRecord is what the locator keeps of a body (bucket bodies).
type bodyRecord struct {
	// Seq and Hash are the last event whose change set the locator holds.
	Seq      uint64           `json:"seq"`
	Hash     []byte           `json:"hash,omitempty"`
	Shard    string           `json:"shard,omitempty"`
	Identity bool             `json:"identity,omitempty"`
	Body     domain.LocalBody `json:"body,omitzero"`
}

// bodyState is what the index knows of a body in memory.
type bodyState struct {
	rec     bodyRecord
	indexed uint64 // the last event whose documents its shard holds
	ahead   bool   // the locator holds more than this node's FSM (which is replaying)
	err     string
	rebuilt int
}

// districtShards are the shards of Kerala's fourteen districts, by the
// slug of their English names (districtSlug); otherShard holds the bodies
// of any other district name, and those whose identity the state does
// not hold yet.
var districtShards = []string{"alappuzha", "ernakulam", "idukki", "kannur", "kasaragod", "kollam", "kottayam",
	"kozhikode", "malappuram", "palakkad", "pathanamthitta", "thiruvananthapuram", "thrissur", "wayanad"}

const otherShard = "other"

// shardOf is the shard of a district (its slug).
func shardOf(slug string) string {
	for _, s := range districtShards {
		if s == slug {
			return s
		}
	}
	return otherShard
}

// OpenIndex opens the node's state index following fsm, and starts
// bringing it up to the FSM. The caller closes it before the FSM.
func OpenIndex(fsm *replication.FSM, cfg IndexConfig, logger *slog.Logger) (*Index, error) {
	return openIndex(fsm, cfg, logger)
}

func openIndex(src replicaSource, cfg IndexConfig, logger *slog.Logger) (*Index, error) {
	if cfg.Dir == "" {
		return nil, errors.New("the state index needs a directory")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Page <= 0 {
		cfg.Page = 5000
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = time.Minute
	}
	if logger == nil {
		logger = slog.Default()
	}
	cat, err := appliance.Catalogue("", modules)
	if err != nil {
		return nil, fmt.Errorf("state index: %w", err)
	}
	x := &Index{cfg: cfg, src: src, logger: logger.With("part", "index"), modules: modules, cat: cat,
		sources: map[string]search.Source{}, bodies: map[string]*bodyState{}}
	for _, s := range appliance.SearchSources(cat, modules) {
		x.sources[s.Entity()] = s
	}
	if err := x.openFiles(); err != nil {
		return nil, err
	}
	x.follow = follow(src, x.logger, cfg.Workers, cfg.Recheck, x.indexed, x.catchUpLogged)
	return x, nil
}

// openFiles opens the locator and the shards, making both again from
// nothing when the locator is missing, of another schema or unreadable:
// without it the shards' documents cannot be told apart from stale ones.
func (x *Index) openFiles() error {
	if err := os.MkdirAll(x.cfg.Dir, 0o700); err != nil {
		return fmt.Errorf("state index: %w", err)
	}
	path := filepath.Join(x.cfg.Dir, "locator.db")
	db, err := x.openLocator(path)
	if err != nil {
		x.logger.Warn("the state index's locator does not open; making the index again from the state's log", "error", err)
		for _, p := range []string{path, filepath.Join(x.cfg.Dir, "shards")} {
			if rerr := os.RemoveAll(p); rerr != nil {
				return fmt.Errorf("state index: %v, and it cannot be removed: %w", err, rerr)
			}
		}
		if db, err = x.openLocator(path); err != nil {
			return fmt.Errorf("state index: %w", err)
		}
	}
	shards, err := search.OpenShards(filepath.Join(x.cfg.Dir, "shards"), append(append([]string(nil), districtShards...), otherShard))
	if err != nil {
		db.Close()
		return fmt.Errorf("state index: %w", err)
	}
	x.db, x.shards = db, shards
	// What each body's locator and shard hold, so that searches know the
	// bodies' names and districts without reading.
	err = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIdxBodies).ForEach(func(k, v []byte) error {
			var rec bodyRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("body %s: %w", k, err)
			}
			bs := &bodyState{rec: rec}
			if rec.Shard != "" {
				if seq, _, err := x.progress(rec.Shard, string(k)); err == nil {
					bs.indexed = seq
				}
			}
			x.bodies[string(k)] = bs
			return nil
		})
	})
	if err != nil {
		x.shards.Close()
		db.Close()
		return fmt.Errorf("state index: %w", err)
	}
	return nil
}

func (x *Index) openLocator(path string) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, NoFreelistSync: true})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketIdxMeta)
		if meta == nil {
			for _, b := range [][]byte{bucketIdxMeta, bucketIdxBodies, bucketIdxLoc, bucketIdxSeals} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketIdxMeta).Put(keyIdxSchema, []byte(indexSchema))
		}
		if v := meta.Get(keyIdxSchema); string(v) != indexSchema {
			return fmt.Errorf("locator of schema %q, want %s", v, indexSchema)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close stops indexing and closes the files.
func (x *Index) Close() error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return nil
	}
	x.closed = true
	x.mu.Unlock()
	x.follow.close()
	return errors.Join(x.shards.Close(), x.db.Close())
}

// indexed lists the bodies indexed, which a recheck marks beside those
// the FSM holds.
func (x *Index) indexed() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	codes := make([]string, 0, len(x.bodies))
	for c := range x.bodies {
		codes = append(codes, c)
	}
	return codes
}

// catchUpLogged indexes a body up to the FSM, indexing it again from the
// start when the index contradicts the state's log, and keeps and logs
// what failed; more means it is not there yet.
func (x *Index) catchUpLogged(code string, restored bool) (more bool) {
	more, err := x.safeCatchUp(code, restored)
	if errors.Is(err, errRebuild) {
		x.logger.Warn("the state index contradicts the state's log for a body; indexing it again", "body", code, "reason", err)
		if err = x.drop(code); err == nil {
			more = true
		}
	}
	x.setErr(code, err)
	if err != nil && !errors.Is(err, replication.ErrClosed) && !errors.Is(err, berrors.ErrDatabaseNotOpen) {
		x.logger.Error("indexing a body failed; retrying at the next change or check", "body", code, "error", err)
	}
	return more
}

func (x *Index) safeCatchUp(code string, restored bool) (more bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: indexing panicked: %v", errRebuild, r)
		}
	}()
	return x.catchUp(code, restored)
}

// state returns a copy of what is known of a body (zero when nothing).
func (x *Index) state(code string) bodyState {
	x.mu.Lock()
	defer x.mu.Unlock()
	if bs := x.bodies[code]; bs != nil {
		return *bs
	}
	return bodyState{}
}

func (x *Index) update(code string, fn func(bs *bodyState)) {
	x.mu.Lock()
	defer x.mu.Unlock()
	bs := x.bodies[code]
	if bs == nil {
		bs = &bodyState{}
		x.bodies[code] = bs
	}
	fn(bs)
}

func (x *Index) setErr(code string, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if bs := x.bodies[code]; bs != nil {
		bs.err = ""
		if err != nil {
			bs.err = err.Error()
		}
	}
}

// progress reads a body's progress in a shard: 0 when it has none.
func (x *Index) progress(shard, code string) (uint64, []byte, error) {
	v, err := x.shards.Internal(shard, progressKey(code))
	if err != nil || len(v) < 8 {
		return 0, nil, err
	}
	return binary.BigEndian.Uint64(v), v[8:], nil
}

// fsmHash is the hash of a body's event seq as this node's FSM holds it,
// nil when it holds none.
func (x *Index) fsmHash(code string, seq uint64) ([]byte, error) {
	evs, _, err := x.src.ReadReplica(code, seq, 1)
	if err != nil || len(evs) == 0 || evs[0].Seq != seq {
		return nil, err
	}
	return evs[0].Hash, nil
}

// catchUp brings a body's locations and documents up to the FSM, a few
// pages a turn, and reports whether more remains. errRebuild means the
// index contradicts the FSM.
func (x *Index) catchUp(code string, restored bool) (more bool, err error) {
	if replication.CheckBodyCode(code) != nil {
		return false, nil
	}
	info, found, err := x.src.Body(code)
	if err != nil {
		return false, err
	}
	bs := x.state(code)
	rec := bs.rec
	if !found {
		if rec.Seq > 0 {
			return false, fmt.Errorf("%w: the state no longer holds the body", errRebuild)
		}
		return false, nil
	}
	// Does what the locator holds continue the FSM's log?
	ahead := false
	if rec.Seq > 0 {
		switch {
		case rec.Seq > info.LastSeq && restored:
			return false, fmt.Errorf("%w: it holds %d events and the state, after installing a snapshot, %d", errRebuild, rec.Seq, info.LastSeq)
		case rec.Seq > info.LastSeq:
			ahead = true // the FSM is replaying after a restart; it will catch up
		default:
			h, err := x.fsmHash(code, rec.Seq)
			if err != nil {
				return false, err
			}
			if !bytes.Equal(h, rec.Hash) {
				return false, fmt.Errorf("%w: its event %d is not the state's", errRebuild, rec.Seq)
			}
		}
	}
	x.update(code, func(b *bodyState) { b.ahead = ahead })
	if ahead {
		return false, nil
	}
	indexed := uint64(0)
	if rec.Shard != "" {
		if indexed, _, err = x.progress(rec.Shard, code); err != nil {
			return false, err
		}
	}
	if indexed > rec.Seq {
		return false, fmt.Errorf("%w: its documents are of event %d and its locations of %d", errRebuild, indexed, rec.Seq)
	}
	for range pagesPerTurn {
		if indexed >= info.LastSeq {
			break
		}
		evs, changes, err := x.src.ReadReplica(code, indexed+1, x.cfg.Page)
		if err != nil {
			return false, err
		}
		if len(evs) == 0 {
			break
		}
		if evs[0].Seq != indexed+1 {
			return false, fmt.Errorf("the state's log of %s skips from %d to %d", code, indexed, evs[0].Seq)
		}
		next, err := x.locate(code, rec, evs, changes)
		if err != nil {
			return false, err
		}
		if rec.Shard != "" && next.Shard != rec.Shard {
			// Another district: its documents move shards.
			if err := x.shards.DeleteBody(rec.Shard, code, map[string][]byte{progressKey(code): nil}); err != nil {
				return false, err
			}
			x.logger.Info("a body's district changed; moving its documents", "body", code, "from", rec.Shard, "to", next.Shard)
			rec, indexed = next, 0
			x.update(code, func(b *bodyState) { b.rec, b.indexed = rec, 0 })
			continue
		}
		rec = next
		x.update(code, func(b *bodyState) { b.rec = rec })
		if err := x.indexRun(code, rec, evs, changes); err != nil {
			return false, err
		}
		indexed = evs[len(evs)-1].Seq
		x.update(code, func(b *bodyState) { b.indexed = indexed })
	}
	return indexed < info.LastSeq, nil
}

// locate records where the run's change sets put each value, for the
// events beyond what the locator holds, with the seal keys they publish,
// and reads the body's identity (its district, so its shard) — all in one
// transaction with the locator's new position. It returns the body's new
// record.
func (x *Index) locate(code string, rec bodyRecord, evs []store.Event, changes [][]byte) (bodyRecord, error) {
	if evs[len(evs)-1].Seq <= rec.Seq && rec.Shard != "" {
		return rec, nil // held already: a restart with the index behind the locator
	}
	page := map[uint64][]byte{}
	err := x.db.Update(func(tx *bolt.Tx) error {
		loc, err := tx.Bucket(bucketIdxLoc).CreateBucketIfNotExists([]byte(code))
		if err != nil {
			return err
		}
		loc.FillPercent = 0.9
		seals, err := tx.Bucket(bucketIdxSeals).CreateBucketIfNotExists([]byte(code))
		if err != nil {
			return err
		}
		for i, ev := range evs {
			if ev.Seq <= rec.Seq {
				continue
			}
			if ev.Seq != rec.Seq+1 {
				return fmt.Errorf("the state's log of %s skips from %d to %d", code, rec.Seq, ev.Seq)
			}
			if k, ok := appliance.PublishedSealKey(ev); ok {
				if _, pub, err := seal.ParsePublic([]byte(k.PublicKey)); err == nil {
					if err := seals.Put([]byte(seal.Fingerprint(pub)), []byte(k.PublicKey)); err != nil {
						return err
					}
				}
			}
			if cs := changes[i]; len(cs) > 0 {
				page[ev.Seq] = cs
				if err := locateChanges(loc, ev.Seq, cs); err != nil {
					return fmt.Errorf("event %d: %w", ev.Seq, err)
				}
			}
			rec.Seq, rec.Hash = ev.Seq, ev.Hash
		}
		// The body's identity, as its documents now say.
		r := &locReader{loc: loc, code: code, src: x.src, page: page}
		var lb domain.LocalBody
		err = store.ViewReader(r, func(tx *store.Tx) (err error) { lb, err = appliance.LocalBodyIn(tx); return err })
		switch {
		case errors.Is(err, store.ErrNotFound):
			rec.Identity = false
		case err != nil:
			return err
		default:
			rec.Identity, rec.Body = true, lb
		}
		rec.Shard = otherShard
		if rec.Identity && !x.cfg.oneShard {
			rec.Shard = shardOf(districtSlug(rec.Body.District))
		}
		v, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketIdxBodies).Put([]byte(code), v)
	})
	return rec, err
}

// locateChanges records where one change set put each value.
func locateChanges(loc *bolt.Bucket, seq uint64, cs []byte) error {
	return store.EachChange(cs, func(c store.Change) error {
		if c.Part == store.PartBlobs {
			return nil // the view reads no blobs: not kept
		}
		k := locKey(c.Part, c.Sub, c.Key)
		switch c.Op {
		case store.ChangeDelete:
			return loc.Delete(k)
		case store.ChangePut, store.ChangePutIfNone:
			if c.Op == store.ChangePutIfNone && loc.Get(k) != nil {
				return nil
			}
			if len(c.Value) <= maxInline {
				return loc.Put(k, append([]byte{locInline}, c.Value...))
			}
			return loc.Put(k, refValue(seq, c.At))
		case store.ChangeNumberAtLeast:
			if old := loc.Get(k); len(old) == 9 && binary.BigEndian.Uint64(old[1:]) >= binary.BigEndian.Uint64(c.Value) {
				return nil
			}
			return loc.Put(k, append([]byte{locInline}, c.Value...))
		}
		return nil // a digest writes nothing
	})
}

// touched are the documents of indexed entities a run of events changed
// or named, in order, each once: those its change sets wrote (a write's
// documents arrive with its last event) and those its events name (as a
// body's own index reads them).
type docRef struct{ entity, id string }

func (x *Index) touched(evs []store.Event, changes [][]byte) ([]docRef, error) {
	seen := map[docRef]bool{}
	var out []docRef
	add := func(r docRef) {
		if _, ok := x.sources[r.entity]; ok && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for i, ev := range evs {
		add(docRef{ev.Entity, ev.ID})
		if len(changes[i]) == 0 {
			continue
		}
		err := store.EachChange(changes[i], func(c store.Change) error {
			if c.Part == store.PartDocuments {
				add(docRef{c.Sub, string(c.Key)})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// indexRun writes the documents a run of events touched, as the modules'
// search sources make them now, into the body's shard with the run's last
// event as its progress.
func (x *Index) indexRun(code string, rec bodyRecord, evs []store.Event, changes [][]byte) error {
	refs, err := x.touched(evs, changes)
	if err != nil {
		return err
	}
	page := map[uint64][]byte{}
	for i, ev := range evs {
		if len(changes[i]) > 0 {
			page[ev.Seq] = changes[i]
		}
	}
	docs := make([]search.ShardDoc, 0, len(refs))
	err = x.view(code, page, func(tx *store.Tx) error {
		for _, r := range refs {
			doc, ok, err := x.sources[r.entity].Document(tx, r.id)
			if err != nil {
				return fmt.Errorf("%s %s: %w", r.entity, r.id, err)
			}
			d := search.ShardDoc{Body: code, Entity: r.entity, ID: r.id}
			if ok {
				d.Doc = &doc
			}
			docs = append(docs, d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	last := evs[len(evs)-1]
	prog := append(binary.BigEndian.AppendUint64(nil, last.Seq), last.Hash...)
	if err := x.shards.Apply(rec.Shard, docs, map[string][]byte{progressKey(code): prog}); err != nil {
		return err
	}
	x.events.Add(uint64(len(evs)))
	x.docs.Add(uint64(len(docs)))
	return nil
}

// drop deletes a body's documents from its shard and its locations, so
// that it is indexed again from the FSM.
func (x *Index) drop(code string) error {
	bs := x.state(code)
	if bs.rec.Shard != "" {
		if err := x.shards.DeleteBody(bs.rec.Shard, code, map[string][]byte{progressKey(code): nil}); err != nil {
			return err
		}
	}
	err := x.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketIdxLoc, bucketIdxSeals} {
			if tx.Bucket(b).Bucket([]byte(code)) != nil {
				if err := tx.Bucket(b).DeleteBucket([]byte(code)); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bucketIdxBodies).Delete([]byte(code))
	})
	if err != nil {
		return err
	}
	x.update(code, func(b *bodyState) {
		*b = bodyState{rebuilt: b.rebuilt + 1}
	})
	return nil
}

// view runs fn with a read-only store.Tx over a body's documents as the
// locator places them; page holds change sets already in hand, by
// sequence.
func (x *Index) view(code string, page map[uint64][]byte, fn func(tx *store.Tx) error) error {
	return x.db.View(func(btx *bolt.Tx) error {
		r := &locReader{code: code, src: x.src, page: page}
		r.loc = btx.Bucket(bucketIdxLoc).Bucket([]byte(code))
		return store.ViewReader(r, fn)
	})
}

// bodyView is a body's documents as a store.Viewer, for the modules'
// readers (appliance.Hits, civil's Verify).
type bodyView struct {
	x    *Index
	code string
}

func (v bodyView) View(fn func(tx *store.Tx) error) error { return v.x.view(v.code, nil, fn) }

// locReader reads a body's documents where the locator places them: a
// short value in the locator itself, the rest in the change set of the
// sequence it names, from the FSM (or page, change sets in hand).
type locReader struct {
	loc  *bolt.Bucket // nil: the body has no locations
	code string
	src  replicaSource
	page map[uint64][]byte
	err  error
}

var _ store.Reader = (*locReader)(nil)

func (r *locReader) Err() error { return r.err }

func (r *locReader) Get(part store.Part, sub string, key []byte) ([]byte, error) {
	if r.loc == nil {
		return nil, nil
	}
	return r.resolve(part, sub, key, r.loc.Get(locKey(part, sub, key)))
}

// resolve returns the value a loc entry places.
func (r *locReader) resolve(part store.Part, sub string, key, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return nil, nil
	}
	if v[0] == locInline {
		return bytes.Clone(v[1:]), nil
	}
	if v[0] != locRef || len(v) != 13 {
		return nil, fmt.Errorf("%w: location of %s %q does not read", errRebuild, sub, key)
	}
	seq, at := binary.BigEndian.Uint64(v[1:9]), int(binary.BigEndian.Uint32(v[9:]))
	var c store.Change
	var err error
	if cs, ok := r.page[seq]; ok {
		c, err = store.ChangeAt(cs, at)
	} else {
		// Only the record: a large write's change set is not copied whole.
		var found bool
		if c, found, err = r.src.ReadChange(r.code, seq, at); err == nil && !found {
			return nil, fmt.Errorf("%w: the state no longer holds the change set of event %d of %s", errRebuild, seq, r.code)
		}
	}
	if err != nil || c.Part != part || c.Sub != sub || !bytes.Equal(c.Key, key) || (c.Op != store.ChangePut && c.Op != store.ChangePutIfNone) {
		return nil, fmt.Errorf("%w: event %d of %s does not write %s %q at %d (%v)", errRebuild, seq, r.code, sub, key, at, err)
	}
	return bytes.Clone(c.Value), nil
}

func (r *locReader) Cursor(part store.Part, sub string) store.Cursor {
	if r.loc == nil {
		return nil
	}
	return &locCursor{r: r, c: r.loc.Cursor(), part: part, sub: sub, prefix: locPrefix(part, sub)}
}

// locCursor walks one part's sub of a body's locations, giving each key
// (without the prefix) and the value it places.
type locCursor struct {
	r      *locReader
	c      *bolt.Cursor
	part   store.Part
	sub    string
	prefix []byte
}

func (c *locCursor) out(k, v []byte) ([]byte, []byte) {
	if k == nil || !bytes.HasPrefix(k, c.prefix) || c.r.err != nil {
		return nil, nil
	}
	key := k[len(c.prefix):]
	val, err := c.r.resolve(c.part, c.sub, key, v)
	if err != nil {
		c.r.err = err
		return nil, nil
	}
	return key, val
}

func (c *locCursor) First() ([]byte, []byte) { return c.out(c.c.Seek(c.prefix)) }
func (c *locCursor) Seek(s []byte) ([]byte, []byte) {
	return c.out(c.c.Seek(append(bytes.Clone(c.prefix), s...)))
}
func (c *locCursor) Next() ([]byte, []byte) { return c.out(c.c.Next()) }
func (c *locCursor) Prev() ([]byte, []byte) { return c.out(c.c.Prev()) }
func (c *locCursor) Last() (k []byte, v []byte) {
	// The prefix ends in 0x00, so the next sub's keys begin at prefix with
	// its last byte raised.
	end := bytes.Clone(c.prefix)
	end[len(end)-1] = 1
	if k, _ = c.c.Seek(end); k == nil {
		return c.out(c.c.Last())
	}
	return c.out(c.c.Prev())
}

// sealKeys returns the seal public keys a body's log published and its
// documents keep, by fingerprint.
func (x *Index) sealKeys(code string) (map[string]ed25519.PublicKey, error) {
	out := map[string]ed25519.PublicKey{}
	add := func(pem []byte) {
		if _, pub, err := seal.ParsePublic(pem); err == nil {
			out[seal.Fingerprint(pub)] = pub
		}
	}
	err := x.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketIdxSeals).Bucket([]byte(code)); b != nil {
			return b.ForEach(func(_, v []byte) error { add(v); return nil })
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = x.view(code, nil, func(tx *store.Tx) error {
		recs, err := appliance.SealKeysIn(tx)
		for _, rec := range recs {
			add([]byte(rec.PublicKey))
		}
		return err
	})
	return out, err
}

// IndexStatus is what the state index holds of a body against this
// node's FSM.
type IndexStatus struct {
	Code string `json:"code"`
	// LocatedSeq is the last event whose change set the locator holds,
	// IndexSeq the last whose documents the body's shard holds, StateSeq
	// the last this node's FSM holds; Lag is how many the index has still
	// to apply.
	LocatedSeq uint64 `json:"located_seq"`
	IndexSeq   uint64 `json:"index_seq"`
	StateSeq   uint64 `json:"state_seq"`
	Lag        uint64 `json:"lag"`
	Shard      string `json:"shard,omitempty"`
	Ahead      bool   `json:"ahead,omitempty"`
	Partial    bool   `json:"partial,omitempty"`
	Error      string `json:"error,omitempty"`
	Rebuilds   int    `json:"rebuilds,omitempty"`
}

func (x *Index) status(code string, info replication.BodyInfo) IndexStatus {
	bs := x.state(code)
	s := IndexStatus{Code: code, LocatedSeq: bs.rec.Seq, IndexSeq: bs.indexed, StateSeq: info.LastSeq, Shard: bs.rec.Shard,
		Ahead: bs.ahead, Partial: bs.rec.Seq > 0 && !bs.rec.Identity, Error: bs.err, Rebuilds: bs.rebuilt}
	if info.LastSeq > bs.indexed {
		s.Lag = info.LastSeq - bs.indexed
	}
	return s
}

// viewStatus is a body's index status as the view's answers give it.
func (x *Index) viewStatus(code string, info replication.BodyInfo) ViewStatus {
	s := x.status(code, info)
	return ViewStatus{Code: code, StateSeq: s.StateSeq, IndexSeq: s.IndexSeq, Lag: s.Lag,
		Ahead: s.Ahead, Partial: s.Partial, Error: s.Error, Rebuilds: s.Rebuilds}
}

// Status returns a body's index against this node's FSM.
func (x *Index) Status(code string) (IndexStatus, error) {
	info, _, err := x.src.Body(code)
	if err != nil {
		return IndexStatus{}, err
	}
	return x.status(code, info), nil
}

// CaughtUp reports whether every body's documents are indexed up to this
// node's FSM (for tests and health checks).
func (x *Index) CaughtUp() error {
	bodies, err := x.src.Bodies()
	if err != nil {
		return err
	}
	for _, b := range bodies {
		if s := x.status(b.Code, b); s.IndexSeq != b.LastSeq {
			if s.Error != "" {
				return fmt.Errorf("the state index holds %s up to event %d of %d: %s", b.Code, s.IndexSeq, b.LastSeq, s.Error)
			}
			return fmt.Errorf("the state index holds %s up to event %d of %d", b.Code, s.IndexSeq, b.LastSeq)
		}
	}
	return nil
}

// IndexStats are the index's counters and sizes.
type IndexStats struct {
	Bodies       int    `json:"bodies"`
	Documents    uint64 `json:"documents"`     // in every shard
	EventsSince  uint64 `json:"events_since"`  // events indexed since Open
	WrittenSince uint64 `json:"written_since"` // documents written (or deleted) since Open
	LocatorBytes int64  `json:"locator_bytes"`
	ShardBytes   int64  `json:"shard_bytes"`
	// Shards counts documents by shard.
	Shards map[string]uint64 `json:"shards"`
}

// Stats returns the index's counters and sizes.
func (x *Index) Stats() (IndexStats, error) {
	s := IndexStats{EventsSince: x.events.Load(), WrittenSince: x.docs.Load(), ShardBytes: x.shards.Size()}
	x.mu.Lock()
	s.Bodies = len(x.bodies)
	x.mu.Unlock()
	var err error
	if s.Shards, err = x.shards.Count(); err != nil {
		return s, err
	}
	for _, n := range s.Shards {
		s.Documents += n
	}
	err = x.db.View(func(tx *bolt.Tx) error { s.LocatorBytes = tx.Size(); return nil })
	return s, err
}

// Compact merges each shard's segments (after a bulk load).
func (x *Index) Compact(ctx context.Context) error { return x.shards.Compact(ctx) }

// bodyName is a body's name and district as the index knows them.
func (x *Index) bodyName(code string) (domain.Text, domain.Text, bool) {
	bs := x.state(code)
	if !bs.rec.Identity {
		return domain.Text{En: code, Ml: code}, unknownDistrict, false
	}
	return bs.rec.Body.Name, bs.rec.Body.District, true
}

// districts lists the districts of the bodies indexed, by name.
func (x *Index) districts() []DistrictFigures {
	x.mu.Lock()
	seen := map[string]DistrictFigures{}
	for _, bs := range x.bodies {
		if bs.rec.Identity {
			d := bs.rec.Body.District
			seen[districtSlug(d)] = DistrictFigures{District: d, Slug: districtSlug(d)}
		}
	}
	x.mu.Unlock()
	out := make([]DistrictFigures, 0, len(seen))
	for _, d := range seen {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].District.En < out[j].District.En })
	return out
}

// IndexDir is the directory of a node's state index, in its data
// directory.
const IndexDir = indexDir
