package finance

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Entry is one journal entry: two or more lines whose debits equal their
// credits.
type Entry struct {
	ID        string      `json:"id"`   // "<YYYYMMDD>/<seq:012>": the day book's order
	Date      string      `json:"date"` // the accounting date, YYYY-MM-DD (IST)
	Posted    time.Time   `json:"posted"`
	Narration domain.Text `json:"narration"`
	// Ref names what the entry is for: "demand:<id>", "receipt:<number>",
	// "remittance:<counter>/<date>".
	Ref   string `json:"ref"`
	Lines []Line `json:"lines"`
	By    string `json:"by"`
	// Reverses is the entry this one reverses (a cancelled receipt, a
	// returned cheque), which stays in the books as it was.
	Reverses string `json:"reverses,omitempty"`
}

// Line is a debit or a credit to one head.
type Line struct {
	Head   string       `json:"head"`
	Debit  domain.Paise `json:"debit,omitempty"`
	Credit domain.Paise `json:"credit,omitempty"`
}

// dayTotal is a head's debits and credits of one day.
type dayTotal struct {
	Debit  domain.Paise `json:"d"`
	Credit domain.Paise `json:"c"`
}

// ErrUnbalanced is the fault of an entry whose debits are not its credits:
// a fault of ksmart's, never of the input, so the write is refused whole.
var ErrUnbalanced = errors.New("finance: the entry's debits do not equal its credits")

// post stages a journal entry in tx: checked (known heads, one side a
// line, positive amounts, debits equal to credits, an open period),
// numbered, and added to the heads' ledgers and day totals.
func (f *Finance) post(tx *store.Tx, e *Entry) error {
	var debit, credit domain.Paise
	for _, l := range e.Lines {
		if _, ok := f.Chart.Head(l.Head); !ok {
			return fmt.Errorf("finance: no account head %q in the chart", l.Head)
		}
		if l.Debit < 0 || l.Credit < 0 || (l.Debit == 0) == (l.Credit == 0) {
			return fmt.Errorf("finance: line %+v must be a positive debit or a positive credit", l)
		}
		debit += l.Debit
		credit += l.Credit
	}
	if len(e.Lines) < 2 || debit != credit || debit == 0 {
		return fmt.Errorf("%w (%v against %v)", ErrUnbalanced, debit, credit)
	}
	if err := f.openPeriod(tx, e.Date); err != nil {
		return err
	}
	seq, err := tx.NextNumber(seqEntry)
	if err != nil {
		return err
	}
	day := dayKey(e.Date)
	e.ID = fmt.Sprintf("%s/%012d", day, seq)
	if err := tx.Put(entityEntry, e.ID, e); err != nil {
		return err
	}
	for _, l := range e.Lines {
		var t dayTotal
		k := l.Head + "/" + day
		if err := tx.Get(entityDay, k, &t); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		t.Debit += l.Debit
		t.Credit += l.Credit
		if err := tx.Put(entityDay, k, t); err != nil {
			return err
		}
		if err := tx.PutRaw(entityLine, fmt.Sprintf("%s/%s/%012d", l.Head, day, seq), []byte(`"`+e.ID+`"`)); err != nil {
			return err
		}
	}
	return nil
}

// reversal is the entry that undoes e, dated date.
func reversal(e Entry, date string, now time.Time, why domain.Text, ref, by string) Entry {
	r := Entry{Date: date, Posted: now, Narration: why, Ref: ref, By: by, Reverses: e.ID}
	for _, l := range e.Lines {
		r.Lines = append(r.Lines, Line{Head: l.Head, Debit: l.Credit, Credit: l.Debit})
	}
	return r
}

// TrialBalanceLine is one head's totals up to a date.
type TrialBalanceLine struct {
	Code   string       `json:"code"`
	Name   domain.Text  `json:"name"`
	Type   string       `json:"type"`
	Debit  domain.Paise `json:"debit_paise"`
	Credit domain.Paise `json:"credit_paise"`
}

