package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"time"

	"ksmart/bench/pgpeer"
)

// The submit benchmark's load side runs in a process of its own, so that its
// clients do not share the server's process (its scheduler, its garbage
// collector) with the server they measure. RunSubmit starts it with
// SubmitConfig.LoadCommand, writes a submitJob on its stdin and reads a
// submitLoadResult from its stdout; RunSubmitLoad is that process's body.

// The load's modes: citizens through the appliance's HTTP API, the same
// requests to a bare net/http server that does no work (the floor of any
// HTTP API with these clients on this machine), or the same applications
// written to the PostgreSQL peer.
const (
	loadHTTP     = "http"
	loadRawHTTP  = "raw-http"
	loadPostgres = "postgres"
)

// signupsAtOnce is how many citizens the load process signs up at a time.
const signupsAtOnce = 4

// submitJob is what the load process is asked to do.
type submitJob struct {
	Mode     string `json:"mode"`
	Clients  int    `json:"clients"`
	Requests int    `json:"requests"`
	// HTTP: the appliance's address and each client's request bodies.
	URL    string     `json:"url,omitempty"`
	Bodies [][][]byte `json:"bodies,omitempty"`
	// PostgreSQL: the peer's socket directory and the applications to write,
	// taken in turn by each client.
	Socket       string               `json:"socket,omitempty"`
	Applications []pgpeer.Application `json:"applications,omitempty"`
}

// submitLoadResult is what the load process measured: after one warm-up
// application per client, Requests applications from Clients at once.
type submitLoadResult struct {
	Seconds float64 `json:"seconds"`
	P50Ms   float64 `json:"p50_ms"`
	P99Ms   float64 `json:"p99_ms"`
	// CPUSeconds is the CPU time the load process itself used while it
	// measured: what the clients cost the two cores the server shares.
	CPUSeconds float64 `json:"cpu_seconds"`
	// HTTP: each client's citizen and the file of its warm-up application,
	// and the first client's warm-up answer as it was sent.
	UserIDs []string `json:"user_ids,omitempty"`
	FileIDs []string `json:"file_ids,omitempty"`
	Answer  []byte   `json:"answer,omitempty"`
}

// RunSubmitLoad is the submit benchmark's load process: it reads its job
// from in, runs it and writes what it measured to out, one JSON object each.
// `ksmart bench submit` runs it as the hidden `ksmart bench submit-load`.
func RunSubmitLoad(ctx context.Context, in io.Reader, out io.Writer) error {
	var job submitJob
	if err := json.NewDecoder(in).Decode(&job); err != nil {
		return fmt.Errorf("bench: submit load: reading the job: %w", err)
	}
	if job.Clients < 1 || job.Requests < 1 {
		return errors.New("bench: submit load: the job has no clients or no requests")
	}
	if (job.Mode == loadHTTP || job.Mode == loadRawHTTP) && len(job.Bodies) != job.Clients {
		return fmt.Errorf("bench: submit load: %d clients but bodies for %d", job.Clients, len(job.Bodies))
	}
	var res submitLoadResult
	var err error
	// The line tells the benchmark when the measured part begins, so that
	// it counts its own CPU from there.
	measuring := func() { fmt.Fprintln(out, measuringLine) }
	switch job.Mode {
	case loadHTTP:
		res, err = httpLoad(job, measuring)
	case loadRawHTTP:
		res, err = rawHTTPLoad(job, measuring)
	case loadPostgres:
		res, err = postgresLoad(ctx, job, measuring)
	default:
		err = fmt.Errorf("bench: submit load: unknown mode %q", job.Mode)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(res)
}

// measuringLine is the load process's line on stdout as it begins to
// measure, before its result.
const measuringLine = "measuring"

// runLoad runs job in the load process that c.LoadCommand starts and
// returns what it measured, and the CPU time this process used from the
// moment the load began to measure until it answered. It calls measuring,
// when not nil, as the load begins to measure and as it ends.
func runLoad(ctx context.Context, c SubmitConfig, job submitJob, measuring func(end bool)) (submitLoadResult, time.Duration, error) {
	var res submitLoadResult
	in, err := json.Marshal(job)
	if err != nil {
		return res, 0, err
	}
	cmd := c.LoadCommand(ctx)
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stderr = bytes.NewReader(in), &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return res, 0, err
	}
	if err := cmd.Start(); err != nil {
		return res, 0, fmt.Errorf("bench: starting the load process (%s): %w", cmd.Path, err)
	}
	var printed []byte
	var cpuFrom, cpu time.Duration
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 16<<20)
	for lines.Scan() {
		if lines.Text() == measuringLine {
			if measuring != nil {
				measuring(false)
			}
			cpuFrom = processCPU()
			if c.CPUProfile != nil && job.Mode == loadHTTP {
				if err := pprof.StartCPUProfile(c.CPUProfile); err != nil {
					return res, 0, err
				}
				defer pprof.StopCPUProfile()
			}
			continue
		}
		cpu = processCPU() - cpuFrom
		if c.CPUProfile != nil && job.Mode == loadHTTP {
			pprof.StopCPUProfile()
		}
		if measuring != nil {
			measuring(true)
		}
		printed = append(printed, lines.Bytes()...)
	}
	if err := cmd.Wait(); err != nil {
		return res, 0, fmt.Errorf("bench: the load process (%s): %w: %s", cmd.Path, err, bytes.TrimSpace(stderr.Bytes()))
	}
	if err := json.Unmarshal(printed, &res); err != nil {
		return res, 0, fmt.Errorf("bench: the load process printed %q: %w", printed, err)
	}
	return res, cpu, nil
}

