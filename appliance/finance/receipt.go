package finance

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Receipt is one collection: what was received, for which demand, how,
// where and by whom. A receipt is never edited or deleted: cancelling it
// (or a cheque returned unpaid) reverses its entry and says so here.
type Receipt struct {
	// Number is "<local body>-<counter>-<financial year>-<n>", n gapless
	// per counter and year, e.g. DEMO01-C1-2026-27-14.
	Number  string       `json:"number"`
	Counter string       `json:"counter"`
	Year    string       `json:"financial_year"`
	Serial  uint64       `json:"serial"`
	Demand  string       `json:"demand"` // id
	DemandN string       `json:"demand_number"`
	Payer   Payer        `json:"payer"`
	Ref     Ref          `json:"ref"`
	Head    string       `json:"head"`
	Amount  domain.Paise `json:"amount_paise"`
	Mode    string       `json:"mode"`
	// Instrument is a cheque's or draft's bank, number and date, a UPI
	// payment's reference (UTR), or an online payment's gateway id.
	Instrument Instrument `json:"instrument,omitzero"`
	Received   time.Time  `json:"received"`
	By         string     `json:"by"`
	ByName     string     `json:"by_name"`
	Entry      string     `json:"entry"`
	Status     string     `json:"status"`
	// Reversal is the cancellation or the returned cheque, when there was one.
	Reversal *Reversal `json:"reversal,omitempty"`
	// Realised is when a cheque or draft reached the bank.
	Realised time.Time `json:"realised,omitzero"`
}

// Instrument is how a payment was made, besides cash.
type Instrument struct {
	Bank      string `json:"bank,omitempty"`
	Number    string `json:"number,omitempty"`
	Date      string `json:"date,omitempty"` // of a cheque or draft
	Reference string `json:"reference,omitempty"`
}

// Reversal is a receipt's cancellation or a cheque's return.
type Reversal struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"` // ReceiptCancelled or ReceiptBounced
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	ByName string    `json:"by_name"`
	Entry  string    `json:"entry"`
}

// Modes of payment.
const (
	ModeCash   = "cash"
	ModeCheque = "cheque"
	ModeDD     = "dd" // demand draft
	ModeUPI    = "upi"
	ModeOnline = "online" // through the payment gateway
)

// Receipt statuses.
const (
	ReceiptValid     = "valid"
	ReceiptCancelled = "cancelled"
	ReceiptBounced   = "bounced"
)

// ModeName names a mode of payment for people.
func ModeName(m string) domain.Text {
	switch m {
	case ModeCash:
		return domain.T("Cash", "പണം")
	case ModeCheque:
		return domain.T("Cheque", "ചെക്ക്")
	case ModeDD:
		return domain.T("Demand draft", "ഡിമാൻഡ് ഡ്രാഫ്റ്റ്")
	case ModeUPI:
		return domain.T("UPI", "യു.പി.ഐ.")
	case ModeOnline:
		return domain.T("Online (payment gateway)", "ഓൺലൈൻ (പേയ്മെന്റ് ഗേറ്റ്‌വേ)")
	}
	return domain.T(m, m)
}

// ReceiptStatusName names a receipt's status for people.
func ReceiptStatusName(s string) domain.Text {
	switch s {
	case ReceiptValid:
		return domain.T("Valid", "സാധുവാണ്")
	case ReceiptCancelled:
		return domain.T("Cancelled", "റദ്ദാക്കി")
	case ReceiptBounced:
		return domain.T("Cheque returned unpaid", "ചെക്ക് മടങ്ങി")
	}
	return domain.T(s, s)
}

// Payment is a payment taken at a counter.
type Payment struct {
	Counter    string
	Amount     domain.Paise
	Mode       string // ModeCash, ModeCheque, ModeDD or ModeUPI
	Instrument Instrument
}

var (
	chequeNumber = regexp.MustCompile(`^[0-9]{6}$`)
	utrPattern   = regexp.MustCompile(`^[A-Za-z0-9]{10,22}$`)
)

