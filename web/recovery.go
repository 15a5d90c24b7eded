package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
)

// The session key holding the login a browser asked a recovery code for.
const sessionRecovery = "recovery_login"

func (s *Server) forgotPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "forgot.html", "forgot_your_password", map[string]any{"Errors": map[string]domain.Text{}})
}

// forgot asks for a recovery code and always goes on to the page where it
// is entered, whether or not the login has an account, so that the answer
// tells nobody who is registered.
func (s *Server) forgot(c echo.Context) error {
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	if _, err := s.App.Identity.RequestRecovery(values["login"]); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionRecovery, values["login"])
	return c.Redirect(http.StatusSeeOther, "/forgot/reset")
}

func (s *Server) forgotResetPage(c echo.Context) error {
	return s.renderForgotReset(c, http.StatusOK, nil)
}

func (s *Server) renderForgotReset(c echo.Context, status int, errs map[string]domain.Text) error {
	login := s.sessions.GetString(c.Request().Context(), sessionRecovery)
	if login == "" {
		return c.Redirect(http.StatusSeeOther, "/forgot")
	}
	if errs == nil {
		errs = map[string]domain.Text{}
	}
	msg, _ := s.inAppRecoveryCode(login)
	return s.render(c, status, "forgot_reset.html", "forgot_your_password", map[string]any{"Login": login, "Message": msg, "Errors": errs})
}

func (s *Server) forgotReset(c echo.Context) error {
	login := s.sessions.GetString(c.Request().Context(), sessionRecovery)
	if login == "" {
		return c.Redirect(http.StatusSeeOther, "/forgot")
	}
	values, _, err := readForm(c)
	if err != nil {
		return err
	}
	u, err := s.App.Identity.Recover(login, values["code"], values["password"])
	if errs, ok := fieldErrors(err); ok {
		return s.renderForgotReset(c, http.StatusUnprocessableEntity, errs)
	}
	if err != nil {
		return err
	}
	s.sessions.Remove(c.Request().Context(), sessionRecovery)
	if err := s.App.Identity.SignIn(c.Request().Context(), s.sessions, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/applications")
}

// inAppRecoveryCode is the recovery code's in-app message, shown on the
// page in the demo only: on a real office the code must reach the citizen's
// phone or e-mail, or whoever typed the login would read it here.
func (s *Server) inAppRecoveryCode(login string) (messaging.Message, bool) {
	if !s.Demo {
		return messaging.Message{}, false
	}
	u, err := s.App.Identity.ByLogin(login)
	if err != nil {
		return messaging.Message{}, false
	}
	return messaging.Latest(s.App.Store, u.ID, messaging.KindVerificationCode)
}

// apiForgot asks for a recovery code; 202 whether or not the login has an
// account.
func (s *Server) apiForgot(c echo.Context) error {
	var in struct {
		Login string `json:"login"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	if _, err := s.App.Identity.RequestRecovery(in.Login); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"message": domain.T(
		"If this login belongs to a verified account, a recovery code is on its way to its mobile number or e-mail. It is valid for 10 minutes.",
		"ഈ ലോഗിൻ സ്ഥിരീകരിച്ച ഒരു അക്കൗണ്ടിന്റേതാണെങ്കിൽ, വീണ്ടെടുക്കൽ കോഡ് അതിന്റെ മൊബൈൽ നമ്പറിലേക്കോ ഇ-മെയിലിലേക്കോ അയച്ചിട്ടുണ്ട്. ഇത് 10 മിനിറ്റ് സാധുവാണ്.")})
}

// apiRecover sets a new password with the recovery code and signs in.
func (s *Server) apiRecover(c echo.Context) error {
	var in struct {
		Login    string `json:"login"`
		Code     string `json:"code"`
		Password string `json:"password"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	u, err := s.App.Identity.Recover(in.Login, in.Code, in.Password)
	if err != nil {
		return err
	}
	if err := s.App.Identity.SignIn(c.Request().Context(), s.sessions, u); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionBody(u))
}
