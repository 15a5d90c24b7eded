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
