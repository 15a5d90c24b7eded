package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
)

const ctxUser = "ksmart.user"

// loadUser puts the signed-in user, if any, on the request.
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u, ok := s.App.Identity.CurrentUser(c.Request().Context(), s.sessions); ok {
			c.Set(ctxUser, u)
		}
		return next(c)
	}
}

// user returns the signed-in user.
func user(c echo.Context) (identity.User, bool) {
	u, ok := c.Get(ctxUser).(identity.User)
	return u, ok
}

// actor is who the request acts as; the zero Actor when signed out.
func actor(c echo.Context) domain.Actor {
	if u, ok := user(c); ok {
		return u.Actor()
	}
	return domain.Actor{}
}

// signedIn requires a signed-in user holding one of roles (any role when
// none are given). Pages send a signed-out person to the sign-in page and
// back; the API answers 401. A user without the role gets 403.
func signedIn(roles ...domain.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, ok := user(c)
			if !ok {
				if wantsHTML(c) && c.Request().Method == http.MethodGet {
					return c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request().URL.RequestURI()))
				}
				return domain.Bilingual(domain.EUNAUTHENTICATED, domain.T("Sign in first.", "ആദ്യം സൈൻ ഇൻ ചെയ്യുക."))
			}
			if len(roles) > 0 && !u.Actor().HasAny(roles...) {
				return domain.Bilingual(domain.EFORBIDDEN, domain.T("Your account may not open this page.", "നിങ്ങളുടെ അക്കൗണ്ടിന് ഈ പേജ് തുറക്കാൻ അനുമതിയില്ല."))
			}
			return next(c)
		}
	}
}

// staffRoles are every office role: what the office pages require.
var staffRoles = []domain.Role{
	domain.RoleFrontOffice, domain.RoleSectionClerk, domain.RoleHeadClerk, domain.RoleRevenueInspector,
	domain.RoleHealthInspector, domain.RoleOverseer, domain.RoleAssistantEngineer, domain.RoleRegistrar,
	domain.RoleSecretary, domain.RoleAccountant, domain.RoleCashier, domain.RoleAdmin, domain.RoleStateAuditor,
	domain.RoleAppellateAuthority,
}

// csrf protects every form and API write. Browsers are checked by their
// Sec-Fetch-Site header; other clients must echo the _csrf cookie's token
// in the X-CSRF-Token header or the _csrf form field.
// csrf checks every form's token; its cookie is Secure when the session's
// is.
func csrf(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		// Webhooks come from providers' servers, not browsers; each is
		// authenticated by its own signature instead. Open311 is an API
		// for apps, and acts for nobody signed in (a report posted there
		// is anonymous to the session), so a forged post gains nothing.
		Skipper: func(c echo.Context) bool {
			return strings.HasPrefix(c.Path(), "/webhooks/") || strings.HasPrefix(c.Path(), "/open311/")
		},
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     "_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return domain.Bilingual(domain.EFORBIDDEN, domain.T(
				"This form has expired or came from another site. Go back, reload the page and send it again.",
				"ഈ ഫോമിന്റെ കാലാവധി കഴിഞ്ഞു, അല്ലെങ്കിൽ മറ്റൊരു സൈറ്റിൽ നിന്നാണ് വന്നത്. പേജ് വീണ്ടും ലോഡ് ചെയ്ത് അയയ്ക്കുക."))
		},
	})
}

func csrfToken(c echo.Context) string {
	t, _ := c.Get("csrf").(string)
	return t
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	return next
}

// authLimit slows guessing and code-sending from one address: sign-in,
// sign-up and verification allow a burst of 20 and then one try every two
// seconds per client IP (c.RealIP: the connection's address, or what a
// proxy named with --trusted-proxies forwarded; never a header a client
// can forge). Per-account lock-out (identity) still applies.
func (s *Server) authLimit() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(echo.Context) bool { return s.NoAuthLimit },
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(0.5), Burst: 20, ExpiresIn: 10 * time.Minute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return domain.Bilingual(domain.ERATELIMIT, domain.T(
				"Too many attempts from your connection. Wait a minute and try again.",
				"നിങ്ങളുടെ കണക്ഷനിൽ നിന്ന് വളരെയധികം ശ്രമങ്ങൾ. ഒരു മിനിറ്റ് കഴിഞ്ഞ് വീണ്ടും ശ്രമിക്കുക."))
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
}
