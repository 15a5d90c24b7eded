package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Two-step sign-in for office staff: after the password, a 6-digit code
// from an authenticator app (TOTP, RFC 6238: SHA-1, 30-second steps, the
// form every app reads from a QR code), or one of ten one-time recovery
// codes. Staff holding a role in Service.TOTPRoles must use it; any staff
// member who set it up uses it from then on. Citizens sign in with their
// verified contact instead.

// DefaultTOTPRoles are the roles that must sign in in two steps unless the
// configuration says otherwise: those that can change users, sign
// registrations and certificates, or move money.
var DefaultTOTPRoles = []domain.Role{domain.RoleAdmin, domain.RoleSecretary, domain.RoleRegistrar, domain.RoleAccountant}

// TOTP parameters.
const (
	totpPeriod        = 30 * time.Second
	totpSkew          = 1  // steps either side accepted: a phone's clock a little off
	recoveryCodeCount = 10 // recovery codes given at set-up
	totpEnrolTTL      = 15 * time.Minute
)

// TOTP is a staff member's authenticator secret and recovery codes, kept
// in the user document only (never in an event).
type TOTP struct {
	Secret string `json:"secret"` // base32, as the QR code gives it to the app
	// LastStep is the time step (Unix time / 30 s) of the last code
	// accepted: a code of that step or an earlier one is refused, so a
	// code seen over a shoulder cannot be used again.
	LastStep int64 `json:"last_step"`
	// Recovery are the hex SHA-256 of Salt and each unused recovery code.
	Recovery []string `json:"recovery"`
	Salt     string   `json:"salt"`
}

// TOTPPending is a secret shown for set-up and not yet confirmed with a
// code from the app.
type TOTPPending struct {
	Secret  string    `json:"secret"`
	URL     string    `json:"url"`
	Created time.Time `json:"created"`
}

// TOTPSetup is what a staff member needs to add ksmart to their app: the
// otpauth:// URL (the QR code's content) and the secret to type in by hand.
type TOTPSetup struct {
	URL    string
	Secret string
}

var (
	msgTOTPShape = domain.T(
		"Enter the 6-digit code your authenticator app shows for ksmart, or one of your recovery codes.",
		"നിങ്ങളുടെ ഓതന്റിക്കേറ്റർ ആപ്പിൽ ksmart-നായി കാണിക്കുന്ന 6 അക്ക കോഡ്, അല്ലെങ്കിൽ ഒരു റിക്കവറി കോഡ് നൽകുക.")
	msgTOTPWrong = domain.T(
		"That code is not correct. Enter the code your authenticator app shows now (it changes every 30 seconds); check that the phone's clock is right.",
		"ആ കോഡ് ശരിയല്ല. ഓതന്റിക്കേറ്റർ ആപ്പ് ഇപ്പോൾ കാണിക്കുന്ന കോഡ് നൽകുക (ഓരോ 30 സെക്കൻഡിലും അത് മാറും); ഫോണിലെ സമയം ശരിയാണോ എന്ന് നോക്കുക.")
	msgTOTPReused = domain.T(
		"That code was used already. Wait for the next code in your authenticator app (a new one every 30 seconds) and enter it.",
		"ആ കോഡ് ഇതിനകം ഉപയോഗിച്ചു. ഓതന്റിക്കേറ്റർ ആപ്പിലെ അടുത്ത കോഡിനായി കാത്തിരുന്ന് (ഓരോ 30 സെക്കൻഡിലും പുതിയത്) അത് നൽകുക.")
	msgTOTPNotSetUp = domain.T(
		"Two-step sign-in is not set up for this account; sign in with your password in a browser to set it up.",
		"ഈ അക്കൗണ്ടിന് രണ്ട്-ഘട്ട സൈൻ ഇൻ സജ്ജമാക്കിയിട്ടില്ല; സജ്ജമാക്കാൻ ബ്രൗസറിൽ പാസ്‌വേഡ് ഉപയോഗിച്ച് സൈൻ ഇൻ ചെയ്യുക.")
)

// totpError is an EUNAUTHENTICATED error about the "code" field.
func totpError(t domain.Text) error {
	return &domain.Error{Code: domain.EUNAUTHENTICATED, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"code": t}}
}

// TOTPRequired reports whether u must give a second step after the
// password: office staff holding a role in s.TOTPRoles, and any staff
// member who has set it up.
func (s *Service) TOTPRequired(u User) bool {
	if u.Kind != KindStaff {
		return false
	}
	if !u.TwoStep.IsZero() {
		return true
	}
	for _, r := range s.TOTPRoles {
		if slices.Contains(u.Roles, r) {
			return true
		}
	}
	return false
}

