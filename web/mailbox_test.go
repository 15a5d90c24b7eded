package web

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/wneessen/go-mail"

	"ksmart/appliance/messaging/sink"
)

// withMailbox gives the server a demo mailbox holding one e-mail with a
// PDF, sent to it over SMTP as the outbox sends.
func (env *testEnv) withMailbox(tb testing.TB) *sink.Sink {
	tb.Helper()
	mb, err := sink.Start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { mb.Close() })
	env.srv.Mailbox = mb
	cfg := mb.Config().SMTP
	msg := mail.NewMsg()
	msg.From(cfg.From)
	msg.AddToFormat("Anitha Kumari", "anitha@demo.invalid")
	msg.Subject("അപേക്ഷ ലഭിച്ചു: KS/DEMO01/2026/BR/1 / Application received: KS/DEMO01/2026/BR/1")
	msg.SetBodyString(mail.TypeTextPlain, "പ്രിയ Anitha Kumari,\n\nനിങ്ങളുടെ അപേക്ഷ ലഭിച്ചു.")
	msg.AttachReader("receipt-KS-DEMO01-2026-BR-1.pdf", bytes.NewReader(tinyPDF), mail.WithFileContentType("application/pdf"))
	c, err := mail.NewClient(cfg.Host, mail.WithPort(cfg.Port), mail.WithTLSPolicy(mail.NoTLS))
	if err == nil {
		err = c.DialAndSend(msg)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return mb
}

func TestDemoMailbox_ShowsTheReceiptEmailAndItsPDFOnlyInTheDemo(t *testing.T) {
	env := newTestEnv(t)
	c := env.newClient(t)
	if r := c.do(t, http.MethodGet, "/demo/mailbox", nil); r.status != http.StatusNotFound {
		t.Fatalf("without a mailbox (serve): %d, want 404", r.status)
	}
	if r := c.do(t, http.MethodGet, "/", nil); bytes.Contains(r.body, []byte("/demo/mailbox")) {
		t.Error("a server without a mailbox links to it")
	}
	env.withMailbox(t)
	c.header.Set("Cookie", "lang=ml")
	r := c.do(t, http.MethodGet, "/demo/mailbox", nil)
	page := string(r.body)
	for _, want := range []string{"<title>ഡെമോ മെയിൽബോക്സ്", "ഡെമോയ്ക്ക് മാത്രം", "അപേക്ഷ ലഭിച്ചു: KS/DEMO01/2026/BR/1", "പ്രിയ Anitha Kumari", "receipt-KS-DEMO01-2026-BR-1.pdf"} {
		if r.status != http.StatusOK || !strings.Contains(page, want) {
			t.Fatalf("mailbox (%d) lacks %q:\n%s", r.status, want, page)
		}
	}
	link := "/demo/mailbox/email/1/0"
	if !strings.Contains(page, `href="`+link+`"`) {
		t.Fatalf("no link to the attachment %s", link)
	}
	if a := c.do(t, http.MethodGet, link, nil); a.status != http.StatusOK || a.header.Get("Content-Type") != "application/pdf" || !bytes.Equal(a.body, tinyPDF) {
		t.Errorf("attachment: %d %s %q", a.status, a.header.Get("Content-Type"), a.body)
	}
	if r := c.do(t, http.MethodGet, "/", nil); !bytes.Contains(r.body, []byte(`href="/demo/mailbox"`)) {
		t.Error("the demo's pages do not link to its mailbox")
	}
}
