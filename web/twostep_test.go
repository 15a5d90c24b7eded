package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
)

var (
	totpSecretOnPage    = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7 ]+)</code>`)
	recoveryCodesOnPage = regexp.MustCompile(`<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>`)
)

// TestTwoStep_ASecretarySetsUpTheAppAndSignsInWithItsCodesOrARecoveryCode
// is a secretary's first sign-in once the office requires two steps of
// the role: the password alone signs nobody in; a QR code and its key set
// the app up; a wrong code is refused in both languages; the recovery
// codes are shown once. Later sign-ins take a fresh code (a code used
// already is refused, saying so) or a recovery code, on the page and in
// the API. An administrator resets a lost phone with a reason, which ends
// the secretary's sessions.
func TestTwoStep_ASecretarySetsUpTheAppAndSignsInWithItsCodesOrARecoveryCode(t *testing.T) {
	env := newTestEnv(t).withRoles(t, domain.RoleSecretary, domain.RoleAdmin)
	env.app.Identity.TOTPRoles = []domain.Role{domain.RoleSecretary}
	signin := "login=secretary&password=" + url.QueryEscape(testPassword)

	c := env.newClient(t)
	r := c.do(t, "POST", "/signin", formBody(signin))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin/two-step/setup" {
		t.Fatalf("password of a secretary without the app: %d → %q", r.status, r.header.Get("Location"))
	}
	if r := c.do(t, "GET", "/office", nil); r.status == http.StatusOK {
		t.Fatalf("the password alone opened the office")
	}
	page := c.do(t, "GET", "/signin/two-step/setup", nil)
	m := totpSecretOnPage.FindStringSubmatch(string(page.body))
	if page.status != 200 || m == nil || !strings.Contains(string(page.body), "<svg") {
		t.Fatalf("set-up page %d without a QR code and key:\n%s", page.status, page.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code := identity.TOTPCode(secret, env.app.Now())
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := c.do(t, "POST", "/signin/two-step/setup?lang=ml", formBody("code="+wrong)); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "ആ കോഡ് ശരിയല്ല") {
		t.Fatalf("a wrong set-up code in Malayalam: %d\n%s", r.status, r.body)
	}
	r = c.do(t, "POST", "/signin/two-step/setup?lang=en", formBody("code="+code))
	codes := recoveryCodesOnPage.FindAllStringSubmatch(string(r.body), -1)
	if r.status != http.StatusOK || len(codes) != 10 || !strings.Contains(string(r.body), "shown only this once") {
		t.Fatalf("after set-up: %d, %d recovery codes\n%s", r.status, len(codes), r.body)
	}
	if r := c.do(t, "GET", "/office", nil); r.status != http.StatusOK {
		t.Fatalf("signed in after set-up, the office answers %d", r.status)
	}

	// The next sign-in: the code used at set-up is spent.
	c2 := env.newClient(t)
	if r := c2.do(t, "POST", "/signin", formBody(signin)); r.status != http.StatusSeeOther || r.header.Get("Location") != "/signin/two-step" {
		t.Fatalf("password of a secretary with the app: %d → %q", r.status, r.header.Get("Location"))
	}
	if r := c2.do(t, "POST", "/signin/two-step", formBody("code="+code)); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "used already") {
		t.Fatalf("the set-up code again: %d\n%s", r.status, r.body)
	}
	if r := c2.do(t, "GET", "/office", nil); r.status == http.StatusOK {
		t.Fatalf("a refused code opened the office")
	}
	if r := c2.do(t, "POST", "/signin/two-step", formBody("code="+strings.ToUpper(codes[0][1]))); r.status != http.StatusSeeOther || r.header.Get("Location") != "/office" {
		t.Fatalf("a recovery code: %d → %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	if r := c2.do(t, "GET", "/office", nil); r.status != http.StatusOK {
		t.Fatalf("after a recovery code the office answers %d", r.status)
	}

	// The API takes the code with the password.
	api := env.newClient(t)
	if r := api.do(t, "POST", "/api/v1/session", map[string]string{"login": "secretary", "password": testPassword}); r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), `"code"`) {
		t.Fatalf("API sign-in without the code: %d %s", r.status, r.body)
	}
	if r := api.do(t, "POST", "/api/v1/session", map[string]string{"login": "secretary", "password": testPassword, "code": codes[0][1]}); r.status != http.StatusUnauthorized {
		t.Fatalf("API sign-in with a spent recovery code: %d %s", r.status, r.body)
	}
	if r := api.do(t, "POST", "/api/v1/session", map[string]string{"login": "secretary", "password": testPassword, "code": codes[1][1]}); r.status != http.StatusOK {
		t.Fatalf("API sign-in with a recovery code: %d %s", r.status, r.body)
	}

	// A lost phone: the administrator resets it, with a reason.
	adm := env.signIn(t, string(domain.RoleAdmin))
	sec := env.users[string(domain.RoleSecretary)]
	if r := adm.do(t, "GET", "/admin/users", nil); !strings.Contains(string(r.body), "/admin/users/"+sec.ID+"/two-step-reset") {
		t.Fatalf("the users page offers no two-step reset for the secretary")
	}
	if r := adm.do(t, "POST", "/admin/users/"+sec.ID+"/two-step-reset", formBody("reason=")); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "Say why") {
		t.Fatalf("reset without a reason: %d %s", r.status, r.body)
	}
	if r := adm.do(t, "POST", "/admin/users/"+sec.ID+"/two-step-reset", formBody("reason="+url.QueryEscape("phone stolen, FIR 12/2026"))); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if r := c2.do(t, "GET", "/office", nil); r.status == http.StatusOK {
		t.Fatalf("the secretary's session outlived the reset")
	}
	c3 := env.newClient(t)
	if r := c3.do(t, "POST", "/signin", formBody(signin)); r.header.Get("Location") != "/signin/two-step/setup" {
		t.Fatalf("after the reset the next sign-in goes to %q, not to set-up", r.header.Get("Location"))
	}
}

// TestTwoStep_TheDemoSaysItsLoginsSkipTheSecondStep: the demo's sign-in
// page tells the visitor that a real office's officers also give a code.
func TestTwoStep_TheDemoSaysItsLoginsSkipTheSecondStep(t *testing.T) {
	env := newTestEnv(t)
	c := env.newClient(t)
	if r := c.do(t, "GET", "/signin", nil); strings.Contains(string(r.body), "demo-two-step") {
		t.Fatalf("a real office's sign-in page speaks of the demo")
	}
	env.srv.Demo = true
	if r := c.do(t, "GET", "/signin?lang=ml", nil); !strings.Contains(string(r.body), "രണ്ട്-ഘട്ട സൈൻ ഇൻ") {
		t.Fatalf("the demo's sign-in page does not say two-step sign-in is off:\n%s", r.body)
	}
}
