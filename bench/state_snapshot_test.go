package bench

import (
	"context"
	"testing"
)

// BenchmarkStateSnapshot reports what a follower that was down while
// 60,000 events arrived receives to install a snapshot, beside the whole
// state.db the first design would have sent, and both carried to 10
// million events (go test -bench StateSnapshot -run ^$ ./bench/).
func BenchmarkStateSnapshot(b *testing.B) {
	var r SnapshotResult
	for b.Loop() {
		var err error
		if r, err = RunStateSnapshot(context.Background(), SnapshotConfig{Dir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.InstallBytes), "install-bytes")
	b.ReportMetric(r.InstallSeconds, "install-s")
	b.ReportMetric(float64(r.FullCopyBytes), "full-copy-bytes")
	b.ReportMetric(r.Ratio, "ratio")
	b.ReportMetric(float64(r.Install10MBytes), "install-bytes@10M")
	b.ReportMetric(float64(r.FullCopy10MBytes), "full-copy-bytes@10M")
}

func TestStateSnapshot_ASmallRunReportsEveryFigure(t *testing.T) {
	r, err := RunStateSnapshot(context.Background(), SnapshotConfig{Dir: t.TempDir(), Bodies: 2, Events: 20_000, CutOff: 2_000, DataBytes: 200, TrailingLogs: 8})
	if err != nil {
		t.Fatal(err)
	}
	if r.Installs == 0 || r.InstallBytes <= 0 || r.InstallSeconds <= 0 || r.CutOffBytes <= 0 || r.FullCopyBytes <= 0 || r.FullCopy10MBytes <= r.FullCopyBytes {
		t.Fatalf("figures missing: %+v", r)
	}
	// The install carries the new events, not the state.
	if r.InstallBytes > 2*r.CutOffBytes+64<<10 || r.InstallBytes*5 > r.FullCopyBytes {
		t.Fatalf("the follower received %d bytes for %d bytes of new events; the state is %d bytes", r.InstallBytes, r.CutOffBytes, r.FullCopyBytes)
	}
	t.Logf("install %d bytes in %.2fs for %d bytes of new events; whole file %d bytes", r.InstallBytes, r.InstallSeconds, r.CutOffBytes, r.FullCopyBytes)
}
