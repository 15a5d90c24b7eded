package documents

import (
	"fmt"
	"strings"
	"time"

	"ksmart/appliance/domain"
)

// DemandNotice is a building's property tax demand notice: the building
// and its owners, the year's assessment, each half-year still owed with
// its penal interest, the total, how the interest counts, and a UPI code
// to pay by. The module that keeps the register decides every figure and
// sentence; this draws them, the same bytes for the same notice.
type DemandNotice struct {
	LocalBody domain.LocalBody
	// Building is the building number, e.g. "12/345A".
	Building string
	Ward     int
	Owners   domain.Text
	Address  domain.Text
	Use      domain.Text
	// PlinthArea is the area as printed, e.g. "85.25 m²".
	PlinthArea string
	// Year is the financial year assessed, e.g. "2026-27"; Tax and Cess its
	// annual tax and service cess. Exempt, when set, is the ground the
	// building is exempt on (Tax and Cess are then 0).
	Year      string
	Tax, Cess domain.Paise
	Exempt    domain.Text
	// Dues are the half-years still owed, oldest first; Total what they
	// add up to.
	Dues  []NoticeDue
	Total domain.Paise
	// Interest says how penal interest counts, in both languages.
	Interest domain.Text
	// Issued is the notice's date, also the PDF's: the same notice on the
	// same day is the same file.
	Issued time.Time
	// UPI, when set, is the upi://pay address the QR code holds, with
	// UPICaption beside it and UPIShown (the payee's address) below.
	UPI        string
	UPICaption domain.Text
	UPIShown   string
}

// NoticeDue is one half-year owed on a demand notice.
type NoticeDue struct {
	Period   string // "2026-27/H1"
	Demand   string // the demand's number, quoted at the counter
	Due      time.Time
	Amount   domain.Paise // the instalment: tax and cess
	Interest domain.Paise
	Paid     domain.Paise
	Balance  domain.Paise
}

// MaxNoticeLines is how many half-years a notice lists one by one: older
// ones are summed in one line above them, so a building with years of
// arrears still gets a one-page notice with the exact total.
const MaxNoticeLines = 10

var noticeTitle = domain.T("Property tax demand notice", "വസ്തു നികുതി ഡിമാൻഡ് നോട്ടീസ്")

// Validate reports every problem with the notice's data at once.
func (n DemandNotice) Validate() error {
	var problems []string
	if strings.TrimSpace(n.Building) == "" {
		problems = append(problems, "building number is missing")
	}
	if n.LocalBody.Name.En == "" || n.LocalBody.Name.Ml == "" {
		problems = append(problems, "local body name is needed in English and Malayalam")
	}
	if n.Issued.IsZero() {
		problems = append(problems, "date of the notice is missing")
	}
	if strings.TrimSpace(n.Year) == "" {
		problems = append(problems, "the year assessed is missing")
	}
	if blank(n.Owners) {
		problems = append(problems, "owners are missing")
	}
	var sum domain.Paise
	for _, d := range n.Dues {
		if d.Period == "" || d.Due.IsZero() || d.Balance <= 0 || d.Amount < 0 || d.Interest < 0 || d.Paid < 0 {
			problems = append(problems, fmt.Sprintf("half-year %q needs its period, due date and a balance owed", d.Period))
		}
		sum += d.Balance
	}
	if sum != n.Total {
		problems = append(problems, fmt.Sprintf("the half-years owed add up to %v, not the total %v", sum, n.Total))
	}
	if blank(n.Interest) {
		problems = append(problems, "how penal interest counts is missing")
	}
	if n.UPI != "" && !strings.HasPrefix(n.UPI, "upi://pay?") {
		problems = append(problems, "the UPI code must be a upi://pay address")
	}
	if len(problems) > 0 {
		return domain.Errorf(domain.EINVALID, "demand notice: %s", strings.Join(problems, "; "))
	}
	return nil
}

