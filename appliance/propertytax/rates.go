package propertytax

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ksmart/appliance/domain"
)

// The rules of the tax are data (rates.json), in two parts: what the
// Government fixes (limits, the yearly rise, penal interest, the small
// house exemption, the unauthorised multiple, the fine for an unreported
// change), each with its source; and what the council sets within them
// (rates per use, the adjustments, cess, rounding, the mutation fee,
// exemptions), ksmart's defaults labelled as local settings. A council's
// own file replaces the defaults (serve --property-tax FILE); a rate
// outside the Government's limits stops the start.

//go:embed rates.json
var defaultRatesJSON []byte

// Rules are the property tax rules of one local body.
type Rules struct {
	Statutory Statutory `json:"statutory"`
	Local     Local     `json:"local"`
	// Kind is the local body's kind, whose rates apply.
	Kind string `json:"-"`
}

// Statutory is what the Government fixes.
type Statutory struct {
	Source            string                     `json:"source"`
	ResidentialLimits map[string]json.RawMessage `json:"residential_limits"`
	BaseYear          int                        `json:"base_year"`
	YearlyRise        struct {
		Percent int    `json:"percent"`
		Source  string `json:"source"`
	} `json:"yearly_rise"`
	Interest        []InterestRate `json:"interest"`
	InterestWaivers []Waiver       `json:"interest_waivers"`
	SmallHouse      struct {
		MaxAreaM2 int64  `json:"max_area_m2"`
		Source    string `json:"source"`
	} `json:"small_house"`
	UnauthorisedMultiple struct {
		Times  int    `json:"times"`
		Source string `json:"source"`
	} `json:"unauthorised_multiple"`
	UnreportedChange struct {
		Days         int          `json:"days"`
		MinimumPaise domain.Paise `json:"minimum_paise"`
		Source       string       `json:"source"`
	} `json:"unreported_change"`
	limits map[string]Limits
}

// Limits are the Government's range of residential rates for one kind of
// local body, in paise per m² per year: [lowest, highest].
type Limits struct {
	UpTo300  [2]domain.Paise `json:"up_to_300"`
	Above300 [2]domain.Paise `json:"above_300"`
}

// InterestRate is the penal interest from a date.
type InterestRate struct {
	From            string `json:"from"` // YYYY-MM-DD
	PercentPerMonth int    `json:"percent_per_month"`
	Source          string `json:"source"`
}

// Waiver is a period the Government waived penal interest in: no month
// that begins in it (both days included) carries interest.
type Waiver struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Source string `json:"source"`
}

// Local is what the council sets.
type Local struct {
	Source string               `json:"source"`
	ByKind map[string]KindRates `json:"by_kind"`
	// DefaultZone is the zone a building is entered in until the revenue
	// inspector records its own.
	DefaultZone   string       `json:"default_zone"`
	Zones         []Adjustment `json:"zones"`
	Roads         []Adjustment `json:"roads"`
	Constructions []Adjustment `json:"constructions"`
	Ages          []AgeBand    `json:"ages"`
	Occupancy     struct {
		Owner  int `json:"owner"`
		Rented int `json:"rented"`
	} `json:"occupancy"`
	// Heads are the account heads (of the chart of accounts) the tax,
	// the cess, penal interest, fines and the mutation fee are credited to.
	Heads struct {
		Tax         string `json:"tax"`
		Cess        string `json:"cess"`
		Interest    string `json:"interest"`
		Fine        string `json:"fine"`
		MutationFee string `json:"mutation_fee"`
	} `json:"heads"`
	CessPercent  int          `json:"cess_percent"`
	RoundToRupee bool         `json:"round_to_rupee"`
	MutationFee  domain.Paise `json:"mutation_fee_paise"`
	Exemptions   []Exemption  `json:"exemptions"`
}

// KindRates are the rates of one kind of local body.
type KindRates struct {
	Uses []UseRates `json:"uses"`
}

// UseRates are the basic rates for one use of a floor, by slab of the
// building's plinth area in that use.
type UseRates struct {
	Code  string `json:"code"`
	Rates []Slab `json:"rates"`
}

// Slab is a rate up to an area (0: any area above the previous slab).
type Slab struct {
	UpToM2 int64        `json:"up_to_m2,omitempty"`
	Paise  domain.Paise `json:"paise"`
}

// Adjustment is a percentage the basic tax is raised (or, negative,
// lowered) by for one factor.
type Adjustment struct {
	Code    string `json:"code"`
	Percent int    `json:"percent"`
}

