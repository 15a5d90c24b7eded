package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hashicorp/raft"

	"ksmart/replication"
	"ksmart/stateview"
)

// stateActions are the `ksmart state` actions with their summaries.
var stateActions = []struct {
	name, summary string
	run           func(ctx context.Context, env *env, args []string) error
}{
	{"init-ca", "make the state cluster's certificate authority (once, kept offline)", runStateInitCA},
	{"issue-cert", "issue a certificate for a state node, a local body, a state IT admin or an auditor", runStateIssueCert},
	{"run", "run one node of the state cluster", runStateRun},
	{"join", "add a node to the cluster, as a voter or a non-voter (admin certificate)", runStateJoin},
	{"leave", "remove a node from the cluster (admin certificate)", runStateLeave},
	{"recover", "make a stopped node the cluster again after the others were lost for good (quorum lost)", runStateRecover},
	{"revoke", "revoke a certificate on every node at once (admin certificate)", runStateRevoke},
	{"status", "show the cluster's nodes, bodies, forks, revoked and expiring certificates (admin certificate)", runStateStatus},
	{"forks", "list the local bodies whose logs fork from the state's; 'forks resolve BODY' records a cured one as resolved (admin certificate)", runStateForks},
	{"bench", "measure a 3-node loopback cluster against raw raft with the same entries", runStateBench},
}

func runState(ctx context.Context, env *env, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		stateUsage(env.stdout)
		return flag.ErrHelp
	}
	names := make([]string, len(stateActions))
	for i, a := range stateActions {
		names[i] = a.name
	}
	if len(args) == 0 {
		return usageError{"give an action: " + strings.Join(names, ", ") + " (run 'ksmart state -h')"}
	}
	for _, a := range stateActions {
		if a.name == args[0] {
			return a.run(ctx, env, args[1:])
		}
	}
	return usageError{fmt.Sprintf("unknown action %q; the actions are %s (run 'ksmart state -h')", args[0], strings.Join(names, ", "))}
}

func stateUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: ksmart state ACTION [flags]   (ksmart state ACTION -h for its flags)")
	fmt.Fprintln(w, "\nRuns the state cluster that keeps a faithful copy of every local body's log:")
	fmt.Fprintln(w, "3 or 5 nodes on raft, mutual TLS everywhere, one certificate authority.")
	fmt.Fprintln(w, "\nActions:")
	for _, a := range stateActions {
		fmt.Fprintf(w, "  %-11s %s\n", a.name, a.summary)
	}
	fmt.Fprintln(w, "\nA new cluster, step by step:")
	fmt.Fprintln(w, "  ksmart state init-ca --dir ca")
	fmt.Fprintln(w, "  ksmart state issue-cert --ca ca --kind node --name state1 --host state1.example --out tls")
	fmt.Fprintln(w, "  ksmart state issue-cert --ca ca --kind admin --name it-admin --out admin")
	fmt.Fprintln(w, "  ksmart state run --data /srv/state1 --id state1 --raft-addr state1.example:7000 --http-addr state1.example:7443 \\")
	fmt.Fprintln(w, "      --ca tls/ca.crt --cert tls/state1.crt --key tls/state1.key --bootstrap")
	fmt.Fprintln(w, "  (start state2 and state3 the same way, without --bootstrap, then:)")
	fmt.Fprintln(w, "  ksmart state join --node state1.example:7443 --id state2 --raft-addr state2.example:7000 --http-addr state2.example:7443 \\")
	fmt.Fprintln(w, "      --ca admin/ca.crt --cert admin/it-admin.crt --key admin/it-admin.key")
	fmt.Fprintln(w, "  ksmart state issue-cert --ca ca --kind body --name KL-EKM-M01 --out KL-EKM-M01   (one per local body)")
	fmt.Fprintln(w, "  ksmart state issue-cert --ca ca --kind auditor --name cag-1 --out cag-1   (read-only: the state view, search, verification)")
	fmt.Fprintln(w, "\nEach local body then ships its log (and can be rebuilt from the state's copy):")
	fmt.Fprintln(w, "  ksmart serve --data DIR --state https://state1.example:7443,https://state2.example:7443 \\")
	fmt.Fprintln(w, "      --state-ca KL-EKM-M01/ca.crt --state-cert KL-EKM-M01/KL-EKM-M01.crt --state-key KL-EKM-M01/KL-EKM-M01.key")
	fmt.Fprintln(w, "  ksmart restore --from-state https://state1.example:7443 --local-body KL-EKM-M01 --data NEWDIR --state-ca … --state-cert … --state-key …")
	fmt.Fprintln(w, "\nA stolen key, or an officer who leaves: revoke the certificate (every node refuses it at once):")
	fmt.Fprintln(w, "  ksmart state revoke --node state1.example:7443 --serial SERIAL --reason \"laptop stolen\" --ca admin/ca.crt --cert admin/it-admin.crt --key admin/it-admin.key")
	fmt.Fprintln(w, "A certificate about to expire: issue a new one into the same files' place and send SIGHUP to ksmart serve or ksmart state run.")
	fmt.Fprintln(w, "\nA local body restored from an old backup forks its log: list forks, have the body cured, then record it:")
	fmt.Fprintln(w, "  ksmart state forks --node state1.example:7443 --ca admin/ca.crt --cert admin/it-admin.crt --key admin/it-admin.key [--json]")
	fmt.Fprintln(w, "  (on the body's server, ksmart serve stopped: ksmart restore --from-state … --data DIR --reapply-forked; then start it)")
	fmt.Fprintln(w, "  ksmart state forks resolve KL-EKM-M01 --reason \"cured on 06-12-2026\" --node state1.example:7443 --ca … --cert … --key …")
}

