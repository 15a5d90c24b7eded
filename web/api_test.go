package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
)

// apiScenario is one API call and what must come back, pocketbase style.
// Scenarios of a table run in order and share vars: a scenario's capture
// may set one, and later URLs and bodies use it as {name}.
type apiScenario struct {
	name string
	// as is who calls: a test user (citizenA, a role's name), another name
	// for a signed-out client kept across scenarios (to sign up with), or
	// "" for a fresh signed-out client.
	as     string
	method string
	url    string
	// body is sent as client.do sends it; a func(vars) any is called first.
	body   any
	noCSRF bool
	header map[string]string

	status  int
	want    []string // fragments the body must hold ({name} expanded)
	notWant []string // fragments it must not hold
	// noWrites: the store's log must not move (nothing was stored).
	noWrites bool
	check    func(t *testing.T, r *response, vars map[string]string)
}

// runScenarios runs the table in order against env.
func runScenarios(t *testing.T, env *testEnv, vars map[string]string, table []apiScenario) {
	clients := map[string]*client{}
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	for _, sc := range table {
		t.Run(sc.name, func(t *testing.T) {
			c := clients[sc.as]
			switch {
			case c != nil:
			case sc.as == "":
				c = env.newClient(t)
			default:
				if _, ok := env.users[sc.as]; ok {
					c = env.signIn(t, sc.as)
				} else {
					c = env.newClient(t)
				}
				clients[sc.as] = c
			}
			body := sc.body
			if f, ok := body.(func(map[string]string) any); ok {
				body = f(vars)
			}
			for k, v := range sc.header {
				c.header.Set(k, v)
			}
			defer func() {
				for k := range sc.header {
					c.header.Del(k)
				}
			}()
			before := env.app.Store.LastSeq()
			r := c.send(t, sc.method, expand(sc.url), body, !sc.noCSRF)
			if r.status != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body: %s", sc.method, sc.url, r.status, sc.status, r.body)
			}
			for _, w := range sc.want {
				if w = expand(w); !bytes.Contains(r.body, []byte(w)) {
					t.Errorf("body lacks %q: %s", w, r.body)
				}
			}
			for _, w := range sc.notWant {
				if w = expand(w); bytes.Contains(r.body, []byte(w)) {
					t.Errorf("body holds %q: %s", w, r.body)
				}
			}
			if after := env.app.Store.LastSeq(); sc.noWrites && after != before {
				t.Errorf("the log moved from %d to %d events: something was stored", before, after)
			}
			if sc.check != nil {
				sc.check(t, r, vars)
			}
		})
	}
}

// birthCertificate is a valid birth certificate application's values.
func birthCertificate() map[string]any {
	return map[string]any{
		"person_name_en": "Anagha K. R.", "person_name_ml": "അനഘ കെ. ആർ.",
		"sex": "female", "date_of_birth": "2019-06-14",
		"mother_name_en": "Lakshmi P.", "mother_name_ml": "ലക്ഷ്മി പി.",
		"applicant_name_en": "Anitha Kumari", "applicant_name_ml": "അനിത കുമാരി",
		"relationship": "Mother's sister", "phone": "9847000001",
	}
}

// birthWith returns birthCertificate's values changed by kv pairs.
func birthWith(kv ...any) map[string]any {
	v := birthCertificate()
	for i := 0; i < len(kv); i += 2 {
		v[kv[i].(string)] = kv[i+1]
	}
	return map[string]any{"service": "birth_certificate", "values": v}
}

// eventNOC is a valid application's form values for the example module's
// no-objection certificate (examples/noc), which the test appliance serves
// beside the real modules: three desks (clerk, health inspector,
// secretary) and two required documents, venue_consent and organiser_id.
func eventNOC() map[string]string {
	return map[string]string{
		"service": "event_noc", "event_name": "Onam cultural evening", "event_date": time.Now().In(domain.IST).AddDate(0, 0, 10).Format(time.DateOnly),
		"venue": "Town Hall grounds, Demo Municipality", "ward": "3", "attendance": "400", "organiser_name_en": "Rajesh M.",
		"phone": "9847000001",
	}
}

func capture(name string, pick func(map[string]any) string) func(*testing.T, *response, map[string]string) {
	return func(t *testing.T, r *response, vars map[string]string) {
		var m map[string]any
		r.json(t, &m)
		vars[name] = pick(m)
		if vars[name] == "" {
			t.Fatalf("nothing to capture as %s in %s", name, r.body)
		}
	}
}

func field(k string) func(map[string]any) string {
	return func(m map[string]any) string { s, _ := m[k].(string); return s }
}

// demandID picks the id of a file's (first) demand from its JSON.
func demandID(m map[string]any) string {
	d, _ := m["demand"].(map[string]any)
	list, _ := d["demands"].([]any)
	if len(list) == 0 {
		return ""
	}
	first, _ := list[0].(map[string]any)
	id, _ := first["id"].(string)
	return id
}

