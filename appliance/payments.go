package appliance

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/propertytax"
)

var counterCode = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,3}$`)

// openFinance gives the finance module the local body's payment settings,
// makes it the workflow's Money, and checks every offered service's fee
// against the chart of accounts: a fee credited to a head the chart has not
// stops the start, every such service named.
func (a *Appliance) openFinance(cfg PaymentsConfig) error {
	f := a.Finance
	f.Gateway, f.UPI = cfg.Gateway, cfg.UPI
	if len(cfg.Counters) > 0 {
		for _, c := range cfg.Counters {
			if !counterCode.MatchString(c.Code) || c.Code == finance.OnlineCounter || c.Name.En == "" || c.Name.Ml == "" {
				return fmt.Errorf("counter %q: a counter's code is 1-4 capital letters or digits (not %s), and it has a name in English and Malayalam", c.Code, finance.OnlineCounter)
			}
		}
		f.Counters = cfg.Counters
	}
	var problems []string
	for _, svc := range a.Catalogue.All() {
		if !a.Catalogue.Available(svc.Code) {
			continue
		}
		if err := f.CheckFee(svc); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the service catalogue and the chart of accounts disagree; ksmart will not start until they are fixed:\n%s", strings.Join(problems, "\n"))
	}
	a.Workflow.Money = f
	if a.Civil != nil {
		a.Civil.CopyFees = kioskCopies{f}
	}
	return nil
}

// kioskCopies gives civil registration the finance module's demands for
// kiosk copies, in civil's own terms.
type kioskCopies struct{ f *finance.Finance }

func (k kioskCopies) ChargeCopy(kiosk domain.Actor, svc catalogue.Service, entryID, entryNumber string, title domain.Text) (civil.CopyDemand, error) {
	d, err := k.f.ChargeCopy(kiosk, svc, finance.Ref{ID: entryID, Number: entryNumber, Title: title})
	return k.copy(d), err
}

func (k kioskCopies) CopyDemand(number string) (civil.CopyDemand, error) {
	d, err := k.f.CopyDemand(number)
	return k.copy(d), err
}

func (k kioskCopies) copy(d finance.Demand) civil.CopyDemand {
	lapsed := len(d.Decisions) > 0 && d.Decisions[len(d.Decisions)-1].Kind == finance.DecisionLapsed
	return civil.CopyDemand{Number: d.Number, EntryID: d.Ref.ID, Amount: d.Amount, Balance: d.Balance(),
		Lapsed: lapsed, Due: d.Due, UPI: k.f.UPIURI(d)}
}

// runReconciliation asks the gateway, every minute, about online payments
// still open after ten minutes, until the appliance closes.
func (a *Appliance) runReconciliation() {
	if a.Finance == nil || a.Finance.Gateway == nil {
		return
	}
	a.Finance.RunReconciliation(time.Minute, 10*time.Minute, a.closing)
}

// openPropertyTax gives property tax the money module and the council's
// rules, and checks that every head its rules credit is an income head of
// the chart of accounts: a wrong head stops the start.
func (a *Appliance) openPropertyTax(rules []byte) error {
	pt := a.PropertyTax
	if len(rules) > 0 {
		r, err := propertytax.ParseCouncilRules(rules, a.LocalBody.Kind)
		if err != nil {
			return err
		}
		pt.Rules = r
	}
	if a.Finance == nil {
		return nil
	}
	pt.Finance = a.Finance
	h := pt.Rules.Local.Heads
	var problems []string
	for name, code := range map[string]string{"tax": h.Tax, "cess": h.Cess, "interest": h.Interest, "fine": h.Fine, "mutation_fee": h.MutationFee} {
		if !a.Finance.Chart.Income(code) {
			problems = append(problems, fmt.Sprintf("heads.%s %q", name, code))
		}
	}
	if tax, _ := a.Finance.Chart.Head(h.Tax); len(problems) == 0 {
		for _, code := range []string{h.Cess, h.Interest} {
			if c, _ := a.Finance.Chart.Head(code); c.Receivable != tax.Receivable {
				problems = append(problems, fmt.Sprintf("heads %s is owed under %s, not the tax's %s", code, c.Receivable, tax.Receivable))
			}
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("property tax: these heads are not income heads of the chart of accounts (or not owed with the tax): %s", strings.Join(problems, "; "))
	}
	return nil
}
