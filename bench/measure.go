package bench

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// parallel runs fn in n goroutines and waits for them all.
func parallel(n int, fn func()) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	wg.Wait()
}

// parallelErr runs fn(0..n-1) concurrently and returns the first error.
func parallelErr(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(i); err != nil {
				once.Do(func() { first = err })
			}
		}()
	}
	wg.Wait()
	return first
}

// orDefault sets *v to d when it is not positive: a config's zero field
// takes its default.
func orDefault(v *int, d int) {
	if *v <= 0 {
		*v = d
	}
}

// ms is d in milliseconds to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// msFine is d in milliseconds to the nanosecond: an empty page takes
// fractions of a millisecond.
func msFine(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// waitUntil calls ok every 10 ms until it says true, fails, ctx ends or
// limit passes.
func waitUntil(ctx context.Context, limit time.Duration, ok func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		done, err := ok()
		if done || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up after %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// fileMiB is the size of the file at path in MiB.
func fileMiB(path string) (float64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return float64(fi.Size()) / (1 << 20), nil
}

// humanBytes writes a size the way people read it: 23.4 MiB (as ksmart
// reindex prints an index's size).
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// metOrNot says whether a target was met, as the tables print it.
func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
