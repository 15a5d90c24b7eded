package finance

import (
	"ksmart/appliance/domain"
	"ksmart/store"
)

// NamePayerIn puts demands still owed in the name of a citizen's account,
// inside the caller's write tx: a module that links its record to the
// owner's account (a building claimed by its owner) gives them what was
// raised before, so that they see it among their payments, pay it online
// and download its receipts. A demand settled, or in that account's name
// already, is left as it is. It returns how many it changed, and writes
// one event listing them when it changed any.
func (f *Finance) NamePayerIn(tx *store.Tx, ids []string, userID string, by domain.Actor) (int, error) {
	var changed []map[string]string
	for _, id := range ids {
		d, err := findDemand(tx, id)
		if err != nil {
			return 0, err
		}
		if d.Payer.UserID == userID || d.Balance() <= 0 {
			continue
		}
		changed = append(changed, map[string]string{"demand": d.ID, "number": d.Number, "from": d.Payer.UserID, "to": userID})
		d.Payer.UserID = userID
		if err := tx.Put(entityDemand, d.ID, d); err != nil {
			return 0, err
		}
	}
	if len(changed) == 0 {
		return 0, nil
	}
	return len(changed), tx.Emit(by.ID, EventDemandsPayerNamed, entityDemand, changed[0]["demand"], map[string]any{"demands": changed})
}
