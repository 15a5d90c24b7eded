package main

import (
	"context"
	"encoding/json"
	"fmt"

	"ksmart/bench"
)

func runBench(ctx context.Context, env *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.stdout, "Usage: ksmart bench NAME [--json] [flags]\n\nBenchmarks:\n"+
			"  store        durable event writes from concurrent writers, against raw bbolt in the same run\n"+
			"  submit       applications submitted through the HTTP API, against the store's own write rate\n"+
			"  certificate  signed birth certificates with Malayalam names, against fpdf writing an empty page\n"+
			"  import       a legacy register of births from CSV, against raw bbolt writing the same entries\n"+
			"  outbox       acknowledgements of a burst of applications by e-mail and WhatsApp, against go-mail sending the same e-mails\n"+
			"  search       the kiosk's certificate search over 1M births through HTTP, against PostgreSQL full text + pg_trgm\n"+
			"  state        a 3-node state cluster against raw raft; a shipper's lag under steady load; a 1M-event backlog caught up")
		if len(args) == 0 {
			return usageError{"name a benchmark: " + benchNames}
		}
		return nil
	}
	switch args[0] {
	case "store":
		return benchStore(env, args[1:])
	case "submit":
		return benchSubmit(ctx, env, args[1:])
	case "certificate":
		return benchCertificate(env, args[1:])
	case "import":
		return benchImport(env, args[1:])
	case "outbox":
		return benchOutbox(ctx, env, args[1:])
	case "search":
		return benchSearch(ctx, env, args[1:])
	case "state":
		return benchState(ctx, env, "bench state", args[1:])
	}
	return usageError{fmt.Sprintf("unknown benchmark %q; known: %s", args[0], benchNames)}
}

// benchNames lists the benchmarks for the usage lines.
const benchNames = "store, submit, certificate, import, outbox, search or state"

func benchStore(env *env, args []string) error {
	fs := newFlags(env, "bench store", "[--json] [--writers N] [--events N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	writers := fs.Int("writers", 64, "concurrent writers")
	events := fs.Int("events", 20000, "events per concurrent measurement")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *writers < 1 || *events < *writers {
		return usageError{"--writers must be at least 1 and --events at least --writers"}
	}
	r, err := bench.RunStore(bench.StoreConfig{
		Dir: *dir, Writers: *writers, Events: *events,
		OnPhase: func(p string) { fmt.Fprintf(env.stderr, "measuring: %s\n", p) },
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(r)
	}
	r.WriteTable(env.stdout)
	return nil
}
