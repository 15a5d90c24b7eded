package documents

import (
	"strings"

	"ksmart/appliance/domain"
)

// Renderer draws documents in one typeface. It holds the Fonts, whose
// caches of glyph outlines and shaped words fill as documents are drawn, and
// is safe for concurrent use; a process keeps one.
//
// Every method is a pure function of its record and the fonts: the same
// record drawn with the same font files gives the same bytes, at any time,
// in any goroutine.
type Renderer struct {
	fonts *Fonts
}

// NewRenderer returns a Renderer drawing with f; nil means EnglishOnly().
func NewRenderer(f *Fonts) *Renderer {
	if f == nil {
		f = EnglishOnly()
	}
	return &Renderer{fonts: f}
}

// Fonts returns the typeface the renderer draws with.
func (r *Renderer) Fonts() *Fonts { return r.fonts }

// title draws the document's name, centred, in both languages: on one line
// when they fit, else English above Malayalam.
func (p *page) title(t domain.Text) {
	p.y += p.bilingual(t, styleTitle, marginX, p.y, contentW, alignCenter, black)
	p.y += 3 * mm
}

// qrSize is the side of a QR square, quiet zone included: large enough for
// a phone camera at arm's length on a printed page.
const qrSize = 30 * mm

// qrBlock draws a QR code of content at the left margin with a caption and
// shown (the address to type, when there is one) beside it, and advances y
// below it.
func (p *page) qrBlock(content string, caption domain.Text, shown string) error {
	if err := p.drawQR(marginX, p.y, qrSize, content); err != nil {
		return err
	}
	x := marginX + qrSize + 4*mm
	w := pageW - marginX - x
	top := p.y + 4*mm
	top += p.textBlock([]string{caption.En, p.ml(caption)}, styleCaption, x, top, w, alignLeft, black)
	top += 1 * mm
	p.textBlock([]string{shown}, styleSmall, x, top, w, alignLeft, grey)
	p.y += qrSize + 3*mm
	return nil
}

// blank reports whether a bilingual text has neither half.
func blank(t domain.Text) bool {
	return strings.TrimSpace(t.En) == "" && strings.TrimSpace(t.Ml) == ""
}
