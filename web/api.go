package web

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/workflow"
)

// apiRoutes registers the JSON API under /api/v1, each route with who may
// call it. It offers what the pages offer; the modules check deeper (whose
// file, which step), as they do for the pages. Every route is described in
// openapi.json, and a test keeps the two in step.
func (s *Server) apiRoutes(g *echo.Group) {
	anyone := signedIn()
	citizen := signedIn(domain.RoleCitizen)
	staff := signedIn(staffRoles...)
	// Applicants: citizens online, the front office at the counter.
	applicant := signedIn(domain.RoleCitizen, domain.RoleFrontOffice)
	// A file's readers: its citizen applicant or office staff.
	reader := signedIn(append([]domain.Role{domain.RoleCitizen}, staffRoles...)...)

	// Public.
	g.GET("/openapi.json", s.apiOpenAPI)
	g.GET("/services", s.apiServices)
	g.GET("/services/:code", s.apiService)
	g.GET("/status", s.apiStatus)
	g.GET("/csrf", s.apiCSRF)
	limited := s.authLimiter
	g.POST("/session", s.apiSignIn, limited)
	g.POST("/signup", s.apiSignUp, limited)
	g.GET("/verify", s.apiPendingCode)
	g.POST("/verify", s.apiVerify, limited)
	g.POST("/verify/resend", s.apiResendCode, limited)
	g.POST("/password-recovery", s.apiForgot, limited)
	g.POST("/password-recovery/reset", s.apiRecover, limited)
	g.GET("/certificates/:number/verification", s.apiVerifyCertificate)

	// Anyone signed in.
	g.GET("/session", s.apiSession, anyone)
	g.DELETE("/session", s.apiSignOut, anyone)
	g.PUT("/account/password", s.apiChangePassword, anyone)
	g.GET("/messages", s.apiMessages, anyone)

	// Applications (the workflow checks whose file and which step).
	g.POST("/applications", s.apiSubmit, applicant)
	g.GET("/applications", s.apiApplications, citizen)
	g.GET("/applications/:id", s.apiFile, reader)
	g.GET("/applications/:id/receipt.pdf", s.receipt, reader)
	g.GET("/applications/:id/documents/:blob", s.document, reader)
	g.GET("/applications/:id/certificate.pdf", s.issuedDocument, reader)
	g.POST("/applications/:id/answer", s.apiAnswer, applicant)
	g.POST("/applications/:id/actions", s.apiAct, staff)

	// Office staff.
	g.GET("/inbox", s.apiInbox, staff)
	g.POST("/search", s.apiSearch, staff)

	// The registrar's office.
	registers := signedIn(civil.RegisterRoles...)
	g.GET("/registers/entry", s.apiRegisterEntry, registers)
	g.GET("/registers/:kind", s.apiRegister, registers)
	g.POST("/certificates/:number/revoke", s.apiRevokeCertificate, signedIn(domain.RoleRegistrar))
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) apiOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}

// isJSON reports whether the request carries a JSON body (else a form).
func isJSON(c echo.Context) bool {
	return strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON)
}

// queryLimit reads the optional ?limit= of a list: def when absent, else 1
// to max.
func queryLimit(c echo.Context, def, max int) (int, error) {
	raw := c.QueryParam("limit")
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > max {
		msg := fmt.Sprintf("limit must be a whole number from 1 to %d.", max)
		return 0, &domain.Error{Code: domain.EINVALID, Message: msg, Fields: map[string]domain.Text{"limit": domain.T(msg, "")}}
	}
	return n, nil
}

// Catalogue.

// apiService is a service as the API lists it: its definition, and
// whether it may be applied for (available), or why not.
type apiService struct {
	catalogue.Service
	Available    bool         `json:"available"`
	NotAvailable *domain.Text `json:"not_available,omitempty"`
}

func (s *Server) apiServiceOf(svc catalogue.Service) apiService {
	out := apiService{Service: svc, Available: true}
	if err, ok := s.App.Catalogue.Offered(svc.Code).(*domain.Error); ok {
		out.Available, out.NotAvailable = false, &domain.Text{En: err.Message, Ml: err.MessageML}
	}
	return out
}

