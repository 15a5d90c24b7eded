package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"ksmart/appliance/workflow"
	"ksmart/replication"
	"ksmart/store"
)

// StateConfig configures RunState. Zero values take the defaults noted.
type StateConfig struct {
	Dir       string       // scratch directory on the disk to measure; default a temp directory
	Shippers  int          // concurrent shippers, one body each; default 10
	Batch     int          // events per batch (one raft entry); default 1000
	Events    int          // events shipped to each cluster, over all shippers and rounds; default 300,000
	Rounds    int          // measurement rounds, alternating the two clusters; default 3
	DataBytes int          // bytes of each event's JSON data; default 200
	OnPhase   func(string) // called as each phase starts, for progress
	Logger    *slog.Logger // the state nodes' log (raft's warnings: elections, slow followers); default discarded

	// SteadyRate and SteadyFor: a local body's store written at SteadyRate
	// events/s (default 1,000) for SteadyFor (default 15s) while a Shipper
	// follows it; its lag is sampled every millisecond (densely, so that
	// the samples fall at every point between one write and the next). A
	// negative SteadyFor skips it.
	SteadyRate int
	SteadyFor  time.Duration
	// Backlog: a local body's store holding this many events (default
	// 1,000,000; written before its shipper starts), caught up by one
	// Shipper. Negative skips it.
	Backlog int
}

// StateResult holds the figures of one RunState run.
type StateResult struct {
	Name       string `json:"name"` // "state"
	Nodes      int    `json:"nodes"`
	Shippers   int    `json:"shippers"`
	Batch      int    `json:"batch"`
	Events     int    `json:"events"` // shipped to each cluster
	Rounds     int    `json:"rounds"`
	EventBytes int    `json:"event_bytes"` // mean encoded size of one event
	EntryBytes int    `json:"entry_bytes"` // size of one raft entry (one batch)

	EventsPerSec float64 `json:"events_per_sec"` // median round: committed through the HTTPS API, applied on the leader
	P50Ms        float64 `json:"p50_ms"`         // a batch's commit latency as the shipper sees it, over all rounds
	P99Ms        float64 `json:"p99_ms"`

	RawEventsPerSec float64 `json:"raw_events_per_sec"` // median round: raft.Apply of the same entries, trivial FSM
	RawP50Ms        float64 `json:"raw_p50_ms"`
	RawP99Ms        float64 `json:"raw_p99_ms"`

	Ratio float64 `json:"ratio"` // EventsPerSec / RawEventsPerSec

	RoundEventsPerSec    []float64 `json:"round_events_per_sec"`
	RoundRawEventsPerSec []float64 `json:"round_raw_events_per_sec"`

	// The shipper under steady load: events written per second, for how
	// long, and its lag (Status().LagSeconds sampled every millisecond).
	SteadyRate    int     `json:"steady_rate"`
	SteadySeconds float64 `json:"steady_seconds"`
	LagP50Seconds float64 `json:"lag_p50_seconds"`
	LagP99Seconds float64 `json:"lag_p99_seconds"`
	LagMaxSeconds float64 `json:"lag_max_seconds"`

	// The shipper catching up a backlog: events in the store, the time from
	// its start to the state acknowledging the last, and the rate.
	Backlog             int     `json:"backlog"`
	BacklogBytes        int64   `json:"backlog_bytes"` // events and change sets shipped
	CatchUpSeconds      float64 `json:"catch_up_seconds"`
	CatchUpEventsPerSec float64 `json:"catch_up_events_per_sec"`
}

