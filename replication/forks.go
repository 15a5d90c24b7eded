package replication

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Resolving a fork.
//
// A fork stays recorded (Forks, Stats.Forks, the state view) until state
// IT records it as resolved, by a raft entry (opResolveFork) that keeps
// who resolved it, when and why with the fork (ResolvedForks): the audit
// of every fork and its end. It is refused while the body's log still
// contradicts the state's: a body is taken as cured once the state has
// applied a batch of it (events that continue the state's log) after the
// last time it met the fork (BodyInfo.UpdatedIndex > Fork.LastRaftIndex) —
// what a body cured by ksmart restore --from-state --reapply-forked does
// when it starts shipping again (its cure is an event of its own).

// ForkResolution is state IT's record that a fork was resolved.
type ForkResolution struct {
	Reason    string    `json:"reason"`
	By        string    `json:"by"`        // the admin: "admin/it-admin"
	BySerial  string    `json:"by_serial"` // the admin's certificate
	At        time.Time `json:"at"`        // the raft leader's clock when it was committed
	RaftIndex uint64    `json:"raft_index"`
	// BodyHead is the body's head in the state then: its log, cured,
	// continued the state's up to there.
	BodyHead uint64 `json:"body_head"`
}

// ResolveForkRequest asks the cluster to record a body's forks as
// resolved (POST /v1/cluster/forks/resolve, admin only).
type ResolveForkRequest struct {
	Body   string `json:"body"`
	Reason string `json:"reason"`
}

// ResolveForkResult is the answer: the forks now resolved.
type ResolveForkResult struct {
	Body     string `json:"body"`
	Resolved []Fork `json:"resolved"`
}

// resolveFork applies opResolveFork: body code, reason, by, the caller's
// DER. Every decision is made here, from the entry and the state, so that
// every node makes it alike; a refusal writes nothing.
func (st *applyTx) resolveFork(args [][]byte, at time.Time, index uint64) (*applyResult, error) {
	code, reason, by := string(args[0]), string(args[1]), string(args[2])
	refuse := func(format string, a ...any) (*applyResult, error) {
		return &applyResult{err: fmt.Errorf("%w: "+format, append([]any{ErrBadRequest}, a...)...)}, nil
	}
	bySerial := ""
	if c, err := x509.ParseCertificate(args[3]); err == nil {
		bySerial = FormatSerial(c.SerialNumber)
	}
	b, err := st.body(code)
	if err != nil {
		return nil, err
	}
	fb := st.tx.Bucket(bucketForks)
	type open struct {
		key []byte
		fk  Fork
	}
	var forks []open
	c := fb.Cursor()
	prefix := forkPrefix(code)
	for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
		var fk Fork
		if err := json.Unmarshal(v, &fk); err != nil {
			return nil, err
		}
		if fk.Resolved == nil {
			forks = append(forks, open{append([]byte(nil), k...), fk})
		}
	}
	if len(forks) == 0 {
		return refuse("local body %s has no fork to resolve (ksmart state forks lists those there are)", code)
	}
	for _, o := range forks {
		last := max(o.fk.LastRaftIndex, o.fk.RaftIndex)
		if b.UpdatedIndex <= last {
			return refuse("local body %s's log still contradicts the state's: the last batch it sent (%s) forked at event %d, and it has shipped nothing since that continues the state's log. Cure the body first (on its server, with ksmart serve stopped: ksmart restore --from-state … --reapply-forked), start it so that it ships, then resolve",
				code, o.fk.LastSeen.UTC().Format("02-01-2006 15:04 UTC"), o.fk.AtSeq)
		}
	}
	res := &ResolveForkResult{Body: code}
	for _, o := range forks {
		o.fk.Resolved = &ForkResolution{Reason: reason, By: by, BySerial: bySerial, At: at, RaftIndex: index, BodyHead: b.LastSeq}
		v, err := json.Marshal(o.fk)
		if err != nil {
			return nil, err
		}
		if err := fb.Put(o.key, v); err != nil {
			return nil, err
		}
		res.Resolved = append(res.Resolved, o.fk)
	}
	b.Forks = 0
	return &applyResult{value: res}, nil
}

// ResolveFork records a body's forks as resolved, by an admin (by: the
// caller's certificate), with the reason, once the body is cured (see
// above). It needs the leader; ErrNotLeader otherwise. ErrBadRequest for
// a missing reason, a body with no fork, or one whose log still
// contradicts the state's.
func (n *Node) ResolveFork(ctx context.Context, code, reason string, by *x509.Certificate) (ResolveForkResult, error) {
	if err := CheckBodyCode(code); err != nil {
		return ResolveForkResult{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	reason, who, err := adminAct(by, PermResolveFork, reason, "resolve a fork", "(e.g. \"cured with --reapply-forked on 06-12-2026; 2 conflicting births re-entered by the registrar\")")
	if err != nil {
		return ResolveForkResult{}, err
	}
	if !n.IsLeader() {
		return ResolveForkResult{}, n.notLeader()
	}
	res, err := n.apply(ctx, encodeCommand(opResolveFork, []byte(code), []byte(reason), []byte(who), by.Raw))
	if err != nil {
		return ResolveForkResult{}, err
	}
	if res.err != nil {
		return ResolveForkResult{}, res.err
	}
	rr, _ := res.value.(*ResolveForkResult)
	if rr == nil {
		return ResolveForkResult{}, fmt.Errorf("replication: no result for resolving the fork")
	}
	for _, fk := range rr.Resolved {
		n.logger.Warn("fork resolved", "local_body", code, "at_event", fk.AtSeq, "first_seen", fk.FirstSeen, "by", fk.Resolved.By, "serial", fk.Resolved.BySerial, "reason", reason, "raft_index", fk.Resolved.RaftIndex)
	}
	return *rr, nil
}

func (n *Node) handleResolveFork(w http.ResponseWriter, r *http.Request) {
	body, req, ok := readJSON[ResolveForkRequest](w, r)
	if !ok {
		return
	}
	c := callerFrom(r.Context())
	n.forwardOrServe(w, r, body, func() error {
		res, err := n.ResolveFork(r.Context(), req.Body, req.Reason, c.cert)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	})
}

// ResolveFork asks the cluster to record a body's forks as resolved
// (admin certificate).
func (c *Client) ResolveFork(ctx context.Context, req ResolveForkRequest) (ResolveForkResult, error) {
	var r ResolveForkResult
	b, _ := json.Marshal(req)
	err := c.do(ctx, http.MethodPost, "/v1/cluster/forks/resolve", "application/json", b, &r)
	return r, err
}
