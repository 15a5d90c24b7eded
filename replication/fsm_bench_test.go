package replication

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"ksmart/store"
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
		for _, ev := range paddedChain(batch*(b.N+1), 200) {
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
				Data: ShipCommand(fmt.Sprintf("B%02d", i), chains[i][n*batch:(n+1)*batch])}
		}
		f.ApplyBatch(logs)
	}
	b.ReportMetric(float64(b.N*bodies*batch)/b.Elapsed().Seconds(), "events/s")
}

// paddedChain makes n chained events with data of about dataBytes.
func paddedChain(n, dataBytes int) []store.Event {
	evs := make([]store.Event, n)
	var prev []byte
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pad := make([]byte, max(dataBytes-60, 0))
	for i := range pad {
		pad[i] = 'a' + byte(i%26)
	}
	for i := range evs {
		ev := store.Event{Seq: uint64(i + 1), Time: t0.Add(time.Duration(i) * time.Millisecond), Actor: "clerk", Type: "application.submitted",
			Version: 1, Entity: "application", ID: fmt.Sprintf("A%08d", i+1),
			Data: fmt.Appendf(nil, `{"n":%d,"service":"birth-certificate","note":"%s"}`, i+1, pad), Prev: prev}
		ev.Hash = ev.ComputeHash()
		prev = ev.Hash
		evs[i] = ev
	}
	return evs
}
