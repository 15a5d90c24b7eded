package licence

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/identity"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/seal"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Licences is the module's instance on one node: the register of trade
// licences, its schedule, and the modules it reads (property tax, for the
// premises) and posts to (finance, through the workflow's fees).
type Licences struct {
	Store     *store.Store
	Schedule  *Schedule
	LocalBody domain.LocalBody
	Workflow  *workflow.Workflow
	Identity  *identity.Service
	Documents *documents.Renderer
	Seal      *seal.Key
	PublicURL func() string
	Now       func() time.Time
	Logger    *slog.Logger
	// PropertyTax is the register of buildings premises must be in, and
	// Finance the money module; the appliance sets both after every module
	// is open. Without PropertyTax no premises can be checked, and every
	// application is refused.
	PropertyTax *propertytax.PropertyTax
	Finance     *finance.Finance
}

// Statuses of a licence, as the register and GET /api/v1/licences show
// them.
const (
	StatusPending   = "pending"   // its year ended while its renewal is being decided
	StatusActive    = "active"    // granted by the office, in force
	StatusDeemed    = "deemed"    // granted by the law (s.447(6)), in force
	StatusExpired   = "expired"   // its year ended, no renewal applied for
	StatusSuspended = "suspended" // by the secretary, after a hearing
	StatusCancelled = "cancelled" // by the secretary after a hearing, or surrendered
)

// Statuses lists every status in the order pages offer them.
var Statuses = []string{StatusActive, StatusDeemed, StatusPending, StatusExpired, StatusSuspended, StatusCancelled}

// StatusName names a status for people.
func StatusName(s string) domain.Text {
	switch s {
	case StatusPending:
		return domain.T("Renewal pending", "പുതുക്കൽ തീർപ്പാക്കാനുണ്ട്")
	case StatusActive:
		return domain.T("In force", "പ്രാബല്യത്തിൽ")
	case StatusDeemed:
		return domain.T("Deemed granted, in force", "അനുവദിച്ചതായി കണക്കാക്കി, പ്രാബല്യത്തിൽ")
	case StatusExpired:
		return domain.T("Expired", "കാലാവധി കഴിഞ്ഞു")
	case StatusSuspended:
		return domain.T("Suspended", "താൽക്കാലികമായി റദ്ദാക്കി")
	case StatusCancelled:
		return domain.T("Cancelled", "റദ്ദാക്കി")
	}
	return domain.T(s, s)
}

// Licence is one trade licence in the register: the trade at its
// premises, its holder, the year it is in force for, and how it stands.
type Licence struct {
	ID          string       `json:"id"`
	Number      string       `json:"number"` // <local body>-TL-<year first granted>-<n>
	Status      string       `json:"status"` // as stored; StatusAt reads it at a time
	Category    string       `json:"category"`
	TradeName   string       `json:"trade_name"` // the establishment's name
	Description string       `json:"description,omitempty"`
	Measure     string       `json:"measure"`
	Capacity    int64        `json:"capacity"` // in Measure
	HP          int64        `json:"machinery_hp,omitempty"`
	Premises    string       `json:"premises"` // the building's number in the property tax register
	Ward        int          `json:"ward"`
	Holder      Holder       `json:"holder"`
	Partners    string       `json:"partners,omitempty"`
	Year        string       `json:"year"`       // the financial year in force, "2026-27"
	ValidFrom   string       `json:"valid_from"` // YYYY-MM-DD
	ValidTo     string       `json:"valid_to"`
	Fee         domain.Paise `json:"fee_paise"` // this year's, with any late penalty
	Started     string       `json:"trade_started_on,omitempty"`
	MSME        string       `json:"msme_acknowledgement,omitempty"`
	First       time.Time    `json:"first_granted"`
	Granted     time.Time    `json:"granted"` // this year's grant
	// Deemed, when set, says this year's grant was the law's: the
	// office did not decide the file in time.
	Deemed *Desk `json:"deemed,omitempty"`
	// File is the application this year's grant was made on; Renewal the
	// renewal file being decided, if any.
	File        string `json:"file"`
	Renewal     string `json:"renewal_file,omitempty"`
	Certificate string `json:"certificate,omitempty"` // the current certificate's number
	// Order is the last suspension, reinstatement, cancellation or
	// surrender, with its hearing and reasons.
	Order   *Order    `json:"order,omitempty"`
	Version int       `json:"version"`
	Changed time.Time `json:"changed"`
}

// Holder is who holds a licence.
type Holder struct {
	Name    domain.Text `json:"name"`
	UserID  string      `json:"user_id,omitempty"`
	Phone   string      `json:"phone,omitempty"`
	Address string      `json:"address,omitempty"`
}

// Desk is the officer whose desk held a file when its time ran out.
type Desk struct {
	File        string      `json:"file"`
	OfficerID   string      `json:"officer_id,omitempty"`
	OfficerName string      `json:"officer_name,omitempty"`
	Role        domain.Role `json:"role"`
	Days        int         `json:"days"` // the days that ran
}

