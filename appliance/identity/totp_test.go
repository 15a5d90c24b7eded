package identity_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/store"
)

// TestTOTP_StaffSetUpSignInWithAppCodesAndOneTimeRecoveryCodes walks a
// secretary through two-step sign-in on a settable clock: required by
// role (a clerk's is not), set up with a code from the app, each code good
// once, codes a step either side accepted and older ones refused, recovery
// codes spent once and kept only as hashes, wrong codes refused in both
// languages and slowed down, and no secret in any event.
func TestTOTP_StaffSetUpSignInWithAppCodesAndOneTimeRecoveryCodes(t *testing.T) {
	svc, clk := newService(t)
	svc.TOTPRoles = identity.DefaultTOTPRoles
	sec, _, err := svc.AddStaff(admin, identity.NewStaff{Login: "secretary", Name: "Suma P.", Roles: []domain.Role{domain.RoleSecretary}})
	if err != nil {
		t.Fatal(err)
	}
	clerk, _ := addClerk(t, svc, "anitha")
	citizen := signUpVerified(t, svc, "9847012345", "kerala-test-2026")
	if !svc.TOTPRequired(sec) || svc.TOTPRequired(clerk) || svc.TOTPRequired(citizen) {
		t.Fatalf("required: secretary %v, clerk %v, citizen %v", svc.TOTPRequired(sec), svc.TOTPRequired(clerk), svc.TOTPRequired(citizen))
	}
	if _, err := svc.VerifyTOTP(sec.ID, "123456", "203.0.113.5"); domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
		t.Fatalf("a code before set-up: %v", err)
	}

	setup, err := svc.BeginTOTP(sec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(setup.URL, "otpauth://totp/") || !strings.Contains(setup.URL, "secret="+setup.Secret) {
		t.Fatalf("set-up URL %q", setup.URL)
	}
	clk.Add(time.Minute)
	if again, _ := svc.BeginTOTP(sec.ID); again.Secret != setup.Secret {
		t.Fatalf("a reloaded set-up page shows a new secret")
	}
	wrong := "000000"
	if identity.TOTPCode(setup.Secret, clk.Now()) == wrong {
		wrong = "111111"
	}
	_, err = svc.ConfirmTOTP(sec.ID, wrong)
	wantCode(t, "confirm with a wrong code", err, domain.EUNAUTHENTICATED, "not correct")
	if u, _ := svc.Get(sec.ID); !u.TwoStep.IsZero() {
		t.Fatalf("a wrong code set two-step sign-in up")
	}
	codes, err := svc.ConfirmTOTP(sec.ID, identity.TOTPCode(setup.Secret, clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	shape := regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`)
	if len(codes) != 10 || len(slices.Compact(slices.Sorted(slices.Values(codes)))) != 10 || !shape.MatchString(codes[0]) {
		t.Fatalf("recovery codes %v", codes)
	}
	if u, _ := svc.Get(sec.ID); u.TwoStep.IsZero() || u.TOTP != nil || u.TOTPPending != nil {
		t.Fatalf("after set-up: two_step %v, secrets leave the package: %v %v", u.TwoStep, u.TOTP, u.TOTPPending)
	}

	// The code that confirmed the set-up is spent.
	_, err = svc.VerifyTOTP(sec.ID, identity.TOTPCode(setup.Secret, clk.Now()), "203.0.113.5")
	wantCode(t, "the set-up code again", err, domain.EUNAUTHENTICATED, "used already")
	clk.Add(30 * time.Second)
	code := identity.TOTPCode(setup.Secret, clk.Now())
	if _, err := svc.VerifyTOTP(sec.ID, code, "203.0.113.5"); err != nil {
		t.Fatalf("the next code: %v", err)
	}
	_, err = svc.VerifyTOTP(sec.ID, code, "198.51.100.1")
	wantCode(t, "the same code within its window, from elsewhere", err, domain.EUNAUTHENTICATED, "used already")
	// A phone 30 s ahead is accepted; a code 90 s old is not.
	clk.Add(30 * time.Second)
	if _, err := svc.VerifyTOTP(sec.ID, identity.TOTPCode(setup.Secret, clk.Now().Add(30*time.Second)), ""); err != nil {
		t.Fatalf("a code one step ahead: %v", err)
	}
	clk.Add(5 * time.Minute)
	_, err = svc.VerifyTOTP(sec.ID, identity.TOTPCode(setup.Secret, clk.Now().Add(-90*time.Second)), "")
	wantCode(t, "a code 90 s old", err, domain.EUNAUTHENTICATED, "not correct")

	// Recovery codes: typed loosely, good once.
	left, err := svc.VerifyTOTP(sec.ID, " "+strings.ToUpper(codes[3])+" ", "")
	if err != nil || left != 9 {
		t.Fatalf("a recovery code: %d left, %v", left, err)
	}
	_, err = svc.VerifyTOTP(sec.ID, codes[3], "")
	wantCode(t, "a spent recovery code", err, domain.EUNAUTHENTICATED, "not correct")

	// Secrets at rest: the recovery codes only as hashes; events hold neither.
	var raw []byte
	svc.Store.View(func(tx *store.Tx) error {
		var doc json.RawMessage
		err := tx.Get("user", sec.ID, &doc)
		raw = doc
		return err
	})
	for _, c := range codes {
		if bytes.Contains(raw, []byte(c)) {
			t.Fatalf("a recovery code is stored in clear")
		}
	}
	for _, ev := range events(t, svc.Store, "") {
		if bytes.Contains(ev.Data, []byte(setup.Secret)) || bytes.Contains(ev.Data, []byte(codes[0])) {
			t.Fatalf("event %s holds a secret: %s", ev.Type, ev.Data)
		}
	}
	if n := len(events(t, svc.Store, identity.EventUserTOTPFailed.Name)); n != 4 {
		t.Errorf("%d failed second steps recorded, want 4", n)
	}

	// Guessing is slowed: after five wrong codes from one address even the
	// right one waits, from that address.
	for range 5 {
		svc.VerifyTOTP(sec.ID, wrong, "192.0.2.44")
	}
	clk.Add(30 * time.Second)
	_, err = svc.VerifyTOTP(sec.ID, identity.TOTPCode(setup.Secret, clk.Now()), "192.0.2.44")
	wantCode(t, "the right code after five wrong ones", err, domain.ERATELIMIT, "Too many failed sign-ins")
	clk.Add(61 * time.Second)
	if _, err := svc.VerifyTOTP(sec.ID, identity.TOTPCode(setup.Secret, clk.Now()), "192.0.2.44"); err != nil {
		t.Fatalf("after the wait: %v", err)
	}

	// A clerk may set it up too, and then must use it.
	s2, _ := svc.BeginTOTP(clerk.ID)
	if _, err := svc.ConfirmTOTP(clerk.ID, identity.TOTPCode(s2.Secret, clk.Now())); err != nil {
		t.Fatal(err)
	}
	if c, _ := svc.Get(clerk.ID); !svc.TOTPRequired(c) {
		t.Fatalf("a clerk who set up two-step sign-in need not use it")
	}
	if _, err := svc.BeginTOTP(citizen.ID); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("a citizen set up TOTP: %v", err)
	}
}

// TestTOTP_AnAdministratorResetsALostPhoneWithAReasonTheLogKeeps: only an
// administrator, with a reason, never on their own account or a
// citizen's; every session of the staff member ends and the next sign-in
// sets up a new secret.
func TestTOTP_AnAdministratorResetsALostPhoneWithAReasonTheLogKeeps(t *testing.T) {
	svc, clk := newService(t)
	svc.TOTPRoles = identity.DefaultTOTPRoles
	sec, _, _ := svc.AddStaff(admin, identity.NewStaff{Login: "secretary", Name: "Suma P.", Roles: []domain.Role{domain.RoleSecretary}})
	setup, _ := svc.BeginTOTP(sec.ID)
	if _, err := svc.ConfirmTOTP(sec.ID, identity.TOTPCode(setup.Secret, clk.Now())); err != nil {
		t.Fatal(err)
	}
	before, _ := svc.Get(sec.ID)
	citizen := signUpVerified(t, svc, "9847012345", "kerala-test-2026")
	clerk := domain.Actor{ID: "u-77", Roles: []domain.Role{domain.RoleSectionClerk}}
	wantCode(t, "a clerk resets", svc.ResetTOTP(clerk, sec.ID, "lost phone"), domain.EFORBIDDEN)
	wantCode(t, "no reason", svc.ResetTOTP(admin, sec.ID, " "), domain.EINVALID)
	self := domain.Actor{ID: sec.ID, Roles: []domain.Role{domain.RoleAdmin}}
	wantCode(t, "an administrator resets their own", svc.ResetTOTP(self, sec.ID, "lost my phone"), domain.EFORBIDDEN, "another administrator")
	wantCode(t, "on a citizen", svc.ResetTOTP(admin, citizen.ID, "asked at the counter"), domain.EFORBIDDEN)
	if len(events(t, svc.Store, identity.EventUserAdminRefused.Name)) != 1 {
		t.Fatalf("the refused reset on a citizen was not recorded")
	}
	if err := svc.ResetTOTP(admin, sec.ID, "phone lost on 2 March, FIR 12/2026"); err != nil {
		t.Fatal(err)
	}
	after, _ := svc.Get(sec.ID)
	if !after.TwoStep.IsZero() || after.SessionEpoch != before.SessionEpoch+1 || !svc.TOTPRequired(after) {
		t.Fatalf("after reset: two_step %v, epoch %d→%d, still required %v", after.TwoStep, before.SessionEpoch, after.SessionEpoch, svc.TOTPRequired(after))
	}
	ev := events(t, svc.Store, identity.EventUserTOTPReset.Name)
	if len(ev) != 1 || ev[0].Actor != admin.ID || !strings.Contains(string(ev[0].Data), "FIR 12/2026") {
		t.Fatalf("reset events %+v", ev)
	}
	if again, _ := svc.BeginTOTP(sec.ID); again.Secret == setup.Secret {
		t.Fatalf("the lost phone's secret is offered again")
	}
	_, err := svc.VerifyTOTP(sec.ID, identity.TOTPCode(setup.Secret, clk.Now().Add(time.Minute)), "")
	wantCode(t, "the lost phone's code", err, domain.EUNAUTHENTICATED, "not set up")
}