func (s *Server) apiServices(c echo.Context) error {
	module := c.QueryParam("module")
	list := s.App.Catalogue.All()
	if module != "" {
		if list = s.App.Catalogue.ByModule(module); list == nil {
			return domain.Errorf(domain.EINVALID, "There is no module %q; the modules are %s.", module, strings.Join(catalogue.Modules, ", "))
		}
	}
	out := make([]apiService, len(list))
	for i, svc := range list {
		out[i] = s.apiServiceOf(svc)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiService(c echo.Context) error {
	svc, err := s.service(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.apiServiceOf(svc))
}

// apiStatus is the public status of an application by its number: no
// personal data.
func (s *Server) apiStatus(c echo.Context) error {
	number := strings.TrimSpace(c.QueryParam("number"))
	if number == "" {
		t := domain.T("Give the application number, e.g. ?number=KS/M0701/2026/BC/12.", "അപേക്ഷാ നമ്പർ നൽകുക.")
		return &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"number": t}}
	}
	st, err := s.App.Workflow.Status(number)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// apiCSRF gives a client that is not a browser the token to send back in
// the X-CSRF-Token header with every POST, PUT and DELETE (it also comes
// as the _csrf cookie). Browsers need none: their Sec-Fetch-Site header
// does the work.
func (s *Server) apiCSRF(c echo.Context) error {
	token := csrfToken(c)
	if token == middleware.CSRFUsingSecFetchSite {
		token = "" // a browser, checked by its Sec-Fetch-Site header: no token to send
	}
	return c.JSON(http.StatusOK, map[string]string{"csrf": token})
}

// Sessions and accounts.

// apiUser is a user as the API shows them to themselves.
type apiUser struct {
	ID    string        `json:"id"`
	Kind  string        `json:"kind"`
	Login string        `json:"login"`
	Name  string        `json:"name"`
	Roles []domain.Role `json:"roles"`
	Wards []int         `json:"wards,omitempty"`
}

type apiSessionBody struct {
	User               apiUser `json:"user"`
	MustChangePassword bool    `json:"must_change_password"`
}

func sessionBody(u identity.User) apiSessionBody {
	return apiSessionBody{User: apiUser{ID: u.ID, Kind: u.Kind, Login: u.Login, Name: u.Name, Roles: u.Roles, Wards: u.Wards},
		MustChangePassword: u.MustChangePassword}
}

func (s *Server) apiSession(c echo.Context) error {
	u, _ := user(c)
	return c.JSON(http.StatusOK, sessionBody(u))
}

func (s *Server) apiSignIn(c echo.Context) error {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
		Code     string `json:"code"` // the second step, for staff who take it
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	fe := domain.FieldErrors{}
	if strings.TrimSpace(in.Login) == "" {
		fe.Add("login", domain.T("Give your login: your mobile number, e-mail address or office username.", "ലോഗിൻ നൽകുക: മൊബൈൽ നമ്പർ, ഇ-മെയിൽ അല്ലെങ്കിൽ ഓഫീസ് യൂസർനെയിം."))
	}
	if in.Password == "" {
		fe.Add("password", domain.T("Give your password.", "പാസ്‌വേഡ് നൽകുക."))
	}
	if err := fe.Err(); err != nil {
		return err
	}
	u, err := s.App.Identity.AuthenticateFrom(in.Login, in.Password, c.RealIP())
	if errors.Is(err, identity.ErrNotVerified) {
		// As the sign-in page does: this session may now verify.
		if err := s.awaitCode(c, u); err != nil {
			return err
		}
		return err
	}
	if err != nil {
		return err
	}
	if s.App.Identity.TOTPRequired(u) {
		if err := s.apiTwoStep(c, u, in.Code); err != nil {
			return err
		}
	}
	if err := s.App.Identity.SignIn(c.Request().Context(), s.sessions, u); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionBody(u))
}

// apiSignOut ends this session, or with ?everywhere=1 every session of the
// user on every device.
func (s *Server) apiSignOut(c echo.Context) error {
	if ev := c.QueryParam("everywhere"); ev != "" && ev != "0" && ev != "false" {
		u, _ := user(c)
		if err := s.App.Identity.SignOutEverywhere(u.ID); err != nil {
			return err
		}
	}
	if err := s.App.Identity.SignOut(c.Request().Context(), s.sessions); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiSignUp(c echo.Context) error {
	var in identity.SignUp
	if err := readJSON(c, &in); err != nil {
		return err
	}
	u, err := s.App.Identity.SignUp(in)
	if err != nil {
		return err
	}
	if err := s.awaitCode(c, u); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"user_id": u.ID})
}

