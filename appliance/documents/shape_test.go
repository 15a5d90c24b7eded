package documents

import (
	"strings"
	"testing"

	"github.com/go-text/typesetting/font"
)

func TestShape_ConjunctsBecomeLigaturesAndVowelSignsMoveBeforeTheirConsonant(t *testing.T) {
	fonts := malayalamRenderer(t).Fonts()
	tf := fonts.faces[regular]
	nominal := func(r rune) *glyphForm {
		g, ok := tf.font.NominalGlyph(r)
		if !ok {
			t.Fatalf("font lacks U+%04X", r)
		}
		return tf.form(g)
	}

	// ക്ഷ (ka, virama, ssa) is one conjunct glyph that no code point maps to.
	kssa := fonts.shape(tf, "ക്ഷ").glyphs
	if len(kssa) != 1 {
		t.Fatalf("ക്ഷ shaped into %d glyphs, want 1 ligature", len(kssa))
	}
	for _, r := range "ക്ഷ" {
		if kssa[0].form == nominal(r) {
			t.Fatalf("ക്ഷ shaped into the nominal glyph of U+%04X, not a ligature", r)
		}
	}

	// ന്റെ (na, virama, rra, e-sign): the e-sign is drawn first, before the
	// ന്റ conjunct it follows in memory.
	nte := fonts.shape(tf, "ന്റെ").glyphs
	if len(nte) >= len([]rune("ന്റെ")) {
		t.Fatalf("ന്റെ shaped into %d glyphs for 4 letters", len(nte))
	}
	if nte[0].form != nominal('െ') {
		t.Fatalf("the first glyph of ന്റെ is %s, want the e-sign %s moved before the consonant", nte[0].form.name, nominal('െ').name)
	}
}

func TestShape_CachedAndFreshShapingAgree(t *testing.T) {
	fonts := malayalamRenderer(t).Fonts()
	tf := fonts.faces[bold]
	for _, w := range []string{"ജ്യോതിലക്ഷ്മി", "₹1,234.50", "José"} {
		a, b := fonts.shape(tf, w), fonts.shapeUncached(tf, w)
		if a.advance != b.advance || len(a.glyphs) != len(b.glyphs) {
			t.Fatalf("%s: cached %+v, fresh %+v", w, a, b)
		}
	}
}

func TestGlyphForms_EmptyGlyphsDrawNothingAndOthersAreClosedPaths(t *testing.T) {
	fonts := malayalamRenderer(t).Fonts()
	tf := fonts.faces[regular]
	space, _ := tf.font.NominalGlyph(' ')
	if f := tf.form(space); !f.empty || f.object != nil {
		t.Errorf("the space glyph has a form: %q", f.object)
	}
	ka, _ := tf.font.NominalGlyph('ക')
	f := tf.form(ka)
	if f.empty || f != tf.form(font.GID(ka)) {
		t.Fatal("ക has no form, or a second one")
	}
	path := string(inflateForm(t, f))
	if !strings.HasSuffix(path, "f") || !strings.Contains(path, " c\n") || !strings.HasPrefix(f.name, "R") {
		t.Errorf("form %s is not a filled curve path: %.80q…", f.name, path)
	}
}

func TestBreakWord_PiecesFitAndJoinBackWithoutSplittingClusters(t *testing.T) {
	for _, r := range []*Renderer{malayalamRenderer(t), NewRenderer(EnglishOnly())} {
		p := newPage(r.Fonts())
		st := styleValue
		for _, word := range []string{
			"https://pala.ksmart.lsgkerala.gov.in/verify/M0701-BC-2026-12?d=q83vEjRWeJCrze8SNFZ4kA",
			strings.Repeat("ജ്യോതിലക്ഷ്മി", 6),
		} {
			width := 40 * mm
			pieces := p.breakWord(word, st, width)
			var joined strings.Builder
			for i, pc := range pieces {
				joined.WriteString(pc.text)
				if pc.width > width && len([]rune(pc.text)) > 1 {
					t.Errorf("%s: piece %d %q is %.1f pt wide, more than %.1f", r.Fonts().Name(), i, pc.text, pc.width, width)
				}
				if i > 0 && !letterBoundary(word[:strings.Index(word, pc.text)+len(pc.text)], strings.Index(word, pc.text)) {
					t.Errorf("piece %q starts inside a cluster", pc.text)
				}
			}
			if joined.String() != word || len(pieces) < 2 {
				t.Errorf("%s: %d pieces join to %q", r.Fonts().Name(), len(pieces), joined.String())
			}
		}
	}
}

func TestLetterBoundary_NeverInsideAConjunctOrBeforeASign(t *testing.T) {
	for _, tc := range []struct {
		s    string
		at   int // rune index
		want bool
	}{
		{"കേരളം", 1, false}, // before the e-sign
		{"കേരളം", 2, true},  // before ര
		{"ക്ഷ", 1, false},   // before the virama
		{"ക്ഷ", 2, false},   // after the virama
		{"ab/cd", 3, true},
	} {
		i := len(string([]rune(tc.s)[:tc.at]))
		if got := letterBoundary(tc.s, i); got != tc.want {
			t.Errorf("letterBoundary(%q, rune %d) = %v, want %v", tc.s, tc.at, got, tc.want)
		}
	}
}
