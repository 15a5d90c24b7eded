package documents

import (
	"bytes"
	"compress/zlib"
	"math"
	"strconv"
	"sync"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
)

// glyphForm is one glyph of a typeface as a PDF form XObject: its outline as
// path operators in font units, filled with the current colour, compressed
// once per process. A document writes each form it uses once and places it
// with "Do" wherever the glyph appears.
type glyphForm struct {
	// name is the form's resource name without the slash, e.g. "R123".
	name string
	// empty is set for a glyph without ink (a space): nothing is drawn.
	empty bool
	// object is the form's dictionary and stream, ready to follow
	// "N 0 obj" in a file.
	object []byte
}

// formWriters pools the zlib writers that compress glyph forms, at the best
// compression since each form is compressed once and copied into every
// document; a new writer would cost more than the compression.
var formWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestCompression)
	return w
}}

// form returns glyph g's form, building and caching it on first use.
func (t *typeface) form(g font.GID) *glyphForm {
	t.formsMu.Lock()
	defer t.formsMu.Unlock()
	if f, ok := t.forms[g]; ok {
		return f
	}
	f := t.buildForm(g)
	t.forms[g] = f
	return f
}

// buildForm converts glyph g's outline into a form XObject. Outlines are in
// font units with y growing upwards, as in PDF; quadratic (TrueType)
// segments become the cubic curves PDF paths have. The bounding box is that
// of all the points, control points included, which contains the ink.
func (t *typeface) buildForm(g font.GID) *glyphForm {
	name := string(t.prefix) + strconv.FormatUint(uint64(g), 10)
	outline, ok := font.NewFace(t.font).GlyphDataOutline(g)
	if !ok || len(outline.Segments) == 0 {
		return &glyphForm{name: name, empty: true}
	}
	path := make([]byte, 0, 40*len(outline.Segments))
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	point := func(p ot.SegmentPoint) {
		x, y := float64(p.X), float64(p.Y)
		minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
		path = appendNum(path, x, 2)
		path = append(path, ' ')
		path = appendNum(path, y, 2)
		path = append(path, ' ')
	}
	var cur ot.SegmentPoint
	for _, s := range outline.Segments {
		switch s.Op {
		case ot.SegmentOpMoveTo:
			point(s.Args[0])
			path = append(path, "m\n"...)
			cur = s.Args[0]
		case ot.SegmentOpLineTo:
			point(s.Args[0])
			path = append(path, "l\n"...)
			cur = s.Args[0]
		case ot.SegmentOpQuadTo:
			// The cubic with control points two thirds of the way from each
			// end towards the quadratic's control point is the same curve.
			q, end := s.Args[0], s.Args[1]
			point(ot.SegmentPoint{X: cur.X + 2.0/3*(q.X-cur.X), Y: cur.Y + 2.0/3*(q.Y-cur.Y)})
			point(ot.SegmentPoint{X: end.X + 2.0/3*(q.X-end.X), Y: end.Y + 2.0/3*(q.Y-end.Y)})
			point(end)
			path = append(path, "c\n"...)
			cur = end
		case ot.SegmentOpCubeTo:
			point(s.Args[0])
			point(s.Args[1])
			point(s.Args[2])
			path = append(path, "c\n"...)
			cur = s.Args[2]
		}
	}
	// Both CFF and TrueType outlines are filled with the nonzero winding rule.
	path = append(path, 'f')

	var z bytes.Buffer
	zw := formWriters.Get().(*zlib.Writer)
	zw.Reset(&z)
	zw.Write(path)
	zw.Close()
	formWriters.Put(zw)

	obj := make([]byte, 0, z.Len()+160)
	obj = append(obj, "<< /Type /XObject /Subtype /Form /BBox ["...)
	obj = appendNum(obj, math.Floor(minX), 0)
	obj = append(obj, ' ')
	obj = appendNum(obj, math.Floor(minY), 0)
	obj = append(obj, ' ')
	obj = appendNum(obj, math.Ceil(maxX), 0)
	obj = append(obj, ' ')
	obj = appendNum(obj, math.Ceil(maxY), 0)
	obj = append(obj, "] /Filter /FlateDecode /Length "...)
	obj = strconv.AppendInt(obj, int64(z.Len()), 10)
	obj = append(obj, " >>\nstream\n"...)
	obj = append(obj, z.Bytes()...)
	obj = append(obj, "\nendstream"...)
	return &glyphForm{name: name, object: obj}
}

// appendNum appends v rounded to at most decimals places (0 to 9), without
// trailing zeros or a negative zero: the compact, deterministic number syntax
// of the content streams. It formats the rounded integer itself, several
// times faster than strconv's shortest float formatting, which matters at
// thousands of numbers per page.
func appendNum(b []byte, v float64, decimals int) []byte {
	scale := pow10[decimals]
	n := int64(math.Round(v * float64(scale)))
	if n == 0 {
		return append(b, '0')
	}
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/scale, 10)
	frac := n % scale
	if frac == 0 {
		return b
	}
	b = append(b, '.')
	for digit := scale / 10; frac > 0; digit /= 10 {
		b = append(b, byte('0'+frac/digit))
		frac %= digit
	}
	return b
}

var pow10 = [...]int64{1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}
