package documents

import (
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// glyph is one shaped glyph, in font units.
type glyph struct {
	form       *glyphForm
	xAdvance   float64
	xOff, yOff float64
}

// shapedWord is a word shaped in one typeface: its glyphs in visual order
// (conjuncts ligated, vowel signs reordered) and its total advance, in font
// units.
type shapedWord struct {
	glyphs  []glyph
	advance float64
}

// shaper shapes text with HarfBuzz's rules (go-text's port). A shaper and
// its faces are not safe for concurrent use; Fonts pools them.
type shaper struct {
	hb    shaping.HarfbuzzShaper
	faces map[*typeface]*font.Face
	runes []rune
}

func newShaper(faces [2]*typeface) *shaper {
	s := &shaper{faces: map[*typeface]*font.Face{}}
	for _, t := range faces {
		if t != nil {
			s.faces[t] = font.NewFace(t.font)
		}
	}
	return s
}

var (
	malayalam = language.NewLanguage("ml")
	english   = language.NewLanguage("en")
)

// maxCachedWords bounds each typeface's cache of shaped words. The labels,
// titles and statutory sentences that every document repeats stay cached;
// names and numbers come and go. When the cache is full it is emptied, which
// costs a few milliseconds of shaping and never changes a result.
const maxCachedWords = 20000

// shape returns word (text without spaces) shaped in typeface t, from the
// cache when it was shaped before. A word with any Malayalam letter is shaped
// as Malayalam, anything else (English, numbers, ₹, accented Latin) as Latin.
//
// It shapes at one pixel per font unit, so that the shaper's positions are
// font units and no rounding to a pixel size creeps in; the page scales them.
func (f *Fonts) shape(t *typeface, word string) *shapedWord {
	t.wordsMu.RLock()
	sw, ok := t.words[word]
	t.wordsMu.RUnlock()
	if ok {
		return sw
	}
	sw = f.shapeUncached(t, word)
	t.wordsMu.Lock()
	if len(t.words) >= maxCachedWords {
		clear(t.words)
	}
	t.words[word] = sw
	t.wordsMu.Unlock()
	return sw
}

// shapeUncached shapes word in t without looking in or filling the cache.
func (f *Fonts) shapeUncached(t *typeface, word string) *shapedWord {
	s := f.shapers.Get().(*shaper)
	s.runes = append(s.runes[:0], []rune(word)...)
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
		Face:      s.faces[t],
		Size:      fixed.I(int(t.upem)),
		Script:    script,
		Language:  lang,
	})
	f.shapers.Put(s)

	sw := &shapedWord{glyphs: make([]glyph, len(out.Glyphs))}
	for i, g := range out.Glyphs {
		sw.glyphs[i] = glyph{
			form:     t.form(g.GlyphID),
			xAdvance: float64(g.Advance) / 64, // horizontal text: the x advance
			xOff:     float64(g.XOffset) / 64,
			yOff:     float64(g.YOffset) / 64,
		}
		sw.advance += sw.glyphs[i].xAdvance
	}
	return sw
}

// isMalayalam reports whether r is in the Malayalam block.
func isMalayalam(r rune) bool { return r >= 0x0D00 && r <= 0x0D7F }
