package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
)

// The kiosk is a touch screen at the office or an Akshaya centre where a
// person without an account finds and prints a birth, death or marriage
// certificate, or checks an application's status. civil owns its rules
// (what a search needs, what is masked, the tokens that open a result);
// this file owns how a kiosk is known, its limits, and its pages:
//
//   - A kiosk is a browser, known by a random device id in the HttpOnly,
//     SameSite=Strict cookie ksmart_kiosk, set by GET /kiosk. A program may
//     send the id in the X-Kiosk-Id header instead. It acts as
//     appliance.KioskActor(id); there is no sign-in.
//   - Everything personal travels in POST bodies, never in a URL, and every
//     kiosk answer is Cache-Control: no-store with Referrer-Policy:
//     no-referrer, so neither the browser's history nor its cache keeps it.
//   - Searches, openings, printing and status checks are limited per kiosk
//     and per network address.
//   - kiosk.js sends an idle kiosk back to the blank form.

const (
	kioskCookie = "ksmart_kiosk"
	kioskHeader = "X-Kiosk-Id"
	ctxKiosk    = "ksmart.kiosk"
	// kioskIdle is how long a kiosk waits without input before it clears
	// itself, unless Server.KioskIdle says otherwise.
	kioskIdle = time.Minute
)

// kioskIDPattern is what a kiosk id may be: the 32 hex digits the cookie
// carries, or what a program chose, within these bounds.
var kioskIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// Kiosk limits: a kiosk may search (or open, print, check a status) 10
// times a minute, with a burst of 10; one network address 30 times a
// minute, however many kiosks stand behind it.
const (
	kioskPerMinute   = 10
	addressPerMinute = 30
)

// kioskLimits are the two limiters, made once per server.
type kioskLimits struct {
	byKiosk, byAddress echo.MiddlewareFunc
}

func (s *Server) newKioskLimits() kioskLimits {
	limiter := func(perMinute int, id func(echo.Context) string) echo.MiddlewareFunc {
		return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
			Skipper: func(echo.Context) bool { return s.NoKioskLimit },
			Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
				Rate: rate.Limit(float64(perMinute) / 60), Burst: perMinute, ExpiresIn: 3 * time.Minute,
			}),
			IdentifierExtractor: func(c echo.Context) (string, error) { return id(c), nil },
			// echo hands what DenyHandler returns to the server's error
			// handler, which draws the site's layout: a page is answered
			// here, on the kiosk's own.
			DenyHandler: func(c echo.Context, _ string, _ error) error {
				c.Response().Header().Set("Retry-After", "60")
				if wantsHTML(c) {
					return s.kioskFail(c, s.kioskData(c), errKioskTooMany)
				}
				return errKioskTooMany
			},
			ErrorHandler: func(c echo.Context, err error) error { return err },
		})
	}
	return kioskLimits{
		byKiosk:   limiter(kioskPerMinute, func(c echo.Context) string { return kioskID(c) }),
		byAddress: limiter(addressPerMinute, func(c echo.Context) string { return c.RealIP() }),
	}
}

var errKioskTooMany = domain.Bilingual(domain.ERATELIMIT, domain.T(
	"Too many searches from this kiosk. Wait a minute.",
	"ഈ കിയോസ്കിൽ നിന്ന് വളരെയധികം തിരച്ചിലുകൾ. ഒരു മിനിറ്റ് കാത്തിരിക്കുക."))

// kioskHeaders marks every kiosk answer as not to be stored or referred.
func kioskHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		return next(c)
	}
}

// kioskPage wraps a kiosk page: the kiosk headers, and any error shown on
// the kiosk's own blank form (never the site's layout, with its menu and
// sign-in links).
func (s *Server) kioskPage(next echo.HandlerFunc) echo.HandlerFunc {
	return kioskHeaders(func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return err // echo's own (no route, bad method): the site's handler
		}
		return s.kioskFail(c, s.kioskData(c), err)
	})
}

// kioskIdentity finds the kiosk's id: the X-Kiosk-Id header, else the
// cookie. Without a good one, the kiosk gets a fresh cookie and, for a
// page, the blank form; the API answers 400 and asks to send again.
func (s *Server) kioskIdentity(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(kioskHeader)
		if id == "" {
			if ck, err := c.Cookie(kioskCookie); err == nil {
				id = ck.Value
			}
		}
		if kioskIDPattern.MatchString(id) {
			c.Set(ctxKiosk, id)
			return next(c)
		}
		c.Set(ctxKiosk, s.newKioskCookie(c))
		if wantsHTML(c) {
			return s.renderKiosk(c, http.StatusOK, "kiosk.html", s.kioskData(c))
		}
		return domain.Bilingual(domain.EINVALID, domain.T(
			"This kiosk had no id. It has one now (the ksmart_kiosk cookie); send the request again, or send an id of your own in the X-Kiosk-Id header.",
			"ഈ കിയോസ്കിന് തിരിച്ചറിയൽ ഇല്ലായിരുന്നു. ഇപ്പോൾ നൽകി; വീണ്ടും അയയ്ക്കുക."))
	}
}

