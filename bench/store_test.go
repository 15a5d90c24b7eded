package bench

import "testing"

// BenchmarkStoreWrites reports the store's durable write rate from 64
// writers and one writer, each beside raw bbolt measured in the same run
// (go test -run '^$' -bench StoreWrites ./bench/).
func BenchmarkStoreWrites(b *testing.B) {
	for range b.N {
		r, err := RunStore(StoreConfig{Events: 20000})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.StoreConcurrent, "events/s")
		b.ReportMetric(r.RawBatchTuned, "raw-batch-events/s")
		b.ReportMetric(r.Ratio, "ratio")
		b.ReportMetric(r.StoreSingle, "single-events/s")
		b.ReportMetric(r.DiskFsync, "fdatasync/s")
		b.ReportMetric(r.SingleRatio, "single-ratio")
	}
}

func TestStore_SmallMeasurementProducesSaneFigures(t *testing.T) {
	r, err := RunStore(StoreConfig{Writers: 8, Events: 400, SingleEvents: 50, FsyncSamples: 50})
	if err != nil {
		t.Fatal(err)
	}
	if r.StoreConcurrent <= 0 || r.RawBatchTuned <= 0 || r.DiskFsync <= 0 || r.Ratio <= 0 || r.StoreMeanBatchSize < 1 {
		t.Fatalf("figures missing: %+v", r)
	}
}
