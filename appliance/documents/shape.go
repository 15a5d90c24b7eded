package documents

import (
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/go-pdf/fpdf"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// mmPerPt converts typographic points to millimetres, the unit pages are laid
// out in.
const mmPerPt = 25.4 / 72

// glyph is one shaped glyph, in font units.
type glyph struct {
	id         font.GID
	xAdvance   float64
	xOff, yOff float64
}

// run is a piece of one word drawn one way: printable ASCII that fpdf draws
// by code point, or anything else (Malayalam above all) shaped into glyphs.
type run struct {
	text   string
	shaped bool
	glyphs []glyph // set when shaped, by measure
	width  float64 // mm at the size it was measured for
}

// isNative reports whether fpdf draws r by its code point: printable ASCII,
// the only code points the font given to fpdf maps besides the PUA (see
// addPUACmap). Such text is extractable without /ActualText.
func isNative(r rune) bool { return r >= 0x20 && r <= 0x7E }

// isNeutral reports whether r takes the kind of the run it follows: ASCII
// punctuation that Malayalam text uses too.
func isNeutral(r rune) bool {
	return strings.ContainsRune(".,;:!?-()[]'\"/", r)
}

// splitScripts cuts a word (text without spaces) into native and shaped
// runs. Neutral punctuation stays with the run before it, so "(ഫീസ്)"
// becomes "(" and "ഫീസ്)".
func splitScripts(word string) []run {
	var runs []run
	start, shaped, open := 0, false, false
	for i, r := range word {
		if isNeutral(r) && open {
			continue
		}
		sh := !isNative(r)
		if open && sh != shaped {
			runs = append(runs, run{text: word[start:i], shaped: shaped})
			start = i
		}
		shaped, open = sh, true
	}
	if start < len(word) {
		runs = append(runs, run{text: word[start:], shaped: shaped})
	}
	return runs
}

// isMalayalam reports whether r is in the Malayalam block.
func isMalayalam(r rune) bool { return r >= 0x0D00 && r <= 0x0D7F }

// shaper shapes text with HarfBuzz's rules. A shaper and its faces are
// not safe for concurrent use, so each document takes one from shaperPool for
// its lifetime.
type shaper struct {
	hb    shaping.HarfbuzzShaper
	faces [2]*font.Face
	runes []rune
}

var shaperPool sync.Pool

// getShaper returns a shaper for typefaces tfs, reusing a pooled one.
func getShaper(tfs [2]*typeface) *shaper {
	if s, ok := shaperPool.Get().(*shaper); ok {
		return s
	}
	s := &shaper{}
	for i, tf := range tfs {
		s.faces[i] = font.NewFace(tf.font)
	}
	return s
}

// putShaper returns s to the pool once its document is written.
func putShaper(s *shaper) { shaperPool.Put(s) }

var (
	malayalam = language.NewLanguage("ml")
	english   = language.NewLanguage("en")
)

// shape shapes text, a shaped run, with typeface tf and returns its glyphs in
// font units: the glyph IDs after substitution (conjunct ligatures,
// reordered vowel signs) with HarfBuzz's advances and mark offsets. A run
// with any Malayalam in it is shaped as Malayalam, anything else (₹, é, –)
// as Latin.
func (s *shaper) shape(tf *typeface, text string) []glyph {
	s.runes = append(s.runes[:0], []rune(text)...)
	script, lang := language.Latin, english
	for _, r := range s.runes {
		if isMalayalam(r) {
			script, lang = language.Malayalam, malayalam
			break
		}
	}
	out := s.hb.ShapeNoExtents(shaping.Input{
		Text:      s.runes,
		RunStart:  0,
		RunEnd:    len(s.runes),
		Direction: di.DirectionLTR,
		Face:      s.faces[tf.style],
		// Shaping at one pixel per font unit returns positions in font units.
		Size:     fixed.I(int(tf.upem)),
		Script:   script,
		Language: lang,
	})
	glyphs := make([]glyph, len(out.Glyphs))
	for i, g := range out.Glyphs {
		glyphs[i] = glyph{
			id:       g.GlyphID,
			xAdvance: float64(g.XAdvance) / 64,
			xOff:     float64(g.XOffset) / 64,
			yOff:     float64(g.YOffset) / 64,
		}
	}
	return glyphs
}

// drawShaped draws the glyphs of a shaped run with the pen starting
// at x on baseline y (mm); the document's current font must be tf at size pt.
//
// Each glyph is written as its Private Use Area code point (see addPUACmap),
// so fpdf embeds exactly the glyphs the shaper chose. Glyphs whose shaped
// advance equals their nominal one and that carry no mark offset are written
// together as one string, since the PDF viewer advances by the same widths;
// any other glyph is placed on its own at its shaped position. The run is
// wrapped in a marked-content span whose /ActualText is the original text,
// so text extraction and search return the real text (Malayalam, ₹)
// instead of PUA code points.
func drawShaped(pdf *fpdf.Fpdf, tf *typeface, size, x, y float64, text string, glyphs []glyph) {
	scale := size * mmPerPt / tf.upem
	pdf.RawWriteStr("/Span <</ActualText " + pdfUTF16Hex(text) + ">> BDC")
	var pending []rune
	penX, startX := x, x
	flush := func() {
		if len(pending) > 0 {
			pdf.Text(startX, y, string(pending))
			pending = pending[:0]
		}
	}
	for _, g := range glyphs {
		r := rune(puaBase + int(g.id))
		if g.xOff == 0 && g.yOff == 0 && g.xAdvance == float64(tf.advance(g.id)) {
			if len(pending) == 0 {
				startX = penX
			}
			pending = append(pending, r)
		} else {
			flush()
			pdf.Text(penX+g.xOff*scale, y-g.yOff*scale, string(r))
		}
		penX += g.xAdvance * scale
	}
	flush()
	pdf.RawWriteStr("EMC")
}

// pdfUTF16Hex encodes s as a PDF hexadecimal text string: UTF-16BE with a
// byte-order mark, as /ActualText requires for text outside PDFDocEncoding.
func pdfUTF16Hex(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(hex[u>>12])
		b.WriteByte(hex[u>>8&0xF])
		b.WriteByte(hex[u>>4&0xF])
		b.WriteByte(hex[u&0xF])
	}
	b.WriteByte('>')
	return b.String()
}