// check refuses, field by field, what a payment at the counter cannot be.
func (p *Payment) check(f *Finance, now time.Time) error {
	fe := domain.FieldErrors{}
	if _, ok := f.counter(p.Counter); !ok {
		fe.Add("counter", domain.T("Choose your counter.", "നിങ്ങളുടെ കൗണ്ടർ തിരഞ്ഞെടുക്കുക."))
	}
	if p.Amount <= 0 {
		fe.Add("amount_paise", domain.T("Give the amount received: more than nothing, in rupees and paise.", "സ്വീകരിച്ച തുക നൽകുക: രൂപയിലും പൈസയിലും, പൂജ്യത്തിൽ കൂടുതൽ."))
	}
	in := &p.Instrument
	in.Bank, in.Number, in.Reference = strings.TrimSpace(in.Bank), strings.TrimSpace(in.Number), strings.TrimSpace(in.Reference)
	switch p.Mode {
	case ModeCash:
		*in = Instrument{}
	case ModeCheque, ModeDD:
		if n := utf8.RuneCountInString(in.Bank); n < 2 || n > 80 {
			fe.Add("bank", domain.T("Give the bank and branch the cheque or draft is drawn on.", "ചെക്ക് / ഡ്രാഫ്റ്റ് നൽകിയ ബാങ്കും ശാഖയും നൽകുക."))
		}
		if !chequeNumber.MatchString(in.Number) {
			fe.Add("instrument_number", domain.T("Give the cheque's or draft's six-digit number.", "ചെക്കിന്റെ / ഡ്രാഫ്റ്റിന്റെ ആറക്ക നമ്പർ നൽകുക."))
		}
		d, err := time.ParseInLocation(time.DateOnly, in.Date, domain.IST)
		// A cheque is good for three months from its date, and is not taken
		// post-dated.
		if err != nil || d.After(now) || d.Before(now.AddDate(0, -3, 0)) {
			fe.Add("instrument_date", domain.T("Give the date on the cheque or draft (YYYY-MM-DD): not after today and not older than three months.", "ചെക്കിലെ / ഡ്രാഫ്റ്റിലെ തീയതി നൽകുക (YYYY-MM-DD): ഇന്നത്തേതിന് ശേഷമല്ല, മൂന്നു മാസത്തിൽ പഴയതുമല്ല."))
		}
		in.Reference = ""
	case ModeUPI:
		if !utrPattern.MatchString(in.Reference) {
			fe.Add("reference", domain.T("Give the UPI payment's reference number (UTR), as the payer's app shows it.", "യു.പി.ഐ. ഇടപാടിന്റെ റഫറൻസ് നമ്പർ (UTR) നൽകുക."))
		}
		in.Bank, in.Number, in.Date = "", "", ""
	default:
		fe.Add("mode", domain.T("Choose how it was paid: cash, cheque, demand draft or UPI.", "അടച്ച രീതി തിരഞ്ഞെടുക്കുക: പണം, ചെക്ക്, ഡ്രാഫ്റ്റ് അല്ലെങ്കിൽ യു.പി.ഐ."))
	}
	return fe.Err()
}

// moneyHead is the head a payment of a mode comes into.
func (f *Finance) moneyHead(mode string) string {
	switch mode {
	case ModeCash:
		return f.Chart.Role(RoleCash)
	case ModeCheque, ModeDD:
		return f.Chart.Role(RoleInstruments)
	case ModeOnline:
		return f.Chart.Role(RoleGateway)
	}
	return f.Chart.Role(RoleBank) // UPI reaches the bank at once
}

