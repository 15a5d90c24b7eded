package propertytax

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/module"
	"ksmart/store"
)

// The figures the state sees of a body's property tax: its demand,
// collection and balance (DCB) for the current financial year in rupees,
// the arrears still owed from earlier years, the buildings on the register
// and how many owe anything, and the collection efficiency.
const (
	FigureBuildings  = "buildings"
	FigureDefaulters = "tax_defaulters"
	FigureDemand     = "tax_demand_rupees"
	FigureCollected  = "tax_collected_rupees"
	FigureBalance    = "tax_balance_rupees"
	FigureArrears    = "tax_arrears_rupees"
)

var efficiency = module.Headline{Name: domain.T("Property tax collected, of the demand this year", "ഈ വർഷത്തെ ഡിമാൻഡിൽ പിരിച്ച വസ്തു നികുതി"), Key: FigureCollected, Of: FigureDemand}

var figures = &module.Figures{
	Count:   countDCB,
	Counter: counter,
	Headlines: []module.Headline{
		{Name: domain.T("Buildings on the register", "രജിസ്റ്ററിലെ കെട്ടിടങ്ങൾ"), Key: FigureBuildings},
		{Name: domain.T("Property tax demanded this year (₹)", "ഈ വർഷത്തെ വസ്തു നികുതി ഡിമാൻഡ് (₹)"), Key: FigureDemand},
		{Name: domain.T("Collected (₹)", "പിരിച്ചത് (₹)"), Key: FigureCollected},
		{Name: domain.T("Balance, with arrears (₹)", "ബാക്കി, കുടിശ്ശിക ഉൾപ്പെടെ (₹)"), Key: FigureBalance},
		efficiency,
	},
}

// DCB is a demand, collection and balance register's line.
type DCB struct {
	Buildings  int          `json:"buildings"`
	Defaulters int          `json:"defaulters"`
	Demand     domain.Paise `json:"demand_paise"`    // this financial year's demands, with their interest
	Collected  domain.Paise `json:"collected_paise"` // paid on them
	Arrears    domain.Paise `json:"arrears_paise"`   // still owed on earlier years' demands
	Balance    domain.Paise `json:"balance_paise"`   // still owed on all
}

// Efficiency is the share of this year's demand collected, in percent
// (-1 when nothing was demanded).
func (d DCB) Efficiency() float64 {
	if d.Demand == 0 {
		return -1
	}
	return float64(d.Collected) * 100 / float64(d.Demand)
}

// dcbIn reckons the DCB of a ward (0: every ward) for the financial year
// now falls in, from any store holding the register and finance's demands.
func dcbIn(tx *store.Tx, ward int, year string) (DCB, map[int]*DCB, error) {
	all := DCB{}
	byWard := map[int]*DCB{}
	owing := map[string]bool{}
	err := tx.Scan(entityBuilding, store.ScanOptions{}, func(id string, raw []byte) error {
		var b struct {
			Ward   int    `json:"ward"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return err
		}
		if (ward != 0 && b.Ward != ward) || b.Status != StatusActive {
			return nil
		}
		all.Buildings++
		line(byWard, b.Ward).Buildings++
		return nil
	})
	if err != nil {
		return all, nil, err
	}
	err = tx.Scan(entityDemand, store.ScanOptions{}, func(k string, raw []byte) error {
		bid, period, _ := strings.Cut(k, "/")
		w := wardOfID(bid)
		if ward != 0 && w != ward {
			return nil
		}
		var id string
		if err := json.Unmarshal(raw, &id); err != nil {
			return err
		}
		d, err := finance.ReadDemand(tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		l := line(byWard, w)
		for _, t := range []*DCB{&all, l} {
			if strings.HasPrefix(period, year) {
				t.Demand += d.Amount - d.Waived
				t.Collected += d.Paid
			} else {
				t.Arrears += d.Balance()
			}
			t.Balance += d.Balance()
		}
		if d.Balance() > 0 && !owing[bid] {
			owing[bid] = true
			all.Defaulters++
			l.Defaulters++
		}
		return nil
	})
	return all, byWard, err
}

func line(m map[int]*DCB, ward int) *DCB {
	if m[ward] == nil {
		m[ward] = &DCB{}
	}
	return m[ward]
}

func wardOfID(id string) int {
	w := 0
	for _, r := range id {
		if r < '0' || r > '9' {
			break
		}
		w = w*10 + int(r-'0')
	}
	return w
}

func countDCB(tx *store.Tx, t *module.Tally) error {
	all, _, err := dcbIn(tx, 0, PeriodOf(t.At).FinancialYear())
	if err != nil {
		return err
	}
	t.Add(FigureBuildings, all.Buildings)
	t.Add(FigureDefaulters, all.Defaulters)
	t.Add(FigureDemand, int(all.Demand/100))
	t.Add(FigureCollected, int(all.Collected/100))
	t.Add(FigureBalance, int(all.Balance/100))
	t.Add(FigureArrears, int(all.Arrears/100))
	return nil
}

// DCBRegister is the demand, collection and balance register of the
// current financial year: the whole body's line and each ward's.
func (p *PropertyTax) DCBRegister() (DCB, map[int]*DCB, error) {
	var all DCB
	var wards map[int]*DCB
	err := p.Store.View(func(tx *store.Tx) (err error) {
		all, wards, err = dcbIn(tx, 0, PeriodOf(p.Now()).FinancialYear())
		return err
	})
	return all, wards, err
}

// Defaulter is a building that owes tax, and how much.
type Defaulter struct {
	Building Building
	Owed     domain.Paise
	Oldest   string // the oldest half-year still owed
}

// Defaulters lists a ward's buildings that owe tax, most owed first.
func (p *PropertyTax) Defaulters(ward int) ([]Defaulter, error) {
	var out []Defaulter
	err := p.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityBuilding, store.ScanOptions{Prefix: wardPrefix(ward)}, func(id string, raw []byte) error {
			dues, err := p.duesIn(tx, id)
			if err != nil {
				return err
			}
			if owed := Owed(dues); owed > 0 {
				var b Building
				if err := json.Unmarshal(raw, &b); err != nil {
					return err
				}
				oldest := ""
				for _, d := range dues {
					if d.Balance > 0 {
						oldest = d.Period
						break
					}
				}
				out = append(out, Defaulter{Building: b, Owed: owed, Oldest: oldest})
			}
			return nil
		})
	})
	sortDefaulters(out)
	return out, err
}

func sortDefaulters(ds []Defaulter) {
	slices.SortStableFunc(ds, func(a, b Defaulter) int { return cmp.Compare(b.Owed, a.Owed) })
}
