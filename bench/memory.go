package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/appliance/workflow"
)

// Targets of the appliance's resident memory (issue 24): a local body's
// server may have 4–8 GB.
const (
	memoryTargetServing = 1 << 30
	memoryTargetImport  = 3 << 29 // 1.5 GiB
)

// memoryCitizens is how many citizens submit the files, at once (fewer
// for a small run: each signs up with a password hash that takes time).
const memoryCitizens = 16

// citizensFor is how many citizens submit n files.
func citizensFor(n int) int { return min(memoryCitizens, max(1, n/100)) }

// memoryKioskSearches is how many kiosk searches the serving load makes,
// from memoryKiosks kiosks: within the kiosk's limits per kiosk and per
// address in a minute, so none is refused.
const (
	memoryKioskSearches = 24
	memoryKiosks        = 3
)

// MemoryConfig says what the memory benchmark measures. Zero fields take
// defaults, except Executable.
type MemoryConfig struct {
	// Executable is the ksmart binary the import and the server run as,
	// each a process of its own whose memory /proc reports.
	Executable string
	// Env is the children's environment; nil means this process's.
	Env     []string
	Entries int    // births in the imported register; default 1,000,000
	Files   int    // applications submitted before serving; default 100,000
	Status  int    // status pages read through HTTP while serving; default 2,000
	Dir     string // scratch directory; default the temp directory
	OnPhase func(string)
}

// Memory is one process's resident memory as /proc/PID/status gives it.
type Memory struct {
	RSS  int64 `json:"rss_bytes"`  // VmRSS
	Peak int64 `json:"peak_bytes"` // VmHWM, the most VmRSS has been
	Anon int64 `json:"anon_bytes"` // RssAnon: the heap, stacks, Bleve's segments being built
	File int64 `json:"file_bytes"` // RssFile: pages of mapped files (bbolt's and Bleve's), which the kernel may drop and read again
}

// MemoryResult holds the figures of one run: the import's peak, and the
// server's resident memory after a load of status pages and kiosk
// searches. Ratio is the serving RSS over the data directory's size on
// disk: how much of its data the appliance keeps resident.
type MemoryResult struct {
	Name             string  `json:"name"`
	Entries          int     `json:"entries"`
	Files            int     `json:"files"`
	ImportPeakBytes  int64   `json:"import_peak_bytes"`
	ImportSeconds    float64 `json:"import_seconds"`
	Import           Memory  `json:"import"` // at its peak of RSS, as last sampled
	ServingRSSBytes  int64   `json:"serving_rss_bytes"`
	ServingPeakBytes int64   `json:"serving_peak_bytes"`
	Serving          Memory  `json:"serving"`
	StatusPages      int     `json:"status_pages"`
	KioskSearches    int     `json:"kiosk_searches"`
	DataBytes        int64   `json:"data_bytes"` // ksmart.db and the index
	Ratio            float64 `json:"ratio"`
	TargetServing    int64   `json:"target_serving_bytes"`
	TargetImport     int64   `json:"target_import_bytes"`
	TargetServingMet bool    `json:"target_serving_met"`
	TargetImportMet  bool    `json:"target_import_met"`
}

