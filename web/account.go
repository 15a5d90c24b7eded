package web

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
)

// The session key of a citizen who has signed up but not yet entered the
// code; only that browser may see the in-app code and verify.
const sessionPending = "pending_user"

func (s *Server) signupPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "signup.html", "sign_up", map[string]any{"Values": map[string]string{}, "Errors": map[string]domain.Text{}})
}

func (s *Server) signup(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	u, err := s.App.Identity.SignUp(identity.SignUp{Contact: values["contact"], Name: values["name"], Password: values["password"]})
	if errs, ok := fieldErrors(err); ok {
		delete(values, "password")
		return s.render(c, http.StatusUnprocessableEntity, "signup.html", "sign_up", map[string]any{"Values": values, "Errors": errs})
	}
	if err != nil {
		return err
	}
	if err := s.awaitCode(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/verify")
}

// awaitCode lets this browser's session, and only it, see and enter the
// one-time code of a citizen who has signed up but not yet verified. The
// session's token is renewed first, so that a session planted before
// (session fixation) cannot see the code.
func (s *Server) awaitCode(c echo.Context, u identity.User) error {
	ctx := c.Request().Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionPending, u.ID)
	return nil
}

func (s *Server) pendingUser(c echo.Context) (identity.User, error) {
	id := s.sessions.GetString(c.Request().Context(), sessionPending)
	if id == "" {
		return identity.User{}, domain.Bilingual(domain.EUNAUTHENTICATED, domain.T("Sign up or sign in first.", "ആദ്യം സൈൻ അപ്പ് അല്ലെങ്കിൽ സൈൻ ഇൻ ചെയ്യുക."))
	}
	return s.App.Identity.Get(id)
}

func (s *Server) verifyPage(c echo.Context) error {
	return s.renderVerify(c, http.StatusOK, nil)
}

func (s *Server) renderVerify(c echo.Context, status int, errs map[string]domain.Text) error {
	u, err := s.pendingUser(c)
	if err != nil {
		return c.Redirect(http.StatusSeeOther, "/signup")
	}
	msg, _ := s.inAppCode(u)
	if errs == nil {
		errs = map[string]domain.Text{}
	}
	return s.render(c, status, "verify.html", "verify", map[string]any{"User": u, "Message": msg, "Errors": errs})
}

func (s *Server) verify(c echo.Context) error {
	u, err := s.pendingUser(c)
	if err != nil {
		return err
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	if values["resend"] != "" {
		if err := s.App.Identity.ResendCode(u.ID); err != nil {
			if domain.ErrorCode(err) == domain.ERATELIMIT {
				de := err.(*domain.Error)
				return s.renderVerify(c, http.StatusTooManyRequests, map[string]domain.Text{"code": domain.T(de.Message, de.MessageML)})
			}
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/verify")
	}
	if err := s.App.Identity.Verify(u.ID, strings.TrimSpace(values["code"])); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code != domain.EINTERNAL {
			return s.renderVerify(c, http.StatusUnprocessableEntity, map[string]domain.Text{"code": domain.T(de.Message, de.MessageML)})
		}
		return err
	}
	if u, err = s.App.Identity.Get(u.ID); err != nil {
		return err
	}
	s.sessions.Remove(c.Request().Context(), sessionPending)
	if err := s.App.Identity.SignIn(c.Request().Context(), s.sessions, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/services?welcome=1")
}

func (s *Server) signinPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "signin.html", "sign_in", map[string]any{"Next": safeNext(c.QueryParam("next")), "Demo": s.Demo})
}

func (s *Server) signin(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	next := safeNext(values["next"])
	u, err := s.App.Identity.AuthenticateFrom(values["login"], values["password"], c.RealIP())
	if errors.Is(err, identity.ErrNotVerified) {
		if err := s.awaitCode(c, u); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/verify")
	}
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code != domain.EINTERNAL {
			status := http.StatusUnauthorized
			if de.Code == domain.ERATELIMIT {
				status = http.StatusTooManyRequests
			}
			return s.render(c, status, "signin.html", "sign_in", map[string]any{"Next": next, "Login": values["login"], "Error": de})
		}
		return err
	}
	if s.App.Identity.TOTPRequired(u) {
		return s.startTwoStep(c, u, next)
	}
	if err := s.App.Identity.SignIn(c.Request().Context(), s.sessions, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, afterSignIn(u, next))
}

func (s *Server) signout(c echo.Context) error {
	if c.FormValue("everywhere") != "" {
		if u, ok := user(c); ok {
			if err := s.App.Identity.SignOutEverywhere(u.ID); err != nil {
				return err
			}
		}
	}
	if err := s.App.Identity.SignOut(c.Request().Context(), s.sessions); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) passwordPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "password.html", "change_password", map[string]any{"Errors": map[string]domain.Text{}})
}

func (s *Server) changePassword(c echo.Context) error {
	u, _ := user(c)
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	err = s.App.Identity.ChangePassword(u.ID, values["old"], values["new"])
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EINTERNAL {
		errs := de.Fields
		if len(errs) == 0 {
			errs = map[string]domain.Text{"old": domain.T(de.Message, de.MessageML)}
		}
		return s.render(c, http.StatusUnprocessableEntity, "password.html", "change_password", map[string]any{"Errors": errs})
	}
	if err != nil {
		return err
	}
	// The password change ended every session; sign this one in again.
	if u, err = s.App.Identity.Get(u.ID); err != nil {
		return err
	}
	if err := s.App.Identity.SignIn(c.Request().Context(), s.sessions, u); err != nil {
		return err
	}
	if u.Kind == identity.KindStaff {
		return c.Redirect(http.StatusSeeOther, "/office")
	}
	return c.Redirect(http.StatusSeeOther, "/applications")
}

