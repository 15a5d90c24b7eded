package store

import (
	"fmt"
	"os"
	"testing"
)

func TestZZDumpChanges(t *testing.T) {
	dir := os.Getenv("ZZ_DIR")
	if dir == "" {
		t.Skip()
	}
	s, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evs, css, err := s.ReadReplica(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := 0
	for i, ev := range evs {
		if ev.Type == os.Getenv("ZZ_TYPE") {
			last = i
		}
	}
	for i, ev := range evs {
		if i < last-2 || i > last+2 {
			continue
		}
		fmt.Printf("event %d %s %s %d bytes\n", ev.Seq, ev.Type, ev.ID, len(ev.Data))
		if css[i] != nil {
			eachChange(css[i], func(op byte, top []byte, sub string, key, value []byte) error {
				fmt.Printf("   %c %s / %s / %s  %d\n", op, top, sub, key, len(value))
				return nil
			})
		}
	}
}
