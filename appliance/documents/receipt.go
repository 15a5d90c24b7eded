package documents

import (
	"strings"
	"time"

	"ksmart/appliance/domain"
)

// Channels through which an application is received.
const (
	ChannelOnline  = "online"
	ChannelCounter = "counter"
)

// Receipt is the acknowledgement an applicant gets when an application is
// received: the application number to quote, what was applied for, when it
// is due under the Right to Service time limit, the fee, and where to follow
// its status.
type Receipt struct {
	LocalBody domain.LocalBody
	// Number is the application number, e.g. KS/M0701/2026/BR/000123.
	Number    string
	Service   domain.Text
	Applicant domain.Text
	// SubmittedAt is when the application was received; it is also the
	// PDF's creation date, so the receipt is reproducible from the record.
	SubmittedAt time.Time
	// DueAt is when the service is due; it may not be before SubmittedAt.
	DueAt   time.Time
	Fee     domain.Paise
	FeePaid bool
	// StatusURL is the public status page that the QR code encodes.
	StatusURL string
	// Channel is ChannelOnline or ChannelCounter.
	Channel string
}

// Validate reports every problem with the receipt's data at once, as an
// EINVALID *domain.Error.
func (r Receipt) Validate() error {
	var problems []string
	if strings.TrimSpace(r.Number) == "" {
		problems = append(problems, "application number is missing")
	}
	if r.LocalBody.Name.En == "" || r.LocalBody.Name.Ml == "" {
		problems = append(problems, "local body name is needed in English and Malayalam")
	}
	if blank(r.Service) {
		problems = append(problems, "service is missing")
	}
	if blank(r.Applicant) {
		problems = append(problems, "applicant's name is missing")
	}
	if r.SubmittedAt.IsZero() {
		problems = append(problems, "date of submission is missing")
	}
	if r.DueAt.IsZero() {
		problems = append(problems, "due date is missing")
	} else if !r.SubmittedAt.IsZero() && r.DueAt.Before(r.SubmittedAt) {
		problems = append(problems, "due date is before the date of submission")
	}
	if r.Fee < 0 {
		problems = append(problems, "fee is negative")
	}
	if strings.TrimSpace(r.StatusURL) == "" {
		problems = append(problems, "status URL for the QR code is missing")
	}
	if r.Channel != ChannelOnline && r.Channel != ChannelCounter {
		problems = append(problems, `channel must be "online" or "counter"`)
	}
	if len(problems) > 0 {
		return domain.Errorf(domain.EINVALID, "acknowledgement receipt: %s", strings.Join(problems, "; "))
	}
	return nil
}

// receiptTitle is the receipt's name on the page and in the PDF's metadata.
var receiptTitle = domain.T("Acknowledgement Receipt", "കൈപ്പറ്റ് രസീത്")

// Receipt renders an acknowledgement receipt as a one-page A4 PDF. The same
// receipt drawn with the same fonts always gives the same bytes. It returns
// an EINVALID *domain.Error when the receipt's data is incomplete (see
// Validate) or too long for the page.
func (r *Renderer) Receipt(rec Receipt) ([]byte, error) {
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	p := newPage(r.fonts)
	p.header(rec.LocalBody, false)
	p.title(receiptTitle)
	p.rows([]row{
		{Label: domain.T("Application number", "അപേക്ഷാ നമ്പർ"), Value: plain(rec.Number), Strong: true},
		{Label: domain.T("Service", "സേവനം"), Value: rec.Service},
		{Label: domain.T("Applicant", "അപേക്ഷകൻ"), Value: rec.Applicant},
		{Label: domain.T("Received through", "സ്വീകരിച്ചത്"), Value: channelName(rec.Channel)},
		{Label: domain.T("Date of submission", "സമർപ്പിച്ച തീയതി"), Value: plain(formatDate(rec.SubmittedAt))},
		{Label: domain.T("Due date", "സേവനം ലഭ്യമാക്കേണ്ട തീയതി"), Value: plain(formatDate(rec.DueAt))},
		{Label: domain.T("Fee", "ഫീസ്"), Value: feeText(rec.Fee, rec.FeePaid)},
		{Label: domain.T("How to track", "സ്ഥിതി അറിയാൻ"), Value: plain("Scan the QR code or visit " + rec.StatusURL)},
	})
	if err := p.qrBlock(rec.StatusURL, domain.T(
		"Scan this code with a phone camera to see the status of your application.",
		"അപേക്ഷയുടെ സ്ഥിതി അറിയാൻ ഫോൺ ക്യാമറ ഉപയോഗിച്ച് ഈ കോഡ് സ്കാൻ ചെയ്യുക.",
	), rec.StatusURL); err != nil {
		return nil, err
	}
	if err := p.checkFits(footerTop-2*mm, "the acknowledgement receipt"); err != nil {
		return nil, err
	}
	p.footer(domain.T("Quote the application number in every enquiry", "എല്ലാ അന്വേഷണങ്ങളിലും അപേക്ഷാ നമ്പർ പറയുക"), domain.T(
		"This receipt is computer generated and needs no signature.",
		"ഈ രസീത് കമ്പ്യൂട്ടർ തയ്യാറാക്കിയതാണ്; ഒപ്പ് ആവശ്യമില്ല.",
	))
	info := pdfInfo{Title: p.join(receiptTitle), Author: p.join(rec.LocalBody.Name), Subject: rec.Number, Time: rec.SubmittedAt}
	f := p.file(info, nil)
	defer f.release()
	return f.bytes(), nil
}

// channelName names the channel in both languages.
func channelName(c string) domain.Text {
	if c == ChannelCounter {
		return domain.T("Front office counter", "ഫ്രണ്ട് ഓഫീസ് കൗണ്ടർ")
	}
	return domain.T("Online", "ഓൺലൈൻ")
}

// formatDate writes t's date in IST as dd-mm-yyyy, the way Kerala's offices
// write dates.
func formatDate(t time.Time) string {
	return t.In(domain.IST).Format("02-01-2006")
}

// feeText states the fee and whether it is paid, or that there is none.
func feeText(fee domain.Paise, paid bool) domain.Text {
	switch {
	case fee == 0:
		return domain.T("No fee", "ഫീസില്ല")
	case paid:
		return domain.T(fee.String()+" (paid)", "അടച്ചു")
	}
	return domain.T(fee.String()+" (to be paid)", "അടയ്ക്കാനുണ്ട്")
}
