package appliance

import (
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// The event types the appliance itself writes.
var (
	// EventLocalBodyConfigured records the local body's identity at first
	// start (entity "local_body", id "self"; data: domain.LocalBody).
	EventLocalBodyConfigured = store.EventType{Name: "local_body.configured", Version: 1}
	// EventSealCreated publishes a new seal key's public half, and
	// EventSealPublished the current key's, for a body made before public
	// keys were kept (entity "seal", id the fingerprint; data: SealRecord).
	// The state verifies a body's certificates with the keys these publish.
	EventSealCreated   = store.EventType{Name: "seal.created", Version: 1}
	EventSealPublished = store.EventType{Name: "seal.published", Version: 1}
	// EventOfficeSearched records a search from the office's one box
	// (entity "search", id the user): the kinds searched and how many were
	// found, never the words.
	EventOfficeSearched = store.EventType{Name: "search.office", Version: 1}
	// EventKioskStatusChecked records an application's status looked up at
	// a kiosk (entity "kiosk").
	EventKioskStatusChecked = store.EventType{Name: "kiosk.status_checked", Version: 1}
	// EventForkReapplied ends a write that stores again what a write lost
	// to a fork stored (fork_cure.go; entity "fork", id the event where
	// the logs part; data: ForkReapplied).
	EventForkReapplied = store.EventType{Name: "fork.reapplied", Version: 1}
	// EventForkCured records a cure: where the logs parted, what was
	// reapplied and what was listed for an officer (data: ForkCureSummary).
	EventForkCured = store.EventType{Name: "fork.cured", Version: 1}
)

// Events lists the event types the appliance itself writes.
var Events = []store.EventType{EventLocalBodyConfigured, EventSealCreated, EventSealPublished, EventOfficeSearched, EventKioskStatusChecked, EventForkReapplied, EventForkCured}

// sharedEvents are the event types the appliance and its shared packages
// write, beside its modules' (see EventTypes).
func sharedEvents() []store.EventType {
	var out []store.EventType
	for _, list := range [][]store.EventType{store.Events, Events, identity.Events, messaging.Events, workflow.Events, rts.Events} {
		out = append(out, list...)
	}
	return out
}
