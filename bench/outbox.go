package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	mail "github.com/wneessen/go-mail"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

// OutboxConfig says how much the outbox benchmark submits. Zero fields
// take defaults.
type OutboxConfig struct {
	Applications int // applications in the burst; default 10,000
	Clients      int // concurrent submitters, each a citizen; default 64
	OnPhase      func(string)
}

// OutboxResult holds the figures of one run. The per-channel rates
// count, at each peer, the channel's messages from the burst's start to its
// last arrival; Ratio is the outbox's e-mail rate over raw go-mail's.
type OutboxResult struct {
	Name            string  `json:"name"`
	Applications    int     `json:"applications"`
	Clients         int     `json:"clients"`
	Workers         int     `json:"workers"`
	AttachmentBytes int     `json:"attachment_bytes"`
	BurstSeconds    float64 `json:"burst_seconds"`
	AppsPerSec      float64 `json:"applications_per_s"`
	// LagEvents and PendingDeliveries are read right after the burst:
	// log events the outbox had yet to read, and deliveries not yet sent.
	LagEvents         uint64  `json:"lag_events_after_burst"`
	PendingDeliveries int     `json:"pending_deliveries_after_burst"`
	DrainSeconds      float64 `json:"drain_seconds"`
	Emails            int     `json:"emails"`
	EmailMessageIDs   int     `json:"email_message_ids"`
	EmailSeconds      float64 `json:"email_seconds"`
	EmailPerSec       float64 `json:"email_msgs_per_s"`
	WhatsAppMessages  int     `json:"whatsapp_messages"`
	WhatsAppDocuments int     `json:"whatsapp_documents"`
	WhatsAppSeconds   float64 `json:"whatsapp_seconds"`
	WhatsAppPerSec    float64 `json:"whatsapp_msgs_per_s"`
	RawSeconds        float64 `json:"raw_gomail_seconds"`
	RawPerSec         float64 `json:"raw_gomail_msgs_per_s"`
	Ratio             float64 `json:"ratio"`
}

// WriteTable writes the figures as `ksmart bench outbox` prints them.
func (r OutboxResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "outbox: %d applications from %d citizens through workflow.Submit, each acknowledged by e-mail and WhatsApp with a %d-byte receipt PDF; local peers on 127.0.0.1, %d workers a channel\n\n",
		r.Applications, r.Clients, r.AttachmentBytes, r.Workers)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tper s\tseconds\t\n")
	fmt.Fprintf(w, "applications submitted (the burst)\t%.0f\t%.1f\t\n", r.AppsPerSec, r.BurstSeconds)
	fmt.Fprintf(w, "e-mails through the outbox\t%.0f\t%.1f\t\n", r.EmailPerSec, r.EmailSeconds)
	fmt.Fprintf(w, "WhatsApp messages through the outbox\t%.0f\t%.1f\t\n", r.WhatsAppPerSec, r.WhatsAppSeconds)
	fmt.Fprintf(w, "raw go-mail, %d senders, same PDF\t%.0f\t%.1f\t\n", r.Workers, r.RawPerSec, r.RawSeconds)
	w.Flush()
	fmt.Fprintf(out, "\nright after the burst: %d events unread by the outbox, %d deliveries pending\n", r.LagEvents, r.PendingDeliveries)
	fmt.Fprintf(out, "drained %.1f s after the burst ended: %d e-mails (%d distinct Message-IDs), %d WhatsApp messages with %d documents\n",
		r.DrainSeconds, r.Emails, r.EmailMessageIDs, r.WhatsAppMessages, r.WhatsAppDocuments)
	fmt.Fprintf(out, "ratio of outbox e-mail to raw go-mail: %.2f\n", r.Ratio)
}

// outboxDrainTimeout bounds the wait for every acknowledgement to reach
// both peers.
const outboxDrainTimeout = 15 * time.Minute

