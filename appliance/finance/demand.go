package finance

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Demand is money owed to the local body: by whom, for what, under which
// head, how much, by when, and how much is paid.
type Demand struct {
	ID     string `json:"id"`
	Number string `json:"number"` // DM/<financial year>/<n>, quoted at the counter and in a UPI payment
	Payer  Payer  `json:"payer"`
	Ref    Ref    `json:"ref"`
	Head   string `json:"head"`
	// Amount is what was demanded; Paid what receipts (still standing)
	// brought in; Waived what an officer remitted or wrote off.
	Amount domain.Paise `json:"amount_paise"`
	Paid   domain.Paise `json:"paid_paise"`
	Waived domain.Paise `json:"waived_paise,omitempty"`
	Note   domain.Text  `json:"note,omitzero"` // why it is what it is, e.g. a late band
	Raised time.Time    `json:"raised"`
	Due    time.Time    `json:"due"`
	// Pay is when it must be paid (catalogue.PayOnApplication or
	// PayBeforeIssue).
	Pay       string     `json:"pay"`
	State     string     `json:"state"`
	Receipts  []string   `json:"receipts,omitempty"`
	Decisions []Decision `json:"decisions,omitempty"`
	// Parts, when a demand is for more than one income, say what each
	// brings under which head; they add up to Amount. A property tax
	// instalment is tax and service cess, and gathers penal interest month
	// by month (Accrue). Every part's head is owed under the same
	// receivable as Head.
	Parts []Part `json:"parts,omitempty"`
}

// Part is one income a demand is for.
type Part struct {
	Head   string       `json:"head"`
	Amount domain.Paise `json:"amount_paise"`
	Name   domain.Text  `json:"name"`
	// Key names the part for the module that raised it, e.g. "interest/3"
	// for the third month's penal interest.
	Key string `json:"key,omitempty"`
}

// Payer is who owes a demand. UserID is "" for someone without an account.
type Payer struct {
	UserID string      `json:"user_id,omitempty"`
	Name   domain.Text `json:"name"`
	Phone  string      `json:"phone,omitempty"`
	// Kiosk is the kiosk's actor id for a copy asked for at a kiosk, where
	// nobody is named.
	Kiosk string `json:"kiosk,omitempty"`
}

// Ref is what a demand is for: a file (Kind "file", ID its id), or a
// certificate printed at a kiosk.
type Ref struct {
	Kind   string      `json:"kind"`
	ID     string      `json:"id"`
	Number string      `json:"number"`
	Title  domain.Text `json:"title"`
}

// Decision is an officer's waiver or write-off of a demand, with the
// reason.
type Decision struct {
	At      time.Time    `json:"at"`
	Kind    string       `json:"kind"` // "waived" or "written_off"
	Amount  domain.Paise `json:"amount_paise"`
	Reason  string       `json:"reason"`
	By      string       `json:"by"`
	ByName  string       `json:"by_name"`
	Entry   string       `json:"entry"`
	Officer domain.Role  `json:"role"`
}

// States of a demand.
const (
	StateOpen       = "open"
	StatePartPaid   = "part_paid"
	StatePaid       = "paid"
	StateWrittenOff = "written_off"
	StateCancelled  = "cancelled" // waived whole before anything was paid
)

// Balance is what is still owed.
func (d Demand) Balance() domain.Paise { return d.Amount - d.Paid - d.Waived }

// remitted are the income lines a remission of amount debits: the head's,
// or, for a demand of parts, the parts from the last back (the interest
// that grew last is remitted first).
func (d *Demand) remitted(amount domain.Paise) []Line {
	if len(d.Parts) == 0 {
		return []Line{{Head: d.Head, Debit: amount}}
	}
	var take []Part
	for i := len(d.Parts) - 1; i >= 0 && amount > 0; i-- {
		n := min(amount, d.Parts[i].Amount)
		take = append(take, Part{Head: d.Parts[i].Head, Amount: n})
		amount -= n
	}
	return sumLines(nil, take, true)
}

// settle sets the state from the amounts.
func (d *Demand) settle() {
	switch {
	case d.Balance() > 0 && d.Paid > 0:
		d.State = StatePartPaid
	case d.Balance() > 0:
		d.State = StateOpen
	case d.Paid > 0:
		d.State = StatePaid
	case len(d.Decisions) > 0 && d.Decisions[len(d.Decisions)-1].Kind == StateWrittenOff:
		d.State = StateWrittenOff
	default:
		d.State = StateCancelled
	}
}

