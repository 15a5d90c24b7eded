package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 named cn, and
// its key, as PEM files; it returns the certificate.
func writeCert(t *testing.T, certFile, keyFile, cn string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	// Written beside and renamed, as certbot's deploy does.
	for file, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "EC PRIVATE KEY", Bytes: kder}} {
		if err := os.WriteFile(file+".new", pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".new", file); err != nil {
			t.Fatal(err)
		}
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

// TestServe_HTTPSWithHSTSAndSecureCookiesAndANewCertificateOnSIGHUP runs
// serve with --tls-cert and --tls-key: it answers HTTPS with the
// certificate given, sends HSTS and marks its cookies Secure; after the
// files are replaced and the process gets SIGHUP, new connections get the
// new certificate without a restart, and bad files on a later SIGHUP keep
// the certificate in use.
func TestServe_HTTPSWithHSTSAndSecureCookiesAndANewCertificateOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	first := writeCert(t, certFile, keyFile, "ksmart first")
	p := start(t, "serve", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--local-body", "../../examples/local-body.json",
		"--log-format", "text", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(p.url, "https://127.0.0.1:") {
		t.Fatalf("serve with --tls-cert says it serves at %q", p.url)
	}
	roots := x509.NewCertPool()
	roots.AddCert(first)
	// peer fetches path over a new connection and returns the response
	// and the certificate the server showed.
	jar, _ := cookiejar.New(nil)
	peer := func(path string, roots *x509.CertPool) (*http.Response, *x509.Certificate) {
		t.Helper()
		client := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}}
		resp, err := client.Get(strings.TrimSuffix(p.url, "/") + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp, resp.TLS.PeerCertificates[0]
	}
	resp, cert := peer("/healthz", roots)
	if resp.StatusCode != 200 || cert.Subject.CommonName != "ksmart first" {
		t.Fatalf("GET /healthz over HTTPS = %d with certificate %q", resp.StatusCode, cert.Subject.CommonName)
	}
	if h := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=31536000") {
		t.Errorf("no HSTS over HTTPS: %q", h)
	}
	resp, _ = peer("/signin", roots)
	var csrf *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "_csrf" {
			csrf = c
		}
	}
	if csrf == nil || !csrf.Secure {
		t.Fatalf("the CSRF cookie over HTTPS is not Secure: %v", resp.Header["Set-Cookie"])
	}
	// The first start's administrator signs in: the session cookie is Secure.
	m := regexp.MustCompile(`administrator "(\S+)" has the one-time password (\S+)`).FindStringSubmatch(p.said)
	if m == nil {
		t.Fatalf("no first-start administrator printed:\n%s", p.said)
	}
	client := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(strings.TrimSuffix(p.url, "/")+"/signin", url.Values{"login": {m[1]}, "password": {m[2]}, "_csrf": {csrf.Value}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "ksmart_session" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.Secure {
		t.Fatalf("sign-in over HTTPS: %d, session cookie %v", resp.StatusCode, resp.Header["Set-Cookie"])
	}

	// A renewed certificate, then SIGHUP: new connections get it.
	second := writeCert(t, certFile, keyFile, "ksmart second")
	roots.AddCert(second)
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, cert := peer("/healthz", roots); cert.Subject.CommonName == "ksmart second" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20 s after SIGHUP the old certificate is still served; stderr:\n%s", p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A broken file and SIGHUP: the certificate in use stays, and the log says why.
	os.WriteFile(keyFile, []byte("not a key"), 0o600)
	p.cmd.Process.Signal(syscall.SIGHUP)
	for !strings.Contains(p.stderr.String(), "the TLS certificate was not changed") {
		if time.Now().After(deadline) {
			t.Fatalf("a bad key on SIGHUP was not reported; stderr:\n%s", p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if resp, cert := peer("/healthz", roots); resp.StatusCode != 200 || cert.Subject.CommonName != "ksmart second" {
		t.Fatalf("after a bad SIGHUP: %d with %q", resp.StatusCode, cert.Subject.CommonName)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("exit status after SIGTERM = %d; stderr:\n%s", code, p.stderr)
	}
}

// TestServe_BadTLSAndProxyFlagsSayWhatToFix: one line, exit 1, nothing
// served.
func TestServe_BadTLSAndProxyFlagsSayWhatToFix(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writeCert(t, certFile, keyFile, "ksmart")
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nnot base64\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "give both --tls-cert FILE and --tls-key FILE"},
		{[]string{"--tls-key", keyFile}, "give both --tls-cert FILE and --tls-key FILE"},
		{[]string{"--tls-cert", filepath.Join(dir, "missing.crt"), "--tls-key", keyFile}, "missing.crt"},
		{[]string{"--tls-cert", garbage, "--tls-key", keyFile}, "garbage.pem"},
		{[]string{"--tls-cert", keyFile, "--tls-key", certFile}, "cannot use --tls-cert"},
		{[]string{"--trusted-proxies", "10.0.0.0/33"}, `--trusted-proxies: "10.0.0.0/33" is not a CIDR range`},
		{[]string{"--trusted-proxies", "proxy.lan"}, `"proxy.lan" is not an address or a CIDR range`},
	} {
		data := filepath.Join(t.TempDir(), "data")
		code, stdout, stderr := ksmart(t, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--local-body", "../../examples/local-body.json"}, c.args...)...)
		if code != 1 || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
			t.Errorf("serve %v: exit %d, stderr %q (want one line with %q), stdout %q", c.args, code, stderr, c.want, stdout)
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("serve %v made the data directory before refusing", c.args)
		}
	}
	code, _, stderr := ksmart(t, "serve", "--data", filepath.Join(dir, "d2"), "--two-step-roles", "admin,citizen")
	if code != 2 || !strings.Contains(stderr, `--two-step-roles: "citizen" is not an office role`) {
		t.Errorf("--two-step-roles with a citizen: exit %d %q", code, stderr)
	}
}
