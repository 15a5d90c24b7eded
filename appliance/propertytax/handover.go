package propertytax

import (
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Completed is a building that has just been certified fit to occupy, as
// the building permission module hands it over for assessment: its owner,
// ward, floors with their use, plot and the factors its tax is adjusted
// by. It is numbered here.
type Completed struct {
	Ward         int
	Owner        Owner
	Occupancy    string // "owner" or "rented"
	Floors       []Floor
	PlotArea     Area
	Road         string // main_road, other_road or no_road
	Construction string // rcc, tiled, sheet or thatched
	Address      domain.Text
	SurveyNumber string
	CompletedOn  time.Time
}

// RegisterCompleted enters a newly completed building in the register in
// tx (the write that approves its occupancy certificate), under the ward's
// next door number, taxed from the half-year after its completion: its
// demands for any half-year already begun since then are raised at once,
// later ones by the half-year's demand job. It returns the building as
// registered. Every problem with the particulars is refused field by field
// and nothing is written.
func (p *PropertyTax) RegisterCompleted(tx *store.Tx, c Completed, by domain.Actor, f *workflow.File) (Building, error) {
	b := Building{Number: "1/1", Ward: c.Ward, Owners: []Owner{c.Owner}, Occupancy: c.Occupancy, Floors: c.Floors,
		PlotArea: c.PlotArea, Zone: p.Rules.Local.DefaultZone, Road: c.Road, Construction: c.Construction,
		YearBuilt: c.CompletedOn.In(domain.IST).Year(), Address: c.Address, SurveyNumber: c.SurveyNumber}
	if err := p.Rules.Check(b, p.LocalBody, p.Now()).Err(); err != nil {
		return Building{}, err
	}
	from := PeriodOf(c.CompletedOn).Next()
	if base := (Period{Year: p.Rules.Statutory.BaseYear, Half: 1}); from.Before(base) {
		from = base
	}
	numbers, err := p.registerNew(tx, b, from, 1, "", by, f)
	if err != nil {
		return Building{}, err
	}
	n, err := ParseNumber(numbers[0])
	if err != nil {
		return Building{}, err
	}
	return getBuilding(tx, n.ID())
}
