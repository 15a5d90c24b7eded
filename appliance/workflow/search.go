package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"ksmart/appliance/catalogue"
	"ksmart/search"
	"ksmart/store"
)

// SearchSource describes files to the search index: one document per
// application, found by its number, the applicant's and every other name
// on its form, its other words and the notes written on it. cat says which
// of a form's fields are names and words.
func SearchSource(cat *catalogue.Catalogue) search.Source { return fileSource{cat} }

type fileSource struct{ cat *catalogue.Catalogue }

func (fileSource) Entity() string { return entityFile }

func (s fileSource) Document(tx *store.Tx, id string) (search.Doc, bool, error) {
	var f File
	if err := tx.Get(entityFile, id, &f); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return search.Doc{}, false, nil
		}
		return search.Doc{}, false, err
	}
	return s.doc(f), true, nil
}

func (s fileSource) doc(f File) search.Doc {
	d := search.Doc{Type: "file", Kind: f.Service, Module: f.Module, Number: strings.ToUpper(f.Number), Status: f.Status}
	if !f.Submitted.IsZero() {
		d.Year = strconv.Itoa(f.Submitted.Year())
	}
	if f.Ward > 0 {
		d.Ward = strconv.Itoa(f.Ward)
	}
	add := func(list *[]string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*list = append(*list, v)
		}
	}
	add(&d.Names, f.Applicant.Name.En)
	add(&d.Names, f.Applicant.Name.Ml)
	var text []string
	if svc, ok := s.cat.Get(f.Service); ok {
		for _, fld := range svc.Fields {
			switch fld.Type {
			case catalogue.FieldName:
				// The names on the form (the child, the deceased) are not
				// the applicant's: found as a relation's, a file ranks
				// below the register entry of the person so named.
				for _, v := range []string{f.Values[fld.Name+"_en"], f.Values[fld.Name+"_ml"]} {
					if strings.TrimSpace(v) != "" {
						add(&d.Relations, v)
						d.RelationRoles = append(d.RelationRoles, "form")
					}
				}
			case catalogue.FieldText, catalogue.FieldAddress, catalogue.FieldTextarea:
				add(&text, f.Values[fld.Name])
			}
		}
	}
	if f.Record != "" {
		add(&text, f.Record)
	}
	for _, a := range f.History {
		add(&text, a.Note)
	}
	d.Text = strings.Join(text, "\n")
	return d
}

// FilesByID returns the files with these ids that exist, read in one
// transaction, for showing search hits; the caller has checked that its
// actor may read files.
func (w *Workflow) FilesByID(ids []string) (map[string]File, error) {
	out := make(map[string]File, len(ids))
	err := w.Store.View(func(tx *store.Tx) error {
		for _, id := range ids {
			var f File
			err := tx.Get(entityFile, id, &f)
			if errors.Is(err, store.ErrNotFound) {
				continue // gone since it was indexed
			}
			if err != nil {
				return err
			}
			out[id] = f
		}
		return nil
	})
	return out, err
}

// FileIn reads a file in a transaction of a store that holds files (a
// node's, or a state mirror's); store.ErrNotFound when there is none.
func FileIn(tx *store.Tx, id string) (File, error) {
	var f File
	err := tx.Get(entityFile, id, &f)
	return f, err
}

// ScanFiles calls fn with every file a store holds, in the order they were
// submitted.
func ScanFiles(tx *store.Tx, fn func(File) error) error {
	return tx.Scan(entityFile, store.ScanOptions{}, func(id string, raw []byte) error {
		var f File
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("file %s: %w", id, err)
		}
		return fn(f)
	})
}
