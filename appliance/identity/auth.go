package identity

import (
	"fmt"
	"math"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Waits: a login that fails maxFailures times in a row from one network
// waits firstLock before its next try from there, doubling with each
// further failure up to maxLock (see throttle.go for who is counted).
const (
	maxFailures = 5
	firstLock   = time.Minute
	maxLock     = time.Hour
)

// lockFor returns how long the failures-th consecutive failure locks the
// account for (0: not at all).
func lockFor(failures int) time.Duration {
	if failures < maxFailures {
		return 0
	}
	d := firstLock
	for i := maxFailures; i < failures && d < maxLock; i++ {
		d *= 2
	}
	return min(d, maxLock)
}

// errBadLogin is the one answer to a wrong password and an unknown login.
func errBadLogin() error {
	return domain.Bilingual(domain.EUNAUTHENTICATED, domain.T(
		"The login or password is not correct.",
		"ലോഗിൻ അല്ലെങ്കിൽ പാസ്‌വേഡ് ശരിയല്ല."))
}

// waitText says how long d is, rounded up, in both languages.
func waitText(d time.Duration) (en, ml string) {
	if d < time.Minute {
		s := max(1, int(math.Ceil(d.Seconds())))
		return fmt.Sprintf("%d seconds", s), fmt.Sprintf("%d സെക്കൻഡ്", s)
	}
	m := int(math.Ceil(d.Minutes()))
	if m == 1 {
		return "1 minute", "1 മിനിറ്റ്"
	}
	return fmt.Sprintf("%d minutes", m), fmt.Sprintf("%d മിനിറ്റ്", m)
}

// errThrottled is the one answer to a login that must wait, whether or
// not it has an account.
func errThrottled(wait time.Duration, now time.Time) error {
	en, ml := waitText(wait)
	at := now.Add(wait).In(domain.IST).Format("15:04")
	return domain.Bilingual(domain.ERATELIMIT, domain.T(
		fmt.Sprintf("Too many failed sign-ins from your connection: wait until %s IST (%s) before trying again. If you forgot your password, use \"Forgot your password?\" on the sign-in page (citizens) or ask the office administrator (staff).", at, en),
		fmt.Sprintf("നിങ്ങളുടെ കണക്ഷനിൽ നിന്ന് പല തവണ തെറ്റായി സൈൻ ഇൻ ചെയ്തു: %s വരെ (%s) കാത്തിരുന്ന് വീണ്ടും ശ്രമിക്കുക. പാസ്‌വേഡ് മറന്നെങ്കിൽ സൈൻ ഇൻ പേജിലെ \"പാസ്‌വേഡ് മറന്നോ?\" ഉപയോഗിക്കുക (പൗരന്മാർ), അല്ലെങ്കിൽ ഓഫീസ് അഡ്മിനിസ്ട്രേറ്ററോട് ആവശ്യപ്പെടുക (ജീവനക്കാർ).", at, ml)))
}

// Authenticate is AuthenticateFrom for a sign-in from this machine (the
// shell, tests).
func (s *Service) Authenticate(login, password string) (User, error) {
	return s.AuthenticateFrom(login, password, "")
}

// AuthenticateFrom checks a login and password given from the client
// address from. login is a staff username, or a citizen's phone (any
// accepted spelling) or e-mail.
//
// A wrong password and an unknown login both give the same
// EUNAUTHENTICATED error after the same argon2 work. Failures are counted
// per network of from, and per login from that network (never per login
// alone, so a stranger cannot lock an officer out): after five in a row
// for a login, or twenty from a network, that key waits a minute before
// its next try, doubling with each further failure up to an hour — the
// same for logins with and without an account (ERATELIMIT, saying when;
// the password is not even checked). A success clears the login's count
// from that network. Failures on real accounts are also recorded as
// events. With the right password, a disabled user gets ErrDisabled and a
// citizen who has not verified their contact gets ErrNotVerified together
// with the User.
func (s *Service) AuthenticateFrom(login, password, from string) (User, error) {
	now := s.now()
	byNetwork, byLogin := throttleKeys(networkOf(from), login)
	if wait := s.throttle.wait(now, byNetwork, byLogin); wait > 0 && !s.NoThrottle {
		return User{}, errThrottled(wait, now)
	}
	failed := func() { s.throttle.fail(now, map[string]int{byNetwork: freePerNetwork, byLogin: freePerLogin}) }
	u, err := s.byLogin(login)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		burnHash(password)
		failed()
		return User{}, errBadLogin()
	} else if err != nil {
		return User{}, err
	}
	ok, outdated := verifyPassword(u.PasswordHash, password)
	if !ok {
		failed()
		if err := s.recordFailure(u.ID); err != nil {
			return User{}, err
		}
		return User{}, errBadLogin()
	}
	s.throttle.succeed(byLogin)
	switch {
	case u.Disabled:
		return User{}, ErrDisabled
	case u.Kind == KindCitizen && !u.Verified:
		return u.redacted(), ErrNotVerified
	}
	var rehash string
	if outdated {
		if rehash, err = hashPassword(password); err != nil {
			return User{}, err
		}
	}
	verified := u.PasswordHash
	u, err = s.change(u.ID, func(tx *store.Tx, u *User) error {
		if u.Disabled {
			return ErrDisabled
		}
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
		if rehash != "" && u.PasswordHash == verified {
			u.PasswordHash = rehash
		}
		return tx.Emit(u.ID, EventUserLoggedIn, entityUser, u.ID, struct{}{})
	})
	if err != nil {
		return User{}, err
	}
	return u.redacted(), nil
}

