// Package legacy writes synthetic registers as kept before ksmart, as the
// CSV files ksmart import takes. It imports nothing of ksmart, so that any
// package's tests and benchmarks may use it, civil's own included.
package legacy

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// BirthsPerYear is how many births a year Births numbers: a
// million rows cover 1970 to 2019.
const BirthsPerYear = 20000

// Births writes a synthetic register of births kept before ksmart, as
// CSV in the columns civil.Import takes for "births": a header row, then
// rows rows numbered B-1/1970 onwards in register order, BirthsPerYear
// a year, as a register typed in from the bound volumes would be. Names are
// in both scripts (one child in twenty not named at registration), dates of
// birth are DD-MM-YYYY up to three weeks before the registration, addresses
// are quoted and wards run from 1 to 12, as in DemoLocalBody. Every row is
// good: imported into a local body with wards 1 to 12, all rows import.
//
// The same seed writes the same bytes. More than 1,120,000 rows reach 2026
// and later, where registration dates may be in the future and such rows are
// refused by an import. It returns the first error of w.
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

// NewBirthRegister starts a register that Births would write with seed, for
// a caller that writes it a row at a time (a test mixing in bad rows).
func NewBirthRegister(seed uint64) *BirthRegister {
	return &BirthRegister{rng: rand.New(rand.NewPCG(seed, 1)), year: 1970}
}

// Header writes the header row.
func (g *BirthRegister) Header(w io.Writer) { fmt.Fprintln(w, BirthHeader) }

// BirthRegister is a register of births being written: the year and the
// last number used in it.
type BirthRegister struct {
	rng  *rand.Rand
	year int
	seq  int
}

var (
	legacyGiven = [][2]string{{"Anagha", "അനഘ"}, {"Sreekumar", "ശ്രീകുമാർ"}, {"Mohammed Rafi", "മുഹമ്മദ് റാഫി"}, {"Lakshmi", "ലക്ഷ്മി"},
		{"Joseph", "ജോസഫ്"}, {"Fathima", "ഫാത്തിമ"}, {"Rajesh", "രാജേഷ്"}, {"Meera", "മീര"}, {"Anil Kumar", "അനിൽ കുമാർ"},
		{"Aysha", "ആയിഷ"}, {"Thomas", "തോമസ്"}, {"Divya", "ദിവ്യ"}, {"Unnikrishnan", "ഉണ്ണികൃഷ്ണൻ"}, {"Shabana", "ഷബാന"},
		{"Gopalan", "ഗോപാലൻ"}, {"Reshma", "രേഷ്മ"}, {"Biju", "ബിജു"}, {"Saritha", "സരിത"}, {"Abdul Kareem", "അബ്ദുൽ കരീം"},
		{"Mariamma", "മറിയാമ്മ"}, {"Vishnu", "വിഷ്ണു"}, {"Nandana", "നന്ദന"}, {"Suresh Babu", "സുരേഷ് ബാബു"}, {"Jincy", "ജിൻസി"}}
	legacyInitials = [][2]string{{"K. R.", "കെ. ആർ."}, {"P.", "പി."}, {"M. S.", "എം. എസ്."}, {"T. V.", "ടി. വി."},
		{"C.", "സി."}, {"A. K.", "എ. കെ."}, {"V.", "വി."}, {"N. P.", "എൻ. പി."}}
	legacyHouses = []string{"Kizhakkethil", "Puthenpurayil", "Thekkedath", "Valiyaveedu", "Pallikkara", "Mangalath", "Kottarathil", "Chirayil"}
	legacyPlaces = []string{"Thrikkakara", "Kakkanad", "Edappally", "Vyttila", "Kaloor", "Palarivattom", "Vazhakkala", "Chembumukku"}
)

// name is a given name with initials, in English and in Malayalam.
func (g *BirthRegister) name() (en, ml string) {
	n, i := legacyGiven[g.rng.IntN(len(legacyGiven))], legacyInitials[g.rng.IntN(len(legacyInitials))]
	return n[0] + " " + i[0], n[1] + " " + i[1]
}

// Row writes the next birth of the register.
func (g *BirthRegister) Row(w io.Writer) {
	g.seq++
	if g.seq > BirthsPerYear {
		g.year, g.seq = g.year+1, 1
	}
	reg := time.Date(g.year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (g.seq-1)*365/BirthsPerYear)
	dob := reg.AddDate(0, 0, -g.rng.IntN(21))
	child, childMl := g.name()
	if g.rng.IntN(20) == 0 {
		child, childMl = "", "" // not named at registration
	}
	mother, motherMl := g.name()
	father, fatherMl := g.name()
	sex := [...]string{"male", "female"}[g.rng.IntN(2)]
	place := legacyPlaces[g.rng.IntN(len(legacyPlaces))]
	fmt.Fprintf(w, "B-%d/%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,\"%s House, %s\",%d\n", g.seq, g.year, reg.Format(time.DateOnly), child, childMl, sex,
		dob.Format("02-01-2006"), "Govt. Hospital "+place, mother, motherMl, father, fatherMl, legacyHouses[g.rng.IntN(len(legacyHouses))], place, 1+g.rng.IntN(12))
}
