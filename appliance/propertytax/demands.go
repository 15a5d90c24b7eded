package propertytax

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// Each building owes one demand a half-year: its instalment of the year's
// tax and service cess, raised in the money module (finance) under the
// tax's head with the cess as a part of its own. Penal interest grows the
// same demand month by month once it is overdue, so a building's notice,
// the cashier and the citizen each see one amount per half-year; arrears
// stay on their own half-year's demand, with their interest, until paid.
// A payment goes first to the interest, then to the instalment.

// ErrNoMoney says the node has no money module to raise demands in.
var ErrNoMoney = errors.New("property tax: no money module to raise demands in")

// errNothing ends a write that found nothing to do: nothing is written.
var errNothing = errors.New("property tax: nothing to do")

// Due is one half-year's demand of a building, as the notice and the API
// show it.
type Due struct {
	Period   string       `json:"period"` // "2026-27/H1"
	Demand   string       `json:"demand"` // the demand's number, quoted at the counter
	ID       string       `json:"-"`
	Amount   domain.Paise `json:"amount_paise"` // the instalment: tax and cess
	Interest domain.Paise `json:"interest_paise"`
	Paid     domain.Paise `json:"paid_paise"`
	Waived   domain.Paise `json:"waived_paise,omitempty"`
	Balance  domain.Paise `json:"balance_paise"`
	Due      time.Time    `json:"-"`
	DueDate  string       `json:"due_date"` // YYYY-MM-DD
	State    string       `json:"state"`
	// Months is how many months (or parts) it is overdue today.
	Months int `json:"months_overdue"`
}

// dueOf reads a period's demand.
func dueOf(period string, d finance.Demand, now time.Time) Due {
	out := Due{Period: period, Demand: d.Number, ID: d.ID, Paid: d.Paid, Waived: d.Waived, Balance: d.Balance(), Due: d.Due,
		DueDate: d.Due.In(domain.IST).Format(time.DateOnly), State: d.State}
	for _, part := range d.Parts {
		if strings.HasPrefix(part.Key, interestKey) {
			out.Interest += part.Amount
		} else {
			out.Amount += part.Amount
		}
	}
	if len(d.Parts) == 0 {
		out.Amount = d.Amount
	}
	if out.Balance > 0 {
		out.Months = MonthsOverdue(d.Due, now)
	}
	return out
}

// Dues lists a building's half-yearly demands, oldest first.
func (p *PropertyTax) Dues(buildingID string) ([]Due, error) {
	var out []Due
	err := p.Store.View(func(tx *store.Tx) (err error) { out, err = p.duesIn(tx, buildingID); return err })
	return out, err
}

func (p *PropertyTax) duesIn(tx *store.Tx, buildingID string) ([]Due, error) {
	if p.Finance == nil {
		return nil, nil
	}
	now := p.Now()
	var out []Due
	err := tx.Scan(entityDemand, store.ScanOptions{Prefix: buildingID + "/"}, func(k string, raw []byte) error {
		var id string
		if err := json.Unmarshal(raw, &id); err != nil {
			return err
		}
		d, err := p.Finance.DemandIn(tx, id)
		if err != nil {
			return err
		}
		out = append(out, dueOf(k[len(buildingID)+1:], d, now))
		return nil
	})
	return out, err
}

// Owed sums what a building owes now.
func Owed(dues []Due) domain.Paise {
	var sum domain.Paise
	for _, d := range dues {
		sum += d.Balance
	}
	return sum
}

