package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// NewStaff is what an administrator gives to add an office user.
type NewStaff struct {
	Login    string        `json:"login"`
	Name     string        `json:"name"`
	Roles    []domain.Role `json:"roles"`
	Wards    []int         `json:"wards,omitempty"`
	Sections []string      `json:"sections,omitempty"`
	Phone    string        `json:"phone,omitempty"`
	Email    string        `json:"email,omitempty"`
}

// userFacts is the event data of a created or re-registered user: what a
// reader of the log (the state, an auditor) may know. Never a secret.
type userFacts struct {
	Kind     string        `json:"kind"`
	Login    string        `json:"login"`
	Name     string        `json:"name"`
	Phone    string        `json:"phone,omitempty"`
	Email    string        `json:"email,omitempty"`
	Roles    []domain.Role `json:"roles"`
	Wards    []int         `json:"wards,omitempty"`
	Sections []string      `json:"sections,omitempty"`
	Again    bool          `json:"again,omitempty"` // a citizen signed up again before verifying
}

func factsOf(u User) userFacts {
	return userFacts{Kind: u.Kind, Login: u.Login, Name: u.Name, Phone: u.Phone, Email: u.Email, Roles: u.Roles, Wards: u.Wards, Sections: u.Sections}
}

// AddStaff adds an office user with a random one-time password, which it
// returns once; the user must change it at first sign-in. Only an
// administrator (or domain.System) may add users. Every problem with in is
// reported at once (EINVALID with Fields); a login in use is ECONFLICT.
func (s *Service) AddStaff(by domain.Actor, in NewStaff) (User, string, error) {
	if !isAdmin(by) {
		return User{}, "", errNotAdmin()
	}
	u, err := s.checkStaff(in)
	if err != nil {
		return User{}, "", err
	}
	otp, err := generateOTP()
	if err != nil {
		return User{}, "", err
	}
	if u.PasswordHash, err = hashPassword(otp); err != nil {
		return User{}, "", err
	}
	u.Created = s.now()
	_, err = s.Store.Write(func(tx *store.Tx) error { return create(tx, by, &u) })
	if err != nil {
		return User{}, "", err
	}
	return u.redacted(), otp, nil
}

// ValidateStaff checks a new office user as AddStaff would, without adding
// it, so a form can show every problem at once alongside its own.
func (s *Service) ValidateStaff(in NewStaff) error {
	_, err := s.checkStaff(in)
	return err
}

// checkStaff validates and normalises a new office user.
func (s *Service) checkStaff(in NewStaff) (User, error) {
	fe := domain.FieldErrors{}
	u := User{Kind: KindStaff, Verified: true, MustChangePassword: true}
	u.Login = strings.ToLower(strings.TrimSpace(in.Login))
	if !staffLogin.MatchString(u.Login) {
		fe.Add("login", msgStaffLogin)
	}
	var problem *domain.Text
	if u.Name, problem = cleanName(in.Name); problem != nil {
		fe.Add("name", *problem)
	}
	if u.Roles, problem = checkStaffRoles(in.Roles); problem != nil {
		fe.Add("roles", *problem)
	}
	if u.Wards, problem = s.checkWards(in.Wards); problem != nil {
		fe.Add("wards", *problem)
	}
	for _, sec := range in.Sections {
		sec = strings.ToLower(strings.TrimSpace(sec))
		if !section.MatchString(sec) {
			fe.Add("sections", domain.T(
				fmt.Sprintf("Section %q: use a short code of lower-case letters, digits, dashes or underscores, e.g. civil.", sec),
				fmt.Sprintf("സെക്ഷൻ %q: civil പോലെ ചെറിയ ഇംഗ്ലീഷ് അക്ഷരങ്ങളും അക്കങ്ങളുമുള്ള ഒരു കോഡ് ഉപയോഗിക്കുക.", sec)))
		} else if !slices.Contains(u.Sections, sec) {
			u.Sections = append(u.Sections, sec)
		}
	}
	if strings.TrimSpace(in.Phone) != "" {
		var ok bool
		if u.Phone, ok = normalizePhone(in.Phone); !ok {
			fe.Add("phone", msgPhone)
		}
	}
	if strings.TrimSpace(in.Email) != "" {
		var ok bool
		if u.Email, ok = normalizeEmail(in.Email); !ok {
			fe.Add("email", msgEmail)
		}
	}
	return u, fe.Err()
}

