package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/licence"
	"ksmart/appliance/workflow"
)

// licenceRoutes registers trade licensing's pages and API, each with who
// may call it; the module decides deeper (whose licence, which order).
func (s *Server) licenceRoutes(e *echo.Echo, api *echo.Group) {
	citizen := signedIn(domain.RoleCitizen)
	office := signedIn(licence.OfficeRoles...)
	holderOrOffice := signedIn(append([]domain.Role{domain.RoleCitizen}, staffRoles...)...)

	e.GET("/licences", s.myLicencesPage, citizen)
	e.POST("/licences/:number/renew", s.renewLicence, citizen)
	e.GET("/licences/:number/certificate.pdf", s.licenceCertificate, holderOrOffice)

	e.GET("/office/licences", s.licenceRegisterPage, office)
	e.GET("/office/licences/:number", s.officeLicencePage, office)
	e.POST("/office/licences/:number/order", s.licenceOrder, signedIn(domain.RoleSecretary))
	e.POST("/office/licences/msme", s.recordMSME, signedIn(domain.RoleSectionClerk, domain.RoleHealthInspector, domain.RoleSecretary))

	api.GET("/licences", s.apiLicences, signedIn(licence.OfficeRoles...))
	api.GET("/licences/:number", s.apiLicence)
}

// myLicencesPage lists a citizen's licences, each with its certificate
// and, when due, the renewal in one tap.
func (s *Server) myLicencesPage(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	list, err := lc.HeldBy(actor(c).ID)
	if err != nil {
		return err
	}
	type row struct {
		licence.Licence
		StatusNow string
		Renewable bool
		Next      string
	}
	var rows []row
	now := s.App.Now()
	for _, l := range list {
		y, _ := licence.ParseYear(l.Year)
		rows = append(rows, row{Licence: l, StatusNow: l.StatusAt(now), Renewable: lc.Renewable(l, now), Next: licence.YearLabel(y + 1)})
	}
	return s.render(c, http.StatusOK, "licence_mine.html", "lc_my_licences", map[string]any{"Rows": rows, "Done": c.QueryParam("renewed")})
}

// renewLicence submits the renewal of an unchanged licence for its next
// year, and opens the application to pay its fee.
func (s *Server) renewLicence(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	l, err := lc.Held(actor(c), numberParam(c))
	if err != nil {
		return err
	}
	u, _ := user(c)
	f, err := s.App.Workflow.Submit(actor(c), workflow.Submission{Service: licence.SvcRenewal, Values: lc.RenewalForm(l), Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T(u.Name, ""), Phone: l.Holder.Phone}})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/applications/"+f.ID)
}

// licenceCertificate is a licence's current certificate, to its holder
// or the office.
func (s *Server) licenceCertificate(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	l, err := lc.Held(actor(c), numberParam(c))
	if err != nil {
		return err
	}
	cert, pdf, err := lc.CertificatePDF(l.Number)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+safeFilename(cert.Number)+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// licenceRegisterPage is the office's register: found by number, trade,
// premises or holder, or listed by status, with those whose year ends
// within 45 days.
func (s *Server) licenceRegisterPage(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	q, status := strings.TrimSpace(c.QueryParam("q")), c.QueryParam("status")
	if status == "" && q == "" {
		status = licence.StatusActive
	}
	var list []licence.Licence
	if q != "" {
		list, err = lc.Search(q, 200)
	} else {
		list, err = lc.ByStatus(status, 500)
	}
	if err != nil {
		return err
	}
	expiring, err := lc.Expiring(45)
	if err != nil {
		return err
	}
	msme, err := lc.Exemptions()
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "licence_register.html", "lc_register", map[string]any{
		"Q": q, "Status": status, "Statuses": licence.Statuses, "List": list, "Expiring": expiring, "MSME": msme, "Now": s.App.Now(),
		"Recorded": c.QueryParam("recorded")})
}

// officeLicence is the office's page of a licence.
type officeLicence struct {
	L        licence.Licence
	Status   string
	Category licence.Category
	Premises *licence.Premises
	Errors   map[string]domain.Text
	Values   map[string]string
	Done     string
}

func (s *Server) officeLicence(c echo.Context, lc *licence.Licences, number string) (officeLicence, error) {
	l, err := lc.Licence(number)
	if err != nil {
		return officeLicence{}, err
	}
	v := officeLicence{L: l, Status: l.StatusAt(s.App.Now())}
	v.Category, _ = lc.Schedule.Category(l.Category)
	if p, err := lc.Premises(l.Premises, 0); err == nil {
		v.Premises = &p
	}
	return v, nil
}

func (s *Server) officeLicencePage(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	v, err := s.officeLicence(c, lc, numberParam(c))
	if err != nil {
		return err
	}
	v.Done = c.QueryParam("done")
	return s.render(c, http.StatusOK, "licence_office.html", "lc_licence "+v.L.Number, v)
}

// licenceOrder is the secretary's suspension, reinstatement or
// cancellation, after a hearing.
func (s *Server) licenceOrder(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	number := numberParam(c)
	req := licence.OrderRequest{Kind: c.FormValue("kind"), Hearing: c.FormValue("hearing"), Reasons: c.FormValue("reasons"), Until: c.FormValue("until")}
	_, err = lc.Order(actor(c), number, req)
	if errs, ok := fieldErrors(err); ok {
		v, verr := s.officeLicence(c, lc, number)
		if verr != nil {
			return verr
		}
		v.Errors, v.Values = errs, map[string]string{"kind": req.Kind, "hearing": req.Hearing, "reasons": req.Reasons, "until": req.Until}
		return s.render(c, http.StatusUnprocessableEntity, "licence_office.html", "lc_licence "+v.L.Number, v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/licences/"+url.PathEscape(number)+"?done="+url.QueryEscape(req.Kind))
}

// recordMSME records an enterprise's MSME acknowledgement.
func (s *Server) recordMSME(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	e, err := lc.RecordMSME(actor(c), licence.Exemption{Number: c.FormValue("number"), Date: c.FormValue("date"), Enterprise: c.FormValue("enterprise"),
		Holder: domain.T(c.FormValue("holder"), ""), Premises: c.FormValue("premises")})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/licences?recorded="+url.QueryEscape(e.Number))
}

// verifyLicencePage is the public page a licence certificate's QR code
// opens: what it printed, and whether the licence is in force.
func (s *Server) verifyLicencePage(c echo.Context) error {
	lc, err := s.licences()
	if err != nil {
		return err
	}
	v, err := lc.Verify(c.Param("number"), c.QueryParam("d"), c.QueryParam("s"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !v.Found {
		status = http.StatusNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, "licence_verify.html", "verify "+v.Number, v)
}

// licenceFuncs are the templates' helpers for licences.
var licenceFuncs = template.FuncMap{
	"lcstatus":   func(lang, s string) string { return licence.StatusName(s).In(lang) },
	"lcstatusat": func(l licence.Licence, now time.Time) string { return l.StatusAt(now) },
	"lcmeasure":  func(lang, m string) string { return licence.MeasureName(m).In(lang) },
	"lcorders": func(u *identity.User) bool {
		return u != nil && u.Kind == identity.KindStaff && u.Actor().Has(domain.RoleSecretary)
	},
	"lcreads": func(u *identity.User) bool {
		return u != nil && u.Kind == identity.KindStaff && u.Actor().HasAny(licence.OfficeRoles...)
	},
}
