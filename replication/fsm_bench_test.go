package replication

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// BenchmarkFSM_ApplyBatch applies 10 raft entries of 1,000 events (ten
// bodies) per ApplyBatch, as raft hands them over under load.
func BenchmarkFSM_ApplyBatch(b *testing.B) {
	f, err := openFSM(filepath.Join(b.TempDir(), stateFile), testLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer f.close(false)
	const bodies, batch = 10, 1000
	chains := make([][][]byte, bodies)
	for i := range chains {
		for _, ev := range benchChain(batch*(b.N+1), 200) {
			chains[i] = append(chains[i], ev.Encode())
		}
	}
	b.ResetTimer()
	idx := uint64(0)
	for n := 0; n < b.N; n++ {
		logs := make([]*raft.Log, bodies)
		for i := range logs {
			idx++
			logs[i] = &raft.Log{Index: idx, Type: raft.LogCommand, AppendedAt: time.Now(),
				Data: encodeShip(fmt.Sprintf("B%02d", i), chains[i][n*batch:(n+1)*batch])}
		}
		f.ApplyBatch(logs)
	}
	b.ReportMetric(float64(b.N*bodies*batch)/b.Elapsed().Seconds(), "events/s")
}
