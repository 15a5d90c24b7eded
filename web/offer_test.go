package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestPages_AServiceNotYetAvailableIsListedButOffersNoForm: tried as a
// citizen and the front office would, a service whose module is not built
// is listed, says in both languages that it is not yet available, and
// offers no way to apply.
func TestPages_AServiceNotYetAvailableIsListedButOffersNoForm(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	a := env.signIn(t, citizenA)
	r := a.do(t, "GET", "/services", nil)
	if body := string(r.body); r.status != http.StatusOK || !strings.Contains(body, `href="/services/pet_dog_licence"`) || !strings.Contains(body, "Not yet available") {
		t.Errorf("the list of services does not show the pet dog licence as not yet available: %d", r.status)
	}
	r = a.do(t, "GET", "/services/pet_dog_licence", nil)
	body := string(r.body)
	if r.status != http.StatusOK || !strings.Contains(body, "Not yet available") || !strings.Contains(body, "Trade licences") || strings.Contains(body, "/services/pet_dog_licence/apply") {
		t.Errorf("the pet dog licence's page: %d, says not available %v, offers the form %v", r.status, strings.Contains(body, "Not yet available"), strings.Contains(body, "/apply"))
	}
	r = a.do(t, "GET", "/services/pet_dog_licence/apply", nil)
	if r.status != http.StatusNotImplemented || !strings.Contains(string(r.body), "not yet available") {
		t.Errorf("the pet dog licence's form: %d", r.status)
	}
	if r = a.do(t, "GET", "/services/pet_dog_licence?lang=ml", nil); !strings.Contains(string(r.body), "ഇതുവരെ ലഭ്യമല്ല") {
		t.Error("the Malayalam page does not say the service is not yet available")
	}
	if r = a.do(t, "GET", "/services/pet_dog_licence/apply", nil); !strings.Contains(string(r.body), "ksmart-ൽ ഇതുവരെ ലഭ്യമല്ല") {
		t.Error("the Malayalam refusal of the form is not in Malayalam")
	}
	if r = a.do(t, "GET", "/services/birth_certificate", nil); !strings.Contains(string(r.body), "/services/birth_certificate/apply") {
		t.Error("an available service's page offers no form")
	}
	fo := env.signIn(t, "front_office")
	r = fo.do(t, "GET", "/office/counter", nil)
	if body := string(r.body); r.status != http.StatusOK || strings.Contains(body, "pet_dog_licence") || !strings.Contains(body, "/office/counter/birth_registration") {
		t.Errorf("the counter lists a service not yet available, or not the available ones: %d", r.status)
	}
	if r = fo.do(t, "GET", "/office/counter/pet_dog_licence", nil); r.status != http.StatusNotImplemented {
		t.Errorf("the counter's form for the pet dog licence: %d", r.status)
	}
}
