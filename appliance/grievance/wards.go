package grievance

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"

	"ksmart/appliance/domain"
)

// Point is a place as latitude and longitude (WGS 84, degrees).
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"long"`
}

// Valid reports whether p is a place on Earth.
func (p Point) Valid() bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon) && p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180 && (p.Lat != 0 || p.Lon != 0)
}

// Metres is the distance between two points along the Earth's surface.
func (p Point) Metres(q Point) float64 {
	return geo.Distance(orb.Point{p.Lon, p.Lat}, orb.Point{q.Lon, q.Lat})
}

// Wards places points in the local body's wards by their boundaries.
type Wards struct {
	wards []wardShape
}

type wardShape struct {
	number int
	shape  orb.Geometry // orb.Polygon or orb.MultiPolygon
	bound  orb.Bound
}

// ParseWards reads every ward's boundary from the local body's identity.
// A ward without one is left out (points are then placed by ward choice
// only); a boundary that is not a GeoJSON Polygon or MultiPolygon is an
// error naming the ward.
func ParseWards(lb domain.LocalBody) (*Wards, error) {
	w := &Wards{}
	var problems []string
	for _, ward := range lb.Wards {
		if len(ward.Boundary) == 0 {
			continue
		}
		shape, err := parseGeometry(ward.Boundary)
		if err != nil {
			problems = append(problems, fmt.Sprintf("ward %d: its boundary %v", ward.Number, err))
			continue
		}
		w.wards = append(w.wards, wardShape{number: ward.Number, shape: shape, bound: shape.Bound()})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the local body's ward boundaries: %s", strings.Join(problems, "; "))
	}
	return w, nil
}

// CheckWardBoundaries reports whether a local body's ward boundaries can
// be read, before its identity is recorded.
func CheckWardBoundaries(lb domain.LocalBody) error {
	_, err := ParseWards(lb)
	return err
}

// Drawn reports whether any ward has a boundary.
func (w *Wards) Drawn() bool { return w != nil && len(w.wards) > 0 }

// Ward returns the ward p lies in, or 0 when it lies in none (outside the
// local body, or in a ward not drawn).
func (w *Wards) Ward(p Point) int {
	if w == nil {
		return 0
	}
	pt := orb.Point{p.Lon, p.Lat}
	for _, ws := range w.wards {
		if !ws.bound.Contains(pt) {
			continue
		}
		switch s := ws.shape.(type) {
		case orb.Polygon:
			if planar.PolygonContains(s, pt) {
				return ws.number
			}
		case orb.MultiPolygon:
			if planar.MultiPolygonContains(s, pt) {
				return ws.number
			}
		}
	}
	return 0
}

// Centre returns a point inside ward n's boundary's bounding box centre,
// for the demo and for tests; ok is false when the ward is not drawn.
func (w *Wards) Centre(n int) (Point, bool) {
	if w == nil {
		return Point{}, false
	}
	for _, ws := range w.wards {
		if ws.number == n {
			c := ws.bound.Center()
			return Point{Lat: c.Lat(), Lon: c.Lon()}, true
		}
	}
	return Point{}, false
}

// parseGeometry reads a GeoJSON Polygon or MultiPolygon (a bare geometry,
// or a Feature holding one). It is read here rather than with orb's
// geojson package, which would bring a BSON library into the binary for
// nothing.
func parseGeometry(raw json.RawMessage) (orb.Geometry, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
		Geometry    json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("is not GeoJSON: %v", err)
	}
	ring := func(pts [][]float64) (orb.Ring, error) {
		if len(pts) < 4 {
			return nil, fmt.Errorf("has a ring of %d points; a closed ring needs at least 4", len(pts))
		}
		r := make(orb.Ring, len(pts))
		for i, p := range pts {
			if len(p) < 2 || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
				return nil, fmt.Errorf("has a point that is not [longitude, latitude]")
			}
			r[i] = orb.Point{p[0], p[1]}
		}
		return r, nil
	}
	polygon := func(rings [][][]float64) (orb.Polygon, error) {
		if len(rings) == 0 {
			return nil, fmt.Errorf("has a polygon without rings")
		}
		var p orb.Polygon
		for _, pts := range rings {
			r, err := ring(pts)
			if err != nil {
				return nil, err
			}
			p = append(p, r)
		}
		return p, nil
	}
	switch g.Type {
	case "Feature":
		return parseGeometry(g.Geometry)
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil {
			return nil, fmt.Errorf("has coordinates that are not a Polygon's: %v", err)
		}
		return polygon(rings)
	case "MultiPolygon":
		var polys [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, fmt.Errorf("has coordinates that are not a MultiPolygon's: %v", err)
		}
		var mp orb.MultiPolygon
		for _, rings := range polys {
			p, err := polygon(rings)
			if err != nil {
				return nil, err
			}
			mp = append(mp, p)
		}
		return mp, nil
	}
	return nil, fmt.Errorf("is a %q; give a GeoJSON Polygon or MultiPolygon", g.Type)
}
