package building

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"ksmart/appliance/domain"
)

// Centi is a length in centimetres or an area in hundredths of a square
// metre: plan figures are compared exactly, never as floats, so that a
// yard of 2.99 m fails a 3 m rule and 3.00 m passes it.
type Centi int64

// centi rounds a figure given in metres or square metres to hundredths.
func centi(x float64) Centi { return Centi(math.Round(x * 100)) }

// String writes the figure with two decimals: "3.00".
func (c Centi) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// Float is the figure in metres or square metres.
func (c Centi) Float() float64 { return float64(c) / 100 }

// metres reads a JSON figure in metres (or m²) as Centi.
type metres Centi

func (m *metres) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*m = metres(centi(f))
	return nil
}

// Yards are the open spaces a building must leave to the plot's edges.
type Yards struct {
	Front        metres `json:"front"`
	Rear         metres `json:"rear"`
	SideWider    metres `json:"side_wider"`
	SideNarrower metres `json:"side_narrower"`
}

// Slab is one band of a table by floor area: up to UpTo (0: no upper bound).
type Slab struct {
	UpTo   metres           `json:"up_to_m2"`
	Width  metres           `json:"width_m"`
	Rate   map[string]int64 `json:"rupees_per_m2"`
	Rupees int64            `json:"rupees"`
}

func slabOf(slabs []Slab, area Centi) Slab {
	for _, s := range slabs {
		if s.UpTo == 0 || area <= Centi(s.UpTo) {
			return s
		}
	}
	return slabs[len(slabs)-1]
}

// Basis is where a block of figures comes from.
type Basis struct {
	Rule         string `json:"rule"`
	LocalSetting bool   `json:"local_setting"`
	Note         string `json:"note,omitempty"`
}

// RuleSet is one body of building rules: KMBR for municipalities and
// corporations, KPBR for grama panchayats. Every figure is data with its
// rule number and basis.
type RuleSet struct {
	Code           string      `json:"code"`
	Name           domain.Text `json:"name"`
	LocalBodyKinds []string    `json:"local_body_kinds"`
	Coverage       struct {
		Basis
		Percent map[string]float64 `json:"percent"`
	} `json:"coverage"`
	FAR struct {
		Basis
		Ratio map[string]float64 `json:"ratio"`
	} `json:"far"`
	Setbacks struct {
		Basis
		Yards       map[string]Yards `json:"yards_m"`
		AboveHeight metres           `json:"above_height_m"`
		Step        metres           `json:"step_m"`
		AddPerStep  metres           `json:"add_per_step_m"`
	} `json:"setbacks"`
	Access struct {
		Basis
		Residential []Slab `json:"residential"`
		Other       []Slab `json:"other"`
	} `json:"access"`
	Height struct {
		Basis
		Times int64 `json:"times_road_and_front"`
	} `json:"height"`
	Floors struct {
		Basis
		Max int `json:"max"` // 0: the height rule governs, no limit of its own
	} `json:"floors"`
	Parking struct {
		Basis
		Spaces map[string]struct {
			Free     metres `json:"free_m2"`
			PerSpace metres `json:"m2_per_space"`
		} `json:"spaces"`
	} `json:"parking"`
	SmallPlot struct {
		Basis
		MaxPlot   metres   `json:"max_plot_m2"`
		Uses      []string `json:"uses"`
		MaxFloors int      `json:"max_floors"`
		MaxHeight metres   `json:"max_height_m"`
		Yards     Yards    `json:"yards_m"`
	} `json:"small_plot"`
}

// FeeTable is the permit fee of some uses, by the slab of the whole floor
// area, in rupees per m² by kind of local body.
type FeeTable struct {
	Kind         string   `json:"kind"`
	Uses         []string `json:"uses"`
	LocalSetting bool     `json:"local_setting"`
	Slabs        []Slab   `json:"slabs"`
}

// Rules are every rule set, the fees, the permit's validity and the
// low-risk limits, as rules.json holds them.
type Rules struct {
	Source   string    `json:"source"`
	RuleSets []RuleSet `json:"rule_sets"`
	Fees     struct {
		Permit struct {
			Source string     `json:"source"`
			Tables []FeeTable `json:"tables"`
		} `json:"permit"`
		Application struct {
			Source       string `json:"source"`
			LocalSetting bool   `json:"local_setting"`
			Slabs        []Slab `json:"slabs"`
		} `json:"application"`
		Renewal struct {
			Source        string `json:"source"`
			LocalSetting  bool   `json:"local_setting"`
			Percent       int64  `json:"percent_of_permit_fee"`
			MinimumRupees int64  `json:"minimum_rupees"`
		} `json:"renewal"`
	} `json:"fees"`
	Validity struct {
		Source       string `json:"source"`
		LocalSetting bool   `json:"local_setting"`
		Years        int    `json:"years"`
		RenewalYears int    `json:"renewal_years"`
		Renewals     int    `json:"renewals"`
	} `json:"validity"`
	LowRisk struct {
		Source         string   `json:"source"`
		LocalBodyKinds []string `json:"local_body_kinds"`
		Uses           []string `json:"uses"`
		MaxFloorArea   metres   `json:"max_floor_area_m2"`
		MaxFloors      int      `json:"max_floors"`
		MaxHeight      metres   `json:"max_height_m"`
		LimitsLocal    bool     `json:"limits_local_setting"`
	} `json:"low_risk"`
}

