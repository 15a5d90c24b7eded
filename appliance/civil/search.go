package civil

import (
	"errors"
	"strconv"
	"strings"

	"ksmart/appliance/domain"
	"ksmart/search"
	"ksmart/store"
)

// SearchSource describes the registers to the search index: one document
// per entry, found by the names on it, its number and its date.
func SearchSource() search.Source { return entrySource{} }

type entrySource struct{}

func (entrySource) Entity() string { return entityEntry }

// personFields are the names an entry is about, and relationFields the
// names of their relations, by register kind. A marriage's two people are
// each other's spouse, so each is a person and a relation.
var (
	personFields = map[string][]string{
		KindBirth: {"child_name"}, KindStillBirth: {"child_name"}, KindDeath: {"deceased_name"},
		KindMarriage: {"groom_name", "bride_name"},
	}
	relationFields = map[string][]string{
		KindBirth: {"mother_name", "father_name"}, KindStillBirth: {"mother_name", "father_name"},
		KindDeath:    {"mother_name", "father_name", "spouse_name"},
		KindMarriage: {"groom_name", "bride_name"},
	}
	textFields = []string{"place_of_birth", "place_of_death", "place_of_marriage", "permanent_address", "groom_address", "bride_address"}
)

func (entrySource) Document(tx *store.Tx, id string) (search.Doc, bool, error) {
	var e Entry
	if err := tx.Get(entityEntry, id, &e); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return search.Doc{}, false, nil
		}
		return search.Doc{}, false, err
	}
	return entryDoc(e), true, nil
}

// entryDoc is what the index knows of an entry.
func entryDoc(e Entry) search.Doc {
	d := search.Doc{Type: "register", Kind: e.Kind, Module: "civil", Number: strings.ToUpper(e.Number), Date: e.EventDate}
	if e.Year > 0 {
		d.Year = strconv.Itoa(e.Year)
	}
	if e.Ward > 0 {
		d.Ward = strconv.Itoa(e.Ward)
	}
	names := func(fields []string) []string {
		var out []string
		for _, f := range fields {
			for _, v := range []string{e.Values[f+"_en"], e.Values[f+"_ml"]} {
				if v = strings.TrimSpace(v); v != "" {
					out = append(out, v)
				}
			}
		}
		return out
	}
	d.Names, d.Relations = names(personFields[e.Kind]), names(relationFields[e.Kind])
	for _, f := range relationFields[e.Kind] {
		for _, v := range []string{e.Values[f+"_en"], e.Values[f+"_ml"]} {
			if strings.TrimSpace(v) != "" {
				d.RelationRoles = append(d.RelationRoles, strings.TrimSuffix(f, "_name"))
			}
		}
	}
	var text []string
	for _, f := range textFields {
		if v := strings.TrimSpace(e.Values[f]); v != "" {
			text = append(text, v)
		}
	}
	d.Text = strings.Join(text, "\n")
	return d
}

// MayReadRegisters reports whether by may read the registers (and so find
// their entries in the office's search).
func MayReadRegisters(by domain.Actor) bool { return canReadRegisters(by) == nil }

// EntriesByID returns the entries with these ids that exist, for showing
// search hits; the caller has checked MayReadRegisters.
func (c *Civil) EntriesByID(ids []string) (map[string]Entry, error) {
	out := make(map[string]Entry, len(ids))
	err := c.Store.View(func(tx *store.Tx) error {
		for _, id := range ids {
			e, err := getEntry(tx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out[id] = e
		}
		return nil
	})
	return out, err
}
