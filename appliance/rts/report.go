package rts

import (
	"encoding/json"
	"sort"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Report is time-bound delivery over a period, per service and per desk,
// as GET /api/v1/rts/report and the office's dashboard show it.
//
// Of the files of a service: Received were submitted in the period;
// InTime and Late were decided by the office (approved or rejected) in
// the period, on or before their due date or after it; PendingOverdue
// were received in the period and are still undecided on an office desk
// past their due date now (not those with the applicant, whose clock is
// stopped); Deemed were granted by the law in the period (they are
// neither in time nor late: the office did not decide them). Appeals are
// the appeals, of both levels, filed in the period on the service's
// files. A service with nothing to count is left out.
type Report struct {
	From     string          `json:"from"`
	To       string          `json:"to"`
	Services []ServiceFigure `json:"services"`
	// Desks are the same figures by the desk (role) that held each late
	// or overdue file: which officer is late.
	Desks []DeskFigure `json:"desks,omitempty"`
	// Outcomes counts the appeals decided in the period by outcome;
	// PendingAppeals are undecided now, OverdueAppeals past their own limit.
	Outcomes       map[string]int `json:"outcomes,omitempty"`
	PendingAppeals int            `json:"pending_appeals"`
	OverdueAppeals int            `json:"overdue_appeals"`
	Penalties      int            `json:"penalties"`
	PenaltyPaise   domain.Paise   `json:"penalty_paise"`
}

// ServiceFigure is one service's line of the report.
type ServiceFigure struct {
	Code           string      `json:"code"`
	Name           domain.Text `json:"-"`
	Received       int         `json:"received"`
	InTime         int         `json:"in_time"`
	Late           int         `json:"late"`
	PendingOverdue int         `json:"pending_overdue"`
	Appeals        int         `json:"appeals"`
	Deemed         int         `json:"deemed"`
}

// DeskFigure is one desk's line: files decided late there, and files on
// it now past their due date.
type DeskFigure struct {
	Role           domain.Role `json:"role"`
	Late           int         `json:"late"`
	PendingOverdue int         `json:"pending_overdue"`
}

// ReportRoles may read the report, the appeals and the penalty register:
// the Secretary, who answers for the office; the state's auditors; the
// appellate authorities.
var ReportRoles = []domain.Role{domain.RoleSecretary, domain.RoleStateAuditor, domain.RoleAppellateAuthority}

// Period is the days from and to (IST dates, both inclusive), as
// YYYY-MM-DD; ParsePeriod checks them.
type Period struct{ From, To time.Time }

// ParsePeriod reads a report's period, refusing what is not a date or a
// period that ends before it starts, with what to fix.
func ParsePeriod(from, to string) (Period, error) {
	fe := domain.FieldErrors{}
	f, err := time.ParseInLocation(time.DateOnly, from, domain.IST)
	if err != nil {
		fe.Add("from", domain.T("Give from as a date, YYYY-MM-DD.", "from തീയതിയായി നൽകുക, YYYY-MM-DD."))
	}
	t, err := time.ParseInLocation(time.DateOnly, to, domain.IST)
	if err != nil {
		fe.Add("to", domain.T("Give to as a date, YYYY-MM-DD.", "to തീയതിയായി നൽകുക, YYYY-MM-DD."))
	}
	if len(fe) == 0 && t.Before(f) {
		fe.Add("to", domain.T("The period ends before it starts: give a to date on or after from.", "കാലയളവ് തുടങ്ങുന്നതിനു മുമ്പ് അവസാനിക്കുന്നു: from നു ശേഷമുള്ള to നൽകുക."))
	}
	if err := fe.Err(); err != nil {
		return Period{}, err
	}
	return Period{From: f, To: t.AddDate(0, 0, 1).Add(-time.Nanosecond)}, nil
}

// In reports whether t falls in the period.
func (p Period) In(t time.Time) bool { return !t.IsZero() && !t.Before(p.From) && !t.After(p.To) }

// officeDecided is the office's own decision on a file (approved or
// rejected), not the law's.
func officeDecided(f workflow.File) (time.Time, bool) {
	if f.Decided.IsZero() {
		return time.Time{}, false
	}
	if _, ok := f.Decision(); !ok {
		return time.Time{}, false // deemed
	}
	return f.Decided, true
}

func deemed(f workflow.File) bool {
	if f.Decided.IsZero() {
		return false
	}
	_, office := f.Decision()
	return !office
}

// Report counts the period's figures from the files and appeals as they
// are now.
func (r *RTS) Report(p Period) (Report, error) {
	now := r.Now()
	rep := Report{From: p.From.In(domain.IST).Format(time.DateOnly), To: p.To.In(domain.IST).Format(time.DateOnly), Outcomes: map[string]int{}}
	by := map[string]*ServiceFigure{}
	line := func(code string) *ServiceFigure {
		if s, ok := by[code]; ok {
			return s
		}
		s := &ServiceFigure{Code: code}
		if svc, ok := r.Workflow.Catalogue.Get(code); ok {
			s.Name = svc.Name
		}
		by[code] = s
		return s
	}
	desks := map[domain.Role]*DeskFigure{}
	desk := func(role domain.Role) *DeskFigure {
		if d, ok := desks[role]; ok {
			return d
		}
		d := &DeskFigure{Role: role}
		desks[role] = d
		return d
	}
	err := r.Store.View(func(tx *store.Tx) error {
		err := workflow.ScanFiles(tx, func(f workflow.File) error {
			if p.In(f.Submitted) {
				line(f.Service).Received++
				if f.Status == workflow.StatusInProgress && now.After(f.Due) {
					line(f.Service).PendingOverdue++
					desk(f.Role).PendingOverdue++
				}
			}
			if at, ok := officeDecided(f); ok && p.In(at) {
				if at.After(f.Due) {
					line(f.Service).Late++
					d, _ := f.Decision()
					desk(d.Role).Late++
				} else {
					line(f.Service).InTime++
				}
			}
			if deemed(f) && p.In(f.Decided) {
				line(f.Service).Deemed++
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Scan(entityAppeal, store.ScanOptions{}, func(_ string, raw []byte) error {
			var a Appeal
			if err := json.Unmarshal(raw, &a); err != nil {
				return err
			}
			if p.In(a.Filed) {
				line(a.Service).Appeals++
			}
			if a.Decision != nil && p.In(a.Decision.At) {
				rep.Outcomes[a.Decision.Outcome]++
			}
			if !a.Decided() {
				rep.PendingAppeals++
				if a.Overdue(now) {
					rep.OverdueAppeals++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Scan(entityPenalty, store.ScanOptions{}, func(_ string, raw []byte) error {
			var pen Penalty
			if err := json.Unmarshal(raw, &pen); err != nil {
				return err
			}
			if p.In(pen.Proposed) {
				rep.Penalties++
				rep.PenaltyPaise += pen.Amount
			}
			return nil
		})
	})
	if err != nil {
		return Report{}, err
	}
	rep.Services = []ServiceFigure{}
	for _, s := range by {
		rep.Services = append(rep.Services, *s)
	}
	sort.Slice(rep.Services, func(i, j int) bool { return rep.Services[i].Code < rep.Services[j].Code })
	for _, d := range desks {
		rep.Desks = append(rep.Desks, *d)
	}
	sort.Slice(rep.Desks, func(i, j int) bool { return rep.Desks[i].Role < rep.Desks[j].Role })
	return rep, nil
}

// InTimeRate is the share of the office's decisions in the period made in
// time, or nil when it decided none.
func (r Report) InTimeRate() *float64 {
	var in, all int
	for _, s := range r.Services {
		in += s.InTime
		all += s.InTime + s.Late
	}
	if all == 0 {
		return nil
	}
	v := float64(in) / float64(all)
	return &v
}

// CountAppeals counts the appeals a store holds (a node's, or a state
// mirror's), and how many proposed a penalty: the state view's figures.
func CountAppeals(tx *store.Tx) (appeals, penalties int, err error) {
	err = tx.Scan(entityAppeal, store.ScanOptions{}, func(_ string, raw []byte) error {
		var a Appeal
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		appeals++
		if a.Decision != nil && a.Decision.Penalty != "" {
			penalties++
		}
		return nil
	})
	return appeals, penalties, err
}
