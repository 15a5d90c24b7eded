package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// SignUp is what a citizen gives to open an account.
type SignUp struct {
	Contact  string `json:"contact"` // mobile number or e-mail address
	Name     string `json:"name"`
	Password string `json:"password"`
}

// One-time verification codes.
const (
	codeTTL         = 10 * time.Minute
	codeResendAfter = 60 * time.Second
	maxCodeAttempts = 5
)

// SignUp opens an unverified citizen account and sends a 6-digit one-time
// code, valid for 10 minutes, to the citizen's inbox (and, through the
// outbox, to their phone or e-mail) in the same Write. Every problem with
// in is reported at once (EINVALID with Fields "contact", "name",
// "password").
//
// Signing up again with the contact of an account that is not yet
// verified sends a new code instead of failing, so a person who lost the
// code can go on; the latest sign-up's name and password replace the
// earlier ones, and the earlier code stops working. Within a minute of the
// last code that is ERATELIMIT. The contact of a verified account is
// ECONFLICT.
func (s *Service) SignUp(in SignUp) (User, error) {
	fe := domain.FieldErrors{}
	login, kind, problem := parseContact(in.Contact)
	if problem != nil {
		fe.Add("contact", *problem)
	}
	name, problem := cleanName(in.Name)
	if problem != nil {
		fe.Add("name", *problem)
	}
	if p := checkNewPassword(in.Password, login); p != nil {
		fe.Add("password", *p)
	}
	if err := fe.Err(); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	code, pending, err := newCode(now)
	if err != nil {
		return User{}, err
	}
	var out User
	_, err = s.Store.Write(func(tx *store.Tx) error {
		id, err := tx.Lookup(indexLogin, login)
		switch {
		case err == nil:
			u, err := load(tx, id)
			if err != nil {
				return err
			}
			if u.Kind != KindCitizen || u.Verified {
				return errLoginTaken(&u)
			}
			if err := tooSoon(u, now); err != nil {
				return err
			}
			u.Name, u.PasswordHash = name, hash
			facts := factsOf(u)
			facts.Again = true
			if err := tx.Emit(u.ID, EventCitizenSignedUp, entityUser, u.ID, facts); err != nil {
				return err
			}
			out = u
		case errors.Is(err, store.ErrNotFound):
			out = User{Kind: KindCitizen, Login: login, Name: name, Roles: []domain.Role{domain.RoleCitizen}, PasswordHash: hash, Created: now}
			if kind == contactPhone {
				out.Phone = login
			} else {
				out.Email = login
			}
			if err := create(tx, domain.Actor{}, &out); err != nil {
				return err
			}
		default:
			return err
		}
		if err := sendCode(tx, now, &out, code, pending); err != nil {
			return err
		}
		return tx.Put(entityUser, out.ID, out)
	})
	if err != nil {
		return User{}, err
	}
	return out.redacted(), nil
}

// newCode returns a random 6-digit code and its pending record.
func newCode(now time.Time) (string, PendingCode, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", PendingCode{}, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", PendingCode{}, err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	return code, PendingCode{Hash: codeHash(salt, code), Salt: hex.EncodeToString(salt), Sent: now, Expires: now.Add(codeTTL)}, nil
}

func codeHash(salt []byte, code string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(code))
	return hex.EncodeToString(h.Sum(nil))
}

func (p *PendingCode) matches(code string) bool {
	salt, err := hex.DecodeString(p.Salt)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(codeHash(salt, code)), []byte(p.Hash)) == 1
}

// check takes a typed one-time code (sign-up, recovery, an added
// contact). refused is the answer when the code cannot be tried at all
// (none sent, used up, expired): nothing changes. wrong is the answer to a
// wrong code, whose try p has counted: the caller records it. Both nil:
// the code is right.
func (p *PendingCode) check(now time.Time, code string) (refused, wrong error) {
	switch {
	case p == nil:
		return codeError(msgNoCode), nil
	case p.Attempts >= maxCodeAttempts:
		return codeError(msgCodeUsedUp), nil
	case !now.Before(p.Expires):
		return codeError(msgCodeExpired), nil
	case p.matches(code):
		return nil, nil
	}
	p.Attempts++
	if left := maxCodeAttempts - p.Attempts; left > 0 {
		return nil, codeError(domain.T(
			fmt.Sprintf("That code is not correct; %d tries left.", left),
			fmt.Sprintf("ആ കോഡ് ശരിയല്ല; ഇനി %d ശ്രമങ്ങൾ കൂടി.", left)))
	}
	return nil, codeError(msgCodeUsedUp)
}

