package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/finance/sandbox"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/module"
	"ksmart/appliance/synth"
	"ksmart/examples/noc"
)

// testPassword is every test user's password.
const testPassword = "kerala-test-2026"

// Callers of the test environment besides the staff roles.
const (
	citizenA = "citizen_a"
	citizenB = "citizen_b"
)

// testStaffRoles are the office roles the environment has one user for
// each, the kiosk included.
var testStaffRoles = []domain.Role{
	domain.RoleFrontOffice, domain.RoleSectionClerk, domain.RoleHeadClerk, domain.RoleRevenueInspector,
	domain.RoleHealthInspector, domain.RoleOverseer, domain.RoleAssistantEngineer, domain.RoleRegistrar,
	domain.RoleSecretary, domain.RoleAccountant, domain.RoleCashier, domain.RoleKiosk, domain.RoleAdmin, domain.RoleStateAuditor,
	domain.RoleAppellateAuthority,
}

// testEnv is a real appliance for the demo municipality on a temporary
// directory, served over HTTP by httptest, with users to call it as.
type testEnv struct {
	app   *appliance.Appliance
	gw    *sandbox.Gateway // the payment gateway, a sandbox on this machine
	srv   *Server
	ts    *httptest.Server
	users map[string]identity.User // by caller: citizenA, citizenB, and each staff role's name
}

// newTestEnv opens the appliance and starts the server; both are closed,
// and the store checked (bbolt pages and the log's hash chain), when the
// test ends. It has no users yet: see withStaff and addCitizen.
func newTestEnv(tb testing.TB) *testEnv {
	tb.Helper()
	return openTestEnv(tb, nil)
}

// newTestEnvAt is newTestEnv with the appliance's clock stopped at a
// moment, for figures that depend on the day (property tax's half-years
// and penal interest). The moment must be in the past: session cookies
// expire by the real clock.
func newTestEnvAt(tb testing.TB, at time.Time) *testEnv {
	tb.Helper()
	return openTestEnv(tb, func() time.Time { return at })
}

func openTestEnv(tb testing.TB, now func() time.Time) *testEnv {
	tb.Helper()
	return openTestEnvIn(tb, tb.TempDir(), func(cfg *appliance.Config) { cfg.Now = now })
}

// openTestEnvIn is newTestEnv with the data directory dir and the
// appliance's configuration adjusted by tune.
func openTestEnvIn(tb testing.TB, dir string, tune func(*appliance.Config)) *testEnv {
	tb.Helper()
	lb := synth.DemoLocalBody()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	gw, err := sandbox.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { gw.Close() })
	keys := gw.Keys
	// The example module (examples/noc) serves a three-desk service with two
	// required documents, beside the real modules.
	cfg := appliance.Config{Dir: dir, LocalBody: &lb, Logger: logger,
		Modules:  append([]module.Module{noc.Module}, appliance.Modules...),
		Payments: appliance.PaymentsConfig{Gateway: &keys, UPI: finance.UPI{VPA: "demo01@sbi", Payee: "Demo Municipality"}}}
	tune(&cfg)
	app, err := appliance.Open(cfg)
	if err != nil {
		tb.Fatalf("open appliance: %v", err)
	}
	srv, err := New(app, logger, "test", false)
	if err != nil {
		app.Close()
		tb.Fatalf("new server: %v", err)
	}
	srv.NoAuthLimit = true // tests sign many people in from one address
	app.Identity.NoThrottle = true
	// Staff sign in with their password alone, as in the demo; the
	// two-step tests turn it on.
	app.Identity.TOTPRoles = nil
	srv.NoKioskLimit = true // and search at the kiosk many times
	srv.NoReportLimit = true
	ts := httptest.NewServer(srv.Handler())
	app.PublicURL = ts.URL // certificates' QR codes point at this server
	gw.WebhookURL = ts.URL + "/webhooks/payments/paymentlinks"
	tb.Cleanup(func() {
		ts.Close()
		if _, err := app.Store.Check(); err != nil {
			tb.Errorf("store check at cleanup: %v", err)
		}
		if err := app.Close(); err != nil {
			tb.Errorf("close appliance: %v", err)
		}
	})
	// The register holds the births the tests ask certificates of, as the
	// old register would.
	rep, err := app.ImportRegister("births", strings.NewReader(legacyBirths), "test", recordRegistrar(tb, app), nil)
	if err != nil || rep.Imported != 2 {
		tb.Fatalf("legacy births: %+v %v", rep, err)
	}
	return &testEnv{app: app, gw: gw, srv: srv, ts: ts, users: map[string]identity.User{}}
}

