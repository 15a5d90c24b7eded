package replication

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ksmart/store"
)

// The HTTPS API of a state node. Every request needs a client certificate
// of the state CA (mutual TLS); what it may do depends on the certificate's
// kind: each route declares the Permission it needs (routes), and the
// authorization table (authz.go) says which kinds have it. Writes reaching
// a follower are forwarded to the leader by forwardOrServe — the only
// place that looks at leadership — so handlers never do.
//
//	POST /v1/bodies/{code}/log    ship a batch (body EventsMediaType, or ReplicaMediaType
//	                              with change sets) → Ack                      ship (body {code})
//	GET  /v1/bodies/{code}/head   → BodyInfo; ?fresh=1 reads on the leader     read-log (body {code})
//	GET  /v1/bodies/{code}/log    ?from=&limit= → EventsMediaType (or ?format=json); ?fresh=1 as above;
//	                              ?changes=1 → ReplicaMediaType, each event with its change set
//	POST /v1/cluster/join         JoinRequest                                  membership
//	POST /v1/cluster/leave        LeaveRequest                                 membership
//	POST /v1/cluster/revoke       RevokeRequest → RevokeResult                 revoke
//	POST /v1/cluster/forks/resolve ResolveForkRequest → ResolveForkResult       resolve-fork
//	POST /v1/cluster/certs        {"certs": [DER…]}: certificates a node saw   record-certs
//	GET  /v1/cluster/ranges/{code} ?from=&to= → ReplicaMediaType: events a node
//	                              restoring a snapshot lacks (ranges.go)       range
//	GET  /v1/cluster/status       → Status                                     status
//	GET  /metrics                 Prometheus text: certificate days left, …    metrics
//
// Errors are JSON {"error": what to fix, "code": ..., "ack": ...} with 400
// (bad batch or request), 403 (forbidden, or revoked: the message names
// the serial and the reason), 409 (fork or gap, with the state's head in
// ack), 413 (too large) or 503 (no leader: retry).
//
// A node's Config.Extension mounts its own routes beside these, each with
// the permission it needs (the state view's: view, search, verify).

// Headers of the API.
const (
	// headerLeader on every answer names the leader's API address, so that
	// a client can send its next writes there directly.
	headerLeader = "Ksmart-Leader"
	// headerOnBehalf carries, on a request a node forwards to the leader,
	// the certificate (base64 DER) of the caller the node admitted, so
	// that the leader checks it as its own: chain, kind, revocation. The
	// leader believes it only from a node certificate.
	headerOnBehalf = "Ksmart-On-Behalf-Of"
	// headerHead on a log answer gives the body's head on the answering node.
	headerHead = "Ksmart-Head"
)

// JoinRequest asks the cluster to add a node.
type JoinRequest struct {
	ID       string `json:"id"`
	RaftAddr string `json:"raft_addr"`
	HTTPAddr string `json:"http_addr"`
	NonVoter bool   `json:"nonvoter,omitempty"`
}

// LeaveRequest asks the cluster to remove a node.
type LeaveRequest struct {
	ID string `json:"id"`
}

// Status is a node's answer to GET /v1/cluster/status.
type Status struct {
	Stats
	BodyList []BodyInfo `json:"body_list"`
	ForkList []Fork     `json:"fork_list"` // forks to resolve
	// ResolvedForks are the forks state IT resolved, each with who, when
	// and why.
	ResolvedForks []Fork `json:"resolved_forks"`
	// Revoked lists every revocation, the latest first; Certificates every
	// certificate the cluster knows and has not revoked, the soonest to
	// expire first, with the days each has left at Now.
	Revoked      []Revocation `json:"revoked"`
	Certificates []CertStatus `json:"certificates"`
	Now          time.Time    `json:"now"`
}

// CertStatus is a known certificate with its days left; Warning is set
// within ExpiryWarning of its expiry.
type CertStatus struct {
	CertInfo
	DaysLeft int  `json:"days_left"`
	Warning  bool `json:"warning,omitempty"`
}

