package legacy_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"ksmart/appliance/synth/legacy"
)

func TestBirths_SameSeedSameRegisterNumberedInOrder(t *testing.T) {
	var a, b bytes.Buffer
	if err := legacy.Births(&a, 25000, 7); err != nil {
		t.Fatal(err)
	}
	legacy.Births(&b, 25000, 7)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same seed wrote different registers")
	}
	rows, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	if strings.Join(rows[0], ",") != legacy.BirthHeader || len(rows) != 25001 {
		t.Fatalf("header %v, %d rows", rows[0], len(rows))
	}
	if rows[1][0] != "B-1/1970" || rows[legacy.BirthsPerYear+1][0] != "B-1/1971" || rows[25000][0] != "B-5000/1971" {
		t.Fatalf("numbers run %s … %s … %s", rows[1][0], rows[legacy.BirthsPerYear+1][0], rows[25000][0])
	}
}

// readCSV writes a register with write and reads it back.
func readCSV(t *testing.T, write func(*bytes.Buffer) error) [][]string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	return rows
}

// isoDate turns DD-MM-YYYY into YYYY-MM-DD.
func isoDate(t *testing.T, s string) string {
	t.Helper()
	d, err := time.Parse("02-01-2006", s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d.Format(time.DateOnly)
}

func TestBirthRecords_AreTheRowsBirthsWrites(t *testing.T) {
	const n = 5000
	rows := readCSV(t, func(b *bytes.Buffer) error { return legacy.Births(b, n, 11) })
	var recs []legacy.Record
	legacy.BirthRecords(n, 11, func(r legacy.Record) { recs = append(recs, r) })
	if len(recs) != n || len(rows) != n+1 {
		t.Fatalf("%d records, %d rows", len(recs), len(rows))
	}
	for i, r := range recs {
		row := rows[i+1]
		got := legacy.Record{Number: row[0], Kind: "birth", EventDate: isoDate(t, row[5]), NameEn: row[2], NameMl: row[3],
			MotherEn: row[7], MotherMl: row[8], FatherEn: row[9], FatherMl: row[10]}
		if got != r {
			t.Fatalf("row %d is %+v, record %+v", i+1, got, r)
		}
		if row[1] < r.EventDate {
			t.Fatalf("row %d registered %s before its birth %s", i+1, row[1], r.EventDate)
		}
	}
}

func TestBirths_HundredThousandRowsHoldEightyThousandDistinctNames(t *testing.T) {
	distinct := map[string]bool{}
	unnamed, english := 0, 0
	legacy.BirthRecords(100_000, 1, func(r legacy.Record) {
		if r.NameEn == "" {
			unnamed++
			return
		}
		distinct[r.NameEn] = true
		if r.MotherMl == "" {
			english++
		}
		if (r.NameMl == "") != (r.MotherMl == "") || r.FatherMl == "" && r.MotherMl != "" {
			t.Fatalf("%s has some Malayalam names and not others: %+v", r.Number, r)
		}
	})
	t.Logf("100,000 births: %d distinct child names, %d unnamed, %d named in English only", len(distinct), unnamed, english)
	if len(distinct) < 80_000 {
		t.Errorf("%d distinct child names in 100,000 rows, want ≥ 80,000", len(distinct))
	}
	if unnamed < 4500 || unnamed > 5500 {
		t.Errorf("%d of 100,000 children unnamed, want about 1 in 20", unnamed)
	}
	if english < 8500 || english > 10500 {
		t.Errorf("%d of the named rows in English only, want about 1 in 10", english)
	}
}

func TestDeaths_SameSeedSameRegisterOfSaneRows(t *testing.T) {
	const n = 25000
	var a, b bytes.Buffer
	legacy.Deaths(&a, n, 5)
	legacy.Deaths(&b, n, 5)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same seed wrote different registers")
	}
	rows := readCSV(t, func(b *bytes.Buffer) error { return legacy.Deaths(b, n, 5) })
	if strings.Join(rows[0], ",") != legacy.DeathHeader || len(rows) != n+1 {
		t.Fatalf("header %v, %d rows", rows[0], len(rows))
	}
	if rows[1][0] != "D-1/1970" || rows[legacy.DeathsPerYear+1][0] != "D-1/1971" {
		t.Fatalf("numbers run %s … %s", rows[1][0], rows[legacy.DeathsPerYear+1][0])
	}
	var recs []legacy.Record
	legacy.DeathRecords(n, 5, func(r legacy.Record) { recs = append(recs, r) })
	for i, row := range rows[1:] {
		r := recs[i]
		got := legacy.Record{Number: row[0], Kind: "death", EventDate: isoDate(t, row[6]), NameEn: row[2], NameMl: row[3],
			MotherEn: row[8], MotherMl: row[9], FatherEn: row[10], FatherMl: row[11], SpouseEn: row[12], SpouseMl: row[13]}
		if got != r {
			t.Fatalf("row %d is %+v, record %+v", i+1, got, r)
		}
		age, err := strconv.Atoi(row[5])
		if err != nil || age < 0 || age > 100 || row[1] < r.EventDate || r.NameEn == "" || row[4] != "male" && row[4] != "female" {
			t.Fatalf("row %d: %v", i+1, row)
		}
		if r.SpouseEn != "" && age < 21 {
			t.Fatalf("row %d: a spouse at %d: %v", i+1, age, row)
		}
	}
}

