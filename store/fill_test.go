package store

import (
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Files, demands and entries are numbered in order, so their buckets only
// grow at the end. Their pages are filled, not split in half as bbolt does
// by default, which left each page of demands (0.6 KB each) half empty:
// twice the pages written, and the data file growing twice as fast.
func TestWrite_DocumentsNumberedInOrderFillTheirPages(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	doc := map[string]string{"values": strings.Repeat("x", 600)}
	// 40 demands a commit, as a busy office's commits carry them.
	for i := range 10 {
		if _, err := s.Write(func(tx *Tx) error {
			for j := range 40 {
				if err := tx.Put("demand", fmt.Sprintf("%010d", 100000+i*40+j), doc); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	err = s.db.View(func(btx *bolt.Tx) error {
		st := btx.Bucket(bucketState).Bucket([]byte("demand")).Stats()
		used := float64(st.LeafInuse) / float64(st.LeafPageN*s.db.Info().PageSize)
		if used < 0.8 {
			t.Errorf("400 documents of 0.6 KB numbered in order use %.0f%% of their %d leaf pages, want >= 80%%", used*100, st.LeafPageN)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
