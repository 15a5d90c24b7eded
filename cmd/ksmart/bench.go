package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"ksmart/appliance/documents"
	"ksmart/bench"
	"ksmart/replication"
)

func runBench(ctx context.Context, env *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.stdout, "Usage: ksmart bench NAME [--json] [flags]\n\nBenchmarks:\n"+
			"  store        durable event writes from concurrent writers, against raw bbolt in the same run\n"+
			"  submit       applications submitted through the HTTP API, against the store's own write rate and PostgreSQL\n"+
			"  certificate  signed birth certificates with Malayalam names, against fpdf writing an empty page\n"+
			"  receipt      applications' acknowledgement receipts with Malayalam names, against fpdf writing an empty page\n"+
			"  memory       the appliance's resident memory serving 1M register entries and 100k files, and importing 1M rows\n"+
			"  import       a legacy register of births from CSV, against raw bbolt writing the same entries\n"+
			"  outbox       acknowledgements of a burst of applications by e-mail and WhatsApp, against go-mail sending the same e-mails\n"+
			"  search       the kiosk's certificate search over 1M births through HTTP, against PostgreSQL full text + pg_trgm\n"+
			"  state        a 3-node state cluster against raw raft; a shipper's lag under steady load; a 1M-event backlog caught up\n"+
			"  state-scale     the state at a tenth of Kerala: 120 bodies, 4.5M records shipped into 3 node processes; search, disk, a follower cut off, a frozen leader\n"+
			"  state-snapshot  what a state node that was down for a minute receives to install a snapshot, against the whole state.db\n"+
			"  payments     collections by concurrent cashiers and gateway callbacks, against the store's own write rate; the trial balance over 1M postings, against a raw bbolt scan\n"+
			"  demand       a half-year's property tax demands over 400,000 buildings, against raw bbolt writing the same demand records\n"+
			"  licences     the licences' day's job (deemed licences, expiry) over 100,000 licences, against a raw bbolt scan of the same records\n"+
			"  scrutiny     building plan scrutinies of a house's DXF drawing, with the share spent reading the drawing")
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
	case "submit-load":
		// Not listed: the load side of bench submit, a process of its own.
		return bench.RunSubmitLoad(ctx, os.Stdin, env.stdout)
	case "certificate":
		return benchPDF(env, "certificate", bench.RunCertificate, args[1:])
	case "receipt":
		return benchPDF(env, "receipt", bench.RunReceipt, args[1:])
	case "import":
		return benchImport(env, args[1:])
	case "memory":
		return benchMemory(ctx, env, args[1:])
	case "outbox":
		return benchOutbox(ctx, env, args[1:])
	case "search":
		return benchSearch(ctx, env, args[1:])
	case "state":
		return benchState(ctx, env, "bench state", args[1:])
	case "state-scale":
		return benchStateScale(ctx, env, args[1:])
	case "state-snapshot":
		return benchStateSnapshot(ctx, env, args[1:])
	case "payments":
		return benchPayments(env, args[1:])
	case "demand":
		return benchDemand(env, args[1:])
	case "licences":
		return benchLicences(env, args[1:])
	case "scrutiny":
		return benchScrutiny(env, args[1:])
	}
	return usageError{fmt.Sprintf("unknown benchmark %q; known: %s", args[0], benchNames)}
}

// benchNames lists the benchmarks for the usage lines.
const benchNames = "store, submit, certificate, receipt, import, memory, outbox, search, state, state-scale, state-snapshot, payments, demand, licences or scrutiny"

// benchPhase prints a benchmark's progress on stderr.
func benchPhase(env *env) func(string) {
	return func(p string) { fmt.Fprintf(env.stderr, "measuring: %s\n", p) }
}

