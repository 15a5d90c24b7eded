package licence

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Exemption is an enterprise's acknowledgement under the Kerala MSME
// Facilitation Act 2019, as the office records it: the enterprise needs no
// licence for the years the schedule gives from its date, and applies for
// one within the months of grace after.
type Exemption struct {
	Number     string      `json:"number"` // the acknowledgement's number
	Date       string      `json:"date"`   // YYYY-MM-DD
	Enterprise string      `json:"enterprise"`
	Holder     domain.Text `json:"holder"`
	Premises   string      `json:"premises"`
	// Ends is the last day of the exemption; ApplyBy the last day to
	// apply for a licence without the late penalty.
	Ends     string    `json:"ends"`
	ApplyBy  time.Time `json:"apply_by"`
	Ended    bool      `json:"ended"` // the day's job has recorded its end
	Recorded time.Time `json:"recorded"`
	By       string    `json:"by"`
}

// InForce reports whether the exemption still covers the enterprise on
// now's date.
func (e Exemption) InForce(now time.Time) bool { return dateOf(now) <= e.Ends }

// exemptionDates are an acknowledgement's exemption end and its last day
// to apply.
func (s *Licences) exemptionDates(ack time.Time) (string, time.Time) {
	st := s.Schedule.Statutory
	end := ack.AddDate(st.MSMEExemptYears, 0, -1)
	return dateOf(end), end.AddDate(0, st.MSMEApplyMonths, 0)
}

// RecordMSME records an MSME acknowledgement the enterprise produced at
// the office. Its date may not be in the future; its premises must be in
// the register; a number is recorded once.
func (s *Licences) RecordMSME(by domain.Actor, e Exemption) (Exemption, error) {
	if !by.HasAny(domain.RoleSectionClerk, domain.RoleHealthInspector, domain.RoleSecretary) {
		return Exemption{}, domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the licence section records an MSME acknowledgement.", "ലൈസൻസ് വിഭാഗത്തിന് മാത്രമേ എം.എസ്.എം.ഇ. അംഗീകാരം രേഖപ്പെടുത്താനാകൂ."))
	}
	now := s.Now()
	fe := domain.FieldErrors{}
	e.Number = strings.ToUpper(strings.TrimSpace(e.Number))
	if len(e.Number) < 4 || len(e.Number) > 40 {
		fe.Add("number", domain.T("Give the acknowledgement's number as printed on it.", "അംഗീകാരത്തിലെ നമ്പർ നൽകുക."))
	}
	d, err := time.ParseInLocation(time.DateOnly, e.Date, domain.IST)
	if err != nil || dateOf(d) > dateOf(now) {
		fe.Add("date", domain.T("Give the acknowledgement's date, not a future one.", "അംഗീകാരത്തിന്റെ തീയതി നൽകുക; ഭാവി തീയതി പാടില്ല."))
	}
	if strings.TrimSpace(e.Enterprise) == "" {
		fe.Add("enterprise", domain.T("Give the enterprise's name.", "സംരംഭത്തിന്റെ പേര് നൽകുക."))
	}
	if strings.TrimSpace(e.Holder.En) == "" {
		fe.Add("holder", domain.T("Give the entrepreneur's name.", "സംരംഭകന്റെ പേര് നൽകുക."))
	}
	if len(fe) == 0 {
		p, err := s.Premises(e.Premises, 0)
		if err != nil {
			var de *domain.Error
			if errors.As(err, &de) && de.Fields != nil {
				fe.Add("premises", de.Fields["building_number"])
			} else {
				return Exemption{}, err
			}
		} else {
			e.Premises = p.Building.Number
		}
	}
	if err := fe.Err(); err != nil {
		return Exemption{}, err
	}
	e.Ends, e.ApplyBy = s.exemptionDates(d)
	e.Recorded, e.By, e.Ended = now, by.ID, false
	_, err = s.Store.Write(func(tx *store.Tx) error {
		if tx.Exists(entityMSME, e.Number) {
			return fieldErr("number", domain.T("Acknowledgement "+e.Number+" is recorded already.", e.Number+" എന്ന അംഗീകാരം ഇതിനകം രേഖപ്പെടുത്തിയിട്ടുണ്ട്."))
		}
		if err := tx.Put(entityMSME, e.Number, e); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventMSMERecorded, entityMSME, e.Number, e)
	})
	return e, err
}

// MSME reads a recorded acknowledgement.
func (s *Licences) MSME(number string) (Exemption, error) {
	var e Exemption
	err := s.Store.View(func(tx *store.Tx) error { return tx.Get(entityMSME, strings.ToUpper(strings.TrimSpace(number)), &e) })
	if errors.Is(err, store.ErrNotFound) {
		return e, domain.Bilingual(domain.ENOTFOUND, domain.T("No such MSME acknowledgement is recorded.", "അങ്ങനെയൊരു എം.എസ്.എം.ഇ. അംഗീകാരം രേഖപ്പെടുത്തിയിട്ടില്ല."))
	}
	return e, err
}

// Exemptions lists the recorded acknowledgements.
func (s *Licences) Exemptions() ([]Exemption, error) {
	var out []Exemption
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityMSME, store.ScanOptions{}, func(_ string, raw []byte) error {
			var e Exemption
			if err := decode(raw, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// endExemptions records, once each, the end of every exemption whose
// last day has passed, and tells the office the enterprise now needs a
// licence; it returns how many ended.
func (s *Licences) endExemptions(now time.Time) (int, error) {
	var ended []Exemption
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityMSME, store.ScanOptions{}, func(_ string, raw []byte) error {
			var e Exemption
			if err := decode(raw, &e); err != nil {
				return err
			}
			if !e.Ended && !e.InForce(now) {
				ended = append(ended, e)
			}
			return nil
		})
	})
	if err != nil || len(ended) == 0 {
		return 0, err
	}
	_, err = s.Store.Write(func(tx *store.Tx) error {
		for _, e := range ended {
			var cur Exemption
			if err := tx.Get(entityMSME, e.Number, &cur); err != nil {
				return err
			}
			if cur.Ended {
				continue
			}
			cur.Ended = true
			if err := tx.Put(entityMSME, cur.Number, cur); err != nil {
				return err
			}
			if err := tx.Emit(domain.System.ID, EventMSMEEnded, entityMSME, cur.Number, map[string]any{
				"ends": cur.Ends, "apply_by": dateOf(cur.ApplyBy),
				"note": fmt.Sprintf("%s's exemption ended on %s; it must hold a licence, applied for by %s", cur.Enterprise, cur.Ends, dateOf(cur.ApplyBy))}); err != nil {
				return err
			}
		}
		return nil
	})
	return len(ended), err
}
