package building

import (
	"fmt"
	"slices"
	"strings"

	"ksmart/appliance/domain"
)

// Uses are the occupancy groups of the rules, by the catalogue's codes.
var Uses = []string{"a1_residential", "a2_special_residential", "b_educational", "c_medical", "d_assembly", "e_office", "f_mercantile", "g_industrial", "h_storage"}

// useAliases are the shorter names the API also takes.
var useAliases = map[string]string{
	"residential": "a1_residential", "lodging": "a2_special_residential", "educational": "b_educational",
	"medical": "c_medical", "hospital": "c_medical", "assembly": "d_assembly", "office": "e_office",
	"commercial": "f_mercantile", "mercantile": "f_mercantile", "industrial": "g_industrial", "storage": "h_storage",
}

// UseName names an occupancy group for people.
func UseName(use string) domain.Text {
	switch use {
	case "a1_residential":
		return domain.T("Residential (A1)", "താമസം (എ1)")
	case "a2_special_residential":
		return domain.T("Lodges and hostels (A2)", "ലോഡ്ജ്, ഹോസ്റ്റൽ (എ2)")
	case "b_educational":
		return domain.T("Educational (B)", "വിദ്യാഭ്യാസം (ബി)")
	case "c_medical":
		return domain.T("Medical and hospital (C)", "ആശുപത്രി (സി)")
	case "d_assembly":
		return domain.T("Assembly (D)", "സമ്മേളന സ്ഥലം (ഡി)")
	case "e_office":
		return domain.T("Office (E)", "ഓഫീസ് (ഇ)")
	case "f_mercantile":
		return domain.T("Shops and commerce (F)", "വ്യാപാരം (എഫ്)")
	case "g_industrial":
		return domain.T("Industrial (G)", "വ്യവസായം (ജി)")
	case "h_storage":
		return domain.T("Storage (H)", "സംഭരണം (എച്ച്)")
	}
	return domain.T(use, use)
}

// Plan is a building's figures as an applicant types them or a DXF
// drawing gives them: what the scrutiny checks. Lengths are in metres and
// areas in m², in hundredths.
type Plan struct {
	// Rules is "KMBR" or "KPBR"; LocalBodyKind is corporation,
	// municipality or grama_panchayat.
	Rules         string
	LocalBodyKind string
	Use           string
	PlotArea      Centi
	FloorArea     Centi // every floor together
	Footprint     Centi // the ground the building covers
	Floors        int
	Height        Centi
	RoadWidth     Centi
	Front, Rear   Centi
	Left, Right   Centi
	// ParkingSpaces are the car spaces the plan shows; nil when not
	// stated.
	ParkingSpaces *int
}

// Check is one rule checked against a plan: the rule's number, what it
// is about, the figure it requires and the plan's, and whether it passes.
type Check struct {
	Key      string      `json:"key"`
	Rule     string      `json:"rule"`
	Title    domain.Text `json:"title"`
	Required string      `json:"required"`
	Provided string      `json:"provided"`
	Pass     bool        `json:"pass"`
	// Mandatory checks decide whether the plan passes; a check that is
	// not (parking the plan does not state) is shown for the engineer.
	Mandatory bool `json:"mandatory"`
	// LocalSetting says the figure required is ksmart's default, not one
	// confirmed from the rules' text (see rules.json).
	LocalSetting bool `json:"local_setting"`
}

// Result is a scrutiny's answer: whether every mandatory check passes,
// whether the building may have a low-risk permit the same day, its permit
// fee, and every check.
type Result struct {
	Rules         string       `json:"rules"`
	LocalBodyKind string       `json:"local_body_kind"`
	Pass          bool         `json:"pass"`
	LowRisk       bool         `json:"low_risk"`
	Fee           domain.Paise `json:"fee_paise"`
	// FeeRate is the rupees per m² the fee is reckoned at.
	FeeRate int64   `json:"fee_rate_rupees_per_m2"`
	Checks  []Check `json:"checks"`
	// NotLowRisk says why a building that passes is not low-risk.
	NotLowRisk []domain.Text `json:"not_low_risk,omitempty"`
}

