package stateview

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/replication"
	"ksmart/search"
)

// The state view over HTTPS, on the node's API port and behind the same
// mutual TLS: pages (server-rendered HTML with inline SVG charts, no
// JavaScript) and the same data as JSON. Every route is a read answered by
// this node from its own state index and counters; each answer says how
// far they trail this node's FSM.
//
//	GET  /state                          the Kerala overview: districts, bodies, charts
//	GET  /state/districts/{district}     one district (its slug, e.g. ernakulam)
//	GET  /state/bodies/{code}            one local body: charts, index and counters' lag, forks
//	GET  /state/verify[?number=&d=&s=]   a form, and the answer for a certificate number
//	GET  /state/verify/{number}?d=&s=    the answer for a certificate number (and its QR code)
//	GET  /state/certificates             certificates revoked, and those known with their days left
//	GET  /state/search?q=&type=&district=&body=   (also POST, a form) state-wide search
//	GET  /state/api/overview             JSON of each of the above
//	GET  /state/api/districts/{district}
//	GET  /state/api/bodies/{code}
//	GET  /state/api/certificates
//	GET  /state/api/verify/{number}?d=&s=
//	GET  /state/api/search?q=…           (also POST)
//
// Each route needs a permission of replication's authorization table
// (view, search or verify: an admin's or an auditor's certificate), which
// the node's API checks (replication.Mount), with revocation. Every search
// and verification is logged with its caller. Errors answer as the node's
// API does (replication.ErrorStatus), with JSON {"error", "code"}.

//go:embed templates/*.html
var viewFiles embed.FS

// errViewOff answers every figures route on a node without counters.
var errViewOff = fmt.Errorf("%w: this node keeps no figures of the local bodies (it was started with --view=false), so it has no state view; ask another state node", replication.ErrClosed)

// errIndexOff answers search and verification on a node without the
// state index.
var errIndexOff = fmt.Errorf("%w: this node keeps no state index (it was started with --index=false), so it cannot search or verify; ask another state node", replication.ErrClosed)

// statusError is an error with the HTTP status it answers with.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

func notFound(format string, args ...any) error {
	return &statusError{http.StatusNotFound, fmt.Errorf("%w: "+format, append([]any{replication.ErrBadRequest}, args...)...)}
}

func badRequest(err error) error {
	return &statusError{http.StatusBadRequest, fmt.Errorf("%w: %v", replication.ErrBadRequest, err)}
}

// viewStatus is the HTTP status an error of the view answers with.
func viewStatus(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	_, st := replication.ErrorStatus(err)
	return st
}

// writeError answers with err as the node's API answers its errors: JSON
// {"error": what to do, "code": its code}.
func writeError(w http.ResponseWriter, err error, status int) {
	code, _ := replication.ErrorStatus(err)
	msg := err.Error()
	if code == "internal" {
		msg = "internal error on the state node: " + msg
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}{msg, code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// routes mounts the state view's routes on the node's API.
func (v *View) routes(mount replication.Mount) {
	view, search, verify := replication.PermView, replication.PermSearch, replication.PermVerify
	page := func(pattern, name string, p replication.Permission, fn func(r *http.Request) (any, error)) {
		mount(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { v.servePage(w, r, name, fn) }), p)
	}
	api := func(pattern string, p replication.Permission, fn func(r *http.Request) (any, error)) {
		mount(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { v.serveJSON(w, r, fn) }), p)
	}
	page("GET /state", "overview", view, v.viewOverview)
	page("GET /state/{$}", "overview", view, v.viewOverview)
	page("GET /state/districts/{district}", "district", view, v.viewDistrict)
	page("GET /state/bodies/{code}", "body", view, v.viewBody)
	page("GET /state/certificates", "certificates", view, v.viewCertificates)
	page("GET /state/verify", "verify", verify, v.viewVerify)
	page("GET /state/verify/{number}", "verify", verify, v.viewVerify)
	page("GET /state/search", "search", search, v.viewSearch)
	page("POST /state/search", "search", search, v.viewSearch)

	api("GET /state/api/overview", view, v.viewOverview)
	api("GET /state/api/districts/{district}", view, v.viewDistrict)
	api("GET /state/api/bodies/{code}", view, v.viewBody)
	api("GET /state/api/certificates", view, v.viewCertificates)
	api("GET /state/api/verify/{number}", verify, v.viewVerify)
	api("GET /state/api/search", search, v.viewSearch)
	api("POST /state/api/search", search, v.viewSearch)
}

