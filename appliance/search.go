package appliance

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/search"
	"ksmart/store"
)

// IndexDir is where a data directory keeps its search index.
func IndexDir(dataDir string) string { return filepath.Join(dataDir, "index") }

// SearchSources are the store entities the index holds: the records every
// module makes searchable.
func (a *Appliance) SearchSources() []search.Source { return SearchSources(a.Catalogue, a.Modules) }

// openSearch opens the search index beside the store. A damaged or
// outdated index is set aside and rebuilt from the log by the indexer.
func (a *Appliance) openSearch(cfg Config) error {
	open := search.Open
	if cfg.RebuildIndex {
		open = search.Rebuild
	}
	ix, err := open(IndexDir(cfg.Dir), a.SearchSources(), search.Options{})
	if err != nil {
		return err
	}
	a.Search = ix
	if behind := a.Store.LastSeq() - min(ix.Applied(), a.Store.LastSeq()); behind > 0 {
		a.Logger.Info("search index will catch up with the log", "applied", ix.Applied(), "events_behind", behind)
	}
	return nil
}

// SearchStatus says how far the index has caught up with the log.
type SearchStatus struct {
	Applied, Last uint64
	Err           error
}

// CatchingUp reports whether the index is still behind the log by more
// than a moment's work.
func (s SearchStatus) CatchingUp() bool { return s.Last > s.Applied+2000 }

// SearchStatus returns the index's position against the log.
func (a *Appliance) SearchStatus() SearchStatus {
	return SearchStatus{Applied: a.Search.Applied(), Last: a.Store.LastSeq(), Err: a.Search.Err()}
}

// FollowIndex starts the indexer, which keeps the index following the log
// until ctx ends or the appliance closes. Run starts it; tools that do not
// Run (an offline import) start it alone.
func (a *Appliance) FollowIndex(ctx context.Context) {
	if a.indexerDone != nil {
		return
	}
	a.indexerDone = make(chan struct{})
	go a.runIndexer(a.runContext(ctx)) // Close stops it, then waits for it
}

// runIndexer keeps the index following the log until ctx ends or the store
// closes; a failure is logged and retried after a pause. An index that
// failed in a way that may have left it inconsistent (search.ErrBroken: a
// batch it could not write, a panic inside Bleve, as when the disk fills)
// is set aside and rebuilt from the log, as soon as there is room to make
// a new one. Nothing here takes the process down.
func (a *Appliance) runIndexer(ctx context.Context) {
	defer close(a.indexerDone)
	broken := false
	for {
		var err error
		if broken {
			if err = a.Search.SetAside(); err == nil {
				broken = false
				a.indexBroken.Store(false)
				a.Logger.Warn("the search index was set aside; rebuilding it from the log", "events", a.Store.LastSeq())
			}
		}
		if !broken {
			err = a.followIndex(ctx)
			if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, store.ErrClosed) {
				return
			}
			if errors.Is(err, search.ErrBroken) {
				broken = true
				a.indexBroken.Store(true)
			}
		}
		a.Logger.Error("search indexing failed; retrying", "after", a.retry, "rebuild", broken, "error", err)
		select {
		case <-ctx.Done():
			return
		case <-a.closing:
			return
		case <-time.After(a.retry):
		}
	}
}

// followIndex runs the index's Follow, turning a panic into an error
// wrapping search.ErrBroken.
func (a *Appliance) followIndex(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.panics.Add(1)
			err = fmt.Errorf("%w: the indexer panicked: %v", search.ErrBroken, r)
		}
	}()
	return a.Search.Follow(ctx, a.Store)
}

// OfficeQuery is a search from the office's one box, with its filters.
type OfficeQuery struct {
	Text                                 string
	Types, Kinds, Wards, Years, Statuses []string
	From                                 int
}

// OfficeResult is a page of office search results, with counts per filter
// value over all the records found.
type OfficeResult struct {
	Total  uint64
	Hits   []module.Hit
	Facets map[string][]search.FacetCount
	// Status says whether the index is still catching up with the log, in
	// which case recent records may be missing.
	Status SearchStatus
}

// OfficePageSize is how many hits one page of office results shows, and
// OfficeMaxFrom how deep paging may go.
const (
	OfficePageSize = 20
	OfficeMaxFrom  = 10000
)

// OfficeTypes are the kinds of record by may find in the office's search:
// each module's records that by's roles may read.
func (a *Appliance) OfficeTypes(by domain.Actor) []string {
	var out []string
	for _, m := range a.Modules {
		for _, r := range m.Records {
			if r.Readable != nil && r.Readable(by) && !slices.Contains(out, r.Type) {
				out = append(out, r.Type)
			}
		}
	}
	return out
}

// OfficeSearch searches everything by's roles may see (OfficeTypes): files
// for all office staff, register entries for the registrar's office.
func (a *Appliance) OfficeSearch(ctx context.Context, by domain.Actor, q OfficeQuery) (OfficeResult, error) {
	if !by.IsStaff() || by.Has(domain.RoleKiosk) {
		return OfficeResult{}, domain.Errorf(domain.EFORBIDDEN, "Only office staff search the office's records.")
	}
	if strings.TrimSpace(q.Text) == "" {
		return OfficeResult{}, domain.Bilingual(domain.EINVALID, domain.T("Type a name, a number or some words to search for.", "തിരയാൻ ഒരു പേരോ നമ്പറോ വാക്കുകളോ നൽകുക."))
	}
	if len(q.Text) > 200 {
		return OfficeResult{}, domain.Bilingual(domain.EINVALID, domain.T("Search for at most 200 characters.", "പരമാവധി 200 അക്ഷരങ്ങൾ തിരയുക."))
	}
	if q.From < 0 || q.From > OfficeMaxFrom {
		return OfficeResult{}, domain.Errorf(domain.EINVALID, "Results page past %d; narrow the search with a filter instead.", OfficeMaxFrom)
	}
	allowed := a.OfficeTypes(by)
	types := allowed
	if len(q.Types) > 0 {
		types = nil
		for _, t := range q.Types {
			if slices.Contains(allowed, t) {
				types = append(types, t)
			}
		}
		if len(types) == 0 {
			return OfficeResult{}, domain.Errorf(domain.EFORBIDDEN, "Your role may not search %s.", strings.Join(q.Types, ", "))
		}
	}
	res, err := a.Search.Search(ctx, search.Query{Text: q.Text, Types: types, Kinds: q.Kinds, Wards: q.Wards, Years: q.Years,
		Statuses: q.Statuses, Size: OfficePageSize, From: q.From, Facets: true})
	if err != nil {
		return OfficeResult{}, err
	}
	out := OfficeResult{Total: res.Total, Facets: res.Facets, Status: a.SearchStatus()}
	if out.Hits, err = Hits(a.Store, a.Catalogue, a.Modules, res.Hits, q.Text); err != nil {
		return OfficeResult{}, err
	}
	_, err = a.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventOfficeSearched, "search", by.ID, map[string]any{"types": types, "found": res.Total, "shown": len(out.Hits)})
	})
	return out, err
}