// checkStaffRoles returns the distinct roles, or every problem with them in
// one message.
func checkStaffRoles(roles []domain.Role) ([]domain.Role, *domain.Text) {
	var out []domain.Role
	var unknown []string
	citizen := false
	for _, r := range roles {
		r = domain.Role(strings.ToLower(strings.TrimSpace(string(r))))
		switch {
		case r == domain.RoleCitizen:
			citizen = true
		case !r.Known():
			unknown = append(unknown, fmt.Sprintf("%q", r))
		case !slices.Contains(out, r):
			out = append(out, r)
		}
	}
	var en, ml []string
	if len(roles) == 0 {
		en = append(en, "Give at least one role.")
		ml = append(ml, "കുറഞ്ഞത് ഒരു റോൾ നൽകുക.")
	}
	if len(unknown) > 0 {
		var known []string
		for _, n := range domain.RoleNames {
			if n.Role != domain.RoleCitizen {
				known = append(known, string(n.Role))
			}
		}
		list := strings.Join(unknown, ", ")
		en = append(en, fmt.Sprintf("Unknown role %s; the roles are %s.", list, strings.Join(known, ", ")))
		ml = append(ml, fmt.Sprintf("%s എന്ന റോൾ നിലവിലില്ല; റോളുകൾ: %s.", list, strings.Join(known, ", ")))
	}
	if citizen {
		en = append(en, "The citizen role is only for citizens' own accounts, not for office staff.")
		ml = append(ml, "സിറ്റിസൺ റോൾ പൗരന്മാരുടെ സ്വന്തം അക്കൗണ്ടുകൾക്ക് മാത്രമാണ്, ഓഫീസ് ജീവനക്കാർക്കുള്ളതല്ല.")
	}
	if len(en) > 0 {
		t := domain.T(strings.Join(en, " "), strings.Join(ml, " "))
		return out, &t
	}
	return out, nil
}

func (s *Service) checkWards(wards []int) ([]int, *domain.Text) {
	var out []int
	var bad []string
	for _, w := range wards {
		switch {
		case w <= 0 || (s.LocalBody != nil && !s.LocalBody.HasWard(w)):
			bad = append(bad, fmt.Sprint(w))
		case !slices.Contains(out, w):
			out = append(out, w)
		}
	}
	if len(bad) == 0 {
		slices.Sort(out)
		return out, nil
	}
	list := strings.Join(bad, ", ")
	if s.LocalBody != nil {
		n := len(s.LocalBody.Wards)
		t := domain.T(fmt.Sprintf("No ward %s here; the wards are numbered 1 to %d.", list, n),
			fmt.Sprintf("%s എന്ന വാർഡ് ഇവിടെ ഇല്ല; വാർഡുകൾ 1 മുതൽ %d വരെയാണ്.", list, n))
		return out, &t
	}
	t := domain.T(fmt.Sprintf("Ward %s: ward numbers are positive.", list), fmt.Sprintf("വാർഡ് %s: വാർഡ് നമ്പറുകൾ പോസിറ്റീവ് ആയിരിക്കണം.", list))
	return out, &t
}

// create stages a new user u (its ID assigned here) with its login claimed
// and its creation event, acted by by (the new user when by.ID is empty).
func create(tx *store.Tx, by domain.Actor, u *User) error {
	n, err := tx.NextNumber(seqUser)
	if err != nil {
		return err
	}
	u.ID = fmt.Sprintf("u-%d", n)
	if err := tx.ClaimKey(indexLogin, u.Login, u.ID); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return errLoginTaken(u)
		}
		return err
	}
	if err := tx.Put(entityUser, u.ID, u); err != nil {
		return err
	}
	typ := EventUserCreated
	if u.Kind == KindCitizen {
		typ = EventCitizenSignedUp
	}
	actor := by.ID
	if actor == "" { // a citizen signing up acts for themselves
		actor = u.ID
	}
	return tx.Emit(actor, typ, entityUser, u.ID, factsOf(*u))
}

func errLoginTaken(u *User) error {
	switch {
	case u.Kind == KindStaff:
		return domain.Bilingual(domain.ECONFLICT, domain.T(
			fmt.Sprintf("The login %q is taken; choose another (e.g. add an initial or a number).", u.Login),
			fmt.Sprintf("%q എന്ന ലോഗിൻ ഇതിനകം ഉപയോഗത്തിലുണ്ട്; മറ്റൊന്ന് തിരഞ്ഞെടുക്കുക (ഉദാ. ഇനിഷ്യലോ നമ്പറോ ചേർക്കുക).", u.Login)))
	case u.Email != "":
		return domain.Bilingual(domain.ECONFLICT, domain.T(
			"An account with this e-mail address already exists; sign in or reset your password.",
			"ഈ ഇ-മെയിൽ വിലാസത്തിൽ ഒരു അക്കൗണ്ട് ഇതിനകം ഉണ്ട്; സൈൻ ഇൻ ചെയ്യുക അല്ലെങ്കിൽ പാസ്‌വേഡ് പുനഃസജ്ജമാക്കുക."))
	}
	return domain.Bilingual(domain.ECONFLICT, domain.T(
		"An account with this mobile number already exists; sign in or reset your password.",
		"ഈ മൊബൈൽ നമ്പറിൽ ഒരു അക്കൗണ്ട് ഇതിനകം ഉണ്ട്; സൈൻ ഇൻ ചെയ്യുക അല്ലെങ്കിൽ പാസ്‌വേഡ് പുനഃസജ്ജമാക്കുക."))
}