// Collect takes a payment at a counter against a demand (by its id or
// number) and returns the receipt: the demand's balance falls, the money
// head is debited and the receivable credited, in one write with a receipt
// number of the counter's gapless series. More than the balance, a demand
// paid, cancelled or written off, or a counter whose day is closed, is
// refused and nothing is written.
func (f *Finance) Collect(by domain.Actor, demand string, p Payment) (Receipt, error) {
	if err := mayCollect(by); err != nil {
		return Receipt{}, err
	}
	now := f.Now()
	if err := p.check(f, now); err != nil {
		return Receipt{}, err
	}
	var out Receipt
	_, err := f.Store.Write(func(tx *store.Tx) error {
		d, err := findDemand(tx, demand)
		if err != nil {
			return err
		}
		if err := f.openDay(tx, p.Counter, dateOf(now)); err != nil {
			return err
		}
		r, err := f.receive(tx, &d, p.Counter, p.Amount, p.Mode, p.Instrument, by, now)
		out = r
		return err
	})
	return out, err
}

// receive records a payment of amount on d inside tx: the receipt, its
// entry, the demand.
func (f *Finance) receive(tx *store.Tx, d *Demand, counter string, amount domain.Paise, mode string, in Instrument, by domain.Actor, now time.Time) (Receipt, error) {
	switch {
	case d.State == StateCancelled || d.State == StateWrittenOff:
		return Receipt{}, conflict(fmt.Sprintf("Demand %s was %s; nothing is owed on it.", d.Number, strings.ToLower(StateName(d.State).En)), fmt.Sprintf("%s %s; ഇതിൽ ഒന്നും അടയ്ക്കാനില്ല.", d.Number, StateName(d.State).Ml))
	case d.Balance() <= 0:
		return Receipt{}, conflict(fmt.Sprintf("Demand %s is paid in full.", d.Number), fmt.Sprintf("%s പൂർണ്ണമായി അടച്ചതാണ്.", d.Number))
	case amount > d.Balance():
		return Receipt{}, fieldError("amount_paise", domain.T(fmt.Sprintf("Only %s is owed on %s; take no more.", d.Balance(), d.Number), fmt.Sprintf("%s-ൽ %s മാത്രമേ അടയ്ക്കാനുള്ളൂ.", d.Number, d.Balance())))
	}
	fy := FinancialYear(now)
	n, err := tx.NextNumber(receiptSequence(counter, fy))
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Number: fmt.Sprintf("%s-%s-%s-%d", f.LocalBody.Code, counter, fy, n), Counter: counter, Year: fy, Serial: n,
		Demand: d.ID, DemandN: d.Number, Payer: d.Payer, Ref: d.Ref, Head: d.Head, Amount: amount, Mode: mode, Instrument: in,
		Received: now, By: by.ID, ByName: by.Name, Status: ReceiptValid}
	head, _ := f.Chart.Head(d.Head)
	e := Entry{Date: dateOf(now), Posted: now, By: by.ID, Ref: "receipt:" + r.Number,
		Narration: domain.T("Receipt "+r.Number+" for "+d.Number+" ("+ModeName(mode).En+")", "രസീത് "+r.Number+", "+d.Number+" ("+ModeName(mode).Ml+")"),
		Lines:     []Line{{Head: f.moneyHead(mode), Debit: amount}, {Head: head.Receivable, Credit: amount}}}
	if err := f.post(tx, &e); err != nil {
		return Receipt{}, err
	}
	r.Entry = e.ID
	d.Paid += amount
	d.Receipts = append(append([]string(nil), d.Receipts...), r.Number)
	d.settle()
	if err := f.putDemand(tx, d, false); err != nil {
		return Receipt{}, err
	}
	if err := f.putReceipt(tx, &r, true); err != nil {
		return Receipt{}, err
	}
	return r, tx.Emit(by.ID, EventPaymentReceived, entityReceipt, r.Number, map[string]any{"receipt": r, "demand": d, "entries": []Entry{e}})
}

func (f *Finance) putReceipt(tx *store.Tx, r *Receipt, isNew bool) error {
	if isNew {
		if err := tx.PutRaw(entityReceiptOf, r.Demand+"/"+r.Number, []byte(`"`+r.Number+`"`)); err != nil {
			return err
		}
		if err := tx.PutRaw(entityCounter, r.Counter+"/"+dayKey(dateOf(r.Received))+"/"+fmt.Sprintf("%012d", r.Serial), []byte(`"`+r.Number+`"`)); err != nil {
			return err
		}
	}
	return tx.Put(entityReceipt, r.Number, r)
}

