package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/store"
)

func runRestore(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "restore", "--data DIR --from FILE [--force]\n   or: ksmart restore --data DIR --from-state https://HOST:PORT[,...] --local-body CODE --state-ca FILE --state-cert FILE --state-key FILE [--reapply-forked]")
	data := fs.String("data", "", "data `DIR`ectory to restore into (the appliance must be stopped)")
	from := fs.String("from", "", "backup `FILE` written by 'ksmart backup'")
	force := fs.Bool("force", false, "replace an existing store (the old file is kept beside it)")
	fromState := fs.String("from-state", "", "rebuild the data directory from the state cluster's copy instead: its nodes, `https://HOST:PORT[,...]`")
	code := fs.String("local-body", "", "with --from-state: the `CODE` of the local body to rebuild (e.g. KL-EKM-M01)")
	stateCA := fs.String("state-ca", "", "with --from-state: the state CA's certificate `FILE` (ca.crt)")
	stateCert := fs.String("state-cert", "", "with --from-state: the local body's certificate `FILE` for the state, or a state IT admin's")
	stateKey := fs.String("state-key", "", "with --from-state: the key `FILE` of --state-cert")
	reapply := fs.Bool("reapply-forked", false, "with --from-state: cure a forked data directory (ksmart serve stopped): rebuild --data from the state, write again as new events the forked writes that do not conflict, and list the others for an officer; the forked directory is kept beside it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *fromState != "" || *code != "" || *stateCA != "" || *stateCert != "" || *stateKey != "" || *reapply {
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
		if *reapply {
			return cureFork(ctx, env, appliance.RestoreStateConfig{Dir: *data, LocalBody: *code, Addrs: addrs, CAFile: *stateCA, CertFile: *stateCert, KeyFile: *stateKey})
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

// restoreFromState rebuilds a local body's data directory from the state's
// copy (appliance.RestoreFromState), with a progress bar for each phase on
// a terminal, and says what it restored and what to do next.
func restoreFromState(ctx context.Context, env *env, dir, code string, addrs []string, caFile, certFile, keyFile string) error {
	var bar *progressbar.ProgressBar
	phase := ""
	finish := func() {
		if bar != nil {
			bar.Finish()
			bar = nil
		}
	}
	defer finish()
	r, err := appliance.RestoreFromState(ctx, appliance.RestoreStateConfig{Dir: dir, LocalBody: code, Addrs: addrs, CAFile: caFile, CertFile: certFile, KeyFile: keyFile,
		Progress: func(p string, done, total uint64) {
			if p != phase {
				finish()
				phase = p
				bar = restoreBar(env, int64(total), p)
			}
			if bar != nil {
				bar.Set64(int64(done))
				if done == total {
					finish()
				}
			}
		}})
	if err != nil {
		return err
	}
	finish()
	fmt.Fprintf(env.stdout, "restored %s (%s) from the state: %d events (last hash %s), checked; %d records indexed; in %s\n",
		r.Name, code, r.Events, short(fmt.Sprintf("%x", r.LastHash)), r.Indexed, r.Took.Round(100*time.Millisecond))
	fmt.Fprintf(env.stdout, "the seal's private key is never sent to the state: if you have your backed-up keys/%s, copy it into %s before the first start; otherwise ksmart serve makes a new seal key, and certificates issued before still verify\n",
		seal.PrivateFile, filepath.Join(dir, "keys"))
	fmt.Fprintf(env.stdout, "start it with: ksmart serve --data %s (with --state, --state-ca, --state-cert and --state-key to ship to the state again)\n", dir)
	return nil
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

// cureFork cures a forked data directory (appliance.CureFork) and says
// what it reapplied, what it left for an officer, and what to do next.
func cureFork(ctx context.Context, env *env, c appliance.RestoreStateConfig) error {
	if _, err := os.Stat(filepath.Join(c.Dir, store.DBFile)); err != nil {
		return usageError{fmt.Sprintf("--reapply-forked cures the forked data directory in --data, and %s holds no store; to rebuild a lost one leave out --reapply-forked", c.Dir)}
	}
	r, err := appliance.CureFork(ctx, appliance.CureForkConfig{RestoreStateConfig: c})
	if err != nil {
		return err
	}
	w := env.stdout
	fmt.Fprintf(w, "cured the fork of %s at event %d: the state's %d events restored; the forked directory had %d\n", r.LocalBody, r.ForkedAt, r.StateHead, r.ForkedHead)
	fmt.Fprintf(w, "%d forked writes reapplied as new events; %d conflicting writes listed for an officer; the log now ends at event %d\n", len(r.Reapplied), len(r.Conflicting), r.LastSeq)
	for _, fw := range r.Reapplied {
		fmt.Fprintf(w, "  reapplied: events %s (%s) as event %d\n", seqRange(fw.Seqs), strings.Join(uniq(fw.Types), ", "), fw.NewSeq)
	}
	for _, fw := range r.Conflicting {
		fmt.Fprintf(w, "  CONFLICT: events %s (%s) by %s on %s, not reapplied:\n", seqRange(fw.Seqs), strings.Join(uniq(fw.Types), ", "), fw.Actor, fw.Time.In(domain.IST).Format("02-01-2006 15:04 IST"))
		for i, why := range fw.Conflicts {
			if i == 5 {
				fmt.Fprintf(w, "    - and %d more (in the report)\n", len(fw.Conflicts)-i)
				break
			}
			fmt.Fprintf(w, "    - %s\n", why)
		}
	}
	fmt.Fprintf(w, "report with what each conflicting write would have stored: %s (also on the office's Replication → Fork page)\n", r.Report)
	fmt.Fprintf(w, "the forked data directory is kept, untouched, at %s\n", r.KeptAt)
	fmt.Fprintf(w, "start it with: ksmart serve --data %s (with the --state flags): it ships to the state again; then state IT runs ksmart state forks resolve %s --reason TEXT\n", c.Dir, r.LocalBody)
	return nil
}

// seqRange writes a write's event numbers: "12" or "12-15".
func seqRange(seqs []uint64) string {
	if len(seqs) == 1 {
		return fmt.Sprint(seqs[0])
	}
	return fmt.Sprintf("%d-%d", seqs[0], seqs[len(seqs)-1])
}

func uniq(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
