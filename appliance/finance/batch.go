package finance

import (
	"errors"
	"fmt"
	"slices"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Demands raised and interest accrued by a module's own jobs, inside the
// module's write: a property tax half-year raises a demand for every
// building of the register, a few hundred per write, and the month's penal
// interest grows every overdue one. Each batch posts one journal entry
// (the receivables debited and the incomes credited, head by head) and
// writes one event listing its demands, instead of one of each per demand:
// the books say the same, and a corporation's half-year fits in a minute.

// checkDemand checks a demand's head and parts before it is raised, and
// returns its head.
func (f *Finance) checkDemand(d *Demand) (Head, error) {
	head, ok := f.Chart.Head(d.Head)
	if !ok || head.Type != HeadIncome {
		return Head{}, fmt.Errorf("finance: %q is not an income head", d.Head)
	}
	if len(d.Parts) == 0 {
		return head, nil
	}
	var sum domain.Paise
	for _, p := range d.Parts {
		ph, ok := f.Chart.Head(p.Head)
		if !ok || ph.Type != HeadIncome || ph.Receivable != head.Receivable || p.Amount < 0 {
			return Head{}, fmt.Errorf("finance: part %+v of a demand under %s: its head must be an income head owed under %s, its amount not negative", p, d.Head, head.Receivable)
		}
		sum += p.Amount
	}
	if sum != d.Amount {
		return Head{}, fmt.Errorf("finance: a demand's parts add up to %v, not its amount %v", sum, d.Amount)
	}
	return head, nil
}

// numberDemand gives a new demand its id, number and state.
func (f *Finance) numberDemand(tx *store.Tx, d *Demand) error {
	n, err := tx.NextNumber(seqDemand)
	if err != nil {
		return err
	}
	d.ID, d.Number, d.State = id10(n), fmt.Sprintf("DM/%s/%d", FinancialYear(d.Raised), n), StateOpen
	return nil
}

// credits are the income lines that raising d posts: one per head.
func (d *Demand) credits() []Line {
	if len(d.Parts) == 0 {
		return []Line{{Head: d.Head, Credit: d.Amount}}
	}
	return sumLines(nil, d.Parts, false)
}

// sumLines adds parts to lines, one line per head, as credits (or debits),
// keeping the heads in the order first seen.
func sumLines(lines []Line, parts []Part, debit bool) []Line {
	for _, p := range parts {
		if p.Amount == 0 {
			continue
		}
		i := slices.IndexFunc(lines, func(l Line) bool { return l.Head == p.Head })
		if i < 0 {
			lines = append(lines, Line{Head: p.Head})
			i = len(lines) - 1
		}
		if debit {
			lines[i].Debit += p.Amount
		} else {
			lines[i].Credit += p.Amount
		}
	}
	return lines
}

// RaiseIn raises one demand inside the caller's write tx (a module's fee
// or fine decided in the same write): numbered, posted and stored.
func (f *Finance) RaiseIn(tx *store.Tx, d *Demand, by domain.Actor) error {
	if d.Raised.IsZero() {
		d.Raised = f.Now()
	}
	if d.Due.IsZero() {
		d.Due = d.Raised
	}
	if d.Pay == "" {
		d.Pay = "before_issue"
	}
	_, err := f.raise(tx, d, by)
	return err
}

// RaiseAll raises demands inside the caller's write tx with one journal
// entry for them all, dated the first's raising, and one event listing
// them. Each demand is numbered in turn; the caller has set everything
// else (payer, what it is for, head and parts, amount, dates).
func (f *Finance) RaiseAll(tx *store.Tx, ds []*Demand, narration domain.Text, by domain.Actor) (Entry, error) {
	if len(ds) == 0 {
		return Entry{}, nil
	}
	var lines []Line
	for _, d := range ds {
		if d.Amount <= 0 {
			return Entry{}, fmt.Errorf("finance: a demand of %v", d.Amount)
		}
		head, err := f.checkDemand(d)
		if err != nil {
			return Entry{}, err
		}
		if err := f.numberDemand(tx, d); err != nil {
			return Entry{}, err
		}
		lines = sumLines(lines, []Part{{Head: head.Receivable, Amount: d.Amount}}, true)
		lines = append(lines, d.credits()...)
	}
	e := Entry{Date: dateOf(ds[0].Raised), Posted: ds[0].Raised, By: by.ID, Ref: fmt.Sprintf("demands:%s-%s", ds[0].ID, ds[len(ds)-1].ID),
		Narration: narration, Lines: mergeLines(lines)}
	if err := f.post(tx, &e); err != nil {
		return Entry{}, err
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		if err := f.putDemand(tx, d, true); err != nil {
			return Entry{}, err
		}
		ids[i] = d.ID
	}
	return e, tx.Emit(by.ID, EventDemandsRaised, entityDemand, ids[0], map[string]any{"demands": ds, "entries": []Entry{e}})
}

// mergeLines sums lines of the same head and side into one.
func mergeLines(lines []Line) []Line {
	var out []Line
	for _, l := range lines {
		i := slices.IndexFunc(out, func(o Line) bool { return o.Head == l.Head && (o.Debit > 0) == (l.Debit > 0) })
		if i < 0 {
			out = append(out, l)
			continue
		}
		out[i].Debit += l.Debit
		out[i].Credit += l.Credit
	}
	return out
}

// Accrual is an amount a demand grows by: a month's penal interest.
type Accrual struct {
	Demand string // its id
	Part   Part
}

// AccrueAll grows demands inside the caller's write tx (the receivable
// debited, the part's income credited), with one journal entry dated
// today and one event. A demand that is settled, cancelled or written off
// grows no more: accruing on one is refused, as is a part whose head is
// not owed under the demand's receivable, or an accrual already made (the
// same part key twice).
func (f *Finance) AccrueAll(tx *store.Tx, accruals []Accrual, narration domain.Text, by domain.Actor) (Entry, error) {
	if len(accruals) == 0 {
		return Entry{}, nil
	}
	now := f.Now()
	var lines []Line
	changed := make([]Demand, 0, len(accruals))
	for _, a := range accruals {
		var d Demand
		if err := tx.Get(entityDemand, a.Demand, &d); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return Entry{}, fmt.Errorf("finance: accrual on demand %s, which does not exist", a.Demand)
			}
			return Entry{}, err
		}
		if d.State == StateCancelled || d.State == StateWrittenOff || a.Part.Amount <= 0 {
			return Entry{}, fmt.Errorf("finance: accrual of %v on demand %s, which is %s", a.Part.Amount, d.Number, d.State)
		}
		if a.Part.Key != "" && slices.ContainsFunc(d.Parts, func(p Part) bool { return p.Key == a.Part.Key }) {
			return Entry{}, fmt.Errorf("finance: demand %s already has its part %s", d.Number, a.Part.Key)
		}
		head, _ := f.Chart.Head(d.Head)
		if len(d.Parts) == 0 {
			d.Parts = []Part{{Head: d.Head, Amount: d.Amount, Name: d.Ref.Title}}
		}
		d.Parts = append(d.Parts, a.Part)
		d.Amount += a.Part.Amount
		if _, err := f.checkDemand(&d); err != nil {
			return Entry{}, err
		}
		d.settle()
		if err := f.putDemand(tx, &d, false); err != nil {
			return Entry{}, err
		}
		lines = sumLines(lines, []Part{{Head: head.Receivable, Amount: a.Part.Amount}}, true)
		lines = sumLines(lines, []Part{a.Part}, false)
		changed = append(changed, d)
	}
	e := Entry{Date: dateOf(now), Posted: now, By: by.ID, Ref: "accrued:" + accruals[0].Demand, Narration: narration, Lines: mergeLines(lines)}
	if err := f.post(tx, &e); err != nil {
		return Entry{}, err
	}
	return e, tx.Emit(by.ID, EventDemandsAccrued, entityDemand, accruals[0].Demand, map[string]any{"demands": changed, "entries": []Entry{e}})
}

// DemandsFor lists the demands raised for what kind and id name (a
// module's record: "building", its id), oldest first, read in tx.
func (f *Finance) DemandsFor(tx *store.Tx, kind, id string) ([]Demand, error) {
	return demandsOf(tx, kind, id)
}

// DemandIn reads a demand by id or number in tx.
func (f *Finance) DemandIn(tx *store.Tx, idOrNumber string) (Demand, error) {
	return findDemand(tx, idOrNumber)
}

// ReadDemand reads a demand by id in tx, from any store that holds
// finance's documents (a node's, or a state mirror's).
func ReadDemand(tx *store.Tx, id string) (Demand, error) {
	var d Demand
	err := tx.Get(entityDemand, id, &d)
	return d, err
}
