package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
)

// inboxPage, applicationsPage and messagesPage are how many rows a page
// of the office's inbox, a citizen's applications and their messages
// shows: a clerk's desk of 300 files would otherwise be a 200 KB page.
const (
	inboxPage        = 50
	applicationsPage = 20
	messagesPage     = 10
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
	pg := pageOf(c, len(entries), inboxPage)
	data := map[string]any{"Entries": entries[pg.From:pg.To], "Total": len(entries), "Page": pg, "Now": now, "Overdue": overdue, "User": u}
	if s.App.RTS != nil && actor(c).HasAny(rts.ReportRoles...) {
		// The office's dashboard: the last month's time-bound delivery.
		p, _, _, err := s.period(c)
		if err == nil {
			rep, err := s.App.RTS.Report(p)
			if err != nil {
				return err
			}
			data["RTS"], data["RTSRate"] = rep, percent(rep.InTimeRate())
		}
	}
	return s.render(c, http.StatusOK, "inbox.html", "inbox", data)
}

func (s *Server) officeFile(c echo.Context) error {
	f, err := s.App.Workflow.Get(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "file.html", f.Number, s.officeView(c, f, nil, ""))
}

// officeView adds to a file's view the actions this user may take (as the
// workflow decides) and the people the file may be forwarded to.
func (s *Server) officeView(c echo.Context, f workflow.File, errs map[string]domain.Text, note string) fileView {
	v := s.fileView(c, f)
	v.Office, v.Errors, v.Note = true, errs, note
	choices := s.App.Workflow.Actions(actor(c), f)
	v.Actions = choices.Actions
	if choices.NextRole != "" {
		users, err := s.App.Identity.StaffWith(choices.NextRole)
		if err != nil {
			s.Logger.Error("listing whom a file may be forwarded to failed", "file", f.ID, "error", err)
		}
		v.Users = users
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
	return s.render(c, http.StatusOK, "counter.html", "counter_entry", map[string]any{"Groups": s.serviceGroups(c.QueryParam("q"), true), "Q": c.QueryParam("q")})
}
