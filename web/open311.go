package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/grievance"
)

// Open311 GeoReport v2 at /open311/v2/, in JSON (XML is optional in the
// issue and left out): the categories as services, citizens' reports
// posted form-encoded without an API key (an api_key or jurisdiction_id
// sent is accepted and ignored), and the reports as anyone may see them,
// with the standard's field names and its open/closed status. Errors are
// Open311's: [{"code": <HTTP status>, "description": "…"}]. The field
// names are the standard's contract; the mapping from a report is here
// and nowhere else.

const open311Prefix = "/open311/v2/"

func (s *Server) open311Routes(e *echo.Echo, limited echo.MiddlewareFunc) {
	e.GET(open311Prefix+"services.json", s.o311Services)
	e.GET(open311Prefix+"services/:code", s.o311Service)
	e.GET(open311Prefix+"requests.json", s.o311Requests)
	e.POST(open311Prefix+"requests.json", s.o311Post, limited)
	e.GET(open311Prefix+"requests/:id", s.o311Request)
}

func isOpen311(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, open311Prefix) }

// o311Error is one error in Open311's format.
type o311Error struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// open311Error answers err in Open311's format, with the status web gives
// its code everywhere (statusOf); every field's problem is one entry.
func open311Error(c echo.Context, err error) error {
	var de *domain.Error
	if !errors.As(err, &de) {
		return err // the server's own handler logs it and answers 500
	}
	status := statusOf[de.Code]
	var out []o311Error
	for name, t := range de.Fields {
		out = append(out, o311Error{Code: status, Description: open311Field(name) + ": " + t.En})
	}
	if len(out) == 0 {
		out = append(out, o311Error{Code: status, Description: de.Message})
	}
	return c.JSON(status, out)
}

// open311Field names a report's field as Open311 does.
func open311Field(name string) string {
	switch name {
	case "category":
		return "service_code"
	case "location":
		return "lat/long"
	case "ward":
		return "attribute[ward]"
	case "photo":
		return "media"
	case "landmark":
		return "address_string"
	case "name":
		return "first_name/last_name"
	}
	return name
}

// o311Service is a service in services.json.
type o311Service struct {
	Code        string `json:"service_code"`
	Name        string `json:"service_name"`
	Description string `json:"description"`
	Metadata    bool   `json:"metadata"`
	Type        string `json:"type"`
	Keywords    string `json:"keywords"`
	Group       string `json:"group"`
}

func (s *Server) o311Services(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return open311Error(c, err)
	}
	l := lang(c)
	out := []o311Service{}
	for _, cat := range g.Categories.List {
		out = append(out, o311Service{Code: cat.Code, Name: cat.Name.In(l), Description: cat.Description.In(l), Metadata: true, Type: "realtime",
			Keywords: strings.ReplaceAll(cat.Code, "_", " "), Group: cat.Section.In(l)})
	}
	return c.JSON(http.StatusOK, out)
}

// o311Attribute is an attribute of a service definition.
type o311Attribute struct {
	Variable            bool            `json:"variable"`
	Code                string          `json:"code"`
	Datatype            string          `json:"datatype"`
	Required            bool            `json:"required"`
	DatatypeDescription *string         `json:"datatype_description"`
	Order               int             `json:"order"`
	Description         string          `json:"description"`
	Values              []o311AttrValue `json:"values,omitempty"`
}

type o311AttrValue struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

func (s *Server) o311Service(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return open311Error(c, err)
	}
	code, ok := strings.CutSuffix(c.Param("code"), ".json")
	cat, found := g.Categories.Get(code)
	if !ok || !found {
		return open311Error(c, domain.Bilingual(domain.ENOTFOUND, domain.T(fmt.Sprintf("There is no service_code %q; GET services.json lists them.", code), "അങ്ങനെയൊരു service_code ഇല്ല.")))
	}
	l := lang(c)
	wardHelp := "The ward, when no lat/long is given (a lat/long inside the local body decides the ward itself)."
	anonHelp := "yes: the reporter's name is shown nowhere, not even in the office's lists."
	wards := []o311AttrValue{}
	for _, w := range s.App.LocalBody.Wards {
		wards = append(wards, o311AttrValue{Key: strconv.Itoa(w.Number), Name: w.Name.In(l)})
	}
	return c.JSON(http.StatusOK, map[string]any{"service_code": cat.Code, "attributes": []o311Attribute{
		{Variable: true, Code: "ward", Datatype: "singlevaluelist", DatatypeDescription: &wardHelp, Order: 1, Description: "Ward", Values: wards},
		{Variable: true, Code: "anonymous", Datatype: "singlevaluelist", DatatypeDescription: &anonHelp, Order: 2, Description: "Stay anonymous in public",
			Values: []o311AttrValue{{Key: "no", Name: "No"}, {Key: "yes", Name: "Yes"}}},
	}})
}

// o311Request is a request in requests.json: nothing of its reporter.
type o311Request struct {
	ID                string   `json:"service_request_id"`
	Status            string   `json:"status"`
	StatusNotes       *string  `json:"status_notes"`
	ServiceName       string   `json:"service_name"`
	ServiceCode       string   `json:"service_code"`
	Description       string   `json:"description"`
	AgencyResponsible string   `json:"agency_responsible"`
	ServiceNotice     *string  `json:"service_notice"`
	Requested         string   `json:"requested_datetime"`
	Updated           string   `json:"updated_datetime"`
	Expected          string   `json:"expected_datetime"`
	Address           string   `json:"address"`
	AddressID         *string  `json:"address_id"`
	Zipcode           *string  `json:"zipcode"`
	Lat               *float64 `json:"lat"`
	Long              *float64 `json:"long"`
	MediaURL          string   `json:"media_url"`
}

