package licence

import (
	"encoding/json"
	"fmt"
	"time"

	"ksmart/appliance/module"
)

// counter is countLicences kept as writes arrive. Whether a licence is in
// force or expired depends on the day (its year ends, a suspension runs
// out), so each licence adds one to a histogram of what StatusAt reads —
// status, suspension's last day, valid-to date, a renewal pending, deemed
// — and StatusAt is asked of each distinct one when read.
var counter = &module.Counter{
	Version:  1,
	Entities: []string{entityLicence},
	Keep:     keepLicence,
	Part:     licenceContribution,
	Read:     readLicences,
}

const (
	sumState     = "licences.state" // by keptState, as JSON
	sumIssuedMon = "licences.issued@"
	sumDeemedMon = "licences.deemed@"
)

// keptState is what StatusAt reads of a licence.
type keptState struct {
	Status  string `json:"s"`
	Until   string `json:"u,omitempty"` // the suspension's last day, when suspended with one
	ValidTo string `json:"v"`
	Renewal bool   `json:"r,omitempty"`
	Deemed  bool   `json:"d,omitempty"`
}

func (k keptState) licence() Licence {
	l := Licence{Status: k.Status, ValidTo: k.ValidTo}
	if k.Until != "" {
		l.Order = &Order{Until: k.Until}
	}
	if k.Renewal {
		l.Renewal = "pending"
	}
	if k.Deemed {
		l.Deemed = &Desk{}
	}
	return l
}

// keptLicence is what the counters keep of a licence.
type keptLicence struct {
	State   keptState `json:"st"`
	Granted time.Time `json:"g"`
}

func keepLicence(entity, id string, doc []byte) (string, []byte, error) {
	var l Licence
	if err := json.Unmarshal(doc, &l); err != nil {
		return "", nil, fmt.Errorf("licence %s: %w", id, err)
	}
	st := keptState{Status: l.Status, ValidTo: l.ValidTo, Renewal: l.Renewal != "", Deemed: l.Deemed != nil}
	if l.Order != nil {
		st.Until = l.Order.Until
	}
	kept, err := json.Marshal(keptLicence{State: st, Granted: l.Granted})
	return module.OwnGroup(entity, id), kept, err
}

func licenceContribution(_ string, kept []module.Kept, c *module.Contribution) error {
	for _, k := range kept {
		var kl keptLicence
		if err := json.Unmarshal(k.Data, &kl); err != nil {
			return err
		}
		state, err := json.Marshal(kl.State)
		if err != nil {
			return err
		}
		c.AddSub(sumState, string(state), 1)
		if kl.State.Deemed {
			c.Add(FigureDeemed, 1)
			c.AddMonth(sumDeemedMon, kl.Granted)
		} else {
			c.AddMonth(sumIssuedMon, kl.Granted)
		}
		c.Add(FigureIssued, 1)
	}
	return nil
}

// readLicences fills the tally as countLicences does: the four counts
// always, in force and expired by StatusAt at the tally's time.
func readLicences(s *module.Sums, t *module.Tally) {
	for _, k := range []string{FigureInForce, FigureIssued, FigureDeemed, FigureExpired} {
		t.Add(k, 0)
	}
	s.Each(sumState, func(sub string, n int64) {
		var st keptState
		if json.Unmarshal([]byte(sub), &st) != nil {
			return
		}
		switch st.licence().StatusAt(t.At) {
		case StatusActive, StatusDeemed, StatusPending:
			t.Add(FigureInForce, int(n))
		case StatusExpired:
			t.Add(FigureExpired, int(n))
		}
	})
	t.Add(FigureIssued, int(s.Get(FigureIssued, "")))
	t.Add(FigureDeemed, int(s.Get(FigureDeemed, "")))
	t.AddMonths(FigureIssued, s, sumIssuedMon)
	t.AddMonths(FigureDeemed, s, sumDeemedMon)
}
