package documents

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/go-text/typesetting/font"
)

// Fonts is the typeface documents are drawn in; safe for concurrent use.
//
// A Fonts with a Malayalam font draws every word whose letters the font has
// as vector outlines of its shaped glyphs, with the same text laid over them
// invisibly for search and copy-paste (see DESIGN.md). EnglishOnly's Fonts has
// none: documents then print their English halves only, in Helvetica.
//
// The glyph outlines and shaped words a Fonts has drawn are cached in it for
// the life of the process, so keep one Fonts (and one Renderer) per process.
type Fonts struct {
	name string
	// faces holds the regular and bold weights; both point to the same
	// typeface when there is no bold file. Both are nil in English-only mode.
	faces [2]*typeface
	// shapers pools the HarfBuzz shapers, which are not safe for concurrent
	// use, each with its own faces over the shared fonts.
	shapers sync.Pool
}

// weight picks a weight of the typeface.
type weight int

const (
	regular weight = iota
	bold
)

// LoadFonts loads a Malayalam typeface from font files: OpenType with CFF
// outlines (.otf) or TrueType (.ttf). bold may be "", when the regular font
// is used for bold text too. The error names the file and what is wrong with
// it: unreadable, not a font, without outlines, or without Malayalam letters.
func LoadFonts(regularFile, boldFile string) (*Fonts, error) {
	reg, err := loadTypeface(regularFile, 'R')
	if err != nil {
		return nil, err
	}
	f := &Fonts{name: reg.family, faces: [2]*typeface{reg, reg}}
	if boldFile != "" && boldFile != regularFile {
		b, err := loadTypeface(boldFile, 'B')
		if err != nil {
			return nil, err
		}
		f.faces[bold] = b
	}
	f.shapers.New = func() any { return newShaper(f.faces) }
	return f, nil
}

// systemFontFiles are the regular and bold files of Debian's Malayalam font
// packages, in the order SystemFonts prefers them.
var systemFontFiles = []struct{ regular, bold string }{
	// fonts-smc-manjari
	{"/usr/share/fonts/opentype/malayalam/Manjari-Regular.otf", "/usr/share/fonts/opentype/malayalam/Manjari-Bold.otf"},
	// fonts-noto-core (and the older fonts-noto-hinted/unhinted layouts)
	{"/usr/share/fonts/truetype/noto/NotoSansMalayalam-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSansMalayalam-Bold.ttf"},
	{"/usr/share/fonts/truetype/noto-hinted/NotoSansMalayalam-Regular.ttf", "/usr/share/fonts/truetype/noto-hinted/NotoSansMalayalam-Bold.ttf"},
	{"/usr/share/fonts/truetype/noto-unhinted/NotoSansMalayalam-Regular.ttf", "/usr/share/fonts/truetype/noto-unhinted/NotoSansMalayalam-Bold.ttf"},
	{"/usr/share/fonts/opentype/noto/NotoSansMalayalam-Regular.otf", "/usr/share/fonts/opentype/noto/NotoSansMalayalam-Bold.otf"},
	// fonts-smc-rachana, fonts-smc-meera
	{"/usr/share/fonts/truetype/malayalam/Rachana-Regular.ttf", "/usr/share/fonts/truetype/malayalam/Rachana-Bold.ttf"},
	{"/usr/share/fonts/opentype/malayalam/Rachana-Regular.otf", "/usr/share/fonts/opentype/malayalam/Rachana-Bold.otf"},
	{"/usr/share/fonts/truetype/malayalam/Meera-Regular.ttf", ""},
	{"/usr/share/fonts/opentype/malayalam/Meera-Regular.otf", ""},
}

// SystemFonts loads the first Malayalam typeface installed in the usual
// Debian places: Manjari (fonts-smc-manjari), then Noto Sans Malayalam
// (fonts-noto-core), then Rachana and Meera (fonts-smc-rachana,
// fonts-smc-meera). A missing bold weight falls back to the regular one. When
// none is installed the error lists the paths searched and says what to
// install; callers that can live without Malayalam use EnglishOnly instead.
func SystemFonts() (*Fonts, error) {
	var searched []string
	for _, c := range systemFontFiles {
		searched = append(searched, c.regular)
		if _, err := os.Stat(c.regular); err != nil {
			continue
		}
		boldFile := c.bold
		if boldFile != "" {
			if _, err := os.Stat(boldFile); err != nil {
				boldFile = ""
			}
		}
		return LoadFonts(c.regular, boldFile)
	}
	return nil, fmt.Errorf("documents: no Malayalam font found (searched %s); install one with: apt-get install fonts-smc-manjari",
		strings.Join(searched, ", "))
}

