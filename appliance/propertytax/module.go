package propertytax

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/workflow"
	"ksmart/search"
	"ksmart/store"
)

// Module is property tax as the appliance assembles it: the register of
// buildings, the services that change it, the half-yearly demands, and
// the demand, collection and balance the state sees.
var Module = module.Module{
	Name:      "propertytax",
	Catalogue: catalogue.ModulePropertyTax,
	Serves:    serves,
	Open:      open,
	Events:    Events,
	Records: []module.Records{{
		Type:     "building",
		Name:     domain.T("Buildings", "കെട്ടിടങ്ങൾ"),
		Source:   func(*catalogue.Catalogue) search.Source { return buildingSource{} },
		Readable: func(by domain.Actor) bool { return by.IsStaff() && !by.Has(domain.RoleKiosk) },
		Hit:      buildingHit,
	}},
	Figures: figures,
}

func open(h *module.Host) (workflow.Rules, error) {
	rules, err := DefaultRules(h.LocalBody.Kind)
	if err != nil {
		return nil, err
	}
	return &PropertyTax{Store: h.Store, Rules: rules, LocalBody: h.LocalBody, Documents: h.Documents, Identity: h.Identity,
		PublicURL: h.PublicURL, Now: h.Now, Logger: h.Logger}, nil
}

// Services and what each does on approval and issue.
const (
	svcAssessment   = "property_tax_assessment"
	svcNumber       = "building_number_allotment"
	svcReassessment = "property_tax_reassessment"
	svcSelfReturn   = "self_assessment_return"
	svcMutation     = "ownership_change"
	svcRevision     = "property_tax_revision"
	svcExemption    = "property_tax_exemption"
	svcOwnership    = "ownership_certificate"
	svcAge          = "building_age_certificate"
	svcDeletion     = "assessment_deletion"
	svcPayment      = "property_tax_payment"
	svcReceiptCopy  = "tax_receipt_copy"
)

// serves decides which property_tax services this module serves: all but
// paying and a receipt's copy, which need no application.
func serves(svc catalogue.Service) error {
	switch svc.Code {
	case svcPayment, svcReceiptCopy:
		return module.NotServed(domain.T(
			"no application is needed: find your building under Property tax and pay there (online or by UPI), or at the cash counter; every receipt downloads from Payments.",
			"അപേക്ഷ ആവശ്യമില്ല: വസ്തു നികുതി എന്നതിൽ കെട്ടിടം കണ്ടെത്തി അവിടെ (ഓൺലൈനായോ യു.പി.ഐ. വഴിയോ) അടയ്ക്കുക, അല്ലെങ്കിൽ ക്യാഷ് കൗണ്ടറിൽ; എല്ലാ രസീതുകളും പേയ്മെന്റുകളിൽ നിന്ന് ഡൗൺലോഡ് ചെയ്യാം."))
	case svcAssessment, svcNumber, svcReassessment, svcSelfReturn, svcRevision, svcExemption, svcDeletion:
		if svc.Issues != catalogue.IssueOrder {
			return fmt.Errorf("service %s: property tax issues an order for it, not %q", svc.Code, svc.Issues)
		}
		if svc.Fee.Kind != catalogue.FeeNone && svc.Fee.Kind != catalogue.FeeComputed {
			return fmt.Errorf("service %s: its fee is %q, but an assessment has no fee of its own (the tax is its outcome)", svc.Code, svc.Fee.Kind)
		}
	case svcMutation:
		if svc.Fee.Kind != catalogue.FeeComputed || svc.Issues != catalogue.IssueOrder {
			return fmt.Errorf("service %s: a mutation's fee is the council's (computed) and it issues an order", svc.Code)
		}
	case svcOwnership, svcAge:
		if svc.Issues != catalogue.IssueCertificate || (svc.Fee.Kind != catalogue.FeeFlat && svc.Fee.Kind != catalogue.FeeNone) {
			return fmt.Errorf("service %s: property tax issues it as a certificate for a flat fee or none", svc.Code)
		}
	default:
		return module.NotServed(domain.T("its rules are still being written.", "ഇതിന്റെ ചട്ടങ്ങൾ ഇനിയും തയ്യാറാക്കുന്നു."))
	}
	return nil
}

