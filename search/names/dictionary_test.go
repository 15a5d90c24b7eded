package names_test

import (
	"cmp"
	"slices"
	"testing"

	"ksmart/appliance/synth/legacy"
	"ksmart/search/names"
)

// TestDictionary_EverySpellingOfANameHasItsMalayalamKey checks the whole
// names dictionary of the synthetic registers: every English spelling of a
// name, and its Malayalam spelling, have one key.
func TestDictionary_EverySpellingOfANameHasItsMalayalamKey(t *testing.T) {
	d := legacy.Names()
	check := func(n legacy.Name) {
		t.Helper()
		want := names.Key(n.Ml)
		for _, s := range n.Spellings() {
			if got := names.Key(s); got != want {
				t.Errorf("%s: Key(%q) = %q, Key(%s) = %q (%s)", n.En, s, got, n.Ml, want, names.Transliterate(n.Ml))
			}
		}
	}
	for _, g := range d.Given {
		check(g.Name)
	}
	for _, f := range d.Family {
		check(f.Name)
	}
	for _, i := range d.Initials {
		check(i)
	}
}

func TestDictionary_Collisions(t *testing.T) {
	d := legacy.Names()
	byKey := map[string][]string{}
	for _, g := range d.Given {
		k := names.Key(g.En)
		byKey[k] = append(byKey[k], g.En)
	}
	for k, v := range byKey {
		if len(v) > 1 {
			t.Logf("%s: %v", k, v)
		}
	}
	t.Logf("%d given, %d family, %d near-miss", len(d.Given), len(d.Family), len(d.NearMisses))
	for _, p := range d.NearMisses {
		if names.Key(p[0]) == names.Key(p[1]) {
			t.Errorf("near miss %v share key %s", p, names.Key(p[0]))
		}
	}
}

// toyIndex is the smallest search that uses the keys as the Bleve index is
// meant to: every word of the queried name must match a word of the
// entry's name, by key where the query word's key is a known name and
// fuzzily (one edit) where it is not; the date, the parents' names and
// initials only rank.
type toyIndex struct {
	recs       []legacy.Record
	parentKeys []map[string]bool
	initials   []map[string]bool
	byName     map[string][]int32
	vocab      []string
	// byWord holds the entries by the plain words of their names (lower
	// case, Malayalam transliterated), for fuzzy matching of typos.
	byWord map[string][]int32
	words  []string
	// keyOnly leaves byWord out of fuzzy matching, wordOnly the keys, to
	// measure each alone; minLetters is the shortest word matched fuzzily.
	keyOnly, wordOnly bool
	minLetters        int
}

func newToyIndex(rows int, seed uint64) *toyIndex {
	ix := &toyIndex{byName: map[string][]int32{}, byWord: map[string][]int32{}, minLetters: 4}
	legacy.BirthRecords(rows, seed, func(r legacy.Record) {
		i := int32(len(ix.recs))
		ix.recs = append(ix.recs, r)
		own := map[string]bool{}
		ini := map[string]bool{}
		seen := map[string]bool{}
		for _, w := range names.Words(r.NameEn + " " + r.NameMl) {
			if p := names.Transliterate(w); len(p) > 1 && !seen[p] {
				seen[p] = true
				ix.byWord[p] = append(ix.byWord[p], i)
			}
		}
		for _, k := range names.Keys(r.NameEn + " " + r.NameMl) {
			if len(k) == 1 {
				ini[k] = true
			} else if !own[k] {
				own[k] = true
				ix.byName[k] = append(ix.byName[k], i)
			}
		}
		par := map[string]bool{}
		for _, k := range names.Keys(r.MotherEn + " " + r.MotherMl + " " + r.FatherEn + " " + r.FatherMl) {
			par[k] = true
		}
		ix.parentKeys = append(ix.parentKeys, par)
		ix.initials = append(ix.initials, ini)
	})
	for k := range ix.byName {
		ix.vocab = append(ix.vocab, k)
	}
	for w := range ix.byWord {
		ix.words = append(ix.words, w)
	}
	return ix
}

