package search

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"ksmart/search/names"
)

// Query is a search built from fields. Nothing in it is parsed as query
// syntax: a name with a colon or a quote in it is just a name.
type Query struct {
	// Text is the office's one search box: names, numbers and words.
	Text string
	// Name, Relation, Number and Date must each match when given: Name the
	// person's name, Relation a parent's or spouse's name, Number the
	// record's number exactly (or its beginning, with NumberPrefix), Date
	// the event's date as YYYY-MM-DD.
	Name, Relation, Number, Date string
	NumberPrefix                 bool
	// Filters: a record must have one of the values given for each.
	// Bodies filters by local body's code, in an index of many (Shards).
	Types, Kinds, Wards, Years, Statuses, Bodies []string
	// Exclusions: a record with any of these is left out. Excluding a few
	// (files, still births) is far cheaper than requiring one of many
	// (every register kind), which walks every record of each.
	NotTypes, NotKinds []string
	// Size is how many hits to return (default 10, at most 100), From how
	// many to skip.
	Size, From int
	// Facets asks for counts per type, kind, ward, year and status.
	Facets bool
}

// Hit is one record found.
type Hit struct {
	// Body is the local body's code, in an index of many (Shards).
	Body       string
	Entity, ID string
	Score      float64
}

// FacetCount is how many records found have one value of a facet.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is what a search found.
type Result struct {
	Total  uint64                  `json:"total"`
	Hits   []Hit                   `json:"-"`
	Facets map[string][]FacetCount `json:"facets,omitempty"`
	Took   time.Duration           `json:"-"`
}

// Facet names in Result.Facets.
var facetFields = []string{fieldType, fieldKind, fieldWard, fieldYear, fieldStatus}

// ErrEmptyQuery is returned for a query that asks for nothing.
var ErrEmptyQuery = errorString("search: give a name, a number, a date or some words to search for")

type errorString string

func (e errorString) Error() string { return string(e) }

// looksLikeNumber is a register or application number, or its beginning:
// letters then a dash or slash and digits (B-12/2026, KS/M0701/2026/BC/12).
var looksLikeNumber = regexp.MustCompile(`^[A-Za-z]{1,3}[-/][A-Za-z0-9/-]*$`)

// Search runs q and returns its hits, best first. While a failed index is
// being made again (SetAside) it returns the reason.
func (ix *Index) Search(ctx context.Context, q Query) (res Result, err error) {
	err = ix.use(func(b bleve.Index) (err error) { res, err = search(ctx, b, q); return err })
	return res, err
}

func search(ctx context.Context, b bleve.Index, q Query) (Result, error) {
	adv, err := b.Advanced()
	if err != nil {
		return Result{}, err
	}
	reader, err := adv.Reader()
	if err != nil {
		return Result{}, err
	}
	defer reader.Close()
	known := func(field, term string) bool {
		tfr, err := reader.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return false
		}
		defer tfr.Close()
		return tfr.Count() > 0
	}
	req, err := request(q, known)
	if err != nil {
		return Result{}, err
	}
	res, err := b.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, err
	}
	return result(q, res, false), nil
}

// request builds the Bleve request for q; known says whether the index
// holds a term in a field.
func request(q Query, known func(field, term string) bool) (*bleve.SearchRequest, error) {
	var must []query.Query
	if q.Name != "" {
		if nq := nameQuery(ownNames, q.Name, 0.2, known); nq != nil {
			must = append(must, nq)
		}
	}
	if q.Relation != "" {
		if nq := nameQuery(relationNames, q.Relation, 0.2, known); nq != nil {
			must = append(must, nq)
		}
	}
	if n := strings.ToUpper(strings.TrimSpace(q.Number)); n != "" {
		if q.NumberPrefix {
			must = append(must, field(bleve.NewPrefixQuery(n), fieldNumber))
		} else {
			must = append(must, field(bleve.NewTermQuery(n), fieldNumber))
		}
	}
	if d := strings.TrimSpace(q.Date); d != "" {
		must = append(must, field(bleve.NewTermQuery(d), fieldDate))
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		must = append(must, textQuery(t, known))
	}
	if len(must) == 0 {
		return nil, ErrEmptyQuery
	}
	for _, f := range []struct {
		name   string
		values []string
	}{{fieldType, q.Types}, {fieldKind, q.Kinds}, {fieldWard, q.Wards}, {fieldYear, q.Years}, {fieldStatus, q.Statuses}, {fieldBody, q.Bodies}} {
		if len(f.values) == 0 {
			continue
		}
		var any []query.Query
		for _, v := range f.values {
			any = append(any, field(bleve.NewTermQuery(v), f.name))
		}
		must = append(must, bleve.NewDisjunctionQuery(any...))
	}

	var mustNot []query.Query
	for _, f := range []struct {
		name   string
		values []string
	}{{fieldType, q.NotTypes}, {fieldKind, q.NotKinds}} {
		for _, v := range f.values {
			mustNot = append(mustNot, field(bleve.NewTermQuery(v), f.name))
		}
	}
	var top query.Query = bleve.NewConjunctionQuery(must...)
	if len(mustNot) > 0 {
		b := bleve.NewBooleanQuery()
		b.AddMust(must...)
		b.AddMustNot(mustNot...)
		top = b
	}

	size := q.Size
	if size <= 0 {
		size = 10
	}
	size = min(size, 100)
	req := bleve.NewSearchRequestOptions(top, size, max(q.From, 0), false)
	if q.Facets {
		for _, f := range facetFields {
			req.AddFacet(f, bleve.NewFacetRequest(f, 20))
		}
	}
	return req, nil
}