//go:embed rules.json
var defaultRules []byte

// DefaultRules returns the rules ksmart ships (rules.json).
func DefaultRules() (*Rules, error) { return ParseRules(defaultRules) }

// ParseRules reads and checks a rules file: every use has every figure,
// every fee slab a rate for each kind of local body.
func ParseRules(data []byte) (*Rules, error) {
	var r Rules
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("building rules: %w", err)
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	kinds := []string{domain.KindGramaPanchayat, domain.KindMunicipality, domain.KindCorporation}
	for _, rs := range r.RuleSets {
		for _, use := range Uses {
			if _, ok := rs.Coverage.Percent[use]; !ok {
				add("%s: no coverage for %s", rs.Code, use)
			}
			if _, ok := rs.FAR.Ratio[use]; !ok {
				add("%s: no FAR for %s", rs.Code, use)
			}
			if _, ok := rs.Setbacks.Yards[use]; !ok {
				add("%s: no yards for %s", rs.Code, use)
			}
			if p, ok := rs.Parking.Spaces[use]; !ok || p.PerSpace <= 0 {
				add("%s: no parking rate for %s", rs.Code, use)
			}
		}
		if len(rs.Access.Residential) == 0 || len(rs.Access.Other) == 0 {
			add("%s: access widths missing", rs.Code)
		}
	}
	for _, use := range Uses {
		if _, ok := r.feeTable(use); !ok {
			add("no permit fee table for %s", use)
		}
	}
	for _, t := range r.Fees.Permit.Tables {
		for _, s := range t.Slabs {
			for _, k := range kinds {
				if _, ok := s.Rate[k]; !ok {
					add("permit fee table %s: a slab without a rate for a %s", t.Kind, k)
				}
			}
		}
	}
	if len(r.Fees.Application.Slabs) == 0 || r.Validity.Years <= 0 {
		add("application fee or validity missing")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("building rules: %v", problems)
	}
	return &r, nil
}

// RuleSet returns the rule set named code ("KMBR" or "KPBR").
func (r *Rules) RuleSet(code string) (RuleSet, bool) {
	for _, rs := range r.RuleSets {
		if rs.Code == code {
			return rs, true
		}
	}
	return RuleSet{}, false
}

// RuleSetFor returns the rule set that governs a kind of local body.
func (r *Rules) RuleSetFor(kind string) (RuleSet, bool) {
	for _, rs := range r.RuleSets {
		if slices.Contains(rs.LocalBodyKinds, kind) {
			return rs, true
		}
	}
	return RuleSet{}, false
}

func (r *Rules) feeTable(use string) (FeeTable, bool) {
	for _, t := range r.Fees.Permit.Tables {
		if slices.Contains(t.Uses, use) {
			return t, true
		}
	}
	return FeeTable{}, false
}

// PermitFee is the permit fee for a building of use with this whole floor
// area in a kind of local body: the area at the rate of the slab it falls
// in (so 120 m² of a house in a municipality is 120 × Rs 35 = Rs 4,200).
// Areas are in hundredths of m² and rates in rupees, so their product is
// exact in paise.
func (r *Rules) PermitFee(kind, use string, floorArea Centi) domain.Paise {
	t, ok := r.feeTable(use)
	if !ok || floorArea <= 0 {
		return 0
	}
	return domain.Paise(int64(floorArea) * slabOf(t.Slabs, floorArea).Rate[kind])
}

// PermitFeeRate is the rate in rupees per m² the permit fee is reckoned
// at, and whether its table is a local setting.
func (r *Rules) PermitFeeRate(kind, use string, floorArea Centi) (int64, bool) {
	t, _ := r.feeTable(use)
	if len(t.Slabs) == 0 {
		return 0, true
	}
	return slabOf(t.Slabs, floorArea).Rate[kind], t.LocalSetting
}

// ApplicationFee is what is paid with an application for a building of
// this floor area.
func (r *Rules) ApplicationFee(floorArea Centi) domain.Paise {
	return domain.Rupees(slabOf(r.Fees.Application.Slabs, floorArea).Rupees)
}

// RenewalFee is what renewing a permit granted for permitFee costs.
func (r *Rules) RenewalFee(permitFee domain.Paise) domain.Paise {
	fee := permitFee * domain.Paise(r.Fees.Renewal.Percent) / 100
	fee = fee / 100 * 100 // whole rupees
	return max(fee, domain.Rupees(r.Fees.Renewal.MinimumRupees))
}

// ruleLabel is a rule number as a check shows it.
func ruleLabel(b Basis) string { return b.Rule }

// ratio writes a ratio with two decimals.
func ratio(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
