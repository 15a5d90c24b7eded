package identity_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"ksmart/appliance/identity"
	"ksmart/store"
)

// site is a tiny web front on the identity service, so sessions make a
// real cookie round trip through scs.
type site struct {
	svc *identity.Service
	sm  *scs.SessionManager
	srv *httptest.Server
}

func newSite(t *testing.T, svc *identity.Service) *site {
	t.Helper()
	st := &site{svc: svc, sm: identity.NewSessionManager(svc.Store, false)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		u, err := svc.Authenticate(r.FormValue("login"), r.FormValue("password"))
		if err == nil {
			err = svc.SignIn(r.Context(), st.sm, u)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "signed in")
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		u, ok := svc.CurrentUser(r.Context(), st.sm)
		if !ok {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, u.Login)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := svc.SignOut(r.Context(), st.sm); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	st.srv = httptest.NewServer(st.sm.LoadAndSave(mux))
	t.Cleanup(st.srv.Close)
	return st
}

// browser is one device with its own cookie jar.
type browser struct {
	t      *testing.T
	site   *site
	client *http.Client
}

func (st *site) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, site: st, client: &http.Client{Jar: jar}}
}

func (b *browser) do(method, path string, form url.Values) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.site.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func (b *browser) signIn(login, password string) {
	b.t.Helper()
	if code, body := b.do("POST", "/login", url.Values{"login": {login}, "password": {password}}); code != 200 {
		b.t.Fatalf("sign in as %s: %d %s", login, code, body)
	}
}

func (b *browser) me() string {
	b.t.Helper()
	code, body := b.do("GET", "/me", nil)
	if code != 200 {
		return ""
	}
	return body
}

func (b *browser) token() string {
	u, _ := url.Parse(b.site.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == identity.SessionCookie {
			return c.Value
		}
	}
	return ""
}

func TestSignOutEverywhere_EndsAnExistingSession(t *testing.T) {
	svc, _ := newService(t)
	u := signUpVerified(t, svc, "9847012345", "a good password")
	st := newSite(t, svc)
	phone, laptop, stranger := st.browser(t), st.browser(t), st.browser(t)
	phone.signIn("9847012345", "a good password")
	laptop.signIn("+91 98470 12345", "a good password")
	if phone.me() != "+919847012345" || laptop.me() != "+919847012345" || stranger.me() != "" {
		t.Fatalf("before: phone %q, laptop %q, stranger %q", phone.me(), laptop.me(), stranger.me())
	}
	if err := svc.SignOutEverywhere(u.ID); err != nil {
		t.Fatal(err)
	}
	if phone.me() != "" || laptop.me() != "" {
		t.Fatalf("after SignOutEverywhere: phone %q, laptop %q still signed in", phone.me(), laptop.me())
	}
	phone.signIn("9847012345", "a good password")
	if phone.me() != "+919847012345" || laptop.me() != "" {
		t.Fatalf("signing in again: phone %q, laptop %q", phone.me(), laptop.me())
	}
	phone.do("POST", "/logout", nil)
	if phone.me() != "" {
		t.Fatal("still signed in after SignOut")
	}
}

func TestResetPassword_EndsSessions(t *testing.T) {
	svc, _ := newService(t)
	u, otp := addClerk(t, svc, "anitha")
	st := newSite(t, svc)
	desk := st.browser(t)
	desk.signIn("anitha", otp)
	if desk.me() != "anitha" {
		t.Fatal("not signed in")
	}
	newOTP, err := svc.ResetPassword(admin, u.ID)
	if err != nil || newOTP == otp {
		t.Fatalf("ResetPassword = %q %v", newOTP, err)
	}
	if desk.me() != "" {
		t.Fatal("the session outlived a password reset")
	}
	if _, err := svc.Authenticate("anitha", otp); err == nil {
		t.Fatal("the old password still works after a reset")
	}
	desk.signIn("anitha", newOTP)
	if got, _ := svc.Get(u.ID); desk.me() != "anitha" || !got.MustChangePassword {
		t.Fatalf("after signing in with the new one-time password: %q %+v", desk.me(), got)
	}
	// Disabling ends the session too.
	if err := svc.Disable(admin, u.ID, "left the office"); err != nil {
		t.Fatal(err)
	}
	if desk.me() != "" {
		t.Fatal("a disabled user is still signed in")
	}
}

