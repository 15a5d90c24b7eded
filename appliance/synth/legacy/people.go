package legacy

import (
	"math/rand/v2"
	"strings"
	"sync"
)

// Kinds of the parts of a person's name.
const (
	partGiven    = iota // a given name of Names().Given
	partFamily          // a house name, surname or title of Names().Family
	partInitials        // one or two initials of Names().Initials
)

// part is one element of a written name: a given name, a family name, or a
// group of initials ("K. R."), with the English spelling the register used.
type part struct {
	kind  uint8
	spell uint8 // 0 is Name.En, i is Name.Variants[i-1]
	idx   int16 // into Given, Family or Initials
	idx2  int16 // a second initial, or -1
}

// personName is a name as written: its parts in order, and which of them
// is the person's own given name (not a Muhammad or Abdul before it, nor a
// father's name after it).
type personName struct {
	parts [5]part
	n     int
	own   int
}

func (p *personName) add(pt part) {
	if p.n < len(p.parts) {
		p.parts[p.n] = pt
		p.n++
	}
}

// list returns the parts in order.
func (p *personName) list() []part { return p.parts[:p.n] }

// name returns the dictionary entry of a given or family part.
func (pt part) name(d *Dictionary) Name {
	if pt.kind == partFamily {
		return d.Family[pt.idx].Name
	}
	return d.Given[pt.idx].Name
}

// en returns the part as written in English.
func (pt part) en(d *Dictionary) string {
	if pt.kind == partInitials {
		if pt.idx2 < 0 {
			return d.Initials[pt.idx].En
		}
		return d.Initials[pt.idx].En + " " + d.Initials[pt.idx2].En
	}
	n := pt.name(d)
	if pt.spell == 0 {
		return n.En
	}
	return n.Variants[pt.spell-1]
}

// ml returns the part in Malayalam.
func (pt part) ml(d *Dictionary) string {
	if pt.kind == partInitials {
		if pt.idx2 < 0 {
			return d.Initials[pt.idx].Ml
		}
		return d.Initials[pt.idx].Ml + " " + d.Initials[pt.idx2].Ml
	}
	return pt.name(d).Ml
}

// render writes the parts in English or in Malayalam, with spellings
// overridden by spell where it returns a word.
func (p *personName) render(d *Dictionary, ml bool) string {
	var b strings.Builder
	for i, pt := range p.list() {
		if i > 0 {
			b.WriteByte(' ')
		}
		if ml {
			b.WriteString(pt.ml(d))
		} else {
			b.WriteString(pt.en(d))
		}
	}
	return b.String()
}

func (p *personName) en(d *Dictionary) string { return p.render(d, false) }
func (p *personName) ml(d *Dictionary) string { return p.render(d, true) }

// dictIndex is the dictionary arranged for drawing names.
type dictIndex struct {
	d *Dictionary
	// given by sex (0 male, 1 female) and community (0 Hindu, 1 Muslim,
	// 2 Christian)
	given [2][3][]int16
	// draw is given without the words that only follow another given name
	// (Kumari, Das, Beevi).
	draw                               [2][3][]int16
	houses                             []int16
	surnames                           [3][]int16 // by community
	tails                              [2][]int16 // Hindu second words by sex: Kumar, Devi
	abdul                              []int16    // the names Abdul goes with
	muhammad, abdulIdx, fathima, beevi int16
	byEn                               map[string]int16
	partners                           map[int16][]int16 // near misses of a given name
	// spellings holds every English spelling in the dictionary, lower-cased,
	// and skeletons their rough sound, for telling a typo from a real name.
	spellings map[string]bool
	skeletons map[string]bool
}

var commOrder = [3]Community{Hindu, Muslim, Christian}

// secondWords are the given names the registers write after another as a
// second word (Anil Kumar, Sree Devi), men's then women's.
var secondWords = [2][]string{{"Kumar", "Lal", "Das", "Raj", "Babu"}, {"Kumari", "Devi"}}

// SecondWords returns the given names the synthetic registers write after
// another given name as a second word of it (Anil Kumar, Sree Devi).
func SecondWords() []string {
	return append(append([]string(nil), secondWords[0]...), secondWords[1]...)
}

