package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
)

// rtsRoutes registers Right to Service: the citizen's appeal on a file and
// its orders, the office's report, appeals and penalty register, and the
// report's API. rts decides who may appeal and decide; these are doors.
func (s *Server) rtsRoutes(e *echo.Echo, api *echo.Group) {
	citizen := signedIn(domain.RoleCitizen)
	readers := signedIn(rts.ReportRoles...)
	deciders := signedIn(domain.RoleSecretary, domain.RoleAppellateAuthority)
	e.POST("/applications/:id/appeal", s.fileAppeal, citizen)
	e.GET("/applications/:id/appeals/:appeal/order.pdf", s.appealOrder, citizen)
	e.GET("/office/rts", s.rtsPage, readers)
	e.GET("/office/rts/appeals/:appeal", s.appealPage, readers)
	e.POST("/office/rts/appeals/:appeal/decide", s.decideAppeal, deciders)
	e.GET("/office/rts/appeals/:appeal/order.pdf", s.appealOrder, readers)
	api.GET("/rts/report", s.apiRTSReport, signedIn(domain.RoleSecretary, domain.RoleStateAuditor))
}

// rtsView is a file's Right to Service part: how its service is
// notified, its appeals, and whether the applicant may appeal now.
type rtsView struct {
	Rule     catalogue.RightToService
	Standing rts.Standing
	Appeals  []rts.Appeal
	Grounds  string
	Errors   map[string]domain.Text
}

func (s *Server) rtsOf(f workflow.File) *rtsView {
	if s.App.RTS == nil {
		return nil
	}
	v := &rtsView{Rule: s.App.Workflow.Service(f).RTS()}
	var err error
	if v.Appeals, err = s.App.RTS.Of(f.ID); err != nil {
		s.Logger.Error("reading a file's appeals failed", "file", f.ID, "error", err)
	}
	if v.Standing, err = s.App.RTS.Standing(f); err != nil {
		s.Logger.Error("reading a file's standing to appeal failed", "file", f.ID, "error", err)
	}
	return v
}

