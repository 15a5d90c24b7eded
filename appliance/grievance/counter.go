package grievance

import (
	"encoding/json"
	"fmt"
	"time"

	"ksmart/appliance/module"
)

// counter is countFigures kept as writes arrive: each report contributes
// on its own; an open report is kept in a histogram of its section's
// deadline, so "overdue" is reckoned when read.
var counter = &module.Counter{
	Version:  1,
	Entities: []string{entityReport},
	Keep:     keepReport,
	Part:     reportContribution,
	Read:     readReports,
}

const (
	sumDue            = "grievances.due" // open reports by their section's deadline
	sumReceivedMon    = "grievances.received@"
	sumFixedInTimeMon = "grievances.fixed_in_time@"
)

// keptReport is what the counters keep of a report: what statsOf reads.
type keptReport struct {
	Status      string    `json:"st"`
	Reported    time.Time `json:"r"`
	SectionDue  time.Time `json:"d"`
	FixedInTime bool      `json:"f,omitempty"`
	Reopened    int       `json:"o,omitempty"`
	Rating      int       `json:"g,omitempty"`
}

func keepReport(entity, id string, doc []byte) (string, []byte, error) {
	var r Report
	if err := json.Unmarshal(doc, &r); err != nil {
		return "", nil, fmt.Errorf("report %s: %w", id, err)
	}
	kept, err := json.Marshal(keptReport{Status: r.Status, Reported: r.Reported, SectionDue: r.SectionDue,
		FixedInTime: r.FixedInTime, Reopened: r.Reopened, Rating: r.Rating})
	return module.OwnGroup(entity, id), kept, err
}

func reportContribution(_ string, kept []module.Kept, c *module.Contribution) error {
	for _, k := range kept {
		var kr keptReport
		if err := json.Unmarshal(k.Data, &kr); err != nil {
			return err
		}
		r := Report{Status: kr.Status, Reported: kr.Reported, SectionDue: kr.SectionDue, FixedInTime: kr.FixedInTime, Reopened: kr.Reopened, Rating: kr.Rating}
		// statsOf at a time before any deadline: everything but overdue,
		// which the histogram keeps.
		s := statsOf(r, time.Time{})
		c.Add(FigureReceived, 1)
		c.AddMonth(sumReceivedMon, r.Reported)
		c.Add(FigureOpen, int64(s.Open))
		if r.Open() {
			c.AddTime(sumDue, r.SectionDue, 1)
		}
		c.Add(FigureFixed, int64(s.Fixed))
		c.Add(FigureFixedInTime, int64(s.FixedInTime))
		if s.FixedInTime > 0 {
			c.AddMonth(sumFixedInTimeMon, r.Reported)
		}
		c.Add(FigureReopened, int64(s.Reopened))
		c.Add(FigureRated, int64(s.Rated))
		if r.Rating >= 4 {
			c.Add(FigureSatisfied, 1)
		}
	}
	return nil
}

// readReports fills the tally as countFigures does: every count once any
// report was received, satisfied only when some fix was rated 4 or 5.
func readReports(s *module.Sums, t *module.Tally) {
	if s.Get(FigureReceived, "") > 0 {
		for _, k := range []string{FigureReceived, FigureOpen, FigureFixed, FigureFixedInTime, FigureReopened, FigureRated} {
			t.Add(k, int(s.Get(k, "")))
		}
		t.Add(FigureOverdue, int(s.Before(sumDue, t.At)))
	}
	if n := s.Get(FigureSatisfied, ""); n > 0 {
		t.Add(FigureSatisfied, int(n))
	}
	t.AddMonths(FigureReceived, s, sumReceivedMon)
	t.AddMonths(FigureFixedInTime, s, sumFixedInTimeMon)
}
