package appliance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"ksmart/replication"
	"ksmart/store"
)

// The phases RestoreFromState reports to RestoreStateConfig.Progress.
const (
	RestorePhaseCopy  = "copying the log from the state"
	RestorePhaseIndex = "indexing the log"
)

// restorePage is how many events RestoreFromState asks for at a time (a
// page also stops at about replication.MaxBatchBytes).
const restorePage = 10_000

// restoreHeadTimeout bounds asking the state for the body's head: the
// client retries while nodes are down or electing, up to this long.
const restoreHeadTimeout = 30 * time.Second

// RestoreStateConfig says which local body RestoreFromState rebuilds, from
// which state nodes, with which certificate, and where.
type RestoreStateConfig struct {
	// Dir is the data directory to build. It may exist (an operator may
	// have put a backed-up keys/ folder in it) but must not hold a store
	// or a search index.
	Dir string
	// LocalBody is the code of the body to rebuild, e.g. KL-EKM-M01.
	LocalBody string
	// Addrs are the API addresses (host:port) of state nodes; any will do.
	Addrs []string
	// CAFile is the state CA's certificate; CertFile and KeyFile the
	// body's own certificate for the state, or a state IT admin's, and its
	// key. All PEM.
	CAFile, CertFile, KeyFile string
	// Progress, when set, is called as the work advances: phase is
	// RestorePhaseCopy, then RestorePhaseIndex, with done of total events.
	// A phase that completes ends with a call where done == total; one
	// cut short by an error does not.
	Progress func(phase string, done, total uint64)
}

// RestoredState is what RestoreFromState rebuilt.
type RestoredState struct {
	Name     string // the local body's English name, from its log
	Events   uint64 // events restored
	LastHash []byte // the last event's hash, the state's head
	Indexed  uint64 // documents in the search index built from them
	Took     time.Duration
}

