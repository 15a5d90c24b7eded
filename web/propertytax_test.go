package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/propertytax"
)

// taxDay is the day the property tax tests stand on: Sunday 7 December
// 2025, 10:30 in Kerala, in the second half of 2025-26.
var taxDay = time.Date(2025, 12, 7, 10, 30, 0, 0, domain.IST)

// fixtureInspector enters the tests' buildings in the register.
var fixtureInspector = domain.Actor{ID: "u-ri-fixture", Name: "Fixture Inspector", Roles: []domain.Role{domain.RoleRevenueInspector}}

// house is a 100 m² owner-occupied house in ward 5 built in 2010, every
// adjustment 0%, owned by whoever has phone: ₹1,200 a year at the 2023-24
// rate, ₹1,260 in 2024-25 and ₹1,323 in 2025-26, with 5% service cess
// (rounded to the rupee), taxed from the half-year from.
func house(number, owner, phone, from string) propertytax.Building {
	return propertytax.Building{Number: number, Ward: 5, Occupancy: "owner",
		Owners:   []propertytax.Owner{{Name: domain.T(owner, ""), Share: 100, Phone: phone}},
		Floors:   []propertytax.Floor{{Use: propertytax.UseResidential, Area: propertytax.SquareMetres(100)}},
		PlotArea: propertytax.SquareMetres(400), Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2010, TaxedFrom: from,
		Address: domain.T("Thekkedath House, Fort Road", "തെക്കേടത്ത് വീട്, ഫോർട്ട് റോഡ്")}
}

// taxEnv is a test environment on taxDay with the two citizens and the
// office roles given.
func taxEnv(t *testing.T, roles ...domain.Role) *testEnv {
	t.Helper()
	env := newTestEnvAt(t, taxDay).withRoles(t, roles...)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	env.addCitizen(t, citizenB, "9847000002", "Biju Thomas")
	return env
}

// registerHouse enters a house owned by the test user who (by their
// mobile number) in the register, taxed from the half-year from.
func registerHouse(t *testing.T, env *testEnv, who, number, from string) propertytax.Building {
	t.Helper()
	u := env.users[who]
	b, err := env.app.PropertyTax.Register(fixtureInspector, house(number, u.Name, u.Login, from))
	if err != nil {
		t.Fatalf("register %s: %v", number, err)
	}
	return b
}

// claimedHouse is registerHouse, claimed by its owner's account.
func claimedHouse(t *testing.T, env *testEnv, who, number, from string) propertytax.Building {
	t.Helper()
	b := registerHouse(t, env, who, number, from)
	if _, err := env.app.PropertyTax.Claim(env.users[who].Actor(), number); err != nil {
		t.Fatalf("claim %s as %s: %v", number, who, err)
	}
	return b
}

// The half-years of the house taxed from 2024-25/H1, on taxDay: each
// instalment, its interest at 2% a month or part on the instalment (rounded
// to the rupee: ₹13.23 → ₹13, ₹13.89 → ₹14), months overdue.
var wantHalfYears = []struct {
	period, due      string
	amount, interest domain.Paise
	months           int
}{
	{"2024-25/H1", "2024-09-30", 63000 + 3150, 15 * 1300, 15},
	{"2024-25/H2", "2025-03-31", 63000 + 3150, 9 * 1300, 9},
	{"2025-26/H1", "2025-09-30", 66150 + 3300, 3 * 1400, 3},
	{"2025-26/H2", "2026-03-31", 66150 + 3300, 0, 0},
}

