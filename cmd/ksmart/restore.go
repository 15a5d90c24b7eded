package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"ksmart/appliance"
	"ksmart/appliance/seal"
	"ksmart/replication"
	"ksmart/store"
)

func runRestore(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "restore", "--data DIR --from FILE [--force]\n   or: ksmart restore --data DIR --from-state https://HOST:PORT[,...] --local-body CODE --state-ca FILE --state-cert FILE --state-key FILE")
	data := fs.String("data", "", "data `DIR`ectory to restore into (the appliance must be stopped)")
	from := fs.String("from", "", "backup `FILE` written by 'ksmart backup'")
	force := fs.Bool("force", false, "replace an existing store (the old file is kept beside it)")
	fromState := fs.String("from-state", "", "rebuild the data directory from the state cluster's copy instead: its nodes, `https://HOST:PORT[,...]`")
	code := fs.String("local-body", "", "with --from-state: the `CODE` of the local body to rebuild (e.g. KL-EKM-M01)")
	stateCA := fs.String("state-ca", "", "with --from-state: the state CA's certificate `FILE` (ca.crt)")
	stateCert := fs.String("state-cert", "", "with --from-state: the local body's certificate `FILE` for the state, or a state IT admin's")
	stateKey := fs.String("state-key", "", "with --from-state: the key `FILE` of --state-cert")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *fromState != "" || *code != "" || *stateCA != "" || *stateCert != "" || *stateKey != "" {
		if *from != "" || *force {
			return usageError{"--from-state rebuilds a new data directory; it does not take --from or --force"}
		}
		var missing []string
		for _, f := range []struct{ flag, value string }{{"--data DIR", *data}, {"--from-state https://HOST:PORT", *fromState}, {"--local-body CODE", *code},
			{"--state-ca FILE", *stateCA}, {"--state-cert FILE", *stateCert}, {"--state-key FILE", *stateKey}} {
			if f.value == "" {
				missing = append(missing, f.flag)
			}
		}
		if len(missing) > 0 {
			return usageError{"to restore from the state give " + strings.Join(missing, ", ") + " (run 'ksmart restore -h')"}
		}
		addrs, err := stateAddrList(*fromState)
		if err != nil {
			return usageError{"--from-state: " + err.Error()}
		}
		return restoreFromState(ctx, env, *data, *code, addrs, *stateCA, *stateCert, *stateKey)
	}
	if *data == "" || *from == "" {
		return usageError{"give both --data DIR and --from FILE (or --from-state to rebuild from the state cluster)"}
	}
	info, err := store.Restore(*from, *data, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "restored %d events into %s (last hash %s); start it with: ksmart serve --data %s\n", info.Seq, *data, short(fmt.Sprintf("%x", info.Hash)), *data)
	return nil
}

// restorePage is how many events restore --from-state asks for at a time
// (a page also stops at about replication.MaxBatchBytes).
const restorePage = 10_000

