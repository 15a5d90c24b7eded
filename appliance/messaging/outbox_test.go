package messaging_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

var receipt = []byte("%PDF-1.7\n% an acknowledgement receipt\n\x00\x01\x02\xff binary bytes\n%%EOF\n")

func attachReceipt(m messaging.Message) (string, []byte, bool, error) {
	if m.Kind != messaging.KindAcknowledgement {
		return "", nil, false, nil
	}
	return "receipt.pdf", receipt, true, nil
}

var anitha = messaging.Contact{UserID: "u-1", Name: "Anitha K", Language: "ml", Email: "anitha@example.org", Phone: "+919847000001"}

func TestTemplates_EveryKindHasBothLanguagesAndEveryChannel(t *testing.T) {
	if err := messaging.CheckTemplates(); err != nil {
		t.Fatal(err)
	}
}

func TestOutbox_EmailReachesTheSMTPPeerBilingualWithTheReceipt(t *testing.T) {
	s := openStore(t)
	peer := startSMTPPeer(t, true) // STARTTLS required and AUTH PLAIN, as in production
	o := &messaging.Outbox{Store: s, Config: messaging.Config{SMTP: peer.config(), PublicURL: "https://ksmart.kozhikode.test"},
		Contacts: contacts(anitha), Attachment: attachReceipt}
	run(t, o)
	m := queue(t, s, "u-1", messaging.KindAcknowledgement, "/applications/f-9", 1)[0]

	eventually(t, "the e-mail is sent", func() bool { return status(t, o, m.ID, messaging.ChannelEmail) == messaging.StatusSent })
	got := peer.all()
	if len(got) != 1 {
		t.Fatalf("the peer received %d e-mails, want 1", len(got))
	}
	e := got[0]
	d, _ := delivery(t, o, m.ID, messaging.ChannelEmail)
	checks := []struct{ what, got, want string }{
		{"envelope to", e.To, "anitha@example.org"},
		{"From", e.Header.Get("From"), `"Kozhikode Corporation" <office@kozhikode.lsgkerala.gov.in>`},
		{"To", e.Header.Get("To"), `"Anitha K" <anitha@example.org>`},
		{"Message-ID", e.Header.Get("Message-ID"), "<" + messaging.MessageID(m.ID+"/email", "kozhikode.lsgkerala.gov.in") + ">"},
		{"Subject", e.Subject, "അപേക്ഷ ലഭിച്ചു: KS/KKD/2026/BR/1 / Application received: KS/KKD/2026/BR/1"},
		{"provider id", d.ProviderID, messaging.MessageID(d.IdempotencyKey, "kozhikode.lsgkerala.gov.in")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	ml := strings.Index(e.Text, "ജനന സർട്ടിഫിക്കറ്റിനുള്ള")
	en := strings.Index(e.Text, "Your application for Birth certificate")
	if ml < 0 || en < ml || !strings.Contains(e.Text, "https://ksmart.kozhikode.test/applications/f-9") || !strings.Contains(e.Text, "പ്രിയ Anitha K") {
		t.Errorf("body lacks Malayalam first, English below, and the link:\n%s", e.Text)
	}
	if string(e.Files["receipt.pdf"]) != string(receipt) {
		t.Errorf("attachment = %q, want the receipt's bytes", e.Files["receipt.pdf"])
	}
	// The office sees the file's messages with the channel's status, and
	// the audit event says what happened without the body or the address.
	msgs, err := messaging.ForLink(s, "/applications/f-9")
	if err != nil || len(msgs) != 1 || !hasChannel(msgs[0], messaging.ChannelEmail, messaging.StatusSent) || !hasChannel(msgs[0], messaging.ChannelInApp, messaging.StatusDelivered) {
		t.Errorf("ForLink = %+v, %v; want the message with in_app delivered and email sent", msgs, err)
	}
	evs, _ := s.ReadLog(1, 0)
	var audit int
	for _, ev := range evs {
		if ev.Type == "message.delivered" {
			audit++
			if strings.Contains(string(ev.Data), "anitha") || strings.Contains(string(ev.Data), "482913") || !strings.Contains(string(ev.Data), `"status":"sent"`) {
				t.Errorf("audit event data = %s; want message, channel and status only", ev.Data)
			}
		}
	}
	if audit != 1 {
		t.Errorf("%d message.delivered events, want 1", audit)
	}
}

// gauge returns the value of the metric name with label channel (counters and gauges).
func gauge(t testing.TB, reg *prometheus.Registry, name, channel string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if channel != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != channel) {
				continue
			}
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return m.Gauge.GetValue()
		}
	}
	return -1
}