// benchOutput prints a benchmark's result: one JSON object, or its table.
func benchOutput(env *env, asJSON bool, r interface{ WriteTable(io.Writer) }) error {
	if asJSON {
		return json.NewEncoder(env.stdout).Encode(r)
	}
	r.WriteTable(env.stdout)
	return nil
}

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
	r, err := bench.RunStore(bench.StoreConfig{Dir: *dir, Writers: *writers, Events: *events, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

func benchSubmit(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "bench submit", "[--json] [--clients N] [--requests N] [--postgres=false] [--dir DIR] [--cpuprofile FILE]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	clients := fs.Int("clients", 64, "concurrent clients, each signed in as a citizen of its own (and as many PostgreSQL connections)")
	requests := fs.Int("requests", 5000, "applications to submit in each measurement")
	withPG := fs.Bool("postgres", true, "also write the same applications to PostgreSQL (Debian's package) with durable commits")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the appliance's process while the clients submit through HTTP to `FILE` (go tool pprof reads it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *clients < 1 || *clients > 500 || *requests < *clients {
		return usageError{"--clients must be from 1 to 500 and --requests at least --clients"}
	}
	var cpuProfile io.Writer
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return usageError{fmt.Sprintf("--cpuprofile: %v", err)}
		}
		defer f.Close()
		cpuProfile = f
	}
	// The clients run in a process of their own: this binary again, as the
	// hidden bench submit-load.
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this program to run the load process: %w", err)
	}
	load := func(ctx context.Context) *exec.Cmd { return exec.CommandContext(ctx, exe, "bench", "submit-load") }
	r, err := bench.RunSubmit(ctx, bench.SubmitConfig{Dir: *dir, Clients: *clients, Requests: *requests, Version: version,
		LoadCommand: load, Postgres: *withPG, RequirePostgres: os.Getenv("KSMART_REQUIRE_ALL") == "1", OnPhase: benchPhase(env), CPUProfile: cpuProfile})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

