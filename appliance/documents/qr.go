package documents

import (
	"fmt"
	"html"
	"math/bits"
	"strconv"
	"strings"
	"sync"

	"rsc.io/qr/coding"
)

// QR codes are encoded with rsc.io/qr's coding package, with error
// correction level M (15% of the symbol may be damaged or smudged, enough for
// a printed page), in byte mode, at the smallest version the text fits.
// rsc.io/qr itself always uses mask 0; the QR specification asks the encoder
// to pick, of the eight masks, the one whose symbol scores the lowest
// penalty (fewest long runs, blocks and finder-like patterns, balanced dark
// and light), which makes a code easier to scan, so qrModules does that. The
// same text always gives the same modules. DESIGN.md compares encoders.

// qrQuietZone is the light margin, in modules, that the QR specification
// requires around the symbol so scanners can find it.
const qrQuietZone = 4

// qrLevel is the error correction level of every code.
const qrLevel = coding.M

// qrLayout is what the eight masks of one version look like before data is
// placed: each mask's modules (function patterns, format information and the
// mask itself over the data area) and which modules carry data or check
// bits. It is built once per version, from rsc.io/qr's plans, and read-only.
type qrLayout struct {
	n     int
	plan0 *coding.Plan // the plan for mask 0, which encodes the data
	black [8][]bool    // each mask's modules before data
	data  []bool       // modules that carry data or check bits
}

var qrLayouts sync.Map // coding.Version → *qrLayout

func qrLayoutFor(v coding.Version) (*qrLayout, error) {
	if l, ok := qrLayouts.Load(v); ok {
		return l.(*qrLayout), nil
	}
	var l qrLayout
	for m := range 8 {
		plan, err := coding.NewPlan(v, qrLevel, coding.Mask(m))
		if err != nil {
			return nil, err
		}
		if m == 0 {
			l.plan0, l.n = plan, len(plan.Pixel)
			l.data = make([]bool, l.n*l.n)
		}
		l.black[m] = make([]bool, l.n*l.n)
		for y, row := range plan.Pixel {
			for x, pix := range row {
				l.black[m][y*l.n+x] = pix&coding.Black != 0
				if r := pix.Role(); m == 0 && (r == coding.Data || r == coding.Check) {
					l.data[y*l.n+x] = true
				}
			}
		}
	}
	actual, _ := qrLayouts.LoadOrStore(v, &l)
	return actual.(*qrLayout), nil
}

// qrModules encodes content as a QR code and returns its modules row by row,
// true for dark, without the quiet zone: the symbol of the mask with the
// lowest penalty.
func qrModules(content string) ([][]bool, error) {
	symbols, n, err := qrSymbols(content)
	if err != nil {
		return nil, err
	}
	best, bestScore := 0, -1
	for m, symbol := range symbols {
		score := 0
		if n <= 64 {
			score = qrPenaltyBits(symbol, n)
		} else {
			score = qrPenalty(symbol, n)
		}
		if bestScore < 0 || score < bestScore {
			best, bestScore = m, score
		}
	}
	modules := make([][]bool, n)
	for y := range modules {
		modules[y] = symbols[best][y*n : (y+1)*n]
	}
	return modules, nil
}

