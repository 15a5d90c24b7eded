package propertytax

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/identity"
	"ksmart/store"
)

// PropertyTax is the module's instance on one node: the register, its
// rules, and the money module it raises demands in.
type PropertyTax struct {
	Store *store.Store
	// Finance is the money module; the appliance sets it after both are
	// open. Without it no demand is raised.
	Finance   *finance.Finance
	Rules     *Rules
	LocalBody domain.LocalBody
	Documents *documents.Renderer
	Identity  *identity.Service
	// PublicURL is the address QR codes on notices and orders point to.
	PublicURL func() string
	Now       func() time.Time
	Logger    *slog.Logger
}

// notFound is the answer for a building number not in the register.
func notFound(number string) error {
	return domain.Bilingual(domain.ENOTFOUND, domain.T(
		fmt.Sprintf("There is no building %s in the register. Check the number on your tax receipt or notice (ward/door number, e.g. 12/345).", number),
		fmt.Sprintf("%s എന്ന കെട്ടിടം രജിസ്റ്ററിൽ ഇല്ല. നികുതി രസീതിലോ നോട്ടീസിലോ ഉള്ള നമ്പർ പരിശോധിക്കുക (വാർഡ്/വാതിൽ നമ്പർ, ഉദാ. 12/345).", number)))
}

// Building reads a building by its number ("12/345A") as anyone may see
// it: the register is public, but web shows owners' phones to the office
// only.
func (p *PropertyTax) Building(number string) (Building, error) {
	n, err := ParseNumber(number)
	if err != nil {
		return Building{}, domain.FieldErrors{"number": domain.T(err.Error(), "കെട്ടിട നമ്പർ വാർഡ്/വാതിൽ നമ്പർ ആയി നൽകുക (ഉദാ. 12/345).")}.Err()
	}
	var b Building
	err = p.Store.View(func(tx *store.Tx) (err error) { b, err = getBuilding(tx, n.ID()); return err })
	if errors.Is(err, store.ErrNotFound) {
		return Building{}, notFound(n.String())
	}
	return b, err
}

func getBuilding(tx *store.Tx, id string) (Building, error) {
	var b Building
	err := tx.Get(entityBuilding, id, &b)
	return b, err
}

// ByWard lists a ward's buildings in number order, limit after the id
// after ("" from the first).
func (p *PropertyTax) ByWard(ward int, after string, limit int) ([]Building, error) {
	var out []Building
	err := p.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityBuilding, store.ScanOptions{Prefix: fmt.Sprintf("%03d-", ward), After: after, Limit: limit}, func(_ string, raw []byte) error {
			var b Building
			if err := json.Unmarshal(raw, &b); err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
	})
	return out, err
}

