package replication

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"ksmart/store"
)

// ClientConfig configures a Client.
type ClientConfig struct {
	// Addrs are the API addresses (host:port) of state nodes, in the order
	// to try them; any node will do, since writes are forwarded to the
	// leader, but the client moves to the leader once it learns it.
	Addrs []string
	// CAPEM is the state CA's certificate; CertPEM and KeyPEM the caller's
	// certificate (kind body for a local body, admin for state IT) and key.
	CAPEM, CertPEM, KeyPEM []byte
	// Identity, when set, is used instead of the PEMs: one loaded from
	// files (LoadIdentity) can be reloaded (Client.ReloadCertificate).
	Identity *Identity
	// LocalBody is the body whose log Ship, Head and ReadLog concern. With a
	// body certificate it must be the certificate's own code (the default);
	// with an admin certificate any body (or "" when only Join, Leave and
	// Status are used).
	LocalBody string
	// RequestTimeout bounds one attempt at one node; default 30s, and one
	// more second for each 256 KiB the request carries.
	RequestTimeout time.Duration
	// NodeTimeout is how long a node has to start answering (its answer's
	// headers: a write is committed by then) before the client gives up on
	// it and tries the next; default 3s, plus a second for each 256 KiB
	// the request carries (a 2 Mbit/s link). A node that is frozen or cut
	// off accepts connections but never answers: without this a shipper
	// waited out the whole RequestTimeout on it.
	NodeTimeout time.Duration
	// NodeCooldown is how long a node that stalled or could not be reached
	// is tried only after every healthy one; default 30s.
	NodeCooldown time.Duration
}

// Client is how a local body (the shipper, ksmart restore --from-state) and
// state IT's tools talk to a state cluster over mutual TLS. Its methods
// retry on another node while nodes are unreachable or have no leader
// (503), until the context ends; a refusal (bad batch, forbidden, fork,
// gap, too large) returns at once, as an error that errors.Is matches to
// this package's sentinel. It is safe for concurrent use.
type Client struct {
	cfg  ClientConfig
	id   *Identity
	http *http.Client

	mu    sync.Mutex
	addrs []string
	cur   int
	// down holds, for a node that stalled or could not be reached, until
	// when it is tried only after the healthy ones.
	down map[string]time.Time
	// stalls counts nodes that did not answer within NodeTimeout;
	// lastStall is the last of them.
	stalls    atomic.Uint64
	lastStall struct {
		msg string
		at  time.Time
	}
}

