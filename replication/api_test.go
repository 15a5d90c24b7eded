package replication

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"ksmart/store"
)

func TestShip_ResendAfterALostAcknowledgementChangesNothing(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 3, nil)
	leader := c.waitLeader()
	var follower *Node
	for _, n := range c.nodes {
		if n != leader {
			follower = n
			break
		}
	}
	// Through a follower first: it forwards writes to the leader.
	cl := c.client("M0701", follower.HTTPAddr())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	evs := chain(rng, 1, nil, 150)

	first, err := cl.Ship(ctx, evs[:100])
	if err != nil || first.Head != 100 || first.Applied != 100 || first.Duplicate {
		t.Fatalf("first ship: %+v, %v", first, err)
	}
	// The certificates a node sees on its connections (the body's, here)
	// are recorded through raft in the background: let that land first,
	// so that the count below is of what the resend adds.
	eventually(t, 10*time.Second, func() error {
		for _, n := range c.nodes {
			n.seenMu.Lock()
			pending := 0
			for s := range n.seen {
				if !leader.fsm.Known(s) {
					pending++
				}
			}
			n.seenMu.Unlock()
			if pending > 0 {
				return fmt.Errorf("node %s has %d certificates seen and not yet recorded", n.ID(), pending)
			}
		}
		return nil
	})
	indexBefore := leader.Stats().LastLogIndex
	again, err := cl.Ship(ctx, evs[:100]) // the answer was lost; the shipper sends it again
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Applied != 0 || again.Head != first.Head || !bytes.Equal(again.HeadHash, first.HeadHash) {
		t.Fatalf("resend acknowledged as %+v, want a duplicate with head %d %x", again, first.Head, short(first.HeadHash))
	}
	if got := leader.Stats().LastLogIndex; got != indexBefore {
		t.Errorf("a resend added raft entries (%d → %d); it should be answered from the state", indexBefore, got)
	}
	// A batch overlapping the head applies only its new tail.
	tail, err := cl.Ship(ctx, evs[50:150])
	if err != nil || tail.Head != 150 || tail.Applied != 50 {
		t.Fatalf("overlapping ship: %+v, %v; want head 150, 50 applied", tail, err)
	}
	c.sameEverywhere("M0701", 150, evs[149].Hash)
	for _, n := range c.nodes {
		holdsExactly(t, n, "M0701", evs)
	}
	// A batch from beyond the head is a gap, answered with the head to resend from.
	gap, err := cl.Ship(ctx, chain(rng, 200, evs[149].Hash, 10))
	var re *remoteError
	if !errors.Is(err, ErrGap) || !errors.As(err, &re) || re.status != http.StatusConflict || gap.Head != 150 {
		t.Fatalf("ship after a gap: %+v, %v; want ErrGap (409) with head 150", gap, err)
	}
	// The client's head and log read back what was shipped.
	head, err := cl.Head(ctx)
	if err != nil || head.LastSeq != 150 || !bytes.Equal(head.LastHash, evs[149].Hash) {
		t.Fatalf("head %+v, %v", head, err)
	}
	got, err := cl.ReadLog(ctx, 101, 1000)
	if err != nil || len(got) != 50 || got[49].Seq != 150 || !bytes.Equal(got[49].Hash, evs[149].Hash) {
		t.Fatalf("read log from 101: %d events, %v", len(got), err)
	}
}

func TestShip_ForkIsRefusedRecordedAndChangesNothing(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 3, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl := c.client("KL-EKM-M01")
	ours := chain(rng, 1, nil, 100)
	if _, err := cl.Ship(ctx, ours); err != nil {
		t.Fatal(err)
	}
	// The body's server died; it was restored from a backup taken at event 50
	// and has since written different events under 51 onwards.
	theirs := append(append([]store.Event{}, ours[:50]...), chain(rng, 51, ours[49].Hash, 80)...)

	cases := []struct {
		name   string
		batch  []store.Event
		forkAt uint64
	}{
		{"same numbers, different events", theirs[50:90], 51},
		{"overlap that starts before the fork", theirs[20:70], 51},
		{"a batch that does not follow the head", theirs[100:130], 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for attempt := 1; attempt <= 2; attempt++ { // a shipper may retry; still one fork record
				ack, err := cl.Ship(ctx, tc.batch)
				var re *remoteError
				if !errors.Is(err, ErrFork) || !errors.As(err, &re) || re.status != http.StatusConflict {
					t.Fatalf("fork shipped: %+v, %v; want ErrFork (409)", ack, err)
				}
				if ack.Fork == nil || ack.Fork.AtSeq != tc.forkAt || !bytes.Equal(ack.Fork.Ours, ours[tc.forkAt-1].Hash) ||
					!bytes.Equal(ack.Fork.Theirs, theirs[tc.forkAt-1].Hash) || ack.Fork.Attempts < attempt {
					t.Fatalf("fork reported as %+v; want at %d", ack.Fork, tc.forkAt)
				}
				if ack.Head != 100 || !strings.Contains(err.Error(), "state IT") {
					t.Fatalf("fork answer %+v / %q: want head 100 and a message for state IT", ack, err)
				}
			}
		})
	}
	c.sameEverywhere("KL-EKM-M01", 100, ours[99].Hash)
	for _, n := range c.nodes {
		holdsExactly(t, n, "KL-EKM-M01", ours)
		eventually(t, 10*time.Second, func() error {
			forks, err := n.Forks()
			if err != nil {
				return err
			}
			if len(forks) != 2 || forks[0].AtSeq != 51 || forks[1].AtSeq != 100 || forks[0].Attempts != 4 {
				return errors.New("forks not yet all recorded")
			}
			return nil
		})
	}
	if b, _, _ := c.nodes[0].FSM().Body("KL-EKM-M01"); b.Forks != 2 {
		t.Fatalf("the body record counts %d forks, want 2", b.Forks)
	}
}