// ClaimedBy lists the buildings a citizen has claimed.
func (p *PropertyTax) ClaimedBy(userID string) ([]Building, error) {
	var out []Building
	err := p.Store.View(func(tx *store.Tx) error {
		ids, err := tx.IDsUnder(entityUser, userID, store.ScanOptions{})
		if err != nil {
			return err
		}
		for _, id := range ids {
			b, err := getBuilding(tx, id)
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}

// register stages a new building in tx: its number must be free.
func (p *PropertyTax) register(tx *store.Tx, b *Building, by domain.Actor, facts map[string]any) error {
	n, err := ParseNumber(b.Number)
	if err != nil {
		return err
	}
	b.ID, b.Number, b.Ward = n.ID(), n.String(), n.Ward
	if tx.Exists(entityBuilding, b.ID) {
		return domain.FieldErrors{"building_number": domain.T(
			fmt.Sprintf("Building %s is already in the register: a second building needs a number of its own (e.g. a sub-number %sA).", b.Number, b.Number),
			fmt.Sprintf("%s എന്ന കെട്ടിടം രജിസ്റ്ററിൽ ഇപ്പോൾ തന്നെയുണ്ട്: രണ്ടാമത്തെ കെട്ടിടത്തിന് സ്വന്തം നമ്പർ വേണം (ഉദാ. ഉപനമ്പർ %sA).", b.Number, b.Number))}.Err()
	}
	now := p.Now()
	b.Status, b.Registered, b.Changed, b.Version = StatusActive, now, now, 1
	if err := p.putBuilding(tx, b, nil); err != nil {
		return err
	}
	return tx.Emit(by.ID, EventBuildingRegistered, entityBuilding, b.ID, withBuilding(facts, *b))
}

// change stages a changed building in tx, with the event that says why.
func (p *PropertyTax) change(tx *store.Tx, before Building, b *Building, typ store.EventType, by domain.Actor, facts map[string]any) error {
	b.Version = before.Version + 1
	b.Changed = p.Now()
	if err := p.putBuilding(tx, b, &before); err != nil {
		return err
	}
	return tx.Emit(by.ID, typ, entityBuilding, b.ID, withBuilding(facts, *b))
}

// putBuilding stores a building and keeps its owners' claims indexed.
func (p *PropertyTax) putBuilding(tx *store.Tx, b *Building, before *Building) error {
	if before != nil {
		for _, o := range before.Owners {
			if o.UserID != "" && !b.OwnedBy(o.UserID) {
				if err := tx.Delete(entityUser, o.UserID+"/"+b.ID); err != nil {
					return err
				}
			}
		}
	}
	for _, o := range b.Owners {
		if o.UserID != "" {
			if err := tx.PutRaw(entityUser, o.UserID+"/"+b.ID, []byte(`"`+b.ID+`"`)); err != nil {
				return err
			}
		}
	}
	return tx.Put(entityBuilding, b.ID, b)
}

func withBuilding(facts map[string]any, b Building) map[string]any {
	out := map[string]any{"building": b}
	for k, v := range facts {
		out[k] = v
	}
	return out
}

// Claim links a building to the citizen's account, when the register
// names them: one of its owners has the mobile number the citizen signed
// up with and verified. Anyone else is told to ask the office, which can
// link an owner to an account (Link).
func (p *PropertyTax) Claim(citizen domain.Actor, number string) (Building, error) {
	if !citizen.Has(domain.RoleCitizen) {
		return Building{}, domain.Errorf(domain.EFORBIDDEN, "Only a citizen claims a building as theirs.")
	}
	u, err := p.Identity.Get(citizen.ID)
	if err != nil {
		return Building{}, err
	}
	b, err := p.Building(number)
	if err != nil {
		return Building{}, err
	}
	for i, o := range b.Owners {
		if u.Verified && samePhone(o.Phone, u.Phone) {
			return p.link(b, i, citizen.ID, citizen)
		}
	}
	return Building{}, domain.Bilingual(domain.EFORBIDDEN, domain.T(
		fmt.Sprintf("The register does not give your mobile number for %s. Bring the title deed or a tax receipt to the revenue section, which can add the building to your account.", b.Number),
		fmt.Sprintf("%s-ന് രജിസ്റ്ററിൽ നിങ്ങളുടെ മൊബൈൽ നമ്പർ ഇല്ല. ആധാരമോ നികുതി രസീതോ റവന്യൂ വിഭാഗത്തിൽ കൊണ്ടുവരിക; അവർക്ക് കെട്ടിടം നിങ്ങളുടെ അക്കൗണ്ടിൽ ചേർക്കാം.", b.Number)))
}

// Link links owner i of a building to a citizen account: the revenue
// section's decision on a claim it has seen the deed for.
func (p *PropertyTax) Link(by domain.Actor, number string, owner int, userID string) (Building, error) {
	if !by.HasAny(domain.RoleRevenueInspector, domain.RoleSectionClerk, domain.RoleSecretary) {
		return Building{}, domain.Errorf(domain.EFORBIDDEN, "Only the revenue section links a building to an owner's account.")
	}
	u, err := p.Identity.Get(userID)
	if err != nil || !u.Verified || u.Kind != identity.KindCitizen {
		return Building{}, domain.FieldErrors{"user": domain.T("Give the owner's verified citizen account.", "ഉടമയുടെ സ്ഥിരീകരിച്ച പൗര അക്കൗണ്ട് നൽകുക.")}.Err()
	}
	b, err := p.Building(number)
	if err != nil {
		return Building{}, err
	}
	if owner < 0 || owner >= len(b.Owners) {
		return Building{}, domain.FieldErrors{"owner": domain.T("Choose one of the building's owners.", "കെട്ടിടത്തിന്റെ ഉടമകളിൽ ഒരാളെ തിരഞ്ഞെടുക്കുക.")}.Err()
	}
	return p.link(b, owner, userID, by)
}

func (p *PropertyTax) link(b Building, owner int, userID string, by domain.Actor) (Building, error) {
	before := b
	b.Owners = append([]Owner(nil), b.Owners...)
	b.Owners[owner].UserID = userID
	_, err := p.Store.Write(func(tx *store.Tx) error {
		cur, err := getBuilding(tx, b.ID)
		if err != nil {
			return err
		}
		if cur.Version != before.Version {
			return domain.Errorf(domain.ECONFLICT, "The building changed meanwhile; try again.")
		}
		if err := p.change(tx, before, &b, EventBuildingClaimed, by, map[string]any{"owner": owner, "user": userID}); err != nil {
			return err
		}
		// The half-years it still owes become the owner's, in the same
		// write: they see them, pay them online and keep the receipts.
		if p.Finance == nil {
			return nil
		}
		ids, err := p.duesNotClaimed(tx, b)
		if err != nil {
			return err
		}
		_, err = p.Finance.NamePayerIn(tx, ids, userID, by)
		return err
	})
	return b, err
}

// samePhone compares Indian mobile numbers by their last ten digits.
func samePhone(a, b string) bool {
	digits := func(s string) string {
		var d []rune
		for _, r := range s {
			if r >= '0' && r <= '9' {
				d = append(d, r)
			}
		}
		if len(d) > 10 {
			d = d[len(d)-10:]
		}
		return string(d)
	}
	da, db := digits(a), digits(b)
	return len(da) == 10 && da == db && !strings.HasPrefix(da, "0")
}

// Register enters a building in the register directly: a building the
// revenue inspector surveyed, or one brought from the register kept before
// ksmart. Its particulars are checked as any application's, its number
// must be free, and its demands from TaxedFrom to the current half-year
// are raised in the same write.
func (p *PropertyTax) Register(by domain.Actor, b Building) (Building, error) {
	if !by.HasAny(domain.RoleRevenueInspector, domain.RoleSecretary) && by.ID != domain.System.ID {
		return Building{}, domain.Errorf(domain.EFORBIDDEN, "Only the revenue inspector or the secretary enters a building in the register directly.")
	}
	now := p.Now()
	fe := p.Rules.Check(b, p.LocalBody, now)
	from := PeriodOf(now)
	if b.TaxedFrom != "" {
		per, err := ParsePeriod(b.TaxedFrom)
		if err != nil || per.Year < p.Rules.Statutory.BaseYear || from.Before(per) {
			fe.Add("taxed_from", domain.T(fmt.Sprintf("Give the first half-year taxed, from %d-%02d/H1 to %s (e.g. 2025-26/H1).", p.Rules.Statutory.BaseYear, (p.Rules.Statutory.BaseYear+1)%100, from),
				"നികുതി ആരംഭിക്കുന്ന അർദ്ധവർഷം നൽകുക (ഉദാ. 2025-26/H1)."))
		} else {
			from = per
		}
	}
	if err := fe.Err(); err != nil {
		return Building{}, err
	}
	b.TaxedFrom = from.String()
	_, err := p.Store.Write(func(tx *store.Tx) error {
		if err := p.register(tx, &b, by, nil); err != nil {
			return err
		}
		if p.Finance == nil {
			return nil
		}
		_, err := p.raiseFor(tx, b, from, PeriodOf(now), by)
		return err
	})
	return b, err
}

// RegisterMany enters buildings in the register as Register does, many to
// a write (a survey's results, a legacy register, the demo's ward). A
// building that does not check, or whose number is taken, refuses the
// whole write, naming it.
func (p *PropertyTax) RegisterMany(by domain.Actor, bs []Building) error {
	if !by.HasAny(domain.RoleRevenueInspector, domain.RoleSecretary) && by.ID != domain.System.ID {
		return domain.Errorf(domain.EFORBIDDEN, "Only the revenue inspector or the secretary enters buildings in the register directly.")
	}
	now := p.Now()
	cur := PeriodOf(now)
	froms := make([]Period, len(bs))
	for i := range bs {
		froms[i] = cur
		if bs[i].TaxedFrom != "" {
			per, err := ParsePeriod(bs[i].TaxedFrom)
			if err != nil || per.Year < p.Rules.Statutory.BaseYear || cur.Before(per) {
				return fmt.Errorf("building %s: taxed from %q, which is not a half-year from %d-%02d/H1 to %s", bs[i].Number, bs[i].TaxedFrom, p.Rules.Statutory.BaseYear, (p.Rules.Statutory.BaseYear+1)%100, cur)
			}
			froms[i] = per
		}
		if err := p.Rules.Check(bs[i], p.LocalBody, now).Err(); err != nil {
			return fmt.Errorf("building %s: %w%s", bs[i].Number, err, fieldList(err))
		}
		bs[i].TaxedFrom = froms[i].String()
	}
	_, err := p.Store.Write(func(tx *store.Tx) error {
		for i := range bs {
			if err := p.register(tx, &bs[i], by, nil); err != nil {
				return fmt.Errorf("building %s: %w", bs[i].Number, err)
			}
		}
		if p.Finance == nil {
			return nil
		}
		_, err := p.raiseEach(tx, bs, froms, cur, by)
		return err
	})
	return err
}

// fieldList spells out an error's fields, for a message that has no form
// to show them beside.
func fieldList(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return ""
	}
	var parts []string
	for _, k := range sortedKeys(de.Fields) {
		parts = append(parts, k+": "+de.Fields[k].En)
	}
	return " (" + strings.Join(parts, "; ") + ")"
}
