package identity

import (
	"slices"
	"strings"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Message channels a citizen may choose, besides the in-app inbox that
// every message reaches.
var MessageChannels = []string{"email", "whatsapp", "sms"}

// Preferences are how a citizen wants to hear from the office: in which
// language, on which channels, and at which e-mail and mobile (the one
// they signed up with is kept; the other may be added here).
type Preferences struct {
	Language string   `json:"language"` // "en" or "ml"
	Channels []string `json:"channels"` // of MessageChannels; empty: in-app only
	Email    string   `json:"email"`
	Phone    string   `json:"phone"`
}

// Preferences returns the user's message preferences, with the defaults
// (Malayalam; e-mail and WhatsApp where they have an address) until they
// choose. Until then one-time codes also go by SMS; once they choose, SMS
// carries what they chose it for.
func (u User) Preferences() Preferences {
	p := Preferences{Language: u.Language, Channels: slices.Clone(u.Channels), Email: u.Email, Phone: u.Phone}
	if p.Language == "" {
		p.Language = "ml"
	}
	if u.Channels == nil {
		p.Channels = []string{}
		if u.Email != "" {
			p.Channels = append(p.Channels, "email")
		}
		if u.Phone != "" {
			p.Channels = append(p.Channels, "whatsapp")
		}
	}
	return p
}

// SetPreferences records a citizen's message preferences, after checking
// each field; nothing changes when any is wrong. The contact the citizen
// signed up with cannot be removed here (it is their login). A mobile
// number or e-mail address added or changed here is kept unverified, and a
// code goes to it alone (see contact_verify.go): until VerifyContact, no
// message goes there and it does not sign in. A contact taken as another
// account's login is ECONFLICT; a second new contact of a kind within a
// minute of the last code is ERATELIMIT.
func (s *Service) SetPreferences(userID string, p Preferences) (User, error) {
	fe := domain.FieldErrors{}
	if p.Language != "en" && p.Language != "ml" {
		fe.Add("language", domain.T("Choose English or Malayalam.", "ഇംഗ്ലീഷ് അല്ലെങ്കിൽ മലയാളം തിരഞ്ഞെടുക്കുക."))
	}
	channels := []string{}
	for _, c := range p.Channels {
		if !slices.Contains(MessageChannels, c) {
			fe.Add("channels", domain.T("Choose from e-mail, WhatsApp and SMS.", "ഇ-മെയിൽ, വാട്ട്സ്ആപ്പ്, എസ്.എം.എസ്. എന്നിവയിൽ നിന്ന് തിരഞ്ഞെടുക്കുക."))
			break
		}
		if !slices.Contains(channels, c) {
			channels = append(channels, c)
		}
	}
	email, phone := strings.TrimSpace(p.Email), strings.TrimSpace(p.Phone)
	if email != "" {
		var ok bool
		if email, ok = normalizeEmail(email); !ok {
			fe.Add("email", domain.T("Give an e-mail address like name@example.com, or leave it empty.", "name@example.com പോലുള്ള ഇ-മെയിൽ വിലാസം നൽകുക, അല്ലെങ്കിൽ ഒഴിവാക്കുക."))
		}
	}
	if phone != "" {
		var ok bool
		if phone, ok = normalizePhone(phone); !ok {
			fe.Add("phone", domain.T("Give a 10-digit Indian mobile number, or +country code and number, or leave it empty.", "10 അക്ക മൊബൈൽ നമ്പർ, അല്ലെങ്കിൽ +രാജ്യ കോഡോടെ നമ്പർ നൽകുക, അല്ലെങ്കിൽ ഒഴിവാക്കുക."))
		}
	}
	if slices.Contains(channels, "email") && email == "" {
		fe.Add("email", domain.T("Give an e-mail address to get messages by e-mail.", "ഇ-മെയിലിൽ സന്ദേശം ലഭിക്കാൻ ഇ-മെയിൽ വിലാസം നൽകുക."))
	}
	if (slices.Contains(channels, "whatsapp") || slices.Contains(channels, "sms")) && phone == "" {
		fe.Add("phone", domain.T("Give a mobile number to get messages on WhatsApp or by SMS.", "വാട്ട്സ്ആപ്പിലോ എസ്.എം.എസ്. ആയോ സന്ദേശം ലഭിക്കാൻ മൊബൈൽ നമ്പർ നൽകുക."))
	}
	if err := fe.Err(); err != nil {
		return User{}, err
	}
	return s.change(userID, func(tx *store.Tx, u *User) error {
		if u.Kind != KindCitizen {
			return domain.Errorf(domain.EINVALID, "message preferences are for citizens")
		}
		// The sign-up contact is the login: it stays.
		if u.Login == u.Email && email != u.Email || u.Login == u.Phone && phone != u.Phone {
			return &domain.Error{Code: domain.EINVALID, Message: "The contact you signed up with is your login and cannot be changed here.",
				MessageML: "സൈൻ അപ്പ് ചെയ്ത വിലാസം നിങ്ങളുടെ ലോഗിൻ ആണ്; ഇവിടെ മാറ്റാനാകില്ല."}
		}
		now := s.now()
		for _, c := range []struct{ kind, value string }{{contactEmail, email}, {contactPhone, phone}} {
			cur, _, pending := contactFields(u, c.kind)
			if c.value != *cur && c.value != "" && *pending != nil {
				// One new contact a minute: each change sends a code.
				if err := tooSoon(User{Code: *pending}, now); err != nil {
					return err
				}
			}
			if err := setContact(tx, now, u, c.kind, c.value); err != nil {
				return err
			}
		}
		u.Language, u.Channels = p.Language, channels
		return tx.Emit(u.ID, EventUserPreferences, entityUser, u.ID, map[string]any{"language": u.Language, "channels": channels})
	})
}