// CertStatuses describes certificates at now.
func CertStatuses(certs []CertInfo, now time.Time) []CertStatus {
	out := make([]CertStatus, len(certs))
	for i, c := range certs {
		out[i] = CertStatus{CertInfo: c, DaysLeft: c.DaysLeft(now), Warning: c.NotAfter.Sub(now) < ExpiryWarning}
	}
	return out
}

// caller is who made a request: the certificate's kind and name, or the
// caller a node forwarded for.
type caller struct {
	kind Kind
	name string
	cert *x509.Certificate
	via  string // the forwarding node, if any
}

func (c caller) String() string { return string(c.kind) + "/" + c.name }

func (n *Node) callerOf(r *http.Request) (caller, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return caller{}, fmt.Errorf("%w: a client certificate of the state CA is required", ErrForbidden)
	}
	cert := r.TLS.PeerCertificates[0]
	kind, name, err := certKind(cert)
	if err != nil {
		return caller{}, fmt.Errorf("%w: %v", ErrForbidden, err)
	}
	if err := n.fsm.checkRevoked(cert); err != nil {
		return caller{}, err
	}
	c := caller{kind: kind, name: name, cert: cert}
	if h := r.Header.Get(headerOnBehalf); h != "" {
		if !Allowed(kind, PermForward) {
			return caller{}, fmt.Errorf("%w: only a state node may forward a request on behalf of another caller", ErrForbidden)
		}
		der, err := base64.StdEncoding.DecodeString(h)
		var oc *x509.Certificate
		if err == nil {
			oc, err = x509.ParseCertificate(der)
		}
		if err != nil {
			return caller{}, fmt.Errorf("%w: malformed %s header: %v", ErrBadRequest, headerOnBehalf, err)
		}
		if err := verifyPeer(tls.ConnectionState{PeerCertificates: []*x509.Certificate{oc}}, n.cfg.Identity.pool(), x509.ExtKeyUsageClientAuth); err != nil {
			return caller{}, fmt.Errorf("%w: the forwarded caller: %v", ErrForbidden, err)
		}
		if err := n.fsm.checkRevoked(oc); err != nil {
			return caller{}, err
		}
		k, nm, _ := certKind(oc)
		c = caller{kind: k, name: nm, cert: oc, via: name}
	}
	return c, nil
}

type ctxKey struct{}

func callerFrom(ctx context.Context) caller { c, _ := ctx.Value(ctxKey{}).(caller); return c }

// routes registers every route with the permission it needs.
func (n *Node) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc, p Permission) {
		n.routeList = append(n.routeList, Route{Pattern: pattern, Permission: p})
		mux.Handle(pattern, n.allow(h, p))
	}
	handle("POST /v1/bodies/{code}/log", n.handleShip, PermShip)
	handle("GET /v1/bodies/{code}/head", n.handleHead, PermReadLog)
	handle("GET /v1/bodies/{code}/log", n.handleLog, PermReadLog)
	handle("POST /v1/cluster/join", n.handleJoin, PermMembership)
	handle("POST /v1/cluster/leave", n.handleLeave, PermMembership)
	handle("POST /v1/cluster/revoke", n.handleRevoke, PermRevoke)
	handle("POST /v1/cluster/forks/resolve", n.handleResolveFork, PermResolveFork)
	handle("POST /v1/cluster/certs", n.handleCerts, PermRecordCerts)
	handle("GET /v1/cluster/ranges/{code}", n.handleRange, PermSnapshotRange)
	handle("GET /v1/cluster/status", n.handleStatus, PermStatus)
	handle("GET /metrics", n.handleMetrics, PermMetrics)
	n.mountExtension(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, fmt.Errorf("%w: no such endpoint %s %s; see the replication package's API", ErrBadRequest, r.Method, r.URL.Path), nil, http.StatusNotFound)
	})
	return mux
}

