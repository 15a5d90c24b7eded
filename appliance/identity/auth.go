package identity

import (
	"fmt"
	"math"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Lock-out: after maxFailures consecutive failed sign-ins an account is
// locked for firstLock; each further failure (once the lock has run out and
// the streak goes on) doubles it, up to maxLock.
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

func errLocked(until, now time.Time) error {
	en, ml := waitText(until.Sub(now))
	at := until.In(domain.IST).Format("15:04")
	return domain.Bilingual(domain.ERATELIMIT, domain.T(
		fmt.Sprintf("Too many failed sign-ins: this account is locked. Try again after %s IST (in %s), or ask the office to reset your password.", at, en),
		fmt.Sprintf("പല തവണ തെറ്റായി സൈൻ ഇൻ ചെയ്തതിനാൽ ഈ അക്കൗണ്ട് താൽക്കാലികമായി പൂട്ടി. %s-ന് ശേഷം (%s കഴിഞ്ഞ്) വീണ്ടും ശ്രമിക്കുക, അല്ലെങ്കിൽ പാസ്‌വേഡ് പുനഃസജ്ജമാക്കാൻ ഓഫീസിനോട് ആവശ്യപ്പെടുക.", at, ml)))
}

// Authenticate checks a login and password. login is a staff username, or
// a citizen's phone (any accepted spelling) or e-mail.
//
// A wrong password and an unknown login both give the same EUNAUTHENTICATED
// error after the same argon2 work. After five consecutive failures the
// account is locked (ERATELIMIT, saying when to try again; the password is
// not even checked), for one minute, doubling with each further failure up
// to an hour. A success clears the count. With the right password, a
// disabled user gets ErrDisabled and a citizen who has not verified their
// contact gets ErrNotVerified together with the User.
func (s *Service) Authenticate(login, password string) (User, error) {
	u, err := s.byLogin(login)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		burnHash(password)
		return User{}, errBadLogin()
	} else if err != nil {
		return User{}, err
	}
	if now := s.now(); u.Locked(now) {
		return User{}, errLocked(u.LockedUntil, now)
	}
	ok, outdated := verifyPassword(u.PasswordHash, password)
	if !ok {
		if err := s.recordFailure(u.ID); err != nil {
			return User{}, err
		}
		return User{}, errBadLogin()
	}
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

// recordFailure counts a failed password for user id and locks the account
// when the count calls for it.
func (s *Service) recordFailure(id string) error {
	_, err := s.change(id, func(tx *store.Tx, u *User) error {
		now := s.now()
		u.FailedLogins++
		if err := tx.Emit(u.ID, EventUserLoginFailed, entityUser, u.ID, map[string]int{"failures": u.FailedLogins}); err != nil {
			return err
		}
		d := lockFor(u.FailedLogins)
		if d == 0 {
			return nil
		}
		u.LockedUntil = now.Add(d)
		return tx.Emit(domain.System.ID, EventUserLocked, entityUser, u.ID, map[string]any{"failures": u.FailedLogins, "until": u.LockedUntil.UTC()})
	})
	return err
}

// ChangePassword replaces a user's password after checking the current one,
// and clears MustChangePassword. The new password must be 10 to 128
// characters, not the login and not only digits. Problems come back as
// EINVALID with Fields named for the arguments, "old" and "new". A wrong
// current password counts towards lock-out like a failed sign-in.
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
	if now := s.now(); u.Locked(now) {
		return errLocked(u.LockedUntil, now)
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