// Failing returns the mandatory checks that fail.
func (r Result) Failing() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Mandatory && !c.Pass {
			out = append(out, c)
		}
	}
	return out
}

// FailingList names the failing checks in one line per language, for a
// request for relaxation or a refusal's reasons.
func (r Result) FailingList() domain.Text {
	var en, ml []string
	for _, c := range r.Failing() {
		en = append(en, fmt.Sprintf("%s (%s): required %s, provided %s", c.Title.En, c.Rule, c.Required, c.Provided))
		ml = append(ml, fmt.Sprintf("%s (%s): വേണ്ടത് %s, നൽകിയത് %s", c.Title.Ml, c.Rule, c.Required, c.Provided))
	}
	return domain.T(strings.Join(en, "; "), strings.Join(ml, "; "))
}

// Most any plan may hold: beyond these a figure is a typing mistake.
const (
	maxArea   Centi = 10_000_000 * 100 // 1,000 hectares
	maxLength Centi = 10_000 * 100     // 10 km
	maxFloors       = 60
	// floorAreaSlack is how far the floor area may exceed floors ×
	// footprint (balconies and projections over the yards) or fall short
	// of the footprint (an open porch counted in the footprint) before
	// the figures are taken to disagree: a tenth.
	floorAreaSlack = 10
)

