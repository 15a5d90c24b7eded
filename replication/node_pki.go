package replication

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// A node's part in revocation and the certificate register (revoke.go):
// Revoke, the API's revoke and certs handlers, the register of what it
// admits, and its /metrics.

// maxPendingCerts bounds the certificates a node holds to record; more
// wait for the next time they are seen.
const maxPendingCerts = 1000

// noteCert queues a certificate the node admitted for the register, once.
func (n *Node) noteCert(c *x509.Certificate) {
	if c == nil || n.fsm.Known(FormatSerial(c.SerialNumber)) {
		return
	}
	n.seenMu.Lock()
	if len(n.seen) < maxPendingCerts {
		n.seen[FormatSerial(c.SerialNumber)] = c.Raw
	}
	n.seenMu.Unlock()
	select {
	case n.seenKick <- struct{}{}:
	default:
	}
}

// recordSeen sends the certificates noted to the leader (or commits them,
// on the leader), until the node stops.
func (n *Node) recordSeen() {
	defer n.wg.Done()
	retry := time.NewTicker(2 * time.Second)
	defer retry.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-n.seenKick:
		case <-retry.C:
		}
		n.seenMu.Lock()
		var ders [][]byte
		for s, der := range n.seen {
			if !n.fsm.Known(s) {
				ders = append(ders, der)
			}
		}
		n.seenMu.Unlock()
		if len(ders) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := n.recordCerts(ctx, ders)
		cancel()
		if err != nil {
			n.logger.Debug("could not record certificates seen; retrying", "error", err)
			continue
		}
		n.seenMu.Lock()
		for s := range n.seen {
			if n.fsm.Known(s) {
				delete(n.seen, s)
			}
		}
		n.seenMu.Unlock()
	}
}

// recordCerts commits certificates to the register on the leader, or asks
// the leader to.
func (n *Node) recordCerts(ctx context.Context, ders [][]byte) error {
	if n.IsLeader() {
		return n.recordNew(ctx, ders)
	}
	_, _, httpAddr := n.Leader()
	if httpAddr == "" {
		return n.notLeader()
	}
	body, _ := json.Marshal(struct {
		Certs [][]byte `json:"certs"`
	}{ders})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+httpAddr+"/v1/cluster/certs", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.fwd.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the leader answered %s", resp.Status)
	}
	return nil
}