// fieldErr is one field's error, in both languages.
func fieldErr(field string, t domain.Text) error { return domain.FieldErrors{field: t}.Err() }

// existing reads the building an application names, refusing it field by
// field when the number is not in the register, is in another ward, or
// the owner named is not an owner.
func (p *PropertyTax) existing(values map[string]string, checkOwner bool) (Building, error) {
	b, err := p.Building(values["building_number"])
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			msg := domain.Text{En: de.Message, Ml: de.MessageML}
			if t, ok := de.Fields["number"]; ok {
				msg = t
			}
			return Building{}, fieldErr("building_number", msg)
		}
		return Building{}, err
	}
	if b.Status != StatusActive {
		return Building{}, fieldErr("building_number", domain.T(fmt.Sprintf("Building %s is %s in the register.", b.Number, b.Status), fmt.Sprintf("%s എന്ന കെട്ടിടം രജിസ്റ്ററിൽ പൊളിച്ചതായി രേഖപ്പെടുത്തിയിരിക്കുന്നു.", b.Number)))
	}
	if w, _ := strconv.Atoi(values["ward"]); w != 0 && w != b.Ward {
		return Building{}, fieldErr("ward", domain.T(fmt.Sprintf("Building %s is in ward %d, not ward %d.", b.Number, b.Ward, w), fmt.Sprintf("%s എന്ന കെട്ടിടം %d-ാം വാർഡിലാണ്, %d-ൽ അല്ല.", b.Number, b.Ward, w)))
	}
	if checkOwner {
		name := values["owner_name_en"]
		if name == "" {
			name = values["present_owner_en"]
		}
		if !ownerNamed(b, name, values["owner_name_ml"]+values["present_owner_ml"]) {
			field := "owner_name"
			if _, ok := values["present_owner_en"]; ok {
				field = "present_owner"
			}
			return Building{}, fieldErr(field, domain.T(fmt.Sprintf("The register does not name %q as an owner of %s.", name, b.Number),
				fmt.Sprintf("%s-ന്റെ ഉടമയായി രജിസ്റ്ററിൽ %q ഇല്ല.", b.Number, name)))
		}
	}
	return b, nil
}

// ownerNamed reports whether a name given matches an owner's, letters
// compared without case, spaces or dots.
func ownerNamed(b Building, en, ml string) bool {
	norm := func(s string) string {
		var out []rune
		for _, r := range strings.ToLower(s) {
			if r != ' ' && r != '.' && r != ',' {
				out = append(out, r)
			}
		}
		return string(out)
	}
	for _, o := range b.Owners {
		if (en != "" && norm(o.Name.En) == norm(en)) || (ml != "" && o.Name.Ml != "" && norm(o.Name.Ml) == norm(ml)) {
			return true
		}
	}
	return false
}

