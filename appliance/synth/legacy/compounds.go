package legacy

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// compoundInfo is what the name lists say about compound names: for each
// given name that is a first part and a second part run together
// (Unnikrishnan, Sreelakshmi), its second part; and the given names with
// the masculine ending -an whose stem is not itself a name (Vasudevan, not
// Mohanan).
type compoundInfo struct {
	second map[int16]Name // compound given name → its second part
	an     map[int16]bool
}

// compounds learns compoundInfo from the lists the way the search learns
// its second parts: a given or family name is a second part when its
// Malayalam spelling ends two or more given names after a first part of at
// least three letters, or when the registers write it as a second word.
var compounds = sync.OnceValue(func() compoundInfo {
	d := Names()
	ci := compoundInfo{second: map[int16]Name{}, an: map[int16]bool{}}
	var cands []Name
	for _, g := range d.Given {
		cands = append(cands, g.Name)
	}
	for _, f := range d.Family {
		cands = append(cands, f.Name)
	}
	second := SecondWords()
	spelled := map[string]bool{}
	for _, g := range d.Given {
		for _, s := range g.Spellings() {
			spelled[strings.ToLower(s)] = true
		}
	}
	for _, c := range cands {
		var ends []int16
		for i, o := range d.Given {
			if o.Ml != c.Ml && strings.HasSuffix(o.Ml, c.Ml) && len(o.En)-len(c.En) >= 3 && strings.HasSuffix(o.En, strings.ToLower(c.En)) {
				ends = append(ends, int16(i))
			}
		}
		if len(ends) >= 2 || slices.Contains(second, c.En) {
			for _, i := range ends {
				ci.second[i] = c
			}
		}
	}
	for i, g := range d.Given {
		en := strings.ToLower(g.En)
		if len(en) < 6 || !strings.HasSuffix(en, "an") || g.Sex != "male" || g.Communities&Hindu == 0 {
			continue
		}
		// A stem that ends in one consonant after a vowel, or in nd, as
		// clerks write it: Vasudev, Gopal, Govind; not Krishn or Chandr.
		stem := en[:len(en)-2]
		last, before := stem[len(stem)-1], stem[len(stem)-2]
		vowel := func(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }
		if (!vowel(last) && last != 'y' && last != 'h' && vowel(before) || strings.HasSuffix(stem, "nd")) && !spelled[stem] && len(g.Variants) == 0 {
			ci.an[int16(i)] = true
		}
	}
	return ci
})

// What an entry can be the target of, for CompoundQueries.
const (
	flagCompound = 1 << iota // its own given name is a compound written as one word
	flagJoined               // its own given name is followed by a second word (Anil Kumar)
	flagAn                   // its own given name ends in -an after a stem that is no name
	flagInitials             // it has initials
)

func compoundFlags(ix *dictIndex, b birth) uint8 {
	if !b.named {
		return 0
	}
	ci := compounds()
	pn := &b.child.name
	own := pn.parts[pn.own]
	var f uint8
	if own.kind == partGiven {
		if _, ok := ci.second[own.idx]; ok && own.spell == 0 {
			f |= flagCompound
		}
		if ci.an[own.idx] {
			f |= flagAn
		}
		if pn.own+1 < pn.n {
			if nx := pn.parts[pn.own+1]; nx.kind == partGiven && slices.Contains(SecondWords(), ix.d.Given[nx.idx].En) {
				f |= flagJoined
			}
		}
	}
	for _, pt := range pn.list() {
		if pt.kind == partInitials {
			f |= flagInitials
		}
	}
	return f
}

var compoundNeeds = map[string]uint8{
	"compound_split": flagCompound, "compound_joined": flagJoined, "an_ending": flagAn, "initials": flagInitials,
}

// CompoundQueries returns n queries for entries of the register that
// BirthRecords(rows, seed) yields, drawn with qseed, of the kinds a name
// written another way makes, in both scripts:
//
//   - "compound_split": a one-word compound typed as two words (Unni
//     Krishnan for Unnikrishnan, ഉണ്ണി കൃഷ്ണൻ);
//   - "compound_joined": a name and its second word typed as one
//     (Anilkumar, അനിൽകുമാർ for Anil Kumar);
//   - "an_ending": the masculine -an left off (Vasudev for Vasudevan);
//   - "initials": the whole name in order with its initials, as an office
//     clerk types it (K R Sreekumar, കെ ആർ ശ്രീകുമാർ).
//
// Like RelevanceQueries, each gives the name and the date, a parent's
// name, both, or the register number; the office search uses the name
// alone.
func CompoundQueries(rows int, seed uint64, n int, qseed uint64) []Query {
	if rows <= 0 || n <= 0 {
		return nil
	}
	ix := index()
	d := ix.d
	ci := compounds()
	flags := make([]uint8, rows)
	g := NewBirthRegister(seed)
	for i := range rows {
		flags[i] = compoundFlags(ix, g.next())
	}
	rng := rand.New(rand.NewPCG(qseed, 11))
	kinds := []string{"compound_split", "compound_joined", "an_ending", "initials"}
	type pick struct {
		kind string
		row  int
	}
	used := map[int]bool{}
	var picks []pick
	for i := range n {
		kind := kinds[i%len(kinds)]
		for range 100000 {
			r := rng.IntN(rows)
			if flags[r]&compoundNeeds[kind] != 0 && !used[r] {
				used[r] = true
				picks = append(picks, pick{kind, r})
				break
			}
		}
	}
	want := map[int]*birth{}
	for _, p := range picks {
		want[p.row] = nil
	}
	g = NewBirthRegister(seed)
	for i := range rows {
		b := g.next()
		if _, ok := want[i]; ok {
			want[i] = &b
		}
	}
	var out []Query
	for _, p := range picks {
		b := want[p.row]
		pn := &b.child.name
		ml := rng.IntN(2) == 0
		if p.kind == "an_ending" {
			ml = false
		}
		en, mlw := pn.words(d), make([]string, pn.n)
		for i, pt := range pn.list() {
			mlw[i] = pt.ml(d)
		}
		words := en
		if ml {
			words = mlw
		}
		own := pn.parts[pn.own]
		switch p.kind {
		case "compound_split":
			g, sec := d.Given[own.idx].Name, ci.second[own.idx]
			if ml {
				words[pn.own] = strings.TrimSuffix(g.Ml, sec.Ml) + " " + sec.Ml
			} else {
				words[pn.own] = g.En[:len(g.En)-len(sec.En)] + " " + sec.En
			}
		case "compound_joined":
			if ml {
				words[pn.own] += words[pn.own+1]
			} else {
				words[pn.own] += strings.ToLower(words[pn.own+1])
			}
			words = slices.Delete(words, pn.own+1, pn.own+2)
		case "an_ending":
			words[pn.own] = strings.TrimSuffix(words[pn.own], "an")
		case "initials":
			// Typed without the dots, as a clerk types them.
			for i := range words {
				words[i] = strings.ReplaceAll(words[i], ".", "")
			}
		}
		q := Query{Kind: p.kind, Target: b.rec.Number, Name: strings.Join(words, " ")}
		switch r := rng.IntN(100); {
		case r < 60:
			q.EventDate = b.rec.EventDate
		case r < 80:
			q.Relation = parentName(rng, d, b, ml)
		case r < 92:
			q.EventDate, q.Relation = b.rec.EventDate, parentName(rng, d, b, ml)
		default:
			q.Number = b.rec.Number
		}
		out = append(out, q)
	}
	return out
}
