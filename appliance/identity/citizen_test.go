package identity_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
)

func TestSignUp_CodeArrivesInTheInboxAndVerifies(t *testing.T) {
	svc, _ := newService(t)
	u, err := svc.SignUp(identity.SignUp{Contact: "+91 98470 12345", Name: "രാജേഷ് നായർ", Password: "kerala-2026!"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Login != "+919847012345" || u.Phone != u.Login || u.Verified || u.Kind != identity.KindCitizen || len(u.Roles) != 1 || u.Roles[0] != domain.RoleCitizen {
		t.Fatalf("new citizen = %+v", u)
	}
	got, err := svc.Authenticate("9847012345", "kerala-2026!")
	if !errors.Is(err, identity.ErrNotVerified) || got.ID != u.ID || domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("signing in before verifying: %+v %v, want ErrNotVerified with the user", got, err)
	}
	msgs, _ := messaging.Inbox(svc.Store, u.ID, 0)
	if len(msgs) != 1 || msgs[0].Kind != messaging.KindVerificationCode || msgs[0].Subject.Ml == "" {
		t.Fatalf("inbox = %+v", msgs)
	}
	code := latestCode(t, svc.Store, u.ID)
	if err := svc.Verify(u.ID, code[:3]+" "+code[3:]); err != nil {
		t.Fatalf("Verify with the code from the inbox: %v", err)
	}
	if got, err := svc.Authenticate("09847012345", "kerala-2026!"); err != nil || !got.Verified || got.Actor().IsStaff() {
		t.Fatalf("signing in after verifying: %+v %v", got, err)
	}
	if err := svc.Verify(u.ID, code); err != nil {
		t.Fatalf("verifying again should do nothing: %v", err)
	}
	for _, typ := range []string{"citizen.signed_up", "citizen.code_sent", "citizen.verified", "user.logged_in"} {
		if evs := events(t, svc.Store, typ); len(evs) != 1 || evs[0].Actor != u.ID {
			t.Errorf("%s events = %+v, want one by the citizen", typ, evs)
		}
	}
}

func TestSignUp_ByEmailAndEveryProblemListed(t *testing.T) {
	svc, _ := newService(t)
	u, err := svc.SignUp(identity.SignUp{Contact: " Rajesh.Nair@Example.COM ", Name: "Rajesh Nair", Password: "a long passphrase"})
	if err != nil || u.Login != "rajesh.nair@example.com" || u.Email != u.Login || u.Phone != "" {
		t.Fatalf("sign-up by e-mail = %+v %v", u, err)
	}
	for _, c := range []struct {
		name string
		in   identity.SignUp
		want []string
	}{
		{"all wrong", identity.SignUp{Contact: "12345", Name: "R2D2", Password: "1234567890"}, []string{"contact", "name", "password"}},
		{"bad e-mail", identity.SignUp{Contact: "rajesh@", Name: "Rajesh", Password: "short"}, []string{"contact", "password"}},
		{"password is the phone", identity.SignUp{Contact: "9847012345", Name: "Rajesh", Password: "+919847012345"}, []string{"password"}},
		{"nothing", identity.SignUp{}, []string{"contact", "name", "password"}},
	} {
		_, err := svc.SignUp(c.in)
		wantCode(t, c.name, err, domain.EINVALID)
		fields := err.(*domain.Error).Fields
		for _, f := range c.want {
			if fields[f].En == "" || fields[f].Ml == "" {
				t.Errorf("%s: no bilingual problem for %s in %v", c.name, f, fields)
			}
		}
		if len(fields) != len(c.want) {
			t.Errorf("%s: problems %v, want only %v", c.name, fields, c.want)
		}
	}
}

func TestVerify_FiveWrongCodesInvalidateIt(t *testing.T) {
	svc, clk := newService(t)
	u, _ := svc.SignUp(identity.SignUp{Contact: "9847012345", Name: "Rajesh", Password: "a good password"})
	code := latestCode(t, svc.Store, u.ID)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for left := 4; left >= 1; left-- {
		err := svc.Verify(u.ID, wrong)
		wantCode(t, "wrong code", err, domain.EINVALID, "not correct", fmt.Sprint(left)+" tries left")
	}
	wantCode(t, "fifth wrong code", svc.Verify(u.ID, wrong), domain.EINVALID, "5 times", "new code")
	wantCode(t, "the right code after five wrong ones", svc.Verify(u.ID, code), domain.EINVALID, "5 times", "new code")
	wantCode(t, "not six digits", svc.Verify(u.ID, "12ab"), domain.EINVALID, "6-digit")

	clk.Add(time.Minute)
	if err := svc.ResendCode(u.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Verify(u.ID, latestCode(t, svc.Store, u.ID)); err != nil {
		t.Fatalf("a new code after the old one was used up: %v", err)
	}
}

func TestVerify_ExpiredCodeSaysSo(t *testing.T) {
	svc, clk := newService(t)
	u, _ := svc.SignUp(identity.SignUp{Contact: "9847012345", Name: "Rajesh", Password: "a good password"})
	code := latestCode(t, svc.Store, u.ID)
	clk.Add(10*time.Minute + time.Second)
	wantCode(t, "an 11-minute-old code", svc.Verify(u.ID, code), domain.EINVALID, "expired", "new code")
	if got, _ := svc.Get(u.ID); got.Verified {
		t.Fatal("verified with an expired code")
	}
}

func TestResendCode_AtMostOneAMinute(t *testing.T) {
	svc, clk := newService(t)
	u, _ := svc.SignUp(identity.SignUp{Contact: "9847012345", Name: "Rajesh", Password: "a good password"})
	first := latestCode(t, svc.Store, u.ID)
	clk.Add(20 * time.Second)
	wantCode(t, "resend after 20s", svc.ResendCode(u.ID), domain.ERATELIMIT, "wait 40 seconds")
	clk.Add(40 * time.Second)
	if err := svc.ResendCode(u.ID); err != nil {
		t.Fatalf("resend after a minute: %v", err)
	}
	second := latestCode(t, svc.Store, u.ID)
	if msgs, _ := messaging.Inbox(svc.Store, u.ID, 0); len(msgs) != 2 {
		t.Fatalf("inbox holds %d messages, want 2 codes", len(msgs))
	}
	if first != second {
		if err := svc.Verify(u.ID, first); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("the replaced code still works: %v", err)
		}
	}
	if err := svc.Verify(u.ID, second); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "resend when verified", svc.ResendCode(u.ID), domain.ECONFLICT, "verified already")
}

