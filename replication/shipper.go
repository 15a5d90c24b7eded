package replication

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"ksmart/store"
)

// Shipper sends a local body's log, each event with its change set, to the
// state cluster, in order, from the last event the state acknowledged. It
// runs inside ksmart serve (appliance.Run starts it when a state address is
// configured):
//
//   - at start, and after any failure, it asks the state for the body's
//     head and ships from the event after it, so nothing is kept on the
//     local side and a restart costs one request;
//   - it reads the local log with store.ReadReplica and sends batches of up
//     to BatchEvents events and BatchBytes bytes (a single event with a big
//     change set goes alone, up to MaxRecordBytes);
//   - it waits for new local events with store.WaitFor, never polling;
//   - while the state is unreachable (or has no leader) it retries with
//     exponential back-off and full jitter, capped at MaxBackoff; the
//     Client follows leader changes;
//   - on ErrGap it resends from the state's head;
//   - when the state says this body's certificate is revoked (ErrRevoked),
//     it stops shipping, says so in the log at error level naming the
//     serial, who revoked it and why, shows it in Status, and tries again
//     every ForkRecheck (a new certificate, loaded with SIGHUP, resumes
//     it); nothing shipped before is lost, and nothing local is touched;
//   - on a fork — the state holds different events under numbers this body
//     has, or more events than this body has (a data directory restored
//     from an old backup) — it stops shipping, says so in the log at error
//     level every ForkRecheck, shows it in Status, and checks again then.
//
// A body's certificate lets it ship only its own log (the Client's
// LocalBody). Status and the Prometheus figures come from Status.
type Shipper struct {
	Store  *store.Store
	Client *Client
	Logger *slog.Logger
	Now    func() time.Time

	// BatchEvents and BatchBytes bound one batch; default MaxBatchEvents
	// and MaxBatchBytes.
	BatchEvents, BatchBytes int
	// MaxBackoff caps the wait between attempts while the state cannot be
	// reached; default 30s. MinBackoff is the first wait; default 100ms.
	MaxBackoff, MinBackoff time.Duration
	// AttemptTimeout bounds one request, the Client's retries over the
	// nodes included; default 20s, plus a second per 256 KiB a batch
	// carries (a 2 Mbit/s link), as the Client allows each node.
	AttemptTimeout time.Duration
	// ForkRecheck is how often a fork is said again and checked; default 1m.
	ForkRecheck time.Duration

	wakeOnce sync.Once
	wake     chan struct{}

	mu     sync.Mutex
	st     ShipperStatus
	oldest struct {
		seq uint64
		at  time.Time
	}
	errs atomic.Uint64
}

// ShipperStatus is how far the shipper has got, for the admin page and
// /metrics.
type ShipperStatus struct {
	Addrs []string `json:"addrs"` // the state nodes it talks to
	// Known is set once the state's head has been learned since start;
	// until then Acked is 0 and the lag counts the whole log.
	Known bool   `json:"known"`
	Acked uint64 `json:"acked"` // the last event the state acknowledged
	Local uint64 `json:"local"` // the last event of the local log
	// LagEvents is Local - Acked; LagSeconds the age of the oldest event
	// not yet acknowledged (0 when caught up).
	LagEvents  uint64  `json:"lag_events"`
	LagSeconds float64 `json:"lag_seconds"`
	// LastError is the last failure and LastErrorAt its time; Errors counts
	// failed attempts since start, a state node that stalled (did not
	// answer within the Client's NodeTimeout) included.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Errors      uint64    `json:"errors"`
	// Fork is set while shipping is stopped by a fork.
	Fork *Fork `json:"fork,omitempty"`
	// Revoked is set while shipping is stopped because the state revoked
	// this body's certificate: the state's words, naming the serial, who
	// revoked it, when and why.
	Revoked string `json:"revoked,omitempty"`
	// The certificate in use: its serial, expiry and days left; Warning
	// within ExpiryWarning of its expiry.
	CertSerial   string    `json:"certificate_serial"`
	CertNotAfter time.Time `json:"certificate_not_after"`
	CertDaysLeft int       `json:"certificate_days_left"`
	CertWarning  bool      `json:"certificate_warning,omitempty"`
	LastShipped  time.Time `json:"last_shipped,omitzero"` // when a batch was last acknowledged
}

// forkError stops shipping.
type forkError struct{ fork *Fork }

func (e *forkError) Error() string {
	return fmt.Sprintf("fork at event %d: %s", e.fork.AtSeq, e.fork.Reason)
}

// record is one event ready to ship.
type record struct {
	seq     uint64
	raw, cs []byte
	size    int
}

// shipperOpts are a Shipper's settings with the defaults filled in. Run
// works from them and never writes the exported fields, which Status and
// the caller may read meanwhile.
type shipperOpts struct {
	logger                      *slog.Logger
	now                         func() time.Time
	batchEvents, batchBytes     int
	maxBackoff, minBackoff      time.Duration
	attemptTimeout, forkRecheck time.Duration
}

