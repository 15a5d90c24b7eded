package licence

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Search finds licences by number, establishment or trade, premises or
// holder: every word of q must appear in one of them (case ignored), at
// most limit, in number order. The register of one local body is a few
// thousand licences; a scan of it is quicker than a page's round trip.
// The office search finds them too, by the index.
func (s *Licences) Search(q string, limit int) ([]Licence, error) {
	words := strings.Fields(strings.ToLower(q))
	var out []Licence
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityLicence, store.ScanOptions{}, func(_ string, raw []byte) error {
			var l Licence
			if err := json.Unmarshal(raw, &l); err != nil {
				return err
			}
			c, _ := s.Schedule.Category(l.Category)
			hay := strings.ToLower(strings.Join([]string{l.Number, l.TradeName, l.Description, c.Name.En, c.Name.Ml, l.Premises, l.Holder.Name.En, l.Holder.Name.Ml, l.Partners}, " "))
			for _, w := range words {
				if !strings.Contains(hay, w) {
					return nil
				}
			}
			out = append(out, l)
			if limit > 0 && len(out) >= limit {
				return store.ErrStop
			}
			return nil
		})
	})
	return out, err
}

// Held returns a licence to its holder, or to office staff; anyone else
// is told there is no such licence of theirs.
func (s *Licences) Held(by domain.Actor, number string) (Licence, error) {
	l, err := s.Licence(number)
	if err != nil {
		return l, err
	}
	if by.IsStaff() && !by.Has(domain.RoleKiosk) || (by.Has(domain.RoleCitizen) && l.Holder.UserID == by.ID) {
		return l, nil
	}
	return Licence{}, notFound(normalNumber(number))
}

// RenewalForm is the renewal form of an unchanged licence for the year
// after its own: what "Renew" submits in one tap.
func (s *Licences) RenewalForm(l Licence) map[string]string {
	y, _ := ParseYear(l.Year)
	return map[string]string{"licence_number": l.Number, "trade_name": l.TradeName, "building_number": l.Premises, "ward": strconv.Itoa(l.Ward),
		"financial_year": YearLabel(y + 1), "owner_name_en": l.Holder.Name.En, "owner_name_ml": l.Holder.Name.Ml, "phone": l.Holder.Phone}
}

// renewalOpensDays is how long before a licence's year ends its holder
// is offered the renewal: before the first reminder.
const renewalOpensDays = 60

// Renewable reports whether the holder is offered the renewal now: a
// licence in force or expired (not suspended or cancelled), with no
// renewal being decided, within renewalOpensDays of its year's end or
// after it, whose next year is not beyond the year after now's.
func (s *Licences) Renewable(l Licence, now time.Time) bool {
	st := l.StatusAt(now)
	y, _ := ParseYear(l.Year)
	end, err := time.ParseInLocation(time.DateOnly, l.ValidTo, domain.IST)
	return err == nil && l.Renewal == "" && st != StatusSuspended && st != StatusCancelled && y+1 <= FinancialYear(now)+1 &&
		dateOf(now) >= dateOf(end.AddDate(0, 0, -renewalOpensDays))
}
