package workflow

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// Request is an office action on a file.
type Request struct {
	Kind   string  // KindForwarded, KindReturned, KindNote, KindInspection, KindApproved, KindRejected, KindIssued
	Note   string  // the note, the reason for a return or a rejection
	ToUser string  // forward to this user (optional; they must hold the next step's role)
	Report *Upload // the inspection report
}

// Act applies an office action to a file. Who may do what:
//   - forward, return, inspection report: the role whose desk holds the file
//     (or the role it was escalated to);
//   - note: any role that acts at some step of the service;
//   - approve and reject: only the service's approving role, at the last step;
//   - issue: the approving role or the front office, once approved.
func (w *Workflow) Act(by domain.Actor, id string, req Request) (File, error) {
	now := w.Now()
	req.Note = strings.TrimSpace(req.Note)
	var report *upload
	if req.Report != nil && len(req.Report.Data) > 0 {
		att, err := checkDocument("inspection_report", *req.Report, by, now)
		if err != nil {
			return File{}, err
		}
		report = &upload{att: att, data: req.Report.Data}
	}
	apply, err := w.prepare(by, id, req, now)
	if err != nil {
		return File{}, err
	}
	var out File
	_, err = w.Store.Write(func(tx *store.Tx) error {
		f, err := getFile(tx, id)
		if err != nil {
			return err
		}
		old := f
		f.History = append([]Action(nil), f.History...)
		svc := w.Service(f)
		act := Action{At: now, Kind: req.Kind, ActorID: by.ID, ActorName: by.Name, Note: req.Note}
		if act.Role, err = w.check(by, f, svc, req, report != nil); err != nil {
			return err
		}
		if err := w.unpaid(tx, f, svc, req.Kind); err != nil {
			return err
		}
		var msg *messaging.Message
		switch req.Kind {
		case KindForwarded:
			f.Step++
			f.Role, f.StepName = svc.Steps[f.Step].Role, svc.Steps[f.Step].Name
			f.AssignedTo, f.EscalatedTo = req.ToUser, ""
			act.ToRole, act.ToUser = f.Role, req.ToUser
		case KindReturned:
			f.Status = StatusReturned
			f.Return = &Return{Reason: req.Note, Returned: now, By: by.ID}
			msg = &messaging.Message{Kind: messaging.KindFileReturned,
				Subject: domain.T("Information needed: "+f.Number, "വിവരങ്ങൾ ആവശ്യമുണ്ട്: "+f.Number),
				Body: domain.T("The office needs more from you before your application can go on: "+req.Note+" Answer on the application's page.",
					"നിങ്ങളുടെ അപേക്ഷ തുടരാൻ ഓഫീസിന് കൂടുതൽ വിവരങ്ങൾ ആവശ്യമുണ്ട്: "+req.Note+" അപേക്ഷയുടെ പേജിൽ മറുപടി നൽകുക.")}
		case KindInspection:
			sum, err := tx.PutBlob(report.data)
			if err != nil {
				return err
			}
			report.att.Blob = sum
			f.Documents = append(append([]Attachment(nil), f.Documents...), report.att)
			act.Document = sum
		case KindApproved, KindRejected:
			f.Status, f.Decided, f.AssignedTo, f.EscalatedTo = StatusApproved, now, "", ""
			decision := domain.T("approved.", "അംഗീകരിച്ചു.")
			if req.Kind == KindRejected {
				// The reason is as the officer typed it, in their
				// language: on a line of its own, so that a page can
				// mark its language apart from ours.
				f.Status, f.Reason = StatusRejected, req.Note
				decision = domain.T("rejected. The reason:\n"+req.Note, "നിരസിച്ചു. കാരണം:\n"+req.Note)
			}
			msg = &messaging.Message{Kind: messaging.KindFileDecided,
				Subject: domain.T("Decision on "+f.Number, f.Number+" സംബന്ധിച്ച തീരുമാനം"),
				Body:    domain.T("Your application for "+f.ServiceName.En+" was "+decision.En, f.ServiceName.Ml+" എന്നതിനുള്ള നിങ്ങളുടെ അപേക്ഷ "+decision.Ml)}
		case KindIssued:
			f.Status = StatusIssued
			msg = &messaging.Message{Kind: messaging.KindFileDecided,
				Subject: domain.T("Issued: "+f.Number, "നൽകി: "+f.Number),
				Body:    domain.T("What you applied for ("+f.ServiceName.En+") has been issued.", "നിങ്ങൾ അപേക്ഷിച്ച "+f.ServiceName.Ml+" നൽകിയിരിക്കുന്നു.")}
		}
		if apply != nil {
			if err := apply(tx, &f); err != nil {
				return err
			}
		}
		f.History = append(f.History, act)
		if err := w.save(tx, &old, &f, by, req.Kind, act); err != nil {
			return err
		}
		if msg != nil && f.Applicant.UserID != "" {
			msg.To, msg.Link = f.Applicant.UserID, "/applications/"+f.ID
			if _, err := messaging.Queue(tx, now, *msg); err != nil {
				return err
			}
		}
		out = f
		return nil
	})
	return out, err
}

