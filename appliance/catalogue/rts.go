package catalogue

import (
	"fmt"
	"slices"

	"ksmart/appliance/domain"
)

// RightToService is how a service is notified under the Kerala State
// Right to Service Act 2012 (or the Act of its own that governs it, as
// the Right to Information Act 2005 governs an RTI request): who delivers
// it, who hears the appeals, how its time limit is counted, how long a
// citizen has to appeal, and whether the law grants an application the
// office did not decide in time. A service whose definition leaves it
// out, or leaves out a part, takes DefaultRTS's part (see Service.RTS).
type RightToService struct {
	// Counting is CountWorkingDays (the default) or CountCalendarDays:
	// how TimeLimitDays and the days with the applicant are counted.
	Counting string `json:"counting,omitempty"`
	// DesignatedOfficer is the role that delivers the service or rejects
	// it with written reasons (s.5); "" means the service's last step's.
	DesignatedOfficer domain.Role `json:"designated_officer,omitempty"`
	// FirstAppellate and SecondAppellate hear the appeals (s.6); a zero
	// value means DefaultRTS's choice for the designated officer.
	FirstAppellate  Authority `json:"first_appellate,omitzero"`
	SecondAppellate Authority `json:"second_appellate,omitzero"`
	// AppealDays is how many calendar days the applicant has to appeal
	// after the rejection or the end of the time limit; SecondAppealDays
	// after the first appeal's decision; DecideAppealDays is an appellate
	// authority's own time limit, in calendar days.
	AppealDays       int `json:"appeal_days,omitempty"`
	SecondAppealDays int `json:"second_appeal_days,omitempty"`
	DecideAppealDays int `json:"decide_appeal_days,omitempty"`
	// PenaltyMin and PenaltyMax bound the penalty an appellate authority
	// may propose on the designated officer, in paise.
	PenaltyMin domain.Paise `json:"penalty_min,omitempty"`
	PenaltyMax domain.Paise `json:"penalty_max,omitempty"`
	// Deemed says the law grants an application the office did not decide
	// within the time limit (trade licences, Kerala Municipality Act
	// s.447(6)); DeemedBasis names that law, and must be given with it.
	Deemed      bool   `json:"deemed,omitempty"`
	DeemedBasis string `json:"deemed_basis,omitempty"`
	// Basis is the legal basis of the notification and its figures;
	// LocalSettings lists the figures not confirmed from the law's text.
	Basis         string   `json:"basis,omitempty"`
	LocalSettings []string `json:"local_settings,omitempty"`
}

// Authority is an appellate authority: the role that acts for it on this
// appliance, and its designation as the notification names it.
type Authority struct {
	Role        domain.Role `json:"role"`
	Designation domain.Text `json:"designation"`
}

// How a time limit is counted.
const (
	CountWorkingDays  = "working_days"  // no Sundays, second Saturdays or holidays
	CountCalendarDays = "calendar_days" // every day
)

// DefaultRTS is the notification every service has unless its definition
// says otherwise. The 30 days to appeal are the Act's figure as commonly
// cited, and the second appeal's 60 days and an appeal's own 30 days are
// the notifications' usual figures: none was confirmed from the Act's
// text here, so all three are LOCAL SETTINGS. The penalty's range of
// Rs 500 to Rs 5,000 is s.8 as the Government's own pages summarise it.
var DefaultRTS = RightToService{
	Counting:         CountWorkingDays,
	AppealDays:       30,
	SecondAppealDays: 60,
	DecideAppealDays: 30,
	PenaltyMin:       500 * 100,
	PenaltyMax:       5000 * 100,
	Basis:            "Kerala State Right to Service Act 2012 (Act 18 of 2012): s.3 notified services, designated officers, appellate authorities and time limits; s.5 delivery or rejection with reasons; s.6 first and second appeals; s.8 penalty of Rs 500 to Rs 5,000 on the designated officer",
	LocalSettings: []string{
		"appeal_days 30: the Act's figure as commonly cited, not confirmed from its text",
		"second_appeal_days 60 and decide_appeal_days 30: not confirmed from the Act's text",
		"appellate authorities: the Secretary hears first appeals on files decided below them; an officer of the LSGD directorate (Deputy Director of Panchayats / Regional Joint Director), with an account on this appliance, hears first appeals on the Secretary's own decisions and every second appeal",
	},
}

