package building

import (
	"testing"

	"ksmart/appliance/domain"
)

func rules(t testing.TB) *Rules {
	t.Helper()
	r, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// house is a two-floor house of 180 m² on a 400 m² plot in a
// municipality that passes every rule.
func house() Plan {
	return Plan{LocalBodyKind: domain.KindMunicipality, Use: "a1_residential", PlotArea: 40000, FloorArea: 18000, Footprint: 9500,
		Floors: 2, Height: 700, RoadWidth: 500, Front: 400, Rear: 200, Left: 150, Right: 120}
}

func checkOf(t *testing.T, res Result, key string) Check {
	t.Helper()
	for _, c := range res.Checks {
		if c.Key == key {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", key, res.Checks)
	return Check{}
}

func TestPermitFee_SlabsAtTheirEdgesInEachKindOfLocalBody(t *testing.T) {
	r := rules(t)
	cases := []struct {
		kind string
		area Centi
		want domain.Paise
	}{
		{domain.KindGramaPanchayat, 8000, 0}, {domain.KindGramaPanchayat, 8100, domain.Rupees(81 * 25)},
		{domain.KindGramaPanchayat, 15000, domain.Rupees(150 * 25)}, {domain.KindGramaPanchayat, 15100, domain.Rupees(151 * 50)},
		{domain.KindGramaPanchayat, 30000, domain.Rupees(300 * 50)}, {domain.KindGramaPanchayat, 30100, domain.Rupees(301 * 100)},
		{domain.KindMunicipality, 8000, 0}, {domain.KindMunicipality, 8100, domain.Rupees(81 * 35)},
		{domain.KindMunicipality, 12000, domain.Rupees(4200)}, // the issue's example: 120 m² in a municipality
		{domain.KindMunicipality, 15000, domain.Rupees(150 * 35)}, {domain.KindMunicipality, 15100, domain.Rupees(151 * 60)},
		{domain.KindMunicipality, 30100, domain.Rupees(301 * 150)},
		{domain.KindCorporation, 8000, 0}, {domain.KindCorporation, 8100, domain.Rupees(81 * 40)},
		{domain.KindCorporation, 15000, domain.Rupees(150 * 40)}, {domain.KindCorporation, 15100, domain.Rupees(151 * 70)},
		{domain.KindCorporation, 30100, domain.Rupees(301 * 150)},
		{domain.KindMunicipality, 8050, 8050 * 35}, // 80.5 m² is past the exempt slab: paise exact
	}
	for _, c := range cases {
		if got := r.PermitFee(c.kind, "a1_residential", c.area); got != c.want {
			t.Errorf("%s, %s m²: fee %v, want %v", c.kind, c.area, got, c.want)
		}
	}
	if got := r.PermitFee(domain.KindMunicipality, "f_mercantile", 12000); got == 0 {
		t.Error("a shop pays no permit fee: the commercial table is not read")
	}
}

func TestScrutiny_AHouseThatKeepsTheRulesPassesEveryCheckAndIsLowRisk(t *testing.T) {
	res, err := rules(t).Scrutinise(house())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pass || !res.LowRisk || res.Rules != "KMBR" {
		t.Fatalf("pass %v low-risk %v rules %s: %+v %v", res.Pass, res.LowRisk, res.Rules, res.Checks, res.NotLowRisk)
	}
	if res.Fee != domain.Rupees(180*60) {
		t.Errorf("fee %v, want 180 m² at Rs 60", res.Fee)
	}
	for _, key := range []string{"coverage", "far", "front", "rear", "left", "right", "access", "height", "floors", "parking"} {
		c := checkOf(t, res, key)
		if c.Rule == "" || c.Title.En == "" || c.Title.Ml == "" || c.Required == "" || c.Provided == "" {
			t.Errorf("check %s is not fully stated: %+v", key, c)
		}
	}
}

func TestScrutiny_EachRuleAtItsEdge(t *testing.T) {
	r := rules(t)
	cases := []struct {
		name string
		edit func(p *Plan)
		key  string
		pass bool
	}{
		{"front yard at 3.00 m", func(p *Plan) { p.Front = 300 }, "front", true},
		{"front yard just under, 2.99 m", func(p *Plan) { p.Front = 299 }, "front", false},
		{"rear yard at 1.50 m", func(p *Plan) { p.Rear = 150 }, "rear", true},
		{"rear yard just under, 1.49 m", func(p *Plan) { p.Rear = 149 }, "rear", false},
		{"wider side at 1.20 m", func(p *Plan) { p.Left = 120 }, "left", true},
		{"wider side just under, 1.19 m", func(p *Plan) { p.Left, p.Right = 119, 100 }, "left", false},
		{"narrower side at 1.00 m", func(p *Plan) { p.Right = 100 }, "right", true},
		{"narrower side just under, 0.99 m", func(p *Plan) { p.Right = 99 }, "right", false},
		{"coverage at 65%", func(p *Plan) { p.Footprint, p.FloorArea = 26000, 26000; p.Floors = 1 }, "coverage", true},
		{"coverage just over, 65.0025%", func(p *Plan) { p.Footprint, p.FloorArea = 26001, 26001; p.Floors = 1 }, "coverage", false},
		{"FAR at 3.00", func(p *Plan) { p.PlotArea, p.Footprint, p.FloorArea, p.Floors, p.Height = 10000, 6000, 30000, 5, 1500 }, "far", true},
		{"FAR just over", func(p *Plan) { p.PlotArea, p.Footprint, p.FloorArea, p.Floors, p.Height = 10000, 6000, 30001, 5, 1500 }, "far", false},
		{"road at 1.20 m for a house of 300 m²", func(p *Plan) { p.RoadWidth, p.FloorArea, p.Footprint = 120, 30000, 15000 }, "access", true},
		{"road 1.19 m", func(p *Plan) { p.RoadWidth = 119 }, "access", false},
		{"road 1.20 m for 301 m² needs 3 m", func(p *Plan) { p.RoadWidth, p.FloorArea, p.Footprint = 120, 30100, 15050 }, "access", false},
		{"height at twice road and front", func(p *Plan) { p.RoadWidth, p.Front, p.Height = 300, 300, 1200 }, "height", true},
		{"height just over", func(p *Plan) { p.RoadWidth, p.Front, p.Height = 300, 300, 1201 }, "height", false},
		{"yards widen above 10 m: 3.50 m front at 13 m", func(p *Plan) { p.Height, p.Front, p.Rear, p.Left, p.Right = 1300, 350, 200, 170, 150 }, "front", true},
		{"yards widen above 10 m: 3.49 m front at 13 m", func(p *Plan) { p.Height, p.Front, p.Rear, p.Left, p.Right = 1300, 349, 200, 170, 150 }, "front", false},
		{"parking stated and enough", func(p *Plan) { n := 1; p.ParkingSpaces = &n }, "parking", true},
		{"parking stated and short", func(p *Plan) { n := 0; p.ParkingSpaces = &n }, "parking", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := house()
			c.edit(&p)
			res, err := r.Scrutinise(p)
			if err != nil {
				t.Fatal(err)
			}
			got := checkOf(t, res, c.key)
			if got.Pass != c.pass {
				t.Errorf("%s: pass %v, want %v (required %s, provided %s)", c.key, got.Pass, c.pass, got.Required, got.Provided)
			}
			if !c.pass && (res.Pass || res.LowRisk) {
				t.Errorf("the plan passes (%v) or is low-risk (%v) with a failing %s", res.Pass, res.LowRisk, c.key)
			}
		})
	}
}

func TestScrutiny_SmallPlotsHaveTheirOwnYardsAndThreeFloors(t *testing.T) {
	r := rules(t)
	p := Plan{LocalBodyKind: domain.KindGramaPanchayat, Use: "a1_residential", PlotArea: 12500, FloorArea: 15000, Footprint: 6000, Floors: 3,
		Height: 900, RoadWidth: 300, Front: 180, Rear: 100, Left: 90, Right: 60}
	res, err := r.Scrutinise(p)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pass || res.Rules != "KPBR" {
		t.Fatalf("a small plot at every small-plot limit: pass %v (%s) %+v", res.Pass, res.Rules, res.Failing())
	}
	checkOf(t, res, "small_plot")
	if res.LowRisk {
		t.Error("a panchayat's house was found low-risk: the same-day permit is for municipalities and corporations")
	}
	p.Right, p.Floors, p.FloorArea = 59, 4, 20000
	res, _ = r.Scrutinise(p)
	if checkOf(t, res, "right").Pass || checkOf(t, res, "floors").Pass {
		t.Errorf("0.59 m side and 4 floors on a small plot pass: %+v", res.Failing())
	}
	p = house()
	p.PlotArea = 12600
	res, _ = r.Scrutinise(p)
	for _, c := range res.Checks {
		if c.Key == "small_plot" {
			t.Error("a plot of 126 m² was taken as a small plot")
		}
	}
}

func TestScrutiny_TheIssuesExampleFailsWithReasons(t *testing.T) {
	// 900 m² on a 100 m² plot, 60 m high: what ksmart used to permit.
	p := Plan{LocalBodyKind: domain.KindMunicipality, Use: "a1_residential", PlotArea: 10000, FloorArea: 90000, Footprint: 10000, Floors: 9,
		Height: 6000, RoadWidth: 300, Front: 0, Rear: 0, Left: 0, Right: 0}
	res, err := rules(t).Scrutinise(p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Pass || res.LowRisk {
		t.Fatal("the 900 m² tower on 100 m² passes")
	}
	failing := map[string]bool{}
	for _, c := range res.Failing() {
		failing[c.Key] = true
	}
	for _, k := range []string{"coverage", "far", "front", "height", "floors"} {
		if !failing[k] {
			t.Errorf("%s does not fail: %+v", k, res.Failing())
		}
	}
	if l := res.FailingList(); l.En == "" || l.Ml == "" {
		t.Error("the failing checks are not listed in both languages")
	}
}

func TestScrutiny_FiguresNoBuildingHasAreRefusedFieldByField(t *testing.T) {
	r := rules(t)
	cases := []struct {
		name  string
		edit  func(p *Plan)
		field string
	}{
		{"negative plot", func(p *Plan) { p.PlotArea = -100 }, "plot_area_m2"},
		{"zero floor area", func(p *Plan) { p.FloorArea = 0 }, "floor_area_m2"},
		{"zero footprint", func(p *Plan) { p.Footprint = 0 }, "footprint_m2"},
		{"footprint larger than the plot", func(p *Plan) { p.Footprint, p.FloorArea, p.Floors = 40100, 40100, 1 }, "footprint_m2"},
		{"floors × footprint far below the floor area", func(p *Plan) { p.FloorArea = 30000 }, "floor_area_m2"},
		{"floor area below the footprint", func(p *Plan) { p.FloorArea = 5000 }, "floor_area_m2"},
		{"negative yard", func(p *Plan) { p.Rear = -10 }, "rear_m"},
		{"no floors", func(p *Plan) { p.Floors = 0 }, "floors"},
		{"unknown use", func(p *Plan) { p.Use = "casino" }, "use"},
		{"panchayat under KMBR", func(p *Plan) { p.Rules, p.LocalBodyKind = "KMBR", domain.KindGramaPanchayat }, "rules"},
		{"unknown rules", func(p *Plan) { p.Rules = "NBC" }, "rules"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := house()
			c.edit(&p)
			_, err := r.Scrutinise(p)
			de, ok := err.(*domain.Error)
			if !ok || de.Code != domain.EINVALID {
				t.Fatalf("not refused: %v", err)
			}
			msg, ok := de.Fields[c.field]
			if !ok || msg.En == "" || msg.Ml == "" {
				t.Errorf("field %s not named in both languages: %+v", c.field, de.Fields)
			}
		})
	}
}
