package licence

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
)

//go:embed schedule.json
var defaultSchedule []byte

// Schedule is the licence rules as data (schedule.json): what the law
// fixes, each with its source, and what the council sets (the fee slabs
// by category and capacity, the late penalty), labelled as local settings.
type Schedule struct {
	Statutory Statutory `json:"statutory"`
	Local     Local     `json:"local"`
}

// Statutory is what the Acts and rules fix.
type Statutory struct {
	Source string `json:"source"`
	// DeemedAfterDays is how many days the office has to decide a
	// complete application; after them the licence is deemed granted.
	DeemedAfterDays int    `json:"deemed_after_days"`
	DeemedSource    string `json:"deemed_source"`
	// ApplyWithinDays of starting the trade; later, the late penalty.
	ApplyWithinDays int    `json:"apply_within_days_of_start"`
	ApplySource     string `json:"apply_source"`
	// RenewalDueDays before the financial year begins.
	RenewalDueDays int    `json:"renewal_due_days_before_year"`
	RenewalSource  string `json:"renewal_source"`
	// MSMEExemptYears from the acknowledgement's date; the enterprise
	// then applies within MSMEApplyMonths.
	MSMEExemptYears int    `json:"msme_exempt_years"`
	MSMEApplyMonths int    `json:"msme_apply_within_months"`
	MSMESource      string `json:"msme_source"`
}

// Local is what the council sets: LOCAL SETTINGS, never law.
type Local struct {
	Source                 string                 `json:"source"`
	RequirePropertyTaxPaid bool                   `json:"require_property_tax_paid"`
	AmendmentFeeRupees     int64                  `json:"amendment_fee_rupees"`
	TransferFeeRupees      int64                  `json:"transfer_fee_rupees"`
	ReminderDays           []int                  `json:"reminder_days_before_expiry"`
	LatePenalty            []PenaltyBand          `json:"late_penalty"`
	Documents              map[string]domain.Text `json:"documents"`
	Categories             []Category             `json:"categories"`
}

// PenaltyBand is a share of the year's fee added for an application FromDays
// to ToDays days late (ToDays 0: no upper bound).
type PenaltyBand struct {
	FromDays int         `json:"from_days"`
	ToDays   int         `json:"to_days"`
	Percent  int64       `json:"percent"`
	Name     domain.Text `json:"name"`
}

// Category is a kind of trade with its fee by capacity.
type Category struct {
	Code string      `json:"code"`
	Name domain.Text `json:"name"`
	// Measure is the form field its capacity is read from: MeasureArea,
	// MeasureHP or MeasureBeds.
	Measure   string   `json:"measure"`
	Documents []string `json:"documents"`
	Slabs     []Slab   `json:"slabs"`
}

// Slab is a capacity up to UpTo (inclusive, above the slab before) and
// its yearly fee.
type Slab struct {
	UpTo      int64 `json:"up_to"`
	FeeRupees int64 `json:"fee_rupees"`
}

// Capacity measures, each a form field.
const (
	MeasureArea = "area_sqm"
	MeasureHP   = "machinery_hp"
	MeasureBeds = "beds"
)

// MeasureName names a measure with its unit.
func MeasureName(m string) domain.Text {
	switch m {
	case MeasureHP:
		return domain.T("machinery (HP)", "യന്ത്രങ്ങൾ (എച്ച്.പി.)")
	case MeasureBeds:
		return domain.T("beds", "കിടക്കകൾ")
	}
	return domain.T("floor area (m²)", "തറ വിസ്തീർണ്ണം (ച.മീ.)")
}

// DefaultSchedule returns ksmart's schedule (schedule.json).
func DefaultSchedule() (*Schedule, error) { return ParseSchedule(defaultSchedule) }

