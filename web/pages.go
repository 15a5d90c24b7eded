package web

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
)

// pageData is what every page template gets.
type pageData struct {
	Lang      string // "ml" or "en"
	Title     string
	LocalBody domain.LocalBody
	Version   string
	Path      string
	Data      any
}

var templateFuncs = template.FuncMap{
	// t picks the language: {{t $.Lang "English" "മലയാളം"}}.
	"t": func(lang, en, ml string) string {
		if lang == "ml" {
			return ml
		}
		return en
	},
	"in":   func(lang string, t domain.Text) string { return t.In(lang) },
	"date": func(t time.Time) string { return t.In(domain.IST).Format("02-01-2006") },
}

// lang decides the page language: an explicit ?lang= choice (remembered in
// a cookie), else the cookie, else the browser's preference, else English.
func lang(c echo.Context) string {
	if l := c.QueryParam("lang"); l == "ml" || l == "en" {
		c.SetCookie(&http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		return l
	}
	if ck, err := c.Cookie("lang"); err == nil && (ck.Value == "ml" || ck.Value == "en") {
		return ck.Value
	}
	if strings.HasPrefix(strings.ToLower(c.Request().Header.Get("Accept-Language")), "ml") {
		return "ml"
	}
	return "en"
}

func (s *Server) page(c echo.Context, title string, data any) pageData {
	return pageData{Lang: lang(c), Title: title, LocalBody: s.App.LocalBody, Version: s.Version, Path: c.Request().URL.Path, Data: data}
}

func (s *Server) render(c echo.Context, status int, name, title string, data any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return s.pages.ExecuteTemplate(c.Response(), name, s.page(c, title, data))
}

func containsFold(s, sub string) bool { return strings.Contains(strings.ToLower(s), sub) }