// qrSymbols encodes content with each of the eight masks and returns the
// symbols (n×n modules, row by row) in mask order.
//
// The data is encoded once, with mask 0; a data module of mask m is the
// encoded bit XOR mask m's pattern, so each mask's symbol follows from the
// first without encoding again.
func qrSymbols(content string) (symbols [8][]bool, n int, err error) {
	var enc coding.Encoding = coding.String(content)
	switch {
	case coding.Num(content).Check() == nil:
		enc = coding.Num(content)
	case coding.Alpha(content).Check() == nil:
		enc = coding.Alpha(content)
	}
	v := coding.Version(coding.MinVersion)
	for ; enc.Bits(v) > v.DataBytes(qrLevel)*8; v++ {
		if v == coding.MaxVersion {
			return symbols, 0, fmt.Errorf("documents: %d characters are too many for a QR code", len(content))
		}
	}
	l, err := qrLayoutFor(v)
	if err != nil {
		return symbols, 0, fmt.Errorf("documents: QR code: %w", err)
	}
	code, err := l.plan0.Encode(enc)
	if err != nil {
		return symbols, 0, fmt.Errorf("documents: QR code: %w", err)
	}
	n = l.n
	// bits holds the encoded data and check bits where they sit, unmasked.
	bits := make([]bool, n*n)
	for y := range n {
		row := code.Bitmap[y*code.Stride:]
		for x := range n {
			i := y*n + x
			if l.data[i] {
				bits[i] = (row[x/8]&(1<<uint(7-x&7)) != 0) != l.black[0][i]
			}
		}
	}
	all := make([]bool, 8*n*n)
	for m := range symbols {
		symbols[m] = all[m*n*n : (m+1)*n*n]
		for i := range symbols[m] {
			symbols[m][i] = l.black[m][i] != bits[i]
		}
	}
	return symbols, n, nil
}

// qrPenalty scores a symbol of n×n modules (row by row, dark as true) by the
// four rules of ISO/IEC 18004 §7.8.3; the mask with the lowest score is
// used.
func qrPenalty(m []bool, n int) int {
	score := 0
	for i := range n {
		score += qrLinePenalty(m, i*n, 1, n) // row i
		score += qrLinePenalty(m, i, n, n)   // column i
	}
	// Rule 2: 2×2 blocks of one colour. Rule 4: the share of dark modules
	// away from half, in steps of 5%.
	dark := 0
	for y := range n {
		for x := range n {
			c := m[y*n+x]
			if c {
				dark++
			}
			if y+1 < n && x+1 < n && c == m[y*n+x+1] && c == m[(y+1)*n+x] && c == m[(y+1)*n+x+1] {
				score += 3
			}
		}
	}
	dev := dark*100/(n*n) - 50
	if dev < 0 {
		dev = -dev
	}
	return score + dev/5*10
}

// qrPenaltyBits is qrPenalty for symbols of up to 64 modules a side
// (versions 1 to 11), computed on rows and columns as bit sets: the same
// score, a few dozen times faster than looking at modules one by one.
func qrPenaltyBits(m []bool, n int) int {
	var rowsArr, colsArr [64]uint64
	rows, cols := rowsArr[:n], colsArr[:n]
	dark := 0
	for y := range n {
		line := m[y*n : (y+1)*n]
		var r uint64
		for x := n - 1; x >= 0; x-- {
			r = r<<1 | uint64(b2u(line[x]))
		}
		rows[y] = r
		dark += bits.OnesCount64(r)
		for x := range n {
			cols[x] |= (r >> x & 1) << y
		}
	}
	all := uint64(1)<<n - 1 // n ≤ 64: for n = 64 the shift gives 0, and 0-1 is all ones
	pairs := all >> 1       // positions x with a neighbour x+1
	score := 0
	for _, lines := range [2][]uint64{rows, cols} {
		for _, line := range lines {
			// Rule 1: a run ends wherever a module differs from the next.
			ends := (line ^ line>>1) & pairs
			start := 0
			for ends != 0 {
				x := bits.TrailingZeros64(ends)
				if run := x + 1 - start; run >= 5 {
					score += 3 + run - 5
				}
				start = x + 1
				ends &= ends - 1
			}
			if run := n - start; run >= 5 {
				score += 3 + run - 5
			}
			// Rule 3: the pattern and its mirror image (the same pair of
			// values whichever end is read first), at every position at
			// once: bit x of a match set is whether the 11 modules from x on
			// are the pattern.
			if n >= 11 {
				m1, m2 := all>>10, all>>10
				for k := range 11 {
					shifted := line >> k
					if 0b00001011101>>k&1 == 1 {
						m1 &= shifted
					} else {
						m1 &^= shifted
					}
					if 0b10111010000>>k&1 == 1 {
						m2 &= shifted
					} else {
						m2 &^= shifted
					}
				}
				score += 40 * (bits.OnesCount64(m1) + bits.OnesCount64(m2))
			}
		}
	}
	// Rule 2: a 2×2 block where each module equals its right and lower
	// neighbours.
	for y := 0; y+1 < n; y++ {
		a, b := rows[y], rows[y+1]
		same := ^(a ^ b) & ^(a ^ a>>1) & ^(b ^ b>>1) & pairs
		score += 3 * bits.OnesCount64(same)
	}
	dev := dark*100/(n*n) - 50
	if dev < 0 {
		dev = -dev
	}
	return score + dev/5*10
}

