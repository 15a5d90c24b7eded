package identity

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// Contacts added after sign-up. A citizen signs up with one contact, proved
// by the sign-up code. A mobile number or e-mail address added or changed
// later in the message settings is kept, but not used — no message goes
// there, it does not sign in and a recovery code never goes there — until
// the citizen enters the code sent to it (and only to it). Verified, it
// becomes a second login of the account, so that a citizen whose first
// number is gone can still sign in and recover their password.

// ContactVerified reports whether u's phone or e-mail (kind "phone" or
// "email") may be used: the contact signed up with, once verified, or one
// verified by code since.
func (u User) ContactVerified(kind string) bool {
	switch kind {
	case contactEmail:
		return u.Email != "" && (u.Email == u.Login && u.Verified || !u.EmailVerified.IsZero())
	case contactPhone:
		return u.Phone != "" && (u.Phone == u.Login && u.Verified || !u.PhoneVerified.IsZero())
	}
	return false
}

// MessageContacts are the e-mail and phone messages may go to ("" for
// none): the contact signed up with (its sign-up code goes there before it
// is verified), and an added one only once verified.
func (u User) MessageContacts() (email, phone string) {
	if u.Email != "" && (u.Email == u.Login || !u.EmailVerified.IsZero()) {
		email = u.Email
	}
	if u.Phone != "" && (u.Phone == u.Login || !u.PhoneVerified.IsZero()) {
		phone = u.Phone
	}
	return email, phone
}

// contactFields are where a kind of contact is kept in a User.
func contactFields(u *User, kind string) (value *string, verified *time.Time, pending **PendingCode) {
	if kind == contactEmail {
		return &u.Email, &u.EmailVerified, &u.PendingEmail
	}
	return &u.Phone, &u.PhoneVerified, &u.PendingPhone
}

// setContact stages a change of a citizen's added contact of kind to value
// (normalised; "" removes it) inside tx. A new value is unverified and a
// code goes to it; a removed or replaced verified one stops signing in.
func setContact(tx *store.Tx, now time.Time, u *User, kind, value string) error {
	cur, verified, pending := contactFields(u, kind)
	if value == *cur {
		return nil
	}
	if err := releaseContact(tx, u, *cur); err != nil {
		return err
	}
	*cur, *verified, *pending = value, time.Time{}, nil
	if value == "" {
		return nil
	}
	if id, err := tx.Lookup(indexLogin, value); err == nil && id != u.ID {
		return errContactTaken(kind)
	}
	return sendContactCode(tx, now, u, kind)
}

// releaseContact lets an added contact go from the login index, when it
// was claimed there as this user's second login.
func releaseContact(tx *store.Tx, u *User, value string) error {
	if value == "" || value == u.Login {
		return nil
	}
	if id, err := tx.Lookup(indexLogin, value); err == nil && id == u.ID {
		return tx.ReleaseKey(indexLogin, value)
	}
	return nil
}

func errContactTaken(kind string) error {
	field := kind
	t := domain.T("This mobile number is the login of another account; give another, or leave it empty.",
		"ഈ മൊബൈൽ നമ്പർ മറ്റൊരു അക്കൗണ്ടിന്റെ ലോഗിൻ ആണ്; മറ്റൊന്ന് നൽകുക, അല്ലെങ്കിൽ ഒഴിവാക്കുക.")
	if kind == contactEmail {
		t = domain.T("This e-mail address is the login of another account; give another, or leave it empty.",
			"ഈ ഇ-മെയിൽ വിലാസം മറ്റൊരു അക്കൗണ്ടിന്റെ ലോഗിൻ ആണ്; മറ്റൊന്ന് നൽകുക, അല്ലെങ്കിൽ ഒഴിവാക്കുക.")
	}
	return &domain.Error{Code: domain.ECONFLICT, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{field: t}}
}

