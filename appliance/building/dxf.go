package building

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"ksmart/appliance/domain"
)

// The layers a plan's DXF drawing is read from, as agreed with licensees
// (case does not matter):
//
//	PLOT      the plot's boundary: one closed polyline
//	FLOOR-0   the building's footprint on the ground floor: closed polylines
//	FLOOR-1…  each upper floor's outline, one layer a floor
//	ROAD      the access road's two edges: lines or polylines
//
// Everything else in the drawing is left alone. Only ASCII DXF is read
// (every AutoCAD, LibreCAD and QCAD "Save as DXF" writes it); no library
// for it is served to this project, so only the entities these layers
// need are parsed: LWPOLYLINE, POLYLINE with its VERTEXes, and LINE.
const (
	LayerPlot      = "PLOT"
	LayerFloorBase = "FLOOR-"
	LayerRoad      = "ROAD"
)

// MaxDXFBytes is the largest drawing read: a house's plan is well under
// a megabyte; a larger file is refused before it is read through.
const MaxDXFBytes = 10 << 20

// Drawing is what a DXF plan gave: the figures it could measure, and in
// words what it could not read.
type Drawing struct {
	PlotArea  Centi `json:"plot_area_m2"`
	Footprint Centi `json:"footprint_m2"`
	FloorArea Centi `json:"floor_area_m2"`
	Floors    int   `json:"floors"`
	// RoadWidth is 0 when the ROAD layer was not read.
	RoadWidth Centi `json:"road_width_m"`
	// Front, Rear, Left and Right are the shortest distances from the
	// building to the plot's edges on each side, the front being the
	// edges facing the road (or the plot's first edge when there is no
	// road layer).
	Front Centi `json:"front_m"`
	Rear  Centi `json:"rear_m"`
	Left  Centi `json:"left_m"`
	Right Centi `json:"right_m"`
	// Edges are the distance from the building to every plot edge, in
	// the order the boundary is drawn.
	Edges []EdgeDistance `json:"edges"`
	// Unread says, in both languages, what of the drawing could not be
	// read; the figures it would have given must be typed.
	Unread []domain.Text `json:"unread,omitempty"`
	// Units is how the drawing's units were read ("m", "mm", …).
	Units string `json:"units"`
}

// EdgeDistance is one plot edge, the side it is on, and how far the
// building is from it.
type EdgeDistance struct {
	Side     string `json:"side"` // front, rear, left or right
	Length   Centi  `json:"length_m"`
	Distance Centi  `json:"distance_m"`
}

// Apply puts the drawing's figures into a plan, keeping what it could
// not measure (the height, the use) as typed.
func (d Drawing) Apply(p *Plan) {
	p.PlotArea = d.PlotArea
	if d.Floors > 0 {
		p.Footprint, p.FloorArea, p.Floors = d.Footprint, d.FloorArea, d.Floors
		p.Front, p.Rear, p.Left, p.Right = d.Front, d.Rear, d.Left, d.Right
	}
	if d.RoadWidth > 0 {
		p.RoadWidth = d.RoadWidth
	}
}

type point struct{ x, y float64 }

type shape struct {
	layer  string
	pts    []point
	closed bool
	kind   string
}

func dxfErr(en, ml string) error {
	return domain.FieldErrors{"plan_dxf": domain.T(en, ml)}.Err()
}

// ReadDXF reads a plan's drawing. A file that is not an ASCII DXF, one
// over MaxDXFBytes, or one with no closed plot boundary on layer PLOT is
// refused (EINVALID, field plan_dxf, in both languages); anything else it
// could not read is listed in Drawing.Unread.
func ReadDXF(r io.Reader) (Drawing, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDXFBytes+1))
	if err != nil {
		return Drawing{}, err
	}
	if len(data) > MaxDXFBytes {
		return Drawing{}, dxfErr(fmt.Sprintf("The drawing is larger than %d MB; a house's plan is far smaller. Purge unused blocks and layers, or send only the site plan.", MaxDXFBytes>>20),
			fmt.Sprintf("ഡ്രോയിംഗ് %d MB-യിൽ കൂടുതലാണ്. ഉപയോഗിക്കാത്ത ബ്ലോക്കുകളും ലെയറുകളും നീക്കി വീണ്ടും അയയ്ക്കുക.", MaxDXFBytes>>20))
	}
	return parseDXF(data)
}

func notDXF() error {
	return dxfErr("This is not a DXF drawing. Save the plan as DXF (ASCII) from your drawing program and upload that file.",
		"ഇതൊരു DXF ഡ്രോയിംഗ് അല്ല. ഡ്രോയിംഗ് പ്രോഗ്രാമിൽ നിന്ന് പ്ലാൻ DXF (ASCII) ആയി സേവ് ചെയ്ത് അപ്‌ലോഡ് ചെയ്യുക.")
}