// RunMemory writes a register of c.Entries synthetic births as CSV, runs
// `ksmart import births` on a fresh data directory as a child process
// (indexing while it imports, as the command does) and samples its
// memory; has c.Files applications submitted in this process and indexed;
// then runs `ksmart serve` on the directory as a child process, reads
// c.Status status pages and makes a few kiosk searches through HTTP, and
// reads the server's memory. It removes its scratch files.
func RunMemory(ctx context.Context, c MemoryConfig) (MemoryResult, error) {
	if c.Entries == 0 {
		c.Entries = 1_000_000
	}
	if c.Files == 0 {
		c.Files = 100_000
	}
	if c.Status == 0 {
		c.Status = 2000
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	if c.Env == nil {
		c.Env = os.Environ()
	}
	res := MemoryResult{Name: "memory", Entries: c.Entries, Files: c.Files, TargetServing: memoryTargetServing, TargetImport: memoryTargetImport}
	if c.Executable == "" {
		return res, errors.New("bench: the memory benchmark needs the ksmart binary to run")
	}
	scratch, err := os.MkdirTemp(c.Dir, "ksmart-bench-memory-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(scratch)
	data := filepath.Join(scratch, "appliance")

	c.OnPhase(fmt.Sprintf("writing a register of %d births (CSV)", c.Entries))
	csvPath := filepath.Join(scratch, "births.csv")
	if err := writeLegacyBirths(csvPath, c.Entries); err != nil {
		return res, err
	}
	registrar, err := memorySetUp(data)
	if err != nil {
		return res, err
	}

	c.OnPhase(fmt.Sprintf("ksmart import births: %d rows, indexing as it imports, in a process of its own", c.Entries))
	start := time.Now()
	imp := exec.CommandContext(ctx, c.Executable, "import", "births", csvPath, "--data", data, "--registrar", registrar)
	imp.Env = c.Env
	var impOut bytes.Buffer
	imp.Stdout, imp.Stderr = &impOut, &impOut
	if res.Import, err = peakOf(imp); err != nil {
		return res, fmt.Errorf("ksmart import: %w: %s", err, lastLine(impOut.String()))
	}
	res.ImportSeconds = time.Since(start).Seconds()
	res.ImportPeakBytes = res.Import.Peak

	c.OnPhase(fmt.Sprintf("submitting %d applications from %d citizens, and indexing them", c.Files, citizensFor(c.Files)))
	numbers, err := memoryFiles(ctx, data, c.Files, c.Status)
	if err != nil {
		return res, err
	}
	// A missing index (not yet built) counts as nothing.
	dbBytes, _ := dirBytes(filepath.Join(data, "ksmart.db"))
	indexBytes, _ := dirBytes(filepath.Join(data, "index"))
	res.DataBytes = dbBytes + indexBytes

	c.OnPhase("ksmart serve, in a process of its own")
	srv, err := startServer(ctx, c.Executable, c.Env, data)
	if err != nil {
		return res, err
	}
	defer srv.stop()
	c.OnPhase(fmt.Sprintf("reading %d status pages and making %d kiosk searches through HTTP", len(numbers), memoryKioskSearches))
	if res.StatusPages, res.KioskSearches, err = memoryLoad(ctx, srv.base, numbers, c.Entries); err != nil {
		return res, fmt.Errorf("%w (the server said: %s)", err, lastLine(srv.out.String()))
	}
	if res.Serving, err = readMemory(srv.cmd.Process.Pid); err != nil {
		return res, err
	}
	res.ServingRSSBytes, res.ServingPeakBytes = res.Serving.RSS, res.Serving.Peak
	if err := srv.stop(); err != nil {
		return res, fmt.Errorf("ksmart serve did not stop cleanly: %w: %s", err, lastLine(srv.out.String()))
	}
	res.Ratio = float64(res.ServingRSSBytes) / float64(max(res.DataBytes, 1))
	// The server is judged by what it holds once it serves: its peak also
	// counts bbolt's open, which maps every page of the file while it
	// rebuilds the freelist (NoFreelistSync) and then gives them back.
	res.TargetServingMet = res.ServingRSSBytes <= memoryTargetServing
	res.TargetImportMet = res.ImportPeakBytes <= memoryTargetImport
	return res, nil
}

// memorySetUp makes a fresh data directory for the demo's local body with
// its registrar, whom the import names, and returns the registrar's login.
func memorySetUp(data string) (string, error) {
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: data, LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return "", err
	}
	registrar, err := synth.DemoRegistrar(app)
	if cerr := app.Close(); err == nil {
		err = cerr
	}
	return registrar, err
}

// memoryFiles opens the data directory in this process, has citizens
// submit n birth certificate applications through workflow.Submit, waits
// for the index to hold them, and returns up to sample of their numbers.
func memoryFiles(ctx context.Context, data string, n, sample int) ([]string, error) {
	app, err := appliance.Open(appliance.Config{Dir: data, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer app.Close()
	indexCtx, stopIndexing := context.WithCancel(ctx)
	defer stopIndexing()
	app.FollowIndex(indexCtx)
	svc, ok := app.Catalogue.Get("birth_certificate")
	if !ok {
		return nil, errors.New("bench: the catalogue has no birth_certificate service")
	}
	numbers := make([]string, 0, sample)
	taken := make(chan string, sample)
	var next atomic.Int64
	err = parallelErr(citizensFor(n), func(i int) error {
		u, err := synth.Citizen(app, fmt.Sprintf("95%08d", i), "Bench Citizen", fmt.Sprintf("bench-citizen-%d", i))
		if err != nil {
			return err
		}
		actor := u.Actor()
		rng := rand.New(rand.NewPCG(uint64(i), 24))
		forms := make([]map[string]string, 8)
		for k := range forms {
			forms[k], _ = synth.FillForm(rng, svc, app.LocalBody, synth.NewPerson(rng), app.Now())
		}
		for k := 0; next.Add(1) <= int64(n); k++ {
			f, err := app.Workflow.Submit(actor, workflow.Submission{Service: svc.Code, Values: forms[k%len(forms)],
				Channel: workflow.ChannelOnline, Applicant: workflow.Applicant{Name: domain.T(actor.Name, "")}})
			if err != nil {
				return err
			}
			select {
			case taken <- f.Number:
			default:
			}
		}
		return nil
	})
	close(taken)
	if err != nil {
		return nil, err
	}
	for num := range taken {
		numbers = append(numbers, num)
	}
	return numbers, app.Search.WaitFor(ctx, app.Store.LastSeq())
}

// server is `ksmart serve` running as a child process.
type server struct {
	cmd     *exec.Cmd
	base    string
	out     *bytes.Buffer // what it logged, for an error
	stopped bool
	err     error
}

// startServer runs `ksmart serve` on data at a free loopback port and waits
// for the line that gives its address.
func startServer(ctx context.Context, exe string, env []string, data string) (*server, error) {
	cmd := exec.CommandContext(ctx, exe, "serve", "--data", data, "--addr", "127.0.0.1:0", "--log-format", "text")
	cmd.Env = env
	s := &server{cmd: cmd, out: &bytes.Buffer{}}
	cmd.Stderr = s.out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if i := strings.Index(lines.Text(), "http://"); i >= 0 {
			s.base = strings.TrimSuffix(strings.Fields(lines.Text()[i:])[0], "/")
			go io.Copy(io.Discard, stdout)
			return s, nil
		}
	}
	s.stop()
	return nil, fmt.Errorf("ksmart serve stopped before it listened: %s", lastLine(s.out.String()))
}

// stop ends the server as an operator does (SIGTERM) and waits for it.
func (s *server) stop() error {
	if s.stopped {
		return s.err
	}
	s.stopped = true
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.err = s.cmd.Wait()
	return s.err
}

// memoryLoad reads the status page of each number and makes
// memoryKioskSearches kiosk searches for entries of the register.
func memoryLoad(ctx context.Context, base string, numbers []string, entries int) (status, searches int, err error) {
	client := &http.Client{Timeout: time.Minute}
	if err := waitUntil(ctx, time.Minute, func() (bool, error) {
		resp, err := client.Get(base + "/healthz")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	}); err != nil {
		return 0, 0, fmt.Errorf("the server never answered /healthz: %w", err)
	}
	for _, num := range numbers {
		resp, err := client.Get(base + "/status?number=" + url.QueryEscape(num))
		if err != nil {
			return status, 0, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(num)) {
			return status, 0, fmt.Errorf("the status page of %s answered %d", num, resp.StatusCode)
		}
		status++
	}
	kiosks := make([]*kioskClient, memoryKiosks)
	for i := range kiosks {
		if kiosks[i], err = newKioskClient(base, &http.Transport{}); err != nil {
			return status, 0, err
		}
	}
	qs, _ := legacy.RelevanceQueries(entries, 1, memoryKioskSearches, 11)
	for i, q := range qs {
		if err := kiosks[i%len(kiosks)].search(q); err != nil {
			return status, searches, err
		}
		searches++
	}
	return status, searches, nil
}

// peakOf runs cmd to its end, sampling its memory every 10 ms, and returns
// the sample with the highest RSS and, as Peak, the highest VmHWM read (a
// high-water mark, so only what grows in the last 10 ms could be missed).
func peakOf(cmd *exec.Cmd) (Memory, error) {
	if err := cmd.Start(); err != nil {
		return Memory{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var top Memory
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return top, err
		case <-tick.C:
			m, err := readMemory(cmd.Process.Pid)
			if err != nil {
				continue // it is ending
			}
			peak := max(top.Peak, m.Peak)
			if m.RSS > top.RSS {
				top = m
			}
			top.Peak = peak
		}
	}
}

// readMemory reads a process's VmRSS, VmHWM, RssAnon and RssFile.
func readMemory(pid int) (Memory, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	fields := map[string]*int64{"VmRSS:": &m.RSS, "VmHWM:": &m.Peak, "RssAnon:": &m.Anon, "RssFile:": &m.File}
	for line := range strings.Lines(string(raw)) {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == "kB" {
			if p := fields[f[0]]; p != nil {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				*p = kb << 10
			}
		}
	}
	if m.RSS == 0 {
		return m, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return m, nil
}

// lastLine is the last non-empty line of a child's output.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// WriteTable writes the figures as `ksmart bench memory` prints them.
func (r MemoryResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "memory: the appliance's resident memory with %d register entries and %d files (%s on disk)\n\n", r.Entries, r.Files, humanBytes(r.DataBytes))
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tpeak (VmHWM)\tRSS\tof it anonymous\tof it mapped files\ttarget\t\n")
	fmt.Fprintf(w, "ksmart import births, %d rows with indexing, %.0f s\t%s\t%s\t%s\t%s\t<= %s: %s\t\n", r.Entries, r.ImportSeconds,
		humanBytes(r.ImportPeakBytes), humanBytes(r.Import.RSS), humanBytes(r.Import.Anon), humanBytes(r.Import.File), humanBytes(r.TargetImport), metOrNot(r.TargetImportMet))
	fmt.Fprintf(w, "ksmart serve, after %d status pages and %d kiosk searches\t%s\t%s\t%s\t%s\t<= %s: %s\t\n", r.StatusPages, r.KioskSearches,
		humanBytes(r.ServingPeakBytes), humanBytes(r.ServingRSSBytes), humanBytes(r.Serving.Anon), humanBytes(r.Serving.File), humanBytes(r.TargetServing), metOrNot(r.TargetServingMet))
	w.Flush()
	fmt.Fprintf(out, "\nthe import's RSS is the sample at its highest (every 10 ms); mapped files are pages of ksmart.db and the index that the kernel may drop and read again\n")
	fmt.Fprintf(out, "the server's target is judged on its RSS while it serves; its peak includes the open, where bbolt maps every page of ksmart.db to rebuild its freelist before the store gives them back\n")
	fmt.Fprintf(out, "ratio, serving RSS over the data on disk (ksmart.db and the index): %.2f\n", r.Ratio)
}
