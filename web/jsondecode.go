package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
)

// The strict JSON decoder every API endpoint reads its body with. JSON is
// held to what forms are: encoding/json would store invalid UTF-8 and lone
// surrogates (\ud800) as U+FFFD, let the last of two equal keys win, and
// ignore nothing else; here each is refused, naming the field, before
// anything is decoded. Unknown fields and values of the wrong type (a
// decimal where a whole number is due) are refused the same way.

// readJSON decodes the request's JSON body into v strictly (see above). It
// refuses a body that is not JSON, has fields v does not know, values of
// the wrong type, or more than one value, each with a bilingual message
// that says what to fix and, where there is one, the field.
func readJSON(c echo.Context, v any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return domain.Errorf(domain.EINVALID, "Send the request body as JSON with the header Content-Type: application/json (got %q).", ct)
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return jsonError(err)
	}
	return decodeStrict(body, v)
}

// decodeStrict is readJSON's decoding of body into v.
func decodeStrict(body []byte, v any) error {
	if err := checkJSON(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badJSON("", domain.T("Send one JSON object and nothing after it.", "ഒരു JSON ഒബ്ജക്റ്റ് മാത്രം അയയ്ക്കുക, അതിനുശേഷം ഒന്നും വേണ്ട."))
	}
	return nil
}

// badJSON is an EINVALID error about field ("" for the body as a whole).
func badJSON(field string, t domain.Text) error {
	e := &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml}
	if field != "" {
		e.Fields = map[string]domain.Text{field: t}
	}
	return e
}

// jsonFrame is one object or array being walked by checkJSON.
type jsonFrame struct {
	object bool
	keys   map[string]bool
	key    string // the object's current key
	index  int    // the array's next index
	onKey  bool   // the object's next token is a key
}

// checkJSON walks body's tokens and refuses invalid UTF-8, lone surrogate
// escapes and duplicate keys, naming where each is ("values.name_en",
// "items[2]"). Syntax errors are left to the decoder, which names them.
func checkJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []*jsonFrame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.object && f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			case !f.object:
				fmt.Fprintf(&b, "[%d]", f.index)
			}
		}
		return b.String()
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or a syntax error the decoder reports
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok {
			raw := body[start:dec.InputOffset()]
			isKey := top != nil && top.object && top.onKey
			if isKey {
				top.key = "" // the path of a key is its object's, then the key
			}
			// Where it is is spelt out only for a problem: most bodies
			// have none.
			where := func() string {
				if isKey {
					return strings.TrimPrefix(path()+"."+s, ".")
				}
				return path()
			}
			if problem := stringProblem(raw); problem != nil {
				return badJSON(where(), *problem)
			}
			if isKey {
				if top.keys[s] {
					where := where()
					return badJSON(where, domain.T(fmt.Sprintf("%q is given twice; give each field once.", where),
						fmt.Sprintf("%q രണ്ടുതവണ നൽകിയിട്ടുണ്ട്; ഓരോ ഫീൽഡും ഒരിക്കൽ മാത്രം നൽകുക.", where)))
				}
				top.keys[s], top.key, top.onKey = true, s, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &jsonFrame{object: true, keys: map[string]bool{}, onKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &jsonFrame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			} else {
				top = nil
			}
		}
		// A value ended: the enclosing object wants a key next, the array
		// its next element.
		if top != nil {
			if top.object {
				top.onKey = true
			} else {
				top.index++
			}
		}
	}
}

// stringProblem checks a string literal as sent (quotes, escapes and all):
// its bytes must be UTF-8 and every \u escape of a surrogate must be one
// half of a pair.
func stringProblem(raw []byte) *domain.Text {
	if !utf8.Valid(raw) {
		t := domain.T("The text is not valid UTF-8; send it as UTF-8.", "ഈ എഴുത്ത് സാധുവായ UTF-8 അല്ല; UTF-8 ആയി അയയ്ക്കുക.")
		return &t
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return nil // no escapes
	}
	lone := domain.T("The text has a broken character (a lone surrogate escape such as \\ud800); send the character itself or a complete pair.",
		"ഈ എഴുത്തിൽ പൊട്ടിയ ഒരു അക്ഷരം ഉണ്ട് (\\ud800 പോലെ ഒറ്റ സറോഗേറ്റ്); അക്ഷരം തന്നെയോ പൂർണ്ണമായ ജോഡിയോ അയയ്ക്കുക.")
	s := string(raw)
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			continue
		}
		if s[i+1] != 'u' {
			i++ // an escaped character: skip it (it may be a backslash)
			continue
		}
		r, ok := hex4(s, i+2)
		if !ok {
			continue // a syntax error for the decoder
		}
		i += 5
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			low, ok := hex4(s, i+3)
			if i+2 >= len(s) || s[i+1] != '\\' || s[i+2] != 'u' || !ok || low < 0xDC00 || low > 0xDFFF {
				return &lone
			}
			i += 6
		case r >= 0xDC00 && r <= 0xDFFF:
			return &lone
		}
	}
	return nil
}

