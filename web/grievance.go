package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"ksmart/appliance/domain"
	"ksmart/appliance/grievance"
	"ksmart/appliance/identity"
)

// The grievance pages: anyone reports a problem (signed in or not, from a
// phone, at the counter or a kiosk), sees the reports near the place first
// and may say "me too", follows a report by its number, and — as its
// reporter — confirms, reopens or rates the fix; anyone reads the list by
// ward and category and the figures. The office works its queue by
// deadline, a ward's reports with their places, and a report with its
// reporter's contact. Every rule is grievance's; these handlers read forms
// and draw pages.

// Reports from one address: a burst of reportBurst, then one every
// reportEvery. A household or an Akshaya centre reports a few problems;
// a script reports thousands.
const (
	reportBurst = 10
	reportEvery = 3 * time.Minute
)

// grievanceRoutes registers the grievance pages and Open311 with who may
// call them.
func (s *Server) grievanceRoutes(e *echo.Echo) {
	staff := signedIn(staffRoles...)
	limited := s.reportLimit()
	e.GET("/grievances", s.grList)
	e.GET("/grievances/new", s.grNewPage)
	e.POST("/grievances", s.grSubmit, limited)
	e.GET("/grievances/statistics", s.grStatsPage)
	e.GET("/grievances/:number", s.grPage)
	e.GET("/grievances/:number/photos/:blob", s.grPhoto)
	e.POST("/grievances/:number/metoo", s.grMeToo, limited)
	e.POST("/grievances/:number/confirm", s.grConfirm, limited)
	e.POST("/grievances/:number/reopen", s.grReopen, limited)
	e.POST("/grievances/:number/rate", s.grRate, limited)

	e.GET("/office/grievances", s.grQueuePage, staff)
	e.GET("/office/grievances/ward/:ward", s.grWardPage, staff)
	e.GET("/office/grievances/:number", s.grOfficePage, staff)
	e.POST("/office/grievances/:number/act", s.grAct, staff)

	s.open311Routes(e, limited)
}

// reportLimit limits new reports and reporters' actions per client
// address (from the connection, never a header a client can forge), for
// everyone but signed-in office staff.
func (s *Server) reportLimit() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		// Office staff are signed in and accountable: the front office
		// entering a queue of walk-ins at the counter is not limited.
		Skipper: func(c echo.Context) bool { return s.NoReportLimit || actor(c).IsStaff() },
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Every(reportEvery), Burst: reportBurst, ExpiresIn: time.Hour,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(reportEvery.Seconds())))
			err := domain.Bilingual(domain.ERATELIMIT, domain.T(
				"Too many reports from your connection. Wait a few minutes and try again.",
				"നിങ്ങളുടെ കണക്ഷനിൽ നിന്ന് വളരെയധികം പരാതികൾ. കുറച്ച് മിനിറ്റ് കഴിഞ്ഞ് വീണ്ടും ശ്രമിക്കുക."))
			if isOpen311(c) {
				return open311Error(c, err)
			}
			return err
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
}

