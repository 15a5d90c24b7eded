package messaging

import "ksmart/store"

// The event types messaging writes, each on the message it concerns
// (entity "message"). A delivery's address, body and error text never go
// into the log.
var (
	// EventQueued is written in the same write as the change a message
	// reports; the outbox follows the log for it.
	EventQueued = store.EventType{Name: "message.queued", Version: 1}
	// EventDelivered and EventFailed record a delivery's final outcome.
	EventDelivered = store.EventType{Name: "message.delivered", Version: 1}
	EventFailed    = store.EventType{Name: "message.failed", Version: 1}
)

// Events lists every event type messaging writes.
var Events = []store.EventType{EventQueued, EventDelivered, EventFailed}
