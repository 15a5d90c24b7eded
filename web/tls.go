package web

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// CertReloader holds the certificate HTTPS is served with and reads it
// again from its files on Reload, so that a renewed certificate takes
// effect on SIGHUP without dropping a connection. Connections already open
// keep the certificate they began with.
type CertReloader struct {
	CertFile, KeyFile string

	mu   sync.RWMutex
	cert *tls.Certificate
}

// NewCertReloader reads the certificate and key, or says which file is
// wrong and how.
func NewCertReloader(certFile, keyFile string) (*CertReloader, error) {
	r := &CertReloader{CertFile: certFile, KeyFile: keyFile}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// Reload reads the files again. On any problem the certificate in use is
// kept and the error says what is wrong.
func (r *CertReloader) Reload() error {
	cert, err := tls.LoadX509KeyPair(r.CertFile, r.KeyFile)
	if err != nil {
		return fmt.Errorf("cannot use --tls-cert %s with --tls-key %s: %v", r.CertFile, r.KeyFile, err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return fmt.Errorf("--tls-cert %s: %v", r.CertFile, err)
	}
	cert.Leaf = leaf
	r.mu.Lock()
	r.cert = &cert
	r.mu.Unlock()
	return nil
}

// NotAfter is when the certificate in use expires.
func (r *CertReloader) NotAfter() time.Time {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cert.Leaf.NotAfter
}

// GetCertificate is for tls.Config.GetCertificate: the certificate last
// loaded.
func (r *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cert, nil
}

// TLSConfig is the server's TLS configuration with r's certificate: TLS
// 1.2 at least, HTTP/2 offered.
func (r *CertReloader) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate, NextProtos: []string{"h2", "http/1.1"}}
}

// ParseTrustedProxies reads --trusted-proxies: comma-separated CIDR ranges
// (10.0.0.0/8) or single addresses (192.168.1.5, taken as /32 or /128).
func ParseTrustedProxies(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			ip := net.ParseIP(part)
			if ip == nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an address or a CIDR range like 10.0.0.0/8", part)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not a CIDR range like 10.0.0.0/8 or 192.168.1.5/32", part)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--trusted-proxies: give at least one CIDR range, like 10.0.0.0/8")
	}
	return out, nil
}

// TrustProxies makes the server believe X-Forwarded-For and X-Real-IP only
// on connections from these ranges: the client is then the nearest address
// in X-Forwarded-For that is not itself a trusted proxy (or X-Real-IP when
// there is no X-Forwarded-For). Every per-address limit, sign-in throttle
// and log line uses that address. Nothing else is trusted: not loopback,
// not the private ranges echo trusts by default.
func (s *Server) TrustProxies(nets []*net.IPNet) {
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range nets {
		opts = append(opts, echo.TrustIPRange(n))
	}
	xff, realIP := echo.ExtractIPFromXFFHeader(opts...), echo.ExtractIPFromRealIPHeader(opts...)
	s.echo.IPExtractor = func(r *http.Request) string {
		if len(r.Header[echo.HeaderXForwardedFor]) > 0 {
			return xff(r)
		}
		return realIP(r)
	}
}
