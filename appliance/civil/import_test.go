package civil

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"ksmart/appliance/synth/legacy"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
	"ksmart/store/storetest"
)

// importNow is the clock of the import tests: Sunday 15 March 2026, 10:00 IST.
var importNow = time.Date(2026, 3, 15, 10, 0, 0, 0, domain.IST)

var importRegistrar = domain.Actor{ID: "u-reg", Name: "Registrar Suma", Roles: []domain.Role{domain.RoleRegistrar}}

// newImportCivil returns the civil module on a fresh store of a local body
// with wards 1 to 12.
func newImportCivil(tb testing.TB) *Civil {
	tb.Helper()
	return newImportCivilDir(tb, tb.TempDir())
}

func newImportCivilDir(tb testing.TB, dir string) *Civil {
	tb.Helper()
	lb := domain.LocalBody{Code: "M0701", Name: domain.T("Thrikkakara Municipality", "തൃക്കാക്കര മുനിസിപ്പാലിറ്റി"), Kind: domain.KindMunicipality, District: domain.T("Ernakulam", "എറണാകുളം")}
	for n := 1; n <= 12; n++ {
		lb.Wards = append(lb.Wards, domain.Ward{Number: n, Name: domain.T(fmt.Sprintf("Ward %d", n), fmt.Sprintf("വാർഡ് %d", n))})
	}
	return &Civil{Store: storetest.OpenDir(tb, dir, store.Options{Now: func() time.Time { return importNow }}), LocalBody: lb, Now: func() time.Time { return importNow }}
}

// importFile imports a file of testdata.
func importFile(tb testing.TB, c *Civil, register, name string) ImportReport {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rep, err := c.Import(register, f, importRegistrar, nil)
	if err != nil {
		tb.Fatalf("import %s: %v", name, err)
	}
	return rep
}