func (s *Shipper) opts() shipperOpts {
	o := shipperOpts{logger: s.Logger, now: s.Now, batchEvents: s.BatchEvents, batchBytes: s.BatchBytes,
		maxBackoff: s.MaxBackoff, minBackoff: s.MinBackoff, attemptTimeout: s.AttemptTimeout, forkRecheck: s.ForkRecheck}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.batchEvents <= 0 || o.batchEvents > MaxBatchEvents {
		o.batchEvents = MaxBatchEvents
	}
	if o.batchBytes <= 0 || o.batchBytes > MaxBatchBytes {
		o.batchBytes = MaxBatchBytes
	}
	if o.maxBackoff <= 0 {
		o.maxBackoff = 30 * time.Second
	}
	if o.minBackoff <= 0 {
		o.minBackoff = 100 * time.Millisecond
	}
	if o.attemptTimeout <= 0 {
		o.attemptTimeout = 20 * time.Second
	}
	if o.forkRecheck <= 0 {
		o.forkRecheck = time.Minute
	}
	return o
}

// Run ships until ctx ends (returning its error) or the store closes
// (store.ErrClosed). Failures are retried, never returned.
func (s *Shipper) Run(ctx context.Context) error {
	o := s.opts()
	s.mu.Lock()
	s.st.Addrs = append([]string(nil), s.Client.cfg.Addrs...)
	s.mu.Unlock()
	code := s.Client.cfg.LocalBody
	attempt := 0
	for {
		err := s.session(ctx, o, func() { attempt = 0 })
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, store.ErrClosed):
			return err
		}
		wait := o.backoff(attempt)
		attempt++
		var fe *forkError
		if errors.Is(err, ErrRevoked) {
			s.fail(o, err)
			s.mu.Lock()
			s.st.Revoked = err.Error()
			s.mu.Unlock()
			o.logger.Error("REPLICATION TO THE STATE IS STOPPED: the state revoked this local body's certificate; nothing more is shipped until a new one is installed (ksmart state issue-cert, then SIGHUP or a restart); what was shipped before is kept",
				"local_body", code, "certificate_serial", s.Client.Identity().Serial(), "state_says", err.Error(), "recheck_in", o.forkRecheck.String())
			wait, attempt = o.forkRecheck, 0
		} else if errors.As(err, &fe) {
			s.mu.Lock()
			s.st.Fork = fe.fork
			s.mu.Unlock()
			o.logger.Error("REPLICATION TO THE STATE IS STOPPED: this local body's log forks from the state's copy, and nothing more will be shipped until state IT resolves it",
				"local_body", code, "at_event", fe.fork.AtSeq, "reason", fe.fork.Reason, "recheck_in", o.forkRecheck.String())
			wait, attempt = o.forkRecheck, 0
		} else {
			s.fail(o, err)
			o.logger.Warn("shipping to the state failed; retrying", "local_body", code, "error", err, "retry_in", wait.Round(time.Millisecond).String())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		case <-s.wakeCh():
		}
	}
}

// Wake makes a shipper that waits to retry (after a failure, a fork or a
// revoked certificate) try again at once: ksmart serve calls it when it
// has loaded a new certificate.
func (s *Shipper) Wake() {
	select {
	case s.wakeCh() <- struct{}{}:
	default:
	}
}

func (s *Shipper) wakeCh() chan struct{} {
	s.wakeOnce.Do(func() { s.wake = make(chan struct{}, 1) })
	return s.wake
}

// backoff is the wait before retry number attempt: full jitter over an
// exponentially growing window, capped at MaxBackoff.
func (o shipperOpts) backoff(attempt int) time.Duration {
	window := o.maxBackoff
	if attempt < 30 {
		window = min(o.minBackoff<<attempt, o.maxBackoff)
	}
	return time.Duration(rand.Int64N(int64(window)) + 1)
}

func (s *Shipper) fail(o shipperOpts, err error) {
	s.errs.Add(1)
	s.mu.Lock()
	s.st.LastError, s.st.LastErrorAt = err.Error(), o.now()
	s.mu.Unlock()
}

// attempt bounds one request carrying size bytes: AttemptTimeout, and
// one more second per 256 KiB (a 2 Mbit/s link), as the Client allows.
func (o shipperOpts) attempt(ctx context.Context, size int) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, o.attemptTimeout+time.Duration(size>>18)*time.Second)
}

