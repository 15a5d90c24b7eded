package replication

import (
	"bytes"
	"testing"
	"time"

	"ksmart/store"
)

// FuzzScanEvent checks that scanEvent, the state's allocation-free reader,
// accepts exactly the bytes store.DecodeEvent accepts and reads the same
// sequence, time, prev and hash: the state never judges an event
// differently from the local body that wrote it.
func FuzzScanEvent(f *testing.F) {
	ev := store.Event{Seq: 7, Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Actor: "staff:clerk1", Type: "application.forwarded",
		Version: 1, Entity: "application", ID: "a1", Data: []byte(`{"to":"registrar"}`), Prev: bytes.Repeat([]byte{9}, 32)}
	ev.Hash = ev.ComputeHash()
	f.Add(ev.Encode())
	first := store.Event{Seq: 1, Type: "x"}
	first.Hash = first.ComputeHash()
	f.Add(first.Encode())
	f.Add([]byte{1, 0, 0})
	f.Add(bytes.Repeat([]byte{1}, 80))
	f.Add(append([]byte{2}, ev.Encode()[1:]...))
	bound := ev
	bound.Changes = bytes.Repeat([]byte{5}, 32)
	bound.Hash = bound.ComputeHash()
	f.Add(bound.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := store.DecodeEvent(b)
		got, gerr := scanEvent(b)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("store.DecodeEvent: %v; scanEvent: %v", werr, gerr)
		}
		if werr != nil {
			return
		}
		if got.Seq != want.Seq || !got.Time.Equal(want.Time) || !bytes.Equal(got.Prev, want.Prev) || !bytes.Equal(got.Hash, want.Hash) || !bytes.Equal(got.Changes, want.Changes) {
			t.Fatalf("scanEvent read %+v, store.DecodeEvent %+v", got, want)
		}
	})
}
