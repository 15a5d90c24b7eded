package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"ksmart/appliance/domain"
)

// kioskBirths are births of the register the kiosk tests search, in the
// legacy import's columns. The house name is part of each person's name,
// as Kerala names often carry it.
const kioskBirthsHeader = "register_number,registration_date,child_name_en,child_name_ml,sex,date_of_birth,place_of_birth,mother_name_en,mother_name_ml,father_name_en,father_name_ml,permanent_address\n"

const kioskBirths = kioskBirthsHeader +
	`B-15/2021,2021-02-03,Sreelakshmi Puthenveettil,ശ്രീലക്ഷ്മി പുത്തൻവീട്ടിൽ,female,2021-01-31,"District Hospital, Kollam",Remadevi Puthenveettil,രമാദേവി പുത്തൻവീട്ടിൽ,Mohanan Nair,മോഹനൻ നായർ,"Puthenveettil House, Market Road"
B-16/2021,2021-02-04,Gopika Chirayil,ഗോപിക ചിറയിൽ,female,2021-01-31,"District Hospital, Kollam",Remadevi Chirayil,രമാദേവി ചിറയിൽ,Sudhakaran Pillai,സുധാകരൻ പിള്ള,"Chirayil House, Beach Road"
`

// seedBirths imports births into the register and waits until the index
// has them.
func seedBirths(t *testing.T, env *testEnv, csv string) {
	t.Helper()
	rep, err := env.app.ImportRegister("births", strings.NewReader(csv), "test", recordRegistrar(t, env.app), nil)
	if err != nil || rep.Imported != strings.Count(csv, "\n")-1 {
		t.Fatalf("seeding births: %+v %v", rep, err)
	}
	env.indexed(t)
}

// indexed waits until the search index has applied every event written.
func (env *testEnv) indexed(tb testing.TB) {
	tb.Helper()
	if err := env.app.Search.CatchUp(context.Background(), env.app.Store); err != nil {
		tb.Fatalf("indexing: %v", err)
	}
}

// kiosk is a kiosk's browser: a client that has opened /kiosk, and so
// holds its kiosk cookie.
func (env *testEnv) kiosk(t *testing.T) *client {
	t.Helper()
	c := env.newClient(t)
	r := c.do(t, "GET", "/kiosk", nil)
	if r.status != http.StatusOK || setCookie(r, kioskCookie) == "" {
		t.Fatalf("GET /kiosk: %d, cookies %q", r.status, r.header.Values("Set-Cookie"))
	}
	return c
}

func form(kv ...string) formBody {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return formBody(v.Encode())
}

// setCookie returns the Set-Cookie line of the response for cookie name.
func setCookie(r *response, name string) string {
	for _, line := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(line, name+"=") {
			return line
		}
	}
	return ""
}

var kioskToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

// checkKioskHeaders: nothing a kiosk shows may be stored or referred.
func checkKioskHeaders(t *testing.T, what string, r *response) {
	t.Helper()
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
	}
	if rp := r.header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q, want no-referrer", what, rp)
	}
}

// personalInURL fails when a URL on the page (a form's action, a link, a
// script or stylesheet) carries any of the values.
func personalInURL(t *testing.T, what, page string, values ...string) {
	t.Helper()
	urls := regexp.MustCompile(`(?:action|href|src)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	for _, u := range urls {
		for _, v := range values {
			raw, _ := url.QueryUnescape(u[1])
			if v != "" && (strings.Contains(strings.ToLower(raw), strings.ToLower(v)) || strings.Contains(u[1], url.QueryEscape(v))) {
				t.Errorf("%s: the URL %q carries %q", what, u[1], v)
			}
		}
	}
	for _, u := range urls {
		if u[1] != "/kiosk" && !strings.HasPrefix(u[1], "/kiosk/") && !strings.HasPrefix(u[1], "/static/") {
			t.Errorf("%s: a kiosk page leads to %q, off the kiosk", what, u[1])
		}
	}
}

var (
	demandNumber = regexp.MustCompile(`DM/\d{4}-\d{2}/\d+`)
	cashierForm  = regexp.MustCompile(`action="(/office/cashier/\d+)"`)
	printedPDF   = regexp.MustCompile(`src="(/kiosk/copy/pdf\?token=[^"]+)"`)
)

