package web

import (
	"strings"
	"testing"
)

func TestSignIn_ManyTriesFromOneAddressAreSlowedDown(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	env.srv.NoAuthLimit = false
	c := env.newClient(t)
	var last *response
	limited := 0
	for i := range 30 {
		last = c.do(t, "POST", "/api/v1/session", map[string]string{"login": "section_clerk", "password": "wrong-password-" + strings.Repeat("x", i%3)})
		if last.status == 429 {
			limited++
		}
	}
	if limited == 0 || !strings.Contains(string(last.body), "Too many attempts") {
		t.Fatalf("30 sign-ins from one address in a row were never limited; last: %d %s", last.status, last.body)
	}
	// The page's sign-in shares the same budget.
	if r := c.do(t, "POST", "/signin", map[string]string{"login": "section_clerk", "password": testPassword}); r.status != 429 {
		t.Fatalf("sign-in page after the API's budget was spent: %d", r.status)
	}
}
