package replication

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Kind is what a certificate issued by the state's CA lets its holder do.
// It is the certificate's only Organizational Unit; the Common Name is the
// holder's name (a node's ID, a body's code, an admin's or auditor's login).
// What each kind may do is the table in authz.go, the only place that says.
//
//	node     a state node: raft traffic and forwarding; it may also act as a TLS server
//	body     a local body (CN = its code): ship its own log, read its own head and log
//	admin    state IT: membership, revocation, status, the state view
//	auditor  read-only: the state view, state search and verification
//
// Node certificates carry both serverAuth and clientAuth extended key
// usages; the others only clientAuth, so they can never pose as a node.
type Kind string

// The kinds of certificate.
const (
	KindNode    Kind = "node"
	KindBody    Kind = "body"
	KindAdmin   Kind = "admin"
	KindAuditor Kind = "auditor"
)

// Kinds are every kind of certificate, in the order they are listed.
var Kinds = []Kind{KindNode, KindBody, KindAdmin, KindAuditor}

// DefaultLifetime is how long a certificate of kind is valid when issued
// without a lifetime: a year for nodes and bodies (machines, renewed on a
// schedule), 90 days for people (admins and auditors), whose keys sit on
// laptops. LOCAL SETTING: no rule fixes these; they follow common practice.
func DefaultLifetime(k Kind) time.Duration {
	switch k {
	case KindAdmin, KindAuditor:
		return 90 * 24 * time.Hour
	}
	return 365 * 24 * time.Hour
}

// MaxLifetimeDays is the longest lifetime IssueCert grants (LOCAL SETTING:
// the CA/Browser Forum's old 825-day ceiling).
const MaxLifetimeDays = 825

// ExpiryWarning is how long before a certificate expires that ksmart warns
// about it (state status, the state view, a body's replication page).
const ExpiryWarning = 30 * 24 * time.Hour

// certOrg is the Organization of every certificate the state CA issues.
const certOrg = "ksmart state"

// Files of a CA directory and of an issued certificate.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

const caValidity = 10 * 365 * 24 * time.Hour

// issuedDir is the CA directory's register of every certificate it
// issued, one SERIAL.crt each: what ksmart state revoke --cert reads.
const issuedDir = "issued"

var certName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// InitCA makes a new certificate authority for a state cluster in dir:
// ca.crt (give it to every node and local body) and ca.key (keep it
// offline; mode 0600). It refuses to overwrite an existing CA.
func InitCA(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, CAKeyFile)); err == nil {
		return fmt.Errorf("%s already holds a CA (%s); choose another directory, or remove it first if you really mean to replace the CA (every certificate it issued stops working)", dir, CAKeyFile)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := newSerial()
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{certOrg}, CommonName: "ksmart state CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	if err := writeKey(filepath.Join(dir, CAKeyFile), key); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, CACertFile), "CERTIFICATE", der, 0o644)
}

// IssueOptions are the choices of IssueCert beyond kind and name.
type IssueOptions struct {
	// Days is the certificate's lifetime; 0 for DefaultLifetime of its kind.
	Days int
	// Hosts are a node's DNS names or IPs (default localhost, 127.0.0.1, ::1).
	Hosts []string
}

// IssueCert issues a certificate of kind for name with the default
// lifetime; see Issue.
func IssueCert(caDir string, kind Kind, name, outDir string, hosts ...string) (certPath, keyPath string, err error) {
	return Issue(caDir, kind, name, outDir, IssueOptions{Hosts: hosts})
}