// newKioskCookie gives this browser a new kiosk id, kept for years.
func (s *Server) newKioskCookie(c echo.Context) string {
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: kioskCookie, Value: id, Path: "/", MaxAge: 10 * 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.SecureCookies})
	return id
}

// kioskID is the id of the kiosk asking, once kioskIdentity has run.
func kioskID(c echo.Context) string {
	id, _ := c.Get(ctxKiosk).(string)
	return id
}

func kioskActor(c echo.Context) domain.Actor { return appliance.KioskActor(kioskID(c)) }

// kioskView is what the kiosk's pages draw.
type kioskView struct {
	IdleMs int64
	// Query is what the person typed, kept on the page that answers it.
	Query civil.KioskQuery
	// Error is the page's message; Errors the fields at fault.
	Error  *domain.Text
	Errors map[string]domain.Text
	// Searched: Result answers Query.
	Searched bool
	Result   civil.KioskResult
	// Number and Status are an application's status asked for by number.
	Number      string
	Status      *workflow.PublicStatus
	StatusError *domain.Text
	// Entry is an opened result.
	Entry *civil.KioskEntry
	// Copy is the demand for a copy, to pay; CopyQR its UPI code.
	Copy   *civil.CopyDemand
	CopyQR string
	// Demand is the demand number typed to print a paid copy; Printed the
	// copy printed for it, shown by PrintedToken.
	Demand       string
	Printed      *civil.Certificate
	PrintedToken string
}

func (s *Server) kioskData(c echo.Context) *kioskView {
	idle := s.KioskIdle
	if idle <= 0 {
		idle = kioskIdle
	}
	return &kioskView{IdleMs: idle.Milliseconds(), Errors: map[string]domain.Text{}}
}

func (s *Server) renderKiosk(c echo.Context, status int, name string, v *kioskView) error {
	return s.render(c, status, name, "find_a_certificate_kiosk", v)
}

// kioskFail shows err on the kiosk's form with its status: the message in
// both languages, and each field's own beside it. Internal faults are
// logged with the request id, never shown.
func (s *Server) kioskFail(c echo.Context, v *kioskView, err error) error {
	code := domain.ErrorCode(err)
	var de *domain.Error
	switch {
	case code == domain.EINTERNAL || !errors.As(err, &de):
		rid := c.Response().Header().Get(echo.HeaderXRequestID)
		s.Logger.Error("internal error", "request_id", rid, "path", c.Path(), "error", err)
		msg := domain.T("Something went wrong on our side. Please try again; if it goes on, tell the office: "+rid,
			"ഞങ്ങളുടെ ഭാഗത്ത് ഒരു പിഴവ് സംഭവിച്ചു. വീണ്ടും ശ്രമിക്കുക; തുടർന്നാൽ ഓഫീസിൽ അറിയിക്കുക: "+rid)
		v.Error = &msg
	default:
		msg := domain.Text{En: de.Message, Ml: de.MessageML}
		v.Error = &msg
		for k, t := range de.Fields {
			v.Errors[k] = t
		}
	}
	return s.renderKiosk(c, statusOf[code], "kiosk.html", v)
}

// kioskHome is the blank form. It gives a browser its kiosk id on its
// first visit.
func (s *Server) kioskHome(c echo.Context) error {
	if ck, err := c.Cookie(kioskCookie); err != nil || !kioskIDPattern.MatchString(ck.Value) {
		s.newKioskCookie(c)
	}
	return s.renderKiosk(c, http.StatusOK, "kiosk.html", s.kioskData(c))
}

// kioskQuery reads a search from a form.
func kioskQuery(values map[string]string) civil.KioskQuery {
	return civil.KioskQuery{Kind: values["kind"], Name: values["name"], Date: values["date"], Relation: values["relation"], Number: values["number"]}
}

func (s *Server) kioskSearch(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	v := s.kioskData(c)
	v.Query = kioskQuery(values)
	res, err := s.App.Civil.KioskSearch(c.Request().Context(), kioskActor(c), c.RealIP(), v.Query)
	if err != nil {
		return s.kioskFail(c, v, err)
	}
	v.Searched, v.Result = true, res
	return s.renderKiosk(c, http.StatusOK, "kiosk.html", v)
}

func (s *Server) kioskOpen(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	e, err := s.App.Civil.KioskOpen(kioskActor(c), c.RealIP(), values["token"])
	if err != nil {
		return err
	}
	v := s.kioskData(c)
	v.Entry = &e
	return s.renderKiosk(c, http.StatusOK, "kiosk_entry.html", v)
}

// kioskCertificate answers the certificate's PDF, to show and print. It
// may be shown in a frame of the kiosk's own page, so the page's idle
// timer keeps running while the certificate is on screen.
func (s *Server) kioskCertificate(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	rec, pdf, err := s.App.Civil.KioskCertificate(kioskActor(c), c.RealIP(), values["token"])
	if err != nil {
		return err
	}
	return kioskPDF(c, rec, pdf)
}

