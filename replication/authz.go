package replication

import (
	"slices"
)

// Permission is one thing a caller may do on a state node: every route of
// the API (and of an Extension, through Mount) declares the one it needs,
// and the raft transport needs PermRaft.
type Permission string

// The permissions, each with the routes or traffic that need it.
const (
	PermRaft          Permission = "raft"         // the raft transport between nodes
	PermForward       Permission = "forward"      // act on behalf of another caller (a follower forwarding to the leader)
	PermRecordCerts   Permission = "record-certs" // POST /v1/cluster/certs: tell the leader of certificates seen
	PermSnapshotRange Permission = "range"        // GET /v1/cluster/ranges/{code}: the events a node restoring a snapshot lacks
	PermShip          Permission = "ship"         // POST /v1/bodies/{code}/log
	PermReadLog       Permission = "read-log"     // GET /v1/bodies/{code}/head and /log
	PermMembership    Permission = "membership"   // POST /v1/cluster/join and /leave
	PermRevoke        Permission = "revoke"       // POST /v1/cluster/revoke
	PermResolveFork   Permission = "resolve-fork" // POST /v1/cluster/forks/resolve: record a cured body's fork as resolved
	PermStatus        Permission = "status"       // GET /v1/cluster/status
	PermMetrics       Permission = "metrics"      // GET /metrics
	PermView          Permission = "view"         // the state view's pages and JSON (package stateview)
	PermSearch        Permission = "search"       // state-wide search (every search is logged with its caller)
	PermVerify        Permission = "verify"       // certificate verification on the state view
)

// grants is the authorization table: what each kind of certificate may
// do, by least privilege. It is the only place that says; Node.allow, the
// raft transport and the state view's routes all ask it (Allowed), and
// TestAuthz_EveryKindOnEveryRoute tries every kind on every route.
//
// A body may use a /v1/bodies/{code} route only for its own code (allow
// checks that too).
var grants = map[Kind][]Permission{
	KindNode:    {PermRaft, PermForward, PermRecordCerts, PermSnapshotRange, PermMetrics},
	KindBody:    {PermShip, PermReadLog},
	KindAdmin:   {PermMembership, PermRevoke, PermResolveFork, PermStatus, PermReadLog, PermMetrics, PermView, PermSearch, PermVerify},
	KindAuditor: {PermView, PermSearch, PermVerify, PermMetrics},
}

// Allowed reports whether a certificate of kind k may do p.
func Allowed(k Kind, p Permission) bool { return slices.Contains(grants[k], p) }

// KindsWith lists the kinds that may do p, in the order of Kinds.
func KindsWith(p Permission) []Kind {
	var out []Kind
	for _, k := range Kinds {
		if Allowed(k, p) {
			out = append(out, k)
		}
	}
	return out
}

// Route is one route of a node's API and the permission it needs.
type Route struct {
	Pattern    string     // an http.ServeMux pattern: "GET /v1/bodies/{code}/head"
	Permission Permission // what the caller's kind must be allowed
}