// osa is the optimal string alignment distance: Levenshtein with a swap of
// neighbours as one edit, as Bleve's fuzzy query counts.
func osa(a, b string) int {
	if d := len(a) - len(b); d > 2 || d < -2 {
		return 3 // far enough for every use here
	}
	var rows [3][32]int
	if len(b) >= 32 {
		return 3
	}
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// search returns the entries' indexes best first, at most max.
func (ix *toyIndex) search(q legacy.Query, max int) []int32 {
	var cand map[int32]bool
	var initials []string
	for _, w := range names.Words(q.Name) {
		k := names.Key(w)
		if len(k) <= 1 {
			initials = append(initials, k)
			continue
		}
		hits := map[int32]bool{}
		if post, ok := ix.byName[k]; ok {
			for _, i := range post {
				hits[i] = true
			}
		} else if plain := names.Transliterate(w); len(plain) >= ix.minLetters {
			// An unknown word: a typo. Its key within one edit of a known
			// key, or the word itself within one edit of a known word.
			for _, v := range ix.vocab {
				if !ix.wordOnly && osa(k, v) <= 1 {
					for _, i := range ix.byName[v] {
						hits[i] = true
					}
				}
			}
			for _, v := range ix.words {
				if !ix.keyOnly && osa(plain, v) <= 1 {
					for _, i := range ix.byWord[v] {
						hits[i] = true
					}
				}
			}
		}
		if cand == nil {
			cand = hits
		} else {
			for i := range cand {
				if !hits[i] {
					delete(cand, i)
				}
			}
		}
	}
	relation := names.Keys(q.Relation)
	type scored struct {
		i int32
		s float64
	}
	var res []scored
	for i := range cand {
		r, s := ix.recs[i], 0.0
		if q.EventDate != "" && r.EventDate == q.EventDate {
			s += 4
		}
		if q.Number != "" && r.Number == q.Number {
			s += 10
		}
		for _, k := range relation {
			if ix.parentKeys[i][k] {
				s++
			}
		}
		for _, k := range initials {
			if ix.initials[i][k] {
				s += 0.5
			}
		}
		res = append(res, scored{i, s})
	}
	slices.SortFunc(res, func(a, b scored) int {
		if a.s != b.s {
			return cmp.Compare(b.s, a.s)
		}
		return cmp.Compare(a.i, b.i)
	})
	out := make([]int32, 0, max)
	for _, r := range res[:min(max, len(res))] {
		out = append(out, r.i)
	}
	return out
}

// TestRelevance_TheQuerySetIsAnsweredByKeysWithFuzzyFallback runs the
// relevance queries of the synthetic register through toyIndex and prints
// recall@10 by kind, the near misses refused, and how far each typo moves a
// word's key. It checks the query set and the key together: a search built
// as toyIndex is reaches recall@10 ≥ 0.95 and refuses the near misses.
func TestRelevance_TheQuerySetIsAnsweredByKeysWithFuzzyFallback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100,000 entries")
	}
	const rows, seed, n, qseed = 100_000, 1, 400, 2
	ix := newToyIndex(rows, seed)
	queries, misses := legacy.RelevanceQueries(rows, seed, n, qseed)
	pos := map[string]int32{}
	for i, r := range ix.recs {
		pos[r.Number] = int32(i)
	}
	found, total := map[string]int{}, map[string]int{}
	for _, q := range queries {
		total[q.Kind]++
		if slices.Contains(ix.search(q, 10), pos[q.Target]) {
			found[q.Kind]++
		} else {
			t.Logf("missed %+v (entry %q %q)", q, ix.recs[pos[q.Target]].NameEn, ix.recs[pos[q.Target]].NameMl)
		}
	}
	all := 0
	for kind, n := range total {
		all += found[kind]
		t.Logf("%-9s recall@10 %3d/%3d", kind, found[kind], n)
	}
	recall := float64(all) / float64(len(queries))
	refused := 0
	for _, q := range misses {
		if !slices.Contains(ix.search(q, 3), pos[q.Avoid]) {
			refused++
		} else {
			t.Logf("near miss found: %+v (entry %q)", q, ix.recs[pos[q.Avoid]].NameEn)
		}
	}
	t.Logf("recall@10 %.3f over %d queries; near misses kept out of the top 3: %d/%d", recall, len(queries), refused, len(misses))
	if recall < 0.95 || refused < len(misses)*95/100 {
		t.Errorf("recall@10 %.3f (want ≥ 0.95), near misses refused %d/%d", recall, refused, len(misses))
	}

	// Typos found with less: fuzzy matching of keys alone, of words alone,
	// and of words of five letters or more (a deletion in a five-letter
	// word leaves four).
	for _, mode := range []struct {
		name              string
		keyOnly, wordOnly bool
		minLetters        int
	}{{"keys alone", true, false, 4}, {"words alone", false, true, 4}, {"words alone, five letters or more", false, true, 5}} {
		ix.keyOnly, ix.wordOnly, ix.minLetters = mode.keyOnly, mode.wordOnly, mode.minLetters
		typos := 0
		for _, q := range queries {
			if q.Kind == "typo" && slices.Contains(ix.search(q, 10), pos[q.Target]) {
				typos++
			}
		}
		t.Logf("typos found with fuzzy matching of %s: %d/%d", mode.name, typos, total["typo"])
	}

	// How far a typo moves the key of the word it is in.
	var dist [4]int
	for _, q := range queries {
		if q.Kind != "typo" {
			continue
		}
		r := ix.recs[pos[q.Target]]
		typed, recorded := names.Words(q.Name), names.Words(r.NameEn)
		for _, w := range typed {
			if slices.Contains(recorded, w) {
				continue
			}
			best := 3
			for _, o := range recorded {
				best = min(best, osa(names.Key(w), names.Key(o)))
			}
			dist[best]++
		}
	}
	t.Logf("typos whose word key moved by 0, 1, 2, ≥3 edits: %v", dist)
}