// Routes lists every route of the node's API, its Extension's included,
// with the permission each needs: what the authorization test walks.
func (n *Node) Routes() []Route { return slices.Clone(n.routeList) }

// allow admits callers whose kind has permission p (grants), whose
// certificate is not revoked, and for routes under /v1/bodies/{code} a
// body only for its own code. It notes each certificate it admits for the
// cluster's register.
func (n *Node) allow(h http.HandlerFunc, p Permission) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, id, httpAddr := n.Leader(); id != "" && httpAddr != "" {
			w.Header().Set(headerLeader, httpAddr)
		}
		c, err := n.callerOf(r)
		if err != nil {
			writeError(w, err, nil, 0)
			return
		}
		// Noted even when refused below: a stolen certificate tried on the
		// wrong route becomes known, and so revocable by its serial.
		n.noteCert(c.cert)
		if !Allowed(c.kind, p) {
			writeError(w, fmt.Errorf("%w: %s %s needs a certificate of kind %s; this one (%s) is of kind %s", ErrForbidden, r.Method, r.URL.Path, kindList(KindsWith(p)), c.name, c.kind), nil, 0)
			return
		}
		if code := r.PathValue("code"); code != "" && c.kind == KindBody && c.name != code {
			writeError(w, fmt.Errorf("%w: the certificate is local body %s's; it may use only /v1/bodies/%s/, not %s's", ErrForbidden, c.name, c.name, code), nil, 0)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)))
	})
}

func kindList(kinds []Kind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, " or ")
}

// forwardOrServe runs serve; if it fails with ErrNotLeader, the request
// (whose body is body) goes to the leader instead and the leader's answer
// is relayed. A request that was itself forwarded is not forwarded again.
func (n *Node) forwardOrServe(w http.ResponseWriter, r *http.Request, body []byte, serve func() error) {
	err := serve()
	if err == nil {
		return
	}
	c := callerFrom(r.Context())
	if !errors.Is(err, ErrNotLeader) || c.via != "" {
		writeError(w, err, nil, 0)
		return
	}
	id, _, httpAddr := n.Leader()
	if id == "" || httpAddr == "" || id == n.cfg.ID {
		writeError(w, fmt.Errorf("%w: no leader is known at the moment; retry in a few seconds", ErrNoLeader), nil, 0)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, "https://"+httpAddr+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		writeError(w, err, nil, 0)
		return
	}
	req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	req.Header.Set(headerOnBehalf, base64.StdEncoding.EncodeToString(c.cert.Raw))
	resp, err := n.fwd.Do(req)
	if err != nil {
		writeError(w, fmt.Errorf("%w: the leader %s (%s) did not answer: %v; retry", ErrNoLeader, id, httpAddr, err), nil, 0)
		return
	}
	defer resp.Body.Close()
	for _, h := range []string{"Content-Type", headerHead, headerLeader} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func (n *Node) handleShip(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	ct := r.Header.Get("Content-Type")
	if ct != EventsMediaType && ct != ReplicaMediaType {
		writeError(w, fmt.Errorf("%w: send the batch as %s (each encoded event preceded by its length as a uvarint) or %s (each event then its change set, each preceded by its length), not %q", ErrBadBatch, EventsMediaType, ReplicaMediaType, ct), nil, 0)
		return
	}
	limit := int64(MaxBatchBytes)
	if ct == ReplicaMediaType {
		limit = MaxRecordBytes // a batch of one record may be this large; checkReplica holds larger batches to MaxBatchBytes
	}
	body, err := readBody(w, r, limit)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, fmt.Errorf("%w: the batch is larger than %d MiB; %s", ErrTooLarge, limit>>20, limitsText), &Ack{Body: code}, 0)
		return
	}
	if err != nil {
		writeError(w, fmt.Errorf("%w: reading the batch: %v", ErrBadBatch, err), nil, 0)
		return
	}
	var raws, changes [][]byte
	if ct == ReplicaMediaType {
		raws, changes, err = decodeReplica(body, MaxBatchEvents)
	} else {
		raws, err = decodeFramed(body, MaxBatchEvents)
	}
	if err != nil {
		writeError(w, err, &Ack{Body: code}, 0)
		return
	}
	n.forwardOrServe(w, r, body, func() error {
		var ack Ack
		var err error
		if ct == ReplicaMediaType {
			ack, err = n.ShipReplica(r.Context(), code, raws, changes)
		} else {
			ack, err = n.Ship(r.Context(), code, raws)
		}
		if errors.Is(err, ErrNotLeader) {
			return err
		}
		if err != nil {
			writeError(w, err, &ack, 0)
			return nil
		}
		writeJSON(w, http.StatusOK, ack)
		return nil
	})
}