// AgeBand is the adjustment for buildings at least FromYears old.
type AgeBand struct {
	FromYears int `json:"from_years"`
	Percent   int `json:"percent"`
}

// Exemption is a ground of exemption, with its legal basis.
type Exemption struct {
	Code  string `json:"code"`
	Basis string `json:"basis"`
}

// ExemptSmallHouse is the small-house exemption's code.
const ExemptSmallHouse = "small_house"

// DefaultRules are ksmart's defaults for a kind of local body.
func DefaultRules(kind string) (*Rules, error) { return ParseRules(defaultRatesJSON, kind) }

// ParseRules reads and checks rules for a kind of local body, naming every
// problem at once: a rate outside the Government's limits, a use, zone,
// road or construction the vocabulary does not know, adjustments that
// could take the tax below nothing.
func ParseRules(data []byte, kind string) (*Rules, error) {
	var r Rules
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("property tax rules: %w", err)
	}
	r.Kind = kind
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	r.Statutory.limits = map[string]Limits{}
	for k, raw := range r.Statutory.ResidentialLimits {
		if k == "source" {
			continue
		}
		var l Limits
		if err := json.Unmarshal(raw, &l); err != nil {
			add("statutory.residential_limits.%s: %v", k, err)
			continue
		}
		r.Statutory.limits[k] = l
	}
	limits, ok := r.Statutory.limits[kind]
	if !ok {
		add("statutory.residential_limits has no limits for a %s", kind)
	}
	if r.Statutory.BaseYear < 2000 || r.Statutory.YearlyRise.Percent < 0 || r.Statutory.SmallHouse.MaxAreaM2 <= 0 ||
		r.Statutory.UnauthorisedMultiple.Times < 1 || r.Statutory.UnreportedChange.Days < 1 {
		add("statutory: base_year, yearly_rise, small_house, unauthorised_multiple and unreported_change must all be given")
	}
	if len(r.Statutory.Interest) == 0 {
		add("statutory.interest: give the penal interest rate and the date it applies from")
	}
	for _, in := range r.Statutory.Interest {
		if _, err := time.Parse(time.DateOnly, in.From); err != nil || in.PercentPerMonth < 0 || in.PercentPerMonth > 10 {
			add("statutory.interest: %d from %q is not a rate of 0–10%% a month from a date (YYYY-MM-DD)", in.PercentPerMonth, in.From)
		}
	}
	if !slices.IsSortedFunc(r.Statutory.Interest, func(a, b InterestRate) int { return strings.Compare(a.From, b.From) }) {
		add("statutory.interest: list the rates oldest first")
	}
	for _, w := range r.Statutory.InterestWaivers {
		f, e1 := time.Parse(time.DateOnly, w.From)
		t, e2 := time.Parse(time.DateOnly, w.To)
		if e1 != nil || e2 != nil || t.Before(f) || strings.TrimSpace(w.Source) == "" {
			add("statutory.interest_waivers: %s to %s must be two dates in order, with the order that waived it as source", w.From, w.To)
		}
	}
	rates, ok := r.Local.ByKind[kind]
	if !ok {
		add("local.by_kind has no rates for a %s", kind)
	}
	for _, u := range rates.Uses {
		if _, known := useNames[u.Code]; !known {
			add("local.by_kind.%s: use %q is not one ksmart knows (%s)", kind, u.Code, strings.Join(sortedKeys(useNames), ", "))
		}
		if len(u.Rates) == 0 || u.Rates[len(u.Rates)-1].UpToM2 != 0 {
			add("local.by_kind.%s: use %s: its last slab must have no up_to_m2 (any area above)", kind, u.Code)
		}
		for i, s := range u.Rates {
			if s.Paise <= 0 || (i > 0 && s.UpToM2 != 0 && s.UpToM2 <= u.Rates[i-1].UpToM2) {
				add("local.by_kind.%s: use %s: slab %d must have a positive rate and a larger area than the one before", kind, u.Code, i+1)
			}
			if u.Code == UseResidential {
				small := s.UpToM2 != 0 && s.UpToM2 <= 300
				lim := limits.Above300
				if small {
					lim = limits.UpTo300
				}
				if s.Paise < lim[0] || s.Paise > lim[1] {
					add("local.by_kind.%s: the residential rate %s a m² (%s) is outside the Government's limits for a %s, %s to %s",
						kind, s.Paise, slabName(s), kind, lim[0], lim[1])
				}
			}
		}
	}
	if !slices.ContainsFunc(rates.Uses, func(u UseRates) bool { return u.Code == UseResidential }) {
		add("local.by_kind.%s: give the residential rate", kind)
	}
	for _, set := range []struct {
		name  string
		list  []Adjustment
		known map[string]domain.Text
	}{{"zones", r.Local.Zones, zoneNames}, {"roads", r.Local.Roads, roadNames}, {"constructions", r.Local.Constructions, constructionNames}} {
		for _, a := range set.list {
			if _, ok := set.known[a.Code]; !ok {
				add("local.%s: %q is not one ksmart knows (%s)", set.name, a.Code, strings.Join(sortedKeys(set.known), ", "))
			}
		}
		if len(set.list) == 0 {
			add("local.%s: give at least one", set.name)
		}
	}
	if _, ok := adjustment(r.Local.Zones, r.Local.DefaultZone); !ok {
		add("local.default_zone: %q is not one of the zones", r.Local.DefaultZone)
	}
	if len(r.Local.Ages) == 0 || r.Local.Ages[0].FromYears != 0 {
		add("local.ages: the first band starts at 0 years")
	}
	if worst := r.Local.lowestFactor(); worst <= 0 {
		add("local: the adjustments together could lower the tax by %d%%, to nothing or less", 100-worst)
	}
	if r.Local.CessPercent < 0 || r.Local.CessPercent > 100 || r.Local.MutationFee < 0 {
		add("local: cess_percent must be 0–100 and mutation_fee_paise not negative")
	}
	for _, e := range r.Local.Exemptions {
		if e.Code == "" || e.Code == ExemptSmallHouse || strings.TrimSpace(e.Basis) == "" {
			add("local.exemptions: %q needs a code of its own and its legal basis", e.Code)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("property tax rules:\n  %s", strings.Join(problems, "\n  "))
	}
	return &r, nil
}