// particulars reads a building's use and areas from an application's
// form into floors: the main use on the plinth area less the other use's
// part, that part, and the unauthorised area as a floor of its own, taxed
// three times.
func (p *PropertyTax) particulars(values map[string]string) ([]Floor, domain.FieldErrors) {
	fe := domain.FieldErrors{}
	area := func(field string) Area {
		if values[field] == "" {
			return 0
		}
		a, err := ParseArea(values[field])
		if err != nil {
			fe.Add(field, domain.T(err.Error(), "ചതുരശ്ര മീറ്ററിൽ, പരമാവധി രണ്ട് ദശാംശങ്ങളോടെ നൽകുക (ഉദാ. 85.25)."))
		}
		return a
	}
	plinth, other, unauth := area("plinth_area_sqm"), area("other_use_area_sqm"), area("unauthorised_area_sqm")
	main := values["usage"]
	if other > 0 && values["other_use"] == "" {
		fe.Add("other_use", domain.T("Say what the other part is used for.", "മറ്റേ ഭാഗത്തിന്റെ ഉപയോഗം നൽകുക."))
	}
	if other+unauth >= plinth && plinth > 0 {
		fe.Add("plinth_area_sqm", domain.T(fmt.Sprintf("The plinth area (%s) must be more than the other use's part and the unauthorised area together (%s).", plinth, other+unauth),
			fmt.Sprintf("തറ വിസ്തീർണ്ണം (%s) മറ്റ് ഉപയോഗത്തിന്റെയും അനുമതിയില്ലാത്തതിന്റെയും ആകെയേക്കാൾ (%s) കൂടുതലായിരിക്കണം.", plinth, other+unauth)))
	}
	if len(fe) > 0 {
		return nil, fe
	}
	floors := []Floor{{Use: main, Area: plinth - other - unauth}}
	if other > 0 {
		floors = append(floors, Floor{Level: 1, Use: values["other_use"], Area: other})
	}
	if unauth > 0 {
		floors = append(floors, Floor{Level: 2, Use: main, Area: unauth, Unauthorised: true})
	}
	return floors, fe
}

var roofConstruction = map[string]string{"concrete": "rcc", "tiled": "tiled", "sheet": "sheet", "thatched": "thatched"}

// newBuilding reads a new building from a new assessment's or a number
// allotment's form, numbered later.
func (p *PropertyTax) newBuilding(a workflow.Assessing) (Building, error) {
	v := a.Values
	floors, fe := p.particulars(v)
	ward, _ := strconv.Atoi(v["ward"])
	plot, err := ParseArea(v["plot_area_sqm"])
	if err != nil {
		fe.Add("plot_area_sqm", domain.T(err.Error(), "ചതുരശ്ര മീറ്ററിൽ, പരമാവധി രണ്ട് ദശാംശങ്ങളോടെ നൽകുക."))
	}
	year, _ := strconv.Atoi(v["year_built"])
	if d, err := time.Parse(time.DateOnly, v["completed_on"]); err == nil {
		year = d.Year()
	}
	b := Building{Number: fmt.Sprintf("%d/1", ward), Ward: ward, Occupancy: v["occupancy"], Flat: v["building_kind"] == "flat",
		Floors: floors, PlotArea: plot, Zone: p.Rules.Local.DefaultZone, Road: v["road"], Construction: roofConstruction[v["roof_type"]],
		YearBuilt: year, Address: domain.T(v["owner_address"], ""), SurveyNumber: v["survey_number"],
		Owners: []Owner{{Name: domain.T(v["owner_name_en"], v["owner_name_ml"]), Share: 100, Phone: v["phone"], Address: domain.T(v["owner_address"], "")}}}
	if a.By.Has(domain.RoleCitizen) {
		b.Owners[0].UserID = a.By.ID
	}
	if len(fe) == 0 {
		for k, t := range p.Rules.Check(b, p.LocalBody, a.Now) {
			fe.Add(k, t)
		}
	}
	return b, fe.Err()
}