// readBody reads a request body of at most limit bytes, in one allocation
// when the length is declared.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	rd := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength > 0 && r.ContentLength <= limit {
		buf := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(rd)
}

// fresh reports whether a read asks to reflect every acknowledged write:
// then it is served by the leader after a barrier.
func (n *Node) fresh(r *http.Request) error {
	switch r.URL.Query().Get("fresh") {
	case "", "0", "false":
		return nil
	}
	if !n.IsLeader() {
		return n.notLeader()
	}
	return n.Barrier(r.Context())
}

func (n *Node) handleHead(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	n.forwardOrServe(w, r, nil, func() error {
		if err := n.fresh(r); err != nil {
			return err
		}
		b, _, err := n.fsm.Body(code)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, b)
		return nil
	})
}

// logPageLimit is the most events one log page holds; a page also stops at
// MaxBatchBytes (events, and change sets when asked for), except that it
// always holds one record when there is one (up to MaxRecordBytes).
const logPageLimit = 10_000

func (n *Node) handleLog(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	q := r.URL.Query()
	from, err := strconv.ParseUint(orDefault(q.Get("from"), "1"), 10, 64)
	if err != nil {
		writeError(w, fmt.Errorf("%w: from must be a sequence number, not %q", ErrBadRequest, q.Get("from")), nil, 0)
		return
	}
	limit, err := strconv.Atoi(orDefault(q.Get("limit"), "1000"))
	if err != nil || limit < 1 {
		writeError(w, fmt.Errorf("%w: limit must be a positive number of events, not %q", ErrBadRequest, q.Get("limit")), nil, 0)
		return
	}
	limit = min(limit, logPageLimit)
	withChanges := false
	switch q.Get("changes") {
	case "", "0", "false":
	case "1", "true":
		withChanges = true
	default:
		writeError(w, fmt.Errorf("%w: changes must be 1 (each event with its change set) or 0, not %q", ErrBadRequest, q.Get("changes")), nil, 0)
		return
	}
	n.forwardOrServe(w, r, nil, func() error {
		if err := n.fresh(r); err != nil {
			return err
		}
		head, _, err := n.fsm.Head(code)
		if err != nil {
			return err
		}
		var raws, changes [][]byte
		if withChanges {
			raws, changes, err = n.fsm.ReadReplicaRaw(code, from, limit, MaxBatchBytes)
		} else {
			raws, err = n.fsm.ReadLogRaw(code, from, limit, MaxBatchBytes)
		}
		if err != nil {
			return err
		}
		w.Header().Set(headerHead, strconv.FormatUint(head, 10))
		if q.Get("format") == "json" {
			evs := make([]store.Event, len(raws))
			for i, raw := range raws {
				if evs[i], err = store.DecodeEvent(raw); err != nil {
					return err
				}
			}
			writeJSON(w, http.StatusOK, struct {
				Head    uint64        `json:"head"`
				Events  []store.Event `json:"events"`
				Changes [][]byte      `json:"changes,omitempty"` // base64, one per event (null for none)
			}{head, evs, changes})
			return nil
		}
		if withChanges {
			w.Header().Set("Content-Type", ReplicaMediaType)
			w.WriteHeader(http.StatusOK)
			w.Write(encodeReplica(raws, changes))
			return nil
		}
		w.Header().Set("Content-Type", EventsMediaType)
		w.WriteHeader(http.StatusOK)
		w.Write(encodeFramed(raws))
		return nil
	})
}

