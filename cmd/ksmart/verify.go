package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"ksmart/appliance/documents"
	"ksmart/appliance/seal"
)

// errNotGenuine makes verify exit 1 after it has said why.
var errNotGenuine = errors.New("NOT VERIFIED")

func runVerify(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "verify", "(--key FILE | --data DIR) (CERTIFICATE.pdf | 'QR-CODE-TEXT')")
	key := fs.String("key", "", "the issuing local body's public keys: its key bundle `FILE` (keys/seal-bundle.pub: every key it has had), one key (keys/seal.pub), or a directory of seal.pub and seal-*.pub files")
	data := fs.String("data", "", "take the public keys from this data `DIR`ectory (keys/)")
	font := fs.String("font", "", "Malayalam font `FILE` to re-draw a PDF with (default: the usual Debian font paths)")
	fontBold := fs.String("font-bold", "", "bold weight `FILE` of --font")
	pos, err := parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return usageError{"give one certificate: a PDF file, or the text its QR code holds"}
	case (*key == "") == (*data == ""):
		return usageError{"give the issuing local body's public keys with --key FILE (its keys/seal-bundle.pub), or --data DIR"}
	}
	var keys []publicKey
	if *data != "" {
		keys, err = keysInDir(filepath.Join(*data, "keys"))
	} else if fi, serr := os.Stat(*key); serr == nil && fi.IsDir() {
		keys, err = keysInDir(*key)
	} else {
		keys, err = keysInFile(*key)
	}
	if err != nil {
		return err
	}
	arg := pos[0]
	if fi, err := os.Stat(arg); err == nil && !fi.IsDir() {
		pdf, err := os.ReadFile(arg)
		if err != nil {
			return err
		}
		return verifyPDF(env, pdf, keys, *font, *fontBold)
	}
	if !strings.Contains(arg, "/verify/") {
		return usageError{fmt.Sprintf("%q is neither a file nor a certificate's QR code text (…/verify/<number>?d=…&s=…)", arg)}
	}
	p, k, err := checkPayload(env, arg, keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "genuine: certificate %s was signed by %s (key %s).\nThe code proves who issued it, not that it is still in force: see %s for its status and what it printed.\n",
		p.Number, k.body, seal.Fingerprint(k.pub), p.String())
	return nil
}

// publicKey is a local body's seal public key.
type publicKey struct {
	body string
	pub  ed25519.PublicKey
}

// keysInFile reads a key file: one key, or a bundle of several.
func keysInFile(path string) ([]publicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the public key: %v", err)
	}
	ks, err := seal.ParsePublicKeys(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	out := make([]publicKey, len(ks))
	for i, k := range ks {
		out[i] = publicKey{k.LocalBody, k.Key}
	}
	return out, nil
}

