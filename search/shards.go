package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	index "github.com/blevesearch/bleve_index_api"
)

// Shards is one search index over many local bodies' records, split into
// named shards (the state keeps one per district), each a Bleve index of
// the same mapping as a body's own index. A search runs on the shards
// asked for through a Bleve index alias, which merges their hits by score;
// names match across spellings and scripts exactly as in a body's office.
// Each document carries its body's code (Doc, ShardDoc.Body), so a search
// can keep some bodies only (Query.Bodies), and each hit says its body
// (Hit.Body).
//
// Shards knows nothing of how documents are made or when: its caller
// feeds it (Apply), and keeps its own progress in the shards' internal
// values, written in the same Bleve batch as the documents they cover. A
// shard that cannot be opened, or is of another schema, is made again
// empty (it is derived): its internal values are gone with it, which tells
// the caller what to feed again.
type Shards struct {
	dir string

	mu     sync.RWMutex
	shards map[string]bleve.Index
	closed bool
}

// ShardDoc is a document to put in a shard (Doc nil: delete ID).
type ShardDoc struct {
	Body, Entity, ID string
	Doc              *Doc
}

// shardDocID is a document's id in the shards: its body's code first, so
// that the same record of two bodies are two documents.
func shardDocID(body, entity, id string) string { return body + "/" + docID(entity, id) }

// ErrNoShard is returned for a shard name OpenShards was not given.
var ErrNoShard = errors.New("search: no such shard")

// OpenShards opens (or makes) the named shards under dir, one directory
// each; names must be usable as directory names.
func OpenShards(dir string, names []string) (*Shards, error) {
	registerAnalysers()
	s := &Shards{dir: dir, shards: map[string]bleve.Index{}}
	for _, name := range names {
		b, err := openBleve(filepath.Join(dir, name))
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("search: shard %s: %w", name, err)
		}
		s.shards[name] = b
	}
	return s, nil
}

// Names returns the shards' names, sorted.
func (s *Shards) Names() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.shards))
	for n := range s.shards {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Close closes every shard.
func (s *Shards) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, b := range s.shards {
		errs = append(errs, b.Close())
	}
	return errors.Join(errs...)
}

func (s *Shards) shard(name string) (bleve.Index, error) {
	if s.closed {
		return nil, bleve.ErrorIndexClosed
	}
	b, ok := s.shards[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoShard, name)
	}
	return b, nil
}

// Apply writes docs and the internal values (nil deletes one) into a
// shard in one Bleve batch: all of it or, on an error, none. A batch
// Bleve cannot write is an error wrapping ErrBroken.
func (s *Shards) Apply(shard string, docs []ShardDoc, internal map[string][]byte) (err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := s.shard(shard)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: Bleve panicked: %v", ErrBroken, r)
		}
	}()
	batch := b.NewBatch()
	for _, d := range docs {
		id := shardDocID(d.Body, d.Entity, d.ID)
		if d.Doc == nil {
			batch.Delete(id)
			continue
		}
		f := d.Doc.fields()
		f[fieldBody] = d.Body
		if err := batch.Index(id, f); err != nil {
			return err
		}
	}
	for k, v := range internal {
		if v == nil {
			batch.DeleteInternal([]byte(k))
		} else {
			batch.SetInternal([]byte(k), v)
		}
	}
	if err := b.Batch(batch); err != nil {
		return fmt.Errorf("%w: writing a batch: %w", ErrBroken, err)
	}
	return nil
}

// Internal returns an internal value of a shard, nil when it has none.
func (s *Shards) Internal(shard, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := s.shard(shard)
	if err != nil {
		return nil, err
	}
	return b.GetInternal([]byte(key))
}

// Count returns the documents in every shard, by name.
func (s *Shards) Count() (map[string]uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]uint64{}
	for name, b := range s.shards {
		n, err := b.DocCount()
		if err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, nil
}

// Size returns the bytes the shards take on disk.
func (s *Shards) Size() int64 {
	var n int64
	filepath.WalkDir(s.dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// Compact merges each shard's segments into one (after a bulk load, for a
// benchmark); shards merge in the background as they are fed.
func (s *Shards) Compact(ctx context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, b := range s.shards {
		adv, err := b.Advanced()
		if err != nil {
			return err
		}
		if sc, ok := adv.(*scorch.Scorch); ok {
			if err := sc.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
				return err
			}
		}
	}
	return nil
}

// Search runs q on the named shards (every shard when none is named) and
// returns the best hits of them all, each with its body. A word counts as
// known (and so is not matched loosely, see nameQuery) when any shard
// searched holds it.
func (s *Shards) Search(ctx context.Context, q Query, shards ...string) (res Result, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(shards) == 0 {
		for name := range s.shards {
			shards = append(shards, name)
		}
		sort.Strings(shards)
	}
	var idx []bleve.Index
	var readers []index.IndexReader
	defer func() {
		for _, r := range readers {
			r.Close()
		}
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: Bleve panicked: %v", ErrBroken, r)
		}
	}()
	for _, name := range shards {
		b, err := s.shard(name)
		if err != nil {
			return Result{}, err
		}
		if n, err := b.DocCount(); err == nil && n == 0 {
			continue // an empty shard finds nothing, and costs its share
		}
		adv, err := b.Advanced()
		if err != nil {
			return Result{}, err
		}
		r, err := adv.Reader()
		if err != nil {
			return Result{}, err
		}
		idx, readers = append(idx, b), append(readers, r)
	}
	known := func(field, term string) bool {
		for _, r := range readers {
			tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
			if err != nil {
				continue
			}
			n := tfr.Count()
			tfr.Close()
			if n > 0 {
				return true
			}
		}
		return false
	}
	req, err := request(q, known)
	if err != nil {
		return Result{}, err
	}
	var sr *bleve.SearchResult
	if len(idx) == 0 {
		return Result{}, nil
	}
	if len(idx) == 1 {
		sr, err = idx[0].SearchInContext(ctx, req)
	} else {
		sr, err = bleve.NewIndexAlias(idx...).SearchInContext(ctx, req)
	}
	if err != nil {
		return Result{}, err
	}
	return result(q, sr, true), nil
}

// DeleteBody deletes every document of a body from a shard, and sets the
// internal values given (nil deletes one) with the last batch: a body
// made again from nothing leaves nothing of its old documents behind.
func (s *Shards) DeleteBody(shard, body string, internal map[string][]byte) (err error) {
	s.mu.RLock()
	b, err := s.shard(shard)
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	const page = 10000
	var ids []string
	q := field(bleve.NewTermQuery(body), fieldBody)
	for from := 0; ; from += page {
		req := bleve.NewSearchRequestOptions(q, page, from, false)
		req.SortBy([]string{"_id"})
		res, err := b.Search(req)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) < page {
			break
		}
	}
	for len(ids) > page {
		batch := b.NewBatch()
		for _, id := range ids[:page] {
			batch.Delete(id)
		}
		if err := b.Batch(batch); err != nil {
			return fmt.Errorf("%w: writing a batch: %w", ErrBroken, err)
		}
		ids = ids[page:]
	}
	batch := b.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	for k, v := range internal {
		if v == nil {
			batch.DeleteInternal([]byte(k))
		} else {
			batch.SetInternal([]byte(k), v)
		}
	}
	if err := b.Batch(batch); err != nil {
		return fmt.Errorf("%w: writing a batch: %w", ErrBroken, err)
	}
	return nil
}
