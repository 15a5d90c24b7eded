package documents

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ksmart/appliance/domain"
)

// Names that need what a naive renderer gets wrong: conjunct ligatures
// (ശ്ര, ക്ക, ട്ട, ഷ്ണ, ക്ഷ്മ), the reph-like ര് forms, vowel signs drawn before
// their consonant (െ, േ, ോ), below-base forms and chillus (ൻ, ർ).
var malayalamNames = []struct{ tag, text string }{
	{"sreekutty", "ശ്രീക്കുട്ടി"},
	{"krishnan", "കൃഷ്ണൻ"},
	{"priya", "പ്രിയ"},
	{"muhammad-basheer", "മുഹമ്മദ് ബഷീർ"},
	{"jyothilakshmi", "ജ്യോതിലക്ഷ്മി"},
	{"keralam", "കേരളം"},
}

// stripPixels is the em size, in pixels, of the comparison: large enough
// that a misplaced vowel sign or a missing ligature changes hundreds of
// pixels, small enough to be quick.
const stripPixels = 64

// stripPDF draws text on one line of a page just large enough for it, with
// the same code that draws documents, at stripPixels points: rasterised at
// 72 dpi, one point is one pixel, the size hb-view draws at.
func stripPDF(tb testing.TB, fonts *Fonts, text string, unshaped bool) []byte {
	tb.Helper()
	st := textStyle{regular, stripPixels}
	p := newPage(fonts)
	words := make([]word, 0, 2)
	width := 0.0
	for i, field := range strings.Fields(text) {
		w := p.newWord(field, st)
		if unshaped {
			w = nominalWord(fonts, field, st)
		}
		if i > 0 {
			width += p.spaceWidth(st)
		}
		words = append(words, w)
		width += w.width
	}
	const margin = 16
	p.width, p.height = width+2*margin, 2.5*stripPixels
	x := float64(margin)
	for i, w := range words {
		if i > 0 {
			x += p.spaceWidth(st)
		}
		p.drawWord(w, st, x, 1.6*stripPixels)
		x += w.width
	}
	return p.file(pdfInfo{Title: text, Time: sampleBirth().Issued}, nil).bytes()
}

// nominalWord is field drawn the way a renderer without shaping would: each
// letter's own glyph, in the order typed. It shows what the comparison
// catches.
func nominalWord(fonts *Fonts, field string, st textStyle) word {
	tf := fonts.faces[regular]
	sw := &shapedWord{}
	face := newShaper(fonts.faces).faces[tf]
	for _, r := range field {
		g, _ := tf.font.NominalGlyph(r)
		adv := float64(face.HorizontalAdvance(g))
		sw.glyphs = append(sw.glyphs, glyph{form: tf.form(g), xAdvance: adv})
		sw.advance += adv
	}
	return word{text: field, shaped: sw, tf: tf, width: sw.advance * st.size / tf.upem}
}

// inkImage is a greyscale picture cropped to its ink (pixels darker than
// mid-grey), thresholded.
type inkImage struct {
	w, h int
	ink  []bool
	src  *image.Gray // the cropped greyscale, for the evidence picture
}