func runStateInitCA(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "state init-ca", "--dir DIR")
	dir := fs.String("dir", "", "`DIR`ectory to create the CA in (ca.crt, and ca.key which must be kept offline)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"give --dir DIR for the new CA (run 'ksmart state init-ca -h')"}
	}
	if err := replication.InitCA(*dir); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "made a state CA in %s: give %s to every node and local body; keep %s offline\n",
		*dir, filepath.Join(*dir, replication.CACertFile), filepath.Join(*dir, replication.CAKeyFile))
	return nil
}

func runStateIssueCert(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "state issue-cert", "--ca DIR --kind node|body|admin|auditor --name NAME --out DIR [--days N] [--host HOST ...]")
	ca := fs.String("ca", "", "the CA's `DIR`ectory (made by init-ca)")
	kind := fs.String("kind", "", "`KIND` of certificate: node (a state node), body (a local body), admin (state IT: membership, revocation) or auditor (read-only: the state view, search, verification)")
	name := fs.String("name", "", "the node's ID, the local body's code (e.g. KL-EKM-M01) or the admin's or auditor's login")
	out := fs.String("out", "", "`DIR`ectory to write NAME.crt, NAME.key and ca.crt to")
	days := fs.Int("days", 0, fmt.Sprintf("lifetime in `DAYS` (default %d for node and body, %d for admin and auditor; at most %d)",
		int(replication.DefaultLifetime(replication.KindNode).Hours()/24), int(replication.DefaultLifetime(replication.KindAdmin).Hours()/24), replication.MaxLifetimeDays))
	var hosts stringList
	fs.Var(&hosts, "host", "a node's `HOST` name or IP, for tools like curl; repeat for more (default localhost, 127.0.0.1)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ flag, value string }{{"--ca DIR", *ca}, {"--kind KIND", *kind}, {"--name NAME", *name}, {"--out DIR", *out}} {
		if f.value == "" {
			missing = append(missing, f.flag)
		}
	}
	if len(missing) > 0 {
		return usageError{"give " + strings.Join(missing, ", ") + " (run 'ksmart state issue-cert -h')"}
	}
	k := replication.Kind(*kind)
	if !slices.Contains(replication.Kinds, k) {
		return usageError{fmt.Sprintf("--kind must be node, body, admin or auditor, not %q", *kind)}
	}
	if len(hosts) > 0 && k != replication.KindNode {
		return usageError{"--host is for node certificates only"}
	}
	if *days < 0 || *days > replication.MaxLifetimeDays {
		return usageError{fmt.Sprintf("--days must be 1 to %d, not %d", replication.MaxLifetimeDays, *days)}
	}
	cert, key, err := replication.Issue(*ca, k, *name, *out, replication.IssueOptions{Days: *days, Hosts: hosts})
	if err != nil {
		return err
	}
	id, err := replication.LoadIdentity(filepath.Join(*out, replication.CACertFile), cert, key)
	if err != nil {
		return err
	}
	article := "a"
	if k == replication.KindAdmin || k == replication.KindAuditor {
		article = "an"
	}
	fmt.Fprintf(env.stdout, "issued %s %s certificate for %s, serial %s, valid until %s: %s, key %s (keep it private), CA %s\n", article, k, *name,
		id.Serial(), id.Certificate().NotAfter.UTC().Format(time.DateOnly), cert, key, filepath.Join(*out, replication.CACertFile))
	return nil
}