// Issue issues a certificate of kind for name, signed by the CA in caDir,
// and writes outDir/NAME.crt, outDir/NAME.key (mode 0600) and a copy of
// the CA's ca.crt, and keeps a copy of the certificate in the CA's
// register (caDir/issued/SERIAL.crt). A body's name must be its code (e.g.
// KL-EKM-M01). A node's certificate also names hosts (DNS names or IPs) it
// serves under, for tools such as curl; ksmart itself recognises a node by
// its kind, not its host name. It refuses to overwrite an existing key, a
// lifetime outside 1 to MaxLifetimeDays days, and one that would outlive
// the CA.
func Issue(caDir string, kind Kind, name, outDir string, o IssueOptions) (certPath, keyPath string, err error) {
	if err := CheckName(kind, name); err != nil {
		return "", "", err
	}
	if o.Days < 0 || o.Days > MaxLifetimeDays {
		return "", "", fmt.Errorf("a certificate's lifetime must be 1 to %d days, not %d", MaxLifetimeDays, o.Days)
	}
	life := DefaultLifetime(kind)
	if o.Days > 0 {
		life = time.Duration(o.Days) * 24 * time.Hour
	}
	if len(o.Hosts) > 0 && kind != KindNode {
		return "", "", errors.New("host names are for node certificates only")
	}
	caCert, caKey, err := loadCA(caDir)
	if err != nil {
		return "", "", err
	}
	now := time.Now()
	if now.Add(life).After(caCert.NotAfter) {
		return "", "", fmt.Errorf("the CA in %s expires on %s, before a certificate of %d days would: roll the CA over first (README: rolling the state CA over)", caDir, caCert.NotAfter.Format(time.DateOnly), int(life.Hours()/24))
	}
	certPath, keyPath = filepath.Join(outDir, name+".crt"), filepath.Join(outDir, name+".key")
	if _, err := os.Stat(keyPath); err == nil {
		return "", "", fmt.Errorf("%s already exists; issue into another directory or remove it first", keyPath)
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(filepath.Join(caDir, issuedDir), 0o700); err != nil {
		return "", "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	serial, err := newSerial()
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{certOrg}, OrganizationalUnit: []string{string(kind)}, CommonName: name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(life),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if kind == KindNode {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
		hosts := o.Hosts
		if len(hosts) == 0 {
			hosts = []string{"localhost", "127.0.0.1", "::1"}
		}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return "", "", err
	}
	if err := writeKey(keyPath, key); err != nil {
		return "", "", err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return "", "", err
	}
	if err := writePEM(filepath.Join(caDir, issuedDir, FormatSerial(serial)+".crt"), "CERTIFICATE", der, 0o644); err != nil {
		return "", "", err
	}
	if filepath.Clean(outDir) != filepath.Clean(caDir) {
		if err := writePEM(filepath.Join(outDir, CACertFile), "CERTIFICATE", caCert.Raw, 0o644); err != nil {
			return "", "", err
		}
	}
	return certPath, keyPath, nil
}

// CheckName refuses a kind that is not one of Kinds, and a name of the
// wrong form for its kind, with a message that says what is expected.
func CheckName(kind Kind, name string) error {
	switch kind {
	case KindBody:
		if !bodyCode.MatchString(name) {
			return fmt.Errorf("a body certificate's name is the local body's code: 2-32 capital letters, digits or hyphens, starting with a letter (e.g. KL-EKM-M01), not %q", name)
		}
	case KindNode, KindAdmin, KindAuditor:
		if !certName.MatchString(name) {
			return fmt.Errorf("a %s certificate's name must be 1-64 letters, digits, dots, underscores or hyphens, not %q", kind, name)
		}
	default:
		return fmt.Errorf("unknown certificate kind %q; the kinds are %s", kind, kindList(Kinds))
	}
	return nil
}

// FormatSerial writes a certificate's serial number as ksmart shows it and
// ksmart state revoke --serial takes it: lower-case hex, no colons.
func FormatSerial(n *big.Int) string { return fmt.Sprintf("%x", n) }

// ParseSerial reads a serial number as FormatSerial writes it, or as
// openssl prints it (upper case, colons, a 0x prefix), and returns it in
// FormatSerial's form.
func ParseSerial(s string) (string, error) {
	t := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(strings.ReplaceAll(strings.TrimSpace(s), ":", ""), "0x"), "0X"))
	n, ok := new(big.Int).SetString(t, 16)
	if t == "" || !ok || n.Sign() <= 0 || n.BitLen() > 160 {
		return "", fmt.Errorf("%q is not a certificate serial number: give it in hex as ksmart state status or openssl x509 -serial prints it (e.g. 5f3a9c…)", s)
	}
	return FormatSerial(n), nil
}

func newSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func loadCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, nil, fmt.Errorf("no CA in %s (%v); make one with ksmart state init-ca --dir %s", dir, err, dir)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, CAKeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("the CA key is not in %s (%v); issue certificates where ca.key is kept", dir, err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("the CA in %s does not load: %v", dir, err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("the CA key in %s is not an ECDSA key", dir)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: typ, Bytes: der}); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Identity is a party's certificate and key, with the state CA (or, while
// the CA is rolled over, the CAs) that vouch for its peers: what a node or
// a client needs for mutual TLS. Reload swaps in new files without a
// restart; TLS configurations made from it pick up the new certificate at
// their next handshake (GetCertificate, GetClientCertificate).
type Identity struct {
	Kind Kind   // from the certificate
	Name string // the certificate's Common Name

	caFile, certFile, keyFile string // set by LoadIdentity, for Reload
	cur                       atomic.Pointer[idState]
}

// idState is one loaded set of an identity's files.
type idState struct {
	cert tls.Certificate
	ca   *x509.CertPool
}

// LoadIdentity reads PEM files: the CA certificate (one, or several while
// the CA is rolled over), and a certificate and its key issued by one of
// them.
func LoadIdentity(caFile, certFile, keyFile string) (*Identity, error) {
	st, kind, name, err := loadIdentityFiles(caFile, certFile, keyFile)
	if err != nil {
		return nil, err
	}
	id := &Identity{Kind: kind, Name: name, caFile: caFile, certFile: certFile, keyFile: keyFile}
	id.cur.Store(st)
	return id, nil
}

func loadIdentityFiles(caFile, certFile, keyFile string) (*idState, Kind, string, error) {
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, "", "", fmt.Errorf("read the CA certificate: %w", err)
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, "", "", fmt.Errorf("read the certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, "", "", fmt.Errorf("read the key: %w", err)
	}
	return parseIdentity(caPEM, certPEM, keyPEM)
}

// Reload reads the identity's files again (LoadIdentity's) and, if they
// load and hold a certificate of the same kind and name, uses them from
// the next handshake on: how a node or a body switches to a renewed
// certificate, or to a CA bundle, without a restart (ksmart serve and
// ksmart state run call it on SIGHUP). On error the identity is unchanged.
func (id *Identity) Reload() error {
	if id.certFile == "" {
		return errors.New("this identity was not loaded from files; nothing to reload")
	}
	st, kind, name, err := loadIdentityFiles(id.caFile, id.certFile, id.keyFile)
	if err != nil {
		return err
	}
	if kind != id.Kind || name != id.Name {
		return fmt.Errorf("the new certificate %s is %s %q, but this process runs as %s %q; issue the new certificate for the same kind and name", id.certFile, kind, name, id.Kind, id.Name)
	}
	id.cur.Store(st)
	return nil
}

// Certificate returns the certificate in use.
func (id *Identity) Certificate() *x509.Certificate { return id.cur.Load().cert.Leaf }

// Serial returns the serial number of the certificate in use (FormatSerial).
func (id *Identity) Serial() string { return FormatSerial(id.Certificate().SerialNumber) }

func (id *Identity) tlsCert() *tls.Certificate { return &id.cur.Load().cert }
func (id *Identity) pool() *x509.CertPool      { return id.cur.Load().ca }

