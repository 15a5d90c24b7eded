package documents

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"ksmart/appliance/domain"
)

// mm is a millimetre in points, the unit PDF pages are measured in. Layout
// constants are written in millimetres times mm.
const mm = 72 / 25.4

// The A4 portrait page and its margins, in points.
const (
	pageW     = 210 * mm
	pageH     = 297 * mm
	marginX   = 18 * mm
	marginTop = 12 * mm
	contentW  = pageW - 2*marginX
	// footerTop is where the footer's rule is drawn; the body must end above it.
	footerTop = pageH - 22*mm
)

// textStyle is a weight of the typeface at a size in points.
type textStyle struct {
	weight weight
	size   float64
}

// Text styles used across documents.
var (
	styleGovernment = textStyle{bold, 10.5}
	styleBodyName   = textStyle{bold, 16}
	styleBodyNameEn = textStyle{bold, 13}
	styleDistrict   = textStyle{regular, 9.5}
	styleTitle      = textStyle{bold, 14}
	styleLabel      = textStyle{regular, 9}
	styleValue      = textStyle{regular, 10.5}
	styleStrong     = textStyle{bold, 10.5}
	styleStatement  = textStyle{regular, 10}
	styleCaption    = textStyle{regular, 8.5}
	styleSmall      = textStyle{regular, 8}
)

// alignment places a line within its box.
type alignment int

const (
	alignLeft alignment = iota
	alignCenter
	alignRight
)

// Grey levels for text and rules (0 is black).
const (
	black = 0.0
	grey  = 0.3
	light = 0.72
)

// page is one A4 page of a bilingual document under construction. Its
// methods draw from the top down, advancing y; file finishes it.
//
// Text is drawn word by word. A word the Malayalam font has every letter of
// is shaped and drawn as the outlines of its glyphs (form XObjects placed with
// "Do"), with the same word laid over it as invisible text so that search,
// copy-paste and pdftotext give it back; any other word, and every word in
// English-only mode, is ordinary Helvetica text.
type page struct {
	fonts   *Fonts
	content []byte
	// forms lists the glyph forms used, in order of first use; used is the
	// same as a set.
	forms []*glyphForm
	used  map[*glyphForm]bool
	// width and height are the page's size in points.
	width, height float64
	// y is the top of the next thing to draw, in points from the top of
	// the page.
	y float64
	// fill is the current fill grey, or -1 before the first is set.
	fill float64
	// scale shrinks the body (rows and statements) of a document whose
	// text would not otherwise fit on its page; 1 is the normal size.
	scale float64
}

// fit returns st at the page's body scale.
func (p *page) fit(st textStyle) textStyle {
	if p.scale <= 0 || p.scale == 1 {
		return st
	}
	return textStyle{st.weight, st.size * p.scale}
}

// pad is a vertical space at the page's body scale.
func (p *page) pad(v float64) float64 {
	if p.scale <= 0 {
		return v
	}
	return v * p.scale
}

// contentBuffers pools the content streams of pages being drawn: a
// certificate's is about 100 KB, which would otherwise be allocated, and
// grown, afresh for every document.
var contentBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 128<<10)
	return &b
}}

// newPage starts an A4 page drawn with fonts.
func newPage(fonts *Fonts) *page {
	return &page{
		fonts:   fonts,
		content: (*contentBuffers.Get().(*[]byte))[:0],
		used:    map[*glyphForm]bool{},
		width:   pageW,
		height:  pageH,
		y:       marginTop,
		fill:    -1,
	}
}

// malayalam reports whether the page draws Malayalam.
func (p *page) malayalam() bool { return p.fonts.Malayalam() }

// join writes a bilingual text the way the page can print it: "English /
// Malayalam" (or whichever half is set), and in English-only mode the
// English half alone.
func (p *page) join(t domain.Text) string {
	if p.malayalam() {
		return t.Both()
	}
	en := strings.TrimSpace(t.En)
	if en == "" && strings.TrimSpace(t.Ml) != "" {
		return malayalamOnly
	}
	return en
}

