// Package seal owns the local body's seal: the Ed25519 key that signs every
// certificate it issues, and the signed verification payload that a
// certificate's QR code carries. Anyone holding the local body's public key
// can check a payload offline; the private key never leaves the local body
// (it is kept in keys/ and in the store's private bucket, so a backup holds
// it, but it is never an event and so is never replicated).
//
// The payload is a URL: <base>/verify/<number>?d=<digest>&s=<signature>,
// where digest is the first 16 bytes of the SHA-256 of the certificate's
// canonical record (base64url) and signature is Ed25519 over
// "ksmart-certificate\x00" + number + "\x00" + digest bytes (base64url).
package seal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// DigestSize is how many bytes of a record's SHA-256 the payload carries:
// 128 bits, enough against a second preimage, short enough for a QR code.
const DigestSize = 16

// Key is a local body's signing key.
type Key struct {
	LocalBody string
	private   ed25519.PrivateKey
	public    ed25519.PublicKey
}

// Generate makes a new key for the local body with this code.
func Generate(localBody string) (*Key, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("seal: generate key: %w", err)
	}
	return &Key{LocalBody: localBody, private: priv, public: pub}, nil
}

// Public returns the public key.
func (k *Key) Public() ed25519.PublicKey { return k.public }

// Fingerprint is a short, stable name for the public key: the first 8 bytes
// of its SHA-256, in hex, for people comparing keys by eye.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// MarshalPrivate encodes the private key as PKCS #8 PEM, with the local
// body's code as a header.
func (k *Key) MarshalPrivate() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.private)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Local-Body": k.LocalBody}, Bytes: der}), nil
}

// MarshalPublic encodes the public key as PKIX PEM, with the local body's
// code as a header: the file a verifier is given.
func MarshalPublic(localBody string, pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: map[string]string{"Local-Body": localBody}, Bytes: der}), nil
}

// ParsePrivate reads a key written by MarshalPrivate.
func ParsePrivate(data []byte) (*Key, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("seal: not a PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("seal: private key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("seal: the private key is not Ed25519")
	}
	return &Key{LocalBody: b.Headers["Local-Body"], private: priv, public: priv.Public().(ed25519.PublicKey)}, nil
}

// ParsePublic reads a public key written by MarshalPublic and returns it
// with the local body code it names.
func ParsePublic(data []byte) (localBody string, pub ed25519.PublicKey, err error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PUBLIC KEY" {
		return "", nil, errors.New("seal: not a PEM public key (expected the keys/seal.pub file of a local body)")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return "", nil, fmt.Errorf("seal: public key: %w", err)
	}
	p, ok := k.(ed25519.PublicKey)
	if !ok {
		return "", nil, errors.New("seal: the public key is not Ed25519")
	}
	return b.Headers["Local-Body"], p, nil
}

// PublicKey is one seal public key of a bundle, with the local body it
// names.
type PublicKey struct {
	LocalBody string
	Key       ed25519.PublicKey
}

// ParsePublicKeys reads one or more public keys written by MarshalPublic,
// one after another in data: a body's key bundle (keys/seal-bundle.pub,
// or its seal-*.pub files put together), what a verifier needs to check
// certificates signed with any key the body has had. Anything in data but
// public keys is an error.
func ParsePublicKeys(data []byte) ([]PublicKey, error) {
	var out []PublicKey
	rest := data
	for {
		b, r := pem.Decode(rest)
		if b == nil {
			break
		}
		one := pem.EncodeToMemory(b)
		body, pub, err := ParsePublic(one)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", len(out)+1, err)
		}
		out, rest = append(out, PublicKey{LocalBody: body, Key: pub}), r
	}
	if len(out) == 0 || len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("seal: not a PEM public key, or several one after another (expected keys/seal.pub, a keys/seal-*.pub or keys/" + BundleFile + " of a local body)")
	}
	return out, nil
}

// Files in a data directory's keys/ folder.
const (
	PrivateFile = "seal.key"
	PublicFile  = "seal.pub"
	// BundleFile holds every seal public key the body has had, one after
	// another: the one file to give verifiers.
	BundleFile = "seal-bundle.pub"
)

