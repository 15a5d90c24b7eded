package licence

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Orders the secretary makes on a licence, after hearing its holder.
const (
	OrderSuspend   = "suspended"
	OrderReinstate = "reinstated"
	OrderCancel    = "cancelled"
)

// OrderRequest is the secretary's order: the hearing held, the reasons,
// and for a suspension its last day.
type OrderRequest struct {
	Kind    string
	Hearing string
	Reasons string
	Until   string
}

// Order suspends, reinstates or cancels a licence. Only the secretary
// orders it; a suspension and a cancellation need the note of the hearing
// given to the holder and the reasons (each at least 10 characters), a
// suspension its last day (after today, within the licence's year).
// Nothing is written when anything is wrong.
func (s *Licences) Order(by domain.Actor, number string, req OrderRequest) (Licence, error) {
	if !by.Has(domain.RoleSecretary) {
		return Licence{}, domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the secretary suspends, reinstates or cancels a licence.", "സെക്രട്ടറിക്ക് മാത്രമേ ലൈസൻസ് റദ്ദാക്കാനോ പുനഃസ്ഥാപിക്കാനോ കഴിയൂ."))
	}
	now := s.Now()
	l, err := s.Licence(number)
	if err != nil {
		return Licence{}, err
	}
	fe := domain.FieldErrors{}
	req.Hearing, req.Reasons = strings.TrimSpace(req.Hearing), strings.TrimSpace(req.Reasons)
	text := func(field, v string, en, ml string) {
		if n := utf8.RuneCountInString(v); n < 10 || n > 2000 {
			fe.Add(field, domain.T(en, ml))
		}
	}
	st := l.StatusAt(now)
	typ := EventSuspended
	switch req.Kind {
	case OrderSuspend, OrderCancel:
		text("hearing", req.Hearing, "Record the hearing given to the licensee: when, and what they said (10 to 2,000 characters).", "ലൈസൻസിക്ക് നൽകിയ ഹിയറിംഗ് രേഖപ്പെടുത്തുക: എപ്പോൾ, അവർ എന്തു പറഞ്ഞു (10 മുതൽ 2,000 അക്ഷരങ്ങൾ).")
		text("reasons", req.Reasons, "Give the reasons for the order (10 to 2,000 characters); the licensee will read them.", "ഉത്തരവിന്റെ കാരണങ്ങൾ നൽകുക (10 മുതൽ 2,000 അക്ഷരങ്ങൾ); ലൈസൻസി ഇത് വായിക്കും.")
		if st == StatusCancelled || (req.Kind == OrderSuspend && st == StatusSuspended) {
			return Licence{}, domain.Bilingual(domain.ECONFLICT, domain.T(fmt.Sprintf("Licence %s is %s already.", l.Number, strings.ToLower(StatusName(st).En)), fmt.Sprintf("%s ഇതിനകം '%s' നിലയിലാണ്.", l.Number, StatusName(st).Ml)))
		}
		if req.Kind == OrderSuspend {
			until, err := time.ParseInLocation(time.DateOnly, req.Until, domain.IST)
			if err != nil || dateOf(until) <= dateOf(now) || dateOf(until) > l.ValidTo {
				fe.Add("until", domain.T("Give the suspension's last day: after today and not after "+l.ValidTo+", when the licence ends.", "സസ്പെൻഷന്റെ അവസാന ദിവസം നൽകുക: ഇന്നിനു ശേഷം, "+l.ValidTo+"-ന് മുമ്പ്."))
			}
		} else {
			typ, req.Until = EventCancelled, ""
		}
	case OrderReinstate:
		typ, req.Until = EventReinstated, ""
		text("reasons", req.Reasons, "Give the reasons for reinstating (10 to 2,000 characters).", "പുനഃസ്ഥാപിക്കാനുള്ള കാരണങ്ങൾ നൽകുക (10 മുതൽ 2,000 അക്ഷരങ്ങൾ).")
		if st != StatusSuspended {
			return Licence{}, domain.Bilingual(domain.ECONFLICT, domain.T("Only a suspended licence is reinstated.", "സസ്പെൻഡ് ചെയ്ത ലൈസൻസ് മാത്രമേ പുനഃസ്ഥാപിക്കാനാകൂ."))
		}
	default:
		fe.Add("kind", domain.T("Choose suspend, reinstate or cancel.", "സസ്പെൻഡ്, പുനഃസ്ഥാപിക്കൽ, റദ്ദാക്കൽ എന്നിവയിലൊന്ന് തിരഞ്ഞെടുക്കുക."))
	}
	if err := fe.Err(); err != nil {
		return Licence{}, err
	}
	_, err = s.Store.Write(func(tx *store.Tx) error {
		cur, err := getLicence(tx, l.ID)
		if err != nil {
			return err
		}
		if cur.Version != l.Version {
			return domain.Bilingual(domain.ECONFLICT, domain.T("The licence changed meanwhile; look again.", "ലൈസൻസിൽ ഇതിനിടെ മാറ്റം വന്നു; വീണ്ടും നോക്കുക."))
		}
		before := cur
		cur.Order = &Order{Kind: req.Kind, Hearing: req.Hearing, Reasons: req.Reasons, Until: req.Until, At: now, By: by.ID, ByName: by.Name}
		switch req.Kind {
		case OrderSuspend:
			cur.Status = StatusSuspended
		case OrderCancel:
			cur.Status = StatusCancelled
		case OrderReinstate:
			cur.Status = StatusActive
			if cur.Deemed != nil {
				cur.Status = StatusDeemed
			}
		}
		l = cur
		return s.put(tx, &before, &l, typ, by, map[string]any{"order": cur.Order})
	})
	return l, err
}
