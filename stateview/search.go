package stateview

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/search"
)

// The state-wide search: one query runs on every body's mirror index (the
// same search.Index and the modules' own sources a local body's office
// uses, so names match across spellings and scripts as they do there),
// and the hits are merged by score. Each index scores by its own term
// statistics, as a Bleve index alias would; the merge is what an alias
// does, without holding every body's index open at once. A hit reads as
// its module says (module.Records.Hit), from the body's mirror.

// SearchQuery is a state-wide search.
type SearchQuery struct {
	Text string `json:"q"`
	// Type keeps one kind of record only (a module.Records.Type, e.g.
	// "register" or "file"); "" all.
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
	Type       string      `json:"type"` // module.Records.Type: "register", "file"
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

// errBadType is a search for a kind of record no module keeps.
var errBadType = errors.New("no such type of record")

// searchRecords are the kinds of record the modules make searchable, each
// type once, in the modules' order.
func searchRecords() []module.Records {
	var out []module.Records
	seen := map[string]bool{}
	for _, m := range modules {
		for _, r := range m.Records {
			if !seen[r.Type] {
				seen[r.Type] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// checkType refuses a type no module's records have, saying which they
// are.
func checkType(t string) error {
	var types []string
	for _, r := range searchRecords() {
		if r.Type == t {
			return nil
		}
		types = append(types, fmt.Sprintf("%q", r.Type))
	}
	return fmt.Errorf("%w: type is %s or empty, not %q", errBadType, strings.Join(types, ", "), t)
}

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
	if q.Type != "" {
		if err := checkType(q.Type); err != nil {
			return SearchResult{}, err
		}
		types = []string{q.Type}
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
				found, err := appliance.Hits(o.st, m.cat, m.modules, r.Hits)
				for _, h := range found {
					hits = append(hits, SearchHit{Body: b.Code, BodyName: name, District: district,
						Type: h.Type, Kind: h.Kind, KindName: h.KindName, Number: h.Number, Name: h.Title, Date: h.Date,
						Status: h.Status, StatusName: h.StatusName, Score: h.Score, Link: "/state/bodies/" + url.PathEscape(b.Code)})
				}
				return err
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