// apiPendingCode shows the session that signed up the in-app message with
// its code, as the verification page does until SMS and e-mail gateways
// are set up.
func (s *Server) apiPendingCode(c echo.Context) error {
	u, err := s.pendingUser(c)
	if err != nil {
		return err
	}
	body := struct {
		UserID  string             `json:"user_id"`
		Login   string             `json:"login"`
		Message *messaging.Message `json:"message"`
	}{UserID: u.ID, Login: u.Login}
	if msg, ok := s.inAppCode(u); ok {
		body.Message = &msg
	}
	return c.JSON(http.StatusOK, body)
}

func (s *Server) apiVerify(c echo.Context) error {
	u, err := s.pendingUser(c)
	if err != nil {
		return err
	}
	var in struct {
		Code string `json:"code"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	if err := s.App.Identity.Verify(u.ID, in.Code); err != nil {
		return err
	}
	if u, err = s.App.Identity.Get(u.ID); err != nil {
		return err
	}
	s.sessions.Remove(c.Request().Context(), sessionPending)
	if err := s.App.Identity.SignIn(c.Request().Context(), s.sessions, u); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionBody(u))
}

func (s *Server) apiResendCode(c echo.Context) error {
	u, err := s.pendingUser(c)
	if err != nil {
		return err
	}
	if err := s.App.Identity.ResendCode(u.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiChangePassword(c echo.Context) error {
	u, _ := user(c)
	var in struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	if err := s.App.Identity.ChangePassword(u.ID, in.Old, in.New); err != nil {
		// The fields are named as this request names them.
		var de *domain.Error
		if errors.As(err, &de) && len(de.Fields) > 0 {
			fields := map[string]domain.Text{}
			for k, v := range de.Fields {
				switch k {
				case "password":
					k = "old"
				case "new_password":
					k = "new"
				}
				fields[k] = v
			}
			return &domain.Error{Code: de.Code, Message: de.Message, MessageML: de.MessageML, Fields: fields}
		}
		return err
	}
	// As the page does: sign this session in afresh, with a new token.
	var err error
	if u, err = s.App.Identity.Get(u.ID); err != nil {
		return err
	}
	if err := s.App.Identity.SignIn(c.Request().Context(), s.sessions, u); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionBody(u))
}

func (s *Server) apiMessages(c echo.Context) error {
	limit, err := queryLimit(c, 100, 500)
	if err != nil {
		return err
	}
	u, _ := user(c)
	msgs, err := messaging.Inbox(s.App.Store, u.ID, limit)
	if err != nil {
		return err
	}
	if msgs == nil {
		msgs = []messaging.Message{}
	}
	return c.JSON(http.StatusOK, msgs)
}

// Applications.

// apiFileBody is a file as the API returns it: the file, whether it is
// overdue, and for office staff the actions they may try and whom it may
// be forwarded to.
type apiFileBody struct {
	workflow.File
	// Demand sums what is demanded on the file, paid and still owed;
	// absent when nothing is.
	Demand    *apiFileDemand `json:"demand,omitempty"`
	Overdue   bool           `json:"overdue"`
	Receipt   string         `json:"receipt"`
	Actions   []string       `json:"actions,omitempty"`
	ForwardTo []apiStaffRef  `json:"forward_to,omitempty"`
}

type apiStaffRef struct {
	ID    string        `json:"id"`
	Name  string        `json:"name"`
	Roles []domain.Role `json:"roles"`
}

// apiFileDemand is the money of a file, as its JSON shows it.
type apiFileDemand struct {
	Amount  domain.Paise `json:"amount_paise"`
	Paid    domain.Paise `json:"paid_paise"`
	Balance domain.Paise `json:"balance_paise"`
	// Demands are the file's demands, each with its number to quote.
	Demands []apiDue `json:"demands"`
}

func (s *Server) fileBody(c echo.Context, f workflow.File) apiFileBody {
	b := apiFileBody{File: f, Overdue: f.Overdue(s.App.Now()), Receipt: "/api/v1/applications/" + f.ID + "/receipt.pdf"}
	if fin := s.App.Finance; fin != nil {
		if m, err := fin.OfFile(f.ID); err == nil && len(m.Demands) > 0 {
			b.Demand = &apiFileDemand{Amount: m.Amount, Paid: m.Paid, Balance: m.Balance}
			for _, d := range m.Demands {
				b.Demand.Demands = append(b.Demand.Demands, s.apiDueOf(d))
			}
		}
	}
	if actor(c).IsStaff() {
		v := s.officeView(c, f, nil, "")
		b.Actions = v.Actions
		for _, u := range v.Users {
			b.ForwardTo = append(b.ForwardTo, apiStaffRef{ID: u.ID, Name: u.Name, Roles: u.Roles})
		}
	}
	return b
}

// apiEntry is a file's summary in a list, with whether it is overdue.
type apiEntry struct {
	workflow.DeskEntry
	Overdue bool `json:"overdue"`
}

func (s *Server) entries(list []workflow.DeskEntry) []apiEntry {
	now := s.App.Now()
	out := make([]apiEntry, 0, len(list))
	for _, e := range list {
		out = append(out, apiEntry{DeskEntry: e, Overdue: e.Overdue(now)})
	}
	return out
}

// submitRequest is the JSON body of POST /applications. Values are strings;
// a JSON number is taken as the number it spells.
type submitRequest struct {
	Service   string                     `json:"service"`
	Channel   string                     `json:"channel"`
	Values    map[string]json.RawMessage `json:"values"`
	Applicant *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"applicant"`
}

// The multipart form keys of POST /applications that are not the
// service's values.
var submitFormKeys = map[string]bool{"service": true, "channel": true, "applicant_name": true, "applicant_phone": true, "_csrf": true}

// apiSubmit takes an application: a citizen's own, online, or the front
// office's for a walk-in applicant at the counter. It answers 201 with the
// file once it is durably stored; any faulty field is 400 with every
// problem named, and nothing is stored.
func (s *Server) apiSubmit(c echo.Context) error {
	fe := domain.FieldErrors{}
	var (
		code, channel, appName, appPhone string
		applicantGiven                   bool
		values                           = map[string]string{}
		uploads                          map[string]workflow.Upload
	)
	if isJSON(c) {
		var in submitRequest
		if err := readJSON(c, &in); err != nil {
			return err
		}
		code, channel = in.Service, in.Channel
		if in.Applicant != nil {
			applicantGiven, appName, appPhone = true, in.Applicant.Name, in.Applicant.Phone
		}
		for k, raw := range in.Values {
			v, ok := jsonScalar(raw)
			if !ok {
				fe.Add(k, domain.T("Give this value as a string (or a number).", "ഈ വിവരം ടെക്സ്റ്റ് ആയി നൽകുക."))
				continue
			}
			values[k] = v
		}
	} else {
		form, files, err := readForm(c)
		if err != nil {
			return err
		}
		code, channel, uploads = form["service"], form["channel"], files
		appName, appPhone = form["applicant_name"], form["applicant_phone"]
		applicantGiven = appName != "" || appPhone != ""
		for k, v := range form {
			if !submitFormKeys[k] {
				values[k] = v
			}
		}
	}

	svc, ok := s.App.Catalogue.Get(strings.TrimSpace(code))
	if !ok {
		t := domain.T("Name the service by its code, e.g. birth_certificate; GET /api/v1/services lists them.", "സേവനത്തിന്റെ കോഡ് നൽകുക, ഉദാ. birth_certificate.")
		if code != "" {
			t = domain.T(fmt.Sprintf("There is no service %q; GET /api/v1/services lists them.", code), fmt.Sprintf("%q എന്ന സേവനം ഇല്ല.", code))
		}
		fe.Add("service", t)
		return fe.Err()
	}
	a := actor(c)
	channel = workflow.ChannelFor(a, channel, applicantGiven, fe)
	known := valueKeys(svc)
	for k := range values {
		if !known[k] {
			fe.Add(k, domain.T(fmt.Sprintf("The service %s has no field %q.", svc.Code, k), fmt.Sprintf("%s എന്ന സേവനത്തിന് %q എന്ന ഫീൽഡ് ഇല്ല.", svc.Code, k)))
		}
	}
	if len(fe) > 0 {
		// Report the values' own problems with these, all at once.
		if _, err := svc.Validate(values, s.App.LocalBody, s.App.Now()); err != nil {
			if errs, ok := fieldErrors(err); ok {
				for k, v := range errs {
					fe.Add(k, v)
				}
			}
		}
		return fe.Err()
	}

	u, _ := user(c)
	sub := workflow.Submission{Service: svc.Code, Values: values, Uploads: uploads, Channel: channel,
		Applicant: workflow.Applicant{Name: domain.T(u.Name, ""), Phone: u.Phone, Email: u.Email}}
	if channel == workflow.ChannelCounter {
		sub.Applicant = workflow.Applicant{Name: domain.T(strings.TrimSpace(appName), ""), Phone: strings.TrimSpace(appPhone)}
		if walkIn, err := s.App.Identity.ByLogin(sub.Applicant.Phone); err == nil && walkIn.Kind == identity.KindCitizen {
			sub.Applicant.UserID = walkIn.ID // they will see it in their account too
		}
	}
	f, err := s.App.Workflow.Submit(a, sub)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/applications/"+f.ID)
	return c.JSON(http.StatusCreated, s.fileBody(c, f))
}

// jsonScalar returns a JSON string's text or a JSON number's digits; null
// is an empty value. Anything else is not a form value.
func jsonScalar(raw json.RawMessage) (string, bool) {
	// Most values are plain strings: their text is between the quotes.
	// (The body was checked as UTF-8 already; an escape takes the decoder.)
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw[1:n-1], '\\') < 0 && bytes.IndexByte(raw[1:n-1], '"') < 0 {
		return string(raw[1 : n-1]), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), true
	}
	if strings.TrimSpace(string(raw)) == "null" {
		return "", true
	}
	return "", false
}

