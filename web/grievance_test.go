package web

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ksmart/appliance/domain"
	"ksmart/appliance/grievance"
)

// testPhoto is a small JPEG, as a phone would send.
func testPhoto(tb testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(6 * x), 120, uint8(8 * y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// reportFixture is an anonymous report of waste in ward 5 with a photo:
// its number and the photo's blob.
func reportFixture(t *testing.T, env *testEnv) (string, string) {
	t.Helper()
	r, _, err := env.app.Grievance.Submit(domain.Actor{}, grievance.Submission{Category: "waste", Description: "Waste dumped at the market gate.", Ward: 5,
		Phone: "9847011111", Anonymous: true, Photos: []grievance.PhotoUpload{{Name: "w.jpg", Data: testPhoto(t)}}})
	if err != nil {
		t.Fatalf("fixture report: %v", err)
	}
	return r.Number, r.Photos[0].Blob
}

// wardPoint is the middle of a demo ward, as Open311's lat and long.
func wardPoint(t *testing.T, env *testEnv, ward int) (string, string) {
	p, ok := env.app.Grievance.Wards.Centre(ward)
	if !ok {
		t.Fatalf("ward %d is not drawn", ward)
	}
	return strconv.FormatFloat(p.Lat, 'f', 6, 64), strconv.FormatFloat(p.Lon, 'f', 6, 64)
}

// TestOpen311_TheStandardsExamplesAgainstOurServices walks GeoReport v2
// as its wiki's examples do: the service list, a service's definition, a
// request posted with every field of the standard's example (an api_key
// and jurisdiction_id are accepted and not needed), the request read back
// alone and in a list filtered by status, service_code and dates, each
// with the standard's field names and open/closed; and the standard's
// error format for an unknown service_code, an unknown request and a
// place outside the municipality, with nothing written.
func TestOpen311_TheStandardsExamplesAgainstOurServices(t *testing.T) {
	env := newTestEnv(t)
	app := env.newClient(t)
	app.csrf = "" // an Open311 client has no CSRF token

	r := app.do(t, "GET", "/open311/v2/services.json", nil)
	var services []map[string]any
	r.json(t, &services)
	if r.status != 200 || len(services) != 9 {
		t.Fatalf("services.json: %d %s", r.status, r.body)
	}
	for _, k := range []string{"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} {
		if _, ok := services[0][k]; !ok {
			t.Errorf("a service has no %q: %v", k, services[0])
		}
	}
	if services[0]["service_code"] != "streetlight" || services[0]["type"] != "realtime" {
		t.Errorf("first service: %v", services[0])
	}
	r = app.do(t, "GET", "/open311/v2/services/streetlight.json", nil)
	var def struct {
		ServiceCode string `json:"service_code"`
		Attributes  []struct {
			Code     string `json:"code"`
			Datatype string `json:"datatype"`
			Values   []struct{ Key, Name string }
		} `json:"attributes"`
	}
	r.json(t, &def)
	if r.status != 200 || def.ServiceCode != "streetlight" || len(def.Attributes) != 2 || def.Attributes[0].Code != "ward" || len(def.Attributes[0].Values) != 12 {
		t.Errorf("service definition: %d %s", r.status, r.body)
	}

	lat, long := wardPoint(t, env, 6)
	// The wiki's example, with this town's service and place.
	post := url.Values{"api_key": {"xyz"}, "jurisdiction_id": {"city.gov"}, "service_code": {"road"}, "lat": {lat}, "long": {long},
		"address_string": {"1234 5th street"}, "email": {"smit222@sfgov.edu"}, "device_id": {"tt222111"}, "account_id": {"123456"},
		"first_name": {"john"}, "last_name": {"smith"}, "phone": {"+14155551111"}, "description": {"A large sinkhole is destroying the street"},
		"media_url": {"http://city.gov/media/image.jpg"}}
	r = app.do(t, "POST", "/open311/v2/requests.json", formBody(post.Encode()))
	var created []struct {
		ID        string  `json:"service_request_id"`
		Notice    string  `json:"service_notice"`
		AccountID *string `json:"account_id"`
	}
	r.json(t, &created)
	if r.status != 200 || len(created) != 1 || !strings.HasPrefix(created[0].ID, "GR-") || created[0].AccountID != nil || !strings.Contains(created[0].Notice, "Engineering section") {
		t.Fatalf("POST requests.json: %d %s", r.status, r.body)
	}
	id := created[0].ID
	rep, _ := env.app.Grievance.Office(domain.Actor{ID: "u-t", Roles: []domain.Role{domain.RoleOverseer}}, id)
	if rep.Ward != 6 || rep.Channel != grievance.ChannelOpen311 || rep.Reporter.Email != "smit222@sfgov.edu" {
		t.Errorf("stored: ward %d, %s, %+v", rep.Ward, rep.Channel, rep.Reporter)
	}

	r = app.do(t, "GET", "/open311/v2/requests/"+id+".json", nil)
	var one []map[string]any
	r.json(t, &one)
	if r.status != 200 || len(one) != 1 {
		t.Fatalf("requests/%s.json: %d %s", id, r.status, r.body)
	}
	want := []string{"service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible", "service_notice",
		"requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
	var got []string
	for k := range one[0] {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("a request's fields are %v, want the standard's %v", got, want)
	}
	if one[0]["status"] != "open" || one[0]["service_code"] != "road" || one[0]["lat"] == nil || !strings.Contains(one[0]["requested_datetime"].(string), "+05:30") {
		t.Errorf("the request: %v", one[0])
	}

	// Fixed: closed, in the closed list only.
	if _, err := env.app.Grievance.Act(domain.Actor{ID: "u-ae", Name: "AE", Roles: []domain.Role{domain.RoleOverseer}}, id, grievance.Action{Kind: grievance.ActFix, Note: "Filled and rolled.", Photo: &grievance.PhotoUpload{Name: "a.jpg", Data: testPhoto(t)}}); err != nil {
		t.Fatal(err)
	}
	reportFixture(t, env) // an open one of another service
	list := func(q string) []map[string]any {
		r := app.do(t, "GET", "/open311/v2/requests.json?"+q, nil)
		var out []map[string]any
		r.json(t, &out)
		if r.status != 200 {
			t.Fatalf("requests.json?%s: %d %s", q, r.status, r.body)
		}
		return out
	}
	if l := list("status=closed"); len(l) != 1 || l[0]["service_request_id"] != id || l[0]["status"] != "closed" || !strings.Contains(l[0]["status_notes"].(string), "Filled") {
		t.Errorf("closed: %v", l)
	}
	if l := list("status=open"); len(l) != 1 || l[0]["service_code"] != "waste" {
		t.Errorf("open: %v", l)
	}
	if l := list("service_code=road"); len(l) != 1 {
		t.Errorf("service_code=road: %v", l)
	}
	if l := list("start_date=" + url.QueryEscape("2099-01-01T00:00:00Z")); len(l) != 0 {
		t.Errorf("from 2099: %v", l)
	}
	if l := list("end_date=" + url.QueryEscape("2000-01-01T00:00:00+05:30")); len(l) != 0 {
		t.Errorf("until 2000: %v", l)
	}
	if l := list("start_date=" + url.QueryEscape("2000-01-01T00:00:00Z") + "&end_date=" + url.QueryEscape("2099-01-01T00:00:00Z")); len(l) != 2 {
		t.Errorf("2000 to 2099: %d", len(l))
	}

	// Errors, in the standard's format; nothing written.
	before := env.app.Store.LastSeq()
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		says         string
	}{
		{"POST", "/open311/v2/requests.json", formBody("service_code=ufo&lat=" + lat + "&long=" + long + "&description=x"), 400, "no service_code \"ufo\""},
		{"POST", "/open311/v2/requests.json", formBody("service_code=road&lat=10.5276&long=76.2144&description=pothole"), 400, "lat/long: The place"},
		{"POST", "/open311/v2/requests.json", formBody("service_code=road&lat=" + lat + "&long=" + long + "&description="), 400, "description:"},
		{"POST", "/open311/v2/requests.json", formBody("service_code=road&lat=" + lat + "&long=" + long + "&description=" + strings.Repeat("x", 50000)), 400, "50000 characters"},
		{"GET", "/open311/v2/requests.json?service_code=ufo", nil, 400, "no service_code"},
		{"GET", "/open311/v2/requests.json?status=pending", nil, 400, "open or closed"},
		{"GET", "/open311/v2/requests/GR-1999-1.json", nil, 404, "No report has that number"},
		{"GET", "/open311/v2/services/ufo.json", nil, 404, "no service_code"},
	} {
		r := app.do(t, c.method, c.path, c.body)
		var errs []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal(r.body, &errs); err != nil || r.status != c.status || len(errs) == 0 || errs[0].Code != c.status || !strings.Contains(errs[0].Description, c.says) {
			t.Errorf("%s %.60s: %d %s, want %d [{code, description ~ %q}]", c.method, c.path, r.status, r.body, c.status, c.says)
		}
	}
	if env.app.Store.LastSeq() != before {
		t.Error("refused Open311 requests wrote to the log")
	}
}

// TestOpen311_PostingIsLimitedPerAddress: an address that posts more than
// the burst is told to wait, in Open311's format, with Retry-After; the
// front office signed in at the same address is not.
func TestOpen311_PostingIsLimitedPerAddress(t *testing.T) {
	env := newTestEnv(t)
	env.srv.NoReportLimit = false
	c := env.newClient(t)
	var last *response
	for range reportBurst + 1 {
		last = c.do(t, "POST", "/open311/v2/requests.json", formBody("service_code=ufo"))
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || !strings.Contains(string(last.body), `"code":429`) {
		t.Errorf("post %d: %d %s", reportBurst+1, last.status, last.body)
	}
	// The front office at the counter, from the same address, is not held
	// back: it is signed in and enters a queue of walk-ins.
	counter := env.withRoles(t, domain.RoleFrontOffice).signIn(t, string(domain.RoleFrontOffice))
	for i := range reportBurst + 2 {
		if r := counter.do(t, "POST", "/grievances", formBody("category=waste&ward=5&description=")); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("the counter's report %d: %d", i+1, r.status)
		}
	}
}

// TestGrievance_NoPersonalDataInAnyPublicAnswer makes reports by named,
// anonymous and signed-in reporters with phones and e-mails, takes them
// through their lives (a reopening note naming the reporter, a merge, a
// "me too" by a signed-in citizen), and reads every public page and
// Open311 answer: none carries any reporter's name, phone or e-mail, in
// any spelling.
func TestGrievance_NoPersonalDataInAnyPublicAnswer(t *testing.T) {
	env := newTestEnv(t)
	citizen := env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	g := env.app.Grievance
	type who struct{ name, phone, email string }
	people := []who{{"Rajesh Menon", "9847012345", "rajesh.menon@example.com"}, {"സുമ രാജൻ", "9446023456", "suma@example.org"},
		{"Lakshmi Pillai", "+447700900123", "lakshmi@example.net"}}
	var numbers []string
	var keys []string
	lat, long := wardPoint(t, env, 5)
	for i, p := range people {
		r, key, err := g.Submit(domain.Actor{}, grievance.Submission{Category: "drain", Description: "Drain blocked near the temple.", Lat: lat, Lon: long,
			Name: p.name, Phone: p.phone, Email: p.email, Anonymous: i == 1, Photos: []grievance.PhotoUpload{{Name: p.name + ".jpg", Data: testPhoto(t)}}})
		if err != nil {
			t.Fatal(err)
		}
		numbers, keys = append(numbers, r.Number), append(keys, key)
	}
	signed, _, err := g.Submit(domain.Actor{ID: citizen.ID, Name: citizen.Name, Roles: citizen.Roles}, grievance.Submission{Category: "streetlight", Description: "Light off.", Ward: 5, Language: "ml"})
	if err != nil {
		t.Fatal(err)
	}
	numbers = append(numbers, signed.Number)
	overseer := domain.Actor{ID: "u-o", Name: "Overseer", Roles: []domain.Role{domain.RoleOverseer}}
	if _, err := g.Act(overseer, numbers[0], grievance.Action{Kind: grievance.ActFix, Note: "Cleared.", Photo: &grievance.PhotoUpload{Name: "after.jpg", Data: testPhoto(t)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Reopen(grievance.Who{Key: keys[0]}, numbers[0], "Rajesh Menon here, call me on 9847012345: still blocked"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Act(overseer, numbers[2], grievance.Action{Kind: grievance.ActClose, Reason: grievance.ReasonDuplicate, Into: numbers[1]}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.MeToo(domain.Actor{ID: citizen.ID, Roles: citizen.Roles}, numbers[1]); err != nil {
		t.Fatal(err)
	}

	anon := env.newClient(t)
	paths := []string{"/grievances", "/grievances?ward=5", "/grievances?category=drain&status=open", "/grievances/statistics",
		"/grievances/new?category=drain&lat=" + lat + "&long=" + long, "/grievances/new?category=streetlight&ward=5",
		"/open311/v2/requests.json", "/open311/v2/requests.json?status=closed", "/open311/v2/services.json"}
	for _, n := range numbers {
		paths = append(paths, "/grievances/"+n, "/open311/v2/requests/"+n+".json")
	}
	var forbidden []string
	for _, p := range append(people, who{citizen.Name, "9847000001", ""}) {
		forbidden = append(forbidden, p.name, strings.Fields(p.name)[0])
		digits := strings.TrimPrefix(p.phone, "+")
		forbidden = append(forbidden, digits, digits[len(digits)-10:])
		if p.email != "" {
			forbidden = append(forbidden, p.email, strings.Split(p.email, "@")[0])
		}
	}
	forbidden = append(forbidden, citizen.ID+"\"", "user_id", "key_hash", "supporter")
	for _, lang := range []string{"en", "ml"} {
		for _, p := range paths {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			r := anon.do(t, "GET", p+sep+"lang="+lang, nil)
			if r.status != 200 {
				t.Errorf("GET %s: %d", p, r.status)
				continue
			}
			for _, f := range forbidden {
				if strings.Contains(strings.ToLower(string(r.body)), strings.ToLower(f)) {
					t.Errorf("GET %s (%s) shows %q", p, lang, f)
				}
			}
		}
	}
	// The office sees the contact, and its reading is recorded.
	staff := env.withRoles(t, domain.RoleOverseer).signIn(t, string(domain.RoleOverseer))
	if r := staff.do(t, "GET", "/office/grievances/"+numbers[0], nil); r.status != 200 || !strings.Contains(string(r.body), "919847012345") || !strings.Contains(string(r.body), "Rajesh Menon") {
		t.Errorf("the office's page of a report lacks the reporter's contact: %d", r.status)
	}
}

// TestGrievance_ReportingFromThePagesWithoutSigningIn is a resident at
// the report form: the category and place first, then the reports near
// it, then the description, a photo and a phone; the answer is the
// report's page with the link that acts for them, which (and only which)
// lets them confirm and rate the fix.
func TestGrievance_ReportingFromThePagesWithoutSigningIn(t *testing.T) {
	env := newTestEnv(t)
	resident := env.newClient(t)
	lat, long := wardPoint(t, env, 8)
	r := resident.do(t, "GET", "/grievances/new?next=1&category=streetlight&lat="+lat+"&long="+long+"&landmark=Church+steps", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `name="description"`) || !strings.Contains(string(r.body), `value="8"`) {
		t.Fatalf("step 2: %d %.400s", r.status, r.body)
	}
	body := &multipartBody{fields: map[string]string{"category": "streetlight", "ward": "8", "lat": lat, "long": long, "landmark": "Church steps",
		"description": "Two lights off on the church steps.", "phone": "98470 55555"}, files: map[string][]byte{"photo": testPhoto(t)}}
	r = resident.do(t, "POST", "/grievances", body)
	loc := r.header.Get("Location")
	if r.status != 303 || !strings.Contains(loc, "key=") {
		t.Fatalf("POST /grievances: %d %s %s", r.status, loc, r.body)
	}
	u, _ := url.Parse(loc)
	number := strings.TrimPrefix(u.Path, "/grievances/")
	key := u.Query().Get("key")
	r = resident.do(t, "GET", loc, nil)
	if r.status != 200 || !strings.Contains(string(r.body), number) || !strings.Contains(string(r.body), "key="+key) {
		t.Errorf("the report's page after sending: %d", r.status)
	}
	// Near it, a second resident is shown it first.
	other := env.newClient(t)
	r = other.do(t, "GET", "/grievances/new?next=1&category=streetlight&lat="+lat+"&long="+long, nil)
	if !strings.Contains(string(r.body), number) || !strings.Contains(string(r.body), "/grievances/"+number+"/metoo") {
		t.Errorf("the nearby report is not offered before a new one")
	}
	if r := other.do(t, "POST", "/grievances/"+number+"/metoo", nil); r.status != 303 {
		t.Errorf("me too: %d %s", r.status, r.body)
	}
	if _, err := env.app.Grievance.Act(domain.Actor{ID: "u-o", Name: "O", Roles: []domain.Role{domain.RoleOverseer}}, number,
		grievance.Action{Kind: grievance.ActFix, Note: "New lamps.", Photo: &grievance.PhotoUpload{Name: "a.jpg", Data: testPhoto(t)}}); err != nil {
		t.Fatal(err)
	}
	if r := other.do(t, "POST", "/grievances/"+number+"/confirm", formBody("rating=1")); r.status != 403 {
		t.Errorf("another resident confirmed it: %d", r.status)
	}
	// The reporter's phone has the key in its cookie.
	r = resident.do(t, "GET", "/grievances/"+number, nil)
	if !strings.Contains(string(r.body), "/grievances/"+number+"/confirm") {
		t.Errorf("the reporter is not offered to confirm the fix")
	}
	if r := resident.do(t, "POST", "/grievances/"+number+"/confirm", formBody("rating=5")); r.status != 303 {
		t.Errorf("confirm: %d %s", r.status, r.body)
	}
	p, _ := env.app.Grievance.Public(number)
	if p.Rating != 5 || p.Supporters != 1 {
		t.Errorf("rating %d, supporters %d", p.Rating, p.Supporters)
	}
}

func fmtFloat6(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
