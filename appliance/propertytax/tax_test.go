package propertytax

import (
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
)

func municipalityRules(t *testing.T) *Rules {
	t.Helper()
	r, err := DefaultRules(domain.KindMunicipality)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// house is a 100 m² owner-occupied concrete house built in 2020 in the
// secondary zone on an ordinary road: every adjustment 0%, so its basic
// tax at the municipality's default residential rate (₹12 a m²) is ₹1,200.
func house() Building {
	return Building{Number: "3/41", Ward: 3, Owners: []Owner{{Name: domain.T("Ravi", ""), Share: 100}}, Occupancy: "owner",
		Floors: []Floor{{Use: UseResidential, Area: SquareMetres(100)}}, PlotArea: SquareMetres(400),
		Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2020}
}

func TestTax_TheFormulaEachAdjustmentAndTheYearlyRise(t *testing.T) {
	r := municipalityRules(t)
	for _, c := range []struct {
		name      string
		change    func(*Building)
		year      int
		tax, cess domain.Paise
		exempt    string
	}{
		{"the basic tax: 100 m² × ₹12", func(*Building) {}, 2023, 120000, 6000, ""},
		{"primary zone +10%", func(b *Building) { b.Zone = "primary" }, 2023, 132000, 6600, ""},
		{"tertiary zone −10%", func(b *Building) { b.Zone = "tertiary" }, 2023, 108000, 5400, ""},
		{"on a main road +10%", func(b *Building) { b.Road = "main_road" }, 2023, 132000, 6600, ""},
		{"a tiled roof −10%", func(b *Building) { b.Construction = "tiled" }, 2023, 108000, 5400, ""},
		{"29 years old −10%", func(b *Building) { b.YearBuilt = 1994 }, 2023, 108000, 5400, ""},
		{"let on rent +10%", func(b *Building) { b.Occupancy = "rented" }, 2023, 132000, 6600, ""},
		{"adjustments add up: primary, main road, tiled", func(b *Building) { b.Zone, b.Road, b.Construction = "primary", "main_road", "tiled" }, 2023, 132000, 6600, ""},
		{"2024-25: +5%", func(*Building) {}, 2024, 126000, 6300, ""},
		{"2025-26: +5% on 2024-25", func(*Building) {}, 2025, 132300, 6600, ""},                                                             // 1,323.00; cess 66.15 → 66
		{"2026-27: compounded three times, rounded to the rupee", func(*Building) {}, 2026, 138900, 6900, ""},                               // 1,389.15 → 1,389; cess 69.45 → 69
		{"above 300 m² the higher slab, on the whole", func(b *Building) { b.Floors[0].Area = SquareMetres(320) }, 2023, 480000, 24000, ""}, // 320 × ₹15
		{"a shop: 50 m² × ₹50", func(b *Building) { b.Floors = []Floor{{Use: UseCommercial, Area: SquareMetres(50)}} }, 2023, 250000, 12500, ""},
		{"mixed: 80 m² home and a 40 m² shop", func(b *Building) {
			b.Floors = []Floor{{Use: UseResidential, Area: SquareMetres(80)}, {Level: 1, Use: UseCommercial, Area: SquareMetres(40)}}
		}, 2023, 296000, 14800, ""},
		{"an unauthorised first floor is taxed three times", func(b *Building) {
			b.Floors = append(b.Floors, Floor{Level: 1, Use: UseResidential, Area: SquareMetres(40), Unauthorised: true})
		}, 2023, 264000, 13200, ""}, // 1,200 + 40 × 12 × 3
		{"a house of exactly 60 m² is exempt", func(b *Building) { b.Floors[0].Area = SquareMetres(60) }, 2026, 0, 0, ExemptSmallHouse},
		{"60.01 m² is taxed", func(b *Building) { b.Floors[0].Area = 6001 }, 2023, 72000, 3600, ""}, // 720.12 → 720
		{"a 50 m² flat is not a small house", func(b *Building) { b.Floors[0].Area, b.Flat = SquareMetres(50), true }, 2023, 60000, 3000, ""},
		{"a rented 50 m² house is not exempt", func(b *Building) { b.Floors[0].Area, b.Occupancy = SquareMetres(50), "rented" }, 2023, 66000, 3300, ""},
		{"a granted exemption", func(b *Building) { b.Exemption = "religious_worship" }, 2023, 0, 0, "religious_worship"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := house()
			c.change(&b)
			if fe := r.Check(b, domain.LocalBody{}, time.Date(2026, 12, 5, 0, 0, 0, 0, domain.IST)); len(fe) > 0 {
				t.Fatalf("the building does not check: %v", fe)
			}
			a, err := r.Assess(b, c.year)
			if err != nil {
				t.Fatal(err)
			}
			if a.Tax != c.tax || a.Cess != c.cess || a.Exempt != c.exempt {
				t.Errorf("tax %v cess %v exempt %q, want %v, %v, %q (%+v)", a.Tax, a.Cess, a.Exempt, c.tax, c.cess, c.exempt, a)
			}
		})
	}
}

func TestTax_RoundingIsHalfUpOnceAtTheEnd(t *testing.T) {
	r := municipalityRules(t)
	b := house()
	b.Floors[0].Area = 10004 // 100.04 m² × ₹12 = ₹1,200.48 → ₹1,200
	if a, _ := r.Assess(b, 2023); a.Tax != 120000 {
		t.Errorf("₹1,200.48 rounds to %v", a.Tax)
	}
	b.Floors[0].Area = 10005 // ₹1,200.60 → ₹1,201
	if a, _ := r.Assess(b, 2023); a.Tax != 120100 {
		t.Errorf("₹1,200.60 rounds to %v", a.Tax)
	}
	r.Local.RoundToRupee = false
	if a, _ := r.Assess(b, 2023); a.Tax != 120060 {
		t.Errorf("to the paisa ₹1,200.60 is %v", a.Tax)
	}
	if got := Instalment(138900, 1) + Instalment(138900, 2); got != 138900 || Instalment(138901, 1) != 69450 || Instalment(138901, 2) != 69451 {
		t.Errorf("the halves of a year's tax: %v", got)
	}
}