// BeginTOTP makes a new authenticator secret for a staff member who has
// none yet and keeps it, unconfirmed, until ConfirmTOTP; asked again
// within 15 minutes it gives the same one (a reloaded page shows the same
// QR code). ECONFLICT when two-step sign-in is set up already.
func (s *Service) BeginTOTP(userID string) (TOTPSetup, error) {
	now := s.now()
	var out TOTPSetup
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		switch {
		case u.Kind != KindStaff:
			return domain.Errorf(domain.EINVALID, "two-step sign-in is for office accounts")
		case u.TOTP != nil:
			return domain.Bilingual(domain.ECONFLICT, domain.T(
				"Two-step sign-in is set up already for this account; an administrator can reset it if the phone was lost.",
				"ഈ അക്കൗണ്ടിന് രണ്ട്-ഘട്ട സൈൻ ഇൻ ഇതിനകം സജ്ജമാണ്; ഫോൺ നഷ്ടപ്പെട്ടെങ്കിൽ അഡ്മിനിസ്ട്രേറ്റർക്ക് അത് പുനഃസജ്ജമാക്കാം."))
		case u.TOTPPending != nil && now.Sub(u.TOTPPending.Created) < totpEnrolTTL:
			out = TOTPSetup{URL: u.TOTPPending.URL, Secret: u.TOTPPending.Secret}
			return errUnchanged
		}
		issuer := "ksmart"
		if s.LocalBody != nil && s.LocalBody.Code != "" {
			issuer = "ksmart " + s.LocalBody.Code
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Login, Rand: rand.Reader})
		if err != nil {
			return err
		}
		u.TOTPPending = &TOTPPending{Secret: key.Secret(), URL: key.URL(), Created: now}
		out = TOTPSetup{URL: key.URL(), Secret: key.Secret()}
		return tx.Emit(u.ID, EventUserTOTPBegun, entityUser, u.ID, struct{}{})
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	return out, err
}

// ConfirmTOTP finishes the set-up with a code from the app: the secret
// becomes the account's, and ten recovery codes are made and returned —
// shown this once; only their hashes are kept. Errors are
// EUNAUTHENTICATED with Field "code".
func (s *Service) ConfirmTOTP(userID, code string) ([]string, error) {
	now := s.now()
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return nil, totpError(msgTOTPShape)
	}
	codes := make([]string, recoveryCodeCount)
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	hashes := make([]string, recoveryCodeCount)
	for i := range codes {
		c, err := generateOTP()
		if err != nil {
			return nil, err
		}
		codes[i] = c[:14] // "xxxx-xxxx-xxxx": about 59 bits
		hashes[i] = recoveryHash(salt, codes[i])
	}
	var outcome error
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		p := u.TOTPPending
		switch {
		case u.TOTP != nil:
			return domain.Bilingual(domain.ECONFLICT, domain.T("Two-step sign-in is set up already.", "രണ്ട്-ഘട്ട സൈൻ ഇൻ ഇതിനകം സജ്ജമാണ്."))
		case p == nil || now.Sub(p.Created) >= totpEnrolTTL:
			return totpError(domain.T(
				"The set-up took longer than 15 minutes; sign in again for a new QR code.",
				"സജ്ജീകരണം 15 മിനിറ്റിലധികം എടുത്തു; പുതിയ QR കോഡിനായി വീണ്ടും സൈൻ ഇൻ ചെയ്യുക."))
		}
		step, ok := matchTOTP(p.Secret, code, now)
		if !ok {
			outcome = totpError(msgTOTPWrong)
			return errUnchanged
		}
		u.TOTP = &TOTP{Secret: p.Secret, LastStep: step, Recovery: hashes, Salt: hex.EncodeToString(salt)}
		u.TOTPPending = nil
		u.TwoStep = now
		return tx.Emit(u.ID, EventUserTOTPEnrolled, entityUser, u.ID, map[string]int{"recovery_codes": recoveryCodeCount})
	})
	if errors.Is(err, errUnchanged) {
		return nil, outcome
	}
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// VerifyTOTP checks the second step of a sign-in from the client address
// from: a code from the app, not of a time step used before, or an unused
// recovery code, which is then spent. Wrong codes are EUNAUTHENTICATED
// with Field "code" (a reused code says so), recorded as events, and
// throttled with failed passwords (ERATELIMIT saying when to try again).
// It returns how many recovery codes are left.
func (s *Service) VerifyTOTP(userID, code, from string) (int, error) {
	now := s.now()
	u, err := s.Get(userID)
	if err != nil {
		return 0, err
	}
	byNetwork, byLogin := throttleKeys(networkOf(from), u.Login)
	if wait := s.throttle.wait(now, byNetwork, byLogin); wait > 0 && !s.NoThrottle {
		return 0, errThrottled(wait, now)
	}
	code = strings.ToLower(strings.Join(strings.Fields(code), ""))
	if code == "" {
		return 0, totpError(msgTOTPShape)
	}
	var outcome error
	left := 0
	_, err = s.change(userID, func(tx *store.Tx, u *User) error {
		t := u.TOTP
		switch {
		case u.Disabled:
			return ErrDisabled
		case t == nil:
			return totpError(msgTOTPNotSetUp)
		}
		fail := func(msg domain.Text, reason string) error {
			outcome = totpError(msg)
			return tx.Emit(u.ID, EventUserTOTPFailed, entityUser, u.ID, map[string]string{"reason": reason})
		}
		if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
			step, ok := matchTOTP(t.Secret, code, now)
			switch {
			case !ok:
				return fail(msgTOTPWrong, "wrong")
			case step <= t.LastStep:
				return fail(msgTOTPReused, "reused")
			}
			t.LastStep = step
			left = len(t.Recovery)
			return tx.Emit(u.ID, EventUserTOTPPassed, entityUser, u.ID, map[string]string{"with": "app"})
		}
		salt, _ := hex.DecodeString(t.Salt)
		h := recoveryHash(salt, code)
		i := slices.IndexFunc(t.Recovery, func(r string) bool { return subtle.ConstantTimeCompare([]byte(r), []byte(h)) == 1 })
		if i < 0 {
			return fail(msgTOTPWrong, "wrong_recovery_code")
		}
		t.Recovery = slices.Delete(t.Recovery, i, i+1)
		left = len(t.Recovery)
		return tx.Emit(u.ID, EventUserTOTPPassed, entityUser, u.ID, map[string]any{"with": "recovery_code", "recovery_codes_left": left})
	})
	if err != nil {
		return 0, err
	}
	if outcome != nil {
		s.throttle.fail(now, map[string]int{byNetwork: freePerNetwork, byLogin: freePerLogin})
		return 0, outcome
	}
	s.throttle.succeed(byLogin)
	return left, nil
}