// session learns the state's head and ships from there until something
// fails; ok is called after each batch acknowledged and when caught up, to
// reset the back-off (a state that answers the head but refuses every
// batch is still retried ever more slowly).
func (s *Shipper) session(ctx context.Context, o shipperOpts, ok func()) error {
	code := s.Client.cfg.LocalBody
	actx, cancel := o.attempt(ctx, 0)
	head, err := s.Client.Head(actx)
	cancel()
	if err != nil {
		return fmt.Errorf("asking the state for this body's head: %w", err)
	}
	local := s.Store.LastSeq()
	if head.LastSeq > local {
		fk := s.stateAhead(ctx, o, head, local)
		if fk.AtSeq <= local {
			// The logs differ at or before this body's last event: let the
			// state record the fork now, at the event where they part.
			if rec := s.report(ctx, o, fk.AtSeq); rec != nil {
				rec.Reason = fk.Reason + " (" + rec.Reason + ")"
				fk = rec
			}
		}
		s.setAcked(fk.AtSeq - 1)
		return &forkError{fk}
	}
	next := head.LastSeq + 1
	if head.LastSeq > 0 {
		ev, err := s.Store.Event(head.LastSeq)
		if err != nil {
			return err
		}
		if !bytes.Equal(ev.Hash, head.LastHash) {
			// Ship this body's event where the logs part: the state sees
			// the fork and records it for state IT, then refuses.
			d, err := s.divergence(ctx, o, head.LastSeq)
			if err != nil {
				return fmt.Errorf("finding where this body's log parts from the state's: %w", err)
			}
			s.setAcked(d - 1)
			next = d
		}
	}
	s.mu.Lock()
	s.st.Revoked = ""
	if next > head.LastSeq {
		s.st.Fork = nil
		s.st.Acked = head.LastSeq
	}
	first := !s.st.Known
	s.st.Known = true
	s.mu.Unlock()
	if first {
		o.logger.Info("shipping the log to the state", "local_body", code, "state_head", head.LastSeq, "local_last", local, "state", s.Client.cfg.Addrs)
	}

	var pend []record
	pendBytes := 0
	read := next // the next event to read from the local log
	const chunk = 1000
	for {
		for len(pend) < o.batchEvents && pendBytes < o.batchBytes {
			evs, changes, err := s.Store.ReadReplica(read, min(chunk, o.batchEvents))
			if err != nil {
				return err
			}
			if len(evs) == 0 {
				break
			}
			for i := range evs {
				raw := evs[i].Encode()
				r := record{seq: evs[i].Seq, raw: raw, cs: changes[i], size: RecordSize(raw, changes[i])}
				pend, pendBytes = append(pend, r), pendBytes+r.size
			}
			read = evs[len(evs)-1].Seq + 1
		}
		if len(pend) == 0 {
			ok() // caught up: the next failure backs off from the start
			if err := s.Store.WaitFor(ctx, read-1); err != nil {
				return err
			}
			continue
		}
		n, size := 0, 0
		for n < len(pend) && n < o.batchEvents && (n == 0 || size+pend[n].size <= o.batchBytes) {
			size += pend[n].size
			n++
		}
		if n == 1 && size > MaxRecordBytes {
			return fmt.Errorf("event %d and its change set are %d MiB, more than the state takes (%d MiB): it cannot be shipped; ask the developers", pend[0].seq, size>>20, MaxRecordBytes>>20)
		}
		raws, cs := make([][]byte, n), make([][]byte, n)
		for i := range n {
			raws[i], cs[i] = pend[i].raw, pend[i].cs
		}
		actx, cancel := o.attempt(ctx, size)
		ack, err := s.Client.ShipReplicaEncoded(actx, raws, cs)
		cancel()
		last := pend[n-1].seq
		switch {
		case err == nil:
			s.mu.Lock()
			s.st.Acked, s.st.LastShipped = max(ack.Head, last), o.now()
			s.mu.Unlock()
			ok()
			pend, pendBytes = pend[n:], pendBytes-size
		case errors.Is(err, ErrGap):
			o.logger.Warn("the state holds fewer events than it acknowledged before; resending from its head", "local_body", code, "state_head", ack.Head)
			s.mu.Lock()
			s.st.Acked = ack.Head
			s.mu.Unlock()
			pend, pendBytes, read = nil, 0, ack.Head+1
		case errors.Is(err, ErrFork):
			fk := ack.Fork
			if fk == nil {
				fk = &Fork{Body: code, AtSeq: pend[0].seq, Reason: err.Error()}
			}
			s.setAcked(fk.AtSeq - 1)
			return &forkError{fk}
		default:
			return fmt.Errorf("shipping events %d-%d: %w", pend[0].seq, last, err)
		}
	}
}

// setAcked records the last event the state holds as this body wrote it.
func (s *Shipper) setAcked(seq uint64) {
	s.mu.Lock()
	s.st.Known, s.st.Acked = true, seq
	s.mu.Unlock()
}

