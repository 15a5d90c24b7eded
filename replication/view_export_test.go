package replication

import (
	"net/http"
	"testing"
	"time"
)

// Exports for the state view's tests (view_test.go), which are an external
// package because they seed real local bodies with package appliance, and
// appliance imports replication.

// ViewCluster is a test cluster (helpers_test.go) for the view's tests.
type ViewCluster struct{ c *cluster }

// NewViewCluster starts a cluster of size nodes, each keeping mirrors with
// cfg (none when nil).
func NewViewCluster(tb testing.TB, size int, cfg *MirrorsConfig) *ViewCluster {
	return &ViewCluster{newCluster(tb, size, func(c *Config) {
		if cfg != nil {
			m := *cfg
			c.Mirrors = &m
		}
	})}
}

// Nodes returns the cluster's nodes, live or closed.
func (v *ViewCluster) Nodes() []*Node { return v.c.nodes }

// WaitLeader waits until some live node leads and returns it.
func (v *ViewCluster) WaitLeader() *Node { return v.c.waitLeader() }

// Dir is node i's data directory.
func (v *ViewCluster) Dir(i int) string { return v.c.cfgs[i].Dir }

// Close checks node i's state.db and closes it.
func (v *ViewCluster) Close(i int) { v.c.closeNode(v.c.nodes[i]) }

// Restart opens node i again on its directory and addresses.
func (v *ViewCluster) Restart(i int) *Node { return v.c.restart(i) }

// Client is a body's client of the cluster.
func (v *ViewCluster) Client(code string) *Client { return v.c.client(code) }

// HTTP is an HTTPS client presenting a certificate of kind for name.
func (v *ViewCluster) HTTP(t *testing.T, kind Kind, name string) *http.Client {
	return rawClient(t, v.c, kind, name)
}

// Eventually retries fn until it succeeds or timeout passes.
func Eventually(tb testing.TB, timeout time.Duration, fn func() error) { eventually(tb, timeout, fn) }
