package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strconv"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/grievance"
	"ksmart/appliance/identity"
)

// DemoGrievances is how many complaints the demo makes at most: as many
// as it makes applications, up to this.
const DemoGrievances = 300

// GrievancesSeeded says what SeedGrievances made, for the demo's banner
// and tests.
type GrievancesSeeded struct {
	Reports, Anonymous, Open, Overdue, Escalated, Fixed, Reopened, Rated, Closed, Merged int
	// Example is an open report to look at.
	Example string
}

// demoProblems are what residents write, by category.
var demoProblems = map[string][]string{
	"streetlight":          {"The streetlight near the bus stop has not worked for a week.", "തെരുവുവിളക്ക് മൂന്ന് ദിവസമായി കത്തുന്നില്ല.", "Light flickers all night outside the school."},
	"waste":                {"Waste bags dumped by the canal every night.", "ഹരിതകർമ്മ സേന രണ്ടാഴ്ചയായി മാലിന്യം ശേഖരിച്ചില്ല.", "Plastic burnt in the open plot behind the market."},
	"drain":                {"The drain is blocked and overflows onto the road when it rains.", "ഓടയുടെ സ്ലാബ് പൊട്ടി; കുട്ടികൾക്ക് അപകടം.", "Drain smells; silt has not been cleared."},
	"road":                 {"A deep pothole in the middle of the lane.", "റോഡിൽ വലിയ കുഴി, ഇരുചക്രവാഹനങ്ങൾ വീഴുന്നു.", "Footpath slabs are broken near the junction."},
	"stray_dogs":           {"A pack of stray dogs chases children near the school gate.", "തെരുവുനായ്ക്കൾ രാത്രി ആക്രമിക്കുന്നു.", "An injured dog lies by the bus shelter."},
	"water":                {"The public tap has had no water for four days.", "പൊതു ടാപ്പ് ചോരുന്നു; വെള്ളം പാഴാകുന്നു.", "Dirty water from the public tap."},
	"mosquito":             {"Stagnant water in old tyres behind the workshop.", "ഒഴിഞ്ഞ പറമ്പിൽ വെള്ളം കെട്ടിനിൽക്കുന്നു; കൊതുക് ശല്യം.", "The temple pond is full of larvae."},
	"illegal_construction": {"A wall being built on the public lane.", "അനുമതിയില്ലാതെ മൂന്നാം നില പണിയുന്നു.", "Shop extension built over the drain."},
	"other":                {"The bus shelter's roof is broken.", "പാർക്കിലെ ബെഞ്ചുകൾ തകർന്നു.", "Public toilet at the market is locked all day."},
}

var demoLandmarks = []string{"Bus stop", "Temple gate", "Market junction", "School gate", "Church steps", "Near the mosque", "Canal bridge", "Ration shop", "Health centre", "Library"}

var demoRedirects = []string{"KSEB section office, Fort (the line is theirs)", "PWD Roads section (a state highway)", "Kerala Water Authority, subdivision office", "Police station (a traffic matter)"}