// RestoreFromState rebuilds a local body's data directory from the state's
// copy of its log and change sets: into a new directory beside c.Dir,
// checked (page by page, each following the one before; then the whole
// store as ksmart check does), its search index built, and only then moved
// into place. Nothing is written to the log: the seal's private key is
// never sent to the state, so the first start makes a new one unless the
// operator puts a backed-up key into Dir/keys first.
//
// It refuses a Dir that already holds a store or an index, a state that
// holds nothing of the body, and a log that is another body's. When it
// fails, Dir is as it was: what was copied is removed.
func RestoreFromState(ctx context.Context, c RestoreStateConfig) (RestoredState, error) {
	var res RestoredState
	progress := c.Progress
	if progress == nil {
		progress = func(string, uint64, uint64) {}
	}
	dir, code := c.Dir, c.LocalBody
	for _, name := range []string{store.DBFile, "index"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return res, fmt.Errorf("%s already holds %s; restore --from-state builds a new data directory: give a new or empty --data DIR (move the old one away first)", dir, name)
		}
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return res, fmt.Errorf("%s is a file, not a directory", dir)
	}
	cl, err := stateClient(c)
	if err != nil {
		return res, err
	}
	defer cl.Close()
	hctx, cancel := context.WithTimeout(ctx, restoreHeadTimeout)
	head, err := cl.Head(hctx)
	cancel()
	if err != nil {
		return res, fmt.Errorf("asking the state for %s's log: %w", code, err)
	}
	if head.LastSeq == 0 {
		return res, fmt.Errorf("the state holds nothing of local body %s: check the code (ksmart state status lists the bodies it holds)", code)
	}

	abs, err := filepath.Abs(dir)
	if err != nil {
		return res, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return res, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".restore-")
	if err != nil {
		return res, err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	start := time.Now()
	st, err := store.Open(tmp, store.Options{Replica: true})
	if err != nil {
		return res, err
	}
	progress(RestorePhaseCopy, 0, head.LastSeq)
	var last []byte
	next := uint64(1)
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		evs, changes, err := cl.ReadReplica(pctx, next, restorePage)
		cancel()
		if err != nil {
			st.Close()
			return res, fmt.Errorf("reading %s's log from event %d: %w", code, next, err)
		}
		if len(evs) == 0 {
			break
		}
		if evs[0].Seq != next || !bytes.Equal(evs[0].Prev, last) {
			st.Close()
			return res, fmt.Errorf("the state's page from event %d does not follow event %d it sent before: the copy cannot be trusted; nothing was restored", evs[0].Seq, next-1)
		}
		if err := st.AppendReplica(evs, changes); err != nil {
			st.Close()
			return res, fmt.Errorf("rebuilding from events %d-%d: %w", evs[0].Seq, evs[len(evs)-1].Seq, err)
		}
		for _, ev := range evs {
			if ev.Seq == head.LastSeq && !bytes.Equal(ev.Hash, head.LastHash) {
				st.Close()
				return res, fmt.Errorf("event %d the state sent is not the one its head names: the copy cannot be trusted; nothing was restored", ev.Seq)
			}
		}
		last, next = evs[len(evs)-1].Hash, evs[len(evs)-1].Seq+1
		progress(RestorePhaseCopy, min(next-1, head.LastSeq), head.LastSeq)
	}
	events := st.LastSeq()
	if err := st.Close(); err != nil {
		return res, err
	}
	if events < head.LastSeq {
		return res, fmt.Errorf("the state sent %d events of %s but its head is %d; try again", events, code, head.LastSeq)
	}

	// Build the search index from the log, as ksmart reindex does, without
	// writing to the log (no seal key is made here).
	app, err := Open(Config{Dir: tmp, Logger: slog.New(slog.DiscardHandler), RebuildIndex: true, KeepLog: true})
	if err != nil {
		return res, fmt.Errorf("the rebuilt data directory does not open: %w", err)
	}
	if app.LocalBody.Code != code {
		app.Close()
		return res, fmt.Errorf("the log the state holds as %s's is local body %s's", code, app.LocalBody.Code)
	}
	progress(RestorePhaseIndex, 0, events)
	app.Search.Progress(func(applied, _ uint64) { progress(RestorePhaseIndex, min(applied, events), events) })
	if err := app.Search.CatchUp(ctx, app.Store); err != nil {
		app.Close()
		return res, fmt.Errorf("building the search index: %w", err)
	}
	progress(RestorePhaseIndex, events, events)
	docs, _ := app.Search.Count()
	name := app.LocalBody.Name.En
	if err := app.Close(); err != nil {
		return res, err
	}
	rep, err := store.CheckFile(filepath.Join(tmp, store.DBFile))
	if err != nil {
		return res, fmt.Errorf("the rebuilt store fails its check (%w); nothing was restored", err)
	}
	if rep.Events != events || !bytes.Equal(rep.LastHash, last) {
		return res, fmt.Errorf("the rebuilt store holds %d events, not the %d copied; nothing was restored", rep.Events, events)
	}
	if err := moveInto(tmp, abs); err != nil {
		return res, err
	}
	done = true
	os.RemoveAll(tmp)
	return RestoredState{Name: name, Events: events, LastHash: last, Indexed: docs, Took: time.Since(start)}, nil
}

// moveInto moves what a directory holds into dir (made if need be), merging
// into a keys/ folder that is there already (an operator may have put the
// seal key back first) without replacing anything in it.
func moveInto(from, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return os.Rename(from, dir)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	// The store last: a restore cut short leaves no store, so it can run again.
	for pass := range 2 {
		for _, e := range entries {
			if (e.Name() == store.DBFile) != (pass == 1) {
				continue
			}
			src, dst := filepath.Join(from, e.Name()), filepath.Join(dir, e.Name())
			if _, err := os.Stat(dst); err == nil {
				if e.IsDir() {
					if err := moveInto(src, dst); err != nil {
						return err
					}
					continue
				}
				continue // keep what the operator put there
			}
			if err := os.Rename(src, dst); err != nil {
				return err
			}
		}
	}
	return syncPath(dir)
}

// syncPath syncs a directory, so that the renames into it are durable.
func syncPath(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// stateClient connects to the state with the configured certificate.
func stateClient(c RestoreStateConfig) (*replication.Client, error) {
	read := func(what, path string) ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read the %s: %v", what, err)
		}
		return b, nil
	}
	caPEM, err := read("state CA certificate --state-ca", c.CAFile)
	if err != nil {
		return nil, err
	}
	certPEM, err := read("certificate --state-cert", c.CertFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := read("key --state-key", c.KeyFile)
	if err != nil {
		return nil, err
	}
	return replication.NewClient(replication.ClientConfig{Addrs: c.Addrs, CAPEM: caPEM, CertPEM: certPEM, KeyPEM: keyPEM, LocalBody: c.LocalBody})
}