// RunState measures a 3-node state cluster on loopback, with the real TLS
// transport and raft-boltdb: events per second committed from concurrent
// shippers through the HTTPS API, and the commit latency of a batch. Beside
// it, in the same process, runs raw raft on the same transport and stores
// with a trivial FSM, to which as many goroutines on the leader apply the
// very same entries. Rounds alternate between the two clusters so that
// other load on the machine falls on both alike; the median round of each
// is reported.
func RunState(ctx context.Context, cfg StateConfig) (StateResult, error) {
	orDefault(&cfg.Shippers, 10)
	orDefault(&cfg.Batch, 1000)
	orDefault(&cfg.Events, 300_000)
	orDefault(&cfg.Rounds, 3)
	orDefault(&cfg.DataBytes, 200)
	if cfg.Batch > replication.MaxBatchEvents {
		return StateResult{}, fmt.Errorf("batch of %d events: at most %d", cfg.Batch, replication.MaxBatchEvents)
	}
	phase := func(s string) {
		if cfg.OnPhase != nil {
			cfg.OnPhase(s)
		}
	}
	dir, err := os.MkdirTemp(cfg.Dir, "ksmart-bench-state-")
	if err != nil {
		return StateResult{}, err
	}
	defer os.RemoveAll(dir)

	phase("certificates and events")
	caDir := filepath.Join(dir, "ca")
	if err := replication.InitCA(caDir); err != nil {
		return StateResult{}, err
	}
	perRound := max(cfg.Events/cfg.Shippers/cfg.Batch/cfg.Rounds, 1) // batches per shipper per round
	res := StateResult{Name: "state", Nodes: 3, Shippers: cfg.Shippers, Batch: cfg.Batch, Rounds: cfg.Rounds,
		Events: perRound * cfg.Rounds * cfg.Shippers * cfg.Batch}
	w := &stateWork{codes: make([]string, cfg.Shippers), batches: make([][][][]byte, cfg.Shippers), entries: make([][][]byte, cfg.Shippers), lasts: make([][]uint64, cfg.Shippers)}
	var total, count int
	for s := range w.codes {
		w.codes[s] = fmt.Sprintf("BENCH%02d", s)
		evs := eventChain((1+perRound*cfg.Rounds)*cfg.Batch, cfg.DataBytes) // one warm-up batch first
		for i := 0; i < len(evs); i += cfg.Batch {
			b := make([][]byte, cfg.Batch)
			for j := range b {
				b[j] = evs[i+j].Encode()
				total, count = total+len(b[j]), count+1
			}
			w.batches[s] = append(w.batches[s], b)
			w.entries[s] = append(w.entries[s], replication.ShipCommand(w.codes[s], b))
			w.lasts[s] = append(w.lasts[s], evs[i+cfg.Batch-1].Seq)
		}
	}
	res.EventBytes = total / count
	res.EntryBytes = len(w.entries[0][1])

	phase("starting a 3-node state cluster and a 3-node raw raft cluster")
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	state, err := startStateCluster(ctx, dir, caDir, w.codes, cfg.Logger, nil)
	if state != nil {
		defer state.close()
	}
	if err != nil {
		return res, err
	}
	raw, err := startRawRaft(ctx, dir, caDir)
	if raw != nil {
		defer raw.close()
	}
	if err != nil {
		return res, err
	}
	// Warm up: one batch per shipper on each (connections, first pages).
	for s := range w.codes {
		if err := state.ship(ctx, s, w.batches[s][0], w.lasts[s][0]); err != nil {
			return res, fmt.Errorf("warm-up: %w", err)
		}
		if err := raw.apply(w.entries[s][0]); err != nil {
			return res, fmt.Errorf("warm-up: %w", err)
		}
	}
	var lat, rawLat []time.Duration
	for r := range cfg.Rounds {
		from := 1 + r*perRound
		phase(fmt.Sprintf("round %d of %d: state cluster, %d shippers through the HTTPS API", r+1, cfg.Rounds, cfg.Shippers))
		rate, l, err := runShippers(cfg.Shippers, perRound, func(s, i int) (int, error) {
			b := w.batches[s][from+i]
			return len(b), state.ship(ctx, s, b, w.lasts[s][from+i])
		})
		if err != nil {
			return res, err
		}
		res.RoundEventsPerSec, lat = append(res.RoundEventsPerSec, rate), append(lat, l...)
		phase(fmt.Sprintf("round %d of %d: raw raft, same entries, trivial FSM", r+1, cfg.Rounds))
		rate, l, err = runShippers(cfg.Shippers, perRound, func(s, i int) (int, error) {
			return cfg.Batch, raw.apply(w.entries[s][from+i])
		})
		if err != nil {
			return res, err
		}
		res.RoundRawEventsPerSec, rawLat = append(res.RoundRawEventsPerSec, rate), append(rawLat, l...)
	}
	if err := state.check(w.codes, uint64(len(w.batches[0])*cfg.Batch)); err != nil {
		return res, err
	}
	raw.close()
	raw.rafts, raw.trans, raw.stores = nil, nil, nil
	if cfg.SteadyFor >= 0 {
		if cfg.SteadyRate <= 0 {
			cfg.SteadyRate = 1000
		}
		if cfg.SteadyFor == 0 {
			cfg.SteadyFor = 15 * time.Second
		}
		phase(fmt.Sprintf("a shipper following a store written at %d events/s for %s", cfg.SteadyRate, cfg.SteadyFor))
		if err := measureSteady(ctx, dir, caDir, state, cfg, &res); err != nil {
			return res, fmt.Errorf("steady load: %w", err)
		}
	}
	if cfg.Backlog >= 0 {
		if cfg.Backlog == 0 {
			cfg.Backlog = 1_000_000
		}
		if err := measureBacklog(ctx, dir, caDir, state, cfg, phase, &res); err != nil {
			return res, fmt.Errorf("backlog: %w", err)
		}
	}
	res.EventsPerSec, res.RawEventsPerSec = median(res.RoundEventsPerSec), median(res.RoundRawEventsPerSec)
	res.P50Ms, res.P99Ms = percentileMs(lat, 0.50), percentileMs(lat, 0.99)
	res.RawP50Ms, res.RawP99Ms = percentileMs(rawLat, 0.50), percentileMs(rawLat, 0.99)
	if res.RawEventsPerSec > 0 {
		res.Ratio = res.EventsPerSec / res.RawEventsPerSec
	}
	return res, nil
}

