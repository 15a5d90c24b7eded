package documents

import (
	"bytes"
	"embed"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/go-text/typesetting/font"
)

// fontFiles holds Manjari Regular and Bold as TrueType (glyf) fonts, converted
// from the CFF fonts Debian ships by fonts/otf2ttf.py; see fonts/README.md.
//
//go:embed fonts/*.ttf
var fontFiles embed.FS

// puaBase is the first Private Use Area code point of the extra cmap
// segment: glyph g is reachable as puaBase+g. fpdf reads only format 4
// (Basic Multilingual Plane) cmap subtables, so the segment has to stay in
// the BMP's Private Use Area, U+E000..U+F8FF, which bounds the glyph count to
// 6,400; Manjari has about 900.
const (
	puaBase = 0xE000
	puaLast = 0xF8FF
)

// fontFamily is the family name the PDF knows Manjari by.
const fontFamily = "manjari"

// style picks a weight of the typeface.
type style int

const (
	regular style = iota
	bold
)

// fpdfStyle is the style string fpdf's SetFont and AddUTF8FontFromBytes take.
func (s style) fpdfStyle() string {
	if s == bold {
		return "B"
	}
	return ""
}

// typeface is one loaded weight of Manjari: the font go-text shapes with,
// the TrueType bytes handed to fpdf (its cmap rewritten, see addPUACmap), and
// the metrics the drawing code compares shaped advances against. A typeface
// is read-only once loaded, so every document shares it.
type typeface struct {
	style style
	// font is the embedded font as it is, parsed; safe for concurrent use.
	// Shaping takes a per-goroutine font.Face over it.
	font *font.Font
	// pdfFont is the same font with a cmap of printable ASCII and the
	// PUA glyph segment, for fpdf.
	pdfFont []byte
	// upem is the font's units per em.
	upem float64
	// advances holds each glyph's advance width from hmtx, in font units.
	advances []int32
	// ascent and descent (negative) are hhea's line metrics in font units.
	ascent, descent float64
}

// advance returns glyph g's nominal advance in font units, or -1 for a glyph
// the font does not have.
func (t *typeface) advance(g font.GID) int32 {
	if int(g) >= len(t.advances) {
		return -1
	}
	return t.advances[g]
}

var (
	typefacesOnce sync.Once
	typefaces     [2]*typeface
	typefacesErr  error
)

// loadTypefaces parses the embedded fonts and builds their PUA-augmented
// copies once per process; later calls return the same values. Building
// takes a few milliseconds, which is why it is never done per document.
func loadTypefaces() ([2]*typeface, error) {
	typefacesOnce.Do(func() {
		for _, s := range []struct {
			style style
			file  string
		}{{regular, "fonts/Manjari-Regular.ttf"}, {bold, "fonts/Manjari-Bold.ttf"}} {
			raw, err := fontFiles.ReadFile(s.file)
			if err != nil {
				typefacesErr = fmt.Errorf("documents: read embedded %s: %w", s.file, err)
				return
			}
			tf, err := newTypeface(s.style, raw)
			if err != nil {
				typefacesErr = fmt.Errorf("documents: load %s: %w", s.file, err)
				return
			}
			typefaces[s.style] = tf
		}
	})
	return typefaces, typefacesErr
}