// RunOutbox starts an SMTP peer and a WhatsApp Cloud API peer on
// 127.0.0.1, opens an appliance with both configured on a scratch
// directory, has c.Clients citizens who chose e-mail and WhatsApp submit
// c.Applications general petitions through workflow.Submit while the
// outbox runs, and times the burst and the drain of every acknowledgement
// to both peers. Then go-mail sends as many e-mails with the same receipt
// PDF to the same SMTP peer, the raw library's rate. It gives up on a drain
// longer than 15 minutes.
func RunOutbox(ctx context.Context, c OutboxConfig) (OutboxResult, error) {
	if c.Applications == 0 {
		c.Applications = 10000
	}
	if c.Clients == 0 {
		c.Clients = 64
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := OutboxResult{Name: "outbox", Applications: c.Applications, Clients: c.Clients}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	c.OnPhase("starting an SMTP peer and a WhatsApp Cloud API peer on 127.0.0.1")
	mp, err := startMailPeer()
	if err != nil {
		return res, err
	}
	defer mp.close()
	wa, err := startWhatsAppPeer()
	if err != nil {
		return res, err
	}
	defer wa.close()

	dir, err := os.MkdirTemp("", "ksmart-bench-outbox-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Messaging: messaging.Config{
			SMTP:     &messaging.SMTPConfig{Host: "127.0.0.1", Port: mp.port, From: "Bench Panchayat <office@bench.test>", TLS: "none"},
			WhatsApp: &messaging.WhatsAppConfig{BaseURL: wa.url, PhoneNumberID: "1000", Token: "bench", AppSecret: "bench"},
		}})
	if err != nil {
		return res, err
	}
	defer app.Close()
	res.Workers = app.Outbox.Workers
	if res.Workers <= 0 {
		res.Workers = 4 // the outbox's default
	}

	c.OnPhase(fmt.Sprintf("signing up %d citizens who chose e-mail and WhatsApp", c.Clients))
	actors := make([]domain.Actor, c.Clients)
	if err := parallelErr(c.Clients, func(i int) (err error) {
		actors[i], err = outboxBenchCitizen(app, i)
		return err
	}); err != nil {
		return res, err
	}
	svc, _ := app.Catalogue.Get("general_petition")
	rng := rand.New(rand.NewPCG(1, 2))
	const formsPerClient = 8
	forms := make([][]map[string]string, c.Clients)
	for i := range forms {
		for range formsPerClient {
			values, _ := synth.FillForm(rng, svc, lb, synth.NewPerson(rng), app.Now())
			forms[i] = append(forms[i], values)
		}
	}

	// The sign-ups' one-time codes go out first; the peers then start
	// counting from zero.
	c.OnPhase("starting the appliance's outbox and sending the sign-ups' codes")
	go app.Run(ctx)
	if err := waitUntil(ctx, time.Minute, func() (bool, error) {
		n, err := app.Outbox.Pending()
		return n == 0 && mp.count().distinct >= c.Clients && wa.count().templates >= c.Clients, err
	}); err != nil {
		return res, fmt.Errorf("bench: the sign-ups' codes were not sent: %w", err)
	}
	mp.reset()
	wa.reset()

	c.OnPhase(fmt.Sprintf("submitting %d applications from %d citizens while the outbox runs", c.Applications, c.Clients))
	var next atomic.Int64
	var first sync.Once
	var firstFile workflow.File // whose receipt raw go-mail attaches
	start := time.Now()
	err = parallelErr(c.Clients, func(i int) error {
		for n := 0; next.Add(1) <= int64(c.Applications); n++ {
			f, err := app.Workflow.Submit(actors[i], workflow.Submission{Service: svc.Code, Values: forms[i][n%formsPerClient],
				Channel: workflow.ChannelOnline, Applicant: workflow.Applicant{Name: domain.T(actors[i].Name, "")}})
			if err != nil {
				return err
			}
			first.Do(func() { firstFile = f })
		}
		return nil
	})
	burstEnd := time.Now()
	if err != nil {
		return res, err
	}
	res.LagEvents = app.Outbox.Lag()
	if res.PendingDeliveries, err = app.Outbox.Pending(); err != nil {
		return res, err
	}
	res.BurstSeconds = burstEnd.Sub(start).Seconds()
	res.AppsPerSec = float64(c.Applications) / res.BurstSeconds

	c.OnPhase(fmt.Sprintf("waiting for %d e-mails and %d WhatsApp messages (%d events unread, %d deliveries pending)", c.Applications, c.Applications, res.LagEvents, res.PendingDeliveries))
	lastReport := time.Now()
	err = waitUntil(ctx, outboxDrainTimeout, func() (bool, error) {
		m, w := mp.count(), wa.count()
		if m.distinct > c.Applications || w.templates > c.Applications {
			return false, fmt.Errorf("bench: the peers got %d e-mails and %d WhatsApp messages, more than the %d acknowledgements", m.distinct, w.templates, c.Applications)
		}
		if time.Since(lastReport) >= 10*time.Second {
			lastReport = time.Now()
			c.OnPhase(fmt.Sprintf("draining: %d e-mails, %d WhatsApp messages", m.distinct, w.templates))
		}
		if m.distinct < c.Applications || w.templates < c.Applications || w.documents < c.Applications {
			return false, nil
		}
		n, err := app.Outbox.Pending()
		return n == 0, err
	})
	drained := time.Now()
	if err != nil {
		return res, fmt.Errorf("bench: the outbox did not drain: %w (e-mails %d, WhatsApp %d of %d)", err, mp.count().distinct, wa.count().templates, c.Applications)
	}
	res.DrainSeconds = drained.Sub(burstEnd).Seconds()
	m, w := mp.count(), wa.count()
	res.Emails, res.EmailMessageIDs = m.total, m.distinct
	res.WhatsAppMessages, res.WhatsAppDocuments = w.templates, w.documents
	res.EmailSeconds = m.last.Sub(start).Seconds()
	res.WhatsAppSeconds = w.last.Sub(start).Seconds()
	res.EmailPerSec = float64(c.Applications) / res.EmailSeconds
	res.WhatsAppPerSec = float64(c.Applications) / res.WhatsAppSeconds
	cancel() // the outbox has nothing left to send

	pdf, err := app.Workflow.Receipt(firstFile, app.PublicURL)
	if err != nil {
		return res, err
	}
	res.AttachmentBytes = len(pdf)
	c.OnPhase(fmt.Sprintf("sending %d e-mails with the same receipt PDF through go-mail directly, %d at a time", c.Applications, res.Workers))
	mp.reset()
	begin := time.Now()
	if err := rawGoMail(context.WithoutCancel(ctx), mp.port, res.Workers, c.Applications, pdf); err != nil {
		return res, err
	}
	res.RawSeconds = time.Since(begin).Seconds()
	if got := mp.count(); got.distinct != c.Applications {
		return res, fmt.Errorf("bench: go-mail sent %d e-mails but the peer got %d", c.Applications, got.distinct)
	}
	res.RawPerSec = float64(c.Applications) / res.RawSeconds
	res.Ratio = res.EmailPerSec / res.RawPerSec
	return res, nil
}

