package identity_test

import (
	"fmt"
	"testing"
	"time"

	"ksmart/appliance/domain"
)

func TestAuthenticate_BacksOffPerLoginFromOneNetworkSoAStrangerCannotLockAnOfficerOut(t *testing.T) {
	svc, clk := newService(t)
	u, otp := addClerk(t, svc, "anitha")
	const stranger, office = "203.0.113.7", "10.0.0.15"
	fail := func(what, login string) error {
		t.Helper()
		_, err := svc.AuthenticateFrom(login, "not the password", stranger)
		wantCode(t, what, err, domain.EUNAUTHENTICATED, "login or password is not correct")
		return err
	}
	waits := func(what, login, password, in string) error {
		t.Helper()
		// Even the right password is not checked while the key waits.
		_, err := svc.AuthenticateFrom(login, password, stranger)
		wantCode(t, what, err, domain.ERATELIMIT, "Too many failed sign-ins from your connection", "("+in+")")
		return err
	}
	for i := 1; i <= 5; i++ {
		fail("failure", "anitha")
		fail("failure of a login with no account", "nobody-here")
	}
	real := waits("after 5 failures", "anitha", otp, "1 minute")
	unknown := waits("an unknown login after 5 failures", "nobody-here", "whatever", "1 minute")
	if real.Error() != unknown.Error() || real.(*domain.Error).MessageML != unknown.(*domain.Error).MessageML {
		t.Fatalf("a real and an unknown login answer differently when they wait:\n%v\n%v", real, unknown)
	}
	// The officer, from their own desk, is not locked out.
	if _, err := svc.AuthenticateFrom("anitha", otp, office); err != nil {
		t.Fatalf("the officer from the office while a stranger fails: %v", err)
	}
	clk.Add(30 * time.Second)
	waits("half a minute later", "anitha", otp, "30 seconds")
	clk.Add(31 * time.Second)
	fail("6th failure, after the first wait", "anitha")
	waits("after the 6th failure", "anitha", otp, "2 minutes")
	clk.Add(2*time.Minute + time.Second)
	if _, err := svc.AuthenticateFrom("anitha", otp, stranger); err != nil {
		t.Fatalf("the right password after the wait ran out: %v", err)
	}
	for i := 1; i <= 4; i++ {
		fail("failure after a success", "anitha")
	}
	if _, err := svc.AuthenticateFrom("anitha", otp, stranger); err != nil {
		t.Fatalf("4 failures after a success must not make anyone wait: %v", err)
	}
	// One network trying many logins is slowed as a whole.
	for i := range 20 {
		svc.AuthenticateFrom(fmt.Sprintf("guess-%d", i), "whatever", stranger)
	}
	waits("a network after 20 failures over many logins", "someone-new", "whatever", "1 minute")
	if _, err := svc.AuthenticateFrom("anitha", otp, office); err != nil {
		t.Fatalf("another network while one is slowed: %v", err)
	}
	if got, _ := svc.Get(u.ID); !got.LockedUntil.IsZero() || got.Locked(clk.Now()) {
		t.Fatalf("the account itself is locked: %+v", got.LockedUntil)
	}
	if n := len(events(t, svc.Store, "user.login_failed")); n != 10 {
		t.Fatalf("%d user.login_failed events, want 10 (the real account's failures)", n)
	}
}

func TestAuthenticate_UnknownLoginAndWrongPasswordLookTheSame(t *testing.T) {
	svc, _ := newService(t)
	addClerk(t, svc, "anitha")
	signUpVerified(t, svc, "9847012345", "a good password")
	before := svc.Store.LastSeq()
	_, unknown := svc.Authenticate("nobody", "whatever password")
	_, badPhone := svc.Authenticate("+91 98470 99999", "whatever password")
	_, malformed := svc.Authenticate("@@@", "whatever password")
	if svc.Store.LastSeq() != before {
		t.Fatal("a sign-in with an unknown login wrote events")
	}
	_, wrong := svc.Authenticate("anitha", "whatever password")
	_, wrongCitizen := svc.Authenticate("098470 12345", "whatever password")
	for _, err := range []error{unknown, badPhone, malformed, wrongCitizen} {
		if domain.ErrorCode(err) != domain.ErrorCode(wrong) || err.Error() != wrong.Error() || err.(*domain.Error).MessageML != wrong.(*domain.Error).MessageML {
			t.Fatalf("unknown login %v differs from wrong password %v", err, wrong)
		}
	}
	if got, err := svc.Authenticate("+91-98470-12345", "a good password"); err != nil || got.Login != "+919847012345" {
		t.Fatalf("citizen signing in with another spelling of the phone: %+v %v", got, err)
	}
}
