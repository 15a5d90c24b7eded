package legacy

import (
	"math/rand/v2"
	"strings"
)

// Query is a search a kiosk user makes for a birth certificate, with the
// answer expected: what they type (at least two of a name, the date of
// birth, a parent's name and the register number) and the register number
// of the entry they mean.
type Query struct {
	// Kind says how the query differs from the entry: "exact" (as
	// registered), "variant" (a name spelt another way people spell it),
	// "crossing" (typed in Malayalam for an entry kept in English only),
	// "typo" (one letter inserted, deleted, changed or two swapped, in a
	// word of five letters or more, never the first letter), "reordered"
	// (initials left out or moved, or the words in another order), or
	// "near_miss" (see RelevanceQueries).
	Kind string
	// Target is the register number of the entry the query is for; blank
	// for a near miss.
	Target string
	// Name, EventDate (YYYY-MM-DD), Relation (a parent's name) and Number
	// are what the user typed; those not typed are blank.
	Name, EventDate, Relation, Number string
	// Avoid, for a near miss, is the register number that must not be
	// among the first three results.
	Avoid string
}

// RelevanceQueries returns n queries for entries of the register that
// BirthRecords(rows, seed) yields, and n/2 near misses, both drawn with
// qseed: the same arguments return the same queries. A query is for a
// named child; most give the name and the date of birth, some the name and
// a parent's name (in Malayalam for a crossing), some all three, a few the
// name and the register number. About a tenth are exact, a quarter
// variants, a fifth crossings, a fifth typos and a quarter reordered.
//
// A near miss is a query for a child whose given name has a near-miss
// partner in Names().NearMisses (Rajesh, Rakesh): the child's real date of
// birth and a parent's real name, but the given name replaced by its
// partner. The child is not the one looked for: a search must not rank it
// (Avoid) among the first three.
//
// A typo never makes another name of the dictionary, nor one that reads as
// the same name (a doubled letter, an h), so a search that matches names
// exactly where they are known and fuzzily only where they are not can
// find every typo and refuse every near miss.
func RelevanceQueries(rows int, seed uint64, n int, qseed uint64) (queries, nearMisses []Query) {
	if rows <= 0 || n <= 0 {
		return nil, nil
	}
	ix := index()
	d := ix.d
	// First pass: what each entry can be the target of.
	flags := make([]uint8, rows)
	g := NewBirthRegister(seed)
	for i := range rows {
		flags[i] = queryFlags(ix, g.next())
	}

	rng := rand.New(rand.NewPCG(qseed, 7))
	type pick struct {
		kind string
		row  int
	}
	used := map[int]bool{}
	draw := func(need uint8) int {
		for range 100000 {
			i := rng.IntN(rows)
			if flags[i]&need == need && !used[i] {
				used[i] = true
				return i
			}
		}
		return -1
	}
	var picks []pick
	for range n {
		kind := "exact"
		switch r := rng.IntN(100); {
		case r < 10:
		case r < 35:
			kind = "variant"
		case r < 55:
			kind = "crossing"
		case r < 75:
			kind = "typo"
		default:
			kind = "reordered"
		}
		row := draw(kindNeeds[kind])
		if row < 0 {
			kind, row = "exact", draw(kindNeeds["exact"])
		}
		if row >= 0 {
			picks = append(picks, pick{kind, row})
		}
	}
	clear(used)
	var missRows []int
	for range n / 2 {
		if row := draw(flagNamed | flagPartner); row >= 0 {
			missRows = append(missRows, row)
		}
	}

	// Second pass: the chosen entries themselves.
	want := map[int]*birth{}
	for _, p := range picks {
		want[p.row] = nil
	}
	for _, r := range missRows {
		want[r] = nil
	}
	g = NewBirthRegister(seed)
	for i := range rows {
		b := g.next()
		if _, ok := want[i]; ok {
			want[i] = &b
		}
	}

	for _, p := range picks {
		b := want[p.row]
		q := Query{Kind: p.kind, Target: b.rec.Number}
		ml := false
		switch p.kind {
		case "exact":
			q.Name = b.rec.NameEn
			if b.rec.NameMl != "" && rng.IntN(4) == 0 {
				q.Name, ml = b.rec.NameMl, true
			}
		case "variant":
			q.Name = variantName(rng, d, &b.child.name)
		case "crossing":
			q.Name, ml = b.child.name.ml(d), true
		case "typo":
			q.Name = typoName(rng, ix, &b.child.name)
		case "reordered":
			q.Name = reorderedName(rng, d, &b.child.name)
		}
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
		queries = append(queries, q)
	}
	for _, row := range missRows {
		b := want[row]
		words := b.child.name.words(d)
		partners := partnersOf(ix, &b.child.name)
		words[b.child.name.own] = d.Given[partners[rng.IntN(len(partners))]].En
		nearMisses = append(nearMisses, Query{Kind: "near_miss", Avoid: b.rec.Number, Name: strings.Join(words, " "),
			EventDate: b.rec.EventDate, Relation: parentName(rng, d, b, false)})
	}
	return queries, nearMisses
}

// What an entry can be the target of.
const (
	flagNamed   = 1 << iota
	flagEnglish // its Malayalam columns are blank
	flagVariant // a word of the child's name has another spelling
	flagTypo    // a word of the child's name has five letters or more
	flagReorder // the child's name has initials or several words
	flagPartner // the child's given name has a near-miss partner
)