// malayalamOnly stands in, in English-only mode, for a text that has no
// English half.
const malayalamOnly = "(in Malayalam only)"

// ml returns t's Malayalam half when the page draws Malayalam, else "".
func (p *page) ml(t domain.Text) string {
	if !p.malayalam() {
		return ""
	}
	return strings.TrimSpace(t.Ml)
}

// setFill makes g the fill grey of what follows.
func (p *page) setFill(g float64) {
	if g == p.fill {
		return
	}
	p.fill = g
	p.content = appendNum(p.content, g, 3)
	p.content = append(p.content, " g\n"...)
}

// pt appends a page coordinate (in points) to the content.
func (p *page) pt(v float64) {
	p.content = appendNum(p.content, v, 3)
	p.content = append(p.content, ' ')
}

// word is a piece of text between spaces, measured in one style.
type word struct {
	text string
	// shaped is the word's glyphs in tf, or nil when it is drawn in
	// Helvetica.
	shaped *shapedWord
	tf     *typeface
	width  float64 // points
}

// newWord measures text (without spaces) in style st.
func (p *page) newWord(text string, st textStyle) word {
	if p.malayalam() {
		tf := p.fonts.faces[st.weight]
		if tf.covers(text) {
			sw := p.fonts.shape(tf, text)
			return word{text: text, shaped: sw, tf: tf, width: sw.advance * st.size / tf.upem}
		}
	}
	return word{text: text, width: helveticaWidth(winAnsi(text), st.weight) * st.size}
}

// spaceWidth is the width of a space between words in st.
func (p *page) spaceWidth(st textStyle) float64 {
	if p.malayalam() {
		tf := p.fonts.faces[st.weight]
		if sw := p.fonts.shape(tf, " "); sw.advance > 0 {
			return sw.advance * st.size / tf.upem
		}
	}
	return helveticaWidth([]byte{' '}, st.weight) * st.size
}

// lineMetrics returns the ascent and descent (positive) of st in points.
func (p *page) lineMetrics(st textStyle) (ascent, descent float64) {
	if p.malayalam() {
		tf := p.fonts.faces[st.weight]
		return tf.ascent / tf.upem * st.size, -tf.descent / tf.upem * st.size
	}
	return helveticaAscent / 1000.0 * st.size, -helveticaDescent / 1000.0 * st.size
}

// lineHeight leaves room for Malayalam's stacked conjuncts and below-base
// vowel signs, which reach further than Latin descenders: 1.3 em, or a tenth
// more than the font's ascent and descent when they span more.
func (p *page) lineHeight(st textStyle) float64 {
	if p.malayalam() {
		tf := p.fonts.faces[st.weight]
		return max(1.3, 1.1*(tf.ascent-tf.descent)/tf.upem) * st.size
	}
	return 1.3 * st.size
}

// wrap fills lines no wider than width with text's words. A word wider than
// a line on its own (a long URL or number, a very long name) is broken: after
// a '/', '.', '=', '?' or '&' where one fits, else between letters (never
// inside a Malayalam conjunct or before a vowel sign).
func (p *page) wrap(text string, st textStyle, width float64) [][]word {
	space := p.spaceWidth(st)
	var lines [][]word
	var line []word
	lineW := 0.0
	for _, field := range strings.Fields(text) {
		w := p.newWord(field, st)
		pieces := []word{w}
		if w.width > width {
			pieces = p.breakWord(field, st, width)
		}
		for _, pc := range pieces {
			if len(line) > 0 && lineW+space+pc.width > width {
				lines = append(lines, line)
				line, lineW = nil, 0
			}
			if len(line) > 0 {
				lineW += space
			}
			line = append(line, pc)
			lineW += pc.width
		}
	}
	if len(line) > 0 {
		lines = append(lines, line)
	}
	return lines
}