// EnsureAdmin makes sure someone can administer the appliance: when no
// enabled staff user holds RoleAdmin it creates one, login "admin" (or
// "admin2", ... when taken), with a one-time password to be printed once.
// When an administrator exists it returns that login and created false.
func (s *Service) EnsureAdmin() (login, oneTimePassword string, created bool, err error) {
	err = s.Store.View(func(tx *store.Tx) error {
		login, err = enabledAdmin(tx, "")
		return err
	})
	if err != nil || login != "" {
		return login, "", false, err
	}
	otp, err := generateOTP()
	if err != nil {
		return "", "", false, err
	}
	hash, err := hashPassword(otp)
	if err != nil {
		return "", "", false, err
	}
	now := s.now()
	var existing, made string
	_, err = s.Store.Write(func(tx *store.Tx) error {
		// Another writer may have made one meanwhile; Scan sees it.
		var err error
		if existing, err = enabledAdmin(tx, ""); err != nil || existing != "" {
			return err
		}
		u := User{Kind: KindStaff, Name: "Administrator", Roles: []domain.Role{domain.RoleAdmin}, Verified: true,
			MustChangePassword: true, PasswordHash: hash, Created: now}
		for i := 1; ; i++ {
			u.Login = "admin"
			if i > 1 {
				u.Login = fmt.Sprintf("admin%d", i)
			}
			if _, err := tx.Lookup(indexLogin, u.Login); errors.Is(err, store.ErrNotFound) {
				break
			}
		}
		made = u.Login
		return create(tx, domain.System, &u)
	})
	switch {
	case err != nil:
		return "", "", false, err
	case existing != "":
		return existing, "", false, nil
	}
	return made, otp, true, nil
}

// enabledAdmin returns the login of an enabled staff administrator other
// than user except, or "" when there is none.
func enabledAdmin(tx *store.Tx, except string) (string, error) {
	var login string
	err := tx.Scan(entityUser, store.ScanOptions{}, func(id string, raw []byte) error {
		var u User
		if err := json.Unmarshal(raw, &u); err != nil {
			return err
		}
		if id != except && u.Kind == KindStaff && !u.Disabled && slices.Contains(u.Roles, domain.RoleAdmin) {
			login = u.Login
			return store.ErrStop
		}
		return nil
	})
	return login, err
}

// keepAnAdmin refuses a change that would leave no enabled administrator.
func keepAnAdmin(tx *store.Tx, u *User) error {
	if u.Kind != KindStaff || u.Disabled || !slices.Contains(u.Roles, domain.RoleAdmin) {
		return nil
	}
	other, err := enabledAdmin(tx, u.ID)
	if err != nil || other != "" {
		return err
	}
	return domain.Bilingual(domain.ECONFLICT, domain.T(
		fmt.Sprintf("%s is the only enabled administrator; make another user an administrator first.", u.Login),
		fmt.Sprintf("%s മാത്രമാണ് പ്രവർത്തനക്ഷമമായ അഡ്മിനിസ്ട്രേറ്റർ; ആദ്യം മറ്റൊരാളെ അഡ്മിനിസ്ട്രേറ്റർ ആക്കുക.", u.Login)))
}

// SetRoles replaces a staff user's roles. Administrators only; the roles
// are checked as in AddStaff, and taking the role of the last enabled
// administrator away is refused (ECONFLICT). The change applies to the
// user's next request: sessions read roles from the user, not the cookie.
func (s *Service) SetRoles(by domain.Actor, userID string, roles []domain.Role) error {
	if !isAdmin(by) {
		return errNotAdmin()
	}
	clean, problem := checkStaffRoles(roles)
	if problem != nil {
		return domain.FieldErrors{"roles": *problem}.Err()
	}
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		if u.Kind != KindStaff {
			return domain.Bilingual(domain.EINVALID, domain.T("A citizen's account has no office roles to change.", "പൗരന്റെ അക്കൗണ്ടിന് മാറ്റാൻ ഓഫീസ് റോളുകൾ ഇല്ല."))
		}
		if !slices.Contains(clean, domain.RoleAdmin) {
			if err := keepAnAdmin(tx, u); err != nil {
				return err
			}
		}
		previous := u.Roles
		u.Roles = clean
		return tx.Emit(by.ID, EventUserRolesChanged, entityUser, u.ID, map[string]any{"roles": clean, "previous": previous})
	})
	return err
}