// StateName names a demand's state for people.
func StateName(s string) domain.Text {
	switch s {
	case StateOpen:
		return domain.T("To be paid", "അടയ്ക്കാനുണ്ട്")
	case StatePartPaid:
		return domain.T("Part paid", "ഭാഗികമായി അടച്ചു")
	case StatePaid:
		return domain.T("Paid", "അടച്ചു")
	case StateWrittenOff:
		return domain.T("Written off", "എഴുതിത്തള്ളി")
	case StateCancelled:
		return domain.T("Waived", "ഒഴിവാക്കി")
	}
	return domain.T(s, s)
}

// defaultHeads are the income heads of the fees of each catalogue module
// whose service names none.
var defaultHeads = map[string]string{
	catalogue.ModuleCivilRegistration:  "140-40",
	catalogue.ModuleTradeLicence:       "140-20",
	catalogue.ModulePropertyTax:        "110-01",
	catalogue.ModuleBuildingPermission: "140-30",
	catalogue.ModuleFileManagement:     "140-80",
	catalogue.ModuleFinance:            "180-90",
}

// HeadOf is the income head a service's fee is credited to.
func (f *Finance) HeadOf(svc catalogue.Service) string {
	if svc.Fee.Head != "" {
		return svc.Fee.Head
	}
	if h, ok := defaultHeads[svc.Module]; ok {
		return h
	}
	return "180-90"
}

// CheckFee refuses a service whose fee is credited to a head the chart
// does not have, or has not as income: the appliance stops the start with
// every such service named.
func (f *Finance) CheckFee(svc catalogue.Service) error {
	if svc.Fee.Kind == catalogue.FeeNone {
		return nil
	}
	if h := f.HeadOf(svc); !f.Chart.Income(h) {
		return fmt.Errorf("service %s: its fee is credited to %q, which is not an income head of the chart of accounts", svc.Code, h)
	}
	return nil
}

// Raise stages the demand for a file's fee in the write that submits it,
// and posts it (the receivable debited, the income credited: accrual). It
// implements workflow.Money.
func (f *Finance) Raise(tx *store.Tx, file workflow.File, svc catalogue.Service, by domain.Actor) error {
	pay := svc.Fee.Pay
	if pay == "" {
		pay = catalogue.PayBeforeIssue
	}
	due := file.Due
	if pay == catalogue.PayOnApplication {
		due = file.Submitted
	}
	head := f.HeadOf(svc)
	if file.FeeHead != "" {
		head = file.FeeHead
	}
	d := Demand{Payer: Payer{UserID: file.Applicant.UserID, Name: file.Applicant.Name, Phone: file.Applicant.Phone},
		Ref:  Ref{Kind: "file", ID: file.ID, Number: file.Number, Title: file.ServiceName},
		Head: head, Amount: file.Fee, Note: file.FeeNote, Raised: file.Submitted, Due: due, Pay: pay}
	_, err := f.raise(tx, &d, by)
	return err
}

// raise numbers, posts and stores a new demand in tx.
func (f *Finance) raise(tx *store.Tx, d *Demand, by domain.Actor) (Entry, error) {
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
	e := Entry{Date: dateOf(d.Raised), Posted: d.Raised, By: by.ID, Ref: "demand:" + d.ID,
		Narration: domain.T("Demand "+d.Number+": "+d.Ref.Title.En+" "+d.Ref.Number, "ഡിമാൻഡ് "+d.Number+": "+d.Ref.Title.Ml+" "+d.Ref.Number),
		Lines:     append([]Line{{Head: head.Receivable, Debit: d.Amount}}, d.credits()...)}
	if err := f.post(tx, &e); err != nil {
		return Entry{}, err
	}
	if err := f.putDemand(tx, d, true); err != nil {
		return Entry{}, err
	}
	return e, tx.Emit(by.ID, EventDemandRaised, entityDemand, d.ID, DemandRaisedData{Number: d.Number, Ref: d.Ref.Kind + "/" + d.Ref.ID,
		Payer: d.Payer.UserID, Head: d.Head, Amount: d.Amount, Due: d.Due, Entry: e.ID})
}