func TestAPI_ABuildingWithArrearsAnswersTheContract(t *testing.T) {
	env := taxEnv(t, domain.RoleRevenueInspector, domain.RoleKiosk)
	claimedHouse(t, env, citizenA, "5/10A", "2024-25/H1")
	if _, err := env.app.PropertyTax.AccrueInterest(domain.System); err != nil {
		t.Fatal(err)
	}
	owner := env.signIn(t, citizenA)

	// The number goes URL-escaped; a small letter is the same sub-number.
	for _, path := range []string{"/api/v1/buildings/5%2F10A", "/api/v1/buildings/5%2f10a"} {
		r := owner.do(t, "GET", path, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var raw map[string]json.RawMessage
		r.json(t, &raw)
		for _, k := range []string{"number", "ward", "use", "plinth_area_m2", "annual_tax_paise", "exempt", "demands"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("GET %s: no %q in %s", path, k, r.body)
			}
		}
		var b struct {
			Number     string  `json:"number"`
			Ward       int     `json:"ward"`
			Use        string  `json:"use"`
			PlinthArea float64 `json:"plinth_area_m2"`
			AnnualTax  int64   `json:"annual_tax_paise"`
			Exempt     *bool   `json:"exempt"`
			Balance    int64   `json:"balance_paise"`
			Owners     []map[string]any
			Demands    []map[string]json.RawMessage `json:"demands"`
		}
		r.json(t, &b)
		// 2025-26: ₹1,323 tax and ₹66 cess, the two instalments' sum.
		if b.Number != "5/10A" || b.Ward != 5 || b.Use != "residential" || b.PlinthArea != 100 || b.AnnualTax != 138900 || b.Exempt == nil || *b.Exempt {
			t.Errorf("GET %s: %+v", path, b)
		}
		if strings.Contains(string(r.body), "9847000001") || strings.Contains(string(r.body), "phone") {
			t.Errorf("the API shows the owner's phone: %s", r.body)
		}
		if len(b.Demands) != len(wantHalfYears) {
			t.Fatalf("GET %s: %d demands, want %d: %s", path, len(b.Demands), len(wantHalfYears), r.body)
		}
		var total int64
		for i, w := range wantHalfYears {
			d := b.Demands[i]
			var got struct {
				Period   string `json:"period"`
				Amount   int64  `json:"amount_paise"`
				DueDate  string `json:"due_date"`
				Interest int64  `json:"interest_paise"`
				Paid     int64  `json:"paid_paise"`
				Balance  int64  `json:"balance_paise"`
				Months   int    `json:"months_overdue"`
			}
			for _, k := range []string{"period", "amount_paise", "due_date", "interest_paise", "paid_paise", "balance_paise"} {
				if _, ok := d[k]; !ok {
					t.Errorf("demand %d has no %q", i, k)
				}
			}
			data, _ := json.Marshal(d)
			json.Unmarshal(data, &got)
			want := got
			want.Period, want.DueDate, want.Amount, want.Interest, want.Paid, want.Balance, want.Months = w.period, w.due, int64(w.amount), int64(w.interest), 0, int64(w.amount+w.interest), w.months
			if got != want {
				t.Errorf("demand %d: %+v, want %+v", i, got, want)
			}
			total += got.Balance
		}
		if b.Balance != total {
			t.Errorf("balance_paise %d, the half-years' balances add up to %d", b.Balance, total)
		}
	}

	// The office reads the same; a citizen who has not claimed it gets
	// 404, as for a number nobody has: who claimed what is not told.
	if r := env.signIn(t, "revenue_inspector").do(t, "GET", "/api/v1/buildings/5%2F10A", nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `"interest_paise":19500`) {
		t.Errorf("the revenue inspector: %d %s", r.status, r.body)
	}
	other := env.signIn(t, citizenB)
	mine := other.do(t, "GET", "/api/v1/buildings/5%2F10A", nil)
	none := other.do(t, "GET", "/api/v1/buildings/5%2F999", nil)
	if mine.status != http.StatusNotFound || none.status != http.StatusNotFound {
		t.Errorf("another citizen: %d for the claimed building, %d for none; want 404 for both", mine.status, none.status)
	}
	if r := env.signIn(t, "kiosk").do(t, "GET", "/api/v1/buildings/5%2F10A", nil); r.status != http.StatusForbidden {
		t.Errorf("the kiosk: %d", r.status)
	}

	// A number that is not one is 400, naming the field in both languages.
	for _, n := range []string{"nonsense", "5%2F0", "12-345"} {
		r := owner.do(t, "GET", "/api/v1/buildings/"+n, nil)
		var e apiError
		r.json(t, &e)
		if r.status != http.StatusBadRequest || e.Fields["number"].En == "" || e.Fields["number"].Ml == "" {
			t.Errorf("GET /api/v1/buildings/%s: %d %s", n, r.status, r.body)
		}
	}
}

