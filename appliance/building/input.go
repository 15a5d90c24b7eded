package building

import "encoding/json"

var jsonUnmarshal = json.Unmarshal

// PlanInput is a plan as POST /api/v1/building-permits/scrutiny takes it:
// lengths in metres and areas in m², as decimals. LocalBodyKind and Rules
// default to the appliance's own.
type PlanInput struct {
	Rules         string  `json:"rules"`
	LocalBodyKind string  `json:"local_body_kind"`
	Use           string  `json:"use"`
	PlotArea      float64 `json:"plot_area_m2"`
	FloorArea     float64 `json:"floor_area_m2"`
	Footprint     float64 `json:"footprint_m2"`
	Floors        int     `json:"floors"`
	Height        float64 `json:"height_m"`
	RoadWidth     float64 `json:"road_width_m"`
	Front         float64 `json:"front_m"`
	Rear          float64 `json:"rear_m"`
	Left          float64 `json:"left_m"`
	Right         float64 `json:"right_m"`
	ParkingSpaces *int    `json:"parking_spaces,omitempty"`
}

// Plan is the input as a plan, in hundredths.
func (in PlanInput) Plan() Plan {
	return Plan{Rules: in.Rules, LocalBodyKind: in.LocalBodyKind, Use: in.Use, PlotArea: centi(in.PlotArea), FloorArea: centi(in.FloorArea),
		Footprint: centi(in.Footprint), Floors: in.Floors, Height: centi(in.Height), RoadWidth: centi(in.RoadWidth),
		Front: centi(in.Front), Rear: centi(in.Rear), Left: centi(in.Left), Right: centi(in.Right), ParkingSpaces: in.ParkingSpaces}
}

// ScrutinyFor scrutinises a plan for this local body: the kind of local
// body and the rules default to its own.
func (m *Permits) ScrutinyFor(p Plan) (Result, error) {
	if p.LocalBodyKind == "" {
		p.LocalBodyKind = m.LocalBody.Kind
	}
	return m.Rules.Scrutinise(p)
}
