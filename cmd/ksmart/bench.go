package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"ksmart/store/storebench"
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
	r, err := storebench.Run(storebench.Config{
		Dir: *dir, Writers: *writers, Events: *events,
		OnPhase: func(p string) { fmt.Fprintf(env.stderr, "measuring: %s\n", p) },
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(struct {
			Name string `json:"name"`
			storebench.Result
		}{"store", r})
	}
	w := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(env.stdout, "store: durable writes of %d-byte events (one event + one document per write)\n\n", r.PayloadBytes)
	fmt.Fprintf(w, "\tevents/s\t\n")
	fmt.Fprintf(w, "ksmart store, %d writers\t%.0f\t\n", r.Writers, r.StoreConcurrent)
	fmt.Fprintf(w, "raw bbolt Batch, MaxBatchSize=%d\t%.0f\t\n", r.Writers, r.RawBatchTuned)
	fmt.Fprintf(w, "raw bbolt Batch, defaults\t%.0f\t\n", r.RawBatchDefault)
	fmt.Fprintf(w, "ksmart store, 1 writer\t%.0f\t\n", r.StoreSingle)
	fmt.Fprintf(w, "raw bbolt Update, 1 writer\t%.0f\t\n", r.RawUpdateSingle)
	fmt.Fprintf(w, "disk write+fdatasync\t%.0f\t\n", r.DiskFsync)
	w.Flush()
	fmt.Fprintf(env.stdout, "\nratio to raw bbolt Batch (target >= 0.5): %.2f\n", r.Ratio)
	fmt.Fprintf(env.stdout, "one writer vs disk fdatasync (target >= 0.3): %.2f\n", r.SingleRatio)
	fmt.Fprintf(env.stdout, "p99 write latency with %d writers: %.1f ms; %.1f writes per commit\n", r.Writers, r.StoreP99LatencyMs, r.StoreMeanBatchSize)
	return nil
}
