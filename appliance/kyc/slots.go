package kyc

import (
	"time"

	"ksmart/store"
)

// Slot is one call's time at the office.
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// slots lists the office's slots on working days from the day of now for
// DaysAhead days, starting after now, in Kerala time.
func (k *KYC) slots(now time.Time) []Slot {
	s := k.settings()
	var out []Slot
	day := time.Date(now.In(Kerala).Year(), now.In(Kerala).Month(), now.In(Kerala).Day(), 0, 0, 0, 0, Kerala)
	for d := 0; d < s.DaysAhead; d++ {
		date := day.AddDate(0, 0, d)
		if !k.Calendar.IsWorkingDay(date) {
			continue
		}
		for _, sess := range s.Sessions {
			from, to, err := parseSession(sess)
			if err != nil {
				continue
			}
			for m := from; m+s.SlotMinutes <= to; m += s.SlotMinutes {
				start := date.Add(time.Duration(m) * time.Minute)
				if start.After(now) {
					out = append(out, Slot{Start: start, End: start.Add(time.Duration(s.SlotMinutes) * time.Minute)})
				}
			}
		}
	}
	return out
}

// FreeSlots are the slots a citizen may book now: the office's, less those
// booked.
func (k *KYC) FreeSlots() ([]Slot, error) {
	all := k.slots(k.Now())
	var out []Slot
	err := k.Store.View(func(tx *store.Tx) error {
		for _, sl := range all {
			if !tx.Exists(entitySlot, slotKey(sl.Start)) {
				out = append(out, sl)
			}
		}
		return nil
	})
	return out, err
}

func slotKey(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// slotAt finds the office's slot starting at t.
func (k *KYC) slotAt(t time.Time, now time.Time) (Slot, bool) {
	for _, sl := range k.slots(now) {
		if sl.Start.Equal(t) {
			return sl, true
		}
	}
	return Slot{}, false
}
