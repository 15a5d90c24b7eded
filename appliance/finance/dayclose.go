package finance

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// DayClose is a counter's collection of a day, closed by its cashier and
// handed over, and the cash then remitted to the bank.
type DayClose struct {
	Counter string `json:"counter"`
	Date    string `json:"date"`
	// ByMode is what the counter's valid receipts of the day came to, by
	// mode of payment; Receipts counts them and Total sums them.
	ByMode   map[string]domain.Paise `json:"by_mode_paise"`
	Receipts int                     `json:"receipts"`
	Total    domain.Paise            `json:"total_paise"`
	Closed   time.Time               `json:"closed"`
	By       string                  `json:"by"`
	ByName   string                  `json:"by_name"`
	// Remitted is when the cash went to the bank, with the bank's
	// reference (the challan or deposit slip number).
	Remitted  time.Time `json:"remitted,omitzero"`
	BankRef   string    `json:"bank_ref,omitempty"`
	RemitBy   string    `json:"remitted_by,omitempty"`
	RemitEntr string    `json:"remit_entry,omitempty"`
}

// Collection is a counter's receipts of a day: the collection register.
type Collection struct {
	Counter  string                  `json:"counter"`
	Date     string                  `json:"date"`
	Receipts []Receipt               `json:"receipts"`
	ByMode   map[string]domain.Paise `json:"by_mode_paise"`
	Total    domain.Paise            `json:"total_paise"`
	Close    *DayClose               `json:"close,omitempty"`
}

// Collections returns a counter's collection register of a day: every
// receipt it issued (cancelled ones too), and the valid ones' sums.
func (f *Finance) Collections(by domain.Actor, counter, date string) (Collection, error) {
	if err := mayReadBooks(by); err != nil {
		return Collection{}, err
	}
	if _, ok := f.counter(counter); !ok && counter != OnlineCounter {
		return Collection{}, fieldError("counter", domain.T("There is no such counter.", "അങ്ങനെയൊരു കൗണ്ടറില്ല."))
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return Collection{}, fieldError("date", domain.T("Give the date as YYYY-MM-DD.", "തീയതി YYYY-MM-DD രൂപത്തിൽ നൽകുക."))
	}
	var c Collection
	err := f.Store.View(func(tx *store.Tx) (err error) {
		c, err = f.collection(tx, counter, date)
		return err
	})
	return c, err
}

func (f *Finance) collection(tx *store.Tx, counter, date string) (Collection, error) {
	c := Collection{Counter: counter, Date: date, ByMode: map[string]domain.Paise{}, Receipts: []Receipt{}}
	var numbers []string
	err := tx.Scan(entityCounter, store.ScanOptions{Prefix: counter + "/" + dayKey(date) + "/"}, func(_ string, raw []byte) error {
		var n string
		if err := json.Unmarshal(raw, &n); err != nil {
			return err
		}
		numbers = append(numbers, n)
		return nil
	})
	if err != nil {
		return c, err
	}
	for _, n := range numbers {
		r, err := getReceipt(tx, n)
		if err != nil {
			return c, err
		}
		c.Receipts = append(c.Receipts, r)
		// A receipt counts in the day's cash unless it was cancelled; a
		// cheque returned later was still received that day.
		if r.Status != ReceiptCancelled {
			c.ByMode[r.Mode] += r.Amount
			c.Total += r.Amount
		}
	}
	var dc DayClose
	if err := tx.Get(entityClose, counter+"/"+dayKey(date), &dc); err == nil {
		c.Close = &dc
	} else if !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	return c, nil
}

// openDay refuses a collection at a counter whose day is closed.
func (f *Finance) openDay(tx *store.Tx, counter, date string) error {
	if tx.Exists(entityClose, counter+"/"+dayKey(date)) {
		return conflict(fmt.Sprintf("Counter %s's collection of %s is closed; take further payments at another counter or tomorrow.", counter, date),
			fmt.Sprintf("കൗണ്ടർ %s-ന്റെ %s-ലെ വരവ് അവസാനിപ്പിച്ചു; മറ്റൊരു കൗണ്ടറിലോ നാളെയോ തുക സ്വീകരിക്കുക.", counter, date))
	}
	return nil
}

// CloseDay closes a counter's collection of a day: its cashier (or the
// accountant) hands it over, and no more is received there that day.
func (f *Finance) CloseDay(by domain.Actor, counter, date string) (DayClose, error) {
	if err := mayCollect(by); err != nil {
		return DayClose{}, err
	}
	if _, ok := f.counter(counter); !ok {
		return DayClose{}, fieldError("counter", domain.T("There is no such counter.", "അങ്ങനെയൊരു കൗണ്ടറില്ല."))
	}
	d, err := time.ParseInLocation(time.DateOnly, date, domain.IST)
	if err != nil || d.After(f.Now()) {
		return DayClose{}, fieldError("date", domain.T("Give a date not after today, as YYYY-MM-DD.", "ഇന്നത്തേതിന് ശേഷമല്ലാത്ത തീയതി YYYY-MM-DD രൂപത്തിൽ നൽകുക."))
	}
	now := f.Now()
	var out DayClose
	_, err = f.Store.Write(func(tx *store.Tx) error {
		if tx.Exists(entityClose, counter+"/"+dayKey(date)) {
			return conflict("This day is already closed at this counter.", "ഈ കൗണ്ടറിൽ ഈ ദിവസം ഇതിനകം അവസാനിപ്പിച്ചു.")
		}
		c, err := f.collection(tx, counter, date)
		if err != nil {
			return err
		}
		out = DayClose{Counter: counter, Date: date, ByMode: c.ByMode, Total: c.Total, Closed: now, By: by.ID, ByName: by.Name}
		for _, r := range c.Receipts {
			if r.Status != ReceiptCancelled {
				out.Receipts++
			}
		}
		if err := tx.Put(entityClose, counter+"/"+dayKey(date), out); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventDayClosed, entityClose, counter+"/"+dayKey(date), out)
	})
	return out, err
}