func (n *Node) handleJoin(w http.ResponseWriter, r *http.Request) {
	body, req, ok := readJSON[JoinRequest](w, r)
	if !ok {
		return
	}
	n.forwardOrServe(w, r, body, func() error {
		if err := n.Join(r.Context(), req.ID, req.RaftAddr, req.HTTPAddr, !req.NonVoter); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, n.Stats())
		return nil
	})
}

func (n *Node) handleLeave(w http.ResponseWriter, r *http.Request) {
	body, req, ok := readJSON[LeaveRequest](w, r)
	if !ok {
		return
	}
	n.forwardOrServe(w, r, body, func() error {
		if err := n.Leave(r.Context(), req.ID); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, n.Stats())
		return nil
	})
}

func (n *Node) handleStatus(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s := Status{Stats: n.Stats(), Revoked: n.fsm.Revocations(), Certificates: CertStatuses(n.fsm.Certificates(), now), Now: now.UTC()}
	var err error
	if s.BodyList, err = n.fsm.Bodies(); err == nil {
		s.ForkList, err = n.fsm.Forks("")
		if err == nil {
			s.ResolvedForks, err = n.fsm.ResolvedForks("")
		}
	}
	if err != nil {
		writeError(w, err, nil, 0)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func readJSON[T any](w http.ResponseWriter, r *http.Request) ([]byte, T, bool) {
	var v T
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&v)
	}
	if err != nil {
		writeError(w, fmt.Errorf("%w: the request must be a JSON object like %T: %v", ErrBadRequest, v, err), nil, 0)
		return nil, v, false
	}
	return body, v, true
}

// apiError is the JSON body of every error answer.
type apiError struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Ack   *Ack   `json:"ack,omitempty"`
}

// writeError answers with err's status (or status, when not 0) and a
// message that says what to fix.
func writeError(w http.ResponseWriter, err error, ack *Ack, status int) {
	code, st := ErrorStatus(err)
	if status != 0 {
		st = status
	}
	if st == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	msg := err.Error()
	if code == "internal" {
		msg = "internal error on the state node: " + msg
	}
	if ack != nil && ack.Body == "" {
		ack = nil
	}
	writeJSON(w, st, apiError{Error: msg, Code: code, Ack: ack})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// serveHTTP starts the HTTPS API on cfg.HTTPAddr.
func (n *Node) serveHTTP() error {
	ln, err := net.Listen("tcp", n.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen for the API on %s: %w", n.cfg.HTTPAddr, err)
	}
	if a := ln.Addr().(*net.TCPAddr); a.IP.IsUnspecified() && n.cfg.HTTPAdvertise == "" {
		ln.Close()
		return fmt.Errorf("the API address %s is not one peers can dial; give an advertise address", ln.Addr())
	}
	n.httpLn = ln
	n.httpSrv = &http.Server{
		Handler: n.routes(),
		// The chain only: a revoked certificate, or one of no known kind,
		// is refused by allow on each request, saying why, which a
		// handshake failure could not.
		TLSConfig: n.cfg.Identity.serverTLS(func(cs tls.ConnectionState) error {
			return verifyChain(cs, n.cfg.Identity.pool(), x509.ExtKeyUsageClientAuth)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // a batch of one big record (MaxRecordBytes) from a slow link
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(n.logger.Handler(), slog.LevelDebug), // refused handshakes are the caller's problem
	}
	go func() {
		if err := n.httpSrv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.logger.Error("the API stopped", "error", err)
		}
	}()
	return nil
}
