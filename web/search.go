package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/search"
)

// The office's one search box: everything the user's role may see
// (appliance.OfficeSearch decides what), with filters and counts per
// filter value. What is typed is often a name, so the page works by POST:
// the words, the filters and the page number travel in the form's body,
// never in a URL that a browser's history or a proxy's log would keep.

// searchFilters are the filters of a search, in the order the page shows
// their facets; each is a form field of that name and a facet of the index.
var searchFilters = []string{"type", "kind", "ward", "year", "status"}

// maxSearchFrom is the deepest a search pages: the index collects from+20
// hits to skip from, so a client must not make it collect millions.
const maxSearchFrom = 10000

// officeSearchView is what the office search page draws.
type officeSearchView struct {
	Q       string
	Active  []searchFilter // the filters on, as hidden inputs
	Result  *appliance.OfficeResult
	Facets  []facetGroup
	From    int
	Prev    int
	HasPrev bool
	Next    int
	HasNext bool
	First   int    // number of the first hit shown (from 1)
	Last    uint64 // number of the last hit shown
	Error   *domain.Error
}

// searchFilter is one filter value that is on.
type searchFilter struct{ Field, Value string }

// facetGroup is one facet's values, each a button that turns it on or off.
type facetGroup struct {
	Name   string
	Values []facetValue
}

type facetValue struct {
	Value string
	Label domain.Text
	Count int
	On    bool
}

func (s *Server) officeSearchPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "office_search.html", "search", &officeSearchView{})
}

// officeSearch runs the search the form asks for: its words, the filters
// on (hidden inputs), a filter button pressed (toggle=field:value, which
// starts again from the first page) or a page button (from=N).
func (s *Server) officeSearch(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return formError(err)
	}
	v := &officeSearchView{Q: strings.TrimSpace(form.Get("q"))}
	on := map[string][]string{}
	for _, f := range searchFilters {
		for _, val := range form[f] {
			if val != "" && !slices.Contains(on[f], val) {
				on[f] = append(on[f], val)
			}
		}
	}
	if field, val, ok := strings.Cut(form.Get("toggle"), ":"); ok && slices.Contains(searchFilters, field) && val != "" {
		if i := slices.Index(on[field], val); i >= 0 {
			on[field] = slices.Delete(on[field], i, i+1)
		} else {
			on[field] = append(on[field], val)
		}
	} else if n, err := strconv.Atoi(form.Get("from")); err == nil && n > 0 {
		v.From = min(n, maxSearchFrom)
	}
	q := appliance.OfficeQuery{Text: v.Q, Types: on["type"], Kinds: on["kind"], Wards: on["ward"], Years: on["year"], Statuses: on["status"], From: v.From}
	for _, f := range searchFilters {
		for _, val := range on[f] {
			v.Active = append(v.Active, searchFilter{f, val})
		}
	}
	res, err := s.App.OfficeSearch(c.Request().Context(), actor(c), q)
	if err != nil {
		if de := (*domain.Error)(nil); errors.As(err, &de) && de.Code == domain.EINVALID {
			v.Error = de
			return s.render(c, http.StatusBadRequest, "office_search.html", "search", v)
		}
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store") // names of people
	v.Result = &res
	v.Facets = s.facetGroups(res.Facets, on)
	v.First, v.Last = v.From+1, uint64(v.From+len(res.Hits))
	if v.From > 0 {
		v.HasPrev, v.Prev = true, max(v.From-appliance.OfficePageSize, 0)
	}
	if v.Last < res.Total {
		v.HasNext, v.Next = true, v.From+appliance.OfficePageSize
	}
	return s.render(c, http.StatusOK, "office_search.html", "search", v)
}