// noticeColumns are the table of half-years' columns: heading, width in
// points, and whether figures align right.
var noticeColumns = []struct {
	label domain.Text
	width float64
	right bool
}{
	{domain.T("Half-year", "അർദ്ധവർഷം"), 22 * mm, false},
	{domain.T("Demand", "ഡിമാൻഡ്"), 31 * mm, false},
	{domain.T("Due by", "അവസാന തീയതി"), 21 * mm, false},
	{domain.T("Instalment", "ഗഡു"), 25 * mm, true},
	{domain.T("Interest", "പലിശ"), 25 * mm, true},
	{domain.T("Paid", "അടച്ചത്"), 25 * mm, true},
	{domain.T("Balance", "ബാക്കി"), 25 * mm, true},
}

// The table's text styles.
var (
	styleCell     = textStyle{regular, 9}
	styleCellBold = textStyle{bold, 9}
)

// DemandNotice draws a demand notice as a one-page A4 PDF. A notice too
// long for the page at the normal size is drawn a step smaller, as a
// certificate is. It returns an EINVALID *domain.Error when the notice's
// data is incomplete (see Validate) or too long for the page even so.
func (r *Renderer) DemandNotice(n DemandNotice) ([]byte, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var err error
	for _, scale := range bodyScales {
		var f *pdfFile
		if f, err = r.drawNotice(n, scale); err == nil {
			defer f.release()
			return f.bytes(), nil
		}
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "does not fit") {
			return nil, err
		}
	}
	return nil, err
}

// drawNotice draws the notice with its body at scale.
func (r *Renderer) drawNotice(n DemandNotice, scale float64) (*pdfFile, error) {
	p := newPage(r.fonts)
	p.scale = scale
	p.header(n.LocalBody, false)
	p.title(noticeTitle)
	rows := []row{
		{Label: domain.T("Building number", "കെട്ടിട നമ്പർ"), Value: plain(n.Building), Strong: true,
			Label2: domain.T("Date", "തീയതി"), Value2: plain(formatDate(n.Issued))},
		{Label: domain.T("Ward", "വാർഡ്"), Value: plain(fmt.Sprint(n.Ward))},
		{Label: domain.T("Owners", "ഉടമകൾ"), Value: n.Owners},
	}
	if !blank(n.Address) {
		rows = append(rows, row{Label: domain.T("Address", "വിലാസം"), Value: n.Address})
	}
	rows = append(rows,
		row{Label: domain.T("Use", "ഉപയോഗം"), Value: n.Use},
		row{Label: domain.T("Plinth area", "തറ വിസ്തീർണ്ണം"), Value: plain(n.PlinthArea)})
	if blank(n.Exempt) {
		rows = append(rows, row{Label: domain.T("Assessment "+n.Year, "നികുതി നിർണ്ണയം "+n.Year), Value: domain.T(
			fmt.Sprintf("%s tax + %s service cess = %s a year, in two half-yearly instalments", n.Tax, n.Cess, n.Tax+n.Cess),
			fmt.Sprintf("%s നികുതി + %s സേവന സെസ് = പ്രതിവർഷം %s, രണ്ട് അർദ്ധവാർഷിക ഗഡുക്കളായി", n.Tax, n.Cess, n.Tax+n.Cess))})
	} else {
		rows = append(rows, row{Label: domain.T("Assessment "+n.Year, "നികുതി നിർണ്ണയം "+n.Year), Value: domain.T("Exempt: "+n.Exempt.En, "ഇളവ്: "+n.Exempt.Ml)})
	}
	p.rows(rows)

	p.y += p.bilingual(domain.T("Half-years owed", "അടയ്ക്കാനുള്ള അർദ്ധവർഷങ്ങൾ"), p.fit(styleStrong), marginX, p.y, contentW, alignLeft, black) + p.pad(1.5*mm)
	if len(n.Dues) == 0 {
		p.y += p.bilingual(domain.T("Nothing is owed on this building today.", "ഈ കെട്ടിടത്തിന് ഇന്ന് ഒന്നും അടയ്ക്കാനില്ല."), p.fit(styleValue), marginX, p.y, contentW, alignLeft, black) + 3*mm
	} else {
		p.noticeTable(n.Dues, n.Total)
	}
	p.y += p.textBlock([]string{n.Interest.En, p.ml(n.Interest)}, p.fit(styleStatement), marginX, p.y, contentW, alignLeft, black) + 3*mm
	if n.UPI != "" {
		if err := p.qrBlock(n.UPI, n.UPICaption, n.UPIShown); err != nil {
			return nil, err
		}
	}
	if err := p.checkFits(footerTop-2*mm, "the demand notice"); err != nil {
		return nil, err
	}
	p.footer(domain.T("Quote the building number and the demand number when you pay", "തുക അടയ്ക്കുമ്പോൾ കെട്ടിട നമ്പറും ഡിമാൻഡ് നമ്പറും പറയുക"), domain.T(
		"This notice is computer generated from the register of buildings and needs no signature. Pay online, by UPI, or at the cash counter.",
		"ഈ നോട്ടീസ് കെട്ടിട രജിസ്റ്ററിൽ നിന്ന് കമ്പ്യൂട്ടർ തയ്യാറാക്കിയതാണ്; ഒപ്പ് ആവശ്യമില്ല. ഓൺലൈനായോ യു.പി.ഐ. വഴിയോ ക്യാഷ് കൗണ്ടറിലോ അടയ്ക്കാം.",
	))
	info := pdfInfo{Title: p.join(noticeTitle), Author: p.join(n.LocalBody.Name), Subject: n.Building, Time: n.Issued}
	return p.file(info, nil), nil
}

