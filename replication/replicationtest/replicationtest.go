// Package replicationtest starts state clusters for tests of packages
// built on replication (the state view): N nodes on 127.0.0.1 with real
// TLS, a CA of their own and short raft timeouts, through replication's
// exported API only. It is for tests; production code never imports it.
//
// replication's own tests keep their own cluster (helpers_test.go), which
// also injects faults into the raft transport and checks each node's
// state.db as it closes.
package replicationtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ksmart/replication"
)

// Cluster is a running test cluster. Its methods fail the test on error.
type Cluster struct {
	tb     testing.TB
	ca     string
	nodes  []*replication.Node
	closed []bool
	cfgs   []replication.Config // as before Tune, with the addresses the nodes were given
	tune   func(i int, c *replication.Config)
}

// New starts size nodes ("state1", "state2", …), bootstraps the first,
// joins the others as voters, and waits until every node knows the
// leader and its API address. Every node is closed at cleanup. tune, when
// not nil, adjusts node i's config before it opens, at its start and
// again at each Restart (so that each run of a node gets, say, a new
// Extension).
func New(tb testing.TB, size int, tune func(i int, c *replication.Config)) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, ca: filepath.Join(tb.TempDir(), "ca"), tune: tune}
	if err := replication.InitCA(c.ca); err != nil {
		tb.Fatal(err)
	}
	for i := range size {
		id := fmt.Sprintf("state%d", i+1)
		cfg := replication.Config{ID: id, Dir: filepath.Join(tb.TempDir(), id), RaftAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
			Identity: c.identity(replication.KindNode, id), Logger: Logger(tb)}
		FastRaft(&cfg)
		c.nodes, c.closed, c.cfgs = append(c.nodes, nil), append(c.closed, false), append(c.cfgs, cfg)
		n := c.open(i)
		// Restarts reuse the ports the node was given.
		c.cfgs[i].RaftAddr, c.cfgs[i].HTTPAddr = n.RaftAddr(), n.HTTPAddr()
	}
	if err := c.nodes[0].Bootstrap(); err != nil {
		tb.Fatal(err)
	}
	for _, n := range c.nodes[1:] {
		// Joining is idempotent; on a loaded machine the leader may step
		// down while the new voter is slow to answer, so join again.
		Eventually(tb, 20*time.Second, func() error {
			return c.WaitLeader().Join(context.Background(), n.ID(), n.RaftAddr(), n.HTTPAddr(), true)
		})
	}
	for _, n := range c.nodes {
		if _, err := n.WaitForLeader(10 * time.Second); err != nil {
			tb.Fatal(err)
		}
	}
	Eventually(tb, 10*time.Second, func() error {
		for _, n := range c.nodes {
			if _, _, h := n.Leader(); h == "" {
				return fmt.Errorf("%s does not know the leader's API address yet", n.ID())
			}
		}
		return nil
	})
	return c
}

// open opens node i on its config, tuned.
func (c *Cluster) open(i int) *replication.Node {
	c.tb.Helper()
	cfg := c.cfgs[i]
	if c.tune != nil {
		c.tune(i, &cfg)
	}
	n := replication.NewNode(cfg)
	if err := n.Open(); err != nil {
		c.tb.Fatalf("open %s: %v", cfg.ID, err)
	}
	c.nodes[i], c.closed[i] = n, false
	c.tb.Cleanup(func() { n.Close() })
	return n
}

// FastRaft sets raft timeouts short enough for tests on a loaded 2-core
// machine without spurious elections (those of replication's own tests).
func FastRaft(c *replication.Config) {
	c.HeartbeatTimeout = 500 * time.Millisecond
	c.ElectionTimeout = 500 * time.Millisecond
	c.LeaderLeaseTimeout = 250 * time.Millisecond
	c.CommitTimeout = 5 * time.Millisecond
	c.ApplyTimeout = 5 * time.Second
}

// Logger discards unless KSMART_TEST_LOG is set: nodes log a great deal,
// and may log after their test has ended.
func Logger(tb testing.TB) *slog.Logger {
	if os.Getenv("KSMART_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("test", tb.Name())
	}
	return slog.New(slog.DiscardHandler)
}

// Nodes returns the cluster's nodes, live or closed, in the order started.
func (c *Cluster) Nodes() []*replication.Node { return c.nodes }

// Node returns node i, live or closed.
func (c *Cluster) Node(i int) *replication.Node { return c.nodes[i] }

// Dir returns node i's data directory.
func (c *Cluster) Dir(i int) string { return c.cfgs[i].Dir }