// rawClient is an HTTPS client presenting a certificate of kind for name
// (or none, when kind is "").
func rawClient(t *testing.T, c *cluster, kind Kind, name string) *http.Client {
	t.Helper()
	id := issue(t, c.ca, KindAdmin, "tls-only")
	conf := id.clientTLS()
	conf.GetClientCertificate = nil
	if kind != "" {
		conf.Certificates = []tls.Certificate{*issue(t, c.ca, kind, name).tlsCert()}
	}
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: conf}, Timeout: 10 * time.Second}
	t.Cleanup(cl.CloseIdleConnections)
	return cl
}

func framed(evs []store.Event) []byte { return encodeFramed(encodeAll(evs)) }

func TestAPI_BadInputIsRefusedAndChangesNothing(t *testing.T) {
	rng := seeded(t)
	c := newCluster(t, 1, nil)
	n := c.nodes[0]
	good := chain(rng, 1, nil, 20)
	broken := chain(rng, 1, nil, 10)
	broken[2].Data = []byte(`{"fee":1}`) // changed after it was written: the hash no longer matches
	big := chain(rng, 1, nil, MaxBatchEvents+1)
	huge := chain(rng, 1, nil, 3)
	huge[2].Data = bytes.Repeat([]byte("x"), MaxBatchBytes)
	huge[2].Hash = huge[2].ComputeHash()
	unchained := chain(rng, 1, nil, 10)
	unchained[5] = chain(rng, 6, []byte("elsewhere"), 1)[0]

	type scenario struct {
		name        string
		kind        Kind
		certName    string
		method      string
		path        string
		contentType string
		body        []byte
		status      int
		want        []string
	}
	scenarios := []scenario{
		{"a body ships under another body's code", KindBody, "M0702", "POST", "/v1/bodies/M0701/log", EventsMediaType, framed(good), 403, []string{"M0702", "/v1/bodies/M0702/"}},
		{"an admin cannot ship a body's log", KindAdmin, "it-admin", "POST", "/v1/bodies/M0701/log", EventsMediaType, framed(good), 403, []string{"kind body"}},
		{"a changed event is named by its number", KindBody, "M0701", "POST", "/v1/bodies/M0701/log", EventsMediaType, framed(broken), 400, []string{"event 3", "hash"}},
		{"a broken chain is named", KindBody, "M0701", "POST", "/v1/bodies/M0701/log", EventsMediaType, framed(unchained), 400, []string{"event 6", "chain"}},
		{"too many events name the limit", KindBody, "M0701", "POST", "/v1/bodies/M0701/log", EventsMediaType, framed(big), 413, []string{"10000 events"}},
		{"too many bytes name the limit", KindBody, "M0701", "POST", "/v1/bodies/M0701/log", EventsMediaType, framed(huge), 413, []string{"4 MiB"}},
		{"a batch that is not framed events", KindBody, "M0701", "POST", "/v1/bodies/M0701/log", EventsMediaType, []byte{0xff, 0xff, 0xff, 0x7f, 1}, 400, []string{EventsMediaType}},
		{"a batch sent as JSON", KindBody, "M0701", "POST", "/v1/bodies/M0701/log", "application/json", []byte(`[]`), 400, []string{EventsMediaType}},
		{"an empty batch", KindBody, "M0701", "POST", "/v1/bodies/M0701/log", EventsMediaType, nil, 400, []string{"no events"}},
		{"a body reads another body's head", KindBody, "M0702", "GET", "/v1/bodies/M0701/head", "", nil, 403, []string{"M0702"}},
		{"a body cannot join a node", KindBody, "M0701", "POST", "/v1/cluster/join", "application/json", []byte(`{"id":"evil","raft_addr":"127.0.0.1:1"}`), 403, []string{"kind admin"}},
		{"a node cannot join a node by itself", KindNode, "state9", "POST", "/v1/cluster/join", "application/json", []byte(`{"id":"evil","raft_addr":"127.0.0.1:1"}`), 403, []string{"kind admin"}},
		{"a body cannot see the cluster's status", KindBody, "M0701", "GET", "/v1/cluster/status", "", nil, 403, []string{"kind admin"}},
		{"an admin join without an ID", KindAdmin, "it-admin", "POST", "/v1/cluster/join", "application/json", []byte(`{"raft_addr":"127.0.0.1:1"}`), 400, []string{"ID"}},
		{"an admin leave of an unknown node", KindAdmin, "it-admin", "POST", "/v1/cluster/leave", "application/json", []byte(`{"id":"nobody"}`), 400, []string{"nobody"}},
		{"a log page from a bad position", KindBody, "M0701", "GET", "/v1/bodies/M0701/log?from=x", "", nil, 400, []string{"from"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			cl := rawClient(t, c, sc.kind, sc.certName)
			req, _ := http.NewRequest(sc.method, "https://"+n.HTTPAddr()+sc.path, bytes.NewReader(sc.body))
			if sc.contentType != "" {
				req.Header.Set("Content-Type", sc.contentType)
			}
			resp, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var ae apiError
			if err := json.Unmarshal(body, &ae); err != nil || resp.StatusCode != sc.status {
				t.Fatalf("status %d, body %.300s; want %d with a JSON error", resp.StatusCode, body, sc.status)
			}
			for _, w := range sc.want {
				if !strings.Contains(ae.Error, w) {
					t.Errorf("error %q does not say %q", ae.Error, w)
				}
			}
		})
	}
	t.Run("a caller without a certificate is refused at TLS", func(t *testing.T) {
		cl := rawClient(t, c, "", "")
		resp, err := cl.Post("https://"+n.HTTPAddr()+"/v1/cluster/join", "application/json", strings.NewReader(`{"id":"evil","raft_addr":"127.0.0.1:1"}`))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("joined without a certificate: %s", resp.Status)
		}
	})
	t.Run("a certificate of another CA is refused at TLS", func(t *testing.T) {
		other := testCA(t)
		ca, cert, key := pems(t, other, KindAdmin, "it-admin")
		id, _ := ParseIdentity(ca, cert, key)
		conf := issue(t, c.ca, KindAdmin, "x").clientTLS() // trusts the cluster's CA…
		conf.GetClientCertificate = nil
		conf.Certificates = []tls.Certificate{*id.tlsCert()} // …but presents the other CA's certificate
		cl := &http.Client{Transport: &http.Transport{TLSClientConfig: conf}}
		resp, err := cl.Get("https://" + n.HTTPAddr() + "/v1/cluster/status")
		if err == nil {
			resp.Body.Close()
			t.Fatalf("a foreign certificate was let in: %s", resp.Status)
		}
	})

	// Nothing of the above changed the state or the cluster.
	if bodies, _ := n.Bodies(); len(bodies) != 0 {
		t.Fatalf("refused requests left bodies behind: %+v", bodies)
	}
	if s := n.Stats(); len(s.Servers) != 1 {
		t.Fatalf("refused joins changed the cluster: %+v", s.Servers)
	}
	// And the good batch still goes in.
	if _, err := c.client("M0701").Ship(context.Background(), good); err != nil {
		t.Fatal(err)
	}
}