// RaiseDemand raises a demand that is not a file's fee (an arrear, a rent,
// a fine an officer imposed): the amount, the payer, what it is for and
// the income head; its number, date and state are given here.
func (f *Finance) RaiseDemand(by domain.Actor, d Demand) (Demand, error) {
	if err := maySupervise(by); err != nil {
		return Demand{}, err
	}
	fe := domain.FieldErrors{}
	if d.Amount <= 0 {
		fe.Add("amount_paise", domain.T("Give a positive amount in paise.", "പൈസയിൽ ഒരു പോസിറ്റീവ് തുക നൽകുക."))
	}
	if !f.Chart.Income(d.Head) {
		fe.Add("head", domain.T("Choose an income head of the chart of accounts.", "കണക്ക് പട്ടികയിലെ ഒരു വരുമാന ശീർഷകം തിരഞ്ഞെടുക്കുക."))
	}
	if strings.TrimSpace(d.Payer.Name.En+d.Payer.Name.Ml) == "" {
		fe.Add("payer", domain.T("Name who owes it.", "ആരാണ് നൽകേണ്ടതെന്ന് നൽകുക."))
	}
	if d.Ref.Kind == "" || d.Ref.ID == "" {
		fe.Add("ref", domain.T("Say what it is for.", "എന്തിനാണെന്ന് നൽകുക."))
	}
	if err := fe.Err(); err != nil {
		return Demand{}, err
	}
	now := f.Now()
	d.Raised, d.Paid, d.Waived, d.Receipts, d.Decisions = now, 0, 0, nil, nil
	if d.Due.IsZero() {
		d.Due = now
	}
	if d.Pay == "" {
		d.Pay = catalogue.PayBeforeIssue
	}
	_, err := f.Store.Write(func(tx *store.Tx) error {
		_, err := f.raise(tx, &d, by)
		return err
	})
	return d, err
}

// putDemand stages a demand and, when new, its index by what it is for.
// Its payer's list is a view (payers.go).
func (f *Finance) putDemand(tx *store.Tx, d *Demand, isNew bool) error {
	if isNew {
		if err := tx.PutRaw(entityDemandOf, d.Ref.Kind+"/"+d.Ref.ID+"/"+d.ID, []byte(`"`+d.ID+`"`)); err != nil {
			return err
		}
	}
	return tx.Put(entityDemand, d.ID, d)
}

// Owed returns what is still owed on a file. It implements workflow.Money.
func (f *Finance) Owed(tx *store.Tx, fileID string) (domain.Paise, error) {
	ds, err := demandsOf(tx, "file", fileID)
	var owed domain.Paise
	for _, d := range ds {
		owed += d.Balance()
	}
	return owed, err
}

