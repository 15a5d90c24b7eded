package building_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"ksmart/appliance/building"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
)

func read(t *testing.T, data []byte) (building.Drawing, error) {
	t.Helper()
	return building.ReadDXF(bytes.NewReader(data))
}

func TestDXF_AHousesPlanGivesItsAreasYardsAndRoad(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(d *synth.Drawing)
	}{
		{"lightweight polylines in metres", func(*synth.Drawing) {}},
		{"R12 polylines", func(d *synth.Drawing) { d.OldPolylines = true }},
		{"millimetres", func(d *synth.Drawing) { d.Units = 4 }},
		{"the plot drawn clockwise", func(d *synth.Drawing) {
			p := d.Plot
			d.Plot = [][2]float64{p[3], p[2], p[1], p[0]}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := synth.HouseDrawing()
			c.edit(&d)
			got, err := read(t, d.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			want := building.Drawing{PlotArea: 37500, Footprint: 9000, FloorArea: 18000, Floors: 2, RoadWidth: 600, Front: 400, Rear: 1200, Left: 150, Right: 350}
			if got.PlotArea != want.PlotArea || got.Footprint != want.Footprint || got.FloorArea != want.FloorArea || got.Floors != want.Floors ||
				got.RoadWidth != want.RoadWidth || got.Front != want.Front || got.Rear != want.Rear || got.Left != want.Left || got.Right != want.Right {
				t.Errorf("read %+v\nwant %+v", got, want)
			}
			if len(got.Unread) != 0 {
				t.Errorf("a complete drawing has unread parts: %v", got.Unread)
			}
			if len(got.Edges) != 4 {
				t.Errorf("edges %+v", got.Edges)
			}
		})
	}
}

func TestDXF_ThePlanItGivesIsScrutinised(t *testing.T) {
	d, err := read(t, synth.HouseDrawing().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := building.DefaultRules()
	p := building.PlanInput{LocalBodyKind: domain.KindMunicipality, Use: "a1_residential", Height: 7}.Plan()
	d.Apply(&p)
	res, err := r.Scrutinise(p)
	if err != nil || !res.Pass || !res.LowRisk || res.Fee != domain.Rupees(180*60) {
		t.Fatalf("the drawn house: pass %v low-risk %v fee %v: %v %+v", res.Pass, res.LowRisk, res.Fee, err, res.Failing())
	}
}

func TestDXF_WhatCannotBeReadIsSaid(t *testing.T) {
	d := synth.HouseDrawing()
	d.Floors = nil
	d.Road = d.Road[:1]
	d.Extra = "  0\nSPLINE\n  8\nFLOOR-1\n 10\n1\n 20\n1\n"
	got, err := read(t, d.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, u := range got.Unread {
		if u.Ml == "" {
			t.Errorf("%q has no Malayalam", u.En)
		}
		text += u.En + "\n"
	}
	for _, want := range []string{"FLOOR-0", "ROAD", "SPLINE"} {
		if !strings.Contains(text, want) {
			t.Errorf("unread does not mention %s:\n%s", want, text)
		}
	}
	if got.PlotArea != 37500 {
		t.Errorf("the plot was still readable: %v", got.PlotArea)
	}
}

type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestDXF_BadDrawingsAreRefusedNamingTheLayerOrFile(t *testing.T) {
	noPlot := synth.HouseDrawing()
	noPlot.Plot = nil
	openPlot := synth.HouseDrawing()
	openPlot.Extra = ""
	for _, c := range []struct {
		name string
		r    io.Reader
		want string
	}{
		{"a PDF", strings.NewReader("%PDF-1.7\n1 0 obj\n"), "not a DXF"},
		{"an empty file", strings.NewReader(""), "not a DXF"},
		{"binary DXF", strings.NewReader("AutoCAD Binary DXF\r\n\x1a\x00"), "binary"},
		{"no plot boundary", bytes.NewReader(noPlot.Bytes()), "PLOT"},
		{"a 200 MB drawing", io.LimitReader(&endless{}, 200<<20), "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := building.ReadDXF(c.r)
			de, ok := err.(*domain.Error)
			if !ok || de.Code != domain.EINVALID {
				t.Fatalf("not refused: %v", err)
			}
			msg := de.Fields["plan_dxf"]
			if !strings.Contains(msg.En, c.want) || msg.Ml == "" {
				t.Errorf("message %+v does not say %q in both languages", msg, c.want)
			}
		})
	}
	// The 200 MB drawing is refused after reading a little past the
	// limit, not all of it.
	e := &endless{}
	building.ReadDXF(io.LimitReader(e, 200<<20))
	if e.n > building.MaxDXFBytes+1<<20 {
		t.Errorf("read %d bytes of a 200 MB drawing", e.n)
	}
}
