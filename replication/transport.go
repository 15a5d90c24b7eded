package replication

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// NewTransport returns the raft transport a Node runs on: TCP listening on
// bind with mutual TLS, each end presenting a node certificate of id's CA
// and accepting only that; three pooled connections a peer and a 10 s I/O
// timeout. advertise is the address peers dial (the listener's own when
// empty); it must be one they can dial, not 0.0.0.0. logger takes the
// transport's log lines; nil discards them. Closing the transport stops the
// listener and drops every connection at once.
//
// A Node makes its own transport. NewTransport is for a plain raft cluster
// that must be measured as a Node would be, such as the raw raft peer of
// ksmart bench state.
func NewTransport(bind, advertise string, id *Identity, logger hclog.Logger) (*raft.NetworkTransport, error) {
	s, err := newTLSStream(bind, advertise, id, nil, nil)
	if err != nil {
		return nil, err
	}
	return newNetworkTransport(s, logger), nil
}

// newNetworkTransport is raft's NetworkTransport over stream, configured as
// a Node runs it.
func newNetworkTransport(stream raft.StreamLayer, logger hclog.Logger) *raft.NetworkTransport {
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	return raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: stream, MaxPool: 3, Timeout: 10 * time.Second, Logger: logger,
	})
}

// tlsStream is raft's StreamLayer over TCP with mutual TLS: each end
// presents a node certificate of the state CA and accepts only that, so no
// body or admin certificate (nor anything else) can speak raft.
//
// It tracks its connections so that Close drops them all at once, the way
// a killed process would: raft's NetworkTransport closes only its listener.
type tlsStream struct {
	ln        net.Listener
	advertise net.Addr
	server    *tls.Config
	client    *tls.Config

	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

var _ raft.StreamLayer = (*tlsStream)(nil)

// newTLSStream listens on bind; advertise is the address peers dial (the
// listener's own address when empty). Each handshake, both ways, also
// asks revoked (when set) whether the peer's certificate is revoked, and
// tells seen (when set) of the peer it admitted.
func newTLSStream(bind, advertise string, id *Identity, revoked func(*x509.Certificate) error, seen func(*x509.Certificate)) (*tlsStream, error) {
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		return nil, err
	}
	s := &tlsStream{ln: ln, advertise: ln.Addr(), conns: map[*trackedConn]struct{}{}}
	if advertise != "" {
		a, err := net.ResolveTCPAddr("tcp", advertise)
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.advertise = a
	}
	if a := s.advertise.(*net.TCPAddr); a.IP.IsUnspecified() {
		ln.Close()
		return nil, errors.New("the raft address " + s.advertise.String() + " is not one peers can dial; give an advertise address")
	}
	check := func(cs tls.ConnectionState) error {
		if revoked != nil {
			if err := revoked(cs.PeerCertificates[0]); err != nil {
				return err
			}
		}
		if seen != nil {
			seen(cs.PeerCertificates[0])
		}
		return nil
	}
	s.server = id.serverTLS(func(cs tls.ConnectionState) error {
		if err := verifyPeer(cs, id.pool(), x509.ExtKeyUsageClientAuth, KindsWith(PermRaft)...); err != nil {
			return err
		}
		return check(cs)
	})
	s.client = id.clientTLSRevoked(func(c *x509.Certificate) error {
		return check(tls.ConnectionState{PeerCertificates: []*x509.Certificate{c}})
	})
	return s, nil
}

// Accept waits for the next peer. The TLS handshake runs on the
// connection's first read, in raft's goroutine for that connection.
func (s *tlsStream) Accept() (net.Conn, error) {
	c, err := s.ln.Accept()
	if err != nil {
		return nil, err
	}
	return s.track(tls.Server(c, s.server))
}

// Dial connects to a peer and completes the handshake within timeout.
func (s *tlsStream) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	c, err := tls.DialWithDialer(d, "tcp", string(address), s.client)
	if err != nil {
		return nil, err
	}
	return s.track(c)
}

func (s *tlsStream) track(c net.Conn) (net.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	t := &trackedConn{Conn: c, s: s}
	s.conns[t] = struct{}{}
	return t, nil
}

// Close stops listening and closes every connection.
func (s *tlsStream) Close() error {
	s.mu.Lock()
	s.closed = true
	conns := s.conns
	s.conns = map[*trackedConn]struct{}{}
	s.mu.Unlock()
	err := s.ln.Close()
	for c := range conns {
		c.Conn.Close()
	}
	return err
}

// dropSerial closes every connection whose peer presented the certificate
// with serial, and returns how many it closed.
func (s *tlsStream) dropSerial(serial string) int {
	s.mu.Lock()
	var drop []*trackedConn
	for c := range s.conns {
		tc, ok := c.Conn.(*tls.Conn)
		if !ok {
			continue
		}
		if pc := tc.ConnectionState().PeerCertificates; len(pc) > 0 && FormatSerial(pc[0].SerialNumber) == serial {
			drop = append(drop, c)
		}
	}
	s.mu.Unlock()
	for _, c := range drop {
		c.Close()
	}
	return len(drop)
}

// dropUntrusted closes every connection whose peer's certificate no
// longer chains to pool (a CA retired by a reload), and returns how many.
func (s *tlsStream) dropUntrusted(pool *x509.CertPool) int {
	s.mu.Lock()
	var drop []*trackedConn
	for c := range s.conns {
		tc, ok := c.Conn.(*tls.Conn)
		if !ok {
			continue
		}
		cs := tc.ConnectionState()
		if len(cs.PeerCertificates) > 0 && verifyPeer(cs, pool, x509.ExtKeyUsageAny) != nil {
			drop = append(drop, c)
		}
	}
	s.mu.Unlock()
	for _, c := range drop {
		c.Close()
	}
	return len(drop)
}

// Addr is the address peers dial.
func (s *tlsStream) Addr() net.Addr { return s.advertise }

type trackedConn struct {
	net.Conn
	s    *tlsStream
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		delete(c.s.conns, c)
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}
