package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/bench/pgpeer"
	"ksmart/store"
	"ksmart/web"
)

// SubmitConfig says how much the submit benchmark submits and how it runs
// its load. Zero fields take defaults; LoadCommand is required.
type SubmitConfig struct {
	Dir      string // scratch directory on the disk to measure; default a temp dir
	Clients  int    // concurrent clients, each a citizen (and a PostgreSQL connection); default 64
	Requests int    // applications submitted in each measurement; default 5,000
	Version  string // the version the web server reports (ksmart's own)
	// LoadCommand returns the command that runs RunSubmitLoad as a process of
	// its own (ksmart runs itself as `ksmart bench submit-load`), so that the
	// clients are not in the server's process.
	LoadCommand func(ctx context.Context) *exec.Cmd
	// Postgres also runs the PostgreSQL peer (Debian's package) on the same
	// applications. When it is not installed the result says so and has no
	// peer's figures, unless RequirePostgres, which makes that an error.
	Postgres, RequirePostgres bool
	OnPhase                   func(string)
	// CPUProfile, when set, receives a CPU profile (pprof) of this process
	// while the load process measures the submissions through HTTP.
	CPUProfile io.Writer
}

// SubmitResult holds the figures of one run. Ratio is applications per
// second through HTTP over the store's own durable writes per second, each
// write one event and one document of the size of an application's file;
// PostgresRatio is ours through HTTP over PostgreSQL's applications per
// second, each the same rows in one durable transaction.
type SubmitResult struct {
	Name              string  `json:"name"`
	Clients           int     `json:"clients"`
	Requests          int     `json:"requests"`
	Seconds           float64 `json:"seconds"`
	AppsPerSec        float64 `json:"applications_per_s"`
	P50Ms             float64 `json:"p50_ms"`
	P99Ms             float64 `json:"p99_ms"`
	PayloadBytes      int     `json:"payload_bytes"`
	StoreWritesPerSec float64 `json:"store_writes_per_s"`
	StoreP99Ms        float64 `json:"store_p99_ms"`
	RawBatchPerSec    float64 `json:"raw_bbolt_batch_per_s"`
	// DirectPerSec is the same applications through workflow.Submit from
	// as many goroutines, without HTTP: it splits the ratio into the
	// web's part and the workflow's.
	DirectPerSec float64 `json:"direct_submit_per_s"`
	// The CPU time each application cost, in microseconds: the appliance's
	// process through HTTP, the load process's clients, and the appliance's
	// process through workflow.Submit. On two cores, 2 s of CPU a second
	// is all there is, for the server and its clients together.
	ServerCPUMicros float64 `json:"server_cpu_us_per_application"`
	LoadCPUMicros   float64 `json:"load_cpu_us_per_application"`
	DirectCPUMicros float64 `json:"direct_cpu_us_per_application"`
	// What the store's file was written per application through HTTP:
	// bbolt's write calls (a page, or a run of overflow pages, each) and
	// bytes, the commits' branch pages and the process's other writes
	// included.
	PageWritesPerApp float64 `json:"page_writes_per_application"`
	PageBytesPerApp  float64 `json:"page_bytes_per_application"`
	Ratio            float64 `json:"ratio"`
	// RawHTTPPerSec is the same load's requests per second to a bare
	// net/http server in this process that reads each body and answers
	// the appliance's answer (uncompressed) without any work: the most any
	// HTTP API could do with these clients on this machine. HTTPRatio is
	// ours over it.
	RawHTTPPerSec     float64 `json:"raw_http_per_s"`
	RawHTTPCPUMicros  float64 `json:"raw_http_cpu_us_per_request"`
	RawHTTPLoadMicros float64 `json:"raw_http_load_cpu_us_per_request"`
	HTTPRatio         float64 `json:"http_ratio"`
	// Postgres is the peer's version, or why it did not run.
	Postgres       string  `json:"postgres"`
	PGAppsPerSec   float64 `json:"postgres_applications_per_s,omitempty"`
	PGP50Ms        float64 `json:"postgres_p50_ms,omitempty"`
	PGP99Ms        float64 `json:"postgres_p99_ms,omitempty"`
	PGSeconds      float64 `json:"postgres_seconds,omitempty"`
	PGRowsPerApp   float64 `json:"postgres_rows_per_application,omitempty"`
	PGPayloadBytes int     `json:"postgres_payload_bytes,omitempty"`
	PostgresRatio  float64 `json:"postgres_ratio,omitempty"`
}

