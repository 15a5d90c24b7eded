package documents

import (
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
)

// Letter is a letter from the office about an application: a written
// reply to a petition, a no-objection certificate. Its particulars are
// printed as rows, its body as the officer wrote it (in either language or
// both), then who signed it, and a QR code to the application's public
// status page.
type Letter struct {
	LocalBody domain.LocalBody
	// Title is the letter's name, e.g. "Reply".
	Title domain.Text
	// Number is the letter's number; Reference the application it answers.
	Number, Reference string
	Rows              []LetterRow
	// Body is the letter's text: up to MaxLetterBody characters, in
	// paragraphs separated by blank lines.
	Body string
	// Officer and OfficerTitle are who signed it, e.g. "Sheeba George",
	// "Secretary".
	Officer      string
	OfficerTitle domain.Text
	// Issued is when it was issued; it is also the PDF's creation date, so
	// the letter is reproducible from its record.
	Issued time.Time
	// StatusURL is the public status page that the QR code encodes.
	StatusURL string
	// QRCaption, when set, says what scanning the QR code shows, where
	// the code verifies the letter itself (a permit) rather than opening
	// the application's status.
	QRCaption domain.Text
}

// LetterRow is one labelled particular of a letter.
type LetterRow struct {
	Label, Value domain.Text
}

// MaxLetterBody is the longest body a letter takes, in characters: what
// fits on its one page with its particulars.
const MaxLetterBody = 2000

// Validate reports every problem with the letter's data at once, as an
// EINVALID *domain.Error.
func (l Letter) Validate() error {
	var problems []string
	if blank(l.Title) {
		problems = append(problems, "title is missing")
	}
	if strings.TrimSpace(l.Number) == "" {
		problems = append(problems, "number is missing")
	}
	if l.LocalBody.Name.En == "" || l.LocalBody.Name.Ml == "" {
		problems = append(problems, "local body name is needed in English and Malayalam")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(l.Body)); {
	case n == 0:
		problems = append(problems, "the letter has no text")
	case n > MaxLetterBody:
		problems = append(problems, "the letter's text is longer than 2,000 characters")
	}
	if strings.TrimSpace(l.Officer) == "" || blank(l.OfficerTitle) {
		problems = append(problems, "who signed it is missing")
	}
	if l.Issued.IsZero() {
		problems = append(problems, "date of issue is missing")
	}
	if strings.TrimSpace(l.StatusURL) == "" {
		problems = append(problems, "status URL for the QR code is missing")
	}
	if len(problems) > 0 {
		return domain.Errorf(domain.EINVALID, "letter: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Letter renders a letter as a one-page A4 PDF. The same letter drawn with
// the same fonts always gives the same bytes. It returns an EINVALID
// *domain.Error when the letter's data is incomplete (see Validate) or too
// long for the page.
func (r *Renderer) Letter(l Letter) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	p := newPage(r.fonts)
	p.header(l.LocalBody, false)
	p.title(l.Title)
	rows := []row{
		{Label: domain.T("Number", "നമ്പർ"), Value: plain(l.Number), Strong: true},
		{Label: domain.T("Date", "തീയതി"), Value: plain(formatDate(l.Issued))},
	}
	if l.Reference != "" && l.Reference != l.Number {
		rows = append(rows, row{Label: domain.T("Application", "അപേക്ഷ"), Value: plain(l.Reference)})
	}
	for _, lr := range l.Rows {
		rows = append(rows, row{Label: lr.Label, Value: lr.Value})
	}
	p.rows(rows)
	body := p.fit(styleStatement)
	for _, para := range strings.Split(strings.ReplaceAll(strings.TrimSpace(l.Body), "\r\n", "\n"), "\n\n") {
		if para = strings.Join(strings.Fields(para), " "); para != "" {
			p.y += p.paragraph(para, body, marginX, p.y, contentW, alignLeft, black) + 2*mm
		}
	}
	p.y += 4 * mm
	p.y += p.paragraph(l.Officer, p.fit(styleStrong), marginX, p.y, contentW, alignRight, black)
	p.y += p.bilingual(l.OfficerTitle, p.fit(styleValue), marginX, p.y, contentW, alignRight, black) + 6*mm
	caption := domain.T(
		"Scan this code with a phone camera to see the application this letter answers.",
		"ഈ കത്ത് മറുപടി നൽകുന്ന അപേക്ഷ കാണാൻ ഫോൺ ക്യാമറ ഉപയോഗിച്ച് ഈ കോഡ് സ്കാൻ ചെയ്യുക.",
	)
	if !blank(l.QRCaption) {
		caption = l.QRCaption
	}
	if err := p.qrBlock(l.StatusURL, caption, l.StatusURL); err != nil {
		return nil, err
	}
	if err := p.checkFits(footerTop-2*mm, "the letter"); err != nil {
		return nil, err
	}
	p.footer(domain.T("Quote the number in every enquiry", "എല്ലാ അന്വേഷണങ്ങളിലും നമ്പർ പറയുക"), domain.T(
		"This letter is computer generated from the office's records.",
		"ഈ കത്ത് ഓഫീസ് രേഖകളിൽ നിന്ന് കമ്പ്യൂട്ടർ തയ്യാറാക്കിയതാണ്.",
	))
	info := pdfInfo{Title: p.join(l.Title), Author: p.join(l.LocalBody.Name), Subject: l.Number, Time: l.Issued}
	f := p.file(info, nil)
	defer f.release()
	return f.bytes(), nil
}