// sendContactCode stages a new code for u's unverified contact of kind and
// its message, addressed to that contact only.
func sendContactCode(tx *store.Tx, now time.Time, u *User, kind string) error {
	cur, _, pending := contactFields(u, kind)
	code, p, err := newCode(now)
	if err != nil {
		return err
	}
	*pending = &p
	what := domain.T("mobile number", "മൊബൈൽ നമ്പർ")
	if kind == contactEmail {
		what = domain.T("e-mail address", "ഇ-മെയിൽ വിലാസം")
	}
	if _, err := messaging.Queue(tx, now, messaging.Message{
		To:      u.ID,
		Address: *cur,
		Kind:    messaging.KindVerificationCode,
		Subject: domain.T("Your ksmart verification code", "നിങ്ങളുടെ ksmart സ്ഥിരീകരണ കോഡ്"),
		Body: domain.T(
			fmt.Sprintf("Your code to add this %s to your ksmart account is %s. It is valid for 10 minutes. Do not share it with anyone; office staff will never ask for it. If you did not ask for it, ignore this message.", what.En, code),
			fmt.Sprintf("ഈ %s നിങ്ങളുടെ ksmart അക്കൗണ്ടിൽ ചേർക്കാനുള്ള കോഡ് %s ആണ്. ഇത് 10 മിനിറ്റ് സാധുവാണ്. ഇത് ആരുമായും പങ്കിടരുത്; ഓഫീസ് ജീവനക്കാർ ഒരിക്കലും ഇത് ചോദിക്കില്ല. നിങ്ങൾ ആവശ്യപ്പെട്ടിട്ടില്ലെങ്കിൽ ഈ സന്ദേശം അവഗണിക്കുക.", what.Ml, code)),
	}); err != nil {
		return err
	}
	return tx.Emit(u.ID, EventCitizenContactCodeSent, entityUser, u.ID, map[string]any{"kind": kind, "expires": p.Expires.UTC()})
}

// ResendContactCode sends a new code to the citizen's unverified contact of
// kind ("phone" or "email"); the earlier code stops working. At most one a
// minute (ERATELIMIT saying how long to wait).
func (s *Service) ResendContactCode(userID, kind string) error {
	now := s.now()
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		if err := checkContactKind(*u, kind); err != nil {
			return err
		}
		cur, _, pending := contactFields(u, kind)
		if *cur == "" || u.ContactVerified(kind) {
			return codeError(msgNoContactToVerify)
		}
		if err := tooSoon(User{Code: *pending}, now); err != nil {
			return err
		}
		return sendContactCode(tx, now, u, kind)
	})
	return err
}

// VerifyContact checks the code a citizen entered for their added contact
// of kind. Each code allows 5 tries and 10 minutes (EINVALID with Field
// "code" saying which went wrong). Verified, the contact receives
// messages, signs in and recovers the password like the first one.
func (s *Service) VerifyContact(userID, kind, code string) error {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return codeError(msgCodeShape)
	}
	var outcome error
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		if err := checkContactKind(*u, kind); err != nil {
			return err
		}
		cur, verified, pending := contactFields(u, kind)
		if *cur == "" || u.ContactVerified(kind) {
			return codeError(msgNoContactToVerify)
		}
		now := s.now()
		p := *pending
		refused, wrong := p.check(now, code)
		if refused != nil {
			return refused
		}
		if wrong != nil {
			outcome = wrong
			return tx.Emit(u.ID, EventCitizenContactCodeFailed, entityUser, u.ID, map[string]any{"kind": kind, "attempts": p.Attempts})
		}
		if err := tx.ClaimKey(indexLogin, *cur, u.ID); errors.Is(err, store.ErrDuplicate) {
			return errContactTaken(kind)
		} else if err != nil {
			return err
		}
		*verified, *pending = now, nil
		return tx.Emit(u.ID, EventCitizenContactVerified, entityUser, u.ID, map[string]string{"kind": kind})
	})
	if err != nil {
		return err
	}
	return outcome
}

func checkContactKind(u User, kind string) error {
	switch {
	case u.Kind != KindCitizen:
		return domain.Errorf(domain.EINVALID, "contacts are verified by code for citizens' accounts")
	case kind != contactPhone && kind != contactEmail:
		return domain.Errorf(domain.EINVALID, "kind must be %q or %q, not %q", contactPhone, contactEmail, kind)
	}
	return nil
}

var msgNoContactToVerify = domain.T(
	"There is no new mobile number or e-mail address waiting to be verified here.",
	"ഇവിടെ സ്ഥിരീകരിക്കാൻ കാത്തിരിക്കുന്ന പുതിയ മൊബൈൽ നമ്പറോ ഇ-മെയിൽ വിലാസമോ ഇല്ല.")

// Contact kinds, for the web's forms.
const (
	ContactPhone = contactPhone
	ContactEmail = contactEmail
)
