package identity

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"ksmart/appliance/domain"
)

// staffLogin is a staff username. It starts with a letter so that it can
// never be read as a phone number, and holds no "@" or "+", so staff and
// citizen logins never collide.
var staffLogin = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

var (
	msgStaffLogin = domain.T(
		"Use 3 to 32 lower-case letters, digits, dots, dashes or underscores, starting with a letter.",
		"അക്ഷരത്തിൽ തുടങ്ങുന്ന 3 മുതൽ 32 വരെ ചെറിയ ഇംഗ്ലീഷ് അക്ഷരങ്ങൾ, അക്കങ്ങൾ, കുത്ത്, ഡാഷ് അല്ലെങ്കിൽ അണ്ടർസ്കോർ ഉപയോഗിക്കുക.")
	msgPhone = domain.T(
		"Give a 10-digit Indian mobile number starting with 6, 7, 8 or 9 (with or without +91 or 0), or an overseas number as +<country code><number>.",
		"6, 7, 8 അല്ലെങ്കിൽ 9-ൽ തുടങ്ങുന്ന 10 അക്ക ഇന്ത്യൻ മൊബൈൽ നമ്പർ (+91 അല്ലെങ്കിൽ 0 ചേർത്തോ അല്ലാതെയോ), അല്ലെങ്കിൽ വിദേശ നമ്പർ +<രാജ്യ കോഡ്><നമ്പർ> ആയി നൽകുക.")
	msgEmail = domain.T(
		"Give an e-mail address like name@example.com.",
		"name@example.com പോലെയുള്ള ഒരു ഇ-മെയിൽ വിലാസം നൽകുക.")
	msgContact = domain.T(
		"Give your mobile number or e-mail address.",
		"നിങ്ങളുടെ മൊബൈൽ നമ്പറോ ഇ-മെയിൽ വിലാസമോ നൽകുക.")
	msgName = domain.T(
		"Give a name of 2 to 100 letters (Malayalam or English), spaces and dots.",
		"2 മുതൽ 100 വരെ അക്ഷരങ്ങളുള്ള പേര് (മലയാളം അല്ലെങ്കിൽ ഇംഗ്ലീഷ്), സ്പേസും കുത്തും ഉപയോഗിക്കാം.")
)

// normalizePhone turns any accepted spelling of a phone number into
// "+91XXXXXXXXXX" for an Indian mobile or "+<country><number>" for an
// overseas one. It reports false for anything else.
func normalizePhone(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '.', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	plus := strings.HasPrefix(s, "+")
	digits := strings.TrimPrefix(s, "+")
	if digits == "" || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return "", false
	}
	if !plus && strings.HasPrefix(digits, "00") { // the international prefix dialled from India
		plus, digits = true, digits[2:]
	}
	indian := func(d string) (string, bool) {
		if len(d) == 10 && d[0] >= '6' && d[0] <= '9' {
			return "+91" + d, true
		}
		return "", false
	}
	switch {
	case plus && strings.HasPrefix(digits, "91"):
		return indian(digits[2:])
	case plus:
		if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
			return "", false
		}
		return "+" + digits, true
	case len(digits) == 11 && digits[0] == '0':
		return indian(digits[1:])
	case len(digits) == 12 && strings.HasPrefix(digits, "91"):
		return indian(digits[2:])
	}
	return indian(digits)
}

// normalizeEmail returns the lower-cased address, or false when s is not a
// plain address.
func normalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 254 {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return "", false
	}
	return s, true
}

// Contact kinds.
const (
	contactPhone = "phone"
	contactEmail = "email"
)

// parseContact reads a citizen's phone or e-mail, returning its normalised
// form and which of the two it is.
func parseContact(s string) (normal, kind string, problem *domain.Text) {
	switch {
	case strings.TrimSpace(s) == "":
		return "", "", &msgContact
	case strings.Contains(s, "@"):
		if e, ok := normalizeEmail(s); ok {
			return e, contactEmail, nil
		}
		return "", "", &msgEmail
	}
	if p, ok := normalizePhone(s); ok {
		return p, contactPhone, nil
	}
	return "", "", &msgPhone
}

// loginKey turns what a person types in the login box into the key of the
// login index: a staff username as it is (lower-cased), a phone number in
// any accepted spelling, or an e-mail address.
func loginKey(login string) (string, bool) {
	l := strings.ToLower(strings.TrimSpace(login))
	switch {
	case l == "":
		return "", false
	case staffLogin.MatchString(l):
		return l, true
	case strings.Contains(l, "@"):
		return normalizeEmail(l)
	}
	return normalizePhone(l)
}

// cleanName collapses spaces and checks a person's name: 2 to 100
// characters of letters in any script (Malayalam vowel signs and joiners
// included), spaces, dots, apostrophes and hyphens (D'Cruz, Abdul-Rahman).
func cleanName(s string) (string, *domain.Text) {
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 100 {
		return s, &msgName
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.Is(unicode.M, r), r == '\u200c', r == '\u200d', r == ' ', r == '.', r == '\'', r == '’', r == '-':
		default:
			return s, &msgName
		}
	}
	if letters == 0 {
		return s, &msgName
	}
	return s, nil
}

// section is an office section's code, e.g. "civil", "revenue", "engineering".
var section = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// NormalizePhone is normalizePhone for modules that take a contact without
// an account (a grievance's reporter): one spelling rule for every phone
// ksmart keeps. MsgPhone says what it accepts.
func NormalizePhone(s string) (string, bool) { return normalizePhone(s) }

// NormalizeEmail is normalizeEmail for modules that take a contact without
// an account. MsgEmail says what it accepts.
func NormalizeEmail(s string) (string, bool) { return normalizeEmail(s) }

// MsgPhone and MsgEmail say what a phone number and an e-mail address
// must be.
var (
	MsgPhone = msgPhone
	MsgEmail = msgEmail
)