// hex4 reads four hex digits of s at i.
func hex4(s string, i int) (rune, bool) {
	if i < 0 || i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 16)
	return rune(n), err == nil
}

// jsonError turns a JSON decoding error into a bilingual one a client can
// act on, naming the field where there is one.
func jsonError(err error) error {
	var he *echo.HTTPError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &he): // the body limit
		return err
	case errors.Is(err, io.EOF):
		return badJSON("", domain.T("The request body is empty; send a JSON object.", "അപേക്ഷയിൽ ഒന്നുമില്ല; ഒരു JSON ഒബ്ജക്റ്റ് അയയ്ക്കുക."))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badJSON("", domain.T("The JSON body ends too soon; send a complete JSON object.", "JSON പൂർത്തിയാകുന്നതിനു മുമ്പ് അവസാനിക്കുന്നു; പൂർണ്ണമായ JSON ഒബ്ജക്റ്റ് അയയ്ക്കുക."))
	case errors.As(err, &syntax):
		return badJSON("", domain.T(fmt.Sprintf("The body is not valid JSON (at byte %d: %v).", syntax.Offset, syntax),
			fmt.Sprintf("ഇത് സാധുവായ JSON അല്ല (ബൈറ്റ് %d: %v).", syntax.Offset, syntax)))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return badJSON("", domain.T(fmt.Sprintf("Send a JSON object, not a JSON %s.", typ.Value), fmt.Sprintf("JSON %s അല്ല, ഒരു JSON ഒബ്ജക്റ്റ് അയയ്ക്കുക.", typ.Value)))
		}
		kind, kindML := jsonKind(typ.Type.String())
		if typ.Value == "number" || strings.HasPrefix(typ.Value, "number ") {
			if k := typ.Type.Kind().String(); strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint") {
				kind, kindML = "a whole number", "ഒരു പൂർണ്ണസംഖ്യ"
			}
		}
		return badJSON(field, domain.T(fmt.Sprintf("%q must be %s, not a JSON %s.", field, kind, typ.Value),
			fmt.Sprintf("%q %s ആയിരിക്കണം (JSON %s അല്ല).", field, kindML, typ.Value)))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return badJSON(name, domain.T(fmt.Sprintf("Unknown field %q; see /api/v1/openapi.json for the fields this request takes.", name),
			fmt.Sprintf("%q എന്ന ഫീൽഡ് അറിയില്ല; ഈ അപേക്ഷ എടുക്കുന്ന ഫീൽഡുകൾ /api/v1/openapi.json-ൽ കാണുക.", name)))
	}
	return badJSON("", domain.T(fmt.Sprintf("The JSON body could not be read: %v.", err), fmt.Sprintf("JSON വായിക്കാനായില്ല: %v.", err)))
}

// jsonKind names a Go type the way a JSON client thinks of it, in both
// languages.
func jsonKind(goType string) (string, string) {
	switch {
	case goType == "string":
		return "a string", "ഒരു സ്ട്രിംഗ്"
	case goType == "bool":
		return "true or false", "true അല്ലെങ്കിൽ false"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "struct"), strings.Contains(goType, "."):
		return "an object", "ഒരു ഒബ്ജക്റ്റ്"
	case strings.HasPrefix(goType, "[]"):
		return "an array", "ഒരു അറേ"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number", "ഒരു പൂർണ്ണസംഖ്യ"
	case strings.HasPrefix(goType, "float"):
		return "a number", "ഒരു സംഖ്യ"
	}
	return goType, goType
}