// Validate refuses figures no building can have, naming each field in
// both languages: negative or zero areas, a footprint larger than the
// plot, a floor area far from floors × footprint. It fills the rule set
// and kind of local body from each other where one is missing.
func (r *Rules) Validate(p *Plan) error {
	fe := domain.FieldErrors{}
	p.Rules = strings.ToUpper(strings.TrimSpace(p.Rules))
	if a, ok := useAliases[p.Use]; ok {
		p.Use = a
	}
	kinds := []string{domain.KindCorporation, domain.KindMunicipality, domain.KindGramaPanchayat}
	if !slices.Contains(kinds, p.LocalBodyKind) {
		fe.Add("local_body_kind", domain.T(`Give the kind of local body: "corporation", "municipality" or "grama_panchayat".`,
			`തദ്ദേശ സ്ഥാപനത്തിന്റെ തരം നൽകുക: "corporation", "municipality" അല്ലെങ്കിൽ "grama_panchayat".`))
	}
	if p.Rules == "" {
		if rs, ok := r.RuleSetFor(p.LocalBodyKind); ok {
			p.Rules = rs.Code
		}
	}
	rs, ok := r.RuleSet(p.Rules)
	switch {
	case !ok:
		fe.Add("rules", domain.T(`Give the rules: "KMBR" (municipalities and corporations) or "KPBR" (grama panchayats).`,
			`ചട്ടങ്ങൾ നൽകുക: "KMBR" (മുനിസിപ്പാലിറ്റി, കോർപ്പറേഷൻ) അല്ലെങ്കിൽ "KPBR" (ഗ്രാമ പഞ്ചായത്ത്).`))
	case p.LocalBodyKind != "" && slices.Contains(kinds, p.LocalBodyKind) && !slices.Contains(rs.LocalBodyKinds, p.LocalBodyKind):
		fe.Add("rules", domain.T(fmt.Sprintf("%s do not govern a %s; use the rules of that kind of local body.", rs.Name.En, kindName(p.LocalBodyKind).En),
			fmt.Sprintf("%s ഒരു %s-ക്ക് ബാധകമല്ല; ആ തദ്ദേശ സ്ഥാപനത്തിന്റെ ചട്ടങ്ങൾ ഉപയോഗിക്കുക.", rs.Name.Ml, kindName(p.LocalBodyKind).Ml)))
	}
	if !slices.Contains(Uses, p.Use) {
		fe.Add("use", domain.T("Choose the occupancy group: "+strings.Join(Uses, ", ")+".", "ഒക്യുപൻസി ഗ്രൂപ്പ് തിരഞ്ഞെടുക്കുക: "+strings.Join(Uses, ", ")+"."))
	}
	area := func(field string, v Centi, en, ml string) {
		switch {
		case v <= 0:
			fe.Add(field, domain.T(fmt.Sprintf("The %s must be more than zero (m²).", en), fmt.Sprintf("%s പൂജ്യത്തേക്കാൾ കൂടുതലായിരിക്കണം (ച.മീ.).", ml)))
		case v > maxArea:
			fe.Add(field, domain.T(fmt.Sprintf("The %s of %s m² is more than any plan holds; check the figure.", en, v), fmt.Sprintf("%s %s ച.മീ. എന്നത് അസാധ്യമാണ്; സംഖ്യ പരിശോധിക്കുക.", ml, v)))
		}
	}
	area("plot_area_m2", p.PlotArea, "plot area", "പ്ലോട്ടിന്റെ വിസ്തീർണ്ണം")
	area("floor_area_m2", p.FloorArea, "floor area", "തറ വിസ്തീർണ്ണം")
	area("footprint_m2", p.Footprint, "footprint (ground covered by the building)", "കെട്ടിടം ഉൾക്കൊള്ളുന്ന നിലത്തിന്റെ വിസ്തീർണ്ണം")
	if p.Floors < 1 || p.Floors > maxFloors {
		fe.Add("floors", domain.T(fmt.Sprintf("Give the number of floors, 1 to %d.", maxFloors), fmt.Sprintf("നിലകളുടെ എണ്ണം 1 മുതൽ %d വരെ നൽകുക.", maxFloors)))
	}
	if p.Height <= 0 || p.Height > 300*100 {
		fe.Add("height_m", domain.T("Give the building's height in metres, more than zero.", "കെട്ടിടത്തിന്റെ ഉയരം മീറ്ററിൽ, പൂജ്യത്തേക്കാൾ കൂടുതലായി നൽകുക."))
	}
	length := func(field string, v Centi, en, ml string) {
		if v < 0 || v > maxLength {
			fe.Add(field, domain.T(fmt.Sprintf("The %s cannot be negative; give it in metres (0 when there is none).", en),
				fmt.Sprintf("%s നെഗറ്റീവ് ആകരുത്; മീറ്ററിൽ നൽകുക (ഇല്ലെങ്കിൽ 0).", ml)))
		}
	}
	length("road_width_m", p.RoadWidth, "access road's width", "പ്രവേശന വഴിയുടെ വീതി")
	length("front_m", p.Front, "front yard", "മുൻവശത്തെ തുറസ്സായ സ്ഥലം")
	length("rear_m", p.Rear, "rear yard", "പിൻവശത്തെ തുറസ്സായ സ്ഥലം")
	length("left_m", p.Left, "left side yard", "ഇടതുവശത്തെ തുറസ്സായ സ്ഥലം")
	length("right_m", p.Right, "right side yard", "വലതുവശത്തെ തുറസ്സായ സ്ഥലം")
	if p.ParkingSpaces != nil && *p.ParkingSpaces < 0 {
		fe.Add("parking_spaces", domain.T("The parking spaces cannot be negative.", "പാർക്കിംഗ് സ്ഥലങ്ങളുടെ എണ്ണം നെഗറ്റീവ് ആകരുത്."))
	}
	if _, bad := fe["plot_area_m2"]; !bad && p.Footprint > p.PlotArea {
		if _, bad := fe["footprint_m2"]; !bad {
			fe.Add("footprint_m2", domain.T(fmt.Sprintf("The footprint (%s m²) is larger than the plot (%s m²): a building cannot cover more ground than its plot.", p.Footprint, p.PlotArea),
				fmt.Sprintf("കെട്ടിടം ഉൾക്കൊള്ളുന്ന നിലം (%s ച.മീ.) പ്ലോട്ടിനേക്കാൾ (%s ച.മീ.) വലുതാണ്.", p.Footprint, p.PlotArea)))
		}
	}
	_, badFloor := fe["floor_area_m2"]
	_, badFoot := fe["footprint_m2"]
	_, badFloors := fe["floors"]
	if !badFloor && !badFoot && !badFloors {
		most := Centi(int64(p.Footprint) * int64(p.Floors) * (100 + floorAreaSlack) / 100)
		least := Centi(int64(p.Footprint) * (100 - floorAreaSlack) / 100)
		if p.FloorArea > most || p.FloorArea < least {
			fe.Add("floor_area_m2", domain.T(
				fmt.Sprintf("The floor area (%s m²) does not fit %d floor(s) on a footprint of %s m²: it should be between %s and %s m². Check the floor area, the floors and the footprint.", p.FloorArea, p.Floors, p.Footprint, least, most),
				fmt.Sprintf("തറ വിസ്തീർണ്ണം (%s ച.മീ.) %s ച.മീ. അടിസ്ഥാനത്തിലുള്ള %d നിലകൾക്ക് ചേരുന്നില്ല: %s-നും %s-നും ഇടയിലായിരിക്കണം. തറ വിസ്തീർണ്ണം, നിലകൾ, അടിസ്ഥാന വിസ്തീർണ്ണം എന്നിവ പരിശോധിക്കുക.", p.FloorArea, p.Footprint, p.Floors, least, most)))
		}
	}
	return fe.Err()
}

