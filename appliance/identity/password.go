package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"ksmart/appliance/domain"
)

// argonParams are the argon2id cost parameters of a hash.
type argonParams struct {
	Time    uint32 // passes over memory
	Memory  uint32 // KiB
	Threads uint8
	KeyLen  uint32
}

// hashParams are what new hashes use: 3 passes over 64 MiB with 2 lanes,
// about 80 ms on the 2-core appliance. Hashes made with other parameters
// still verify (the parameters travel in the PHC string) and are replaced
// at the next successful sign-in.
var hashParams = argonParams{Time: 3, Memory: 64 * 1024, Threads: 2, KeyLen: 32}

const saltLen = 16

// hashSlots bounds concurrent hashing, so a burst of sign-ins waits for CPU
// instead of asking for 64 MiB each at once.
var hashSlots = make(chan struct{}, max(1, runtime.NumCPU()))

func argonKey(password string, salt []byte, p argonParams) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

var b64 = base64.RawStdEncoding

// hashPassword returns the argon2id hash of password in PHC string form:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>, both base64 without padding.
func hashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := hashParams
	key := argonKey(password, salt, p)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("identity: malformed password hash")

// parseHash reads a PHC argon2id string, refusing parameters far beyond
// what ksmart writes so a damaged document cannot stall the server.
func parseHash(encoded string) (argonParams, []byte, []byte, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 ||
		p.Time < 1 || p.Time > 10 || p.Memory < 8*1024 || p.Memory > 256*1024 || p.Threads < 1 || p.Threads > 16 {
		return p, nil, nil, errBadHash
	}
	p.KeyLen = uint32(len(key))
	return p, salt, key, nil
}

// verifyPassword reports whether password matches the PHC hash, comparing in
// constant time, and whether the hash was made with parameters other than
// today's (so the caller should store a fresh one).
func verifyPassword(encoded, password string) (ok, outdated bool) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		burnHash(password)
		return false, false
	}
	got := argonKey(password, salt, p)
	return subtle.ConstantTimeCompare(got, key) == 1, p != hashParams
}

// dummySalt feeds burnHash.
var dummySalt = make([]byte, saltLen)

// burnHash spends the time of one verification, so an unknown login takes
// as long to refuse as a wrong password.
func burnHash(password string) {
	argonKey(password, dummySalt, hashParams)
}

// otpAlphabet has no characters that are easily confused when read aloud or
// copied from paper: no i, l, o, 0 or 1.
const otpAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// generateOTP returns four groups of four random characters, e.g.
// "k7wq-3mza-p9ht-xe4c" (about 79 bits).
func generateOTP() (string, error) {
	var b strings.Builder
	n := big.NewInt(int64(len(otpAlphabet)))
	for i := range 16 {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		r, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", err
		}
		b.WriteByte(otpAlphabet[r.Int64()])
	}
	return b.String(), nil
}

// Password limits.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

// checkNewPassword returns what is wrong with password as a new password
// for login, or nil.
func checkNewPassword(password, login string) *domain.Text {
	n := utf8.RuneCountInString(password)
	var t domain.Text
	switch {
	case n < MinPasswordLen:
		t = domain.T(fmt.Sprintf("Use at least %d characters.", MinPasswordLen), fmt.Sprintf("കുറഞ്ഞത് %d അക്ഷരങ്ങൾ ഉപയോഗിക്കുക.", MinPasswordLen))
	case n > MaxPasswordLen:
		t = domain.T(fmt.Sprintf("Use at most %d characters.", MaxPasswordLen), fmt.Sprintf("പരമാവധി %d അക്ഷരങ്ങൾ ഉപയോഗിക്കുക.", MaxPasswordLen))
	case login != "" && (strings.EqualFold(strings.TrimSpace(password), login) || strings.EqualFold("+91"+password, login)):
		t = domain.T("The password must not be the same as your login.", "പാസ്‌വേഡ് നിങ്ങളുടെ ലോഗിൻ തന്നെ ആകരുത്.")
	case strings.IndexFunc(password, func(r rune) bool { return !unicode.IsDigit(r) }) < 0:
		t = domain.T("The password must not be only digits; add letters or other characters.", "പാസ്‌വേഡ് അക്കങ്ങൾ മാത്രമാകരുത്; അക്ഷരങ്ങളോ മറ്റ് ചിഹ്നങ്ങളോ ചേർക്കുക.")
	default:
		return nil
	}
	return &t
}