// viewHeader is what every answer of the view says about where it comes from.
type viewHeader struct {
	Node   string `json:"node"`
	Role   string `json:"role"`   // leader or follower
	Leader string `json:"leader"` // the leader's ID as this node knows it
	Note   string `json:"note"`
}

func (v *View) viewHeader() viewHeader {
	h := viewHeader{Node: v.node.ID(), Role: "follower", Note: stalenessNote}
	if v.node.IsLeader() {
		h.Role = "leader"
	}
	h.Leader, _, _ = v.node.Leader()
	return h
}

// serveJSON answers with fn's value as JSON, or its error.
func (v *View) serveJSON(w http.ResponseWriter, r *http.Request, fn func(*http.Request) (any, error)) {
	data, err := v.viewData(r, fn)
	if err != nil {
		if st := viewStatus(err); st >= 500 && !errors.Is(err, errViewOff) {
			v.logger.Error("state view", "path", r.URL.Path, "error", err)
		}
		writeError(w, err, viewStatus(err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, data)
}

func (v *View) viewData(r *http.Request, fn func(*http.Request) (any, error)) (any, error) {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/certificates"):
	case strings.HasPrefix(p, "/state/search") || strings.HasPrefix(p, "/state/api/search") ||
		strings.HasPrefix(p, "/state/verify") || strings.HasPrefix(p, "/state/api/verify"):
		if v.index == nil {
			return nil, errIndexOff
		}
	case v.counters == nil:
		return nil, errViewOff
	}
	return fn(r)
}

// pageData is what every page template gets.
type pageData struct {
	viewHeader
	Caller string
	Path   string
	Data   any
	Error  string
	Status int
}

// servePage renders fn's value with the named page template; an error is
// rendered on the same layout with its status.
func (v *View) servePage(w http.ResponseWriter, r *http.Request, name string, fn func(*http.Request) (any, error)) {
	pd := pageData{viewHeader: v.viewHeader(), Caller: replication.RequestCaller(r), Path: r.URL.Path, Status: http.StatusOK}
	data, err := v.viewData(r, fn)
	if err != nil {
		pd.Status = viewStatus(err)
		pd.Error = err.Error()
		if pd.Status >= 500 && !errors.Is(err, errViewOff) {
			v.logger.Error("state view", "path", r.URL.Path, "error", err)
		}
		name = "error"
	}
	pd.Data = data
	t, err := viewTemplate(name)
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout", pd)
	}
	if err != nil {
		v.logger.Error("rendering a state view page", "page", name, "error", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(pd.Status)
	w.Write(buf.Bytes())
}

// viewTemplates are the pages, each the layout with its content, parsed
// once.
var viewTemplates = sync.OnceValues(func() (map[string]*template.Template, error) {
	layout, err := fs.ReadFile(viewFiles, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, name := range []string{"overview", "district", "body", "certificates", "verify", "search", "error"} {
		body, err := fs.ReadFile(viewFiles, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		t, err := template.New("layout").Funcs(viewFuncs).Parse(string(layout))
		if err == nil {
			_, err = t.New(name).Parse(string(body))
		}
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
})

func viewTemplate(name string) (*template.Template, error) {
	ts, err := viewTemplates()
	if err != nil {
		return nil, err
	}
	return ts[name], nil
}

// viewFuncs are the templates' functions.
var viewFuncs = template.FuncMap{
	// t writes a label in English and Malayalam.
	"t": func(en, ml string) template.HTML {
		return template.HTML(template.HTMLEscapeString(en) + ` <span lang="ml">` + template.HTMLEscapeString(ml) + `</span>`)
	},
	// text writes a bilingual value, Malayalam beside English when it differs.
	"text": func(t domain.Text) template.HTML {
		s := template.HTMLEscapeString(t.En)
		if t.Ml != "" && t.Ml != t.En {
			s += ` <span lang="ml">` + template.HTMLEscapeString(t.Ml) + `</span>`
		}
		return template.HTML(s)
	},
	"num":      indianNumber,
	"num64":    func(v uint64) string { return indianNumber(int(v)) },
	"pct":      percent,
	"bodyKind": bodyKindName,
	"path":     url.PathEscape,
	"slug":     districtSlug,
	"date":     func(t time.Time) string { return t.In(domain.IST).Format("02-01-2006") },
	// ymd writes a stored YYYY-MM-DD date as the pages write dates.
	"ymd": func(s string) string {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format("02-01-2006")
		}
		return s
	},
	"datetime": func(t time.Time) string { return t.In(domain.IST).Format("02-01-2006 15:04 IST") },
	"short":    func(h replication.Hash) string { s := h.String(); return s[:min(len(s), 16)] },
	// headlines are the modules' headlines, for the tables' columns.
	"headlines": headlines,
	// records are the kinds of record the modules make searchable.
	"records": searchRecords,
}

// indianNumber writes a count with Indian digit grouping: 12,34,567.
func indianNumber(v int) string {
	s := strconv.Itoa(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) > 3 {
		head, tail := s[:len(s)-3], s[len(s)-3:]
		var groups []string
		for len(head) > 2 {
			groups = append([]string{head[len(head)-2:]}, groups...)
			head = head[:len(head)-2]
		}
		if head != "" {
			groups = append([]string{head}, groups...)
		}
		s = strings.Join(groups, ",") + "," + tail
	}
	if neg {
		s = "-" + s
	}
	return s
}

func percent(r *float64) string {
	if r == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", *r*100)
}

func bodyKindName(k string) domain.Text {
	switch k {
	case domain.KindCorporation:
		return domain.T("Municipal Corporation", "മുനിസിപ്പൽ കോർപ്പറേഷൻ")
	case domain.KindMunicipality:
		return domain.T("Municipality", "മുനിസിപ്പാലിറ്റി")
	case domain.KindGramaPanchayat:
		return domain.T("Grama Panchayat", "ഗ്രാമ പഞ്ചായത്ത്")
	}
	return domain.Text{En: k, Ml: k}
}

// chartsOf draws every module's charts of a set of figures, in the
// modules' order, each titled with where the figures are of.
func chartsOf(f *Figures, where domain.Text) []template.HTML {
	if f == nil {
		return nil
	}
	var out []template.HTML
	for _, c := range charts() {
		title := domain.T(c.Title.En+" — "+where.En, orEn(c.Title)+" — "+orEn(where))
		switch {
		case c.Rate != nil:
			out = append(out, rateChart(c.ID, title, c.Description, *c.Rate, f.Months, f.Series(c.Rate.Key), f.Series(c.Rate.Of)))
		default:
			var series []chartSeries
			for _, b := range c.Bars {
				series = append(series, chartSeries{Name: b.Name, Values: f.Series(b.Key), Class: b.Class})
			}
			out = append(out, barChart(c.ID, title, c.Description, f.Months, series))
		}
	}
	return out
}

func orEn(t domain.Text) string {
	if t.Ml != "" {
		return t.Ml
	}
	return t.En
}

// overviewPage is the overview's data with its charts.
type overviewPage struct {
	viewHeader
	Overview
	// Attention lists the bodies whose log forks or that have not been
	// heard from for silentAfter, first on the page.
	Attention []bodyAttention `json:"attention"`
	Rows      []bodyRow       `json:"-"`
	Charts    []template.HTML `json:"-"`
}

// AllBodies lists every body, by district and name, for the page's table.
func (p overviewPage) AllBodies() []BodyFigures {
	var out []BodyFigures
	for _, d := range p.Districts {
		out = append(out, d.Bodies...)
	}
	return out
}

func (v *View) viewOverview(r *http.Request) (any, error) {
	ov, err := v.overview("")
	if err != nil {
		return nil, err
	}
	p := overviewPage{viewHeader: v.viewHeader(), Overview: ov, Charts: chartsOf(ov.Totals, domain.T("Kerala", "കേരളം"))}
	if p.Attention, p.Rows, err = v.attention(p.AllBodies()); err != nil {
		return nil, err
	}
	return p, nil
}

// districtPage is a district's figures.
type districtPage struct {
	viewHeader
	DistrictFigures
	Generated time.Time       `json:"generated"`
	Attention []bodyAttention `json:"attention"`
	Rows      []bodyRow       `json:"-"`
	Charts    []template.HTML `json:"-"`
}

func (v *View) viewDistrict(r *http.Request) (any, error) {
	slug := strings.ToLower(r.PathValue("district"))
	ov, err := v.overview(slug)
	if err != nil {
		return nil, err
	}
	if len(ov.Districts) == 0 {
		return nil, notFound("the state holds no local body in a district %q; see /state for the districts", slug)
	}
	d := ov.Districts[0]
	p := districtPage{viewHeader: v.viewHeader(), DistrictFigures: d, Generated: ov.Generated, Charts: chartsOf(d.Totals, d.District)}
	if p.Attention, p.Rows, err = v.attention(d.Bodies); err != nil {
		return nil, err
	}
	return p, nil
}

// silentAfter is how long a body may send nothing before the overview
// and district pages name it. LOCAL SETTING: an office writes every
// working day (files, escalations), and a long weekend is three days.
const silentAfter = 72 * time.Hour

// bodyAttention is why a body needs state IT's attention: its log forks
// from the state's, or the state has heard nothing from it for long.
type bodyAttention struct {
	Code     string      `json:"code"`
	Name     domain.Text `json:"name"`
	District domain.Text `json:"district"`
	// Forks are its forks not resolved; ForkAt the first one's event and
	// ForkSince when the state first met it.
	Forks     int       `json:"forks"`
	ForkAt    uint64    `json:"fork_at,omitempty"`
	ForkSince time.Time `json:"fork_since,omitzero"`
	// LastReceived is when the state last applied a batch of its;
	// SilentDays the whole days since, set once past silentAfter.
	LastReceived time.Time `json:"last_received,omitzero"`
	SilentDays   int       `json:"silent_days,omitempty"`
}

// bodyRow is a body in a page's table, with what needs attention.
type bodyRow struct {
	BodyFigures
	LastReceived time.Time
	Attention    *bodyAttention
}

// attention finds, of bodies, those whose log forks or that have been
// silent past silentAfter (forks first, then the longest silent), and
// each body's row for the table.
func (v *View) attention(bodies []BodyFigures) ([]bodyAttention, []bodyRow, error) {
	fsm := v.node.FSM()
	forks, err := fsm.Forks("")
	if err != nil {
		return nil, nil, err
	}
	infos, err := fsm.Bodies()
	if err != nil {
		return nil, nil, err
	}
	byCode := map[string]replication.BodyInfo{}
	for _, b := range infos {
		byCode[b.Code] = b
	}
	forksOf := map[string][]replication.Fork{}
	for _, f := range forks {
		forksOf[f.Body] = append(forksOf[f.Body], f)
	}
	now := v.now()
	var out []bodyAttention
	rows := make([]bodyRow, len(bodies))
	for i, b := range bodies {
		a := bodyAttention{Code: b.Code, Name: b.Name, District: b.District, LastReceived: byCode[b.Code].Updated}
		for _, f := range forksOf[b.Code] {
			a.Forks++
			if a.ForkAt == 0 || f.FirstSeen.Before(a.ForkSince) {
				a.ForkAt, a.ForkSince = f.AtSeq, f.FirstSeen
			}
		}
		if !a.LastReceived.IsZero() && now.Sub(a.LastReceived) > silentAfter {
			a.SilentDays = int(now.Sub(a.LastReceived) / (24 * time.Hour))
		}
		rows[i] = bodyRow{BodyFigures: b, LastReceived: a.LastReceived}
		if a.Forks > 0 || a.SilentDays > 0 {
			out = append(out, a)
			rows[i].Attention = &a
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Forks > 0) != (out[j].Forks > 0) {
			return out[i].Forks > 0
		}
		return out[i].SilentDays > out[j].SilentDays
	})
	return out, rows, nil
}

// bodyPage is a body's figures, what the state holds of its log, and its
// forks.
type bodyPage struct {
	viewHeader
	Body  BodyFigures          `json:"body"`
	State replication.BodyInfo `json:"state"`
	Forks []replication.Fork   `json:"forks"`
	// Partial: the body's log reached the state before change sets did, so
	// it has the log but not the documents, and its figures are
	// empty or short.
	Partial bool            `json:"partial"`
	Charts  []template.HTML `json:"-"`
}

func (v *View) viewBody(r *http.Request) (any, error) {
	code := r.PathValue("code")
	fsm := v.node.FSM()
	info, found, err := fsm.Body(code)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound("the state holds nothing of a local body %q; see /state for the bodies it holds", code)
	}
	bf, err := v.bodyFigures(info)
	if err != nil {
		return nil, err
	}
	forks, err := fsm.Forks(code)
	if err != nil {
		return nil, err
	}
	return bodyPage{viewHeader: v.viewHeader(), Body: bf, State: info, Forks: forks, Partial: bf.Status.Partial, Charts: chartsOf(bf.Figures, bf.Name)}, nil
}

// certificatesPage is what the cluster knows of its certificates: those
// revoked, and the others with their days left (a warning within 30 days).
type certificatesPage struct {
	viewHeader
	Now          time.Time                `json:"now"`
	Own          replication.CertStatus   `json:"node_certificate"` // this node's own
	Revoked      []replication.Revocation `json:"revoked"`
	Certificates []replication.CertStatus `json:"certificates"`
	Expiring     int                      `json:"expiring"` // within 30 days, or expired
}

func (v *View) viewCertificates(r *http.Request) (any, error) {
	now := v.now()
	fsm := v.node.FSM()
	p := certificatesPage{viewHeader: v.viewHeader(), Now: now, Revoked: fsm.Revocations(), Certificates: replication.CertStatuses(fsm.Certificates(), now)}
	if own := v.node.Certificate(); own != nil {
		p.Own = replication.CertStatuses([]replication.CertInfo{{Serial: replication.FormatSerial(own.SerialNumber), Kind: replication.KindNode, Name: v.node.ID(), NotAfter: own.NotAfter}}, now)[0]
	}
	for _, c := range p.Certificates {
		if c.Warning {
			p.Expiring++
		}
	}
	return p, nil
}

// verifyPage is a certificate's verification, as JSON and for the page.
type verifyPage struct {
	viewHeader
	Asked       bool         `json:"-"` // a number was given
	Number      string       `json:"number"`
	Body        string       `json:"body,omitempty"`
	BodyName    domain.Text  `json:"body_name,omitzero"`
	Found       bool         `json:"found"`
	Checked     bool         `json:"checked"` // the QR code's signature and digest were checked
	Genuine     bool         `json:"genuine"` // found, checked (if given) and current
	Status      string       `json:"status,omitempty"`
	StatusName  domain.Text  `json:"status_name,omitzero"`
	Reason      domain.Text  `json:"status_reason,omitzero"`
	Superseded  string       `json:"superseded_by,omitempty"`
	Kind        string       `json:"kind,omitempty"`
	Issued      time.Time    `json:"issued,omitzero"`
	Problem     domain.Text  `json:"problem,omitzero"`
	Particulars []civilField `json:"particulars,omitempty"` // only when the QR code checked
	Index       ViewStatus   `json:"index"`                 // how far the state index trails this node's FSM for the body
	D, S        string       `json:"-"`
}

// civilField is a row a certificate printed.
type civilField struct {
	Label domain.Text `json:"label"`
	Value domain.Text `json:"value"`
}

func (v *View) viewVerify(r *http.Request) (any, error) {
	q := r.URL.Query()
	number := r.PathValue("number")
	if number == "" {
		number = q.Get("number")
	}
	p := verifyPage{viewHeader: v.viewHeader(), Number: strings.TrimSpace(number), D: q.Get("d"), S: q.Get("s")}
	if p.Number == "" {
		return p, nil
	}
	p.Asked = true
	c, err := v.index.verify(number, p.D, p.S)
	if err != nil {
		return nil, err
	}
	v.logger.Info("state view: certificate verified", "caller", replication.RequestCaller(r), "number", c.Number, "genuine", c.Genuine(), "checked", c.Checked)
	p.Number, p.Body, p.BodyName, p.Found, p.Checked, p.Genuine, p.Problem, p.Index = c.Number, c.Body, c.BodyName, c.Found, c.Checked, c.Genuine(), c.Problem, c.Status
	if c.Found {
		cert := c.Certificate
		p.Status, p.StatusName, p.Reason, p.Superseded, p.Kind, p.Issued = cert.Status, civil.StatusName(cert.Status), cert.StatusReason, cert.SupersededBy, cert.Kind, cert.Issued
		if c.ShowsParticulars() {
			for _, f := range cert.Printed.Fields {
				p.Particulars = append(p.Particulars, civilField{Label: f.Label, Value: f.Value})
			}
			// The remarks and the page count too: on a long certificate
			// they are on its annexure, which the check covers as well.
			if r := cert.Printed.Remarks; r.En != "" || r.Ml != "" {
				p.Particulars = append(p.Particulars, civilField{Label: domain.T("Remarks", "കുറിപ്പുകൾ"), Value: r})
			}
			if cert.Pages > 1 {
				p.Particulars = append(p.Particulars, civilField{Label: domain.T("Pages", "പേജുകൾ"), Value: domain.T(
					fmt.Sprintf("%d (the certificate and its annexure; every page carries its number)", cert.Pages),
					fmt.Sprintf("%d (സർട്ടിഫിക്കറ്റും അനുബന്ധവും; ഓരോ പേജിലും അതിന്റെ നമ്പറുണ്ട്)", cert.Pages))})
			}
		}
	}
	return p, nil
}

// searchPage is a search's form and results.
type searchPage struct {
	viewHeader
	SearchResult
	Asked     bool              `json:"-"`
	Districts []DistrictFigures `json:"-"` // for the form's district list
}

func (v *View) viewSearch(r *http.Request) (any, error) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(nil, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			return nil, badRequest(fmt.Errorf("the search form did not read: %v", err))
		}
	}
	get := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	q := SearchQuery{Text: get("q"), Type: get("type"), District: get("district"), Body: get("body")}
	if s := get("size"); s != "" {
		var err error
		if q.Size, err = strconv.Atoi(s); err != nil || q.Size < 1 {
			return nil, badRequest(fmt.Errorf("size is a number of results from 1 to 100, not %q", s))
		}
	}
	p := searchPage{viewHeader: v.viewHeader(), SearchResult: SearchResult{Query: q}}
	p.Districts = v.index.districts()
	isAPI := strings.HasPrefix(r.URL.Path, "/state/api/")
	if q.Text == "" && !isAPI {
		return p, nil // the empty form
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	res, err := v.index.search(ctx, q)
	if errors.Is(err, errBadQuery) || errors.Is(err, errBadType) || errors.Is(err, search.ErrEmptyQuery) {
		return nil, badRequest(err)
	}
	if err != nil {
		return nil, err
	}
	v.logger.Info("state view: search", "caller", replication.RequestCaller(r), "q", q.Text, "type", q.Type, "district", q.District, "body", q.Body, "found", res.Total)
	p.Asked, p.SearchResult = true, res
	return p, nil
}