// Choices are the office actions a user may take on a file now, and the
// role of the desk a forward sends it to.
type Choices struct {
	Actions []string // in the order an office page offers them
	// NextRole is who a forward goes to; "" when the user may not forward.
	NextRole domain.Role
}

// offered are the office actions in the order pages offer them.
var offered = []string{KindForwarded, KindReturned, KindInspection, KindApproved, KindRejected, KindIssued, KindNote}

// Actions returns what by may do with f now: the same rules Act applies
// (check), asked of each action in turn, so that a page never offers what
// Act would refuse nor hides what it would take. A forward to a named
// person and the words of a note are checked when they are given.
func (w *Workflow) Actions(by domain.Actor, f File) Choices {
	svc := w.Service(f)
	if len(svc.Steps) == 0 {
		return Choices{}
	}
	var c Choices
	// Words long enough for any action that needs them.
	words := strings.Repeat("x", 10)
	owing := map[string]bool{}
	if w.Money != nil {
		w.Store.View(func(tx *store.Tx) error {
			for _, kind := range []string{KindApproved, KindIssued} {
				owing[kind] = w.unpaid(tx, f, svc, kind) != nil
			}
			return nil
		})
	}
	for _, kind := range offered {
		if _, err := w.check(by, f, svc, Request{Kind: kind, Note: words}, true); err != nil || owing[kind] {
			continue
		}
		if (kind == KindApproved || kind == KindIssued) && w.Catalogue.Offered(svc.Code) != nil {
			continue
		}
		c.Actions = append(c.Actions, kind)
		if kind == KindForwarded {
			c.NextRole = svc.Steps[f.Step+1].Role
		}
	}
	return c
}

// prepare lets the file's module do its slow part of an approval or an
// issue before the write. The office's right to act is checked first, so
// that nobody without it makes a module render anything; the write checks
// again against the file as it is then.
func (w *Workflow) prepare(by domain.Actor, id string, req Request, now time.Time) (Apply, error) {
	if req.Kind != KindApproved && req.Kind != KindIssued {
		return nil, nil
	}
	var f File
	var owing error
	err := w.Store.View(func(tx *store.Tx) (err error) {
		if f, err = getFile(tx, id); err != nil {
			return err
		}
		owing = w.unpaid(tx, f, w.Service(f), req.Kind)
		return nil
	})
	if err != nil {
		return nil, err
	}
	svc := w.Service(f)
	if _, err := w.check(by, f, svc, Request{Kind: req.Kind, Note: req.Note}, false); err != nil {
		return nil, err
	}
	if owing != nil {
		return nil, owing
	}
	// A file of a service no module serves (made before the rule that
	// stops such applications) is not decided in the applicant's favour
	// nor issued empty; it can still be returned, noted or rejected.
	if err := w.Catalogue.Offered(svc.Code); err != nil {
		return nil, err
	}
	r := w.rules(svc)
	if r == nil {
		return nil, nil
	}
	return r.Prepare(Preparing{Kind: req.Kind, File: f, By: by, Now: now, Note: req.Note})
}