// ParseSchedule reads and checks a schedule: every category has slabs in
// rising order with a fee, every document it asks for is named, and the
// penalty bands follow each other.
func ParseSchedule(data []byte) (*Schedule, error) {
	var s Schedule
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("licence schedule: %w", err)
	}
	var problems []string
	if s.Statutory.DeemedAfterDays <= 0 || s.Statutory.DeemedSource == "" {
		problems = append(problems, "statutory.deemed_after_days needs a positive number of days and its source")
	}
	if !strings.Contains(strings.ToUpper(s.Local.Source), "LOCAL SETTING") {
		problems = append(problems, "local.source must say that its figures are LOCAL SETTINGS")
	}
	seen := map[string]bool{}
	for _, c := range s.Local.Categories {
		if seen[c.Code] || c.Code == "" {
			problems = append(problems, fmt.Sprintf("category %q is missing or repeated", c.Code))
		}
		seen[c.Code] = true
		if c.Measure != MeasureArea && c.Measure != MeasureHP && c.Measure != MeasureBeds {
			problems = append(problems, fmt.Sprintf("category %s: measure %q is not area_sqm, machinery_hp or beds", c.Code, c.Measure))
		}
		if len(c.Slabs) == 0 {
			problems = append(problems, fmt.Sprintf("category %s has no slabs", c.Code))
		}
		for i, sl := range c.Slabs {
			if sl.FeeRupees <= 0 || (i > 0 && sl.UpTo <= c.Slabs[i-1].UpTo) {
				problems = append(problems, fmt.Sprintf("category %s: slab %d must have a fee and a capacity above the slab before", c.Code, i+1))
			}
		}
		for _, d := range c.Documents {
			if _, ok := s.Local.Documents[d]; !ok {
				problems = append(problems, fmt.Sprintf("category %s asks for document %q, which is not named", c.Code, d))
			}
		}
	}
	for i, b := range s.Local.LatePenalty {
		if i > 0 && b.FromDays != s.Local.LatePenalty[i-1].ToDays+1 {
			problems = append(problems, fmt.Sprintf("late_penalty band %d must begin the day after the band before ends", i+1))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("licence schedule: %s", strings.Join(problems, "; "))
	}
	return &s, nil
}

// Category returns a category by code.
func (s *Schedule) Category(code string) (Category, bool) {
	for _, c := range s.Local.Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// Fee is the yearly fee of a trade of category c with capacity cap (in
// its measure), or a bilingual refusal naming the limits when cap is
// outside every slab.
func (c Category) Fee(capacity int64) (domain.Paise, error) {
	if capacity >= 0 {
		for _, sl := range c.Slabs {
			if capacity <= sl.UpTo {
				return domain.Rupees(sl.FeeRupees), nil
			}
		}
	}
	top := c.Slabs[len(c.Slabs)-1].UpTo
	m := MeasureName(c.Measure)
	return 0, domain.FieldErrors{c.Measure: domain.T(
		fmt.Sprintf("The schedule has fees for a %s with %s from 0 to %d; %d is outside every slab. Give the real figure, or ask the office about a licence outside the schedule.", c.Name.En, m.En, top, capacity),
		fmt.Sprintf("%s-ന് %s 0 മുതൽ %d വരെയാണ് ഫീസ് പട്ടികയിൽ; %d ഒരു സ്ലാബിലും പെടുന്നില്ല. ശരിയായ കണക്ക് നൽകുക, അല്ലെങ്കിൽ ഓഫീസിൽ അന്വേഷിക്കുക.", c.Name.Ml, m.Ml, top, capacity))}.Err()
}

// LatePenalty is what is added to fee for an application daysLate days
// late, and the band's name; nothing when it is not late.
func (s *Schedule) LatePenalty(fee domain.Paise, daysLate int) (domain.Paise, domain.Text) {
	if daysLate <= 0 {
		return 0, domain.Text{}
	}
	for _, b := range s.Local.LatePenalty {
		if daysLate >= b.FromDays && (b.ToDays == 0 || daysLate <= b.ToDays) {
			return fee * domain.Paise(b.Percent) / 100, b.Name
		}
	}
	return 0, domain.Text{}
}

// Requirements are the documents a trade of category c must produce, on
// top of the service's own: the category's (the machinery plan only with
// machinery).
func (s *Schedule) Requirements(c Category, hp int64) []catalogue.DocumentRequirement {
	var out []catalogue.DocumentRequirement
	for _, code := range c.Documents {
		if code == "machinery_plan" && hp <= 0 {
			continue
		}
		out = append(out, catalogue.DocumentRequirement{Code: code, Name: s.Local.Documents[code], Required: true})
	}
	return out
}
