package civil

import (
	"bytes"
	"io"
	"testing"

	"ksmart/appliance/synth/legacy"
)

// TestImport_EverySyntheticLegacyRowImports imports 2,000 rows of each
// synthetic legacy register and checks that every row is good and that the
// entries hold the names the generator's records say, in both scripts.
func TestImport_EverySyntheticLegacyRowImports(t *testing.T) {
	const rows = 2000
	for _, tc := range []struct {
		register string
		write    func(io.Writer, int, uint64) error
		records  func(int, uint64, func(legacy.Record))
		field    string // the name field of the entry that Record.NameEn is
	}{
		{"births", legacy.Births, legacy.BirthRecords, "child_name"},
		{"deaths", legacy.Deaths, legacy.DeathRecords, "deceased_name"},
		{"marriages", legacy.Marriages, legacy.MarriageRecords, "groom_name"},
	} {
		t.Run(tc.register, func(t *testing.T) {
			c := newImportCivil(t)
			var b bytes.Buffer
			if err := tc.write(&b, rows, 3); err != nil {
				t.Fatal(err)
			}
			rep, err := c.Import(tc.register, &b, importRegistrar, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Read != rows || rep.Imported != rows || rep.Bad != 0 {
				t.Fatalf("report %+v; first problems %v", rep, rep.Problems[:min(5, len(rep.Problems))])
			}
			i := 0
			tc.records(rows, 3, func(r legacy.Record) {
				if i%97 == 0 {
					e := entryNumbered(t, c, r.Number)
					if e.EventDate != r.EventDate || e.Values[tc.field+"_en"] != r.NameEn || e.Values[tc.field+"_ml"] != r.NameMl {
						t.Errorf("%s: entry %s %q %q, record %s %q %q", r.Number, e.EventDate, e.Values[tc.field+"_en"], e.Values[tc.field+"_ml"], r.EventDate, r.NameEn, r.NameMl)
					}
				}
				i++
			})
		})
	}
}
