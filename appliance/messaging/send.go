package messaging

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// sender sends one delivery on one channel.
type sender interface {
	// send delivers j and returns the provider's message id, if any. An
	// error wrapped with permanent stops the retries. A sender that did part
	// of its work before failing (WhatsApp: the template went, the document
	// did not) returns the provider id with the error, and finds it in
	// j.d.ProviderID on the retry.
	send(ctx context.Context, j *job) sent
}

// job is what a sender needs for one delivery.
type job struct {
	d     Delivery
	m     Message
	c     Contact
	lang  string
	tmpl  kindTemplates
	vals  func(lang string) textValues
	att   *attachment
	idem  string // the idempotency key
	start time.Time
}

// textValues fills a template's placeholders.
type textValues interface{ Replace(string) string }

type attachment struct {
	name string
	pdf  []byte
}

// sent is a sender's answer.
type sent struct {
	providerID string
	extraIDs   []string // further provider ids whose statuses concern this delivery
	err        error
}

// claimAhead is how many deliveries a channel's dispatcher keeps claimed
// per worker, counting those being sent and those sent but not yet
// recorded: enough that a worker finds the next delivery waiting while
// the last outcomes are being written, few enough that a stop leaves
// little claimed (and a crash little to send again).
const claimAhead = 4

// dispatcher feeds one channel's workers with due deliveries and records
// what they did.
type dispatcher struct {
	o       *Outbox
	channel string
	snd     sender
	workers int
	wake    chan struct{}
}

// outcome is a finished send waiting to be recorded.
type outcome struct {
	d   Delivery
	res sent
}

// run claims due deliveries (marking them sending, durably, before any is
// sent), hands them to the workers and records their outcomes, until ctx
// ends; then it lets the sends under way finish, records them and puts the
// claimed deliveries no worker took back as they were.
//
// It is the channel's only writer, and it writes like the store's group
// commit: each Write records every outcome that has come in since the last
// one and claims as many due deliveries as the window has room for, while
// the workers go on sending from the deliveries claimed before. An idle
// channel writes nothing; a busy one writes once per durable commit, not
// once per send. It wakes when the follower creates deliveries, when a
// worker finishes, and when the earliest retry falls due; it never polls.
func (d *dispatcher) run(ctx context.Context, fail context.CancelCauseFunc) {
	window := d.workers * claimAhead
	// Both channels hold at most window deliveries (every one is claimed and
	// not yet recorded), so neither the dispatcher nor a worker ever blocks
	// on a send to them.
	jobs := make(chan Delivery, window)
	results := make(chan outcome, window)
	var wg sync.WaitGroup
	for range d.workers {
		wg.Go(func() {
			for dl := range jobs {
				results <- outcome{dl, d.o.send(d.snd, dl)}
			}
		})
	}
	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()

	claimed := map[string]bool{} // claimed and not yet recorded
	var batch []outcome
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	claim := true
	for {
		batch = drain(results, batch)
		if claim || len(batch) > 0 {
			n := window - len(claimed) + len(batch) // the room once batch is recorded
			got, next, retry, err := d.o.recordAndClaim(d.channel, batch, nil, n, claimed)
			if err != nil {
				fail(fmt.Errorf("messaging: %s outbox: %w", d.channel, err))
				batch = nil // their outcomes are lost: they are sent again after a restart
				d.stop(jobs, results, workersDone, claimed, batch)
				return
			}
			for _, r := range batch {
				delete(claimed, r.d.ID)
			}
			batch = batch[:0]
			for _, dl := range got {
				claimed[dl.ID] = true
				jobs <- dl
			}
			if n > 0 {
				timer.Stop()
				if !next.IsZero() {
					timer.Reset(max(0, next.Sub(d.o.Now())))
				}
			}
			// A retry just recorded was not in the index the claim read: read
			// it again for the timer.
			claim = retry
			if claim {
				continue
			}
		}
		select {
		case r := <-results:
			batch = append(batch, r)
		case <-d.wake:
			claim = true
		case <-timer.C:
			claim = true
		case <-ctx.Done():
			d.stop(jobs, results, workersDone, claimed, batch)
			return
		}
	}
}