// errUnchanged ends a change that has nothing to do, writing nothing.
var errUnchanged = errors.New("identity: unchanged")

// Disable stops a user from signing in and ends their sessions.
// Administrators only; disabling the last enabled administrator is refused.
// A citizen's account is their own: it is disabled only with a reason (an
// EINVALID error with Field "reason" without one), which the event keeps;
// for staff the reason is optional. Disabling a disabled user does nothing.
func (s *Service) Disable(by domain.Actor, userID, reason string) error {
	if !isAdmin(by) {
		return errNotAdmin()
	}
	reason = strings.Join(strings.Fields(reason), " ")
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		if u.Disabled {
			return errUnchanged
		}
		if u.Kind == KindCitizen && len(reason) < 5 {
			t := domain.T("Say why this citizen's account is disabled; the reason is kept in the log.",
				"ഈ പൗരന്റെ അക്കൗണ്ട് പ്രവർത്തനരഹിതമാക്കുന്നതിന്റെ കാരണം എഴുതുക; കാരണം ലോഗിൽ സൂക്ഷിക്കും.")
			return &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"reason": t}}
		}
		if err := keepAnAdmin(tx, u); err != nil {
			return err
		}
		u.Disabled = true
		u.SessionEpoch++
		return tx.Emit(by.ID, EventUserDisabled, entityUser, u.ID, map[string]string{"reason": reason})
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// Enable lets a disabled user sign in again and clears any lock-out.
// Administrators only; enabling an enabled user does nothing.
func (s *Service) Enable(by domain.Actor, userID string) error {
	if !isAdmin(by) {
		return errNotAdmin()
	}
	_, err := s.change(userID, func(tx *store.Tx, u *User) error {
		if !u.Disabled {
			return errUnchanged
		}
		u.Disabled = false
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
		return tx.Emit(by.ID, EventUserEnabled, entityUser, u.ID, struct{}{})
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// ResetPassword gives an office user a new one-time password, returned
// once, which they must change at their next sign-in. It ends their
// sessions and clears any lock-out. Administrators only, and for office
// accounts only: a citizen's password is theirs alone (an administrator who
// could set it could sign in as the citizen), so for a citizen it answers
// EFORBIDDEN and records the refused attempt as an event; citizens recover
// their own with RequestRecovery and Recover.
func (s *Service) ResetPassword(by domain.Actor, userID string) (string, error) {
	if !isAdmin(by) {
		return "", errNotAdmin()
	}
	if err := s.refuseForCitizen(by, userID, "reset_password"); err != nil {
		return "", err
	}
	otp, err := generateOTP()
	if err != nil {
		return "", err
	}
	hash, err := hashPassword(otp)
	if err != nil {
		return "", err
	}
	_, err = s.change(userID, func(tx *store.Tx, u *User) error {
		u.PasswordHash = hash
		u.MustChangePassword = true
		u.SessionEpoch++
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
		return tx.Emit(by.ID, EventUserPasswordReset, entityUser, u.ID, struct{}{})
	})
	if err != nil {
		return "", err
	}
	return otp, nil
}

// ErrCitizenOwnsAccount: an administrator tried to act as a citizen (set or
// reset their password).
var ErrCitizenOwnsAccount = domain.Bilingual(domain.EFORBIDDEN, domain.T(
	"A citizen's password is theirs alone: administrators cannot set or reset it. The citizen can recover it with \"Forgot password\" on the sign-in page, through their verified mobile number or e-mail.",
	"പൗരന്റെ പാസ്‌വേഡ് അവരുടേത് മാത്രമാണ്: അഡ്മിനിസ്ട്രേറ്റർക്ക് അത് സജ്ജമാക്കാനോ പുനഃസജ്ജമാക്കാനോ കഴിയില്ല. സൈൻ ഇൻ പേജിലെ \"പാസ്‌വേഡ് മറന്നോ\" വഴി, സ്ഥിരീകരിച്ച മൊബൈൽ നമ്പർ അല്ലെങ്കിൽ ഇ-മെയിൽ ഉപയോഗിച്ച് പൗരന് അത് വീണ്ടെടുക്കാം."))

// refuseForCitizen answers ErrCitizenOwnsAccount when userID is a citizen,
// after recording the refused attempt (who, what) as an event on the
// citizen, so that an auditor sees it; nil for an office account.
func (s *Service) refuseForCitizen(by domain.Actor, userID, action string) error {
	var citizen bool
	err := s.Store.View(func(tx *store.Tx) error {
		u, err := load(tx, userID)
		citizen = u.Kind == KindCitizen
		return err
	})
	if err != nil || !citizen {
		return err
	}
	_, err = s.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventUserAdminRefused, entityUser, userID, map[string]string{"action": action, "by": by.ID})
	})
	if err != nil {
		return err
	}
	return ErrCitizenOwnsAccount
}