// Assess checks an application against the register and the rules when
// it is made: a building that must exist does, under the owner named; the
// particulars would be taxed; and reckons the mutation fee. It implements
// workflow.Rules.
func (p *PropertyTax) Assess(a workflow.Assessing) (workflow.Assessment, error) {
	v := a.Values
	switch a.Service.Code {
	case svcAssessment, svcNumber:
		if a.Service.Code == svcNumber && v["existing_number"] != "" {
			b, err := p.existing(map[string]string{"building_number": v["existing_number"], "ward": v["ward"]}, false)
			if err != nil {
				return workflow.Assessment{}, renameField(err, "building_number", "existing_number")
			}
			if units, _ := strconv.Atoi(v["units"]); units < 2 {
				return workflow.Assessment{}, fieldErr("units", domain.T("Dividing "+b.Number+" needs at least 2 units.", b.Number+" വിഭജിക്കാൻ കുറഞ്ഞത് 2 ഭാഗങ്ങൾ വേണം."))
			}
		}
		_, err := p.newBuilding(a)
		return workflow.Assessment{}, err
	case svcReassessment, svcSelfReturn:
		b, err := p.existing(v, true)
		if err != nil {
			return workflow.Assessment{}, err
		}
		_, err = p.reassessed(b, v, a.Now)
		return workflow.Assessment{}, err
	case svcRevision:
		b, err := p.existing(v, true)
		if err != nil {
			return workflow.Assessment{}, err
		}
		_, err = p.revised(b, v, a.Now)
		return workflow.Assessment{}, err
	case svcExemption:
		b, err := p.existing(v, true)
		if err != nil {
			return workflow.Assessment{}, err
		}
		if _, ok := p.Rules.Exemption(v["ground"]); !ok {
			return workflow.Assessment{}, fieldErr("ground", domain.T("Choose a ground of exemption this local body allows.", "ഈ തദ്ദേശ സ്ഥാപനം അനുവദിക്കുന്ന ഇളവിന്റെ കാരണം തിരഞ്ഞെടുക്കുക."))
		}
		if b.Exemption != "" {
			return workflow.Assessment{}, fieldErr("building_number", domain.T(fmt.Sprintf("Building %s is exempt already (%s).", b.Number, ExemptionName(b.Exemption).En), fmt.Sprintf("%s എന്ന കെട്ടിടത്തിന് ഇപ്പോൾ തന്നെ ഇളവുണ്ട്.", b.Number)))
		}
		return workflow.Assessment{}, nil
	case svcMutation:
		b, err := p.existing(v, true)
		if err != nil {
			return workflow.Assessment{}, err
		}
		if strings.TrimSpace(v["deed_number"]) == "" || v["deed_date"] == "" || strings.TrimSpace(v["sub_registry"]) == "" {
			return workflow.Assessment{}, domain.FieldErrors{"deed_number": domain.T("Give the registered deed's number, date and sub-registry.", "രജിസ്റ്റർ ചെയ്ത ആധാരത്തിന്റെ നമ്പർ, തീയതി, സബ് രജിസ്ട്രി എന്നിവ നൽകുക.")}.Err()
		}
		if ownerNamed(b, v["new_owner_en"], v["new_owner_ml"]) && len(b.Owners) == 1 {
			return workflow.Assessment{}, fieldErr("new_owner", domain.T(fmt.Sprintf("%s already owns %s.", v["new_owner_en"], b.Number), fmt.Sprintf("%s ഇപ്പോൾ തന്നെ %s-ന്റെ ഉടമയാണ്.", v["new_owner_en"], b.Number)))
		}
		return workflow.Assessment{Fee: p.Rules.Local.MutationFee, FeeHead: p.Rules.Local.Heads.MutationFee,
			FeeNote: domain.T("Mutation fee (the council's)", "ഉടമസ്ഥാവകാശം മാറ്റുന്നതിനുള്ള ഫീസ്")}, nil
	case svcOwnership, svcAge, svcDeletion:
		if _, err := p.existing(v, true); err != nil {
			return workflow.Assessment{}, err
		}
		if a.Service.Code == svcDeletion {
			if d, err := time.Parse(time.DateOnly, v["demolished_on"]); err != nil || d.After(a.Now) {
				return workflow.Assessment{}, fieldErr("demolished_on", domain.T("Give the date it was demolished, not a future one.", "പൊളിച്ച തീയതി നൽകുക; ഭാവി തീയതി പാടില്ല."))
			}
		}
		return workflow.Assessment{Fee: a.Service.Fee.Amount}, nil
	}
	return workflow.Assessment{}, fmt.Errorf("property tax: no rules for %s", a.Service.Code)
}

func renameField(err error, from, to string) error {
	var de *domain.Error
	if errors.As(err, &de) && de.Fields != nil {
		if t, ok := de.Fields[from]; ok {
			return fieldErr(to, t)
		}
	}
	return err
}

