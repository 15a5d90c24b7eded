// Package messaging owns the messages ksmart sends to people: one-time
// codes, acknowledgement receipts, notices that a file was returned or
// decided. A message is queued in the same Write as the change it reports,
// as a document plus a "message.queued" event, so it is sent if and only if
// the change committed.
//
// Channels: the in-app inbox is delivered at once (the document is the
// inbox entry). E-mail, WhatsApp and SMS are added by the Outbox, which
// follows the log for message.queued events, reads the document and keeps
// one Delivery per channel with its status; event data never carries the
// message body, because bodies may hold one-time codes and the log is
// replicated to the state. DESIGN.md beside this file explains the choices.
//
// # Caveats
//
//   - Delivery is at least once. A send that was under way when the process
//     died is sent again after a restart, with the same idempotency key
//     (SMTP Message-ID, Idempotency-Key header) so the peer can drop the
//     copy; a delivery recorded as sent is never sent again.
//   - The outbox's deliveries and cursor are documents without events: a
//     store rebuilt from the log alone (restore from the state) has none,
//     and its outbox would start again from the first message.
package messaging

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Kinds of message.
const (
	KindVerificationCode = "verification_code"
	KindAcknowledgement  = "acknowledgement"
	KindFileReturned     = "file_returned"
	KindFileDecided      = "file_decided"
	KindNotice           = "notice"
)

// Message is one message to one user.
type Message struct {
	ID      string      `json:"id"` // "<user id>/<n>": a user's messages sort together, oldest first
	To      string      `json:"to"` // user id
	Kind    string      `json:"kind"`
	Subject domain.Text `json:"subject"`
	Body    domain.Text `json:"body"`
	// Link is a path on this appliance the message is about, e.g. a file.
	Link     string    `json:"link,omitempty"`
	Created  time.Time `json:"created"`
	Channels []Channel `json:"channels"`
	// Address, when set, is the only place the message goes: a phone
	// number ("+91…", by SMS and WhatsApp) or an e-mail address that a
	// citizen is proving they hold. Such a message carries the code that
	// proves it, so it is kept out of the in-app inbox (whoever is signed
	// in would read it there) and never goes to the user's other contacts.
	Address string `json:"address,omitempty"`
}

// Channel is one way a message goes out, with its delivery status.
type Channel struct {
	Name   string `json:"name"`   // one of the Channel constants
	Status string `json:"status"` // one of the Status constants
}

// Channels.
const (
	ChannelInApp    = "in_app"
	ChannelEmail    = "email"
	ChannelWhatsApp = "whatsapp"
	ChannelSMS      = "sms"
)

// Delivery statuses. queued, not_configured, sending and retrying are on
// the way; sent (the provider took it), delivered and read (WhatsApp's
// webhook said so) and failed (permanently, LastError says why) are final
// as far as the outbox goes.
const (
	StatusQueued        = "queued"
	StatusNotConfigured = "not_configured"
	StatusSending       = "sending"
	StatusSent          = "sent"
	StatusDelivered     = "delivered"
	StatusRead          = "read"
	StatusRetrying      = "retrying"
	StatusFailed        = "failed"
)

// Queue stages m in tx: the inbox document, its event and, when m has a
// Link, its entry in ForLink's index. It fills ID, Created and the in-app
// channel. The Outbox sends it on the other channels once tx commits.
func Queue(tx *store.Tx, now time.Time, m Message) (Message, error) {
	if m.To == "" || m.Kind == "" {
		return m, fmt.Errorf("messaging: a message needs a recipient and a kind")
	}
	n, err := tx.NextNumber("message/" + m.To)
	if err != nil {
		return m, err
	}
	m.ID = fmt.Sprintf("%s/%08d", m.To, n)
	m.Created = now
	m.Channels = []Channel{{Name: ChannelInApp, Status: StatusDelivered}}
	if err := tx.Put(entity, m.ID, m); err != nil {
		return m, err
	}
	if m.Link != "" {
		if err := tx.Put(entityLink, linkKey(m), linkRef{ID: m.ID}); err != nil {
			return m, err
		}
	}
	return m, tx.Emit(domain.System.ID, EventQueued, entity, m.ID, map[string]string{"to": m.To, "kind": m.Kind, "link": m.Link})
}

// Inbox returns a user's messages, newest first, at most limit (0: all).
// Messages sent to an Address being verified are not in it.
func Inbox(s *store.Store, userID string, limit int) ([]Message, error) {
	return scanMessages(s, userID, limit, func(m Message) bool { return m.Address == "" })
}

// LatestTo returns the newest message to a user sent to address only (see
// Message.Address): for tests, and for the demo, which has no SMS or
// e-mail and shows it on the page that asked for it.
func LatestTo(s *store.Store, userID, address string) (Message, bool) {
	msgs, err := scanMessages(s, userID, 1, func(m Message) bool { return m.Address == address })
	if err != nil || len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[0], true
}

// errEnough stops a scan that has found what it wanted.
var errEnough = errors.New("messaging: enough")

func scanMessages(s *store.Store, userID string, limit int, keep func(Message) bool) ([]Message, error) {
	var out []Message
	err := s.View(func(tx *store.Tx) error {
		return tx.Scan(entity, store.ScanOptions{Prefix: userID + "/", Reverse: true}, func(_ string, raw []byte) error {
			var m Message
			if err := json.Unmarshal(raw, &m); err != nil {
				return err
			}
			if keep(m) {
				out = append(out, m)
			}
			if limit > 0 && len(out) >= limit {
				return errEnough
			}
			return nil
		})
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return out, err
}

// Latest returns the newest message of kind for a user, if any.
func Latest(s *store.Store, userID, kind string) (Message, bool) {
	msgs, err := Inbox(s, userID, 50)
	if err != nil {
		return Message{}, false
	}
	for _, m := range msgs {
		if m.Kind == kind {
			return m, true
		}
	}
	return Message{}, false
}
