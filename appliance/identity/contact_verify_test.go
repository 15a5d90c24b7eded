package identity_test

import (
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
)

// contactCode reads the code sent to address alone, as its holder would.
func contactCode(t *testing.T, svc *identity.Service, userID, address string) string {
	t.Helper()
	m, ok := messaging.LatestTo(svc.Store, userID, address)
	if !ok {
		t.Fatalf("no code went to %s", address)
	}
	return sixDigits.FindString(m.Body.En)
}

// TestContact_AddedLaterIsUnusedUntilVerifiedByTheCodeSentToIt: a citizen
// who signed up with their mobile adds an e-mail address in their message
// settings. Until they enter the code mailed to it, that address gets no
// message, does not sign in and gets no recovery code, and the code is not
// in their inbox. Verified, it does all three; changed, the old one stops
// signing in and the new one waits for its own code. Another account's
// login cannot be added.
func TestContact_AddedLaterIsUnusedUntilVerifiedByTheCodeSentToIt(t *testing.T) {
	svc, clk := newService(t)
	const pw = "kerala-test-2026"
	u := signUpVerified(t, svc, "9847012345", pw)
	prefs := identity.Preferences{Language: "en", Channels: []string{"email", "whatsapp"}, Phone: "+919847012345", Email: "Rajesh.New@Example.com"}
	got, err := svc.SetPreferences(u.ID, prefs)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "rajesh.new@example.com" || got.ContactVerified(identity.ContactEmail) || !got.ContactVerified(identity.ContactPhone) {
		t.Fatalf("after adding an e-mail: %q verified %v", got.Email, got.ContactVerified(identity.ContactEmail))
	}
	if email, phone := got.MessageContacts(); email != "" || phone != "+919847012345" {
		t.Fatalf("messages would go to %q and %q before the e-mail is verified", email, phone)
	}
	inbox, _ := messaging.Inbox(svc.Store, u.ID, 0)
	for _, m := range inbox {
		if m.Address != "" {
			t.Fatalf("the code for the new address is in the inbox")
		}
	}
	_, err = svc.Authenticate("rajesh.new@example.com", pw)
	wantCode(t, "sign-in with the unverified e-mail", err, domain.EUNAUTHENTICATED)
	if id, err := svc.RequestRecovery("rajesh.new@example.com"); id != "" || err != nil {
		t.Fatalf("a recovery code went out for an unverified e-mail: %q %v", id, err)
	}

	code := contactCode(t, svc, u.ID, "rajesh.new@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	wantCode(t, "a wrong code", svc.VerifyContact(u.ID, identity.ContactEmail, wrong), domain.EINVALID, "4 tries left")
	wantCode(t, "a code for the phone, which is verified", svc.VerifyContact(u.ID, identity.ContactPhone, code), domain.EINVALID, "no new mobile number")
	if err := svc.VerifyContact(u.ID, identity.ContactEmail, code); err != nil {
		t.Fatal(err)
	}
	got, _ = svc.Get(u.ID)
	if email, _ := got.MessageContacts(); email != "rajesh.new@example.com" {
		t.Fatalf("the verified e-mail gets no messages")
	}
	if _, err := svc.Authenticate("RAJESH.NEW@example.com", pw); err != nil {
		t.Fatalf("sign-in with the verified e-mail: %v", err)
	}
	if id, err := svc.RequestRecovery("rajesh.new@example.com"); id != u.ID || err != nil {
		t.Fatalf("recovery through the verified e-mail: %q %v", id, err)
	}
	if len(events(t, svc.Store, identity.EventCitizenContactVerified.Name)) != 1 {
		t.Fatalf("the verification is not in the log")
	}

	// Changed: the old address stops, the new one waits for its code.
	clk.Add(2 * time.Minute)
	prefs.Email = "rajesh@example.org"
	if _, err := svc.SetPreferences(u.ID, prefs); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate("rajesh.new@example.com", pw); domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
		t.Fatalf("the replaced e-mail still signs in: %v", err)
	}
	if _, err := svc.Authenticate("rajesh@example.org", pw); domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
		t.Fatalf("the new, unverified e-mail signs in: %v", err)
	}
	// A second change within the minute is refused, nothing changed.
	prefs.Email = "rajesh2@example.org"
	_, err = svc.SetPreferences(u.ID, prefs)
	wantCode(t, "another new address within a minute", err, domain.ERATELIMIT)
	if g, _ := svc.Get(u.ID); g.Email != "rajesh@example.org" {
		t.Fatalf("a refused change changed the e-mail to %q", g.Email)
	}
	// An expired code, then a new one.
	clk.Add(11 * time.Minute)
	wantCode(t, "an expired code", svc.VerifyContact(u.ID, identity.ContactEmail, contactCode(t, svc, u.ID, "rajesh@example.org")), domain.EINVALID, "expired")
	if err := svc.ResendContactCode(u.ID, identity.ContactEmail); err != nil {
		t.Fatal(err)
	}
	if err := svc.VerifyContact(u.ID, identity.ContactEmail, contactCode(t, svc, u.ID, "rajesh@example.org")); err != nil {
		t.Fatal(err)
	}

	// Another citizen cannot add this citizen's login.
	other := signUpVerified(t, svc, "9847099999", pw)
	_, err = svc.SetPreferences(other.ID, identity.Preferences{Language: "ml", Channels: []string{}, Phone: "+919847099999", Email: "rajesh@example.org"})
	wantCode(t, "another account's verified e-mail", err, domain.ECONFLICT)
	// Removing an added contact needs no code.
	prefs.Email, prefs.Channels = "", []string{"whatsapp"}
	if g, err := svc.SetPreferences(u.ID, prefs); err != nil || g.Email != "" {
		t.Fatalf("removing the e-mail: %q %v", g.Email, err)
	}
	if _, err := svc.Authenticate("rajesh@example.org", pw); domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
		t.Fatalf("a removed e-mail still signs in: %v", err)
	}
}
