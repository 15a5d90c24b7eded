package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// searchAnswer is the body of POST /api/v1/search.
type searchAnswer struct {
	Total uint64 `json:"total"`
	Hits  []struct {
		Type, Kind, Number, Status, Date, Link string
		Title                                  struct{ En, Ml string }
		Ward                                   int
	} `json:"hits"`
	Facets map[string][]struct {
		Value string
		Count int
	} `json:"facets"`
	Index struct {
		Applied, Last uint64
		CatchingUp    bool `json:"catching_up"`
	} `json:"index"`
}

func (a searchAnswer) facet(name, value string) int {
	for _, f := range a.Facets[name] {
		if f.Value == value {
			return f.Count
		}
	}
	return 0
}

func TestOfficeSearch_RegistrarFindsRecordsAndFilesOtherStaffOnlyFiles(t *testing.T) {
	env := newTestEnv(t).withRoles(t, domain.RoleRegistrar, domain.RoleAccountant, domain.RoleKiosk)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	seedBirths(t, env, kioskBirths)
	// Thankamma applies for Anagha's birth certificate.
	env.addCitizen(t, "thankamma", "9847000077", "Thankamma Varghese")
	r := env.signIn(t, "thankamma").do(t, "POST", "/api/v1/applications", birthWith("applicant_name_en", "Thankamma Varghese", "applicant_name_ml", "തങ്കമ്മ വർഗീസ്"))
	var f fileJSON
	r.json(t, &f)
	if r.status != http.StatusCreated {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	env.indexed(t)
	registrar := env.signIn(t, "registrar")

	// A birth by another spelling of the name.
	var a searchAnswer
	r = registrar.do(t, "POST", "/api/v1/search", map[string]any{"text": "Srilakshmi"})
	r.json(t, &a)
	if r.status != 200 || a.Total != 1 || a.Hits[0].Number != "B-15/2021" || a.Hits[0].Link != "/office/registers/entry?number="+url.QueryEscape("B-15/2021") {
		t.Fatalf("registrar, Srilakshmi: %d %s", r.status, r.body)
	}
	// A file by its applicant's name, in Malayalam.
	a = searchAnswer{}
	registrar.do(t, "POST", "/api/v1/search", map[string]any{"text": "തങ്കമ്മ"}).json(t, &a)
	if a.Total != 1 || a.Hits[0].Type != "file" || a.Hits[0].Number != f.Number || a.Hits[0].Link != "/office/files/"+f.ID {
		t.Fatalf("registrar, തങ്കമ്മ: %+v", a)
	}

	// "Anagha" is in the register (two legacy births) and on the file;
	// the facets count each, and a filter narrows.
	a = searchAnswer{}
	registrar.do(t, "POST", "/api/v1/search", map[string]any{"text": "Anagha"}).json(t, &a)
	if a.Total != 3 || a.facet("type", "register") != 2 || a.facet("type", "file") != 1 || a.facet("kind", "birth") != 2 || a.facet("year", "2019") == 0 {
		t.Fatalf("registrar, Anagha: %+v", a)
	}
	a = searchAnswer{}
	registrar.do(t, "POST", "/api/v1/search", map[string]any{"text": "Anagha", "types": []string{"register"}, "years": []string{"2019"}}).json(t, &a)
	if a.Total != 1 || a.Hits[0].Number != "B-77/2019" {
		t.Fatalf("registrar, Anagha in the register of 2019: %+v", a)
	}

	// An accountant is office staff but does not read the registers: the
	// file, not the entries.
	accountant := env.signIn(t, "accountant")
	a = searchAnswer{}
	r = accountant.do(t, "POST", "/api/v1/search", map[string]any{"text": "Anagha"})
	r.json(t, &a)
	if r.status != 200 || a.Total != 1 || a.Hits[0].Type != "file" || a.facet("type", "register") != 0 {
		t.Fatalf("accountant, Anagha: %d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), "B-77/2019") || strings.Contains(string(r.body), "B-402/2001") {
		t.Fatalf("the accountant's answer names a register entry: %s", r.body)
	}
	if r := accountant.do(t, "POST", "/api/v1/search", map[string]any{"text": "Anagha", "types": []string{"register"}}); r.status != http.StatusForbidden {
		t.Errorf("accountant asking for the register: %d", r.status)
	}
	page := string(accountant.do(t, "POST", "/office/search", form("q", "Sreelakshmi")).body)
	if strings.Contains(page, "B-15/2021") || !strings.Contains(page, "Nothing found") {
		t.Errorf("the accountant's page shows a register entry:\n%s", visibleText(page))
	}

	// Citizens and kiosks do not search the office.
	for _, who := range []string{citizenA, "kiosk"} {
		c := env.signIn(t, who)
		if r := c.do(t, "POST", "/api/v1/search", map[string]any{"text": "Anagha"}); r.status != http.StatusForbidden {
			t.Errorf("%s: POST /api/v1/search %d", who, r.status)
		}
		if r := c.do(t, "POST", "/office/search", form("q", "Anagha")); r.status != http.StatusForbidden || strings.Contains(string(r.body), "B-77/2019") {
			t.Errorf("%s: POST /office/search %d", who, r.status)
		}
		if r := c.do(t, "GET", "/office/search", nil); r.status != http.StatusForbidden {
			t.Errorf("%s: GET /office/search %d", who, r.status)
		}
	}
}

func TestOfficeSearch_PageFiltersWithButtonsAndKeepsNamesOutOfURLs(t *testing.T) {
	env := newTestEnv(t).withRoles(t, domain.RoleRegistrar)
	seedBirths(t, env, kioskBirths)
	registrar := env.signIn(t, "registrar")

	// Every staff page carries the search box, which posts.
	inbox := string(registrar.do(t, "GET", "/office", nil).body)
	if !strings.Contains(inbox, `<form method="post" action="/office/search" role="search"`) {
		t.Fatal("the office menu has no search box")
	}

	r := registrar.do(t, "POST", "/office/search", form("q", "Remadevi"))
	page := string(r.body)
	text := visibleText(page)
	if r.status != 200 || !strings.Contains(text, "Found: 2") || !strings.Contains(strings.ToUpper(page), `HREF="/OFFICE/REGISTERS/ENTRY?NUMBER=B-15%2F2021"`) {
		t.Fatalf("Remadevi: %d\n%s", r.status, text)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("search results may be cached: %q", r.header.Get("Cache-Control"))
	}
	for _, want := range []string{`name="toggle" value="kind:birth"`, `name="toggle" value="year:2021"`, `name="toggle" value="type:register"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the results lack the filter button %s", want)
		}
	}
	for _, u := range []string{"q=", "Remadevi"} {
		if strings.Contains(page, `href="/office/search?`+u) || strings.Contains(page, `action="/office/search?`+u) {
			t.Errorf("the search's words are in a URL")
		}
	}

	// Turn a filter on with its button: the words and the filter stay in
	// the form; turn it off again.
	r = registrar.do(t, "POST", "/office/search", form("q", "Remadevi", "toggle", "kind:death"))
	page = string(r.body)
	if !strings.Contains(visibleText(page), "Found: 0") || !strings.Contains(page, `<input type="hidden" name="kind" value="death">`) ||
		!strings.Contains(page, `value="kind:death" class="facet" aria-pressed="true"`) {
		t.Fatalf("with the filter on:\n%s", page)
	}
	r = registrar.do(t, "POST", "/office/search", formBody(url.Values{"q": {"Remadevi"}, "kind": {"death"}, "toggle": {"kind:death"}}.Encode()))
	if !strings.Contains(visibleText(string(r.body)), "Found: 2") || strings.Contains(string(r.body), `name="kind" value="death"`) {
		t.Fatalf("with the filter off again:\n%s", visibleText(string(r.body)))
	}

	// Twenty a page, with a button to the next.
	var csv strings.Builder
	csv.WriteString(kioskBirthsHeader)
	for i := range 25 {
		csv.WriteString("B-" + itoa(500+i) + "/2023,2023-05-02,Vishnu Kalathil,,male,2023-05-01,Taluk Hospital,Sobha Kalathil,,,,\n")
	}
	seedBirths(t, env, csv.String())
	page = string(registrar.do(t, "POST", "/office/search", form("q", "Vishnu")).body)
	if strings.Count(page, `class="hit"`) != 20 || !strings.Contains(page, `name="from" value="20"`) || strings.Contains(page, "previous_page") {
		t.Fatalf("page 1 of 25: %d hits\n%s", strings.Count(page, `class="hit"`), visibleText(page))
	}
	page = string(registrar.do(t, "POST", "/office/search", form("q", "Vishnu", "from", "20")).body)
	if strings.Count(page, `class="hit"`) != 5 || !strings.Contains(page, `name="from" value="0"`) || !strings.Contains(visibleText(page), "Showing 21–25") {
		t.Fatalf("page 2 of 25: %d hits\n%s", strings.Count(page, `class="hit"`), visibleText(page))
	}

	// An empty box says what to type.
	r = registrar.do(t, "POST", "/office/search", form("q", " "))
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "Type a name, a number or some words") {
		t.Errorf("empty search: %d", r.status)
	}
}

func TestOfficeSearch_SaysWhenTheIndexIsCatchingUp(t *testing.T) {
	env := newTestEnv(t).withRoles(t, domain.RoleRegistrar)
	seedBirths(t, env, kioskBirths)
	// 2,500 events the index has not read yet.
	if _, err := env.app.Store.Write(func(tx *store.Tx) error {
		for i := range 2500 {
			if err := tx.Emit("test", store.EventType{Name: "test.filler", Version: 1}, "test", itoa(i), map[string]int{"i": i}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	registrar := env.signIn(t, "registrar")
	page := visibleText(string(registrar.do(t, "POST", "/office/search", form("q", "Sreelakshmi")).body))
	applied := env.app.Search.Applied()
	m := regexp.MustCompile(`The index is catching up: (\d+) / (\d+) events — recent records may not show yet`).FindStringSubmatch(page)
	if m == nil || m[1] != itoa(int(applied)) || atoi(m[2]) < int(applied)+2500 || !strings.Contains(page, "Found: 1") {
		t.Fatalf("the page does not say the index is %d events behind:\n%s", 2500, page)
	}
	var a searchAnswer
	registrar.do(t, "POST", "/api/v1/search", map[string]any{"text": "Sreelakshmi"}).json(t, &a)
	if !a.Index.CatchingUp || a.Index.Applied != applied {
		t.Errorf("API: %+v", a.Index)
	}
	env.indexed(t)
	if page := visibleText(string(registrar.do(t, "POST", "/office/search", form("q", "Sreelakshmi")).body)); strings.Contains(page, "catching up") {
		t.Errorf("caught up, the page still says it is catching up")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
