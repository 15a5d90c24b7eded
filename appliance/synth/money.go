package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
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
