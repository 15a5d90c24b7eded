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
	"time"
)

// Kind is what a certificate issued by the state's CA lets its holder do.
// It is the certificate's only Organizational Unit; the Common Name is the
// holder's name (a node's ID, a body's code, an admin's login).
//
//	node   a state node: raft traffic, forwarding, reading any body's log; it may also act as a TLS server
//	body   a local body (CN = its code): ship its own log, read its own head and log
//	admin  state IT: join, leave, status, reading any body's log
//
// Node certificates carry both serverAuth and clientAuth extended key
// usages; body and admin certificates only clientAuth, so they can never
// pose as a node.
type Kind string

// The kinds of certificate.
const (
	KindNode  Kind = "node"
	KindBody  Kind = "body"
	KindAdmin Kind = "admin"
)

// certOrg is the Organization of every certificate the state CA issues.
const certOrg = "ksmart state"

// Files of a CA directory and of an issued certificate.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

const (
	caValidity   = 10 * 365 * 24 * time.Hour
	certValidity = 2 * 365 * 24 * time.Hour
)

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

// IssueCert issues a certificate of kind for name, signed by the CA in
// caDir, and writes outDir/NAME.crt, outDir/NAME.key (mode 0600) and a copy
// of the CA's ca.crt. A body's name must be its code (e.g. KL-EKM-M01). A
// node's certificate also names hosts (DNS names or IPs) it serves under,
// for tools such as curl; ksmart itself recognises a node by its kind, not
// its host name. It refuses to overwrite an existing key.
func IssueCert(caDir string, kind Kind, name, outDir string, hosts ...string) (certPath, keyPath string, err error) {
	switch kind {
	case KindBody:
		if !bodyCode.MatchString(name) {
			return "", "", fmt.Errorf("a body certificate's name is the local body's code: 2-32 capital letters, digits or hyphens, starting with a letter (e.g. KL-EKM-M01), not %q", name)
		}
	case KindNode, KindAdmin:
		if !certName.MatchString(name) {
			return "", "", fmt.Errorf("a %s certificate's name must be 1-64 letters, digits, dots, underscores or hyphens, not %q", kind, name)
		}
	default:
		return "", "", fmt.Errorf("unknown certificate kind %q; the kinds are node, body and admin", kind)
	}
	caCert, caKey, err := loadCA(caDir)
	if err != nil {
		return "", "", err
	}
	certPath, keyPath = filepath.Join(outDir, name+".crt"), filepath.Join(outDir, name+".key")
	if _, err := os.Stat(keyPath); err == nil {
		return "", "", fmt.Errorf("%s already exists; issue into another directory or remove it first", keyPath)
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
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
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{certOrg}, OrganizationalUnit: []string{string(kind)}, CommonName: name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if kind == KindNode {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
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
	if filepath.Clean(outDir) != filepath.Clean(caDir) {
		if err := writePEM(filepath.Join(outDir, CACertFile), "CERTIFICATE", caCert.Raw, 0o644); err != nil {
			return "", "", err
		}
	}
	return certPath, keyPath, nil
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

// Identity is a party's certificate and key, with the state CA that vouches
// for its peers: what a node or a client needs for mutual TLS.
type Identity struct {
	Kind Kind   // from the certificate
	Name string // the certificate's Common Name

	cert tls.Certificate
	ca   *x509.CertPool
}

// LoadIdentity reads PEM files: the CA certificate, and a certificate and
// its key issued by that CA.
func LoadIdentity(caFile, certFile, keyFile string) (*Identity, error) {
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read the CA certificate: %w", err)
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("read the certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("read the key: %w", err)
	}
	return ParseIdentity(caPEM, certPEM, keyPEM)
}

// ParseIdentity is LoadIdentity on PEM bytes. It checks that the
// certificate was issued by the CA and is of a known kind.
func ParseIdentity(caPEM, certPEM, keyPEM []byte) (*Identity, error) {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("the certificate and key do not load as a pair: %v", err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("the CA file holds no PEM certificate")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, fmt.Errorf("the certificate %q was not issued by this CA: %v", leaf.Subject.CommonName, err)
	}
	kind, name := certKind(leaf)
	if kind == "" {
		return nil, fmt.Errorf("the certificate %q is not a ksmart state certificate (no node, body or admin kind); issue one with ksmart state issue-cert", leaf.Subject.CommonName)
	}
	pair.Leaf = leaf
	return &Identity{Kind: kind, Name: name, cert: pair, ca: pool}, nil
}

// certKind returns a certificate's kind and name, or "" if it has no
// known kind.
func certKind(c *x509.Certificate) (Kind, string) {
	if len(c.Subject.OrganizationalUnit) != 1 {
		return "", ""
	}
	switch k := Kind(c.Subject.OrganizationalUnit[0]); k {
	case KindNode, KindBody, KindAdmin:
		return k, c.Subject.CommonName
	}
	return "", ""
}

// serverTLS is the TLS configuration of a node's listeners: its node
// certificate, and every client must present a certificate of the CA.
func (id *Identity) serverTLS() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{id.cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    id.ca,
	}
}

// clientTLS is the TLS configuration for dialling a node: present this
// identity, and accept only a node certificate of the CA, whatever the host
// name (see Kind).
func (id *Identity) clientTLS() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		Certificates:       []tls.Certificate{id.cert},
		InsecureSkipVerify: true, // replaced by VerifyConnection: chain to the CA and kind node
		VerifyConnection: func(cs tls.ConnectionState) error {
			return verifyPeer(cs, id.ca, x509.ExtKeyUsageServerAuth, KindNode)
		},
	}
}

// verifyPeer checks the peer's certificate chains to the CA for usage and
// is of one of the kinds.
func verifyPeer(cs tls.ConnectionState, ca *x509.CertPool, usage x509.ExtKeyUsage, kinds ...Kind) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the peer presented no certificate")
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
		return fmt.Errorf("the peer's certificate %q is not from the state CA: %v", leaf.Subject.CommonName, err)
	}
	kind, name := certKind(leaf)
	for _, k := range kinds {
		if kind == k {
			return nil
		}
	}
	return fmt.Errorf("the peer's certificate %q is of kind %q, not %v", name, kind, kinds)
}
