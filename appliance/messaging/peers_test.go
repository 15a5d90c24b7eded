package messaging_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// smtpPeer is a real SMTP server (go-smtp) on loopback that keeps what it
// receives.
type smtpPeer struct {
	Addr string
	Port int
	CA   *x509.CertPool // set when the peer offers STARTTLS

	mu sync.Mutex
	// refuse, when set, decides the answer to each RCPT TO: nil accepts.
	refuse   func(rcpt string, n int) error
	rcpts    int // RCPT TO commands seen
	received []*receivedMail
	byID     map[string]int // Message-ID → copies received
	user     string         // when set, AUTH PLAIN with user/"secret" is required
}

type receivedMail struct {
	From, To string // envelope
	Header   mail.Header
	Subject  string // decoded
	Text     string // the text part, decoded
	Files    map[string][]byte
}

// startSMTPPeer starts the peer; with tlsAuth it offers STARTTLS with a
// fresh self-signed certificate and requires AUTH PLAIN.
func startSMTPPeer(tb testing.TB, tlsAuth bool) *smtpPeer {
	tb.Helper()
	p := &smtpPeer{byID: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{p: p}, nil }))
	srv.Domain = "peer.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	if tlsAuth {
		cert, pool := selfSigned(tb)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		p.CA, p.user = pool, "office"
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p.Addr = "127.0.0.1"
	p.Port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return p
}

func (p *smtpPeer) config() *messaging.SMTPConfig {
	c := &messaging.SMTPConfig{Host: p.Addr, Port: p.Port, From: "Kozhikode Corporation <office@kozhikode.lsgkerala.gov.in>", TLS: "none"}
	if p.CA != nil {
		c.TLS, c.Username, c.Password = "starttls", p.user, "secret"
		c.TLSConfig = &tls.Config{RootCAs: p.CA}
	}
	return c
}

func (p *smtpPeer) copies(messageID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byID[messageID]
}

func (p *smtpPeer) all() []*receivedMail {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*receivedMail(nil), p.received...)
}

type smtpSession struct {
	p        *smtpPeer
	authed   bool
	from, to string
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.p.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.p.user || pass != "secret" {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.p.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.p.mu.Lock()
	s.p.rcpts++
	n, refuse := s.p.rcpts, s.p.refuse
	s.p.mu.Unlock()
	if refuse != nil {
		if err := refuse(to, n); err != nil {
			return err
		}
	}
	s.to = to
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "cannot parse: " + err.Error()}
	}
	m.From, m.To = s.from, s.to
	s.p.mu.Lock()
	s.p.received = append(s.p.received, m)
	s.p.byID[strings.Trim(m.Header.Get("Message-ID"), "<>")]++
	s.p.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", "" }
func (s *smtpSession) Logout() error { return nil }

func parseMail(raw []byte) (*receivedMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return nil, err
	}
	out := &receivedMail{Header: msg.Header, Subject: subject, Files: map[string][]byte{}}
	ct, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(ct, "multipart/") {
		body, err := io.ReadAll(msg.Body)
		out.Text = string(body)
		return out, err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		if name := part.FileName(); name != "" {
			if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
				if body, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), "")); err != nil {
					return nil, err
				}
			}
			out.Files[name] = body
			continue
		}
		out.Text += string(body)
	}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(tb testing.TB) (tls.Certificate, *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "peer.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// waPeer plays the WhatsApp Cloud API on loopback: it checks each request's
// shape, answers with wamids, and can send signed status webhooks.
type waPeer struct {
	URL    string
	secret string
	t      testing.TB

	mu        sync.Mutex
	n         int
	templates []map[string]any // the template messages, decoded
	documents []map[string]any
	media     map[string][]byte             // media id → uploaded PDF
	answer    func(to string) (int, string) // when set, a non-2xx answer for a number
	hook      func(body []byte, sig string) error
}

const waPhoneID, waToken, waSecret = "1098765", "test-token", "app-secret"

func startWAPeer(tb testing.TB) *waPeer {
	tb.Helper()
	p := &waPeer{secret: waSecret, t: tb, media: map[string][]byte{}}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	tb.Cleanup(srv.Close)
	p.URL = srv.URL + "/v21.0"
	return p
}

func (p *waPeer) config() *messaging.WhatsAppConfig {
	return &messaging.WhatsAppConfig{BaseURL: p.URL, PhoneNumberID: waPhoneID, Token: waToken, AppSecret: waSecret}
}

func (p *waPeer) fail(w http.ResponseWriter, format string, args ...any) {
	p.t.Errorf("whatsapp peer: "+format, args...)
	http.Error(w, `{"error":{"message":"bad request","code":100}}`, http.StatusBadRequest)
}

func (p *waPeer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+waToken || r.Header.Get("Idempotency-Key") == "" {
		p.fail(w, "%s %s: want POST with the bearer token and an Idempotency-Key", r.Method, r.URL.Path)
		return
	}
	p.mu.Lock()
	p.n++
	n := p.n
	p.mu.Unlock()
	switch r.URL.Path {
	case "/v21.0/" + waPhoneID + "/media":
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			p.fail(w, "media upload is not multipart: %v", err)
			return
		}
		f, h, err := r.FormFile("file")
		if r.FormValue("messaging_product") != "whatsapp" || r.FormValue("type") != "application/pdf" || err != nil || h.Header.Get("Content-Type") != "application/pdf" {
			p.fail(w, "media upload fields: product %q type %q file %v", r.FormValue("messaging_product"), r.FormValue("type"), err)
			return
		}
		pdf, _ := io.ReadAll(f)
		id := fmt.Sprintf("media-%d", n)
		p.mu.Lock()
		p.media[id] = pdf
		p.mu.Unlock()
		fmt.Fprintf(w, `{"id":%q}`, id)
	case "/v21.0/" + waPhoneID + "/messages":
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m["messaging_product"] != "whatsapp" {
			p.fail(w, "message body: %v %v", err, m)
			return
		}
		to, _ := m["to"].(string)
		if to == "" || strings.Trim(to, "0123456789") != "" {
			p.fail(w, "to %q is not digits", to)
			return
		}
		if p.answer != nil {
			if code, body := p.answer(to); code != 0 {
				w.WriteHeader(code)
				io.WriteString(w, body)
				return
			}
		}
		p.mu.Lock()
		switch m["type"] {
		case "template":
			p.templates = append(p.templates, m)
		case "document":
			p.documents = append(p.documents, m)
		default:
			p.mu.Unlock()
			p.fail(w, "message type %v", m["type"])
			return
		}
		p.mu.Unlock()
		fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.%d"}]}`, to, to, n)
	default:
		p.fail(w, "unexpected path %s", r.URL.Path)
	}
}

