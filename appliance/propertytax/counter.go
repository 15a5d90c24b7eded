package propertytax

import (
	"encoding/json"
	"fmt"
	"strings"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/module"
)

// counter is countDCB kept as writes arrive. A demand counts only through
// the register's entry that names it (entityDemand, "<building>/<period>"
// → finance's demand id), as dcbIn reads it, so the entry and finance's
// demand are kept in one group, the demand's; the demand, collection and
// balance are summed by period in paise, and the financial year that is
// "this year" is chosen, and rupees taken, when read.
var counter = &module.Counter{
	Version:  1,
	Entities: []string{entityBuilding, entityDemand, finance.DemandEntity},
	Keep:     keepDCB,
	Part:     dcbContribution,
	Read:     readDCB,
}

const (
	sumDemand    = "pt.demand_paise"    // by period: amount less waived
	sumCollected = "pt.collected_paise" // by period: paid
	sumBalance   = "pt.balance_paise"   // by period: still owed
	sumOwing     = "pt.owing"           // the set of buildings owing anything
)

// keptDemand is what the counters keep of finance's demand.
type keptDemand struct {
	Net     domain.Paise `json:"n"` // Amount - Waived
	Paid    domain.Paise `json:"p"`
	Balance domain.Paise `json:"b"`
}

func keepDCB(entity, id string, doc []byte) (string, []byte, error) {
	switch entity {
	case entityBuilding:
		var b struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(doc, &b); err != nil {
			return "", nil, fmt.Errorf("building %s: %w", id, err)
		}
		if b.Status != StatusActive {
			return "", nil, nil
		}
		return module.OwnGroup(entity, id), []byte("active"), nil
	case entityDemand:
		var demandID string
		if err := json.Unmarshal(doc, &demandID); err != nil {
			return "", nil, fmt.Errorf("demand of %s: %w", id, err)
		}
		return "demand/" + demandID, []byte(id), nil
	}
	var d finance.Demand
	if err := json.Unmarshal(doc, &d); err != nil {
		return "", nil, fmt.Errorf("demand %s: %w", id, err)
	}
	kept, err := json.Marshal(keptDemand{Net: d.Amount - d.Waived, Paid: d.Paid, Balance: d.Balance()})
	return "demand/" + id, kept, err
}

func dcbContribution(_ string, kept []module.Kept, c *module.Contribution) error {
	var demand *keptDemand
	for _, k := range kept {
		switch k.Entity {
		case entityBuilding:
			c.Add(FigureBuildings, 1)
		case finance.DemandEntity:
			demand = &keptDemand{}
			if err := json.Unmarshal(k.Data, demand); err != nil {
				return err
			}
		}
	}
	if demand == nil {
		return nil // an entry whose demand is not (yet) here counts nothing, as in dcbIn
	}
	for _, k := range kept {
		if k.Entity != entityDemand {
			continue
		}
		bid, period, _ := strings.Cut(string(k.Data), "/")
		c.AddSub(sumDemand, period, int64(demand.Net))
		c.AddSub(sumCollected, period, int64(demand.Paid))
		c.AddSub(sumBalance, period, int64(demand.Balance))
		if demand.Balance > 0 {
			c.Member(sumOwing, bid)
		}
	}
	return nil
}

// readDCB fills the tally as countDCB does, for the financial year t.At
// falls in.
func readDCB(s *module.Sums, t *module.Tally) {
	year := PeriodOf(t.At).FinancialYear()
	var all DCB
	s.Each(sumDemand, func(period string, n int64) {
		if strings.HasPrefix(period, year) {
			all.Demand += domain.Paise(n)
		}
	})
	s.Each(sumCollected, func(period string, n int64) {
		if strings.HasPrefix(period, year) {
			all.Collected += domain.Paise(n)
		}
	})
	s.Each(sumBalance, func(period string, n int64) {
		all.Balance += domain.Paise(n)
		if !strings.HasPrefix(period, year) {
			all.Arrears += domain.Paise(n)
		}
	})
	t.Add(FigureBuildings, int(s.Get(FigureBuildings, "")))
	t.Add(FigureDefaulters, int(s.Get(sumOwing, "")))
	t.Add(FigureDemand, int(all.Demand/100))
	t.Add(FigureCollected, int(all.Collected/100))
	t.Add(FigureBalance, int(all.Balance/100))
	t.Add(FigureArrears, int(all.Arrears/100))
}
