package messaging

import (
	"context"
	"errors"
	"fmt"
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

// dispatcher feeds one channel's workers with due deliveries.
type dispatcher struct {
	o       *Outbox
	channel string
	snd     sender
	workers int
	wake    chan struct{}
}

// run claims due deliveries (marking them sending, durably, before any is
// sent) and hands them to the workers, until ctx ends; then it waits for
// the sends under way. It wakes when the follower creates deliveries, when
// a worker finishes, and when the earliest retry falls due; it never polls.
func (d *dispatcher) run(ctx context.Context, fail context.CancelCauseFunc) {
	jobs := make(chan Delivery)
	done := make(chan string, d.workers)
	workers := make(chan struct{})
	go func() {
		defer close(workers)
		var n = d.workers
		finished := make(chan struct{}, n)
		for range n {
			go func() {
				for dl := range jobs {
					d.o.work(d.snd, dl)
					done <- dl.ID
				}
				finished <- struct{}{}
			}()
		}
		for range n {
			<-finished
		}
	}()
	defer func() {
		close(jobs)
		<-workers
	}()
	inflight := map[string]bool{}
	var queue []Delivery
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	claim := true
	for {
		if claim && len(inflight) < d.workers {
			claimed, next, err := d.o.claim(d.channel, d.workers-len(inflight), inflight)
			if err != nil {
				fail(fmt.Errorf("messaging: %s outbox: %w", d.channel, err))
				return
			}
			for _, dl := range claimed {
				inflight[dl.ID] = true
				queue = append(queue, dl)
			}
			timer.Stop()
			if !next.IsZero() {
				timer.Reset(max(0, next.Sub(d.o.Now())))
			}
			claim = false
		}
		var out chan<- Delivery
		var head Delivery
		if len(queue) > 0 {
			out, head = jobs, queue[0]
		}
		select {
		case out <- head:
			queue = queue[1:]
		case id := <-done:
			delete(inflight, id)
			claim = true
		case <-d.wake:
			claim = true
		case <-timer.C:
			claim = true
		case <-ctx.Done():
			// The claimed deliveries not handed out stay "sending" and are
			// sent after the next start; the workers finish what they hold.
			return
		}
	}
}

// claim marks up to n due deliveries of channel, not in skip, as sending
// with one more attempt, in one Write, and returns them with the time the
// next one falls due (zero when none is waiting or n were found).
func (o *Outbox) claim(channel string, n int, skip map[string]bool) ([]Delivery, time.Time, error) {
	now := o.Now()
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
	if err != nil || len(keys) == 0 {
		return nil, next, err
	}
	var out []Delivery
	_, err = o.Store.Write(func(tx *store.Tx) error {
		out = out[:0]
		for _, k := range keys {
			_, id, _ := parseDueKey(k)
			var d Delivery
			if err := tx.Get(entityDelivery, id, &d); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := tx.Delete(entityDue, k); err != nil {
				return err
			}
			if !d.due() {
				continue // a stale index entry
			}
			d.Status, d.Attempts, d.NextAttempt, d.Updated = StatusSending, d.Attempts+1, now, now
			if err := tx.Put(entityDelivery, d.ID, d); err != nil {
				return err
			}
			if err := tx.Put(entityDue, dueKey(d), linkRef{ID: d.ID}); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, next, err
}

// work sends one claimed delivery and records the outcome. The send does
// not end with Run's context, so that what went out is recorded.
func (o *Outbox) work(snd sender, d Delivery) {
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	res := o.deliver(ctx, snd, d)
	if err := o.record(d, res); err != nil {
		o.Logger.Error("messaging: recording a delivery failed; it is sent again after a restart", "delivery", d.ID, "err", err)
	}
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

// record stores the outcome of a send: sent, failed for good, or retrying
// after a back-off. Sent and failed are logged as events without content.
func (o *Outbox) record(d Delivery, res sent) error {
	now := o.Now()
	var final string
	_, err := o.Store.Write(func(tx *store.Tx) error {
		final = ""
		var cur Delivery
		if err := tx.Get(entityDelivery, d.ID, &cur); err != nil {
			return err
		}
		if cur.Status != StatusSending {
			return nil
		}
		if err := tx.Delete(entityDue, dueKey(cur)); err != nil {
			return err
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
					return err
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
				return err
			}
		}
		if err := tx.Put(entityDelivery, cur.ID, cur); err != nil {
			return err
		}
		if cur.Status == StatusSent || cur.Status == StatusFailed {
			final = cur.Status
			return emitStatus(tx, cur)
		}
		return nil
	})
	if err == nil {
		o.count(d.Channel, final)
		if res.err != nil {
			o.Logger.Info("messaging: a send failed", "delivery", d.ID, "status", final, "attempt", d.Attempts, "err", res.err)
		}
	}
	return err
}

// emitStatus logs a delivery's final status for audit: the message id,
// channel and status only; never the address, body or error text.
func emitStatus(tx *store.Tx, d Delivery) error {
	typ := "message.delivered"
	if d.Status == StatusFailed {
		typ = "message.failed"
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