func TestAPI_AWardsBuildingsForTheOffice(t *testing.T) {
	env := taxEnv(t, domain.RoleSectionClerk, domain.RoleRevenueInspector, domain.RoleAccountant)
	registerHouse(t, env, citizenA, "5/10A", "2024-25/H1")
	registerHouse(t, env, citizenB, "5/3", "")
	if _, err := env.app.PropertyTax.AccrueInterest(domain.System); err != nil {
		t.Fatal(err)
	}
	clerk := env.signIn(t, "section_clerk")
	r := clerk.do(t, "GET", "/api/v1/buildings?ward=5", nil)
	var list struct {
		Buildings []map[string]json.RawMessage `json:"buildings"`
	}
	r.json(t, &list)
	if r.status != http.StatusOK || len(list.Buildings) != 2 {
		t.Fatalf("GET /api/v1/buildings?ward=5: %d %s", r.status, r.body)
	}
	var owedA int64
	for _, w := range wantHalfYears {
		owedA += int64(w.amount + w.interest)
	}
	// In number order: 5/3 before 5/10A, each with exactly its number,
	// annual tax and balance.
	want := []string{`{"annual_tax_paise":138900,"balance_paise":69450,"number":"5/3"}`,
		`{"annual_tax_paise":138900,"balance_paise":` + jsonInt(owedA) + `,"number":"5/10A"}`}
	for i, b := range list.Buildings {
		got, _ := json.Marshal(b)
		if string(got) != want[i] {
			t.Errorf("building %d: %s, want %s", i, got, want[i])
		}
	}
	for _, q := range []string{"", "?ward=", "?ward=five", "?ward=99"} {
		r := clerk.do(t, "GET", "/api/v1/buildings"+q, nil)
		var e apiError
		r.json(t, &e)
		if r.status != http.StatusBadRequest || e.Fields["ward"].En == "" || e.Fields["ward"].Ml == "" {
			t.Errorf("GET /api/v1/buildings%s: %d %s", q, r.status, r.body)
		}
	}
	if r := env.signIn(t, citizenA).do(t, "GET", "/api/v1/buildings?ward=5", nil); r.status != http.StatusForbidden {
		t.Errorf("a citizen lists a ward: %d", r.status)
	}

	// The DCB register and the defaulters agree with the list.
	r = env.signIn(t, "accountant").do(t, "GET", "/api/v1/property-tax/dcb", nil)
	var dcb struct {
		Year  string `json:"year"`
		Total struct {
			Buildings  int     `json:"buildings"`
			Defaulters int     `json:"defaulters"`
			Demand     int64   `json:"demand_paise"`
			Collected  int64   `json:"collected_paise"`
			Arrears    int64   `json:"arrears_paise"`
			Balance    int64   `json:"balance_paise"`
			Efficiency float64 `json:"collection_efficiency_percent"`
		} `json:"total"`
	}
	r.json(t, &dcb)
	if dcb.Year != "2025-26" || dcb.Total.Buildings != 2 || dcb.Total.Defaulters != 2 || dcb.Total.Balance != owedA+69450 || dcb.Total.Collected != 0 || dcb.Total.Arrears != 63000+3150+19500+63000+3150+11700 {
		t.Errorf("the DCB register: %s", r.body)
	}
	r = env.signIn(t, "revenue_inspector").do(t, "GET", "/api/v1/property-tax/defaulters?ward=5", nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `{"number":"5/10A"`) || strings.Index(string(r.body), "5/10A") > strings.Index(string(r.body), `"5/3"`) {
		t.Errorf("the defaulters, most owed first: %d %s", r.status, r.body)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestAPI_AClaimWithoutTheRegistersMobileIsToldToBringTheDeed(t *testing.T) {
	env := taxEnv(t)
	registerHouse(t, env, citizenA, "5/10A", "2025-26/H1")
	b := env.signIn(t, citizenB)
	r := b.do(t, "POST", "/api/v1/buildings/5%2F10A/claim", nil)
	var e apiError
	r.json(t, &e)
	if r.status != http.StatusForbidden || !strings.Contains(e.Message, "revenue section") || !strings.Contains(e.MessageML, "റവന്യൂ") {
		t.Fatalf("B claims A's house: %d %s", r.status, r.body)
	}
	if r := b.do(t, "GET", "/api/v1/buildings/5%2F10A", nil); r.status != http.StatusNotFound {
		t.Errorf("after the refused claim B reads the house: %d", r.status)
	}
	a := env.signIn(t, citizenA)
	r = a.do(t, "POST", "/api/v1/buildings/5%2F10A/claim", nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"number":"5/10A"`) {
		t.Fatalf("A claims their house: %d %s", r.status, r.body)
	}
	// What it owes from before the claim is now among A's payments.
	r = a.do(t, "GET", "/api/v1/demands", nil)
	if !strings.Contains(string(r.body), "Property tax 2025-26/H1") || !strings.Contains(string(r.body), "Property tax 2025-26/H2") {
		t.Errorf("A's demands after the claim: %s", r.body)
	}
}

func TestPages_TheRegisterShowsNoPhoneToACitizenAndTheOfficeSeesItAll(t *testing.T) {
	env := taxEnv(t, domain.RoleSectionClerk)
	b := registerHouse(t, env, citizenA, "5/10A", "2024-25/H1")
	if _, err := env.app.PropertyTax.AccrueInterest(domain.System); err != nil {
		t.Fatal(err)
	}
	r := env.signIn(t, citizenB).do(t, "GET", "/property-tax?number=5%2F10A", nil)
	page := string(r.body)
	for _, want := range []string{"5/10A", "Anitha Kumari", "₹1,389.00", "2024-25/H1", "₹195.00", "₹856.50", "This is mine"} {
		if !strings.Contains(page, want) {
			t.Errorf("the citizen's find page does not say %q", want)
		}
	}
	if strings.Contains(page, "9847000001") {
		t.Error("the citizen's find page shows the owner's mobile number")
	}
	r = env.signIn(t, citizenB).do(t, "GET", "/property-tax?number=5%2F999", nil)
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "There is no building 5/999") {
		t.Errorf("a number not in the register: %d", r.status)
	}

	clerk := env.signIn(t, "section_clerk")
	r = clerk.do(t, "GET", "/office/buildings/"+b.ID, nil)
	page = string(r.body)
	for _, want := range []string{"919847000001", "Secondary zone", "₹12.00", "5% × 2", "₹1,323.00", "₹66.00", "₹1,389.00", "Not linked"} {
		if !strings.Contains(page, want) {
			t.Errorf("the office's page of the building does not say %q", want)
		}
	}
	// Linking an account that is not a citizen's is refused beside the
	// field; the owner's own is linked, and the arrears become theirs.
	r = clerk.do(t, "POST", "/office/buildings/"+b.ID+"/link", formBody(url.Values{"owner": {"0"}, "user": {"section_clerk"}}.Encode()))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "No citizen") {
		t.Errorf("linking the clerk's own account: %d", r.status)
	}
	r = clerk.do(t, "POST", "/office/buildings/"+b.ID+"/link", formBody(url.Values{"owner": {"0"}, "user": {"9847000001"}}.Encode()))
	if r.status != http.StatusSeeOther {
		t.Fatalf("linking the owner: %d %s", r.status, r.body)
	}
	if owed, _ := env.app.Finance.OwedBy(env.users[citizenA].ID, 10); len(owed) != 4 {
		t.Errorf("after the link the owner has %d demands, want the 4 half-years", len(owed))
	}
	r = env.signIn(t, citizenA).do(t, "GET", "/buildings/"+b.ID+"/notice.pdf", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(string(r.body), "%PDF-") || r.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the owner's demand notice: %d %s", r.status, r.header.Get("Content-Type"))
	}
}

func TestPages_ASurveyedBuildingWithMistakesIsRefusedFieldByField(t *testing.T) {
	env := newTestEnvAt(t, taxDay).withRoles(t, domain.RoleRevenueInspector)
	ri := env.signIn(t, "revenue_inspector")
	form := url.Values{"number": {"5/40"}, "owner1_name_en": {"Mary Joseph"}, "owner1_share": {"100"}, "owner1_phone": {"9847012399"}, "occupancy": {"owner"},
		"floor1_level": {"0"}, "floor1_use": {"residential"}, "floor1_area": {"9000"}, "plot_area_sqm": {"100"}, "zone": {"secondary"}, "road": {"other_road"},
		"construction": {"rcc"}, "year_built": {"2001"}}
	r := ri.do(t, "POST", "/office/buildings", formBody(form.Encode()))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "more than 50 times the plot") || !strings.Contains(string(r.body), `aria-invalid="true"`) {
		t.Fatalf("a plinth area 90 times its plot: %d %s", r.status, r.body)
	}
	if _, err := env.app.PropertyTax.Building("5/40"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("the refused building is in the register: %v", err)
	}
	form.Set("floor1_area", "90")
	r = ri.do(t, "POST", "/office/buildings", formBody(form.Encode()))
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/office/buildings/005-000040?new=1") {
		t.Fatalf("the corrected building: %d %s", r.status, r.header.Get("Location"))
	}
	r = ri.do(t, "POST", "/office/buildings", formBody(form.Encode()))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "already in the register") {
		t.Errorf("the same number again: %d", r.status)
	}
	// The office search finds it by its owner's name, and its link opens
	// the building's page.
	env.indexed(t)
	var a searchAnswer
	ri.do(t, "POST", "/api/v1/search", map[string]any{"text": "Mary Joseph"}).json(t, &a)
	i := slices.IndexFunc(a.Hits, func(h struct {
		Type, Kind, Number, Status, Date, Link string
		Title                                  struct{ En, Ml string }
		Ward                                   int
	}) bool {
		return h.Number == "5/40"
	})
	if i < 0 {
		t.Fatalf("the office search for Mary Joseph: %+v", a)
	}
	r = ri.do(t, "GET", a.Hits[i].Link, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "Building 5/40") || !strings.Contains(string(r.body), "9847012399") {
		t.Errorf("the search's link %s: %d", a.Hits[i].Link, r.status)
	}
}

func TestPages_TheSecretaryRunsTheHalfYearsDemandJobAndSeesWhatItDid(t *testing.T) {
	env := taxEnv(t, domain.RoleSecretary, domain.RoleRevenueInspector, domain.RoleCashier)
	registerHouse(t, env, citizenA, "5/10A", "2024-25/H1")
	registerHouse(t, env, citizenB, "5/3", "")
	ri := env.signIn(t, "revenue_inspector")
	if r := ri.do(t, "POST", "/office/property-tax/demands", formBody("")); r.status != http.StatusForbidden {
		t.Errorf("the revenue inspector runs the job: %d", r.status)
	}
	if r := ri.do(t, "GET", "/office/property-tax", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/property-tax/dcb" {
		t.Errorf("the tax office's address the banner prints: %d %q", r.status, r.header.Get("Location"))
	}
	if page := string(ri.do(t, "GET", "/office/property-tax/dcb", nil).body); strings.Contains(page, "Raise the demands of") {
		t.Error("the revenue inspector is offered the job's button")
	}
	sec := env.signIn(t, "secretary")
	r := sec.do(t, "POST", "/office/property-tax/demands", formBody(""))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/office/property-tax/dcb?ran=1" {
		t.Fatalf("the secretary runs the job: %d %s", r.status, r.body)
	}
	page := visibleText(string(sec.do(t, "GET", r.header.Get("Location"), nil).body))
	// Both houses had 2025-26/H2 demanded when they were entered: the job
	// went through the register, raised nothing twice, and says so.
	for _, want := range []string{"The half-year's demands are raised", "Demands of the half-year 2025-26/H2", "Done", "Buildings 2", "Demands raised 0 · ₹0.00", "Demanded already or not taxed 2", "Raise the demands of 2025-26/H2"} {
		if !strings.Contains(page, want) {
			t.Errorf("after the job the DCB page does not say %q:\n%s", want, page)
		}
	}
	// The cashier, opening the house, is offered each half-year owed.
	b, _ := env.app.PropertyTax.Building("5/10A")
	page = string(env.signIn(t, "cashier").do(t, "GET", "/office/buildings/"+b.ID, nil).body)
	if strings.Count(page, `href="/office/cashier?q=DM`) != 4 {
		t.Errorf("the cashier is not offered the four half-years owed:\n%s", visibleText(page))
	}
}
