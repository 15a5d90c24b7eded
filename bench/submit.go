package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/store"
	"ksmart/web"
)

// SubmitConfig says how much the submit benchmark submits. Zero fields
// take defaults.
type SubmitConfig struct {
	Dir      string // scratch directory on the disk to measure; default a temp dir
	Clients  int    // concurrent HTTP clients, each a citizen; default 64
	Requests int    // applications submitted in the measurement; default 5,000
	Version  string // the version the web server reports (ksmart's own)
	OnPhase  func(string)
}

// SubmitResult holds the figures of one run. Ratio is applications per
// second through HTTP over the store's own durable writes per second, each
// write one event and one document of the size of an application's file.
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
	Ratio        float64 `json:"ratio"`
}

// RunSubmit opens an appliance on a scratch directory, serves it on a
// loopback port, has c.Clients citizens signed up through the API submit
// c.Requests birth certificate applications between them, then as many
// through workflow.Submit without HTTP, and measures the store's own
// durable write rate with payloads of a submitted file's size on the same
// disk (RunStore). It removes its scratch files.
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
	scratch, err := os.MkdirTemp(c.Dir, "ksmart-bench-submit-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(scratch)
	if err := measureSubmit(ctx, c, filepath.Join(scratch, "appliance"), &res); err != nil {
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
	return res, nil
}

// WriteTable writes the figures as `ksmart bench submit` prints them.
func (r SubmitResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "submit: birth certificate applications through POST /api/v1/applications, %d clients on 127.0.0.1\n\n", r.Clients)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tper s\tp50 ms\tp99 ms\t\n")
	fmt.Fprintf(w, "applications through HTTP\t%.0f\t%.1f\t%.1f\t\n", r.AppsPerSec, r.P50Ms, r.P99Ms)
	fmt.Fprintf(w, "applications through workflow.Submit, no HTTP\t%.0f\t\t\t\n", r.DirectPerSec)
	fmt.Fprintf(w, "store writes, %d writers, %d-byte event + document\t%.0f\t\t%.1f\t\n", r.Clients, r.PayloadBytes, r.StoreWritesPerSec, r.StoreP99Ms)
	fmt.Fprintf(w, "raw bbolt Batch, same payloads\t%.0f\t\t\t\n", r.RawBatchPerSec)
	w.Flush()
	fmt.Fprintf(out, "\n%d applications in %.1f s; none failed\n", r.Requests, r.Seconds)
	fmt.Fprintf(out, "ratio to the store's own write rate (target >= 0.5): %.2f\n", r.Ratio)
	fmt.Fprintf(out, "  of which HTTP vs workflow.Submit called directly: %.2f; workflow.Submit vs the store: %.2f\n", r.AppsPerSec/r.DirectPerSec, r.DirectPerSec/r.StoreWritesPerSec)
}