// status posts a signed status webhook for wamid, as the Cloud API does.
func (p *waPeer) status(wamid, status string, errs ...map[string]any) error {
	st := map[string]any{"id": wamid, "status": status, "timestamp": fmt.Sprint(time.Now().Unix()), "recipient_id": "919847000001"}
	if len(errs) > 0 {
		st["errors"] = errs
	}
	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": "WABA", "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp", "metadata": map[string]any{"phone_number_id": waPhoneID},
			"statuses": []any{st}}}}}}})
	return p.statusRaw(body)
}

// statusRaw signs body with the app secret and posts it.
func (p *waPeer) statusRaw(body []byte) error {
	mac := hmac.New(sha256.New, []byte(p.secret))
	mac.Write(body)
	return p.hook(body, "sha256="+hex.EncodeToString(mac.Sum(nil)))
}

// webhookEndpoint serves o's webhook over HTTP, the way web will, and
// returns a hook that POSTs to it.
func webhookEndpoint(tb testing.TB, o *messaging.Outbox) func(body []byte, sig string) error {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := o.WhatsAppWebhook(body, r.Header.Get("X-Hub-Signature-256")); err != nil {
			http.Error(w, err.Error(), map[string]int{domain.EUNAUTHENTICATED: 401, domain.EINVALID: 400}[domain.ErrorCode(err)])
			return
		}
	}))
	tb.Cleanup(srv.Close)
	return func(body []byte, sig string) error {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("webhook answered %d", resp.StatusCode)
		}
		return nil
	}
}

// contacts is a Contacts function over a fixed set.
func contacts(cs ...messaging.Contact) func(string) (messaging.Contact, bool) {
	m := map[string]messaging.Contact{}
	for _, c := range cs {
		m[c.UserID] = c
	}
	return func(id string) (messaging.Contact, bool) { c, ok := m[id]; return c, ok }
}

// run starts o.Run and returns a stop function that cancels it and waits;
// it is also called at cleanup (before the store closes).
func run(tb testing.TB, o *messaging.Outbox) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("outbox Run: %v", err)
			}
		})
	}
	tb.Cleanup(stop)
	return stop
}

// eventually waits up to 20 s for cond, checking every few milliseconds.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	eventuallyWithin(tb, 20*time.Second, what, cond)
}

func eventuallyWithin(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// queue commits n messages of kind to user, about link, and returns them.
func queue(tb testing.TB, s *store.Store, user, kind, link string, n int) []messaging.Message {
	tb.Helper()
	var out []messaging.Message
	_, err := s.Write(func(tx *store.Tx) error {
		out = out[:0]
		for i := range n {
			m, err := messaging.Queue(tx, time.Now(), messaging.Message{To: user, Kind: kind, Link: link,
				Subject: domain.T(fmt.Sprintf("Application received: KS/KKD/2026/BR/%d", i+1), fmt.Sprintf("അപേക്ഷ ലഭിച്ചു: KS/KKD/2026/BR/%d", i+1)),
				Body: domain.T("Your application for Birth certificate is received. Your verification code is 482913.",
					"ജനന സർട്ടിഫിക്കറ്റിനുള്ള നിങ്ങളുടെ അപേക്ഷ ലഭിച്ചു. സ്ഥിരീകരണ കോഡ് 482913.")})
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func delivery(tb testing.TB, o *messaging.Outbox, messageID, channel string) (messaging.Delivery, bool) {
	tb.Helper()
	ds, err := o.Deliveries(messageID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, d := range ds {
		if d.Channel == channel {
			return d, true
		}
	}
	return messaging.Delivery{}, false
}

func status(tb testing.TB, o *messaging.Outbox, messageID, channel string) string {
	d, _ := delivery(tb, o, messageID, channel)
	return d.Status
}