// divergence finds the first event at which this body's log and the
// state's differ, given that they differ at hi: a binary search on hashes
// (each hash covers every event before it), a few dozen reads at most.
func (s *Shipper) divergence(ctx context.Context, o shipperOpts, hi uint64) (uint64, error) {
	lo := uint64(1) // the answer is in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		actx, cancel := o.attempt(ctx, 0)
		theirs, err := s.Client.ReadLog(actx, mid, 1)
		cancel()
		if err != nil {
			return 0, err
		}
		mine, err := s.Store.Event(mid)
		if err != nil {
			return 0, err
		}
		if len(theirs) == 1 && bytes.Equal(theirs[0].Hash, mine.Hash) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// report ships this body's event seq, where its log parts from the
// state's, so that the state records the fork at once; it returns the
// state's record, or nil if the state did not record one.
func (s *Shipper) report(ctx context.Context, o shipperOpts, seq uint64) *Fork {
	evs, changes, err := s.Store.ReadReplica(seq, 1)
	if err != nil || len(evs) != 1 {
		return nil
	}
	raw := evs[0].Encode()
	actx, cancel := o.attempt(ctx, RecordSize(raw, changes[0]))
	ack, err := s.Client.ShipReplicaEncoded(actx, [][]byte{raw}, [][]byte{changes[0]})
	cancel()
	if errors.Is(err, ErrFork) && ack.Fork != nil {
		return ack.Fork
	}
	return nil
}

// stateAhead describes a state that holds more of this body's log than the
// body itself: a data directory restored from a backup older than what it
// had shipped.
func (s *Shipper) stateAhead(ctx context.Context, o shipperOpts, head BodyInfo, local uint64) *Fork {
	code := s.Client.cfg.LocalBody
	now := o.now()
	fk := &Fork{Body: code, AtSeq: local + 1, Ours: head.LastHash, StateHead: head.LastSeq, FirstSeen: now, LastSeen: now, Attempts: 1}
	prefix := local == 0
	if local > 0 {
		actx, cancel := o.attempt(ctx, 0)
		theirs, err := s.Client.ReadLog(actx, local, 1)
		cancel()
		mine, merr := s.Store.Event(local)
		prefix = err == nil && merr == nil && len(theirs) == 1 && bytes.Equal(theirs[0].Hash, mine.Hash)
	}
	if !prefix {
		if d, err := s.divergence(ctx, o, local); err == nil {
			fk.AtSeq = d
		}
	}
	if prefix {
		fk.Reason = fmt.Sprintf("the state holds this body's events up to %d, but this data directory's log ends at %d (and matches the state's up to there): it is older than what it shipped, e.g. restored from an old backup; stop ksmart and rebuild the data directory with ksmart restore --from-state, which brings back events %d-%d", head.LastSeq, local, local+1, head.LastSeq)
	} else {
		fk.Reason = fmt.Sprintf("the state holds this body's events up to %d, but this data directory's log ends at %d and differs from the state's from event %d on: it is not the log this body shipped; ask state IT, and do not write more here", head.LastSeq, local, fk.AtSeq)
	}
	return fk
}

// Status returns how far shipping has got. It reads the time of the oldest
// unacknowledged event from the store (once per acknowledged position).
func (s *Shipper) Status() ShipperStatus {
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	st.Addrs = append([]string(nil), st.Addrs...)
	// A node that stalled counts as a failed attempt although the client
	// went on to another node and the batch landed there.
	stalls, lastStall, stallAt := s.Client.Stalls()
	st.Errors = s.errs.Load() + stalls
	if stalls > 0 && stallAt.After(st.LastErrorAt) {
		st.LastError, st.LastErrorAt = lastStall, stallAt
	}
	st.Local = s.Store.LastSeq()
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if c := s.Client.Identity().Certificate(); c != nil {
		st.CertSerial, st.CertNotAfter = FormatSerial(c.SerialNumber), c.NotAfter
		st.CertDaysLeft, st.CertWarning = DaysLeft(c.NotAfter, now()), c.NotAfter.Sub(now()) < ExpiryWarning
	}
	if st.Local > st.Acked {
		st.LagEvents = st.Local - st.Acked
		if at, ok := s.eventTime(st.Acked + 1); ok {
			st.LagSeconds = max(now().Sub(at).Seconds(), 0)
		}
	}
	return st
}

// eventTime returns the time of local event seq, remembering the last one
// asked for.
func (s *Shipper) eventTime(seq uint64) (time.Time, bool) {
	s.mu.Lock()
	if s.oldest.seq == seq {
		at := s.oldest.at
		s.mu.Unlock()
		return at, true
	}
	s.mu.Unlock()
	ev, err := s.Store.Event(seq)
	if err != nil {
		return time.Time{}, false
	}
	s.mu.Lock()
	s.oldest.seq, s.oldest.at = seq, ev.Time
	s.mu.Unlock()
	return ev.Time, true
}