// settled reports whether o has read the whole log and has nothing left to send.
func settled(o *messaging.Outbox) bool {
	n, err := o.Pending()
	return err == nil && n == 0 && o.Lag() == 0
}

func hasChannel(m messaging.Sent, name, status string) bool {
	for _, c := range m.Channels {
		if c.Name == name && c.Status == status {
			return true
		}
	}
	for _, d := range m.Deliveries {
		if d.Channel == name && d.Status == status {
			return true
		}
	}
	return false
}

func TestOutbox_WhatsAppTemplateAndDocumentThenSignedStatusesUpdateTheDelivery(t *testing.T) {
	s := openStore(t)
	peer := startWAPeer(t)
	c := anitha
	c.Email, c.Language = "", "en"
	o := &messaging.Outbox{Store: s, Config: messaging.Config{WhatsApp: peer.config()}, Contacts: contacts(c), Attachment: attachReceipt}
	peer.hook = webhookEndpoint(t, o)
	run(t, o)
	m := queue(t, s, "u-1", messaging.KindAcknowledgement, "/applications/f-1", 1)[0]

	eventually(t, "the WhatsApp message is sent", func() bool { return status(t, o, m.ID, messaging.ChannelWhatsApp) == messaging.StatusSent })
	peer.mu.Lock()
	if len(peer.templates) != 1 || len(peer.documents) != 1 || len(peer.media) != 1 {
		t.Fatalf("peer got %d templates, %d documents, %d uploads; want 1 each", len(peer.templates), len(peer.documents), len(peer.media))
	}
	tm, doc := peer.templates[0], peer.documents[0]
	peer.mu.Unlock()
	tmpl := tm["template"].(map[string]any)
	params := tmpl["components"].([]any)[0].(map[string]any)["parameters"].([]any)
	if tm["to"] != "919847000001" || tmpl["name"] != "ksmart_acknowledgement" || tmpl["language"].(map[string]any)["code"] != "en" ||
		len(params) != 3 || params[1].(map[string]any)["text"] != "KS/KKD/2026/BR/1" {
		t.Errorf("template message = %v", tm)
	}
	d := doc["document"].(map[string]any)
	if d["filename"] != "receipt.pdf" || string(peer.media[d["id"].(string)]) != string(receipt) {
		t.Errorf("document message = %v; want the uploaded receipt", doc)
	}
	dl, _ := delivery(t, o, m.ID, messaging.ChannelWhatsApp)
	if !strings.HasPrefix(dl.ProviderID, "wamid.") {
		t.Fatalf("provider id = %q, want the template's wamid", dl.ProviderID)
	}
	for _, st := range []string{messaging.StatusSent, messaging.StatusDelivered, messaging.StatusRead, messaging.StatusDelivered} {
		if err := peer.status(dl.ProviderID, st); err != nil {
			t.Fatalf("webhook %s: %v", st, err)
		}
	}
	if got := status(t, o, m.ID, messaging.ChannelWhatsApp); got != messaging.StatusRead {
		t.Errorf("after sent, delivered, read and a late delivered: status %q, want read", got)
	}
}