// sendCode stages the code's message to u and its event; u.Code is set and
// the caller stores u.
func sendCode(tx *store.Tx, now time.Time, u *User, code string, pending PendingCode) error {
	u.Code = &pending
	_, err := messaging.Queue(tx, now, messaging.Message{
		To:   u.ID,
		Kind: messaging.KindVerificationCode,
		Subject: domain.T("Your ksmart verification code",
			"നിങ്ങളുടെ ksmart സ്ഥിരീകരണ കോഡ്"),
		Body: domain.T(
			fmt.Sprintf("Your verification code is %s. It is valid for 10 minutes. Do not share it with anyone; office staff will never ask for it. If you did not sign up, ignore this message.", code),
			fmt.Sprintf("നിങ്ങളുടെ സ്ഥിരീകരണ കോഡ് %s ആണ്. ഇത് 10 മിനിറ്റ് സാധുവാണ്. ഇത് ആരുമായും പങ്കിടരുത്; ഓഫീസ് ജീവനക്കാർ ഒരിക്കലും ഇത് ചോദിക്കില്ല. നിങ്ങൾ സൈൻ അപ്പ് ചെയ്തിട്ടില്ലെങ്കിൽ ഈ സന്ദേശം അവഗണിക്കുക.", code)),
	})
	if err != nil {
		return err
	}
	channel := contactPhone
	if u.Email != "" {
		channel = contactEmail
	}
	return tx.Emit(u.ID, EventCitizenCodeSent, entityUser, u.ID, map[string]any{"channel": channel, "expires": pending.Expires.UTC()})
}

// tooSoon refuses a new code within a minute of the last one.
func tooSoon(u User, now time.Time) error {
	if u.Code == nil {
		return nil
	}
	wait := u.Code.Sent.Add(codeResendAfter).Sub(now)
	if wait <= 0 {
		return nil
	}
	en, ml := waitText(wait)
	return domain.Bilingual(domain.ERATELIMIT, domain.T(
		fmt.Sprintf("A code was sent less than a minute ago; enter it, or wait %s before asking for another.", en),
		fmt.Sprintf("ഒരു മിനിറ്റിനുള്ളിൽ ഒരു കോഡ് അയച്ചിട്ടുണ്ട്; അത് നൽകുക, അല്ലെങ്കിൽ മറ്റൊന്ന് ആവശ്യപ്പെടാൻ %s കാത്തിരിക്കുക.", ml)))
}

// codeError is an EINVALID error about the "code" field.
func codeError(t domain.Text) error {
	return &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"code": t}}
}

var (
	msgNoCode = domain.T(
		"No code is waiting for this account; ask for a new code.",
		"ഈ അക്കൗണ്ടിനായി കോഡ് ഒന്നും നിലവിലില്ല; പുതിയ കോഡ് ആവശ്യപ്പെടുക.")
	msgCodeUsedUp = domain.T(
		fmt.Sprintf("That code was entered wrongly %d times and no longer works; ask for a new code.", maxCodeAttempts),
		fmt.Sprintf("ആ കോഡ് %d തവണ തെറ്റായി നൽകിയതിനാൽ ഇനി പ്രവർത്തിക്കില്ല; പുതിയ കോഡ് ആവശ്യപ്പെടുക.", maxCodeAttempts))
	msgCodeExpired = domain.T(
		"This code has expired (a code is valid for 10 minutes); ask for a new code.",
		"ഈ കോഡിന്റെ കാലാവധി കഴിഞ്ഞു (ഒരു കോഡ് 10 മിനിറ്റ് മാത്രമേ സാധുവാകൂ); പുതിയ കോഡ് ആവശ്യപ്പെടുക.")
	msgCodeShape = domain.T(
		"Enter the 6-digit code we sent you.",
		"ഞങ്ങൾ അയച്ച 6 അക്ക കോഡ് നൽകുക.")
)

// Verify checks the one-time code a citizen entered and marks the account
// verified. Each code allows 5 tries; after that, or after 10 minutes, it
// no longer works and ResendCode gives a new one. Errors are EINVALID with
// Field "code" and a message saying which of these happened. Verifying a
// verified account does nothing.
func (s *Service) Verify(userID, code string) error {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return codeError(msgCodeShape)
	}
	var outcome error
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		if u.Kind != KindCitizen || u.Verified {
			return errUnchanged
		}
		refused, wrong := u.Code.check(s.now(), code)
		if refused != nil {
			return refused
		}
		if wrong != nil {
			outcome = wrong
			return tx.Emit(u.ID, EventCitizenCodeFailed, entityUser, u.ID, map[string]int{"attempts": u.Code.Attempts})
		}
		u.Verified = true
		u.Code = nil
		return tx.Emit(u.ID, EventCitizenVerified, entityUser, u.ID, struct{}{})
	})
	switch {
	case errors.Is(err, errUnchanged):
		return nil
	case err != nil:
		return err
	}
	return outcome
}

// ResendCode sends a new one-time code to a citizen who has not verified
// yet; the earlier code stops working. At most one code a minute
// (ERATELIMIT saying how long to wait).
func (s *Service) ResendCode(userID string) error {
	now := s.now()
	code, pending, err := newCode(now)
	if err != nil {
		return err
	}
	_, err = s.change(userID, func(tx *store.Tx, u *User) error {
		switch {
		case u.Kind != KindCitizen:
			return domain.Errorf(domain.EINVALID, "%s is an office account; it has no code to verify", u.Login)
		case u.Verified:
			return domain.Bilingual(domain.ECONFLICT, domain.T(
				"This account is verified already; sign in.",
				"ഈ അക്കൗണ്ട് ഇതിനകം സ്ഥിരീകരിച്ചതാണ്; സൈൻ ഇൻ ചെയ്യുക."))
		}
		if err := tooSoon(*u, now); err != nil {
			return err
		}
		return sendCode(tx, now, u, code, pending)
	})
	return err
}
