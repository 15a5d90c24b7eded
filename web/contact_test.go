package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ksmart/appliance/messaging"
)

// TestContact_ACitizenAddsAnEmailAndVerifiesItWithTheCodeMailedThere: the
// message settings page keeps a new e-mail address unverified, says it is
// not used yet, takes the code mailed there (refusing a wrong one in the
// citizen's language), and from then on the address signs in. Only the
// demo shows the code on the page.
func TestContact_ACitizenAddsAnEmailAndVerifiesItWithTheCodeMailedThere(t *testing.T) {
	env := newTestEnv(t)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	env.addCitizen(t, citizenB, "9847000002", "Biju Thomas")
	c := env.signIn(t, citizenA)
	u := env.users[citizenA]
	form := "language=en&channels=whatsapp&channels=email&phone=" + url.QueryEscape(u.Phone) + "&email=anitha.k%40example.org"
	if r := c.do(t, "POST", "/account/messages", formBody(form)); r.status != http.StatusSeeOther {
		t.Fatalf("saving a new e-mail: %d %s", r.status, r.body)
	}
	page := string(c.do(t, "GET", "/account/messages?saved=1", nil).body)
	if !strings.Contains(page, "E-mail not verified yet: anitha.k@example.org") || !strings.Contains(page, "cannot be used to sign in") || strings.Contains(page, "demo-contact-code") {
		t.Fatalf("the settings page does not say the new e-mail waits for its code:\n%s", page)
	}
	if r := env.newClient(t).do(t, "POST", "/api/v1/session", map[string]string{"login": "anitha.k@example.org", "password": testPassword}); r.status != http.StatusUnauthorized {
		t.Fatalf("the unverified e-mail signs in: %d", r.status)
	}
	m, ok := messaging.LatestTo(env.app.Store, u.ID, "anitha.k@example.org")
	if !ok {
		t.Fatal("no code went to the new address")
	}
	code := codeInMessage.FindString(m.Body.En)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := c.do(t, "POST", "/account/messages/verify?lang=ml", formBody("kind=email&code="+wrong)); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "ആ കോഡ് ശരിയല്ല") || !strings.Contains(string(r.body), `aria-invalid="true"`) {
		t.Fatalf("a wrong code: %d\n%s", r.status, r.body)
	}
	if r := c.do(t, "POST", "/account/messages/verify?lang=en", formBody("kind=email&code="+code)); r.status != http.StatusSeeOther {
		t.Fatalf("the right code: %d %s", r.status, r.body)
	}
	if page := string(c.do(t, "GET", "/account/messages?verified=1&lang=en", nil).body); strings.Contains(page, "not verified yet") || !strings.Contains(page, "Verified: messages now go there too") {
		t.Fatalf("after verifying:\n%s", page)
	}
	if r := env.newClient(t).do(t, "POST", "/api/v1/session", map[string]string{"login": "anitha.k@example.org", "password": testPassword}); r.status != http.StatusOK {
		t.Fatalf("the verified e-mail does not sign in: %d %s", r.status, r.body)
	}

	// The demo, which sends no e-mail, shows the code on the page.
	env.srv.Demo = true
	b := env.signIn(t, citizenB)
	ub := env.users[citizenB]
	if r := b.do(t, "POST", "/account/messages", formBody("language=en&channels=whatsapp&phone="+url.QueryEscape(ub.Phone)+"&email=biju%40example.org")); r.status != http.StatusSeeOther {
		t.Fatalf("saving: %d", r.status)
	}
	if page := string(b.do(t, "GET", "/account/messages", nil).body); !strings.Contains(page, `id="demo-contact-code"`) || !codeInMessage.MatchString(page) {
		t.Fatalf("the demo does not show the code:\n%s", page)
	}
}
