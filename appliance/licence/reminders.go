package licence

import (
	"fmt"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// queueReminder asks a holder to renew their licence for the next year,
// in the app and over their chosen channels.
func queueReminder(tx *store.Tx, now time.Time, l Licence, next string) error {
	_, err := messaging.Queue(tx, now, messaging.Message{To: l.Holder.UserID, Kind: messaging.KindNotice, Link: "/licences/" + l.Number,
		Subject: domain.T(fmt.Sprintf("Renew licence %s by %s", l.Number, l.ValidTo), fmt.Sprintf("ലൈസൻസ് %s %s-നകം പുതുക്കുക", l.Number, l.ValidTo)),
		Body: domain.T(
			fmt.Sprintf("Your licence %s for %s ends on %s. Renew it for %s from its page in a few taps; after the date a late penalty is added.", l.Number, l.TradeName, l.ValidTo, next),
			fmt.Sprintf("%s-ന്റെ ലൈസൻസ് %s %s-ന് അവസാനിക്കും. %s-ലേക്ക് അതിന്റെ പേജിൽ നിന്ന് പുതുക്കുക; തീയതി കഴിഞ്ഞാൽ പിഴ ചേർക്കും.", l.TradeName, l.Number, l.ValidTo, next))})
	return err
}