// registerBirth registers a birth as an approved application does.
func registerBirth(tb testing.TB, c *Civil, name string) Entry {
	tb.Helper()
	var e Entry
	_, err := c.Store.Write(func(tx *store.Tx) (err error) {
		e, err = register(tx, KindBirth, "2026-03-01", map[string]string{"child_name_en": name, "sex": "female", "date_of_birth": "2026-03-01", "mother_name_en": "Priya"}, 3, "KS/M0701/2026/BR/1", importRegistrar, importNow)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func entryNumbered(tb testing.TB, c *Civil, number string) Entry {
	tb.Helper()
	var e Entry
	if err := c.Store.View(func(tx *store.Tx) (err error) { e, err = entryByNumber(tx, number); return err }); err != nil {
		tb.Fatalf("entry %s: %v", number, err)
	}
	return e
}

// birthsMixedProblems are the bad rows of testdata/births_mixed.csv: each
// line with a fragment its reason must have.
var birthsMixedProblems = map[int]string{
	4:  `register_number "D-3/2026" is not a number of the register of births`,
	5:  `date_of_birth "31-02-2026" is not a date`,
	6:  "date_of_birth 2026-12-01 is in the future",
	7:  "registration_date 2026-01-03 is before date_of_birth 2026-01-10",
	8:  `child_name_en "ഉണ്ണികൃഷ്ണൻ" is in Malayalam script: put it in child_name_ml`,
	9:  `sex "X" must be male, female or transgender`,
	10: "the row has 6 fields but the header has 13",
	11: "register number B-2/2026 is used twice in this file (first on line 2)",
	12: `ward "99" is not one of the wards of Thrikkakara Municipality (wards 1 to 12)`,
	13: "register number B-1/2026 is already used by a different entry (Sreekutty, date of birth 2026-03-01, registered on application KS/M0701/2026/BR/1)",
	16: "registration_date 2026-01-10 is not in 2025, the year of register number B-11/2025",
	17: `mother_name_ml "Lakshmi" is not in Malayalam script`,
	19: "the row cannot be read: a field has a double quote",
}

func checkBirthsMixedReport(t *testing.T, rep ImportReport, imported, present int) {
	t.Helper()
	if rep.Read != 17 || rep.Imported != imported || rep.AlreadyPresent != present || rep.Bad != len(birthsMixedProblems) {
		t.Errorf("report: read %d, imported %d, already present %d, bad %d; want 17, %d, %d, %d", rep.Read, rep.Imported, rep.AlreadyPresent, rep.Bad, imported, present, len(birthsMixedProblems))
	}
	got := map[int]string{}
	for i, p := range rep.Problems {
		got[p.Line] = p.Reason
		if i > 0 && rep.Problems[i-1].Line >= p.Line {
			t.Errorf("problems not in line order: line %d after line %d", p.Line, rep.Problems[i-1].Line)
		}
	}
	for line, want := range birthsMixedProblems {
		if !strings.Contains(got[line], want) {
			t.Errorf("line %d: reason %q, want it to say %q", line, got[line], want)
		}
	}
	for line, reason := range got {
		if _, ok := birthsMixedProblems[line]; !ok {
			t.Errorf("line %d reported bad (%s), but it is a good row", line, reason)
		}
	}
}

func TestImport_BirthsFileImportsTheGoodRowsAndReportsEachBadRowByLine(t *testing.T) {
	c := newImportCivil(t)
	registerBirth(t, c, "Sreekutty") // B-1/2026, which the file also claims with other particulars
	before := c.Store.LastSeq()
	rep := importFile(t, c, "births", "births_mixed.csv")
	checkBirthsMixedReport(t, rep, 4, 0)

	anagha := entryNumbered(t, c, "B-2/2026")
	if anagha.Source != "legacy" || anagha.Kind != KindBirth || anagha.Year != 2026 || anagha.Version != 1 || anagha.Ward != 3 ||
		anagha.EventDate != "2026-01-05" || anagha.Registrar.ID != importRegistrar.ID {
		t.Errorf("B-2/2026 = %+v", anagha)
	}
	if !anagha.Registered.Equal(time.Date(2026, 1, 20, 0, 0, 0, 0, domain.IST)) {
		t.Errorf("B-2/2026 registered %v, want midnight IST on 2026-01-20", anagha.Registered)
	}
	if p := anagha.Person(); p.En != "Anagha K. R." || p.Ml != "അനഘ കെ. ആർ." || anagha.Name("mother_name").Ml != "ലക്ഷ്മി കെ. ആർ." ||
		anagha.Values["place_of_birth"] != "Govt. Hospital, Ernakulam" || anagha.Values["sex"] != "female" || anagha.Values["still_birth"] != "no" {
		t.Errorf("B-2/2026 particulars = %v", anagha.Values)
	}
	if !strings.Contains(remarks(anagha).En, "Entered from the register kept before ksmart") {
		t.Errorf("a certificate of an imported entry does not say where it came from: %q", remarks(anagha).En)
	}
	still := entryNumbered(t, c, "SB-1/2026")
	if still.Kind != KindStillBirth || still.Person().En != "" || still.Values["still_birth"] != "yes" {
		t.Errorf("SB-1/2026 = %+v", still)
	}
	meera := entryNumbered(t, c, "B-10/2026")
	if meera.EventDate != "2026-01-14" || meera.Values["sex"] != "female" || meera.Values["permanent_address"] != "Thekkekara House,\nKaloor, Kochi 682017" {
		t.Errorf("B-10/2026 (DD-MM-YYYY dates, F, an address on two lines) = %q %v", meera.EventDate, meera.Values)
	}
	if e := entryNumbered(t, c, "B-1/2026"); e.Source != "application" || e.Person().En != "Sreekutty" {
		t.Errorf("the registered B-1/2026 was changed by the import: %+v", e)
	}
	for _, n := range []string{"B-3/2026", "B-4/2026", "B-5/2026", "B-6/2026", "B-7/2026", "B-8/2026", "B-9/2026", "B-11/2025", "B-12/2026", "B-13/2026", "D-3/2026"} {
		c.Store.View(func(tx *store.Tx) error {
			if _, err := tx.Lookup(indexNumber, n); err == nil {
				t.Errorf("bad row's number %s was written", n)
			}
			return nil
		})
	}

	// Every imported entry is in the log, as itself.
	evs, err := c.Store.ReadLog(before+1, 0)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, ev := range evs {
		types[ev.Type]++
		var e Entry
		if err := json.Unmarshal(ev.Data, &e); err != nil || e.ID != ev.ID || e.Source != "legacy" || ev.Actor != importRegistrar.ID {
			t.Errorf("event %d %s does not carry its entry: %v %s", ev.Seq, ev.Type, err, ev.Data)
		}
	}
	if len(evs) != 4 || types["birth.imported"] != 3 || types["still_birth.imported"] != 1 {
		t.Errorf("events after the import: %v", types)
	}
}

func TestImport_RunningTheSameFileAgainImportsNothingNew(t *testing.T) {
	c := newImportCivil(t)
	registerBirth(t, c, "Sreekutty")
	importFile(t, c, "births", "births_mixed.csv")
	seq := c.Store.LastSeq()
	rep := importFile(t, c, "births", "births_mixed.csv")
	checkBirthsMixedReport(t, rep, 0, 4)
	if c.Store.LastSeq() != seq {
		t.Errorf("the second run wrote %d events", c.Store.LastSeq()-seq)
	}
}

func TestImport_ARegistrationAfterTheImportIsNumberedAfterTheImportedNumbers(t *testing.T) {
	c := newImportCivil(t)
	csv := "register_number,registration_date,child_name_en,sex,date_of_birth,mother_name_en\n" +
		"B-5/2026,2026-01-20,Anagha,female,2026-01-05,Lakshmi\n" +
		"B-2/2026,2026-01-10,Rajesh,male,2026-01-01,Meera\n" +
		"B-9/2025,2025-06-10,Vishnu,male,2025-06-01,Meera\n"
	rep, err := c.Import("births", strings.NewReader(csv), importRegistrar, nil)
	if err != nil || rep.Imported != 3 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	if e := registerBirth(t, c, "Sreekutty"); e.Number != "B-6/2026" {
		t.Errorf("the first birth registered after importing up to B-5/2026 is %s, want B-6/2026", e.Number)
	}
	if n := c.Numbered(KindBirth, 2025); n != 9 {
		t.Errorf("the 2025 births register has numbered %d, want 9", n)
	}
	// A number below the highest imported one can still be imported.
	rep, err = c.Import("births", strings.NewReader("register_number,registration_date,child_name_en,sex,date_of_birth,mother_name_en\nB-3/2026,2026-01-12,Divya,female,2026-01-02,Reshma\n"), importRegistrar, nil)
	if err != nil || rep.Imported != 1 || c.Numbered(KindBirth, 2026) != 6 {
		t.Errorf("importing B-3/2026 afterwards: %+v %v; numbered %d, want 6", rep, err, c.Numbered(KindBirth, 2026))
	}
}

func TestImport_AHeaderThatDoesNotFitRefusesTheWholeFileAndWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name, register, header string
		want                   []string
	}{
		{"unknown column", "births", "register_number,registration_date,chld_name_en,child_name_en,sex,date_of_birth,mother_name_en",
			[]string{`unknown column "chld_name_en"`, "A births file needs a header row with the columns register_number,registration_date,child_name_en,sex,date_of_birth,mother_name_en"}},
		{"missing column", "deaths", "register_number,registration_date,deceased_name_en,sex",
			[]string{"missing column date_of_death", "may have deceased_name_ml,age_years"}},
		{"column twice", "marriages", "register_number,registration_date,groom_name_en,bride_name_en,date_of_marriage,bride_name_en",
			[]string{"column bride_name_en given twice"}},
		{"births columns in a marriages file", "marriages", "register_number,registration_date,child_name_en,sex,date_of_birth,mother_name_en",
			[]string{`unknown column "child_name_en", "sex"`, "missing column groom_name_en, bride_name_en, date_of_marriage"}},
		{"empty file", "births", "", []string{"the file is empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newImportCivil(t)
			before := c.Store.LastSeq()
			body := tc.header + "\nB-1/2026,2026-01-20,Anagha,Anagha,female,2026-01-05,Lakshmi\n"
			if tc.header == "" {
				body = ""
			}
			rep, err := c.Import(tc.register, strings.NewReader(body), importRegistrar, nil)
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("import: %+v, %v; want it refused as invalid", rep, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("refusal %q does not say %q", err, w)
				}
			}
			if c.Store.LastSeq() != before || rep.Imported != 0 {
				t.Errorf("a refused file wrote %d events", c.Store.LastSeq()-before)
			}
		})
	}
}