func TestSessionStore_DocsAreKeyedByAHashOfTheTokenAndExpire(t *testing.T) {
	svc, _ := newService(t)
	_, otp := addClerk(t, svc, "anitha")
	st := newSite(t, svc)
	desk := st.browser(t)
	desk.signIn("anitha", otp)
	token := desk.token()
	if len(token) < 20 {
		t.Fatalf("session cookie %q", token)
	}
	sum := sha256.Sum256([]byte(token))
	var ids []string
	svc.Store.View(func(tx *store.Tx) error {
		return tx.Scan("session", store.ScanOptions{}, func(id string, raw []byte) error {
			ids = append(ids, id)
			if bytes.Contains(raw, []byte(token)) {
				t.Errorf("session document holds the token: %s", raw)
			}
			return nil
		})
	})
	if len(ids) != 1 || ids[0] != hex.EncodeToString(sum[:]) {
		t.Fatalf("session ids %v, want only the SHA-256 of the token", ids)
	}
	db, err := os.ReadFile(svc.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(db, []byte(token)) {
		t.Fatal("the data file holds a live session token")
	}
	for _, ev := range events(t, svc.Store, "") {
		if ev.Entity == "session" {
			t.Fatalf("a session wrote an event: %+v", ev)
		}
	}

	ss := st.sm.Store.(*identity.SessionStore)
	if _, found, _ := ss.Find(token); !found {
		t.Fatal("Find does not find the live session")
	}
	if n, err := ss.Sweep(); n != 0 || err != nil {
		t.Fatalf("Sweep removed %d live sessions (%v)", n, err)
	}
	ss.Now = func() time.Time { return time.Now().Add(identity.SessionLifetime + time.Minute) }
	if _, found, _ := ss.Find(token); found {
		t.Fatal("an expired session is found")
	}
	if n, err := ss.Sweep(); n != 1 || err != nil {
		t.Fatalf("Sweep removed %d expired sessions (%v), want 1", n, err)
	}
	ss.Now = nil
	if desk.me() != "" {
		t.Fatal("a swept session still signs in")
	}
	if err := ss.Delete("no such token"); err != nil {
		t.Fatalf("deleting a missing session: %v", err)
	}
}

func TestSignIn_RefusesUnverifiedCitizens(t *testing.T) {
	svc, _ := newService(t)
	u, err := svc.SignUp(identity.SignUp{Contact: "9847012345", Name: "Rajesh", Password: "a good password"})
	if err != nil {
		t.Fatal(err)
	}
	st := newSite(t, svc)
	b := st.browser(t)
	if code, body := b.do("POST", "/login", url.Values{"login": {"9847012345"}, "password": {"a good password"}}); code != 401 || !strings.Contains(body, "Verify your mobile number") {
		t.Fatalf("unverified sign-in: %d %s", code, body)
	}
	ctx, _ := st.sm.Load(t.Context(), "")
	if err := svc.SignIn(ctx, st.sm, u); !errors.Is(err, identity.ErrNotVerified) {
		t.Fatalf("SignIn of an unverified citizen: %v", err)
	}
}

func TestChangePassword_EndsOtherSessions(t *testing.T) {
	svc, _ := newService(t)
	u, otp := addClerk(t, svc, "anitha")
	st := newSite(t, svc)
	desk, home := st.browser(t), st.browser(t)
	desk.signIn("anitha", otp)
	home.signIn("anitha", otp)
	if err := svc.ChangePassword(u.ID, otp, "my own password"); err != nil {
		t.Fatal(err)
	}
	if desk.me() != "" || home.me() != "" {
		t.Fatal("sessions signed in with the old password outlived the change")
	}
	desk.signIn("anitha", "my own password")
	if desk.me() != "anitha" {
		t.Fatal("cannot sign in with the new password")
	}
}

func TestSessionCodec_EqualSessionsEncodeEquallyAndOldGobSessionsStillLoad(t *testing.T) {
	c := identity.SessionCodecForTest()
	deadline := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	values := map[string]any{"user_id": "u-7", "epoch": 3, "pending_user": "u-9"}
	a, _ := c.Encode(deadline, values)
	for range 20 {
		b, _ := c.Encode(deadline, map[string]any{"pending_user": "u-9", "epoch": 3, "user_id": "u-7"})
		if string(a) != string(b) {
			t.Fatalf("equal sessions encoded differently:\n%s\n%s", a, b)
		}
	}
	d, got, err := c.Decode(a)
	if err != nil || !d.Equal(deadline) || got["epoch"] != 3 || got["user_id"] != "u-7" {
		t.Fatalf("decode = %v %v %v", d, got, err)
	}
	old, _ := scs.GobCodec{}.Encode(deadline, map[string]any{"user_id": "u-7", "epoch": 3})
	if _, got, err := c.Decode(old); err != nil || got["user_id"] != "u-7" {
		t.Fatalf("a gob session from before: %v %v", got, err)
	}
}
