package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
)

// Two-step sign-in pages. After the right password, office staff for whom
// identity.TOTPRequired holds are not signed in: their session only
// remembers, for ten minutes, who gave the password, and the next page
// asks for the code of their authenticator app (or, the first time, sets
// the app up with a QR code and hands over the recovery codes).
const (
	sessionTwoStepUser = "two_step_user"
	sessionTwoStepAt   = "two_step_at"
	sessionTwoStepNext = "two_step_next"
	twoStepWindow      = 10 * time.Minute
)

// startTwoStep ends whatever the session held, remembers that u gave the
// right password, and sends the browser to the second step.
func (s *Server) startTwoStep(c echo.Context, u identity.User, next string) error {
	ctx := c.Request().Context()
	if err := s.sessions.Destroy(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionTwoStepUser, u.ID)
	s.sessions.Put(ctx, sessionTwoStepAt, int(time.Now().Unix())) // the codec gives whole numbers back as int
	s.sessions.Put(ctx, sessionTwoStepNext, next)
	if u.TwoStep.IsZero() {
		return c.Redirect(http.StatusSeeOther, "/signin/two-step/setup")
	}
	return c.Redirect(http.StatusSeeOther, "/signin/two-step")
}

var errTwoStepExpired = domain.Bilingual(domain.EUNAUTHENTICATED, domain.T(
	"Sign in with your password first (the second step must follow within 10 minutes).",
	"ആദ്യം പാസ്‌വേഡ് ഉപയോഗിച്ച് സൈൻ ഇൻ ചെയ്യുക (രണ്ടാം ഘട്ടം 10 മിനിറ്റിനുള്ളിൽ ചെയ്യണം)."))

// twoStepUser is the staff member who gave their password in this session
// and has a second step to take.
func (s *Server) twoStepUser(c echo.Context) (identity.User, error) {
	ctx := c.Request().Context()
	id := s.sessions.GetString(ctx, sessionTwoStepUser)
	at := int64(s.sessions.GetInt(ctx, sessionTwoStepAt))
	if id == "" || time.Since(time.Unix(at, 0)) > twoStepWindow {
		return identity.User{}, errTwoStepExpired
	}
	return s.App.Identity.Get(id)
}

// finishTwoStep signs u in and returns where to go next.
func (s *Server) finishTwoStep(c echo.Context, u identity.User) (string, error) {
	ctx := c.Request().Context()
	next := s.sessions.GetString(ctx, sessionTwoStepNext)
	for _, k := range []string{sessionTwoStepUser, sessionTwoStepAt, sessionTwoStepNext} {
		s.sessions.Remove(ctx, k)
	}
	if err := s.App.Identity.SignIn(ctx, s.sessions, u); err != nil {
		return "", err
	}
	return afterSignIn(u, next), nil
}

// afterSignIn is where a signed-in user goes: to change a one-time
// password, where they were going, or their desk.
func afterSignIn(u identity.User, next string) string {
	switch {
	case u.MustChangePassword:
		return "/account/password"
	case next != "":
		return next
	case u.Actor().Has(domain.RoleKiosk) && len(u.Roles) == 1:
		return "/kiosk" // a kiosk account has no desk: the kiosk's screen
	case u.Kind == identity.KindStaff:
		return "/office"
	}
	return "/applications"
}

// twoStepPage is the data of the second step's pages.
type twoStepPage struct {
	User   identity.User
	Error  *domain.Text
	QR     string // the set-up's QR code, SVG
	Secret string // the set-up's secret in groups of four, to type in
	Codes  []string
	Next   string
}

func (s *Server) twoStepPage(c echo.Context) error {
	u, err := s.twoStepUser(c)
	if err != nil {
		return c.Redirect(http.StatusSeeOther, "/signin")
	}
	if u.TwoStep.IsZero() {
		return c.Redirect(http.StatusSeeOther, "/signin/two-step/setup")
	}
	return s.render(c, http.StatusOK, "two_step.html", "ts_title", twoStepPage{User: u})
}

