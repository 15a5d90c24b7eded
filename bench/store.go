package bench

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	bolt "go.etcd.io/bbolt"

	"ksmart/store"
)

// StoreConfig says how much the store benchmark writes. Zero fields take
// the defaults.
type StoreConfig struct {
	Dir           string // scratch directory on the disk to measure; default a temp dir
	Writers       int    // concurrent writers; default 64
	Events        int    // events per concurrent measurement; default 20,000
	SingleEvents  int    // events per single-writer measurement; default 1,000
	PayloadBytes  int    // bytes of event data and of the document; default 1,024
	FsyncSamples  int    // fdatasyncs timed for the disk's own rate; default 1,000
	OnPhase       func(name string)
	RawBatchDelay time.Duration // bbolt MaxBatchDelay for the raw baseline; default bbolt's 10ms
}

// StoreResult holds rates in events per second. Ratio compares the store
// with raw bbolt Batch given the same payloads and its best tuning
// (MaxBatchSize equal to the number of writers); SingleRatio compares one
// writer with the disk's fdatasync rate.
type StoreResult struct {
	Name               string  `json:"name"` // "store"
	Writers            int     `json:"writers"`
	PayloadBytes       int     `json:"payload_bytes"`
	StoreConcurrent    float64 `json:"store_events_per_s"`
	RawBatchTuned      float64 `json:"raw_bbolt_batch_tuned_per_s"`
	RawBatchDefault    float64 `json:"raw_bbolt_batch_default_per_s"`
	Ratio              float64 `json:"ratio"`
	StoreSingle        float64 `json:"store_single_writer_per_s"`
	RawUpdateSingle    float64 `json:"raw_bbolt_update_single_per_s"`
	DiskFsync          float64 `json:"disk_fdatasync_per_s"`
	SingleRatio        float64 `json:"single_writer_ratio_to_fsync"`
	StoreP99LatencyMs  float64 `json:"store_p99_latency_ms"`
	StoreMeanBatchSize float64 `json:"store_mean_events_per_commit"`
}

func (c *StoreConfig) defaults() {
	if c.Writers == 0 {
		c.Writers = 64
	}
	if c.Events == 0 {
		c.Events = 20000
	}
	if c.SingleEvents == 0 {
		c.SingleEvents = 1000
	}
	if c.PayloadBytes == 0 {
		c.PayloadBytes = 1024
	}
	if c.FsyncSamples == 0 {
		c.FsyncSamples = 1000
	}
	if c.RawBatchDelay == 0 {
		c.RawBatchDelay = 10 * time.Millisecond
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
}

// RunStore measures durable writes through the store from c.Writers
// concurrent writers and from one, each beside raw bbolt doing the same
// puts with the store's file options on the same disk, and the disk's own
// write+fdatasync rate. It removes its scratch files.
func RunStore(c StoreConfig) (StoreResult, error) {
	c.defaults()
	if c.Dir == "" {
		d, err := os.MkdirTemp("", "ksmart-bench-")
		if err != nil {
			return StoreResult{}, err
		}
		defer os.RemoveAll(d)
		c.Dir = d
	}
	payload := make([]byte, c.PayloadBytes)
	rand.Read(payload)
	for i := range payload { // JSON-safe: the store keeps event data as JSON
		payload[i] = 'a' + payload[i]%26
	}
	doc := []byte(`"` + string(payload[2:]) + `"`)
	r := StoreResult{Name: "store", Writers: c.Writers, PayloadBytes: c.PayloadBytes}
	var err error

	c.OnPhase("disk fdatasync rate")
	if r.DiskFsync, err = fsyncRate(c.Dir, c.PayloadBytes, c.FsyncSamples); err != nil {
		return r, err
	}
	c.OnPhase("raw bbolt Batch, tuned")
	if r.RawBatchTuned, err = rawBatch(c, doc, c.Writers); err != nil {
		return r, err
	}
	c.OnPhase("store, concurrent writers")
	if r.StoreConcurrent, r.StoreP99LatencyMs, r.StoreMeanBatchSize, err = storeWrites(c, doc, c.Writers, c.Events); err != nil {
		return r, err
	}
	c.OnPhase("raw bbolt Batch, defaults")
	if r.RawBatchDefault, err = rawBatch(c, doc, 1000); err != nil {
		return r, err
	}
	c.OnPhase("raw bbolt Update, one writer")
	if r.RawUpdateSingle, err = rawUpdate(c, doc); err != nil {
		return r, err
	}
	c.OnPhase("store, one writer")
	if r.StoreSingle, _, _, err = storeWrites(c, doc, 1, c.SingleEvents); err != nil {
		return r, err
	}
	r.Ratio = r.StoreConcurrent / r.RawBatchTuned
	r.SingleRatio = r.StoreSingle / r.DiskFsync
	return r, nil
}

// WriteTable writes the figures as `ksmart bench store` prints them.
func (r StoreResult) WriteTable(out io.Writer) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(out, "store: durable writes of %d-byte events (one event + one document per write)\n\n", r.PayloadBytes)
	fmt.Fprintf(w, "\tevents/s\t\n")
	fmt.Fprintf(w, "ksmart store, %d writers\t%.0f\t\n", r.Writers, r.StoreConcurrent)
	fmt.Fprintf(w, "raw bbolt Batch, MaxBatchSize=%d\t%.0f\t\n", r.Writers, r.RawBatchTuned)
	fmt.Fprintf(w, "raw bbolt Batch, defaults\t%.0f\t\n", r.RawBatchDefault)
	fmt.Fprintf(w, "ksmart store, 1 writer\t%.0f\t\n", r.StoreSingle)
	fmt.Fprintf(w, "raw bbolt Update, 1 writer\t%.0f\t\n", r.RawUpdateSingle)
	fmt.Fprintf(w, "disk write+fdatasync\t%.0f\t\n", r.DiskFsync)
	w.Flush()
	fmt.Fprintf(out, "\nratio to raw bbolt Batch (target >= 0.5): %.2f\n", r.Ratio)
	fmt.Fprintf(out, "one writer vs disk fdatasync (target >= 0.3): %.2f\n", r.SingleRatio)
	fmt.Fprintf(out, "p99 write latency with %d writers: %.1f ms; %.1f writes per commit\n", r.Writers, r.StoreP99LatencyMs, r.StoreMeanBatchSize)
}