// Order is the secretary's suspension, reinstatement or cancellation, or
// the holder's surrender.
type Order struct {
	Kind    string    `json:"kind"` // "suspended", "reinstated", "cancelled", "surrendered"
	Hearing string    `json:"hearing,omitempty"`
	Reasons string    `json:"reasons"`
	Until   string    `json:"until,omitempty"` // a suspension's last day
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	ByName  string    `json:"by_name"`
	File    string    `json:"file,omitempty"`
}

// StatusAt is the licence's status on now's date: a licence in force
// whose year has ended is expired, or pending while its renewal is
// decided.
func (l Licence) StatusAt(now time.Time) string {
	if l.Status == StatusSuspended && l.Order != nil && l.Order.Until != "" && dateOf(now) > l.Order.Until {
		// A suspension ends on its last day by itself.
		l.Status = StatusActive
		if l.Deemed != nil {
			l.Status = StatusDeemed
		}
	}
	switch l.Status {
	case StatusActive, StatusDeemed:
		if dateOf(now) > l.ValidTo {
			if l.Renewal != "" {
				return StatusPending
			}
			return StatusExpired
		}
	case StatusPending:
		if l.Renewal == "" {
			return StatusExpired
		}
	case StatusExpired:
		// A late renewal is being decided: the holder applied, and the
		// office has yet to answer.
		if l.Renewal != "" {
			return StatusPending
		}
	}
	return l.Status
}

// InForce reports whether the holder may trade under it on now's date.
func (l Licence) InForce(now time.Time) bool {
	s := l.StatusAt(now)
	return s == StatusActive || s == StatusDeemed || s == StatusPending
}

// dateOf is t's date in IST, as YYYY-MM-DD.
func dateOf(t time.Time) string { return t.In(domain.IST).Format(time.DateOnly) }