// w3c writes a time as Open311 wants it: ISO 8601 with the offset (IST).
func w3c(t time.Time) string { return t.In(domain.IST).Format(time.RFC3339) }

func (s *Server) o311Of(c echo.Context, p grievance.Public) o311Request {
	l := lang(c)
	r := o311Request{ID: p.Number, Status: "open", ServiceName: p.CategoryName.In(l), ServiceCode: p.Category, Description: p.Description,
		AgencyResponsible: p.Section.In(l), Requested: w3c(p.Reported), Updated: w3c(p.Updated), Expected: w3c(p.Due)}
	if !p.Open {
		r.Status = "closed"
	}
	notes := p.StatusName.In(l)
	switch {
	case p.Reason != "":
		notes = grievance.ReasonName(p.Reason).In(l)
		if p.DuplicateOf != "" {
			notes += ": " + p.DuplicateOf
		}
		if p.Redirect != "" {
			notes += ": " + p.Redirect
		}
	case p.Note != "":
		notes += ": " + p.Note
	case p.Escalated && p.Open:
		notes += "; escalated to the " + p.Holder.Name().En
	}
	r.StatusNotes = &notes
	addr := fmt.Sprintf("Ward %d", p.Ward)
	if p.Landmark != "" {
		addr = p.Landmark + ", " + addr
	}
	r.Address = addr
	if p.At != nil {
		lat, lon := p.At.Lat, p.At.Lon
		r.Lat, r.Long = &lat, &lon
	}
	for _, ph := range p.Photos {
		if !ph.After {
			r.MediaURL = s.publicURL(c) + "/grievances/" + p.Number + "/photos/" + ph.Blob
			break
		}
	}
	return r
}

func (s *Server) o311Requests(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return open311Error(c, err)
	}
	q := c.QueryParams()
	f := grievance.Filter{Limit: 1000}
	switch st := q.Get("status"); st {
	case "", "open", "closed":
		f.Status = st
	default:
		return open311Error(c, domain.Errorf(domain.EINVALID, "status must be open or closed"))
	}
	if code := q.Get("service_code"); code != "" {
		if _, ok := g.Categories.Get(code); !ok {
			return open311Error(c, domain.Errorf(domain.EINVALID, "There is no service_code %q; GET services.json lists them.", code))
		}
		f.Category = code
	}
	for name, dst := range map[string]*time.Time{"start_date": &f.From, "end_date": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return open311Error(c, domain.Errorf(domain.EINVALID, "%s must be a w3c date-time like 2026-12-07T10:30:00+05:30", name))
			}
			*dst = t
		}
	}
	// The standard's default window is the last 90 days.
	if f.From.IsZero() && f.To.IsZero() {
		f.From = s.App.Now().AddDate(0, 0, -90)
	}
	var ids map[string]bool
	if v := q.Get("service_request_id"); v != "" {
		ids = map[string]bool{}
		for _, id := range strings.Split(v, ",") {
			ids[strings.ToUpper(strings.TrimSpace(id))] = true
		}
		f.From, f.To = time.Time{}, time.Time{}
	}
	reports, err := g.List(f)
	if err != nil {
		return err
	}
	out := []o311Request{}
	for _, p := range reports {
		if ids == nil || ids[p.Number] {
			out = append(out, s.o311Of(c, p))
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) o311Request(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return open311Error(c, err)
	}
	id, ok := strings.CutSuffix(c.Param("id"), ".json")
	if !ok {
		return open311Error(c, domain.Errorf(domain.ENOTFOUND, "Ask for requests/<service_request_id>.json"))
	}
	p, err := g.Public(id)
	if err != nil {
		return open311Error(c, err)
	}
	return c.JSON(http.StatusOK, []o311Request{s.o311Of(c, p)})
}

// o311Post takes a report in the standard's fields: service_code,
// lat/long or address_string (with attribute[ward]), description, and
// the reporter's optional first_name, last_name, email and phone. A photo
// may come as a multipart "media" file; a media_url is never fetched (the
// appliance does not reach out to addresses a stranger names).
func (s *Server) o311Post(c echo.Context) error {
	g, err := s.grievances()
	if err != nil {
		return open311Error(c, err)
	}
	values, photos, err := readReportForm(c, "media")
	if err != nil {
		return open311Error(c, err)
	}
	code := values["service_code"]
	if _, ok := g.Categories.Get(code); !ok {
		return open311Error(c, domain.Errorf(domain.EINVALID, "There is no service_code %q; GET services.json lists them.", code))
	}
	ward, _ := strconv.Atoi(values["attribute[ward]"])
	language := values["locale"]
	if strings.HasPrefix(language, "ml") {
		language = "ml"
	} else {
		language = lang(c)
	}
	r, _, err := g.Submit(domain.Actor{}, grievance.Submission{Category: code, Description: values["description"], Ward: ward,
		Landmark: values["address_string"], Lat: values["lat"], Lon: values["long"], Photos: photos,
		Name: strings.TrimSpace(values["first_name"] + " " + values["last_name"]), Phone: values["phone"], Email: values["email"],
		Anonymous: values["attribute[anonymous]"] == "yes", Language: language, Channel: grievance.ChannelOpen311})
	if err != nil {
		return open311Error(c, err)
	}
	cat, _ := g.Categories.Get(code)
	notice := fmt.Sprintf("The %s will fix it by %s; follow it at %s/grievances/%s", cat.Section.En, r.Due.In(domain.IST).Format("02-01-2006"), s.publicURL(c), r.Number)
	return c.JSON(http.StatusOK, []map[string]any{{"service_request_id": r.Number, "service_notice": notice, "account_id": nil}})
}