func TestWhatsAppWebhook_WrongSignatureIsRefusedAndChangesNothing(t *testing.T) {
	s := openStore(t)
	peer := startWAPeer(t)
	o := &messaging.Outbox{Store: s, Config: messaging.Config{WhatsApp: peer.config()}, Contacts: contacts(anitha)}
	run(t, o)
	m := queue(t, s, "u-1", messaging.KindNotice, "", 1)[0]
	eventually(t, "sent", func() bool { return status(t, o, m.ID, messaging.ChannelWhatsApp) == messaging.StatusSent })
	before, _ := delivery(t, o, m.ID, messaging.ChannelWhatsApp)
	seq := s.LastSeq()

	var captured []byte
	peer.hook = func(body []byte, _ string) error { captured = body; return nil }
	peer.status(before.ProviderID, messaging.StatusRead)
	for name, sig := range map[string]string{
		"missing":       "",
		"wrong secret":  "sha256=" + strings.Repeat("ab", 32),
		"not hex":       "sha256=zz",
		"no prefix":     strings.Repeat("ab", 32),
		"other payload": signed(t, []byte(`{"entry":[]}`)),
	} {
		err := o.WhatsAppWebhook(captured, sig)
		if domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
			t.Errorf("%s signature: err = %v, want unauthenticated", name, err)
		}
	}
	if after, _ := delivery(t, o, m.ID, messaging.ChannelWhatsApp); after != before || s.LastSeq() != seq {
		t.Errorf("a refused webhook changed the delivery %+v → %+v or the log (%d → %d)", before, after, seq, s.LastSeq())
	}
	if err := o.WhatsAppWebhook(captured, signed(t, captured)); err != nil || status(t, o, m.ID, messaging.ChannelWhatsApp) != messaging.StatusRead {
		t.Errorf("the correctly signed webhook: %v, status %q", err, status(t, o, m.ID, messaging.ChannelWhatsApp))
	}
}

func signed(t *testing.T, body []byte) string {
	t.Helper()
	return hmacHex(body)
}

func TestOutbox_SMTPRefusesForAWhileThenEveryMessageArrivesOnce(t *testing.T) {
	s := openStore(t)
	peer := startSMTPPeer(t, false)
	emailOnly := anitha
	emailOnly.Phone = ""
	peer.refuse = func(_ string, n int) error {
		if n <= 15 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	}
	o := &messaging.Outbox{Store: s, Config: messaging.Config{SMTP: peer.config()}, Contacts: contacts(emailOnly),
		RetryBase: time.Millisecond, RetryMax: 20 * time.Millisecond}
	run(t, o)
	msgs := queue(t, s, "u-1", messaging.KindNotice, "", 20)

	eventually(t, "every e-mail is sent", func() bool { return settled(o) })
	var retried int
	for _, m := range msgs {
		d, _ := delivery(t, o, m.ID, messaging.ChannelEmail)
		if d.Status != messaging.StatusSent {
			t.Errorf("%s: %s (%s), want sent", d.ID, d.Status, d.LastError)
		}
		if n := peer.copies(messaging.MessageID(d.IdempotencyKey, "kozhikode.lsgkerala.gov.in")); n != 1 {
			t.Errorf("%s arrived %d times, want once", d.ID, n)
		}
		if d.Attempts > 1 {
			retried++
		}
	}
	if retried == 0 || len(peer.all()) != 20 {
		t.Errorf("%d deliveries needed a retry, %d e-mails arrived; want some retried and 20", retried, len(peer.all()))
	}
}

func TestOutbox_PermanentSMTPRefusalFailsWithTheReasonAndStops(t *testing.T) {
	s := openStore(t)
	peer := startSMTPPeer(t, false)
	peer.refuse = func(string, int) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	emailOnly := anitha
	emailOnly.Phone = ""
	o := &messaging.Outbox{Store: s, Config: messaging.Config{SMTP: peer.config()}, Contacts: contacts(emailOnly), RetryBase: time.Millisecond}
	reg := prometheus.NewRegistry()
	reg.MustRegister(o.Collectors()...)
	run(t, o)
	m := queue(t, s, "u-1", messaging.KindNotice, "/applications/f-2", 1)[0]

	eventually(t, "the e-mail fails", func() bool { return status(t, o, m.ID, messaging.ChannelEmail) == messaging.StatusFailed })
	d, _ := delivery(t, o, m.ID, messaging.ChannelEmail)
	if d.Attempts != 1 || !strings.Contains(d.LastError, "550") || !strings.Contains(d.LastError, "no such mailbox") || !d.NextAttempt.IsZero() {
		t.Errorf("delivery = %+v; want failed after 1 attempt with the 550 reason, no next attempt", d)
	}
	if n, _ := o.Pending(); n != 0 {
		t.Errorf("%d deliveries still pending; a permanent failure must not be retried", n)
	}
	msgs, _ := messaging.ForLink(s, "/applications/f-2")
	if len(msgs) != 1 || !hasChannel(msgs[0], messaging.ChannelEmail, messaging.StatusFailed) {
		t.Errorf("the office's view = %+v; want the e-mail shown failed", msgs)
	}
	// The counter moves once the outcome's Write has committed, a moment
	// after the store shows it.
	eventually(t, "the failure to be counted", func() bool { return gauge(t, reg, "ksmart_messages_failed_total", "email") == 1 })
}

