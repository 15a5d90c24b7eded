package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"ksmart/store"
)

// Doc is what the index knows of one record: the same fields for every
// module, so one search box reaches them all. Fields left empty are not
// indexed.
type Doc struct {
	// Type says what the record is: "register" for an entry of a civil
	// register, "file" for an application, or a later module's word.
	Type string `json:"type"`
	// Kind is the register kind (birth, death, …) or a file's service code.
	Kind   string `json:"kind,omitempty"`
	Module string `json:"module,omitempty"`
	// Number is the record's number as printed (B-12/2026,
	// KS/M0701/2026/BC/12); matched exactly or by prefix, case-blind.
	Number string `json:"number,omitempty"`
	// Names are the names of the person or people the record is about, in
	// either script; Relations are their parents' or spouse's names.
	Names     []string `json:"names,omitempty"`
	Relations []string `json:"relations,omitempty"`
	// RelationRoles, when set, says who each of Relations is ("mother",
	// "spouse"), for saying why a record was found (MatchedRelation); it
	// is not indexed.
	RelationRoles []string `json:"relation_roles,omitempty"`
	// Text is anything else worth finding by its words: addresses, form
	// values, notes.
	Text string `json:"text,omitempty"`
	// Date is the date of the event the record is about (YYYY-MM-DD).
	Date   string `json:"date,omitempty"`
	Year   string `json:"year,omitempty"`
	Ward   string `json:"ward,omitempty"`
	Status string `json:"status,omitempty"`
}

// fields are the document's non-empty fields by name, as the mapping
// reads them: an empty ward is no ward, not a ward called "".
func (d Doc) fields() map[string]any {
	m := make(map[string]any, 12)
	for name, v := range map[string]string{"type": d.Type, "kind": d.Kind, "module": d.Module, "number": d.Number, "text": d.Text,
		"date": d.Date, "year": d.Year, "ward": d.Ward, "status": d.Status} {
		if v != "" {
			m[name] = v
		}
	}
	if len(d.Names) > 0 {
		m["names"] = d.Names
	}
	if len(d.Relations) > 0 {
		m["relations"] = d.Relations
	}
	return m
}

// A Source describes one entity of the store to the index. For every event
// about a document of that entity, the indexer asks the Source for the
// document's current state.
type Source interface {
	// Entity is the store entity whose events this Source indexes.
	Entity() string
	// Document returns the search document for the store document id as
	// it is now, or ok false when it should not be in the index (deleted,
	// or not a thing anyone searches for).
	Document(tx *store.Tx, id string) (doc Doc, ok bool, err error)
}

// Options configure an index.
type Options struct {
	// BatchEvents is how many log events one Bleve batch covers at most;
	// default 2,500. (Following a live log, batches are as small as what
	// arrived; catching up, big batches make fewer segments to merge, but
	// a batch's analysed documents are the indexer's largest live memory:
	// 10,000 a batch held ~130 MB of the import's ~250 MB live heap, and
	// 2,500 halved the peak of importing 250k births with indexing, 908 →
	// 465 MB; ksmart bench memory.)
	BatchEvents int
}

// Index is the open search index of one local body.
type Index struct {
	// bmu guards bleve, which SetAside replaces; bleve is nil (and broken
	// says why) while a failed index is set aside and a new one cannot be
	// made yet (the disk is full).
	bmu     sync.RWMutex
	bleve   bleve.Index
	broken  error
	dir     string
	sources map[string]Source
	opts    Options

	applied  atomic.Uint64
	mu       sync.Mutex
	notify   chan struct{} // closed and replaced after every batch
	lastErr  atomic.Pointer[error]
	progress atomic.Pointer[func(applied, last uint64)]
}

// Progress sets a function called after each batch with the sequence
// applied and the log's last sequence (for a progress bar).
func (ix *Index) Progress(fn func(applied, last uint64)) { ix.progress.Store(&fn) }

// Errors of Open.
var (
	// ErrLocked is returned when another process has the index open.
	ErrLocked = errors.New("search: the index is in use by another process")
	// ErrBroken is returned when writing the index failed in a way that
	// may have left it inconsistent (a batch Bleve could not write, a
	// panic inside Bleve, as when the disk fills): the index must be set
	// aside (SetAside) and rebuilt from the log.
	ErrBroken = errors.New("search: the index failed and must be rebuilt from the log")
)

