package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/propertytax"
)

// Buildings makes n buildings of one ward as a revenue section's register
// holds them: houses of every size (the small ones exempt), flats, shops,
// buildings part shop part home, offices, a lodge, a few with a floor
// built without permission, owned by one person or two. A few owners are
// given the demo citizen's mobile number, so that the demo's citizen finds
// their buildings. They are taxed from from.
func Buildings(rng *rand.Rand, ward, n int, from propertytax.Period, now time.Time) []propertytax.Building {
	out := make([]propertytax.Building, 0, n)
	zones := []string{"primary", "secondary", "secondary", "tertiary"}
	roads := []string{"main_road", "other_road", "other_road", "no_road"}
	cons := []string{"rcc", "rcc", "rcc", "tiled", "sheet"}
	year := now.In(domain.IST).Year()
	for i := range n {
		p := NewPerson(rng)
		owners := []propertytax.Owner{{Name: p.Name, Share: 100, Phone: p.Phone}}
		if rng.IntN(5) == 0 {
			q := NewPerson(rng)
			owners = []propertytax.Owner{{Name: p.Name, Share: 50, Phone: p.Phone}, {Name: q.Name, Share: 50, Phone: q.Phone}}
		}
		if i%60 == 7 {
			owners[0].Phone = DemoCitizenPhone
		}
		area := func(lo, hi int) propertytax.Area { return propertytax.SquareMetres(int64(lo + rng.IntN(hi-lo+1))) }
		b := propertytax.Building{Number: fmt.Sprintf("%d/%d", ward, i+1), Ward: ward, Owners: owners, Occupancy: "owner",
			Zone: zones[rng.IntN(len(zones))], Road: roads[rng.IntN(len(roads))], Construction: cons[rng.IntN(len(cons))],
			YearBuilt: year - 1 - rng.IntN(60), TaxedFrom: from.String(),
			Address: domain.T(fmt.Sprintf("%s House, Door No. %d/%d", p.Name.En, ward, i+1), fmt.Sprintf("%s വീട്, വാതിൽ നമ്പർ %d/%d", p.Name.Ml, ward, i+1))}
		switch k := rng.IntN(20); {
		case k < 4: // a small house, exempt when its owner lives there
			b.Floors = []propertytax.Floor{{Use: propertytax.UseResidential, Area: area(30, 60)}}
		case k < 11:
			b.Floors = []propertytax.Floor{{Use: propertytax.UseResidential, Area: area(70, 180)}}
			if rng.IntN(3) == 0 {
				b.Floors = append(b.Floors, propertytax.Floor{Level: 1, Use: propertytax.UseResidential, Area: area(40, 120)})
			}
			if rng.IntN(4) == 0 {
				b.Occupancy = "rented"
			}
		case k < 13: // a flat
			b.Flat = true
			b.Floors = []propertytax.Floor{{Level: 1 + rng.IntN(6), Use: propertytax.UseResidential, Area: area(45, 140)}}
		case k < 16: // a shop
			b.Floors = []propertytax.Floor{{Use: propertytax.UseCommercial, Area: area(15, 150)}}
			b.Occupancy = []string{"owner", "rented"}[rng.IntN(2)]
		case k < 18: // a shop below, a home above
			b.Floors = []propertytax.Floor{{Use: propertytax.UseCommercial, Area: area(20, 80)}, {Level: 1, Use: propertytax.UseResidential, Area: area(60, 140)}}
		case k == 18:
			b.Floors = []propertytax.Floor{{Use: propertytax.UseOffice, Area: area(60, 400)}}
			b.Occupancy = "rented"
		default:
			b.Floors = []propertytax.Floor{{Use: propertytax.UseLodging, Area: area(150, 600)}}
		}
		if i%25 == 11 { // a floor built without permission
			b.Floors = append(b.Floors, propertytax.Floor{Level: len(b.Floors), Use: b.Floors[0].Use, Area: area(20, 60), Unauthorised: true})
		}
		b.PlotArea = b.PlinthArea()/2 + area(40, 400)
		out = append(out, b)
	}
	return out
}

// SeedBuildings registers n buildings in ward (see Buildings), taxed from
// the first half of the previous financial year, so that they owe the
// previous year's tax and the current one's.
func SeedBuildings(app *appliance.Appliance, rng *rand.Rand, ward, n int) ([]propertytax.Building, error) {
	pt := app.PropertyTax
	if pt == nil || n == 0 {
		return nil, nil
	}
	cur := propertytax.PeriodOf(app.Now())
	bs := Buildings(rng, ward, n, propertytax.Period{Year: cur.Year - 1, Half: 1}, app.Now())
	for start := 0; start < len(bs); start += 100 {
		if err := pt.RegisterMany(domain.System, bs[start:min(start+100, len(bs))]); err != nil {
			return nil, err
		}
	}
	return bs, nil
}

// buildingForms fills property tax services' forms with buildings that
// are in the register, as they stand when the application is made.
type buildingForms struct {
	pt      *propertytax.PropertyTax
	numbers []string
}

// fill makes a property tax service's form lawful where FillForm's random
// values would not be: a building of the register with its owner's name,
// areas that fit together, no division of a building unless asked. It
// reports false when no building will do.
func (bf *buildingForms) fill(rng *rand.Rand, svc catalogue.Service, v map[string]string) bool {
	if svc.Module != catalogue.ModulePropertyTax {
		return true
	}
	plinth := 40 + rng.IntN(260)
	v["plinth_area_sqm"] = strconv.Itoa(plinth)
	v["plot_area_sqm"] = strconv.Itoa(plinth/2 + 40 + rng.IntN(400))
	delete(v, "other_use")
	delete(v, "other_use_area_sqm")
	delete(v, "unauthorised_area_sqm")
	if rng.IntN(4) == 0 {
		v["other_use"], v["other_use_area_sqm"] = propertytax.UseCommercial, strconv.Itoa(1+plinth/4)
	}
	delete(v, "existing_number")
	v["units"] = "1"
	if _, ok := v["year_built"]; ok {
		v["year_built"] = strconv.Itoa(1960 + rng.IntN(60))
	}
	delete(v, "claimed_usage")
	if _, ok := v["building_number"]; !ok {
		return true
	}
	if v["claimed_plinth_area_sqm"] != "" {
		v["claimed_plinth_area_sqm"] = strconv.Itoa(plinth)
	}
	for range 20 {
		if bf.pt == nil || len(bf.numbers) == 0 {
			return false
		}
		b, err := bf.pt.Building(bf.numbers[rng.IntN(len(bf.numbers))])
		if err != nil || b.Status != propertytax.StatusActive || (svc.Code == "property_tax_exemption" && b.Exemption != "") {
			continue
		}
		if svc.Code == "ownership_change" && len(b.Owners) > 1 {
			continue
		}
		v["building_number"], v["ward"] = b.Number, strconv.Itoa(b.Ward)
		owner := b.Owners[0].Name
		for _, field := range []string{"owner_name", "present_owner"} {
			if _, ok := v[field+"_en"]; ok {
				v[field+"_en"], v[field+"_ml"] = owner.En, owner.Ml
			}
		}
		return true
	}
	return false
}