func TestMarriages_SameSeedSameRegisterOfLawfulMarriages(t *testing.T) {
	const n = 25000
	var a, b bytes.Buffer
	legacy.Marriages(&a, n, 5)
	legacy.Marriages(&b, n, 5)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same seed wrote different registers")
	}
	rows := readCSV(t, func(b *bytes.Buffer) error { return legacy.Marriages(b, n, 5) })
	if strings.Join(rows[0], ",") != legacy.MarriageHeader || len(rows) != n+1 || rows[1][0] != "M-1/1970" {
		t.Fatalf("header %v, %d rows, first %s", rows[0], len(rows), rows[1][0])
	}
	var recs []legacy.Record
	legacy.MarriageRecords(n, 5, func(r legacy.Record) { recs = append(recs, r) })
	age := func(dob, on string) int {
		d, _ := time.Parse(time.DateOnly, dob)
		o, _ := time.Parse(time.DateOnly, on)
		years := o.Year() - d.Year()
		if o.YearDay() < d.YearDay() {
			years--
		}
		return years
	}
	blank := 0
	for i, row := range rows[1:] {
		r := recs[i]
		got := legacy.Record{Number: row[0], Kind: "marriage", EventDate: isoDate(t, row[10]), NameEn: row[2], NameMl: row[3], SpouseEn: row[6], SpouseMl: row[7]}
		if got != r {
			t.Fatalf("row %d is %+v, record %+v", i+1, got, r)
		}
		if row[1] < r.EventDate || r.NameEn == "" || r.SpouseEn == "" {
			t.Fatalf("row %d: %v", i+1, row)
		}
		for _, c := range []struct {
			dob string
			min int
		}{{row[4], 21}, {row[8], 18}} {
			if c.dob == "" {
				blank++
				continue
			}
			if a := age(isoDate(t, c.dob), r.EventDate); a < c.min || a > 45 {
				t.Fatalf("row %d: married at %d (dob %s, married %s), want %d or more", i+1, a, c.dob, r.EventDate, c.min)
			}
		}
	}
	if blank < 2*n/20 || blank > 2*n/5 {
		t.Errorf("%d of %d dates of birth blank, want about one in ten", blank, 2*n)
	}
}

func TestNames_TheDictionaryIsLargeAndWellFormed(t *testing.T) {
	d := legacy.Names()
	if len(d.Given) < 400 || len(d.Family) < 150 || len(d.NearMisses) < 60 || len(d.Initials) < 12 {
		t.Fatalf("%d given names, %d family names, %d near misses, %d initials", len(d.Given), len(d.Family), len(d.NearMisses), len(d.Initials))
	}
	sexes, comms := map[string]int{}, map[legacy.Community]int{}
	given := map[string]bool{}
	check := func(n legacy.Name) {
		t.Helper()
		for _, r := range n.Ml {
			if !(r >= 0x0D00 && r <= 0x0D7F || r == '.') {
				t.Errorf("%s: Malayalam %q has %q", n.En, n.Ml, r)
			}
		}
		seen := map[string]bool{}
		for _, s := range n.Spellings() {
			for _, r := range s {
				if !unicode.IsLetter(r) && r != '.' || r > unicode.MaxASCII {
					t.Errorf("%s: spelling %q has %q", n.En, s, r)
				}
			}
			if seen[s] {
				t.Errorf("%s: spelling %q twice", n.En, s)
			}
			seen[s] = true
		}
	}
	for _, g := range d.Given {
		if given[g.En] {
			t.Errorf("given name %s twice", g.En)
		}
		given[g.En] = true
		sexes[g.Sex]++
		for _, c := range []legacy.Community{legacy.Hindu, legacy.Muslim, legacy.Christian} {
			if g.Communities&c != 0 {
				comms[c]++
			}
		}
		check(g.Name)
	}
	for _, f := range d.Family {
		check(f.Name)
	}
	for _, i := range d.Initials {
		check(i)
	}
	for _, p := range d.NearMisses {
		if !given[p[0]] || !given[p[1]] || p[0] == p[1] {
			t.Errorf("near miss %v: both must be different given names of the dictionary", p)
		}
	}
	t.Logf("given names: %v by sex, %v by community; %d family names", sexes, comms, len(d.Family))
	if sexes["male"] < 150 || sexes["female"] < 150 || comms[legacy.Hindu] < 100 || comms[legacy.Muslim] < 80 || comms[legacy.Christian] < 80 {
		t.Errorf("given names %v by sex, %v by community: want each well represented", sexes, comms)
	}
}

