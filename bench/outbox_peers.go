package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	netmail "net/mail"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// mailPeer is an SMTP server (go-smtp, loopback, no TLS) that counts the
// e-mails it gets and their distinct Message-IDs.
type mailPeer struct {
	port int
	srv  *smtp.Server
	mu   sync.Mutex
	ids  map[string]bool
	n    int
	last time.Time
}

// mailCount is what a mailPeer has counted since its last reset.
type mailCount struct {
	total, distinct int
	last            time.Time // the last e-mail's arrival
}

func startMailPeer() (*mailPeer, error) {
	p := &mailPeer{ids: map[string]bool{}}
	p.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return mailPeerSession{p}, nil }))
	p.srv.Domain = "peer.bench.test"
	p.srv.ReadTimeout, p.srv.WriteTimeout = 30*time.Second, 30*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.port = l.Addr().(*net.TCPAddr).Port
	go p.srv.Serve(l)
	return p, nil
}

func (p *mailPeer) close() { p.srv.Close() }

func (p *mailPeer) count() mailCount {
	p.mu.Lock()
	defer p.mu.Unlock()
	return mailCount{total: p.n, distinct: len(p.ids), last: p.last}
}

func (p *mailPeer) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids, p.n, p.last = map[string]bool{}, 0, time.Time{}
}

type mailPeerSession struct{ p *mailPeer }

func (mailPeerSession) Mail(string, *smtp.MailOptions) error { return nil }
func (mailPeerSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (mailPeerSession) Reset()                               {}
func (mailPeerSession) Logout() error                        { return nil }

// Data reads the whole message and counts it by its Message-ID.
func (s mailPeerSession) Data(r io.Reader) error {
	msg, err := netmail.ReadMessage(r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, msg.Body); err != nil {
		return err
	}
	id := msg.Header.Get("Message-ID")
	if id == "" {
		return &smtp.SMTPError{Code: 554, Message: "no Message-ID"}
	}
	s.p.mu.Lock()
	s.p.ids[id] = true
	s.p.n++
	s.p.last = time.Now()
	s.p.mu.Unlock()
	return nil
}

// whatsAppPeer plays the WhatsApp Cloud API: POST /{phone id}/messages
// answers a wamid, POST /{phone id}/media a media id. It counts template
// messages by their distinct Idempotency-Key, and documents.
type whatsAppPeer struct {
	url  string
	srv  *http.Server
	seq  atomic.Int64
	mu   sync.Mutex
	keys map[string]bool // template messages' idempotency keys
	docs int
	last time.Time
}

// whatsAppCount is what a whatsAppPeer has counted since its last reset.
type whatsAppCount struct {
	templates, documents int
	last                 time.Time // the last template or document's arrival
}

func startWhatsAppPeer() (*whatsAppPeer, error) {
	p := &whatsAppPeer{keys: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{phone}/messages", p.message)
	mux.HandleFunc("POST /{phone}/media", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `{"id":"media.%d"}`, p.seq.Add(1))
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.url = "http://" + l.Addr().String()
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(l)
	return p, nil
}

func (p *whatsAppPeer) message(w http.ResponseWriter, r *http.Request) {
	var m struct {
		Type string `json:"type"`
	}
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":%q,"code":100}}`, err.Error())
		return
	}
	p.mu.Lock()
	switch m.Type {
	case "template":
		p.keys[r.Header.Get("Idempotency-Key")] = true
	case "document":
		p.docs++
	}
	p.last = time.Now()
	p.mu.Unlock()
	fmt.Fprintf(w, `{"messages":[{"id":"wamid.%d"}]}`, p.seq.Add(1))
}

func (p *whatsAppPeer) close() { p.srv.Close() }

func (p *whatsAppPeer) count() whatsAppCount {
	p.mu.Lock()
	defer p.mu.Unlock()
	return whatsAppCount{templates: len(p.keys), documents: p.docs, last: p.last}
}

func (p *whatsAppPeer) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys, p.docs, p.last = map[string]bool{}, 0, time.Time{}
}
