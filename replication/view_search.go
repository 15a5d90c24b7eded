package replication

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/search"
	"ksmart/store"
)

// The state-wide search: one query runs on every body's mirror index (the
// same search.Index and Sources a local body's office uses, so names match
// across spellings and scripts as they do there), and the hits are merged
// by score. Each index scores by its own term statistics, as a Bleve index
// alias would; the merge is what an alias does, without holding every
// body's index open at once.

// SearchQuery is a state-wide search.
type SearchQuery struct {
	Text string `json:"q"`
	// Type keeps "register" entries or "file"s only; "" both.
	Type string `json:"type,omitempty"`
	// District keeps one district's bodies (its slug); Body one body.
	District string `json:"district,omitempty"`
	Body     string `json:"body,omitempty"`
	Size     int    `json:"size,omitempty"` // default 20, at most 100
}

// SearchHit is one record found.
type SearchHit struct {
	Body       string      `json:"body"`
	BodyName   domain.Text `json:"body_name"`
	District   domain.Text `json:"district"`
	Type       string      `json:"type"` // "register" or "file"
	Kind       string      `json:"kind"` // register kind or service code
	KindName   domain.Text `json:"kind_name"`
	Number     string      `json:"number"`
	Name       domain.Text `json:"name"`
	Date       string      `json:"date,omitempty"` // of the event, or of submission (YYYY-MM-DD)
	Status     string      `json:"status,omitempty"`
	StatusName domain.Text `json:"status_name,omitzero"`
	Score      float64     `json:"score"`
	Link       string      `json:"link"` // the body's page
}

// SearchResult is what a state-wide search found.
type SearchResult struct {
	Query  SearchQuery `json:"query"`
	Total  uint64      `json:"total"` // records found in every body
	Hits   []SearchHit `json:"hits"`  // the best, across bodies
	Bodies int         `json:"bodies"`
	// Lag is the most events any searched body's index has still to apply
	// on this node: records that recent are not found yet.
	Lag    uint64   `json:"lag"`
	Failed []string `json:"failed,omitempty"` // bodies whose index could not be searched
}

// MaxSearchText is the longest search the state takes.
const MaxSearchText = 200

// errBadQuery is an unusable search, with what to do.
var errBadQuery = errors.New("give a name, a number or some words to search for (at most 200 characters)")

// search runs q on every body's mirror index, a few at a time.
func (m *Mirrors) search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	q.Text = strings.TrimSpace(q.Text)
	if q.Text == "" || len(q.Text) > MaxSearchText {
		return SearchResult{}, errBadQuery
	}
	if q.Size <= 0 {
		q.Size = 20
	}
	q.Size = min(q.Size, 100)
	var types []string
	switch q.Type {
	case "register", "file":
		types = []string{q.Type}
	case "":
	default:
		return SearchResult{}, errors.New(`type is "register", "file" or empty`)
	}
	bodies, err := m.src.Bodies()
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Query: q}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, b := range bodies {
		if q.Body != "" && b.Code != q.Body {
			continue
		}
		mr := m.get(b.Code)
		mr.smu.Lock()
		st := mr.state
		mr.smu.Unlock()
		district := unknownDistrict
		name := domain.Text{En: b.Code, Ml: b.Code}
		if st.Identity {
			district, name = st.Body.District, st.Body.Name
		}
		if q.District != "" && districtSlug(district) != q.District {
			continue
		}
		res.Bodies++
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			var hits []SearchHit
			var total, lag uint64
			err := m.use(mr, func(o *openMirror) error {
				lag = o.st.LastSeq() - min(o.ix.Applied(), o.st.LastSeq())
				r, err := o.ix.Search(ctx, search.Query{Text: q.Text, Types: types, Size: q.Size})
				if err != nil {
					return err
				}
				total = r.Total
				return o.st.View(func(tx *store.Tx) error {
					for _, h := range r.Hits {
						hit, ok, err := searchHit(tx, h)
						if err != nil {
							return err
						}
						if ok {
							hit.Body, hit.BodyName, hit.District = b.Code, name, district
							hit.Link = "/state/bodies/" + url.PathEscape(b.Code)
							hits = append(hits, hit)
						}
					}
					return nil
				})
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				m.logger.Warn("searching a mirror", "body", b.Code, "error", err)
				res.Failed = append(res.Failed, b.Code)
				return
			}
			res.Total += total
			res.Hits = append(res.Hits, hits...)
			res.Lag = max(res.Lag, lag)
		}()
	}
	wg.Wait()
	sort.SliceStable(res.Hits, func(i, j int) bool {
		if res.Hits[i].Score != res.Hits[j].Score {
			return res.Hits[i].Score > res.Hits[j].Score
		}
		return res.Hits[i].Body < res.Hits[j].Body
	})
	if len(res.Hits) > q.Size {
		res.Hits = res.Hits[:q.Size]
	}
	sort.Strings(res.Failed)
	return res, ctx.Err()
}

// searchHit describes an index hit from the mirror's documents; ok is
// false when the document is gone since it was indexed.
func searchHit(tx *store.Tx, h search.Hit) (SearchHit, bool, error) {
	switch h.Entity {
	case entityCivilEntry:
		var e civil.Entry
		if err := tx.Get(entityCivilEntry, h.ID, &e); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return SearchHit{}, false, nil
			}
			return SearchHit{}, false, err
		}
		return SearchHit{Type: "register", Kind: e.Kind, KindName: civil.KindName(e.Kind), Number: e.Number, Name: e.Person(),
			Date: e.EventDate, Score: h.Score}, true, nil
	case entityFile:
		var f workflow.File
		if err := tx.Get(entityFile, h.ID, &f); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return SearchHit{}, false, nil
			}
			return SearchHit{}, false, err
		}
		return SearchHit{Type: "file", Kind: f.Service, KindName: f.ServiceName, Number: f.Number, Name: f.Applicant.Name,
			Date: f.Submitted.In(domain.IST).Format(time.DateOnly), Status: f.Status, StatusName: workflow.StatusName(f.Status), Score: h.Score}, true, nil
	}
	return SearchHit{}, false, nil
}
