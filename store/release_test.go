package store_test

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ksmart/store"
	"ksmart/store/storetest"
)

// mappedBytes is how much of the file at path this process has resident
// through its mappings (the Rss of its mappings in /proc/self/smaps).
func mappedBytes(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps to read resident memory from: %v", err)
	}
	defer f.Close()
	var n int64
	in := false
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			in = len(fields) >= 6 && fields[5] == path
		case in && len(fields) == 3 && fields[0] == "Rss:":
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			n += kb << 10
		}
	}
	return n
}

// readAll reads every document of the entity and returns a digest of them.
func readAll(t *testing.T, s *store.Store, entity string) string {
	t.Helper()
	h := sha256.New()
	n := 0
	err := s.View(func(tx *store.Tx) error {
		return tx.Scan(entity, store.ScanOptions{}, func(id string, raw []byte) error {
			n++
			h.Write([]byte(id))
			h.Write(raw)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d documents, %x", n, h.Sum(nil))
}

func TestReleaseMemory_PagesReadLeaveTheResidentSetAndReadBackTheSame(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, store.DBFile)
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Repeat("a register entry's particulars ", 30)
	for w := range 20 {
		_, err := s.Write(func(tx *store.Tx) error {
			for i := range 500 {
				id := fmt.Sprintf("e%03d-%03d", w, i)
				doc := map[string]string{"id": id, "note": note}
				if err := tx.Put("entry", id, doc); err != nil {
					return err
				}
				if err := tx.Emit("test", store.EventType{Name: "entry.added", Version: 1}, "entry", id, doc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	want := readAll(t, s, "entry")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	// Opening walks every page to rebuild the freelist; none of it may
	// stay resident.
	s = storetest.OpenDir(t, dir, store.Options{})
	if got := mappedBytes(t, path); got > fi.Size()/10 {
		t.Errorf("after open %d KiB of the %d KiB file are resident, want at most a tenth", got>>10, fi.Size()>>10)
	}
	if got := readAll(t, s, "entry"); got != want {
		t.Fatalf("read back %s, want %s", got, want)
	}
	read := mappedBytes(t, path)
	if read < fi.Size()/4 {
		t.Fatalf("reading every document left only %d KiB of the %d KiB file resident: the test measures nothing", read>>10, fi.Size()>>10)
	}
	if err := s.ReleaseMemory(); err != nil {
		t.Fatal(err)
	}
	released := mappedBytes(t, path)
	if released > read/10 {
		t.Errorf("after ReleaseMemory %d KiB are resident, %d KiB before; want at most a tenth", released>>10, read>>10)
	}
	if got := readAll(t, s, "entry"); got != want {
		t.Fatalf("after ReleaseMemory read back %s, want %s", got, want)
	}
	t.Logf("file %d KiB; resident after reading it all %d KiB, after ReleaseMemory %d KiB", fi.Size()>>10, read>>10, released>>10)
}