// stop ends run: it takes back the claimed deliveries no worker has taken,
// lets the workers finish the sends under way, recording each outcome as
// it comes, and puts the ones taken back as they were before the claim.
func (d *dispatcher) stop(jobs chan Delivery, results chan outcome, workersDone chan struct{}, claimed map[string]bool, batch []outcome) {
	var unsent []Delivery
	for more := true; more; {
		select {
		case dl := <-jobs:
			unsent = append(unsent, dl)
		default:
			more = false
		}
	}
	close(jobs)
	record := func(release []Delivery) {
		if len(batch) == 0 && len(release) == 0 {
			return
		}
		if _, _, _, err := d.o.recordAndClaim(d.channel, batch, release, 0, claimed); err != nil {
			d.o.Logger.Error("messaging: recording deliveries failed; they are sent again after a restart", "channel", d.channel, "deliveries", len(batch)+len(release), "err", err)
		}
		batch = batch[:0]
	}
	for working := true; working; {
		record(nil)
		select {
		case r := <-results:
			batch = append(batch, r)
		case <-workersDone:
			working = false
		}
		batch = drain(results, batch)
	}
	record(unsent)
}

// drain appends the outcomes waiting in results to batch, without blocking.
func drain(results chan outcome, batch []outcome) []outcome {
	for {
		select {
		case r := <-results:
			batch = append(batch, r)
		default:
			return batch
		}
	}
}

// recordAndClaim records the outcomes in batch, puts the deliveries in
// release back as they were before their claim, and claims up to n due
// deliveries of channel, not in skip, all in one Write. It returns the
// claimed deliveries, the time the next one falls due (zero when none is
// waiting or n were found; n > 0 only), and whether an outcome was
// recorded as a retry.
func (o *Outbox) recordAndClaim(channel string, batch []outcome, release []Delivery, n int, skip map[string]bool) ([]Delivery, time.Time, bool, error) {
	now := o.Now()
	var keys []string
	var next time.Time
	if n > 0 {
		var err error
		if keys, next, err = o.dueKeys(channel, n, now, skip); err != nil {
			return nil, next, false, err
		}
	}
	if len(batch) == 0 && len(release) == 0 && len(keys) == 0 {
		return nil, next, false, nil
	}
	var out []Delivery
	finals := make([]string, len(batch))
	missing := make([]error, len(batch))
	var retry bool
	_, err := o.Store.Write(func(tx *store.Tx) error {
		out, retry = out[:0], false
		for i, r := range batch {
			var err error
			finals[i], missing[i], err = o.recordTx(tx, r.d, r.res, now)
			if err != nil {
				return err
			}
			retry = retry || (missing[i] == nil && finals[i] == "" && r.res.err != nil)
		}
		for _, d := range release {
			if err := releaseTx(tx, d, now); err != nil {
				return err
			}
		}
		var err error
		out, err = claimTx(tx, keys, now, out)
		return err
	})
	if err != nil {
		if len(batch) == 0 || errors.Is(err, store.ErrClosed) {
			return nil, next, false, err
		}
		// Something in the batch cannot be written: record each outcome
		// on its own, so that one bad outcome costs only itself, then claim.
		retry = false
		for _, r := range batch {
			if err := o.record(r.d, r.res); err != nil {
				o.Logger.Error("messaging: recording a delivery failed; it is sent again after a restart", "delivery", r.d.ID, "err", err)
			}
			retry = retry || r.res.err != nil
		}
		out, next, _, err = o.recordAndClaim(channel, nil, release, n, skip)
		return out, next, retry, err
	}
	for i, r := range batch {
		if missing[i] != nil {
			o.Logger.Error("messaging: recording a delivery failed; it is sent again after a restart", "delivery", r.d.ID, "err", missing[i])
			continue
		}
		o.recorded(r.d, r.res, finals[i])
	}
	return out, next, retry, nil
}