// EnglishOnly returns a Fonts without Malayalam: documents print their
// English halves only, in Helvetica (a PDF core font, never embedded), and
// leave the Malayalam halves out rather than draw empty boxes.
func EnglishOnly() *Fonts {
	return &Fonts{name: "none (English only)"}
}

// Malayalam reports whether documents drawn with f carry Malayalam.
func (f *Fonts) Malayalam() bool { return f.faces[regular] != nil }

// Name is the typeface's family name, e.g. "Manjari", or "none (English
// only)".
func (f *Fonts) Name() string { return f.name }

// typeface is one loaded font file: the parsed font that shaping and
// outlines come from, its metrics, and the process-wide caches of its
// glyph outlines (as PDF form XObjects) and shaped words. It is safe for
// concurrent use.
type typeface struct {
	file   string
	family string
	font   *font.Font
	upem   float64
	// ascent and descent (negative) are the font's line metrics in font units.
	ascent, descent float64
	// prefix starts the PDF resource name of every glyph form: 'R' for the
	// regular font, 'B' for a separate bold one.
	prefix byte

	formsMu sync.Mutex
	forms   map[font.GID]*glyphForm

	wordsMu sync.RWMutex
	words   map[string]*shapedWord
}

// malayalamProbe is a handful of letters every Malayalam font must have.
const malayalamProbe = "കമരളന്ാ"

// loadTypeface reads and parses one font file.
func loadTypeface(file string, prefix byte) (*typeface, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("documents: font file %s does not exist", file)
		}
		return nil, fmt.Errorf("documents: font file %s cannot be read: %w", file, err)
	}
	return parseTypeface(file, raw, prefix, true)
}

// parseTypeface parses a font file's bytes. With needMalayalam it refuses a
// font without Malayalam letters; tests turn that off to draw Latin fonts.
func parseTypeface(file string, raw []byte, prefix byte, needMalayalam bool) (*typeface, error) {
	face, err := font.ParseTTF(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("documents: font file %s is not an OpenType or TrueType font: %w", file, err)
	}
	if needMalayalam {
		for _, r := range malayalamProbe {
			if _, ok := face.NominalGlyph(r); !ok {
				return nil, fmt.Errorf("documents: font file %s has no Malayalam letters (it lacks %q); use a Malayalam font such as Manjari (apt-get install fonts-smc-manjari)", file, r)
			}
		}
		g, _ := face.NominalGlyph('ക')
		if o, ok := face.GlyphDataOutline(g); !ok || len(o.Segments) == 0 {
			return nil, fmt.Errorf("documents: font file %s has no vector outlines (a bitmap or colour font?)", file)
		}
	}
	t := &typeface{
		file:   file,
		family: face.Describe().Family,
		font:   face.Font,
		upem:   float64(face.Upem()),
		prefix: prefix,
		forms:  map[font.GID]*glyphForm{},
		words:  map[string]*shapedWord{},
	}
	if t.family == "" {
		t.family = file
	}
	if ext, ok := face.FontHExtents(); ok && ext.Ascender > 0 {
		t.ascent, t.descent = float64(ext.Ascender), float64(ext.Descender)
	} else {
		t.ascent, t.descent = 0.8*t.upem, -0.2*t.upem
	}
	return t, nil
}

// has reports whether the font maps r to a glyph. Joiners and other
// invisible format characters count as present: the shaper consumes them.
func (t *typeface) has(r rune) bool {
	if r == 0x200C || r == 0x200D || r == 0x00AD {
		return true
	}
	_, ok := t.font.NominalGlyph(r)
	return ok
}

// covers reports whether the font has every letter of word.
func (t *typeface) covers(word string) bool {
	for _, r := range word {
		if !t.has(r) {
			return false
		}
	}
	return true
}