func TestOutbox_ContactsGetOnlyTheChannelsTheyHaveAndChose(t *testing.T) {
	s := openStore(t)
	smtpPeer, wa := startSMTPPeer(t, false), startWAPeer(t)
	var sms []string
	var mu sync.Mutex
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "gw" || p != "pw" || r.Header.Get("Idempotency-Key") == "" {
			http.Error(w, "unauthorised", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		sms = append(sms, r.URL.Query().Get("to")+" "+r.URL.Query().Get("msg"))
		mu.Unlock()
		io.WriteString(w, "OK")
	}))
	t.Cleanup(gw.Close)
	people := []messaging.Contact{
		{UserID: "no-email", Name: "Babu", Phone: "+919847000002"},
		{UserID: "email-only-choice", Name: "Chitra", Email: "chitra@example.org", Phone: "+919847000003", Channels: []string{messaging.ChannelEmail}},
		{UserID: "sms-choice", Name: "Dev", Phone: "+919847000004", Channels: []string{messaging.ChannelSMS}},
	}
	o := &messaging.Outbox{Store: s, Contacts: contacts(people...), Config: messaging.Config{SMTP: smtpPeer.config(), WhatsApp: wa.config(),
		SMS: &messaging.SMSConfig{URL: gw.URL + "/send?to={to}&msg={text}", Username: "gw", Password: "pw"}}}
	run(t, o)
	type want struct{ user, kind, channels string }
	cases := []want{
		{"no-email", messaging.KindAcknowledgement, "whatsapp"},
		{"no-email", messaging.KindVerificationCode, "whatsapp sms"},
		{"email-only-choice", messaging.KindVerificationCode, "email"},
		{"sms-choice", messaging.KindFileDecided, "sms"},
	}
	var ids []string
	for _, c := range cases {
		ids = append(ids, queue(t, s, c.user, c.kind, "", 1)[0].ID)
	}
	eventually(t, "all sent", func() bool { return settled(o) })
	for i, c := range cases {
		ds, _ := o.Deliveries(ids[i])
		var got []string
		for _, d := range ds {
			got = append(got, d.Channel)
			if d.Status != messaging.StatusSent {
				t.Errorf("%s %s: %s %s", c.user, d.Channel, d.Status, d.LastError)
			}
		}
		if g := strings.Join(got, " "); g != c.channels && !sameSet(g, c.channels) {
			t.Errorf("%s, %s: channels %q, want %q", c.user, c.kind, g, c.channels)
		}
	}
	for _, e := range smtpPeer.all() {
		if e.To != "chitra@example.org" {
			t.Errorf("an e-mail went to %s", e.To)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sms) != 2 || !strings.Contains(strings.Join(sms, "\n"), "+919847000002 ksmart code 482913") || !strings.Contains(strings.Join(sms, "\n"), "കോഡ് 482913") {
		t.Errorf("SMS sent = %q; want the code to +919847000002 in both languages, and Dev's status line", sms)
	}
}

func sameSet(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != len(fb) {
		return false
	}
	for _, x := range fa {
		if !strings.Contains(" "+b+" ", " "+x+" ") {
			return false
		}
	}
	return true
}