// keysInDir reads every key in a keys/ directory: the current one
// (seal.pub), every one the body had before (seal-<fingerprint>.pub, written
// by the appliance: a body rebuilt from the state signs with a new key,
// and its old certificates still hold) and the bundle, each key once.
func keysInDir(dir string) ([]publicKey, error) {
	paths, _ := filepath.Glob(filepath.Join(dir, "seal-*.pub"))
	if _, err := os.Stat(filepath.Join(dir, seal.PublicFile)); err == nil {
		paths = append([]string{filepath.Join(dir, seal.PublicFile)}, paths...)
	}
	var out []publicKey
	seen := map[string]bool{}
	for _, path := range paths {
		ks, err := keysInFile(path)
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			if fp := seal.Fingerprint(k.pub); !seen[fp] {
				seen[fp] = true
				out = append(out, k)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no seal public key in %s (%s or seal-*.pub): has the appliance been started on it?", dir, seal.PublicFile)
	}
	return out, nil
}

// checkPayload parses a QR payload and checks its signature with one of
// the keys and that the number is that key's local body's.
func checkPayload(env *env, text string, keys []publicKey) (seal.Payload, publicKey, error) {
	p, err := seal.Parse(text)
	if err != nil {
		fmt.Fprintf(env.stdout, "NOT VERIFIED: %v\n", err)
		return p, publicKey{}, errNotGenuine
	}
	code, _, _ := strings.Cut(p.Number, "-")
	var theirs []publicKey // the keys of the body the number names (or that name none)
	for _, k := range keys {
		if k.body == "" || k.body == code {
			theirs = append(theirs, k)
		}
	}
	if len(theirs) == 0 {
		fmt.Fprintf(env.stdout, "NOT VERIFIED: certificate %s is numbered for local body %s, but the key is %s's; get %s's public key\n", p.Number, code, keys[0].body, code)
		return p, publicKey{}, errNotGenuine
	}
	for _, k := range theirs {
		if p.Verify(k.pub) == nil {
			return p, k, nil
		}
	}
	fmt.Fprintf(env.stdout, "NOT VERIFIED: %v\n", seal.ErrSignature)
	return p, publicKey{}, errNotGenuine
}

// verifyPDF checks a certificate PDF offline: the record it carries matches
// its QR code's signed digest, and drawing the record again gives the same
// bytes, so nothing printed was changed.
func verifyPDF(env *env, pdf []byte, keys []publicKey, font, fontBold string) error {
	c, qr, err := documents.ReadCertificate(pdf)
	if err != nil {
		fmt.Fprintf(env.stdout, "NOT VERIFIED: %v\n", err)
		return errNotGenuine
	}
	p, k, err := checkPayload(env, qr, keys)
	if err != nil {
		return err
	}
	body, pub := k.body, k.pub
	if p.Number != c.Number {
		fmt.Fprintf(env.stdout, "NOT VERIFIED: the QR code is for %s but the certificate says %s\n", p.Number, c.Number)
		return errNotGenuine
	}
	if err := p.Matches(c.Digest()); err != nil {
		fmt.Fprintf(env.stdout, "NOT VERIFIED: %v\n", err)
		return errNotGenuine
	}
	// The verdict is the first line: "genuine" is said only once the
	// drawn pages are known to match too, so a tampered PDF opens with
	// NOT VERIFIED.
	genuine := fmt.Sprintf("genuine: certificate %s (%s) was signed by %s (key %s); its record matches the signed code.\n", c.Number, c.Kind, body, seal.Fingerprint(pub))
	fonts, ferr := documents.SystemFonts()
	if font != "" {
		fonts, ferr = documents.LoadFonts(font, fontBold)
	}
	if ferr != nil {
		fmt.Fprint(env.stdout, genuine)
		fmt.Fprintf(env.stdout, "not re-drawn: no Malayalam font here (%v); compare the printed details below with the paper\n", ferr)
	} else {
		c.QR = qr
		again, err := documents.NewRenderer(fonts).Certificate(c)
		switch {
		case err != nil:
			fmt.Fprint(env.stdout, genuine)
			fmt.Fprintf(env.stdout, "not re-drawn: %v\n", err)
		case bytes.Equal(again, pdf):
			fmt.Fprint(env.stdout, genuine)
			pages, _ := documents.PageCount(pdf)
			fmt.Fprintf(env.stdout, "unaltered: drawing the signed record again in %s gives this PDF byte for byte, all %s (SHA-256 %s)\n", fonts.Name(), pagesText(pages), documents.SHA256(pdf))
		default:
			fmt.Fprintf(env.stdout, "NOT VERIFIED: the PDF differs from its signed record drawn again in %s: what it shows may have been altered (or it was drawn in another font; give it with --font)\n", fonts.Name())
			fmt.Fprintf(env.stdout, "The signed record inside it (certificate %s, %s, signed by %s) reads:\n", c.Number, c.Kind, body)
			printRecord(env, c)
			return errNotGenuine
		}
	}
	printRecord(env, c)
	fmt.Fprintf(env.stdout, "Whether it is still in force (not superseded or revoked): %s\n", p.String())
	return nil
}

func printRecord(env *env, c documents.Certificate) {
	fmt.Fprintf(env.stdout, "  Number: %s\n", c.Number)
	if c.RegistrationNumber != "" {
		fmt.Fprintf(env.stdout, "  Register number: %s (registered %s)\n", c.RegistrationNumber, c.RegistrationDate.Format("02-01-2006"))
	}
	for _, f := range c.Fields {
		fmt.Fprintf(env.stdout, "  %s: %s\n", f.Label.En, f.Value.Both())
	}
	if c.Remarks.En != "" || c.Remarks.Ml != "" {
		fmt.Fprintf(env.stdout, "  Remarks: %s\n", c.Remarks.Both())
	}
	if c.Supersedes != "" {
		fmt.Fprintf(env.stdout, "  Replaces: %s\n", c.Supersedes)
	}
	fmt.Fprintf(env.stdout, "  Issued: %s by %s, %s\n", c.Issued.Format("02-01-2006"), c.Officer.En, c.OfficerTitle.En)
}

// pagesText reads "1 page" or "3 pages (the certificate and its annexure)".
func pagesText(n int) string {
	if n <= 1 {
		return "1 page"
	}
	return fmt.Sprintf("%d pages (the certificate and its annexure)", n)
}