// dueKeys returns up to n due index keys of channel that are due at now and
// not in skip, with the time the next one falls due (zero when none is
// waiting or n were found).
func (o *Outbox) dueKeys(channel string, n int, now time.Time, skip map[string]bool) ([]string, time.Time, error) {
	var keys []string
	var next time.Time
	err := o.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityDue, store.ScanOptions{Prefix: duePrefix(channel)}, func(k string, _ []byte) error {
			t, id, ok := parseDueKey(k)
			if !ok || skip[id] {
				return nil
			}
			if t.After(now) {
				next = t
				return store.ErrStop
			}
			keys = append(keys, k)
			if len(keys) >= n {
				return store.ErrStop
			}
			return nil
		})
	})
	return keys, next, err
}

// claimTx marks the deliveries of the due index keys as sending with one
// more attempt, and appends them to out.
func claimTx(tx *store.Tx, keys []string, now time.Time, out []Delivery) ([]Delivery, error) {
	for _, k := range keys {
		_, id, _ := parseDueKey(k)
		var d Delivery
		if err := tx.Get(entityDelivery, id, &d); err != nil && !errors.Is(err, store.ErrNotFound) {
			return out, err
		}
		if err := tx.Delete(entityDue, k); err != nil {
			return out, err
		}
		if !d.due() {
			continue // a stale index entry
		}
		d.Status, d.Attempts, d.NextAttempt, d.Updated = StatusSending, d.Attempts+1, now, now
		if err := tx.Put(entityDelivery, d.ID, d); err != nil {
			return out, err
		}
		if err := tx.Put(entityDue, dueKey(d), linkRef{ID: d.ID}); err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// releaseTx puts a claimed delivery that was never handed to a worker back
// as it was before the claim: the attempt is not counted, and it stays due
// at once (its due index entry is the claim's).
func releaseTx(tx *store.Tx, d Delivery, now time.Time) error {
	var cur Delivery
	if err := tx.Get(entityDelivery, d.ID, &cur); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	if cur.Status != StatusSending || cur.Attempts != d.Attempts {
		return nil
	}
	cur.Attempts--
	cur.Status, cur.Updated = StatusQueued, now
	if cur.Attempts > 0 {
		cur.Status = StatusRetrying
	}
	return tx.Put(entityDelivery, cur.ID, cur)
}

// send sends one claimed delivery. The send does not end with Run's
// context, so that what went out is recorded.
func (o *Outbox) send(snd sender, d Delivery) sent {
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	return o.deliver(ctx, snd, d)
}

// deliver gathers what the channel needs and sends.
func (o *Outbox) deliver(ctx context.Context, snd sender, d Delivery) sent {
	var m Message
	if err := o.Store.View(func(tx *store.Tx) error { return tx.Get(entity, d.Message, &m) }); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return sent{err: permanentf("the message no longer exists")}
		}
		return sent{err: err}
	}
	c, ok := o.Contacts(m.To)
	if !ok {
		return sent{err: permanentf("the recipient has no contact details any more")}
	}
	if m.Kind == KindVerificationCode && o.Now().Sub(m.Created) > codeTTL {
		return sent{err: permanentf("the code expired before it could be sent")}
	}
	tmpl, ok := o.templates[m.Kind]
	if !ok {
		tmpl = o.templates[KindNotice]
	}
	j := &job{d: d, m: m, c: c, lang: c.lang(), tmpl: tmpl, idem: d.IdempotencyKey, start: o.Now(),
		vals: func(lang string) textValues { return values(m, c, lang, o.Config.PublicURL) }}
	if o.Attachment != nil && d.Channel != ChannelSMS {
		name, pdf, ok, err := o.Attachment(m)
		if err != nil {
			return sent{err: fmt.Errorf("the attachment could not be made: %w", err)}
		}
		if ok {
			j.att = &attachment{name: name, pdf: pdf}
		}
	}
	return snd.send(ctx, j)
}

