package appliance

import (
	"context"
	"strings"
	"sync"
	"time"

	"ksmart/appliance/grievance"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// openOutbox builds the outbox that sends queued messages by e-mail,
// WhatsApp and SMS, with each citizen's preferences and the documents a
// message carries.
func (a *Appliance) openOutbox(cfg Config) {
	mc := cfg.Messaging
	if mc.PublicURL == "" {
		mc.PublicURL = a.PublicURL
	}
	a.Outbox = &messaging.Outbox{Store: a.Store, Config: mc, Now: a.Now, Logger: a.Logger,
		Contacts: func(id string) (messaging.Contact, bool) {
			if a.Grievance != nil && strings.HasPrefix(id, grievance.ContactPrefix) {
				return a.Grievance.Contact(id) // a reporter without an account
			}
			u, err := a.Identity.Get(id)
			if err != nil || u.Disabled || u.Kind != identity.KindCitizen {
				return messaging.Contact{}, false
			}
			p := u.Preferences()
			// u.Channels, not p.Channels: nil (no choice made) lets the
			// outbox apply its defaults, which send SMS for codes only.
			// Only verified contacts: an added one waits for its code.
			email, phone := u.MessageContacts()
			return messaging.Contact{UserID: u.ID, Name: u.Name, Language: p.Language, Email: email, Phone: phone, Channels: u.Channels}, true
		},
		Attachment: a.messageAttachment,
	}
}

// attachmentCache keeps the last PDFs attached to messages: each message
// goes out on e-mail and WhatsApp moments apart, and drawing the receipt
// again for the second was half of the outbox's time (measured with
// ksmart bench outbox).
type attachmentCache struct {
	mu    sync.Mutex
	byID  map[string]attachment
	order []string
}

type attachment struct {
	name string
	pdf  []byte
}

const attachmentsKept = 256

func (c *attachmentCache) get(id string) (attachment, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.byID[id]
	return a, ok
}

func (c *attachmentCache) put(id string, a attachment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID = map[string]attachment{}
	}
	if _, ok := c.byID[id]; ok {
		return
	}
	if len(c.order) >= attachmentsKept {
		delete(c.byID, c.order[0])
		c.order = c.order[1:]
	}
	c.byID[id] = a
	c.order = append(c.order, id)
}

// messageAttachment is the PDF a message about a file carries: the
// certificate or other document once issued, else the acknowledgement
// receipt with the acknowledgement. The same message always carries the
// same document, so one drawn for one channel serves the others.
func (a *Appliance) messageAttachment(m messaging.Message) (string, []byte, bool, error) {
	if got, ok := a.attachments.get(m.ID); ok {
		return got.name, got.pdf, true, nil
	}
	name, pdf, ok, err := a.drawAttachment(m)
	if ok && err == nil {
		a.attachments.put(m.ID, attachment{name, pdf})
	}
	return name, pdf, ok, err
}

func (a *Appliance) drawAttachment(m messaging.Message) (string, []byte, bool, error) {
	id, ok := strings.CutPrefix(m.Link, "/applications/")
	if !ok {
		return "", nil, false, nil
	}
	f, err := a.Workflow.File(id)
	if err != nil {
		return "", nil, false, err
	}
	switch {
	case f.Issued != nil && m.Kind == messaging.KindFileDecided:
		var pdf []byte
		err := a.Store.View(func(tx *store.Tx) error {
			b, err := tx.Blob(f.Issued.Blob)
			pdf = append([]byte(nil), b...)
			return err
		})
		return f.Issued.Number + ".pdf", pdf, err == nil, err
	case m.Kind == messaging.KindAcknowledgement:
		pdf, err := a.Workflow.Receipt(f, a.PublicURL)
		return "receipt-" + strings.ReplaceAll(f.Number, "/", "-") + ".pdf", pdf, err == nil, err
	}
	return "", nil, false, nil
}

// runOutbox keeps the outbox running until ctx ends, starting it again
// after a failure (a full disk, say) once a little time has passed.
func (a *Appliance) runOutbox(ctx context.Context) {
	for {
		err := a.Outbox.Run(ctx)
		if ctx.Err() != nil {
			return
		}
		a.Logger.Error("the message outbox stopped; starting it again in 10 s", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Second):
		}
	}
}
