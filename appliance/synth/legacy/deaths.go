package legacy

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// DeathsPerYear is how many deaths a year Deaths numbers: a million rows
// cover 1970 to 2019, as for births.
const DeathsPerYear = BirthsPerYear

// DeathHeader is the header row Deaths writes.
const DeathHeader = "register_number,registration_date,deceased_name_en,deceased_name_ml,sex,age_years,date_of_death,place_of_death,mother_name_en,mother_name_ml,father_name_en,father_name_ml,spouse_name_en,spouse_name_ml,permanent_address,ward"

// Deaths writes a synthetic register of deaths kept before ksmart, as CSV
// in the columns civil.Import takes for "deaths": a header row, then rows
// rows numbered D-1/1970 onwards, DeathsPerYear a year. The deceased are
// mostly old; a parent's name is given more often for the young, a
// spouse's for two adults in three. Dates of death are DD-MM-YYYY up to
// three weeks before the registration. One row in ten has its Malayalam
// columns blank. Every row is good, as for Births, and the same seed
// writes the same bytes, which DeathRecords yields as records.
func Deaths(w io.Writer, rows int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, DeathHeader)
	g := newDeathRegister(seed)
	for range rows {
		g.row(bw)
	}
	return bw.Flush()
}

// DeathRecords calls fn with each row Deaths(w, rows, seed) writes, in
// order, as a Record.
func DeathRecords(rows int, seed uint64, fn func(Record)) {
	g := newDeathRegister(seed)
	for range rows {
		fn(g.next().rec)
	}
}

type deathRegister struct {
	nm   namer
	year int
	seq  int
}

func newDeathRegister(seed uint64) *deathRegister {
	return &deathRegister{nm: namer{rng: rand.New(rand.NewPCG(seed, 2)), ix: index()}, year: 1970}
}

type death struct {
	rec           Record
	deceased      person
	age           int
	regDate, date time.Time
	place, house  string
	placeOfDeath  string
	english       bool
	ward          int
}

// deathPlaces are where people die, besides at home.
var deathPlaces = []string{"Govt. Hospital, %s", "Medical Trust Hospital, %s", "Lisie Hospital, Kochi", "General Hospital, Ernakulam",
	"Medical College Hospital, Kalamassery", "Amrita Hospital, Edappally", "Lakeshore Hospital, Maradu"}

func (g *deathRegister) next() death {
	g.seq++
	if g.seq > DeathsPerYear {
		g.year, g.seq = g.year+1, 1
	}
	nm, d := &g.nm, g.nm.ix.d
	x := death{regDate: registered(g.year, g.seq, DeathsPerYear)}
	x.date = x.regDate.AddDate(0, 0, -nm.rng.IntN(21))
	switch r := nm.rng.IntN(100); {
	case r < 2:
		x.age = 0
	case r < 6:
		x.age = 1 + nm.rng.IntN(17)
	case r < 20:
		x.age = 18 + nm.rng.IntN(37)
	default:
		x.age = 55 + nm.rng.IntN(46)
	}
	comm := nm.community()
	father := nm.person(0, comm, nil)
	mother := nm.person(1, comm, nil)
	x.deceased = nm.person(nm.rng.IntN(2), comm, &father)
	x.english = nm.rng.IntN(10) == 0
	x.place = places[nm.rng.IntN(len(places))]
	x.house = d.Family[x.deceased.house].En
	x.ward = 1 + nm.rng.IntN(12)
	x.placeOfDeath = "Home"
	if nm.rng.IntN(100) < 55 {
		x.placeOfDeath = deathPlaces[nm.rng.IntN(len(deathPlaces))]
		if strings.Contains(x.placeOfDeath, "%s") {
			x.placeOfDeath = fmt.Sprintf(x.placeOfDeath, x.place)
		}
	}
	x.rec = Record{Number: "D-" + strconv.Itoa(g.seq) + "/" + strconv.Itoa(g.year), Kind: "death", EventDate: x.date.Format(time.DateOnly),
		NameEn: x.deceased.name.en(d)}
	parents := 30
	if x.age < 18 {
		parents = 95
	}
	withMother, withFather := nm.rng.IntN(100) < parents, nm.rng.IntN(100) < parents+20
	var spouse person
	withSpouse := x.age >= 21 && nm.rng.IntN(3) != 0
	if withSpouse {
		spouse = nm.person(1-x.deceased.sex, comm, nil)
		x.rec.SpouseEn = spouse.name.en(d)
	}
	if withMother {
		x.rec.MotherEn = mother.name.en(d)
	}
	if withFather {
		x.rec.FatherEn = father.name.en(d)
	}
	if !x.english {
		x.rec.NameMl = x.deceased.name.ml(d)
		if withMother {
			x.rec.MotherMl = mother.name.ml(d)
		}
		if withFather {
			x.rec.FatherMl = father.name.ml(d)
		}
		if withSpouse {
			x.rec.SpouseMl = spouse.name.ml(d)
		}
	}
	return x
}

func (g *deathRegister) row(w io.Writer) {
	x := g.next()
	r := &x.rec
	fmt.Fprintf(w, "%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,\"%s House, %s\",%d\n", r.Number, x.regDate.Format(time.DateOnly), r.NameEn, r.NameMl,
		[...]string{"male", "female"}[x.deceased.sex], x.age, x.date.Format("02-01-2006"), csvField(x.placeOfDeath),
		r.MotherEn, r.MotherMl, r.FatherEn, r.FatherMl, r.SpouseEn, r.SpouseMl, x.house, x.place, x.ward)
}

// csvField quotes a field that holds a comma or a quote.
func csvField(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' || s[i] == '\n' {
			return strconv.Quote(s) // names and places hold no backslashes
		}
	}
	return s
}
