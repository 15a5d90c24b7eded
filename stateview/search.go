package stateview

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/search"
)

// The state-wide search: one query runs on the state index's shards (the
// same mapping and the modules' own search sources a local body's office
// uses, so names match across spellings and scripts as they do there),
// through a Bleve index alias that merges their hits by score. A hit reads
// as its module says (module.Records.Hit), from the body's documents
// where the state index's locator places them in the FSM's change sets.

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
	Failed []string `json:"failed,omitempty"` // bodies whose hits could not be read
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

// search runs q on the state index: every shard, or the one of the
// district asked for, and reads each hit as its module says from the
// body's documents where the locator places them.
func (x *Index) search(ctx context.Context, q SearchQuery) (SearchResult, error) {
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
	bodies, err := x.src.Bodies()
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Query: q}
	shards := map[string]bool{}
	var codes []string
	for _, b := range bodies {
		if q.Body != "" && b.Code != q.Body {
			continue
		}
		_, district, _ := x.bodyName(b.Code)
		if q.District != "" && districtSlug(district) != q.District {
			continue
		}
		res.Bodies++
		st := x.status(b.Code, b)
		res.Lag = max(res.Lag, st.Lag)
		if st.Shard != "" {
			shards[st.Shard] = true
			codes = append(codes, b.Code)
		}
	}
	if len(shards) == 0 {
		return res, nil
	}
	sq := search.Query{Text: q.Text, Types: types, Size: q.Size}
	// A district's shard holds only its bodies, but the shard of other
	// district names holds many districts': keep the ones asked for.
	if q.Body != "" || shards[otherShard] && q.District != "" {
		sq.Bodies = codes
	}
	names := make([]string, 0, len(shards))
	for s := range shards {
		names = append(names, s)
	}
	sort.Strings(names)
	r, err := x.shards.Search(ctx, sq, names...)
	if err != nil {
		return SearchResult{}, err
	}
	res.Total = r.Total
	for _, h := range r.Hits {
		found, err := appliance.Hits(bodyView{x, h.Body}, x.cat, x.modules, []search.Hit{h})
		if err != nil {
			x.logger.Warn("reading a hit", "body", h.Body, "entity", h.Entity, "id", h.ID, "error", err)
			res.Failed = append(res.Failed, h.Body)
			continue
		}
		name, district, _ := x.bodyName(h.Body)
		for _, f := range found {
			res.Hits = append(res.Hits, SearchHit{Body: h.Body, BodyName: name, District: district,
				Type: f.Type, Kind: f.Kind, KindName: f.KindName, Number: f.Number, Name: f.Title, Date: f.Date,
				Status: f.Status, StatusName: f.StatusName, Score: f.Score, Link: "/state/bodies/" + url.PathEscape(h.Body)})
		}
	}
	sort.Strings(res.Failed)
	res.Failed = slices.Compact(res.Failed)
	return res, ctx.Err()
}