func slabName(s Slab) string {
	if s.UpToM2 == 0 {
		return "above the smaller slab"
	}
	return fmt.Sprintf("up to %d m²", s.UpToM2)
}

// lowestFactor is the least the percentages can add up to (100 = no
// change).
func (l Local) lowestFactor() int {
	low := func(adj []Adjustment) int {
		m := 0
		for i, a := range adj {
			if i == 0 || a.Percent < m {
				m = a.Percent
			}
		}
		return m
	}
	age := 0
	for i, a := range l.Ages {
		if i == 0 || a.Percent < age {
			age = a.Percent
		}
	}
	return 100 + low(l.Zones) + low(l.Roads) + low(l.Constructions) + age + min(l.Occupancy.Owner, l.Occupancy.Rented)
}

// rate is the basic rate of a use for a building with area in that use.
func (r *Rules) rate(use string, area Area) (domain.Paise, bool) {
	for _, u := range r.Local.ByKind[r.Kind].Uses {
		if u.Code != use {
			continue
		}
		for _, s := range u.Rates {
			if s.UpToM2 == 0 || area <= SquareMetres(s.UpToM2) {
				return s.Paise, true
			}
		}
	}
	return 0, false
}

// UsesRated are the uses the local body has a rate for.
func (r *Rules) UsesRated() []string {
	var out []string
	for _, u := range r.Local.ByKind[r.Kind].Uses {
		out = append(out, u.Code)
	}
	return out
}

func adjustment(list []Adjustment, code string) (int, bool) {
	for _, a := range list {
		if a.Code == code {
			return a.Percent, true
		}
	}
	return 0, false
}

// interestRate is the penal interest, percent a month, for a month that
// begins on day; 0 when a waiver covers it.
func (r *Rules) interestRate(day time.Time) int {
	d := day.Format(time.DateOnly)
	for _, w := range r.Statutory.InterestWaivers {
		if d >= w.From && d <= w.To {
			return 0
		}
	}
	rate := 0
	for _, in := range r.Statutory.Interest {
		if d >= in.From {
			rate = in.PercentPerMonth
		}
	}
	return rate
}

// Exemption returns the ground of exemption a code names.
func (r *Rules) Exemption(code string) (Exemption, bool) {
	if code == ExemptSmallHouse {
		return Exemption{Code: code, Basis: r.Statutory.SmallHouse.Source}, true
	}
	for _, e := range r.Local.Exemptions {
		if e.Code == code {
			return e, true
		}
	}
	return Exemption{}, false
}
