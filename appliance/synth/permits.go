package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/building"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/workflow"
)

// housePlan fills a building permit's form with a house that keeps the
// rules: one or two floors on a plot of 200 to 600 m², its yards and road
// wide enough; at most 300 m² for a low-risk permit, which a grama
// panchayat does not give.
func housePlan(rng *rand.Rand, svc catalogue.Service, v map[string]string, kind string) bool {
	switch svc.Code {
	case building.SvcLowRisk:
		if kind == domain.KindGramaPanchayat {
			return false
		}
	case building.SvcPermit:
	case building.SvcOccupancy, building.SvcRenewal:
		return false // they need an issued permit: SeedPermits makes those
	default:
		return svc.Module != catalogue.ModuleBuildingPermission
	}
	plot := 200 + rng.IntN(400)
	floors := 1 + rng.IntN(2)
	footprint := plot * (25 + rng.IntN(20)) / 100
	if svc.Code == building.SvcLowRisk {
		footprint = min(footprint, 150)
	}
	v["plot_area_sqm"], v["footprint_sqm"], v["floors"] = strconv.Itoa(plot), strconv.Itoa(footprint), strconv.Itoa(floors)
	v["built_up_area_sqm"] = strconv.Itoa(footprint * floors)
	v["height_m"] = strconv.FormatFloat(3.5*float64(floors), 'f', 1, 64)
	v["occupancy"] = "a1_residential"
	v["road_width_m"] = strconv.Itoa(3 + rng.IntN(6))
	v["front_m"], v["rear_m"] = strconv.Itoa(3+rng.IntN(3)), strconv.Itoa(2+rng.IntN(3))
	v["left_m"], v["right_m"] = "1.5", "1.2"
	v["parking_spaces"] = "6"
	delete(v, "relaxation")
	delete(v, "relaxation_reason")
	for _, d := range building.Declarations {
		v[d.Field] = "yes"
	}
	return true
}