// recordFailure counts a failed password for user id in the log (for the
// audit and the administrator's list); it locks nothing: waits are the
// throttle's.
func (s *Service) recordFailure(id string) error {
	_, err := s.change(id, func(tx *store.Tx, u *User) error {
		u.FailedLogins++
		return tx.Emit(u.ID, EventUserLoginFailed, entityUser, u.ID, map[string]int{"failures": u.FailedLogins})
	})
	return err
}

// ChangePassword replaces a user's password after checking the current one,
// and clears MustChangePassword. The new password must be 10 to 128
// characters, not the login and not only digits. Problems come back as
// EINVALID with Fields named for the arguments, "old" and "new". Wrong
// current passwords are throttled like failed sign-ins, counted under the
// user's session (ERATELIMIT saying when to try again).
//
// It ends every session of the user (whoever knew the old password is
// signed out); the caller signs the person's current session in again with
// SignIn.
func (s *Service) ChangePassword(userID, old, new string) error {
	var u User
	err := s.Store.View(func(tx *store.Tx) (err error) {
		u, err = load(tx, userID)
		return err
	})
	if err != nil {
		return err
	}
	// Wrong current passwords are counted under the session's user, so a
	// stolen session cannot be used to guess the password.
	now := s.now()
	byNetwork, byLogin := throttleKeys("session "+u.ID, u.Login)
	if wait := s.throttle.wait(now, byNetwork, byLogin); wait > 0 {
		return errThrottled(wait, now)
	}
	if u.Disabled {
		return ErrDisabled
	}
	fe := domain.FieldErrors{}
	if p := checkNewPassword(new, u.Login); p != nil {
		fe.Add("new", *p)
	} else if new == old {
		fe.Add("new", domain.T("Choose a password different from the current one.", "നിലവിലുള്ളതിൽ നിന്ന് വ്യത്യസ്തമായ ഒരു പാസ്‌വേഡ് തിരഞ്ഞെടുക്കുക."))
	}
	if ok, _ := verifyPassword(u.PasswordHash, old); !ok {
		s.throttle.fail(now, map[string]int{byLogin: freePerLogin})
		if err := s.recordFailure(u.ID); err != nil {
			return err
		}
		fe.Add("old", domain.T("Your current password is not correct.", "നിലവിലെ പാസ്‌വേഡ് ശരിയല്ല."))
	}
	if err := fe.Err(); err != nil {
		return err
	}
	hash, err := hashPassword(new)
	if err != nil {
		return err
	}
	verified := u.PasswordHash
	_, err = s.change(userID, func(tx *store.Tx, u *User) error {
		if u.PasswordHash != verified {
			return domain.Bilingual(domain.ECONFLICT, domain.T(
				"Your password was changed or reset meanwhile; sign in again with the new one.",
				"ഇതിനിടെ നിങ്ങളുടെ പാസ്‌വേഡ് മാറ്റുകയോ പുനഃസജ്ജമാക്കുകയോ ചെയ്തു; പുതിയതുപയോഗിച്ച് വീണ്ടും സൈൻ ഇൻ ചെയ്യുക."))
		}
		u.PasswordHash = hash
		u.MustChangePassword = false
		u.SessionEpoch++
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
		return tx.Emit(u.ID, EventUserPasswordChanged, entityUser, u.ID, struct{}{})
	})
	return err
}

// SignOutEverywhere ends every session of the user, on every device,
// including the one asking (the web signs it in again if it wants to).
func (s *Service) SignOutEverywhere(userID string) error {
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		u.SessionEpoch++
		return tx.Emit(u.ID, EventUserSignedOutAll, entityUser, u.ID, struct{}{})
	})
	return err
}