func readInk(tb testing.TB, path string) inkImage {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	gray := image.NewGray(b)
	draw.Draw(gray, b, img, b.Min, draw.Src)
	minX, minY, maxX, maxY := b.Max.X, b.Max.Y, b.Min.X-1, b.Min.Y-1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if gray.GrayAt(x, y).Y < 128 {
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	if maxX < minX {
		tb.Fatalf("%s has no ink", path)
	}
	in := inkImage{w: maxX - minX + 1, h: maxY - minY + 1}
	in.src = gray.SubImage(image.Rect(minX, minY, maxX+1, maxY+1)).(*image.Gray)
	in.ink = make([]bool, in.w*in.h)
	for y := range in.h {
		for x := range in.w {
			in.ink[y*in.w+x] = gray.GrayAt(minX+x, minY+y).Y < 128
		}
	}
	return in
}

// compareInk lays a and b over each other at their top-left ink corners,
// shifted by up to a pixel either way to the best fit, and returns two
// shares of the inked pixels (in either): those that only one of them has
// (strict, which anti-aliasing and sub-pixel placement alone push to 10–20%
// at this size), and those more than a pixel away from any ink of the other
// (tolerant, which a misplaced or missing mark, sign or ligature raises).
func compareInk(a, b inkImage) (strict, tolerant float64) {
	at := func(im inkImage, x, y int) bool { return x >= 0 && y >= 0 && x < im.w && y < im.h && im.ink[y*im.w+x] }
	near := func(im inkImage, x, y int) bool {
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				if at(im, x+dx, y+dy) {
					return true
				}
			}
		}
		return false
	}
	w, h := max(a.w, b.w)+1, max(a.h, b.h)+1
	strict, tolerant = 1, 1
	for sy := -1; sy <= 1; sy++ {
		for sx := -1; sx <= 1; sx++ {
			var union, differ, far int
			for y := -1; y < h; y++ {
				for x := -1; x < w; x++ {
					pa, pb := at(a, x, y), at(b, x+sx, y+sy)
					if pa || pb {
						union++
					}
					if pa != pb {
						differ++
					}
					if pa && !near(b, x+sx, y+sy) || pb && !near(a, x, y) {
						far++
					}
				}
			}
			strict = min(strict, float64(differ)/float64(union))
			tolerant = min(tolerant, float64(far)/float64(union))
		}
	}
	return strict, tolerant
}

// sideBySide writes ours | HarfBuzz's | their difference (red: only ours,
// blue: only HarfBuzz's) as one PNG.
func sideBySide(ours, hb inkImage) []byte {
	const gap = 24
	w := max(ours.w, hb.w)
	h := max(ours.h, hb.h)
	out := image.NewRGBA(image.Rect(0, 0, 3*w+4*gap, h+2*gap))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(gap, gap, gap+ours.w, gap+ours.h), ours.src, ours.src.Bounds().Min, draw.Src)
	draw.Draw(out, image.Rect(2*gap+w, gap, 2*gap+w+hb.w, gap+hb.h), hb.src, hb.src.Bounds().Min, draw.Src)
	for y := range h {
		for x := range w {
			a := x < ours.w && y < ours.h && ours.ink[y*ours.w+x]
			b := x < hb.w && y < hb.h && hb.ink[y*hb.w+x]
			var c color.RGBA
			switch {
			case a && b:
				c = color.RGBA{0, 0, 0, 255}
			case a:
				c = color.RGBA{220, 0, 0, 255}
			case b:
				c = color.RGBA{0, 0, 220, 255}
			default:
				continue
			}
			out.Set(3*gap+2*w+x, gap+y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, out)
	return buf.Bytes()
}

// hbView rasterises text with HarfBuzz's own shaping (hb-view) in the font
// file at stripPixels pixels per em.
func hbView(tb testing.TB, fontFile, text string) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "hb.png")
	runTool(tb, "hb-view", "--font-file="+fontFile, fmt.Sprintf("--font-size=%d", stripPixels),
		"--margin=16", "--background=FFFFFF", "--foreground=000000", "-O", "png", "-o", out, "--text="+text)
	return out
}

// malayalamFontFiles are the font files compared with HarfBuzz: Manjari is
// CFF-flavoured OpenType, Rachana TrueType, so both outline kinds are drawn.
var malayalamFontFiles = []struct{ tag, file, pkg string }{
	{"manjari", "/usr/share/fonts/opentype/malayalam/Manjari-Regular.otf", "fonts-smc-manjari"},
	{"rachana", "/usr/share/fonts/truetype/malayalam/Rachana-Regular.ttf", "fonts-smc-rachana"},
}

