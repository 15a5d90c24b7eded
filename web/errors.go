package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/building"
	"ksmart/appliance/domain"
)

// statusOf maps an error code to its HTTP status: the one place this is done.
var statusOf = map[string]int{
	domain.EINVALID:         http.StatusBadRequest,
	domain.ENOTFOUND:        http.StatusNotFound,
	domain.ECONFLICT:        http.StatusConflict,
	domain.EFORBIDDEN:       http.StatusForbidden,
	domain.EUNAUTHENTICATED: http.StatusUnauthorized,
	domain.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	domain.ERATELIMIT:       http.StatusTooManyRequests,
	domain.EUNAVAILABLE:     http.StatusNotImplemented,
	domain.ENOSPACE:         http.StatusInsufficientStorage,
	domain.EINTERNAL:        http.StatusInternalServerError,
}

// apiError is the JSON body of every API error.
type apiError struct {
	Code      string                 `json:"code"`
	Message   string                 `json:"message"`
	MessageML string                 `json:"message_ml,omitempty"`
	Fields    map[string]domain.Text `json:"fields,omitempty"`
	RequestID string                 `json:"request_id,omitempty"`
}

// handleError turns any error into a status and a body a person can act on.
// Internal details are logged with the request id, never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var body apiError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		// echo's own errors: unknown route, body too large, bad method.
		body.Code = domain.EINVALID
		for code, status := range statusOf {
			if status == he.Code {
				body.Code = code
			}
		}
		if he.Code == http.StatusNotFound {
			body.Code = domain.ENOTFOUND
		}
		body.Message = http.StatusText(he.Code)
		if he.Code == http.StatusRequestEntityTooLarge {
			body.Message = "The request is too large. Upload a smaller file (see the limit beside the field)."
			body.MessageML = "അഭ്യർത്ഥന വളരെ വലുതാണ്. ചെറിയ ഫയൽ അപ്‌ലോഡ് ചെയ്യുക (പരിധി ഫീൽഡിനരികിൽ കാണാം)."
			if p := c.Request().URL.Path; strings.HasSuffix(p, "/building-permits/scrutiny") {
				// A plan's drawing is the only file this form takes.
				body.Fields = map[string]domain.Text{"plan_dxf": domain.T(
					fmt.Sprintf("The drawing is larger than %d MB; a house's plan is far smaller. Purge unused blocks and layers, or send only the site plan.", building.MaxDXFBytes>>20),
					fmt.Sprintf("ഡ്രോയിംഗ് %d MB-യിൽ കൂടുതലാണ്. ഉപയോഗിക്കാത്ത ബ്ലോക്കുകളും ലെയറുകളും നീക്കി വീണ്ടും അയയ്ക്കുക.", building.MaxDXFBytes>>20))}
			}
		}
		body.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		s.writeError(c, he.Code, body)
		return
	}
	code := domain.ErrorCode(err)
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		body = apiError{Code: de.Code, Message: de.Message, MessageML: de.MessageML, Fields: de.Fields}
	case code == domain.ENOSPACE:
		errors.As(domain.ErrDiskFull, &de)
		body = apiError{Code: de.Code, Message: de.Message, MessageML: de.MessageML}
		s.Logger.Error("disk full: a write was refused", "path", c.Path(), "error", err)
	default:
		body = apiError{Code: domain.EINTERNAL, Message: "Something went wrong on our side. Please try again; if it goes on, tell the office this request id."}
	}
	body.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if code == domain.EINTERNAL {
		s.Logger.Error("internal error", "request_id", body.RequestID, "path", c.Path(), "error", err)
	}
	s.writeError(c, statusOf[code], body)
}

func (s *Server) writeError(c echo.Context, status int, body apiError) {
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	if wantsHTML(c) {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		c.Response().WriteHeader(status)
		s.pages.ExecuteTemplate(c.Response(), "error.html", s.page(c, "sorry", body))
		return
	}
	c.JSON(status, body)
}

// wantsHTML tells a browser page request from an API call. It looks at the
// URL, not the route, so an unknown path under /api/ is answered in JSON too.
func wantsHTML(c echo.Context) bool {
	if p := c.Request().URL.Path; p == "/api" || strings.HasPrefix(p, "/api/") {
		return false
	}
	accept := c.Request().Header.Get(echo.HeaderAccept)
	return accept == "" || containsFold(accept, "text/html")
}