// NewClient checks the configuration and certificates and returns a
// client. It does not contact the cluster.
func NewClient(cfg ClientConfig) (*Client, error) {
	if len(cfg.Addrs) == 0 {
		return nil, errors.New("give the address of at least one state node")
	}
	id := cfg.Identity
	if id == nil {
		var err error
		if id, err = ParseIdentity(cfg.CAPEM, cfg.CertPEM, cfg.KeyPEM); err != nil {
			return nil, err
		}
	}
	if id.Kind == KindBody && cfg.LocalBody == "" {
		cfg.LocalBody = id.Name
	}
	switch {
	case id.Kind == KindBody && cfg.LocalBody != id.Name:
		return nil, fmt.Errorf("the certificate is local body %s's, but the client is for %q; use the certificate issued to %s", id.Name, cfg.LocalBody, cfg.LocalBody)
	case cfg.LocalBody != "" && !bodyCode.MatchString(cfg.LocalBody):
		return nil, fmt.Errorf("%q is not a local body code", cfg.LocalBody)
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.NodeTimeout <= 0 {
		cfg.NodeTimeout = 3 * time.Second
	}
	if cfg.NodeCooldown <= 0 {
		cfg.NodeCooldown = 30 * time.Second
	}
	tr := &http.Transport{TLSClientConfig: id.clientTLS(), ForceAttemptHTTP2: false, MaxIdleConnsPerHost: 4,
		TLSHandshakeTimeout: 10 * time.Second, IdleConnTimeout: 90 * time.Second}
	return &Client{cfg: cfg, id: id, http: &http.Client{Transport: tr}, addrs: slices.Clone(cfg.Addrs), down: map[string]time.Time{}}, nil
}

// Identity returns the client's certificate and CA.
func (c *Client) Identity() *Identity { return c.id }

// ReloadCertificate reads the client's certificate files again
// (Identity.Reload) and closes its idle connections, so that the next
// request presents the new certificate. ksmart serve calls it on SIGHUP.
func (c *Client) ReloadCertificate() error {
	if err := c.id.Reload(); err != nil {
		return err
	}
	c.http.CloseIdleConnections()
	return nil
}

// Revoke asks the cluster to revoke a certificate (admin certificate).
// Refusals (ErrBadRequest, nothing changed): a malformed serial, no
// reason, a serial the cluster does not know (give CertPEM), a
// certificate of another CA, the last administrator's certificate.
func (c *Client) Revoke(ctx context.Context, req RevokeRequest) (RevokeResult, error) {
	var r RevokeResult
	b, _ := json.Marshal(req)
	err := c.do(ctx, http.MethodPost, "/v1/cluster/revoke", "application/json", b, &r)
	return r, err
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Ship sends a batch of the local body's events, in order, and returns the
// state's acknowledgement: the head it now holds. Resending a batch (after
// a lost answer) is harmless and acknowledged with Ack.Duplicate. Errors:
// ErrBadBatch, ErrTooLarge, ErrForbidden, ErrGap (resend from Ack.Head+1),
// ErrFork (Ack.Fork: stop shipping, state IT must resolve it), or the
// context's error when no node could commit it in time.
func (c *Client) Ship(ctx context.Context, events []store.Event) (Ack, error) {
	raws := make([][]byte, len(events))
	for i := range events {
		raws[i] = events[i].Encode()
	}
	return c.ShipEncoded(ctx, raws)
}

// ShipEncoded is Ship for events already encoded (store.Event.Encode).
func (c *Client) ShipEncoded(ctx context.Context, events [][]byte) (Ack, error) {
	var ack Ack
	body := encodeFramed(events)
	if len(body) > MaxBatchBytes || len(events) > MaxBatchEvents {
		return ack, fmt.Errorf("%w: %d events, %d bytes; the state takes at most %d events and %d MiB per batch", ErrTooLarge, len(events), len(body), MaxBatchEvents, MaxBatchBytes>>20)
	}
	err := c.do(ctx, http.MethodPost, c.bodyPath("log"), EventsMediaType, body, &ack)
	return ack, err
}

// ShipReplica ships a batch of the local body's events with their change
// sets (store.ReadReplica: changes[i] is evs[i]'s, nil for none; changes
// may be nil when no event has one), so that the state can rebuild the
// body's data. It answers as Ship does. Limits: MaxBatchEvents and
// MaxBatchBytes per batch, or one event with its change set up to
// MaxRecordBytes; more is ErrTooLarge, before anything is sent.
func (c *Client) ShipReplica(ctx context.Context, evs []store.Event, changes [][]byte) (Ack, error) {
	if changes != nil && len(changes) != len(evs) {
		return Ack{}, fmt.Errorf("%w: %d change sets for %d events", ErrBadBatch, len(changes), len(evs))
	}
	raws := make([][]byte, len(evs))
	cs := make([][]byte, len(evs))
	for i := range evs {
		raws[i] = evs[i].Encode()
		if changes != nil {
			cs[i] = changes[i]
		}
	}
	return c.ShipReplicaEncoded(ctx, raws, cs)
}

// ShipReplicaEncoded is ShipReplica for events already encoded
// (store.Event.Encode); changes must have one entry per event.
func (c *Client) ShipReplicaEncoded(ctx context.Context, events, changes [][]byte) (Ack, error) {
	var ack Ack
	if len(changes) != len(events) {
		return ack, fmt.Errorf("%w: %d change sets for %d events", ErrBadBatch, len(changes), len(events))
	}
	size := 0
	for i := range events {
		size += RecordSize(events[i], changes[i])
	}
	if err := checkSize(len(events), size); err != nil {
		return ack, err
	}
	err := c.do(ctx, http.MethodPost, c.bodyPath("log"), ReplicaMediaType, encodeReplica(events, changes), &ack)
	return ack, err
}

// Head returns what the state holds of the local body's log, reflecting
// every batch acknowledged before the call (it is read on the leader).
func (c *Client) Head(ctx context.Context) (BodyInfo, error) {
	var b BodyInfo
	err := c.do(ctx, http.MethodGet, c.bodyPath("head")+"?fresh=1", "", nil, &b)
	return b, err
}

// ReadLog returns up to limit (at most 10,000) of the local body's events
// from sequence from on, as the leader holds them, checked: each event's
// hash matches its contents and they follow one another from from. An
// empty result means the state holds nothing from from on.
func (c *Client) ReadLog(ctx context.Context, from uint64, limit int) ([]store.Event, error) {
	if from == 0 {
		from = 1
	}
	var raw []byte
	q := url.Values{"from": {strconv.FormatUint(from, 10)}, "limit": {strconv.Itoa(limit)}, "fresh": {"1"}}
	if err := c.do(ctx, http.MethodGet, c.bodyPath("log")+"?"+q.Encode(), "", nil, &raw); err != nil {
		return nil, err
	}
	var evs []store.Event
	err := readFramed(bufio.NewReader(bytes.NewReader(raw)), func(b []byte) error {
		if _, err := checkEvent(b); err != nil {
			return err
		}
		ev, err := store.DecodeEvent(b)
		if err != nil {
			return err
		}
		want := from + uint64(len(evs))
		if ev.Seq != want || (len(evs) > 0 && !bytes.Equal(ev.Prev, evs[len(evs)-1].Hash)) {
			return fmt.Errorf("event %d does not follow event %d", ev.Seq, want-1)
		}
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: the state node sent a log that does not check: %v", ErrBadBatch, err)
	}
	return evs, nil
}

// ReadReplica is ReadLog with each event's change set (nil where it has
// none): what store.AppendReplica needs to rebuild the body's data. A page
// holds up to limit events (at most 10,000) and about MaxBatchBytes, or
// one event whose change set is larger. The events are checked as ReadLog
// checks them, within the page; that the page follows the one before is
// the caller's to check (its first event's Prev).
func (c *Client) ReadReplica(ctx context.Context, from uint64, limit int) ([]store.Event, [][]byte, error) {
	if from == 0 {
		from = 1
	}
	var raw []byte
	q := url.Values{"from": {strconv.FormatUint(from, 10)}, "limit": {strconv.Itoa(limit)}, "fresh": {"1"}, "changes": {"1"}}
	if err := c.do(ctx, http.MethodGet, c.bodyPath("log")+"?"+q.Encode(), "", nil, &raw); err != nil {
		return nil, nil, err
	}
	raws, changes, err := decodeReplica(raw, logPageLimit)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: the state node sent a page that does not decode: %v", ErrBadBatch, err)
	}
	evs := make([]store.Event, len(raws))
	for i, b := range raws {
		err := func() error {
			if _, err := checkEvent(b); err != nil {
				return err
			}
			ev, err := store.DecodeEvent(b)
			if err != nil {
				return err
			}
			want := from + uint64(i)
			if ev.Seq != want || (i > 0 && !bytes.Equal(ev.Prev, evs[i-1].Hash)) {
				return fmt.Errorf("event %d does not follow event %d", ev.Seq, want-1)
			}
			if err := checkChanges(changes[i]); err != nil {
				return fmt.Errorf("the change set of event %d: %v", ev.Seq, err)
			}
			evs[i] = ev
			return nil
		}()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: the state node sent a log that does not check: %v", ErrBadBatch, err)
		}
	}
	return evs, changes, nil
}

// Join asks the cluster to add a node (admin certificate).
func (c *Client) Join(ctx context.Context, req JoinRequest) (Stats, error) {
	var s Stats
	b, _ := json.Marshal(req)
	err := c.do(ctx, http.MethodPost, "/v1/cluster/join", "application/json", b, &s)
	return s, err
}

// Leave asks the cluster to remove a node (admin certificate).
func (c *Client) Leave(ctx context.Context, id string) (Stats, error) {
	var s Stats
	b, _ := json.Marshal(LeaveRequest{ID: id})
	err := c.do(ctx, http.MethodPost, "/v1/cluster/leave", "application/json", b, &s)
	return s, err
}

// Status returns the first reachable node's view of the cluster (admin
// certificate).
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodGet, "/v1/cluster/status", "", nil, &s)
	return s, err
}