// dayNumber counts days in IST, for clocks that run in whole days.
func dayNumber(t time.Time) int {
	y, m, d := t.In(domain.IST).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// FinancialYear is the financial year (its first calendar year) that t
// falls in: April to March.
func FinancialYear(t time.Time) int {
	ist := t.In(domain.IST)
	if ist.Month() < time.April {
		return ist.Year() - 1
	}
	return ist.Year()
}

// YearLabel reads a financial year as "2026-27".
func YearLabel(y int) string { return fmt.Sprintf("%d-%02d", y, (y+1)%100) }

// ParseYear reads "2026-27" as 2026.
func ParseYear(s string) (int, bool) {
	var y, next int
	if n, err := fmt.Sscanf(strings.TrimSpace(s), "%4d-%2d", &y, &next); n != 2 || err != nil || (y+1)%100 != next || y < 1990 || y > 2200 {
		return 0, false
	}
	return y, true
}

// yearDates are a financial year's first and last days.
func yearDates(y int) (string, string) {
	return fmt.Sprintf("%d-04-01", y), fmt.Sprintf("%d-03-31", y+1)
}

// notFound is the answer for a licence number not in the register.
func notFound(number string) error {
	return domain.Bilingual(domain.ENOTFOUND, domain.T(
		fmt.Sprintf("There is no licence %s in the register. Check the number on your licence (e.g. DEMO01-TL-2026-12).", number),
		fmt.Sprintf("%s എന്ന ലൈസൻസ് രജിസ്റ്ററിൽ ഇല്ല. ലൈസൻസിലെ നമ്പർ പരിശോധിക്കുക (ഉദാ. DEMO01-TL-2026-12).", number)))
}

// normalNumber is a licence number as the register keys it.
func normalNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Licence reads a licence by its number as anyone may see it (the
// register is public; web shows the holder's phone to the office only).
func (s *Licences) Licence(number string) (Licence, error) {
	var l Licence
	err := s.Store.View(func(tx *store.Tx) (err error) { l, err = byNumber(tx, number); return err })
	return l, err
}

func byNumber(tx *store.Tx, number string) (Licence, error) {
	id, err := tx.Lookup(indexNumber, normalNumber(number))
	if errors.Is(err, store.ErrNotFound) {
		return Licence{}, notFound(normalNumber(number))
	}
	if err != nil {
		return Licence{}, err
	}
	return getLicence(tx, id)
}

func getLicence(tx *store.Tx, id string) (Licence, error) {
	var l Licence
	err := tx.Get(entityLicence, id, &l)
	return l, err
}

// ByFile returns the licence a file made or concerns, if any.
func (s *Licences) ByFile(fileID string) (Licence, bool, error) {
	var l Licence
	found := false
	err := s.Store.View(func(tx *store.Tx) error {
		var id string
		err := tx.Get(entityFile, fileID, &id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		l, err = getLicence(tx, id)
		found = err == nil
		return err
	})
	return l, found, err
}

// HeldBy lists a citizen's licences.
func (s *Licences) HeldBy(userID string) ([]Licence, error) {
	var out []Licence
	err := s.Store.View(func(tx *store.Tx) error {
		ids, err := tx.IDsUnder(entityHolder, userID, store.ScanOptions{})
		if err != nil {
			return err
		}
		for _, id := range ids {
			l, err := getLicence(tx, id)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// ByStatus lists the licences with a status on now's date, in number
// order, at most limit (0: all). Expired and pending licences are found
// among those stored in force whose year has ended, as well as those the
// day's job has marked.
func (s *Licences) ByStatus(status string, limit int) ([]Licence, error) {
	if !validStatus(status) {
		return nil, domain.FieldErrors{"status": domain.T(
			"Give a status: one of "+strings.Join(Statuses, ", ")+".",
			"ഒരു നില നൽകുക: "+strings.Join(Statuses, ", ")+" എന്നിവയിലൊന്ന്.")}.Err()
	}
	now := s.Now()
	stored := []string{status}
	switch status {
	case StatusExpired, StatusPending:
		stored = []string{StatusExpired, StatusActive, StatusDeemed, StatusPending}
	}
	var out []Licence
	seen := map[string]bool{}
	err := s.Store.View(func(tx *store.Tx) error {
		for _, st := range stored {
			err := tx.Scan(entityStatus, store.ScanOptions{Prefix: st + "/"}, func(k string, _ []byte) error {
				id := k[len(st)+1:]
				if seen[id] {
					return nil
				}
				seen[id] = true
				l, err := getLicence(tx, id)
				if err != nil {
					return err
				}
				if l.StatusAt(now) == status {
					out = append(out, l)
				}
				if limit > 0 && len(out) >= limit {
					return store.ErrStop
				}
				return nil
			})
			if err != nil && !errors.Is(err, store.ErrStop) {
				return err
			}
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	return out, err
}

func validStatus(s string) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Expiring lists the licences in force whose year ends within days of
// now, soonest first, without a renewal applied for: whom to remind.
func (s *Licences) Expiring(days int) ([]Licence, error) {
	now := s.Now()
	from, to := dateOf(now), dateOf(now.AddDate(0, 0, days))
	var out []Licence
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityExpiry, store.ScanOptions{After: from}, func(k string, _ []byte) error {
			if k[:10] > to {
				return store.ErrStop
			}
			l, err := getLicence(tx, k[11:])
			if err != nil {
				return err
			}
			if l.Renewal == "" && l.InForce(now) {
				out = append(out, l)
			}
			return nil
		})
	})
	if errors.Is(err, store.ErrStop) {
		err = nil
	}
	return out, err
}

// put stages a licence in tx with its indexes, and the event that says
// why it changed; before is nil for a new licence.
func (s *Licences) put(tx *store.Tx, before *Licence, l *Licence, typ store.EventType, by domain.Actor, facts map[string]any) error {
	l.Changed = s.Now()
	if before != nil {
		l.Version = before.Version + 1
		if err := tx.Delete(entityStatus, before.Status+"/"+before.ID); err != nil {
			return err
		}
		if before.ValidTo != "" {
			if err := tx.Delete(entityExpiry, before.ValidTo+"/"+before.ID); err != nil {
				return err
			}
		}
		if before.Holder.UserID != "" && before.Holder.UserID != l.Holder.UserID {
			if err := tx.Delete(entityHolder, before.Holder.UserID+"/"+before.ID); err != nil {
				return err
			}
		}
	} else {
		l.Version = 1
		if err := tx.ClaimKey(indexNumber, l.Number, l.ID); err != nil {
			return err
		}
	}
	if err := tx.PutRaw(entityStatus, l.Status+"/"+l.ID, []byte(`""`)); err != nil {
		return err
	}
	if l.Status == StatusActive || l.Status == StatusDeemed || l.Status == StatusPending {
		if err := tx.PutRaw(entityExpiry, l.ValidTo+"/"+l.ID, []byte(`""`)); err != nil {
			return err
		}
	}
	if l.Holder.UserID != "" {
		if err := tx.PutRaw(entityHolder, l.Holder.UserID+"/"+l.ID, []byte(`""`)); err != nil {
			return err
		}
	}
	if err := tx.Put(entityLicence, l.ID, l); err != nil {
		return err
	}
	out := map[string]any{"licence": l}
	for k, v := range facts {
		out[k] = v
	}
	return tx.Emit(by.ID, typ, entityLicence, l.ID, out)
}

// linkFile records that a file concerns a licence.
func linkFile(tx *store.Tx, fileID, licenceID string) error {
	raw, _ := json.Marshal(licenceID)
	return tx.PutRaw(entityFile, fileID, raw)
}

func decode(raw []byte, v any) error { return json.Unmarshal(raw, v) }
