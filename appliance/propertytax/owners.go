package propertytax

import (
	"context"
	"errors"
	"fmt"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/store"
)

// An owner who claims a building, or whom the office links to it, takes
// over what it still owes (in link's write): the half-years raised before,
// in nobody's name or in the name of an account that no longer holds the
// building, are put in theirs, so they see them among their payments, pay
// them online and download the receipts. Later half-years are raised in
// their name already (instalment).

// duesNotClaimed lists the ids of a building's demands still owed that
// are in no claimant's name.
func (p *PropertyTax) duesNotClaimed(tx *store.Tx, b Building) ([]string, error) {
	dues, err := p.duesIn(tx, b.ID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range dues {
		if d.Balance <= 0 {
			continue
		}
		dem, err := p.Finance.DemandIn(tx, d.ID)
		if err != nil {
			return nil, err
		}
		if dem.Payer.UserID == "" || !b.OwnedBy(dem.Payer.UserID) {
			ids = append(ids, d.ID)
		}
	}
	return ids, nil
}

// DueFor returns a building's demand for a half-year ("2026-27/H1"),
// refusing, with the field named, a half-year not demanded on it.
func (p *PropertyTax) DueFor(b Building, period string) (Due, error) {
	per, err := ParsePeriod(period)
	if err != nil {
		return Due{}, domain.FieldErrors{"period": domain.T(err.Error(), "അർദ്ധവർഷം 2026-27/H1 എന്ന രൂപത്തിൽ നൽകുക.")}.Err()
	}
	dues, err := p.Dues(b.ID)
	if err != nil {
		return Due{}, err
	}
	for _, d := range dues {
		if d.Period == per.String() {
			return d, nil
		}
	}
	return Due{}, domain.FieldErrors{"period": domain.T(
		fmt.Sprintf("Nothing is demanded on building %s for %s: pay one of the half-years its page lists.", b.Number, per),
		fmt.Sprintf("%s എന്ന കെട്ടിടത്തിന് %s-ന് ഡിമാൻഡ് ഇല്ല: അതിന്റെ പേജിലുള്ള അർദ്ധവർഷങ്ങളിൽ ഒന്ന് അടയ്ക്കുക.", b.Number, per))}.Err()
}

// PayOnline starts paying a building's half-year online through the
// gateway (finance's PayOnline), for the citizen who claimed the building
// (the demand is put in their name first, so the receipt is theirs) or
// for office staff on the owner's behalf. A half-year not demanded, or
// paid already, is refused and nothing is written.
func (p *PropertyTax) PayOnline(ctx context.Context, by domain.Actor, ref, period string) (finance.Order, error) {
	if p.Finance == nil {
		return finance.Order{}, ErrNoMoney
	}
	b, err := p.Owned(by, ref)
	if err != nil {
		return finance.Order{}, err
	}
	d, err := p.DueFor(b, period)
	if err != nil {
		return finance.Order{}, err
	}
	if d.Balance <= 0 {
		return finance.Order{}, domain.Bilingual(domain.ECONFLICT, domain.T(
			fmt.Sprintf("%s of building %s is paid; nothing is owed on it.", d.Period, b.Number),
			fmt.Sprintf("%s കെട്ടിടത്തിന്റെ %s അടച്ചതാണ്; ഒന്നും അടയ്ക്കാനില്ല.", b.Number, d.Period)))
	}
	if by.Has(domain.RoleCitizen) {
		_, err := p.Store.Write(func(tx *store.Tx) error {
			n, err := p.Finance.NamePayerIn(tx, []string{d.ID}, by.ID, by)
			if err == nil && n == 0 {
				return errNothing
			}
			return err
		})
		if err != nil && !errors.Is(err, errNothing) {
			return finance.Order{}, err
		}
	}
	return p.Finance.PayOnline(ctx, by, d.ID)
}

// UPI is the upi://pay address to pay what is owed on a building's
// half-year by (finance's UPIURI of its demand): "" when the office has
// no UPI address or nothing is owed.
func (p *PropertyTax) UPI(d Due) string {
	if p.Finance == nil || d.Balance <= 0 {
		return ""
	}
	var dem finance.Demand
	if err := p.Store.View(func(tx *store.Tx) (err error) { dem, err = p.Finance.DemandIn(tx, d.ID); return err }); err != nil {
		return ""
	}
	return p.Finance.UPIURI(dem)
}
