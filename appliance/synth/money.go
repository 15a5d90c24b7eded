package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/identity"
	"ksmart/appliance/workflow"
)

// payFees pays what is owed on a file at the cash counter, as its
// applicant would before it is issued: in cash mostly, some by cheque or
// UPI, received by the demo's cashier at the time at.
func payFees(wf *workflow.Workflow, rng *rand.Rand, f workflow.File, byRole map[domain.Role]domain.Actor, at time.Time) error {
	fin, ok := wf.Money.(*finance.Finance)
	if !ok {
		return nil
	}
	money, err := fin.OfFile(f.ID)
	if err != nil {
		return err
	}
	counter := *fin
	counter.Now = func() time.Time { return at }
	for _, d := range money.Demands {
		if d.Balance() <= 0 {
			continue
		}
		p := finance.Payment{Counter: fin.Counters[rng.IntN(len(fin.Counters))].Code, Amount: d.Balance(), Mode: finance.ModeCash}
		switch r := rng.IntN(10); {
		case r == 0:
			p.Mode = finance.ModeCheque
			p.Instrument = finance.Instrument{Bank: "State Bank of India, Fort branch", Number: fmt.Sprintf("%06d", 100000+rng.IntN(900000)),
				Date: at.In(domain.IST).AddDate(0, 0, -rng.IntN(5)).Format(time.DateOnly)}
		case r < 4:
			p.Mode = finance.ModeUPI
			p.Instrument = finance.Instrument{Reference: fmt.Sprintf("%012d", rng.Int64N(1e12))}
		}
		if _, err := counter.Collect(byRole[domain.RoleCashier], d.ID, p); err != nil {
			return fmt.Errorf("paying %s on %s: %w", d.Number, f.Number, err)
		}
	}
	return nil
}

// Settler completes a payment at the gateway, as a payer on its page
// would, and returns the address the payer is sent back to (the demo's
// sandbox gateway).
type Settler interface {
	Settle(id string, paid bool) (string, error)
}

// SeedMoney gives the demo's accounts what a week of an office's money
// looks like beyond the fees its files were paid with: citizens paying
// online through the gateway, one online payment the gateway took but
// whose answer never came (left for the reconciliation), one receipt
// cancelled by the secretary, and the first day's cash at the counter
// closed and remitted to the bank. gw nil leaves out the online part.
func SeedMoney(app *appliance.Appliance, gw Settler, seed uint64) error {
	f := app.Finance
	if f == nil {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x40e7))
	staff, err := app.Identity.List(identity.KindStaff)
	if err != nil {
		return err
	}
	byRole := map[domain.Role]domain.Actor{}
	for _, u := range staff {
		for _, r := range u.Roles {
			byRole[r] = u.Actor()
		}
	}
	citizens, err := app.Identity.List(identity.KindCitizen)
	if err != nil {
		return err
	}
	var open []finance.Demand
	for _, c := range citizens {
		list, err := f.OwedBy(c.ID, 100)
		if err != nil {
			return err
		}
		for _, d := range list {
			if d.Balance() > 0 {
				open = append(open, d)
			}
		}
	}
	rng.Shuffle(len(open), func(i, j int) { open[i], open[j] = open[j], open[i] })
	if gw != nil && len(open) > 0 {
		for i, d := range open[:min(len(open), 6)] {
			payer := domain.Actor{ID: d.Payer.UserID, Roles: []domain.Role{domain.RoleCitizen}}
			o, err := f.PayOnline(context.Background(), payer, d.ID)
			if err != nil {
				return fmt.Errorf("demo online payment of %s: %w", d.Number, err)
			}
			back, err := gw.Settle(o.GatewayID, true)
			if err != nil {
				return err
			}
			if i == 0 {
				continue // paid at the gateway; its answer never came: the reconciliation's
			}
			u, err := url.Parse(back)
			if err != nil {
				return err
			}
			if _, err := f.Returned(context.Background(), u.Query()); err != nil {
				return fmt.Errorf("demo online payment of %s returning: %w", d.Number, err)
			}
		}
	}
	// The first day's cash at each counter: closed and remitted; one of its
	// receipts cancelled by the secretary first.
	for _, c := range f.Counters {
		for day := f.Now().AddDate(0, 0, -30); day.Before(f.Now().AddDate(0, 0, -1)); day = day.AddDate(0, 0, 1) {
			date := day.In(domain.IST).Format(time.DateOnly)
			col, err := f.Collections(byRole[domain.RoleAccountant], c.Code, date)
			if err != nil {
				return err
			}
			if len(col.Receipts) == 0 {
				continue
			}
			if r := col.Receipts[0]; len(col.Receipts) > 1 && r.Mode == finance.ModeCash {
				if _, err := f.Cancel(byRole[domain.RoleSecretary], r.Number, "Entered at the wrong counter; taken again at the right one."); err != nil {
					return err
				}
				other := f.Counters[len(f.Counters)-1].Code
				if _, err := f.Collect(byRole[domain.RoleCashier], r.Demand, finance.Payment{Counter: other, Amount: r.Amount, Mode: finance.ModeCash}); err != nil {
					return err
				}
			}
			if _, err := f.CloseDay(byRole[domain.RoleCashier], c.Code, date); err != nil {
				return err
			}
			if _, err := f.Remit(byRole[domain.RoleAccountant], c.Code, date, fmt.Sprintf("SBI-%s-%d", strings.ReplaceAll(date, "-", ""), 100+rng.IntN(900))); err != nil {
				return err
			}
			break
		}
	}
	return nil
}
