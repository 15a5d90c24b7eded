package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// User kinds.
const (
	KindStaff   = "staff"
	KindCitizen = "citizen"
)

// User is one person who signs in: office staff or a citizen.
//
// PasswordHash, Code, Recovery, TOTP and TOTPPending are stored with the
// user but never leave this package: every User a Service method returns has them cleared.
type User struct {
	ID   string `json:"id"`   // "u-<n>"
	Kind string `json:"kind"` // KindStaff or KindCitizen
	// Login is a staff username, or the phone ("+91XXXXXXXXXX",
	// "+<country><number>") or lower-case e-mail a citizen signed up with.
	Login    string        `json:"login"`
	Name     string        `json:"name"`
	Phone    string        `json:"phone,omitempty"`
	Email    string        `json:"email,omitempty"`
	Roles    []domain.Role `json:"roles"` // citizens: exactly [RoleCitizen]
	Wards    []int         `json:"wards,omitempty"`
	Sections []string      `json:"sections,omitempty"`
	Disabled bool          `json:"disabled,omitempty"`
	// Verified: a citizen has entered the one-time code sent to their
	// contact. Staff are always verified.
	Verified           bool `json:"verified,omitempty"`
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// PasswordHash is argon2id in PHC string form.
	PasswordHash string `json:"password_hash,omitempty"`
	// FailedLogins counts consecutive failed sign-ins (for the audit and the
	// administrator's list). LockedUntil was set by the per-account lock-out
	// this version replaced with per-network throttling; it is kept so that
	// older documents read, and cleared as before.
	FailedLogins int       `json:"failed_logins,omitempty"`
	LockedUntil  time.Time `json:"locked_until,omitzero"`
	// SessionEpoch is stored in each session at sign-in; bumping it ends
	// every session signed in before.
	SessionEpoch int `json:"session_epoch"`
	// Language and Channels are a citizen's message preferences (see
	// Preferences); nil Channels means not chosen yet.
	Language string   `json:"language,omitempty"`
	Channels []string `json:"channels"`
	// KYCVerified is when the citizen's identity was verified by video KYC,
	// which registering a marriage from abroad needs; zero until then.
	KYCVerified time.Time `json:"kyc_verified,omitzero"`
	// Code is the pending one-time verification code of a citizen.
	Code *PendingCode `json:"code,omitempty"`
	// Recovery is the pending password recovery code of a citizen.
	Recovery *PendingCode `json:"recovery,omitempty"`
	// EmailVerified and PhoneVerified are when a citizen proved, with a
	// code sent there, that they hold an e-mail address or phone added
	// after sign-up (the one they signed up with is proved by Verified).
	// Until then it is not used: no message goes there, and it neither
	// signs in nor recovers a password. PendingEmail and PendingPhone are
	// the codes on the way.
	EmailVerified time.Time    `json:"email_verified,omitzero"`
	PhoneVerified time.Time    `json:"phone_verified,omitzero"`
	PendingEmail  *PendingCode `json:"pending_email,omitempty"`
	PendingPhone  *PendingCode `json:"pending_phone,omitempty"`
	// TwoStep is when the staff member set up two-step sign-in (TOTP);
	// zero when they have not. TOTP and TOTPPending are its secrets.
	TwoStep     time.Time    `json:"two_step,omitzero"`
	TOTP        *TOTP        `json:"totp,omitempty"`
	TOTPPending *TOTPPending `json:"totp_pending,omitempty"`
	Created     time.Time    `json:"created"`
}

// PendingCode is a one-time code waiting to be entered. Only a salted hash
// of the code is kept.
type PendingCode struct {
	Hash     string    `json:"hash"` // hex SHA-256 of salt, user id and code
	Salt     string    `json:"salt"`
	Sent     time.Time `json:"sent"`
	Expires  time.Time `json:"expires"`
	Attempts int       `json:"attempts"`
}

// Actor returns the user as the actor of what they do.
func (u User) Actor() domain.Actor {
	return domain.Actor{ID: u.ID, Name: u.Name, Roles: slices.Clone(u.Roles), Wards: slices.Clone(u.Wards)}
}