// TestMalayalam_NamesMatchHarfBuzz draws each name with the code that draws
// documents and compares it, pixel by pixel, with hb-view shaping and
// drawing the same text in the same font file at the same size: the ink
// boxes must agree within 2 pixels, and at most 1% of the inked pixels may lie
// more than a pixel away from the other drawing's ink. Set
// KSMART_EVIDENCE_DIR to keep both pictures and their difference.
func TestMalayalam_NamesMatchHarfBuzz(t *testing.T) {
	needTool(t, "hb-view", "libharfbuzz-bin")
	needTool(t, "pdftoppm", "poppler-utils")
	for _, ff := range malayalamFontFiles {
		t.Run(ff.tag, func(t *testing.T) {
			fonts, err := LoadFonts(fontFile(t, ff.file, ff.pkg), "")
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range malayalamNames {
				t.Run(name.tag, func(t *testing.T) {
					ours := readInk(t, renderPNG(t, stripPDF(t, fonts, name.text, false), 72, true))
					hb := readInk(t, hbView(t, ff.file, name.text))
					strict, far := compareInk(ours, hb)
					t.Logf("%s %s: ink box ours %d×%d, HarfBuzz %d×%d; inked pixels that differ: %.1f%%, more than 1 px from the other's ink: %.2f%%",
						ff.tag, name.text, ours.w, ours.h, hb.w, hb.h, 100*strict, 100*far)
					keepEvidence(t, fmt.Sprintf("%s-%s.png", ff.tag, name.tag), sideBySide(ours, hb))
					if abs(ours.w-hb.w) > 2 || abs(ours.h-hb.h) > 2 {
						t.Errorf("ink box %d×%d, HarfBuzz draws %d×%d", ours.w, ours.h, hb.w, hb.h)
					}
					if far > 0.01 {
						t.Errorf("%.2f%% of inked pixels are more than a pixel away from HarfBuzz's drawing (at most 1%% allowed)", 100*far)
					}
				})
			}
		})
	}
}

