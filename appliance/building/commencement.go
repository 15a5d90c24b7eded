package building

import (
	"fmt"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// CommencementRoles are the office roles that may record a permit's
// commencement for its holder (the holder records it online).
var CommencementRoles = []domain.Role{domain.RoleFrontOffice, domain.RoleOverseer, domain.RoleAssistantEngineer, domain.RoleSecretary}

// Commence records that the work of an issued permit began on the date
// given (YYYY-MM-DD): by the permit's holder, or the office for them. It
// is recorded once; a date before the permit, in the future, or after the
// permit lapsed is refused, and so is a permit not issued or not the
// caller's.
func (m *Permits) Commence(by domain.Actor, number, date string) (Permit, error) {
	p, err := m.Permit(number)
	if err != nil {
		return p, err
	}
	if !by.HasAny(CommencementRoles...) && (p.OwnerUserID == "" || p.OwnerUserID != by.ID) {
		return p, domain.Bilingual(domain.ENOTFOUND, domain.T("There is no permit "+number+" of yours.", number+" എന്ന പെർമിറ്റ് നിങ്ങളുടേതല്ല."))
	}
	now := m.Now()
	gy, gm, gd := p.Granted.In(domain.IST).Date()
	granted := time.Date(gy, gm, gd, 0, 0, 0, 0, domain.IST)
	d, err := time.ParseInLocation(time.DateOnly, date, domain.IST)
	switch {
	case err != nil:
		return p, fieldErr("commenced_on", domain.T("Give the date the work began, as YYYY-MM-DD.", "പണി തുടങ്ങിയ തീയതി YYYY-MM-DD ആയി നൽകുക."))
	case d.After(now) || d.Before(granted) || d.After(p.ValidUntil):
		return p, fieldErr("commenced_on", domain.T(fmt.Sprintf("The work can have begun only between the permit's date (%s) and today, while it is valid.", p.Granted.In(domain.IST).Format("02-01-2006")),
			"പെർമിറ്റ് തീയതിക്കും ഇന്നിനും ഇടയിലുള്ള തീയതി നൽകുക."))
	}
	_, err = m.Store.Write(func(tx *store.Tx) error {
		if err := tx.Get(entityPermit, p.Number, &p); err != nil {
			return err
		}
		if p.Status != StatusIssued {
			return domain.Bilingual(domain.ECONFLICT, domain.T("Permit "+p.Number+" is "+p.Status+"; commencement is recorded on an issued permit.", p.Number+" എന്ന പെർമിറ്റിന് ഇപ്പോൾ ഇത് രേഖപ്പെടുത്താനാകില്ല."))
		}
		if p.Commenced != "" {
			return domain.Bilingual(domain.ECONFLICT, domain.T("The work of permit "+p.Number+" was recorded as begun on "+p.Commenced+".", p.Number+" പ്രകാരമുള്ള പണി "+p.Commenced+"-ന് തുടങ്ങിയതായി ഇതിനകം രേഖപ്പെടുത്തി."))
		}
		p.Commenced = date
		if err := tx.Put(entityPermit, p.Number, p); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventCommenced, entityPermit, p.Number, map[string]string{"commenced_on": date})
	})
	return p, err
}