// use runs fn with the open Bleve index under the read lock, turning a
// panic inside Bleve into an error wrapping ErrBroken. While the index is
// set aside and not yet made again it returns the reason.
func (ix *Index) use(fn func(b bleve.Index) error) (err error) {
	ix.bmu.RLock()
	defer ix.bmu.RUnlock()
	if ix.bleve == nil {
		return ix.broken
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: Bleve panicked: %v", ErrBroken, r)
		}
	}()
	return fn(ix.bleve)
}

// SetAside moves a failed index aside (index.failed-<time>, replacing one
// set aside before) and makes a new, empty one, which the indexer then
// fills from the log. When the new one cannot be made (the disk is still
// full) the index stays closed, searches answer with that error, and
// SetAside may be called again.
func (ix *Index) SetAside() error {
	ix.bmu.Lock()
	defer ix.bmu.Unlock()
	if ix.bleve != nil {
		func() {
			defer func() { recover() }() // a broken index may panic closing too
			ix.bleve.Close()
		}()
		ix.bleve = nil
		old, _ := filepath.Glob(ix.dir + ".failed-*")
		for _, o := range old {
			os.RemoveAll(o) // derived data: keep only the latest failure
		}
		if err := os.Rename(ix.dir, ix.dir+".failed-"+time.Now().UTC().Format("20060102T150405")); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.RemoveAll(ix.dir)
		}
	}
	os.RemoveAll(ix.dir) // what a failed create left
	b, err := create(ix.dir)
	if err != nil {
		ix.broken = fmt.Errorf("search is being rebuilt: %w", err)
		return ix.broken
	}
	ix.bleve, ix.broken = b, nil
	ix.applied.Store(0)
	ix.lastErr.Store(nil)
	ix.broadcast()
	return nil
}

// Open opens the index in dir, creating it when absent. An index of
// another schema version, or one that cannot be read, is moved aside and
// started afresh: it is derived, and the log rebuilds it.
func Open(dir string, sources []Source, opts Options) (*Index, error) {
	registerAnalysers()
	if opts.BatchEvents <= 0 {
		opts.BatchEvents = 2500
	}
	ix := &Index{dir: dir, sources: map[string]Source{}, opts: opts, notify: make(chan struct{})}
	for _, s := range sources {
		ix.sources[s.Entity()] = s
	}
	b, err := openBleve(dir)
	if err != nil {
		return nil, err
	}
	ix.bleve = b
	raw, err := b.GetInternal(internalApplied)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("search: reading the index's position: %w", err)
	}
	if len(raw) == 8 {
		ix.applied.Store(binary.BigEndian.Uint64(raw))
	}
	return ix, nil
}

// openBleve opens or creates the Bleve index, discarding one that is of an
// older schema or damaged.
func openBleve(dir string) (bleve.Index, error) {
	b, err := bleve.Open(dir)
	if err == nil {
		v, gerr := b.GetInternal(internalSchema)
		if gerr == nil && string(v) == schemaVersion {
			return b, nil
		}
		b.Close()
		err = fmt.Errorf("schema %q, want %s", v, schemaVersion)
	}
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return create(dir)
	}
	if strings.Contains(err.Error(), "resource temporarily unavailable") || strings.Contains(err.Error(), "timeout") {
		return nil, ErrLocked
	}
	// Derived data: keep the old directory for a post-mortem, start again.
	aside := dir + ".old-" + time.Now().UTC().Format("20060102T150405")
	if rerr := os.Rename(dir, aside); rerr != nil {
		return nil, fmt.Errorf("search: the index at %s cannot be opened (%v) nor moved aside (%v); delete it and run ksmart reindex", dir, err, rerr)
	}
	return create(dir)
}

func create(dir string) (bleve.Index, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return nil, err
	}
	// Scorch as it comes: a batch returns once its segment is on disk.
	// ("unsafe_batch" returns sooner, but Close then drops what had not
	// been written, and every restart would index the last batches again.)
	b, err := bleve.New(dir, newMapping())
	if err != nil {
		return nil, fmt.Errorf("search: creating the index at %s: %w", dir, err)
	}
	if err := b.SetInternal(internalSchema, []byte(schemaVersion)); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close closes the index. What was applied is on disk; the next Open
// continues from it.
func (ix *Index) Close() error {
	ix.bmu.Lock()
	defer ix.bmu.Unlock()
	if ix.bleve == nil {
		return nil
	}
	return ix.bleve.Close()
}

// Applied returns the last log sequence the index has applied.
func (ix *Index) Applied() uint64 { return ix.applied.Load() }

