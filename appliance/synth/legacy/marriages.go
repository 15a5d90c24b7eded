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

// MarriagesPerYear is how many marriages a year Marriages numbers: a
// million rows cover 1970 to 2019, as for births.
const MarriagesPerYear = BirthsPerYear

// MarriageHeader is the header row Marriages writes.
const MarriageHeader = "register_number,registration_date,groom_name_en,groom_name_ml,groom_dob,groom_address,bride_name_en,bride_name_ml,bride_dob,bride_address,date_of_marriage,place_of_marriage,ward"

// Marriages writes a synthetic register of marriages kept before ksmart,
// as CSV in the columns civil.Import takes for "marriages": a header row,
// then rows rows numbered M-1/1970 onwards, MarriagesPerYear a year. Groom
// and bride are mostly of one community and married where it marries (a
// church, a temple, a mosque, or the sub-registrar's office); the groom is
// 21 to 38 and the bride 18 to 32 on the day, and one date of birth in ten
// is left blank. Dates are DD-MM-YYYY, the marriage up to three weeks
// before the registration. One row in ten has its Malayalam columns blank.
// Every row is good, as for Births, and the same seed writes the same
// bytes, which MarriageRecords yields as records.
func Marriages(w io.Writer, rows int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, MarriageHeader)
	g := newMarriageRegister(seed)
	for range rows {
		g.row(bw)
	}
	return bw.Flush()
}

// MarriageRecords calls fn with each row Marriages(w, rows, seed) writes,
// in order, as a Record: the groom's name as the name and the bride's as
// the spouse's.
func MarriageRecords(rows int, seed uint64, fn func(Record)) {
	g := newMarriageRegister(seed)
	for range rows {
		fn(g.next().rec)
	}
}

type marriageRegister struct {
	nm   namer
	year int
	seq  int
}

func newMarriageRegister(seed uint64) *marriageRegister {
	return &marriageRegister{nm: namer{rng: rand.New(rand.NewPCG(seed, 3)), ix: index()}, year: 1970}
}

type marriage struct {
	rec                  Record
	groom, bride         person
	regDate, date        time.Time
	groomDob, brideDob   string // DD-MM-YYYY or blank
	groomAddr, brideAddr string
	place                string
	ward                 int
}

// marriagePlaces are where each community marries, by commOrder.
var marriagePlaces = [3][]string{
	{"Sree Krishna Temple, %s", "Guruvayur Temple", "Siva Temple, %s", "Devi Temple, %s", "Sub Registrar Office, %s"},
	{"Juma Masjid, %s", "Town Juma Masjid, Ernakulam", "Muslim Jamaath Hall, %s", "Sub Registrar Office, %s"},
	{"St. Mary's Church, %s", "St. George Church, %s", "St. Thomas Church, %s", "Infant Jesus Church, %s", "Sub Registrar Office, %s"},
}

// dob returns a date of birth age years and some days before t, as
// DD-MM-YYYY, or "" one time in ten.
func (nm *namer) dob(t time.Time, age int) string {
	if nm.rng.IntN(10) == 0 {
		return ""
	}
	return t.AddDate(-age, 0, -1-nm.rng.IntN(360)).Format("02-01-2006")
}

func (g *marriageRegister) next() marriage {
	g.seq++
	if g.seq > MarriagesPerYear {
		g.year, g.seq = g.year+1, 1
	}
	nm, d := &g.nm, g.nm.ix.d
	m := marriage{regDate: registered(g.year, g.seq, MarriagesPerYear)}
	m.date = m.regDate.AddDate(0, 0, -nm.rng.IntN(21))
	comm := nm.community()
	brideComm := comm
	if nm.rng.IntN(20) == 0 {
		brideComm = nm.community()
	}
	m.groom = nm.person(0, comm, nil)
	m.bride = nm.person(1, brideComm, nil)
	m.groomDob = nm.dob(m.date, 21+nm.rng.IntN(18))
	m.brideDob = nm.dob(m.date, 18+nm.rng.IntN(15))
	gp, bp := places[nm.rng.IntN(len(places))], places[nm.rng.IntN(len(places))]
	m.groomAddr = d.Family[m.groom.house].En + " House, " + gp
	m.brideAddr = d.Family[m.bride.house].En + " House, " + bp
	m.place = marriagePlaces[comm][nm.rng.IntN(len(marriagePlaces[comm]))]
	if strings.Contains(m.place, "%s") {
		m.place = fmt.Sprintf(m.place, gp)
	}
	m.ward = 1 + nm.rng.IntN(12)
	m.rec = Record{Number: "M-" + strconv.Itoa(g.seq) + "/" + strconv.Itoa(g.year), Kind: "marriage", EventDate: m.date.Format(time.DateOnly),
		NameEn: m.groom.name.en(d), SpouseEn: m.bride.name.en(d)}
	if nm.rng.IntN(10) != 0 {
		m.rec.NameMl, m.rec.SpouseMl = m.groom.name.ml(d), m.bride.name.ml(d)
	}
	return m
}

func (g *marriageRegister) row(w io.Writer) {
	m := g.next()
	r := &m.rec
	fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d\n", r.Number, m.regDate.Format(time.DateOnly), r.NameEn, r.NameMl, m.groomDob, csvField(m.groomAddr),
		r.SpouseEn, r.SpouseMl, m.brideDob, csvField(m.brideAddr), m.date.Format("02-01-2006"), csvField(m.place), m.ward)
}