// qrLinePenalty scores the line of n modules starting at m[start], step
// apart, by rule 1 (five or more modules of one colour in a line) and rule 3
// (1:1:3:1:1 finder-like patterns with four light modules on one side).
func qrLinePenalty(m []bool, start, step, n int) int {
	score, run := 0, 0
	var window uint16 // the last 11 modules, dark as 1
	prev := false
	for i := range n {
		dark := m[start+i*step]
		if i > 0 && dark == prev {
			run++
		} else {
			if run >= 5 {
				score += 3 + run - 5
			}
			run = 1
		}
		prev = dark
		window = (window<<1 | b2u(dark)) & 0x7FF
		if i >= 10 && (window == 0b10111010000 || window == 0b00001011101) {
			score += 40
		}
	}
	if run >= 5 {
		score += 3 + run - 5
	}
	return score
}

func b2u(b bool) uint16 {
	if b {
		return 1
	}
	return 0
}

// drawQR draws content as a QR code whose square, quiet zone included, has
// its top-left corner at (x, y) and sides of size (points). The dark modules
// are vector rectangles, one per horizontal stretch, filled as a single path
// so that no hairline seams appear between modules at any zoom, and printers
// get sharp edges that an embedded image would not give.
func (p *page) drawQR(x, y, size float64, content string) error {
	modules, err := qrModules(content)
	if err != nil {
		return err
	}
	n := len(modules)
	module := size / float64(n+2*qrQuietZone)
	// One transformation puts the symbol's top-left module at the origin,
	// one unit per module, y growing downwards; rectangles are then in
	// whole modules.
	p.content = append(p.content, "q 0 g "...)
	p.content = appendNum(p.content, module, 6)
	p.content = append(p.content, " 0 0 "...)
	p.content = appendNum(p.content, -module, 6)
	p.content = append(p.content, ' ')
	p.pt(x + qrQuietZone*module)
	p.pt(p.height - y - qrQuietZone*module)
	p.content = append(p.content, "cm\n"...)
	for row := range n {
		for col := 0; col < n; {
			if !modules[row][col] {
				col++
				continue
			}
			end := col
			for end < n && modules[row][end] {
				end++
			}
			p.content = strconv.AppendInt(p.content, int64(col), 10)
			p.content = append(p.content, ' ')
			p.content = strconv.AppendInt(p.content, int64(row), 10)
			p.content = append(p.content, ' ')
			p.content = strconv.AppendInt(p.content, int64(end-col), 10)
			p.content = append(p.content, " 1 re\n"...)
			col = end
		}
	}
	p.content = append(p.content, "f Q\n"...)
	return nil
}

// QRSVG draws content as a QR code in SVG, with its quiet zone, for a page
// (a UPI payment code): the same encoder and mask choice as the PDFs'.
func QRSVG(content, label string) (string, error) {
	m, err := qrModules(content)
	if err != nil {
		return "", err
	}
	n := len(m) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="200" height="200" role="img" aria-label="%s" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, html.EscapeString(label), n, n)
	for y, row := range m {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