// check decides whether by may take the action on f, and in which role.
func (w *Workflow) check(by domain.Actor, f File, svc catalogue.Service, req Request, hasReport bool) (domain.Role, error) {
	if !by.IsStaff() || by.HasAny(domain.RoleStateAuditor, domain.RoleKiosk) && !by.HasAny(officeRoles(svc)...) {
		return "", forbidden("Only office staff on this file's desk may act on it.", "ഈ ഫയൽ കൈകാര്യം ചെയ്യുന്ന ഓഫീസ് ജീവനക്കാർക്ക് മാത്രമേ നടപടിയെടുക്കാനാകൂ.")
	}
	if !inWards(by, f.Ward) {
		return "", forbidden(fmt.Sprintf("This file belongs to ward %d, which is not one of yours.", f.Ward), fmt.Sprintf("ഈ ഫയൽ വാർഡ് %d-ലേതാണ്; അത് നിങ്ങളുടെ വാർഡല്ല.", f.Ward))
	}
	deskRole := domain.Role("")
	switch {
	case by.Has(f.Role):
		deskRole = f.Role
	case f.EscalatedTo != "" && by.Has(f.EscalatedTo):
		deskRole = f.EscalatedTo
	}
	last := len(svc.Steps) - 1
	approver := svc.Steps[last].Role
	needText := func(min int, en, ml string) error {
		if utf8.RuneCountInString(req.Note) < min || utf8.RuneCountInString(req.Note) > 2000 {
			return &domain.Error{Code: domain.EINVALID, Message: en, MessageML: ml, Fields: map[string]domain.Text{"note": domain.T(en, ml)}}
		}
		return nil
	}
	switch req.Kind {
	case KindNote:
		if err := needText(2, "Write the note (up to 2,000 characters).", "കുറിപ്പ് എഴുതുക (2,000 അക്ഷരങ്ങൾ വരെ)."); err != nil {
			return "", err
		}
		if deskRole != "" {
			return deskRole, nil
		}
		for _, r := range officeRoles(svc) {
			if by.Has(r) {
				return r, nil
			}
		}
		return "", forbidden("Only roles that work on this service may add notes to its files.", "ഈ സേവനം കൈകാര്യം ചെയ്യുന്നവർക്ക് മാത്രമേ കുറിപ്പ് ചേർക്കാനാകൂ.")
	case KindIssued:
		if f.Status != StatusApproved {
			return "", conflict("Only an approved file can be issued.", "അംഗീകരിച്ച ഫയൽ മാത്രമേ നൽകാനാകൂ.")
		}
		for _, r := range []domain.Role{approver, domain.RoleFrontOffice} {
			if by.Has(r) {
				return r, nil
			}
		}
		return "", forbidden(fmt.Sprintf("Only the %s or the front office may issue this.", approver.Name().En), fmt.Sprintf("%s അല്ലെങ്കിൽ ഫ്രണ്ട് ഓഫീസിന് മാത്രമേ ഇത് നൽകാനാകൂ.", approver.Name().Ml))
	case KindForwarded, KindReturned, KindInspection, KindApproved, KindRejected:
	default:
		return "", domain.Errorf(domain.EINVALID, "Unknown action %q.", req.Kind)
	}
	if f.Status != StatusInProgress {
		return "", conflict(fmt.Sprintf("This file is %s; it cannot be acted on now.", StatusName(f.Status).En), fmt.Sprintf("ഈ ഫയൽ ഇപ്പോൾ '%s' നിലയിലാണ്; നടപടി സാധ്യമല്ല.", StatusName(f.Status).Ml))
	}
	if deskRole == "" {
		return "", forbidden(fmt.Sprintf("This file is on the %s's desk, not yours.", f.Role.Name().En), fmt.Sprintf("ഈ ഫയൽ %s-ന്റെ പക്കലാണ്, നിങ്ങളുടെ പക്കലല്ല.", f.Role.Name().Ml))
	}
	switch req.Kind {
	case KindForwarded:
		if f.Step >= last {
			return "", conflict("This is the last step: approve or reject the file.", "ഇത് അവസാന ഘട്ടമാണ്: അംഗീകരിക്കുക അല്ലെങ്കിൽ നിരസിക്കുക.")
		}
		if req.ToUser != "" {
			u, ok := w.lookup(req.ToUser)
			if !ok || !u.Has(svc.Steps[f.Step+1].Role) {
				return "", domain.Errorf(domain.EINVALID, "Forward to someone who holds the %s role.", svc.Steps[f.Step+1].Role.Name().En)
			}
		}
	case KindReturned:
		return deskRole, needText(5, "Say what the applicant must provide (at least 5 characters).", "അപേക്ഷകൻ എന്താണ് നൽകേണ്ടതെന്ന് വ്യക്തമാക്കുക.")
	case KindInspection:
		if !hasReport {
			return "", &domain.Error{Code: domain.EINVALID, Message: "Attach the inspection report (PDF, JPEG or PNG).", MessageML: "പരിശോധനാ റിപ്പോർട്ട് ചേർക്കുക.",
				Fields: map[string]domain.Text{"report": domain.T("Attach the inspection report (PDF, JPEG or PNG).", "പരിശോധനാ റിപ്പോർട്ട് ചേർക്കുക.")}}
		}
	case KindApproved, KindRejected:
		if f.Step != last || !by.Has(approver) {
			return "", forbidden(fmt.Sprintf("Only the %s decides this service, at its last step.", approver.Name().En), fmt.Sprintf("ഈ സേവനത്തിൽ അന്തിമ തീരുമാനം %s ആണ് എടുക്കേണ്ടത്.", approver.Name().Ml))
		}
		if req.Kind == KindRejected {
			return approver, needText(10, "Give the reason for rejection (at least 10 characters); the applicant will read it.", "നിരസിക്കാനുള്ള കാരണം നൽകുക; അപേക്ഷകൻ ഇത് വായിക്കും.")
		}
		return approver, nil
	}
	return deskRole, nil
}