// TrialBalance is every head's debit or credit balance at the end of a
// date: the books balance when its totals are equal.
type TrialBalance struct {
	Date        string             `json:"date"`
	TotalDebit  domain.Paise       `json:"total_debit_paise"`
	TotalCredit domain.Paise       `json:"total_credit_paise"`
	Lines       []TrialBalanceLine `json:"lines"`
}

// TrialBalance sums every head's postings up to and including date
// (YYYY-MM-DD) from the day totals, so its cost grows with heads × days,
// not with the postings. A head's balance is shown on its side: debit
// where debits exceed credits, else credit.
func (f *Finance) TrialBalance(by domain.Actor, date string) (TrialBalance, error) {
	if err := mayReadBooks(by); err != nil {
		return TrialBalance{}, err
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return TrialBalance{}, fieldError("date", domain.T("Give the date as YYYY-MM-DD, e.g. 2026-12-31.", "തീയതി YYYY-MM-DD രൂപത്തിൽ നൽകുക, ഉദാ. 2026-12-31."))
	}
	last := dayKey(date)
	sums := map[string]*dayTotal{}
	err := f.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityDay, store.ScanOptions{}, func(k string, raw []byte) error {
			head, day, _ := strings.Cut(k, "/")
			if day > last {
				return nil
			}
			var t dayTotal
			if err := json.Unmarshal(raw, &t); err != nil {
				return err
			}
			s := sums[head]
			if s == nil {
				s = &dayTotal{}
				sums[head] = s
			}
			s.Debit += t.Debit
			s.Credit += t.Credit
			return nil
		})
	})
	if err != nil {
		return TrialBalance{}, err
	}
	tb := TrialBalance{Date: date, Lines: []TrialBalanceLine{}}
	for _, h := range f.Chart.Heads {
		s := sums[h.Code]
		if s == nil || s.Debit == s.Credit {
			continue
		}
		l := TrialBalanceLine{Code: h.Code, Name: h.Name, Type: h.Type}
		if s.Debit > s.Credit {
			l.Debit = s.Debit - s.Credit
		} else {
			l.Credit = s.Credit - s.Debit
		}
		tb.TotalDebit += l.Debit
		tb.TotalCredit += l.Credit
		tb.Lines = append(tb.Lines, l)
	}
	return tb, nil
}