func (s *Server) fileAppeal(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	_, err = s.App.RTS.File(actor(c), c.Param("id"), values["grounds"])
	if errs, ok := fieldErrors(err); ok {
		f, gerr := s.App.Workflow.Get(actor(c), c.Param("id"))
		if gerr != nil {
			return gerr
		}
		v := s.fileView(c, f)
		v.RTS.Errors, v.RTS.Grounds = errs, values["grounds"]
		return s.render(c, http.StatusUnprocessableEntity, "application.html", f.Number, v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/applications/"+c.Param("id")+"#rts")
}

// appealOrder sends an appeal's order: to its appellant, or to the office.
func (s *Server) appealOrder(c echo.Context) error {
	a, err := s.App.RTS.Get(c.Param("appeal"))
	if err != nil {
		return err
	}
	by := actor(c)
	if !by.IsStaff() && (a.Appellant != by.ID || a.File != c.Param("id")) {
		return domain.Bilingual(domain.ENOTFOUND, domain.T("There is no such appeal among yours.", "നിങ്ങളുടെ അപ്പീലുകളിൽ ഇതില്ല."))
	}
	pdf, err := s.App.RTS.Order(a)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="order.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// period reads a report's period from the query; a month back to today
// when none is given.
func (s *Server) period(c echo.Context) (rts.Period, string, string, error) {
	from, to := c.QueryParam("from"), c.QueryParam("to")
	if from == "" && to == "" {
		now := s.App.Now().In(domain.IST)
		from, to = now.AddDate(0, -1, 0).Format(time.DateOnly), now.Format(time.DateOnly)
	}
	p, err := rts.ParsePeriod(from, to)
	return p, from, to, err
}

func (s *Server) rtsPage(c echo.Context) error {
	p, from, to, err := s.period(c)
	if err != nil {
		return err
	}
	rep, err := s.App.RTS.Report(p)
	if err != nil {
		return err
	}
	appeals, err := s.App.RTS.All()
	if err != nil {
		return err
	}
	pens, err := s.App.RTS.Penalties()
	if err != nil {
		return err
	}
	names := map[string]domain.Text{}
	for _, sv := range rep.Services {
		names[sv.Code] = sv.Name
	}
	// Newest first: the appeals waiting are what an authority looks for.
	for i, j := 0, len(appeals)-1; i < j; i, j = i+1, j-1 {
		appeals[i], appeals[j] = appeals[j], appeals[i]
	}
	return s.render(c, http.StatusOK, "rts.html", "rts_right_to_service", map[string]any{
		"Report": rep, "From": from, "To": to, "Appeals": appeals, "Penalties": pens, "Now": s.App.Now(), "Rate": percent(rep.InTimeRate()),
		"Outcomes": []string{rts.OutcomeDeliver, rts.OutcomeUphold, rts.OutcomePenalty}})
}

func (s *Server) appealView(c echo.Context, a rts.Appeal, errs map[string]domain.Text, in map[string]string) map[string]any {
	f, err := s.App.Workflow.Get(actor(c), a.File)
	if err != nil {
		s.Logger.Error("reading an appeal's file failed", "appeal", a.ID, "error", err)
	}
	rule := s.App.Workflow.Service(f).RTS()
	return map[string]any{"Appeal": a, "File": f, "Rule": rule, "May": s.App.RTS.MayDecide(actor(c), a) == nil, "Errors": errs, "In": in,
		"Overdue": a.Overdue(s.App.Now()), "Outcomes": []string{rts.OutcomeDeliver, rts.OutcomeUphold, rts.OutcomePenalty}}
}

func (s *Server) appealPage(c echo.Context) error {
	a, err := s.App.RTS.Get(c.Param("appeal"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "rts_appeal.html", a.Number, s.appealView(c, a, nil, nil))
}

func (s *Server) decideAppeal(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	r := rts.Ruling{Outcome: values["outcome"], Reasons: values["reasons"], Hearing: values["hearing"]}
	fe := domain.FieldErrors{}
	if v := values["deliver_within_days"]; v != "" {
		if r.DeliverWithinDays, err = strconv.Atoi(v); err != nil {
			fe.Add("deliver_within_days", domain.T("Give the days as a whole number, e.g. 7.", "ദിവസങ്ങൾ പൂർണ്ണസംഖ്യയായി നൽകുക, ഉദാ. 7."))
		}
	}
	if v := values["penalty"]; v != "" {
		var perr error
		if r.Penalty, perr = rupees("penalty", v); perr != nil {
			fe.Add("penalty", perr.(*domain.Error).Fields["penalty"])
		}
	}
	if err = fe.Err(); err == nil {
		_, err = s.App.RTS.Decide(actor(c), c.Param("appeal"), r)
	}
	if errs, ok := fieldErrors(err); ok {
		a, gerr := s.App.RTS.Get(c.Param("appeal"))
		if gerr != nil {
			return gerr
		}
		return s.render(c, http.StatusUnprocessableEntity, "rts_appeal.html", a.Number, s.appealView(c, a, errs, values))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/rts/appeals/"+c.Param("appeal"))
}

func (s *Server) apiRTSReport(c echo.Context) error {
	if c.QueryParam("from") == "" || c.QueryParam("to") == "" {
		return &domain.Error{Code: domain.EINVALID, Message: "Give the period as from=YYYY-MM-DD&to=YYYY-MM-DD.", MessageML: "കാലയളവ് from=YYYY-MM-DD&to=YYYY-MM-DD ആയി നൽകുക."}
	}
	p, _, _, err := s.period(c)
	if err != nil {
		return err
	}
	rep, err := s.App.RTS.Report(p)
	if err != nil {
		return err
	}
	// Exactly the contract's shape (DESIGN.md): the services and nothing else.
	return c.JSON(http.StatusOK, map[string]any{"services": rep.Services})
}