// record stores the outcome of one send in its own Write; recordAndClaim
// falls back to it when a batch cannot be written.
func (o *Outbox) record(d Delivery, res sent) error {
	now := o.Now()
	var final string
	var missing error
	_, err := o.Store.Write(func(tx *store.Tx) error {
		var err error
		final, missing, err = o.recordTx(tx, d, res, now)
		if err == nil {
			err = missing
		}
		return err
	})
	if err == nil {
		o.recorded(d, res, final)
	}
	return err
}

// recordTx stages the outcome of a send: sent, failed for good, or retrying
// after a back-off. Sent and failed are logged as events without content;
// final is that status, or "". A delivery that cannot be read is reported
// in missing with nothing staged; err is an error staging the rest.
func (o *Outbox) recordTx(tx *store.Tx, d Delivery, res sent, now time.Time) (final string, missing, err error) {
	var cur Delivery
	if err := tx.Get(entityDelivery, d.ID, &cur); err != nil {
		return "", err, nil
	}
	if cur.Status != StatusSending {
		return "", nil, nil
	}
	if err := tx.Delete(entityDue, dueKey(cur)); err != nil {
		return "", nil, err
	}
	if res.providerID != "" && cur.ProviderID == "" {
		cur.ProviderID = res.providerID
	}
	for _, id := range append([]string{res.providerID}, res.extraIDs...) {
		if id == "" {
			continue
		}
		if _, err := tx.Lookup(indexProvider, id); errors.Is(err, store.ErrNotFound) {
			if err := tx.ClaimKey(indexProvider, id, cur.ID); err != nil {
				return "", nil, err
			}
		}
	}
	cur.Updated = now
	switch {
	case res.err == nil:
		cur.Status, cur.LastError, cur.NextAttempt = StatusSent, "", time.Time{}
	case isPermanent(res.err) || cur.Attempts >= o.MaxAttempts:
		cur.Status, cur.LastError, cur.NextAttempt = StatusFailed, res.err.Error(), time.Time{}
		if !isPermanent(res.err) {
			cur.LastError = fmt.Sprintf("gave up after %d attempts: %v", cur.Attempts, res.err)
		}
	default:
		cur.Status, cur.LastError, cur.NextAttempt = StatusRetrying, res.err.Error(), now.Add(o.backoff(cur.Attempts))
		if err := tx.Put(entityDue, dueKey(cur), linkRef{ID: cur.ID}); err != nil {
			return "", nil, err
		}
	}
	if err := tx.Put(entityDelivery, cur.ID, cur); err != nil {
		return "", nil, err
	}
	if cur.Status == StatusSent || cur.Status == StatusFailed {
		return cur.Status, nil, emitStatus(tx, cur)
	}
	return "", nil, nil
}

// recorded counts and logs an outcome once its Write has committed.
func (o *Outbox) recorded(d Delivery, res sent, final string) {
	o.count(d.Channel, final)
	if res.err != nil {
		o.Logger.Info("messaging: a send failed", "delivery", d.ID, "status", final, "attempt", d.Attempts, "err", res.err)
	}
}

// emitStatus logs a delivery's final status for audit: the message id,
// channel and status only; never the address, body or error text.
func emitStatus(tx *store.Tx, d Delivery) error {
	typ := EventDelivered
	if d.Status == StatusFailed {
		typ = EventFailed
	}
	return tx.Emit(domain.System.ID, typ, entity, d.Message, map[string]string{"message": d.Message, "channel": d.Channel, "status": d.Status})
}

func (o *Outbox) count(channel, status string) {
	switch status {
	case StatusSent:
		o.metrics.sent.WithLabelValues(channel).Inc()
	case StatusFailed:
		o.metrics.failed.WithLabelValues(channel).Inc()
	}
}