var kindNeeds = map[string]uint8{
	"exact":     flagNamed,
	"variant":   flagNamed | flagVariant,
	"crossing":  flagNamed | flagEnglish,
	"typo":      flagNamed | flagTypo,
	"reordered": flagNamed | flagReorder,
}

func queryFlags(ix *dictIndex, b birth) uint8 {
	if !b.named {
		return 0
	}
	f := uint8(flagNamed)
	if b.english {
		f |= flagEnglish
	}
	pn := &b.child.name
	for _, pt := range pn.list() {
		switch pt.kind {
		case partInitials:
			f |= flagReorder
		default:
			if len(pt.name(ix.d).Variants) > 0 {
				f |= flagVariant
			}
			if len(pt.en(ix.d)) >= 5 {
				f |= flagTypo
			}
		}
	}
	if pn.n > 1 {
		f |= flagReorder
	}
	if len(partnersOf(ix, pn)) > 0 {
		f |= flagPartner
	}
	return f
}

// partnersOf returns the near-miss partners of a name's own given name that
// are not already another word of it (Suneesh Sudhish must not become
// Sudheesh Sudhish, Sudheesh being Sudhish).
func partnersOf(ix *dictIndex, pn *personName) []int16 {
	var out []int16
	for _, p := range ix.partners[pn.parts[pn.own].idx] {
		other := false
		for i, pt := range pn.list() {
			other = other || i != pn.own && pt.kind == partGiven && pt.idx == p
		}
		if !other {
			out = append(out, p)
		}
	}
	return out
}

// words returns the English words of each part, initials as one word.
func (p *personName) words(d *Dictionary) []string {
	w := make([]string, p.n)
	for i, pt := range p.list() {
		w[i] = pt.en(d)
	}
	return w
}

// parentName returns the name of the mother or the father, in English or
// from the dictionary in Malayalam.
func parentName(rng *rand.Rand, d *Dictionary, b *birth, ml bool) string {
	parent := &b.mother
	if rng.IntN(2) == 0 {
		parent = &b.father
	}
	if ml {
		return parent.name.ml(d)
	}
	return parent.name.en(d)
}

// variantName spells one word of the name another way people spell it:
// the child's own given name where it has another spelling.
func variantName(rng *rand.Rand, d *Dictionary, pn *personName) string {
	var can []int
	for i, pt := range pn.list() {
		if pt.kind != partInitials && len(pt.name(d).Variants) > 0 {
			can = append(can, i)
		}
	}
	i := can[rng.IntN(len(can))]
	if pn.parts[pn.own].kind == partGiven && len(pn.parts[pn.own].name(d).Variants) > 0 && rng.IntN(10) < 7 {
		i = pn.own
	}
	pt := pn.parts[i]
	sp := pt.name(d).Spellings()
	k := rng.IntN(len(sp) - 1)
	if k >= int(pt.spell) {
		k++
	}
	w := pn.words(d)
	w[i] = sp[k]
	return strings.Join(w, " ")
}

// typoName makes one typing error in a word of five letters or more.
func typoName(rng *rand.Rand, ix *dictIndex, pn *personName) string {
	w := pn.words(ix.d)
	var can []int
	for i, pt := range pn.list() {
		if pt.kind != partInitials && len(w[i]) >= 5 {
			can = append(can, i)
		}
	}
	for range 200 {
		i := can[rng.IntN(len(can))]
		if t := typo(rng, w[i]); t != "" && !ix.spellings[strings.ToLower(t)] && !ix.skeletons[skeleton(t)] {
			w[i] = t
			return strings.Join(w, " ")
		}
	}
	// Every try read as a name; the last resort is a typo that cannot:
	// a letter swapped into the middle of the first long word.
	i := can[0]
	b := []byte(w[i])
	b[2], b[3] = b[3], b[2]
	w[i] = string(b)
	return strings.Join(w, " ")
}

// typo inserts, deletes or substitutes a lower-case letter, or swaps two
// neighbouring letters, anywhere but in the first letter of word.
func typo(rng *rand.Rand, word string) string {
	b := []byte(word)
	letter := byte('a' + rng.IntN(26))
	pos := 1 + rng.IntN(len(b)-1)
	switch rng.IntN(4) {
	case 0:
		b = append(b[:pos], append([]byte{letter}, b[pos:]...)...)
	case 1:
		b = append(b[:pos], b[pos+1:]...)
	case 2:
		if b[pos] == letter {
			return ""
		}
		b[pos] = letter
	default:
		if pos == len(b)-1 || b[pos] == b[pos+1] {
			return ""
		}
		b[pos], b[pos+1] = b[pos+1], b[pos]
	}
	return string(b)
}

// reorderedName leaves out or moves the initials of a name, or, for a name
// without initials, puts its last word first (Puthenpurayil Anil Kumar).
func reorderedName(rng *rand.Rand, d *Dictionary, pn *personName) string {
	w := pn.words(d)
	var initials, rest []string
	for i, pt := range pn.list() {
		if pt.kind == partInitials {
			initials = append(initials, w[i])
		} else {
			rest = append(rest, w[i])
		}
	}
	switch {
	case len(initials) > 0 && rng.IntN(2) == 0:
		return strings.Join(rest, " ")
	case len(initials) > 0 && pn.parts[0].kind == partInitials:
		return strings.Join(append(rest, initials...), " ")
	case len(initials) > 0:
		return strings.Join(append(initials, rest...), " ")
	}
	return strings.Join(append([]string{w[len(w)-1]}, w[:len(w)-1]...), " ")
}