func scratch(c StoreConfig, name string) (string, func(), error) {
	d, err := os.MkdirTemp(c.Dir, name+"-")
	return d, func() { os.RemoveAll(d) }, err
}

// storeWrites runs writers goroutines that together write events, each one
// event plus one document per Write, and returns events/s, p99 latency in
// ms and mean events per commit.
func storeWrites(c StoreConfig, doc []byte, writers, events int) (rate, p99 float64, perCommit float64, err error) {
	dir, done, err := scratch(c, "store")
	if err != nil {
		return 0, 0, 0, err
	}
	defer done()
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		return 0, 0, 0, err
	}
	defer s.Close()
	var next atomic.Int64
	lat := make([]time.Duration, events)
	var firstErr error
	var once sync.Once
	start := time.Now()
	parallel(writers, func() {
		for {
			i := next.Add(1) - 1
			if i >= int64(events) {
				return
			}
			id := fmt.Sprintf("doc-%09d", i)
			t0 := time.Now()
			_, err := s.Write(func(tx *store.Tx) error {
				if err := tx.PutRaw("bench", id, doc); err != nil {
					return err
				}
				return tx.EmitRaw("bench", EventWritten, "bench", id, doc)
			})
			lat[i] = time.Since(t0)
			if err != nil {
				once.Do(func() { firstErr = err })
				return
			}
		}
	})
	elapsed := time.Since(start)
	if firstErr != nil {
		return 0, 0, 0, firstErr
	}
	commits := commitCount(s)
	return float64(events) / elapsed.Seconds(), percentile(lat, 0.99).Seconds() * 1000, float64(events) / commits, nil
}

// commitCount reads how many bbolt write transactions the store made.
func commitCount(s *store.Store) float64 {
	n := s.Stats().Commits
	if n == 0 {
		return 1
	}
	return float64(n)
}

// rawBatch is the baseline: bbolt's own Batch, the same two puts per call
// (an 8-byte-keyed log record and a keyed document), the same file options.
func rawBatch(c StoreConfig, doc []byte, maxBatch int) (float64, error) {
	db, done, err := rawOpen(c, "raw")
	if err != nil {
		return 0, err
	}
	defer done()
	db.MaxBatchSize, db.MaxBatchDelay = maxBatch, c.RawBatchDelay
	var next atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	parallel(c.Writers, func() {
		for {
			i := next.Add(1) - 1
			if i >= int64(c.Events) {
				return
			}
			if err := db.Batch(func(tx *bolt.Tx) error { return rawPut(tx, uint64(i), doc) }); err != nil {
				firstErr.Store(err)
				return
			}
		}
	})
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(c.Events) / time.Since(start).Seconds(), nil
}

func rawUpdate(c StoreConfig, doc []byte) (float64, error) {
	db, done, err := rawOpen(c, "rawupd")
	if err != nil {
		return 0, err
	}
	defer done()
	start := time.Now()
	for i := range c.SingleEvents {
		if err := db.Update(func(tx *bolt.Tx) error { return rawPut(tx, uint64(i), doc) }); err != nil {
			return 0, err
		}
	}
	return float64(c.SingleEvents) / time.Since(start).Seconds(), nil
}

// rawOpen opens a raw bbolt file with the store's options in a scratch
// directory; done closes it and removes the directory.
func rawOpen(c StoreConfig, name string) (db *bolt.DB, done func(), err error) {
	dir, remove, err := scratch(c, name)
	if err != nil {
		return nil, nil, err
	}
	db, err = bolt.Open(filepath.Join(dir, "raw.db"), 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error {
			for _, b := range []string{"log", "docs"} {
				if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		remove()
		return nil, nil, err
	}
	return db, func() { db.Close(); remove() }, nil
}

func rawPut(tx *bolt.Tx, i uint64, doc []byte) error {
	if err := tx.Bucket([]byte("log")).Put(binary.BigEndian.AppendUint64(nil, i), doc); err != nil {
		return err
	}
	return tx.Bucket([]byte("docs")).Put([]byte(fmt.Sprintf("doc-%09d", i)), doc)
}

// fsyncRate times write+fdatasync of one payload at the end of a file: the
// most a one-sync-per-write design could reach on this disk.
func fsyncRate(dir string, size, n int) (float64, error) {
	f, err := os.CreateTemp(dir, "fsync-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, size)
	start := time.Now()
	for range n {
		if _, err := f.Write(buf); err != nil {
			return 0, err
		}
		if err := fdatasync(f); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// percentile is the p-th percentile of d (0 < p < 1), nearest rank below.
func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[int(float64(len(s)-1)*p)]
}
