package web

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAPI_JSONIsRefusedAsStrictlyAsFormsNamingTheField(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	anyone := env.newClient(t)
	clerk := env.signIn(t, "section_clerk")
	for _, c := range []struct {
		name   string
		who    *client
		url    string
		body   string
		field  string
		saying string
	}{
		{"invalid UTF-8 in a string", anyone, "/api/v1/signup", "{\"contact\":\"9847000222\",\"name\":\"Raj\xffesh\",\"password\":\"a good password\"}", "name", "UTF-8"},
		{"a lone surrogate escape", anyone, "/api/v1/signup", `{"contact":"9847000222","name":"Raj\ud800esh","password":"a good password"}`, "name", "lone surrogate"},
		{"a lone low surrogate after an escaped backslash", anyone, "/api/v1/signup", `{"contact":"9847000222","name":"Raj\\\udc00","password":"a good password"}`, "name", "lone surrogate"},
		{"a duplicate key", anyone, "/api/v1/session", `{"login":"secretary","login":"admin","password":"x"}`, "login", "given twice"},
		{"a duplicate key inside an object", clerk, "/api/v1/search", `{"text":"anagha","types":[],"from":0,"wards":["1"],"from":1}`, "from", "given twice"},
		{"an unknown field", anyone, "/api/v1/session", `{"login":"secretary","password":"x","remember":true}`, "remember", "Unknown field"},
		{"a decimal where a whole number is due", clerk, "/api/v1/search", `{"text":"anagha","from":2.5}`, "from", "whole number"},
		{"a string where a whole number is due", clerk, "/api/v1/search", `{"text":"anagha","from":"2"}`, "from", "whole number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.who.do(t, "POST", c.url, rawBody{contentType: "application/json", data: []byte(c.body)})
			var e struct {
				Code      string                       `json:"code"`
				Message   string                       `json:"message"`
				MessageML string                       `json:"message_ml"`
				Fields    map[string]map[string]string `json:"fields"`
			}
			r.json(t, &e)
			if r.status != 400 || e.Code != "invalid" || !strings.Contains(e.Message, c.saying) || e.MessageML == "" || e.Fields[c.field]["ml"] == "" {
				t.Fatalf("%d %s; want 400 saying %q in both languages, naming the field %q", r.status, r.body, c.saying, c.field)
			}
		})
	}
	// The same text, well formed, is accepted: a real pair of surrogates
	// is one character.
	r := anyone.do(t, "POST", "/api/v1/signup", rawBody{contentType: "application/json", data: []byte(`{"contact":"9847000222","name":"Rajesh \u0d30\u0d3e\u0d1c\u0d47\u0d37\u0d4d","password":"a good password"}`)})
	if r.status != 201 {
		t.Fatalf("a well-formed sign-up: %d %s", r.status, r.body)
	}
	var ok struct {
		UserID string `json:"user_id"`
	}
	if json.Unmarshal(r.body, &ok) != nil || ok.UserID == "" {
		t.Fatalf("sign-up answer %s", r.body)
	}
}

// A form value sent as JSON is its text, whether written plainly, with
// escapes, or as a number; anything else is refused.
func TestJSONScalar_PlainEscapedAndNumberValuesReadAsTheirText(t *testing.T) {
	for raw, want := range map[string]string{
		`"Anagha"`:                   "Anagha",
		`"അനഘ"`:                      "അനഘ",
		`"\u0d05\u0d28\u0d18"`:       "അനഘ",
		`"a \"quoted\" name\\ here"`: `a "quoted" name\ here`,
		`""`:                         "",
		`42`:                         "42",
		`null`:                       "",
	} {
		if got, ok := jsonScalar(json.RawMessage(raw)); !ok || got != want {
			t.Errorf("jsonScalar(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for _, raw := range []string{`{"a":1}`, `["a"]`, `true`} {
		if got, ok := jsonScalar(json.RawMessage(raw)); ok {
			t.Errorf("jsonScalar(%s) = %q, accepted; want refused", raw, got)
		}
	}
}