// instalment is the demand for a building's half-year, not yet raised; nil
// when nothing is due (exempt, demolished, not yet taxed).
func (p *PropertyTax) instalment(b Building, per Period, now time.Time) (*finance.Demand, error) {
	if b.Status != StatusActive && (b.Demolished == "" || b.Demolished < per.Start().Format(time.DateOnly)) {
		return nil, nil
	}
	if from, err := ParsePeriod(b.TaxedFrom); err == nil && per.Before(from) {
		return nil, nil
	}
	a, err := p.Rules.Assess(b, per.Year)
	if err != nil {
		return nil, err
	}
	tax, cess := Instalment(a.Tax, per.Half), Instalment(a.Cess, per.Half)
	if tax+cess <= 0 {
		return nil, nil
	}
	h := p.Rules.Local.Heads
	parts := []finance.Part{{Head: h.Tax, Amount: tax, Name: domain.T("Property tax", "വസ്തു നികുതി"), Key: "tax"}}
	if cess > 0 {
		parts = append(parts, finance.Part{Head: h.Cess, Amount: cess, Name: domain.T("Service cess", "സേവന സെസ്"), Key: "cess"})
	}
	payer := finance.Payer{Name: domain.T(b.OwnerNames("en"), b.OwnerNames("ml"))}
	for _, o := range b.Owners {
		if o.UserID != "" {
			payer.UserID, payer.Phone = o.UserID, o.Phone
			break
		}
		if payer.Phone == "" {
			payer.Phone = o.Phone
		}
	}
	name := per.Name()
	return &finance.Demand{Payer: payer, Head: h.Tax, Amount: tax + cess, Parts: parts, Raised: now, Due: per.Due(), Pay: "before_issue",
		Ref:  finance.Ref{Kind: RefBuilding, ID: b.ID, Number: b.Number, Title: domain.T("Property tax "+per.String(), "വസ്തു നികുതി "+per.String())},
		Note: domain.T("Property tax and service cess, "+name.En, "വസ്തു നികുതിയും സേവന സെസും, "+name.Ml)}, nil
}

// RefBuilding is the kind of finance.Ref a building's demands are for.
const RefBuilding = "building"

// raiseFor stages in tx a building's demands for the half-years from
// first to last that it has none for yet, in one journal entry, and
// returns how many it raised.
func (p *PropertyTax) raiseFor(tx *store.Tx, b Building, first, last Period, by domain.Actor) (int, error) {
	return p.raiseEach(tx, []Building{b}, []Period{first}, last, by)
}

// raiseEach stages in tx the demands of several buildings, each from its
// own first half-year to last, with one journal entry for them all.
func (p *PropertyTax) raiseEach(tx *store.Tx, bs []Building, firsts []Period, last Period, by domain.Actor) (int, error) {
	if p.Finance == nil {
		return 0, ErrNoMoney
	}
	now := p.Now()
	var ds []*finance.Demand
	var pers []Period
	var ids []string
	for i, b := range bs {
		for per := firsts[i]; !last.Before(per); per = per.Next() {
			if tx.Exists(entityDemand, b.ID+"/"+per.String()) {
				continue
			}
			d, err := p.instalment(b, per, now)
			if err != nil {
				return 0, fmt.Errorf("building %s: %w", b.Number, err)
			}
			if d != nil {
				ds, pers, ids = append(ds, d), append(pers, per), append(ids, b.ID)
			}
		}
	}
	if len(ds) == 0 {
		return 0, nil
	}
	narration := domain.T(fmt.Sprintf("Property tax demands for %d buildings", len(bs)), fmt.Sprintf("%d കെട്ടിടങ്ങളുടെ വസ്തു നികുതി ഡിമാൻഡുകൾ", len(bs)))
	if len(bs) == 1 {
		narration = domain.T("Property tax demands for building "+bs[0].Number, bs[0].Number+" കെട്ടിടത്തിന്റെ വസ്തു നികുതി ഡിമാൻഡുകൾ")
	}
	if _, err := p.Finance.RaiseAll(tx, ds, narration, by); err != nil {
		return 0, err
	}
	for i, d := range ds {
		if err := p.recordDemand(tx, ids[i], pers[i], d.ID); err != nil {
			return 0, err
		}
	}
	return len(ds), nil
}

func (p *PropertyTax) recordDemand(tx *store.Tx, buildingID string, per Period, demandID string) error {
	if err := tx.PutRaw(entityDemand, buildingID+"/"+per.String(), []byte(`"`+demandID+`"`)); err != nil {
		return err
	}
	return tx.PutRaw(entityOpen, demandID, []byte(`"`+buildingID+`"`))
}

// DemandJob is how far raising a half-year's demands for the register got.
type DemandJob struct {
	Period    string       `json:"period"`
	Next      string       `json:"next"` // the building id after the last one done
	Raised    int          `json:"raised"`
	Amount    domain.Paise `json:"amount_paise"`
	Exempt    int          `json:"exempt"`
	Skipped   int          `json:"skipped"` // already demanded, not taxed for the period, demolished
	Buildings int          `json:"buildings"`
	Done      bool         `json:"done"`
	Started   time.Time    `json:"started"`
	Finished  time.Time    `json:"finished,omitzero"`
}

// DemandBatch is how many buildings one write of the half-year job takes.
const DemandBatch = 500