func (c *Client) bodyPath(what string) string {
	return "/v1/bodies/" + url.PathEscape(c.cfg.LocalBody) + "/" + what
}

// Stalls returns how many times a node did not start answering within
// NodeTimeout (frozen, cut off, overloaded) since the client was made, and
// the last such stall: the shipper counts them as errors, though the
// client moved on to another node.
func (c *Client) Stalls() (n uint64, last string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stalls.Load(), c.lastStall.msg, c.lastStall.at
}

// do sends a request, moving to the next node on a network error, a stall
// (no answer within NodeTimeout) or a 503 until ctx ends, and decodes a 200 answer into out (a *[]byte takes it
// raw). An error answer becomes a remoteError; with an Ack in it, out (if
// an *Ack) receives it too.
func (c *Client) do(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	const minBackoff, maxBackoff = 50 * time.Millisecond, time.Second
	backoff := minBackoff
	var last error
	for attempt := 0; ; attempt++ {
		addr := c.pick()
		status, hdr, data, err := c.once(ctx, method, "https://"+addr+path, contentType, body)
		if err == nil && status != http.StatusServiceUnavailable {
			c.markUp(addr)
			if l := hdr.Get(headerLeader); l != "" {
				c.prefer(l)
			}
			return decodeAnswer(status, data, out)
		}
		moved := false
		if err == nil {
			last = decodeAnswer(status, data, nil)
			if l := hdr.Get(headerLeader); l != "" && l != addr {
				moved = c.prefer(l) // try the leader it named next
			}
		} else {
			last = err
			c.markDown(addr, err)
		}
		if !moved {
			c.skip(addr)
		}
		// After a round of every node, wait before the next.
		if attempt%len(c.addrs) == len(c.addrs)-1 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("no state node could answer (%v): %w", last, ctx.Err())
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
		} else if ctx.Err() != nil {
			return fmt.Errorf("no state node could answer (%v): %w", last, ctx.Err())
		}
	}
}