func TestKiosk_FindOpenPayAndPrintABirthCertificate(t *testing.T) {
	env := newTestEnv(t)
	seedBirths(t, env, kioskBirths)
	k := env.kiosk(t)
	before := env.app.Store.LastSeq()

	// One field is not enough, and says so; nothing of anyone is shown.
	r := k.do(t, "POST", "/kiosk/search", form("name", "Sreelakshmi"))
	page := string(r.body)
	checkKioskHeaders(t, "one field", r)
	if r.status != http.StatusBadRequest || !strings.Contains(page, "Give at least two of") || !strings.Contains(page, "രണ്ടെണ്ണമെങ്കിലും") {
		t.Fatalf("a search with one field: %d\n%s", r.status, page)
	}
	for _, other := range []string{"Puthenveettil", "Remadevi", "Mohanan", "B-15/2021", "പുത്തൻവീട്ടിൽ", "Market Road", `name="token"`} {
		if strings.Contains(page, other) {
			t.Errorf("a search with one field shows %q", other)
		}
	}

	// The name and the date find her: one card, masked.
	r = k.do(t, "POST", "/kiosk/search", form("kind", "birth", "name", "Sreelakshmi", "date", "31-01-2021"))
	page = string(r.body)
	checkKioskHeaders(t, "search", r)
	if r.status != http.StatusOK || strings.Count(page, `class="k-card"`) != 1 {
		t.Fatalf("name and date: %d, %d cards\n%s", r.status, strings.Count(page, `class="k-card"`), page)
	}
	for _, want := range []string{
		"Sreelakshmi P•••", "ശ്രീലക്ഷ്മി പു•••", // the name typed whole, the house name masked
		"R••• P•••", "M••• N•••", // the parents, masked
		"B-•/2021",         // the register number, masked
		"31-01-2021",       // the date, as typed
		"Open", "തുറക്കുക", // the button that opens it
		`role="status"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the result lacks %q", want)
		}
	}
	for _, hidden := range []string{"Puthenveettil", "പുത്തൻവീട്ടിൽ", "Remadevi", "Mohanan", "Nair", "B-15/2021", "Market Road", "Kollam", "Gopika", "Chirayil"} {
		if strings.Contains(page, hidden) {
			t.Errorf("the masked result shows %q", hidden)
		}
	}
	personalInURL(t, "results", page, "Sreelakshmi", "31-01-2021", "Puthenveettil")
	token := kioskToken.FindStringSubmatch(page)
	if token == nil {
		t.Fatal("the result has no token to open it with")
	}

	// Opening it shows the particulars as the certificate prints them.
	r = k.do(t, "POST", "/kiosk/open", form("token", token[1]))
	page = string(r.body)
	text := visibleText(page)
	checkKioskHeaders(t, "open", r)
	if r.status != http.StatusOK {
		t.Fatalf("open: %d\n%s", r.status, page)
	}
	for _, want := range []string{"B-15/2021", "Sreelakshmi Puthenveettil / ശ്രീലക്ഷ്മി പുത്തൻവീട്ടിൽ", "Remadevi Puthenveettil", "Mohanan Nair",
		"31-01-2021", "District Hospital, Kollam", "Puthenveettil House, Market Road", "Name of mother / അമ്മയുടെ പേര്",
		"A copy costs / ഒരു പകർപ്പിന്റെ ഫീസ്", "₹10.00", "Pay for a copy / പകർപ്പിന് പണമടയ്ക്കുക"} {
		if !strings.Contains(text, want) {
			t.Errorf("the opened record lacks %q", want)
		}
	}
	if !strings.Contains(page, `action="/kiosk/copy"`) {
		t.Error("the opened record has no form to pay for a copy")
	}
	personalInURL(t, "opened", page, "Sreelakshmi", "Puthenveettil", "B-15/2021")

	// A copy has a fee: the certificate does not print for the token alone.
	r = k.do(t, "POST", "/kiosk/certificate", form("token", token[1]))
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), "A copy costs ₹10.00") {
		t.Fatalf("printing an unpaid copy: %d %.300s", r.status, r.body)
	}

	// Asking for the copy gives a demand to pay, with a UPI code; asking
	// again gives the same demand, not a second.
	r = k.do(t, "POST", "/kiosk/copy", form("token", token[1]))
	page = string(r.body)
	checkKioskHeaders(t, "copy", r)
	number := demandNumber.FindString(page)
	if r.status != http.StatusOK || number == "" || !strings.Contains(visibleText(page), "₹10.00") || !strings.Contains(page, "<svg") {
		t.Fatalf("asking for a copy: %d, demand %q\n%s", r.status, number, page)
	}
	if again := demandNumber.FindString(string(k.do(t, "POST", "/kiosk/copy", form("token", token[1])).body)); again != number {
		t.Errorf("asking again gave demand %q, want %q again", again, number)
	}

	// Printing with the number before paying says what is still owed.
	for _, bad := range []struct{ demand, want string }{
		{number, "₹10.00 is still to be paid on " + number},
		{"", "Type the demand number"},
		{"DM/2026-27/99999", "There is no such demand"},
	} {
		r = k.do(t, "POST", "/kiosk/copy/print", form("demand", bad.demand))
		if r.status < 400 || !strings.Contains(string(r.body), bad.want) || strings.Contains(string(r.body), "/kiosk/copy/pdf") {
			t.Errorf("printing with demand %q: %d, want a message %q\n%.400s", bad.demand, r.status, bad.want, visibleText(string(r.body)))
		}
	}

	// The cashier takes the fee; the copy then prints, once.
	env.withRoles(t, domain.RoleCashier)
	cashier := env.signIn(t, "cashier")
	found := cashierForm.FindStringSubmatch(string(cashier.do(t, "GET", "/office/cashier?q="+url.QueryEscape(number), nil).body))
	if found == nil {
		t.Fatalf("the cashier's page does not find %s", number)
	}
	if r := cashier.do(t, "POST", found[1], formBody("counter=C1&mode=cash&amount=10.00")); r.status != http.StatusSeeOther {
		t.Fatalf("the cashier taking the fee: %d %.300s", r.status, r.body)
	}
	r = k.do(t, "POST", "/kiosk/copy/print", form("demand", strings.ToLower(number)))
	page = string(r.body)
	pdfURL := printedPDF.FindStringSubmatch(page)
	if r.status != http.StatusOK || pdfURL == nil {
		t.Fatalf("printing the paid copy: %d\n%s", r.status, page)
	}
	r = k.do(t, "GET", html.UnescapeString(pdfURL[1]), nil)
	checkKioskHeaders(t, "certificate", r)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.body), "%PDF") {
		t.Fatalf("certificate: %d %s %.100q", r.status, r.header.Get("Content-Type"), r.body)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline") || strings.Contains(cd, "Sreelakshmi") {
		t.Errorf("certificate: Content-Disposition %q", cd)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		if text := pdfText(t, r.body); !strings.Contains(text, "B-15/2021") || !strings.Contains(text, "Sreelakshmi") {
			t.Errorf("the certificate's text lacks the register number or the name:\n%s", text)
		}
	}
	if other := env.kiosk(t).do(t, "GET", html.UnescapeString(pdfURL[1]), nil); other.status != http.StatusBadRequest {
		t.Errorf("another kiosk showing the printed copy: %d", other.status)
	}
	if r = k.do(t, "POST", "/kiosk/copy/print", form("demand", number)); r.status != http.StatusConflict || !strings.Contains(string(r.body), "was printed on") {
		t.Errorf("printing the same paid copy again: %d %.300s", r.status, visibleText(string(r.body)))
	}

	// A token is this kiosk's alone.
	if other := env.kiosk(t).do(t, "POST", "/kiosk/open", form("token", token[1])); other.status != http.StatusBadRequest || strings.Contains(string(other.body), "Puthenveettil") {
		t.Errorf("another kiosk opening the token: %d", other.status)
	}

	// The log has each step, without what was typed.
	evs, err := env.app.Store.ReadLog(before+1, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, ev := range evs {
		if !strings.HasPrefix(ev.Type, "kiosk.") {
			continue
		}
		seen[ev.Type]++
		if !strings.HasPrefix(ev.Actor, "kiosk:") {
			t.Errorf("%s by %q, want the kiosk", ev.Type, ev.Actor)
		}
		for _, typed := range []string{"Sreelakshmi", "sreelakshmi", "31-01-2021"} {
			if strings.Contains(string(ev.Data), typed) {
				t.Errorf("%s records what was typed (%q): %s", ev.Type, typed, ev.Data)
			}
		}
	}
	if seen["kiosk.searched"] != 1 || seen["kiosk.opened"] != 1 || seen["kiosk.printed"] != 1 {
		t.Errorf("kiosk events in the log: %v; want the search that ran, the opening and the printing", seen)
	}
}

// TestKiosk_ShowsNoOneElsesParticulars is the kiosk's privacy rule: with
// one field, or with fields that match many people, it shows no personal
// data; a masked result never shows an unmasked word of another person.
func TestKiosk_ShowsNoOneElsesParticulars(t *testing.T) {
	env := newTestEnv(t)
	// Twelve girls named Devika, born the same day to different mothers in
	// different houses.
	houses := []string{"Kizhakkethil", "Padinjattethil", "Thekkedath", "Vadakkedath", "Mullassery", "Kalathil", "Parambil", "Valiyaveettil", "Cheruvally", "Edathil", "Pulikkal", "Thottathil"}
	mothers := []string{"Ambika", "Bindu", "Chandrika", "Deepa", "Geetha", "Indira", "Jayasree", "Kumari", "Leela", "Mini", "Nirmala", "Omana"}
	var csv strings.Builder
	csv.WriteString(kioskBirthsHeader)
	var private []string
	for i := range houses {
		number := fmt.Sprintf("B-%d/2022", 100+i)
		fmt.Fprintf(&csv, "%s,2022-03-20,Devika %s,,female,2022-03-14,Taluk Hospital,%s %s,,Raghavan %s,,\"%s House, Canal Road\"\n",
			number, houses[i], mothers[i], houses[i], houses[i], houses[i])
		private = append(private, houses[i], mothers[i], number)
	}
	seedBirths(t, env, csv.String()+strings.TrimPrefix(kioskBirths, kioskBirthsHeader))
	k := env.kiosk(t)

	// Sreelakshmi's and Gopika's entries share a date and a mother's first
	// name; everything else of theirs is their own.
	sree := []string{"Sreelakshmi", "ശ്രീലക്ഷ്മി", "Puthenveettil", "പുത്തൻവീട്ടിൽ", "Mohanan", "മോഹനൻ", "Nair", "നായർ", "B-15/2021", "Market Road", "Kollam"}
	gopika := []string{"Gopika", "ഗോപിക", "Chirayil", "ചിറയിൽ", "Sudhakaran", "സുധാകരൻ", "Pillai", "പിള്ള", "B-16/2021", "Beach Road"}
	everyone := append(append(append([]string{}, private...), sree...), gopika...)
	everyone = append(everyone, "Remadevi", "രമാദേവി", "Raghavan", "Devika")

	cases := []struct {
		name   string
		form   formBody
		status int
		says   string
		// shows are words the page may show: those typed.
		shows []string
	}{
		{"one field: the name", form("name", "Devika"), 400, "Give at least two of", []string{"Devika"}},
		{"one field: the date", form("date", "14-03-2022"), 400, "Give at least two of", nil},
		{"one field: a number", form("number", "B-100/2022"), 400, "Give at least two of", []string{"B-100/2022"}},
		{"one field: a mother", form("relation", "Remadevi"), 400, "Give at least two of", []string{"Remadevi"}},
		{"many match", form("name", "Devika", "date", "14-03-2022"), 200, "More than 5 records match. Add another detail.", []string{"Devika"}},
		{"many match, any register", form("kind", "", "name", "Devika", "relation", "Raghavan"), 200, "More than 5 records match.", []string{"Devika", "Raghavan"}},
		{"none match", form("name", "Devika", "date", "15-03-2022"), 200, "No record matches", []string{"Devika"}},
		{"one of two sharing a date and a mother's name", form("name", "Sreelakshmi", "relation", "Remadevi"), 200, "Records found", []string{"Sreelakshmi", "ശ്രീലക്ഷ്മി", "Remadevi", "രമാദേവി"}},
		{"the other of the two", form("date", "31-01-2021", "name", "Gopika"), 200, "Records found", []string{"Gopika", "ഗോപിക"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := k.do(t, "POST", "/kiosk/search", c.form)
			page := string(r.body)
			checkKioskHeaders(t, c.name, r)
			if r.status != c.status || !strings.Contains(page, c.says) {
				t.Fatalf("%d, want %d saying %q:\n%s", r.status, c.status, c.says, page)
			}
			for _, word := range everyone {
				if !containsWord(c.shows, word) && strings.Contains(page, word) {
					t.Errorf("the page shows %q, which was not typed", word)
				}
			}
			vals, _ := url.ParseQuery(string(c.form))
			var typed []string
			for _, v := range vals {
				typed = append(typed, v...)
			}
			personalInURL(t, c.name, page, append(typed, everyone...)...)
		})
	}

	// Her opened record shows her particulars and no one else's.
	r := k.do(t, "POST", "/kiosk/search", form("name", "Sreelakshmi", "relation", "Remadevi"))
	token := kioskToken.FindStringSubmatch(string(r.body))
	if token == nil {
		t.Fatalf("no result to open: %s", r.body)
	}
	r = k.do(t, "POST", "/kiosk/open", form("token", token[1]))
	page := string(r.body)
	if r.status != 200 || !strings.Contains(page, "Puthenveettil House") {
		t.Fatalf("open: %d %s", r.status, page)
	}
	for _, word := range append(append([]string{}, private...), gopika...) {
		if strings.Contains(page, word) {
			t.Errorf("her opened record shows %q, another person's", word)
		}
	}
	personalInURL(t, "opened", page, everyone...)

	// The same through the API: no matches and no names when many match.
	r = k.do(t, "POST", "/api/v1/kiosk/search", map[string]string{"name": "Devika", "date": "2022-03-14"})
	var res struct {
		TooMany bool              `json:"too_many"`
		Matches []json.RawMessage `json:"matches"`
	}
	r.json(t, &res)
	if r.status != 200 || !res.TooMany || len(res.Matches) != 0 || strings.Contains(string(r.body), "Kizhakkethil") {
		t.Errorf("API, many match: %d %s", r.status, r.body)
	}
	checkKioskHeaders(t, "API search", r)
	r = k.do(t, "POST", "/api/v1/kiosk/search", map[string]string{"name": "Gopika", "date": "31-01-2021"})
	if body := string(r.body); r.status != 200 || !strings.Contains(body, "Gopika C•••") || strings.Contains(body, "Chirayil") || strings.Contains(body, "Sreelakshmi") {
		t.Errorf("API, one match: %d %s", r.status, body)
	}
}

// visibleText is a page's text as a person reads it: no tags, spaces
// collapsed.
func visibleText(page string) string {
	page = regexp.MustCompile(`(?s)<head>.*?</head>|<[^>]*>`).ReplaceAllString(page, " ")
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}

// containsWord reports whether one of list holds word.
func containsWord(list []string, word string) bool {
	for _, l := range list {
		if strings.Contains(l, word) {
			return true
		}
	}
	return false
}

func TestKiosk_ElevenSearchesInAMinuteAreTooMany(t *testing.T) {
	env := newTestEnv(t)
	env.srv.NoKioskLimit = false
	k := env.kiosk(t)
	for i := 1; i <= 10; i++ {
		if r := k.do(t, "POST", "/kiosk/search", form("name", "Devika", "date", "14-03-2022")); r.status != 200 {
			t.Fatalf("search %d: %d %.300s", i, r.status, r.body)
		}
	}
	r := k.do(t, "POST", "/kiosk/search", form("name", "Devika", "date", "14-03-2022"))
	page := string(r.body)
	if r.status != http.StatusTooManyRequests || !strings.Contains(page, "Too many searches from this kiosk. Wait a minute.") || !strings.Contains(page, "ഒരു മിനിറ്റ്") {
		t.Fatalf("the 11th search in a minute: %d\n%s", r.status, page)
	}
	checkKioskHeaders(t, "limited", r)
	if !strings.Contains(page, `action="/kiosk/search"`) || strings.Contains(page, "/signin") {
		t.Error("the limit's message is not on the kiosk's own page")
	}
	// Opening and the status share the kiosk's budget; the API too.
	if r := k.do(t, "POST", "/kiosk/status", form("number", "KS/DEMO01/2026/BC/1")); r.status != http.StatusTooManyRequests {
		t.Errorf("a status check after the budget is spent: %d", r.status)
	}
	if r := k.do(t, "POST", "/api/v1/kiosk/search", map[string]string{"name": "Devika", "date": "14-03-2022"}); r.status != http.StatusTooManyRequests || !strings.Contains(string(r.body), "Too many searches") {
		t.Errorf("the API after the budget is spent: %d %s", r.status, r.body)
	}
	// Other kiosks at the same address have budgets of their own, but the
	// address has one too: 30 a minute, 13 of them spent above.
	statuses := map[int]int{}
	for range 3 {
		other := env.kiosk(t)
		for range 10 {
			r := other.do(t, "POST", "/kiosk/search", form("name", "Devika", "date", "14-03-2022"))
			statuses[r.status]++
			if r.status == http.StatusTooManyRequests && !strings.Contains(string(r.body), "Wait a minute") {
				t.Fatalf("the address's limit says: %s", r.body)
			}
		}
	}
	// 17 are left of the address's 30, and a few come back while the test
	// runs (one every two seconds).
	if statuses[200] < 17 || statuses[200] > 20 || statuses[429] < 10 {
		t.Errorf("30 searches from three more kiosks at the same address: %v; want 17 (and a few more) answered", statuses)
	}
}

func TestKiosk_WithoutItsCookieAKioskStartsAfresh(t *testing.T) {
	env := newTestEnv(t)
	seedBirths(t, env, kioskBirths)
	c := env.newClient(t) // never opened /kiosk
	for _, id := range []string{"", "short", "../../etc/passwd"} {
		if id != "" {
			c.hc.Jar.SetCookies(mustURL(t, env.ts.URL), []*http.Cookie{{Name: kioskCookie, Value: id, Path: "/"}})
		}
		r := c.do(t, "POST", "/kiosk/search", form("name", "Sreelakshmi", "date", "31-01-2021"))
		page := string(r.body)
		if r.status != http.StatusOK || strings.Contains(page, "Sreelakshmi") || strings.Contains(page, "k-card") || !strings.Contains(page, `action="/kiosk/search"`) {
			t.Errorf("cookie %q: %d, want the blank form\n%.2000s", id, r.status, page)
		}
		if ck := setCookie(r, kioskCookie); !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Strict") {
			t.Errorf("cookie %q: no fresh kiosk cookie: %q", id, ck)
		}
		checkKioskHeaders(t, "no cookie", r)
	}
	// Now it has one, and searches.
	if r := c.do(t, "POST", "/kiosk/search", form("name", "Sreelakshmi", "date", "31-01-2021")); r.status != http.StatusOK || !strings.Contains(string(r.body), "k-card") {
		t.Errorf("with the fresh cookie: %d", r.status)
	}
	// Its forms are protected like every other: a POST without the form's
	// token is refused.
	if r := c.send(t, "POST", "/kiosk/search", form("name", "Sreelakshmi", "date", "31-01-2021"), false); r.status != http.StatusForbidden || strings.Contains(string(r.body), "Sreelakshmi P") {
		t.Errorf("a kiosk search without the CSRF token: %d", r.status)
	}
	// A program may name itself instead; without either it is told how.
	api := env.newClient(t)
	if r := api.do(t, "POST", "/api/v1/kiosk/search", map[string]string{"name": "Sreelakshmi", "date": "31-01-2021"}); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "X-Kiosk-Id") {
		t.Errorf("API without a kiosk id: %d %s", r.status, r.body)
	}
	api = env.newClient(t)
	api.header.Set("X-Kiosk-Id", "front-hall-kiosk-0001")
	if r := api.do(t, "POST", "/api/v1/kiosk/search", map[string]string{"name": "Sreelakshmi", "date": "31-01-2021"}); r.status != http.StatusOK || !strings.Contains(string(r.body), "Sreelakshmi P•••") {
		t.Errorf("API with X-Kiosk-Id: %d %s", r.status, r.body)
	}
}

func TestKiosk_ApplicationStatusByNumber(t *testing.T) {
	env := newTestEnv(t)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	r := env.signIn(t, citizenA).do(t, "POST", "/api/v1/applications", birthWith())
	var f fileJSON
	r.json(t, &f)
	k := env.kiosk(t)

	r = k.do(t, "POST", "/kiosk/status", form("number", f.Number))
	page := string(r.body)
	checkKioskHeaders(t, "status", r)
	if r.status != http.StatusOK || !strings.Contains(page, f.Number) || !strings.Contains(page, "In progress") || !strings.Contains(page, "നടപടിയിൽ") {
		t.Fatalf("status: %d\n%s", r.status, page)
	}
	for _, private := range []string{"Anagha", "Anitha", "Lakshmi", "9847000001"} {
		if strings.Contains(page, private) {
			t.Errorf("the status shows %q", private)
		}
	}
	personalInURL(t, "status", page, f.Number)
	r = k.do(t, "POST", "/kiosk/status", form("number", ""))
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `aria-describedby="k-app-err"`) {
		t.Errorf("status without a number: %d", r.status)
	}
	r = k.do(t, "POST", "/kiosk/status", form("number", "KS/DEMO01/1999/BC/9"))
	if r.status != http.StatusNotFound {
		t.Errorf("status of no application: %d", r.status)
	}
	var st struct {
		Number, Status string
	}
	k.header.Set("X-Kiosk-Id", "front-hall-kiosk-0001")
	r = k.do(t, "POST", "/api/v1/kiosk/status", map[string]string{"number": f.Number})
	r.json(t, &st)
	if r.status != 200 || st.Number != f.Number || st.Status != "in_progress" {
		t.Errorf("API status: %d %s", r.status, r.body)
	}
	var checked int
	evs, _ := env.app.Store.ReadLog(1, 0)
	for _, ev := range evs {
		if ev.Type == "kiosk.status_checked" {
			checked++
		}
	}
	if checked != 3 { // the one without a number was not a check
		t.Errorf("%d status checks in the log, want 3", checked)
	}
}

// TestKiosk_PagesAreBilingualAndLabelled: every kiosk page shows its words
// in both languages, labels every input, and has no site menu or sign-in.
func TestKiosk_PagesAreBilingualAndLabelled(t *testing.T) {
	env := newTestEnv(t)
	k := env.kiosk(t)
	page := string(k.do(t, "GET", "/kiosk", nil).body)
	for _, want := range []string{"Find a certificate", "സർട്ടിഫിക്കറ്റ് കണ്ടെത്തുക", "Date of the birth, death or marriage", "inputmode=\"numeric\"",
		"DD-MM-YYYY", "This screen clears itself after a minute without use.", `data-idle-ms="60000"`, `/static/kiosk.js`, `name="_csrf"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the blank kiosk page lacks %q", want)
		}
	}
	for _, not := range []string{"/signin", "/signup", `class="menu"`, "/office"} {
		if strings.Contains(page, not) {
			t.Errorf("the kiosk page has %q", not)
		}
	}
	ids := regexp.MustCompile(`<input id="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(ids) < 5 {
		t.Fatalf("only %d labelled inputs", len(ids))
	}
	for _, id := range ids {
		label := regexp.MustCompile(`<label for="` + id[1] + `">(.*?)</label>`).FindStringSubmatch(page)
		if label == nil || !strings.Contains(label[1], `lang="ml"`) || !strings.Contains(label[1], `class="en"`) {
			t.Errorf("input %s has no label in both languages", id[1])
		}
	}
	if r := k.do(t, "GET", "/kiosk", nil); r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the blank form may be cached: %q", r.header.Get("Cache-Control"))
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