// osa is the edit distance with a swap of neighbours as one edit.
func osa(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func TestRelevanceQueries_AreDeterministicAndSayWhatTheirKindSays(t *testing.T) {
	const rows, seed, n, qseed = 100_000, 1, 400, 2
	queries, misses := legacy.RelevanceQueries(rows, seed, n, qseed)
	again, missesAgain := legacy.RelevanceQueries(rows, seed, n, qseed)
	if !slices.Equal(queries, again) || !slices.Equal(misses, missesAgain) {
		t.Fatal("the same seeds made different queries")
	}
	if other, _ := legacy.RelevanceQueries(rows, seed, n, qseed+1); slices.Equal(queries, other) {
		t.Fatal("another query seed made the same queries")
	}
	if len(queries) != n || len(misses) != n/2 {
		t.Fatalf("%d queries and %d near misses, want %d and %d", len(queries), len(misses), n, n/2)
	}
	recs := map[string]legacy.Record{}
	legacy.BirthRecords(rows, seed, func(r legacy.Record) { recs[r.Number] = r })
	kinds := map[string]int{}
	targets := map[string]bool{}
	for _, q := range queries {
		kinds[q.Kind]++
		r, ok := recs[q.Target]
		if !ok || r.NameEn == "" {
			t.Fatalf("%+v: target not a named entry", q)
		}
		if targets[q.Target] {
			t.Errorf("%+v: target used twice", q)
		}
		targets[q.Target] = true
		typed := 0
		for _, f := range []string{q.Name, q.EventDate, q.Relation, q.Number} {
			if f != "" {
				typed++
			}
		}
		if q.Name == "" || typed < 2 || q.Avoid != "" {
			t.Errorf("%+v: want a name and at least one more field", q)
		}
		if q.EventDate != "" && q.EventDate != r.EventDate || q.Number != "" && q.Number != r.Number {
			t.Errorf("%+v: date or number not the entry's %+v", q, r)
		}
		if q.Relation != "" && !slices.Contains([]string{r.MotherEn, r.FatherEn, r.MotherMl, r.FatherMl}, q.Relation) && !malayalam(q.Relation) {
			t.Errorf("%+v: relation is not a parent of %+v", q, r)
		}
		switch q.Kind {
		case "exact":
			if q.Name != r.NameEn && q.Name != r.NameMl {
				t.Errorf("%+v: not the name of %+v", q, r)
			}
		case "crossing":
			if !malayalam(q.Name) || r.NameMl != "" {
				t.Errorf("%+v: want a Malayalam name for an entry in English only, %+v", q, r)
			}
		case "variant":
			if q.Name == r.NameEn || len(strings.Fields(q.Name)) != len(strings.Fields(r.NameEn)) {
				t.Errorf("%+v: want another spelling of %q", q, r.NameEn)
			}
		case "typo":
			a, b := strings.Fields(q.Name), strings.Fields(r.NameEn)
			diff := 0
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					diff++
					if osa(a[i], b[i]) != 1 || len(b[i]) < 5 || a[i][0] != b[i][0] {
						t.Errorf("%+v: %q is not one typing error in %q", q, a[i], b[i])
					}
				}
			}
			if len(a) != len(b) || diff != 1 {
				t.Errorf("%+v: want one word of %q mistyped", q, r.NameEn)
			}
		case "reordered":
			if q.Name == r.NameEn {
				t.Errorf("%+v: not reordered from %q", q, r.NameEn)
			}
		default:
			t.Errorf("%+v: unknown kind", q)
		}
	}
	for _, kind := range []string{"exact", "variant", "crossing", "typo", "reordered"} {
		if kinds[kind] < n/20 {
			t.Errorf("%d %s queries of %d", kinds[kind], kind, n)
		}
	}
	t.Logf("queries by kind: %v", kinds)
	for _, q := range misses {
		r, ok := recs[q.Avoid]
		if !ok || q.Kind != "near_miss" || q.Target != "" || q.EventDate != r.EventDate || q.Name == r.NameEn ||
			(q.Relation != r.MotherEn && q.Relation != r.FatherEn) {
			t.Errorf("near miss %+v for %+v", q, r)
		}
	}
}

func malayalam(s string) bool {
	for _, r := range s {
		if r >= 0x0D00 && r <= 0x0D7F {
			return true
		}
	}
	return false
}