// RaiseDemands raises a half-year's demand for every building of the
// register that owes one, DemandBatch buildings a write. Each write claims
// the building's demand for the period with the demand itself and records
// how far the job got, so a job stopped at any point (kill -9, power loss)
// resumes from there and never demands twice. progress, when set, is told
// after each write.
func (p *PropertyTax) RaiseDemands(per Period, by domain.Actor, progress func(DemandJob)) (DemandJob, error) {
	if p.Finance == nil {
		return DemandJob{}, ErrNoMoney
	}
	if y := per.Year; y < p.Rules.Statutory.BaseYear {
		return DemandJob{}, domain.FieldErrors{"period": domain.T(
			fmt.Sprintf("The rates apply from %d-%02d; %s is before them.", p.Rules.Statutory.BaseYear, (p.Rules.Statutory.BaseYear+1)%100, per),
			fmt.Sprintf("നിരക്കുകൾ %d-%02d മുതലാണ്; %s അതിനു മുമ്പാണ്.", p.Rules.Statutory.BaseYear, (p.Rules.Statutory.BaseYear+1)%100, per))}.Err()
	}
	if PeriodOf(p.Now()).Before(per) {
		return DemandJob{}, domain.FieldErrors{"period": domain.T(fmt.Sprintf("%s has not begun; its demands are raised when it does.", per), fmt.Sprintf("%s ആരംഭിച്ചിട്ടില്ല; അപ്പോഴാണ് ഡിമാൻഡുകൾ.", per))}.Err()
	}
	var job DemandJob
	if err := p.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityJob, per.String(), &job); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	}); err != nil {
		return job, err
	}
	if job.Done {
		return job, nil
	}
	if job.Period == "" {
		job = DemandJob{Period: per.String(), Started: p.Now()}
	}
	now := p.Now()
	for {
		// Read and reckon outside the write: the store's committer only
		// stages what is decided here.
		var batch []Building
		if err := p.Store.View(func(tx *store.Tx) error {
			return tx.Scan(entityBuilding, store.ScanOptions{After: job.Next, Limit: DemandBatch}, func(_ string, raw []byte) error {
				var b Building
				if err := json.Unmarshal(raw, &b); err != nil {
					return err
				}
				batch = append(batch, b)
				return nil
			})
		}); err != nil {
			return job, err
		}
		if len(batch) == 0 && job.Buildings == 0 {
			// An empty register: nothing to demand, nothing to record.
			return job, nil
		}
		type planned struct {
			b Building
			d *finance.Demand
		}
		var plan []planned
		exempt, skipped := 0, 0
		for _, b := range batch {
			d, err := p.instalment(b, per, now)
			if err != nil {
				return job, fmt.Errorf("building %s: %w", b.Number, err)
			}
			switch {
			case d != nil:
				plan = append(plan, planned{b, d})
			case b.Status == StatusActive && p.Rules.exemptGround(b) != "":
				exempt++
			default:
				skipped++
			}
		}
		next := job
		if len(batch) > 0 {
			next.Next = batch[len(batch)-1].ID
		}
		next.Buildings += len(batch)
		next.Exempt += exempt
		next.Done = len(batch) < DemandBatch
		if next.Done {
			next.Finished = p.Now()
		}
		_, err := p.Store.Write(func(tx *store.Tx) error {
			var cur DemandJob
			if err := tx.Get(entityJob, per.String(), &cur); err == nil && cur.Next != job.Next {
				return fmt.Errorf("property tax: the %s job moved on meanwhile (another run?)", per)
			}
			var ds []*finance.Demand
			var ids []string
			for _, pl := range plan {
				if tx.Exists(entityDemand, pl.b.ID+"/"+per.String()) {
					next.Skipped++
					continue
				}
				ds, ids = append(ds, pl.d), append(ids, pl.b.ID)
			}
			next.Skipped += skipped
			if len(ds) > 0 {
				if _, err := p.Finance.RaiseAll(tx, ds, domain.T(fmt.Sprintf("Property tax demands %s: %d buildings", per, len(ds)), fmt.Sprintf("വസ്തു നികുതി ഡിമാൻഡുകൾ %s: %d കെട്ടിടങ്ങൾ", per, len(ds))), by); err != nil {
					return err
				}
			}
			for i, d := range ds {
				if err := p.recordDemand(tx, ids[i], per, d.ID); err != nil {
					return err
				}
				next.Raised++
				next.Amount += d.Amount
			}
			if err := tx.Put(entityJob, per.String(), next); err != nil {
				return err
			}
			if len(ds) == 0 {
				// Every write carries an event: a batch with nothing to
				// demand says so.
				return tx.Emit(by.ID, EventDemandJob, entityJob, per.String(), next)
			}
			return nil
		})
		if err != nil {
			return job, err
		}
		job = next
		if progress != nil {
			progress(job)
		}
		if job.Done {
			return job, nil
		}
	}
}