// WriteTable writes the figures as `ksmart bench state` prints them.
func (r StateResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "state: 3-node loopback cluster (TLS transport, raft-boltdb), %d shippers, batches of %d events of %d bytes (raft entries of %d bytes), %d events per cluster in %d rounds\n\n",
		r.Shippers, r.Batch, r.EventBytes, r.EntryBytes, r.Events, r.Rounds)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tevents/s\tp50 ms\tp99 ms\t\n")
	fmt.Fprintf(w, "ksmart state, through the HTTPS API\t%.0f\t%.1f\t%.1f\t\n", r.EventsPerSec, r.P50Ms, r.P99Ms)
	fmt.Fprintf(w, "raw raft.Apply, same entries, trivial FSM\t%.0f\t%.1f\t%.1f\t\n", r.RawEventsPerSec, r.RawP50Ms, r.RawP99Ms)
	w.Flush()
	fmt.Fprintf(out, "\nevents/s by round: state %s; raw raft %s (the median round is reported)\n", roundList(r.RoundEventsPerSec), roundList(r.RoundRawEventsPerSec))
	fmt.Fprintf(out, "ratio to raw raft (target >= 0.5): %.2f; target >= 100000 events/s\n", r.Ratio)
	if r.SteadyRate > 0 {
		fmt.Fprintf(out, "\nshipper lag with a local body writing %d events/s for %.0f s: p50 %.3f s, p99 %.3f s, max %.3f s (target p99 <= 1 s)\n",
			r.SteadyRate, r.SteadySeconds, r.LagP50Seconds, r.LagP99Seconds, r.LagMaxSeconds)
	}
	if r.Backlog > 0 {
		fmt.Fprintf(out, "backlog of %d events (%s with change sets) caught up by one shipper in %.1f s, %.0f events/s (target <= 60 s)\n",
			r.Backlog, humanBytes(r.BacklogBytes), r.CatchUpSeconds, r.CatchUpEventsPerSec)
	}
}

// roundList is the rounds' rates, comma-separated.
func roundList(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(s, ", ")
}

