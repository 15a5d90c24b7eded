package sink_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/appliance/messaging/sink"
	"ksmart/store"
	"ksmart/store/storetest"
)

var receipt = []byte("%PDF-1.7\n% an acknowledgement receipt\n\x00\x01\xff\n%%EOF\n")

// TestSink_TheOutboxSendsAReceiptByEmailAndWhatsAppAndTheSinkKeepsBoth runs
// a real outbox against the demo's sink: both deliveries go "sent", as they
// would to a real mail server and WhatsApp, and the sink holds the e-mail
// with its PDF and the WhatsApp template and document as the citizen gets
// them.
func TestSink_TheOutboxSendsAReceiptByEmailAndWhatsAppAndTheSinkKeepsBoth(t *testing.T) {
	mb, err := sink.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Close() })
	// The outbox's own entities are local, as the appliance declares them.
	s := storetest.OpenDir(t, t.TempDir(), store.Options{LocalEntities: messaging.LocalEntities})
	anitha := messaging.Contact{UserID: "u-1", Name: "Anitha K", Language: "ml", Email: "anitha@demo.invalid", Phone: "+919847000001"}
	o := &messaging.Outbox{Store: s, Config: mb.Config(),
		Contacts:   func(id string) (messaging.Contact, bool) { return anitha, id == "u-1" },
		Attachment: func(messaging.Message) (string, []byte, bool, error) { return "receipt.pdf", receipt, true, nil }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("outbox: %v", err)
		}
	})
	// Several at once, as the demo sends them: each WhatsApp document
	// finds its own upload.
	const n = 6
	var ms []messaging.Message
	if _, err := s.Write(func(tx *store.Tx) error {
		ms = ms[:0]
		for i := range n {
			m, err := messaging.Queue(tx, time.Now(), messaging.Message{To: "u-1", Kind: messaging.KindAcknowledgement, Link: fmt.Sprintf("/applications/f-%d", i),
				Subject: domain.T("Application received: KS/DEMO01/2026/BR/1", "അപേക്ഷ ലഭിച്ചു: KS/DEMO01/2026/BR/1"),
				Body:    domain.T("Your application is received.", "നിങ്ങളുടെ അപേക്ഷ ലഭിച്ചു.")})
			if err != nil {
				return err
			}
			ms = append(ms, m)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, m := range ms {
		for {
			ds, err := o.Deliveries(m.ID)
			sent := 0
			for _, d := range ds {
				if d.Status == messaging.StatusSent {
					sent++
				}
			}
			if err == nil && sent == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries did not both go sent: %+v %v", ds, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	mails := mb.Mails()
	if len(mails) != n {
		t.Fatalf("the sink has %d e-mails, want %d", len(mails), n)
	}
	e := mails[0]
	if e.Subject != "അപേക്ഷ ലഭിച്ചു: KS/DEMO01/2026/BR/1 / Application received: KS/DEMO01/2026/BR/1" || !bytes.Contains([]byte(e.Text), []byte("പ്രിയ Anitha K")) {
		t.Errorf("e-mail subject %q, text %q: want the bilingual receipt to Anitha", e.Subject, e.Text)
	}
	if len(e.Files) != 1 || e.Files[0].Name != "receipt.pdf" || !bytes.Equal(e.Files[0].Data, receipt) {
		t.Errorf("e-mail attachments = %+v, want receipt.pdf with the receipt's bytes", e.Files)
	}
	if f, ok := mb.Attachment(e.ID, 0, false); !ok || !bytes.Equal(f.Data, receipt) {
		t.Errorf("Attachment(%d, 0) = %v, %v", e.ID, f, ok)
	}
	was := mb.WhatsApps() // newest first: the document follows the template
	if len(was) != 2*n {
		t.Fatalf("the sink has %d WhatsApp messages, want %d", len(was), 2*n)
	}
	var docs, templates int
	for _, w := range was {
		switch {
		case w.Document != nil && bytes.Equal(w.Document.Data, receipt) && w.Document.Name == "receipt.pdf":
			docs++
		case w.Template == "ksmart_acknowledgement" && w.To == "+919847000001" && len(w.Params) > 0 && w.Params[0] == "Anitha K":
			templates++
		}
	}
	if docs != n || templates != n {
		t.Errorf("%d WhatsApp documents carry the receipt and %d are the acknowledgement to Anitha, want %d of each: %+v", docs, templates, n, was)
	}
}