var index = sync.OnceValue(func() *dictIndex {
	d := Names()
	ix := &dictIndex{d: d, byEn: map[string]int16{}, partners: map[int16][]int16{},
		spellings: map[string]bool{}, skeletons: map[string]bool{}}
	for i, g := range d.Given {
		s := 0
		if g.Sex == "female" {
			s = 1
		}
		for c, comm := range commOrder {
			if g.Communities&comm != 0 {
				ix.given[s][c] = append(ix.given[s][c], int16(i))
			}
		}
		ix.byEn[g.En] = int16(i)
		for _, sp := range g.Spellings() {
			ix.spellings[strings.ToLower(sp)] = true
			ix.skeletons[skeleton(sp)] = true
		}
	}
	for i, f := range d.Family {
		if !f.Surname {
			ix.houses = append(ix.houses, int16(i))
		}
		for c, comm := range commOrder {
			if f.Surname && f.Communities&comm != 0 {
				ix.surnames[c] = append(ix.surnames[c], int16(i))
			}
		}
		for _, sp := range f.Spellings() {
			ix.spellings[strings.ToLower(sp)] = true
			ix.skeletons[skeleton(sp)] = true
		}
	}
	for s := range ix.given {
		for c := range ix.given[s] {
			for _, i := range ix.given[s][c] {
				if en := d.Given[i].En; en != "Kumari" && en != "Das" && en != "Beevi" {
					ix.draw[s][c] = append(ix.draw[s][c], i)
				}
			}
		}
	}
	for _, en := range secondWords[0] {
		ix.tails[0] = append(ix.tails[0], ix.byEn[en])
	}
	for _, en := range secondWords[1] {
		ix.tails[1] = append(ix.tails[1], ix.byEn[en])
	}
	for _, en := range []string{"Kareem", "Rahim", "Rasheed", "Hameed", "Majeed", "Jabbar", "Latheef", "Azeez", "Rahman", "Khalid", "Jaleel", "Salim"} {
		if i, ok := ix.byEn[en]; ok {
			ix.abdul = append(ix.abdul, i)
		}
	}
	ix.muhammad, ix.abdulIdx, ix.fathima, ix.beevi = ix.byEn["Muhammad"], ix.byEn["Abdul"], ix.byEn["Fathima"], ix.byEn["Beevi"]
	for _, p := range d.NearMisses {
		a, b := ix.byEn[p[0]], ix.byEn[p[1]]
		ix.partners[a] = append(ix.partners[a], b)
		ix.partners[b] = append(ix.partners[b], a)
	}
	return ix
})

