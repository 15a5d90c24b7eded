package identity_test

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/store"
	"ksmart/store/storetest"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newService returns a Service on a fresh checked store, with a clock
// standing at 10:00 IST on a Monday.
func newService(t *testing.T) (*identity.Service, *clock) {
	t.Helper()
	// Sessions (and the outbox's state) are kept outside the log, as the
	// appliance declares them; the check at cleanup verifies the rest.
	s := storetest.OpenDir(t, t.TempDir(), store.Options{LocalEntities: append(append([]string{}, identity.LocalEntities...), messaging.LocalEntities...)})
	c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, domain.IST)}
	return identity.New(s, c.Now), c
}

// admin is an office administrator acting in tests.
var admin = domain.Actor{ID: "u-test-admin", Name: "Test Admin", Roles: []domain.Role{domain.RoleAdmin}}

func addClerk(t *testing.T, svc *identity.Service, login string) (identity.User, string) {
	t.Helper()
	u, otp, err := svc.AddStaff(admin, identity.NewStaff{Login: login, Name: "Anitha K.", Roles: []domain.Role{domain.RoleSectionClerk}, Wards: []int{3}, Sections: []string{"civil"}})
	if err != nil {
		t.Fatalf("AddStaff %s: %v", login, err)
	}
	return u, otp
}

// signUpVerified opens and verifies a citizen account.
func signUpVerified(t *testing.T, svc *identity.Service, contact, password string) identity.User {
	t.Helper()
	u, err := svc.SignUp(identity.SignUp{Contact: contact, Name: "Rajesh Nair", Password: password})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if err := svc.Verify(u.ID, latestCode(t, svc.Store, u.ID)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return u
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// latestCode reads the newest one-time code from the citizen's inbox, the
// way the citizen would.
func latestCode(t *testing.T, s *store.Store, userID string) string {
	t.Helper()
	m, ok := messaging.Latest(s, userID, messaging.KindVerificationCode)
	if !ok {
		t.Fatalf("no verification code in %s's inbox", userID)
	}
	code := sixDigits.FindString(m.Body.En)
	if code == "" || !strings.Contains(m.Body.Ml, code) {
		t.Fatalf("message without a code in both languages: %+v", m)
	}
	return code
}

// wantCode fails unless err has the domain code want and, when given, a
// message containing each fragment.
func wantCode(t *testing.T, what string, err error, want string, fragments ...string) {
	t.Helper()
	if domain.ErrorCode(err) != want {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, domain.ErrorCode(err), want)
	}
	var e *domain.Error
	errors.As(err, &e)
	for _, f := range fragments {
		if !strings.Contains(e.Message, f) {
			t.Fatalf("%s: message %q does not say %q", what, e.Message, f)
		}
	}
	if e.MessageML == "" && len(e.Fields) == 0 {
		t.Fatalf("%s: message %q has no Malayalam", what, e.Message)
	}
}

// events returns the log's events of type typ ("" for all).
func events(t *testing.T, s *store.Store, typ string) []store.Event {
	t.Helper()
	all, err := s.ReadLog(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Event
	for _, ev := range all {
		if typ == "" || ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}
