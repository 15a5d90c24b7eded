package civil

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
)

// FuzzImportRow_ABirthsRowIsImportedCleanOrRefusedWithAReason feeds one CSV
// line of a births file to the row checker. Whatever the line holds, the
// checker never panics; a row it refuses has a reason that can be printed
// (valid UTF-8, one line); a row it takes is an entry whose number, dates,
// names and text are clean and within the register's rules.
func FuzzImportRow_ABirthsRowIsImportedCleanOrRefusedWithAReason(f *testing.F) {
	const header = "register_number,registration_date,child_name_en,child_name_ml,sex,date_of_birth,place_of_birth,mother_name_en,mother_name_ml,father_name_en,father_name_ml,permanent_address,ward"
	f.Add(`B-2/2026,2026-01-20,Anagha K. R.,അനഘ കെ. ആർ.,female,2026-01-05,"Govt. Hospital, Ernakulam",Lakshmi K. R.,ലക്ഷ്മി കെ. ആർ.,Rajesh K. R.,രാജേഷ് കെ. ആർ.,"Kizhakkethil House, Thrikkakara",3`)
	f.Add(`SB-1/2026,2026-02-02,,,male,2026-01-30,Home,Fathima P.,ഫാത്തിമ പി.,Abdul Kareem P.,അബ്ദുൽ കരീം പി.,"Pallikkara, Kakkanad",5`)
	f.Add(`B-3/2026,2026-01-21,Divya T. V.,ദിവ്യ ടി. വി.,female,31-02-2026,Home,Saritha T. V.,,,,Edappally,2`)
	f.Add("B-4/2026,20-01-2026,Arun\x00,,male,2026-01-05,Home,Mini,,,,\"House 1\r\nKakkanad\",99")
	f.Add("B-5/2025,2026-01-10,\xff\xfe,\u202e,X,2027-01-01,,,,,,,")
	f.Add(`B-18446744073709551616/2026,2026-01-20,A,,female,2026-01-05,Home,B,,,,C,1`)
	lb := domain.LocalBody{Code: "M0701", Name: domain.T("Thrikkakara Municipality", "തൃക്കാക്കര മുനിസിപ്പാലിറ്റി"), Kind: domain.KindMunicipality}
	for n := 1; n <= 12; n++ {
		lb.Wards = append(lb.Wards, domain.Ward{Number: n})
	}
	today := importNow.In(domain.IST).Format(time.DateOnly)
	f.Fuzz(func(t *testing.T, line string) {
		p := &rowParser{reg: importRegisters["births"], lb: lb, today: today, registrar: Officer{ID: "u-reg", Name: "Registrar"}, seen: map[uint64]int{}}
		cr := csv.NewReader(strings.NewReader(header + "\n" + line))
		cr.FieldsPerRecord = -1
		if err := p.header(cr); err != nil {
			t.Fatalf("the header: %v", err)
		}
		rec, err := cr.Read()
		if err != nil {
			if !utf8.ValidString(csvProblem(err)) {
				t.Fatalf("the reason for an unreadable row is not printable: %q", csvProblem(err))
			}
			return
		}
		row, problem := p.row(2, rec)
		if problem != "" {
			if !utf8.ValidString(problem) || strings.ContainsAny(problem, "\r\n") {
				t.Fatalf("the reason %q cannot be printed on one line", problem)
			}
			return
		}
		var e Entry
		if err := json.Unmarshal(row.entry, &e); err != nil {
			t.Fatalf("a taken row's entry does not decode: %v", err)
		}
		if k, s, y, ok := parseRegisterNumber(e.Number); !ok || RegisterNumber(k, y, s) != e.Number || (k != KindBirth && k != KindStillBirth) {
			t.Fatalf("a taken row's number %q is not a births register number", e.Number)
		}
		if d := e.Values["date_of_birth"]; d > today || e.Registered.In(domain.IST).Format(time.DateOnly) < d {
			t.Fatalf("a taken row was born on %q, registered %v, today %s", d, e.Registered, today)
		}
		if e.Ward != 0 && !lb.HasWard(e.Ward) { // the ward is optional
			t.Fatalf("a taken row is in ward %d", e.Ward)
		}
		for k, v := range e.Values {
			if clean, ok := cleanImported(v, k == "permanent_address"); !ok || clean != v {
				t.Fatalf("%s = %q was taken unclean", k, v)
			}
			if strings.HasSuffix(k, "_en") && !englishName(v) {
				t.Fatalf("%s = %q was taken though it is not an English name", k, v)
			}
			if strings.HasSuffix(k, "_ml") && !malayalamName(v) {
				t.Fatalf("%s = %q was taken though it is not a Malayalam name", k, v)
			}
		}
	})
}
