package web

import (
	"net/http"
	"strings"
	"testing"

	"ksmart/appliance/catalogue"
)

// TestApply_ACitizensFormStartsWithTheirMobileAndName: a signed-in citizen
// does not type what their account already holds.
func TestApply_ACitizensFormStartsWithTheirMobileAndName(t *testing.T) {
	env := newTestEnv(t).withRoles(t)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	var svc catalogue.Service
	for _, s := range env.app.Catalogue.All() {
		if env.app.Catalogue.Offered(s.Code) != nil {
			continue
		}
		var phone, name bool
		for _, f := range s.Fields {
			phone = phone || f.Name == "phone" && f.Type == catalogue.FieldPhone
			name = name || f.Name == "applicant_name" && f.Type == catalogue.FieldName
		}
		if phone && name {
			svc = s
			break
		}
	}
	if svc.Code == "" {
		t.Fatal("no offered service asks for the applicant's name and phone")
	}
	r := env.signIn(t, citizenA).do(t, http.MethodGet, "/services/"+svc.Code+"/apply", nil)
	for _, want := range []string{`name="phone" type="tel" value="&#43;919847000001"`, `name="applicant_name_en" lang="en" value="Anitha Kumari"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("%s's form lacks %s", svc.Code, want)
		}
	}
	if r := env.newClient(t).do(t, http.MethodGet, "/services/"+svc.Code+"/apply", nil); r.status == http.StatusOK && strings.Contains(string(r.body), "9847000001") {
		t.Error("a signed-out visitor's form is filled with someone's mobile")
	}
}

// TestApply_ADraftWithAMistakeKeepsItsDocumentsSurvivesSignOutAndEndsWhenReceived:
// a citizen who mistyped the date does not choose the scans again; the
// corrected form, sent without files, is received with both documents.
func TestApply_ADraftWithAMistakeKeepsItsDocumentsSurvivesSignOutAndEndsWhenReceived(t *testing.T) {
	env := newTestEnv(t).withRoles(t)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	c := env.signIn(t, citizenA)
	wrong := eventNOC()
	wrong["event_date"] = "2001-01-01" // in the past: refused
	r := c.do(t, http.MethodPost, "/services/event_noc/apply", &multipartBody{fields: wrong, files: map[string][]byte{"venue_consent": tinyPDF, "organiser_id": tinyPDF}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `id="kept"`) || !strings.Contains(string(r.body), "venue_consent.pdf") {
		t.Fatalf("a form with a wrong date: %d, want 422 saying the documents are kept:\n%s", r.status, r.body)
	}
	// The citizen signs out; signed in again, the form is as they left it.
	if r := c.do(t, http.MethodPost, "/signout", nil); r.status >= 400 {
		t.Fatalf("sign out: %d", r.status)
	}
	c = env.signIn(t, citizenA)
	back := c.do(t, http.MethodGet, "/services/event_noc/apply", nil)
	if !strings.Contains(string(back.body), `value="Onam cultural evening"`) || !strings.Contains(string(back.body), `id="kept"`) {
		t.Errorf("after signing out and in, the form lost its draft:\n%s", back.body)
	}
	r = c.do(t, http.MethodPost, "/services/event_noc/apply", &multipartBody{fields: eventNOC()})
	if r.status != http.StatusSeeOther {
		t.Fatalf("the corrected form without files: %d, want 303 (received):\n%s", r.status, r.body)
	}
	page := c.do(t, http.MethodGet, r.header.Get("Location"), nil)
	for _, doc := range []string{"venue_consent.pdf", "organiser_id.pdf"} {
		if !strings.Contains(string(page.body), doc) {
			t.Errorf("the application lacks %s", doc)
		}
	}
	// Received: nothing is kept for a next application.
	if r := c.do(t, http.MethodGet, "/services/event_noc/apply", nil); strings.Contains(string(r.body), `id="kept"`) {
		t.Error("documents of a received application are offered again")
	}
}
