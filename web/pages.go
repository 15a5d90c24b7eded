package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/building"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/identity"
	"ksmart/appliance/kyc"
	"ksmart/appliance/messaging"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
	"ksmart/replication"
)

// pageData is what every page template gets.
type pageData struct {
	Lang      string // "ml" or "en"
	Title     string
	LocalBody domain.LocalBody
	Version   string
	Path      string
	User      *identity.User
	CSRF      string
	Now       time.Time
	Data      any
	// Mailbox says the demo's mailbox is there to link to.
	Mailbox bool
	// Switch is this page's address in the other language: the same path
	// and query (an application number looked up, a page of a list).
	Switch string
	// Fork is set, for the administrator and the secretary, while the
	// office's log forks from the state's copy: every page they see warns
	// that the office must not go on writing as if nothing happened.
	Fork *replication.Fork
}

// templateFuncs are the helpers templates call. New adds t, a page
// message in the page's language ({{t .Lang "sign_in"}}), from the server's
// message files.
var templateFuncs = template.FuncMap{
	"in":       func(lang string, t domain.Text) string { return t.In(lang) },
	"date":     func(t time.Time) string { return t.In(domain.IST).Format("02-01-2006") },
	"datetime": func(t time.Time) string { return t.In(domain.IST).Format("02-01-2006 15:04") },
	// ymd writes a stored YYYY-MM-DD date the way pages write dates.
	"ymd": func(s string) string {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format("02-01-2006")
		}
		return s
	},
	"status":       func(lang, s string) string { return workflow.StatusName(s).In(lang) },
	"kind":         func(lang, k string) string { return workflow.KindName(k).In(lang) },
	"permitStatus": building.PermitStatusName,
	"outcome":      func(lang, o string) string { return rts.OutcomeName(o).In(lang) },
	"rtsReads": func(u *identity.User) bool {
		return u != nil && u.Kind == identity.KindStaff && u.Actor().HasAny(rts.ReportRoles...)
	},
	"action":  func(lang, k string) string { return workflow.ActionName(k).In(lang) },
	"role":    func(lang string, r domain.Role) string { return r.Name().In(lang) },
	"isStaff": func(u *identity.User) bool { return u != nil && u.Kind == identity.KindStaff },
	"has":     func(u *identity.User, r string) bool { return u != nil && u.Actor().Has(domain.Role(r)) },
	"overdue": func(e workflow.DeskEntry, now time.Time) bool { return e.Overdue(now) },
	"fee":     func(p domain.Paise) string { return p.String() },
	// rupees writes paise as a form's rupees: "2500.50".
	"rupees": func(p domain.Paise) string { return fmt.Sprintf("%d.%02d", p/100, p%100) },
	"svg":    svgHTML,
	// upiURL lets a upi://pay address (finance's, never typed by anyone)
	// through as a link, which html/template would otherwise blank as an
	// unknown scheme (#ZgotmplZ).
	"upiURL": func(s string) template.URL {
		if strings.HasPrefix(s, "upi://pay?") {
			return template.URL(s)
		}
		return ""
	},
	// dict makes a map of key, value pairs, to pass a partial what it needs.
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"mode":    func(lang, m string) string { return finance.ModeName(m).In(lang) },
	"rstatus": func(lang, s string) string { return finance.ReceiptStatusName(s).In(lang) },
	"dstate":  func(lang, s string) string { return finance.StateName(s).In(lang) },
	"deref":   func(t *domain.Text) domain.Text { return *t },
	// errOf is a field's error, or nil: a template's if treats every
	// struct, even an empty one, as true, so index on the errors map
	// would mark every field as wrong.
	"errOf": func(errs map[string]domain.Text, field string) *domain.Text {
		if t, ok := errs[field]; ok {
			return &t
		}
		return nil
	},
	// both writes a value as a certificate prints it: both scripts when
	// they differ, e.g. a name "Sreekutty / ശ്രീക്കുട്ടി".
	"both":     func(t domain.Text) string { return t.Both() },
	"kindname": func(k string) domain.Text { return civil.KindName(k) },
	// holdsKYC: the user is of the registrar's office, who hold video KYC calls.
	"holdsKYC": func(u *identity.User) bool {
		return u != nil && u.Kind == identity.KindStaff && u.Actor().HasAny(kyc.OfficerRoles...)
	},
	"readsRegisters": func(u *identity.User) bool {
		return u != nil && u.Kind == identity.KindStaff && civil.MayReadRegisters(u.Actor())
	},
	// searchesOffice: the user may use the office's search box (a kiosk
	// account may not).
	"searchesOffice": func(u *identity.User) bool {
		return u != nil && u.Kind == identity.KindStaff && u.Actor().HasAny(staffRoles...)
	},
	"certstatus": func(lang, s string) string { return civil.StatusName(s).In(lang) },
	"channel":    func(lang, c string) string { return channelName(c).In(lang) },
	"delivery":   func(lang, s string) string { return deliveryStatusName(s).In(lang) },
	"langAttr":   langAttr,
	// split and trim take a bilingual e-mail apart, each language marked.
	"split": strings.Split,
	"trim":  strings.TrimSpace,
	"lines": func(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") },
	// other is a text in the language that is not the page's, when it
	// differs: a register shows a particular in both.
	"other": func(lang string, t domain.Text) string {
		o := t.In(map[string]string{"en": "ml", "ml": "en"}[lang])
		if o == t.In(lang) {
			return ""
		}
		return o
	},
	"size":     humanSize,
	"ftype":    fileType,
	"docname":  documentName,
	"wardName": func(lang string, lb domain.LocalBody, n int) string { return wardName(lb, n).In(lang) },
	"longdate": func(lang string, t time.Time) string { return longDate(t.In(domain.IST)).In(lang) },
	"fieldsOf": func(lang string, fields []formField) map[string]any {
		return map[string]any{"Lang": lang, "Fields": fields}
	},
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

// page is what a template gets. title names a page message, optionally
// followed by a space and a number ("gr_complaint GR-2026-4"), so that the
// browser's title is in the page's language; a title that names no message
// (a file's number, a service's name already in the language) shows as is.
func (s *Server) page(c echo.Context, title string, data any) pageData {
	l := lang(c)
	if id, rest, _ := strings.Cut(title, " "); s.msgs[l][id] != "" {
		title = strings.TrimSpace(s.msgs[l][id] + " " + rest)
	}
	q := c.Request().URL.Query()
	q.Set("lang", map[string]string{"en": "ml", "ml": "en"}[l])
	p := pageData{Lang: l, Title: title, Switch: c.Request().URL.Path + "?" + q.Encode(), LocalBody: s.App.LocalBody, Version: s.Version, Path: c.Request().URL.Path,
		CSRF: csrfToken(c), Now: s.App.Now(), Data: data, Mailbox: s.Mailbox != nil}
	if u, ok := user(c); ok {
		p.User = &u
		if sh := s.App.Shipper; sh != nil && u.Kind == identity.KindStaff && u.Actor().HasAny(forkWarned...) {
			p.Fork = sh.Status().Fork
		}
	}
	return p
}

// render draws a page into memory first, so a template fault becomes a
// clean error page (and a log line), never half a page. title is as page
// takes it: a message id, optionally with a number after a space.
func (s *Server) render(c echo.Context, status int, name, title string, data any) error {
	var buf bytes.Buffer
	if s.rendered != nil {
		s.rendered(name)
	}
	if err := s.pages.ExecuteTemplate(&buf, name, s.page(c, title, data)); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

func containsFold(s, sub string) bool { return strings.Contains(strings.ToLower(s), sub) }

func channelName(c string) domain.Text {
	switch c {
	case messaging.ChannelEmail:
		return domain.T("E-mail", "ഇ-മെയിൽ")
	case messaging.ChannelWhatsApp:
		return domain.T("WhatsApp", "വാട്ട്സ്ആപ്പ്")
	case messaging.ChannelSMS:
		return domain.T("SMS", "എസ്.എം.എസ്.")
	}
	return domain.T(c, c)
}

// deliveryStatusName names a delivery status for people: the office must
// see plainly what reached the applicant and what did not.
func deliveryStatusName(s string) domain.Text {
	switch s {
	case messaging.StatusQueued:
		return domain.T("Waiting to be sent", "അയയ്ക്കാൻ കാത്തിരിക്കുന്നു")
	case messaging.StatusNotConfigured:
		return domain.T("Not configured: waiting", "ക്രമീകരിച്ചിട്ടില്ല: കാത്തിരിക്കുന്നു")
	case messaging.StatusSending:
		return domain.T("Sending", "അയയ്ക്കുന്നു")
	case messaging.StatusSent:
		return domain.T("Sent", "അയച്ചു")
	case messaging.StatusDelivered:
		return domain.T("Delivered", "ലഭിച്ചു")
	case messaging.StatusRead:
		return domain.T("Read", "വായിച്ചു")
	case messaging.StatusRetrying:
		return domain.T("Retrying", "വീണ്ടും ശ്രമിക്കുന്നു")
	case messaging.StatusFailed:
		return domain.T("Failed", "പരാജയപ്പെട്ടു")
	}
	return domain.T(s, s)
}

// percent writes a share as a percentage, or a dash where there is none.
func percent(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", *r*100)
}
