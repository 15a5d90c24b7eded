package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// TestMain lets the test binary be the submit benchmark's load process
// (RunSubmitLoad), which RunSubmit starts as a process of its own.
func TestMain(m *testing.M) {
	if os.Getenv("KSMART_BENCH_SUBMIT_LOAD") == "1" {
		if err := RunSubmitLoad(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testLoad runs this test binary as the load process.
func testLoad(ctx context.Context) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), "KSMART_BENCH_SUBMIT_LOAD=1")
	return cmd
}

// BenchmarkSubmitHTTP submits birth certificate applications through POST
// /api/v1/applications from 64 concurrent clients in a process of their own,
// each signed in as a citizen of its own, on a real appliance served over
// loopback HTTP; writes as many to PostgreSQL with durable commits when it
// is installed; and measures the store's own durable write rate (one event
// and one document of a submitted file's size per write, 64 writers)
// afterwards on the same disk: RunSubmit, as `ksmart bench submit` runs it
// (go test -run '^$' -bench SubmitHTTP ./bench/). The design targets are a
// ratio of at least 0.5 to the store and of 3 to PostgreSQL.
func BenchmarkSubmitHTTP(b *testing.B) {
	var r SubmitResult
	for b.Loop() {
		var err error
		if r, err = RunSubmit(context.Background(), SubmitConfig{Dir: b.TempDir(), LoadCommand: testLoad, Postgres: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.AppsPerSec, "apps/s")
	b.ReportMetric(r.P50Ms, "p50-ms")
	b.ReportMetric(r.P99Ms, "p99-ms")
	b.ReportMetric(r.StoreWritesPerSec, "store-writes/s")
	b.ReportMetric(r.Ratio, "ratio")
	if r.PostgresRatio > 0 {
		b.ReportMetric(r.PGAppsPerSec, "pg-apps/s")
		b.ReportMetric(r.PostgresRatio, "pg-ratio")
	} else {
		b.Log(r.Postgres)
	}
}