func parseDXF(data []byte) (Drawing, error) {
	if bytes.HasPrefix(data, []byte("AutoCAD Binary DXF")) {
		return Drawing{}, dxfErr("This is a binary DXF; save the plan as ASCII DXF and upload that.", "ഇത് ബൈനറി DXF ആണ്; ASCII DXF ആയി സേവ് ചെയ്ത് അപ്‌ലോഡ് ചെയ്യുക.")
	}
	type pair struct {
		code  int
		value string
	}
	var pairs []pair
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		codeLine := strings.TrimSpace(sc.Text())
		if !sc.Scan() {
			return Drawing{}, notDXF()
		}
		code, err := strconv.Atoi(codeLine)
		if err != nil {
			return Drawing{}, notDXF()
		}
		pairs = append(pairs, pair{code, strings.TrimSpace(sc.Text())})
	}
	if sc.Err() != nil || len(pairs) < 2 || pairs[0].code != 0 || pairs[0].value != "SECTION" {
		return Drawing{}, notDXF()
	}

	d := Drawing{Units: "m"}
	scale := 1.0
	unread := map[string]bool{}
	note := func(en, ml string) {
		if !unread[en] {
			unread[en] = true
			d.Unread = append(d.Unread, domain.T(en, ml))
		}
	}
	var shapes []shape
	section := ""
	var cur *shape
	var pending point
	havePending := false
	entity := ""
	inPolyline := false
	flush := func() {
		if cur != nil && len(cur.pts) > 0 {
			shapes = append(shapes, *cur)
		}
		cur = nil
	}
	for i := 0; i < len(pairs); i++ {
		p := pairs[i]
		if p.code == 0 {
			if havePending && cur != nil {
				cur.pts = append(cur.pts, pending)
			}
			havePending = false
			switch {
			case p.value == "SECTION":
				if i+1 < len(pairs) && pairs[i+1].code == 2 {
					section = pairs[i+1].value
				}
			case p.value == "ENDSEC":
				flush()
				section = ""
			case section != "ENTITIES":
			case p.value == "VERTEX" && inPolyline:
				entity = "VERTEX"
				continue
			case p.value == "SEQEND":
				inPolyline = false
				flush()
			default:
				if !inPolyline {
					flush()
				}
				entity = p.value
				switch entity {
				case "LWPOLYLINE", "LINE":
					cur = &shape{kind: entity}
				case "POLYLINE":
					cur, inPolyline = &shape{kind: entity}, true
				default:
					cur = &shape{kind: entity}
				}
			}
			continue
		}
		if section == "HEADER" && p.code == 9 && p.value == "$INSUNITS" && i+1 < len(pairs) {
			switch pairs[i+1].value {
			case "0", "6":
			case "4":
				scale, d.Units = 0.001, "mm"
			case "5":
				scale, d.Units = 0.01, "cm"
			case "1":
				scale, d.Units = 0.0254, "in"
			case "2":
				scale, d.Units = 0.3048, "ft"
			default:
				note("The drawing's units ($INSUNITS "+pairs[i+1].value+") are not metres, centimetres, millimetres, inches or feet; it was read as metres.",
					"ഡ്രോയിംഗിന്റെ അളവ് യൂണിറ്റ് തിരിച്ചറിഞ്ഞില്ല; മീറ്ററായി വായിച്ചു.")
			}
			continue
		}
		if section != "ENTITIES" || cur == nil {
			continue
		}
		switch p.code {
		case 8:
			if entity != "VERTEX" {
				cur.layer = strings.ToUpper(p.value)
			}
		case 70:
			if entity != "VERTEX" {
				flags, _ := strconv.Atoi(p.value)
				cur.closed = flags&1 == 1
			}
		case 10:
			if havePending {
				cur.pts = append(cur.pts, pending)
			}
			x, err := strconv.ParseFloat(p.value, 64)
			if err != nil {
				return Drawing{}, notDXF()
			}
			pending, havePending = point{x: x}, true
		case 20:
			y, err := strconv.ParseFloat(p.value, 64)
			if err != nil {
				return Drawing{}, notDXF()
			}
			pending.y = y
		case 11:
			if cur.kind == "LINE" {
				if havePending {
					cur.pts = append(cur.pts, pending)
				}
				x, _ := strconv.ParseFloat(p.value, 64)
				pending, havePending = point{x: x}, true
			}
		case 21:
			if cur.kind == "LINE" {
				pending.y, _ = strconv.ParseFloat(p.value, 64)
			}
		case 42:
			if b, _ := strconv.ParseFloat(p.value, 64); b != 0 && relevant(cur.layer) {
				note("Curved segments (arcs in polylines) on layer "+cur.layer+" were read as straight lines; the areas are approximate.",
					cur.layer+" ലെയറിലെ വളഞ്ഞ ഭാഗങ്ങൾ നേർരേഖകളായി വായിച്ചു; വിസ്തീർണ്ണം ഏകദേശമാണ്.")
			}
		}
	}
	if havePending && cur != nil {
		cur.pts = append(cur.pts, pending)
	}
	flush()

	for i := range shapes {
		for j := range shapes[i].pts {
			shapes[i].pts[j].x *= scale
			shapes[i].pts[j].y *= scale
		}
	}
	var plot *shape
	floors := map[int][]shape{}
	var road []shape
	for i := range shapes {
		s := shapes[i]
		switch {
		case !relevant(s.layer):
		case s.kind != "LWPOLYLINE" && s.kind != "POLYLINE" && s.kind != "LINE":
			note(fmt.Sprintf("A %s on layer %s was not read: draw outlines as polylines.", s.kind, s.layer),
				fmt.Sprintf("%s ലെയറിലെ %s വായിച്ചില്ല: രൂപരേഖകൾ പോളിലൈനായി വരയ്ക്കുക.", s.layer, s.kind))
		case s.layer == LayerRoad:
			road = append(road, s)
		case s.kind == "LINE" || !s.closed || len(s.pts) < 3:
			note("An open line on layer "+s.layer+" was not read: outlines must be closed polylines.",
				s.layer+" ലെയറിലെ തുറന്ന രേഖ വായിച്ചില്ല: രൂപരേഖകൾ അടഞ്ഞ പോളിലൈനുകളായിരിക്കണം.")
		case s.layer == LayerPlot:
			if plot != nil {
				note("Layer PLOT has more than one closed polyline; the largest was taken as the plot.", "PLOT ലെയറിൽ ഒന്നിലധികം അതിരുകൾ; ഏറ്റവും വലുത് പ്ലോട്ടായി എടുത്തു.")
				if math.Abs(area(s.pts)) <= math.Abs(area(plot.pts)) {
					continue
				}
			}
			plot = &shapes[i]
		default:
			n, _ := strconv.Atoi(strings.TrimPrefix(s.layer, LayerFloorBase))
			floors[n] = append(floors[n], s)
		}
	}
	if plot == nil {
		return Drawing{}, dxfErr("The drawing has no plot boundary: draw it as one closed polyline on layer PLOT.",
			"ഡ്രോയിംഗിൽ പ്ലോട്ടിന്റെ അതിർത്തി ഇല്ല: PLOT എന്ന ലെയറിൽ ഒരു അടഞ്ഞ പോളിലൈനായി വരയ്ക്കുക.")
	}
	d.PlotArea = centi(math.Abs(area(plot.pts)))
	var buildingShapes []shape
	levels := make([]int, 0, len(floors))
	for n := range floors {
		levels = append(levels, n)
	}
	sort.Ints(levels)
	for _, n := range levels {
		var a float64
		for _, s := range floors[n] {
			a += math.Abs(area(s.pts))
			buildingShapes = append(buildingShapes, s)
		}
		if n == 0 {
			d.Footprint = centi(a)
		}
		d.FloorArea += centi(a)
		d.Floors++
	}
	// The road: its width is the distance between its two edges; the
	// plot's front is the edge nearest it.
	if len(road) >= 2 {
		d.RoadWidth = centi(shapeDistance(road[0].pts, road[1].pts, false, false))
	} else {
		note("Layer ROAD does not have the road's two edges: the road's width was not measured and the front was taken as the plot's first edge.",
			"ROAD ലെയറിൽ റോഡിന്റെ രണ്ട് അരികുകളില്ല: റോഡിന്റെ വീതി അളന്നില്ല; പ്ലോട്ടിന്റെ ആദ്യ അതിർ മുൻവശമായി എടുത്തു.")
	}
	if len(floors[0]) == 0 {
		note("The drawing has no ground floor on layer FLOOR-0: the footprint, floor area and yards could not be measured; type them.",
			"FLOOR-0 ലെയറിൽ താഴത്തെ നില ഇല്ല: അടിസ്ഥാന വിസ്തീർണ്ണം, തറ വിസ്തീർണ്ണം, അകലങ്ങൾ എന്നിവ ടൈപ്പ് ചെയ്യുക.")
		d.Floors, d.FloorArea = 0, 0
		return d, nil
	}
	for _, s := range buildingShapes {
		for _, q := range s.pts {
			if !inside(q, plot.pts) {
				note("Part of the building on layer "+s.layer+" lies outside the plot boundary.", s.layer+" ലെയറിലെ കെട്ടിടത്തിന്റെ ഭാഗം പ്ലോട്ടിന് പുറത്താണ്.")
				break
			}
		}
	}

	sides(&d, plot.pts, buildingShapes, road)
	return d, nil
}