// outboxBenchCitizen signs up citizen i with an e-mail address, verifies
// them with the code from their in-app message, and has them choose e-mail
// and WhatsApp in English.
func outboxBenchCitizen(app *appliance.Appliance, i int) (domain.Actor, error) {
	email := fmt.Sprintf("citizen%d@bench.test", i)
	u, err := synth.Citizen(app, email, "Bench Citizen", fmt.Sprintf("bench-citizen-%d", i))
	if err != nil {
		return domain.Actor{}, err
	}
	if u, err = app.Identity.SetPreferences(u.ID, identity.Preferences{Language: "en", Channels: []string{messaging.ChannelEmail, messaging.ChannelWhatsApp},
		Email: email, Phone: fmt.Sprintf("98470%05d", i)}); err != nil {
		return domain.Actor{}, err
	}
	// The added phone is used once verified, with the code sent to it.
	m, ok := messaging.LatestTo(app.Store, u.ID, u.Phone)
	if !ok {
		return domain.Actor{}, fmt.Errorf("bench: no code went to %s", u.Phone)
	}
	if err := app.Identity.VerifyContact(u.ID, identity.ContactPhone, benchCode.FindString(m.Body.En)); err != nil {
		return domain.Actor{}, err
	}
	return u.Actor(), nil
}

// rawGoMail sends n e-mails with pdf attached to the SMTP peer on port
// from the given number of goroutines, the way the outbox does it: a go-mail
// message built and a connection opened for each.
func rawGoMail(ctx context.Context, port, workers, n int, pdf []byte) error {
	var next atomic.Int64
	return parallelErr(workers, func(int) error {
		for k := next.Add(1); k <= int64(n); k = next.Add(1) {
			msg := mail.NewMsg()
			if err := msg.From("Bench Panchayat <office@bench.test>"); err != nil {
				return err
			}
			if err := msg.AddToFormat("Bench Citizen", fmt.Sprintf("citizen%d@bench.test", k%64)); err != nil {
				return err
			}
			msg.Subject(fmt.Sprintf("Application received: KS/BENCH/%d / അപേക്ഷ ലഭിച്ചു", k))
			msg.SetMessageIDWithValue(fmt.Sprintf("raw-%d@bench.test", k))
			msg.SetDate()
			msg.SetBodyString(mail.TypeTextPlain, "Your application was received; the receipt is attached.\n--------------------------------\n\nനിങ്ങളുടെ അപേക്ഷ ലഭിച്ചു; രസീത് ചേർത്തിരിക്കുന്നു.\n")
			if err := msg.AttachReader("receipt.pdf", bytes.NewReader(pdf), mail.WithFileContentType("application/pdf")); err != nil {
				return err
			}
			client, err := mail.NewClient("127.0.0.1", mail.WithPort(port), mail.WithTLSPolicy(mail.NoTLS), mail.WithTimeout(30*time.Second))
			if err != nil {
				return err
			}
			if err := client.DialAndSendWithContext(ctx, msg); err != nil {
				return fmt.Errorf("bench: raw go-mail: %w", err)
			}
		}
		return nil
	})
}