// DemandJobOf returns how far a half-year's job got (Period "" when it
// has not started).
func (p *PropertyTax) DemandJobOf(per Period) (DemandJob, error) {
	var job DemandJob
	err := p.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityJob, per.String(), &job); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	return job, err
}

// interestKey begins the key of a demand's part that is a month's penal
// interest: "interest/3" for the third month after the due date.
const interestKey = "interest/"

// AccrueInterest adds, to every demand still owed after its due date, the
// penal interest of each month (or part) begun since: the month's rate on
// the instalment still unpaid when it begins (a payment goes to interest
// first). A month already charged is not charged again, so running it
// twice, or after a crash, changes nothing. It returns how many months it
// charged.
func (p *PropertyTax) AccrueInterest(by domain.Actor) (int, error) {
	if p.Finance == nil {
		return 0, ErrNoMoney
	}
	now := p.Now()
	charged := 0
	after := ""
	for {
		var ids []string
		if err := p.Store.View(func(tx *store.Tx) error {
			return tx.Scan(entityOpen, store.ScanOptions{After: after, Limit: DemandBatch}, func(k string, _ []byte) error {
				ids = append(ids, k)
				return nil
			})
		}); err != nil {
			return charged, err
		}
		if len(ids) == 0 {
			return charged, nil
		}
		after = ids[len(ids)-1]
		_, err := p.Store.Write(func(tx *store.Tx) error {
			var accruals []finance.Accrual
			var settled []string
			for _, id := range ids {
				d, err := p.Finance.DemandIn(tx, id)
				if err != nil {
					return err
				}
				if d.Balance() <= 0 || d.State == finance.StateCancelled || d.State == finance.StateWrittenOff {
					if err := tx.Delete(entityOpen, id); err != nil {
						return err
					}
					settled = append(settled, id)
					continue
				}
				accruals = append(accruals, p.monthsDue(d, now)...)
			}
			if len(accruals) == 0 {
				if len(settled) == 0 {
					return errNothing
				}
				return tx.Emit(by.ID, EventDemandsSettled, entityOpen, settled[0], map[string]any{"settled": settled})
			}
			charged += len(accruals)
			_, err := p.Finance.AccrueAll(tx, accruals, domain.T(fmt.Sprintf("Penal interest on property tax: %d months", len(accruals)), fmt.Sprintf("വസ്തു നികുതിയുടെ പിഴപ്പലിശ: %d മാസം", len(accruals))), by)
			return err
		})
		if err != nil && !errors.Is(err, errNothing) {
			return charged, err
		}
		if len(ids) < DemandBatch {
			return charged, nil
		}
	}
}

// monthsDue are the months of penal interest begun by now that d has not
// been charged, each at its rate on what of the instalment is unpaid.
func (p *PropertyTax) monthsDue(d finance.Demand, now time.Time) []finance.Accrual {
	months := MonthsOverdue(d.Due, now)
	if months == 0 {
		return nil
	}
	charged := map[string]bool{}
	var principal domain.Paise
	for _, part := range d.Parts {
		if strings.HasPrefix(part.Key, interestKey) {
			charged[part.Key] = true
		} else {
			principal += part.Amount
		}
	}
	if len(d.Parts) == 0 {
		principal = d.Amount
	}
	unpaid := min(principal, d.Balance())
	var out []finance.Accrual
	for k := 1; k <= months; k++ {
		key := fmt.Sprintf("%s%d", interestKey, k)
		if charged[key] {
			continue
		}
		start := MonthStart(d.Due, k)
		rate := p.Rules.interestRate(start)
		if rate == 0 {
			continue
		}
		amount := roundPaise(new(big.Rat).SetFrac64(int64(unpaid)*int64(rate), 100), p.Rules.Local.RoundToRupee)
		if amount <= 0 {
			continue
		}
		out = append(out, finance.Accrual{Demand: d.ID, Part: finance.Part{Head: p.Rules.Local.Heads.Interest, Amount: amount, Key: key,
			Name: domain.T(fmt.Sprintf("Penal interest, month %d (from %s), %d%%", k, start.Format("02-01-2006"), rate),
				fmt.Sprintf("പിഴപ്പലിശ, %d-ാം മാസം (%s മുതൽ), %d%%", k, start.Format("02-01-2006"), rate))}})
	}
	return out
}