func (c *Client) once(ctx context.Context, method, u, contentType string, body []byte) (int, http.Header, []byte, error) {
	// A big body gets time to travel at 256 KiB/s (a 2 Mbit/s link) too.
	travel := time.Duration(len(body)>>18) * time.Second
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout+travel)
	defer cancel()
	// Until the answer starts, the node has NodeTimeout: a frozen node
	// (or one cut off by the network) is left for the next at once.
	hctx, hcancel := context.WithCancel(ctx)
	defer hcancel()
	stalled := atomic.Bool{}
	watch := time.AfterFunc(c.cfg.NodeTimeout+travel, func() { stalled.Store(true); hcancel() })
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(hctx, method, u, rd)
	if err != nil {
		watch.Stop()
		return 0, nil, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if !watch.Stop() && stalled.Load() {
		if err == nil {
			resp.Body.Close()
		}
		return 0, nil, nil, c.stalled(u, c.cfg.NodeTimeout+travel)
	}
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxRecordBytes+(1<<20)))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, data, nil
}

// stalled counts and describes a node that did not answer in time.
func (c *Client) stalled(u string, after time.Duration) error {
	host := u
	if p, err := url.Parse(u); err == nil {
		host = p.Host
	}
	err := fmt.Errorf("state node %s did not answer within %s (frozen, cut off or overloaded); trying the next", host, after)
	c.mu.Lock()
	c.stalls.Add(1)
	c.lastStall.msg, c.lastStall.at = err.Error(), time.Now()
	c.mu.Unlock()
	return err
}

func decodeAnswer(status int, data []byte, out any) error {
	if status == http.StatusOK {
		if raw, ok := out.(*[]byte); ok {
			*raw = data
			return nil
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("the state node's answer does not decode: %v", err)
		}
		return nil
	}
	var ae apiError
	if err := json.Unmarshal(data, &ae); err != nil || ae.Error == "" {
		return &remoteError{status: status, msg: fmt.Sprintf("state node answered %d: %.200s", status, data)}
	}
	if a, ok := out.(*Ack); ok && ae.Ack != nil {
		*a = *ae.Ack
	}
	return &remoteError{kind: errorFromCode(ae.Code), status: status, msg: "state: " + ae.Error}
}

// pick returns the node to try: the current one if healthy, else the next
// healthy one in order, else (every node is down) the one down longest ago.
func (c *Client) pick() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	best := -1
	for k := range c.addrs {
		i := (c.cur + k) % len(c.addrs)
		until, isDown := c.down[c.addrs[i]]
		if !isDown || now.After(until) {
			c.cur = i
			return c.addrs[i]
		}
		if best < 0 || until.Before(c.down[c.addrs[best]]) {
			best = i
		}
	}
	c.cur = best
	return c.addrs[best]
}

// markDown keeps addr behind the healthy nodes for NodeCooldown.
func (c *Client) markDown(addr string, _ error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down[addr] = time.Now().Add(c.cfg.NodeCooldown)
}

// markUp clears addr's cooldown: it answered.
func (c *Client) markUp(addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.down, addr)
}

// skip moves past addr, if it is still the one to try first.
func (c *Client) skip(addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.addrs[c.cur] == addr {
		c.cur = (c.cur + 1) % len(c.addrs)
	}
}

// prefer makes addr the node to try first, if the client knows it; it
// reports whether that changed anything.
func (c *Client) prefer(addr string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.addrs, addr)
	if i < 0 || i == c.cur {
		return false
	}
	if until, down := c.down[addr]; down && time.Now().Before(until) {
		return false // a node that stalled may still be named leader by others
	}
	c.cur = i
	return true
}