const legacyBirths = `register_number,registration_date,child_name_en,child_name_ml,sex,date_of_birth,place_of_birth,mother_name_en,mother_name_ml,father_name_en,father_name_ml,permanent_address
B-77/2019,2019-06-20,Anagha K. R.,അനഘ കെ. ആർ.,female,2019-06-14,"General Hospital, Ernakulam",Lakshmi P.,ലക്ഷ്മി പി.,Rajan K.,രാജൻ കെ.,"Kizhakkethil House, Temple Road"
B-402/2001,2001-06-30,Anagha Menon,അനഘ മേനോൻ,female,2001-06-15,"Lakeshore Hospital, Kochi",Sreedevi Menon,ശ്രീദേവി മേനോൻ,Gopal Menon,ഗോപാൽ മേനോൻ,"Menon House, Fort Road"
`

// withStaff adds one staff user per office role (login: the role's name),
// each with testPassword in place of the one-time password, and two
// verified citizens, citizenA and citizenB.
func (env *testEnv) withStaff(tb testing.TB) *testEnv {
	tb.Helper()
	env.withRoles(tb, testStaffRoles...)
	env.addCitizen(tb, citizenA, "9847000001", "Anitha Kumari")
	env.addCitizen(tb, citizenB, "9847000002", "Biju Thomas")
	return env
}

// withRoles adds one staff user for each of roles (login: the role's
// name), with testPassword: for a test that needs only a few of them.
func (env *testEnv) withRoles(tb testing.TB, roles ...domain.Role) *testEnv {
	tb.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(roles))
	for _, r := range roles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, otp, err := env.app.Identity.AddStaff(domain.System, identity.NewStaff{Login: string(r), Name: r.Name().En + " Tester", Roles: []domain.Role{r}})
			if err == nil {
				err = env.app.Identity.ChangePassword(u.ID, otp, testPassword)
			}
			if err != nil {
				errs <- fmt.Errorf("staff %s: %w", r, err)
				return
			}
			u, _ = env.app.Identity.Get(u.ID)
			mu.Lock()
			env.users[string(r)] = u
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return env
}

var codeInMessage = regexp.MustCompile(`\b\d{6}\b`)

// addCitizen signs a citizen up with testPassword and verifies them with
// the code from their in-app message, as a person would.
func (env *testEnv) addCitizen(tb testing.TB, name, phone, fullName string) identity.User {
	tb.Helper()
	u, err := env.app.Identity.SignUp(identity.SignUp{Contact: phone, Name: fullName, Password: testPassword})
	if err != nil {
		tb.Fatalf("sign up %s: %v", name, err)
	}
	msg, ok := messaging.Latest(env.app.Store, u.ID, messaging.KindVerificationCode)
	code := codeInMessage.FindString(msg.Body.En)
	if !ok || code == "" {
		tb.Fatalf("sign up %s: no code in the in-app message %+v", name, msg)
	}
	if err := env.app.Identity.Verify(u.ID, code); err != nil {
		tb.Fatalf("verify %s: %v", name, err)
	}
	if u, err = env.app.Identity.Get(u.ID); err != nil {
		tb.Fatal(err)
	}
	env.users[name] = u
	return u
}

// client is an HTTP client of the test server with its own cookie jar,
// behaving like a program, not a browser: it sends no Sec-Fetch-Site, so it
// carries the CSRF token in the X-CSRF-Token header. It follows no
// redirects, so tests see them.
type client struct {
	env  *testEnv
	hc   *http.Client
	csrf string
	// header is added to every request.
	header http.Header
}

