package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/store"
	"ksmart/store/storetest"
)

type application struct {
	Number  string `json:"number"`
	Service string `json:"service"`
	Status  string `json:"status"`
}

// submit is what a module's write looks like: a number, a document, a
// unique key and an event, all in one Write.
func submit(s *store.Store, id string) (application, []store.Event, error) {
	var app application
	evs, err := s.Write(func(tx *store.Tx) error {
		n, err := tx.NextNumber("application/BR/2026")
		if err != nil {
			return err
		}
		app = application{Number: fmt.Sprintf("KS/M0701/2026/BR/%d", n), Service: "BR", Status: "submitted"}
		if err := tx.ClaimKey("application_number", app.Number, id); err != nil {
			return err
		}
		if err := tx.Put("application", id, app); err != nil {
			return err
		}
		return tx.Emit("citizen:1", store.EventType{Name: "application.submitted", Version: 1}, "application", id, app)
	})
	return app, evs, err
}

func TestWrite_StateAndChainedEventCommitTogether(t *testing.T) {
	s := storetest.Open(t)
	app, evs, err := submit(s, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Seq != 1 || len(evs[0].Hash) != 32 || len(evs[0].Prev) != 0 {
		t.Fatalf("first event = %+v", evs)
	}
	_, evs2, err := submit(s, "a2")
	if err != nil {
		t.Fatal(err)
	}
	if evs2[0].Seq != 2 || !bytes.Equal(evs2[0].Prev, evs[0].Hash) {
		t.Fatalf("second event does not chain to the first: %+v", evs2[0])
	}
	var got application
	err = s.View(func(tx *store.Tx) error {
		if err := tx.Get("application", "a1", &got); err != nil {
			return err
		}
		id, err := tx.Lookup("application_number", app.Number)
		if id != "a1" {
			return fmt.Errorf("lookup %s = %q, %v", app.Number, id, err)
		}
		return err
	})
	if err != nil || got != app {
		t.Fatalf("got %+v, %v; want %+v", got, err, app)
	}
	log, err := s.ReadLog(1, 0)
	if err != nil || len(log) != 2 || log[1].Type != "application.submitted" || !strings.Contains(string(log[1].Data), "KS/M0701/2026/BR/2") {
		t.Fatalf("log = %+v, %v", log, err)
	}
}

func TestWrite_FailingFunctionLeavesNoTraceAndSparesItsBatch(t *testing.T) {
	s := storetest.Open(t)
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Write(func(tx *store.Tx) error {
				if _, err := tx.NextNumber("n"); err != nil {
					return err
				}
				if err := tx.Put("doc", fmt.Sprint(i), i); err != nil {
					return err
				}
				if err := tx.Emit("t", store.EventType{Name: "doc.put", Version: 1}, "doc", fmt.Sprint(i), i); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return errors.New("refused by the module")
				case 2:
					panic("a bug in one writer")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	var committed int
	for i, err := range errs {
		if (i%4 == 1 || i%4 == 2) != (err != nil) {
			t.Errorf("writer %d: err = %v", i, err)
		}
		if err == nil {
			committed++
		}
	}
	s.View(func(tx *store.Tx) error {
		if n := tx.Count("doc"); n != committed {
			t.Errorf("%d documents, want %d (failed writers must leave nothing)", n, committed)
		}
		if n := tx.CurrentNumber("n"); int(n) != committed {
			t.Errorf("sequence at %d, want %d: a failed write consumed a number", n, committed)
		}
		return nil
	})
	if s.LastSeq() != uint64(committed) {
		t.Errorf("log has %d events, want %d", s.LastSeq(), committed)
	}
}

func TestClaimKey_SecondOwnerIsRefused(t *testing.T) {
	s := storetest.Open(t)
	claim := func(id string) error {
		_, err := s.Write(func(tx *store.Tx) error {
			if err := tx.ClaimKey("phone", "+919847000001", id); err != nil {
				return err
			}
			return tx.Append(store.Event{Type: "user.phone_claimed", Entity: "user", ID: id})
		})
		return err
	}
	if err := claim("u1"); err != nil {
		t.Fatal(err)
	}
	if err := claim("u1"); err != nil {
		t.Fatalf("claiming a key one already holds: %v", err)
	}
	err := claim("u2")
	if !errors.Is(err, store.ErrDuplicate) || !strings.Contains(err.Error(), "+919847000001") {
		t.Fatalf("second owner: %v; want ErrDuplicate naming the phone", err)
	}
}

func TestScan_PrefixLimitPagingAndReverse(t *testing.T) {
	s := storetest.Open(t)
	_, err := s.Write(func(tx *store.Tx) error {
		for _, id := range []string{"2025-003", "2026-001", "2026-002", "2026-003", "2026-004", "2027-001"} {
			if err := tx.Put("file", id, id); err != nil {
				return err
			}
		}
		return tx.Append(store.Event{Type: "file.created", Entity: "file", ID: "2025-003"})
	})
	if err != nil {
		t.Fatal(err)
	}
	scan := func(opt store.ScanOptions) string {
		var ids []string
		s.View(func(tx *store.Tx) error {
			return tx.Scan("file", opt, func(id string, _ []byte) error { ids = append(ids, id); return nil })
		})
		return strings.Join(ids, " ")
	}
	for _, c := range []struct {
		opt  store.ScanOptions
		want string
	}{
		{store.ScanOptions{Prefix: "2026-"}, "2026-001 2026-002 2026-003 2026-004"},
		{store.ScanOptions{Prefix: "2026-", Limit: 2}, "2026-001 2026-002"},
		{store.ScanOptions{Prefix: "2026-", After: "2026-002", Limit: 2}, "2026-003 2026-004"},
		{store.ScanOptions{Prefix: "2026-", Reverse: true, Limit: 3}, "2026-004 2026-003 2026-002"},
		{store.ScanOptions{Prefix: "2026-", Reverse: true, After: "2026-002"}, "2026-001"},
		{store.ScanOptions{Reverse: true, Limit: 1}, "2027-001"},
		{store.ScanOptions{Prefix: "2030"}, ""},
	} {
		if got := scan(c.opt); got != c.want {
			t.Errorf("scan %+v = %q, want %q", c.opt, got, c.want)
		}
	}
}

func TestNextNumber_NeverRepeatsAcrossWritersAndRestarts(t *testing.T) {
	dir := t.TempDir()
	seen := map[uint64]bool{}
	for round := range 3 {
		s, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					var n uint64
					if _, err := s.Write(func(tx *store.Tx) (err error) { n, err = tx.NextNumber("B/2026"); return err }); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if seen[n] {
						t.Errorf("round %d: number %d handed out twice", round, n)
					}
					seen[n] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		s.Close()
	}
	if len(seen) != 3*16*20 {
		t.Fatalf("%d distinct numbers, want %d", len(seen), 3*16*20)
	}
}

func TestFollow_DeliversBacklogThenWakesOnNewEvents(t *testing.T) {
	s := storetest.Open(t)
	for i := range 5 {
		submit(s, fmt.Sprint("old", i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan uint64, 100)
	done := make(chan error, 1)
	go func() {
		done <- s.Follow(ctx, 3, 2, func(evs []store.Event) error {
			for _, e := range evs {
				got <- e.Seq
			}
			return nil
		})
	}()
	for want := uint64(3); want <= 5; want++ {
		if seq := <-got; seq != want {
			t.Fatalf("follower got %d, want %d", seq, want)
		}
	}
	submit(s, "new")
	select {
	case seq := <-got:
		if seq != 6 {
			t.Fatalf("follower got %d after a new write, want 6", seq)
		}
	case <-ctx.Done():
		t.Fatal("follower was not woken by a new commit")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("follow ended with %v", err)
	}
}

func TestBlob_ContentAddressedDeduplicatedAndLimited(t *testing.T) {
	s := storetest.OpenDir(t, t.TempDir(), store.Options{MaxBlobSize: 1 << 10})
	photo := bytes.Repeat([]byte("jpeg"), 100)
	var sum1, sum2 string
	_, err := s.Write(func(tx *store.Tx) (err error) {
		if sum1, err = tx.PutBlob(photo); err != nil {
			return err
		}
		if sum2, err = tx.PutBlob(photo); err != nil {
			return err
		}
		return tx.Append(store.Event{Type: "photo.uploaded", Entity: "photo", ID: sum1})
	})
	if err != nil || sum1 != sum2 || len(sum1) != 64 {
		t.Fatalf("sums %q %q, %v", sum1, sum2, err)
	}
	s.View(func(tx *store.Tx) error {
		b, err := tx.Blob(sum1)
		if err != nil || !bytes.Equal(b, photo) {
			t.Errorf("blob read back: %v", err)
		}
		return nil
	})
	_, err = s.Write(func(tx *store.Tx) error { _, err := tx.PutBlob(make([]byte, 2<<10)); return err })
	if !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("2 KiB blob over a 1 KiB limit: %v", err)
	}
}

func TestOpen_SecondOpenerIsRefusedNotHung(t *testing.T) {
	dir := t.TempDir()
	storetest.OpenDir(t, dir, store.Options{})
	start := time.Now()
	_, err := store.Open(dir, store.Options{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "another ksmart process") {
		t.Fatalf("second open: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("second open hung for %s", time.Since(start))
	}
}

func TestOpen_DataDirectoryThatIsAFileIsRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data")
	os.WriteFile(file, []byte("x"), 0o600)
	_, err := store.Open(file, store.Options{})
	if err == nil || !strings.Contains(err.Error(), "is a file, not a directory") {
		t.Fatalf("open on a file: %v", err)
	}
}

func TestCheck_NamesTheFirstEditedEvent(t *testing.T) {
	dir := t.TempDir()
	s, _ := store.Open(dir, store.Options{})
	for i := range 6 {
		submit(s, fmt.Sprint(i))
	}
	s.Close()
	storetest.EditEvent(t, dir, 4, func(b []byte) []byte { return bytes.Replace(b, []byte("submitted"), []byte("approved!"), 1) })
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Check()
	var ce *store.CheckError
	if !errors.As(err, &ce) || ce.Seq != 4 || !errors.Is(err, store.ErrChainBroken) {
		t.Fatalf("check after editing event 4: %v", err)
	}
}

func TestCheck_DamagedFilesAreReportedNotPanicked(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(path string)
	}{
		{"truncated", func(p string) { fi, _ := os.Stat(p); os.Truncate(p, fi.Size()/3) }},
		{"meta pages overwritten", func(p string) {
			f, _ := os.OpenFile(p, os.O_WRONLY, 0)
			f.WriteAt(bytes.Repeat([]byte{0xAB}, 8192), 0)
			f.Close()
		}},
		{"data pages overwritten", func(p string) {
			f, _ := os.OpenFile(p, os.O_WRONLY, 0)
			fi, _ := f.Stat()
			f.WriteAt(bytes.Repeat([]byte{0x5A}, int(fi.Size())-16384), 16384)
			f.Close()
		}},
		{"not a database", func(p string) { os.WriteFile(p, []byte("hello, I am a text file"), 0o600) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, _ := store.Open(dir, store.Options{})
			for i := range 300 {
				submit(s, fmt.Sprint(i))
			}
			s.Close()
			c.damage(filepath.Join(dir, store.DBFile))
			_, err := store.CheckFile(filepath.Join(dir, store.DBFile))
			if err == nil || !store.IsCorrupt(err) {
				t.Fatalf("check of a %s file: %v", c.name, err)
			}
		})
	}
}

func TestBackup_UnderConcurrentWritesRestoresExactlyUpToItsSequence(t *testing.T) {
	s := storetest.Open(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := submit(s, fmt.Sprintf("w%d-%d", w, i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for s.LastSeq() < 200 {
		time.Sleep(time.Millisecond)
	}
	backup := filepath.Join(t.TempDir(), "nightly.kbak")
	info, err := s.BackupFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // let writes go on past the backup
	close(stop)
	wg.Wait()
	if s.LastSeq() <= info.Seq {
		t.Fatalf("writes did not continue past the backup (last %d, backup %d)", s.LastSeq(), info.Seq)
	}

	restored := t.TempDir()
	if _, err := store.Restore(backup, restored, false); err != nil {
		t.Fatal(err)
	}
	r := storetest.OpenDir(t, restored, store.Options{})
	if r.LastSeq() != info.Seq || !bytes.Equal(r.LastHash(), info.Hash) {
		t.Fatalf("restored store ends at %d, backup said %d", r.LastSeq(), info.Seq)
	}
	orig, _ := s.ReadLog(1, int(info.Seq))
	back, _ := r.ReadLog(1, 0)
	if len(orig) != len(back) || !bytes.Equal(orig[len(orig)-1].Hash, back[len(back)-1].Hash) {
		t.Fatalf("restored log differs from the original's first %d events", info.Seq)
	}
	// A restore never overwrites a store silently.
	if _, err := store.Restore(backup, restored, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over an existing store: %v", err)
	}
}

func TestRestore_RefusesADamagedBackup(t *testing.T) {
	s := storetest.Open(t)
	submit(s, "x")
	backup := filepath.Join(t.TempDir(), "b.kbak")
	if _, err := s.BackupFile(backup); err != nil {
		t.Fatal(err)
	}
	os.Truncate(backup, 4096)
	target := t.TempDir()
	if _, err := store.Restore(backup, target, false); err == nil {
		t.Fatal("a truncated backup was restored")
	}
	if _, err := os.Stat(filepath.Join(target, store.DBFile)); err == nil {
		t.Fatal("a failed restore left a data file behind")
	}
}

func TestReserve_NumbersAreUniqueAcrossWritersFailuresAndRestarts(t *testing.T) {
	dir := t.TempDir()
	seen := map[uint64]bool{}
	var mu sync.Mutex
	for round := range 3 {
		s, err := store.Open(dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					n, err := s.Reserve("application/X/2026/BR")
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if seen[n] {
						t.Errorf("round %d: number %d handed out twice", round, n)
					}
					seen[n] = true
					mu.Unlock()
					failing := (w+i)%5 == 0 // some writes are refused: their numbers become gaps
					s.Write(func(tx *store.Tx) error {
						if err := tx.UseNumber("application/X/2026/BR", n); err != nil {
							return err
						}
						if failing {
							return errors.New("refused")
						}
						return tx.Put("app", fmt.Sprint(n), n)
					})
				}
			}()
		}
		wg.Wait()
		// The last reservations of a round may be for refused writes; a
		// restart must still never repeat a number a committed write used.
		s.Close()
	}
	if len(seen) != 3*8*25 {
		t.Fatalf("%d distinct numbers, want %d", len(seen), 3*8*25)
	}
}

func TestScanKeys_FindsTheKeysThatBeginWithAPrefix(t *testing.T) {
	s := storetest.Open(t)
	for i := 1; i <= 12; i++ {
		if _, _, err := submit(s, fmt.Sprintf("a%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := s.View(func(tx *store.Tx) error {
		return tx.ScanKeys("application_number", store.ScanOptions{Prefix: "KS/M0701/2026/BR/1"}, func(key, id string) error {
			got = append(got, key+"="+id)
			return nil
		})
	})
	want := "KS/M0701/2026/BR/1=a01,KS/M0701/2026/BR/10=a10,KS/M0701/2026/BR/11=a11,KS/M0701/2026/BR/12=a12"
	if err != nil || strings.Join(got, ",") != want {
		t.Fatalf("ScanKeys = %v %v, want %s", got, err, want)
	}
	var none int
	s.View(func(tx *store.Tx) error {
		return tx.ScanKeys("no_such_index", store.ScanOptions{}, func(string, string) error { none++; return nil })
	})
	if none != 0 {
		t.Fatalf("an index never written has %d keys", none)
	}
}
