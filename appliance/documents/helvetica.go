package documents

import (
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Helvetica and Helvetica-Bold are two of the PDF's standard fonts: every
// viewer has them, so a document names them and embeds nothing. They draw
// English text in English-only mode and carry the invisible text laid over
// glyph outlines, in WinAnsiEncoding (Windows-1252).

// helveticaWidths holds the advance widths of WinAnsi codes 32..255 in
// thousandths of an em, regular then bold, from Adobe's Helvetica and
// Helvetica-Bold font metrics (as fpdf ships them).
var helveticaWidths = [2][224]uint16{{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
	556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
	350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667,
	278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
	400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
	667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
	722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
	556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
}, {
	278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
	975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
	333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
	611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350,
	556, 350, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
	350, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 350, 500, 667,
	278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
	400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
	722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
	722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
	556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
	611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
}}

// Helvetica's ascent and descent in thousandths of an em.
const (
	helveticaAscent  = 718
	helveticaDescent = -207
)

// winAnsi encodes s for a standard font: Windows-1252 bytes, with ₹ written
// as "Rs." and anything else the encoding lacks (Malayalam, above all) as
// '?', so that no empty box is ever drawn.
func winAnsi(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r == '₹' {
			b = append(b, "Rs."...)
			continue
		}
		if c, ok := charmap.Windows1252.EncodeRune(r); ok && c >= 32 {
			b = append(b, c)
			continue
		}
		b = append(b, '?')
	}
	return b
}

// helveticaWidth is the width of WinAnsi bytes b in Helvetica (w = regular
// or bold) at one point, in points.
func helveticaWidth(b []byte, w weight) float64 {
	var sum int
	for _, c := range b {
		if c >= 32 {
			sum += int(helveticaWidths[w][c-32])
		}
	}
	return float64(sum) / 1000
}

// isPrintableASCII reports whether every byte of s is printable ASCII: text
// that the invisible Helvetica layer carries as it is.
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// appendPDFString appends b as a PDF literal string, escaping the
// characters the syntax reserves.
func appendPDFString(dst, b []byte) []byte {
	dst = append(dst, '(')
	for _, c := range b {
		switch c {
		case '(', ')', '\\':
			dst = append(dst, '\\', c)
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, ')')
}

// appendUTF16Hex appends s as a PDF hexadecimal text string: UTF-16BE with a
// byte-order mark, the form /ActualText and document information take for
// text beyond PDFDocEncoding.
func appendUTF16Hex(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	dst = append(dst, "<FEFF"...)
	for _, u := range utf16.Encode([]rune(s)) {
		dst = append(dst, hex[u>>12], hex[u>>8&0xF], hex[u>>4&0xF], hex[u&0xF])
	}
	return append(dst, '>')
}

// appendTextString appends s as a PDF text string: literal when it is
// printable ASCII, else UTF-16BE hexadecimal.
func appendTextString(dst []byte, s string) []byte {
	if isPrintableASCII(s) {
		return appendPDFString(dst, []byte(s))
	}
	return appendUTF16Hex(dst, s)
}