// skeleton is a rough sound of a spelling, enough to tell that a typo made
// another name of the dictionary (Sunil → Sushil, which is Susil): lower
// case, h dropped, w as v, z as s, c and q as k, y as i, e after the first
// letter as a, and letters written twice written once.
func skeleton(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		switch c {
		case 'h':
			continue
		case 'w':
			c = 'v'
		case 'z':
			c = 's'
		case 'c', 'q':
			c = 'k'
		case 'y':
			c = 'i'
		case 'e':
			if i > 0 {
				c = 'a'
			}
		}
		if len(b) > 0 && b[len(b)-1] == c {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// person is a synthetic resident as a register names them.
type person struct {
	name  personName
	sex   int // 0 male, 1 female
	comm  int // into commOrder
	house int16
}

// namer draws names.
type namer struct {
	rng *rand.Rand
	ix  *dictIndex
}

func (nm *namer) pick(list []int16) int16 { return list[nm.rng.IntN(len(list))] }

// spelling draws the English spelling of a name: its usual one three times
// in four, else one of its variants.
func (nm *namer) spelling(n Name) uint8 {
	if len(n.Variants) == 0 || nm.rng.IntN(4) != 0 {
		return 0
	}
	return uint8(1 + nm.rng.IntN(len(n.Variants)))
}

func (nm *namer) given(idx int16) part {
	return part{kind: partGiven, idx: idx, idx2: -1, spell: nm.spelling(nm.ix.d.Given[idx].Name)}
}

func (nm *namer) family(idx int16) part {
	return part{kind: partFamily, idx: idx, idx2: -1, spell: nm.spelling(nm.ix.d.Family[idx].Name)}
}

func (nm *namer) initials() part {
	n := int16(len(nm.ix.d.Initials))
	p := part{kind: partInitials, idx: int16(nm.rng.IntN(int(n))), idx2: -1}
	if nm.rng.IntN(3) != 0 {
		p.idx2 = int16(nm.rng.IntN(int(n)))
	}
	return p
}

// person draws a person of the sex and community given. father, when not
// nil, is the person's father, whose given name and house name a child's
// name may carry.
func (nm *namer) person(sex, comm int, father *person) person {
	ix := nm.ix
	p := person{sex: sex, comm: comm, house: ix.houses[nm.rng.IntN(len(ix.houses))]}
	if father != nil && nm.rng.IntN(10) < 7 {
		p.house = father.house
	}
	g := nm.pick(ix.draw[sex][comm])
	var given []part
	own := 0 // the person's own given name in given
	switch commOrder[comm] {
	case Hindu:
		given = append(given, nm.given(g))
		if nm.rng.IntN(6) == 0 {
			if t := nm.pick(ix.tails[sex]); t != g {
				given = append(given, nm.given(t))
			}
		}
	case Muslim:
		r := nm.rng.IntN(100)
		switch {
		case sex == 0 && (g == ix.abdulIdx || r >= 25 && r < 35):
			given, own = append(given, nm.given(ix.abdulIdx), nm.given(nm.pick(ix.abdul))), 1
		case sex == 0 && r < 25 && g != ix.muhammad:
			given, own = append(given, nm.given(ix.muhammad), nm.given(g)), 1
		case sex == 1 && r < 10 && g != ix.fathima:
			given, own = append(given, nm.given(ix.fathima), nm.given(g)), 1
		default:
			given = append(given, nm.given(g))
		}
	case Christian:
		given = append(given, nm.given(g))
	}
	fatherGiven := func() part {
		if father != nil {
			return father.name.parts[father.name.own]
		}
		return nm.given(nm.pick(ix.draw[0][comm]))
	}
	// The rest of the name, by the customs of the community: initials
	// (after or before), a house name, the father's given name, or a
	// surname or title.
	r := nm.rng.IntN(100)
	var before, after []part
	switch commOrder[comm] {
	case Hindu:
		switch {
		case r < 35:
			after = append(after, nm.initials())
		case r < 50:
			before = append(before, nm.initials())
		case r < 58:
			after = append(after, nm.family(nm.pick(ix.surnames[0])))
		case r < 65:
			after = append(after, nm.initials(), nm.family(nm.pick(ix.surnames[0]))) // Meera K. Nair
		case r < 85:
			after = append(after, nm.family(p.house))
		default:
			after = append(after, fatherGiven())
		}
	case Muslim:
		switch {
		case r < 30:
			after = append(after, nm.initials())
		case r < 40:
			before = append(before, nm.initials())
		case r < 60:
			after = append(after, nm.family(p.house))
		case r < 88:
			after = append(after, fatherGiven())
		case sex == 1:
			after = append(after, nm.given(ix.beevi))
		default:
			after = append(after, nm.family(nm.pick(ix.surnames[1])))
		}
	case Christian:
		switch {
		case r < 15:
			after = append(after, nm.initials())
		case r < 20:
			before = append(before, nm.initials())
		case r < 45:
			after = append(after, nm.family(p.house))
		case r < 65:
			after = append(after, fatherGiven())
		case r < 75:
			after = append(after, fatherGiven(), nm.family(p.house)) // Jomon Thomas Kizhakkethil
		default:
			after = append(after, nm.family(nm.pick(ix.surnames[2])))
		}
	}
	for _, pt := range before {
		p.name.add(pt)
	}
	p.name.own = len(before) + own
	for _, pt := range given {
		p.name.add(pt)
	}
	for _, pt := range after {
		p.name.add(pt)
	}
	return p
}

// community draws a community: Hindu 55%, Muslim 27%, Christian 18%,
// roughly Kerala's shares.
func (nm *namer) community() int {
	switch r := nm.rng.IntN(100); {
	case r < 55:
		return 0
	case r < 82:
		return 1
	}
	return 2
}

// places are the localities of the synthetic local body.
var places = []string{"Thrikkakara", "Kakkanad", "Edappally", "Vyttila", "Kaloor", "Palarivattom", "Vazhakkala", "Chembumukku",
	"Kangarappady", "Padamugal", "Unichira", "Pukkattupady"}
