package web

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/kyc"
	"ksmart/appliance/licence"
	"ksmart/appliance/messaging"
	"ksmart/appliance/workflow"
)

// moduleGroup is the catalogue page's view of one module.
type moduleGroup struct {
	Module   string
	Name     domain.Text
	Services []serviceItem
}

// serviceItem is a service in a list: offered, or listed as not yet
// available (no module serves it), with why.
type serviceItem struct {
	catalogue.Service
	Available bool
}

// serviceGroups lists the catalogue by module, only the services whose name
// (in either language) or code contains q, those offered first; with
// offeredOnly, only those offered.
func (s *Server) serviceGroups(q string, offeredOnly bool) []moduleGroup {
	q = strings.ToLower(strings.TrimSpace(q))
	var groups []moduleGroup
	for _, m := range catalogue.Modules {
		g := moduleGroup{Module: m, Name: catalogue.ModuleName(m)}
		var later []serviceItem
		for _, svc := range s.App.Catalogue.ByModule(m) {
			if q != "" && !strings.Contains(strings.ToLower(svc.Name.En), q) && !strings.Contains(svc.Name.Ml, q) && !strings.Contains(svc.Code, q) {
				continue
			}
			it := serviceItem{Service: svc, Available: s.App.Catalogue.Available(svc.Code)}
			switch {
			case it.Available:
				g.Services = append(g.Services, it)
			case !offeredOnly:
				later = append(later, it)
			}
		}
		g.Services = append(g.Services, later...)
		if len(g.Services) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

func (s *Server) services(c echo.Context) error {
	return s.render(c, http.StatusOK, "services.html", "services", map[string]any{"Groups": s.serviceGroups(c.QueryParam("q"), false), "Q": c.QueryParam("q"), "Count": s.App.Catalogue.OfferedCount()})
}

func (s *Server) service(c echo.Context) (catalogue.Service, error) {
	svc, ok := s.App.Catalogue.Get(c.Param("code"))
	if !ok {
		return svc, domain.Errorf(domain.ENOTFOUND, "There is no service %q. See the list of services.", c.Param("code"))
	}
	return svc, nil
}

func (s *Server) serviceDetail(c echo.Context) error {
	svc, err := s.service(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "service.html", svc.Name.In(lang(c)), map[string]any{"Service": svc, "Module": catalogue.ModuleName(svc.Module),
		"NotAvailable": s.App.Catalogue.Offered(svc.Code)})
}

// applyForm is the data of the application form page.
type applyForm struct {
	Service catalogue.Service
	Fields  []formField
	Counter bool // front office entry for a walk-in applicant
	Values  map[string]string
	Errors  map[string]domain.Text
	Action  string
	// Draft is the video KYC booking whose kept application this form
	// resumes, uploads included (kyc.go).
	Draft *kyc.Booking
	// Kept are the documents attached before, kept for this form.
	Kept []keptUpload
}

// keptUpload is a document kept from an earlier try at a form.
type keptUpload struct {
	Label domain.Text
	Name  string
	Size  int
}

func (s *Server) applyPage(c echo.Context) error {
	svc, err := s.service(c)
	if err != nil {
		return err
	}
	if err := s.App.Catalogue.Offered(svc.Code); err != nil {
		return err
	}
	if id := c.QueryParam("kyc"); id != "" {
		return s.resumeDraft(c, svc, id)
	}
	values := prefill(svc, c)
	if u, ok := user(c); ok {
		// A draft left with a mistake in it comes back as it was left.
		if d := s.pending.draft(pendingKey(u.ID, svc.Code), s.App.Now()); d.values != nil {
			values = d.values
		}
	}
	return s.renderApply(c, http.StatusOK, svc, values, nil)
}

// prefill fills a citizen's new form with what their account already
// says: their name as the applicant, their mobile and e-mail, so that no
// one types them twice. They may change any of it.
func prefill(svc catalogue.Service, c echo.Context) map[string]string {
	u, ok := user(c)
	if !ok || u.Kind != identity.KindCitizen {
		return nil
	}
	values := map[string]string{}
	for _, f := range svc.Fields {
		switch {
		case f.Name == "phone" && f.Type == catalogue.FieldPhone:
			values[f.Name] = u.Phone
		case f.Name == "email" && f.Type == catalogue.FieldEmail:
			values[f.Name] = u.Email
		case f.Name == "applicant_name" && f.Type == catalogue.FieldName:
			key := "_en"
			if strings.ContainsFunc(u.Name, func(r rune) bool { return unicode.Is(unicode.Malayalam, r) }) {
				key = "_ml"
			}
			values[f.Name+key] = u.Name
		}
	}
	return values
}

func (s *Server) renderApply(c echo.Context, status int, svc catalogue.Service, values map[string]string, errs map[string]domain.Text) error {
	counter := strings.HasPrefix(c.Path(), "/office/")
	action := "/services/" + svc.Code + "/apply"
	if counter {
		action = "/office/counter/" + svc.Code
	}
	form := applyForm{Service: svc, Fields: formFields(svc, s.App.LocalBody, values, errs), Counter: counter, Values: values, Errors: errs, Action: action}
	if u, ok := user(c); ok && !counter {
		for name, up := range s.pending.take(pendingKey(u.ID, svc.Code), s.App.Now()) {
			form.Kept = append(form.Kept, keptUpload{Label: documentName(svc, workflow.Attachment{Field: name}), Name: up.Name, Size: len(up.Data)})
		}
		sort.Slice(form.Kept, func(i, j int) bool { return form.Kept[i].Name < form.Kept[j].Name })
	}
	return s.render(c, status, "apply.html", svc.Name.In(lang(c)), form)
}

// submit handles both a citizen's online application and the front
// office's counter entry.
func (s *Server) submit(c echo.Context) error {
	svc, err := s.service(c)
	if err != nil {
		return err
	}
	values, uploads, err := readForm(c)
	if err != nil {
		return err
	}
	if err := s.withDraftUploads(c, values, uploads); err != nil {
		return err
	}
	u, _ := user(c)
	counter := strings.HasPrefix(c.Path(), "/office/")
	key := pendingKey(u.ID, svc.Code)
	if !counter {
		for name, up := range s.pending.take(key, s.App.Now()) {
			if _, ok := uploads[name]; !ok {
				uploads[name] = up
			}
		}
	}
	sub := workflow.Submission{Service: svc.Code, Values: values, Uploads: uploads, Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T(u.Name, ""), Phone: u.Phone, Email: u.Email}}
	if strings.HasPrefix(c.Path(), "/office/") {
		sub.Channel = workflow.ChannelCounter
		sub.Applicant = workflow.Applicant{Name: domain.T(strings.TrimSpace(values["applicant_name"]), ""), Phone: strings.TrimSpace(values["applicant_phone"])}
		if walkIn, err := s.App.Identity.ByLogin(sub.Applicant.Phone); err == nil && walkIn.Kind == identity.KindCitizen {
			sub.Applicant.UserID = walkIn.ID // they will see it in their account too
		}
	}
	f, err := s.App.Workflow.Submit(actor(c), sub)
	if errors.Is(err, kyc.ErrNeeded) && s.App.KYC != nil && sub.Channel == workflow.ChannelOnline {
		return s.keepForKYC(c, svc.Code, values, uploads)
	}
	if errs, ok := fieldErrors(err); ok {
		if !counter {
			// Keep what was attached, less a document that was itself
			// the mistake, for the corrected form.
			kept := map[string]workflow.Upload{}
			for name, up := range uploads {
				if _, bad := errs[name]; !bad {
					kept[name] = up
				}
			}
			s.pending.keep(key, values, kept, s.App.Now())
		}
		return s.renderApply(c, http.StatusUnprocessableEntity, svc, values, errs)
	}
	if err != nil {
		return err
	}
	if !counter {
		s.pending.keep(key, nil, nil, s.App.Now())
	}
	if sub.Channel == workflow.ChannelCounter {
		return c.Redirect(http.StatusSeeOther, "/office/files/"+f.ID+"?submitted=1")
	}
	return c.Redirect(http.StatusSeeOther, "/applications/"+f.ID+"?submitted=1")
}

func (s *Server) myApplications(c echo.Context) error {
	u, _ := user(c)
	apps, err := s.App.Workflow.Applications(u.ID, 200)
	if err != nil {
		return err
	}
	pg := pageOf(c, len(apps), applicationsPage)
	return s.render(c, http.StatusOK, "applications.html", "my_applications", map[string]any{"Apps": apps[pg.From:pg.To], "Page": pg, "Now": s.App.Now()})
}

// fileView is the data of a file's page, for the applicant or the office.
type fileView struct {
	File      workflow.File
	Service   catalogue.Service
	Overdue   bool
	Submitted bool
	Steps     []stepView
	Office    bool
	Actions   []string // office actions this user may try
	Users     []identity.User
	Errors    map[string]domain.Text
	Note      string
	Answers   []answer
	// Messages are what the applicant was sent about the file, with each
	// channel's delivery status.
	Messages []messaging.Sent
	// Dues are the file's demands, with what was paid and how to pay;
	// Online says whether the office takes payments online; Paid is the
	// receipt number just paid, to thank the payer.
	Dues   []dueView
	Online bool
	Paid   string
	// Deemed is a licence file's deemed-licence clock (nil for others).
	Deemed *licence.Clock
	// RTS is the file's Right to Service: its notification, appeals and
	// whether its applicant may appeal now.
	RTS *rtsView
}

type stepView struct {
	Name  domain.Text
	Role  domain.Role
	State string // "done", "current", "todo"
}

func (s *Server) fileView(c echo.Context, f workflow.File) fileView {
	svc := s.App.Workflow.Service(f)
	v := fileView{File: f, Service: svc, Overdue: f.Overdue(s.App.Now()), Submitted: c.QueryParam("submitted") == "1", Paid: c.QueryParam("paid")}
	if fin := s.App.Finance; fin != nil {
		if m, err := fin.OfFile(f.ID); err != nil {
			s.Logger.Error("reading a file's demands failed", "file", f.ID, "error", err)
		} else {
			v.Dues, v.Online = s.dues(m.Demands), fin.Gateway != nil
		}
	}
	if lc := s.App.Licences; lc != nil && lc.Deemable(f.Service) {
		clock := lc.ClockOf(f, s.App.Now())
		v.Deemed = &clock
	}
	v.RTS = s.rtsOf(f)
	var err error
	if v.Messages, err = messaging.ForLink(s.App.Store, "/applications/"+f.ID); err != nil {
		// The file still shows; the missing deliveries are logged, not hidden.
		s.Logger.Error("reading a file's messages failed", "file", f.ID, "error", err)
	}
	for i, st := range svc.Steps {
		state := "todo"
		switch {
		case i < f.Step || !f.Open() || f.Status == workflow.StatusApproved:
			state = "done"
		case i == f.Step:
			state = "current"
		}
		v.Steps = append(v.Steps, stepView{Name: st.Name, Role: st.Role, State: state})
	}
	v.Answers = answersOf(svc, f.Values, s.App.LocalBody)
	return v
}

func (s *Server) applicationPage(c echo.Context) error {
	f, err := s.App.Workflow.Get(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "application.html", f.Number, s.fileView(c, f))
}

func (s *Server) answer(c echo.Context) error {
	values, uploads, err := readForm(c)
	if err != nil {
		return err
	}
	f, err := s.App.Workflow.Answer(actor(c), c.Param("id"), values["note"], uploads)
	if errs, ok := fieldErrors(err); ok {
		f, gerr := s.App.Workflow.Get(actor(c), c.Param("id"))
		if gerr != nil {
			return gerr
		}
		v := s.fileView(c, f)
		v.Errors, v.Note = errs, values["note"]
		return s.render(c, http.StatusUnprocessableEntity, "application.html", f.Number, v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/applications/"+f.ID)
}

// baseURL is this appliance's public address, for links printed on
// documents: the configured one, else the address the client reached.
func (s *Server) baseURL(c echo.Context) string {
	if s.PublicURL != "" {
		return s.PublicURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

func (s *Server) receipt(c echo.Context) error {
	f, err := s.App.Workflow.Get(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	pdf, err := s.App.Workflow.Receipt(f, s.baseURL(c))
	if err != nil {
		return err
	}
	name := strings.NewReplacer("/", "-").Replace(f.Number)
	c.Response().Header().Set("Content-Disposition", `inline; filename="receipt-`+name+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// document sends an attachment of a file to someone who may read the file.
func (s *Server) document(c echo.Context) error {
	d, data, err := s.App.Workflow.Attachment(actor(c), c.Param("id"), c.Param("blob"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+safeFilename(d.Name)+`"`)
	return c.Blob(http.StatusOK, d.ContentType, data)
}

func safeFilename(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 32 || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, name)
}

func (s *Server) messages(c echo.Context) error {
	u, _ := user(c)
	msgs, err := messaging.Inbox(s.App.Store, u.ID, 0)
	if err != nil {
		return err
	}
	pg := pageOf(c, len(msgs), messagesPage)
	return s.render(c, http.StatusOK, "messages.html", "messages", map[string]any{"Messages": msgs[pg.From:pg.To], "Page": pg})
}

// status is the public status page: by application number, no personal data.
func (s *Server) status(c echo.Context) error {
	number := strings.TrimSpace(c.QueryParam("number"))
	data := map[string]any{"Number": number}
	status := http.StatusOK
	if number != "" {
		st, err := s.App.Workflow.Status(number)
		switch {
		case err == nil:
			data["Status"] = st
		case domain.ErrorCode(err) == domain.ENOTFOUND:
			data["Error"] = err.(*domain.Error)
			status = http.StatusNotFound
		default:
			return err
		}
	}
	return s.render(c, status, "status.html", "application_status", data)
}