// newBodyShipper opens a store for a new body in dir/name and a Shipper
// for it on the bench's state cluster.
func newBodyShipper(dir, caDir string, state *stateCluster, code string) (*store.Store, *replication.Shipper, error) {
	st, err := store.Open(filepath.Join(dir, "bodies", code), store.Options{})
	if err != nil {
		return nil, nil, err
	}
	ca, cert, key, err := issuePEMs(dir, caDir, replication.KindBody, code)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	cl, err := replication.NewClient(replication.ClientConfig{Addrs: state.addrs(), CAPEM: ca, CertPEM: cert, KeyPEM: key, LocalBody: code})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	state.clients = append(state.clients, cl)
	return st, &replication.Shipper{Store: st, Client: cl, Logger: slog.New(slog.DiscardHandler), MaxBackoff: time.Second}, nil
}

// writeFiles writes n events, each with a document of about 120 bytes, in
// one store write (so one change set).
func writeFiles(st *store.Store, first, n int) error {
	_, err := st.Write(func(tx *store.Tx) error {
		for i := range n {
			id := fmt.Sprintf("A%09d", first+i)
			doc := map[string]any{"number": "KS/BENCH/2026/" + id, "service": "birth_certificate", "status": "submitted", "ward": (first + i) % 40}
			if err := tx.Put("file", id, doc); err != nil {
				return err
			}
			if err := tx.Emit("clerk", EventWritten, "file", id, doc); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// runShipper runs a shipper until the returned stop is called, which
// waits for it to return.
func runShipper(ctx context.Context, sh *replication.Shipper) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); sh.Run(ctx) }()
	return func() { cancel(); <-done }
}

// waitAcked waits until the shipper's state head is the store's last event.
func waitAcked(ctx context.Context, sh *replication.Shipper, want uint64, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		st := sh.Status()
		if st.Acked >= want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the shipper reached %d of %d events in %s (last error: %s)", st.Acked, want, limit, st.LastError)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// measureSteady writes a store at cfg.SteadyRate events/s, in a write every
// 20ms, while its shipper follows, and samples the shipper's lag.
func measureSteady(ctx context.Context, dir, caDir string, state *stateCluster, cfg StateConfig, res *StateResult) error {
	st, sh, err := newBodyShipper(dir, caDir, state, "STEADY01")
	if err != nil {
		return err
	}
	defer st.Close()
	stop := runShipper(ctx, sh)
	defer stop()
	const tick = 20 * time.Millisecond
	perTick := max(cfg.SteadyRate*int(tick)/int(time.Second), 1)
	var lags []float64
	sample := time.NewTicker(time.Millisecond)
	defer sample.Stop()
	write := time.NewTicker(tick)
	defer write.Stop()
	start := time.Now()
	end := start.Add(cfg.SteadyFor)
	written := 0
	errc := make(chan error, 1)
	writing := make(chan struct{}, 1)
	for time.Now().Before(end) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errc:
			return err
		case <-write.C:
			// Write in the background so that a slow commit does not
			// stop the sampling; skip a tick rather than queue writes.
			select {
			case writing <- struct{}{}:
				first := written
				written += perTick
				go func() {
					defer func() { <-writing }()
					if err := writeFiles(st, first, perTick); err != nil {
						select {
						case errc <- err:
						default:
						}
					}
				}()
			default:
			}
		case <-sample.C:
			lags = append(lags, sh.Status().LagSeconds)
		}
	}
	writing <- struct{}{} // the last write is done
	res.SteadySeconds = time.Since(start).Seconds()
	res.SteadyRate = int(float64(written) / res.SteadySeconds)
	if err := waitAcked(ctx, sh, st.LastSeq(), time.Minute); err != nil {
		return err
	}
	sort.Float64s(lags)
	pick := func(p float64) float64 { return lags[min(int(p*float64(len(lags))), len(lags)-1)] }
	res.LagP50Seconds, res.LagP99Seconds, res.LagMaxSeconds = pick(0.5), pick(0.99), lags[len(lags)-1]
	return nil
}