func relevant(layer string) bool {
	return layer == LayerPlot || layer == LayerRoad || strings.HasPrefix(layer, LayerFloorBase) && isDigits(strings.TrimPrefix(layer, LayerFloorBase))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// area is a polygon's signed area (shoelace).
func area(pts []point) float64 {
	var a float64
	for i := range pts {
		j := (i + 1) % len(pts)
		a += pts[i].x*pts[j].y - pts[j].x*pts[i].y
	}
	return a / 2
}

// inside reports whether q is inside or on the polygon.
func inside(q point, poly []point) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if segDist(q, a, b) < 1e-6 {
			return true
		}
		if (a.y > q.y) != (b.y > q.y) && q.x < (b.x-a.x)*(q.y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}

// segDist is the distance from q to the segment ab.
func segDist(q, a, b point) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((q.x-a.x)*dx+(q.y-a.y)*dy)/l2))
	}
	return math.Hypot(q.x-(a.x+t*dx), q.y-(a.y+t*dy))
}

// segSegDist is the shortest distance between segments ab and cd, which
// do not cross (a building inside its plot).
func segSegDist(a, b, c, d point) float64 {
	return math.Min(math.Min(segDist(a, c, d), segDist(b, c, d)), math.Min(segDist(c, a, b), segDist(d, a, b)))
}

