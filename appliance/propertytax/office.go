package propertytax

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// What the pages and the API read of the register, and who may read it:
// a citizen the buildings they claimed, office staff any building, the
// revenue section and the accountant the register of a ward, its demand,
// collection and balance, and its defaulters.

// The roles that may act on the register, named once: web's routes open
// their doors to these, and the functions below check them again.
var (
	// ReaderRoles read the register ward by ward, the DCB register and
	// the defaulters: the revenue section and the accountant.
	ReaderRoles = []domain.Role{domain.RoleSectionClerk, domain.RoleRevenueInspector, domain.RoleSecretary, domain.RoleAccountant}
	// SurveyorRoles enter a surveyed building in the register (Register).
	SurveyorRoles = []domain.Role{domain.RoleRevenueInspector, domain.RoleSecretary}
	// LinkerRoles link an owner to a citizen's account (Link).
	LinkerRoles = []domain.Role{domain.RoleRevenueInspector, domain.RoleSectionClerk, domain.RoleSecretary}
	// DemandJobRoles run the current half-year's demand job.
	DemandJobRoles = []domain.Role{domain.RoleSecretary, domain.RoleAccountant}
)

var idPattern = regexp.MustCompile(`^(\d{3})-(\d{6})([A-Z]{0,2})$`)

// lookup reads a building by its number ("12/345A") or its id
// ("012-000345A", as links carry it).
func (p *PropertyTax) lookup(ref string) (Building, error) {
	if m := idPattern.FindStringSubmatch(ref); m != nil {
		w, _ := strconv.Atoi(m[1])
		d, _ := strconv.Atoi(m[2])
		ref = Number{Ward: w, Door: d, Sub: m[3]}.String()
	}
	return p.Building(ref)
}

// mayReadAny reports whether the actor is office staff, who may read any
// building (the kiosk may not).
func mayReadAny(by domain.Actor) bool { return by.IsStaff() && !by.Has(domain.RoleKiosk) }

// Owned returns a building by number or id to the citizen who claimed it,
// or to office staff. Anyone else is told it is not among their buildings
// (not found, not forbidden: nobody learns who claimed what by trying
// numbers). A number that is not one is refused, naming the field.
func (p *PropertyTax) Owned(by domain.Actor, ref string) (Building, error) {
	b, err := p.lookup(ref)
	if err != nil {
		return Building{}, err
	}
	if mayReadAny(by) || (by.Has(domain.RoleCitizen) && b.OwnedBy(by.ID)) {
		return b, nil
	}
	return Building{}, domain.Bilingual(domain.ENOTFOUND, domain.T(
		fmt.Sprintf("Building %s is not among the buildings on your account. Find it under Property tax and claim it as its owner.", b.Number),
		fmt.Sprintf("%s എന്ന കെട്ടിടം നിങ്ങളുടെ അക്കൗണ്ടിലെ കെട്ടിടങ്ങളിൽ ഇല്ല. വസ്തു നികുതി എന്നതിൽ കണ്ടെത്തി ഉടമയായി ചേർക്കുക.", b.Number)))
}

// Examine returns a building with its owners' particulars (phones
// included) to office staff, and records the reading: it is a read of
// personal data by staff.
func (p *PropertyTax) Examine(by domain.Actor, ref string) (Building, error) {
	if !mayReadAny(by) {
		return Building{}, domain.Errorf(domain.EFORBIDDEN, "Only office staff read a building's owners' particulars.")
	}
	b, err := p.lookup(ref)
	if err != nil {
		return Building{}, err
	}
	_, err = p.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventBuildingViewed, entityBuilding, b.ID, map[string]string{"number": b.Number})
	})
	return b, err
}

// Public is the building as the register shows it to anyone: without its
// owners' phones or the accounts that claimed it.
func (b Building) Public() Building {
	b.Owners = append([]Owner(nil), b.Owners...)
	for i := range b.Owners {
		b.Owners[i].Phone, b.Owners[i].UserID = "", ""
	}
	return b
}

// Summary is a building's line in a list: what it is, its annual tax and
// what it owes.
type Summary struct {
	ID         string       `json:"-"`
	Number     string       `json:"number"`
	Ward       int          `json:"-"`
	Owners     domain.Text  `json:"-"`
	Use        string       `json:"-"`
	PlinthArea Area         `json:"-"`
	Status     string       `json:"-"`
	Exempt     string       `json:"-"`
	AnnualTax  domain.Paise `json:"annual_tax_paise"`
	Balance    domain.Paise `json:"balance_paise"`
}