// benchPDF runs a document benchmark (certificate or receipt) with the
// system's Malayalam font, or English only with a warning when none is
// installed.
func benchPDF(env *env, name string, run func(bench.CertificateConfig) (bench.PDFResult, error), args []string) error {
	fs := newFlags(env, "bench "+name, "[--json] [--n N]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	n := fs.Int("n", 2000, name+"s per measurement (and fpdf empty pages)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		return usageError{"--n must be at least 1"}
	}
	fonts, fontErr := documents.SystemFonts()
	if fontErr != nil {
		fonts = documents.EnglishOnly()
		fmt.Fprintf(env.stderr, "warning: %s\n", bench.EnglishOnlyNote)
	}
	r, err := run(bench.CertificateConfig{Fonts: fonts, N: *n, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

func benchImport(env *env, args []string) error {
	fs := newFlags(env, "bench import", "[--json] [--rows N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	rows := fs.Int("rows", 200000, "synthetic legacy births to import")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *rows < 1 || *rows > bench.ImportMaxRows {
		return usageError{fmt.Sprintf("--rows must be from 1 to %d", bench.ImportMaxRows)}
	}
	r, err := bench.RunImport(bench.ImportConfig{Dir: *dir, Rows: *rows, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

func benchMemory(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "bench memory", "[--json] [--entries N] [--files N] [--status N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	entries := fs.Int("entries", bench.ImportMaxRows, "synthetic legacy births imported (and served)")
	files := fs.Int("files", 100000, "applications submitted before serving")
	status := fs.Int("status", 2000, "status pages read through HTTP while serving (at most --files)")
	dir := fs.String("dir", "", "scratch `DIR` (default: the temp directory; about 6 GiB at 1M entries)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *entries < 1000 || *entries > bench.ImportMaxRows:
		return usageError{fmt.Sprintf("--entries must be from 1000 to %d", bench.ImportMaxRows)}
	case *files < 1:
		return usageError{"--files must be at least 1"}
	case *status < 1 || *status > *files:
		return usageError{"--status must be from 1 to --files"}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the ksmart binary to run the import and the server: %v", err)
	}
	r, err := bench.RunMemory(ctx, bench.MemoryConfig{Executable: exe, Entries: *entries, Files: *files, Status: *status, Dir: *dir, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

func benchOutbox(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "bench outbox", "[--json] [--applications N] [--clients C]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	apps := fs.Int("applications", 10000, "applications submitted in the burst, each acknowledged by e-mail and WhatsApp")
	clients := fs.Int("clients", 64, "concurrent submitters, each a citizen of its own")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *clients < 1 || *apps < *clients || *apps > 1000000 {
		return usageError{"--clients must be at least 1 and --applications from --clients to 1000000"}
	}
	r, err := bench.RunOutbox(ctx, bench.OutboxConfig{Applications: *apps, Clients: *clients, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

func benchSearch(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "bench search", "[--json] [--records N] [--queries N] [--seconds S] [--postgres=false] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	records := fs.Int("records", 1000000, "births in the synthetic register")
	queries := fs.Int("queries", 400, "queries in the relevance set (at least 300)")
	seconds := fs.Float64("seconds", 10, "seconds of load per latency measurement")
	withPG := fs.Bool("postgres", true, "run PostgreSQL (Debian's package) on the same records and queries")
	dir := fs.String("dir", "", "scratch `DIR` (default: the temp directory); needs ~2 GiB at 1M records")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *records < 1000:
		return usageError{"--records must be at least 1000"}
	case *queries < 10:
		return usageError{"--queries must be at least 10"}
	case *seconds <= 0:
		return usageError{"--seconds must be more than 0"}
	}
	r, err := bench.RunSearch(ctx, bench.SearchConfig{Records: *records, Queries: *queries, Load: time.Duration(*seconds * float64(time.Second)),
		Postgres: *withPG, Dir: *dir, Version: version, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

// benchState is ksmart state bench, also ksmart bench state.
func benchState(ctx context.Context, env *env, name string, args []string) error {
	fs := newFlags(env, name, "[--json] [--shippers N] [--batch N] [--events N] [--rounds N] [--steady-rate N] [--steady-for DURATION] [--backlog N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	shippers := fs.Int("shippers", 10, "concurrent shippers, one local body each")
	batch := fs.Int("batch", 1000, "events per batch (one raft entry)")
	events := fs.Int("events", 300000, "events shipped to each cluster, over all rounds")
	rounds := fs.Int("rounds", 3, "measurement rounds, alternating the state cluster and raw raft")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory)")
	verbose := fs.Bool("log", false, "print the state nodes' warnings (elections, slow followers) on stderr")
	steadyRate := fs.Int("steady-rate", 1000, "events/s a local body writes while its shipper's lag is sampled")
	steadyFor := fs.Duration("steady-for", 15*time.Second, "how long the steady load lasts; 0 skips it")
	backlog := fs.Int("backlog", 1_000_000, "events in a local store before its shipper starts, to time the catch-up; 0 skips it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *shippers < 1 || *batch < 1 || *rounds < 1 || *batch > replication.MaxBatchEvents || *events < *shippers**batch**rounds {
		return usageError{fmt.Sprintf("--shippers, --batch and --rounds must be at least 1, --batch at most %d, and --events at least shippers × batch × rounds", replication.MaxBatchEvents)}
	}
	if *steadyRate < 1 || *steadyFor < 0 || *backlog < 0 {
		return usageError{"--steady-rate must be at least 1, and --steady-for and --backlog not negative"}
	}
	cfg := bench.StateConfig{Dir: *dir, Shippers: *shippers, Batch: *batch, Events: *events, Rounds: *rounds,
		OnPhase: benchPhase(env), Logger: benchLogger(env, *verbose),
		SteadyRate: *steadyRate, SteadyFor: *steadyFor, Backlog: *backlog}
	if *steadyFor == 0 {
		cfg.SteadyFor = -1
	}
	if *backlog == 0 {
		cfg.Backlog = -1
	}
	r, err := bench.RunState(ctx, cfg)
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

// benchStateScale is ksmart bench state-scale: the nodes are this binary
// run as `ksmart state run`.
func benchStateScale(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "bench state-scale", "[--json] [--bodies N] [--records N] [--nodes N] [--cut DURATION] [--cut-rate N] [--seconds S] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	bodies := fs.Int("bodies", 120, "local bodies (Kerala has about 1,200)")
	records := fs.Int("records", 4_500_000, "register entries and files over all bodies (Kerala has about 45 million)")
	nodes := fs.Int("nodes", 3, "state nodes, each a ksmart state run process")
	cut := fs.Duration("cut", time.Minute, "how long a follower's raft link is cut")
	cutRate := fs.Int("cut-rate", 1000, "events/s the bodies write in all while the follower is cut off")
	seconds := fs.Float64("seconds", 10, "seconds of search load for the latency")
	dir := fs.String("dir", "", "scratch `DIR` (default: the temp directory); needs about 4 times the bodies' stores, ~40 GiB at the default size")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *bodies < 1 || *records < *bodies*20:
		return usageError{"--bodies must be at least 1 and --records at least 20 a body"}
	case *nodes < 3:
		return usageError{"--nodes must be at least 3: a follower is cut off and the leader frozen"}
	case *cut <= 0 || *cutRate < 1 || *seconds <= 0:
		return usageError{"--cut, --cut-rate and --seconds must be more than 0"}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("the state nodes are this ksmart binary, which cannot be found: %w", err)
	}
	r, err := bench.RunStateScale(ctx, bench.StateScaleConfig{Dir: *dir, Bodies: *bodies, Records: *records, Nodes: *nodes,
		Command: []string{exe}, Cut: *cut, CutRate: *cutRate, Load: time.Duration(*seconds * float64(time.Second)), OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

// benchStateSnapshot is ksmart bench state-snapshot.
func benchStateSnapshot(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "bench state-snapshot", "[--json] [--bodies N] [--events N] [--cut-off N] [--data-bytes N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	bodies := fs.Int("bodies", 10, "local bodies, one log each")
	events := fs.Int("events", 200_000, "events in the state before a follower stops, over all bodies")
	cutOff := fs.Int("cut-off", 60_000, "events that arrive while it is down (1,000 events/s for a minute)")
	dataBytes := fs.Int("data-bytes", 1_500, "bytes of each event's data (1,500: the ~1.7 kB an event takes in state.db with its change set)")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory)")
	verbose := fs.Bool("log", false, "print the state nodes' warnings (elections, slow followers) on stderr")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *bodies < 1 || *events < *bodies*1_000 || *cutOff < max(*bodies*100, 10_000) || *dataBytes < 0 {
		return usageError{"--bodies must be at least 1, --events at least 1,000 per body, --cut-off at least 10,000 (and 100 per body), and --data-bytes not negative"}
	}
	r, err := bench.RunStateSnapshot(ctx, bench.SnapshotConfig{Dir: *dir, Bodies: *bodies, Events: *events, CutOff: *cutOff, DataBytes: *dataBytes,
		OnPhase: benchPhase(env), Logger: benchLogger(env, *verbose)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

// benchLogger is the state nodes' log for --log: their warnings on stderr.
func benchLogger(env *env, verbose bool) *slog.Logger {
	if !verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func benchPayments(env *env, args []string) error {
	fs := newFlags(env, "bench payments", "[--json] [--clients N] [--collections N] [--postings N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	clients := fs.Int("clients", 64, "concurrent cashiers and gateway callbacks")
	collections := fs.Int("collections", 10000, "demands settled in the measurement")
	postings := fs.Int("postings", 1000000, "journal lines the trial balance sums")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *clients < 1 || *collections < *clients || *postings < 2 {
		return usageError{"--clients must be at least 1, --collections at least --clients, and --postings at least 2"}
	}
	r, err := bench.RunPayments(bench.PaymentsConfig{Dir: *dir, Clients: *clients, Collections: *collections, Postings: *postings, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

func benchDemand(env *env, args []string) error {
	fs := newFlags(env, "bench demand", "[--json] [--buildings N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	buildings := fs.Int("buildings", 400000, "buildings in the synthetic register (a corporation has about 400,000)")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory); needs ~3 GiB at 400,000 buildings")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *buildings < 1 || *buildings > 5000000 {
		return usageError{"--buildings must be from 1 to 5000000"}
	}
	r, err := bench.RunDemand(bench.DemandConfig{Dir: *dir, Buildings: *buildings, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

func benchLicences(env *env, args []string) error {
	fs := newFlags(env, "bench licences", "[--json] [--licences N] [--applications N] [--dir DIR]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	licences := fs.Int("licences", 100000, "licences in the synthetic register")
	applications := fs.Int("applications", 100, "paid applications left undecided 31 days, deemed by the job")
	dir := fs.String("dir", "", "scratch `DIR` on the disk to measure (default: the temp directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *licences < 10 || *licences > 2000000 || *applications < 1 || *applications > 10000 {
		return usageError{"--licences must be from 10 to 2000000 and --applications from 1 to 10000"}
	}
	r, err := bench.RunLicences(bench.LicencesConfig{Dir: *dir, Licences: *licences, Applications: *applications, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}

func benchScrutiny(env *env, args []string) error {
	fs := newFlags(env, "bench scrutiny", "[--json] [--n N]")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	n := fs.Int("n", 2000, "scrutinies to time")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 1000000 {
		return usageError{"--n must be from 1 to 1000000"}
	}
	r, err := bench.RunScrutiny(bench.ScrutinyConfig{Scrutinies: *n, OnPhase: benchPhase(env)})
	if err != nil {
		return err
	}
	return benchOutput(env, *asJSON, r)
}