// Locked reports whether sign-in is refused at now because of failures.
func (u User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// redacted returns u without its secrets, as it may leave the package.
func (u User) redacted() User {
	u.PasswordHash = ""
	u.Code = nil
	u.Recovery = nil
	u.TOTP, u.TOTPPending = nil, nil
	for _, p := range []**PendingCode{&u.PendingEmail, &u.PendingPhone} {
		if *p != nil {
			// Whether a code is on the way, and until when; not the code.
			*p = &PendingCode{Sent: (*p).Sent, Expires: (*p).Expires, Attempts: (*p).Attempts}
		}
	}
	return u
}

// Service manages the users of one local body's appliance.
type Service struct {
	Store *store.Store
	Now   func() time.Time
	// LocalBody, when set, limits staff wards to the local body's wards.
	LocalBody *domain.LocalBody

	// NoThrottle turns the slowing of failed sign-ins off: for tests that
	// sign many people in, rightly and wrongly, from one address. serve
	// never sets it.
	NoThrottle bool
	// TOTPRoles are the roles whose holders must sign in in two steps
	// (see TOTPRequired); empty: only those who set it up themselves.
	TOTPRoles []domain.Role

	throttle throttle // failed sign-ins, per network and per login from it
}

// New returns a Service on s; now nil means time.Now.
func New(s *store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{Store: s, Now: now}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Sentinel errors. Each is a *domain.Error a person can act on; compare
// with errors.Is.
var (
	// ErrNotVerified: a citizen gave the right password but has not yet
	// entered the one-time code. Authenticate returns it with the User, so
	// the web can send them to the verification page.
	ErrNotVerified = domain.Bilingual(domain.EFORBIDDEN, domain.T(
		"Verify your mobile number or e-mail first: enter the code we sent you, or ask for a new one.",
		"ആദ്യം നിങ്ങളുടെ മൊബൈൽ നമ്പർ അല്ലെങ്കിൽ ഇ-മെയിൽ സ്ഥിരീകരിക്കുക: ഞങ്ങൾ അയച്ച കോഡ് നൽകുക, അല്ലെങ്കിൽ പുതിയ കോഡ് ആവശ്യപ്പെടുക."))
	// ErrDisabled: the account has been disabled by an administrator.
	ErrDisabled = domain.Bilingual(domain.EFORBIDDEN, domain.T(
		"This account is disabled; ask the office administrator to enable it.",
		"ഈ അക്കൗണ്ട് പ്രവർത്തനരഹിതമാണ്; പ്രവർത്തനക്ഷമമാക്കാൻ ഓഫീസ് അഡ്മിനിസ്ട്രേറ്ററോട് ആവശ്യപ്പെടുക."))
)

func errNotAdmin() error {
	return domain.Bilingual(domain.EFORBIDDEN, domain.T(
		"Only an administrator can manage users.",
		"ഉപയോക്താക്കളെ കൈകാര്യം ചെയ്യാൻ അഡ്മിനിസ്ട്രേറ്റർക്ക് മാത്രമേ കഴിയൂ."))
}

func errNoUser(id string) error {
	return domain.Bilingual(domain.ENOTFOUND, domain.T(
		fmt.Sprintf("There is no user %s.", id),
		fmt.Sprintf("%s എന്ന ഉപയോക്താവ് ഇല്ല.", id)))
}

func isAdmin(by domain.Actor) bool {
	return by.ID == domain.System.ID || by.Has(domain.RoleAdmin)
}

// load reads user id in tx.
func load(tx *store.Tx, id string) (User, error) {
	var u User
	if err := tx.Get(entityUser, id, &u); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return u, errNoUser(id)
		}
		return u, err
	}
	return u, nil
}

// change loads user id inside a Write, lets fn change it (and emit its
// events), and stores it. When fn returns an error nothing is written.
func (s *Service) change(id string, fn func(tx *store.Tx, u *User) error) (User, error) {
	var out User
	_, err := s.Store.Write(func(tx *store.Tx) error {
		u, err := load(tx, id)
		if err != nil {
			return err
		}
		if err := fn(tx, &u); err != nil {
			return err
		}
		out = u
		return tx.Put(entityUser, id, u)
	})
	return out, err
}

// Get returns user id, or ENOTFOUND.
func (s *Service) Get(id string) (User, error) {
	var u User
	err := s.Store.View(func(tx *store.Tx) (err error) {
		u, err = load(tx, id)
		return err
	})
	return u.redacted(), err
}

// ByLogin returns the user who signs in as login: a staff username, or a
// citizen's phone (any accepted spelling) or e-mail. ENOTFOUND when none.
func (s *Service) ByLogin(login string) (User, error) {
	u, err := s.byLogin(login)
	return u.redacted(), err
}

func (s *Service) byLogin(login string) (User, error) {
	key, ok := loginKey(login)
	if !ok {
		return User{}, domain.Bilingual(domain.ENOTFOUND, domain.T(
			fmt.Sprintf("There is no user with login %q.", login),
			fmt.Sprintf("%q എന്ന ലോഗിനുള്ള ഉപയോക്താവ് ഇല്ല.", login)))
	}
	var u User
	err := s.Store.View(func(tx *store.Tx) error {
		id, err := tx.Lookup(indexLogin, key)
		if err != nil {
			return err
		}
		u, err = load(tx, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return u, domain.Bilingual(domain.ENOTFOUND, domain.T(
			fmt.Sprintf("There is no user with login %q.", login),
			fmt.Sprintf("%q എന്ന ലോഗിനുള്ള ഉപയോക്താവ് ഇല്ല.", login)))
	}
	return u, err
}

// List returns the users of kind (KindStaff, KindCitizen, or "" for all)
// in the order they were created.
func (s *Service) List(kind string) ([]User, error) {
	switch kind {
	case "", KindStaff, KindCitizen:
	default:
		return nil, domain.Errorf(domain.EINVALID, "kind must be %q, %q or empty, not %q", KindStaff, KindCitizen, kind)
	}
	var out []User
	err := s.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityUser, store.ScanOptions{}, func(_ string, raw []byte) error {
			var u User
			if err := json.Unmarshal(raw, &u); err != nil {
				return err
			}
			if kind == "" || u.Kind == kind {
				out = append(out, u.redacted())
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b User) int { return userNumber(a.ID) - userNumber(b.ID) })
	return out, err
}

func userNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "u-"))
	return n
}

// StaffWith lists the office accounts, not disabled, that hold role: whom
// a file may be forwarded to by name.
func (s *Service) StaffWith(role domain.Role) ([]User, error) {
	staff, err := s.List(KindStaff)
	var out []User
	for _, u := range staff {
		if !u.Disabled && u.Actor().Has(role) {
			out = append(out, u)
		}
	}
	return out, err
}