// valueKeys are the keys of a service's form values (a name field is two:
// <name>_en and <name>_ml); documents come as uploads.
func valueKeys(svc catalogue.Service) map[string]bool {
	keys := map[string]bool{}
	for _, f := range svc.Fields {
		switch f.Type {
		case catalogue.FieldDocument:
		case catalogue.FieldName:
			keys[f.Name+"_en"], keys[f.Name+"_ml"] = true, true
		default:
			keys[f.Name] = true
		}
	}
	return keys
}

func (s *Server) apiApplications(c echo.Context) error {
	limit, err := queryLimit(c, 100, 500)
	if err != nil {
		return err
	}
	u, _ := user(c)
	list, err := s.App.Workflow.Applications(u.ID, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.entries(list))
}

func (s *Server) apiFile(c echo.Context) error {
	f, err := s.App.Workflow.Get(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.fileBody(c, f))
}

// apiAnswer is the applicant's reply to a file returned to them: a note
// and any documents asked for.
func (s *Server) apiAnswer(c echo.Context) error {
	var note string
	var uploads map[string]workflow.Upload
	if isJSON(c) {
		var in struct {
			Note string `json:"note"`
		}
		if err := readJSON(c, &in); err != nil {
			return err
		}
		note = in.Note
	} else {
		values, files, err := readForm(c)
		if err != nil {
			return err
		}
		note, uploads = values["note"], files
	}
	f, err := s.App.Workflow.Answer(actor(c), c.Param("id"), note, uploads)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.fileBody(c, f))
}

