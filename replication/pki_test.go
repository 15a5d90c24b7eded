package replication

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"ksmart/store"
)

// adminClient is an admin's client of the cluster, through the nodes given
// (all by default).
func (c *cluster) adminClient(name string, addrs ...string) *Client {
	c.tb.Helper()
	if len(addrs) == 0 {
		addrs = c.httpAddrs()
	}
	cl, err := NewClient(ClientConfig{Addrs: addrs, Identity: issue(c.tb, c.ca, KindAdmin, name), RequestTimeout: 10 * time.Second})
	if err != nil {
		c.tb.Fatal(err)
	}
	c.tb.Cleanup(cl.Close)
	return cl
}

// bodyClient is a body's client on an identity the test holds.
func bodyClient(tb testing.TB, id *Identity, addrs ...string) *Client {
	tb.Helper()
	cl, err := NewClient(ClientConfig{Addrs: addrs, Identity: id, RequestTimeout: 10 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(cl.Close)
	return cl
}

// writeNotes writes to a body's store until ctx ends, a few events a
// write, as an office at work would.
func writeNotes(ctx context.Context, st *store.Store) {
	for i := 0; ctx.Err() == nil; i++ {
		_, err := st.Write(func(tx *store.Tx) error {
			for j := range 3 {
				if err := tx.Emit("clerk1", store.EventType{Name: "note.written", Version: 1}, "note", fmt.Sprint(i, "-", j), map[string]int{"n": i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Millisecond): // an office's pace, not a benchmark's
		}
	}
}

func TestPKI_ABodyRevokedMidShippingIsRefusedOnEveryNodeAndItsShipperStopsSayingWhy(t *testing.T) {
	c := newCluster(t, 3, nil)
	const code = "KL-EKM-M01"
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	body := issue(t, c.ca, KindBody, code)
	sh := &Shipper{Store: st, Client: bodyClient(t, body, c.httpAddrs()...), Logger: testLogger(), BatchEvents: 60,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, ForkRecheck: 300 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	writing, stopWriting := context.WithCancel(ctx)
	defer stopWriting()
	go writeNotes(writing, st)
	shipped := make(chan error, 1)
	go func() { shipped <- sh.Run(ctx) }()
	eventually(t, 30*time.Second, func() error {
		if a := sh.Status().Acked; a < 300 {
			return fmt.Errorf("the shipper has %d events acknowledged", a)
		}
		return nil
	})

	// One follower is down when the revocation commits; the admin sends it
	// through the other, which forwards it to the leader.
	leader := c.waitLeader()
	var down, via int = -1, -1
	for i, n := range c.nodes {
		switch {
		case n == leader:
		case down < 0:
			down = i
		default:
			via = i
		}
	}
	c.nodes[down].Shutdown()
	eventually(t, 10*time.Second, func() error {
		if !leader.FSM().Known(body.Serial()) {
			return errors.New("the body's certificate is not in the register yet")
		}
		return nil
	})
	admin := c.adminClient("it-admin", c.cfgs[via].HTTPAddr)
	res, err := admin.Revoke(ctx, RevokeRequest{Serial: body.Serial(), Reason: "laptop stolen from the office"})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Revocation; r.Kind != KindBody || r.Name != code || r.By != "admin/it-admin" || res.Already {
		t.Fatalf("the revocation says %+v", res)
	}
	t.Logf("revoked while shipping: %s", res.Revocation)

	// The very next request through every live node is refused, naming
	// the serial and the reason.
	refused := func(n *Node) {
		t.Helper()
		one, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		_, err := bodyClient(t, body, n.HTTPAddr()).Head(one)
		if !errors.Is(err, ErrRevoked) || !strings.Contains(err.Error(), body.Serial()) || !strings.Contains(err.Error(), "laptop stolen") {
			t.Fatalf("%s answered the revoked body's first request with %v; want ErrRevoked naming the serial and the reason", n.ID(), err)
		}
	}
	for _, n := range c.live() {
		refused(n)
	}
	// The shipper stops, and says why; nothing it shipped is lost.
	eventually(t, 20*time.Second, func() error {
		s := sh.Status()
		if !strings.Contains(s.Revoked, body.Serial()) || !strings.Contains(s.Revoked, "laptop stolen") {
			return fmt.Errorf("the shipper's status says %q", s.Revoked)
		}
		return nil
	})
	stopWriting()
	acked := sh.Status().Acked
	head, hash, err := leader.Head(code)
	if err != nil || head < acked {
		t.Fatalf("the state holds the body's log up to %d (%v), but acknowledged %d", head, err, acked)
	}
	if ev, err := st.Event(head); err != nil || !bytes.Equal(ev.Hash, hash) {
		t.Fatalf("the state's event %d is not the body's (%v)", head, err)
	}
	c.sameEverywhere(code, head, hash)

	// Every node, the one down at the revocation too once restarted, holds
	// it and refuses the certificate on what it serves by itself.
	restarted := c.restart(down)
	refused(restarted) // decided by the leader, even before it catches up
	for _, n := range c.live() {
		eventually(t, 20*time.Second, func() error {
			if _, ok := n.FSM().Revoked(body.Serial()); !ok {
				return fmt.Errorf("%s does not hold the revocation", n.ID())
			}
			return nil
		})
		cl := &httpsGetter{id: body}
		if status, msg := cl.get(t, n, "/v1/bodies/"+code+"/head"); status != 403 || !strings.Contains(msg, "laptop stolen") {
			t.Fatalf("%s served a local read to the revoked body: %d %s", n.ID(), status, msg)
		}
	}
	if head2, _, _ := restarted.Head(code); head2 != head {
		t.Fatalf("the restarted node holds %d events, want %d", head2, head)
	}
	cancel()
	<-shipped
}

// httpsGetter reads one page of a node's API with an identity, on a new
// connection each time.
type httpsGetter struct{ id *Identity }

func (g *httpsGetter) get(t *testing.T, n *Node, path string) (int, string) {
	t.Helper()
	conf := g.id.clientTLS()
	conn, err := tls.Dial("tcp", n.HTTPAddr(), conf)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
	var buf bytes.Buffer
	buf.ReadFrom(conn)
	var status int
	fmt.Sscanf(buf.String(), "HTTP/1.1 %d", &status)
	return status, buf.String()
}

// replaceFiles puts a new certificate and key in place of an identity's
// files, as an operator would before sending SIGHUP.
func replaceFiles(t *testing.T, id *Identity, certPath, keyPath string) {
	t.Helper()
	for _, f := range [][2]string{{certPath, id.certFile}, {keyPath, id.keyFile}} {
		b, err := os.ReadFile(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f[1], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPKI_ANodeCertificateRotatedUnderLoadFailsNoBatchAndTheOldOneIsRefused(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 3, nil)
	const code = "KL-TVM-G07"
	evs := chain(rng, 1, nil, 24_000)
	leader := c.waitLeader()
	var f *Node
	for _, n := range c.nodes {
		if n != leader {
			f = n
			break
		}
	}
	id := f.cfg.Identity
	oldPair := *id.tlsCert()
	oldSerial := id.Serial()

	rotate := make(chan struct{})
	rotated := make(chan struct{})
	go func() {
		<-rotate
		defer close(rotated)
		cert, key, err := IssueCert(c.ca, KindNode, f.ID(), filepath.Join(t.TempDir(), "renewed"))
		if err != nil {
			t.Error(err)
			return
		}
		replaceFiles(t, id, cert, key)
		if err := f.ReloadCertificate(); err != nil { // what SIGHUP does
			t.Error(err)
			return
		}
		if id.Serial() == oldSerial {
			t.Error("the node still presents its old certificate after the reload")
		}
		eventually(t, 10*time.Second, func() error {
			if !c.waitLeader().FSM().Known(oldSerial) {
				return errors.New("the old node certificate is not in the register yet")
			}
			return nil
		})
		res, err := c.adminClient("it-admin").Revoke(context.Background(), RevokeRequest{Serial: oldSerial, Reason: "rotated"})
		if err != nil {
			t.Error(err)
			return
		}
		t.Logf("rotated %s and revoked its old certificate: %s", f.ID(), res.Revocation)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var batches atomic.Int64
	_, err := shipAll(ctx, c.client(code), evs, 200, func(i int) {
		batches.Add(1)
		switch i {
		case 20:
			close(rotate) // batches keep going while the node switches
		case 60:
			<-rotated // the rest need raft connections made with the new certificate
		}
	})
	if err != nil {
		t.Fatalf("a batch failed during the rotation: %v", err)
	}
	t.Logf("%d batches, none failed", batches.Load())
	c.sameEverywhere(code, uint64(len(evs)), evs[len(evs)-1].Hash)
	holdsExactly(t, f, code, evs)

	// No node keeps a raft connection made with the old certificate.
	for _, n := range c.nodes {
		s, _ := n.tlsStream()
		s.mu.Lock()
		for tc := range s.conns {
			if pc := tc.Conn.(*tls.Conn).ConnectionState().PeerCertificates; len(pc) > 0 && FormatSerial(pc[0].SerialNumber) == oldSerial {
				t.Errorf("%s still has a raft connection from the revoked certificate", n.ID())
			}
		}
		s.mu.Unlock()
	}
	// The old certificate can no longer speak raft to anyone.
	for _, n := range c.nodes {
		conf := id.clientTLS()
		conf.GetClientCertificate = nil
		conf.Certificates = []tls.Certificate{oldPair}
		conn, err := tls.Dial("tcp", n.RaftAddr(), conf)
		if err == nil {
			conn.SetDeadline(time.Now().Add(2 * time.Second))
			_, err = conn.Read(make([]byte, 1)) // TLS 1.3: the refusal arrives on the first read
			conn.Close()
		}
		var ne net.Error
		if err == nil || errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("%s let the revoked node certificate speak raft (%v)", n.ID(), err)
		}
	}
}

func TestPKI_TheCAIsRolledOverWithBothTrustedForAWhileAndNoBatchFails(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 3, nil)
	const code = "KL-KKD-M02"
	evs := chain(rng, 1, nil, 2_400)
	body := issue(t, c.ca, KindBody, code)
	cl := bodyClient(t, body, c.httpAddrs()...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	next := 0
	ship := func(step string) {
		t.Helper()
		part := evs[next : next+300]
		if _, err := shipAll(ctx, cl, part, 100, nil); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		next += len(part)
	}
	ids := []*Identity{body}
	for _, n := range c.nodes {
		ids = append(ids, n.cfg.Identity)
	}
	reload := func(step string) {
		t.Helper()
		for _, n := range c.nodes {
			if err := n.ReloadCertificate(); err != nil {
				t.Fatalf("%s: %s: %v", step, n.ID(), err)
			}
		}
		if err := cl.ReloadCertificate(); err != nil {
			t.Fatalf("%s: the body: %v", step, err)
		}
	}
	setCA := func(pems ...string) {
		t.Helper()
		var b []byte
		for _, p := range pems {
			x, err := os.ReadFile(filepath.Join(p, CACertFile))
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, x...)
		}
		for _, id := range ids {
			if err := os.WriteFile(id.caFile, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ship("before")

	// 1. A new CA; every node and body trusts both.
	newCA := testCA(t)
	setCA(c.ca, newCA)
	reload("both CAs trusted")
	ship("both CAs trusted")
	// 2. Each node, then the body, switches to a certificate of the new CA.
	for _, n := range c.nodes {
		cert, key, err := IssueCert(newCA, KindNode, n.ID(), filepath.Join(t.TempDir(), "new"))
		if err != nil {
			t.Fatal(err)
		}
		replaceFiles(t, n.cfg.Identity, cert, key)
		if err := n.ReloadCertificate(); err != nil {
			t.Fatal(err)
		}
		ship("node " + n.ID() + " on the new CA")
	}
	cert, key, err := IssueCert(newCA, KindBody, code, filepath.Join(t.TempDir(), "new"))
	if err != nil {
		t.Fatal(err)
	}
	replaceFiles(t, body, cert, key)
	if err := cl.ReloadCertificate(); err != nil {
		t.Fatal(err)
	}
	ship("the body on the new CA")
	// 3. The old CA is retired.
	setCA(newCA)
	reload("the old CA retired")
	ship("the old CA retired")
	c.sameEverywhere(code, uint64(next), evs[next-1].Hash)

	// A certificate of the old CA is refused now, by every node.
	old := issue(t, c.ca, KindBody, "KL-KKD-M03")
	old.cur.Load().ca = body.pool() // it trusts the nodes, but they no longer trust it
	for _, n := range c.nodes {
		short, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := bodyClient(t, old, n.HTTPAddr()).Head(short)
		cancel()
		if err == nil {
			t.Fatalf("%s admitted a certificate of the retired CA", n.ID())
		}
	}
}

func TestPKI_BadRevocationsAreRefusedSayingWhyAndChangeNothing(t *testing.T) {
	c := newCluster(t, 1, nil)
	n := c.nodes[0]
	ctx := context.Background()
	admin := c.adminClient("it-admin")
	adminID := admin.Identity()
	if _, err := admin.Status(ctx); err != nil { // the admin's certificate is now known
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() error {
		if !n.FSM().Known(adminID.Serial()) {
			return errors.New("the admin's certificate is not in the register yet")
		}
		return nil
	})
	otherCA := testCA(t)
	foreignCert, _, err := IssueCert(otherCA, KindBody, "KL-EKM-M09", filepath.Join(t.TempDir(), "foreign"))
	if err != nil {
		t.Fatal(err)
	}
	foreignPEM, _ := os.ReadFile(foreignCert)
	unused, _, err := IssueCert(c.ca, KindBody, "KL-EKM-M05", filepath.Join(t.TempDir(), "unused"))
	if err != nil {
		t.Fatal(err)
	}
	unusedPEM, _ := os.ReadFile(unused)
	unusedID := issue(t, c.ca, KindAuditor, "auditor1")
	auditor := bodyClient(t, unusedID, n.HTTPAddr())

	for _, sc := range []struct {
		name string
		cl   *Client
		req  RevokeRequest
		want error
		says string
	}{
		{"an unknown serial", admin, RevokeRequest{Serial: "abcdef0123", Reason: "test"}, ErrBadRequest, "no certificate with serial abcdef0123 is known"},
		{"a serial that is not hex", admin, RevokeRequest{Serial: "KL-EKM-M01", Reason: "test"}, ErrBadRequest, "not a certificate serial number"},
		{"no reason", admin, RevokeRequest{Serial: adminID.Serial(), Reason: "  "}, ErrBadRequest, "give the reason"},
		{"the last administrator's certificate", admin, RevokeRequest{Serial: adminID.Serial(), Reason: "leaving"}, ErrBadRequest, "last administrator"},
		{"a certificate of another CA", admin, RevokeRequest{Serial: "1", Reason: "test", CertPEM: string(foreignPEM)}, ErrBadRequest, "not from the state CA"},
		{"a certificate whose serial is not the one named", admin, RevokeRequest{Serial: "1234", Reason: "test", CertPEM: string(unusedPEM)}, ErrBadRequest, "not 1234"},
		{"by an auditor", auditor, RevokeRequest{Serial: adminID.Serial(), Reason: "coup"}, ErrForbidden, "kind admin"},
	} {
		t.Run(sc.name, func(t *testing.T) {
			_, err := sc.cl.Revoke(ctx, sc.req)
			if !errors.Is(err, sc.want) || !strings.Contains(err.Error(), sc.says) {
				t.Fatalf("got %v; want %v saying %q", err, sc.want, sc.says)
			}
		})
	}
	if r := n.FSM().Revocations(); len(r) != 0 {
		t.Fatalf("refused revocations left %+v", r)
	}

	// A certificate never used is revoked with the certificate itself, and
	// a second revocation changes nothing.
	block, _ := pemDecodeCert(unusedPEM)
	serial := FormatSerial(block.SerialNumber)
	res, err := admin.Revoke(ctx, RevokeRequest{Serial: strings.ToUpper(serial), Reason: "issued by mistake", CertPEM: string(unusedPEM)})
	if err != nil || res.Already || res.Revocation.Name != "KL-EKM-M05" {
		t.Fatalf("revoking a certificate never used, given itself: %+v %v", res, err)
	}
	again, err := admin.Revoke(ctx, RevokeRequest{Serial: serial, Reason: "again"})
	if err != nil || !again.Already || again.Revocation.Reason != "issued by mistake" {
		t.Fatalf("revoking it again: %+v %v; want the first revocation, unchanged", again, err)
	}
	if r := n.FSM().Revocations(); len(r) != 1 {
		t.Fatalf("%d revocations, want 1", len(r))
	}

	// An admin rotates: the new certificate revokes the old, which is then
	// refused, while the new one works.
	renewed := c.adminClient("it-admin")
	res, err = renewed.Revoke(ctx, RevokeRequest{Serial: adminID.Serial(), Reason: "rotated"})
	if err != nil || res.Revocation.By != "admin/it-admin" || res.Revocation.BySerial != renewed.Identity().Serial() {
		t.Fatalf("the renewed admin revoking the old certificate: %+v %v", res, err)
	}
	if _, err := admin.Status(ctx); !errors.Is(err, ErrRevoked) {
		t.Fatalf("the old admin certificate after its revocation: %v", err)
	}
	if _, err := renewed.Status(ctx); err != nil {
		t.Fatalf("the renewed admin certificate: %v", err)
	}
}

func TestPKI_IssueGivesEachKindItsLifetimeAndRefusesBadInput(t *testing.T) {
	ca := testCA(t)
	for _, sc := range []struct {
		kind Kind
		days int
		want int
	}{{KindNode, 0, 365}, {KindBody, 0, 365}, {KindAdmin, 0, 90}, {KindAuditor, 0, 90}, {KindBody, 20, 20}} {
		name := map[Kind]string{KindNode: "state1", KindBody: "KL-EKM-M01", KindAdmin: "it-admin", KindAuditor: "cag-1"}[sc.kind]
		cert, key, err := Issue(ca, sc.kind, name, filepath.Join(t.TempDir(), "out"), IssueOptions{Days: sc.days})
		if err != nil {
			t.Fatal(err)
		}
		id, err := LoadIdentity(filepath.Join(ca, CACertFile), cert, key)
		if err != nil {
			t.Fatal(err)
		}
		if got := DaysLeft(id.Certificate().NotAfter, time.Now()); got != sc.want-1 && got != sc.want {
			t.Errorf("a %s certificate (days %d) has %d days left, want %d", sc.kind, sc.days, got, sc.want)
		}
		if _, err := os.Stat(filepath.Join(ca, issuedDir, id.Serial()+".crt")); err != nil {
			t.Errorf("the CA keeps no copy of %s's certificate: %v", name, err)
		}
	}
	for _, sc := range []struct {
		kind Kind
		name string
		o    IssueOptions
		says string
	}{
		{"janitor", "x", IssueOptions{}, "unknown certificate kind"},
		{KindBody, "Aluva municipality", IssueOptions{}, "local body's code"},
		{KindAuditor, "bad name!", IssueOptions{}, "letters, digits"},
		{KindAdmin, "it-admin", IssueOptions{Days: MaxLifetimeDays + 1}, "1 to 825 days"},
		{KindAdmin, "it-admin", IssueOptions{Days: -1}, "1 to 825 days"},
		{KindBody, "KL-EKM-M02", IssueOptions{Hosts: []string{"a.example"}}, "node certificates only"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		if _, _, err := Issue(ca, sc.kind, sc.name, out, sc.o); err == nil || !strings.Contains(err.Error(), sc.says) {
			t.Errorf("Issue(%s, %q, %+v) = %v; want an error saying %q", sc.kind, sc.name, sc.o, err, sc.says)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("a refused certificate left %s behind", out)
		}
	}
}

func pemDecodeCert(b []byte) (*x509.Certificate, error) { return parseCertPEM(string(b)) }

func TestPKI_DaysLeftAreOnMetricsAndStatusWarnsThirtyDaysAhead(t *testing.T) {
	c := newCluster(t, 1, nil)
	n := c.nodes[0]
	cert, key, err := Issue(c.ca, KindAuditor, "short-lived", filepath.Join(t.TempDir(), "aud"), IssueOptions{Days: 20})
	if err != nil {
		t.Fatal(err)
	}
	aud, err := LoadIdentity(filepath.Join(c.ca, CACertFile), cert, key)
	if err != nil {
		t.Fatal(err)
	}
	g := &httpsGetter{id: aud}
	status, page := g.get(t, n, "/metrics")
	if status != 200 || !strings.Contains(page, "ksmart_state_node_certificate_days_left{serial=\""+n.cfg.Identity.Serial()+"\"} 364") {
		t.Fatalf("/metrics does not give the node's own certificate's days left: %d %.2000s", status, page)
	}
	eventually(t, 10*time.Second, func() error {
		if !n.FSM().Known(aud.Serial()) {
			return errors.New("the auditor's certificate is not in the register yet")
		}
		return nil
	})
	_, page = g.get(t, n, "/metrics")
	if !strings.Contains(page, `ksmart_state_certificate_days_left{kind="auditor",name="short-lived",serial="`+aud.Serial()+`"} 19`) ||
		!strings.Contains(page, "ksmart_state_certificates_expiring 1") {
		t.Fatalf("/metrics does not give the auditor's days left or count it as expiring: %.3000s", page)
	}
	st, err := c.adminClient("it-admin").Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	warned := map[string]bool{}
	for _, c := range st.Certificates {
		warned[c.Name] = c.Warning
	}
	if !warned["short-lived"] || warned["state1"] {
		t.Fatalf("status warns of %v; want the 20-day auditor's certificate, not the node's", warned)
	}
}

func TestFSM_RevocationsAreKeptAcrossASnapshotAndACleanRestart(t *testing.T) {
	ca := testCA(t)
	admin := issue(t, ca, KindAdmin, "it-admin").Certificate()
	body := issue(t, ca, KindBody, "KL-EKM-M01").Certificate()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	entry := func(index uint64, o op, args ...[]byte) *raft.Log {
		return &raft.Log{Index: index, Term: 1, Type: raft.LogCommand, Data: encodeCommand(o, args...), AppendedAt: at}
	}
	src := openTestFSM(t)
	var revoked []Revocation
	src.OnRevoke(func(r Revocation) { revoked = append(revoked, r) })
	src.ApplyBatch([]*raft.Log{
		entry(1, opRecordCerts, admin.Raw, body.Raw),
		entry(2, opRevoke, []byte(FormatSerial(body.SerialNumber)), []byte("laptop stolen"), []byte("admin/it-admin"), admin.Raw, nil),
	})
	if len(revoked) != 1 || revoked[0].Name != "KL-EKM-M01" || !revoked[0].At.Equal(at) {
		t.Fatalf("OnRevoke saw %+v", revoked)
	}
	snap, err := src.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snap")
	out, _ := os.Create(path)
	if err := snap.Persist(&fileSink{File: out}); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	dst := openTestFSM(t)
	var dropped []string
	dst.OnRevoke(func(r Revocation) { dropped = append(dropped, r.Serial) })
	in, _ := os.Open(path)
	if err := dst.Restore(in); err != nil {
		t.Fatal(err)
	}
	if err := dst.checkRevoked(body); !errors.Is(err, ErrRevoked) || !strings.Contains(err.Error(), "laptop stolen") {
		t.Fatalf("after a snapshot restore the body's certificate is %v", err)
	}
	if len(dropped) != 1 || !dst.Known(FormatSerial(admin.SerialNumber)) {
		t.Fatalf("after a restore: OnRevoke saw %v, the admin is known: %v", dropped, dst.Known(FormatSerial(admin.SerialNumber)))
	}

	// Closed cleanly and opened again: the same, from the file.
	path = src.path
	if err := src.close(true); err != nil {
		t.Fatal(err)
	}
	again, err := openFSM(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer again.close(false)
	if !again.reused || again.checkRevoked(body) == nil || again.checkRevoked(admin) != nil {
		t.Fatalf("after a clean restart: kept %v, body revoked %v, admin revoked %v", again.reused, again.checkRevoked(body), again.checkRevoked(admin))
	}
}

func TestIdentity_AReloadOfBadFilesKeepsTheCertificateInUse(t *testing.T) {
	ca := testCA(t)
	id := issue(t, ca, KindBody, "KL-EKM-M01")
	before := id.Serial()
	other, otherKey, err := IssueCert(ca, KindBody, "KL-EKM-M02", filepath.Join(t.TempDir(), "other"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []struct {
		name      string
		cert, key string // files to put in place; "garbage" writes a file that is no certificate
		says      string
	}{
		{"a certificate that is not PEM", "garbage", "", "do not load as a pair"},
		{"another body's certificate", other, otherKey, `is body "KL-EKM-M02", but this process runs as body "KL-EKM-M01"`},
	} {
		t.Run(sc.name, func(t *testing.T) {
			if sc.cert == "garbage" {
				os.WriteFile(id.certFile, []byte("not a certificate"), 0o600)
			} else {
				replaceFiles(t, id, sc.cert, sc.key)
			}
			err := id.Reload()
			if err == nil || !strings.Contains(err.Error(), sc.says) || id.Serial() != before {
				t.Fatalf("Reload = %v (serial %s, was %s); want an error saying %q and the old certificate kept", err, id.Serial(), before, sc.says)
			}
		})
	}
}