// newTypeface parses raw and builds its copy for fpdf.
func newTypeface(st style, raw []byte) (*typeface, error) {
	face, err := font.ParseTTF(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	pdfFont, err := addPUACmap(raw, face.Font)
	if err != nil {
		return nil, err
	}
	n := numGlyphs(raw)
	tf := &typeface{style: st, font: face.Font, pdfFont: pdfFont, upem: float64(face.Upem()), advances: make([]int32, n)}
	for g := range n {
		tf.advances[g] = int32(face.HorizontalAdvance(font.GID(g)))
	}
	if ext, ok := face.FontHExtents(); ok {
		tf.ascent, tf.descent = float64(ext.Ascender), float64(ext.Descender)
	} else {
		tf.ascent, tf.descent = 0.8*tf.upem, -0.2*tf.upem
	}
	return tf, nil
}

// sfntTable is one table of an sfnt (TrueType/OpenType) file.
type sfntTable struct {
	tag  string
	data []byte
}

// readSFNT splits a TrueType file into its tables.
func readSFNT(ttf []byte) (version uint32, tables []sfntTable, err error) {
	if len(ttf) < 12 {
		return 0, nil, fmt.Errorf("font file too short")
	}
	version = binary.BigEndian.Uint32(ttf)
	if version != 0x00010000 && version != 0x74727565 {
		return 0, nil, fmt.Errorf("not a TrueType (glyf) font: version %#x; fpdf embeds TrueType outlines only", version)
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	if len(ttf) < 12+16*n {
		return 0, nil, fmt.Errorf("truncated table directory")
	}
	for i := range n {
		rec := ttf[12+16*i:]
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(ttf)) {
			return 0, nil, fmt.Errorf("table %q lies outside the file", rec[:4])
		}
		tables = append(tables, sfntTable{tag: string(rec[:4]), data: ttf[off : off+length]})
	}
	return version, tables, nil
}

// numGlyphs reads maxp.numGlyphs, or 0 when the file has no usable maxp.
func numGlyphs(ttf []byte) int {
	_, tables, err := readSFNT(ttf)
	if err != nil {
		return 0
	}
	for _, t := range tables {
		if t.tag == "maxp" && len(t.data) >= 6 {
			return int(binary.BigEndian.Uint16(t.data[4:]))
		}
	}
	return 0
}

// addPUACmap returns a copy of ttf for fpdf whose cmap maps printable ASCII
// as the font does and U+E000+g to every glyph g.
//
// Shaped text uses glyphs that no code point reaches (conjunct ligatures,
// reordered vowel-sign parts), and fpdf embeds and addresses glyphs only
// through the cmap; the PUA segment makes every glyph addressable, and fpdf's
// subsetter keeps whatever the cmap reaches (and the components of composite
// glyphs). The rest of the font's own mappings are left out on purpose:
// everything beyond ASCII is shaped and drawn through the PUA anyway, and
// fpdf writes a width for every mapped code point below 256 in every
// document, used or not, with an algorithm quadratic in their number.
//
// The new cmap holds one format 4 subtable under both Unicode encoding
// records, because fpdf reads format 4 only. Table checksums and
// head.checkSumAdjustment are recomputed so the file stays valid.
func addPUACmap(ttf []byte, f *font.Font) ([]byte, error) {
	version, tables, err := readSFNT(ttf)
	if err != nil {
		return nil, err
	}
	n := numGlyphs(ttf)
	if n == 0 || puaBase+n-1 > puaLast {
		return nil, fmt.Errorf("%d glyphs do not fit the Private Use Area U+E000..U+F8FF", n)
	}
	mapping := map[rune]font.GID{}
	for it := f.Cmap.Iter(); it.Next(); {
		r, g := it.Char()
		if isNative(r) {
			mapping[r] = g
		}
	}
	for g := range n {
		mapping[puaBase+rune(g)] = font.GID(g)
	}
	cmap, err := cmapFormat4(mapping)
	if err != nil {
		return nil, err
	}
	found := false
	for i := range tables {
		if tables[i].tag == "cmap" {
			tables[i].data, found = cmap, true
		}
	}
	if !found {
		tables = append(tables, sfntTable{tag: "cmap", data: cmap})
	}
	return writeSFNT(version, tables), nil
}

// cmapFormat4 builds a cmap table with one format 4 subtable for mapping,
// referenced by the (0,3) Unicode BMP and (3,1) Windows Unicode records.
// Each run of consecutive code points is one segment: addressed by idDelta
// when its glyphs are consecutive too (as the whole PUA run is), else through
// glyphIdArray.
func cmapFormat4(mapping map[rune]font.GID) ([]byte, error) {
	runes := make([]rune, 0, len(mapping))
	for r := range mapping {
		if r < 0xFFFF {
			runes = append(runes, r)
		}
	}
	slices.Sort(runes)

	type segment struct {
		start, end rune
		delta      bool // glyph = code + idDelta for the whole segment
	}
	var segs []segment
	for i := 0; i < len(runes); {
		j, consecutive := i, true
		for j+1 < len(runes) && runes[j+1] == runes[j]+1 {
			consecutive = consecutive && mapping[runes[j+1]] == mapping[runes[j]]+1
			j++
		}
		segs = append(segs, segment{runes[i], runes[j], consecutive})
		i = j + 1
	}
	segs = append(segs, segment{0xFFFF, 0xFFFF, true}) // the required final segment maps to glyph 0

	segX2 := 2 * len(segs)
	var glyphArray []uint16
	ends := make([]uint16, len(segs))
	starts := make([]uint16, len(segs))
	deltas := make([]uint16, len(segs))
	rangeOffsets := make([]uint16, len(segs))
	for i, s := range segs {
		starts[i], ends[i] = uint16(s.start), uint16(s.end)
		switch {
		case s.start == 0xFFFF:
			deltas[i] = 1 // 0xFFFF + 1 wraps to glyph 0
		case s.delta:
			deltas[i] = uint16(int(mapping[s.start]) - int(s.start))
		default:
			// idRangeOffset counts bytes from this idRangeOffset entry to the
			// segment's first entry in glyphIdArray.
			rangeOffsets[i] = uint16(2*(len(segs)-i) + 2*len(glyphArray))
			for r := s.start; r <= s.end; r++ {
				glyphArray = append(glyphArray, uint16(mapping[r]))
			}
		}
	}
	length := 16 + 4*segX2 + 2*len(glyphArray)
	if length > 0xFFFF {
		return nil, fmt.Errorf("cmap format 4 subtable of %d bytes exceeds 65535", length)
	}
	searchRange, entrySelector := 2, 0
	for searchRange*2 <= segX2 {
		searchRange *= 2
		entrySelector++
	}

	var b bytes.Buffer
	w := func(v ...uint16) {
		for _, x := range v {
			b.WriteByte(byte(x >> 8))
			b.WriteByte(byte(x))
		}
	}
	// cmap header: version 0, two encoding records sharing the subtable at offset 20.
	w(0, 2)
	w(0, 3, 0, 20)
	w(3, 1, 0, 20)
	w(4, uint16(length), 0, uint16(segX2), uint16(searchRange), uint16(entrySelector), uint16(segX2-searchRange))
	w(ends...)
	w(0) // reservedPad
	w(starts...)
	w(deltas...)
	w(rangeOffsets...)
	w(glyphArray...)
	return b.Bytes(), nil
}

// writeSFNT assembles tables into a TrueType file: a directory sorted by tag,
// each table 4-byte aligned with its checksum, and head.checkSumAdjustment set
// so that the whole file sums to 0xB1B0AFBA.
func writeSFNT(version uint32, tables []sfntTable) []byte {
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })
	n := len(tables)
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= n {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 16
	size := 12 + 16*n
	for _, t := range tables {
		size += (len(t.data) + 3) &^ 3
	}
	out := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(out, version)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-searchRange))
	headAt := -1
	for i, t := range tables {
		data := t.data
		if t.tag == "head" && len(data) >= 12 {
			data = slices.Clone(data)
			binary.BigEndian.PutUint32(data[8:], 0) // checkSumAdjustment is summed as zero
			headAt = len(out)
		}
		rec := out[12+16*i:]
		copy(rec, t.tag)
		binary.BigEndian.PutUint32(rec[4:], sfntChecksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	if headAt >= 0 {
		binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-sfntChecksum(out))
	}
	return out
}

// sfntChecksum sums data as big-endian uint32 words, zero-padded.
func sfntChecksum(data []byte) uint32 {
	var sum uint32
	for i := 0; i < len(data); i += 4 {
		var word [4]byte
		copy(word[:], data[i:])
		sum += binary.BigEndian.Uint32(word[:])
	}
	return sum
}