// apiActions are the office actions POST /applications/{id}/actions takes.
var apiActions = []string{workflow.KindForwarded, workflow.KindReturned, workflow.KindNote, workflow.KindInspection,
	workflow.KindApproved, workflow.KindRejected, workflow.KindIssued}

func (s *Server) apiAct(c echo.Context) error {
	var req workflow.Request
	if isJSON(c) {
		var in struct {
			Action string `json:"action"`
			Note   string `json:"note"`
			ToUser string `json:"to_user"`
		}
		if err := readJSON(c, &in); err != nil {
			return err
		}
		req = workflow.Request{Kind: in.Action, Note: in.Note, ToUser: in.ToUser}
	} else {
		values, uploads, err := readForm(c)
		if err != nil {
			return err
		}
		req = workflow.Request{Kind: values["action"], Note: values["note"], ToUser: values["to_user"]}
		if r, ok := uploads["report"]; ok {
			req.Report = &r
		}
	}
	known := false
	for _, k := range apiActions {
		known = known || k == req.Kind
	}
	if !known {
		t := domain.T("Choose the action: one of "+strings.Join(apiActions, ", ")+".", "നടപടി തിരഞ്ഞെടുക്കുക: "+strings.Join(apiActions, ", ")+".")
		return &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"action": t}}
	}
	f, err := s.App.Workflow.Act(actor(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.fileBody(c, f))
}

// apiInbox lists the open files on the user's desks, overdue first.
func (s *Server) apiInbox(c echo.Context) error {
	limit, err := queryLimit(c, 300, 1000)
	if err != nil {
		return err
	}
	list, err := s.App.Workflow.Inbox(actor(c), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.entries(list))
}