func TestImport_DeathsAndMarriages(t *testing.T) {
	for _, tc := range []struct {
		register, csv string
		imported      []string
		problems      map[int]string
	}{
		{"deaths", "\uFEFFRegister_Number, registration_date ,deceased_name_en,deceased_name_ml,sex,age_years,date_of_death,place_of_death,spouse_name_en,spouse_name_ml,permanent_address,ward\n" +
			"D-7/2025,2025-03-02,Gopalan Nair,ഗോപാലൻ നായർ,male,78,2025-02-27,Home,Saritha,സരിത,\"Puthenpurayil, Kakkanad\",2\n" +
			"d-8/2025,02/03/2025,Mariamma,മറിയാമ്മ,Female,,01-03-2025,\"Lisie Hospital, Kochi\",,,,\n" +
			"D-9/2025,2025-03-04,Thomas,തോമസ്,male,131,2025-03-01,Home,,,,\n" +
			"B-10/2025,2025-03-04,Thomas,തോമസ്,male,70,2025-03-01,Home,,,,\n" +
			"D-11/2025,2025-03-04,,,male,70,2025-03-01,Home,,,,\n",
			[]string{"D-7/2025", "D-8/2025"},
			map[int]string{4: `age_years "131" must be a whole number of years from 0 to 130`, 5: "it must look like D-7/2025", 6: "deceased_name_en is blank"}},
		{"marriages", "register_number,registration_date,groom_name_en,groom_name_ml,groom_dob,bride_name_en,bride_name_ml,bride_dob,date_of_marriage,place_of_marriage,ward\n" +
			"M-2/2024,2024-05-20,Joseph Thomas,ജോസഫ് തോമസ്,1995-04-01,Divya Mary,ദിവ്യ മേരി,1998-11-12,2024-05-12,\"St. Mary's Church, Thrikkakara\",4\n" +
			"M-3/2024,2024-05-21,Biju,ബിജു,2024-05-20,Jincy,ജിൻസി,1999-01-01,2024-05-15,Temple,4\n" +
			"M-4/2024,2024-05-21,Biju,ബിജു,1990-06-01,,,1999-01-01,2024-05-15,Temple,4\n",
			[]string{"M-2/2024"},
			map[int]string{3: "groom_dob 2024-05-20 is not before date_of_marriage 2024-05-15", 4: "bride_name_en is blank"}},
	} {
		t.Run(tc.register, func(t *testing.T) {
			c := newImportCivil(t)
			c.Now = func() time.Time { return time.Date(2024, 5, 30, 9, 0, 0, 0, domain.IST) }
			if tc.register == "deaths" {
				c.Now = func() time.Time { return importNow }
			}
			rep, err := c.Import(tc.register, strings.NewReader(tc.csv), importRegistrar, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Imported != len(tc.imported) || rep.Bad != len(tc.problems) {
				t.Errorf("report %+v; want %d imported, %d bad", rep, len(tc.imported), len(tc.problems))
			}
			for _, p := range rep.Problems {
				if !strings.Contains(p.Reason, tc.problems[p.Line]) || tc.problems[p.Line] == "" {
					t.Errorf("line %d: %q; want %q", p.Line, p.Reason, tc.problems[p.Line])
				}
			}
			for _, n := range tc.imported {
				if e := entryNumbered(t, c, n); e.Source != "legacy" || e.Person().En == "" {
					t.Errorf("%s = %+v", n, e)
				}
			}
		})
	}
	c := newImportCivil(t)
	c.Import("marriages", strings.NewReader("register_number,registration_date,groom_name_en,bride_name_en,date_of_marriage\nM-2/2024,2024-05-20,Joseph Thomas,Divya Mary,2024-05-12\n"), importRegistrar, nil)
	if e := entryNumbered(t, c, "M-2/2024"); e.Person().En != "Joseph Thomas & Divya Mary" || e.EventDate != "2024-05-12" || e.Kind != KindMarriage {
		t.Errorf("M-2/2024 = %+v", e)
	}
}

func TestImport_OnlyTheRegistrarOrAnAdministratorImports(t *testing.T) {
	c := newImportCivil(t)
	clerk := domain.Actor{ID: "u-clerk", Roles: []domain.Role{domain.RoleSectionClerk}}
	_, err := c.Import("births", strings.NewReader("register_number\n"), clerk, nil)
	if domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a section clerk's import: %v", err)
	}
	if _, err := c.Import("licences", strings.NewReader(""), importRegistrar, nil); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "births, deaths or marriages") {
		t.Errorf("an unknown register: %v", err)
	}
}

