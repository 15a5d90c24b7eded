package documents

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"
)

// qrQuietZone is the light margin, in modules, that the QR specification
// requires around the symbol so scanners can find it.
const qrQuietZone = 4

// qrModules encodes content as a QR code with error correction level M (15%
// of the symbol may be damaged or smudged, enough for a printed page) and
// returns its modules row by row, true for dark.
func qrModules(content string) ([][]bool, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("documents: encode QR code: %w", err)
	}
	n := code.Bounds().Dx()
	modules := make([][]bool, n)
	for y := range n {
		modules[y] = make([]bool, n)
		for x := range n {
			modules[y][x] = color.GrayModel.Convert(code.At(x, y)).(color.Gray).Y < 128
		}
	}
	return modules, nil
}

// drawQR draws content as a QR code whose square, quiet zone included, has its
// top-left corner at (x, y) and sides of size mm. The dark modules are vector
// rectangles, one per horizontal stretch, filled as a single path so that
// no hairline seams appear between modules at any zoom, and printers get
// sharp edges that an embedded image would not give.
func drawQR(pdf *fpdf.Fpdf, x, y, size float64, content string) error {
	modules, err := qrModules(content)
	if err != nil {
		return err
	}
	n := len(modules)
	module := size / float64(n+2*qrQuietZone)
	k := 72 / 25.4 // points per mm
	_, pageH := pdf.GetPageSize()
	pt := func(v float64) string { return strconv.FormatFloat(v*k, 'f', 3, 64) }

	var b strings.Builder
	b.WriteString("q 0 g\n")
	for row := range n {
		top := y + float64(qrQuietZone+row)*module
		for col := 0; col < n; {
			if !modules[row][col] {
				col++
				continue
			}
			end := col
			for end < n && modules[row][end] {
				end++
			}
			left := x + float64(qrQuietZone+col)*module
			// PDF's y axis grows upwards from the bottom of the page.
			fmt.Fprintf(&b, "%s %s %s %s re\n", pt(left), pt(pageH-top-module), pt(float64(end-col)*module), pt(module))
			col = end
		}
	}
	b.WriteString("f Q")
	pdf.RawWriteStr(b.String())
	return nil
}