func getReceipt(tx *store.Tx, number string) (Receipt, error) {
	var r Receipt
	if err := tx.Get(entityReceipt, strings.ToUpper(strings.TrimSpace(number)), &r); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return r, domain.Bilingual(domain.ENOTFOUND, domain.T("There is no receipt with that number. Check it against the receipt (e.g. DEMO01-C1-2026-27-14).", "ആ നമ്പറിൽ രസീതില്ല. രസീതിലെ നമ്പർ പരിശോധിക്കുക."))
		}
		return r, err
	}
	return r, nil
}

// Receipt returns a receipt to its payer or to the office.
func (f *Finance) Receipt(by domain.Actor, number string) (Receipt, error) {
	var r Receipt
	err := f.Store.View(func(tx *store.Tx) (err error) { r, err = getReceipt(tx, number); return err })
	if err != nil {
		return Receipt{}, err
	}
	if by.IsStaff() && !by.Has(domain.RoleKiosk) || (by.Has(domain.RoleCitizen) && r.Payer.UserID == by.ID) {
		return r, nil
	}
	return Receipt{}, domain.Bilingual(domain.ENOTFOUND, domain.T("There is no receipt with that number among yours.", "നിങ്ങളുടെ രസീതുകളിൽ ആ നമ്പറില്ല."))
}

