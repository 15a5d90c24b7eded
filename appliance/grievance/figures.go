package grievance

import (
	"encoding/json"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/store"
)

// The figures the state sees of a body's grievances.
const (
	FigureReceived    = "grievances_received"
	FigureOpen        = "grievances_open"
	FigureOverdue     = "grievances_overdue"
	FigureFixed       = "grievances_fixed"
	FigureFixedInTime = "grievances_fixed_in_time"
	FigureReopened    = "grievances_reopened"
	FigureRated       = "grievances_rated"
	FigureSatisfied   = "grievances_rated_4_or_5"
)

var figures = &module.Figures{
	Count:   countFigures,
	Counter: counter,
	Headlines: []module.Headline{
		{Name: domain.T("Complaints received", "ലഭിച്ച പരാതികൾ"), Key: FigureReceived},
		{Name: domain.T("Complaints open past their deadline", "സമയപരിധി കഴിഞ്ഞ തുറന്ന പരാതികൾ"), Key: FigureOverdue},
		{Name: domain.T("Complaints fixed in time, of those fixed", "പരിഹരിച്ചവയിൽ സമയത്ത് പരിഹരിച്ചവ"), Key: FigureFixedInTime, Of: FigureFixed},
		{Name: domain.T("Fixes rated 4 or 5, of those rated", "റേറ്റ് ചെയ്തവയിൽ 4 അല്ലെങ്കിൽ 5 ലഭിച്ചവ"), Key: FigureSatisfied, Of: FigureRated},
	},
	Charts: []module.Chart{{
		ID:          "grievances",
		Title:       domain.T("Complaints each month", "ഓരോ മാസത്തെയും പരാതികൾ"),
		Description: domain.T("Complaints received each month as bars, and the share of them fixed in time as a line.", "ഓരോ മാസവും ലഭിച്ച പരാതികൾ ബാറുകളായും അവയിൽ സമയത്ത് പരിഹരിച്ചവയുടെ പങ്ക് രേഖയായും."),
		Bars:        []module.Series{{Key: FigureReceived, Name: domain.T("Received", "ലഭിച്ചു"), Class: "apps"}},
		Rate:        &module.Headline{Name: domain.T("Fixed in time", "സമയത്ത് പരിഹരിച്ചു"), Key: FigureFixedInTime, Of: FigureReceived},
	}},
}

// countFigures counts a body's reports from any store holding them.
func countFigures(tx *store.Tx, t *module.Tally) error {
	return tx.Scan(entityReport, store.ScanOptions{}, func(_ string, raw []byte) error {
		var r Report
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		s := statsOf(r, t.At)
		t.Add(FigureReceived, 1)
		t.AddMonthly(FigureReceived, r.Reported)
		t.Add(FigureOpen, s.Open)
		t.Add(FigureOverdue, s.Overdue)
		t.Add(FigureFixed, s.Fixed)
		t.Add(FigureFixedInTime, s.FixedInTime)
		if s.FixedInTime > 0 {
			t.AddMonthly(FigureFixedInTime, r.Reported)
		}
		t.Add(FigureReopened, s.Reopened)
		t.Add(FigureRated, s.Rated)
		if r.Rating >= 4 {
			t.Add(FigureSatisfied, 1)
		}
		return nil
	})
}

// Stats are one category's figures (or all categories').
type Stats struct {
	Category    string      `json:"category"`
	Name        domain.Text `json:"name"`
	Received    int         `json:"received"`
	Open        int         `json:"open"`
	Overdue     int         `json:"overdue"`
	Fixed       int         `json:"fixed"`
	FixedInTime int         `json:"fixed_in_time"`
	Reopened    int         `json:"reopened"` // reports reopened at least once
	Rated       int         `json:"rated"`
	RatingSum   int         `json:"rating_sum"`
}

// AverageRating is the mean rating of the rated fixes, 0 when none.
func (s Stats) AverageRating() float64 {
	if s.Rated == 0 {
		return 0
	}
	return float64(s.RatingSum) / float64(s.Rated)
}

// InTimePercent is the share of fixes made in time, -1 when none.
func (s Stats) InTimePercent() float64 {
	if s.Fixed == 0 {
		return -1
	}
	return float64(s.FixedInTime) * 100 / float64(s.Fixed)
}

func statsOf(r Report, now time.Time) Stats {
	s := Stats{Received: 1}
	if r.Open() {
		s.Open = 1
		if r.Overdue(now) {
			s.Overdue = 1
		}
	}
	if r.Status == StatusFixed {
		s.Fixed = 1
		if r.FixedInTime {
			s.FixedInTime = 1
		}
	}
	if r.Reopened > 0 {
		s.Reopened = 1
	}
	if r.Rating > 0 {
		s.Rated, s.RatingSum = 1, r.Rating
	}
	return s
}

func (s *Stats) add(o Stats) {
	s.Received += o.Received
	s.Open += o.Open
	s.Overdue += o.Overdue
	s.Fixed += o.Fixed
	s.FixedInTime += o.FixedInTime
	s.Reopened += o.Reopened
	s.Rated += o.Rated
	s.RatingSum += o.RatingSum
}

// Statistics returns each category's figures, in the categories' order,
// and all of them added up. Anyone may see them.
func (g *Grievance) Statistics() ([]Stats, Stats, error) {
	now := g.Now()
	by := map[string]*Stats{}
	var out []Stats
	for _, c := range g.Categories.List {
		out = append(out, Stats{Category: c.Code, Name: c.Name})
	}
	for i := range out {
		by[out[i].Category] = &out[i]
	}
	total := Stats{Name: domain.T("All complaints", "എല്ലാ പരാതികളും")}
	err := g.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityReport, store.ScanOptions{}, func(_ string, raw []byte) error {
			var r Report
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			s := statsOf(r, now)
			if c := by[r.Category]; c != nil {
				c.add(s)
			}
			total.add(s)
			return nil
		})
	})
	return out, total, err
}