func TestRules_ARateOutsideTheGovernmentsLimitsIsRefusedAtLoad(t *testing.T) {
	bad := strings.Replace(string(defaultRatesJSON), `{"code": "residential", "rates": [{"up_to_m2": 300, "paise": 1200}, {"paise": 1500}]}`,
		`{"code": "residential", "rates": [{"up_to_m2": 300, "paise": 1800}, {"paise": 1500}]}`, 1)
	if bad == string(defaultRatesJSON) {
		t.Fatal("the test's edit did not apply")
	}
	_, err := ParseRules([]byte(bad), domain.KindMunicipality)
	if err == nil || !strings.Contains(err.Error(), "₹18.00 a m² (up to 300 m²) is outside the Government's limits for a municipality, ₹8.00 to ₹17.00") {
		t.Errorf("a residential rate of ₹18 in a municipality: %v", err)
	}
	// The same rate is within a corporation's limits, and the file holds a
	// corporation's own rates: it loads for a corporation.
	if _, err := ParseRules([]byte(bad), domain.KindCorporation); err != nil {
		t.Errorf("the corporation's rates: %v", err)
	}
	unknown := strings.Replace(string(defaultRatesJSON), `{"code": "lodging", "rates": [{"paise": 5000}]}`, `{"code": "casino", "rates": [{"paise": 5000}]}`, 1)
	if _, err := ParseRules([]byte(unknown), domain.KindMunicipality); err == nil || !strings.Contains(err.Error(), `use "casino" is not one ksmart knows`) {
		t.Errorf("an unknown use: %v", err)
	}
}

func TestCheck_AbsurdParticularsAreRefusedFieldByField(t *testing.T) {
	r := municipalityRules(t)
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, domain.IST)
	for _, c := range []struct {
		name   string
		change func(*Building)
		field  string
	}{
		{"a plinth area 50× the plot", func(b *Building) { b.PlotArea = 199 }, "plinth_area_sqm"},
		{"a negative area", func(b *Building) { b.Floors[0].Area = -100 }, "plinth_area_sqm"},
		{"an unknown use", func(b *Building) { b.Floors[0].Use = "spaceport" }, "use"},
		{"shares of 90%", func(b *Building) { b.Owners[0].Share = 90 }, "owners"},
		{"built next year", func(b *Building) { b.YearBuilt = 2027 }, "year_built"},
		{"no such zone", func(b *Building) { b.Zone = "downtown" }, "zone"},
		{"a bad number", func(b *Building) { b.Number = "banana" }, "number"},
	} {
		b := house()
		c.change(&b)
		fe := r.Check(b, domain.LocalBody{}, now)
		if _, ok := fe[c.field]; !ok || fe[c.field].Ml == "" {
			t.Errorf("%s: errors %v, want one on %s in both languages", c.name, fe, c.field)
		}
	}
}

func TestInterest_MonthsOrPartsAfterTheDueDateAcrossAYearEnd(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 15, 0, 0, 0, domain.IST) }
	h1 := Period{Year: 2026, Half: 1}.Due() // 30 September 2026
	h2 := Period{Year: 2026, Half: 2}.Due() // 31 March 2027
	for _, c := range []struct {
		due, at time.Time
		months  int
	}{
		{h1, d(2026, 9, 30), 0}, {h1, d(2026, 10, 1), 1}, {h1, d(2026, 10, 30), 1}, {h1, d(2026, 10, 31), 2},
		{h1, d(2026, 11, 30), 2}, {h1, d(2026, 12, 1), 3}, {h1, d(2027, 3, 30), 6}, {h1, d(2027, 3, 31), 7}, {h1, d(2027, 4, 30), 7}, {h1, d(2027, 5, 1), 8},
		{h2, d(2027, 3, 31), 0}, {h2, d(2027, 4, 1), 1}, {h2, d(2027, 4, 30), 1}, {h2, d(2027, 5, 1), 2}, {h2, d(2027, 5, 31), 2}, {h2, d(2027, 6, 1), 3},
	} {
		if got := MonthsOverdue(c.due, c.at); got != c.months {
			t.Errorf("due %s, on %s: %d months, want %d", c.due.Format(time.DateOnly), c.at.Format(time.DateOnly), got, c.months)
		}
	}
	if got := MonthStart(h2, 2).Format(time.DateOnly); got != "2027-05-01" {
		t.Errorf("month 2 after 31 March starts %s", got)
	}
	r := municipalityRules(t)
	// The instalment due 31 March 2023: its first month began on 1 April
	// 2023 at 1%, its second on 1 May 2023 at 2%.
	old := Period{Year: 2022, Half: 2}.Due()
	if a, b := r.interestRate(MonthStart(old, 1)), r.interestRate(MonthStart(old, 2)); a != 1 || b != 2 {
		t.Errorf("interest in April and May 2023: %d%%, %d%%", a, b)
	}
	r.Statutory.InterestWaivers = []Waiver{{From: "2027-04-01", To: "2027-04-30", Source: "test"}}
	if r.interestRate(MonthStart(h2, 1)) != 0 || r.interestRate(MonthStart(h2, 2)) != 2 {
		t.Error("a waiver for April 2027 does not waive the month that begins in it, or waives the next")
	}
}
