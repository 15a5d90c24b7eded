package replication

import (
	"errors"
	"net/http"
)

// The errors a Node, its HTTP API and a Client return, each wrapped with a
// message that says what happened and what to do. Test them with errors.Is.
var (
	// ErrNotLeader means this node is not the leader and cannot commit a
	// write; the HTTP API forwards writes to the leader, and a caller of
	// Node.Ship should do the same (Node.LeaderHTTP tells where).
	ErrNotLeader = errors.New("replication: not the leader")

	// ErrNoLeader means the cluster has no leader at the moment (an
	// election is under way, or too few nodes are up). Retry shortly.
	ErrNoLeader = errors.New("replication: no leader")

	// ErrFork means the batch does not continue the body's chain where the
	// state already holds different events under the same sequence numbers
	// (or the batch's first event does not follow the state's last). The
	// batch was refused and the fork recorded (Node.Forks) for state IT to
	// resolve; nothing was overwritten. Resending does not help.
	ErrFork = errors.New("replication: fork")

	// ErrGap means the batch starts after the event that should come next:
	// the state holds fewer events than the body thinks. Nothing was
	// applied; resend from Ack.Head+1.
	ErrGap = errors.New("replication: gap")

	// ErrBadBatch means the batch is malformed: an event does not decode,
	// its hash does not match its contents, or the events are not one
	// unbroken chain. Nothing was applied.
	ErrBadBatch = errors.New("replication: bad batch")

	// ErrTooLarge means the batch holds more events or bytes than the state
	// accepts in one batch (MaxBatchEvents, MaxBatchBytes). Send it in
	// smaller batches.
	ErrTooLarge = errors.New("replication: batch too large")

	// ErrForbidden means the caller's certificate does not allow the
	// request: a body shipping under another body's code, or a body or node
	// asking for an admin action.
	ErrForbidden = errors.New("replication: forbidden")

	// ErrRevoked means the caller's certificate (or, on the raft
	// transport, the peer's) was revoked by state IT; the message names its
	// serial, who revoked it, when and why. Nothing is served to it: ask
	// state IT for a new certificate.
	ErrRevoked = errors.New("replication: certificate revoked")

	// ErrBadRequest means a request other than a batch is malformed or
	// names something that does not exist (e.g. leaving with an unknown
	// node ID).
	ErrBadRequest = errors.New("replication: bad request")

	// ErrClosed means the node has been closed.
	ErrClosed = errors.New("replication: node closed")
)

// errorCodes names each sentinel on the wire ("code" in the JSON error)
// and gives its HTTP status: the one place where errors become statuses.
var errorCodes = []struct {
	err    error
	code   string
	status int
}{
	{ErrBadBatch, "bad_batch", http.StatusBadRequest},
	{ErrBadRequest, "bad_request", http.StatusBadRequest},
	{ErrRevoked, "revoked", http.StatusForbidden},
	{ErrForbidden, "forbidden", http.StatusForbidden},
	{ErrFork, "fork", http.StatusConflict},
	{ErrGap, "gap", http.StatusConflict},
	{ErrTooLarge, "too_large", http.StatusRequestEntityTooLarge},
	{ErrNotLeader, "not_leader", http.StatusServiceUnavailable},
	{ErrNoLeader, "no_leader", http.StatusServiceUnavailable},
	{ErrClosed, "closed", http.StatusServiceUnavailable},
}

// ErrorStatus returns the wire code ("code" in the API's JSON errors) and
// the HTTP status the API answers err with: an error wrapping one of the
// sentinels above maps as errorCodes lists, any other is "internal"
// (500). An Extension answers with it, so that its errors read as the
// API's do.
func ErrorStatus(err error) (string, int) {
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code, c.status
		}
	}
	return "internal", http.StatusInternalServerError
}

// errorFromCode returns the sentinel for a wire code, or nil.
func errorFromCode(code string) error {
	for _, c := range errorCodes {
		if c.code == code {
			return c.err
		}
	}
	return nil
}

// remoteError is an error a node answered with: its message, and the
// sentinel it stands for (if any) so errors.Is works across the wire.
type remoteError struct {
	kind   error
	status int
	msg    string
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.kind }
