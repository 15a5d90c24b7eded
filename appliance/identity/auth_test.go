package identity_test

import (
	"testing"
	"time"

	"ksmart/appliance/domain"
)

func TestAuthenticate_LocksOutAfterFiveFailuresWithBackoffAndSuccessResets(t *testing.T) {
	svc, clk := newService(t)
	u, otp := addClerk(t, svc, "anitha")
	fail := func(what string) {
		t.Helper()
		_, err := svc.Authenticate("anitha", "not the password")
		wantCode(t, what, err, domain.EUNAUTHENTICATED, "login or password is not correct")
	}
	locked := func(what string, in string) {
		t.Helper()
		// Even the right password is not checked while locked.
		_, err := svc.Authenticate("anitha", otp)
		wantCode(t, what, err, domain.ERATELIMIT, "Try again after", "(in "+in+")")
	}
	for i := 1; i <= 5; i++ {
		fail("failure")
	}
	locked("after 5 failures", "1 minute")
	clk.Add(30 * time.Second)
	locked("half a minute later", "30 seconds")
	clk.Add(31 * time.Second)
	fail("6th failure, after the first lock ran out")
	locked("after the 6th failure", "2 minutes")
	clk.Add(2*time.Minute + time.Second)
	fail("7th failure")
	locked("after the 7th failure", "4 minutes")
	clk.Add(4*time.Minute + time.Second)

	if _, err := svc.Authenticate("anitha", otp); err != nil {
		t.Fatalf("the right password after the lock ran out: %v", err)
	}
	if got, _ := svc.Get(u.ID); got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
		t.Fatalf("after a success: %d failures, locked until %v", got.FailedLogins, got.LockedUntil)
	}
	for i := 1; i <= 4; i++ {
		fail("failure after the reset")
	}
	if _, err := svc.Authenticate("anitha", otp); err != nil {
		t.Fatalf("4 failures after a success must not lock: %v", err)
	}
	if n := len(events(t, svc.Store, "user.locked")); n != 3 {
		t.Fatalf("%d user.locked events, want 3", n)
	}
	if n := len(events(t, svc.Store, "user.login_failed")); n != 11 {
		t.Fatalf("%d user.login_failed events, want 11", n)
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