// facetGroups names each facet value for people and marks those on. A
// filter that is on shows even when nothing found has it, so it can be
// turned off.
func (s *Server) facetGroups(facets map[string][]search.FacetCount, on map[string][]string) []facetGroup {
	var out []facetGroup
	for _, name := range searchFilters {
		g := facetGroup{Name: name}
		seen := map[string]bool{}
		for _, fc := range facets[name] {
			if fc.Value == "" {
				continue // records without the field (an entry has no status)
			}
			seen[fc.Value] = true
			g.Values = append(g.Values, facetValue{Value: fc.Value, Label: s.facetLabel(name, fc.Value), Count: fc.Count, On: slices.Contains(on[name], fc.Value)})
		}
		for _, val := range on[name] {
			if !seen[val] {
				g.Values = append(g.Values, facetValue{Value: val, Label: s.facetLabel(name, val), On: true})
			}
		}
		if name == "year" {
			slices.SortFunc(g.Values, func(a, b facetValue) int { return strings.Compare(b.Value, a.Value) })
		}
		if len(g.Values) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// facetLabel names a facet value: a register kind or service, a status, a
// ward by its number and name.
func (s *Server) facetLabel(facet, value string) domain.Text {
	switch facet {
	case "type":
		switch value {
		case "register":
			return domain.T("Register entries", "രജിസ്റ്റർ എൻട്രികൾ")
		case "file":
			return domain.T("Files", "ഫയലുകൾ")
		}
	case "kind":
		if slices.Contains(civil.Kinds, value) {
			return civil.KindName(value)
		}
		if svc, ok := s.App.Catalogue.Get(value); ok {
			return svc.Name
		}
	case "status":
		return workflow.StatusName(value)
	case "ward":
		for _, w := range s.App.LocalBody.Wards {
			if strconv.Itoa(w.Number) == value {
				return domain.T(value+" · "+w.Name.En, value+" · "+w.Name.Ml)
			}
		}
	}
	return domain.T(value, value)
}

// apiSearchRequest is the body of POST /api/v1/search.
type apiSearchRequest struct {
	Text     string   `json:"text"`
	Types    []string `json:"types"`
	Kinds    []string `json:"kinds"`
	Wards    []string `json:"wards"`
	Years    []string `json:"years"`
	Statuses []string `json:"statuses"`
	From     int      `json:"from"`
}

// apiSearchHit is one record found.
type apiSearchHit struct {
	Type       string       `json:"type"`
	Kind       string       `json:"kind"`
	KindName   domain.Text  `json:"kind_name"`
	Number     string       `json:"number"`
	Title      domain.Text  `json:"title"`
	Status     string       `json:"status,omitempty"`
	StatusName *domain.Text `json:"status_name,omitempty"`
	Date       string       `json:"date,omitempty"`
	Ward       int          `json:"ward,omitempty"`
	Link       string       `json:"link"`
	Why        *domain.Text `json:"why,omitempty"`
}

func (s *Server) apiSearch(c echo.Context) error {
	var in apiSearchRequest
	if err := readJSON(c, &in); err != nil {
		return err
	}
	res, err := s.App.OfficeSearch(c.Request().Context(), actor(c), appliance.OfficeQuery{Text: in.Text, Types: in.Types, Kinds: in.Kinds,
		Wards: in.Wards, Years: in.Years, Statuses: in.Statuses, From: min(max(in.From, 0), maxSearchFrom)})
	if err != nil {
		return err
	}
	hits := make([]apiSearchHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		hit := apiSearchHit{Type: h.Type, Kind: h.Kind, KindName: h.KindName, Number: h.Number, Title: h.Title, Status: h.Status, Date: h.Date, Ward: h.Ward, Link: h.Link}
		if h.Status != "" {
			hit.StatusName = &h.StatusName
		}
		if h.Why.En != "" {
			hit.Why = &h.Why
		}
		hits = append(hits, hit)
	}
	facets := map[string][]search.FacetCount{}
	for name, counts := range res.Facets {
		for _, fc := range counts {
			if fc.Value != "" { // records without the field
				facets[name] = append(facets[name], fc)
			}
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{
		"total":  res.Total,
		"hits":   hits,
		"facets": facets,
		"index":  map[string]any{"applied": res.Status.Applied, "last": res.Status.Last, "catching_up": res.Status.CatchingUp()},
	})
}
