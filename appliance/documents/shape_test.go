package documents

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/go-pdf/fpdf"
	"github.com/go-text/typesetting/font"
)

func regularTypeface(tb testing.TB) *typeface {
	tb.Helper()
	tfs, err := loadTypefaces()
	if err != nil {
		tb.Fatal(err)
	}
	return tfs[regular]
}

func TestShape_ConjunctsBecomeLigaturesAndVowelSignsMoveBeforeTheirConsonant(t *testing.T) {
	tf := regularTypeface(t)
	sh := getShaper([2]*typeface{tf, tf})
	defer putShaper(sh)
	nominal := func(r rune) font.GID {
		g, ok := tf.font.NominalGlyph(r)
		if !ok {
			t.Fatalf("font lacks U+%04X", r)
		}
		return g
	}

	// ക്ഷ (ka, virama, ssa) is one conjunct glyph that no code point maps to.
	kssa := sh.shape(tf, "ക്ഷ")
	if len(kssa) != 1 {
		t.Fatalf("ക്ഷ shaped into %d glyphs, want 1 ligature: %+v", len(kssa), kssa)
	}
	for _, r := range "ക്ഷ" {
		if kssa[0].id == nominal(r) {
			t.Fatalf("ക്ഷ shaped into the nominal glyph of U+%04X, not a ligature", r)
		}
	}

	// ന്റെ (na, virama, rra, e-sign): the e-sign is drawn first, before the
	// ന്റ conjunct it follows in memory.
	nte := sh.shape(tf, "ന്റെ")
	if len(nte) >= len([]rune("ന്റെ")) {
		t.Fatalf("ന്റെ shaped into %d glyphs for 4 runes: %+v", len(nte), nte)
	}
	if nte[0].id != nominal('െ') {
		t.Fatalf("first glyph of ന്റെ is %d, want the e-sign %d moved before the consonant", nte[0].id, nominal('െ'))
	}
}

func TestSplitScripts_NeutralPunctuationFollowsTheRunBefore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []run
	}{
		{"KS/M0701/2026", []run{{text: "KS/M0701/2026"}}},
		{"ഫീസില്ല", []run{{text: "ഫീസില്ല", shaped: true}}},
		{"(ഫീസ്)", []run{{text: "("}, {text: "ഫീസ്)", shaped: true}}},
		{"₹30.00", []run{{text: "₹", shaped: true}, {text: "30.00"}}},
		{"José", []run{{text: "Jos"}, {text: "é", shaped: true}}},
		{"ആർ.", []run{{text: "ആർ.", shaped: true}}},
		{"abcകഖ-x", []run{{text: "abc"}, {text: "കഖ-", shaped: true}, {text: "x"}}},
	} {
		got := splitScripts(tc.in)
		if len(got) != len(tc.want) {
			t.Errorf("splitScripts(%q) = %+v, want %+v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i].text != tc.want[i].text || got[i].shaped != tc.want[i].shaped {
				t.Errorf("splitScripts(%q) = %+v, want %+v", tc.in, got, tc.want)
				break
			}
		}
	}
}

func TestAddPUACmap_EveryGlyphIsReachableAndTheFontStaysValid(t *testing.T) {
	tf := regularTypeface(t)
	pdfFont, err := font.ParseTTF(bytes.NewReader(tf.pdfFont))
	if err != nil {
		t.Fatalf("the font for fpdf does not parse: %v", err)
	}
	for g := range len(tf.advances) {
		if got, ok := pdfFont.NominalGlyph(rune(puaBase + g)); !ok || int(got) != g {
			t.Fatalf("U+%04X maps to %d (%v), want glyph %d", puaBase+g, got, ok, g)
		}
	}
	// Printable ASCII keeps its glyphs, so fpdf draws it by code point.
	for r := rune(0x20); r <= 0x7E; r++ {
		want, _ := tf.font.NominalGlyph(r)
		if got, ok := pdfFont.NominalGlyph(r); !ok || got != want {
			t.Fatalf("%q maps to %d (%v) for fpdf, %d in the font", r, got, ok, want)
		}
	}
	// With checkSumAdjustment in place the whole file sums to the magic number.
	if sum := sfntChecksum(tf.pdfFont); sum != 0xB1B0AFBA {
		t.Fatalf("font checksum %#x, want 0xB1B0AFBA", sum)
	}
	if binary.BigEndian.Uint32(tf.pdfFont) != 0x00010000 {
		t.Fatal("the font for fpdf is not TrueType")
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontFamily, "", tf.pdfFont)
	pdf.AddPage()
	pdf.SetFont(fontFamily, "", 12)
	if err := pdf.Error(); err != nil {
		t.Fatalf("fpdf rejects the font: %v", err)
	}
}