// grievanceFuncs are the templates' helpers for grievances.
var grievanceFuncs = template.FuncMap{
	"grstatus": func(lang, s string) string { return grievance.StatusName(s).In(lang) },
	"grstep":   func(lang, k string) string { return grievance.StepName(k).In(lang) },
	"grreason": func(lang, r string) string { return grievance.ReasonName(r).In(lang) },
	"grcoord":  func(f float64) string { return strconv.FormatFloat(f, 'f', 5, 64) },
	// geoURL is a place as a geo: link, which any map app on a phone
	// opens; osmURL the same place on OpenStreetMap for a desktop.
	"geoURL": func(p *grievance.Point) template.URL {
		return template.URL(fmt.Sprintf("geo:%.6f,%.6f", p.Lat, p.Lon))
	},
	"osmURL": func(p *grievance.Point) string {
		return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=18/%.6f/%.6f", p.Lat, p.Lon, p.Lat, p.Lon)
	},
	"overdueBy": func(due, now time.Time) int { return int(now.Sub(due).Hours() / 24) },
	"rating": func(v float64) string {
		if v == 0 {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	},
	"pct": func(v float64) string {
		if v < 0 {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', 0, 64) + "%"
	},
	"stars":   func(n int) []int { return make([]int, n) },
	"isDue":   func(r grievance.Report, now time.Time) bool { return r.Overdue(now) },
	"hasWard": func(ws []int, n int) bool { return slices.Contains(ws, n) },
}

// grievances is the grievance module, or an error when the node has none.
func (s *Server) grievances() (*grievance.Grievance, error) {
	if s.App.Grievance == nil {
		return nil, domain.Bilingual(domain.EUNAVAILABLE, domain.T("This office takes no complaints through ksmart yet.", "ഈ ഓഫീസ് ഇതുവരെ ksmart വഴി പരാതികൾ സ്വീകരിക്കുന്നില്ല."))
	}
	return s.App.Grievance, nil
}

// grFilter reads a list's filters from the query.
func grFilter(c echo.Context) grievance.Filter {
	ward, _ := strconv.Atoi(c.QueryParam("ward"))
	f := grievance.Filter{Ward: ward, Category: c.QueryParam("category")}
	switch st := c.QueryParam("status"); st {
	case "open", "closed":
		f.Status = st
	}
	return f
}

func (s *Server) grList(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	f := grFilter(c)
	f.Limit = 100
	reports, err := g.List(f)
	if err != nil {
		return err
	}
	var mine []grievance.Public
	if by := actor(c); by.Has(domain.RoleCitizen) {
		if mine, err = g.Mine(by.ID); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "gr_list.html", "gr_complaints", map[string]any{
		"Reports": reports, "Mine": mine, "Filter": f, "Categories": g.Categories.List})
}

// grForm is the report form's state: what was chosen, the nearby reports
// and any errors.
type grForm struct {
	Categories []grievance.Category
	Settings   grievance.Settings
	Values     map[string]string
	Category   *grievance.Category
	Nearby     []grievance.Public
	Errors     map[string]domain.Text
	// Step is 1 (what and where) or 2 (the nearby reports, then the
	// description, photos and contact).
	Step      int
	Counter   bool
	MaxPhotos int
}

func (s *Server) grNewPage(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range []string{"category", "ward", "landmark", "lat", "long"} {
		values[k] = strings.TrimSpace(c.QueryParam(k))
	}
	form := grForm{Categories: g.Categories.List, Settings: g.Categories.Settings, Values: values, Step: 1, Errors: map[string]domain.Text{},
		Counter: actor(c).Has(domain.RoleFrontOffice), MaxPhotos: g.Categories.Settings.MaxPhotos}
	if c.QueryParam("next") != "" || values["category"] != "" {
		s.grCheckPlace(g, &form)
	}
	status := http.StatusOK
	if len(form.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, "gr_new.html", "gr_report_a_problem", form)
}

// grCheckPlace moves the form to step 2 when the category and the place
// are good, with the reports near it.
func (s *Server) grCheckPlace(g *grievance.Grievance, form *grForm) {
	v := form.Values
	cat, ok := g.Categories.Get(v["category"])
	if !ok {
		form.Errors["category"] = domain.T("Choose what the problem is.", "പ്രശ്നം എന്താണെന്ന് തിരഞ്ഞെടുക്കുക.")
		return
	}
	form.Category = &cat
	ward, _ := strconv.Atoi(v["ward"])
	var at *grievance.Point
	if v["lat"] != "" || v["long"] != "" {
		la, err1 := strconv.ParseFloat(v["lat"], 64)
		lo, err2 := strconv.ParseFloat(v["long"], 64)
		p := grievance.Point{Lat: la, Lon: lo}
		switch {
		case err1 != nil || err2 != nil || !p.Valid():
			form.Errors["location"] = domain.T("Give the place as latitude and longitude in degrees, or choose the ward.", "സ്ഥലം അക്ഷാംശവും രേഖാംശവും ഡിഗ്രിയിൽ നൽകുക, അല്ലെങ്കിൽ വാർഡ് തിരഞ്ഞെടുക്കുക.")
			return
		case g.Wards.Drawn():
			if w := g.Wards.Ward(p); w != 0 {
				ward = w
				v["ward"] = strconv.Itoa(w)
			} else {
				form.Errors["location"] = domain.T("That place is outside "+g.LocalBody.Name.En+". Report it to the local body where it is.", "ആ സ്ഥലം "+g.LocalBody.Name.Ml+"-ന് പുറത്താണ്. അത് ഉൾപ്പെടുന്ന തദ്ദേശ സ്ഥാപനത്തിൽ അറിയിക്കുക.")
				return
			}
		}
		at = &p
	}
	if ward == 0 {
		form.Errors["ward"] = domain.T("Choose the ward, or give the place (use my location).", "വാർഡ് തിരഞ്ഞെടുക്കുക, അല്ലെങ്കിൽ സ്ഥലം നൽകുക.")
		return
	}
	form.Nearby, _ = g.Nearby(cat.Code, ward, at)
	form.Step = 2
}

func (s *Server) grSubmit(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	values, photos, err := readReportForm(c, "photo")
	if err != nil {
		return err
	}
	ward, _ := strconv.Atoi(values["ward"])
	by := actor(c)
	channel := grievance.ChannelOnline
	if by.Has(domain.RoleFrontOffice) {
		channel = grievance.ChannelCounter
	}
	r, key, err := g.Submit(by, grievance.Submission{Category: values["category"], Description: values["description"], Ward: ward,
		Landmark: values["landmark"], Lat: values["lat"], Lon: values["long"], Photos: photos, Name: values["name"], Phone: values["phone"],
		Email: values["email"], Anonymous: values["anonymous"] != "", Language: lang(c), Channel: channel})
	if errs, ok := fieldErrors(err); ok {
		form := grForm{Categories: g.Categories.List, Settings: g.Categories.Settings, Values: values, Step: 2, Errors: errs,
			Counter: channel == grievance.ChannelCounter, MaxPhotos: g.Categories.Settings.MaxPhotos}
		if cat, ok := g.Categories.Get(values["category"]); ok {
			form.Category = &cat
		} else {
			form.Step = 1
		}
		return s.render(c, http.StatusUnprocessableEntity, "gr_new.html", "gr_report_a_problem", form)
	}
	if err != nil {
		return err
	}
	to := "/grievances/" + url.PathEscape(r.Number) + "?new=1"
	if key != "" {
		s.setReporterKey(c, r.Number, key)
		to += "&key=" + url.QueryEscape(key)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// readReportForm reads a report's multipart (or plain) form, with every
// file of the photo field (a phone may send several at once).
func readReportForm(c echo.Context, photoField string) (map[string]string, []grievance.PhotoUpload, error) {
	values, _, err := readForm(c)
	if err != nil {
		return nil, nil, err
	}
	var photos []grievance.PhotoUpload
	if form, err := c.MultipartForm(); err == nil {
		for _, fh := range form.File[photoField] {
			if fh.Size == 0 {
				continue
			}
			data, err := readUpload(fh)
			if err != nil {
				return nil, nil, err
			}
			photos = append(photos, grievance.PhotoUpload{Name: fh.Filename, Data: data})
		}
	}
	return values, photos, nil
}

// The reporter's key is kept in a cookie for the report's pages only, so
// the phone that reported can confirm or reopen without signing in.
func reporterCookie(number string) string { return "grkey_" + strings.ReplaceAll(number, "-", "_") }

func (s *Server) setReporterKey(c echo.Context, number, key string) {
	c.SetCookie(&http.Cookie{Name: reporterCookie(number), Value: key, Path: "/grievances/" + number, MaxAge: 180 * 24 * 3600,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// who is whoever acts from outside the office on a report: the signed-in
// person, with the key from the link or the cookie.
func (s *Server) who(c echo.Context, number string) grievance.Who {
	w := grievance.Who{Actor: actor(c), Key: c.QueryParam("key")}
	if w.Key == "" {
		w.Key = c.FormValue("key")
	}
	if w.Key == "" {
		if ck, err := c.Cookie(reporterCookie(number)); err == nil {
			w.Key = ck.Value
		}
	}
	return w
}

func (s *Server) grPage(c echo.Context) error {
	return s.renderReport(c, http.StatusOK, nil, "")
}

// renderReport draws a report's public page, with the reporter's actions
// when the visitor is its reporter, and an action's error or notice.
func (s *Server) renderReport(c echo.Context, status int, actErr *domain.Error, notice string) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	number := c.Param("number")
	p, err := g.Public(number)
	if err != nil {
		return err
	}
	who := s.who(c, p.Number)
	if k := c.QueryParam("key"); k != "" && g.IsReporter(p.Number, who) {
		s.setReporterKey(c, p.Number, k)
	}
	mine := g.IsReporter(p.Number, who)
	cat, _ := g.Categories.Get(p.Category)
	var reopenUntil time.Time
	if !p.Open && p.Status == grievance.StatusFixed {
		for _, st := range p.History {
			if st.Kind == grievance.StepFixed {
				reopenUntil = st.At.AddDate(0, 0, g.Categories.Settings.ReopenDays)
			}
		}
	}
	link := ""
	if c.QueryParam("new") != "" && who.Key != "" && mine {
		link = s.publicURL(c) + "/grievances/" + url.PathEscape(p.Number) + "?key=" + url.QueryEscape(who.Key)
	}
	if c.QueryParam("done") != "" && notice == "" {
		notice = c.QueryParam("done")
	}
	return s.render(c, status, "gr_report.html", "gr_complaint "+p.Number, map[string]any{
		"R": p, "Category": cat, "Mine": mine, "New": c.QueryParam("new") != "", "Link": link, "Error": actErr, "Notice": notice,
		"ReopenUntil": reopenUntil, "CanReopen": mine && !reopenUntil.IsZero() && s.App.Now().Before(reopenUntil), "Confirmed": p.Rating > 0 || confirmed(p),
		"Key": who.Key})
}

func confirmed(p grievance.Public) bool {
	for i := len(p.History) - 1; i >= 0; i-- {
		switch p.History[i].Kind {
		case grievance.StepConfirmed:
			return true
		case grievance.StepFixed, grievance.StepReopened:
			return false
		}
	}
	return false
}

// publicURL is the address citizens reach this appliance at.
func (s *Server) publicURL(c echo.Context) string {
	if s.PublicURL != "" {
		return s.PublicURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

func (s *Server) grPhoto(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	data, err := g.Photo(c.Param("number"), c.Param("blob"))
	if err != nil {
		return err
	}
	// A photo's address names its content, which never changes.
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, "image/jpeg", data)
}

// grReporterAct runs a reporter's (or anyone's "me too") action and
// draws the report with its answer.
func (s *Server) grReporterAct(c echo.Context, do func(g *grievance.Grievance, number string, w grievance.Who) error, done string) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	number := c.Param("number")
	err = do(g, number, s.who(c, number))
	var de *domain.Error
	if asDomainError(err, &de) && de.Code != domain.EINTERNAL && de.Code != domain.ENOTFOUND {
		return s.renderReport(c, statusOf[de.Code], de, "")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/grievances/"+url.PathEscape(number)+"?done="+done)
}

func (s *Server) grMeToo(c echo.Context) error {
	return s.grReporterAct(c, func(g *grievance.Grievance, number string, w grievance.Who) error {
		_, err := g.MeToo(w.Actor, number)
		return err
	}, "metoo")
}

func (s *Server) grConfirm(c echo.Context) error {
	return s.grReporterAct(c, func(g *grievance.Grievance, number string, w grievance.Who) error {
		rating, _ := strconv.Atoi(c.FormValue("rating"))
		_, err := g.Confirm(w, number, rating)
		return err
	}, "confirmed")
}

func (s *Server) grReopen(c echo.Context) error {
	return s.grReporterAct(c, func(g *grievance.Grievance, number string, w grievance.Who) error {
		_, err := g.Reopen(w, number, c.FormValue("note"))
		return err
	}, "reopened")
}

func (s *Server) grRate(c echo.Context) error {
	return s.grReporterAct(c, func(g *grievance.Grievance, number string, w grievance.Who) error {
		rating, _ := strconv.Atoi(c.FormValue("rating"))
		_, err := g.Rate(w, number, rating)
		return err
	}, "rated")
}

func (s *Server) grStatsPage(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	stats, total, err := g.Statistics()
	if err != nil {
		return err
	}
	days := map[string]int{}
	for _, cat := range g.Categories.List {
		days[cat.Code] = cat.Days
	}
	return s.render(c, http.StatusOK, "gr_stats.html", "gr_figures", map[string]any{"Stats": stats, "Total": total, "Days": days})
}

// The office.

func (s *Server) grQueuePage(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	ward, _ := strconv.Atoi(c.QueryParam("ward"))
	q, err := g.Queue(actor(c), ward)
	if err != nil {
		return err
	}
	type row struct {
		grievance.Report
		CategoryName domain.Text
	}
	rows := make([]row, len(q))
	for i, r := range q {
		cat, _ := g.Categories.Get(r.Category)
		rows[i] = row{r, cat.Name}
	}
	return s.render(c, http.StatusOK, "gr_queue.html", "gr_my_queue", map[string]any{"Queue": rows, "Ward": ward})
}

func (s *Server) grWardPage(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	ward, _ := strconv.Atoi(c.Param("ward"))
	if !s.App.LocalBody.HasWard(ward) {
		return domain.Bilingual(domain.ENOTFOUND, domain.T("There is no such ward.", "അങ്ങനെയൊരു വാർഡ് ഇല്ല."))
	}
	f := grFilter(c)
	f.Ward, f.Limit = ward, 500
	if c.QueryParam("status") == "" {
		f.Status = "open"
	}
	reports, err := g.List(f)
	if err != nil {
		return err
	}
	var name domain.Text
	for _, w := range s.App.LocalBody.Wards {
		if w.Number == ward {
			name = w.Name
		}
	}
	return s.render(c, http.StatusOK, "gr_ward.html", "gr_complaints", map[string]any{"Reports": reports, "Ward": ward, "WardName": name, "Filter": f, "Categories": g.Categories.List})
}

func (s *Server) grOfficePage(c echo.Context) error {
	return s.renderOfficeReport(c, http.StatusOK, nil)
}

func (s *Server) renderOfficeReport(c echo.Context, status int, actErr *domain.Error) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	by := actor(c)
	r, err := g.Office(by, c.Param("number"))
	if err != nil {
		return err
	}
	cat, _ := g.Categories.Get(r.Category)
	var officers []identity.User
	for _, role := range cat.Chain {
		if us, err := s.App.Identity.StaffWith(role); err == nil {
			for _, u := range us {
				if !u.Disabled {
					officers = append(officers, u)
				}
			}
		}
	}
	return s.render(c, status, "gr_office_report.html", "gr_complaint "+r.Number, map[string]any{
		"R": r, "P": r.Public(cat, s.App.Now()), "Category": cat, "Actions": g.Actions(by, r), "Officers": officers, "Error": actErr,
		"Done": actErr == nil && c.QueryParam("done") != ""})
}

func (s *Server) grAct(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return err
	}
	values, photos, err := readReportForm(c, "photo")
	if err != nil {
		return err
	}
	a := grievance.Action{Kind: values["action"], Officer: values["officer"], Note: values["note"], Reason: values["reason"],
		Redirect: values["redirect"], Into: values["into"]}
	if len(photos) > 0 {
		a.Photo = &photos[0]
	}
	number := c.Param("number")
	_, err = g.Act(actor(c), number, a)
	var de *domain.Error
	if asDomainError(err, &de) && de.Code != domain.EINTERNAL && de.Code != domain.ENOTFOUND {
		return s.renderOfficeReport(c, statusOf[de.Code], de)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/grievances/"+url.PathEscape(number)+"?done="+url.QueryEscape(a.Kind))
}