// SeedGrievances makes n complaints (at most DemoGrievances) over the last 45 days,
// across every category and ward, in every state: new, with the officer,
// being fixed, fixed and confirmed and rated, fixed and reopened (some
// fixed again), closed as not the body's or unfixable, duplicates merged,
// others saying "me too", some anonymous, some by the demo citizen; the
// overdue ones escalated. The same seed on the same day makes the same
// complaints.
func SeedGrievances(app *appliance.Appliance, n int, seed uint64) (GrievancesSeeded, error) {
	n = min(n, DemoGrievances)
	var out GrievancesSeeded
	if app.Grievance == nil {
		return out, nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e1))
	staff, err := app.Identity.List(identity.KindStaff)
	if err != nil {
		return out, err
	}
	byRole := map[domain.Role]domain.Actor{}
	for _, u := range staff {
		for _, r := range u.Roles {
			if _, ok := byRole[r]; !ok {
				byRole[r] = u.Actor()
			}
		}
	}
	var citizen domain.Actor
	if u, err := app.Identity.ByLogin("+91" + DemoCitizenPhone); err == nil {
		citizen = u.Actor()
	}
	today := app.Now().In(domain.IST)
	dayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, domain.IST)
	cats := app.Grievance.Categories.List
	type made struct {
		r   grievance.Report
		key string
	}
	var reports []made
	g := *app.Grievance
	at := func(t time.Time) *grievance.Grievance { g.Now = func() time.Time { return t }; return &g }
	for i := range n {
		when := dayStart.Add(-time.Duration(45*24*(n-i)/n)*time.Hour + time.Duration(7+rng.IntN(12))*time.Hour)
		cat := cats[rng.IntN(len(cats))]
		ward := 1 + rng.IntN(len(app.LocalBody.Wards))
		sub := grievance.Submission{Category: cat.Code, Description: demoProblems[cat.Code][rng.IntN(3)], Ward: ward,
			Landmark: demoLandmarks[rng.IntN(len(demoLandmarks))], Language: []string{"en", "ml"}[rng.IntN(2)]}
		if c, ok := app.Grievance.Wards.Centre(ward); ok && rng.IntN(10) < 7 {
			sub.Lat = strconv.FormatFloat(c.Lat+(rng.Float64()-.5)*DemoWardSize*.9, 'f', 6, 64)
			sub.Lon = strconv.FormatFloat(c.Lon+(rng.Float64()-.5)*DemoWardSize*.9, 'f', 6, 64)
		}
		p := NewPerson(rng)
		by := domain.Actor{}
		switch k := rng.IntN(20); {
		case k < 8:
			sub.Phone, sub.Anonymous = p.Phone, true
			out.Anonymous++
		case k < 13:
			sub.Name, sub.Phone = p.Name.En, p.Phone
		case k < 16:
			sub.Name, sub.Email = p.Name.En, fmt.Sprintf("resident%d@example.com", i)
		case k < 18 && citizen.ID != "":
			by = citizen
		default: // no contact at all
			out.Anonymous++
		}
		if rng.IntN(10) < 3 {
			sub.Photos = []grievance.PhotoUpload{{Name: "photo.jpg", Data: demoPhoto(rng)}}
		}
		r, key, err := at(when).Submit(by, sub)
		if err != nil {
			return out, fmt.Errorf("demo complaint %d: %w", i, err)
		}
		if by.ID != "" {
			key = ""
		}
		reports = append(reports, made{r, key})
	}
	out.Reports = len(reports)
	now := app.Now()
	later := func(t time.Time, days float64) (time.Time, bool) {
		u := t.Add(time.Duration(days * 24 * float64(time.Hour)))
		return u, u.Before(now)
	}
	after := grievance.PhotoUpload{Name: "after.jpg"}
	for i, m := range reports {
		r := m.r
		cat, _ := app.Grievance.Categories.Get(r.Category)
		officer := byRole[cat.Chain[0]]
		who := grievance.Who{Actor: domain.Actor{ID: r.Reporter.UserID}, Key: m.key}
		fate := rng.IntN(100)
		// A duplicate of an earlier report of the same kind in the ward.
		if fate < 6 {
			for j := i - 1; j >= 0 && j > i-60; j-- {
				o := reports[j].r
				if o.Category == r.Category && o.Ward == r.Ward && o.Open() {
					if t, ok := later(r.Reported, .5); ok {
						if _, err := at(t).Act(officer, r.Number, grievance.Action{Kind: grievance.ActClose, Reason: grievance.ReasonDuplicate, Into: o.Number}); err == nil {
							out.Merged++
						}
					}
					break
				}
			}
			continue
		}
		if fate < 12 { // others say "me too"
			for range 1 + rng.IntN(4) {
				if _, err := at(r.Reported.Add(6*time.Hour)).MeToo(domain.Actor{}, r.Number); err != nil {
					return out, err
				}
			}
		}
		t, ok := later(r.Reported, 1+rng.Float64()*2)
		if !ok || fate < 20 {
			continue // still new, with the ward officer
		}
		if _, err := at(t).Act(officer, r.Number, grievance.Action{Kind: grievance.ActStart}); err != nil {
			return out, fmt.Errorf("demo complaint %s: %w", r.Number, err)
		}
		days := float64(cat.Days) * (0.3 + rng.Float64()*1.4)
		t, ok = later(t, days)
		if !ok || fate < 30 {
			continue // being fixed
		}
		if fate < 38 {
			reason, a := grievance.ReasonNotOurs, grievance.Action{Kind: grievance.ActClose, Redirect: demoRedirects[rng.IntN(len(demoRedirects))]}
			if fate >= 34 {
				reason, a.Note = grievance.ReasonCannotFix, "The land is under litigation; the court has stayed any work."
			}
			a.Reason = reason
			if _, err := at(t).Act(officer, r.Number, a); err != nil {
				return out, fmt.Errorf("demo complaint %s: %w", r.Number, err)
			}
			out.Closed++
			continue
		}
		after.Data = demoPhoto(rng)
		fixed, err := at(t).Act(officer, r.Number, grievance.Action{Kind: grievance.ActFix, Note: demoFixNote(cat.Code), Photo: &after})
		if err != nil {
			return out, fmt.Errorf("demo complaint %s: %w", r.Number, err)
		}
		if !fixed.Reporter.Reachable() && m.key == "" {
			continue
		}
		t, ok = later(t, .5+rng.Float64()*4)
		if !ok {
			continue
		}
		switch {
		case fate < 55: // reopened
			if _, err := at(t).Reopen(who, r.Number, "It is the same again."); err != nil {
				return out, fmt.Errorf("demo complaint %s: %w", r.Number, err)
			}
			out.Reopened++
			if t, ok = later(t, 1+rng.Float64()*3); ok && fate < 50 {
				after.Data = demoPhoto(rng)
				if _, err := at(t).Act(officer, r.Number, grievance.Action{Kind: grievance.ActFix, Note: "Done properly this time; checked on site.", Photo: &after}); err != nil {
					return out, fmt.Errorf("demo complaint %s: %w", r.Number, err)
				}
				if t, ok = later(t, 1); ok {
					if _, err := at(t).Confirm(who, r.Number, 2+rng.IntN(3)); err == nil {
						out.Rated++
					}
				}
			}
		case fate < 85: // confirmed and rated
			if _, err := at(t).Confirm(who, r.Number, 1+rng.IntN(5)); err != nil {
				return out, fmt.Errorf("demo complaint %s: %w", r.Number, err)
			}
			out.Rated++
		}
	}
	if out.Escalated, err = app.Grievance.EscalateOverdue(); err != nil {
		return out, err
	}
	_, total, err := app.Grievance.Statistics()
	if err != nil {
		return out, err
	}
	out.Open, out.Overdue, out.Fixed = total.Open, total.Overdue, total.Fixed
	if open, err := app.Grievance.List(grievance.Filter{Status: "open", Limit: 1}); err == nil && len(open) > 0 {
		out.Example = open[0].Number
	}
	return out, nil
}

func demoFixNote(category string) string {
	switch category {
	case "streetlight":
		return "Lamp and choke replaced; working at night."
	case "waste":
		return "Waste cleared; the spot is on the Haritha Karma Sena's round."
	case "stray_dogs":
		return "The ABC team caught and vaccinated the dogs."
	case "mosquito":
		return "Source reduction done; larvicide sprayed."
	}
	return "Work done and checked on site."
}

// demoPhoto is a small photo-like JPEG, different each time.
func demoPhoto(rng *rand.Rand) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 96, 72))
	base := color.RGBA{uint8(rng.IntN(200)), uint8(rng.IntN(200)), uint8(rng.IntN(200)), 255}
	for y := range 72 {
		for x := range 96 {
			img.Set(x, y, color.RGBA{base.R + uint8(x/2), base.G + uint8(y/2), base.B, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 70})
	return b.Bytes()
}
