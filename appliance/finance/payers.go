package finance

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"ksmart/store"
)

// Which demands are in a citizen's name is a view derived from the demands,
// not an index of its own: the view here keeps it in memory, caught up with
// the log, as the workflow keeps its desks. Before, it was a document
// "<user id>/<demand id>" written with every demand — keyed by citizen, a
// page of its own in every application's write (~0.9 of its 5.8 page
// writes and ~3.5 KB of its 32, measured with ksmart bench submit).
//
// The view is a store.DocView of the demands: built at first use from the
// demands as they stand, then, after every event that raises demands or
// names their payer, those demands are read afresh; every read first
// catches up with the log (read-your-writes: a citizen who has just applied
// sees the fee among their payments), and a restarted process rebuilds it
// from the demands. Data directories written before keep their fin_payer
// documents, which nothing reads or changes any more.
type payerView struct {
	docs  store.DocView
	of    map[string][]string // payer's user id → demand ids, ascending
	payer map[string]string   // demand id → its payer's user id, when it has one
}

// payerInit guards making a Finance's view at first use.
var payerInit sync.Mutex

func (f *Finance) payerView() *payerView {
	payerInit.Lock()
	defer payerInit.Unlock()
	if f.payers == nil {
		v := &payerView{}
		v.docs = store.DocView{Store: f.Store, Entity: entityDemand, Affected: payerChanges,
			Reset: func() { v.of, v.payer = map[string][]string{}, map[string]string{} },
			Apply: func(id string, raw []byte) error {
				var d demandPayer
				if raw != nil {
					if err := json.Unmarshal(raw, &d); err != nil {
						return fmt.Errorf("demand %s: %w", id, err)
					}
				}
				v.apply(id, d.Payer.UserID)
				return nil
			}}
		f.payers = v
	}
	return f.payers
}

// demandPayer is what the view reads of a demand.
type demandPayer struct {
	Payer struct {
		UserID string `json:"user_id"`
	} `json:"payer"`
}

// demandsOfPayer returns the ids of a citizen's demands, newest first, at
// most limit (0: all), with the view caught up with the log.
func (f *Finance) demandsOfPayer(userID string, limit int) ([]string, error) {
	v := f.payerView()
	var out []string
	err := v.docs.Read(func() error {
		ids := v.of[userID]
		if limit > 0 && len(ids) > limit {
			ids = ids[len(ids)-limit:]
		}
		out = slices.Clone(ids)
		slices.Reverse(out)
		return nil
	})
	return out, err
}

// WarmPayers builds the view of the citizens' demands now (from every
// demand: a second or so at a million), so that the first payments page
// after a start does not wait for it. Reads catch up with the log
// themselves; payment pages are read seldom enough that nothing follows
// the log between them.
func (f *Finance) WarmPayers() error {
	return f.payerView().docs.Read(func() error { return nil })
}

// payerChanges are the demands an event raised or named a payer for: the
// only events after which a demand's payer can differ.
func payerChanges(ev store.Event) []string {
	if ev.Entity != entityDemand {
		return nil
	}
	switch ev.Type {
	case EventDemandRaised.Name:
		return []string{ev.ID}
	case EventDemandsRaised.Name, EventDemandsPayerNamed.Name:
		// A batch lists its demands as {"id": …} (raised) or
		// {"demand": …} (payer named); a layout not known lists nothing,
		// and its first demand is still read.
		var data struct {
			Demands []struct {
				ID     string `json:"id"`
				Demand string `json:"demand"`
			} `json:"demands"`
		}
		json.Unmarshal(ev.Data, &data)
		ids := []string{ev.ID}
		for _, d := range data.Demands {
			ids = append(ids, d.ID+d.Demand)
		}
		return ids
	}
	return nil
}

// apply puts demand id under its payer now, and off the one it was under.
func (v *payerView) apply(id, userID string) {
	if old, ok := v.payer[id]; ok {
		if old == userID {
			return
		}
		ids := v.of[old]
		if i, found := slices.BinarySearch(ids, id); found {
			ids = slices.Delete(ids, i, i+1)
		}
		if len(ids) == 0 {
			delete(v.of, old)
		} else {
			v.of[old] = ids
		}
		delete(v.payer, id)
	}
	if userID == "" {
		return
	}
	ids := v.of[userID]
	if i, found := slices.BinarySearch(ids, id); !found {
		v.of[userID] = slices.Insert(ids, i, id)
	}
	v.payer[id] = userID
}
