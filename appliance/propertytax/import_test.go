package propertytax_test

import (
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/propertytax"
)

const registerHeader = "building_number,ward,owners,owners_ml,floors,plot_area_sqm,zone,road,construction,year_built,occupancy,flat,exemption,address_en,annual_tax_rs,arrears_rs,arrears_interest_rs\n"

// A legacy register of ward 5 and ward 6 on 7 December 2026. A 100 m²
// house built in 2010, every adjustment 0%, is ₹1,389 a year in 2026-27,
// a 40 m² shop ₹2,315; a 50 m² house its owner lives in is exempt.
var legacyRegister = registerHeader +
	`5/10,5,"Ravi Kumar:60:9847012345;Sita Devi:40:",രവി കുമാർ;സീത ദേവി,residential:100,400,secondary,other_road,rcc,2010,owner,,,"Thekkedath House, Fort Road",1389,"2,000",200` + "\n" + // line 2: good, with arrears
	`5/11,5,Joseph P. J.:100:+91 98470 22222,,commercial:40,100,,other_road,rcc,2010,owner,no,,Market Road,2315.00,,` + "\n" + // line 3: good; zone blank: the default
	`5/12,5,Beena Thomas,,godown:50,200,secondary,other_road,rcc,2001,owner,,,,900,,` + "\n" + // line 4: unknown use
	`5/13,5,Anil Kumar,,residential:600,10,secondary,other_road,rcc,2001,owner,,,,7000,500,` + "\n" + // line 5: plinth more than 50× the plot
	`5/10,5,Ravi Kumar,,residential:100,400,secondary,other_road,rcc,2010,owner,,,,1389,,` + "\n" + // line 6: the number again
	`5-14,5,Mary,,residential:90,300,secondary,other_road,rcc,2001,owner,,,,1000,,` + "\n" + // line 7: not a building number
	`6/1,6,Kunjamma,,residential:50,150,tertiary,no_road,tiled,1990,owner,,,,0,,` + "\n" + // line 8: exempt small house
	`6/2,6,Lissy Joseph:100:9847033333,,residential:100,400,secondary,other_road,rcc,2010,owner,,,,1000,,` + "\n" // line 9: the old system's tax was lower