// sitePhoto is a small PNG standing in for an overseer's photo.
func sitePhoto(shade uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := range 32 {
		for y := range 24 {
			img.Set(x, y, color.RGBA{shade, 160, 90, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// buildingSteps records, as a file of building permission reaches them,
// what its desks record before passing it on: the overseer's site
// inspection and the engineer's scrutiny report on the figures as applied.
func buildingSteps(app *appliance.Appliance, byRole map[domain.Role]domain.Actor) func(f workflow.File) error {
	return func(f workflow.File) error {
		if app.Building == nil || f.Module != catalogue.ModuleBuildingPermission || f.Status != workflow.StatusInProgress {
			return nil
		}
		switch f.Role {
		case domain.RoleOverseer:
			_, err := app.Building.Inspect(byRole[domain.RoleOverseer], f.ID, building.InspectionInput{Latitude: 9.9658, Longitude: 76.2421,
				Findings: "Site seen; boundaries, road and yards as on the plan.", Photos: [][]byte{sitePhoto(120)}})
			return err
		case domain.RoleAssistantEngineer:
			if f.Service != building.SvcPermit {
				return nil
			}
			plan := building.PlanFromForm(app.LocalBody.Kind, f.Values)
			_, err := app.Building.ReportScrutiny(byRole[domain.RoleAssistantEngineer], f.ID, plan, "Figures verified against the drawings and the site.")
			return err
		}
		return nil
	}
}

// PermitsSeeded says what SeedPermits made, for the demo's banner.
type PermitsSeeded struct {
	LowRisk, Approved, Refused, Occupied string // application numbers
	BuildingNumber                       string // the occupied building's number in the tax register
}

// SeedPermits gives the demo citizen building permits in every state: a
// low-risk house permitted the same day on self-certification; a house
// approved after the overseer's inspection and the engineer's report; a
// plan refused with the rules it fails as reasons; and a house permitted
// a year and a half ago, completed, certified for occupancy and handed to
// the property tax register, whose first half-year's tax is paid.
func SeedPermits(app *appliance.Appliance, seed uint64) (PermitsSeeded, error) {
	var out PermitsSeeded
	if app.Building == nil {
		return out, nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0xb1d9))
	byRole := map[domain.Role]domain.Actor{}
	users, err := app.Identity.List("")
	if err != nil {
		return out, err
	}
	var owner domain.Actor
	for _, u := range users {
		a := u.Actor()
		for _, r := range u.Roles {
			if _, ok := byRole[r]; !ok {
				byRole[r] = a
			}
		}
		if strings.HasSuffix(u.Login, DemoCitizenPhone) || strings.HasSuffix(u.Phone, DemoCitizenPhone) {
			owner = a
		}
	}
	if owner.ID == "" || byRole[domain.RoleSecretary].ID == "" {
		return out, fmt.Errorf("the demo citizen and office are not seeded")
	}
	steps := buildingSteps(app, byRole)
	now := app.Now()
	form := func(svc string, front string) map[string]string {
		v := map[string]string{"owner_name_en": "Demo Citizen", "owner_name_ml": "ഡെമോ പൗരൻ", "owner_address": "Thekkedath House, Fort Road", "phone": DemoCitizenPhone,
			"ward": strconv.Itoa(2 + rng.IntN(3)), "survey_number": fmt.Sprintf("%d/%d", 100+rng.IntN(400), 1+rng.IntN(9)), "village": "Fort Kochi",
			"plot_area_sqm": "400", "built_up_area_sqm": "180", "footprint_sqm": "95", "floors": "2", "height_m": "7", "occupancy": "a1_residential",
			"road_width_m": "5", "front_m": front, "rear_m": "2", "left_m": "1.5", "right_m": "1.2", "parking_spaces": "1",
			"licensee_name": "Anil Kumar", "licensee_number": "E-1234"}
		if svc == building.SvcPermit {
			v["work"] = "new"
		} else {
			for _, d := range building.Declarations {
				v[d.Field] = "yes"
			}
		}
		return v
	}
	uploads := func(svc string) map[string]workflow.Upload {
		out := map[string]workflow.Upload{}
		s, _ := app.Catalogue.Get(svc)
		for _, f := range s.DocumentFields() {
			if f.Required {
				out[f.Name] = workflow.Upload{Name: f.Name + ".pdf", Data: tinyPDF}
			}
		}
		for _, d := range s.Documents {
			if d.Required {
				out[d.Code] = workflow.Upload{Name: d.Code + ".pdf", Data: tinyPDF}
			}
		}
		return out
	}
	// run takes a file from submission to decision (and issue), the
	// office's desks recording what they must, all at the time at.
	run := func(svc string, values map[string]string, at time.Time, decide string, reason func(workflow.File) string) (workflow.File, error) {
		wf := *app.Workflow
		wf.Now = func() time.Time { return at }
		f, err := wf.Submit(owner, workflow.Submission{Service: svc, Values: values, Uploads: uploads(svc), Channel: workflow.ChannelOnline,
			Applicant: workflow.Applicant{Name: domain.T("Demo Citizen", "ഡെമോ പൗരൻ"), Phone: DemoCitizenPhone}})
		if err != nil {
			return f, fmt.Errorf("%s: %w%s", svc, err, fieldsOf(err))
		}
		if err := payFees(&wf, rng, f, byRole, at); err != nil {
			return f, err
		}
		s := wf.Service(f)
		for f.Step < len(s.Steps)-1 {
			if err := steps(f); err != nil {
				return f, fmt.Errorf("%s at %s: %w%s", f.Number, f.Role, err, fieldsOf(err))
			}
			at = at.Add(3 * time.Hour)
			if f, err = wf.Act(byRole[f.Role], f.ID, workflow.Request{Kind: workflow.KindForwarded}); err != nil {
				return f, err
			}
		}
		at = at.Add(time.Hour)
		if decide == workflow.KindRejected {
			return wf.Act(byRole[domain.RoleSecretary], f.ID, workflow.Request{Kind: workflow.KindRejected, Note: reason(f)})
		}
		if f, err = wf.Act(byRole[domain.RoleSecretary], f.ID, workflow.Request{Kind: workflow.KindApproved, Note: "Granted on the scrutiny and the inspection."}); err != nil {
			return f, fmt.Errorf("%s approved: %w%s", f.Number, err, fieldsOf(err))
		}
		if err := payFees(&wf, rng, f, byRole, at); err != nil {
			return f, err
		}
		return wf.Act(byRole[domain.RoleSecretary], f.ID, workflow.Request{Kind: workflow.KindIssued})
	}

	f, err := run(building.SvcLowRisk, form(building.SvcLowRisk, "3.5"), now.Add(-5*time.Hour), workflow.KindApproved, nil)
	if err != nil {
		return out, fmt.Errorf("low-risk permit: %w", err)
	}
	out.LowRisk = f.Number
	if f, err = run(building.SvcPermit, form(building.SvcPermit, "4"), now.AddDate(0, 0, -12), workflow.KindApproved, nil); err != nil {
		return out, fmt.Errorf("permit: %w", err)
	}
	out.Approved = f.Number
	refused := form(building.SvcPermit, "2.2")
	refused["height_m"], refused["relaxation"], refused["relaxation_reason"] = "7", "yes", "The old house stood 2.2 m from the road; the plot is shallow."
	f, err = run(building.SvcPermit, refused, now.AddDate(0, 0, -20), workflow.KindRejected, func(f workflow.File) string {
		res, _ := app.Building.Scrutiny(f)
		return "Refused: the plan fails " + res.FailingList().En + ". The plot allows a plan within the rules; no ground for relaxation."
	})
	if err != nil {
		return out, fmt.Errorf("refused permit: %w", err)
	}
	out.Refused = f.Number

	// Permitted a year and a half ago, completed last half-year.
	granted := now.AddDate(0, -18, 0)
	if f, err = run(building.SvcPermit, form(building.SvcPermit, "4.5"), granted, workflow.KindApproved, nil); err != nil {
		return out, fmt.Errorf("occupied building's permit: %w", err)
	}
	completed := propertytax.PeriodOf(now).Start().AddDate(0, -2, 0)
	oc := map[string]string{"permit_number": f.Record, "permit_date": granted.In(domain.IST).Format(time.DateOnly), "completed_on": completed.In(domain.IST).Format(time.DateOnly),
		"owner_name_en": "Demo Citizen", "phone": DemoCitizenPhone, "ward": f.Values["ward"], "built_up_area_sqm": "180",
		"occupied_by": "owner", "roof_type": "concrete", "road": "other_road"}
	if f, err = run(building.SvcOccupancy, oc, now.AddDate(0, 0, -7), workflow.KindApproved, nil); err != nil {
		return out, fmt.Errorf("occupancy certificate: %w", err)
	}
	out.Occupied, out.BuildingNumber = f.Number, f.Values["building_number"]
	// Its owner pays the first half-year's tax at the counter.
	b, err := app.PropertyTax.Building(out.BuildingNumber)
	if err != nil {
		return out, err
	}
	dues, err := app.PropertyTax.Dues(b.ID)
	if err != nil || len(dues) == 0 {
		return out, fmt.Errorf("the occupied building %s has no tax demanded (%v)", out.BuildingNumber, err)
	}
	if _, err := app.Finance.Collect(byRole[domain.RoleCashier], dues[0].Demand, finance.Payment{Counter: app.Finance.Counters[0].Code, Amount: dues[0].Balance, Mode: finance.ModeCash}); err != nil {
		return out, err
	}
	return out, nil
}