func TestOutbox_UnconfiguredChannelWaitsThenGoesWhenConfigured(t *testing.T) {
	s := openStore(t)
	first := &messaging.Outbox{Store: s, Contacts: contacts(anitha)}
	stop := run(t, first)
	m := queue(t, s, "u-1", messaging.KindNotice, "", 1)[0]
	eventually(t, "deliveries are created", func() bool { ds, _ := first.Deliveries(m.ID); return len(ds) == 2 })
	for _, ch := range []string{messaging.ChannelEmail, messaging.ChannelWhatsApp} {
		if st := status(t, first, m.ID, ch); st != messaging.StatusNotConfigured {
			t.Errorf("%s: %s, want not_configured", ch, st)
		}
	}
	if n, _ := first.Pending(); n != 2 {
		t.Errorf("pending = %d, want 2: not configured is waiting, not dropped", n)
	}
	stop()

	peer := startSMTPPeer(t, false)
	second := &messaging.Outbox{Store: s, Contacts: contacts(anitha), Config: messaging.Config{SMTP: peer.config()}}
	run(t, second)
	eventually(t, "the e-mail goes", func() bool { return status(t, second, m.ID, messaging.ChannelEmail) == messaging.StatusSent })
	if len(peer.all()) != 1 || status(t, second, m.ID, messaging.ChannelWhatsApp) != messaging.StatusNotConfigured {
		t.Errorf("%d e-mails; whatsapp %s; want 1 and still not configured", len(peer.all()), status(t, second, m.ID, messaging.ChannelWhatsApp))
	}
}

func TestOutbox_RestartMidwayDeliversEveryMessageAndNoneTwice(t *testing.T) {
	s := openStore(t)
	peer := startSMTPPeer(t, false)
	wa := startWAPeer(t)
	c := anitha
	cfg := messaging.Config{SMTP: peer.config(), WhatsApp: wa.config()}
	msgs := queue(t, s, "u-1", messaging.KindNotice, "", 300)

	first := &messaging.Outbox{Store: s, Contacts: contacts(c), Config: cfg}
	stop := run(t, first)
	eventually(t, "some are sent", func() bool { return len(peer.all()) >= 60 })
	stop()
	sentBefore := len(peer.all())
	// A stop records every send under way and puts back the deliveries
	// claimed ahead that no worker took: none is left sending, and those
	// not sent have no attempt counted.
	var putBack int
	for _, m := range msgs {
		for _, ch := range []string{messaging.ChannelEmail, messaging.ChannelWhatsApp} {
			d, _ := delivery(t, first, m.ID, ch)
			switch {
			case d.Status == messaging.StatusSent:
			case d.Status == messaging.StatusQueued && d.Attempts == 0:
				putBack++
			default:
				t.Fatalf("after a stop, %s %s: %+v; want sent, or queued with no attempt", m.ID, ch, d)
			}
		}
	}
	if putBack == 0 {
		t.Fatalf("every delivery was sent before the stop; the restart was not mid-way")
	}

	second := &messaging.Outbox{Store: s, Contacts: contacts(c), Config: cfg}
	run(t, second)
	eventually(t, "all are sent", func() bool { return settled(second) })
	if sentBefore >= 300 {
		t.Fatalf("the first outbox sent all 300 before it was stopped; the restart was not mid-way")
	}
	for _, m := range msgs {
		for _, ch := range []string{messaging.ChannelEmail, messaging.ChannelWhatsApp} {
			d, ok := delivery(t, second, m.ID, ch)
			if !ok || d.Status != messaging.StatusSent {
				t.Fatalf("%s %s: %+v", m.ID, ch, d)
			}
		}
		if n := peer.copies(messaging.MessageID(m.ID+"/email", "kozhikode.lsgkerala.gov.in")); n != 1 {
			t.Errorf("%s arrived %d times by e-mail, want once", m.ID, n)
		}
	}
	wa.mu.Lock()
	defer wa.mu.Unlock()
	if len(peer.all()) != 300 || len(wa.templates) != 300 {
		t.Errorf("%d e-mails and %d WhatsApp messages arrived, want 300 each", len(peer.all()), len(wa.templates))
	}
}