// breakWord cuts a word into pieces no wider than width where it can: each
// piece ends at the last soft break ('/', '.', '=', '?', '&') that fits, or
// else at the last letter boundary that fits. A hyphen is no break point:
// text extraction may drop it when it joins the lines.
//
// The stretches between soft breaks (https:, pala., ksmart. …) are measured
// through the word cache, since addresses repeat them; a stretch too long
// for a line on its own is cut by binary search over its letter boundaries.
func (p *page) breakWord(s string, st textStyle, width float64) []word {
	var pieces []word
	for s != "" {
		cut := 0
		for cut < len(s) {
			next := cut + strings.IndexAny(s[cut:], "/.=?&") + 1
			if next == cut { // no soft break left
				next = len(s)
			}
			if cut > 0 && p.newWord(s[:next], st).width > width {
				break
			}
			cut = next
		}
		if p.newWord(s[:cut], st).width > width {
			cut = p.fitLetters(s[:cut], st, width)
		}
		pieces = append(pieces, p.newWord(s[:cut], st))
		s = s[cut:]
	}
	return pieces
}

// fitLetters returns the length of the longest prefix of s, cut at a letter
// boundary, that fits in width (at least one letter, even if it does not),
// found by binary search with uncached shaping.
func (p *page) fitLetters(s string, st textStyle, width float64) int {
	var cuts []int
	for i, r := range s {
		if end := i + utf8.RuneLen(r); end == len(s) || letterBoundary(s, end) {
			cuts = append(cuts, end)
		}
	}
	lo, hi := 0, len(cuts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if p.measure(s[:cuts[mid]], st) <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return cuts[lo]
}

// measure is the width of text (without spaces) in st, shaped without
// caching the result.
func (p *page) measure(text string, st textStyle) float64 {
	if p.malayalam() {
		tf := p.fonts.faces[st.weight]
		if tf.covers(text) {
			return p.fonts.shapeUncached(tf, text).advance * st.size / tf.upem
		}
	}
	return helveticaWidth(winAnsi(text), st.weight) * st.size
}

// letterBoundary reports whether a word may be cut before byte i of s
// without splitting a Malayalam cluster: not before a vowel sign or other
// mark, not after a virama or a joiner, and not before a joiner.
func letterBoundary(s string, i int) bool {
	next, _ := utf8.DecodeRuneInString(s[i:])
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	if unicode.In(next, unicode.Mn, unicode.Mc, unicode.Me) || next == 0x200C || next == 0x200D {
		return false
	}
	return prev != 0x0D4D && prev != 0x200C && prev != 0x200D
}

// lineWidth is the width of a wrapped line with single spaces.
func (p *page) lineWidth(line []word, st textStyle) float64 {
	w := p.spaceWidth(st) * float64(len(line)-1)
	for _, wd := range line {
		w += wd.width
	}
	return w
}

// drawWord draws w, visibly, with its pen starting at x on baseline y
// (points from the top of the page): its glyph outlines, or Helvetica text
// for a word the font cannot draw. drawLine lays the invisible text over it.
func (p *page) drawWord(w word, st textStyle, x, y float64) {
	by := p.height - y // PDF's y axis grows upwards from the bottom
	if w.shaped == nil {
		font := "/F1 "
		if st.weight == bold {
			font = "/F2 "
		}
		p.content = append(p.content, "BT 0 Tr "+font...)
		p.content = appendNum(p.content, st.size, 2)
		p.content = append(p.content, " Tf 100 Tz "...)
		p.pt(x)
		p.pt(by)
		p.content = append(p.content, "Td "...)
		p.content = appendPDFString(p.content, winAnsi(w.text))
		p.content = append(p.content, " Tj ET\n"...)
		return
	}

	// One transformation to the word's origin at one unit per font unit,
	// then a translation from glyph to glyph.
	scale := st.size / w.tf.upem
	p.content = append(p.content, "q "...)
	p.content = appendNum(p.content, scale, 9)
	p.content = append(p.content, " 0 0 "...)
	p.content = appendNum(p.content, scale, 9)
	p.content = append(p.content, ' ')
	p.pt(x)
	p.pt(by)
	p.content = append(p.content, "cm"...)
	var pen, cx, cy float64
	for _, g := range w.shaped.glyphs {
		if !g.form.empty {
			tx, ty := pen+g.xOff, g.yOff
			if tx != cx || ty != cy {
				p.content = append(p.content, " 1 0 0 1 "...)
				p.content = appendNum(p.content, tx-cx, 3)
				p.content = append(p.content, ' ')
				p.content = appendNum(p.content, ty-cy, 3)
				p.content = append(p.content, " cm"...)
				cx, cy = tx, ty
			}
			p.content = append(p.content, " /"...)
			p.content = append(p.content, g.form.name...)
			p.content = append(p.content, " Do"...)
			if !p.used[g.form] {
				p.used[g.form] = true
				p.forms = append(p.forms, g.form)
			}
		}
		pen += g.xAdvance
	}
	p.content = append(p.content, " Q\n"...)
}

// drawLine draws a wrapped line's words from x along baseline y, then lays
// the same text over the glyph outlines as invisible Helvetica text, so that
// search, copy-paste and pdftotext give it back:
//
//   - consecutive printable-ASCII words as one string with their spaces,
//     stretched (Tz) over the width they take on the page;
//   - any other word (Malayalam, ₹, accented Latin) as a placeholder letter
//     inside a marked-content span whose /ActualText is the word. poppler
//     and Acrobat use the ActualText for the span's glyphs, provided the
//     span shows at least one.
func (p *page) drawLine(line []word, st textStyle, x, y float64) {
	space := p.spaceWidth(st)
	xs := make([]float64, len(line))
	for i, w := range line {
		if i > 0 {
			x += space
		}
		xs[i] = x
		p.drawWord(w, st, x, y)
		x += w.width
	}
	for i := 0; i < len(line); {
		w := line[i]
		if w.shaped == nil { // visible Helvetica text extracts as it is
			i++
			continue
		}
		if !isPrintableASCII(w.text) {
			p.content = append(p.content, "/Span <</ActualText "...)
			p.content = appendUTF16Hex(p.content, w.text)
			p.content = append(p.content, ">> BDC "...)
			p.invisible([]byte{'x'}, st, xs[i], y, w.width)
			p.content = append(p.content, " EMC\n"...)
			i++
			continue
		}
		j := i + 1
		for j < len(line) && line[j].shaped != nil && isPrintableASCII(line[j].text) {
			j++
		}
		text := make([]byte, 0, 64)
		for k := i; k < j; k++ {
			if k > i {
				text = append(text, ' ')
			}
			text = append(text, line[k].text...)
		}
		p.invisible(text, st, xs[i], y, xs[j-1]+line[j-1].width-xs[i])
		p.content = append(p.content, '\n')
		i = j
	}
}

// invisible writes text (WinAnsi bytes) in Helvetica, invisibly (text
// rendering mode 3), from x on baseline y, stretched to width.
func (p *page) invisible(text []byte, st textStyle, x, y, width float64) {
	hw := helveticaWidth(text, regular) * st.size
	if hw <= 0 || width <= 0 {
		return
	}
	p.content = append(p.content, "BT 3 Tr /F1 "...)
	p.content = appendNum(p.content, st.size, 2)
	p.content = append(p.content, " Tf "...)
	p.content = appendNum(p.content, 100*width/hw, 3)
	p.content = append(p.content, " Tz "...)
	p.pt(x)
	p.pt(p.height - y)
	p.content = append(p.content, "Td "...)
	p.content = appendPDFString(p.content, text)
	p.content = append(p.content, " Tj ET"...)
}

// paragraph draws text wrapped to width in fill grey g, with its first
// line's top at top, and returns the height it took.
func (p *page) paragraph(text string, st textStyle, x, top, width float64, align alignment, g float64) float64 {
	return p.drawLines(p.wrap(text, st, width), st, x, top, width, align, g)
}

// drawLines draws wrapped lines as paragraph does.
func (p *page) drawLines(lines [][]word, st textStyle, x, top, width float64, align alignment, g float64) float64 {
	if len(lines) == 0 {
		return 0
	}
	p.setFill(g)
	lh := p.lineHeight(st)
	ascent, descent := p.lineMetrics(st)
	// The baseline sits so that the font's ascent and descent are centred in
	// the line box.
	baseline := top + (lh-ascent-descent)/2 + ascent
	for i, line := range lines {
		lx := x
		switch align {
		case alignCenter:
			lx = x + (width-p.lineWidth(line, st))/2
		case alignRight:
			lx = x + width - p.lineWidth(line, st)
		}
		p.drawLine(line, st, lx, baseline+float64(i)*lh)
	}
	return float64(len(lines)) * lh
}

// textBlock draws paragraphs one below the other from top and returns the
// height they took; empty texts are skipped.
func (p *page) textBlock(texts []string, st textStyle, x, top, width float64, align alignment, g float64) float64 {
	h := 0.0
	for _, t := range texts {
		if strings.TrimSpace(t) != "" {
			h += p.paragraph(t, st, x, top+h, width, align, g)
		}
	}
	return h
}

// rule draws a horizontal line across the content width at y.
func (p *page) rule(y, width, g float64) {
	p.line(marginX, y, pageW-marginX, y, width, g)
}

// line strokes a straight line from (x1, y1) to (x2, y2).
func (p *page) line(x1, y1, x2, y2, width, g float64) {
	p.content = append(p.content, "q "...)
	p.content = appendNum(p.content, g, 3)
	p.content = append(p.content, " G "...)
	p.content = appendNum(p.content, width, 3)
	p.content = append(p.content, " w "...)
	p.pt(x1)
	p.pt(p.height - y1)
	p.content = append(p.content, "m "...)
	p.pt(x2)
	p.pt(p.height - y2)
	p.content = append(p.content, "l S Q\n"...)
}

// circle strokes a circle of radius r around (cx, cy), dashed when dash > 0,
// as four Bézier arcs.
func (p *page) circle(cx, cy, r, width, g, dash float64) {
	const k = 0.5522847498 // control point distance for a quarter circle
	y := p.height - cy
	p.content = append(p.content, "q "...)
	p.content = appendNum(p.content, g, 3)
	p.content = append(p.content, " G "...)
	p.content = appendNum(p.content, width, 3)
	p.content = append(p.content, " w "...)
	if dash > 0 {
		p.content = append(p.content, '[')
		p.content = appendNum(p.content, dash, 2)
		p.content = append(p.content, "] 0 d "...)
	}
	p.pt(cx + r)
	p.pt(y)
	p.content = append(p.content, "m\n"...)
	for _, q := range [4][6]float64{
		{cx + r, y + k*r, cx + k*r, y + r, cx, y + r},
		{cx - k*r, y + r, cx - r, y + k*r, cx - r, y},
		{cx - r, y - k*r, cx - k*r, y - r, cx, y - r},
		{cx + k*r, y - r, cx + r, y - k*r, cx + r, y},
	} {
		for _, v := range q {
			p.pt(v)
		}
		p.content = append(p.content, "c\n"...)
	}
	p.content = append(p.content, "S Q\n"...)
}

// header names the local body in Malayalam and English, with its district,
// above a double rule; above all, when gov is set, "Government of Kerala".
func (p *page) header(lb domain.LocalBody, gov bool) {
	if gov {
		p.y += p.textBlock([]string{p.join(domain.T("Government of Kerala", "കേരള സർക്കാർ"))}, styleGovernment, marginX, p.y, contentW, alignCenter, black)
	}
	p.y += p.textBlock([]string{p.ml(lb.Name)}, styleBodyName, marginX, p.y, contentW, alignCenter, black)
	p.y += p.textBlock([]string{lb.Name.En}, styleBodyNameEn, marginX, p.y, contentW, alignCenter, black)
	p.y += p.textBlock([]string{p.join(districtText(lb.District))}, styleDistrict, marginX, p.y, contentW, alignCenter, black)
	p.y += 2 * mm
	p.rule(p.y, 1.7, black)
	p.rule(p.y+1*mm, 0.6, black)
	p.y += 4 * mm
}

// districtText reads "Kottayam District / കോട്ടയം ജില്ല".
func districtText(t domain.Text) domain.Text {
	var en, ml string
	if t.En != "" {
		en = t.En + " District"
	}
	if t.Ml != "" {
		ml = t.Ml + " ജില്ല"
	}
	return domain.T(en, ml)
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
	// Label2 and Value2, when set, are a second, short pair drawn in the
	// right part of the value column ("Registration number : B-12/2026
	// Date of registration : 14-03-2026"); Value is then short too.
	Label2 domain.Text
	Value2 domain.Text
}

// plain is a value that reads the same in both languages: a number, a date,
// an amount.
func plain(s string) domain.Text { return domain.Text{En: s} }

// Column geometry of rows, in points.
const (
	labelW = 62 * mm
	colonX = marginX + labelW + 2*mm
	valueX = colonX + 4*mm
	valueW = pageW - marginX - valueX
	// rowPad is the space above and below a row's text.
	rowPad = 1.2 * mm
	// The second pair of a row with two: the first value's width, then the
	// second label, colon and value.
	pairValueW = 30 * mm
	pairLabelX = valueX + pairValueW + 2*mm
	pairLabelW = 44 * mm
	pairColonX = pairLabelX + pairLabelW + 1*mm
)

// rows draws labelled rows, each separated by a hairline, label and value
// wrapping in their own columns.
func (p *page) rows(rows []row) {
	p.rule(p.y, 0.4, light)
	for _, r := range rows {
		p.drawRow(p.layRow(r))
	}
	p.y += 4 * mm
}

// bilingual draws t as "English / Malayalam" when that fits on one line,
// else English above Malayalam, and returns the height it took.
func (p *page) bilingual(t domain.Text, st textStyle, x, top, width float64, align alignment, g float64) float64 {
	return p.drawStack(p.layBilingual(t, st, x, width, align, g), top)
}

// laidText is a paragraph wrapped into lines of one style, placed in a
// column but not yet drawn: what a page needs to know to decide where a
// row goes before it draws it.
type laidText struct {
	lines      [][]word
	st         textStyle
	x, width   float64
	align      alignment
	grey       float64
	lineHeight float64
}

// lay wraps text to width in style st, to be drawn at x.
func (p *page) lay(text string, st textStyle, x, width float64, align alignment, g float64) laidText {
	return laidText{lines: p.wrap(text, st, width), st: st, x: x, width: width, align: align, grey: g, lineHeight: p.lineHeight(st)}
}

// layBilingual lays t out as bilingual draws it: one paragraph "English /
// Malayalam" when that fits on one line, else English above Malayalam.
func (p *page) layBilingual(t domain.Text, st textStyle, x, width float64, align alignment, g float64) []laidText {
	joined := p.lay(p.join(t), st, x, width, align, g)
	en, ml := strings.TrimSpace(t.En), p.ml(t)
	if en == "" || ml == "" || en == ml || len(joined.lines) == 1 {
		return []laidText{joined}
	}
	return []laidText{p.lay(en, st, x, width, align, g), p.lay(ml, st, x, width, align, g)}
}

// height is the height of a laid paragraph's lines.
func (l laidText) height() float64 { return float64(len(l.lines)) * l.lineHeight }

// stackHeight is the height of paragraphs drawn one below the other.
func stackHeight(stack []laidText) float64 {
	h := 0.0
	for _, l := range stack {
		h += l.height()
	}
	return h
}

// drawStack draws paragraphs one below the other from top and returns the
// height they took.
func (p *page) drawStack(stack []laidText, top float64) float64 {
	h := 0.0
	for _, l := range stack {
		h += p.drawLines(l.lines, l.st, l.x, top+h, l.width, l.align, l.grey)
	}
	return h
}

// rowColumn is one column of a laid row: paragraphs drawn one below the
// other from the row's top.
type rowColumn struct {
	stack []laidText
	// sized says whether the row's height makes room for the column; a
	// colon's does not, so a row is as tall as its words.
	sized bool
}

// laidRow is a row laid out in its columns, in the order they are drawn.
// Its value column (when split is not -1) may be divided between pages at
// a line; continued is the label its continuation carries.
type laidRow struct {
	label     domain.Text
	columns   []rowColumn
	split     int
	continued []laidText
}

// layRow lays a row out in the page's label and value columns at its body
// scale.
func (p *page) layRow(r row) laidRow {
	label, value := p.fit(styleLabel), p.fit(styleValue)
	vs := value
	if r.Strong {
		vs = p.fit(styleStrong)
	}
	lr := laidRow{label: r.Label, split: -1, columns: []rowColumn{
		{stack: []laidText{p.lay(p.join(r.Label), label, marginX, labelW, alignLeft, grey)}, sized: true},
		{stack: []laidText{p.lay(":", vs, colonX, 3*mm, alignLeft, black)}},
	}}
	if !blank(r.Label2) {
		lr.columns = append(lr.columns,
			rowColumn{stack: []laidText{p.lay(p.join(r.Value), vs, valueX, pairValueW, alignLeft, black)}, sized: true},
			rowColumn{stack: []laidText{p.lay(p.join(r.Label2), label, pairLabelX, pairLabelW, alignLeft, grey)}, sized: true},
			rowColumn{stack: []laidText{p.lay(":", value, pairColonX, 3*mm, alignLeft, black)}},
			rowColumn{stack: []laidText{p.lay(p.join(r.Value2), value, pairColonX+4*mm, pageW-marginX-pairColonX-4*mm, alignLeft, black)}, sized: true})
		return lr
	}
	lr.columns = append(lr.columns, rowColumn{stack: p.layBilingual(r.Value, vs, valueX, valueW, alignLeft, black), sized: true})
	lr.split = len(lr.columns) - 1
	lr.continued = []laidText{p.lay(p.join(continued(r.Label)), label, marginX, labelW, alignLeft, grey)}
	return lr
}

// continued is a row's label where its value goes on from the page before.
func continued(label domain.Text) domain.Text {
	t := domain.T(label.En+" (continued)", "")
	if strings.TrimSpace(label.Ml) != "" {
		t.Ml = label.Ml + " (തുടർച്ച)"
	}
	return t
}

// height is the height of the row's words, without its padding.
func (lr laidRow) height() float64 {
	h := 0.0
	for _, c := range lr.columns {
		if c.sized {
			h = max(h, stackHeight(c.stack))
		}
	}
	return h
}

// drawRow draws a laid row below p.y with its padding and the hairline
// under it, and moves p.y below that.
func (p *page) drawRow(lr laidRow) {
	top := p.y + p.pad(rowPad)
	for _, c := range lr.columns {
		p.drawStack(c.stack, top)
	}
	p.y = top + lr.height() + p.pad(rowPad)
	p.rule(p.y, 0.4, light)
}

// splitRow divides a row's value between pages: the first part has the most
// lines whose height (and the label's) is within room, the rest goes on
// under the continued label. Each part keeps at least minSplitLines lines,
// so that no line is left alone at the foot or head of a page; ok is false
// when the row cannot be split so.
func splitRow(lr laidRow, room float64) (first, rest laidRow, ok bool) {
	if lr.split < 0 {
		return lr, lr, false
	}
	value := lr.columns[lr.split].stack
	total := 0
	for _, l := range value {
		total += len(l.lines)
	}
	labelH := 0.0
	for i, c := range lr.columns {
		if c.sized && i != lr.split {
			labelH = max(labelH, stackHeight(c.stack))
		}
	}
	// Lines that fit, counted from the top of the value.
	fit, h := 0, 0.0
lines:
	for _, l := range value {
		for range l.lines {
			if h+l.lineHeight > room {
				break lines
			}
			h += l.lineHeight
			fit++
		}
	}
	fit = min(fit, total-minSplitLines)
	// A cut a few lines after the end of a paragraph (the English half of a
	// value, above its Malayalam) moves back to it: each half then reads
	// whole on one page.
	boundary := 0
	for _, l := range value {
		if boundary+len(l.lines) > fit {
			break
		}
		boundary += len(l.lines)
	}
	if boundary >= minSplitLines && fit-boundary <= 3 {
		fit = boundary
	}
	if fit < minSplitLines || labelH > room {
		return lr, lr, false
	}
	head, tail := cutStack(value, fit)
	first, rest = lr, lr
	first.columns = slices.Clone(lr.columns)
	first.columns[lr.split].stack = head
	rest.columns = slices.Clone(lr.columns)
	rest.columns[lr.split].stack = tail
	rest.columns[0] = rowColumn{stack: lr.continued, sized: true}
	return first, rest, true
}

// minSplitLines is the fewest lines of a value a page may hold when the
// value is divided between pages.
const minSplitLines = 2

// cutStack divides paragraphs after their first n lines.
func cutStack(stack []laidText, n int) (head, tail []laidText) {
	for _, l := range stack {
		switch {
		case n >= len(l.lines):
			head = append(head, l)
			n -= len(l.lines)
		case n > 0:
			a, b := l, l
			a.lines, b.lines = l.lines[:n], l.lines[n:]
			head, tail = append(head, a), append(tail, b)
			n = 0
		default:
			tail = append(tail, l)
		}
	}
	return head, tail
}

// footer closes the page with a rule and notes at the bottom, centred: the
// first in bold on one line ("English / Malayalam"), each other one in
// English above Malayalam.
func (p *page) footer(first domain.Text, notes ...domain.Text) {
	p.rule(footerTop, 0.6, black)
	top := footerTop + 1.5*mm
	top += p.paragraph(p.join(first), textStyle{bold, styleSmall.size}, marginX, top, contentW, alignCenter, grey)
	for _, n := range notes {
		top += p.textBlock([]string{n.En, p.ml(n)}, styleSmall, marginX, top, contentW, alignCenter, grey)
	}
}

// file finishes the page as a one-page PDF file with info and an optional
// XMP packet.
func (p *page) file(info pdfInfo, xmp []byte) *pdfFile {
	return pagesFile([]*page{p}, info, xmp)
}

// pagesFile finishes pages, in order, as one PDF file with info and an
// optional XMP packet.
func pagesFile(pages []*page, info pdfInfo, xmp []byte) *pdfFile {
	f := &pdfFile{width: pages[0].width, height: pages[0].height, info: info, xmp: xmp}
	seen := map[*glyphForm]bool{}
	for _, p := range pages {
		f.pages = append(f.pages, pdfPage{content: p.content, forms: p.forms})
		for _, g := range p.forms {
			if !seen[g] {
				seen[g] = true
				f.forms = append(f.forms, g)
			}
		}
	}
	return f
}

// checkFits reports an EINVALID error when the body, which ends at p.y,
// runs past limit.
func (p *page) checkFits(limit float64, what string) error {
	if p.y > limit {
		return domain.Errorf(domain.EINVALID, "%s does not fit on one page (its text runs %.0f mm too long); shorten the longest values or remarks", what, (p.y-limit)/mm)
	}
	return nil
}
