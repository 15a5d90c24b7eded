package propertytax

import (
	"fmt"
	"math/big"

	"ksmart/appliance/domain"
)

// The tax of a building for a financial year, as the Rules reckon it:
//
//	basic tax of a floor = its plinth area × the basic rate for its use
//	                       (the slab by the building's whole area in that use)
//	adjusted             = basic × (100 + the sum of the percentages for the
//	                       zone, the road, the construction, the age and the
//	                       occupancy) / 100
//	unauthorised floor   = adjusted × 3 (until regularised)
//	annual tax           = Σ floors, × (1 + 5%) for each year after 2023-24,
//	                       compounded
//	service cess         = annual tax × the cess percentage
//
// in exact fractions (math/big), rounded once at the end: to the rupee
// (half up) when the council rounds so, else to the paisa. The adjustment
// percentages are added, not multiplied, so that each reads on the notice
// as the share of the basic tax it adds or takes away.

// Assessment is a building's tax for a year, with how it was reckoned.
type Assessment struct {
	Year    int          `json:"year"` // the financial year's first year
	Floors  []FloorTax   `json:"floors"`
	Factors []Factor     `json:"factors"`
	Percent int          `json:"percent"` // 100 + the factors' percentages
	Rises   int          `json:"rises"`   // yearly rises compounded since the base year
	Tax     domain.Paise `json:"tax_paise"`
	Cess    domain.Paise `json:"cess_paise"`
	// Exempt is the ground of exemption ("" when taxed); Tax and Cess are
	// then 0.
	Exempt string `json:"exempt,omitempty"`
}

// FloorTax is one floor's part of the tax, before the yearly rise.
type FloorTax struct {
	Level        int          `json:"level"`
	Use          string       `json:"use"`
	Area         Area         `json:"area_m2"`
	Rate         domain.Paise `json:"rate_paise"` // a m² a year
	Basic        domain.Paise `json:"basic_paise"`
	Unauthorised bool         `json:"unauthorised,omitempty"`
	Amount       domain.Paise `json:"amount_paise"` // adjusted, and tripled when unauthorised
}

// Factor is one adjustment and its percentage.
type Factor struct {
	Name    domain.Text `json:"name"`
	Percent int         `json:"percent"`
}

// Total is the tax and the cess.
func (a Assessment) Total() domain.Paise { return a.Tax + a.Cess }

// Assess reckons a building's tax for the financial year that starts in
// year. The building must have passed Check.
func (r *Rules) Assess(b Building, year int) (Assessment, error) {
	a := Assessment{Year: year, Percent: 100}
	if year < r.Statutory.BaseYear {
		return a, fmt.Errorf("property tax: %d-%02d is before %d-%02d, the first year these rates apply to", year, (year+1)%100, r.Statutory.BaseYear, (r.Statutory.BaseYear+1)%100)
	}
	if ground := r.exemptGround(b); ground != "" {
		a.Exempt = ground
		return a, nil
	}
	add := func(name domain.Text, pct int) {
		a.Factors = append(a.Factors, Factor{Name: name, Percent: pct})
		a.Percent += pct
	}
	zone, _ := adjustment(r.Local.Zones, b.Zone)
	add(ZoneName(b.Zone), zone)
	road, _ := adjustment(r.Local.Roads, b.Road)
	add(RoadName(b.Road), road)
	cons, _ := adjustment(r.Local.Constructions, b.Construction)
	add(ConstructionName(b.Construction), cons)
	age := year - b.YearBuilt
	agePct, ageFrom := 0, 0
	for _, band := range r.Local.Ages {
		if age >= band.FromYears {
			agePct, ageFrom = band.Percent, band.FromYears
		}
	}
	add(domain.T(fmt.Sprintf("Age: %d years or more", ageFrom), fmt.Sprintf("പഴക്കം: %d വർഷമോ അതിലധികമോ", ageFrom)), agePct)
	if b.Occupancy == "rented" {
		add(domain.T("Let on rent", "വാടകയ്ക്ക് നൽകിയത്"), r.Local.Occupancy.Rented)
	} else {
		add(domain.T("Occupied by the owner", "ഉടമ താമസിക്കുന്നത്"), r.Local.Occupancy.Owner)
	}

	byUse := map[string]Area{}
	for _, f := range b.Floors {
		byUse[f.Use] += f.Area
	}
	total := new(big.Rat)
	for _, f := range b.Floors {
		rate, ok := r.rate(f.Use, byUse[f.Use])
		if !ok {
			return a, fmt.Errorf("property tax: no rate for use %q", f.Use)
		}
		basic := new(big.Rat).SetFrac64(int64(f.Area)*int64(rate), 100)
		amount := new(big.Rat).Mul(basic, big.NewRat(int64(a.Percent), 100))
		if f.Unauthorised {
			amount.Mul(amount, big.NewRat(int64(r.Statutory.UnauthorisedMultiple.Times), 1))
		}
		total.Add(total, amount)
		a.Floors = append(a.Floors, FloorTax{Level: f.Level, Use: f.Use, Area: f.Area, Rate: rate,
			Basic: roundPaise(basic, false), Unauthorised: f.Unauthorised, Amount: roundPaise(amount, false)})
	}
	a.Rises = year - r.Statutory.BaseYear
	rise := big.NewRat(int64(100+r.Statutory.YearlyRise.Percent), 100)
	for range a.Rises {
		total.Mul(total, rise)
	}
	a.Tax = roundPaise(total, r.Local.RoundToRupee)
	a.Cess = roundPaise(new(big.Rat).Mul(new(big.Rat).SetInt64(int64(a.Tax)), big.NewRat(int64(r.Local.CessPercent), 100)), r.Local.RoundToRupee)
	return a, nil
}

// exemptGround is the ground a building is exempt on, or "".
func (r *Rules) exemptGround(b Building) string {
	if b.Exemption != "" {
		return b.Exemption
	}
	if b.Flat || b.Occupancy != "owner" || b.PlinthArea() > SquareMetres(r.Statutory.SmallHouse.MaxAreaM2) {
		return ""
	}
	for _, f := range b.Floors {
		if f.Use != UseResidential || f.Unauthorised {
			return ""
		}
	}
	return ExemptSmallHouse
}

// roundPaise rounds an amount in paise, half up, to the paisa or to the
// rupee.
func roundPaise(v *big.Rat, toRupee bool) domain.Paise {
	unit := int64(1)
	if toRupee {
		unit = 100
	}
	q := new(big.Rat).Quo(v, big.NewRat(unit, 1))
	q.Add(q, big.NewRat(1, 2))
	n := new(big.Int).Quo(q.Num(), q.Denom()) // floor for non-negative
	return domain.Paise(n.Int64() * unit)
}

// Instalment splits an annual amount into its two halves: the first half
// takes the smaller share when it does not divide evenly.
func Instalment(annual domain.Paise, half int) domain.Paise {
	first := annual / 2
	if half == 1 {
		return first
	}
	return annual - first
}