func TestImport_ManyRowsCommitInBatchesReportProgressAndKeepTheFirstThousandProblems(t *testing.T) {
	c := newImportCivil(t)
	var b strings.Builder
	gen := legacy.NewBirthRegister(1)
	gen.Header(&b)
	good, bad := 4500, 1200
	for i := 0; i < good; i++ {
		gen.Row(&b)
		if i < bad {
			fmt.Fprintf(&b, "B-%d/2026,2026-01-20,Anagha,female,2026-01-05,Lakshmi\n", i+1) // too few fields
		}
	}
	var calls []ImportProgress
	rep, err := c.Import("births", strings.NewReader(b.String()), importRegistrar, func(p ImportProgress) { calls = append(calls, p) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != good+bad || rep.Imported != good || rep.Bad != bad || len(rep.Problems) != maxImportProblems {
		t.Errorf("report: read %d, imported %d, bad %d, %d problems listed", rep.Read, rep.Imported, rep.Bad, len(rep.Problems))
	}
	if rep.Problems[0].Line != 3 || rep.Problems[999].Line != 2001 {
		t.Errorf("problems listed from line %d to %d; want the first thousand, lines 3 to 2001", rep.Problems[0].Line, rep.Problems[999].Line)
	}
	last := calls[len(calls)-1]
	if len(calls) < 3 || last.Read != rep.Read || last.Imported != good || last.Bad != bad || last.Bytes != int64(b.Len()) {
		t.Errorf("%d progress calls, the last %+v; want several, ending at the report with %d bytes", len(calls), last, b.Len())
	}
	for i := 1; i < len(calls); i++ {
		if calls[i].Read < calls[i-1].Read || calls[i].Bytes < calls[i-1].Bytes {
			t.Errorf("progress went back: %+v after %+v", calls[i], calls[i-1])
		}
	}
	var n int
	c.Store.View(func(tx *store.Tx) error { n = tx.Count(entityEntry); return nil })
	if n != good {
		t.Errorf("%d entries in the store, want %d", n, good)
	}
}

var importRows = flag.Int("import-rows", 1_000_000, "rows BenchmarkImport1M imports")

// BenchmarkImport1M imports a million legacy births into a fresh data
// directory, as `ksmart import births` does, and reports rows/s, the
// seconds taken and the size of the store file. Run it once:
//
//	go test ./appliance/civil -run '^$' -bench Import1M -benchtime 1x
func BenchmarkImport1M(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "births.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	gen := legacy.NewBirthRegister(1)
	gen.Header(w)
	for i := 0; i < *importRows; i++ {
		gen.Row(w)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	csvInfo, _ := os.Stat(path)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data := filepath.Join(dir, fmt.Sprintf("data%d", i))
		c := newImportCivilDir(b, data)
		in, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		rep, err := c.Import("births", in, importRegistrar, nil)
		took := time.Since(start)
		b.StopTimer()
		in.Close()
		if err != nil || rep.Imported != *importRows {
			b.Fatalf("import: %v; %d of %d imported, first problems %v", err, rep.Imported, *importRows, rep.Problems[:min(3, len(rep.Problems))])
		}
		db, _ := os.Stat(filepath.Join(data, store.DBFile))
		b.ReportMetric(float64(rep.Imported)/took.Seconds(), "rows/s")
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(float64(db.Size())/(1<<20), "store-MiB")
		b.ReportMetric(float64(csvInfo.Size())/(1<<20), "csv-MiB")
		b.StartTimer()
	}
}
