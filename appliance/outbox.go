package appliance

import (
	"context"
	"strings"
	"time"

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
			u, err := a.Identity.Get(id)
			if err != nil || u.Disabled || u.Kind != identity.KindCitizen {
				return messaging.Contact{}, false
			}
			p := u.Preferences()
			// u.Channels, not p.Channels: nil (no choice made) lets the
			// outbox apply its defaults, which send SMS for codes only.
			return messaging.Contact{UserID: u.ID, Name: u.Name, Language: p.Language, Email: p.Email, Phone: p.Phone, Channels: u.Channels}, true
		},
		Attachment: a.messageAttachment,
	}
}

// messageAttachment is the PDF a message about a file carries: the
// certificate or other document once issued, else the acknowledgement
// receipt with the acknowledgement.
func (a *Appliance) messageAttachment(m messaging.Message) (string, []byte, bool, error) {
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
