package bench

import (
	"context"
	"testing"
)

// BenchmarkSubmitHTTP submits birth certificate applications through POST
// /api/v1/applications from 64 concurrent clients, each signed in as a
// citizen of its own, on a real appliance served over loopback HTTP, and
// measures the store's own durable write rate (one event and one document
// of a submitted file's size per write, 64 writers) afterwards on the same
// disk: RunSubmit, as `ksmart bench submit` runs it
// (go test -run '^$' -bench SubmitHTTP ./bench/). The design target is a
// ratio of at least 0.5.
func BenchmarkSubmitHTTP(b *testing.B) {
	var r SubmitResult
	for b.Loop() {
		var err error
		if r, err = RunSubmit(context.Background(), SubmitConfig{Dir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.AppsPerSec, "apps/s")
	b.ReportMetric(r.P50Ms, "p50-ms")
	b.ReportMetric(r.P99Ms, "p99-ms")
	b.ReportMetric(r.StoreWritesPerSec, "store-writes/s")
	b.ReportMetric(r.Ratio, "ratio")
}
