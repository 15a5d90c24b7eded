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

// Password recovery: a citizen who forgot their password asks for a code,
// which goes only to the contact they verified (their login), and sets a
// new password with it. Administrators cannot do this for them (see
// ResetPassword): whoever controls the citizen's verified phone or e-mail
// is the citizen, as far as this office can tell.

// RequestRecovery sends a 6-digit recovery code, valid for 10 minutes, to
// the verified citizen who signs in as login, through the outbox (their
// inbox, and their phone or e-mail). It answers nil in every case that is
// not an internal failure — an unknown login, an office account, an
// unverified or disabled citizen, a code asked for again within a minute
// (then no new code is sent) — so that the answer does not tell who has an
// account. It returns the citizen's id when a code went out, for the demo's
// in-app display; callers must not show the difference to the person
// asking.
func (s *Service) RequestRecovery(login string) (string, error) {
	u, err := s.byLogin(login)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if u.Kind != KindCitizen || !u.Verified || u.Disabled {
		return "", nil
	}
	now := s.now()
	code, pending, err := newCode(now)
	if err != nil {
		return "", err
	}
	sent := false
	_, err = s.change(u.ID, func(tx *store.Tx, u *User) error {
		if u.Recovery != nil && now.Before(u.Recovery.Sent.Add(codeResendAfter)) {
			return errUnchanged
		}
		u.Recovery = &pending
		_, err := messaging.Queue(tx, now, messaging.Message{
			To:      u.ID,
			Kind:    messaging.KindVerificationCode,
			Subject: domain.T("Your ksmart password recovery code", "നിങ്ങളുടെ ksmart പാസ്‌വേഡ് വീണ്ടെടുക്കൽ കോഡ്"),
			Body: domain.T(
				fmt.Sprintf("Your password recovery code is %s. It is valid for 10 minutes. Do not share it with anyone; office staff will never ask for it. If you did not ask for it, ignore this message: your password has not changed.", code),
				fmt.Sprintf("നിങ്ങളുടെ പാസ്‌വേഡ് വീണ്ടെടുക്കൽ കോഡ് %s ആണ്. ഇത് 10 മിനിറ്റ് സാധുവാണ്. ഇത് ആരുമായും പങ്കിടരുത്; ഓഫീസ് ജീവനക്കാർ ഒരിക്കലും ഇത് ചോദിക്കില്ല. നിങ്ങൾ ആവശ്യപ്പെട്ടിട്ടില്ലെങ്കിൽ ഈ സന്ദേശം അവഗണിക്കുക: നിങ്ങളുടെ പാസ്‌വേഡ് മാറിയിട്ടില്ല.", code)),
		})
		if err != nil {
			return err
		}
		channel := contactPhone
		if u.Login == u.Email {
			channel = contactEmail
		}
		sent = true
		return tx.Emit(u.ID, EventCitizenRecoveryRequested, entityUser, u.ID, map[string]any{"channel": channel, "expires": pending.Expires.UTC()})
	})
	if errors.Is(err, errUnchanged) {
		return u.ID, nil
	}
	if err != nil || !sent {
		return "", err
	}
	return u.ID, nil
}

// Recover sets a new password for the citizen who signs in as login, given
// the recovery code RequestRecovery sent. Problems are EINVALID with Fields
// "code" (wrong, expired, used up after 5 tries, or none waiting — the same
// answer for an unknown login) and "password" (the rules of a new
// password). On success the code is spent, every session of the citizen
// ends, any lock-out is cleared, and the citizen is returned for signing
// in.
func (s *Service) Recover(login, code, newPassword string) (User, error) {
	code = strings.Join(strings.Fields(code), "")
	fe := domain.FieldErrors{}
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		fe.Add("code", msgCodeShape)
	}
	u, err := s.byLogin(login)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return User{}, err
	}
	if p := checkNewPassword(newPassword, u.Login); p != nil {
		fe.Add("password", *p)
	}
	if err := fe.Err(); err != nil {
		return User{}, err
	}
	if u.ID == "" || u.Kind != KindCitizen {
		burnHash(newPassword) // the same work as a real one
		return User{}, codeError(msgNoCode)
	}
	hash, err := hashPassword(newPassword)
	if err != nil {
		return User{}, err
	}
	var outcome error
	out, err := s.change(u.ID, func(tx *store.Tx, u *User) error {
		if u.Disabled {
			return codeError(msgNoCode)
		}
		refused, wrong := u.Recovery.check(s.now(), code)
		if refused != nil {
			return refused
		}
		if wrong != nil {
			outcome = wrong
			return tx.Emit(u.ID, EventCitizenRecoveryFailed, entityUser, u.ID, map[string]int{"attempts": u.Recovery.Attempts})
		}
		u.Recovery = nil
		u.PasswordHash = hash
		u.MustChangePassword = false
		u.SessionEpoch++
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
		return tx.Emit(u.ID, EventCitizenPasswordRecovered, entityUser, u.ID, struct{}{})
	})
	if err != nil {
		return User{}, err
	}
	if outcome != nil {
		return User{}, outcome
	}
	return out.redacted(), nil
}
