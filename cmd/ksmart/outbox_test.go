package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/synth"
	"ksmart/store"
)

// mailCounter is an SMTP server (go-smtp) that counts the copies it gets
// of each Message-ID.
type mailCounter struct {
	port int
	mu   sync.Mutex
	byID map[string]int
	all  int
}

func startMailCounter(t *testing.T) *mailCounter {
	t.Helper()
	m := &mailCounter{byID: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &countingSession{m: m}, nil }))
	srv.Domain = "peer.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return m
}

func (m *mailCounter) counts() (distinct, total int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byID), m.all
}

type countingSession struct{ m *mailCounter }

func (s *countingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *countingSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *countingSession) Reset()                               {}
func (s *countingSession) Logout() error                        { return nil }
func (s *countingSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	s.m.byID[msg.Header.Get("Message-ID")]++
	s.m.all++
	s.m.mu.Unlock()
	return nil
}

// TestServe_KilledWithMessagesQueuedDeliversEveryOneAfterRestart queues
// 1,000 e-mails, kills the serving process with SIGKILL while it sends
// them, starts it again, and counts at the SMTP peer: every message
// arrives, and only the few that were on the wire at the kill (never one
// the store had confirmed sent) arrive twice.
func TestServe_KilledWithMessagesQueuedDeliversEveryOneAfterRestart(t *testing.T) {
	const queued = 1000
	dir := t.TempDir()
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	u, err := app.Identity.SignUp(identity.SignUp{Contact: "anagha@example.in", Name: "Anagha", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < queued; i += 100 {
		_, err := app.Store.Write(func(tx *store.Tx) error {
			for j := i; j < i+100; j++ {
				if _, err := messaging.Queue(tx, time.Now(), messaging.Message{To: u.ID, Kind: messaging.KindNotice,
					Subject: domain.T(fmt.Sprintf("Notice %d", j), fmt.Sprintf("അറിയിപ്പ് %d", j)), Body: domain.T("Your file moved.", "നിങ്ങളുടെ ഫയൽ നീങ്ങി.")}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	inbox, err := messaging.Inbox(app.Store, u.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := len(inbox) // the 1,000 and the sign-up's one-time code
	app.Close()

	peer := startMailCounter(t)
	cfg := filepath.Join(t.TempDir(), "messaging.json")
	os.WriteFile(cfg, fmt.Appendf(nil, `{"smtp": {"host": "127.0.0.1", "port": %d, "from": "Demo <office@demo.test>", "tls": "none"}}`, peer.port), 0o600)
	serve := func() *process {
		return start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--messaging", cfg, "--log-format", "text")
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				d, all := peer.counts()
				t.Fatalf("waited 90 s for %s: the peer has %d distinct messages, %d in all", what, d, all)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	p := serve()
	waitFor("some messages to go out", func() bool { d, _ := peer.counts(); return d >= 150 })
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	atKill, _ := peer.counts()
	if atKill >= want {
		t.Fatalf("all %d messages went out before the kill; queue more", queued)
	}

	p = serve()
	waitFor("every message", func() bool { d, _ := peer.counts(); return d == want })
	time.Sleep(500 * time.Millisecond) // nothing more may come
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d: %s", code, p.stderr)
	}
	distinct, total := peer.counts()
	t.Logf("%d of %d messages out at the kill; after the restart %d distinct, %d in all", atKill, want, distinct, total)
	if distinct != want {
		t.Fatalf("%d distinct messages arrived, want %d", distinct, want)
	}

	// Every delivery is recorded sent; a message arrived twice only if its
	// delivery was being sent (not yet confirmed) at the kill, which shows
	// as a second attempt.
	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	msgs, err := messaging.Inbox(app.Store, u.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	retried := 0
	for _, m := range msgs {
		ds, err := app.Outbox.Deliveries(m.ID)
		if err != nil || len(ds) != 1 || ds[0].Channel != messaging.ChannelEmail || ds[0].Status != messaging.StatusSent {
			t.Fatalf("message %s: deliveries %+v %v", m.ID, ds, err)
		}
		if ds[0].Attempts > 1 {
			retried++
		}
	}
	if dup := total - distinct; dup > retried {
		t.Fatalf("%d messages arrived twice but only %d were being sent (unconfirmed) at the kill: a confirmed message was sent again", dup, retried)
	}
	enc, _ := json.Marshal(map[string]int{"duplicates": total - distinct, "retried": retried})
	t.Logf("after SIGKILL: %s", enc)
}
