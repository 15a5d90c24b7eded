package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/identity"
	"ksmart/appliance/propertytax"
)

// PropertyTaxSeeded counts what SeedPropertyTax did.
type PropertyTaxSeeded struct {
	Claimed  int // the demo citizen's buildings linked to their account
	Paid     int // buildings that owe nothing now
	PartPaid int // buildings that paid some of what they owe
	Overdue  int // buildings with an instalment past its due date unpaid
	Receipts int
	Online   int // of them, paid through the gateway
	Months   int // months of penal interest charged
}

// SeedPropertyTax gives the demo ward's register (SeedDemo's buildings)
// its money: the demo citizen's buildings claimed for their account (the
// register gives their mobile number), penal interest charged on every
// overdue half-year, then a quarter of the buildings paid up — at the
// cash counter in cash, by UPI at the counter, or online through the
// gateway (gw; nil leaves the online part out) — some part-paid, and the
// rest overdue, gathering interest. It runs once, on a fresh demo, after
// SeedDemo.
func SeedPropertyTax(app *appliance.Appliance, gw Settler, seed uint64) (PropertyTaxSeeded, error) {
	var out PropertyTaxSeeded
	pt, f := app.PropertyTax, app.Finance
	if pt == nil || f == nil {
		return out, nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x7a8))
	staff, err := app.Identity.List(identity.KindStaff)
	if err != nil {
		return out, err
	}
	byRole := map[domain.Role]domain.Actor{}
	for _, u := range staff {
		for _, r := range u.Roles {
			byRole[r] = u.Actor()
		}
	}
	cashier, office := byRole[domain.RoleCashier], byRole[domain.RoleAccountant]
	if len(cashier.Roles) == 0 || len(office.Roles) == 0 {
		return out, fmt.Errorf("demo property tax: the demo office has no cashier or accountant (run SeedDemo first)")
	}
	citizens, err := app.Identity.List(identity.KindCitizen)
	if err != nil {
		return out, err
	}
	var citizen domain.Actor
	for _, u := range citizens {
		if strings.HasSuffix(u.Phone, DemoCitizenPhone) || strings.HasSuffix(u.Login, DemoCitizenPhone) {
			citizen = u.Actor()
		}
	}
	bs, err := pt.ByWard(1, "", 0)
	if err != nil {
		return out, err
	}

	// The demo citizen finds their buildings on their page: the register
	// gives their verified mobile number, so each claim goes through.
	mine := map[string]bool{}
	for _, b := range bs {
		if citizen.ID == "" || len(b.Owners) == 0 || !strings.HasSuffix(b.Owners[0].Phone, DemoCitizenPhone) {
			continue
		}
		if _, err := pt.Claim(citizen, b.Number); err != nil {
			return out, fmt.Errorf("demo property tax: the demo citizen claiming %s: %w", b.Number, err)
		}
		mine[b.ID] = true
	}
	// Counted from their account, which also holds any building their own
	// demo application for an assessment registered (in whatever ward).
	if citizen.ID != "" {
		claimed, err := pt.ClaimedBy(citizen.ID)
		if err != nil {
			return out, err
		}
		out.Claimed = len(claimed)
	}

	// Interest on what is overdue, as the office's job would have charged it.
	if out.Months, err = pt.AccrueInterest(domain.System); err != nil {
		return out, err
	}

	pay := func(due propertytax.Due, amount domain.Paise, online bool) error {
		if online && gw != nil {
			o, err := f.PayOnline(context.Background(), office, due.ID)
			if err != nil {
				return fmt.Errorf("demo property tax paid online, %s: %w", due.Demand, err)
			}
			back, err := gw.Settle(o.GatewayID, true)
			if err != nil {
				return err
			}
			u, err := url.Parse(back)
			if err != nil {
				return err
			}
			if _, err := f.Returned(context.Background(), u.Query()); err != nil {
				return fmt.Errorf("demo property tax paid online, %s, returning: %w", due.Demand, err)
			}
			out.Online++
			out.Receipts++
			return nil
		}
		p := finance.Payment{Counter: f.Counters[rng.IntN(len(f.Counters))].Code, Amount: amount, Mode: finance.ModeCash}
		if rng.IntN(3) == 0 {
			p.Mode, p.Instrument = finance.ModeUPI, finance.Instrument{Reference: fmt.Sprintf("%012d", rng.Int64N(1e12))}
		}
		if _, err := f.Collect(cashier, due.ID, p); err != nil {
			return fmt.Errorf("demo property tax at the counter, %s: %w", due.Demand, err)
		}
		out.Receipts++
		return nil
	}
	claimedPaid := false
	for _, b := range bs {
		dues, err := pt.Dues(b.ID)
		if err != nil {
			return out, err
		}
		if propertytax.Owed(dues) == 0 {
			continue // exempt
		}
		k := rng.IntN(20)
		if mine[b.ID] { // the demo citizen: one building paid up, the rest owing
			k = 19
			if !claimedPaid {
				k, claimedPaid = 0, true
			}
		}
		switch {
		case k < 5: // paid up: every half-year, with its interest
			online := rng.IntN(3) == 0
			for _, d := range dues {
				if d.Balance > 0 {
					if err := pay(d, d.Balance, online); err != nil {
						return out, err
					}
				}
			}
			out.Paid++
		case k < 8: // part-paid: the oldest half-year, and part of the next
			paid := 0
			for _, d := range dues {
				if d.Balance <= 0 {
					continue
				}
				if paid == 0 {
					if err := pay(d, d.Balance, false); err != nil {
						return out, err
					}
				} else {
					if err := pay(d, max(d.Balance/3/100*100, 100), false); err != nil {
						return out, err
					}
					break
				}
				paid++
			}
			out.PartPaid++
		}
	}
	for _, b := range bs {
		dues, err := pt.Dues(b.ID)
		if err != nil {
			return out, err
		}
		for _, d := range dues {
			if d.Balance > 0 && d.Months > 0 {
				out.Overdue++
				break
			}
		}
	}
	return out, nil
}