// tlsFlags are the certificate flags every networked action takes.
type tlsFlags struct{ ca, cert, key *string }

func addTLSFlags(fs *flags, whose string) tlsFlags {
	return tlsFlags{
		ca:   fs.String("ca", "", "the state CA's certificate `FILE` (ca.crt)"),
		cert: fs.String("cert", "", whose+" certificate `FILE`"),
		key:  fs.String("key", "", whose+" key `FILE`"),
	}
}

func (t tlsFlags) missing() []string {
	var m []string
	for _, f := range []struct{ flag, value string }{{"--ca FILE", *t.ca}, {"--cert FILE", *t.cert}, {"--key FILE", *t.key}} {
		if f.value == "" {
			m = append(m, f.flag)
		}
	}
	return m
}

func runStateRun(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "state run", "--data DIR --id ID --raft-addr HOST:PORT --http-addr HOST:PORT --ca FILE --cert FILE --key FILE [--bootstrap]")
	data := fs.String("data", "", "the node's data `DIR`ectory (state.db, raft/)")
	id := fs.String("id", "", "the node's `ID` in the cluster, the name on its certificate (e.g. state1)")
	raftAddr := fs.String("raft-addr", "", "`HOST:PORT` for raft traffic between nodes (TLS)")
	httpAddr := fs.String("http-addr", "", "`HOST:PORT` for the HTTPS API that local bodies and admins use")
	raftAdv := fs.String("raft-advertise", "", "`HOST:PORT` other nodes dial for raft, when --raft-addr listens on 0.0.0.0")
	httpAdv := fs.String("http-advertise", "", "`HOST:PORT` others dial for the API, when --http-addr listens on 0.0.0.0")
	bootstrap := fs.Bool("bootstrap", false, "make this node a new cluster of one (the first node only; harmless on a restart)")
	view := fs.Bool("view", true, "keep the state view: the figures' counters under DIR/figures (/state pages) and the state index under DIR/stateindex (search, verification); --view=false for a node that only replicates")
	index := fs.Bool("index", true, "keep the state index under DIR/stateindex for the state-wide search and certificate verification (/state/search, /state/verify); --index=false keeps the figures without it")
	fs.Bool("mirrors", false, "removed: the per-body mirrors were replaced by the state index and counters (use --view=false for a node that only replicates)")
	logFormat := fs.String("log-format", "text", "log `FORMAT` on stderr: text or json")
	tf := addTLSFlags(fs, "this node's")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := refuseMirrorsFlag(fs); err != nil {
		return err
	}
	missing := []string{}
	for _, f := range []struct{ flag, value string }{{"--data DIR", *data}, {"--id ID", *id}, {"--raft-addr HOST:PORT", *raftAddr}, {"--http-addr HOST:PORT", *httpAddr}} {
		if f.value == "" {
			missing = append(missing, f.flag)
		}
	}
	if missing = append(missing, tf.missing()...); len(missing) > 0 {
		return usageError{"give " + strings.Join(missing, ", ") + " (run 'ksmart state run -h')"}
	}
	logger, err := newLogger(env, *logFormat)
	if err != nil {
		return err
	}
	ident, err := replication.LoadIdentity(*tf.ca, *tf.cert, *tf.key)
	if err != nil {
		return err
	}
	if ident.Kind != replication.KindNode || ident.Name != *id {
		return fmt.Errorf("the certificate is a %s certificate for %q; a node needs a node certificate issued for its --id %q (ksmart state issue-cert --kind node --name %s)", ident.Kind, ident.Name, *id, *id)
	}
	viewCfg := stateview.Config{Logger: logger}
	if *view {
		viewCfg.Figures = &stateview.FiguresConfig{}
		if *index {
			viewCfg.Index = &stateview.IndexConfig{}
		}
	}
	sv := stateview.New(viewCfg)
	node := replication.NewNode(replication.Config{ID: *id, Dir: *data, RaftAddr: *raftAddr, HTTPAddr: *httpAddr,
		RaftAdvertise: *raftAdv, HTTPAdvertise: *httpAdv, Identity: ident, Logger: logger, Extension: sv})
	if err := node.Open(); err != nil {
		return err
	}
	defer node.Close()
	if *bootstrap {
		if err := node.Bootstrap(); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stdout, "ksmart state node %s\n", *id)
	fmt.Fprintf(env.stdout, "  raft        %s\n", node.RaftAddr())
	fmt.Fprintf(env.stdout, "  api         https://%s/\n", node.HTTPAddr())
	if *view {
		fmt.Fprintf(env.stdout, "  view        https://%s/state (state IT's admin certificate)\n", node.HTTPAddr())
	}
	fmt.Fprintf(env.stdout, "  data        %s\n", *data)
	if !*bootstrap {
		fmt.Fprintf(env.stdout, "  waiting to be joined (ksmart state join --id %s --raft-addr %s --http-addr %s) or for the cluster it belongs to\n", *id, node.RaftAddr(), node.HTTPAddr())
	}
	fmt.Fprintf(env.stdout, "  certificate serial %s, expires %s (renew: issue a new one over --cert/--key, then kill -HUP)\n", ident.Serial(), ident.Certificate().NotAfter.UTC().Format(time.DateOnly))
	fmt.Fprintf(env.stdout, "  stop        Ctrl+C\n")
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-hup:
			// A renewed certificate, or a CA bundle during a rollover: the
			// next handshakes use it; a bad file keeps the old one.
			if err := node.ReloadCertificate(); err != nil {
				logger.Error("SIGHUP: the certificate files did not load; still using the old ones", "error", err)
			}
		case <-ctx.Done():
			logger.Info("stopping the state node", "id", *id)
			return node.Close()
		}
	}
}