// measureLoad has clients each call do, warm-up first (once each, n = 0),
// then requests calls between them, and returns the seconds and the p50 and
// p99 of the calls' latencies.
func measureLoad(clients, requests int, measuring func(), do func(client, n int) error) (submitLoadResult, error) {
	var res submitLoadResult
	if err := parallelErr(clients, func(i int) error { return do(i, 0) }); err != nil {
		return res, err
	}
	lat := make([]time.Duration, requests)
	var next atomic.Int64
	measuring()
	cpuFrom := processCPU()
	start := time.Now()
	err := parallelErr(clients, func(i int) error {
		for n := 1; ; n++ {
			k := next.Add(1) - 1
			if k >= int64(requests) {
				return nil
			}
			t := time.Now()
			if err := do(i, n); err != nil {
				return err
			}
			lat[k] = time.Since(t)
		}
	})
	if err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	res.CPUSeconds = (processCPU() - cpuFrom).Seconds()
	slices.Sort(lat)
	res.P50Ms = ms(lat[len(lat)/2])
	res.P99Ms = ms(lat[int(float64(len(lat)-1)*0.99)])
	return res, nil
}

// httpLoad signs up job.Clients citizens through the API and has them
// submit job.Requests applications between them.
func httpLoad(job submitJob, measuring func()) (submitLoadResult, error) {
	transport := &http.Transport{MaxIdleConnsPerHost: job.Clients * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	// The sign-ups are not measured, and each costs the server an argon2id
	// hash: a few at a time keep both cores busy, where 64 at once can keep
	// a loaded machine's last sign-ups waiting past the client's timeout.
	citizens := make([]*benchClient, job.Clients)
	signingUp := make(chan struct{}, signupsAtOnce)
	if err := parallelErr(job.Clients, func(i int) (err error) {
		signingUp <- struct{}{}
		defer func() { <-signingUp }()
		citizens[i], err = newBenchCitizen(job.URL, transport, job.Bodies[i], i)
		return err
	}); err != nil {
		return submitLoadResult{}, err
	}
	fileIDs := make([]string, job.Clients)
	var answer []byte
	res, err := measureLoad(job.Clients, job.Requests, measuring, func(i, n int) error {
		id, data, err := citizens[i].submit(n)
		if n == 0 {
			fileIDs[i] = id
			if i == 0 {
				answer = data
			}
		}
		return err
	})
	if err != nil {
		return res, err
	}
	res.FileIDs, res.Answer = fileIDs, answer
	for _, bc := range citizens {
		res.UserIDs = append(res.UserIDs, bc.userID)
	}
	return res, nil
}

// rawHTTPLoad has job.Clients clients post their bodies to job.URL as the
// citizens do, without signing up: the server there only reads and answers.
func rawHTTPLoad(job submitJob, measuring func()) (submitLoadResult, error) {
	transport := &http.Transport{MaxIdleConnsPerHost: job.Clients * 2, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	clients := make([]*benchClient, job.Clients)
	for i := range clients {
		clients[i] = &benchClient{base: job.URL, hc: &http.Client{Transport: transport, Timeout: time.Minute}, bodies: job.Bodies[i]}
	}
	return measureLoad(job.Clients, job.Requests, measuring, func(i, n int) error {
		_, _, err := clients[i].submit(n)
		return err
	})
}

// postgresLoad connects job.Clients connections to the PostgreSQL peer and
// has as many clients write job.Requests applications between them.
func postgresLoad(ctx context.Context, job submitJob, measuring func()) (submitLoadResult, error) {
	if len(job.Applications) == 0 {
		return submitLoadResult{}, errors.New("bench: submit load: no applications for PostgreSQL")
	}
	pg, err := pgpeer.DialSubmit(ctx, job.Socket, job.Clients)
	if err != nil {
		return submitLoadResult{}, err
	}
	defer pg.Close()
	return measureLoad(job.Clients, job.Requests, measuring, func(i, n int) error {
		return pg.Submit(ctx, job.Applications[(i+n)%len(job.Applications)])
	})
}

// benchClient is one citizen's HTTP client with its session and CSRF token.
type benchClient struct {
	base   string
	hc     *http.Client
	csrf   string
	userID string
	bodies [][]byte
}

var benchCode = regexp.MustCompile(`\b\d{6}\b`)

// newBenchCitizen signs a citizen up through the API and verifies them with
// the code delivered in-app, which signs the client in.
func newBenchCitizen(base string, rt http.RoundTripper, bodies [][]byte, i int) (*benchClient, error) {
	jar, _ := cookiejar.New(nil)
	bc := &benchClient{base: base, hc: &http.Client{Jar: jar, Transport: rt, Timeout: time.Minute}, bodies: bodies}
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
// the answer.
func (bc *benchClient) submit(n int) (string, []byte, error) {
	var f struct{ ID string }
	req, _ := http.NewRequest("POST", bc.base+"/api/v1/applications", bytes.NewReader(bc.bodies[n%len(bc.bodies)]))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", bc.csrf)
	resp, err := bc.hc.Do(req)
	if err != nil {
		return "", nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", nil, fmt.Errorf("bench: submit answered %d: %s", resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return "", nil, err
	}
	return f.ID, data, nil
}