// newClient returns a signed-out client that has fetched its CSRF token.
func (env *testEnv) newClient(tb testing.TB) *client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{env: env, header: http.Header{}, hc: &http.Client{
		Jar:           jar,
		Transport:     env.ts.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	r := c.do(tb, http.MethodGet, "/api/v1/csrf", nil)
	var body struct{ CSRF string }
	if r.status != http.StatusOK || json.Unmarshal(r.body, &body) != nil || body.CSRF == "" {
		tb.Fatalf("GET /api/v1/csrf: %d %s", r.status, r.body)
	}
	c.csrf = body.CSRF
	return c
}

// signIn returns a client signed in through POST /api/v1/session as the
// named user ("" is a signed-out client).
func (env *testEnv) signIn(tb testing.TB, who string) *client {
	tb.Helper()
	c := env.newClient(tb)
	if who == "" {
		return c
	}
	u, ok := env.users[who]
	if !ok {
		tb.Fatalf("no test user %q", who)
	}
	if r := c.do(tb, http.MethodPost, "/api/v1/session", map[string]string{"login": u.Login, "password": testPassword}); r.status != http.StatusOK {
		tb.Fatalf("sign in as %s: %d %s", who, r.status, r.body)
	}
	return c
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v, failing the test if it cannot.
func (r *response) json(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("decode %d response %q: %v", r.status, r.body, err)
	}
}

// multipartBody is a multipart/form-data request body: fields and files
// (by part name). big, when set, is streamed as one more file part of
// that many bytes without being held in memory.
type multipartBody struct {
	fields map[string]string
	files  map[string][]byte
	big    int64
}

// rawBody is a request body sent as is with its content type.
type rawBody struct {
	contentType string
	data        []byte
}

// do sends a request. body is nil, a rawBody, a *multipartBody, a
// url.Values-encoded string with form content (formBody), or anything else,
// sent as JSON. Every write carries the CSRF token unless noCSRF.
func (c *client) do(tb testing.TB, method, path string, body any) *response {
	tb.Helper()
	return c.send(tb, method, path, body, true)
}

// formBody is an application/x-www-form-urlencoded body.
type formBody string

func (c *client) send(tb testing.TB, method, path string, body any, withCSRF bool) *response {
	tb.Helper()
	var rd io.Reader
	var ct string
	var length int64 = -1
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd, ct, length = bytes.NewReader(b.data), b.contentType, int64(len(b.data))
	case formBody:
		rd, ct, length = strings.NewReader(string(b)), "application/x-www-form-urlencoded", int64(len(b))
	case *multipartBody:
		rd, ct, length = b.reader()
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd, ct, length = bytes.NewReader(data), "application/json", int64(len(data))
	}
	req, err := http.NewRequest(method, c.env.ts.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if length >= 0 {
		req.ContentLength = length
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if withCSRF && c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the response: %v", method, path, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}
}

// reader encodes the body, returning its content type and length.
func (m *multipartBody) reader() (io.Reader, string, int64) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	for k, v := range m.fields {
		w.WriteField(k, v)
	}
	for k, data := range m.files {
		fw, _ := w.CreateFormFile(k, k+".pdf")
		fw.Write(data)
	}
	if m.big == 0 {
		w.Close()
		return &head, w.FormDataContentType(), int64(head.Len())
	}
	w.CreateFormFile("big", "big.pdf")
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	big := io.LimitReader(zeros{}, m.big)
	return io.MultiReader(bytes.NewReader(head.Bytes()), big, strings.NewReader(tail)), w.FormDataContentType(),
		int64(head.Len()) + m.big + int64(len(tail))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// tinyPDF is a minimal PDF: what a scanned document's first bytes look like.
var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// recordRegistrar returns the login of the registrar answerable for the
// test register, adding the account the first time.
func recordRegistrar(tb testing.TB, app *appliance.Appliance) string {
	tb.Helper()
	const login = "record.registrar"
	if _, err := app.Identity.ByLogin(login); err == nil {
		return login
	}
	if _, _, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: login, Name: "Suma Devi K.", Roles: []domain.Role{domain.RoleRegistrar}}); err != nil {
		tb.Fatal(err)
	}
	return login
}
