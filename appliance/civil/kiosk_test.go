package civil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/synth/legacy"
	"ksmart/search"
)

var testKiosk = domain.Actor{ID: "kiosk:front-desk", Name: "Kiosk front-desk", Roles: []domain.Role{domain.RoleKiosk}}

// withIndex gives c a search index caught up with its store.
func withIndex(tb testing.TB, c *Civil) {
	tb.Helper()
	ix, err := search.Open(filepath.Join(tb.TempDir(), "index"), []search.Source{SearchSource()}, search.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.CatchUp(context.Background(), c.Store); err != nil {
		tb.Fatal(err)
	}
	c.Search = ix
}

// importLegacyBirths imports rows births of the synthetic register.
func importLegacyBirths(tb testing.TB, c *Civil, rows int, seed uint64) {
	tb.Helper()
	var csv bytes.Buffer
	if err := legacy.Births(&csv, rows, seed); err != nil {
		tb.Fatal(err)
	}
	rep, err := c.Import("births", &csv, importRegistrar, nil)
	if err != nil || rep.Bad > 0 {
		tb.Fatalf("import: %v, %d bad rows %+v", err, rep.Bad, rep.Problems[:min(3, len(rep.Problems))])
	}
}

// TestKiosk_FindsNamesHoweverSpeltAcross100000Births is the relevance set
// of the kiosk: at least 300 queries as people type them — other
// spellings, the other script, typos, initials left out — over a register
// of 100,000 Kerala births, each of which must find its record among the
// first ten; and near misses (a different name that looks alike, with the
// right date and parent) that must not put that record in the top three.
func TestKiosk_FindsNamesHoweverSpeltAcross100000Births(t *testing.T) {
	const rows, seed = 100000, 2026
	c := newImportCivil(t)
	start := time.Now()
	importLegacyBirths(t, c, rows, seed)
	imported := time.Since(start)
	start = time.Now()
	withIndex(t, c)
	t.Logf("imported %d births in %s, indexed in %s", rows, imported.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	qs, nearMisses := legacy.RelevanceQueries(rows, seed, 400, 11)
	if len(qs) < 300 || len(nearMisses) < 30 {
		t.Fatalf("the relevance set has %d queries and %d near misses; want at least 300 and 30", len(qs), len(nearMisses))
	}
	ctx := context.Background()
	type tally struct{ found, all int }
	byKind := map[string]*tally{}
	var missed []string
	for _, q := range qs {
		got, err := c.KioskRanking(ctx, KioskQuery{Name: q.Name, Date: q.EventDate, Relation: q.Relation, Number: q.Number}, 10)
		if err != nil {
			t.Fatalf("query %+v: %v", q, err)
		}
		k := byKind[q.Kind]
		if k == nil {
			k = &tally{}
			byKind[q.Kind] = k
		}
		k.all++
		if slices.Contains(got, q.Target) {
			k.found++
		} else if len(missed) < 15 {
			missed = append(missed, fmt.Sprintf("%s: name %q relation %q date %s number %q → want %s, got %v", q.Kind, q.Name, q.Relation, q.EventDate, q.Number, q.Target, got))
		}
	}
	found := 0
	var kinds []string
	for kind, k := range byKind {
		found += k.found
		kinds = append(kinds, fmt.Sprintf("%s %d/%d", kind, k.found, k.all))
	}
	slices.Sort(kinds)
	recall := float64(found) / float64(len(qs))
	var wrong []string
	for _, q := range nearMisses {
		got, err := c.KioskRanking(ctx, KioskQuery{Name: q.Name, Date: q.EventDate, Relation: q.Relation, Number: q.Number}, 3)
		if err != nil {
			t.Fatalf("near miss %+v: %v", q, err)
		}
		if slices.Contains(got, q.Avoid) {
			wrong = append(wrong, fmt.Sprintf("name %q relation %q date %s found %s", q.Name, q.Relation, q.EventDate, q.Avoid))
		}
	}
	t.Logf("recall@10 = %.3f over %d queries (%s); near misses in the top 3: %d of %d", recall, len(qs), strings.Join(kinds, ", "), len(wrong), len(nearMisses))
	fmt.Printf("kiosk relevance: recall@10 = %.3f over %d queries; near misses in top 3: %d of %d\n", recall, len(qs), len(wrong), len(nearMisses))
	if recall < 0.95 {
		t.Errorf("recall@10 %.3f is below 0.95; first misses:\n%s", recall, strings.Join(missed, "\n"))
	}
	if len(wrong) > 0 {
		t.Errorf("near misses found the record they must not:\n%s", strings.Join(wrong[:min(10, len(wrong))], "\n"))
	}
}

func TestKiosk_OneDetailOrTooManyMatchesShowsNoOne(t *testing.T) {
	c := newImportCivil(t)
	var rows []string
	for i := range 8 {
		rows = append(rows, fmt.Sprintf("B-%d/2020,2020-03-0%d,Anagha Kizhakkethil,,female,01-03-2020,Govt. Hospital,Mother%c Puthenpurayil,,,,\"House %d\",1", i+1, 2+i%5, 'A'+i, i))
	}
	csv := "register_number,registration_date,child_name_en,child_name_ml,sex,date_of_birth,place_of_birth,mother_name_en,mother_name_ml,father_name_en,father_name_ml,permanent_address,ward\n" + strings.Join(rows, "\n") + "\n"
	if rep, err := c.Import("births", strings.NewReader(csv), importRegistrar, nil); err != nil || rep.Bad > 0 {
		t.Fatalf("import: %v %+v", err, rep.Problems)
	}
	withIndex(t, c)
	ctx := context.Background()

	_, err := c.KioskSearch(ctx, testKiosk, "10.0.0.9", KioskQuery{Name: "Anagha"})
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "at least two") {
		t.Fatalf("one detail: %v; want the kiosk to ask for two", err)
	}
	res, err := c.KioskSearch(ctx, testKiosk, "10.0.0.9", KioskQuery{Name: "Anagha", Date: "01-03-2020"})
	if err != nil || !res.TooMany || len(res.Matches) != 0 {
		t.Fatalf("eight Anaghas born the same day: %+v, %v; want too many and no one shown", res, err)
	}
	res, err = c.KioskSearch(ctx, testKiosk, "10.0.0.9", KioskQuery{Name: "Anagha", Relation: "MotherC", Kind: KindBirth})
	if err != nil || len(res.Matches) != 1 {
		t.Fatalf("Anagha with her mother's name: %+v, %v; want one", res, err)
	}
	m := res.Matches[0]
	if got := m.Names[0].Value.En; got != "Anagha K•••" {
		t.Errorf("the name shows as %q; want the typed word whole and the house masked", got)
	}
	if m.Number != "B-•/2020" || m.Date != "2020" {
		t.Errorf("number %q date %q: what was not typed must be masked", m.Number, m.Date)
	}
	if rel := m.Relations[0].Value.En; rel != "MotherC P•••" {
		t.Errorf("the mother shows as %q", rel)
	}

	// The token opens the entry for this kiosk only, and only for a while.
	opened, err := c.KioskOpen(testKiosk, "10.0.0.9", m.Token)
	if err != nil || opened.Number != "B-3/2020" {
		t.Fatalf("open: %+v %v", opened, err)
	}
	other := domain.Actor{ID: "kiosk:other", Roles: []domain.Role{domain.RoleKiosk}}
	if _, err := c.KioskOpen(other, "10.0.0.9", m.Token); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("another kiosk opened the token: %v", err)
	}
	later := *c
	later.Now = func() time.Time { return importNow.Add(KioskTokenLife + time.Second) }
	if _, err := later.KioskOpen(testKiosk, "10.0.0.9", m.Token); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("an expired token opened: %v", err)
	}

	// Every search is in the log, without what was typed.
	evs, _ := c.Store.ReadLog(1, 0)
	searches, refused := 0, 0
	for _, ev := range evs {
		if ev.Type == "kiosk.refused" {
			refused++
		}
		if ev.Type == "kiosk.searched" {
			searches++
			if bytes.Contains(ev.Data, []byte("Anagha")) || bytes.Contains(ev.Data, []byte("MotherC")) {
				t.Fatalf("the audit event keeps what was typed: %s", ev.Data)
			}
		}
	}
	if searches != 2 || refused != 1 {
		t.Fatalf("%d kiosk.searched and %d kiosk.refused events, want 2 and 1", searches, refused)
	}
	if _, err := c.KioskSearch(ctx, importRegistrar, "10.0.0.9", KioskQuery{Name: "Anagha", Date: "01-03-2020"}); !errors.As(err, new(*domain.Error)) || domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("an office user used the kiosk's search: %v", err)
	}
}
