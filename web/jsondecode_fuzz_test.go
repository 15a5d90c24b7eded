package web

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeStrict_AcceptsOnlyValidUTF8JSONAndNeverPanics runs the API's
// decoder on arbitrary bodies: it must never panic, and a body it accepts
// is valid JSON in valid UTF-8 (nothing was silently replaced by U+FFFD).
func FuzzDecodeStrict_AcceptsOnlyValidUTF8JSONAndNeverPanics(f *testing.F) {
	for _, seed := range []string{
		`{"login":"secretary","password":"x"}`,
		`{"a":1,"a":2}`,
		`{"name":"Raj\ud800esh"}`,
		`{"name":"\ud83d\ude00"}`,
		"{\"name\":\"Raj\xffesh\"}",
		`{"values":{"floors":2.5,"x":[1,{"y":"z"}]}}`,
		`[1,2]`, `{}`, ``, `{"a":"\\\udc00"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v map[string]any
		if err := decodeStrict(body, &v); err != nil {
			return
		}
		if !utf8.Valid(body) || !json.Valid(body) {
			t.Fatalf("accepted %q", body)
		}
	})
}