// measureBacklog fills a store with cfg.Backlog events (in writes of 100,
// from 8 writers), then starts its shipper and times the catch-up.
func measureBacklog(ctx context.Context, dir, caDir string, state *stateCluster, cfg StateConfig, phase func(string), res *StateResult) error {
	st, sh, err := newBodyShipper(dir, caDir, state, "BACKLOG01")
	if err != nil {
		return err
	}
	defer st.Close()
	phase(fmt.Sprintf("writing a backlog of %d events into a local store", cfg.Backlog))
	const per, writers = 100, 8
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				first := int(next.Add(per)) - per
				if first >= cfg.Backlog || ctx.Err() != nil {
					return
				}
				if err := writeFiles(st, first, min(per, cfg.Backlog-first)); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return err
	}
	last := st.LastSeq()
	phase(fmt.Sprintf("a shipper catching up the backlog of %d events", last))
	start := time.Now()
	stop := runShipper(ctx, sh)
	defer stop()
	if err := waitAcked(ctx, sh, last, 10*time.Minute); err != nil {
		return err
	}
	took := time.Since(start)
	res.Backlog, res.CatchUpSeconds, res.CatchUpEventsPerSec = int(last), took.Seconds(), float64(last)/took.Seconds()
	for from := uint64(1); from <= last; {
		evs, changes, err := st.ReadReplica(from, 10_000)
		if err != nil {
			return err
		}
		for i := range evs {
			res.BacklogBytes += int64(replication.RecordSize(evs[i].Encode(), changes[i]))
		}
		from = evs[len(evs)-1].Seq + 1
	}
	return nil
}

// stateWork is what the shippers send: per shipper, its body code, its
// batches of encoded events, the same batches as raft entries, and the
// sequence number of each batch's last event.
type stateWork struct {
	codes   []string
	batches [][][][]byte // shipper → batch → event
	entries [][][]byte   // shipper → batch → encoded ship command
	lasts   [][]uint64   // shipper → batch → its last event's Seq
}

// eventChain makes n chained events with data of about dataBytes, typed as
// applications submitted (the state stores any type alike).
func eventChain(n, dataBytes int) []store.Event { return chainFrom(1, nil, n, dataBytes) }

// chainFrom makes the n events from sequence from on that follow prev.
func chainFrom(from uint64, prev []byte, n, dataBytes int) []store.Event {
	evs := make([]store.Event, n)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pad := make([]byte, max(dataBytes-60, 0))
	for i := range pad {
		pad[i] = 'a' + byte(i%26)
	}
	for i := range evs {
		seq := from + uint64(i)
		ev := store.Event{Seq: seq, Time: t0.Add(time.Duration(seq-1) * time.Millisecond), Actor: "clerk", Type: workflow.EventSubmitted.Name,
			Version: workflow.EventSubmitted.Version, Entity: "application", ID: fmt.Sprintf("A%08d", seq),
			Data: fmt.Appendf(nil, `{"n":%d,"service":"birth-certificate","note":"%s"}`, seq, pad), Prev: prev}
		ev.Hash = ev.ComputeHash()
		prev = ev.Hash
		evs[i] = ev
	}
	return evs
}

// runShippers runs one goroutine per shipper, each sending n batches in
// order with send, and returns events/s and each batch's latency.
func runShippers(shippers, n int, send func(s, i int) (int, error)) (float64, []time.Duration, error) {
	var wg sync.WaitGroup
	lat := make([][]time.Duration, shippers)
	errs := make([]error, shippers)
	var events atomic.Int64
	start := time.Now()
	for s := range shippers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				t0 := time.Now()
				k, err := send(s, i)
				if err != nil {
					errs[s] = err
					return
				}
				lat[s] = append(lat[s], time.Since(t0))
				events.Add(int64(k))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, nil, err
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	return float64(events.Load()) / elapsed.Seconds(), all, nil
}

// percentileMs is the p-th percentile of d (0 < p < 1) in milliseconds,
// nearest rank above.
func percentileMs(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[min(int(p*float64(len(s))), len(s)-1)]) / float64(time.Millisecond)
}

// median is the middle value of v, the upper one of an even count.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
