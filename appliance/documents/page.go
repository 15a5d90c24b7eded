package documents

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"ksmart/appliance/domain"
)

// The A4 portrait page and its margins, in mm.
const (
	pageW     = 210.0
	pageH     = 297.0
	marginX   = 18.0
	marginTop = 14.0
	contentW  = pageW - 2*marginX
	// footerTop is where the footer's rule is drawn; the body must end above it.
	footerTop = pageH - 24.0
)

// Text styles used across documents.
var (
	styleBodyName   = textStyle{bold, 17}
	styleBodyNameEn = textStyle{bold, 13}
	styleDistrict   = textStyle{regular, 9.5}
	styleTitle      = textStyle{bold, 15}
	styleLabel      = textStyle{regular, 9.5}
	styleValue      = textStyle{regular, 11}
	styleStrong     = textStyle{bold, 11}
	styleCaption    = textStyle{regular, 9.5}
	styleSmall      = textStyle{regular, 8.5}
)

// textStyle is a weight of Manjari at a size in points.
type textStyle struct {
	weight style
	size   float64
}

// sizeMM is the style's em size in mm.
func (ts textStyle) sizeMM() float64 { return ts.size * mmPerPt }

// lineHeight leaves room for Malayalam's stacked conjuncts and below-base
// vowel signs, which reach further than Latin descenders.
func (ts textStyle) lineHeight() float64 { return 1.5 * ts.sizeMM() }

// alignment places a line within its box.
type alignment int

const (
	alignLeft alignment = iota
	alignCenter
)

// meta is what a document says about itself: who issued it, what it is and
// when it was made. The time becomes the PDF's creation and modification
// dates, so a document made again from the same record has the same bytes.
type meta struct {
	LocalBody domain.LocalBody
	Title     domain.Text
	Subject   string
	Time      time.Time
}

// document is one A4 page of a bilingual document under construction: the
// shared layout (header naming the local body, title, labelled rows, QR block,
// footer) that receipts, certificates, licences and permits are drawn with.
// Methods draw from the top down, advancing y; write finishes the page.
type document struct {
	pdf *fpdf.Fpdf
	tf  [2]*typeface
	sh  *shaper
	// y is the top of the next thing to draw, in mm from the top of the page.
	y float64
}

// newDocument starts a page with Manjari registered in both weights.
func newDocument(m meta) (*document, error) {
	tfs, err := loadTypefaces()
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	// Sorting the catalogue and fixing the dates leaves nothing in the file
	// that depends on map order or the clock.
	pdf.SetCatalogSort(true)
	at := m.Time.In(domain.IST)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetTitle(joinBilingual(m.Title), true)
	pdf.SetAuthor(joinBilingual(m.LocalBody.Name), true)
	if m.Subject != "" {
		pdf.SetSubject(m.Subject, true)
	}
	pdf.SetCreator("ksmart", false)
	pdf.SetProducer("ksmart", false)
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(false, 0)
	for _, tf := range tfs {
		pdf.AddUTF8FontFromBytes(fontFamily, tf.style.fpdfStyle(), tf.pdfFont)
	}
	pdf.AddPage()
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("documents: start page: %w", err)
	}
	return &document{pdf: pdf, tf: tfs, sh: getShaper(tfs), y: marginTop}, nil
}

// joinBilingual writes t as "English / Malayalam", or whichever half is set.
func joinBilingual(t domain.Text) string {
	en, ml := strings.TrimSpace(t.En), strings.TrimSpace(t.Ml)
	switch {
	case en == "" || en == ml:
		return ml
	case ml == "":
		return en
	}
	return en + " / " + ml
}

// setStyle makes ts the current font.
func (d *document) setStyle(ts textStyle) {
	d.pdf.SetFont(fontFamily, ts.weight.fpdfStyle(), ts.size)
}

// word is a piece of text between spaces, cut into script runs and measured
// in one style.
type word struct {
	runs  []run
	width float64 // mm
}

// measure cuts text into words and measures each in ts, shaping the runs
// that are not ASCII; ts must be the current style.
func (d *document) measure(text string, ts textStyle) []word {
	tf := d.tf[ts.weight]
	var words []word
	for _, field := range strings.Fields(text) {
		w := word{runs: splitScripts(field)}
		for i := range w.runs {
			r := &w.runs[i]
			if r.shaped {
				r.glyphs = d.sh.shape(tf, r.text)
				var adv float64
				for _, g := range r.glyphs {
					adv += g.xAdvance
				}
				r.width = adv * ts.sizeMM() / tf.upem
			} else {
				r.width = d.pdf.GetStringWidth(r.text)
			}
			w.width += r.width
		}
		words = append(words, w)
	}
	return words
}