// ParseIdentity is LoadIdentity on PEM bytes (an identity that cannot
// Reload). It checks that the certificate was issued by the CA and is of a
// known kind with a name of the right form.
func ParseIdentity(caPEM, certPEM, keyPEM []byte) (*Identity, error) {
	st, kind, name, err := parseIdentity(caPEM, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	id := &Identity{Kind: kind, Name: name}
	id.cur.Store(st)
	return id, nil
}

func parseIdentity(caPEM, certPEM, keyPEM []byte) (*idState, Kind, string, error) {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, "", "", fmt.Errorf("the certificate and key do not load as a pair: %v", err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, "", "", err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, "", "", errors.New("the CA file holds no PEM certificate")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, "", "", fmt.Errorf("the certificate %q was not issued by this CA: %v", leaf.Subject.CommonName, err)
	}
	kind, name, err := certKind(leaf)
	if err != nil {
		return nil, "", "", err
	}
	pair.Leaf = leaf
	return &idState{cert: pair, ca: pool}, kind, name, nil
}

// certKind returns a certificate's kind and name, or an error that says
// why it is not a ksmart state certificate: no kind, an unknown one, or a
// name of the wrong form for its kind.
func certKind(c *x509.Certificate) (Kind, string, error) {
	if len(c.Subject.OrganizationalUnit) != 1 {
		return "", "", fmt.Errorf("the certificate %q is not a ksmart state certificate (it has no kind: %s); issue one with ksmart state issue-cert", c.Subject.CommonName, kindList(Kinds))
	}
	k, name := Kind(c.Subject.OrganizationalUnit[0]), c.Subject.CommonName
	if err := CheckName(k, name); err != nil {
		return "", "", fmt.Errorf("the certificate %q (serial %s) is refused: %v", name, FormatSerial(c.SerialNumber), err)
	}
	return k, name, nil
}

// serverTLS is the TLS configuration of a node's listeners: its node
// certificate as it is now (GetCertificate), and every client must present
// a certificate of one of the CAs trusted now, checked by verify (which
// may also refuse it, e.g. when revoked).
func (id *Identity) serverTLS(verify func(cs tls.ConnectionState) error) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS13,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return id.tlsCert(), nil },
		// The chain is checked by VerifyConnection against the CAs of the
		// moment, so that a CA bundle swapped in by Reload applies at once.
		ClientAuth:       tls.RequireAnyClientCert,
		VerifyConnection: verify,
	}
}

// clientTLS is the TLS configuration for dialling a node: present this
// identity as it is now, and accept only a node certificate of the CAs
// trusted now, whatever the host name (see Kind); also refused, when set,
// is a peer that revoked says is revoked.
func (id *Identity) clientTLS() *tls.Config {
	return id.clientTLSRevoked(nil)
}

func (id *Identity) clientTLSRevoked(revoked func(*x509.Certificate) error) *tls.Config {
	return &tls.Config{
		MinVersion:           tls.VersionTLS13,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return id.tlsCert(), nil },
		InsecureSkipVerify:   true, // replaced by VerifyConnection: chain to the CA and kind node
		VerifyConnection: func(cs tls.ConnectionState) error {
			if err := verifyPeer(cs, id.pool(), x509.ExtKeyUsageServerAuth, KindNode); err != nil {
				return err
			}
			if revoked != nil {
				return revoked(cs.PeerCertificates[0])
			}
			return nil
		},
	}
}

// verifyChain checks the peer's certificate chains to the CA for usage.
func verifyChain(cs tls.ConnectionState, ca *x509.CertPool, usage x509.ExtKeyUsage) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the peer presented no certificate")
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
		return fmt.Errorf("the peer's certificate %q (serial %s) is not from the state CA: %v", leaf.Subject.CommonName, FormatSerial(leaf.SerialNumber), err)
	}
	return nil
}

// verifyPeer checks the peer's certificate chains to the CA for usage and
// is of one of the kinds (any kind when none are given).
func verifyPeer(cs tls.ConnectionState, ca *x509.CertPool, usage x509.ExtKeyUsage, kinds ...Kind) error {
	if err := verifyChain(cs, ca, usage); err != nil {
		return err
	}
	leaf := cs.PeerCertificates[0]
	kind, name, err := certKind(leaf)
	if err != nil {
		return err
	}
	if len(kinds) == 0 || slices.Contains(kinds, kind) {
		return nil
	}
	return fmt.Errorf("the peer's certificate %q is of kind %q, not %v", name, kind, kinds)
}