// adminStatus reads the cluster's status from a node with an admin's
// certificate, as state status and state forks show it.
func adminStatus(ctx context.Context, fs *flags, args []string) (replication.Status, error) {
	cl, err := adminClient(fs, args, nil)
	if err != nil {
		return replication.Status{}, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()
	return cl.Status(ctx)
}

// adminClient parses --node and the admin certificate flags.
func adminClient(fs *flags, args []string, extra func() []string) (*replication.Client, error) {
	node := fs.String("node", "", "API `HOST:PORT` of any node of the cluster; repeat with commas to try several")
	tf := addTLSFlags(fs, "your admin")
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	var missing []string
	if *node == "" {
		missing = append(missing, "--node HOST:PORT")
	}
	if extra != nil {
		missing = append(missing, extra()...)
	}
	if missing = append(missing, tf.missing()...); len(missing) > 0 {
		return nil, usageError{"give " + strings.Join(missing, ", ") + fmt.Sprintf(" (run 'ksmart %s -h')", fs.Name())}
	}
	read := func(p string) ([]byte, error) {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %v", p, err)
		}
		return b, nil
	}
	caPEM, err := read(*tf.ca)
	if err != nil {
		return nil, err
	}
	certPEM, err := read(*tf.cert)
	if err != nil {
		return nil, err
	}
	keyPEM, err := read(*tf.key)
	if err != nil {
		return nil, err
	}
	return replication.NewClient(replication.ClientConfig{Addrs: splitList(*node), CAPEM: caPEM, CertPEM: certPEM, KeyPEM: keyPEM, RequestTimeout: 15 * time.Second})
}

// stateTimeout bounds an admin action: the client retries while nodes are
// down or electing, up to this long.
const stateTimeout = 30 * time.Second

func runStateJoin(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "state join", "--node HOST:PORT --id ID --raft-addr HOST:PORT --http-addr HOST:PORT [--nonvoter] --ca FILE --cert FILE --key FILE")
	id := fs.String("id", "", "the joining node's `ID`")
	raftAddr := fs.String("raft-addr", "", "the joining node's raft `HOST:PORT` (its --raft-advertise if set)")
	httpAddr := fs.String("http-addr", "", "the joining node's API `HOST:PORT`")
	nonvoter := fs.Bool("nonvoter", false, "join as a non-voter: it receives every body's log but does not vote")
	cl, err := adminClient(fs, args, func() []string {
		var m []string
		if *id == "" {
			m = append(m, "--id ID")
		}
		if *raftAddr == "" {
			m = append(m, "--raft-addr HOST:PORT")
		}
		return m
	})
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()
	st, err := cl.Join(ctx, replication.JoinRequest{ID: *id, RaftAddr: *raftAddr, HTTPAddr: *httpAddr, NonVoter: *nonvoter})
	if err != nil {
		return err
	}
	role := "voter"
	if *nonvoter {
		role = "non-voter"
	}
	fmt.Fprintf(env.stdout, "%s joined the cluster as a %s; it now has %d nodes\n", *id, role, len(st.Servers))
	return printServers(env.stdout, st)
}

