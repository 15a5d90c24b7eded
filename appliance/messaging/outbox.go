package messaging

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Contact is how the outbox reaches a user.
type Contact struct {
	UserID, Name string
	Language     string   // "en" or "ml": the language of e-mail/WhatsApp/SMS text
	Email, Phone string   // "" when the user has none; Phone is E.164 (+9198...)
	Channels     []string // the channels the user chose (email, whatsapp, sms); nil: every one they have an address for
}

// SMTPConfig is the mail server e-mail goes through.
type SMTPConfig struct {
	Host               string
	Port               int // default 587, or 465 with TLS "tls"
	Username, Password string
	From               string // "Name <addr>"
	TLS                string // "starttls" (required, default), "tls" (implicit), "none" (tests, local relay only)
	// TLSConfig, when set, is used to verify the server (e.g. with a private
	// CA); its ServerName defaults to Host.
	TLSConfig *tls.Config `json:"-"`
}

// WhatsAppConfig is a WhatsApp Business Cloud API account.
type WhatsAppConfig struct {
	BaseURL                         string // e.g. https://graph.facebook.com/v21.0
	PhoneNumberID, Token, AppSecret string // AppSecret checks webhook signatures (X-Hub-Signature-256)
	// VerifyToken answers the Cloud API's webhook subscription check
	// (hub.verify_token); web compares it, the outbox does not use it.
	VerifyToken string
}

// SMSConfig is a generic HTTP SMS gateway.
type SMSConfig struct {
	URL                        string // a template: {to} and {text} are replaced, query-escaped; sent as GET, or POST when Method is POST
	Method, Username, Password string // basic auth when Username is set
}

// Config says which external channels are set up. A channel left nil is
// not configured: its deliveries wait as not_configured, never dropped, and
// go out when an Outbox with the channel configured runs on the store.
type Config struct {
	SMTP     *SMTPConfig
	WhatsApp *WhatsAppConfig
	SMS      *SMSConfig
	// PublicURL, e.g. "https://ksmart.example.gov.in", makes message links
	// absolute in e-mail, WhatsApp and SMS text; "" leaves them as paths.
	PublicURL string
}

// Delivery is one message on one channel.
type Delivery struct {
	ID             string    `json:"id"` // <message id>/<channel>
	Message        string    `json:"message"`
	Channel        string    `json:"channel"`
	To             string    `json:"to"` // the address used
	Status         string    `json:"status"`
	Attempts       int       `json:"attempts"`
	NextAttempt    time.Time `json:"next_attempt,omitzero"`
	LastError      string    `json:"last_error,omitempty"`
	ProviderID     string    `json:"provider_id,omitempty"` // e.g. the WhatsApp message id (wamid…)
	IdempotencyKey string    `json:"idempotency_key"`
	Updated        time.Time `json:"updated"`
}

// due reports whether d is still on its way (it has an entry in the due index).
func (d Delivery) due() bool {
	switch d.Status {
	case StatusQueued, StatusNotConfigured, StatusSending, StatusRetrying:
		return true
	}
	return false
}

// Outbox sends queued messages by e-mail, WhatsApp and SMS. It follows the
// log for message.queued events, keeps one Delivery per message and
// channel, and sends each from a pool of workers per configured channel,
// retrying with back-off until the channel takes it or refuses it for good.
//
// Set the exported fields, then call Run once; Deliveries, Pending, ForLink,
// Collectors and WhatsAppWebhook may be called at any time.
type Outbox struct {
	Store    *store.Store
	Config   Config
	Contacts func(userID string) (Contact, bool)
	// Attachment returns the PDF a message carries (the acknowledgement
	// receipt, or an issued certificate), or ok=false. It may be nil.
	Attachment func(m Message) (name string, pdf []byte, ok bool, err error)
	Now        func() time.Time
	Logger     *slog.Logger
	// HTTPClient for WhatsApp and SMS (default: one with a 15 s timeout).
	HTTPClient *http.Client
	// Backoff: first retry delay (default 30 s) and cap (default 1 h); tests set them small.
	RetryBase, RetryMax time.Duration
	// MaxAttempts fails a delivery that is still failing transiently after
	// this many attempts (default 30: about a day at the default back-off).
	MaxAttempts int
	// Workers is how many sends run at once on each channel (default 4).
	Workers int

	setupOnce   sync.Once
	setupErr    error
	metricsOnce sync.Once
	metrics     *metrics
	templates   map[string]kindTemplates
	senders     map[string]sender
	wake        map[string]chan struct{}

	cursorSeq   atomic.Uint64 // the last event the follower handled
	cursorKnown atomic.Bool
	persisted   uint64 // the cursor on disk; the follower's own
}

