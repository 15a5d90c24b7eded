// Package legacy writes synthetic registers as kept before ksmart, as the
// CSV files ksmart import takes, and the relevance queries a search over
// them must answer. It imports nothing of ksmart, so that any package's
// tests and benchmarks may use it, civil's own included.
//
// Names come from a dictionary of Kerala names (names.go) in both scripts,
// spelt as registers really spell them: Sreekutty or Srikutti, Muhammad or
// Mohammed, with initials, house names, surnames and fathers' names as each
// community writes them.
package legacy

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// BirthsPerYear is how many births a year Births numbers: a
// million rows cover 1970 to 2019.
const BirthsPerYear = 20000

// Births writes a synthetic register of births kept before ksmart, as
// CSV in the columns civil.Import takes for "births": a header row, then
// rows rows numbered B-1/1970 onwards in register order, BirthsPerYear
// a year, as a register typed in from the bound volumes would be. Names are
// Kerala names of the three communities drawn from Names(), in both
// scripts, except that one row in ten has its Malayalam columns blank (a
// register kept in English only) and one child in twenty is not named at
// registration. Dates of birth are DD-MM-YYYY up to three weeks before the
// registration, addresses are quoted and wards run from 1 to 12, as in
// DemoLocalBody. Every row is good: imported into a local body with wards 1
// to 12, all rows import.
//
// The same seed writes the same bytes, and BirthRecords yields the same
// rows as records. More than 1,120,000 rows reach 2026 and later, where
// registration dates may be in the future and such rows are refused by an
// import. It returns the first error of w.
func Births(w io.Writer, rows int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	g := NewBirthRegister(seed)
	g.Header(bw)
	for range rows {
		g.Row(bw)
	}
	return bw.Flush()
}

// BirthHeader is the header row Births writes.
const BirthHeader = "register_number,registration_date,child_name_en,child_name_ml,sex,date_of_birth,place_of_birth,mother_name_en,mother_name_ml,father_name_en,father_name_ml,permanent_address,ward"

// Record is an entry of a synthetic register as a search sees it: its
// number, its kind ("birth", "death" or "marriage"), the date of the event
// (YYYY-MM-DD) and the names in both scripts, a Malayalam name blank where
// the register has none. For a birth the name is the child's (blank when
// not named); for a death the deceased's, with a spouse where one is
// given; for a marriage the groom's, and the spouse is the bride.
type Record struct {
	Number, Kind, EventDate string
	NameEn, NameMl          string
	MotherEn, MotherMl      string
	FatherEn, FatherMl      string
	SpouseEn, SpouseMl      string
}

// BirthRecords calls fn with each row Births(w, rows, seed) writes, in
// order, as a Record, so that a test or benchmark that imports the CSV
// knows every entry.
func BirthRecords(rows int, seed uint64, fn func(Record)) {
	g := NewBirthRegister(seed)
	for range rows {
		b := g.next()
		fn(b.rec)
	}
}

// NewBirthRegister starts a register that Births would write with seed, for
// a caller that writes it a row at a time (a test mixing in bad rows).
func NewBirthRegister(seed uint64) *BirthRegister {
	rng := rand.New(rand.NewPCG(seed, 1))
	return &BirthRegister{nm: namer{rng: rng, ix: index()}, year: 1970}
}

// Header writes the header row.
func (g *BirthRegister) Header(w io.Writer) { fmt.Fprintln(w, BirthHeader) }

// BirthRegister is a register of births being written: the year and the
// last number used in it.
type BirthRegister struct {
	nm   namer
	year int
	seq  int
}

// birth is a row of the register with the people behind its names.
type birth struct {
	rec                   Record
	child, mother, father person
	named, english        bool // english: the row's Malayalam columns are blank
	regDate, dob          time.Time
	place, house          string
	ward                  int
}

// registered returns the registration date of the seq'th entry of a
// register numbering perYear entries a year from 1 January of year.
func registered(year, seq, perYear int) time.Time {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (seq-1)*365/perYear)
}

// next draws the next birth of the register.
func (g *BirthRegister) next() birth {
	g.seq++
	if g.seq > BirthsPerYear {
		g.year, g.seq = g.year+1, 1
	}
	nm, d := &g.nm, g.nm.ix.d
	b := birth{regDate: registered(g.year, g.seq, BirthsPerYear)}
	b.dob = b.regDate.AddDate(0, 0, -nm.rng.IntN(21))
	comm := nm.community()
	b.father = nm.person(0, comm, nil)
	b.mother = nm.person(1, comm, nil)
	b.child = nm.person(nm.rng.IntN(2), comm, &b.father)
	b.named = nm.rng.IntN(20) != 0
	b.english = nm.rng.IntN(10) == 0
	b.place = places[nm.rng.IntN(len(places))]
	b.house = d.Family[b.father.house].En
	b.ward = 1 + nm.rng.IntN(12)
	b.rec = Record{Number: "B-" + strconv.Itoa(g.seq) + "/" + strconv.Itoa(g.year), Kind: "birth", EventDate: b.dob.Format(time.DateOnly),
		MotherEn: b.mother.name.en(d), FatherEn: b.father.name.en(d)}
	if b.named {
		b.rec.NameEn = b.child.name.en(d)
	}
	if !b.english {
		b.rec.MotherMl, b.rec.FatherMl = b.mother.name.ml(d), b.father.name.ml(d)
		if b.named {
			b.rec.NameMl = b.child.name.ml(d)
		}
	}
	return b
}

// Row writes the next birth of the register.
func (g *BirthRegister) Row(w io.Writer) {
	b := g.next()
	r := &b.rec
	fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,\"%s House, %s\",%d\n", r.Number, b.regDate.Format(time.DateOnly), r.NameEn, r.NameMl,
		[...]string{"male", "female"}[b.child.sex], b.dob.Format("02-01-2006"), "Govt. Hospital "+b.place,
		r.MotherEn, r.MotherMl, r.FatherEn, r.FatherMl, b.house, b.place, b.ward)
}