// recordNew commits, on the leader, the certificates the register does not
// hold yet. A follower asks again for a certificate the leader recorded
// while the follower's copy of the register had not caught up: without the
// check, each such ask was one more raft entry.
func (n *Node) recordNew(ctx context.Context, ders [][]byte) error {
	var unknown [][]byte
	for _, der := range ders {
		if c, err := x509.ParseCertificate(der); err != nil || !n.fsm.Known(FormatSerial(c.SerialNumber)) {
			unknown = append(unknown, der)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return n.applyCommand(ctx, encodeCommand(opRecordCerts, unknown...))
}

func (n *Node) handleCerts(w http.ResponseWriter, r *http.Request) {
	body, req, ok := readJSON[struct {
		Certs [][]byte `json:"certs"`
	}](w, r)
	if !ok {
		return
	}
	var ders [][]byte
	for i, der := range req.Certs {
		c, err := x509.ParseCertificate(der)
		if err == nil {
			err = verifyPeer(tls.ConnectionState{PeerCertificates: []*x509.Certificate{c}}, n.cfg.Identity.pool(), x509.ExtKeyUsageClientAuth)
		}
		if err != nil {
			writeError(w, fmt.Errorf("%w: certificate %d: %v", ErrBadRequest, i+1, err), nil, 0)
			return
		}
		ders = append(ders, der)
	}
	n.forwardOrServe(w, r, body, func() error {
		if !n.IsLeader() {
			return n.notLeader()
		}
		if err := n.recordNew(r.Context(), ders); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	})
}

// Revoke commits the revocation of the certificate with serial (as
// ParseSerial reads it) for reason, by the admin whose certificate is by;
// cert, when not nil, is the revoked certificate itself, for one the
// register does not hold. It must run on the leader (ErrNotLeader).
// Refusals (ErrBadRequest, nothing changed): a malformed serial, no
// reason, an unknown serial, a certificate of another CA or whose serial
// is not serial, or the last administrator's certificate. Revoking a
// certificate again answers the first revocation with Already set.
func (n *Node) Revoke(ctx context.Context, serial, reason string, by, cert *x509.Certificate) (RevokeResult, error) {
	s, err := ParseSerial(serial)
	if err != nil {
		return RevokeResult{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	reason, who, err := adminAct(by, PermRevoke, reason, "revoke", "for the revocation (e.g. \"laptop stolen 2026-12-01\")")
	if err != nil {
		return RevokeResult{}, err
	}
	var target []byte
	if cert != nil {
		if err := verifyPeer(tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}}, n.cfg.Identity.pool(), x509.ExtKeyUsageClientAuth); err != nil {
			return RevokeResult{}, fmt.Errorf("%w: the certificate given: %v", ErrBadRequest, err)
		}
		if got := FormatSerial(cert.SerialNumber); got != s {
			return RevokeResult{}, fmt.Errorf("%w: the certificate given has serial %s, not %s", ErrBadRequest, got, s)
		}
		target = cert.Raw
	}
	if !n.IsLeader() {
		return RevokeResult{}, n.notLeader()
	}
	res, err := n.apply(ctx, encodeCommand(opRevoke, []byte(s), []byte(reason), []byte(who), by.Raw, target))
	if err != nil {
		return RevokeResult{}, err
	}
	if res.err != nil {
		return RevokeResult{}, res.err
	}
	rr, _ := res.value.(*RevokeResult)
	if rr == nil {
		return RevokeResult{}, fmt.Errorf("replication: no result for the revocation")
	}
	if !rr.Already {
		n.logger.Warn("certificate revoked", "serial", rr.Revocation.Serial, "kind", rr.Revocation.Kind, "name", rr.Revocation.Name, "by", rr.Revocation.By, "reason", rr.Revocation.Reason)
	}
	return *rr, nil
}

func (n *Node) handleRevoke(w http.ResponseWriter, r *http.Request) {
	body, req, ok := readJSON[RevokeRequest](w, r)
	if !ok {
		return
	}
	var cert *x509.Certificate
	if req.CertPEM != "" {
		var err error
		if cert, err = parseCertPEM(req.CertPEM); err != nil {
			writeError(w, err, nil, 0)
			return
		}
	}
	c := callerFrom(r.Context())
	n.forwardOrServe(w, r, body, func() error {
		res, err := n.Revoke(r.Context(), req.Serial, req.Reason, c.cert, cert)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	})
}

// dropRevoked closes this node's raft connections with a revoked peer.
func (n *Node) dropRevoked(r Revocation) {
	if r.Kind != KindNode {
		return
	}
	if s, ok := n.tlsStream(); ok {
		if dropped := s.dropSerial(r.Serial); dropped > 0 {
			n.logger.Warn("dropped the raft connections of a revoked node certificate", "serial", r.Serial, "name", r.Name, "connections", dropped)
		}
	}
}

func (n *Node) tlsStream() (*tlsStream, bool) {
	s, ok := n.rawStream.(*tlsStream)
	return s, ok
}

// handleMetrics answers Prometheus text: this node's own certificate and
// every known one with its days left, and the revocations.
func (n *Node) handleMetrics(w http.ResponseWriter, r *http.Request) {
	reg := prometheus.NewRegistry()
	now := time.Now()
	own := prometheus.NewGauge(prometheus.GaugeOpts{Name: "ksmart_state_node_certificate_days_left",
		Help:        "Days until this node's own certificate expires (renew it within 30 days: issue a new one, then SIGHUP).",
		ConstLabels: prometheus.Labels{"serial": n.cfg.Identity.Serial()}})
	own.Set(float64(DaysLeft(n.cfg.Identity.Certificate().NotAfter, now)))
	known := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ksmart_state_certificate_days_left",
		Help: "Days until each certificate the cluster knows (and has not revoked) expires."}, []string{"serial", "kind", "name"})
	warn := 0
	for _, c := range n.fsm.Certificates() {
		known.WithLabelValues(c.Serial, string(c.Kind), c.Name).Set(float64(c.DaysLeft(now)))
		if c.NotAfter.Sub(now) < ExpiryWarning {
			warn++
		}
	}
	expiring := prometheus.NewGauge(prometheus.GaugeOpts{Name: "ksmart_state_certificates_expiring",
		Help: "Certificates the cluster knows that expire within 30 days (or have expired)."})
	expiring.Set(float64(warn))
	revoked := prometheus.NewGauge(prometheus.GaugeOpts{Name: "ksmart_state_certificates_revoked", Help: "Certificates revoked."})
	revoked.Set(float64(len(n.fsm.Revocations())))
	st := n.fsm.Stats()
	received := prometheus.NewCounter(prometheus.CounterOpts{Name: "ksmart_state_snapshot_received_bytes_total",
		Help: "Bytes this node received to install snapshots: raft's snapshot streams (manifests) and the log ranges it fetched from peers."})
	received.Add(float64(st.SnapshotReceivedBytes))
	sent := prometheus.NewCounter(prometheus.CounterOpts{Name: "ksmart_state_snapshot_sent_bytes_total",
		Help: "Bytes this node sent for other nodes' snapshot installs: raft's snapshot streams and the log ranges it served."})
	sent.Add(float64(st.SnapshotSentBytes))
	reg.MustRegister(own, known, expiring, revoked, received, sent)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// adminAct checks what an admin's act on the cluster needs (a revocation,
// a fork's resolution): a reason, kept for the audit, within
// maxReasonLen, and a certificate by whose kind may perm. It returns the
// reason trimmed and who acts ("kind/name"), as the command records it.
func adminAct(by *x509.Certificate, perm Permission, reason, act, example string) (string, string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", "", fmt.Errorf("%w: give the reason %s; it is kept for the audit", ErrBadRequest, example)
	case len(reason) > maxReasonLen:
		return "", "", fmt.Errorf("%w: the reason is %d bytes; keep it under %d", ErrBadRequest, len(reason), maxReasonLen)
	case by == nil:
		return "", "", fmt.Errorf("%w: to %s needs the admin's certificate", ErrForbidden, act)
	}
	bk, bn, err := certKind(by)
	if err != nil || !Allowed(bk, perm) {
		return "", "", fmt.Errorf("%w: only an admin certificate may %s, not %s %q", ErrForbidden, act, bk, bn)
	}
	return reason, string(bk) + "/" + bn, nil
}