// Count returns the number of documents in the index.
func (ix *Index) Count() (n uint64, err error) {
	err = ix.use(func(b bleve.Index) (err error) { n, err = b.DocCount(); return err })
	return n, err
}

// Err returns the error that stopped the indexer, if one did.
func (ix *Index) Err() error {
	if p := ix.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// Size returns the bytes the index takes on disk.
func (ix *Index) Size() int64 {
	var n int64
	filepath.WalkDir(ix.dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// Follow applies the store's log to the index from the event after the
// last one applied, in batches, then follows new events until the context
// ends or the store closes. A failure stops it and is kept for Err.
func (ix *Index) Follow(ctx context.Context, st *store.Store) error {
	err := st.Follow(ctx, ix.Applied()+1, ix.opts.BatchEvents, func(evs []store.Event) error {
		return ix.apply(st, evs)
	})
	// st.Follow returns only when it stops, always with the reason.
	if !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
		ix.lastErr.Store(&err)
		ix.broadcast()
	}
	return err
}

// CatchUp applies the log up to its current end and returns; for tools
// (ksmart reindex) and tests.
func (ix *Index) CatchUp(ctx context.Context, st *store.Store) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		last := st.LastSeq()
		if ix.Applied() >= last {
			return nil
		}
		evs, err := st.ReadLog(ix.Applied()+1, ix.opts.BatchEvents)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		if err := ix.apply(st, evs); err != nil {
			return err
		}
	}
}

// apply indexes the documents a run of events touched, as they are now,
// with the run's last sequence, in one Bleve batch. A batch Bleve cannot
// write, or a panic inside it, is an error wrapping ErrBroken.
func (ix *Index) apply(st *store.Store, evs []store.Event) error {
	return ix.use(func(b bleve.Index) error { return ix.applyTo(b, st, evs) })
}

func (ix *Index) applyTo(b bleve.Index, st *store.Store, evs []store.Event) error {
	type ref struct{ entity, id string }
	seen := map[ref]bool{}
	var refs []ref
	for _, ev := range evs {
		if _, ok := ix.sources[ev.Entity]; !ok {
			continue
		}
		r := ref{ev.Entity, ev.ID}
		if !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	last := evs[len(evs)-1].Seq
	batch := b.NewBatch()
	if len(refs) > 0 {
		err := st.View(func(tx *store.Tx) error {
			for _, r := range refs {
				doc, ok, err := ix.sources[r.entity].Document(tx, r.id)
				if err != nil {
					return fmt.Errorf("search: %s %s: %w", r.entity, r.id, err)
				}
				if !ok {
					batch.Delete(docID(r.entity, r.id))
					continue
				}
				if err := batch.Index(docID(r.entity, r.id), doc.fields()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	batch.SetInternal(internalApplied, binary.BigEndian.AppendUint64(nil, last))
	if err := b.Batch(batch); err != nil {
		return fmt.Errorf("%w: writing a batch: %w", ErrBroken, err)
	}
	ix.applied.Store(last)
	ix.lastErr.Store(nil)
	ix.broadcast()
	if fn := ix.progress.Load(); fn != nil {
		(*fn)(last, st.LastSeq())
	}
	return nil
}

// broadcast wakes every WaitFor.
func (ix *Index) broadcast() {
	ix.mu.Lock()
	close(ix.notify)
	ix.notify = make(chan struct{})
	ix.mu.Unlock()
}

// Compact merges the index's segments into one, for the fastest queries
// after a bulk load (ksmart reindex, a benchmark); a running appliance's
// index is merged in the background as it goes.
func (ix *Index) Compact(ctx context.Context) error {
	return ix.use(func(b bleve.Index) error {
		adv, err := b.Advanced()
		if err != nil {
			return err
		}
		sc, ok := adv.(*scorch.Scorch)
		if !ok {
			return nil
		}
		return sc.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions)
	})
}

// WaitFor blocks until the index has applied sequence seq, the context
// ends, or the indexer stops with an error (which it returns).
func (ix *Index) WaitFor(ctx context.Context, seq uint64) error {
	for {
		ix.mu.Lock()
		ch := ix.notify
		ix.mu.Unlock()
		if ix.Applied() >= seq {
			return nil
		}
		if err := ix.Err(); err != nil {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Rebuild deletes the index in dir and makes a new, empty one, for
// ksmart reindex; the caller then catches it up from the log.
func Rebuild(dir string, sources []Source, opts Options) (*Index, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("search: removing the old index: %w", err)
	}
	return Open(dir, sources, opts)
}
