package civil

import (
	"fmt"
	"strings"
)

// Store layout of the civil registers (schema version 1).
//
//	civil_entry        id "<kind>/<year>/<seq:06>"      → Entry
//	civil_certificate  id <certificate number>          → Certificate
//	civil_by_date      id "<kind>/<YYYY-MM-DD>/<entry>" → entry number (for searches by event date)
//	civil_kiosk_copy   id <demand number>               → kioskCopy: a paid kiosk copy, printed
//	index civil_number      <register number, upper case> → entry id
//	sequence register/<kind>/<year>       gapless register serial numbers
//	reserved certificate/<year>           certificate serial numbers (may have gaps)
const (
	entityEntry       = "civil_entry"
	entityCertificate = "civil_certificate"
	entityByDate      = "civil_by_date"
	entityKioskCopy   = "civil_kiosk_copy"
	indexNumber       = "civil_number"
)

// Register kinds.
const (
	KindBirth      = "birth"
	KindStillBirth = "still_birth"
	KindDeath      = "death"
	KindMarriage   = "marriage"
)

// Kinds lists the register kinds in the order pages show them.
var Kinds = []string{KindBirth, KindStillBirth, KindDeath, KindMarriage}

// prefix is the letter(s) a kind's register numbers begin with.
func prefix(kind string) string {
	switch kind {
	case KindBirth:
		return "B"
	case KindStillBirth:
		return "SB"
	case KindDeath:
		return "D"
	case KindMarriage:
		return "M"
	}
	return "X"
}

// kindOfNumber returns the register kind a register number belongs to.
func kindOfNumber(number string) string {
	n := strings.ToUpper(strings.TrimSpace(number))
	switch {
	case strings.HasPrefix(n, "SB-"):
		return KindStillBirth
	case strings.HasPrefix(n, "B-"):
		return KindBirth
	case strings.HasPrefix(n, "D-"):
		return KindDeath
	case strings.HasPrefix(n, "M-"):
		return KindMarriage
	}
	return ""
}

// RegisterNumber formats a register number: B-12/2026.
func RegisterNumber(kind string, year int, seq uint64) string {
	return fmt.Sprintf("%s-%d/%d", prefix(kind), seq, year)
}

// parseRegisterNumber splits B-12/2026 into its kind, serial and year.
func parseRegisterNumber(s string) (kind string, seq uint64, year int, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	kind = kindOfNumber(s)
	if kind == "" {
		return "", 0, 0, false
	}
	var p string
	if _, err := fmt.Sscanf(strings.Replace(s, "-", " ", 1), "%s %d/%d", &p, &seq, &year); err != nil || p != prefix(kind) || seq == 0 || year < 1900 || year > 2999 {
		return "", 0, 0, false
	}
	return kind, seq, year, RegisterNumber(kind, year, seq) == s
}

func entryID(kind string, year int, seq uint64) string {
	return fmt.Sprintf("%s/%d/%06d", kind, year, seq)
}

func registerSequence(kind string, year int) string {
	return fmt.Sprintf("register/%s/%d", kind, year)
}

func byDateKey(kind, date, id string) string { return kind + "/" + date + "/" + id }

// Certificate number kinds: the two letters after the local body's code.
func certLetters(kind string) string {
	switch kind {
	case KindBirth:
		return "BC"
	case KindDeath:
		return "DC"
	case KindMarriage:
		return "MC"
	}
	return "NA"
}

// CertificateNumber formats a certificate number: DEMO01-BC-2026-12. It has
// only capitals, digits and hyphens, so it goes into a URL as it is.
func CertificateNumber(localBody, kind string, year int, seq uint64) string {
	return fmt.Sprintf("%s-%s-%d-%d", localBody, certLetters(kind), year, seq)
}
