package replication

import (
	"context"
	"testing"
)

// BenchmarkCluster reports the state cluster's commit rate from 10
// shippers through the HTTPS API beside raw raft's with the same entries
// (go test -bench Cluster -run ^$ ./replication/).
func BenchmarkCluster(b *testing.B) {
	var r BenchResult
	for b.Loop() {
		var err error
		if r, err = Bench(context.Background(), BenchConfig{Dir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.EventsPerSec, "events/s")
	b.ReportMetric(r.P50Ms, "p50-ms")
	b.ReportMetric(r.P99Ms, "p99-ms")
	b.ReportMetric(r.RawEventsPerSec, "raw-events/s")
	b.ReportMetric(r.Ratio, "ratio")
}

func TestBench_ASmallRunReportsEveryFigure(t *testing.T) {
	r, err := Bench(context.Background(), BenchConfig{Dir: t.TempDir(), Shippers: 3, Batch: 200, Events: 7200, Rounds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.EventsPerSec <= 0 || r.RawEventsPerSec <= 0 || r.Ratio <= 0 || r.P99Ms < r.P50Ms || r.EventBytes <= 0 || r.Events != 7200 || len(r.RoundEventsPerSec) != 2 {
		t.Fatalf("figures missing: %+v", r)
	}
}