// Remit records a closed day's cash paid into the bank, with the bank's
// reference: cash is credited and the bank debited.
func (f *Finance) Remit(by domain.Actor, counter, date, bankRef string) (DayClose, error) {
	if err := maySupervise(by); err != nil {
		return DayClose{}, err
	}
	bankRef = strings.TrimSpace(bankRef)
	if n := utf8.RuneCountInString(bankRef); n < 3 || n > 40 {
		return DayClose{}, fieldError("bank_ref", domain.T("Give the bank's reference for the deposit (the challan or slip number).", "ബാങ്ക് നിക്ഷേപത്തിന്റെ റഫറൻസ് നൽകുക (ചലാൻ / സ്ലിപ്പ് നമ്പർ)."))
	}
	now := f.Now()
	var out DayClose
	_, err := f.Store.Write(func(tx *store.Tx) error {
		var dc DayClose
		if err := tx.Get(entityClose, counter+"/"+dayKey(date), &dc); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return conflict("Close the counter's day before remitting its cash.", "പണം അടയ്ക്കുന്നതിന് മുമ്പ് കൗണ്ടറിന്റെ ദിവസം അവസാനിപ്പിക്കുക.")
			}
			return err
		}
		if !dc.Remitted.IsZero() {
			return conflict("This day's cash is already remitted.", "ഈ ദിവസത്തെ പണം ഇതിനകം ബാങ്കിൽ അടച്ചു.")
		}
		if cash := dc.ByMode[ModeCash]; cash > 0 {
			// The narration is read by people: the day as dd-mm-yyyy.
			day := date
			if t, err := time.Parse(time.DateOnly, date); err == nil {
				day = t.Format("02-01-2006")
			}
			e := Entry{Date: dateOf(now), Posted: now, By: by.ID, Ref: "remittance:" + counter + "/" + date,
				Narration: domain.T("Cash of counter "+counter+" of "+day+" remitted to the bank ("+bankRef+")", "കൗണ്ടർ "+counter+", "+day+"-ലെ പണം ബാങ്കിൽ അടച്ചു ("+bankRef+")"),
				Lines:     []Line{{Head: f.Chart.Role(RoleBank), Debit: cash}, {Head: f.Chart.Role(RoleCash), Credit: cash}}}
			if err := f.post(tx, &e); err != nil {
				return err
			}
			dc.RemitEntr = e.ID
		}
		dc.Remitted, dc.BankRef, dc.RemitBy = now, bankRef, by.ID
		if err := tx.Put(entityClose, counter+"/"+dayKey(date), dc); err != nil {
			return err
		}
		out = dc
		return tx.Emit(by.ID, EventCashRemitted, entityClose, counter+"/"+dayKey(date), dc)
	})
	return out, err
}

// Period is a closed month of the accounts.
type Period struct {
	Month  string    `json:"month"` // YYYY-MM
	Closed time.Time `json:"closed"`
	By     string    `json:"by"`
}

// ClosePeriod closes a month: no entry dated in it is taken after. A
// month not yet over cannot be closed.
func (f *Finance) ClosePeriod(by domain.Actor, month string) (Period, error) {
	if err := maySupervise(by); err != nil {
		return Period{}, err
	}
	m, err := time.ParseInLocation("2006-01", month, domain.IST)
	now := f.Now()
	if err != nil || !m.AddDate(0, 1, 0).Before(now) {
		return Period{}, fieldError("month", domain.T("Give a month that is over, as YYYY-MM.", "കഴിഞ്ഞുപോയ ഒരു മാസം YYYY-MM രൂപത്തിൽ നൽകുക."))
	}
	p := Period{Month: month, Closed: now, By: by.ID}
	_, err = f.Store.Write(func(tx *store.Tx) error {
		if tx.Exists(entityPeriod, month) {
			return conflict("This month is already closed.", "ഈ മാസം ഇതിനകം അവസാനിപ്പിച്ചു.")
		}
		if err := tx.Put(entityPeriod, month, p); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventPeriodClosed, entityPeriod, month, p)
	})
	return p, err
}

// openPeriod refuses an entry dated in a closed month.
func (f *Finance) openPeriod(tx *store.Tx, date string) error {
	if len(date) >= 7 && tx.Exists(entityPeriod, date[:7]) {
		return conflict(fmt.Sprintf("The accounts of %s are closed; nothing more can be entered in that month.", date[:7]), fmt.Sprintf("%s-ലെ കണക്കുകൾ അവസാനിപ്പിച്ചു; ആ മാസത്തിൽ ഒന്നും ചേർക്കാനാകില്ല.", date[:7]))
	}
	return nil
}
