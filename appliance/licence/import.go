package licence

import (
	"fmt"
	"strings"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Enter enters licences from the register a local body kept before
// ksmart, many to a write (a migration, the benchmark's register): each
// is numbered here, its category must be in the schedule and its
// capacity in a slab, its premises in the register of buildings, its
// year a financial year with its dates. One that does not check refuses
// the whole write, naming it; nothing is written then.
func (s *Licences) Enter(by domain.Actor, ls []Licence) ([]Licence, error) {
	if !by.HasAny(domain.RoleSecretary) && by.ID != domain.System.ID {
		return nil, domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the secretary enters licences from the old register.", "പഴയ രജിസ്റ്ററിൽ നിന്ന് ലൈസൻസുകൾ ചേർക്കാൻ സെക്രട്ടറിക്ക് മാത്രം."))
	}
	seen := map[string]bool{}
	for i := range ls {
		l := &ls[i]
		c, ok := s.Schedule.Category(l.Category)
		if !ok {
			return nil, fmt.Errorf("licence %d (%s): category %q is not in the schedule", i+1, l.TradeName, l.Category)
		}
		if _, err := c.Fee(l.Capacity); err != nil {
			return nil, fmt.Errorf("licence %d (%s): capacity %d is outside the schedule's slabs", i+1, l.TradeName, l.Capacity)
		}
		y, ok := ParseYear(l.Year)
		if !ok {
			return nil, fmt.Errorf("licence %d (%s): year %q is not a financial year like 2026-27", i+1, l.TradeName, l.Year)
		}
		if !seen[l.Premises] {
			if _, err := s.Premises(l.Premises, 0); err != nil {
				return nil, fmt.Errorf("licence %d (%s): premises %s: %v", i+1, l.TradeName, l.Premises, err)
			}
			seen[l.Premises] = true
		}
		if strings.TrimSpace(l.Holder.Name.En+l.Holder.Name.Ml) == "" {
			return nil, fmt.Errorf("licence %d (%s): no licensee named", i+1, l.TradeName)
		}
		from, to := yearDates(y)
		if l.ValidFrom == "" || l.ValidFrom < from {
			l.ValidFrom = from
		}
		l.ValidTo, l.Measure, l.Status = to, c.Measure, StatusActive
		if l.Fee == 0 {
			l.Fee, _ = c.Fee(l.Capacity)
		}
	}
	now := s.Now()
	rs := make([]reserved, len(ls))
	for i := range ls {
		r, err := s.reserve(now)
		if err != nil {
			return nil, err
		}
		rs[i] = r
		ls[i].ID, ls[i].Number = r.id, r.number
		if ls[i].First.IsZero() {
			ls[i].First = now
		}
		if ls[i].Granted.IsZero() {
			ls[i].Granted = ls[i].First
		}
	}
	_, err := s.Store.Write(func(tx *store.Tx) error {
		for i := range ls {
			if err := rs[i].use(tx); err != nil {
				return err
			}
			if err := s.put(tx, nil, &ls[i], EventEntered, by, map[string]any{"from": "the register kept before ksmart"}); err != nil {
				return fmt.Errorf("licence %d (%s): %w", i+1, ls[i].TradeName, err)
			}
		}
		return nil
	})
	return ls, err
}