func runStateRecover(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "state recover", "--data DIR --id ID --raft-addr HOST:PORT [--peers FILE]")
	data := fs.String("data", "", "the stopped node's data `DIR`ectory")
	id := fs.String("id", "", "the node's `ID`")
	raftAddr := fs.String("raft-addr", "", "the raft `HOST:PORT` other nodes dial for it (its --raft-advertise if it runs with one)")
	peers := fs.String("peers", "", "a peers.json `FILE` listing the surviving nodes ([{\"id\": \"state1\", \"address\": \"state1.example:7000\"}, …]); without it this node alone becomes the cluster")
	if err := parse(fs, args); err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ flag, value string }{{"--data DIR", *data}, {"--id ID", *id}} {
		if f.value == "" {
			missing = append(missing, f.flag)
		}
	}
	if *raftAddr == "" && *peers == "" {
		missing = append(missing, "--raft-addr HOST:PORT (or --peers FILE)")
	}
	if len(missing) > 0 {
		return usageError{"give " + strings.Join(missing, ", ") + " (run 'ksmart state recover -h')"}
	}
	var servers []raft.Server
	if *peers != "" {
		var err error
		if servers, err = replication.ReadPeers(*peers); err != nil {
			return err
		}
	}
	res, err := replication.RecoverCluster(replication.Config{ID: *id, Dir: *data, RaftAddr: *raftAddr}, servers)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "recovered %s: it keeps every raft entry it held (up to %d), %d local bodies; the cluster is now:\n", *id, res.LastIndex, res.Bodies)
	for _, s := range res.Servers {
		fmt.Fprintf(env.stdout, "  %s\t%s\t%s\n", s.ID, s.Address, strings.ToLower(s.Suffrage.String()))
	}
	fmt.Fprintln(env.stdout, "Start it again with ksmart state run (no --bootstrap); once it leads, join new nodes with empty data directories (ksmart state join).")
	return nil
}