// shapeDistance is the shortest distance between two outlines' edges.
func shapeDistance(p, q []point, pClosed, qClosed bool) float64 {
	best := math.Inf(1)
	for i := range segments(p, pClosed) {
		a, b := p[i], p[(i+1)%len(p)]
		for j := range segments(q, qClosed) {
			best = math.Min(best, segSegDist(a, b, q[j], q[(j+1)%len(q)]))
		}
	}
	return best
}

func segments(pts []point, closed bool) int {
	if closed {
		return len(pts)
	}
	return max(len(pts)-1, 0)
}

// sides measures the building's distance to each plot edge and sorts the
// edges into front (facing the road), rear (facing away) and the two
// sides, by the direction each edge faces relative to the front.
func sides(d *Drawing, plot []point, building []shape, road []shape) {
	n := len(plot)
	ccw := area(plot) > 0
	// The front edge: the one whose middle is nearest the road.
	front := 0
	if len(road) > 0 {
		best := math.Inf(1)
		for i := range n {
			a, b := plot[i], plot[(i+1)%n]
			mid := point{(a.x + b.x) / 2, (a.y + b.y) / 2}
			for _, r := range road {
				for j := range segments(r.pts, false) {
					if dist := segDist(mid, r.pts[j], r.pts[j+1]); dist < best {
						best, front = dist, i
					}
				}
			}
		}
	}
	normal := func(i int) point {
		a, b := plot[i], plot[(i+1)%n]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			return point{}
		}
		if ccw {
			return point{dy / l, -dx / l}
		}
		return point{-dy / l, dx / l}
	}
	fn := normal(front)
	best := map[string]Centi{}
	for i := range n {
		a, b := plot[i], plot[(i+1)%n]
		dist := math.Inf(1)
		for _, s := range building {
			for j := range s.pts {
				dist = math.Min(dist, segSegDist(a, b, s.pts[j], s.pts[(j+1)%len(s.pts)]))
			}
		}
		nm := normal(i)
		dot := nm.x*fn.x + nm.y*fn.y
		cross := fn.x*nm.y - fn.y*nm.x
		side := "front"
		switch {
		case i == front || dot > math.Cos(math.Pi/4):
		case dot < -math.Cos(math.Pi/4):
			side = "rear"
		case cross > 0:
			// Seen from the road, facing the building: the edge whose
			// outward normal turns anticlockwise from the front's is on
			// the right, whichever way the boundary was drawn.
			side = "right"
		default:
			side = "left"
		}
		c := centi(dist)
		d.Edges = append(d.Edges, EdgeDistance{Side: side, Length: centi(math.Hypot(b.x-a.x, b.y-a.y)), Distance: c})
		if v, ok := best[side]; !ok || c < v {
			best[side] = c
		}
	}
	d.Front, d.Rear, d.Left, d.Right = best["front"], best["rear"], best["left"], best["right"]
	for _, side := range []string{"rear", "left", "right"} {
		if _, ok := best[side]; !ok {
			d.Unread = append(d.Unread, domain.T("The plot has no edge on the "+side+" side that could be told apart; type that yard.",
				"പ്ലോട്ടിന്റെ ഒരു വശം തിരിച്ചറിയാനായില്ല; ആ അകലം ടൈപ്പ് ചെയ്യുക."))
		}
	}
}
