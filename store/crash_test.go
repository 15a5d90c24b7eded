package store_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ksmart/store"
)

// TestMain lets the test binary act as the crash test's child process.
func TestMain(m *testing.M) {
	if dir := os.Getenv("KSMART_CRASH_CHILD_DIR"); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild writes from 32 goroutines until it is killed, printing
// "ack <id> <number>" for every write only after Write has returned.
func crashChild(dir string) {
	s, err := store.Open(dir, store.Options{LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	fmt.Fprintln(out, "ready")
	out.Flush()
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				id := fmt.Sprintf("p%d-w%d-%d", os.Getpid(), w, i)
				app, _, err := submit(s, id)
				if err != nil {
					fmt.Println("error", err)
					os.Exit(1)
				}
				// A number reserved outside the write, as the workflow does.
				r, err := s.Reserve("receipt")
				if err == nil {
					_, err = s.Write(func(tx *store.Tx) error {
						if err := tx.UseNumber("receipt", r); err != nil {
							return err
						}
						if err := tx.Put("receipt", id, r); err != nil {
							return err
						}
						return tx.Append(store.Event{Type: "receipt.issued", Entity: "receipt", ID: id})
					})
				}
				if err != nil {
					fmt.Println("error", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %s %s R%d\n", id, app.Number, r)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func TestCrash_KillNineLosesNoAcknowledgedWrite(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	acked := map[string]string{} // id → application number, over all rounds
	numbers := map[string]string{}
	const rounds = 20
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KSMART_CRASH_CHILD_DIR="+dir)
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		if !lines.Scan() || lines.Text() != "ready" {
			t.Fatalf("round %d: child did not start: %q", round, lines.Text())
		}
		delay := time.Duration(5+rng.IntN(150)) * time.Millisecond
		timer := time.AfterFunc(delay, func() { cmd.Process.Signal(syscall.SIGKILL) })
		n := 0
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			if len(f) != 4 || f[0] != "ack" {
				t.Fatalf("round %d: child said %q", round, lines.Text())
			}
			if prev, dup := numbers[f[3]]; dup {
				t.Fatalf("round %d: reserved number %s acknowledged for %s and %s", round, f[3], prev, f[1])
			}
			numbers[f[3]] = f[1]
			if prev, dup := numbers[f[2]]; dup {
				t.Fatalf("round %d: number %s acknowledged for %s and %s", round, f[2], prev, f[1])
			}
			acked[f[1]], numbers[f[2]] = f[2], f[1]
			n++
		}
		cmd.Wait()
		timer.Stop()

		s, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill -9: %v", round, err)
		}
		if _, err := s.Check(); err != nil {
			t.Fatalf("round %d: check after kill -9: %v", round, err)
		}
		err = s.View(func(tx *store.Tx) error {
			for id, number := range acked {
				var app application
				if err := tx.Get("application", id, &app); err != nil {
					return fmt.Errorf("acknowledged %s lost: %v", id, err)
				}
				if app.Number != number {
					return fmt.Errorf("%s has number %s, acknowledged as %s", id, app.Number, number)
				}
			}
			// Every stored application has its own number, acknowledged or not.
			seen := map[string]bool{}
			return tx.Scan("application", store.ScanOptions{}, func(id string, raw []byte) error {
				f := strings.Split(string(raw), `"number":"`)
				num := strings.SplitN(f[1], `"`, 2)[0]
				if seen[num] {
					return fmt.Errorf("number %s stored twice", num)
				}
				seen[num] = true
				return nil
			})
		})
		last := s.LastSeq()
		s.Close()
		if err != nil {
			t.Fatalf("round %d (killed after %s, %d acks): %v", round, delay, n, err)
		}
		t.Logf("round %d: killed after %s; %d acks this round, %d in all, log at %d", round, delay, n, len(acked), last)
	}
	if len(acked) < rounds {
		t.Fatalf("only %d writes acknowledged over %d rounds; the child barely ran", len(acked), rounds)
	}
}