// wrap fills lines no wider than width (mm) with text's words. A word that
// is wider than a line on its own and is plain ASCII (a long URL or
// number) is broken after a '/', '-', '.' or '=' where possible, else
// anywhere; a shaped word that long is left to overflow.
func (d *document) wrap(text string, ts textStyle, width float64) [][]word {
	d.setStyle(ts)
	space := d.pdf.GetStringWidth(" ")
	var lines [][]word
	var line []word
	lineW := 0.0
	for _, w := range d.measure(text, ts) {
		pieces := []word{w}
		if w.width > width && len(w.runs) == 1 && !w.runs[0].shaped {
			pieces = d.breakWord(w.runs[0].text, width)
		}
		for _, p := range pieces {
			if len(line) > 0 && lineW+space+p.width > width {
				lines = append(lines, line)
				line, lineW = nil, 0
			}
			if len(line) > 0 {
				lineW += space
			}
			line = append(line, p)
			lineW += p.width
		}
	}
	if len(line) > 0 {
		lines = append(lines, line)
	}
	return lines
}

// breakWord cuts an ASCII word into pieces no wider than width,
// each ending after the last '/', '-', '.', '=', '?' or '&' that fits, or
// else after the last character that fits. fpdf applies no kerning, so the
// width of a prefix is the sum of its characters' widths.
func (d *document) breakWord(s string, width float64) []word {
	var pieces []word
	for s != "" {
		fit, soft, w := 0, 0, 0.0
		for i, r := range s {
			w += d.pdf.GetStringWidth(string(r))
			if w > width && fit > 0 {
				break
			}
			fit = i + utf8.RuneLen(r)
			if strings.ContainsRune("/-.=?&", r) {
				soft = fit
			}
		}
		cut := fit
		if fit < len(s) && soft > 0 {
			cut = soft
		}
		piece := s[:cut]
		pieces = append(pieces, word{runs: []run{{text: piece}}, width: d.pdf.GetStringWidth(piece)})
		s = s[cut:]
	}
	return pieces
}

// lineWidth is the width of a wrapped line with single spaces.
func (d *document) lineWidth(line []word) float64 {
	w := d.pdf.GetStringWidth(" ") * float64(len(line)-1)
	for _, wd := range line {
		w += wd.width
	}
	return w
}

// drawLine draws a line's words from x along baseline y; ts must be the
// current style.
func (d *document) drawLine(line []word, ts textStyle, x, y float64) {
	tf := d.tf[ts.weight]
	space := d.pdf.GetStringWidth(" ")
	for i, w := range line {
		if i > 0 {
			x += space
		}
		for _, r := range w.runs {
			if r.shaped {
				drawShaped(d.pdf, tf, ts.size, x, y, r.text, r.glyphs)
			} else {
				d.pdf.Text(x, y, r.text)
			}
			x += r.width
		}
	}
}

// paragraph draws text wrapped to width (mm) with its first line's top at
// top, and returns the height it took.
func (d *document) paragraph(text string, ts textStyle, x, top, width float64, align alignment) float64 {
	lines := d.wrap(text, ts, width)
	tf := d.tf[ts.weight]
	lh := ts.lineHeight()
	// The baseline sits so that the font's ascent and descent are centred
	// in the line box.
	ascent := tf.ascent / tf.upem * ts.sizeMM()
	descent := -tf.descent / tf.upem * ts.sizeMM()
	baseline := top + (lh-ascent-descent)/2 + ascent
	for i, line := range lines {
		lx := x
		if align == alignCenter {
			lx = x + (width-d.lineWidth(line))/2
		}
		d.drawLine(line, ts, lx, baseline+float64(i)*lh)
	}
	return float64(len(lines)) * lh
}

// header names the local body in Malayalam and English, with its district,
// above a double rule.
func (d *document) header(lb domain.LocalBody) {
	if lb.Name.Ml != "" {
		d.y += d.paragraph(lb.Name.Ml, styleBodyName, marginX, d.y, contentW, alignCenter)
	}
	if lb.Name.En != "" {
		d.y += d.paragraph(lb.Name.En, styleBodyNameEn, marginX, d.y, contentW, alignCenter)
	}
	if district := districtLine(lb.District); district != "" {
		d.y += d.paragraph(district, styleDistrict, marginX, d.y, contentW, alignCenter)
	}
	d.y += 2
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(0.6)
	d.pdf.Line(marginX, d.y, pageW-marginX, d.y)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Line(marginX, d.y+1, pageW-marginX, d.y+1)
	d.y += 5
}