// reassessed is a building with the particulars a reassessment or a
// self-assessment return gives.
func (p *PropertyTax) reassessed(b Building, v map[string]string, now time.Time) (Building, error) {
	floors, fe := p.particulars(v)
	if len(fe) > 0 {
		return b, fe.Err()
	}
	nb := b
	nb.Floors = floors
	if v["occupancy"] != "" {
		nb.Occupancy = v["occupancy"]
	}
	if c := roofConstruction[v["roof_type"]]; c != "" {
		nb.Construction = c
	}
	if v["road"] != "" {
		nb.Road = v["road"]
	}
	return nb, p.Rules.Check(nb, p.LocalBody, now).Err()
}

// revised is a building as a revision petition claims it is: the plinth
// area claimed spread over its floors in proportion, and the use claimed.
func (p *PropertyTax) revised(b Building, v map[string]string, now time.Time) (Building, error) {
	nb := b
	nb.Floors = append([]Floor(nil), b.Floors...)
	if s := v["claimed_plinth_area_sqm"]; s != "" {
		claimed, err := ParseArea(s)
		if err != nil {
			return b, fieldErr("claimed_plinth_area_sqm", domain.T(err.Error(), "ചതുരശ്ര മീറ്ററിൽ നൽകുക."))
		}
		total := b.PlinthArea()
		var given Area
		for i := range nb.Floors {
			nb.Floors[i].Area = Area(int64(nb.Floors[i].Area) * int64(claimed) / int64(total))
			given += nb.Floors[i].Area
		}
		nb.Floors[0].Area += claimed - given
	}
	if u := v["claimed_usage"]; u != "" {
		for i := range nb.Floors {
			nb.Floors[i].Use = u
		}
	}
	return nb, p.Rules.Check(nb, p.LocalBody, now).Err()
}

// buildingSource describes buildings to the search index.
type buildingSource struct{}

func (buildingSource) Entity() string { return entityBuilding }

func (buildingSource) Document(tx *store.Tx, id string) (search.Doc, bool, error) {
	b, err := getBuilding(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return search.Doc{}, false, nil
	}
	if err != nil {
		return search.Doc{}, false, err
	}
	d := search.Doc{Type: "building", Kind: b.MainUse(), Module: "propertytax", Number: b.Number, Ward: strconv.Itoa(b.Ward), Status: b.Status,
		Year: strconv.Itoa(b.YearBuilt), Text: strings.TrimSpace(b.Address.En + "\n" + b.Address.Ml + "\n" + b.SurveyNumber)}
	for _, o := range b.Owners {
		for _, n := range []string{o.Name.En, o.Name.Ml} {
			if n = strings.TrimSpace(n); n != "" {
				d.Names = append(d.Names, n)
			}
		}
	}
	return d, true, nil
}

func buildingHit(tx *store.Tx, id string) (module.Hit, bool, error) {
	b, err := getBuilding(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return module.Hit{}, false, nil
	}
	if err != nil {
		return module.Hit{}, false, err
	}
	return module.Hit{Type: "building", Kind: b.MainUse(), KindName: UseName(b.MainUse()), Number: b.Number,
		Title: domain.T(b.OwnerNames("en"), b.OwnerNames("ml")), Status: b.Status, StatusName: BuildingStatusName(b.Status),
		Ward: b.Ward, Link: "/office/buildings/" + url.PathEscape(b.ID)}, true, nil
}

// BuildingStatusName names a building's status for people.
func BuildingStatusName(s string) domain.Text {
	switch s {
	case StatusActive:
		return domain.T("In the register", "രജിസ്റ്ററിൽ")
	case StatusDemolished:
		return domain.T("Demolished", "പൊളിച്ചു")
	case StatusDivided:
		return domain.T("Divided into units", "ഭാഗങ്ങളായി വിഭജിച്ചു")
	}
	return domain.T(s, s)
}