func TestSignUp_AgainBeforeVerifyingResendsAfterVerifyingConflicts(t *testing.T) {
	svc, clk := newService(t)
	u, _ := svc.SignUp(identity.SignUp{Contact: "9847012345", Name: "Rajesh", Password: "first password"})
	_, err := svc.SignUp(identity.SignUp{Contact: "09847012345", Name: "Rajesh N", Password: "second password"})
	wantCode(t, "sign up again at once", err, domain.ERATELIMIT, "enter it, or wait")

	clk.Add(2 * time.Minute) // the person lost the first code
	again, err := svc.SignUp(identity.SignUp{Contact: "+919847012345", Name: "Rajesh N", Password: "second password"})
	if err != nil || again.ID != u.ID || again.Name != "Rajesh N" {
		t.Fatalf("sign up again before verifying = %+v %v, want the same account", again, err)
	}
	if msgs, _ := messaging.Inbox(svc.Store, u.ID, 0); len(msgs) != 2 {
		t.Fatalf("inbox holds %d messages, want a second code", len(msgs))
	}
	if err := svc.Verify(u.ID, latestCode(t, svc.Store, u.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate("9847012345", "second password"); err != nil {
		t.Fatalf("the latest sign-up's password: %v", err)
	}
	_, err = svc.SignUp(identity.SignUp{Contact: "98470 12345", Name: "Someone Else", Password: "third password"})
	wantCode(t, "sign up with a verified phone", err, domain.ECONFLICT, "An account with this mobile number already exists; sign in or reset your password")
	if list, _ := svc.List(identity.KindCitizen); len(list) != 1 {
		t.Fatalf("citizens = %+v", list)
	}
}

func TestPreferences_CitizenChoosesLanguageAndChannelsCheckedFieldByField(t *testing.T) {
	s, _ := newService(t)
	u, err := s.SignUp(identity.SignUp{Contact: "9847012345", Name: "Anagha", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if p := u.Preferences(); p.Language != "ml" || !slices.Equal(p.Channels, []string{"whatsapp"}) {
		t.Fatalf("defaults: %+v; want Malayalam and WhatsApp on the phone signed up with", p)
	}
	_, err = s.SetPreferences(u.ID, identity.Preferences{Language: "fr", Channels: []string{"email", "pigeon"}, Phone: u.Phone})
	var de *domain.Error
	if !errors.As(err, &de) || de.Fields["language"].En == "" || de.Fields["channels"].En == "" {
		t.Fatalf("bad preferences: %v", err)
	}
	if _, err := s.SetPreferences(u.ID, identity.Preferences{Language: "en", Channels: []string{"email"}, Phone: u.Phone}); !errors.As(err, &de) || de.Fields["email"].En == "" {
		t.Fatalf("e-mail chosen without an address: %v", err)
	}
	if _, err := s.SetPreferences(u.ID, identity.Preferences{Language: "en", Channels: nil, Phone: "9847099999"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("changing the login phone: %v", err)
	}
	got, err := s.SetPreferences(u.ID, identity.Preferences{Language: "en", Channels: []string{"email", "sms"}, Email: "Anagha@Example.in", Phone: u.Phone})
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Preferences(); p.Language != "en" || p.Email != "anagha@example.in" || !slices.Equal(p.Channels, []string{"email", "sms"}) {
		t.Fatalf("after choosing: %+v", p)
	}
	// In-app only is a choice too, and survives a reload.
	s.SetPreferences(u.ID, identity.Preferences{Language: "en", Channels: []string{}, Phone: u.Phone})
	if again, _ := s.Get(u.ID); len(again.Preferences().Channels) != 0 {
		t.Fatalf("in-app only did not stick: %+v", again.Preferences())
	}
}
