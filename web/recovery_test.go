package web

import (
	"net/url"
	"strings"
	"testing"

	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
)

func TestAdmin_CannotResetACitizensPasswordOrSignInAsThemAndTheAttemptIsAudited(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	citizen := env.addCitizen(t, "rajesh", "9847000111", "Rajesh Nair")
	admin := env.signIn(t, "admin")

	r := admin.do(t, "POST", "/admin/users/"+citizen.ID+"/reset", formBody(""))
	if r.status != 403 || strings.Contains(string(r.body), `id="otp"`) || !strings.Contains(string(r.body), "Forgot password") {
		t.Fatalf("an administrator resetting a citizen's password: %d, want 403 with no one-time password and a pointer to recovery:\n%.600s", r.status, r.body)
	}
	// The citizen's own password still works: nothing was changed.
	if s := env.newClient(t).do(t, "POST", "/api/v1/session", map[string]string{"login": citizen.Login, "password": testPassword}); s.status != 200 {
		t.Fatalf("the citizen's own password after the refused reset: %d %s", s.status, s.body)
	}
	// The refused attempt is in the log, naming who tried.
	evs, _ := env.app.Store.ReadLog(1, 0)
	var audited bool
	for _, ev := range evs {
		audited = audited || ev.Type == identity.EventUserAdminRefused.Name && ev.ID == citizen.ID && ev.Actor == env.users["admin"].ID
	}
	if !audited {
		t.Fatal("the refused reset of a citizen's password is not in the log")
	}
	// A citizen is disabled only with a reason, which the log keeps.
	if r := admin.do(t, "POST", "/admin/users/"+citizen.ID+"/disable", formBody("")); r.status != 400 || !strings.Contains(string(r.body), "Say why") {
		t.Fatalf("disabling a citizen without a reason: %d %.300s", r.status, r.body)
	}
	if r := admin.do(t, "POST", "/admin/users/"+citizen.ID+"/disable", formBody(url.Values{"reason": {"reported stolen phone, on the citizen's written request"}}.Encode())); r.status != 303 {
		t.Fatalf("disabling a citizen with a reason: %d %.300s", r.status, r.body)
	}
	// Office accounts are still the administrator's to reset.
	if r := admin.do(t, "POST", "/admin/users/"+env.users["section_clerk"].ID+"/reset", formBody("")); r.status != 200 || !strings.Contains(string(r.body), `id="otp"`) {
		t.Fatalf("resetting a clerk's password: %d", r.status)
	}
}

func TestForgotPassword_CitizenSetsANewPasswordWithTheCodeSentToTheirContact(t *testing.T) {
	env := newTestEnv(t)
	citizen := env.addCitizen(t, "rajesh", "9847000111", "Rajesh Nair")
	stranger := env.newClient(t)

	// The answer is the same for a registered and an unknown login.
	known := stranger.do(t, "POST", "/api/v1/password-recovery", map[string]string{"login": "9847000111"})
	unknown := stranger.do(t, "POST", "/api/v1/password-recovery", map[string]string{"login": "9847000999"})
	if known.status != 202 || unknown.status != 202 || string(known.body) != string(unknown.body) {
		t.Fatalf("recovery answers differ: %d %s / %d %s", known.status, known.body, unknown.status, unknown.body)
	}
	msg, ok := messaging.Latest(env.app.Store, citizen.ID, messaging.KindVerificationCode)
	code := codeInMessage.FindString(msg.Body.En)
	if !ok || code == "" || !strings.Contains(msg.Body.En, "recovery code") {
		t.Fatalf("no recovery code in the citizen's messages: %+v", msg)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	newPassword := "a brand new passphrase"
	if r := stranger.do(t, "POST", "/api/v1/password-recovery/reset", map[string]string{"login": "9847000111", "code": wrong, "password": newPassword}); r.status != 400 || !strings.Contains(string(r.body), `"code"`) {
		t.Fatalf("a wrong recovery code: %d %s", r.status, r.body)
	}
	if r := stranger.do(t, "POST", "/api/v1/password-recovery/reset", map[string]string{"login": "9847000111", "code": code, "password": newPassword}); r.status != 200 {
		t.Fatalf("recovering with the code: %d %s", r.status, r.body)
	}
	if r := env.newClient(t).do(t, "POST", "/api/v1/session", map[string]string{"login": "9847000111", "password": testPassword}); r.status != 401 {
		t.Fatalf("the old password after recovery: %d", r.status)
	}
	if r := env.newClient(t).do(t, "POST", "/api/v1/session", map[string]string{"login": "9847000111", "password": newPassword}); r.status != 200 {
		t.Fatalf("the new password after recovery: %d %s", r.status, r.body)
	}
	// The code is spent.
	if r := stranger.do(t, "POST", "/api/v1/password-recovery/reset", map[string]string{"login": "9847000111", "code": code, "password": "yet another passphrase"}); r.status != 400 {
		t.Fatalf("a spent recovery code: %d %s", r.status, r.body)
	}
}

func TestForgotPassword_PagesShowTheCodeOnlyInTheDemo(t *testing.T) {
	env := newTestEnv(t)
	env.addCitizen(t, "rajesh", "9847000111", "Rajesh Nair")
	for _, demo := range []bool{false, true} {
		env.srv.Demo = demo
		c := env.newClient(t)
		if r := c.do(t, "POST", "/forgot", formBody("login=9847000111")); r.status != 303 || r.header.Get("Location") != "/forgot/reset" {
			t.Fatalf("POST /forgot: %d %s", r.status, r.header.Get("Location"))
		}
		page := c.do(t, "GET", "/forgot/reset", nil)
		shown := strings.Contains(string(page.body), `id="inapp-code"`)
		if page.status != 200 || shown != demo {
			t.Fatalf("demo %v: the reset page shows the code: %v (status %d)", demo, shown, page.status)
		}
	}
}