// Scrutinise checks a plan against its rule set and returns every check,
// its fee and whether it is low-risk. It is a pure function of the plan
// and the rules: it reads nothing else and writes nothing. A plan with
// figures no building can have is refused (see Validate).
func (r *Rules) Scrutinise(p Plan) (Result, error) {
	if err := r.Validate(&p); err != nil {
		return Result{}, err
	}
	rs, _ := r.RuleSet(p.Rules)
	res := Result{Rules: rs.Code, LocalBodyKind: p.LocalBodyKind}
	add := func(key string, b Basis, title domain.Text, required, provided string, pass bool) {
		res.Checks = append(res.Checks, Check{Key: key, Rule: ruleLabel(b), Title: title, Required: required, Provided: provided, Pass: pass, Mandatory: true, LocalSetting: b.LocalSetting})
	}
	small := p.PlotArea <= Centi(rs.SmallPlot.MaxPlot) && slices.Contains(rs.SmallPlot.Uses, p.Use)

	// Coverage: the footprint as a share of the plot, compared as
	// footprint × 100 ≤ percent × plot so that the edge is exact.
	cov := rs.Coverage.Percent[p.Use]
	covPass := float64(p.Footprint)*100 <= cov*float64(p.PlotArea)+1e-9
	add("coverage", rs.Coverage.Basis, domain.T("Plot coverage", "പ്ലോട്ട് കവറേജ്"),
		fmt.Sprintf("≤ %s%%", trim(cov)), fmt.Sprintf("%s%%", ratio(float64(p.Footprint)*100/float64(p.PlotArea))), covPass)

	far := rs.FAR.Ratio[p.Use]
	add("far", rs.FAR.Basis, domain.T("Floor area ratio (FAR)", "ഫ്ലോർ ഏരിയ റേഷ്യോ (എഫ്.എ.ആർ.)"),
		fmt.Sprintf("≤ %s", ratio(far)), ratio(float64(p.FloorArea)/float64(p.PlotArea)), float64(p.FloorArea) <= far*float64(p.PlotArea)+1e-9)

	// Yards: by occupancy, widened above the height the rules set; on a
	// small plot, the small-plot yards.
	y := rs.Setbacks.Yards[p.Use]
	basis := rs.Setbacks.Basis
	extra := Centi(0)
	if small {
		y, basis = rs.SmallPlot.Yards, rs.SmallPlot.Basis
	} else if p.Height > Centi(rs.SetbacksAbove()) && rs.Setbacks.Step > 0 {
		over := p.Height - Centi(rs.Setbacks.AboveHeight)
		steps := (int64(over) + int64(rs.Setbacks.Step) - 1) / int64(rs.Setbacks.Step)
		extra = Centi(steps * int64(rs.Setbacks.AddPerStep))
	}
	need := func(c metres) Centi { return Centi(c) + extra }
	yard := func(key string, title domain.Text, required Centi, provided Centi) {
		add(key, basis, title, "≥ "+required.String()+" m", provided.String()+" m", provided >= required)
	}
	yard("front", domain.T("Front yard", "മുൻവശത്തെ തുറസ്സായ സ്ഥലം"), need(y.Front), p.Front)
	yard("rear", domain.T("Rear yard", "പിൻവശത്തെ തുറസ്സായ സ്ഥലം"), need(y.Rear), p.Rear)
	// The sides: one must have the wider yard, the other the narrower.
	wide, narrow := p.Left, p.Right
	wideKey, narrowKey := "left", "right"
	wideTitle, narrowTitle := domain.T("Left side yard", "ഇടതുവശത്തെ തുറസ്സായ സ്ഥലം"), domain.T("Right side yard", "വലതുവശത്തെ തുറസ്സായ സ്ഥലം")
	if p.Right > p.Left {
		wide, narrow, wideKey, narrowKey, wideTitle, narrowTitle = p.Right, p.Left, "right", "left", narrowTitle, wideTitle
	}
	yard(wideKey, wideTitle, need(y.SideWider), wide)
	yard(narrowKey, narrowTitle, need(y.SideNarrower), narrow)

	// Access: the road's width by the building's use and floor area.
	table := rs.Access.Other
	if p.Use == "a1_residential" {
		table = rs.Access.Residential
	}
	width := Centi(slabOf(table, p.FloorArea).Width)
	add("access", rs.Access.Basis, domain.T("Width of the access road", "പ്രവേശന വഴിയുടെ വീതി"),
		"≥ "+width.String()+" m", p.RoadWidth.String()+" m", p.RoadWidth >= width)

	// Height: at most so many times the road's width and the front yard
	// together; on a small plot, also the small-plot limit.
	most := Centi(rs.Height.Times * int64(p.RoadWidth+p.Front))
	hb := rs.Height.Basis
	if small && Centi(rs.SmallPlot.MaxHeight) < most {
		most, hb = Centi(rs.SmallPlot.MaxHeight), rs.SmallPlot.Basis
	}
	add("height", hb, domain.T("Height against the road's width and the front yard", "റോഡിന്റെ വീതിക്കും മുൻവശത്തെ സ്ഥലത്തിനും അനുസരിച്ചുള്ള ഉയരം"),
		"≤ "+most.String()+" m", p.Height.String()+" m", p.Height <= most)

	maxFloors, fb := rs.Floors.Max, rs.Floors.Basis
	if small {
		maxFloors, fb = rs.SmallPlot.MaxFloors, rs.SmallPlot.Basis
	}
	required := "—"
	if maxFloors > 0 {
		required = fmt.Sprintf("≤ %d", maxFloors)
	}
	add("floors", fb, domain.T("Number of floors", "നിലകളുടെ എണ്ണം"), required, fmt.Sprint(p.Floors), maxFloors == 0 || p.Floors <= maxFloors)

	if small {
		add("small_plot", rs.SmallPlot.Basis, domain.T("Small plot (up to "+Centi(rs.SmallPlot.MaxPlot).String()+" m²): the small-plot yards, floors and height apply", "ചെറിയ പ്ലോട്ട്: ചെറിയ പ്ലോട്ടുകൾക്കുള്ള അകലം, നില, ഉയരം ബാധകം"),
			"≤ "+Centi(rs.SmallPlot.MaxPlot).String()+" m²", p.PlotArea.String()+" m²", true)
	}

	// Parking: spaces for the floor area above what needs none.
	pk := rs.Parking.Spaces[p.Use]
	spaces := 0
	if p.FloorArea > Centi(pk.Free) {
		spaces = int((int64(p.FloorArea-Centi(pk.Free)) + int64(pk.PerSpace) - 1) / int64(pk.PerSpace))
	}
	parking := Check{Key: "parking", Rule: rs.Parking.Rule, Title: domain.T("Car parking spaces", "കാർ പാർക്കിംഗ് സ്ഥലങ്ങൾ"),
		Required: fmt.Sprintf("≥ %d", spaces), Mandatory: true, LocalSetting: rs.Parking.LocalSetting}
	if p.ParkingSpaces != nil {
		parking.Provided, parking.Pass = fmt.Sprint(*p.ParkingSpaces), *p.ParkingSpaces >= spaces
	} else {
		// Not stated: shown for the engineer, not counted against the plan
		// (the drawing gives no parking layer; the site inspection sees it).
		parking.Provided, parking.Pass, parking.Mandatory = "not stated", spaces == 0, false
	}
	res.Checks = append(res.Checks, parking)

	res.Pass = len(res.Failing()) == 0
	res.Fee = r.PermitFee(p.LocalBodyKind, p.Use, p.FloorArea)
	res.FeeRate, _ = r.PermitFeeRate(p.LocalBodyKind, p.Use, p.FloorArea)
	res.NotLowRisk = r.notLowRisk(p, res.Pass)
	res.LowRisk = len(res.NotLowRisk) == 0
	return res, nil
}