func TestOutbox_NumberNotOnWhatsAppFailsAndATimeoutIsRetried(t *testing.T) {
	s := openStore(t)
	wa := startWAPeer(t)
	var calls int
	var mu sync.Mutex
	wa.answer = func(to string) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		switch {
		case to == "919847000009":
			return 400, `{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026}}`
		case calls <= 2:
			return 503, `{"error":{"message":"Service temporarily unavailable","code":133004}}`
		}
		return 0, ""
	}
	people := []messaging.Contact{{UserID: "gone", Phone: "+919847000009"}, {UserID: "ok", Phone: "+919847000010"}}
	o := &messaging.Outbox{Store: s, Contacts: contacts(people...), Config: messaging.Config{WhatsApp: wa.config()}, RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond, Workers: 1}
	run(t, o)
	gone := queue(t, s, "gone", messaging.KindNotice, "", 1)[0]
	ok := queue(t, s, "ok", messaging.KindNotice, "", 1)[0]
	eventually(t, "both settle", func() bool { return settled(o) })
	if d, _ := delivery(t, o, gone.ID, messaging.ChannelWhatsApp); d.Status != messaging.StatusFailed || !strings.Contains(d.LastError, "not on WhatsApp") {
		t.Errorf("unknown number: %+v, want failed saying it is not on WhatsApp", d)
	}
	if d, _ := delivery(t, o, ok.ID, messaging.ChannelWhatsApp); d.Status != messaging.StatusSent {
		t.Errorf("after 503s: %+v, want sent", d)
	}
}

func hmacHex(body []byte) string {
	var sig string
	p := &waPeer{secret: waSecret, hook: func(_ []byte, s string) error { sig = s; return nil }}
	p.statusRaw(body)
	return sig
}

// TestOutbox_ReturnsErrorWhenTheStoreCloses shows Run does not hang on a closed store.
func TestOutbox_RunEndsWithAnErrorWhenTheStoreCloses(t *testing.T) {
	s, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := &messaging.Outbox{Store: s, Contacts: contacts(anitha)}
	done := make(chan error, 1)
	go func() { done <- o.Run(context.Background()) }()
	queue(t, s, "u-1", messaging.KindNotice, "", 1)
	eventually(t, "the delivery exists", func() bool { ds, _ := o.Deliveries("u-1/00000001"); return len(ds) == 2 })
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("Run = %v, want store.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not end when the store closed")
	}
}

// TestOutbox_ACodeForANewAddressGoesThereAloneAndNotToTheInbox: a code
// proving a citizen holds a new e-mail address is mailed to that address
// only — not to the e-mail they have, nor shown in their inbox, where
// whoever is signed in would read it.
func TestOutbox_ACodeForANewAddressGoesThereAloneAndNotToTheInbox(t *testing.T) {
	s := openStore(t)
	smtpPeer := startSMTPPeer(t, false)
	o := &messaging.Outbox{Store: s, Contacts: contacts(messaging.Contact{UserID: "u-5", Name: "Chitra", Email: "chitra@example.org"}),
		Config: messaging.Config{SMTP: smtpPeer.config()}}
	run(t, o)
	var m messaging.Message
	_, err := s.Write(func(tx *store.Tx) (err error) {
		m, err = messaging.Queue(tx, time.Now(), messaging.Message{To: "u-5", Kind: messaging.KindVerificationCode, Address: "chitra.new@example.org",
			Subject: domain.T("Your ksmart verification code", "കോഡ്"), Body: domain.T("Your code is 482913.", "കോഡ് 482913.")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "sent", func() bool { return settled(o) })
	ds, _ := o.Deliveries(m.ID)
	if len(ds) != 1 || ds[0].To != "chitra.new@example.org" || ds[0].Status != messaging.StatusSent {
		t.Fatalf("deliveries of a code for a new address: %+v", ds)
	}
	for _, e := range smtpPeer.all() {
		if e.To != "chitra.new@example.org" {
			t.Errorf("the code went to %s", e.To)
		}
	}
	if inbox, _ := messaging.Inbox(s, "u-5", 0); len(inbox) != 0 {
		t.Errorf("the code is in the in-app inbox: %+v", inbox)
	}
	if got, ok := messaging.LatestTo(s, "u-5", "chitra.new@example.org"); !ok || got.ID != m.ID {
		t.Errorf("LatestTo does not find the message: %+v", got)
	}
}
