// Package messaging owns the messages ksmart sends to people: one-time
// codes, acknowledgement receipts, notices that a file was returned or
// decided. A message is queued in the same Write as the change it reports,
// as a document plus a "message.queued" event, so it is sent if and only if
// the change committed.
//
// Channels: the in-app inbox is delivered at once (the document is the
// inbox entry). E-mail, WhatsApp and SMS are added by an outbox that follows
// the log for message.queued events and reads the document; event data
// never carries the message body, because bodies may hold one-time codes
// and the log is replicated to the state.
package messaging

import (
	"encoding/json"
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
}

// Channel is one way a message goes out, with its delivery status.
type Channel struct {
	Name   string `json:"name"`   // "in_app" now; "email", "whatsapp", "sms" with the outbox
	Status string `json:"status"` // "delivered", "pending", "failed"
}

const entity = "message"

// Queue stages m in tx: the inbox document and its event. It fills ID,
// Created and the in-app channel.
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
	m.Channels = []Channel{{Name: "in_app", Status: "delivered"}}
	if err := tx.Put(entity, m.ID, m); err != nil {
		return m, err
	}
	return m, tx.Emit(domain.System.ID, "message.queued", entity, m.ID, map[string]string{"to": m.To, "kind": m.Kind, "link": m.Link})
}

// Inbox returns a user's messages, newest first, at most limit (0: all).
func Inbox(s *store.Store, userID string, limit int) ([]Message, error) {
	var out []Message
	err := s.View(func(tx *store.Tx) error {
		return tx.Scan(entity, store.ScanOptions{Prefix: userID + "/", Reverse: true, Limit: limit}, func(_ string, raw []byte) error {
			var m Message
			if err := json.Unmarshal(raw, &m); err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
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