func TestImport_ALegacyRegisterRefusesBadRowsByLineAndReportsParityWardByWard(t *testing.T) {
	o := newOffice(t)
	rep, err := o.pt.Import(strings.NewReader(legacyRegister), o.inspector, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 8 || rep.Imported != 4 || rep.AlreadyPresent != 0 || rep.Bad != 4 {
		t.Fatalf("read %d, imported %d, present %d, bad %d; want 8, 4, 0, 4", rep.Read, rep.Imported, rep.AlreadyPresent, rep.Bad)
	}
	for i, want := range []struct {
		line          int
		field, reason string
	}{
		{4, "floors", `"godown" is not a use this local body has a rate for`},
		{5, "floors", "A plinth area of 600 m² on a plot of 10 m² is more than 50 times the plot"},
		{6, "building_number", "building 5/10 is on line 2 already"},
		{7, "building_number", `"5-14" is not a building number`},
	} {
		p := rep.Problems[i]
		if p.Line != want.line || len(p.Fields) != 1 || p.Fields[0].Field != want.field || !strings.Contains(p.Fields[0].Reason, want.reason) {
			t.Errorf("problem %d: %+v; want line %d, %s: %s", i, p, want.line, want.field, want.reason)
		}
	}

	// The parity: ward 5 had 6 rows, 4 building numbers, ₹13,993 of tax
	// and ₹2,500 of arrears in the file; 2 are in the register, ₹3,704 of
	// tax and ₹2,000 of arrears. Ward 6's buildings are all there, but its
	// tax was ₹1,000 in the old system and is ₹1,389 now.
	par := rep.Parity
	if par.Year != "2026-27" || len(par.Wards) != 2 || par.Reconciled {
		t.Fatalf("parity: %+v", par)
	}
	w5, w6 := par.Wards[0], par.Wards[1]
	if w5.Ward != 5 || w5.Rows != 6 || w5.Buildings != 4 || w5.FileTax != 1399300 || w5.FileArrears != 250000 ||
		w5.Registered != 2 || w5.Tax != 138900+231500 || w5.Arrears != 200000 || w5.Refused != 4 || w5.Reconciled {
		t.Errorf("ward 5: %+v", w5)
	}
	if w6.Ward != 6 || w6.Rows != 2 || w6.Buildings != 2 || w6.FileTax != 100000 || w6.Registered != 2 || w6.Tax != 138900 || w6.Refused != 0 ||
		w6.Reconciled || w6.TaxDifferencePercent < 38.8 || w6.TaxDifferencePercent > 38.95 {
		t.Errorf("ward 6: %+v", w6)
	}
	if tot := par.Total; tot.Rows != 8 || tot.Buildings != 6 || tot.Registered != 4 || tot.Refused != 4 {
		t.Errorf("total: %+v", tot)
	}
	for _, want := range []string{"ward 5: 4 of 6 rows refused", "ward 5: 4 buildings in the file, 2 of them in the register",
		"ward 5: arrears ₹2,500.00 in the file, ₹2,000.00 demanded", "ward 6: annual tax ₹1,000.00 in the file, ₹1,389.00 as ksmart reckons it (+38.9%, more than 1%)"} {
		if !strings.Contains(strings.Join(par.Differences, "\n"), want) {
			t.Errorf("differences do not say %q:\n%s", want, strings.Join(par.Differences, "\n"))
		}
	}

	// The imported house: two owners with their shares, and its dues — the
	// arrears (₹1,800 of tax, ₹200 of the old system's interest) and the
	// current half-year.
	b, err := o.pt.Building("5/10")
	if err != nil || len(b.Owners) != 2 || b.Owners[0].Share != 60 || b.Owners[1].Name.Ml != "സീത ദേവി" || b.TaxedFrom != "2026-27/H2" {
		t.Fatalf("5/10: %+v %v", b, err)
	}
	dues := o.dues(t, b)
	if a := dues[propertytax.ArrearsKey]; len(dues) != 2 || a.Amount != 180000 || a.Interest != 20000 || a.Balance != 200000 || a.DueDate != "2026-12-07" {
		t.Errorf("5/10's dues: %+v; want the arrears and 2026-27/H2", dues)
	}
	if h2 := dues["2026-27/H2"]; h2.Amount != 69450+3450 {
		t.Errorf("5/10's 2026-27/H2: %+v", h2)
	}
	// In the month after the import the arrears gather 2% on the tax in
	// them, not on the old system's interest: 2% of ₹1,800 = ₹36.
	o.clock.t = time.Date(2027, 1, 5, 10, 0, 0, 0, domain.IST)
	if _, err := o.pt.AccrueInterest(domain.System); err != nil {
		t.Fatal(err)
	}
	if a := o.dues(t, b)[propertytax.ArrearsKey]; a.Interest != 20000+3600 {
		t.Errorf("the arrears a month on: %+v, want ₹36 more interest", a)
	}
	o.clock.t = time.Date(2026, 12, 7, 11, 0, 0, 0, domain.IST)

	// The same file again imports nothing twice: the four are present, the
	// four bad rows still bad, and the parity is the same.
	again, err := o.pt.Import(strings.NewReader(legacyRegister), o.inspector, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Read != 8 || again.Imported != 0 || again.AlreadyPresent != 4 || again.Bad != 4 || again.Parity.Wards[0].Registered != 2 || again.Parity.Wards[0].Arrears != 200000 {
		t.Errorf("the second run: %+v", again)
	}
	if ds := o.dues(t, b); len(ds) != 2 {
		t.Errorf("after the second run 5/10 has %d demands, want 2", len(ds))
	}
}

func TestImport_AFileThatReconcilesAndAnotherOwnersNumber(t *testing.T) {
	o := newOffice(t)
	good := registerHeader +
		`5/10,5,Ravi Kumar,,residential:100,400,secondary,other_road,rcc,2010,owner,,,,1389,,` + "\n" +
		`5/11,5,Joseph,,commercial:40,100,secondary,other_road,rcc,2010,owner,,,,2315,,` + "\n" +
		`6/1,6,Kunjamma,,residential:50,150,tertiary,no_road,tiled,1990,owner,,,,0,,` + "\n"
	rep, err := o.pt.Import(strings.NewReader(good), o.inspector, nil)
	if err != nil || rep.Imported != 3 || rep.Bad != 0 || !rep.Parity.Reconciled || len(rep.Parity.Differences) != 0 || !rep.Parity.Total.Reconciled {
		t.Fatalf("a clean register: %+v %v", rep, err)
	}
	// A file naming 5/10 for someone else: refused, the register unchanged.
	other := registerHeader + `5/10,5,Mohammed Basheer,,residential:80,300,secondary,other_road,rcc,2012,owner,,,,1111,,` + "\n"
	rep, err = o.pt.Import(strings.NewReader(other), o.inspector, nil)
	if err != nil || rep.Bad != 1 || rep.Parity.Reconciled || !strings.Contains(rep.Problems[0].Reason(), "building 5/10 is in the register already, owned by Ravi Kumar") {
		t.Fatalf("another owner's 5/10: %+v %v", rep, err)
	}
	if b, _ := o.pt.Building("5/10"); b.Owners[0].Name.En != "Ravi Kumar" {
		t.Errorf("5/10 changed: %+v", b)
	}
}

func TestImport_AFileThatIsNotARegisterChangesNothing(t *testing.T) {
	o := newOffice(t)
	before := o.app.Store.LastSeq()
	for _, c := range []struct{ name, file, want string }{
		{"empty", "", "the file is empty"},
		{"births", "register_number,registration_date,child_name_en\nB-1/2024,2024-01-20,Anagha\n", `unknown column "register_number"`},
		{"missing", "building_number,ward,owners\n5/1,5,Ravi\n", "missing column floors, plot_area_sqm, road, construction, year_built, occupancy, annual_tax_rs"},
	} {
		rep, err := o.pt.Import(strings.NewReader(c.file), o.inspector, nil)
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), c.want) || rep.Read != 0 {
			t.Errorf("%s: %v; want EINVALID saying %q", c.name, err, c.want)
		}
	}
	if _, err := o.pt.Import(strings.NewReader(legacyRegister), o.cashier, nil); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("the cashier importing: %v", err)
	}
	if o.app.Store.LastSeq() != before {
		t.Errorf("a refused file wrote %d events", o.app.Store.LastSeq()-before)
	}
}
