package messaging

import (
	"fmt"
	"strings"
	"time"
)

// Every store layout of the messaging package, in one place.
//
//	state/message           "<user id>/<n>" → Message: the inbox entry (Queue)
//	state/message_link      "<link>\x00<created, unix ns, 20 digits>\x00<message id>" → linkRef:
//	                        ForLink's index of the messages about one file (Queue)
//	state/message_delivery  "<message id>/<channel>" → Delivery
//	state/message_due       "<channel>\x00<next attempt, unix ns, 20 digits>\x00<delivery id>" → linkRef:
//	                        the deliveries not yet sent or failed, by when they are due
//	                        (queued, not_configured, retrying, and sending: due at once after a restart)
//	state/message_outbox    "cursor" → cursor: the last log sequence the outbox has turned into
//	                        deliveries; "schema" → the version of the layouts above it has built
//	keys/message_provider   provider message id (wamid…) → delivery id (WhatsApp status webhooks)
//
// None of these documents has an event of its own: the outbox's state is
// derived from message.queued events and from what the channels answered.
// Final outcomes are logged as message.delivered / message.failed events
// that carry the message id, channel and status only (never a body, code
// or address), for audit and for the state's view.
const schemaVersion = 1

const (
	entity         = "message"
	entityLink     = "message_link"
	entityDelivery = "message_delivery"
	entityDue      = "message_due"
	entityOutbox   = "message_outbox"
	indexProvider  = "message_provider"

	outboxCursor = "cursor"
	outboxSchema = "schema"
)

// LocalEntities are the outbox's entities, written without events (see
// above): the appliance declares them to the store, whose check does not
// verify them.
var LocalEntities = []string{entityLink, entityDelivery, entityDue, entityOutbox}

// linkRef is the value of an index entry: the id it points to.
type linkRef struct {
	ID string `json:"id"`
}

// cursor is the outbox's place in the log.
type cursor struct {
	Seq uint64 `json:"seq"`
}

func stamp(t time.Time) string { return fmt.Sprintf("%020d", t.UnixNano()) }

func linkKey(m Message) string { return m.Link + "\x00" + stamp(m.Created) + "\x00" + m.ID }

func linkPrefix(link string) string { return link + "\x00" }

func dueKey(d Delivery) string { return d.Channel + "\x00" + stamp(d.NextAttempt) + "\x00" + d.ID }

func duePrefix(channel string) string { return channel + "\x00" }

// parseDueKey returns the time and delivery id of a due key.
func parseDueKey(k string) (time.Time, string, bool) {
	parts := strings.SplitN(k, "\x00", 3)
	if len(parts) != 3 {
		return time.Time{}, "", false
	}
	var ns int64
	if _, err := fmt.Sscanf(parts[1], "%d", &ns); err != nil {
		return time.Time{}, "", false
	}
	return time.Unix(0, ns), parts[2], true
}

func deliveryID(messageID, channel string) string { return messageID + "/" + channel }