// WriteFiles writes the key pair into dir (created 0700), the private key
// 0600, replacing what is there atomically.
func (k *Key) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	priv, err := k.MarshalPrivate()
	if err != nil {
		return err
	}
	pub, err := MarshalPublic(k.LocalBody, k.public)
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, PrivateFile), priv, 0o600); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, PublicFile), pub, 0o644)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Payload is what a certificate's QR code says.
type Payload struct {
	Base      string // the verifying site, e.g. https://ksmart.example.gov.in
	Number    string // the certificate number
	Digest    []byte // DigestSize bytes of the record's SHA-256
	Signature []byte
}

// numberPattern is the form of a certificate number: letters, digits and
// hyphens, so it needs no escaping in a URL or a QR code.
var numberPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,47}$`)

// ValidNumber reports whether s has the form of a certificate number.
func ValidNumber(s string) bool { return numberPattern.MatchString(s) }

func message(number string, digest []byte) []byte {
	var b bytes.Buffer
	b.WriteString("ksmart-certificate\x00")
	b.WriteString(number)
	b.WriteByte(0)
	b.Write(digest)
	return b.Bytes()
}

// Sign makes the payload for a certificate: number and the full SHA-256 of
// its canonical record. base is the public address of the verifying site.
func (k *Key) Sign(base, number string, recordSHA256 [32]byte) (Payload, error) {
	if !ValidNumber(number) {
		return Payload{}, fmt.Errorf("seal: %q is not a certificate number", number)
	}
	d := recordSHA256[:DigestSize]
	return Payload{Base: strings.TrimRight(base, "/"), Number: number, Digest: d, Signature: ed25519.Sign(k.private, message(number, d))}, nil
}

// String is the payload as the URL the QR code holds.
func (p Payload) String() string {
	enc := base64.RawURLEncoding
	return p.Base + "/verify/" + p.Number + "?d=" + enc.EncodeToString(p.Digest) + "&s=" + enc.EncodeToString(p.Signature)
}

// Query is the payload's query string alone, for links on the site itself.
func (p Payload) Query() string {
	enc := base64.RawURLEncoding
	return "d=" + enc.EncodeToString(p.Digest) + "&s=" + enc.EncodeToString(p.Signature)
}

// Errors of Parse and Verify. Each says what a person holding the
// certificate should conclude.
var (
	ErrMalformed = errors.New("this is not a ksmart verification code: it does not have the form <site>/verify/<number>?d=…&s=…")
	ErrSignature = errors.New("the signature does not match: the code was altered or was not made by this local body")
	ErrDigest    = errors.New("the certificate's content does not match the code: it was altered after issue")
)

// Parse reads a payload from the URL a QR code holds. Only the form is
// checked; Verify checks the signature.
func Parse(s string) (Payload, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return Payload{}, ErrMalformed
	}
	i := strings.LastIndex(u.Path, "/verify/")
	if i < 0 {
		return Payload{}, ErrMalformed
	}
	p := Payload{Number: u.Path[i+len("/verify/"):]}
	if u.Scheme != "" {
		p.Base = u.Scheme + "://" + u.Host + u.Path[:i]
	}
	q := u.Query()
	p.Digest, err = base64.RawURLEncoding.DecodeString(q.Get("d"))
	if err != nil || len(p.Digest) != DigestSize {
		return Payload{}, ErrMalformed
	}
	p.Signature, err = base64.RawURLEncoding.DecodeString(q.Get("s"))
	if err != nil || len(p.Signature) != ed25519.SignatureSize || !ValidNumber(p.Number) {
		return Payload{}, ErrMalformed
	}
	return p, nil
}

// Verify checks the payload's signature with the local body's public key.
func (p Payload) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, message(p.Number, p.Digest), p.Signature) {
		return ErrSignature
	}
	return nil
}

// Matches reports whether the payload's digest is that of a record with
// this full SHA-256: whether the record is the one that was signed.
func (p Payload) Matches(recordSHA256 [32]byte) error {
	if !bytes.Equal(p.Digest, recordSHA256[:DigestSize]) {
		return ErrDigest
	}
	return nil
}
