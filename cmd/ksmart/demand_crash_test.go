package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/synth"
	"ksmart/store"
)

// lockedBuffer is a process's stderr that the test may read while the
// process writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startLogged is start, with the process's log readable while it runs.
func startLogged(t *testing.T, args ...string) (*process, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KSMART_TEST_AS_MAIN=1")
	stdout, _ := cmd.StdoutPipe()
	log := &lockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	p := &process{cmd: cmd, stderr: &bytes.Buffer{}}
	lines := bufio.NewScanner(stdout)
	deadline := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		if i := strings.Index(lines.Text(), "http://"); i >= 0 {
			p.url = strings.Fields(lines.Text()[i:])[0]
			go io.Copy(io.Discard, stdout)
			return p, log
		}
	}
	cmd.Wait()
	t.Fatalf("ksmart %v did not start: %s", args, log)
	return nil, nil
}

// lastSeq asks a serving process for the last event it committed.
func lastSeq(t *testing.T, p *process) uint64 {
	t.Helper()
	code, body := p.get(t, "/healthz")
	var h struct {
		LastSeq uint64 `json:"last_seq"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &h) != nil {
		t.Fatalf("GET /healthz = %d %s", code, body)
	}
	return h.LastSeq
}

// TestServe_KilledWhileRaisingTheHalfYearsDemandsResumesWithOneDemandEach:
// a register of 12,000 buildings is entered on the last day of the
// previous half-year, as a revenue section would before the new one; then
// `ksmart serve` starts in the new half-year and its job raises the
// half-year's demands, a write per 500 buildings. The process is killed
// with SIGKILL part-way through and started again: the job resumes where
// its record says, and every building ends with exactly one demand for
// the half-year (an exempt one none), the books balance, and the job's
// record says it is done.
func TestServe_KilledWhileRaisingTheHalfYearsDemandsResumesWithOneDemandEach(t *testing.T) {
	const buildings = 12000
	dir := t.TempDir()
	per := propertytax.PeriodOf(time.Now())
	eve := per.Start().Add(-6 * time.Hour)
	lb := synth.DemoLocalBody()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: quiet, Now: func() time.Time { return eve }})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(14, 14))
	for w := 1; w <= 4; w++ {
		bs := synth.Buildings(rng, w, buildings/4, per.Prev(), eve)
		for i := 0; i < len(bs); i += 1000 {
			if err := app.PropertyTax.RegisterMany(domain.System, bs[i:i+1000]); err != nil {
				t.Fatal(err)
			}
		}
	}
	app.Close()

	serve := func() (*process, *lockedBuffer) {
		return startLogged(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "text")
	}
	p, _ := serve()
	// The job starts as the appliance starts: kill it once a few of its
	// writes have committed.
	first := lastSeq(t, p)
	deadline := time.Now().Add(60 * time.Second)
	for lastSeq(t, p) < first+4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	jobOf := func() propertytax.DemandJob {
		t.Helper()
		app, err := appliance.Open(appliance.Config{Dir: dir, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		job, err := app.PropertyTax.DemandJobOf(per)
		if err != nil {
			t.Fatal(err)
		}
		return job
	}
	atKill := jobOf()
	if atKill.Done || atKill.Raised == 0 {
		t.Fatalf("at the kill the job had raised %d demands (done: %v); the kill must fall in the middle", atKill.Raised, atKill.Done)
	}

	p, log := serve()
	for !strings.Contains(log.String(), "half-year's demands raised") && time.Now().Before(deadline.Add(60*time.Second)) {
		if strings.Contains(log.String(), "raising the half-year's demands") {
			t.Fatalf("the job failed after the restart:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d after the job:\n%s", code, log)
	}

	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := app.Store.Check(); err != nil {
		t.Fatal(err)
	}
	job, err := app.PropertyTax.DemandJobOf(per)
	if err != nil || !job.Done || job.Buildings != buildings {
		t.Fatalf("the job's record after the restart: %+v %v; want done over %d buildings", job, err, buildings)
	}
	owing := 0
	for w := 1; w <= 4; w++ {
		bs, err := app.PropertyTax.ByWard(w, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		err = app.Store.View(func(tx *store.Tx) error {
			for _, b := range bs {
				a, err := app.PropertyTax.Rules.Assess(b, per.Year)
				if err != nil {
					return err
				}
				want := 0
				if propertytax.Instalment(a.Tax, per.Half)+propertytax.Instalment(a.Cess, per.Half) > 0 {
					want = 1
				}
				owing += want
				ds, err := app.Finance.DemandsFor(tx, propertytax.RefBuilding, b.ID)
				if err != nil {
					return err
				}
				got := 0
				for _, d := range ds {
					if d.Due.Equal(per.Due()) {
						got++
					}
				}
				if got != want {
					t.Errorf("building %s has %d demands for %s, want %d", b.Number, got, per, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if job.Raised != owing {
		t.Errorf("the job's record says %d raised; %d buildings owe", job.Raised, owing)
	}
	tb, err := app.Finance.TrialBalance(domain.Actor{ID: "u-acc", Roles: []domain.Role{domain.RoleAccountant}}, "2099-12-31")
	if err != nil || tb.TotalDebit != tb.TotalCredit {
		t.Fatalf("the books after the kill and the restart: %v against %v (%v)", tb.TotalDebit, tb.TotalCredit, err)
	}
	t.Logf("%d buildings; SIGKILL after %d of the %d %s demands were raised (%d buildings done); after the restart each owing building has one, %d exempt none",
		buildings, atKill.Raised, owing, per, atKill.Buildings, buildings-owing)
}