// submitTargetRatio and submitTargetPGRatio are the design targets: half the
// store's own write rate, three times PostgreSQL's.
const (
	submitTargetRatio   = 0.5
	submitTargetPGRatio = 3
)

// RunSubmit opens an appliance on a scratch directory and serves it on a
// loopback port; a load process of its own (c.LoadCommand) signs up
// c.Clients citizens through the API and has them submit c.Requests birth
// certificate applications between them. Then as many go through
// workflow.Submit without HTTP; then, with c.Postgres, the load process
// writes as many applications, the same rows with the contents the
// appliance stored, to a durable PostgreSQL from as many connections; last,
// the store's own durable write rate is measured with payloads of a
// submitted file's size on the same disk (RunStore). It removes its scratch
// files.
func RunSubmit(ctx context.Context, c SubmitConfig) (SubmitResult, error) {
	if c.Clients == 0 {
		c.Clients = 64
	}
	if c.Requests == 0 {
		c.Requests = 5000
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := SubmitResult{Name: "submit", Clients: c.Clients, Requests: c.Requests}
	if c.LoadCommand == nil {
		return res, errors.New("bench: the submit benchmark needs a LoadCommand to run its clients in a process of their own")
	}
	scratch, err := os.MkdirTemp(c.Dir, "ksmart-bench-submit-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(scratch)
	// PostgreSQL's server runs as the postgres user when we are root; it
	// must be able to pass through the scratch directory to its own, so that
	// it writes to the same disk as ours.
	if err := os.Chmod(scratch, 0o711); err != nil {
		return res, err
	}
	sub, err := measureSubmit(ctx, c, filepath.Join(scratch, "appliance"), &res)
	if err != nil {
		return res, err
	}
	if err := measureRawHTTP(ctx, c, sub, &res); err != nil {
		return res, err
	}
	apps := sub.apps
	if err := measurePostgres(ctx, c, filepath.Join(scratch, "postgres"), apps, &res); err != nil {
		return res, err
	}
	sr, err := RunStore(StoreConfig{
		Dir: scratch, Writers: c.Clients, Events: c.Requests, PayloadBytes: res.PayloadBytes,
		SingleEvents: 1, FsyncSamples: 1, OnPhase: c.OnPhase,
	})
	if err != nil {
		return res, err
	}
	res.StoreWritesPerSec, res.StoreP99Ms, res.RawBatchPerSec = sr.StoreConcurrent, sr.StoreP99LatencyMs, sr.RawBatchTuned
	res.Ratio = res.AppsPerSec / res.StoreWritesPerSec
	res.HTTPRatio = res.AppsPerSec / res.RawHTTPPerSec
	if res.PGAppsPerSec > 0 {
		res.PostgresRatio = res.AppsPerSec / res.PGAppsPerSec
	}
	return res, nil
}

// WriteTable writes the figures as `ksmart bench submit` prints them.
func (r SubmitResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "submit: birth certificate applications, %d clients in a load process of their own\n\n", r.Clients)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tper s\tp50 ms\tp99 ms\t\n")
	fmt.Fprintf(w, "ksmart: POST /api/v1/applications on 127.0.0.1\t%.0f\t%.1f\t%.1f\t\n", r.AppsPerSec, r.P50Ms, r.P99Ms)
	if r.PGAppsPerSec > 0 {
		fmt.Fprintf(w, "PostgreSQL: the same rows, one durable transaction each\t%.0f\t%.1f\t%.1f\t\n", r.PGAppsPerSec, r.PGP50Ms, r.PGP99Ms)
	}
	fmt.Fprintf(w, "ksmart: workflow.Submit in the process, no HTTP\t%.0f\t\t\t\n", r.DirectPerSec)
	fmt.Fprintf(w, "bare net/http: reads the same requests, answers the same bytes\t%.0f\t\t\t\n", r.RawHTTPPerSec)
	fmt.Fprintf(w, "store writes, %d writers, %d-byte event + document\t%.0f\t\t%.1f\t\n", r.Clients, r.PayloadBytes, r.StoreWritesPerSec, r.StoreP99Ms)
	fmt.Fprintf(w, "raw bbolt Batch, same payloads\t%.0f\t\t\t\n", r.RawBatchPerSec)
	w.Flush()
	if r.PGAppsPerSec > 0 {
		fmt.Fprintf(out, "\n%d applications each in %.1f s (ksmart) and %.1f s (PostgreSQL); none failed\n", r.Requests, r.Seconds, r.PGSeconds)
	} else {
		fmt.Fprintf(out, "\n%d applications in %.1f s; none failed\n", r.Requests, r.Seconds)
	}
	fmt.Fprintf(out, "PostgreSQL: %s\n", r.Postgres)
	fmt.Fprintf(out, "ratio to the store's own write rate (target >= %.1f): %.2f\n", submitTargetRatio, r.Ratio)
	fmt.Fprintf(out, "  of which HTTP vs workflow.Submit called directly: %.2f; workflow.Submit vs the store: %.2f\n", r.AppsPerSec/r.DirectPerSec, r.DirectPerSec/r.StoreWritesPerSec)
	fmt.Fprintf(out, "the store's file per application: %.1f page writes, %.0f bytes\n", r.PageWritesPerApp, r.PageBytesPerApp)
	fmt.Fprintf(out, "CPU per application: %.0f µs in the appliance through HTTP, %.0f µs in the load process, %.0f µs through workflow.Submit\n", r.ServerCPUMicros, r.LoadCPUMicros, r.DirectCPUMicros)
	fmt.Fprintf(out, "  bare net/http: %.0f µs in the server, %.0f µs in the load process; ours over it: %.2f\n", r.RawHTTPCPUMicros, r.RawHTTPLoadMicros, r.HTTPRatio)
	if r.PostgresRatio > 0 {
		fmt.Fprintf(out, "ratio to PostgreSQL (target >= %d): %.2f\n", submitTargetPGRatio, r.PostgresRatio)
	}
}

// submitted is what measureSubmit leaves for the measurements after it: what
// the appliance stored for a few applications (for PostgreSQL), and the
// clients' request bodies and one answer (for the bare HTTP server).
type submitted struct {
	apps   []pgpeer.Application
	bodies [][][]byte
	answer []byte
}

// measureRawHTTP serves a bare net/http server on a loopback port that reads
// each request's body and answers 201 with sub.answer, and has the load
// process post the citizens' bodies to it as they posted them to the
// appliance, filling in res.
func measureRawHTTP(ctx context.Context, c SubmitConfig, sub submitted, res *SubmitResult) error {
	if len(sub.answer) == 0 {
		return errors.New("bench: the load process returned no answer of the appliance's")
	}
	c.OnPhase(fmt.Sprintf("posting %d applications to a bare net/http server that only answers, from a load process", c.Requests))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(sub.answer)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	job := submitJob{Mode: loadRawHTTP, URL: "http://" + ln.Addr().String(), Clients: c.Clients, Requests: c.Requests, Bodies: sub.bodies}
	load, cpu, err := runLoad(ctx, c, job, nil)
	if err != nil {
		return err
	}
	res.RawHTTPPerSec = float64(c.Requests) / load.Seconds
	res.RawHTTPCPUMicros = float64(cpu.Microseconds()) / float64(c.Requests)
	res.RawHTTPLoadMicros = load.CPUSeconds * 1e6 / float64(c.Requests)
	return nil
}

// measureSubmit opens an appliance in dir, serves it on a loopback port and
// has the load process sign up c.Clients citizens through the API and submit
// c.Requests applications between them, then submits as many through
// workflow.Submit, filling in res. It returns what the appliance stored for
// a few of the applications, as the PostgreSQL peer is to write them.
func measureSubmit(ctx context.Context, c SubmitConfig, dir string, res *SubmitResult) (submitted, error) {
	c.OnPhase("opening an appliance and its HTTP server")
	lb := synth.DemoLocalBody()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: logger})
	if err != nil {
		return submitted{}, err
	}
	defer app.Close()
	srv, err := web.New(app, logger, c.Version, false)
	if err != nil {
		return submitted{}, err
	}
	srv.NoAuthLimit = true // 64 citizens sign in from one address
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return submitted{}, err
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	defer func() { stop(); <-served }()

	// Each client's bodies are made beforehand: the measurement is the
	// server's, not the making of synthetic people.
	svc, _ := app.Catalogue.Get("birth_certificate")
	rng := rand.New(rand.NewPCG(1, 2))
	const bodiesPerClient = 8
	job := submitJob{Mode: loadHTTP, URL: "http://" + ln.Addr().String(), Clients: c.Clients, Requests: c.Requests, Bodies: make([][][]byte, c.Clients)}
	values := make([][]map[string]string, c.Clients)
	for i := range c.Clients {
		for range bodiesPerClient {
			v, _ := synth.FillForm(rng, svc, lb, synth.NewPerson(rng), app.Now())
			data, _ := json.Marshal(map[string]any{"service": svc.Code, "values": v})
			job.Bodies[i] = append(job.Bodies[i], data)
			values[i] = append(values[i], v)
		}
	}
	c.OnPhase(fmt.Sprintf("signing up %d citizens through the API and submitting %d applications between them, from a load process", c.Clients, c.Requests))
	var before, after store.Stats
	load, serverCPU, err := runLoad(ctx, c, job, func(end bool) {
		if end {
			after = app.Store.Stats()
		} else {
			before = app.Store.Stats()
		}
	})
	if err != nil {
		return submitted{}, err
	}
	res.PageWritesPerApp = float64(after.PageWrites-before.PageWrites) / float64(c.Requests)
	res.PageBytesPerApp = float64(after.PageBytes-before.PageBytes) / float64(c.Requests)
	res.ServerCPUMicros = float64(serverCPU.Microseconds()) / float64(c.Requests)
	res.LoadCPUMicros = load.CPUSeconds * 1e6 / float64(c.Requests)
	if len(load.UserIDs) != c.Clients || len(load.FileIDs) != c.Clients {
		return submitted{}, fmt.Errorf("bench: the load process answered for %d citizens, want %d", len(load.UserIDs), c.Clients)
	}
	res.Seconds, res.P50Ms, res.P99Ms = load.Seconds, load.P50Ms, load.P99Ms
	res.AppsPerSec = float64(c.Requests) / load.Seconds
	var doc []byte
	if err := app.Store.View(func(tx *store.Tx) (err error) { doc, err = tx.GetRaw("file", load.FileIDs[0]); return err }); err != nil {
		return submitted{}, fmt.Errorf("reading a submitted file back: %w", err)
	}
	res.PayloadBytes = len(doc)
	apps, err := storedApplications(app, load.UserIDs[:min(len(load.UserIDs), bodiesPerClient)])
	if err != nil {
		return submitted{}, err
	}

	c.OnPhase(fmt.Sprintf("submitting %d applications through workflow.Submit, without HTTP", c.Requests))
	actors := make([]domain.Actor, c.Clients)
	for i, id := range load.UserIDs {
		u, err := app.Identity.Get(id)
		if err != nil {
			return submitted{}, err
		}
		actors[i] = u.Actor()
	}
	var next atomic.Int64
	cpuFrom := processCPU()
	start := time.Now()
	err = parallelErr(c.Clients, func(i int) error {
		for n := 1; next.Add(1) <= int64(c.Requests); n++ {
			_, err := app.Workflow.Submit(actors[i], workflow.Submission{Service: svc.Code, Values: values[i][n%len(values[i])],
				Channel: workflow.ChannelOnline, Applicant: workflow.Applicant{Name: domain.T(actors[i].Name, "")}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return submitted{}, err
	}
	res.DirectPerSec = float64(c.Requests) / time.Since(start).Seconds()
	res.DirectCPUMicros = float64((processCPU() - cpuFrom).Microseconds()) / float64(c.Requests)
	return submitted{apps: apps, bodies: job.Bodies, answer: load.Answer}, nil
}

// storedApplications reads back, through the modules' own readers, what the
// appliance stored for each citizen's latest application: the file, its
// desk entry, the acknowledgement and the two events. They are the rows the
// PostgreSQL peer writes, so that it writes what we write.
func storedApplications(app *appliance.Appliance, userIDs []string) ([]pgpeer.Application, error) {
	var apps []pgpeer.Application
	events := map[string]store.Event{} // by type and id
	evs, err := app.Store.ReadLog(0, 0)
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		events[ev.Type+" "+ev.ID] = ev
	}
	for _, uid := range userIDs {
		entries, err := app.Workflow.Applications(uid, 1)
		if err != nil {
			return nil, err
		}
		msgs, err := messaging.Inbox(app.Store, uid, 1)
		if err != nil {
			return nil, err
		}
		if len(entries) == 0 || len(msgs) == 0 {
			return nil, fmt.Errorf("bench: citizen %s has no application or no acknowledgement", uid)
		}
		e, m := entries[0], msgs[0]
		f, err := app.Workflow.File(e.ID)
		if err != nil {
			return nil, err
		}
		submitted, ok1 := events[workflow.EventSubmitted.Name+" "+f.ID]
		queued, ok2 := events[messaging.EventQueued.Name+" "+m.ID]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("bench: the log has no submission of file %s or no queueing of message %s", f.ID, m.ID)
		}
		file, err1 := json.Marshal(f)
		entry, err2 := json.Marshal(e)
		msg, err3 := json.Marshal(m)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		apps = append(apps, pgpeer.Application{
			UserID: uid, NumberPrefix: f.Number[:strings.LastIndexByte(f.Number, '/')+1],
			File: file, Entry: entry, Desks: []string{"open", string(f.Role)}, Due: f.Due, Message: msg,
			SubmittedType: submitted.Type, SubmittedData: submitted.Data, QueuedType: queued.Type, QueuedData: queued.Data,
		})
	}
	return apps, nil
}

// measurePostgres starts the PostgreSQL peer in dir and has the load
// process write c.Requests of apps (in turn) from c.Clients connections,
// filling in res; it checks that each was written whole. Without
// PostgreSQL it says so in res.Postgres, or fails with c.RequirePostgres.
func measurePostgres(ctx context.Context, c SubmitConfig, dir string, apps []pgpeer.Application, res *SubmitResult) error {
	if !c.Postgres {
		res.Postgres = "not run (--postgres=false)"
		return nil
	}
	if err := pgpeer.Installed(); err != nil {
		if c.RequirePostgres {
			return err
		}
		res.Postgres = "not run: " + err.Error()
		c.OnPhase("PostgreSQL is not installed (apt-get install postgresql): reporting without it")
		return nil
	}
	c.OnPhase("starting PostgreSQL with durable commits")
	pg, err := pgpeer.StartSubmit(ctx, dir, c.Clients)
	if err != nil {
		return fmt.Errorf("starting PostgreSQL: %w", err)
	}
	defer pg.Close()
	res.Postgres = pg.Version()
	c.OnPhase(fmt.Sprintf("writing %d applications to PostgreSQL from %d connections, from a load process", c.Requests, c.Clients))
	load, _, err := runLoad(ctx, c, submitJob{Mode: loadPostgres, Socket: pg.SocketDir(), Clients: c.Clients, Requests: c.Requests, Applications: apps}, nil)
	if err != nil {
		return err
	}
	files, rows, err := pg.CountApplications(ctx)
	if err != nil {
		return err
	}
	if want := int64(c.Clients + c.Requests); files != want || rows != files*7 {
		return fmt.Errorf("bench: PostgreSQL holds %d applications in %d rows, want %d in 7 rows each (warm-up and measurement)", files, rows, want)
	}
	res.PGSeconds, res.PGP50Ms, res.PGP99Ms = load.Seconds, load.P50Ms, load.P99Ms
	res.PGAppsPerSec = float64(c.Requests) / load.Seconds
	res.PGRowsPerApp = float64(rows) / float64(files)
	res.PGPayloadBytes = len(apps[0].File) + 3*len(apps[0].Entry) + len(apps[0].Message) + len(apps[0].SubmittedData) + len(apps[0].QueuedData)
	return pg.Close()
}