// ResetTOTP removes a staff member's two-step set-up (a lost phone), with
// the reason, which the log keeps with the administrator's name; every
// session of theirs ends, and at their next sign-in they set it up again.
// Only an administrator may, and not on their own account (another
// administrator, or ksmart user reset-two-step from the shell, does that).
// A citizen has no two-step set-up: refused and recorded.
func (s *Service) ResetTOTP(by domain.Actor, userID, reason string) error {
	if !isAdmin(by) {
		return errNotAdmin()
	}
	reason = strings.Join(strings.Fields(reason), " ")
	if len(reason) < 5 {
		t := domain.T("Say why two-step sign-in is reset (a lost phone, a new phone), in a few words; the log keeps it.",
			"രണ്ട്-ഘട്ട സൈൻ ഇൻ പുനഃസജ്ജമാക്കുന്നതിന്റെ കാരണം (ഫോൺ നഷ്ടപ്പെട്ടു, പുതിയ ഫോൺ) ചുരുക്കി എഴുതുക; ലോഗിൽ അത് സൂക്ഷിക്കും.")
		return &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"reason": t}}
	}
	if by.ID == userID {
		return domain.Bilingual(domain.EFORBIDDEN, domain.T(
			"You cannot reset your own two-step sign-in: another administrator must, or use 'ksmart user reset-two-step' on the server.",
			"നിങ്ങളുടെ സ്വന്തം രണ്ട്-ഘട്ട സൈൻ ഇൻ നിങ്ങൾക്ക് പുനഃസജ്ജമാക്കാനാകില്ല: മറ്റൊരു അഡ്മിനിസ്ട്രേറ്റർ ചെയ്യണം, അല്ലെങ്കിൽ സെർവറിൽ 'ksmart user reset-two-step' ഉപയോഗിക്കുക."))
	}
	if err := s.refuseForCitizen(by, userID, "reset_two_step"); err != nil {
		return err
	}
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		u.TOTP, u.TOTPPending, u.TwoStep = nil, nil, time.Time{}
		u.SessionEpoch++
		return tx.Emit(by.ID, EventUserTOTPReset, entityUser, u.ID, map[string]string{"by": by.ID, "reason": reason})
	})
	return err
}

// matchTOTP returns the time step whose code from secret is code, within
// totpSkew steps of now.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	step := now.Unix() / int64(totpPeriod/time.Second)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		at := time.Unix((step+d)*int64(totpPeriod/time.Second), 0)
		want, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: uint(totpPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// recoveryHash is the hex SHA-256 of the user's salt and a recovery code
// (lower case, without spaces). The codes carry about 59 random bits, so a
// fast hash is enough.
func recoveryHash(salt []byte, code string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(strings.ToLower(code)))
	return hex.EncodeToString(h.Sum(nil))
}

// TOTPCode is the code an authenticator app shows at t for secret (""
// when secret is not base32): what tests type in as the app would.
func TOTPCode(secret string, t time.Time) string {
	c, _ := totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: uint(totpPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return c
}