// result reads Bleve's answer; withBody: hit ids begin with the body's
// code (Shards).
func result(q Query, res *bleve.SearchResult, withBody bool) Result {
	out := Result{Total: res.Total, Took: res.Took}
	for _, h := range res.Hits {
		id := h.ID
		var body string
		if withBody {
			body, id, _ = strings.Cut(id, "/")
		}
		entity, id, _ := strings.Cut(id, "/")
		out.Hits = append(out.Hits, Hit{Body: body, Entity: entity, ID: id, Score: h.Score})
	}
	if q.Facets {
		out.Facets = map[string][]FacetCount{}
		for name, fr := range res.Facets {
			if fr.Terms == nil {
				continue
			}
			for _, t := range fr.Terms.Terms() {
				if t.Term == "" {
					continue
				}
				out.Facets[name] = append(out.Facets[name], FacetCount{Value: t.Term, Count: t.Count})
			}
		}
	}
	return out
}

// fieldQuery is a query that can be pointed at a field.
type fieldQuery interface {
	query.Query
	SetField(string)
}

func field[Q fieldQuery](q Q, name string) Q {
	q.SetField(name)
	return q
}

type boostable interface {
	query.Query
	SetBoost(float64)
}

func boost[Q boostable](q Q, b float64) Q {
	q.SetBoost(b)
	return q
}

// nameQuery matches a name typed as people type it. Each word matches by
// its phonetic key (any spelling of the name) or, better, by its exact
// spelling. A word whose key no one in the index has is taken to be
// mistyped and matched within one edit of its spelling; a word that is
// someone's name is not, or Rakesh would find Rajesh. Initials only add to
// the score; every other word must match.
//
// A word also matches the other forms of a record's words (names.AltKeys:
// Unni Krishnan meets Unnikrishnan, Anilkumar meets Anil Kumar, Vasudev
// meets Vasudevan), more weakly than a word as written; and a word with
// the masculine -an matches its stem (Vasudevan meets Vasudev).
// initialsBoost is what each typed initial that the record has adds: a
// little at the kiosk, where other details single a person out, more in
// the office box, where the initials are what tells one Sreekumar from
// another.
func nameQuery(f nameFields, name string, initialsBoost float64, known func(field, term string) bool) query.Query {
	var words []query.Query
	var initials []query.Query
	for _, w := range names.Words(name) {
		key, word := names.Key(w), wordOf(w)
		if key == "" {
			continue
		}
		if utf8.RuneCountInString(word) <= 1 || utf8.RuneCountInString(key) <= 1 {
			initials = append(initials, boost(field(bleve.NewTermQuery(key), f.key), initialsBoost))
			continue
		}
		alts := []query.Query{
			boost(field(bleve.NewTermQuery(key), f.key), 2),
			boost(field(bleve.NewTermQuery(word), f.word), 0.5),
			boost(field(bleve.NewTermQuery(key), f.alt), 1),
		}
		if stem, ok := names.StemKey(key); ok {
			alts = append(alts, boost(field(bleve.NewTermQuery(stem), f.key), 1))
		}
		keyField := f.key
		if utf8.RuneCountInString(word) >= 4 && !known(keyField, key) && !known(f.alt, key) {
			fz := field(bleve.NewFuzzyQuery(word), f.word)
			fz.SetFuzziness(1)
			alts = append(alts, boost(fz, 1))
		}
		words = append(words, bleve.NewDisjunctionQuery(alts...))
	}
	if len(words) == 0 {
		if len(initials) == 0 {
			return nil
		}
		words, initials = initials, nil
	}
	// Every word must match: a house name shared is not the same person.
	var matched query.Query = bleve.NewConjunctionQuery(words...)
	if len(initials) == 0 {
		return matched
	}
	// Initials only add to the score: the minimum counts the words alone.
	b := bleve.NewBooleanQuery()
	b.AddMust(matched)
	b.AddShould(initials...)
	return b
}