// SetbacksAbove is the height above which the yards widen.
func (rs RuleSet) SetbacksAbove() metres { return rs.Setbacks.AboveHeight }

// notLowRisk says why a plan may not have a low-risk permit on
// self-certification; nothing when it may.
func (r *Rules) notLowRisk(p Plan, pass bool) []domain.Text {
	lr := r.LowRisk
	var why []domain.Text
	if !slices.Contains(lr.LocalBodyKinds, p.LocalBodyKind) {
		why = append(why, domain.T("Low-risk permits on self-certification are given in municipalities and corporations, not in a "+kindName(p.LocalBodyKind).En+".",
			"സ്വയം സാക്ഷ്യപ്പെടുത്തലിലൂടെയുള്ള പെർമിറ്റ് മുനിസിപ്പാലിറ്റികളിലും കോർപ്പറേഷനുകളിലും മാത്രം."))
	}
	if !slices.Contains(lr.Uses, p.Use) {
		why = append(why, domain.T("Only residential buildings (A1) are low-risk.", "താമസ കെട്ടിടങ്ങൾ (എ1) മാത്രമാണ് കുറഞ്ഞ അപകടസാധ്യതയുള്ളവ."))
	}
	if p.FloorArea > Centi(lr.MaxFloorArea) {
		why = append(why, domain.T(fmt.Sprintf("The floor area (%s m²) is over %s m².", p.FloorArea, Centi(lr.MaxFloorArea)), fmt.Sprintf("തറ വിസ്തീർണ്ണം (%s ച.മീ.) %s ച.മീ.-ൽ കൂടുതലാണ്.", p.FloorArea, Centi(lr.MaxFloorArea))))
	}
	if p.Floors > lr.MaxFloors {
		why = append(why, domain.T(fmt.Sprintf("It has %d floors; a low-risk building has at most %d.", p.Floors, lr.MaxFloors), fmt.Sprintf("%d നിലകളുണ്ട്; പരമാവധി %d.", p.Floors, lr.MaxFloors)))
	}
	if p.Height > Centi(lr.MaxHeight) {
		why = append(why, domain.T(fmt.Sprintf("It is %s m high; a low-risk building is at most %s m.", p.Height, Centi(lr.MaxHeight)), fmt.Sprintf("ഉയരം %s മീ.; പരമാവധി %s മീ.", p.Height, Centi(lr.MaxHeight))))
	}
	if !pass {
		why = append(why, domain.T("It fails a rule's check; only a plan that passes every check is low-risk.", "ഒരു ചട്ടപരിശോധനയിൽ പരാജയപ്പെട്ടു; എല്ലാ പരിശോധനകളും വിജയിക്കുന്ന പ്ലാൻ മാത്രം."))
	}
	return why
}

func kindName(kind string) domain.Text {
	switch kind {
	case domain.KindCorporation:
		return domain.T("corporation", "കോർപ്പറേഷൻ")
	case domain.KindMunicipality:
		return domain.T("municipality", "മുനിസിപ്പാലിറ്റി")
	case domain.KindGramaPanchayat:
		return domain.T("grama panchayat", "ഗ്രാമ പഞ്ചായത്ത്")
	}
	return domain.T(kind, kind)
}

// trim writes a percentage without needless decimals: 65, 62.5.
func trim(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