// restoreFromState rebuilds a local body's data directory from the state's
// copy of its log and change sets: into a new directory beside the target,
// checked (page by page, each following the one before; then the whole
// store), its search index built, and only then moved into place. A target
// that already holds a store is refused.
func restoreFromState(ctx context.Context, env *env, dir, code string, addrs []string, caFile, certFile, keyFile string) error {
	for _, name := range []string{store.DBFile, "index"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("%s already holds %s; restore --from-state builds a new data directory: give a new or empty --data DIR (move the old one away first)", dir, name)
		}
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("%s is a file, not a directory", dir)
	}
	read := func(what, path string) ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read the %s: %v", what, err)
		}
		return b, nil
	}
	caPEM, err := read("state CA certificate --state-ca", caFile)
	if err != nil {
		return err
	}
	certPEM, err := read("certificate --state-cert", certFile)
	if err != nil {
		return err
	}
	keyPEM, err := read("key --state-key", keyFile)
	if err != nil {
		return err
	}
	cl, err := replication.NewClient(replication.ClientConfig{Addrs: addrs, CAPEM: caPEM, CertPEM: certPEM, KeyPEM: keyPEM, LocalBody: code})
	if err != nil {
		return err
	}
	defer cl.Close()
	hctx, cancel := context.WithTimeout(ctx, stateTimeout)
	head, err := cl.Head(hctx)
	cancel()
	if err != nil {
		return fmt.Errorf("asking the state for %s's log: %w", code, err)
	}
	if head.LastSeq == 0 {
		return fmt.Errorf("the state holds nothing of local body %s: check the code (ksmart state status lists the bodies it holds)", code)
	}

	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".restore-")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	start := time.Now()
	st, err := store.Open(tmp, store.Options{})
	if err != nil {
		return err
	}
	bar := restoreBar(env, int64(head.LastSeq), "copying the log from the state")
	var last []byte
	next := uint64(1)
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		evs, changes, err := cl.ReadReplica(pctx, next, restorePage)
		cancel()
		if err != nil {
			st.Close()
			return fmt.Errorf("reading %s's log from event %d: %w", code, next, err)
		}
		if len(evs) == 0 {
			break
		}
		if evs[0].Seq != next || !bytes.Equal(evs[0].Prev, last) {
			st.Close()
			return fmt.Errorf("the state's page from event %d does not follow event %d it sent before: the copy cannot be trusted; nothing was restored", evs[0].Seq, next-1)
		}
		if err := st.AppendReplica(evs, changes); err != nil {
			st.Close()
			return fmt.Errorf("rebuilding from events %d-%d: %w", evs[0].Seq, evs[len(evs)-1].Seq, err)
		}
		for _, ev := range evs {
			if ev.Seq == head.LastSeq && !bytes.Equal(ev.Hash, head.LastHash) {
				st.Close()
				return fmt.Errorf("event %d the state sent is not the one its head names: the copy cannot be trusted; nothing was restored", ev.Seq)
			}
		}
		last, next = evs[len(evs)-1].Hash, evs[len(evs)-1].Seq+1
		if bar != nil {
			bar.Set64(int64(min(next-1, head.LastSeq)))
		}
	}
	if bar != nil {
		bar.Finish()
	}
	events := st.LastSeq()
	if err := st.Close(); err != nil {
		return err
	}
	if events < head.LastSeq {
		return fmt.Errorf("the state sent %d events of %s but its head is %d; try again", events, code, head.LastSeq)
	}

	// Build the search index from the log, as ksmart reindex does, without
	// writing to the log (no seal key is made here).
	app, err := appliance.Open(appliance.Config{Dir: tmp, Logger: slog.New(slog.DiscardHandler), RebuildIndex: true, KeepLog: true})
	if err != nil {
		return fmt.Errorf("the rebuilt data directory does not open: %w", err)
	}
	if app.LocalBody.Code != code {
		app.Close()
		return fmt.Errorf("the log the state holds as %s's is local body %s's", code, app.LocalBody.Code)
	}
	ibar := restoreBar(env, int64(events), "indexing the log")
	app.Search.Progress(func(applied, _ uint64) {
		if ibar != nil {
			ibar.Set64(int64(applied))
		}
	})
	if err := app.Search.CatchUp(ctx, app.Store); err != nil {
		app.Close()
		return fmt.Errorf("building the search index: %w", err)
	}
	if ibar != nil {
		ibar.Finish()
	}
	docs, _ := app.Search.Count()
	name := app.LocalBody.Name.En
	if err := app.Close(); err != nil {
		return err
	}
	rep, err := store.CheckFile(filepath.Join(tmp, store.DBFile))
	if err != nil {
		return fmt.Errorf("the rebuilt store fails its check (%w); nothing was restored", err)
	}
	if rep.Events != events || !bytes.Equal(rep.LastHash, last) {
		return fmt.Errorf("the rebuilt store holds %d events, not the %d copied; nothing was restored", rep.Events, events)
	}
	if err := moveInto(tmp, abs); err != nil {
		return err
	}
	done = true
	os.RemoveAll(tmp)

	fmt.Fprintf(env.stdout, "restored %s (%s) from the state: %d events (last hash %s), checked; %d records indexed; in %s\n",
		name, code, events, short(fmt.Sprintf("%x", last)), docs, time.Since(start).Round(100*time.Millisecond))
	fmt.Fprintf(env.stdout, "the seal's private key is never sent to the state: if you have your backed-up keys/%s, copy it into %s before the first start; otherwise ksmart serve makes a new seal key, and certificates issued before still verify\n",
		seal.PrivateFile, filepath.Join(dir, "keys"))
	fmt.Fprintf(env.stdout, "start it with: ksmart serve --data %s (with --state, --state-ca, --state-cert and --state-key to ship to the state again)\n", dir)
	return nil
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

func syncPath(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// restoreBar is a progress bar on a terminal only.
func restoreBar(env *env, total int64, what string) *progressbar.ProgressBar {
	f, ok := env.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(total, progressbar.OptionSetWriter(env.stderr), progressbar.OptionSetDescription(what),
		progressbar.OptionSetWidth(30), progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
}