// TestLatinTrueType_MatchesHarfBuzz compares English drawn from DejaVu Sans,
// a TrueType font in Debian's base image, with hb-view: the quadratic
// outlines' conversion to cubic curves, checked without a Malayalam
// TrueType font installed.
func TestLatinTrueType_MatchesHarfBuzz(t *testing.T) {
	needTool(t, "hb-view", "libharfbuzz-bin")
	file := fontFile(t, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core")
	raw := readFile(t, file)
	tf, err := parseTypeface(file, raw, 'R', false)
	if err != nil {
		t.Fatal(err)
	}
	fonts := &Fonts{name: tf.family, faces: [2]*typeface{tf, tf}}
	fonts.shapers.New = func() any { return newShaper(fonts.faces) }
	for i, text := range []string{"Kizhakkedathu Jyothilakshmi", "José Mathew–Kurian, ₹12,345.50"} {
		ours := readInk(t, renderPNG(t, stripPDF(t, fonts, text, false), 72, true))
		hb := readInk(t, hbView(t, file, text))
		strict, far := compareInk(ours, hb)
		t.Logf("DejaVu Sans %q: ink box ours %d×%d, HarfBuzz %d×%d; differ %.1f%%, more than 1 px away %.2f%%",
			text, ours.w, ours.h, hb.w, hb.h, 100*strict, 100*far)
		keepEvidence(t, fmt.Sprintf("dejavu-latin-%d.png", i+1), sideBySide(ours, hb))
		if abs(ours.w-hb.w) > 2 || abs(ours.h-hb.h) > 2 || far > 0.01 {
			t.Errorf("%q differs from HarfBuzz's drawing", text)
		}
	}
}

// TestMalayalam_ComparisonCatchesUnshapedText makes sure the comparison
// above has teeth: the same names drawn letter by letter, without shaping,
// as a renderer that does no OpenType layout would, must fail it.
func TestMalayalam_ComparisonCatchesUnshapedText(t *testing.T) {
	needTool(t, "hb-view", "libharfbuzz-bin")
	fonts := malayalamRenderer(t).Fonts()
	file := fonts.faces[regular].file
	for _, name := range malayalamNames {
		ours := readInk(t, renderPNG(t, stripPDF(t, fonts, name.text, true), 72, true))
		hb := readInk(t, hbView(t, file, name.text))
		_, far := compareInk(ours, hb)
		t.Logf("unshaped %s: ink box %d×%d vs %d×%d, %.1f%% of inked pixels more than 1 px away", name.text, ours.w, ours.h, hb.w, hb.h, 100*far)
		if abs(ours.w-hb.w) <= 2 && abs(ours.h-hb.h) <= 2 && far <= 0.01 {
			t.Errorf("unshaped %s passes the comparison with HarfBuzz", name.text)
		}
	}
}

// TestMalayalam_CertificateGivesEveryNameBack checks that pdftotext gives
// back every name of a certificate exactly, in Malayalam and English.
func TestMalayalam_CertificateGivesEveryNameBack(t *testing.T) {
	r := malayalamRenderer(t)
	c := sampleBirth()
	c.Fields = append(c.Fields,
		CertField{Label: domain.T("Informant", "വിവരം നൽകിയയാൾ"), Value: domain.T("Priya", "പ്രിയ")},
		CertField{Label: domain.T("State", "സംസ്ഥാനം"), Value: domain.T("Kerala", "കേരളം")})
	pdf, err := r.Certificate(c)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, name := range malayalamNames {
		if !strings.Contains(text, name.text) {
			t.Errorf("extracted text lacks %q", name.text)
		}
	}
	for _, name := range []string{"Sreekutty", "Krishnan", "Priya", "Muhammad Basheer", "Jyothilakshmi", "Kerala"} {
		if !strings.Contains(text, name) {
			t.Errorf("extracted text lacks %q", name)
		}
	}
	if t.Failed() {
		t.Logf("extracted text:\n%s", text)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestMalayalam_ReceiptNamesMatchHarfBuzz checks the acknowledgement
// receipt itself, not a strip: each Malayalam word of the applicant's name
// and of the service is cut out of the receipt rasterised at 64 pixels per
// em of the value's size, at the box pdftotext gives for the word, and
// compared with hb-view as TestMalayalam_NamesMatchHarfBuzz compares names.
func TestMalayalam_ReceiptNamesMatchHarfBuzz(t *testing.T) {
	needTool(t, "hb-view", "libharfbuzz-bin")
	r := malayalamRenderer(t)
	rec := sampleReceipt()
	rec.Applicant = domain.T("Sreekutty Jyothilakshmi", "ശ്രീക്കുട്ടി ജ്യോതിലക്ഷ്മി")
	pdf, err := r.Receipt(rec)
	if err != nil {
		t.Fatal(err)
	}
	file := r.Fonts().faces[regular].file
	dpi := 72 * stripPixels / styleValue.size
	boxes := textBoxes(t, pdf)
	for _, word := range []string{"ശ്രീക്കുട്ടി", "ജ്യോതിലക്ഷ്മി", "സർട്ടിഫിക്കറ്റ്"} {
		i := slices.IndexFunc(boxes, func(b textBox) bool { return b.word == word })
		if i < 0 {
			t.Errorf("pdftotext finds no %q on the receipt", word)
			continue
		}
		b := boxes[i]
		// The box is the invisible text's, laid over the glyphs' advance:
		// a little room around it takes in marks above and below.
		pad := 0.3 * styleValue.size
		px := func(pt float64) string { return fmt.Sprint(int(pt * dpi / 72)) }
		path := writeFile(t, "receipt.pdf", pdf)
		prefix := strings.TrimSuffix(path, ".pdf") + "-word"
		runTool(t, "pdftoppm", "-r", fmt.Sprint(dpi), "-gray", "-png", "-singlefile",
			"-x", px(b.xMin-pad/2), "-y", px(b.yMin-pad), "-W", px(b.xMax-b.xMin+pad), "-H", px(b.yMax-b.yMin+2*pad), path, prefix)
		ours := readInk(t, prefix+".png")
		hb := readInk(t, hbView(t, file, word))
		strict, far := compareInk(ours, hb)
		t.Logf("receipt %s: ink box ours %d×%d, HarfBuzz %d×%d; inked pixels that differ: %.1f%%, more than 1 px from the other's ink: %.2f%%",
			word, ours.w, ours.h, hb.w, hb.h, 100*strict, 100*far)
		keepEvidence(t, fmt.Sprintf("receipt-%d.png", i), sideBySide(ours, hb))
		if abs(ours.w-hb.w) > 2 || abs(ours.h-hb.h) > 2 {
			t.Errorf("%s: ink box %d×%d, HarfBuzz draws %d×%d", word, ours.w, ours.h, hb.w, hb.h)
		}
		if far > 0.01 {
			t.Errorf("%s: %.2f%% of inked pixels are more than a pixel away from HarfBuzz's drawing (at most 1%% allowed)", word, 100*far)
		}
	}
}