func demandsOf(tx *store.Tx, kind, id string) ([]Demand, error) {
	var ids []string
	err := tx.Scan(entityDemandOf, store.ScanOptions{Prefix: kind + "/" + id + "/"}, func(k string, _ []byte) error {
		ids = append(ids, k[strings.LastIndexByte(k, '/')+1:])
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Demand, 0, len(ids))
	for _, id := range ids {
		var d Demand
		if err := tx.Get(entityDemand, id, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Summary of a file's money, as its JSON shows it.
type FileMoney struct {
	Amount  domain.Paise `json:"amount_paise"`
	Paid    domain.Paise `json:"paid_paise"`
	Balance domain.Paise `json:"balance_paise"`
	// Demands are the file's demands, oldest first.
	Demands []Demand `json:"demands"`
}

// OfFile returns a file's demands and their sums; no demands gives zeros.
// The caller has checked that its actor may read the file.
func (f *Finance) OfFile(fileID string) (FileMoney, error) {
	var m FileMoney
	err := f.Store.View(func(tx *store.Tx) (err error) {
		m.Demands, err = demandsOf(tx, "file", fileID)
		return err
	})
	for _, d := range m.Demands {
		m.Amount += d.Amount
		m.Paid += d.Paid
		m.Balance += d.Balance()
	}
	return m, err
}

// Demand returns a demand by its id or number, to its payer or to the
// office.
func (f *Finance) Demand(by domain.Actor, idOrNumber string) (Demand, error) {
	var d Demand
	err := f.Store.View(func(tx *store.Tx) (err error) { d, err = findDemand(tx, idOrNumber); return err })
	if err != nil {
		return Demand{}, err
	}
	if by.IsStaff() && !by.Has(domain.RoleKiosk) || (by.Has(domain.RoleCitizen) && d.Payer.UserID == by.ID) {
		return d, nil
	}
	return Demand{}, notFoundDemand()
}

func notFoundDemand() error {
	return domain.Bilingual(domain.ENOTFOUND, domain.T("There is no such demand. Check the number on your notice or application (e.g. DM/2026-27/12).", "അങ്ങനെയൊരു ഡിമാൻഡ് ഇല്ല. നോട്ടീസിലോ അപേക്ഷയിലോ ഉള്ള നമ്പർ പരിശോധിക്കുക (ഉദാ. DM/2026-27/12)."))
}

// findDemand reads a demand by id or by number.
func findDemand(tx *store.Tx, idOrNumber string) (Demand, error) {
	var d Demand
	key := strings.TrimSpace(idOrNumber)
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		var n uint64
		if _, err := fmt.Sscan(key[i+1:], &n); err != nil || n == 0 {
			return d, notFoundDemand()
		}
		key = id10(n)
	}
	if err := tx.Get(entityDemand, key, &d); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return d, notFoundDemand()
		}
		return d, err
	}
	if idOrNumber != d.ID && !strings.EqualFold(strings.TrimSpace(idOrNumber), d.Number) {
		return Demand{}, notFoundDemand()
	}
	return d, nil
}

// OwedBy lists a citizen's demands, newest first: what they owe and what
// they paid.
func (f *Finance) OwedBy(userID string, limit int) ([]Demand, error) {
	ids, err := f.demandsOfPayer(userID, limit)
	if err != nil {
		return nil, err
	}
	var out []Demand
	err = f.Store.View(func(tx *store.Tx) error {
		for _, id := range ids {
			var d Demand
			if err := tx.Get(entityDemand, id, &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Waive remits part or all of what is still owed (an exemption or a
// concession an officer decides), with the reason: the income is reversed
// for that amount. Write off instead gives up an amount that was owed and
// cannot be collected: an expense.
func (f *Finance) Waive(by domain.Actor, demandID string, amount domain.Paise, reason string, writeOff bool) (Demand, error) {
	if err := maySupervise(by); err != nil {
		return Demand{}, err
	}
	reason = strings.TrimSpace(reason)
	fe := domain.FieldErrors{}
	if n := utf8.RuneCountInString(reason); n < 10 || n > 500 {
		fe.Add("reason", domain.T("Give the reason (10 to 500 characters); it is kept with the accounts.", "കാരണം നൽകുക (10 മുതൽ 500 അക്ഷരങ്ങൾ); ഇത് കണക്കുകളോടൊപ്പം സൂക്ഷിക്കും."))
	}
	if amount <= 0 {
		fe.Add("amount_paise", domain.T("Give a positive amount in paise.", "പൈസയിൽ ഒരു പോസിറ്റീവ് തുക നൽകുക."))
	}
	if err := fe.Err(); err != nil {
		return Demand{}, err
	}
	now := f.Now()
	var out Demand
	_, err := f.Store.Write(func(tx *store.Tx) error {
		d, err := findDemand(tx, demandID)
		if err != nil {
			return err
		}
		if amount > d.Balance() {
			return fieldError("amount_paise", domain.T(fmt.Sprintf("Only %s is owed on %s.", d.Balance(), d.Number), fmt.Sprintf("%s-ൽ %s മാത്രമേ അടയ്ക്കാനുള്ളൂ.", d.Number, d.Balance())))
		}
		role := domain.RoleAccountant
		if !by.Has(role) {
			role = domain.RoleSecretary
		}
		kind := "waived"
		if writeOff {
			kind = StateWrittenOff
		}
		if err := f.remit(tx, &d, amount, kind, reason, by, role, now); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// remit takes amount off what d still owes, in tx, for a decision of kind
// "waived", "written_off" or "lapsed": the income (or, written off, the
// write-off expense) is debited and the receivable credited.
func (f *Finance) remit(tx *store.Tx, d *Demand, amount domain.Paise, kind, reason string, by domain.Actor, role domain.Role, now time.Time) error {
	head, _ := f.Chart.Head(d.Head)
	typ := EventDemandWaived
	lines := append(d.remitted(amount), Line{Head: head.Receivable, Credit: amount})
	narration := domain.T("Waived on "+d.Number+": "+reason, d.Number+" ഒഴിവാക്കി: "+reason)
	switch kind {
	case StateWrittenOff:
		typ = EventDemandWrittenOff
		lines = []Line{{Head: f.Chart.Role(RoleWriteOff), Debit: amount}, {Head: head.Receivable, Credit: amount}}
		narration = domain.T("Written off on "+d.Number+": "+reason, d.Number+" എഴുതിത്തള്ളി: "+reason)
	case DecisionLapsed:
		typ = EventDemandLapsed
		narration = domain.T("Lapsed, "+d.Number+": "+reason, d.Number+" റദ്ദായി: "+reason)
	}
	e := Entry{Date: dateOf(now), Posted: now, By: by.ID, Ref: "demand:" + d.ID, Narration: narration, Lines: lines}
	if err := f.post(tx, &e); err != nil {
		return err
	}
	d.Waived += amount
	d.Decisions = append(d.Decisions, Decision{At: now, Kind: kind, Amount: amount, Reason: reason, By: by.ID, ByName: by.Name, Entry: e.ID, Officer: role})
	d.settle()
	if err := f.putDemand(tx, d, false); err != nil {
		return err
	}
	return tx.Emit(by.ID, typ, entityDemand, d.ID, map[string]any{"demand": d, "entries": []Entry{e}})
}