// districtLine reads "Kottayam District / കോട്ടയം ജില്ല".
func districtLine(t domain.Text) string {
	var en, ml string
	if t.En != "" {
		en = t.En + " District"
	}
	if t.Ml != "" {
		ml = t.Ml + " ജില്ല"
	}
	return joinBilingual(domain.T(en, ml))
}

// title draws the document's name, centred, in both languages.
func (d *document) title(t domain.Text) {
	d.y += d.paragraph(joinBilingual(t), styleTitle, marginX, d.y, contentW, alignCenter)
	d.y += 4
}

// row is one labelled line of a document: "English / Malayalam label :
// value". A value with both halves reads "English / Malayalam" when that fits
// on one line, else English above Malayalam; a value with only En set (a
// number, a date) is written as it is. Strong values (the number a citizen
// quotes) are set in bold.
type row struct {
	Label  domain.Text
	Value  domain.Text
	Strong bool
}

// plain is a value that reads the same in both languages: a number, a date,
// an amount.
func plain(s string) domain.Text { return domain.Text{En: s} }

// Column geometry of rows, in mm.
const (
	labelW = 62.0
	colonX = marginX + labelW + 2
	valueX = colonX + 4
	valueW = pageW - marginX - valueX
)

// rows draws labelled rows, each separated by a hairline, label and value
// wrapping in their own columns.
func (d *document) rows(rows []row) {
	d.pdf.SetDrawColor(190, 190, 190)
	d.pdf.SetLineWidth(0.15)
	d.pdf.Line(marginX, d.y, pageW-marginX, d.y)
	for _, r := range rows {
		top := d.y + 1.5
		d.pdf.SetTextColor(70, 70, 70)
		lh := d.paragraph(joinBilingual(r.Label), styleLabel, marginX, top, labelW, alignLeft)
		d.pdf.SetTextColor(0, 0, 0)
		vs := styleValue
		if r.Strong {
			vs = styleStrong
		}
		d.paragraph(":", vs, colonX, top, 3, alignLeft)
		vh := d.value(r.Value, vs, top)
		d.y = top + max(lh, vh) + 1.5
		d.pdf.Line(marginX, d.y, pageW-marginX, d.y)
	}
	d.pdf.SetDrawColor(0, 0, 0)
	d.y += 5
}

// value draws a row's value in the value column and returns its height.
func (d *document) value(v domain.Text, vs textStyle, top float64) float64 {
	joined := joinBilingual(v)
	if v.En == "" || v.Ml == "" || joined != v.En+" / "+v.Ml || len(d.wrap(joined, vs, valueW)) == 1 {
		return d.paragraph(joined, vs, valueX, top, valueW, alignLeft)
	}
	h := d.paragraph(v.En, vs, valueX, top, valueW, alignLeft)
	return h + d.paragraph(v.Ml, vs, valueX, top+h, valueW, alignLeft)
}

// qrSize is the side of the QR square, quiet zone included, in mm: large
// enough for a phone camera at arm's length on a printed page.
const qrSize = 30.0

// qrBlock draws a QR code of content at the left margin with caption and
// the content itself beside it.
func (d *document) qrBlock(content string, caption domain.Text) error {
	if err := drawQR(d.pdf, marginX, d.y, qrSize, content); err != nil {
		return err
	}
	x := marginX + qrSize + 4
	w := pageW - marginX - x
	top := d.y + 4
	if caption.En != "" {
		top += d.paragraph(caption.En, styleCaption, x, top, w, alignLeft)
	}
	if caption.Ml != "" {
		top += d.paragraph(caption.Ml, styleCaption, x, top, w, alignLeft)
	}
	top += 1
	d.paragraph(content, styleSmall, x, top, w, alignLeft)
	d.y += qrSize + 4
	return nil
}

// footer closes the page with a rule and a bilingual note at the bottom.
func (d *document) footer(note domain.Text) {
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Line(marginX, footerTop, pageW-marginX, footerTop)
	top := footerTop + 2
	d.pdf.SetTextColor(70, 70, 70)
	if note.En != "" {
		top += d.paragraph(note.En, styleSmall, marginX, top, contentW, alignCenter)
	}
	if note.Ml != "" {
		d.paragraph(note.Ml, styleSmall, marginX, top, contentW, alignCenter)
	}
	d.pdf.SetTextColor(0, 0, 0)
}

// write finishes the page and returns the PDF's bytes. The document cannot
// be used afterwards.
func (d *document) write() ([]byte, error) {
	defer d.release()
	if d.y > footerTop {
		return nil, fmt.Errorf("documents: content runs into the footer (%.1f mm > %.1f mm)", d.y, footerTop)
	}
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("documents: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// release returns the document's shaper to the pool.
func (d *document) release() {
	if d.sh != nil {
		putShaper(d.sh)
		d.sh = nil
	}
}