func (w *Workflow) lookup(id string) (domain.Actor, bool) {
	if w.Users == nil {
		return domain.Actor{}, false
	}
	return w.Users(id)
}

// officeRoles are the roles that act at some step of the service, and the
// secretary, who heads the office.
func officeRoles(svc catalogue.Service) []domain.Role {
	roles := []domain.Role{domain.RoleSecretary}
	for _, s := range svc.Steps {
		roles = append(roles, s.Role)
	}
	return roles
}

func forbidden(en, ml string) error { return domain.Bilingual(domain.EFORBIDDEN, domain.T(en, ml)) }
func conflict(en, ml string) error  { return domain.Bilingual(domain.ECONFLICT, domain.T(en, ml)) }

// Answer is the applicant's reply to a return: a note and any documents
// asked for. The file goes back to the desk that returned it, and its due
// date moves by the working days it spent with the applicant.
func (w *Workflow) Answer(by domain.Actor, id, note string, uploads map[string]Upload) (File, error) {
	now := w.Now()
	note = strings.TrimSpace(note)
	var out File
	_, err := w.Store.Write(func(tx *store.Tx) error {
		f, err := getFile(tx, id)
		if err != nil {
			return err
		}
		mine := by.Has(domain.RoleCitizen) && f.Applicant.UserID == by.ID
		counter := by.Has(domain.RoleFrontOffice) && f.Channel == ChannelCounter
		if !mine && !counter {
			return domain.Errorf(domain.ENOTFOUND, "There is no file %s among your applications.", id)
		}
		if f.Status != StatusReturned {
			return conflict("This application is not waiting for your answer.", "ഈ അപേക്ഷ നിങ്ങളുടെ മറുപടിക്കായി കാത്തിരിക്കുന്നില്ല.")
		}
		fe := domain.FieldErrors{}
		if n := utf8.RuneCountInString(note); n < 2 || n > 2000 {
			fe.Add("note", domain.T("Write your answer to the office (up to 2,000 characters).", "ഓഫീസിനുള്ള മറുപടി എഴുതുക (2,000 അക്ഷരങ്ങൾ വരെ)."))
		}
		var docs []upload
		for name, u := range uploads {
			if len(u.Data) == 0 {
				continue
			}
			att, err := checkDocument(name, u, by, now)
			if err != nil {
				if domain.ErrorCode(err) == domain.ETOOLARGE {
					return err
				}
				fe.Add(name, domain.T(err.(*domain.Error).Message, err.(*domain.Error).MessageML))
				continue
			}
			docs = append(docs, upload{att: att, data: u.Data})
		}
		if err := fe.Err(); err != nil {
			return err
		}
		old := f
		f.History = append([]Action(nil), f.History...)
		f.Documents = append([]Attachment(nil), f.Documents...)
		act := Action{At: now, Kind: KindResubmitted, ActorID: by.ID, ActorName: by.Name, Note: note, ToRole: f.Role}
		for _, d := range docs {
			sum, err := tx.PutBlob(d.data)
			if err != nil {
				return err
			}
			d.att.Blob = sum
			f.Documents = append(f.Documents, d.att)
			act.Document = sum
		}
		// Right to Service: days with the applicant do not count against
		// the office, counted as the service's time limit is.
		calendar := w.Service(f).RTS().Calendar()
		if away := w.Calendar.DaysBetween(f.Return.Returned, now, calendar); away > 0 {
			f.Due = w.Calendar.AddDays(f.Due, away, calendar)
		}
		// The moved due date goes in the log with the answer, so the
		// file's clock can be rebuilt (and reported on) from the log alone.
		act.Due = f.Due
		f.Status, f.Return = StatusInProgress, nil
		f.History = append(f.History, act)
		if err := w.save(tx, &old, &f, by, KindResubmitted, act); err != nil {
			return err
		}
		out = f
		return nil
	})
	return out, err
}

