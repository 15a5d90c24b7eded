package propertytax

import (
	"fmt"
	"strings"
	"time"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/store"
)

// InterestRule says, in both languages, how penal interest counts, from
// the rules' data: the rate a month and the one before it, that each
// month or part of a month after the due date counts in full (as
// MonthsOverdue reckons it), on what of the instalment is unpaid, and any
// waiver the Government gave.
func (p *PropertyTax) InterestRule() domain.Text {
	rates := p.Rules.Statutory.Interest
	var en, ml []string
	if n := len(rates); n > 0 {
		cur := rates[n-1]
		from := ymdText(cur.From)
		en = append(en, fmt.Sprintf("Penal interest: %d%% a month on an instalment not paid by its due date (30 September or 31 March), for each month or part of a month after it", cur.PercentPerMonth))
		ml = append(ml, fmt.Sprintf("പിഴപ്പലിശ: അവസാന തീയതിക്കകം (സെപ്റ്റംബർ 30 അല്ലെങ്കിൽ മാർച്ച് 31) അടയ്ക്കാത്ത ഗഡുവിന്, അതിനുശേഷമുള്ള ഓരോ മാസത്തിനും മാസത്തിന്റെ ഭാഗത്തിനും പ്രതിമാസം %d%%", cur.PercentPerMonth))
		if n > 1 {
			en[0] += fmt.Sprintf(" (%d%% a month for months that began before %s)", rates[n-2].PercentPerMonth, from)
			ml[0] += fmt.Sprintf(" (%s-ന് മുമ്പ് ആരംഭിച്ച മാസങ്ങൾക്ക് പ്രതിമാസം %d%%)", from, rates[n-2].PercentPerMonth)
		}
		en[0] += "."
		ml[0] += "."
	}
	en = append(en, "A month runs from the day after the due date to the same date of the next month: after 30 September, 1–30 October is the first month and 31 October–30 November the second; after 31 March, 1–30 April is the first. Paying on any day of a month pays that whole month's interest. Interest is on the instalment still unpaid when the month begins; a payment goes to the interest first, then to the instalment.")
	ml = append(ml, "അവസാന തീയതിയുടെ പിറ്റേന്ന് മുതൽ അടുത്ത മാസം അതേ തീയതി വരെയാണ് ഒരു മാസം: സെപ്റ്റംബർ 30-ന് ശേഷം ഒക്ടോബർ 1–30 ഒന്നാം മാസവും ഒക്ടോബർ 31–നവംബർ 30 രണ്ടാം മാസവും; മാർച്ച് 31-ന് ശേഷം ഏപ്രിൽ 1–30 ഒന്നാം മാസം. ഒരു മാസത്തിലെ ഏത് ദിവസം അടച്ചാലും ആ മാസത്തെ മുഴുവൻ പലിശ നൽകണം. മാസം തുടങ്ങുമ്പോൾ അടയ്ക്കാനുള്ള ഗഡുവിനാണ് പലിശ; അടയ്ക്കുന്ന തുക ആദ്യം പലിശയിലേക്കും പിന്നെ ഗഡുവിലേക്കും.")
	for _, w := range p.Rules.Statutory.InterestWaivers {
		en = append(en, fmt.Sprintf("No interest for months that begin from %s to %s (%s).", ymdText(w.From), ymdText(w.To), w.Source))
		ml = append(ml, fmt.Sprintf("%s മുതൽ %s വരെ ആരംഭിക്കുന്ന മാസങ്ങൾക്ക് പലിശയില്ല (%s).", ymdText(w.From), ymdText(w.To), w.Source))
	}
	return domain.T(strings.Join(en, " "), strings.Join(ml, " "))
}

// ymdText writes a YYYY-MM-DD date as pages and notices do: 01-05-2023.
func ymdText(s string) string {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format("02-01-2006")
	}
	return s
}

// Notice draws a building's demand notice as it stands today (a bilingual
// one-page PDF): the building, its owners, the year's assessment, each
// half-year still owed with its interest, the total, how interest counts,
// and a UPI code for the oldest half-year owed (UPI pays one demand, which
// the cashier matches by its number). The same building on the same day
// gives the same bytes. Who may have it is Owned's to say.
func (p *PropertyTax) Notice(ref string) ([]byte, error) {
	b, err := p.lookup(ref)
	if err != nil {
		return nil, err
	}
	now := p.Now()
	per := PeriodOf(now)
	a, err := p.Rules.Assess(b, per.Year)
	if err != nil {
		return nil, err
	}
	n := documents.DemandNotice{LocalBody: p.LocalBody, Building: b.Number, Ward: b.Ward,
		Owners: domain.T(b.OwnerNames("en"), b.OwnerNames("ml")), Address: b.Address, Use: UseName(b.MainUse()),
		PlinthArea: b.PlinthArea().String(), Year: per.FinancialYear(), Tax: a.Tax, Cess: a.Cess,
		Interest: p.InterestRule(), Issued: dateOnly(now)}
	if a.Exempt != "" {
		n.Exempt = ExemptionName(a.Exempt)
	}
	var oldest *finance.Demand
	var waived domain.Paise
	err = p.Store.View(func(tx *store.Tx) error {
		dues, err := p.duesIn(tx, b.ID)
		if err != nil {
			return err
		}
		for _, d := range dues {
			if d.Balance <= 0 {
				continue
			}
			n.Dues = append(n.Dues, documents.NoticeDue{Period: d.Period, Demand: d.Demand, Due: d.Due, Amount: d.Amount, Interest: d.Interest, Paid: d.Paid + d.Waived, Balance: d.Balance})
			n.Total += d.Balance
			waived += d.Waived
			if oldest == nil {
				dem, err := p.Finance.DemandIn(tx, d.ID)
				if err != nil {
					return err
				}
				oldest = &dem
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if waived > 0 {
		n.Interest = domain.T(fmt.Sprintf("Paid includes %s the office waived. ", waived)+n.Interest.En, fmt.Sprintf("അടച്ചതിൽ ഓഫീസ് ഇളവ് ചെയ്ത %s ഉൾപ്പെടുന്നു. ", waived)+n.Interest.Ml)
	}
	if oldest != nil {
		if uri := p.Finance.UPIURI(*oldest); uri != "" {
			n.UPI, n.UPIShown = uri, p.Finance.UPI.VPA
			first := n.Dues[0]
			n.UPICaption = domain.T(
				fmt.Sprintf("Scan with any UPI app to pay %s, the oldest half-year owed (%s, demand %s). Pay the others the same way from the building's page, online, or at the cash counter.", first.Balance, first.Period, first.Demand),
				fmt.Sprintf("ഏറ്റവും പഴയ കുടിശ്ശികയായ %s (%s, ഡിമാൻഡ് %s) അടയ്ക്കാൻ ഏതെങ്കിലും യു.പി.ഐ. ആപ്പ് ഉപയോഗിച്ച് സ്കാൻ ചെയ്യുക. മറ്റുള്ളവ കെട്ടിടത്തിന്റെ പേജിൽ നിന്ന് ഇതുപോലെയോ ഓൺലൈനായോ ക്യാഷ് കൗണ്ടറിലോ അടയ്ക്കാം.", first.Balance, first.Period, first.Demand))
		}
	}
	return p.Documents.DemandNotice(n)
}