// ReminderDays is how long before a due date owners are reminded.
const ReminderDays = 15

// Remind tells the owners who claimed their buildings, once a half-year
// and within ReminderDays of its due date, what they owe for it. It
// returns how many it reminded.
func (p *PropertyTax) Remind() (int, error) {
	if p.Finance == nil {
		return 0, ErrNoMoney
	}
	now := p.Now()
	per := PeriodOf(now)
	if per.Due().Sub(dateOnly(now)) > ReminderDays*24*time.Hour {
		return 0, nil
	}
	// Only the owners not yet reminded who owe something are written for:
	// a run after the reminders went out writes nothing.
	var owners []string
	if err := p.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityUser, store.ScanOptions{}, func(k string, _ []byte) error {
			user, id, _ := strings.Cut(k, "/")
			if tx.Exists(entityReminded, per.String()+"/"+id+"/"+user) {
				return nil
			}
			dues, err := p.duesIn(tx, id)
			if err != nil {
				return err
			}
			if Owed(dues) > 0 {
				owners = append(owners, k)
			}
			return nil
		})
	}); err != nil {
		return 0, err
	}
	sent := 0
	for _, k := range owners {
		user, id, _ := strings.Cut(k, "/")
		_, err := p.Store.Write(func(tx *store.Tx) error {
			key := per.String() + "/" + id + "/" + user
			if tx.Exists(entityReminded, key) {
				return errNothing
			}
			b, err := getBuilding(tx, id)
			if err != nil {
				return err
			}
			dues, err := p.duesIn(tx, id)
			if err != nil {
				return err
			}
			owed := Owed(dues)
			if owed <= 0 {
				return errNothing
			}
			due := per.Due().Format("02-01-2006")
			if _, err := messaging.Queue(tx, now, messaging.Message{To: user, Kind: messaging.KindNotice, Link: "/buildings/" + b.ID,
				Subject: domain.T("Property tax due by "+due+": building "+b.Number, "വസ്തു നികുതി "+due+"-നകം: കെട്ടിടം "+b.Number),
				Body: domain.T(fmt.Sprintf("%s is owed on building %s, including %s for %s. Pay by %s to avoid penal interest of 2%% a month: online from the building's page, by UPI, or at the cash counter.", owed, b.Number, per, per.Name().En, due),
					fmt.Sprintf("%s കെട്ടിടത്തിന് %s അടയ്ക്കാനുണ്ട് (%s ഉൾപ്പെടെ). പ്രതിമാസം 2%% പിഴപ്പലിശ ഒഴിവാക്കാൻ %s-നകം അടയ്ക്കുക: കെട്ടിടത്തിന്റെ പേജിൽ ഓൺലൈനായി, യു.പി.ഐ. വഴി, അല്ലെങ്കിൽ ക്യാഷ് കൗണ്ടറിൽ.", b.Number, owed, per.Name().Ml, due))}); err != nil {
				return err
			}
			if err := tx.Put(entityReminded, key, now); err != nil {
				return err
			}
			sent++
			return tx.Emit(domain.System.ID, EventTaxReminded, entityBuilding, id, map[string]any{"period": per.String(), "user": user, "owed_paise": owed})
		})
		if err != nil && !errors.Is(err, errNothing) {
			return sent, err
		}
	}
	return sent, nil
}

// RunJobs does property tax's own work every interval until stop closes:
// the current half-year's demands once it begins, penal interest as months
// pass, and reminders before the due date.
func (p *PropertyTax) RunJobs(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		per := PeriodOf(p.Now())
		if job, err := p.DemandJobOf(per); err == nil && !job.Done {
			if job, err = p.RaiseDemands(per, domain.System, nil); err != nil {
				p.Logger.Error("property tax: raising the half-year's demands", "period", per.String(), "err", err)
			} else {
				p.Logger.Info("property tax: half-year's demands raised", "period", per.String(), "raised", job.Raised, "exempt", job.Exempt)
			}
		}
		if n, err := p.AccrueInterest(domain.System); err != nil {
			p.Logger.Error("property tax: penal interest", "err", err)
		} else if n > 0 {
			p.Logger.Info("property tax: penal interest charged", "months", n)
		}
		if n, err := p.Remind(); err != nil {
			p.Logger.Error("property tax: reminders", "err", err)
		} else if n > 0 {
			p.Logger.Info("property tax: owners reminded", "count", n)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}
