package propertytax

import (
	"fmt"
	"strconv"
	"strings"

	"ksmart/appliance/domain"
)

// The revenue inspector's form for a surveyed building: the number, up to
// SurveyOwners owners with their shares and phones, up to SurveyFloors
// floors each with its use and area, the plot, and the factors the tax is
// adjusted by. Its fields are named as the register's checks name them, so
// every mistake shows beside the field it is in.

// SurveyOwners and SurveyFloors are how many owners and floors the form
// takes.
const (
	SurveyOwners = 3
	SurveyFloors = 4
)

// RegisterSurveyed reads the survey form's values into a building and
// enters it in the register (Register), its demands raised from the
// half-year it is taxed from. Every problem, of the form or under the
// rules, is reported at once, field by field, and nothing is written.
func (p *PropertyTax) RegisterSurveyed(by domain.Actor, v map[string]string) (Building, error) {
	if !by.HasAny(SurveyorRoles...) {
		return Building{}, domain.Errorf(domain.EFORBIDDEN, "Only the revenue inspector or the secretary enters a building in the register directly.")
	}
	b, fe := p.surveyed(v)
	if len(fe) > 0 {
		for k, t := range p.Rules.Check(b, p.LocalBody, p.Now()) {
			fe.Add(k, t)
		}
		return Building{}, fe.Err()
	}
	return p.Register(by, b)
}

func (p *PropertyTax) surveyed(v map[string]string) (Building, domain.FieldErrors) {
	fe := domain.FieldErrors{}
	get := func(k string) string { return strings.TrimSpace(v[k]) }
	b := Building{Number: get("number"), Occupancy: get("occupancy"), Flat: get("flat") != "", Zone: get("zone"), Road: get("road"),
		Construction: get("construction"), Address: domain.T(get("address_en"), get("address_ml")), SurveyNumber: get("survey_number"),
		TaxedFrom: get("taxed_from"), Exemption: get("exemption")}
	if n, err := ParseNumber(b.Number); err == nil {
		b.Number, b.Ward = n.String(), n.Ward
	}
	for i := 1; i <= SurveyOwners; i++ {
		k := fmt.Sprintf("owner%d_", i)
		o := Owner{Name: domain.T(get(k+"name_en"), get(k+"name_ml")), Phone: get(k + "phone")}
		share := get(k + "share")
		if blankText(o.Name) && share == "" && o.Phone == "" {
			continue
		}
		s, err := strconv.Atoi(share)
		if err != nil || s <= 0 || s > 100 {
			fe.Add("owners", domain.T(fmt.Sprintf("Give owner %d's share in whole percent, 1 to 100.", i), fmt.Sprintf("%d-ാം ഉടമയുടെ ഓഹരി 1 മുതൽ 100 വരെ ശതമാനത്തിൽ നൽകുക.", i)))
		}
		if o.Phone != "" && !validMobile(o.Phone) {
			fe.Add("owners", domain.T(fmt.Sprintf("Owner %d's mobile number must have 10 digits (e.g. 9847012345).", i), fmt.Sprintf("%d-ാം ഉടമയുടെ മൊബൈൽ നമ്പറിൽ 10 അക്കം വേണം (ഉദാ. 9847012345).", i)))
		}
		o.Share = s
		b.Owners = append(b.Owners, o)
	}
	for i := 1; i <= SurveyFloors; i++ {
		k := fmt.Sprintf("floor%d_", i)
		use, area := get(k+"use"), get(k+"area")
		if use == "" && area == "" {
			continue
		}
		f := Floor{Use: use, Unauthorised: get(k+"unauthorised") != ""}
		lvl, err := strconv.Atoi(get(k + "level"))
		if err != nil || lvl < -3 || lvl > 60 {
			fe.Add("floors", domain.T(fmt.Sprintf("Give floor %d's level: 0 for the ground floor, 1 for the first, -1 for a cellar.", i), fmt.Sprintf("%d-ാം നിലയുടെ സ്ഥാനം നൽകുക: താഴത്തെ നിലയ്ക്ക് 0, ഒന്നാം നിലയ്ക്ക് 1, നിലവറയ്ക്ക് -1.", i)))
		}
		f.Level = lvl
		if f.Area, err = ParseArea(area); err != nil {
			fe.Add("plinth_area_sqm", domain.T(fmt.Sprintf("Floor %d: %v.", i, err), fmt.Sprintf("%d-ാം നില: വിസ്തീർണ്ണം ചതുരശ്ര മീറ്ററിൽ, പരമാവധി രണ്ട് ദശാംശങ്ങളോടെ നൽകുക (ഉദാ. 85.25).", i)))
		}
		b.Floors = append(b.Floors, f)
	}
	var err error
	if b.PlotArea, err = ParseArea(get("plot_area_sqm")); err != nil {
		fe.Add("plot_area_sqm", domain.T("Give the plot's area in square metres, with at most two decimals (e.g. 400 or 404.69).", "പ്ലോട്ടിന്റെ വിസ്തീർണ്ണം ചതുരശ്ര മീറ്ററിൽ, പരമാവധി രണ്ട് ദശാംശങ്ങളോടെ നൽകുക (ഉദാ. 400)."))
	}
	if b.YearBuilt, err = strconv.Atoi(get("year_built")); err != nil {
		fe.Add("year_built", domain.T("Give the year it was built, e.g. 2010.", "നിർമ്മിച്ച വർഷം നൽകുക, ഉദാ. 2010."))
	}
	return b, fe
}

// validMobile reports whether s is an Indian mobile number: ten digits,
// after any country code, not starting with 0.
func validMobile(s string) bool { return samePhone(s, s) }

func blankText(t domain.Text) bool {
	return strings.TrimSpace(t.En) == "" && strings.TrimSpace(t.Ml) == ""
}

// Choice is a code of the register's vocabulary with its name, for a
// form's list.
type Choice struct {
	Code string
	Name domain.Text
}

// SurveyChoices are the lists the survey form offers: the uses the local
// body has a rate for, zones, roads, constructions and the grounds of
// exemption an officer may grant.
func (p *PropertyTax) SurveyChoices() map[string][]Choice {
	out := map[string][]Choice{}
	for _, u := range p.Rules.UsesRated() {
		out["use"] = append(out["use"], Choice{u, UseName(u)})
	}
	for _, z := range p.Rules.Local.Zones {
		out["zone"] = append(out["zone"], Choice{z.Code, ZoneName(z.Code)})
	}
	for _, r := range p.Rules.Local.Roads {
		out["road"] = append(out["road"], Choice{r.Code, RoadName(r.Code)})
	}
	for _, c := range p.Rules.Local.Constructions {
		out["construction"] = append(out["construction"], Choice{c.Code, ConstructionName(c.Code)})
	}
	for _, e := range p.Rules.Local.Exemptions {
		out["exemption"] = append(out["exemption"], Choice{e.Code, ExemptionName(e.Code)})
	}
	return out
}