func runStateLeave(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "state leave", "--node HOST:PORT --id ID --ca FILE --cert FILE --key FILE")
	id := fs.String("id", "", "the `ID` of the node to remove")
	cl, err := adminClient(fs, args, func() []string {
		if *id == "" {
			return []string{"--id ID"}
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()
	st, err := cl.Leave(ctx, *id)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s left the cluster; it now has %d nodes (stop its ksmart state run; its data directory can be removed)\n", *id, len(st.Servers))
	return printServers(env.stdout, st)
}

func runStateRevoke(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "state revoke", "--node HOST:PORT --serial SERIAL --reason TEXT [--cert-file FILE] --ca FILE --cert FILE --key FILE")
	serial := fs.String("serial", "", "the `SERIAL` of the certificate to revoke, in hex (ksmart state status and issue-cert print it)")
	reason := fs.String("reason", "", "why, in a few words (`TEXT`): kept with the revocation for the audit")
	certFile := fs.String("cert-file", "", "the revoked certificate itself (`FILE`: its .crt, or the CA's issued/SERIAL.crt), for one never used against the cluster")
	cl, err := adminClient(fs, args, func() []string {
		var m []string
		if *serial == "" {
			m = append(m, "--serial SERIAL")
		}
		if strings.TrimSpace(*reason) == "" {
			m = append(m, "--reason TEXT")
		}
		return m
	})
	if err != nil {
		return err
	}
	defer cl.Close()
	s, err := replication.ParseSerial(*serial)
	if err != nil {
		return usageError{"--serial: " + err.Error()}
	}
	req := replication.RevokeRequest{Serial: s, Reason: *reason}
	if *certFile != "" {
		b, err := os.ReadFile(*certFile)
		if err != nil {
			return fmt.Errorf("read --cert-file: %v", err)
		}
		req.CertPEM = string(b)
	}
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()
	res, err := cl.Revoke(ctx, req)
	if err != nil {
		return err
	}
	if res.Already {
		fmt.Fprintf(env.stdout, "already revoked, nothing changed: %s\n", res.Revocation)
		return nil
	}
	fmt.Fprintf(env.stdout, "revoked on every node: %s\n", res.Revocation)
	return nil
}

func runStateStatus(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "state status", "--node HOST:PORT --ca FILE --cert FILE --key FILE [--json]")
	asJSON := fs.Bool("json", false, "print the status as one JSON object")
	st, err := adminStatus(ctx, fs, args)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(st)
	}
	leader := st.LeaderID
	if leader == "" {
		leader = "none (an election is under way, or too few nodes are up)"
	}
	fmt.Fprintf(env.stdout, "node %s (%s): leader %s; term %d, commit index %d, applied %d, last snapshot %d\n",
		st.ID, strings.ToLower(st.State), leader, st.Term, st.CommitIndex, st.AppliedIndex, st.LastSnapshotIndex)
	if err := printServers(env.stdout, st.Stats); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "\n%d local bodies, %d events held; %d forks to resolve\n", st.Bodies, st.Events, len(st.ForkList))
	if len(st.BodyList) > 0 {
		tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "BODY\tEVENTS\tLAST HASH\tLAST EVENT\tUPDATED\tFORKS")
		for _, b := range st.BodyList {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\n", b.Code, b.LastSeq, short(b.LastHash.String()),
				b.LastTime.Format(time.RFC3339), b.Updated.Format(time.RFC3339), b.Forks)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, f := range st.ForkList {
		fmt.Fprintf(env.stdout, "fork: %s at event %d (ours %s, theirs %s), %d attempts, last %s: %s\n",
			f.Body, f.AtSeq, short(f.Ours.String()), short(f.Theirs.String()), f.Attempts, f.LastSeen.Format(time.RFC3339), f.Reason)
	}
	fmt.Fprintf(env.stdout, "\n%d certificates revoked\n", len(st.Revoked))
	if len(st.Revoked) > 0 {
		tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SERIAL\tKIND\tNAME\tREVOKED\tBY\tREASON")
		for _, r := range st.Revoked {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Serial, r.Kind, r.Name, r.At.Format(time.RFC3339), r.By, r.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	warn := 0
	for _, c := range st.Certificates {
		if c.Warning {
			warn++
		}
	}
	fmt.Fprintf(env.stdout, "\n%d certificates known to the cluster; %d expire within 30 days\n", len(st.Certificates), warn)
	if len(st.Certificates) > 0 {
		tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SERIAL\tKIND\tNAME\tISSUER\tEXPIRES\tDAYS LEFT\t")
		for _, c := range st.Certificates {
			note := ""
			if c.Warning {
				note = "RENEW: issue a new certificate and switch to it (SIGHUP), then revoke this one"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", c.Serial, c.Kind, c.Name, c.Issuer, c.NotAfter.Format(time.DateOnly), c.DaysLeft, note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func printServers(w io.Writer, st replication.Stats) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tRAFT\tAPI\tROLE")
	for _, s := range st.Servers {
		role := "voter"
		if !s.Voter {
			role = "non-voter"
		}
		if s.Leader {
			role += ", leader"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, s.RaftAddr, orDash(s.HTTPAddr), role)
	}
	return tw.Flush()
}

func runStateBench(ctx context.Context, env *env, args []string) error {
	return benchState(ctx, env, "state bench", args)
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	*s = append(*s, v)
	return nil
}

// refuseMirrorsFlag refuses --mirrors, which earlier versions took: the
// per-body mirrors it switched are gone, and a script that still passes it
// should say what it means now rather than be half obeyed.
func refuseMirrorsFlag(fs *flags) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "mirrors" {
			err = usageError{"--mirrors was removed: nodes no longer keep a copy of every local body (figures come from counters under DATA/figures, search and verification from the state index under DATA/stateindex); give --view=false for a node that only replicates, or nothing for the state view"}
		}
	})
	return err
}

// forkRow is one fork as ksmart state forks lists it.
type forkRow struct {
	Body      string `json:"body"`
	ForkedAt  uint64 `json:"forked_at"`  // the first event where the logs differ
	StateHead uint64 `json:"state_head"` // the state's last event of the body now
	// BodyHead is the last event of the body's the state has seen (in the
	// batches it refused): the body's head, as far as it has sent.
	BodyHead  uint64                      `json:"body_head"`
	Since     time.Time                   `json:"since"`
	LastSeen  time.Time                   `json:"last_seen"`
	Attempts  int                         `json:"attempts"`
	Reason    string                      `json:"reason"`
	Resolved  *replication.ForkResolution `json:"resolved,omitempty"`
	RaftIndex uint64                      `json:"raft_index"`
}

