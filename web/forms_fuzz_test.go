package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
)

// FuzzReadForm_NeverPanicsAndRefusesABadFormWithAClearError feeds arbitrary
// bodies to the form reader, URL-encoded and multipart. It must never
// panic; a form it cannot read is refused with an error the error handler
// answers as 4xx with a message (never a 500); and a URL-encoded form it
// reads holds exactly the first value of each field the standard parser
// finds.
func FuzzReadForm_NeverPanicsAndRefusesABadFormWithAClearError(f *testing.F) {
	f.Add([]byte("child_name_en=Anagha&sex=female&ward=3"), false)
	f.Add([]byte("a=%zz&b=1"), false)
	f.Add([]byte("name=Raj%FFesh&name=second"), false)
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"child_name_en\"\r\n\r\nAnagha\r\n--b\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--b--\r\n"), true)
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nno end"), true)
	f.Fuzz(func(t *testing.T, body []byte, multipart bool) {
		e := echo.New()
		req := httptest.NewRequest(http.MethodPost, "/apply", bytes.NewReader(body))
		if multipart {
			req.Header.Set(echo.HeaderContentType, "multipart/form-data; boundary=b")
		} else {
			req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		}
		values, _, err := readForm(e.NewContext(req, httptest.NewRecorder()))
		if err != nil {
			var de *domain.Error
			var he *echo.HTTPError
			switch {
			case errors.As(err, &de):
				if s := statusOf[de.Code]; s < 400 || s >= 500 || de.Message == "" {
					t.Fatalf("refused with %d %q", s, de.Message)
				}
			case errors.As(err, &he):
				if he.Code < 400 || he.Code >= 500 {
					t.Fatalf("refused with HTTP %d", he.Code)
				}
			default:
				t.Fatalf("refused with an error the handler would answer 500: %v", err)
			}
			return
		}
		if multipart {
			return
		}
		want, perr := url.ParseQuery(string(body))
		if perr != nil {
			t.Fatalf("read a form the standard parser refuses (%v): %v", perr, values)
		}
		if len(want) != len(values) {
			t.Fatalf("read %d fields, the standard parser %d", len(values), len(want))
		}
		for k, v := range want {
			if values[k] != v[0] {
				t.Fatalf("field %q read as %q, want %q", k, values[k], v[0])
			}
		}
	})
}