// nameFields are the index fields of one set of names: the people's own
// or their relations'.
type nameFields struct{ key, word, alt, whole string }

var (
	ownNames      = nameFields{fieldNameKey, fieldNameWord, fieldNameAlt, fieldNameWhole}
	relationNames = nameFields{fieldRelKey, fieldRelWord, fieldRelAlt, ""}
)

// wholeName is the term of names.WholeKey(name): it matches a record whose
// name is the one typed, every word and initial in order, in any spelling
// or script.
func wholeName(f nameFields, name string) query.Query {
	if f.whole == "" {
		return nil
	}
	w := names.WholeKey(name)
	if !strings.Contains(w, " ") {
		return nil // one word is no whole name to lift
	}
	return field(bleve.NewTermQuery(w), f.whole)
}

// boostQuery boosts a query that can be boosted.
func boostQuery(q query.Query, b float64) query.Query {
	if bq, ok := q.(boostable); ok {
		bq.SetBoost(b)
	}
	return q
}

// textQuery is the office box: a number or its beginning, names of the
// people or their relations, or words of the record.
func textQuery(t string, known func(field, term string) bool) query.Query {
	var alts []query.Query
	if looksLikeNumber.MatchString(t) {
		alts = append(alts, boost(field(bleve.NewPrefixQuery(strings.ToUpper(t)), fieldNumber), 5))
	}
	// The person's own name outranks a relation's: a child whose father is
	// Sreekumar is a weaker answer to "K R Sreekumar" than Sreekumar. The
	// typed initials the record has lift it, and the whole name in order
	// lifts it most.
	if nq := nameQuery(ownNames, t, 1.5, known); nq != nil {
		own := bleve.NewBooleanQuery()
		own.AddMust(nq)
		if wq := wholeName(ownNames, t); wq != nil {
			own.AddShould(boostQuery(wq, 4))
		}
		alts = append(alts, boostQuery(own, 6))
	}
	if rq := nameQuery(relationNames, t, 0.2, known); rq != nil {
		alts = append(alts, boostQuery(rq, 0.5))
	}
	m := field(bleve.NewMatchQuery(t), fieldText)
	m.SetOperator(query.MatchQueryOperatorAnd)
	alts = append(alts, boost(m, 0.5))
	return bleve.NewDisjunctionQuery(alts...)
}

// MatchedRelation says why the office box found a record through a
// relation rather than the person: the index of the relation of d whose
// name holds every word typed in text (initials aside), and true — or
// false when one of the person's own names holds them, or no one's does.
// A hit found through a relation is the weaker answer, and says so
// ("mother: Priya").
func MatchedRelation(d Doc, text string) (int, bool) {
	typed := map[string]bool{}
	for _, w := range names.Words(text) {
		if k := names.Key(w); len(k) > 1 {
			typed[k] = true
			if stem, ok := names.StemKey(k); ok {
				typed[stem] = true
			}
		}
	}
	if len(typed) == 0 {
		return 0, false
	}
	holds := func(name string) bool {
		words := names.Words(name)
		have := map[string]bool{}
		for _, w := range words {
			k := names.Key(w)
			have[k] = true
			if stem, ok := names.StemKey(k); ok {
				have[stem] = true
			}
		}
		for _, k := range names.AltKeys(words) {
			have[k] = true
		}
		n := 0
		for k := range typed {
			if have[k] {
				n++
			}
		}
		return n > 0
	}
	for _, n := range d.Names {
		if holds(n) {
			return 0, false
		}
	}
	for i, r := range d.Relations {
		if holds(r) {
			return i, true
		}
	}
	return 0, false
}
