package bench

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCluster reports the state cluster's commit rate from 10
// shippers through the HTTPS API beside raw raft's with the same entries
// (go test -bench Cluster -run ^$ ./bench/).
func BenchmarkCluster(b *testing.B) {
	var r StateResult
	for b.Loop() {
		var err error
		if r, err = RunState(context.Background(), StateConfig{Dir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.EventsPerSec, "events/s")
	b.ReportMetric(r.P50Ms, "p50-ms")
	b.ReportMetric(r.P99Ms, "p99-ms")
	b.ReportMetric(r.RawEventsPerSec, "raw-events/s")
	b.ReportMetric(r.Ratio, "ratio")
}

func TestState_ASmallRunReportsEveryFigure(t *testing.T) {
	r, err := RunState(context.Background(), StateConfig{Dir: t.TempDir(), Shippers: 3, Batch: 200, Events: 7200, Rounds: 2,
		SteadyRate: 500, SteadyFor: time.Second, Backlog: 20_000})
	if err != nil {
		t.Fatal(err)
	}
	if r.EventsPerSec <= 0 || r.RawEventsPerSec <= 0 || r.Ratio <= 0 || r.P99Ms < r.P50Ms || r.EventBytes <= 0 || r.Events != 7200 || len(r.RoundEventsPerSec) != 2 {
		t.Fatalf("figures missing: %+v", r)
	}
	if r.SteadyRate <= 0 || r.LagP99Seconds < r.LagP50Seconds || r.LagMaxSeconds < r.LagP99Seconds || r.Backlog != 20_000 || r.CatchUpSeconds <= 0 || r.BacklogBytes <= 0 {
		t.Fatalf("shipper figures missing: %+v", r)
	}
	t.Logf("steady %d events/s: lag p50 %.3fs p99 %.3fs; backlog of %d events (%d bytes) caught up in %.2fs", r.SteadyRate, r.LagP50Seconds, r.LagP99Seconds, r.Backlog, r.BacklogBytes, r.CatchUpSeconds)
}