func forkRows(forks []replication.Fork, heads map[string]uint64) []forkRow {
	out := make([]forkRow, 0, len(forks))
	for _, f := range forks {
		out = append(out, forkRow{Body: f.Body, ForkedAt: f.AtSeq, StateHead: heads[f.Body], BodyHead: max(f.BatchLast, f.AtSeq), Since: f.FirstSeen, LastSeen: f.LastSeen,
			Attempts: f.Attempts, Reason: f.Reason, Resolved: f.Resolved, RaftIndex: f.RaftIndex})
	}
	return out
}

// cliTime writes a time the way the state's pages do: dd-mm-yyyy, in UTC.
func cliTime(t time.Time) string { return t.UTC().Format("02-01-2006 15:04 UTC") }

func runStateForks(ctx context.Context, env *env, args []string) error {
	if len(args) > 0 && args[0] == "resolve" {
		return runStateForksResolve(ctx, env, args[1:])
	}
	fs := newFlags(env, "state forks", "--node HOST:PORT --ca FILE --cert FILE --key FILE [--json]\n   or: ksmart state forks resolve BODY --reason TEXT --node HOST:PORT --ca FILE --cert FILE --key FILE")
	asJSON := fs.Bool("json", false, "print the forks as one JSON object: {\"open\": [...], \"resolved\": [...]}")
	st, err := adminStatus(ctx, fs, args)
	if err != nil {
		return err
	}
	heads := map[string]uint64{}
	for _, b := range st.BodyList {
		heads[b.Code] = b.LastSeq
	}
	open, resolved := forkRows(st.ForkList, heads), forkRows(st.ResolvedForks, heads)
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(map[string][]forkRow{"open": open, "resolved": resolved})
	}
	w := env.stdout
	if len(open) == 0 {
		fmt.Fprintln(w, "no local body's log forks from the state's")
	} else {
		fmt.Fprintf(w, "%d forks to resolve:\n", len(open))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "BODY\tFORKED AT EVENT\tSTATE HEAD\tBODY SENT UP TO\tSINCE\tLAST SEEN\tATTEMPTS")
		for _, f := range open {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%d\n", f.Body, f.ForkedAt, f.StateHead, f.BodyHead, cliTime(f.Since), cliTime(f.LastSeen), f.Attempts)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, "To cure a body: on its server, with ksmart serve stopped, run ksmart restore --from-state … --local-body CODE --data DIR --reapply-forked, then start it;")
		fmt.Fprintln(w, "once it ships again: ksmart state forks resolve CODE --reason TEXT")
	}
	if len(resolved) > 0 {
		fmt.Fprintf(w, "\n%d forks resolved:\n", len(resolved))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "BODY\tFORKED AT EVENT\tSINCE\tRESOLVED\tBY\tREASON")
		for _, f := range resolved {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", f.Body, f.ForkedAt, cliTime(f.Since), cliTime(f.Resolved.At), f.Resolved.By, f.Resolved.Reason)
		}
		return tw.Flush()
	}
	return nil
}

func runStateForksResolve(ctx context.Context, env *env, args []string) error {
	body := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		body, args = args[0], args[1:]
	}
	fs := newFlags(env, "state forks resolve", "BODY --reason TEXT --node HOST:PORT --ca FILE --cert FILE --key FILE")
	reason := fs.String("reason", "", "how the body was cured, in a few words (`TEXT`): kept with the fork for the audit")
	cl, err := adminClient(fs, args, func() []string {
		var m []string
		if body == "" {
			m = append(m, "the body's CODE (ksmart state forks resolve CODE …)")
		}
		if strings.TrimSpace(*reason) == "" {
			m = append(m, "--reason TEXT")
		}
		return m
	})
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, stateTimeout)
	defer cancel()
	res, err := cl.ResolveFork(ctx, replication.ResolveForkRequest{Body: body, Reason: *reason})
	if err != nil {
		return err
	}
	for _, f := range res.Resolved {
		fmt.Fprintf(env.stdout, "resolved on every node: %s's fork at event %d (since %s), by %s on %s: %s\n", f.Body, f.AtSeq, cliTime(f.FirstSeen), f.Resolved.By, cliTime(f.Resolved.At), f.Resolved.Reason)
	}
	return nil
}