// codeTTL is how long a one-time code is worth sending; identity makes
// codes valid for 10 minutes.
const codeTTL = 10 * time.Minute

// sendTimeout bounds one send, attachment upload included. A send under
// way when Run's context ends is allowed to finish and is recorded.
const sendTimeout = 60 * time.Second

func (o *Outbox) setup() error {
	o.setupOnce.Do(func() {
		if o.Store == nil || o.Contacts == nil {
			o.setupErr = errors.New("messaging: an Outbox needs a Store and a Contacts function")
			return
		}
		if o.Now == nil {
			o.Now = time.Now
		}
		if o.Logger == nil {
			o.Logger = slog.Default()
		}
		if o.HTTPClient == nil {
			o.HTTPClient = &http.Client{Timeout: 15 * time.Second}
		}
		if o.RetryBase <= 0 {
			o.RetryBase = 30 * time.Second
		}
		if o.RetryMax <= 0 {
			o.RetryMax = time.Hour
		}
		if o.MaxAttempts <= 0 {
			o.MaxAttempts = 30
		}
		if o.Workers <= 0 {
			o.Workers = 4
		}
		if o.templates, o.setupErr = loadTemplates(); o.setupErr != nil {
			return
		}
		o.senders = map[string]sender{}
		if c := o.Config.SMTP; c != nil {
			if o.senders[ChannelEmail], o.setupErr = newEmailSender(c); o.setupErr != nil {
				return
			}
		}
		if c := o.Config.WhatsApp; c != nil {
			o.senders[ChannelWhatsApp] = &whatsAppSender{cfg: c, client: o.HTTPClient}
		}
		if c := o.Config.SMS; c != nil {
			o.senders[ChannelSMS] = &smsSender{cfg: c, client: o.HTTPClient}
		}
		o.wake = map[string]chan struct{}{}
		for ch := range o.senders {
			o.wake[ch] = make(chan struct{}, 1)
		}
		o.initMetrics()
	})
	return o.setupErr
}

// Run follows the log from the outbox's remembered place and sends until
// ctx ends, then lets the sends under way finish (each within a minute),
// records them and returns nil. It returns an error when the store fails or
// closes, or the Outbox is set up wrong. Run once per Outbox; one Outbox per
// store.
func (o *Outbox) Run(ctx context.Context) error {
	if err := o.setup(); err != nil {
		return err
	}
	if err := o.migrate(); err != nil {
		return err
	}
	cur, err := o.loadCursor()
	if err != nil {
		return err
	}
	o.persisted = cur
	o.cursorSeq.Store(cur)
	o.cursorKnown.Store(true)
	if err := o.markUnconfigured(); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for ch, snd := range o.senders {
		d := &dispatcher{o: o, channel: ch, snd: snd, workers: o.Workers, wake: o.wake[ch]}
		wg.Go(func() { d.run(runCtx, cancel) })
	}
	err = o.Store.Follow(runCtx, cur+1, 256, o.handle)
	cancel(err)
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	if cause := context.Cause(runCtx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

func (o *Outbox) loadCursor() (uint64, error) {
	var c cursor
	err := o.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityOutbox, outboxCursor, &c); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	return c.Seq, err
}

// migrate builds what an older store lacks: ForLink's index of the
// messages queued before there was one.
func (o *Outbox) migrate() error {
	var version int
	if err := o.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityOutbox, outboxSchema, &version); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	}); err != nil || version >= schemaVersion {
		return err
	}
	_, err := o.Store.Write(func(tx *store.Tx) error {
		err := tx.Scan(entity, store.ScanOptions{}, func(_ string, raw []byte) error {
			var m Message
			if err := json.Unmarshal(raw, &m); err != nil || m.Link == "" {
				return err
			}
			return tx.Put(entityLink, linkKey(m), linkRef{ID: m.ID})
		})
		if err != nil {
			return err
		}
		return tx.Put(entityOutbox, outboxSchema, schemaVersion)
	})
	return err
}