// WaitLeader waits until some live node leads, and returns it.
func (c *Cluster) WaitLeader() *replication.Node {
	c.tb.Helper()
	var leader *replication.Node
	Eventually(c.tb, 15*time.Second, func() error {
		for i, n := range c.nodes {
			if !c.closed[i] && n.IsLeader() {
				leader = n
				return nil
			}
		}
		return replication.ErrNoLeader
	})
	return leader
}

// Close closes node i cleanly.
func (c *Cluster) Close(i int) {
	c.tb.Helper()
	c.closed[i] = true
	if err := c.nodes[i].Close(); err != nil {
		c.tb.Errorf("closing %s: %v", c.cfgs[i].ID, err)
	}
}

// Restart opens node i again on its data directory and addresses (after
// Close), tuned again, and returns it.
func (c *Cluster) Restart(i int) *replication.Node {
	c.tb.Helper()
	return c.open(i)
}

// Client returns a local body's client of the cluster, with a body
// certificate for code, trying every node.
func (c *Cluster) Client(code string) *replication.Client {
	c.tb.Helper()
	caPEM, certPEM, keyPEM := c.pems(replication.KindBody, code)
	var addrs []string
	for _, cfg := range c.cfgs {
		addrs = append(addrs, cfg.HTTPAddr)
	}
	cl, err := replication.NewClient(replication.ClientConfig{Addrs: addrs, CAPEM: caPEM, CertPEM: certPEM, KeyPEM: keyPEM,
		LocalBody: code, RequestTimeout: 10 * time.Second})
	if err != nil {
		c.tb.Fatal(err)
	}
	c.tb.Cleanup(cl.Close)
	return cl
}

// HTTP returns an HTTPS client that trusts the cluster's CA and presents a
// certificate of kind issued for name, for requests to
// "https://"+node.HTTPAddr()+path.
func (c *Cluster) HTTP(kind replication.Kind, name string) *http.Client {
	c.tb.Helper()
	caPEM, certPEM, keyPEM := c.pems(kind, name)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		c.tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cl := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		MinVersion: tls.VersionTLS13, RootCAs: pool, Certificates: []tls.Certificate{pair}}}}
	c.tb.Cleanup(cl.CloseIdleConnections)
	return cl
}

// CADir is the directory of the cluster's CA (ca.crt, ca.key), for tests
// that issue certificates of their own.
func (c *Cluster) CADir() string { return c.ca }

// HTTPWith is HTTP for a certificate and key the test made (PEM).
func (c *Cluster) HTTPWith(certPEM, keyPEM []byte) *http.Client {
	c.tb.Helper()
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		c.tb.Fatal(err)
	}
	caPEM, err := os.ReadFile(filepath.Join(c.ca, replication.CACertFile))
	if err != nil {
		c.tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cl := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		MinVersion: tls.VersionTLS13, RootCAs: pool, Certificates: []tls.Certificate{pair}}}}
	c.tb.Cleanup(cl.CloseIdleConnections)
	return cl
}

// identity issues a certificate and loads it.
func (c *Cluster) identity(kind replication.Kind, name string) *replication.Identity {
	c.tb.Helper()
	cert, key, err := replication.IssueCert(c.ca, kind, name, filepath.Join(c.tb.TempDir(), "certs"))
	if err != nil {
		c.tb.Fatal(err)
	}
	id, err := replication.LoadIdentity(filepath.Join(c.ca, replication.CACertFile), cert, key)
	if err != nil {
		c.tb.Fatal(err)
	}
	return id
}

// pems issues a certificate and returns the CA's, its own and its key's
// PEM.
func (c *Cluster) pems(kind replication.Kind, name string) (ca, cert, key []byte) {
	c.tb.Helper()
	certPath, keyPath, err := replication.IssueCert(c.ca, kind, name, filepath.Join(c.tb.TempDir(), "certs"))
	if err != nil {
		c.tb.Fatal(err)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			c.tb.Fatal(err)
		}
		return b
	}
	return read(filepath.Join(c.ca, replication.CACertFile)), read(certPath), read(keyPath)
}

// Eventually retries fn, backing off up to 200 ms between tries, until it
// returns nil, and fails the test with its last error when timeout passes
// first.
func Eventually(tb testing.TB, timeout time.Duration, fn func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	wait := 5 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("not within %s: %v", timeout, err)
		}
		time.Sleep(wait)
		wait = min(2*wait, 200*time.Millisecond)
	}
}