// ReceiptsOf returns a demand's receipts, oldest first.
func (f *Finance) ReceiptsOf(demandID string) ([]Receipt, error) {
	var out []Receipt
	err := f.Store.View(func(tx *store.Tx) error {
		var numbers []string
		err := tx.Scan(entityReceiptOf, store.ScanOptions{Prefix: demandID + "/"}, func(k string, _ []byte) error {
			numbers = append(numbers, k[len(demandID)+1:])
			return nil
		})
		if err != nil {
			return err
		}
		for _, n := range numbers {
			r, err := getReceipt(tx, n)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// Cancel cancels a receipt, with the reason: the accountant or the
// secretary, never the person who took the money, reverses its entry and
// the demand is owed again. A receipt cancelled (or returned) before is
// refused.
func (f *Finance) Cancel(by domain.Actor, number, reason string) (Receipt, error) {
	return f.reverse(by, number, reason, ReceiptCancelled)
}

// Bounce records that a cheque or draft was returned unpaid: its receipt's
// entry is reversed and the demand is owed again.
func (f *Finance) Bounce(by domain.Actor, number, reason string) (Receipt, error) {
	return f.reverse(by, number, reason, ReceiptBounced)
}

func (f *Finance) reverse(by domain.Actor, number, reason, kind string) (Receipt, error) {
	if err := maySupervise(by); err != nil {
		return Receipt{}, err
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 10 || n > 500 {
		return Receipt{}, fieldError("reason", domain.T("Give the reason (10 to 500 characters); it is printed in the books.", "കാരണം നൽകുക (10 മുതൽ 500 അക്ഷരങ്ങൾ); ഇത് കണക്കുകളിൽ രേഖപ്പെടുത്തും."))
	}
	now := f.Now()
	var out Receipt
	_, err := f.Store.Write(func(tx *store.Tx) error {
		r, err := getReceipt(tx, number)
		if err != nil {
			return err
		}
		switch {
		case r.Status != ReceiptValid:
			return conflict(fmt.Sprintf("Receipt %s is already %s.", r.Number, strings.ToLower(ReceiptStatusName(r.Status).En)), fmt.Sprintf("രസീത് %s ഇതിനകം %s.", r.Number, ReceiptStatusName(r.Status).Ml))
		case r.By == by.ID:
			return domain.Bilingual(domain.EFORBIDDEN, domain.T("A receipt is cancelled by a supervisor, not by the person who issued it.", "രസീത് നൽകിയയാളല്ല, മേലുദ്യോഗസ്ഥനാണ് റദ്ദാക്കേണ്ടത്."))
		case kind == ReceiptBounced && r.Mode != ModeCheque && r.Mode != ModeDD:
			return conflict("Only a cheque or a draft can be returned unpaid.", "ചെക്കോ ഡ്രാഫ്റ്റോ മാത്രമേ മടങ്ങുകയുള്ളൂ.")
		case kind == ReceiptBounced && !r.Realised.IsZero():
			return conflict("This cheque was realised; record a refund instead.", "ഈ ചെക്ക് പണമായി; പകരം തിരിച്ചുനൽകൽ രേഖപ്പെടുത്തുക.")
		}
		var orig Entry
		if err := tx.Get(entityEntry, r.Entry, &orig); err != nil {
			return err
		}
		why := domain.T("Receipt "+r.Number+" cancelled: "+reason, "രസീത് "+r.Number+" റദ്ദാക്കി: "+reason)
		typ := EventReceiptCancelled
		if kind == ReceiptBounced {
			why = domain.T("Cheque of receipt "+r.Number+" returned unpaid: "+reason, "രസീത് "+r.Number+"-ലെ ചെക്ക് മടങ്ങി: "+reason)
			typ = EventChequeBounced
		}
		e := reversal(orig, dateOf(now), now, why, "receipt:"+r.Number, by.ID)
		if !r.Realised.IsZero() {
			// The cheque's money is in the bank by now, not in hand.
			for i := range e.Lines {
				if e.Lines[i].Head == f.Chart.Role(RoleInstruments) {
					e.Lines[i].Head = f.Chart.Role(RoleBank)
				}
			}
		}
		if err := f.post(tx, &e); err != nil {
			return err
		}
		d, err := findDemand(tx, r.Demand)
		if err != nil {
			return err
		}
		d.Paid -= r.Amount
		d.settle()
		if err := f.putDemand(tx, &d, false); err != nil {
			return err
		}
		r.Status = kind
		r.Reversal = &Reversal{At: now, Kind: kind, Reason: reason, By: by.ID, ByName: by.Name, Entry: e.ID}
		if err := f.putReceipt(tx, &r, false); err != nil {
			return err
		}
		out = r
		return tx.Emit(by.ID, typ, entityReceipt, r.Number, map[string]any{"receipt": r, "demand": d, "entries": []Entry{e}})
	})
	return out, err
}

// Realise records that a cheque or draft reached the bank: the money moves
// from the instruments in hand to the bank.
func (f *Finance) Realise(by domain.Actor, number string) (Receipt, error) {
	if err := maySupervise(by); err != nil {
		return Receipt{}, err
	}
	now := f.Now()
	var out Receipt
	_, err := f.Store.Write(func(tx *store.Tx) error {
		r, err := getReceipt(tx, number)
		if err != nil {
			return err
		}
		if r.Status != ReceiptValid || (r.Mode != ModeCheque && r.Mode != ModeDD) || !r.Realised.IsZero() {
			return conflict("Only a valid cheque or draft not yet realised can be realised.", "സാധുവായ, പണമാകാത്ത ചെക്കോ ഡ്രാഫ്റ്റോ മാത്രം.")
		}
		e := Entry{Date: dateOf(now), Posted: now, By: by.ID, Ref: "receipt:" + r.Number,
			Narration: domain.T("Cheque of receipt "+r.Number+" realised", "രസീത് "+r.Number+"-ലെ ചെക്ക് പണമായി"),
			Lines:     []Line{{Head: f.Chart.Role(RoleBank), Debit: r.Amount}, {Head: f.Chart.Role(RoleInstruments), Credit: r.Amount}}}
		if err := f.post(tx, &e); err != nil {
			return err
		}
		r.Realised = now
		if err := f.putReceipt(tx, &r, false); err != nil {
			return err
		}
		out = r
		return tx.Emit(by.ID, EventChequeRealised, entityReceipt, r.Number, map[string]any{"receipt": r, "entries": []Entry{e}})
	})
	return out, err
}