func TestClient_RefusesACertificateOfAnotherBody(t *testing.T) {
	ca := testCA(t)
	caPEM, cert, key := pems(t, ca, KindBody, "M0702")
	_, err := NewClient(ClientConfig{Addrs: []string{"127.0.0.1:1"}, CAPEM: caPEM, CertPEM: cert, KeyPEM: key, LocalBody: "M0701"})
	if err == nil || !strings.Contains(err.Error(), "M0702") {
		t.Fatalf("a client for M0701 with M0702's certificate: %v", err)
	}
}

func TestTransport_RaftRefusesAnythingButANodeCertificate(t *testing.T) {
	c := newCluster(t, 1, nil)
	n := c.nodes[0]
	for _, kind := range []Kind{KindBody, KindAdmin} {
		name := map[Kind]string{KindBody: "M0701", KindAdmin: "it-admin"}[kind]
		id := issue(t, c.ca, kind, name)
		conf := issue(t, c.ca, KindAdmin, "x").clientTLS()
		conf.GetClientCertificate = nil
		conf.Certificates = []tls.Certificate{*id.tlsCert()}
		conn, err := tls.Dial("tcp", n.RaftAddr(), conf)
		if err == nil {
			conn.SetDeadline(time.Now().Add(2 * time.Second))
			_, err = conn.Read(make([]byte, 1)) // TLS 1.3: the server's refusal arrives on the first read
			conn.Close()
		}
		t.Logf("%s certificate: %v", kind, err)
		var ne net.Error
		if err == nil || errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("a %s certificate reached raft (%v)", kind, err)
		}
	}
}