// escalationTarget is the officer above a desk: clerks answer to the head
// clerk, the head clerk and inspectors and engineers to the secretary. The
// secretary and the registrar are the top of a local body's office.
func escalationTarget(r domain.Role) domain.Role {
	switch r {
	case domain.RoleFrontOffice, domain.RoleSectionClerk:
		return domain.RoleHeadClerk
	case domain.RoleHeadClerk, domain.RoleRevenueInspector, domain.RoleHealthInspector, domain.RoleOverseer,
		domain.RoleAssistantEngineer, domain.RoleAccountant, domain.RoleCashier:
		return domain.RoleSecretary
	}
	return ""
}

// EscalateOverdue puts every file that has passed its due date, and has not
// been escalated at its current step, on the desk of the officer above as
// well, with an event. It returns how many it escalated. The appliance runs
// it every few minutes; running it twice does nothing more.
func (w *Workflow) EscalateOverdue() (int, error) {
	now := w.Now()
	var due []string
	err := w.current(func(v *deskView) error {
		for _, e := range v.onDesk("open") {
			if dueKey(e.Due) >= dueKey(now) {
				break
			}
			due = append(due, e.ID)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range due {
		escalated := false
		_, err := w.Store.Write(func(tx *store.Tx) error {
			f, err := getFile(tx, id)
			if err != nil {
				return err
			}
			target := escalationTarget(f.Role)
			if !f.Overdue(now) || f.EscalatedTo != "" || target == "" {
				return nil
			}
			old := f
			f.EscalatedTo = target
			f.History = append(append([]Action(nil), f.History...), Action{At: now, Kind: KindEscalated, ActorID: domain.System.ID, ActorName: domain.System.Name, ToRole: target})
			escalated = true
			return w.save(tx, &old, &f, domain.System, KindEscalated, f.History[len(f.History)-1])
		})
		if err != nil {
			return n, err
		}
		if escalated {
			n++
		}
	}
	return n, nil
}

// RunEscalation escalates overdue files every interval until stop closes.
func (w *Workflow) RunEscalation(interval time.Duration, stop <-chan struct{}, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.EscalateOverdue(); err != nil && onError != nil {
			onError(err)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}