// kioskCopy charges for a copy of an opened entry and shows how to pay.
func (s *Server) kioskCopy(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	d, err := s.App.Civil.KioskCopy(kioskActor(c), c.RealIP(), values["token"])
	if err != nil {
		return err
	}
	v := s.kioskData(c)
	v.Copy, v.Demand = &d, d.Number
	if d.UPI != "" {
		v.CopyQR = qrSVG(d.UPI)
	}
	return s.renderKiosk(c, http.StatusOK, "kiosk_copy.html", v)
}

// kioskPaidCopy prints the copy a paid demand is for: the page shows it in
// a frame, so the page's idle timer keeps running. A demand not paid, or
// printed already, is said on the same page, to fix.
func (s *Server) kioskPaidCopy(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	v := s.kioskData(c)
	v.Demand = strings.TrimSpace(values["demand"])
	rec, token, err := s.App.Civil.KioskPaidCopy(kioskActor(c), c.RealIP(), v.Demand)
	if err != nil {
		code := domain.ErrorCode(err)
		if v.Error, err = kioskMessage(err, "demand"); err != nil {
			return err
		}
		return s.renderKiosk(c, statusOf[code], "kiosk_copy.html", v)
	}
	v.Printed, v.PrintedToken = &rec, token
	return s.renderKiosk(c, http.StatusOK, "kiosk_copy.html", v)
}

// kioskPrinted answers a printed copy's PDF, for the frame of the page
// that printed it.
func (s *Server) kioskPrinted(c echo.Context) error {
	rec, pdf, err := s.App.Civil.KioskPrinted(kioskActor(c), c.QueryParam("token"))
	if err != nil {
		return err
	}
	return kioskPDF(c, rec, pdf)
}

// kioskPDF answers a certificate's PDF, which only the kiosk's own pages
// may frame.
func kioskPDF(c echo.Context, rec civil.Certificate, pdf []byte) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", `inline; filename="`+rec.Number+`.pdf"`)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", "frame-ancestors 'self'")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// kioskMessage is what the kiosk's page says of err, a mistake to fix:
// field's own message when it names field, else the whole. A fault of
// ours is given back, to be logged and answered as one.
func kioskMessage(err error, field string) (*domain.Text, error) {
	var de *domain.Error
	if domain.ErrorCode(err) == domain.EINTERNAL || !errors.As(err, &de) {
		return nil, err
	}
	msg := domain.Text{En: de.Message, Ml: de.MessageML}
	if t, ok := de.Fields[field]; ok {
		msg = t
	}
	return &msg, nil
}

func (s *Server) kioskStatus(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	v := s.kioskData(c)
	v.Number = values["number"]
	st, err := s.App.KioskStatus(kioskActor(c), c.RealIP(), v.Number)
	if err != nil {
		code := domain.ErrorCode(err)
		if v.StatusError, err = kioskMessage(err, "number"); err != nil {
			return err
		}
		return s.renderKiosk(c, statusOf[code], "kiosk.html", v)
	}
	v.Status = &st
	return s.renderKiosk(c, http.StatusOK, "kiosk.html", v)
}

// The kiosk's JSON API.

// apiKioskQuery is the body of POST /api/v1/kiosk/search.
type apiKioskQuery struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Date     string `json:"date"`
	Relation string `json:"relation"`
	Number   string `json:"number"`
}

// apiKioskMatch is one masked result.
type apiKioskMatch struct {
	Token     string           `json:"token"`
	Kind      string           `json:"kind"`
	KindName  domain.Text      `json:"kind_name"`
	Number    string           `json:"number"`
	Date      string           `json:"date"`
	Names     []apiMaskedField `json:"names"`
	Relations []apiMaskedField `json:"relations"`
}

type apiMaskedField struct {
	Label domain.Text `json:"label"`
	Value domain.Text `json:"value"`
}

func maskedFields(in []civil.MaskedField) []apiMaskedField {
	out := make([]apiMaskedField, 0, len(in))
	for _, f := range in {
		out = append(out, apiMaskedField{Label: f.Label, Value: f.Value})
	}
	return out
}

func (s *Server) apiKioskSearch(c echo.Context) error {
	var in apiKioskQuery
	if err := readJSON(c, &in); err != nil {
		return err
	}
	q := civil.KioskQuery{Kind: in.Kind, Name: in.Name, Date: in.Date, Relation: in.Relation, Number: in.Number}
	res, err := s.App.Civil.KioskSearch(c.Request().Context(), kioskActor(c), c.RealIP(), q)
	if err != nil {
		return err
	}
	out := struct {
		TooMany bool            `json:"too_many"`
		Matches []apiKioskMatch `json:"matches"`
	}{TooMany: res.TooMany, Matches: []apiKioskMatch{}}
	for _, m := range res.Matches {
		out.Matches = append(out.Matches, apiKioskMatch{Token: m.Token, Kind: m.Kind, KindName: m.KindName, Number: m.Number, Date: m.Date,
			Names: maskedFields(m.Names), Relations: maskedFields(m.Relations)})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiKioskStatus(c echo.Context) error {
	var in struct {
		Number string `json:"number"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	st, err := s.App.KioskStatus(kioskActor(c), c.RealIP(), in.Number)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