func (s *Server) twoStep(c echo.Context) error {
	u, err := s.twoStepUser(c)
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	if _, err := s.App.Identity.VerifyTOTP(u.ID, values["code"], c.RealIP()); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code != domain.EINTERNAL {
			status := http.StatusUnauthorized
			if de.Code == domain.ERATELIMIT {
				status = http.StatusTooManyRequests
			}
			msg := domain.T(de.Message, de.MessageML)
			return s.render(c, status, "two_step.html", "ts_title", twoStepPage{User: u, Error: &msg})
		}
		return err
	}
	next, err := s.finishTwoStep(c, u)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) twoStepSetupPage(c echo.Context) error {
	u, err := s.twoStepUser(c)
	if err != nil {
		return c.Redirect(http.StatusSeeOther, "/signin")
	}
	return s.renderTwoStepSetup(c, http.StatusOK, u, nil)
}

func (s *Server) renderTwoStepSetup(c echo.Context, status int, u identity.User, problem *domain.Text) error {
	setup, err := s.App.Identity.BeginTOTP(u.ID)
	if err != nil {
		return err
	}
	qr, err := documents.QRSVG(setup.URL, "QR code for the authenticator app")
	if err != nil {
		return err
	}
	var groups []string
	for i := 0; i < len(setup.Secret); i += 4 {
		groups = append(groups, setup.Secret[i:min(i+4, len(setup.Secret))])
	}
	return s.render(c, status, "two_step_setup.html", "ts_setup_title", twoStepPage{User: u, QR: qr, Secret: strings.Join(groups, " "), Error: problem})
}

func (s *Server) twoStepSetup(c echo.Context) error {
	u, err := s.twoStepUser(c)
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	codes, err := s.App.Identity.ConfirmTOTP(u.ID, values["code"])
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.EUNAUTHENTICATED {
			msg := domain.T(de.Message, de.MessageML)
			return s.renderTwoStepSetup(c, http.StatusUnauthorized, u, &msg)
		}
		return err
	}
	next, err := s.finishTwoStep(c, u)
	if err != nil {
		return err
	}
	// The recovery codes are shown this once, on the page that answers
	// the set-up, never again.
	return s.render(c, http.StatusOK, "two_step_codes.html", "ts_codes_title", twoStepPage{User: u, Codes: codes, Next: next})
}

// apiTwoStep is the second step of POST /api/v1/session for staff who
// must take it: the code given with the password.
func (s *Server) apiTwoStep(c echo.Context, u identity.User, code string) error {
	if u.TwoStep.IsZero() {
		return domain.Bilingual(domain.EFORBIDDEN, domain.T(
			"This office account must sign in in two steps, which is not set up yet: sign in at /signin in a browser to set it up with an authenticator app.",
			"ഈ ഓഫീസ് അക്കൗണ്ട് രണ്ട് ഘട്ടങ്ങളായി സൈൻ ഇൻ ചെയ്യണം, അത് ഇനിയും സജ്ജമാക്കിയിട്ടില്ല: ഓതന്റിക്കേറ്റർ ആപ്പ് ഉപയോഗിച്ച് സജ്ജമാക്കാൻ ബ്രൗസറിൽ /signin-ൽ സൈൻ ഇൻ ചെയ്യുക."))
	}
	if strings.TrimSpace(code) == "" {
		t := domain.T("Give code: the 6-digit code your authenticator app shows, or a recovery code.",
			"code നൽകുക: ഓതന്റിക്കേറ്റർ ആപ്പ് കാണിക്കുന്ന 6 അക്ക കോഡ്, അല്ലെങ്കിൽ ഒരു റിക്കവറി കോഡ്.")
		return &domain.Error{Code: domain.EUNAUTHENTICATED, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"code": t}}
	}
	_, err := s.App.Identity.VerifyTOTP(u.ID, code, c.RealIP())
	return err
}

func (s *Server) adminResetTwoStep(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	if err := s.App.Identity.ResetTOTP(actor(c), c.Param("id"), values["reason"]); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}
