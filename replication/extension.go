package replication

import (
	"net/http"
)

// Extension is a reader a state node runs beside its FSM, answering on the
// node's API: the state view (package stateview) is one. It reads the
// node's state through the FSM's read API (Node.FSM) and its
// subscriptions; it never applies anything to raft and never writes a
// local body's store. The node drives its life cycle, each step once:
//
//   - Open(node), in Node.Open once raft has started and restored its
//     latest snapshot (so that the FSM holds the state as restored, and
//     OnApplied and OnRestore report everything after), before the API
//     serves. An error stops Node.Open, which then closes the extension.
//   - Routes(mount), when the node has an API (Config.HTTPAddr), after
//     Open and before the API serves: it mounts the extension's handlers.
//   - Close(), in Node.Close or Node.Shutdown (or a failed Node.Open) after
//     raft has stopped, so nothing is applied any more, and before the FSM
//     closes: it must stop reading the FSM and return. It is called only
//     when Open was, even when Open failed.
//
// An Extension serves one node: give each NewNode, a restart's too, a new
// one.
type Extension interface {
	Open(n *Node) error
	Routes(mount Mount)
	Close() error
}

// Mount registers a handler on a node's API for an http.ServeMux pattern
// ("GET /state/{$}"). The handler is served behind the API's mutual TLS
// and admits only callers whose certificate's kind has permission p in the
// authorization table (authz.go) and is not revoked (an answer of 403 for
// others, as every route of the API); RequestCaller then tells who the
// caller is. Like ServeMux.Handle, it panics on a pattern that conflicts
// with one already registered, the API's own included.
type Mount func(pattern string, h http.Handler, p Permission)

// RequestCaller returns who made a request the API admitted, as
// "kind/name": the certificate's kind and name ("admin/it-admin"), or
// those of the caller a node forwarded the request for. It returns "" for
// a request that did not come through the API's admission (a handler not
// mounted with Mount).
func RequestCaller(r *http.Request) string {
	c, ok := r.Context().Value(ctxKey{}).(caller)
	if !ok {
		return ""
	}
	return c.String()
}

// openExtension opens Config.Extension, if any. Node.Open calls it once
// raft has started (and restored its snapshot).
func (n *Node) openExtension() error {
	if n.cfg.Extension == nil {
		return nil
	}
	n.extOpened = true
	return n.cfg.Extension.Open(n)
}

// mountExtension lets Config.Extension, if any, register its routes on the
// API's mux.
func (n *Node) mountExtension(mux *http.ServeMux) {
	if n.cfg.Extension == nil {
		return
	}
	n.cfg.Extension.Routes(func(pattern string, h http.Handler, p Permission) {
		n.routeList = append(n.routeList, Route{Pattern: pattern, Permission: p})
		mux.Handle(pattern, n.allow(h.ServeHTTP, p))
	})
}

// closeExtension closes Config.Extension when it was opened; Node.closeAll
// calls it after raft has stopped and before the FSM closes.
func (n *Node) closeExtension() error {
	if !n.extOpened {
		return nil
	}
	n.extOpened = false
	return n.cfg.Extension.Close()
}
