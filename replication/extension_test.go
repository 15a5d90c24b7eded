package replication_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"ksmart/replication"
	"ksmart/replication/replicationtest"
	"ksmart/store"
)

// recorder is an Extension that notes what the node did with it and what
// it saw of the node at each step.
type recorder struct {
	mu    sync.Mutex
	node  *replication.Node
	calls []string
	// bodiesAtOpen and bodiesAtClose are the bodies the FSM held then;
	// raftAtClose is raft's state then.
	bodiesAtOpen, bodiesAtClose int
	raftAtClose                 string
	errAtClose                  error
}

func (r *recorder) note(call string) {
	r.mu.Lock()
	r.calls = append(r.calls, call)
	r.mu.Unlock()
}

func (r *recorder) Open(n *replication.Node) error {
	r.note("open")
	r.node = n
	bodies, err := n.FSM().Bodies()
	r.bodiesAtOpen = len(bodies)
	return err
}

func (r *recorder) Routes(mount replication.Mount) {
	r.note("routes")
	mount("GET /ext/who", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		fmt.Fprintf(w, "%s asked %s", replication.RequestCaller(req), r.node.ID())
	}), replication.PermView)
}

func (r *recorder) Close() error {
	r.note("close")
	bodies, err := r.node.FSM().Bodies()
	r.bodiesAtClose, r.errAtClose, r.raftAtClose = len(bodies), err, r.node.Stats().State
	return nil
}

// shipSome ships a body's first few writes, with their change sets.
func shipSome(t *testing.T, c *replicationtest.Cluster, code string) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range 3 {
		_, err := st.Write(func(tx *store.Tx) error {
			id := fmt.Sprint(i)
			if err := tx.Put("note", id, map[string]int{"n": i}); err != nil {
				return err
			}
			return tx.Emit("clerk", store.EventType{Name: "note.written", Version: 1}, "note", id, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	evs, changes, err := st.ReadReplica(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.Client(code).ShipReplica(ctx, evs, changes); err != nil {
		t.Fatal(err)
	}
}

func TestExtension_IsOpenedAfterRaftServedBehindMutualTLSAndClosedBeforeTheFSM(t *testing.T) {
	var mu sync.Mutex
	var runs []*recorder
	c := replicationtest.New(t, 1, func(i int, cfg *replication.Config) {
		r := &recorder{}
		mu.Lock()
		runs = append(runs, r)
		mu.Unlock()
		cfg.Extension = r
	})
	shipSome(t, c, "M0701")
	n := c.Node(0)
	get := func(cl *http.Client) (int, string) {
		t.Helper()
		resp, err := cl.Get("https://" + n.HTTPAddr() + "/ext/who")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := get(c.HTTP(replication.KindAdmin, "stateit")); st != http.StatusOK || body != "admin/stateit asked state1" {
		t.Fatalf("the extension's route with an admin certificate: %d %q", st, body)
	}
	if st, body := get(c.HTTP(replication.KindBody, "M0701")); st != http.StatusForbidden {
		t.Fatalf("the extension's route with a body certificate: %d %q, want 403", st, body)
	}

	c.Close(0)
	first := runs[0]
	if fmt.Sprint(first.calls) != "[open routes close]" {
		t.Fatalf("the node called %v, want open, routes, close", first.calls)
	}
	if first.raftAtClose != "Shutdown" || first.errAtClose != nil || first.bodiesAtClose != 1 {
		t.Fatalf("at Close raft was %q and the FSM read %d bodies (%v): want raft stopped and the FSM still open", first.raftAtClose, first.bodiesAtClose, first.errAtClose)
	}

	// A restart opens the new run's extension on the state as kept.
	c.Restart(0)
	mu.Lock()
	second := runs[len(runs)-1]
	mu.Unlock()
	if second == first || second.bodiesAtOpen != 1 {
		t.Fatalf("after a restart the extension saw %d bodies at Open, want the 1 shipped", second.bodiesAtOpen)
	}
}