// markUnconfigured shows the deliveries of channels this Outbox has no
// configuration for as not_configured, so the office does not see them as
// queued forever.
func (o *Outbox) markUnconfigured() error {
	now := o.Now()
	_, err := o.Store.Write(func(tx *store.Tx) error {
		for _, ch := range []string{ChannelEmail, ChannelWhatsApp, ChannelSMS} {
			if o.senders[ch] != nil {
				continue
			}
			var change []Delivery
			err := tx.Scan(entityDue, store.ScanOptions{Prefix: duePrefix(ch)}, func(k string, _ []byte) error {
				_, id, ok := parseDueKey(k)
				if !ok {
					return nil
				}
				var d Delivery
				if err := tx.Get(entityDelivery, id, &d); err != nil {
					return nil
				}
				if d.Status != StatusNotConfigured {
					change = append(change, d)
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, d := range change {
				d.Status, d.Updated = StatusNotConfigured, now
				if err := tx.Put(entityDelivery, d.ID, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return err
}

// handle turns the message.queued events of a batch into deliveries, and
// moves the cursor past the batch in the same Write, so a crash neither
// skips nor repeats a message.
func (o *Outbox) handle(evs []store.Event) error {
	last := evs[len(evs)-1].Seq
	var msgs []Message
	err := o.Store.View(func(tx *store.Tx) error {
		for _, ev := range evs {
			// Events of other types, and versions this code does not know, are skipped.
			if !ev.Is(EventQueued) || ev.Entity != entity {
				continue
			}
			var m Message
			if err := tx.Get(entity, ev.ID, &m); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					o.Logger.Warn("messaging: a queued message has no document; skipped", "message", ev.ID, "seq", ev.Seq)
					continue
				}
				return err
			}
			msgs = append(msgs, m)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var plans []Delivery
	for _, m := range msgs {
		c, ok := o.Contacts(m.To)
		if !ok {
			o.Logger.Info("messaging: no contact for the recipient; in-app only", "message", m.ID)
			continue
		}
		plans = append(plans, o.plan(m, c)...)
	}
	// A batch without messages moves the cursor in memory only, and on disk
	// now and then, so other activity costs the outbox few writes.
	if len(plans) == 0 && last-o.persisted < 4096 {
		o.cursorSeq.Store(last)
		return nil
	}
	var created []Delivery
	_, err = o.Store.Write(func(tx *store.Tx) error {
		created = created[:0]
		var c cursor
		if err := tx.Get(entityOutbox, outboxCursor, &c); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if c.Seq >= last {
			return nil
		}
		for _, d := range plans {
			if tx.Exists(entityDelivery, d.ID) {
				continue
			}
			if err := tx.Put(entityDelivery, d.ID, d); err != nil {
				return err
			}
			if err := tx.Put(entityDue, dueKey(d), linkRef{ID: d.ID}); err != nil {
				return err
			}
			created = append(created, d)
		}
		return tx.Put(entityOutbox, outboxCursor, cursor{Seq: last})
	})
	if err != nil {
		return err
	}
	o.persisted = last
	o.cursorSeq.Store(last)
	for _, d := range created {
		o.metrics.queued.WithLabelValues(d.Channel).Inc()
		if w := o.wake[d.Channel]; w != nil {
			select {
			case w <- struct{}{}:
			default:
			}
		}
	}
	return nil
}

// plan returns the deliveries message m gets to contact c:
//   - e-mail when the contact has an address and chose e-mail;
//   - WhatsApp when the contact has a phone and chose WhatsApp; it carries
//     the receipt or certificate PDF;
//   - SMS when the contact has a phone and either chose SMS explicitly (a
//     short status line for every message) or made no choice and the
//     message is a one-time code. SMS costs per message and carries no
//     attachment, so receipts go by WhatsApp and e-mail.
//
// A channel without an address gets no delivery at all; a channel that is
// not configured gets one that waits as not_configured.
func (o *Outbox) plan(m Message, c Contact) []Delivery {
	now := o.Now()
	chose := func(ch string) bool { return c.Channels == nil || slices.Contains(c.Channels, ch) }
	var out []Delivery
	add := func(ch, to string) {
		status := StatusQueued
		if o.senders[ch] == nil {
			status = StatusNotConfigured
		}
		id := deliveryID(m.ID, ch)
		out = append(out, Delivery{ID: id, Message: m.ID, Channel: ch, To: to, Status: status,
			NextAttempt: now, IdempotencyKey: id, Updated: now})
	}
	if m.Address != "" {
		// A contact being verified: only there, whatever the user chose.
		// A phone gets the code on each configured channel for it, or
		// waits for SMS when neither is configured.
		switch {
		case strings.Contains(m.Address, "@"):
			add(ChannelEmail, m.Address)
		case o.senders[ChannelSMS] == nil && o.senders[ChannelWhatsApp] == nil:
			add(ChannelSMS, m.Address)
		default:
			for _, ch := range []string{ChannelWhatsApp, ChannelSMS} {
				if o.senders[ch] != nil {
					add(ch, m.Address)
				}
			}
		}
		return out
	}
	if c.Email != "" && chose(ChannelEmail) {
		add(ChannelEmail, c.Email)
	}
	if c.Phone != "" && chose(ChannelWhatsApp) {
		add(ChannelWhatsApp, c.Phone)
	}
	if c.Phone != "" && (slices.Contains(c.Channels, ChannelSMS) || (c.Channels == nil && m.Kind == KindVerificationCode)) {
		add(ChannelSMS, c.Phone)
	}
	return out
}

// Deliveries returns a message's deliveries, one per external channel, in
// channel order.
func (o *Outbox) Deliveries(messageID string) ([]Delivery, error) {
	return deliveries(o.Store, messageID)
}

func deliveries(s *store.Store, messageID string) ([]Delivery, error) {
	var out []Delivery
	err := s.View(func(tx *store.Tx) (err error) {
		out, err = scanDeliveries(tx, messageID)
		return err
	})
	return out, err
}

// scanDeliveries reads a message's deliveries inside a transaction.
func scanDeliveries(tx *store.Tx, messageID string) ([]Delivery, error) {
	var out []Delivery
	err := tx.Scan(entityDelivery, store.ScanOptions{Prefix: messageID + "/"}, func(_ string, raw []byte) error {
		var d Delivery
		if err := json.Unmarshal(raw, &d); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// Pending returns how many deliveries are not yet sent or failed: queued,
// not configured, being sent or waiting for a retry.
func (o *Outbox) Pending() (int, error) {
	var n int
	err := o.Store.View(func(tx *store.Tx) error {
		n = tx.Count(entityDue)
		return nil
	})
	return n, err
}

// Lag returns how many log events the outbox has yet to read.
func (o *Outbox) Lag() uint64 {
	last := o.Store.LastSeq()
	cur := o.cursorSeq.Load()
	if !o.cursorKnown.Load() {
		cur, _ = o.loadCursor()
	}
	if cur >= last {
		return 0
	}
	return last - cur
}

// Sent is a message about a file with its deliveries, as the file's page
// shows them.
type Sent struct {
	Message
	Deliveries []Delivery
}

// ForLink returns the messages about one file (Message.Link), oldest first,
// each with its deliveries (the in-app one is Message.Channels), read in
// one transaction.
func ForLink(s *store.Store, link string) ([]Sent, error) {
	if link == "" {
		return nil, domain.Errorf(domain.EINVALID, "messaging: which file's messages? The link is empty")
	}
	var out []Sent
	err := s.View(func(tx *store.Tx) error {
		return tx.Scan(entityLink, store.ScanOptions{Prefix: linkPrefix(link)}, func(_ string, raw []byte) error {
			var ref linkRef
			if err := json.Unmarshal(raw, &ref); err != nil {
				return err
			}
			var m Sent
			if err := tx.Get(entity, ref.ID, &m.Message); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				return err
			}
			ds, err := scanDeliveries(tx, m.ID)
			m.Deliveries = ds
			out = append(out, m)
			return err
		})
	})
	return out, err
}

// backoff returns the delay before retry number attempts (1, 2, ...): full
// jitter, uniform in [0, min(RetryMax, RetryBase·2^(attempts-1))].
func (o *Outbox) backoff(attempts int) time.Duration {
	ceil := o.RetryMax
	if shift := attempts - 1; shift < 40 {
		if d := o.RetryBase << max(shift, 0); d > 0 && d < ceil {
			ceil = d
		}
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ error }

func (p permanentError) Unwrap() error { return p.error }

func permanent(err error) error { return permanentError{err} }

func permanentf(format string, args ...any) error { return permanent(fmt.Errorf(format, args...)) }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
