package documents

import (
	"strings"
	"time"

	"ksmart/appliance/domain"
)

// Payment is a receipt for money paid to the local body: what was paid,
// for what, how, when and to whom, with a QR code that verifies it. It is
// drawn from the receipt's record each time, the same bytes every time.
type Payment struct {
	LocalBody domain.LocalBody
	// Number is the receipt's number, e.g. DEMO01-C1-2026-27-14.
	Number  string
	Counter domain.Text
	// Received is when the money was received, also the PDF's date.
	Received time.Time
	Payer    domain.Text
	// For is what the payment is for: the demand and what it was raised on.
	For    domain.Text
	Head   domain.Text // the account head
	Amount domain.Paise
	Mode   domain.Text
	// Instrument describes a cheque, draft, UPI or online payment; "" for
	// cash.
	Instrument string
	ReceivedBy string
	// Cancelled, when set, is printed across the receipt: why it no longer
	// stands.
	Cancelled domain.Text
	// QR is the verification address the QR code holds.
	QR string
}

// Validate reports every problem with the payment's data at once.
func (r Payment) Validate() error {
	var problems []string
	if strings.TrimSpace(r.Number) == "" {
		problems = append(problems, "receipt number is missing")
	}
	if r.LocalBody.Name.En == "" || r.LocalBody.Name.Ml == "" {
		problems = append(problems, "local body name is needed in English and Malayalam")
	}
	if r.Amount <= 0 {
		problems = append(problems, "the amount is not positive")
	}
	if r.Received.IsZero() {
		problems = append(problems, "date of receipt is missing")
	}
	if blank(r.Payer) || blank(r.For) || blank(r.Mode) {
		problems = append(problems, "payer, purpose or mode is missing")
	}
	if strings.TrimSpace(r.QR) == "" {
		problems = append(problems, "verification address for the QR code is missing")
	}
	if len(problems) > 0 {
		return domain.Errorf(domain.EINVALID, "payment receipt: %s", strings.Join(problems, "; "))
	}
	return nil
}

var paymentTitle = domain.T("Receipt", "രസീത്")

// Payment draws a payment receipt as a one-page A4 PDF.
func (rd *Renderer) Payment(r Payment) ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	p := newPage(rd.fonts)
	p.header(r.LocalBody, false)
	p.title(paymentTitle)
	rows := []row{
		{Label: domain.T("Receipt number", "രസീത് നമ്പർ"), Value: plain(r.Number), Strong: true},
		{Label: domain.T("Date", "തീയതി"), Value: plain(r.Received.In(domain.IST).Format("02-01-2006 15:04"))},
		{Label: domain.T("Received from", "അടച്ചയാൾ"), Value: r.Payer},
		{Label: domain.T("For", "ഇനം"), Value: r.For},
		{Label: domain.T("Account head", "കണക്ക് ശീർഷകം"), Value: r.Head},
		{Label: domain.T("Amount", "തുക"), Value: domain.T(r.Amount.String()+" ("+rupeesInWords(r.Amount)+")", r.Amount.String()), Strong: true},
		{Label: domain.T("Paid by", "അടച്ച രീതി"), Value: r.Mode},
	}
	if r.Instrument != "" {
		rows = append(rows, row{Label: domain.T("Reference", "റഫറൻസ്"), Value: plain(r.Instrument)})
	}
	rows = append(rows, row{Label: domain.T("Counter", "കൗണ്ടർ"), Value: r.Counter}, row{Label: domain.T("Received by", "സ്വീകരിച്ചത്"), Value: plain(r.ReceivedBy)})
	if !blank(r.Cancelled) {
		rows = append(rows, row{Label: domain.T("THIS RECEIPT DOES NOT STAND", "ഈ രസീത് നിലവിലില്ല"), Value: r.Cancelled, Strong: true})
	}
	p.rows(rows)
	if err := p.qrBlock(r.QR, domain.T(
		"Scan this code with a phone camera to check the receipt with the local body.",
		"തദ്ദേശ സ്ഥാപനത്തിൽ രസീത് പരിശോധിക്കാൻ ഫോൺ ക്യാമറ ഉപയോഗിച്ച് ഈ കോഡ് സ്കാൻ ചെയ്യുക.",
	), strings.SplitN(r.QR, "?", 2)[0]); err != nil {
		return nil, err
	}
	if err := p.checkFits(footerTop-2*mm, "the receipt"); err != nil {
		return nil, err
	}
	p.footer(domain.T("Keep this receipt", "ഈ രസീത് സൂക്ഷിക്കുക"), domain.T(
		"This receipt is computer generated and signed by the local body's seal in its QR code; it needs no other signature.",
		"ഈ രസീത് കമ്പ്യൂട്ടർ തയ്യാറാക്കിയതും ക്യുആർ കോഡിൽ തദ്ദേശ സ്ഥാപനത്തിന്റെ മുദ്ര പതിപ്പിച്ചതുമാണ്; മറ്റൊരു ഒപ്പ് ആവശ്യമില്ല.",
	))
	info := pdfInfo{Title: p.join(paymentTitle), Author: p.join(r.LocalBody.Name), Subject: r.Number, Time: r.Received}
	f := p.file(info, nil)
	defer f.release()
	return f.bytes(), nil
}

// rupeesInWords writes an amount the way receipts do: "Rupees one
// thousand two hundred and fifty and paise fifty only", in the Indian
// system (thousand, lakh, crore).
func rupeesInWords(a domain.Paise) string {
	r, ps := int64(a)/100, int64(a)%100
	s := "Rupees " + numberWords(r)
	if ps > 0 {
		s += " and paise " + numberWords(ps)
	}
	return s + " only"
}

var ones = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
var tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}

func numberWords(n int64) string {
	switch {
	case n < 20:
		return ones[n]
	case n < 100:
		if n%10 == 0 {
			return tens[n/10]
		}
		return tens[n/10] + "-" + ones[n%10]
	case n < 1000:
		s := ones[n/100] + " hundred"
		if n%100 != 0 {
			s += " and " + numberWords(n%100)
		}
		return s
	}
	for _, u := range []struct {
		size int64
		name string
	}{{10000000, "crore"}, {100000, "lakh"}, {1000, "thousand"}} {
		if n >= u.size {
			s := numberWords(n/u.size) + " " + u.name
			if n%u.size != 0 {
				s += " " + numberWords(n%u.size)
			}
			return s
		}
	}
	return ""
}