// Appellate authorities used by DefaultRTS.
var (
	secretaryAuthority = Authority{Role: domain.RoleSecretary, Designation: domain.T("Secretary of the local body", "തദ്ദേശ സ്ഥാപന സെക്രട്ടറി")}
	firstLSGD          = Authority{Role: domain.RoleAppellateAuthority, Designation: domain.T("Deputy Director of Panchayats / Regional Joint Director (LSGD)", "പഞ്ചായത്ത് ഡെപ്യൂട്ടി ഡയറക്ടർ / റീജിയണൽ ജോയിന്റ് ഡയറക്ടർ (എൽ.എസ്.ജി.ഡി)")}
	secondLSGD         = Authority{Role: domain.RoleAppellateAuthority, Designation: domain.T("Joint Director / Principal Director (LSGD)", "ജോയിന്റ് ഡയറക്ടർ / പ്രിൻസിപ്പൽ ഡയറക്ടർ (എൽ.എസ്.ജി.ഡി)")}
)

// RTS returns the service's notification with DefaultRTS's parts filled
// in where its definition leaves them out.
func (s Service) RTS() RightToService {
	r := DefaultRTS
	if s.Rights != nil {
		own := *s.Rights
		if own.Counting != "" {
			r.Counting = own.Counting
		}
		r.DesignatedOfficer = own.DesignatedOfficer
		r.FirstAppellate, r.SecondAppellate = own.FirstAppellate, own.SecondAppellate
		for _, p := range []struct {
			dst *int
			v   int
		}{{&r.AppealDays, own.AppealDays}, {&r.SecondAppealDays, own.SecondAppealDays}, {&r.DecideAppealDays, own.DecideAppealDays}} {
			if p.v > 0 {
				*p.dst = p.v
			}
		}
		if own.PenaltyMin > 0 || own.PenaltyMax > 0 {
			r.PenaltyMin, r.PenaltyMax = own.PenaltyMin, own.PenaltyMax
		}
		r.Deemed, r.DeemedBasis = own.Deemed, own.DeemedBasis
		if own.Basis != "" {
			r.Basis = own.Basis
		}
		r.LocalSettings = append(slices.Clone(r.LocalSettings), own.LocalSettings...)
	}
	if r.DesignatedOfficer == "" && len(s.Steps) > 0 {
		r.DesignatedOfficer = s.Steps[len(s.Steps)-1].Role
	}
	if r.FirstAppellate.Role == "" {
		r.FirstAppellate = secretaryAuthority
		if r.DesignatedOfficer == domain.RoleSecretary || r.DesignatedOfficer == domain.RoleRegistrar {
			// The registrar of births and deaths in a municipality is its
			// secretary; an appeal goes above the office.
			r.FirstAppellate = firstLSGD
		}
	}
	if r.SecondAppellate.Role == "" {
		r.SecondAppellate = secondLSGD
	}
	return r
}

// Calendar reports whether the service's time limit counts calendar days.
func (r RightToService) Calendar() bool { return r.Counting == CountCalendarDays }

// checkRTS reports the problems of a service's own notification.
func checkRTS(s Service, where string, p *problems) {
	if s.Rights == nil {
		return
	}
	r := *s.Rights
	where += ": rts"
	switch r.Counting {
	case "", CountWorkingDays, CountCalendarDays:
	default:
		p.addf("%s: counting %q: use %q or %q", where, r.Counting, CountWorkingDays, CountCalendarDays)
	}
	for _, a := range []struct {
		name string
		role domain.Role
	}{{"designated_officer", r.DesignatedOfficer}, {"first_appellate", r.FirstAppellate.Role}, {"second_appellate", r.SecondAppellate.Role}} {
		if a.role != "" && !a.role.Known() {
			p.addf("%s: %s: unknown role %q", where, a.name, a.role)
		}
	}
	for _, a := range []Authority{r.FirstAppellate, r.SecondAppellate} {
		if a.Role != "" {
			checkName(where+": designation", a.Designation, p)
		}
	}
	for _, d := range []int{r.AppealDays, r.SecondAppealDays, r.DecideAppealDays} {
		if d < 0 || d > 365 {
			p.addf("%s: appeal days must be between 1 and 365, or left out for the default", where)
		}
	}
	if r.PenaltyMin < 0 || r.PenaltyMax < r.PenaltyMin || r.PenaltyMin%100 != 0 || r.PenaltyMax%100 != 0 {
		p.addf("%s: penalty_min and penalty_max are whole rupees in paise, min no more than max", where)
	}
	if r.Deemed != (r.DeemedBasis != "") {
		p.addf("%s: a deemed approval needs its legal basis in deemed_basis (and deemed_basis needs deemed)", where)
	}
}

// Describe says the notification in one line, for logs and errors.
func (r RightToService) Describe() string {
	return fmt.Sprintf("%s; designated officer %s; appeals to %s, then %s", r.Counting, r.DesignatedOfficer, r.FirstAppellate.Role, r.SecondAppellate.Role)
}
