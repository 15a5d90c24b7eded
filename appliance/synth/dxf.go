package synth

import (
	"fmt"
	"strings"
)

// Drawing is a plan to be written as an ASCII DXF file, with the layers
// building permission reads (PLOT, FLOOR-n, ROAD) and whatever else a
// licensee's drawing carries (walls, text), in metres unless Units says
// otherwise ($INSUNITS: 4 mm, 5 cm, 6 m).
type Drawing struct {
	Units  int
	Plot   [][2]float64
	Floors [][][2]float64 // each floor's outline, ground floor first
	Road   [][][2]float64 // the road's edges
	// OldPolylines writes outlines as POLYLINE/VERTEX/SEQEND (R12)
	// instead of LWPOLYLINE.
	OldPolylines bool
	// Clutter is how many wall lines and labels to add on other layers,
	// as a real drawing has.
	Clutter int
	// Extra is raw DXF entities added as they are (arcs, splines).
	Extra string
}

// Bytes writes the drawing.
func (d Drawing) Bytes() []byte {
	var b strings.Builder
	pair := func(code int, v any) { fmt.Fprintf(&b, "%3d\n%v\n", code, v) }
	pair(0, "SECTION")
	pair(2, "HEADER")
	pair(9, "$ACADVER")
	pair(1, "AC1015")
	if d.Units != 0 {
		pair(9, "$INSUNITS")
		pair(70, d.Units)
	}
	pair(0, "ENDSEC")
	pair(0, "SECTION")
	pair(2, "ENTITIES")
	scale := 1.0
	switch d.Units {
	case 4:
		scale = 1000
	case 5:
		scale = 100
	}
	poly := func(layer string, pts [][2]float64, closed bool) {
		flags := 0
		if closed {
			flags = 1
		}
		if d.OldPolylines {
			pair(0, "POLYLINE")
			pair(8, layer)
			pair(66, 1)
			pair(70, flags)
			for _, p := range pts {
				pair(0, "VERTEX")
				pair(8, layer)
				pair(10, p[0]*scale)
				pair(20, p[1]*scale)
			}
			pair(0, "SEQEND")
			return
		}
		pair(0, "LWPOLYLINE")
		pair(8, layer)
		pair(90, len(pts))
		pair(70, flags)
		for _, p := range pts {
			pair(10, p[0]*scale)
			pair(20, p[1]*scale)
		}
	}
	if d.Plot != nil {
		poly("PLOT", d.Plot, true)
	}
	for i, f := range d.Floors {
		poly(fmt.Sprintf("FLOOR-%d", i), f, true)
	}
	for _, r := range d.Road {
		poly("ROAD", r, false)
	}
	for i := range d.Clutter {
		x, y := float64(i%40)*0.25, float64(i/40)*0.25
		pair(0, "LINE")
		pair(8, "WALLS")
		pair(10, x*scale)
		pair(20, y*scale)
		pair(11, (x+0.2)*scale)
		pair(21, y*scale)
		if i%10 == 0 {
			pair(0, "TEXT")
			pair(8, "LABELS")
			pair(10, x*scale)
			pair(20, y*scale)
			pair(40, 0.2*scale)
			pair(1, "BEDROOM")
		}
	}
	b.WriteString(d.Extra)
	pair(0, "ENDSEC")
	pair(0, "EOF")
	return []byte(b.String())
}

// HouseDrawing is a typical two-floor house's plan: a plot of 15 × 25 m
// on a 6 m road along its south edge, a ground floor and a first floor of
// 10 × 9 m set 4 m from the road, 1.5 m from the west edge and 3.5 m
// from the east one, with 800 wall lines and labels around them.
func HouseDrawing() Drawing {
	rect := func(x0, y0, x1, y1 float64) [][2]float64 {
		return [][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}
	}
	return Drawing{Units: 6, Plot: rect(0, 0, 15, 25), Floors: [][][2]float64{rect(1.5, 4, 11.5, 13), rect(1.5, 4, 11.5, 13)},
		Road: [][][2]float64{{{-5, -1}, {20, -1}}, {{-5, -7}, {20, -7}}}, Clutter: 800}
}