// noticeTable draws the half-years owed as a table: a header in both
// languages, a line a half-year (the oldest beyond MaxNoticeLines summed
// in one, written across the first three columns), and the total.
func (p *page) noticeTable(dues []NoticeDue, total domain.Paise) {
	type line struct {
		span  domain.Text // across the first three columns, instead of their cells
		cells []domain.Text
		bold  bool
	}
	money := func(v domain.Paise) domain.Text { return plain(v.String()) }
	var lines []line
	if extra := len(dues) - MaxNoticeLines; extra > 0 {
		var sum NoticeDue
		for _, d := range dues[:extra+1] {
			sum.Amount += d.Amount
			sum.Interest += d.Interest
			sum.Paid += d.Paid
			sum.Balance += d.Balance
		}
		first, last := dues[0].Period, dues[extra].Period
		lines = append(lines, line{span: domain.T(fmt.Sprintf("%s to %s (%d earlier half-years)", first, last, extra+1),
			fmt.Sprintf("%s മുതൽ %s വരെ (%d മുൻ അർദ്ധവർഷങ്ങൾ)", first, last, extra+1)),
			cells: []domain.Text{{}, {}, {}, money(sum.Amount), money(sum.Interest), money(sum.Paid), money(sum.Balance)}})
		dues = dues[extra+1:]
	}
	for _, d := range dues {
		lines = append(lines, line{cells: []domain.Text{plain(d.Period), plain(d.Demand), plain(formatDate(d.Due)),
			money(d.Amount), money(d.Interest), money(d.Paid), money(d.Balance)}})
	}
	lines = append(lines, line{span: domain.T("Total", "ആകെ"), cells: []domain.Text{{}, {}, {}, {}, {}, {}, money(total)}, bold: true})

	pad := p.pad(0.9 * mm)
	head := p.fit(styleLabel)
	p.rule(p.y, 0.6, grey)
	top := p.y + pad
	h := 0.0
	x := marginX
	for _, c := range noticeColumns {
		h = max(h, p.textBlock([]string{c.label.En, p.ml(c.label)}, head, x+pad, top, c.width-2*pad, columnAlign(c.right), grey))
		x += c.width
	}
	p.y = top + h + pad
	p.rule(p.y, 0.6, grey)
	for _, l := range lines {
		st := p.fit(styleCell)
		if l.bold {
			st = p.fit(styleCellBold)
		}
		top := p.y + pad
		h := 0.0
		x := marginX
		if !blank(l.span) {
			w := noticeColumns[0].width + noticeColumns[1].width + noticeColumns[2].width
			h = p.bilingual(l.span, st, x+pad, top, w-2*pad, alignLeft, black)
		}
		for i, c := range noticeColumns {
			if !blank(l.cells[i]) {
				h = max(h, p.bilingual(l.cells[i], st, x+pad, top, c.width-2*pad, columnAlign(c.right), black))
			}
			x += c.width
		}
		p.y = top + h + pad
		if l.bold {
			p.rule(p.y, 0.6, grey)
		} else {
			p.rule(p.y, 0.4, light)
		}
	}
	p.y += 3 * mm
}

func columnAlign(right bool) alignment {
	if right {
		return alignRight
	}
	return alignLeft
}
