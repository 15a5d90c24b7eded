package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAdmin_AddsAnOfficeAccountWhoseOneTimePasswordMustBeChanged(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	admin := env.signIn(t, "admin")
	form := url.Values{"login": {"deepa"}, "name": {"Deepa Nair"}, "roles": {"overseer", "assistant_engineer"}, "wards": {"3, 4"}}
	r := admin.do(t, "POST", "/admin/users", formBody(form.Encode()))
	otp := regexp.MustCompile(`<code id="otp">([^<]+)</code>`).FindSubmatch(r.body)
	if r.status != 200 || otp == nil {
		t.Fatalf("adding an account: %d, no one-time password shown:\n%.500s", r.status, r.body)
	}
	deepa := env.newClient(t)
	s := deepa.do(t, "POST", "/api/v1/session", map[string]string{"login": "deepa", "password": string(otp[1])})
	if s.status != 200 || !strings.Contains(string(s.body), `"must_change_password":true`) || !strings.Contains(string(s.body), "assistant_engineer") {
		t.Fatalf("signing in with the one-time password: %d %s", s.status, s.body)
	}
	// The list shows the new account with its wards; a bad form is refused beside its fields.
	if page := admin.do(t, "GET", "/admin/users", nil); !strings.Contains(string(page.body), "Deepa Nair") || !strings.Contains(string(page.body), "3, 4") {
		t.Fatalf("the users page does not list the new account")
	}
	bad := admin.do(t, "POST", "/admin/users", formBody(url.Values{"login": {"x"}, "name": {"<b>"}, "wards": {"three"}}.Encode()))
	if bad.status != 422 {
		t.Fatalf("a bad account form: %d, want 422", bad.status)
	}
	for _, field := range []string{"f-login-err", "f-name-err", "Give ward numbers"} {
		if !strings.Contains(string(bad.body), field) {
			t.Errorf("the refused form has no message for %s", field)
		}
	}
	// The only administrator cannot disable themselves.
	self := env.users["admin"].ID
	if r := admin.do(t, "POST", "/admin/users/"+self+"/disable", formBody("")); r.status != 409 {
		t.Fatalf("disabling the last administrator: %d", r.status)
	}
}
