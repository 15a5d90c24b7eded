package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/workflow"
)

func (s *Server) officeInbox(c echo.Context) error {
	entries, err := s.App.Workflow.Inbox(actor(c), 300)
	if err != nil {
		return err
	}
	now := s.App.Now()
	overdue := 0
	for _, e := range entries {
		if e.Overdue(now) {
			overdue++
		}
	}
	u, _ := user(c)
	return s.render(c, http.StatusOK, "inbox.html", "Inbox", map[string]any{"Entries": entries, "Now": now, "Overdue": overdue, "User": u})
}

func (s *Server) officeFile(c echo.Context) error {
	f, err := s.App.Workflow.Get(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "file.html", f.Number, s.officeView(c, f, nil, ""))
}

// officeView adds to a file's view the actions this user may try and the
// people the file may be forwarded to.
func (s *Server) officeView(c echo.Context, f workflow.File, errs map[string]domain.Text, note string) fileView {
	v := s.fileView(c, f)
	v.Office, v.Errors, v.Note = true, errs, note
	a := actor(c)
	svc := v.Service
	onDesk := a.Has(f.Role) || (f.EscalatedTo != "" && a.Has(f.EscalatedTo))
	last := len(svc.Steps) - 1
	if f.Status == workflow.StatusInProgress && onDesk {
		if f.Step < last {
			v.Actions = append(v.Actions, workflow.KindForwarded)
			next := svc.Steps[f.Step+1].Role
			if staff, err := s.App.Identity.List(identity.KindStaff); err == nil {
				for _, u := range staff {
					if !u.Disabled && u.Actor().Has(next) {
						v.Users = append(v.Users, u)
					}
				}
			}
		}
		v.Actions = append(v.Actions, workflow.KindReturned, workflow.KindInspection)
		if f.Step == last && a.Has(svc.Steps[last].Role) {
			v.Actions = append(v.Actions, workflow.KindApproved, workflow.KindRejected)
		}
	}
	if f.Status == workflow.StatusApproved && a.HasAny(svc.Steps[last].Role, domain.RoleFrontOffice) {
		v.Actions = append(v.Actions, workflow.KindIssued)
	}
	if f.Open() && !a.Has(domain.RoleStateAuditor) {
		v.Actions = append(v.Actions, workflow.KindNote)
	}
	return v
}

func (s *Server) officeAct(c echo.Context) error {
	values, uploads, err := readForm(c)
	if err != nil {
		return err
	}
	req := workflow.Request{Kind: values["action"], Note: values["note"], ToUser: values["to_user"]}
	if r, ok := uploads["report"]; ok {
		req.Report = &r
	}
	f, err := s.App.Workflow.Act(actor(c), c.Param("id"), req)
	if errs, ok := fieldErrors(err); ok {
		f, gerr := s.App.Workflow.Get(actor(c), c.Param("id"))
		if gerr != nil {
			return gerr
		}
		return s.render(c, http.StatusUnprocessableEntity, "file.html", f.Number, s.officeView(c, f, errs, values["note"]))
	}
	if err != nil {
		return err
	}
	if !f.Open() || !actor(c).HasAny(f.Role, f.EscalatedTo) {
		return c.Redirect(http.StatusSeeOther, "/office?done="+f.ID)
	}
	return c.Redirect(http.StatusSeeOther, "/office/files/"+f.ID)
}

func (s *Server) counterPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "counter.html", "Counter entry", map[string]any{"Groups": s.serviceGroups(c.QueryParam("q")), "Q": c.QueryParam("q")})
}