// measureSubmit opens an appliance in dir, serves it on a loopback port,
// signs up c.Clients citizens through the API and has them submit
// c.Requests applications between them, filling in res.
func measureSubmit(ctx context.Context, c SubmitConfig, dir string, res *SubmitResult) error {
	c.OnPhase("opening an appliance and its HTTP server")
	lb := synth.DemoLocalBody()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: logger})
	if err != nil {
		return err
	}
	defer app.Close()
	srv, err := web.New(app, logger, c.Version, false)
	if err == nil {
		srv.NoAuthLimit = true // 64 citizens sign in from one address
	}
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	defer func() { stop(); <-served }()
	base := "http://" + ln.Addr().String()
	transport := &http.Transport{MaxIdleConnsPerHost: c.Clients * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()

	c.OnPhase(fmt.Sprintf("signing up %d citizens through the API", c.Clients))
	citizens := make([]*benchClient, c.Clients)
	if err := parallelErr(c.Clients, func(i int) (err error) {
		citizens[i], err = newBenchCitizen(base, transport, i)
		return err
	}); err != nil {
		return err
	}
	// Each client's bodies are made beforehand: the measurement is the
	// server's, not the making of synthetic people.
	svc, _ := app.Catalogue.Get("birth_certificate")
	rng := rand.New(rand.NewPCG(1, 2))
	const bodiesPerClient = 8
	for _, bc := range citizens {
		for range bodiesPerClient {
			values, _ := synth.FillForm(rng, svc, lb, synth.NewPerson(rng), app.Now())
			data, _ := json.Marshal(map[string]any{"service": svc.Code, "values": values})
			bc.bodies = append(bc.bodies, data)
			bc.values = append(bc.values, values)
		}
	}

	c.OnPhase("warming up")
	var firstID string
	if err := parallelErr(c.Clients, func(i int) error {
		id, _, err := citizens[i].submit(0)
		if i == 0 {
			firstID = id
		}
		return err
	}); err != nil {
		return err
	}
	var doc []byte
	if err := app.Store.View(func(tx *store.Tx) (err error) { doc, err = tx.GetRaw("file", firstID); return err }); err != nil {
		return fmt.Errorf("reading a submitted file back: %w", err)
	}
	res.PayloadBytes = len(doc)

	c.OnPhase(fmt.Sprintf("submitting %d applications from %d clients", c.Requests, c.Clients))
	lat := make([]time.Duration, c.Requests)
	var next atomic.Int64
	start := time.Now()
	err = parallelErr(c.Clients, func(i int) error {
		for n := 1; ; n++ {
			k := next.Add(1) - 1
			if k >= int64(c.Requests) {
				return nil
			}
			_, d, err := citizens[i].submit(n)
			if err != nil {
				return err
			}
			lat[k] = d
		}
	})
	elapsed := time.Since(start)
	if err != nil {
		return err
	}
	res.Seconds = elapsed.Seconds()
	res.AppsPerSec = float64(c.Requests) / elapsed.Seconds()
	slices.Sort(lat)
	res.P50Ms = ms(lat[len(lat)/2])
	res.P99Ms = ms(lat[int(float64(len(lat)-1)*0.99)])

	c.OnPhase(fmt.Sprintf("submitting %d applications through workflow.Submit, without HTTP", c.Requests))
	actors := make([]domain.Actor, len(citizens))
	for i, bc := range citizens {
		u, err := app.Identity.Get(bc.userID)
		if err != nil {
			return err
		}
		actors[i] = u.Actor()
	}
	next.Store(0)
	start = time.Now()
	err = parallelErr(c.Clients, func(i int) error {
		bc := citizens[i]
		for n := 1; next.Add(1) <= int64(c.Requests); n++ {
			_, err := app.Workflow.Submit(actors[i], workflow.Submission{Service: svc.Code, Values: bc.values[n%len(bc.values)],
				Channel: workflow.ChannelOnline, Applicant: workflow.Applicant{Name: domain.T(actors[i].Name, "")}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	res.DirectPerSec = float64(c.Requests) / time.Since(start).Seconds()
	return nil
}

// benchClient is one citizen's HTTP client with its session and CSRF token.
type benchClient struct {
	base   string
	hc     *http.Client
	csrf   string
	userID string
	bodies [][]byte
	values []map[string]string
}

var benchCode = regexp.MustCompile(`\b\d{6}\b`)

// newBenchCitizen signs a citizen up through the API and verifies them with
// the code delivered in-app, which signs the client in.
func newBenchCitizen(base string, rt http.RoundTripper, i int) (*benchClient, error) {
	jar, _ := cookiejar.New(nil)
	bc := &benchClient{base: base, hc: &http.Client{Jar: jar, Transport: rt, Timeout: time.Minute}}
	var tok struct{ CSRF string }
	if err := bc.call("GET", "/api/v1/csrf", nil, 200, &tok); err != nil {
		return nil, err
	}
	bc.csrf = tok.CSRF
	signup := map[string]string{"contact": fmt.Sprintf("94%08d", i), "name": "Bench Citizen", "password": fmt.Sprintf("bench-citizen-%d", i)}
	var created struct {
		UserID string `json:"user_id"`
	}
	if err := bc.call("POST", "/api/v1/signup", signup, 201, &created); err != nil {
		return nil, err
	}
	bc.userID = created.UserID
	var pending struct {
		Message struct{ Body struct{ En string } }
	}
	if err := bc.call("GET", "/api/v1/verify", nil, 200, &pending); err != nil {
		return nil, err
	}
	code := benchCode.FindString(pending.Message.Body.En)
	if code == "" {
		return nil, errors.New("bench: no verification code in the in-app message")
	}
	return bc, bc.call("POST", "/api/v1/verify", map[string]string{"code": code}, 200, nil)
}

// call sends a JSON request and decodes the JSON answer into out.
func (bc *benchClient) call(method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, bc.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", bc.csrf)
	resp, err := bc.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("bench: %s %s: %d: %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// submit sends the client's n-th application and returns its file id and
// how long the server took to acknowledge it.
func (bc *benchClient) submit(n int) (string, time.Duration, error) {
	var f struct{ ID string }
	start := time.Now()
	req, _ := http.NewRequest("POST", bc.base+"/api/v1/applications", bytes.NewReader(bc.bodies[n%len(bc.bodies)]))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", bc.csrf)
	resp, err := bc.hc.Do(req)
	if err != nil {
		return "", 0, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return "", d, err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", d, fmt.Errorf("bench: submit answered %d: %s", resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return "", d, err
	}
	return f.ID, d, nil
}