// AnnualTax is a building's tax with its service cess for the financial
// year now falls in (what its two instalments add up to), and the ground
// it is exempt on (0 and the ground when exempt; 0 when no longer active).
func (p *PropertyTax) AnnualTax(b Building) (domain.Paise, string) {
	if b.Status != StatusActive {
		return 0, ""
	}
	a, err := p.Rules.Assess(b, PeriodOf(p.Now()).Year)
	if err != nil {
		return 0, ""
	}
	return a.Total(), a.Exempt
}

func (p *PropertyTax) summaryIn(tx *store.Tx, b Building) (Summary, error) {
	dues, err := p.duesIn(tx, b.ID)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{ID: b.ID, Number: b.Number, Ward: b.Ward, Owners: domain.T(b.OwnerNames("en"), b.OwnerNames("ml")), Use: b.MainUse(),
		PlinthArea: b.PlinthArea(), Status: b.Status, Balance: Owed(dues)}
	s.AnnualTax, s.Exempt = p.AnnualTax(b)
	return s, nil
}

// Summaries lists buildings with what each owes.
func (p *PropertyTax) Summaries(bs []Building) ([]Summary, error) {
	out := make([]Summary, 0, len(bs))
	err := p.Store.View(func(tx *store.Tx) error {
		for _, b := range bs {
			s, err := p.summaryIn(tx, b)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// CheckWard refuses a ward the local body does not have, naming the field.
func (p *PropertyTax) CheckWard(ward int) error {
	if wardOf(p.LocalBody, ward) {
		return nil
	}
	return domain.FieldErrors{"ward": domain.T(fmt.Sprintf("Choose one of the wards of %s (ward %d is not one).", p.LocalBody.Name.En, ward),
		fmt.Sprintf("%s-ന്റെ വാർഡുകളിൽ ഒന്ന് തിരഞ്ഞെടുക്കുക (%d അതിലൊന്നല്ല).", p.LocalBody.Name.Ml, ward))}.Err()
}

// Ward lists a ward's buildings in number order with their annual tax and
// balance, for the revenue section and the accountant: limit after the id
// after ("" from the first; limit 0 for the whole ward). next is the id to
// ask after for the following page, "" at the end.
func (p *PropertyTax) Ward(by domain.Actor, ward int, after string, limit int) (list []Summary, next string, err error) {
	if !by.HasAny(ReaderRoles...) {
		return nil, "", domain.Errorf(domain.EFORBIDDEN, "Only the revenue section and the accountant read the register of buildings.")
	}
	if err := p.CheckWard(ward); err != nil {
		return nil, "", err
	}
	ask := limit
	if limit > 0 {
		ask = limit + 1
	}
	err = p.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityBuilding, store.ScanOptions{Prefix: wardPrefix(ward), After: after, Limit: ask}, func(_ string, raw []byte) error {
			var b Building
			if err := json.Unmarshal(raw, &b); err != nil {
				return err
			}
			s, err := p.summaryIn(tx, b)
			list = append(list, s)
			return err
		})
	})
	if limit > 0 && len(list) > limit {
		list, next = list[:limit], list[limit-1].ID
	}
	return list, next, err
}

// Assessment reckons a building's tax for the financial year now falls
// in, with how it was reckoned.
func (p *PropertyTax) Assessment(b Building) (Assessment, error) {
	return p.Rules.Assess(b, PeriodOf(p.Now()).Year)
}

// CurrentPeriod is the half-year now falls in.
func (p *PropertyTax) CurrentPeriod() Period { return PeriodOf(p.Now()) }

// RunDemandJob raises the current half-year's demands for the whole
// register (RaiseDemands), for the secretary or the accountant, and
// returns how far it got: done, how many raised, exempt and skipped.
func (p *PropertyTax) RunDemandJob(by domain.Actor) (DemandJob, error) {
	if !by.HasAny(DemandJobRoles...) {
		return DemandJob{}, domain.Errorf(domain.EFORBIDDEN, "Only the secretary or the accountant raises the half-year's demands.")
	}
	return p.RaiseDemands(p.CurrentPeriod(), by, nil)
}