func TestAPI_CitizenAppliesAndTheOfficeDecides(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	year := time.Now().In(domain.IST).Year()
	vars := map[string]string{"year": fmt.Sprint(year)}
	codeRe := regexp.MustCompile(`\b\d{6}\b`)

	runScenarios(t, env, vars, []apiScenario{
		{name: "the catalogue is public and complete", method: "GET", url: "/api/v1/services", status: 200,
			check: func(t *testing.T, r *response, _ map[string]string) {
				var list []struct {
					Code   string
					Module string
					Name   struct{ En, Ml string }
					Time   *int `json:"time_limit_days"`
				}
				r.json(t, &list)
				if len(list) < 40 {
					t.Errorf("%d services, want at least 40", len(list))
				}
				for _, s := range list {
					if s.Code == "" || s.Module == "" || s.Name.En == "" || s.Name.Ml == "" || s.Time == nil || *s.Time <= 0 {
						t.Errorf("service lacks code, module, name.en, name.ml or time_limit_days: %+v", s)
					}
				}
			}},
		{name: "one module's services", method: "GET", url: "/api/v1/services?module=civil_registration", status: 200,
			want: []string{`"code":"birth_certificate"`}, notWant: []string{`"module":"trade_licence"`}},
		{name: "a service by its code", method: "GET", url: "/api/v1/services/birth_certificate", status: 200,
			want: []string{`"code":"birth_certificate"`, `"time_limit_days":3`, `"ml":"ജനന സർട്ടിഫിക്കറ്റ്"`}},
		{name: "an unknown service is 404 in JSON", method: "GET", url: "/api/v1/services/no_such_service", status: 404,
			want: []string{`"code":"not_found"`, `"request_id":"`}},
		{name: "the OpenAPI document", method: "GET", url: "/api/v1/openapi.json", status: 200, want: []string{`"openapi": "3.1`}},
		{name: "signed out, there is no session", method: "GET", url: "/api/v1/session", status: 401,
			want: []string{`"code":"unauthenticated"`, `"message":"Sign in first."`, `"message_ml":"`}},
		{name: "sign-in needs a login and a password", method: "POST", url: "/api/v1/session", body: map[string]string{}, status: 400,
			want: []string{`"login":{`, `"password":{`}, noWrites: true},
		{name: "a wrong password is 401", method: "POST", url: "/api/v1/session",
			body: map[string]string{"login": "9847000001", "password": "not-the-password"}, status: 401,
			want: []string{"The login or password is not correct."}},
		{name: "the citizen's own session", as: citizenA, method: "GET", url: "/api/v1/session", status: 200,
			want:    []string{`"kind":"citizen"`, `"login":"+919847000001"`, `"roles":["citizen"]`, `"must_change_password":false`},
			notWant: []string{"password_hash", "argon2"}},

		// A citizen applies online.
		{name: "a citizen applies for a birth certificate", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith(), status: 201,
			want: []string{`"number":"KS/DEMO01/{year}/BC/1"`, `"status":"in_progress"`, `"channel":"online"`,
				`"role":"section_clerk"`, `"fee":1000`, `"overdue":false`, `"person_name_en":"Anagha K. R."`, `"phone":"+919847000001"`},
			notWant: []string{`"actions"`},
			check: func(t *testing.T, r *response, vars map[string]string) {
				capture("file", field("id"))(t, r, vars)
				capture("number", field("number"))(t, r, vars)
				capture("demand", demandID)(t, r, vars)
				if loc := r.header.Get("Location"); loc != "/api/v1/applications/"+vars["file"] {
					t.Errorf("Location %q", loc)
				}
			}},
		{name: "it is in the citizen's list", as: citizenA, method: "GET", url: "/api/v1/applications", status: 200,
			want: []string{`"number":"{number}"`, `"overdue":false`}},
		{name: "the citizen reads the file", as: citizenA, method: "GET", url: "/api/v1/applications/{file}", status: 200,
			want: []string{`"number":"{number}"`, `"history":[{`, `"receipt":"/api/v1/applications/{file}/receipt.pdf"`}},
		{name: "another citizen cannot see it", as: citizenB, method: "GET", url: "/api/v1/applications/{file}", status: 404,
			notWant: []string{"Anagha", "{number}"}},
		{name: "another citizen's list does not hold it", as: citizenB, method: "GET", url: "/api/v1/applications", status: 200,
			notWant: []string{"{number}"}},
		{name: "the acknowledgement receipt is a PDF", as: citizenA, method: "GET", url: "/api/v1/applications/{file}/receipt.pdf", status: 200,
			check: func(t *testing.T, r *response, _ map[string]string) {
				if !bytes.HasPrefix(r.body, []byte("%PDF")) || r.header.Get("Content-Type") != "application/pdf" {
					t.Errorf("receipt is %s, starts %q", r.header.Get("Content-Type"), r.body[:min(len(r.body), 8)])
				}
			}},
		{name: "the acknowledgement is in the citizen's messages", as: citizenA, method: "GET", url: "/api/v1/messages", status: 200,
			want: []string{"Application received: {number}", `"kind":"acknowledgement"`}},
		{name: "a list's limit is checked", as: citizenA, method: "GET", url: "/api/v1/messages?limit=0", status: 400, want: []string{`"limit":{`}},
		{name: "a browser gets no token to send", method: "GET", url: "/api/v1/csrf", header: map[string]string{"Sec-Fetch-Site": "same-origin"}, status: 200,
			want: []string{`{"csrf":""}`}},
		{name: "anyone may follow the status by number, without personal data", method: "GET", url: "/api/v1/status?number={number}", status: 200,
			want:    []string{`"number":"{number}"`, `"status":"in_progress"`, `"overdue":false`},
			notWant: []string{"Anagha", "Anitha", "9847000001", "Lakshmi"}},
		{name: "an unknown number is 404", method: "GET", url: "/api/v1/status?number=KS/DEMO01/2020/BC/999", status: 404,
			want: []string{"No application has that number"}},
		{name: "status needs a number", method: "GET", url: "/api/v1/status", status: 400, want: []string{`"number":{`}},

		// Bad input is refused field by field and changes nothing.
		{name: "missing values are named one by one", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: map[string]any{"service": "birth_certificate", "values": map[string]string{}}, status: 400, noWrites: true,
			want: []string{`"code":"invalid"`, `"person_name_en":{`, `"sex":{`, `"date_of_birth":{`, `"mother_name_en":{`,
				`"applicant_name_en":{`, `"relationship":{`, `"phone":{`}},
		{name: "oversized values are refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith("person_name_en", strings.Repeat("Anagha ", 20), "relationship", strings.Repeat("x", 51)), status: 400, noWrites: true,
			want: []string{`"person_name_en":{`, `"relationship":{`}, notWant: []string{`"sex":{`}},
		{name: "mistyped values are refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith("date_of_birth", "31-02-2019", "sex", "robot", "phone", "12345", "mother_name_ml", "Lakshmi"), status: 400, noWrites: true,
			want: []string{`"date_of_birth":{`, `"sex":{`, `"phone":{`, `"mother_name_ml":{`}, notWant: []string{`"person_name_en":{`}},
		{name: "a date of birth in the future is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith("date_of_birth", fmt.Sprintf("%d-01-01", year+1)), status: 400, noWrites: true, want: []string{`"date_of_birth":{`}},
		{name: "script in a name is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith("person_name_en", "<script>alert(1)</script>", "mother_name_en", `Lakshmi"><img src=x onerror=alert(1)>`), status: 400, noWrites: true,
			want: []string{`"person_name_en":{`, `"mother_name_en":{`}, notWant: []string{"<script>", "<img"}},
		{name: "control characters are refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith("relationship", "Mother\u202e's sister", "person_name_en", "Ana\x00gha"), status: 400, noWrites: true,
			want: []string{`"relationship":{`, `"person_name_en":{`}},
		{name: "a value that is not a string is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith("sex", map[string]int{"x": 1}, "relationship", []string{"a"}), status: 400, noWrites: true,
			want: []string{`"sex":{"en":"Give this value as a string`, `"relationship":{`}},
		{name: "a field the service does not have is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith("favourite_colour", "blue"), status: 400, noWrites: true,
			want: []string{`"favourite_colour":{"en":"The service birth_certificate has no field`}},
		{name: "numbers may come as JSON numbers, documents only in a multipart form", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: func(map[string]string) any {
				v := map[string]any{}
				for k, x := range eventNOC() {
					v[k] = x
				}
				delete(v, "service")
				v["attendance"] = 400
				return map[string]any{"service": "event_noc", "values": v}
			}, status: 400, noWrites: true,
			want: []string{`"venue_consent":{"en":"Attach this document`, `"organiser_id":{`}, notWant: []string{`"attendance":{`}},
		{name: "a service no module serves yet is listed as not available", method: "GET", url: "/api/v1/services/pet_dog_licence", status: 200,
			want: []string{`"code":"pet_dog_licence"`, `"available":false`, `"not_available":{"en":"This service is not yet available in ksmart`}},
		{name: "a service a module serves is available", method: "GET", url: "/api/v1/services/birth_certificate", status: 200,
			want: []string{`"available":true`}, notWant: []string{`"not_available"`}},
		{name: "applying for a service not yet available is refused in both languages", as: citizenA, method: "POST", url: "/api/v1/applications",
			body:   map[string]any{"service": "property_tax_payment", "values": map[string]string{"building_number": "nonsense", "financial_year": "banana"}},
			status: 501, noWrites: true, want: []string{`"code":"not_available"`, "not yet available", "ലഭ്യമല്ല"}},
		{name: "the front office cannot enter it at the counter either", as: "front_office", method: "POST", url: "/api/v1/applications",
			body:   map[string]any{"service": "layout_approval", "values": map[string]string{"land_area_sqm": "100"}, "applicant": map[string]string{"name": "Ravi", "phone": "9847000009"}},
			status: 501, noWrites: true, want: []string{`"code":"not_available"`}},
		{name: "an unknown service is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: map[string]any{"service": "moon_landing", "values": map[string]string{}}, status: 400, noWrites: true,
			want: []string{`"service":{"en":"There is no service \"moon_landing\"`}},
		{name: "a citizen cannot name another applicant", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: func(map[string]string) any {
				b := birthWith()
				b["applicant"] = map[string]string{"name": "Someone Else", "phone": "9847000005"}
				return b
			}, status: 400, noWrites: true, want: []string{`"applicant":{`}},
		{name: "a citizen cannot enter at the counter", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: func(map[string]string) any { b := birthWith(); b["channel"] = "counter"; return b }, status: 403, noWrites: true},
		{name: "an unknown channel is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: func(map[string]string) any { b := birthWith(); b["channel"] = "pigeon"; return b }, status: 400, noWrites: true,
			want: []string{`"channel":{`}},
		{name: "a document of the wrong type is refused by its content", as: citizenA, method: "POST", url: "/api/v1/applications",
			body:   &multipartBody{fields: eventNOC(), files: map[string][]byte{"venue_consent": tinyPDF, "organiser_id": []byte("MZ\x90\x00 an executable, named .pdf")}},
			status: 400, noWrites: true, want: []string{`"organiser_id":{"en":"This file is not a PDF, JPEG or PNG`}},
		{name: "a required document missing is named", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: &multipartBody{fields: eventNOC(), files: map[string][]byte{"venue_consent": tinyPDF}}, status: 400, noWrites: true,
			want: []string{`"organiser_id":{"en":"Attach this document`}},
		{name: "a document over 5 MB is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body:   &multipartBody{fields: eventNOC(), files: map[string][]byte{"venue_consent": tinyPDF, "organiser_id": append(bytes.Clone(tinyPDF), make([]byte, 6<<20)...)}},
			status: 413, noWrites: true, want: []string{`"code":"too_large"`, "the limit is 5 MB"}},
		{name: "a 50 MB upload is refused before it is read", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: &multipartBody{fields: eventNOC(), big: 50 << 20}, status: 413, noWrites: true,
			want: []string{`"code":"too_large"`, "The request is too large"}},
		{name: "a JSON body over 1 MB is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith("relationship", strings.Repeat("x", 2<<20)), status: 413, noWrites: true},

		// Garbage is refused with a message.
		{name: "a body that is not JSON", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: rawBody{"application/json", []byte(`{"service": "birth_certificate", values: }`)}, status: 400, noWrites: true,
			want: []string{"The body is not valid JSON"}},
		{name: "JSON that is not an object", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: rawBody{"application/json", []byte(`[1, 2, 3]`)}, status: 400, noWrites: true,
			want: []string{"Send a JSON object, not a JSON array"}},
		{name: "an unknown top-level field", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: map[string]any{"service": "birth_certificate", "valuez": map[string]string{}}, status: 400, noWrites: true,
			want: []string{`Unknown field \"valuez\"`}},
		{name: "values that are not an object", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: map[string]any{"service": "birth_certificate", "values": []string{"Anagha"}}, status: 400, noWrites: true,
			want: []string{`"values":{`, "must be an object, not a JSON array"}},
		{name: "an empty JSON body", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: rawBody{"application/json", nil}, status: 400, noWrites: true, want: []string{"The request body is empty"}},
		{name: "something after the JSON object", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: rawBody{"application/json", []byte(`{"service": "birth_certificate"} {"again": 1}`)}, status: 400, noWrites: true,
			want: []string{"Send one JSON object and nothing after it"}},
		{name: "a JSON body cut short", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: rawBody{"application/json", []byte(`{"service": "birth_cert`)}, status: 400, noWrites: true,
			want: []string{"ends too soon"}},

		// Cross-site request forgery.
		{name: "a write without the CSRF token is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith(), noCSRF: true, status: 403, noWrites: true, want: []string{`"code":"forbidden"`, "came from another site"}},
		{name: "a browser's cross-site write is refused", as: citizenA, method: "POST", url: "/api/v1/applications",
			body: birthWith(), noCSRF: true, header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: 403, noWrites: true},
		{name: "a browser's same-origin write needs no token", as: citizenA, method: "POST", url: "/api/v1/applications",
			body:   &multipartBody{fields: eventNOC(), files: map[string][]byte{"venue_consent": tinyPDF, "organiser_id": tinyPDF}},
			noCSRF: true, header: map[string]string{"Sec-Fetch-Site": "same-origin"}, status: 201,
			want: []string{`"number":"KS/DEMO01/{year}/NOC/1"`, `"field":"organiser_id"`, `"content_type":"application/pdf"`},
			check: func(t *testing.T, r *response, vars map[string]string) {
				var f struct{ ID, Number string }
				r.json(t, &f)
				vars["noc"], vars["noc_number"] = f.ID, f.Number
			}},

		// The office works the file.
		{name: "the file is in the section clerk's inbox", as: "section_clerk", method: "GET", url: "/api/v1/inbox", status: 200,
			want: []string{`"number":"{number}"`, `"overdue":false`, `"role":"section_clerk"`}},
		{name: "the clerk sees the actions open to them", as: "section_clerk", method: "GET", url: "/api/v1/applications/{file}", status: 200,
			want: []string{`"actions":["forwarded","returned","inspection_attached","note_added"]`, `"forward_to":[{`, `"roles":["registrar"]`}},
		{name: "an unknown action is refused", as: "section_clerk", method: "POST", url: "/api/v1/applications/{file}/actions",
			body: map[string]string{"action": "shred"}, status: 400, noWrites: true, want: []string{`"action":{`}},
		{name: "an unknown action field is refused", as: "section_clerk", method: "POST", url: "/api/v1/applications/{file}/actions",
			body: map[string]string{"action": "approved", "signature": "x"}, status: 400, noWrites: true, want: []string{`Unknown field \"signature\"`}},
		{name: "a return needs its reason", as: "section_clerk", method: "POST", url: "/api/v1/applications/{file}/actions",
			body: map[string]string{"action": "returned"}, status: 400, noWrites: true, want: []string{`"note":{`}},
		{name: "the clerk returns it for information", as: "section_clerk", method: "POST", url: "/api/v1/applications/{file}/actions",
			body: map[string]string{"action": "returned", "note": "Attach the hospital discharge summary."}, status: 200,
			want: []string{`"status":"returned"`, `"reason":"Attach the hospital discharge summary."`}},
		{name: "the citizen is told", as: citizenA, method: "GET", url: "/api/v1/messages", status: 200,
			want: []string{"Information needed: {number}"}},
		{name: "an answer needs a note", as: citizenA, method: "POST", url: "/api/v1/applications/{file}/answer",
			body: map[string]string{"note": ""}, status: 400, noWrites: true, want: []string{`"note":{`}},
		{name: "another citizen cannot answer it", as: citizenB, method: "POST", url: "/api/v1/applications/{file}/answer",
			body: map[string]string{"note": "Here it is."}, status: 404, noWrites: true},
		{name: "the citizen answers with the document", as: citizenA, method: "POST", url: "/api/v1/applications/{file}/answer",
			body:   &multipartBody{fields: map[string]string{"note": "The discharge summary is attached."}, files: map[string][]byte{"discharge_summary": tinyPDF}},
			status: 200, want: []string{`"status":"in_progress"`, `"kind":"resubmitted"`, `"field":"discharge_summary"`}},
		{name: "the clerk forwards it to the registrar", as: "section_clerk", method: "POST", url: "/api/v1/applications/{file}/actions",
			body: map[string]string{"action": "forwarded", "note": "Entry found in the register."}, status: 200,
			want: []string{`"role":"registrar"`, `"step":1`, `"actions":["note_added"]`}},
		{name: "the registrar approves; the fee is still owed, so nobody may issue", as: "registrar", method: "POST", url: "/api/v1/applications/{file}/actions",
			body: map[string]string{"action": "approved"}, status: 200,
			want: []string{`"status":"approved"`, `"demand":{"amount_paise":1000,"paid_paise":0,"balance_paise":1000`, `"actions":["note_added"]`}},
		{name: "issuing before the fee is paid is refused in both languages", as: "front_office", method: "POST", url: "/api/v1/applications/{file}/actions",
			body: map[string]string{"action": "issued"}, status: 409, noWrites: true, want: []string{"₹10.00 is not paid yet", "അടച്ചിട്ടില്ല"}},
		{name: "the cashier cannot take more than is owed", as: "cashier", method: "POST", url: "/api/v1/demands/{demand}/payments",
			body: map[string]any{"counter": "C1", "amount_paise": 1500, "mode": "cash"}, status: 400, noWrites: true, want: []string{`"amount_paise":{"en":"Only ₹10.00 is owed`}},
		{name: "the cashier cannot take fractional paise", as: "cashier", method: "POST", url: "/api/v1/demands/{demand}/payments",
			body: rawBody{"application/json", []byte(`{"counter": "C1", "amount_paise": 999.5, "mode": "cash"}`)}, status: 400, noWrites: true, want: []string{`amount_paise`}},
		{name: "the cashier takes the fee in cash", as: "cashier", method: "POST", url: "/api/v1/demands/{demand}/payments",
			body: map[string]any{"counter": "C1", "amount_paise": 1000, "mode": "cash"}, status: 201,
			want: []string{`"number":"DEMO01-C1-`, `"amount_paise":1000`, `"status":"valid"`}, check: capture("receipt", field("number"))},
		{name: "the citizen downloads the receipt", as: citizenA, method: "GET", url: "/api/v1/receipts/{receipt}/pdf", status: 200, want: []string{"%PDF-"}},
		{name: "another citizen cannot", as: citizenB, method: "GET", url: "/api/v1/receipts/{receipt}/pdf", status: 404},
		{name: "the file is paid and may be issued", as: "registrar", method: "GET", url: "/api/v1/applications/{file}", status: 200,
			want: []string{`"balance_paise":0`, `"actions":["issued",`}},
		{name: "the trial balance balances", as: "accountant", method: "GET", url: "/api/v1/accounts/trial-balance", status: 200,
			want: []string{`"code":"450-10"`, `"debit_paise":1000`, `"code":"140-40"`, `"credit_paise":1000`},
			check: func(t *testing.T, r *response, _ map[string]string) {
				var tb struct {
					Debit  int64 `json:"total_debit_paise"`
					Credit int64 `json:"total_credit_paise"`
				}
				r.json(t, &tb)
				if tb.Debit != tb.Credit || tb.Debit == 0 {
					t.Errorf("debits %d, credits %d", tb.Debit, tb.Credit)
				}
			}},
		{name: "a clerk reads no trial balance", as: "section_clerk", method: "GET", url: "/api/v1/accounts/trial-balance", status: 403},
		{name: "a trial balance of a date that is not one is refused", as: "accountant", method: "GET", url: "/api/v1/accounts/trial-balance?date=yesterday", status: 400,
			want: []string{`"date":{`}},
		{name: "the front office issues it", as: "front_office", method: "POST", url: "/api/v1/applications/{file}/actions",
			body: &multipartBody{fields: map[string]string{"action": "issued"}}, status: 200, want: []string{`"status":"issued"`}},
		{name: "the public status shows it issued", method: "GET", url: "/api/v1/status?number={number}", status: 200,
			want: []string{`"status":"issued"`, `"en":"Issued"`}},
		{name: "the clerk forwards the event NOC to the health inspector", as: "section_clerk", method: "POST", url: "/api/v1/applications/{noc}/actions",
			body: map[string]string{"action": "forwarded"}, status: 200, want: []string{`"role":"health_inspector"`}},
		{name: "an inspection needs its report", as: "health_inspector", method: "POST", url: "/api/v1/applications/{noc}/actions",
			body: &multipartBody{fields: map[string]string{"action": "inspection_attached"}}, status: 400, noWrites: true,
			want: []string{`"report":{`}},
		{name: "the inspector attaches the report", as: "health_inspector", method: "POST", url: "/api/v1/applications/{noc}/actions",
			body:   &multipartBody{fields: map[string]string{"action": "inspection_attached", "note": "Venue inspected; exits clear."}, files: map[string][]byte{"report": tinyPDF}},
			status: 200, want: []string{`"field":"inspection_report"`, `"kind":"inspection_attached"`}},

		// The front office enters a walk-in's application at the counter.
		{name: "the front office enters an application at the counter", as: "front_office", method: "POST", url: "/api/v1/applications",
			body: func(map[string]string) any {
				b := birthWith("applicant_name_en", "Biju Thomas", "phone", "9847000002")
				b["applicant"] = map[string]string{"name": "Biju Thomas", "phone": "9847000002"}
				return b
			}, status: 201,
			// The front office takes no step of a birth certificate, so it is
			// offered no action on it (the workflow would refuse even a note).
			want: []string{`"channel":"counter"`, `"balance_paise":1000`, `"number":"KS/DEMO01/{year}/BC/2"`}, notWant: []string{`"actions":[`},
			check: capture("counter", field("number"))},
		{name: "the walk-in sees it in their account", as: citizenB, method: "GET", url: "/api/v1/applications", status: 200,
			want: []string{`"number":"{counter}"`}},
		{name: "the counter needs the applicant's name", as: "front_office", method: "POST", url: "/api/v1/applications",
			body: birthWith(), status: 400, noWrites: true, want: []string{`"applicant_name":{`}},
		{name: "a clerk cannot enter applications", as: "section_clerk", method: "POST", url: "/api/v1/applications",
			body: birthWith(), status: 403, noWrites: true},

		// A newcomer signs up, verifies, changes the password and signs out everywhere.
		{name: "sign-up names every faulty field", as: "newcomer", method: "POST", url: "/api/v1/signup",
			body: map[string]string{"contact": "12", "name": "", "password": "short"}, status: 400, noWrites: true,
			want: []string{`"contact":{`, `"name":{`, `"password":{`}},
		{name: "a verified number cannot sign up again", as: "newcomer", method: "POST", url: "/api/v1/signup",
			body: map[string]string{"contact": "9847000001", "name": "Anitha Kumari", "password": "another-password-1"}, status: 409, noWrites: true},
		{name: "a newcomer signs up", as: "newcomer", method: "POST", url: "/api/v1/signup",
			body: map[string]string{"contact": "deepa@example.com", "name": "Deepa Nair", "password": "backwaters-2026"}, status: 201,
			want: []string{`"user_id":"u-`}},
		{name: "the code reaches the session in-app", as: "newcomer", method: "GET", url: "/api/v1/verify", status: 200,
			want: []string{`"login":"deepa@example.com"`, `"kind":"verification_code"`},
			check: func(t *testing.T, r *response, vars map[string]string) {
				vars["code"] = codeRe.FindString(string(r.body))
			}},
		{name: "another client has no code to see", method: "GET", url: "/api/v1/verify", status: 401},
		{name: "a wrong code says how many tries are left", as: "newcomer", method: "POST", url: "/api/v1/verify",
			body: func(vars map[string]string) any {
				wrong := "000000"
				if vars["code"] == wrong {
					wrong = "111111"
				}
				return map[string]string{"code": wrong}
			}, status: 400, want: []string{`"code":{`, "tries left"}},
		{name: "a new code cannot be asked for within a minute", as: "newcomer", method: "POST", url: "/api/v1/verify/resend", status: 429, noWrites: true},
		{name: "the right code signs the newcomer in", as: "newcomer", method: "POST", url: "/api/v1/verify",
			body: func(vars map[string]string) any { return map[string]string{"code": vars["code"]} }, status: 200,
			want: []string{`"kind":"citizen"`, `"login":"deepa@example.com"`}},
		{name: "the newcomer is signed in", as: "newcomer", method: "GET", url: "/api/v1/session", status: 200, want: []string{`"name":"Deepa Nair"`}},
		{name: "a password change needs the current password", as: "newcomer", method: "PUT", url: "/api/v1/account/password",
			body: map[string]string{"old": "not-my-password", "new": "chinese-nets-2026"}, status: 400, want: []string{`"old":{`}},
		{name: "a new password must be long enough", as: "newcomer", method: "PUT", url: "/api/v1/account/password",
			body: map[string]string{"old": "backwaters-2026", "new": "short"}, status: 400, noWrites: true, want: []string{`"new":{`}, notWant: []string{`"old":{`}},
		{name: "the newcomer changes the password", as: "newcomer", method: "PUT", url: "/api/v1/account/password",
			body: map[string]string{"old": "backwaters-2026", "new": "chinese-nets-2026"}, status: 200, want: []string{`"must_change_password":false`}},
		{name: "the session survives the change", as: "newcomer", method: "GET", url: "/api/v1/session", status: 200},
		{name: "sign out everywhere", as: "newcomer", method: "DELETE", url: "/api/v1/session?everywhere=1", status: 204},
		{name: "the session is gone", as: "newcomer", method: "GET", url: "/api/v1/session", status: 401},
		{name: "the new password signs in", as: "newcomer", method: "POST", url: "/api/v1/session",
			body: map[string]string{"login": "Deepa@Example.com", "password": "chinese-nets-2026"}, status: 200, want: []string{`"name":"Deepa Nair"`}},
		{name: "sign out", as: "newcomer", method: "DELETE", url: "/api/v1/session", status: 204},
		{name: "signed out, the applications are closed", as: "newcomer", method: "GET", url: "/api/v1/applications", status: 401},
	})

	// The store holds exactly the two online, one same-origin and one
	// counter applications the scenarios made.
	var list []apiEntry
	c := env.signIn(t, "section_clerk")
	r := c.do(t, "GET", "/api/v1/applications/"+vars["file"], nil)
	if r.status != 200 {
		t.Fatalf("clerk reads the file: %d %s", r.status, r.body)
	}
	r = env.signIn(t, citizenA).do(t, "GET", "/api/v1/applications", nil)
	r.json(t, &list)
	if len(list) != 2 {
		t.Errorf("citizen A has %d applications, want 2 (the birth certificate and the event NOC): %s", len(list), r.body)
	}
}

// TestAPI_UnverifiedCitizenIsSentToVerify shows that a citizen who signed up
// but never entered the code is told to, and may then verify from the
// session that signed in.
func TestAPI_UnverifiedCitizenIsSentToVerify(t *testing.T) {
	env := newTestEnv(t)
	c := env.newClient(t)
	r := c.do(t, "POST", "/api/v1/signup", map[string]string{"contact": "+971501234567", "name": "Mohammed Rafi", "password": "gulf-evenings-9"})
	if r.status != 201 {
		t.Fatalf("sign up: %d %s", r.status, r.body)
	}
	other := env.newClient(t)
	r = other.do(t, "POST", "/api/v1/session", map[string]string{"login": "+971 50 123 4567", "password": "gulf-evenings-9"})
	if r.status != 403 || !bytes.Contains(r.body, []byte("Verify your mobile number")) {
		t.Fatalf("unverified sign-in: %d %s", r.status, r.body)
	}
	r = other.do(t, "GET", "/api/v1/verify", nil)
	var pending struct {
		Message struct{ Body struct{ En string } }
	}
	r.json(t, &pending)
	code := codeInMessage.FindString(pending.Message.Body.En)
	if r.status != 200 || code == "" {
		t.Fatalf("the signed-in session sees no code: %d %s", r.status, r.body)
	}
	if r = other.do(t, "POST", "/api/v1/verify", map[string]string{"code": code}); r.status != 200 {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	if r = other.do(t, "GET", "/api/v1/session", nil); r.status != 200 || !bytes.Contains(r.body, []byte(`"login":"+971501234567"`)) {
		t.Fatalf("session after verifying: %d %s", r.status, r.body)
	}
}

// TestAPI_ErrorsAreJSONWithRequestID checks the shape every API error has.
func TestAPI_ErrorsAreJSONWithRequestID(t *testing.T) {
	env := newTestEnv(t)
	c := env.newClient(t)
	for _, path := range []string{"/api/v1/services/nope", "/api/v1/applications", "/api/v1/no/such/route"} {
		r := c.do(t, "GET", path, nil)
		var e apiError
		if err := json.Unmarshal(r.body, &e); err != nil || e.Code == "" || e.Message == "" || e.RequestID == "" {
			t.Errorf("GET %s: %d %q is not a JSON error with code, message and request_id", path, r.status, r.body)
		}
		if e.RequestID != r.header.Get("X-Request-Id") {
			t.Errorf("GET %s: request_id %q, header %q", path, e.RequestID, r.header.Get("X-Request-Id"))
		}
	}
}

// TestOpenAPI_DescribesEveryAPIRoute keeps openapi.json and the routes in
// step: every route registered under /api/v1 is in the document with its
// method, every operation in the document is a registered route, and
// every $ref resolves.
func TestOpenAPI_DescribesEveryAPIRoute(t *testing.T) {
	env := newTestEnv(t)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("openapi %q, servers %+v: want 3.1 and the one server /api/v1", doc.OpenAPI, doc.Servers)
	}
	methods := map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true}
	documented := map[string]bool{}
	opIDs := map[string]bool{}
	for path, item := range doc.Paths {
		// A path may name its own server (Open311's /open311/v2).
		var own []struct{ URL string }
		if raw, ok := item["servers"]; ok && json.Unmarshal(raw, &own) == nil && len(own) == 1 {
			path = own[0].URL + path
		}
		for m, raw := range item {
			if !methods[m] {
				continue
			}
			var op struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil || op.OperationID == "" || len(op.Responses) == 0 || opIDs[op.OperationID] {
				t.Errorf("%s %s: want a unique operationId and responses (%v)", strings.ToUpper(m), path, err)
			}
			opIDs[op.OperationID] = true
			documented[strings.ToUpper(m)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	param := regexp.MustCompile(`:([a-z_]+)`)
	for _, r := range env.srv.echo.Routes() {
		if p, ok := strings.CutPrefix(r.Path, "/api/v1/"); ok {
			registered[r.Method+" /"+param.ReplaceAllString(p, "{$1}")] = true
		}
		if strings.HasPrefix(r.Path, "/open311/v2/") {
			registered[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
		}
	}
	if len(registered) == 0 {
		t.Fatal("no routes registered under /api/v1")
	}
	for k := range registered {
		if !documented[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for k := range documented {
		if !registered[k] {
			t.Errorf("openapi.json describes %s, which is not a route", k)
		}
	}
	// Every $ref points at something that exists.
	var whole map[string]any
	json.Unmarshal(openAPIDoc, &whole)
	refs := regexp.MustCompile(`"\$ref":\s*"#/([^"]+)"`)
	for _, m := range refs.FindAllStringSubmatch(string(openAPIDoc), -1) {
		var node any = whole
		for _, part := range strings.Split(m[1], "/") {
			obj, _ := node.(map[string]any)
			node = obj[part]
		}
		if node == nil {
			t.Errorf("$ref #/%s resolves to nothing", m[1])
		}
	}
	// And the server serves it as is.
	r := env.newClient(t).do(t, "GET", "/api/v1/openapi.json", nil)
	if r.status != 200 || !bytes.Equal(r.body, openAPIDoc) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("GET /api/v1/openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
}
