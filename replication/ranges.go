package replication

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
)

// The range API: what a node restoring a manifest snapshot fetches from
// its peers (snapshot.go). Only nodes may use it (PermSnapshotRange).
//
//	GET /v1/cluster/ranges/{code}?from=F&to=T → ReplicaMediaType: body code's events F… (at
//	                                            most up to T, logPageLimit events, MaxBatchBytes),
//	                                            each with its change set; empty when the node
//	                                            holds nothing from F

// handleRange serves a page of a body's log from this node's own state.
// It is never forwarded: any node that holds the events will do, and the
// restoring node checks them against the chain.
func (n *Node) handleRange(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	q := r.URL.Query()
	from, err1 := strconv.ParseUint(q.Get("from"), 10, 64)
	to, err2 := strconv.ParseUint(q.Get("to"), 10, 64)
	if err1 != nil || err2 != nil || from == 0 || to < from {
		writeError(w, fmt.Errorf("%w: give from and to, the first and last sequence numbers wanted (1 ≤ from ≤ to), not %q and %q", ErrBadRequest, q.Get("from"), q.Get("to")), nil, 0)
		return
	}
	if err := CheckBodyCode(code); err != nil {
		writeError(w, err, nil, 0)
		return
	}
	raws, changes, err := n.fsm.readRangeFrom(code, from, to)
	if err != nil {
		writeError(w, err, nil, 0)
		return
	}
	body := encodeReplica(raws, changes)
	w.Header().Set("Content-Type", ReplicaMediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	m, _ := w.Write(body)
	n.fsm.snapSent.Add(uint64(m))
}

// peerSource fetches ranges from another node's API with this node's
// certificate.
type peerSource struct {
	id, addr string
	client   *http.Client
}

func (p peerSource) String() string { return "node " + p.id + " (" + p.addr + ")" }

func (p peerSource) readRange(ctx context.Context, code string, from, to uint64) (events, changes [][]byte, n int64, err error) {
	q := url.Values{"from": {strconv.FormatUint(from, 10)}, "to": {strconv.FormatUint(to, 10)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+p.addr+"/v1/cluster/ranges/"+url.PathEscape(code)+"?"+q.Encode(), nil)
	if err != nil {
		return nil, nil, 0, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, 0, err
	}
	defer resp.Body.Close()
	cr := &countingReader{r: io.LimitReader(resp.Body, MaxRecordBytes+64)}
	data, err := io.ReadAll(cr)
	n = cr.n
	if err != nil {
		return nil, nil, n, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, n, decodeAnswer(resp.StatusCode, data, nil)
	}
	events, changes, err = decodeReplica(data, logPageLimit)
	return events, changes, n, err
}

// rangeSources lists the peers a restore of m fetches from: the node that
// took the snapshot first (it holds every event the manifest names), then
// every other node the manifest or this node knows; never this node.
func (n *Node) rangeSources(m *manifest) []rangeSource {
	known := m.nodes()
	if mine, err := n.fsm.Nodes(); err == nil {
		known = append(known, mine...)
	}
	seen := map[string]bool{n.cfg.ID: true}
	var first, rest []rangeSource
	for _, nd := range known {
		if seen[nd.ID] || nd.HTTPAddr == "" {
			continue
		}
		seen[nd.ID] = true
		src := peerSource{id: nd.ID, addr: nd.HTTPAddr, client: n.rangeClient}
		if nd.ID == m.Source {
			first = append(first, src)
		} else {
			rest = append(rest, src)
		}
	}
	return append(first, rest...)
}

// newRangeClient is the client a node fetches ranges with: its own
// certificate, connections that fail fast, and a page's time to arrive.
func (n *Node) newRangeClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: n.cfg.Identity.clientTLSRevoked(n.fsm.checkRevoked), MaxIdleConnsPerHost: 4,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, TLSHandshakeTimeout: 5 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second}}
}

// countingSnapshots counts the bytes of the snapshots raft opens once the
// node runs: the leader opens one only to send it to a follower.
type countingSnapshots struct {
	raft.SnapshotStore
	live *atomic.Bool
	sent *atomic.Uint64
}

func (s countingSnapshots) Open(id string) (*raft.SnapshotMeta, io.ReadCloser, error) {
	meta, rc, err := s.SnapshotStore.Open(id)
	if err != nil || !s.live.Load() {
		return meta, rc, err
	}
	return meta, &countingReadCloser{rc: rc, n: s.sent}, nil
}

type countingReadCloser struct {
	rc io.ReadCloser
	n  *atomic.Uint64
}

func (c *countingReadCloser) Read(p []byte) (int, error) {
	k, err := c.rc.Read(p)
	c.n.Add(uint64(k))
	return k, err
}

func (c *countingReadCloser) Close() error { return c.rc.Close() }
