package search_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ksmart/search"
	"ksmart/store"
	"ksmart/store/storetest"
)

// person is a test document: what a module would keep in the store.
type person struct {
	Name, Mother, Number, Date, Ward, Status string
}

// personSource describes persons to the index, as a module would.
type personSource struct{}

func (personSource) Entity() string { return "person" }

func (personSource) Document(tx *store.Tx, id string) (search.Doc, bool, error) {
	var p person
	if err := tx.Get("person", id, &p); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return search.Doc{}, false, nil
		}
		return search.Doc{}, false, err
	}
	return search.Doc{Type: "register", Kind: "birth", Number: p.Number, Names: []string{p.Name}, Relations: []string{p.Mother},
		Date: p.Date, Year: p.Date[:4], Ward: p.Ward, Status: p.Status}, true, nil
}

func openIndex(tb testing.TB, dir string) *search.Index {
	tb.Helper()
	ix, err := search.Open(dir, []search.Source{personSource{}}, search.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func putPeople(tb testing.TB, st *store.Store, people map[string]person) {
	tb.Helper()
	_, err := st.Write(func(tx *store.Tx) error {
		for id, p := range people {
			if err := tx.Put("person", id, p); err != nil {
				return err
			}
			if err := tx.Emit("test", store.EventType{Name: "person.registered", Version: 1}, "person", id, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func search1(tb testing.TB, ix *search.Index, q search.Query) []string {
	tb.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		tb.Fatalf("search %+v: %v", q, err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func TestIndex_CatchesUpFromWhereItStoppedAndFollowsNewEvents(t *testing.T) {
	st := storetest.Open(t)
	dir := filepath.Join(t.TempDir(), "index")
	batch := map[string]person{}
	for i := range 3000 {
		batch[fmt.Sprintf("p%05d", i)] = person{Name: fmt.Sprintf("Person%d Kizhakkethil", i), Mother: "Lakshmi", Number: fmt.Sprintf("B-%d/2020", i+1), Date: "2020-01-02", Ward: "3"}
	}
	putPeople(t, st, batch)
	st.Write(func(tx *store.Tx) error {
		return tx.Emit("test", store.EventType{Name: "user.logged_in", Version: 1}, "user", "u1", nil)
	})

	ix := openIndex(t, dir)
	if err := ix.CatchUp(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.Count(); n != 3000 || ix.Applied() != st.LastSeq() {
		t.Fatalf("after catch-up: %d documents, applied %d of %d; want 3000 documents and the whole log", n, ix.Applied(), st.LastSeq())
	}
	ix.Close()

	// What was applied is remembered: a reopened index starts after it.
	putPeople(t, st, map[string]person{"p99999": {Name: "Sreekutty Mangalath", Mother: "Meera", Number: "B-9/2021", Date: "2021-05-06", Ward: "4"}})
	ix = openIndex(t, dir)
	defer ix.Close()
	if ix.Applied() != st.LastSeq()-1 {
		t.Fatalf("reopened index applied %d, want %d", ix.Applied(), st.LastSeq()-1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ix.Follow(ctx, st)
	if err := ix.WaitFor(ctx, st.LastSeq()); err != nil {
		t.Fatal(err)
	}
	if got := search1(t, ix, search.Query{Number: "b-9/2021"}); len(got) != 1 || got[0] != "p99999" {
		t.Fatalf("number search found %v, want p99999", got)
	}

	// A deleted document leaves the index with the event that deleted it.
	_, err := st.Write(func(tx *store.Tx) error {
		if err := tx.Delete("person", "p99999"); err != nil {
			return err
		}
		return tx.Emit("test", store.EventType{Name: "person.deleted", Version: 1}, "person", "p99999", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := ix.WaitFor(waitCtx, st.LastSeq()); err != nil {
		t.Fatal(err)
	}
	if got := search1(t, ix, search.Query{Number: "B-9/2021"}); len(got) != 0 {
		t.Fatalf("a deleted record is still found: %v", got)
	}
}

func TestIndex_AnIndexOfAnotherSchemaIsSetAsideAndRebuilt(t *testing.T) {
	st := storetest.Open(t)
	putPeople(t, st, map[string]person{"a": {Name: "Anagha", Mother: "Divya", Number: "B-1/2020", Date: "2020-01-02"}})
	dir := filepath.Join(t.TempDir(), "index")
	ix := openIndex(t, dir)
	ix.CatchUp(context.Background(), st)
	ix.Close()
	// A file that is not an index where the index should be.
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte("{not json"), 0o600)

	ix = openIndex(t, dir)
	defer ix.Close()
	if ix.Applied() != 0 {
		t.Fatalf("a fresh index starts at 0, got %d", ix.Applied())
	}
	if err := ix.CatchUp(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if got := search1(t, ix, search.Query{Number: "B-1/2020"}); len(got) != 1 {
		t.Fatalf("rebuilt index finds %v", got)
	}
	olds, _ := filepath.Glob(dir + ".old-*")
	if len(olds) != 1 {
		t.Fatalf("the damaged index should be kept aside once, found %v", olds)
	}
}

func TestSearch_NamesMatchHoweverTheyAreSpeltAndNumbersExactlyOrByPrefix(t *testing.T) {
	st := storetest.Open(t)
	putPeople(t, st, map[string]person{
		"sree":   {Name: "Sreekutty K. R.", Mother: "Lakshmi", Number: "B-12/2021", Date: "2021-03-04", Ward: "2", Status: "current"},
		"basher": {Name: "Mohammed Basheer P. K.", Mother: "Fathima", Number: "B-120/2021", Date: "2021-06-01", Ward: "5"},
		"rajesh": {Name: "രാജേഷ് കെ.", Mother: "മീര", Number: "B-7/2020", Date: "2020-02-02", Ward: "2"},
		"rakesh": {Name: "Rakesh V.", Mother: "Meera", Number: "B-8/2020", Date: "2020-02-02", Ward: "2"},
		"colon":  {Name: "Anil name:* OR x", Mother: "Saritha", Number: "B-1/2019", Date: "2019-01-01", Ward: "1"},
	})
	ix := openIndex(t, t.TempDir())
	defer ix.Close()
	if err := ix.CatchUp(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		q     search.Query
		first string
		not   []string
	}{
		{"a variant spelling", search.Query{Name: "Srikutti"}, "sree", nil},
		{"mohammed/muhammad, basheer/bashir", search.Query{Name: "Muhammad Bashir"}, "basher", nil},
		{"English finds Malayalam script", search.Query{Name: "Rajesh", Date: "2020-02-02"}, "rajesh", nil},
		{"Malayalam script finds English", search.Query{Name: "ശ്രീക്കുട്ടി"}, "sree", nil},
		{"a typo in a name no one has", search.Query{Name: "Sreekuttu"}, "sree", nil},
		{"another real name is not a typo", search.Query{Name: "Rakesh", Date: "2020-02-02"}, "rakesh", []string{"rajesh"}},
		{"the mother's name", search.Query{Name: "Sreekutty", Relation: "Lekshmi"}, "sree", nil},
		{"number exactly, any case", search.Query{Number: "b-12/2021"}, "sree", []string{"basher"}},
		{"number by its beginning", search.Query{Number: "B-12", NumberPrefix: true}, "", nil},
		{"query syntax is only text", search.Query{Name: "name:* OR x"}, "colon", []string{"sree", "basher", "rajesh", "rakesh"}},
		{"office box: a number", search.Query{Text: "B-7/2020"}, "rajesh", nil},
		{"office box: a name", search.Query{Text: "sreekuty"}, "sree", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := search1(t, ix, c.q)
			if c.first != "" && (len(got) == 0 || got[0] != c.first) {
				t.Fatalf("found %v, want %s first", got, c.first)
			}
			for _, n := range c.not {
				for _, g := range got {
					if g == n {
						t.Fatalf("found %v, which must not include %s", got, n)
					}
				}
			}
		})
	}
	if got := search1(t, ix, search.Query{Number: "B-12", NumberPrefix: true}); len(got) != 2 {
		t.Fatalf("prefix B-12 found %v, want B-12/2021 and B-120/2021", got)
	}
}

func TestSearch_FiltersAndFacetsCount(t *testing.T) {
	st := storetest.Open(t)
	people := map[string]person{}
	for i := range 30 {
		people[fmt.Sprintf("p%d", i)] = person{Name: "Anagha", Mother: "Divya", Number: fmt.Sprintf("B-%d/2020", i+1), Date: "2020-01-02", Ward: fmt.Sprint(1 + i%3)}
	}
	putPeople(t, st, people)
	ix := openIndex(t, t.TempDir())
	defer ix.Close()
	ix.CatchUp(context.Background(), st)
	res, err := ix.Search(context.Background(), search.Query{Text: "Anagha", Facets: true, Wards: []string{"2"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 10 {
		t.Fatalf("ward 2 holds 10 Anaghas, found %d", res.Total)
	}
	if f := res.Facets["ward"]; len(f) != 1 || f[0].Value != "2" || f[0].Count != 10 {
		t.Fatalf("ward facet = %+v", f)
	}
	if _, err := ix.Search(context.Background(), search.Query{Text: "   "}); !errors.Is(err, search.ErrEmptyQuery) {
		t.Fatalf("an empty query must say what to give, got %v", err)
	}
}

// TestSearch_OfficeBoxRanksThePersonAboveThoseWhoseRelationHasTheName is
// the grandfather's record looked for by his whole name: K. R. Sreekumar
// comes first, before another Sreekumar, and both before the many children
// whose parent is Sreekumar; the typed initials and the whole name in
// order lift him; a compound or a dropped -an finds the person; and a hit
// found through a relation says which.
func TestSearch_OfficeBoxRanksThePersonAboveThoseWhoseRelationHasTheName(t *testing.T) {
	st := storetest.Open(t)
	people := map[string]person{
		"kr":     {Name: "K. R. Sreekumar", Mother: "Lakshmi Amma", Number: "B-1/1950", Date: "1950-01-02", Ward: "1"},
		"rk":     {Name: "Sreekumar R. K.", Mother: "Devaki", Number: "B-2/1950", Date: "1950-02-02", Ward: "1"},
		"pm":     {Name: "P. M. Sreekumar", Mother: "Sarada", Number: "B-3/1950", Date: "1950-03-02", Ward: "1"},
		"unni":   {Name: "Unnikrishnan V.", Mother: "Kamala", Number: "B-4/1950", Date: "1950-04-02", Ward: "1"},
		"vasu":   {Name: "Vasudevan Nair", Mother: "Janaki", Number: "B-5/1950", Date: "1950-05-02", Ward: "1"},
		"mohan":  {Name: "Mohan Nair", Mother: "Janaki", Number: "B-6/1950", Date: "1950-06-02", Ward: "1"},
		"mohana": {Name: "Mohanan Nair", Mother: "Janaki", Number: "B-7/1950", Date: "1950-07-02", Ward: "1"},
	}
	for i := range 25 {
		people[fmt.Sprintf("child%d", i)] = person{Name: fmt.Sprintf("Anu %c.", 'A'+i), Mother: "Sreekumar K. R.", Number: fmt.Sprintf("B-%d/1980", i+1), Date: "1980-01-02", Ward: "1"}
	}
	putPeople(t, st, people)
	ix := openIndex(t, t.TempDir())
	defer ix.Close()
	if err := ix.CatchUp(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text  string
		first []string // first is first; the rest follow somewhere
		not   []string
	}{
		{"K R Sreekumar", []string{"kr"}, nil},
		{"കെ. ആർ. ശ്രീകുമാർ", []string{"kr"}, nil},
		// Three people named Sreekumar tie on the name alone: any order
		// of them, all above the children (checked below).
		{"Sreekumar", nil, nil},
		{"Unni Krishnan", []string{"unni"}, nil},
		{"ഉണ്ണി കൃഷ്ണൻ വി", []string{"unni"}, nil},
		{"Vasudev Nair", []string{"vasu"}, nil},
		{"Mohan Nair", []string{"mohan"}, []string{"mohana"}},
	} {
		got := search1(t, ix, search.Query{Text: c.text, Size: 30})
		for i, want := range c.first {
			if !slices.Contains(got, want) || (i == 0 && got[0] != want) {
				t.Errorf("%q found %v; want %v first", c.text, got, c.first)
				break
			}
		}
		if c.text == "Sreekumar" {
			// Every Sreekumar before any child of one.
			if len(got) < 3 {
				t.Errorf("%q found only %v", c.text, got)
			}
			for i, id := range got[:min(3, len(got))] {
				if id != "kr" && id != "rk" && id != "pm" {
					t.Errorf("%q: %s at %d, above a person named Sreekumar: %v", c.text, id, i+1, got)
				}
			}
		}
		for _, n := range c.not {
			if slices.Contains(got, n) {
				t.Errorf("%q found %v, which must not hold %s", c.text, got, n)
			}
		}
	}
	child := search.Doc{Names: []string{"Anu A."}, Relations: []string{"Sreekumar K. R."}, RelationRoles: []string{"father"}}
	if i, rel := search.MatchedRelation(child, "K R Sreekumar"); !rel || i != 0 {
		t.Errorf("a child found through the father's name: MatchedRelation = %d, %v; want the relation", i, rel)
	}
	if _, rel := search.MatchedRelation(search.Doc{Names: []string{"Sreekumar"}, Relations: []string{"Sreekumar"}}, "Sreekumar"); rel {
		t.Errorf("a person found by their own name was said to be found through a relation")
	}
}