// DayBook is every entry of a day, in the order posted.
func (f *Finance) DayBook(by domain.Actor, date string) ([]Entry, error) {
	if err := mayReadBooks(by); err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, fieldError("date", domain.T("Give the date as YYYY-MM-DD.", "തീയതി YYYY-MM-DD രൂപത്തിൽ നൽകുക."))
	}
	var out []Entry
	err := f.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityEntry, store.ScanOptions{Prefix: dayKey(date) + "/"}, func(_ string, raw []byte) error {
			var e Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// LedgerLine is one posting to a head, with the running balance after it
// (debit positive).
type LedgerLine struct {
	Entry     string       `json:"entry"`
	Date      string       `json:"date"`
	Narration domain.Text  `json:"narration"`
	Ref       string       `json:"ref"`
	Debit     domain.Paise `json:"debit_paise,omitempty"`
	Credit    domain.Paise `json:"credit_paise,omitempty"`
	Balance   domain.Paise `json:"balance_paise"`
}

// Ledger is one head's account over a range of dates: its balance brought
// forward, each posting, and the balance carried.
type Ledger struct {
	Head    Head         `json:"head"`
	From    string       `json:"from"`
	To      string       `json:"to"`
	Opening domain.Paise `json:"opening_paise"` // debit positive
	Lines   []LedgerLine `json:"lines"`
	Closing domain.Paise `json:"closing_paise"`
}

// MaxLedgerDays is the longest range one ledger page covers.
const MaxLedgerDays = 366

// Ledger returns head's account from from to to (YYYY-MM-DD, both
// included). The cash book is the ledger of the cash head.
func (f *Finance) Ledger(by domain.Actor, head, from, to string) (Ledger, error) {
	if err := mayReadBooks(by); err != nil {
		return Ledger{}, err
	}
	h, ok := f.Chart.Head(head)
	if !ok {
		return Ledger{}, fieldError("head", domain.T("There is no such account head; choose one from the chart of accounts.", "അങ്ങനെയൊരു കണക്ക് ശീർഷകമില്ല; കണക്ക് പട്ടികയിൽ നിന്ന് തിരഞ്ഞെടുക്കുക."))
	}
	fd, err1 := time.Parse(time.DateOnly, from)
	td, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || td.Before(fd) || td.Sub(fd) > MaxLedgerDays*24*time.Hour {
		return Ledger{}, fieldError("from", domain.T("Give the dates as YYYY-MM-DD, the first not after the last, at most a year apart.", "തീയതികൾ YYYY-MM-DD രൂപത്തിൽ, ആദ്യത്തേത് അവസാനത്തേതിന് ശേഷമാകാതെ, ഒരു വർഷത്തിനകം നൽകുക."))
	}
	l := Ledger{Head: h, From: from, To: to, Lines: []LedgerLine{}}
	first, last := dayKey(from), dayKey(to)
	err := f.Store.View(func(tx *store.Tx) error {
		err := tx.Scan(entityDay, store.ScanOptions{Prefix: head + "/"}, func(k string, raw []byte) error {
			if k[len(head)+1:] >= first {
				return store.ErrStop
			}
			var t dayTotal
			if err := json.Unmarshal(raw, &t); err != nil {
				return err
			}
			l.Opening += t.Debit - t.Credit
			return nil
		})
		if err != nil && !errors.Is(err, store.ErrStop) {
			return err
		}
		bal := l.Opening
		err = tx.Scan(entityLine, store.ScanOptions{Prefix: head + "/", After: head + "/" + first}, func(k string, raw []byte) error {
			day := k[len(head)+1 : len(head)+9]
			if day < first {
				return nil
			}
			if day > last {
				return store.ErrStop
			}
			var id string
			if err := json.Unmarshal(raw, &id); err != nil {
				return err
			}
			var e Entry
			if err := tx.Get(entityEntry, id, &e); err != nil {
				return err
			}
			for _, ln := range e.Lines {
				if ln.Head != head {
					continue
				}
				bal += ln.Debit - ln.Credit
				l.Lines = append(l.Lines, LedgerLine{Entry: e.ID, Date: e.Date, Narration: e.Narration, Ref: e.Ref, Debit: ln.Debit, Credit: ln.Credit, Balance: bal})
			}
			return nil
		})
		if err != nil && !errors.Is(err, store.ErrStop) {
			return err
		}
		l.Closing = bal
		return nil
	})
	return l, err
}

// Summary is the receipts and payments summary of a range: money that
// came in and went out of cash, bank, instruments and the gateway, by the
// head it was for.
type Summary struct {
	From     string        `json:"from"`
	To       string        `json:"to"`
	Receipts []SummaryLine `json:"receipts"`
	Payments []SummaryLine `json:"payments"`
	// TotalReceipts and TotalPayments are the sums of the lines.
	TotalReceipts domain.Paise `json:"total_receipts_paise"`
	TotalPayments domain.Paise `json:"total_payments_paise"`
}

// SummaryLine is the money that moved for one head.
type SummaryLine struct {
	Code   string       `json:"code"`
	Name   domain.Text  `json:"name"`
	Amount domain.Paise `json:"amount_paise"`
}

// ReceiptsAndPayments sums, over the entries of a range, what moved into
// (receipts) and out of (payments) the money heads, by the other heads of
// each entry. Moves between money heads (a remittance of cash to the bank,
// a cheque realised) are neither.
func (f *Finance) ReceiptsAndPayments(by domain.Actor, from, to string) (Summary, error) {
	if err := mayReadBooks(by); err != nil {
		return Summary{}, err
	}
	fd, err1 := time.Parse(time.DateOnly, from)
	td, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || td.Before(fd) || td.Sub(fd) > MaxLedgerDays*24*time.Hour {
		return Summary{}, fieldError("from", domain.T("Give the dates as YYYY-MM-DD, the first not after the last, at most a year apart.", "തീയതികൾ YYYY-MM-DD രൂപത്തിൽ, ആദ്യത്തേത് അവസാനത്തേതിന് ശേഷമാകാതെ, ഒരു വർഷത്തിനകം നൽകുക."))
	}
	money := map[string]bool{f.Chart.Role(RoleCash): true, f.Chart.Role(RoleBank): true, f.Chart.Role(RoleInstruments): true, f.Chart.Role(RoleGateway): true}
	in, out := map[string]domain.Paise{}, map[string]domain.Paise{}
	last := dayKey(to)
	err := f.Store.View(func(tx *store.Tx) error {
		err := tx.Scan(entityEntry, store.ScanOptions{After: dayKey(from)}, func(k string, raw []byte) error {
			if k[:8] > last {
				return store.ErrStop
			}
			if k[:8] < dayKey(from) {
				return nil
			}
			var e Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			var moved domain.Paise // into money heads, net
			for _, l := range e.Lines {
				if money[l.Head] {
					moved += l.Debit - l.Credit
				}
			}
			if moved == 0 {
				return nil
			}
			for _, l := range e.Lines {
				if money[l.Head] {
					continue
				}
				if moved > 0 {
					in[l.Head] += l.Credit - l.Debit
				} else {
					out[l.Head] += l.Debit - l.Credit
				}
			}
			return nil
		})
		if errors.Is(err, store.ErrStop) {
			return nil
		}
		return err
	})
	s := Summary{From: from, To: to, Receipts: []SummaryLine{}, Payments: []SummaryLine{}}
	for code, amt := range in {
		h, _ := f.Chart.Head(code)
		s.Receipts = append(s.Receipts, SummaryLine{Code: code, Name: h.Name, Amount: amt})
		s.TotalReceipts += amt
	}
	for code, amt := range out {
		h, _ := f.Chart.Head(code)
		s.Payments = append(s.Payments, SummaryLine{Code: code, Name: h.Name, Amount: amt})
		s.TotalPayments += amt
	}
	sort.Slice(s.Receipts, func(i, j int) bool { return s.Receipts[i].Code < s.Receipts[j].Code })
	sort.Slice(s.Payments, func(i, j int) bool { return s.Payments[i].Code < s.Payments[j].Code })
	return s, err
}

// ImportEntries posts journal entries kept before ksmart (the opening
// balances, a past year's books) in one write, each checked as every
// posting is: known heads, debits equal to credits, an open period. One
// that fails refuses the whole batch, naming it.
func (f *Finance) ImportEntries(by domain.Actor, entries []Entry) error {
	if err := maySupervise(by); err != nil {
		return err
	}
	if len(entries) == 0 {
		return domain.Errorf(domain.EINVALID, "No entries to import.")
	}
	now := f.Now()
	_, err := f.Store.Write(func(tx *store.Tx) error {
		for i := range entries {
			e := entries[i]
			e.Posted, e.By = now, by.ID
			if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
				return fmt.Errorf("entry %d: date %q is not YYYY-MM-DD", i+1, e.Date)
			}
			if e.Ref == "" {
				e.Ref = "import"
			}
			if err := f.post(tx, &e); err != nil {
				return fmt.Errorf("entry %d (%s): %w", i+1, e.Narration.En, err)
			}
			entries[i] = e
		}
		return tx.Emit(by.ID, EventEntriesImported, entityEntry, entries[0].ID, map[string]any{"entries": len(entries), "first": entries[0].ID, "last": entries[len(entries)-1].ID})
	})
	return err
}