// channelChoice is one channel on the message settings page.
type channelChoice struct {
	Value  string
	Name   domain.Text
	Chosen bool
}

func channelChoices(chosen []string) []channelChoice {
	names := map[string]domain.Text{
		"email":    domain.T("E-mail (with the receipt or certificate attached)", "ഇ-മെയിൽ (രസീതോ സർട്ടിഫിക്കറ്റോ സഹിതം)"),
		"whatsapp": domain.T("WhatsApp", "വാട്ട്സ്ആപ്പ്"),
		"sms":      domain.T("SMS (short status lines and codes)", "എസ്.എം.എസ്. (ചുരുക്ക വിവരങ്ങളും കോഡുകളും)"),
	}
	var out []channelChoice
	for _, c := range identity.MessageChannels {
		out = append(out, channelChoice{Value: c, Name: names[c], Chosen: slices.Contains(chosen, c)})
	}
	return out
}

// messageSettings shows a citizen how they are reached.
func (s *Server) messageSettings(c echo.Context) error {
	u, _ := user(c)
	p := u.Preferences()
	return s.render(c, http.StatusOK, "message_settings.html", "messages", map[string]any{
		"Prefs": p, "Channels": channelChoices(p.Channels), "Errors": map[string]domain.Text{}, "Saved": c.QueryParam("saved") == "1",
		"Unverified": s.unverifiedContacts(u), "Verified": c.QueryParam("verified") == "1"})
}

// unverifiedContact is a contact a citizen added that waits for its code,
// with the code itself in the demo only (which sends no SMS or e-mail).
type unverifiedContact struct {
	Kind, Value string
	DemoCode    string
}

func (s *Server) unverifiedContacts(u identity.User) []unverifiedContact {
	var out []unverifiedContact
	for _, c := range []struct{ kind, value string }{{identity.ContactEmail, u.Email}, {identity.ContactPhone, u.Phone}} {
		if c.value == "" || u.ContactVerified(c.kind) {
			continue
		}
		uc := unverifiedContact{Kind: c.kind, Value: c.value}
		if m, ok := messaging.LatestTo(s.App.Store, u.ID, c.value); ok && s.Demo {
			uc.DemoCode = codeInText.FindString(m.Body.En)
		}
		out = append(out, uc)
	}
	return out
}

// codeInText finds a 6-digit code in a message.
var codeInText = regexp.MustCompile(`\b\d{6}\b`)

// verifyContact takes the code sent to a contact the citizen added, or
// sends a new one.
func (s *Server) verifyContact(c echo.Context) error {
	u, _ := user(c)
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	kind := values["kind"]
	if values["resend"] != "" {
		err = s.App.Identity.ResendContactCode(u.ID, kind)
	} else {
		err = s.App.Identity.VerifyContact(u.ID, kind, values["code"])
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EINTERNAL {
		status := http.StatusUnprocessableEntity
		if de.Code == domain.ERATELIMIT {
			status = http.StatusTooManyRequests
		}
		if u, err = s.App.Identity.Get(u.ID); err != nil {
			return err
		}
		p := u.Preferences()
		return s.render(c, status, "message_settings.html", "messages", map[string]any{
			"Prefs": p, "Channels": channelChoices(p.Channels), "Errors": map[string]domain.Text{"code-" + kind: domain.T(de.Message, de.MessageML)},
			"Unverified": s.unverifiedContacts(u)})
	}
	if err != nil {
		return err
	}
	if values["resend"] != "" {
		return c.Redirect(http.StatusSeeOther, "/account/messages")
	}
	return c.Redirect(http.StatusSeeOther, "/account/messages?verified=1")
}

func (s *Server) saveMessageSettings(c echo.Context) error {
	if err := c.Request().ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request().PostForm
	p := identity.Preferences{Language: f.Get("language"), Channels: f["channels"], Email: f.Get("email"), Phone: f.Get("phone")}
	if p.Channels == nil {
		p.Channels = []string{}
	}
	u, _ := user(c)
	_, err := s.App.Identity.SetPreferences(u.ID, p)
	if errs, ok := fieldErrors(err); ok {
		return s.render(c, http.StatusUnprocessableEntity, "message_settings.html", "messages", map[string]any{
			"Prefs": p, "Channels": channelChoices(p.Channels), "Errors": errs, "Unverified": s.unverifiedContacts(u)})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account/messages?saved=1")
}

// inAppCode is the one-time code message to show the browser that signed
// up, only while no channel can carry the code to the contact itself: once
// SMS, WhatsApp or e-mail is configured for it, showing the code here would
// prove nothing about who holds the phone or the mailbox.
func (s *Server) inAppCode(u identity.User) (messaging.Message, bool) {
	cfg := s.App.Outbox.Config
	if u.Login == u.Phone && (cfg.SMS != nil || cfg.WhatsApp != nil) || u.Login == u.Email && cfg.SMTP != nil {
		return messaging.Message{}, false
	}
	return messaging.Latest(s.App.Store, u.ID, messaging.KindVerificationCode)
}
