package store

import (
	"bytes"
	"testing"
	"time"
)

func sampleEvent() Event {
	e := Event{Seq: 7, Time: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Actor: "staff:clerk1", Type: "application.forwarded",
		Version: 1, Entity: "application", ID: "a1", Data: []byte(`{"to":"registrar"}`), Prev: bytes.Repeat([]byte{9}, 32)}
	e.Hash = e.ComputeHash()
	return e
}

func TestEvent_EncodeDecodeRoundTripAndVerify(t *testing.T) {
	e := sampleEvent()
	got, err := DecodeEvent(e.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Encode(), e.Encode()) || !got.Time.Equal(e.Time) || got.Actor != e.Actor {
		t.Fatalf("round trip changed the event: %+v", got)
	}
	if err := got.Verify(e.Prev); err != nil {
		t.Fatal(err)
	}
	got.Data = []byte(`{"to":"secretary"}`)
	if got.Verify(e.Prev) == nil {
		t.Fatal("an edited event still verifies")
	}
}

func FuzzDecodeEvent(f *testing.F) {
	e := sampleEvent()
	f.Add(e.Encode())
	f.Add([]byte{1, 0, 0})
	f.Add(bytes.Repeat([]byte{1}, 80))
	bound := sampleEvent()
	bound.Changes = bytes.Repeat([]byte{5}, 32)
	f.Add(bound.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeEvent(b)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes to the very same bytes: there is one
		// encoding per event, so a hash can never be made to match two.
		if !bytes.Equal(ev.Encode(), b) {
			t.Fatalf("decode/encode not canonical:\n in %x\nout %x", b, ev.Encode())
		}
	})
}
