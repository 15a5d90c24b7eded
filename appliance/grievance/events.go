package grievance

import "ksmart/store"

// The event types grievance writes, each on the report it concerns
// (entity gr_report). EventReported carries the whole report as made (its
// reporter's contact included: the log is the record, and is never
// public); every later event carries the Step as the report's history
// records it, and the report's status after it.
var (
	EventReported     = store.EventType{Name: "grievance.reported", Version: 1}
	EventAcknowledged = store.EventType{Name: "grievance.acknowledged", Version: 1}
	EventAssigned     = store.EventType{Name: "grievance.assigned", Version: 1}
	EventStarted      = store.EventType{Name: "grievance.started", Version: 1}
	EventFixed        = store.EventType{Name: "grievance.fixed", Version: 1}
	EventClosed       = store.EventType{Name: "grievance.closed", Version: 1}
	EventEscalated    = store.EventType{Name: "grievance.escalated", Version: 1}
	EventConfirmed    = store.EventType{Name: "grievance.confirmed", Version: 1}
	EventReopened     = store.EventType{Name: "grievance.reopened", Version: 1}
	EventRated        = store.EventType{Name: "grievance.rated", Version: 1}
	EventSupported    = store.EventType{Name: "grievance.supported", Version: 1}
	EventMerged       = store.EventType{Name: "grievance.merged", Version: 1}
	// EventViewed records that office staff read a reporter's contact.
	EventViewed = store.EventType{Name: "grievance.viewed", Version: 1}
)

// Events lists every event type grievance writes.
var Events = []store.EventType{
	EventReported, EventAcknowledged, EventAssigned, EventStarted, EventFixed, EventClosed, EventEscalated,
	EventConfirmed, EventReopened, EventRated, EventSupported, EventMerged, EventViewed,
}

var stepEvents = map[string]store.EventType{
	StepAcknowledged: EventAcknowledged, StepAssigned: EventAssigned, StepStarted: EventStarted, StepFixed: EventFixed,
	StepClosed: EventClosed, StepEscalated: EventEscalated, StepConfirmed: EventConfirmed, StepReopened: EventReopened,
	StepRated: EventRated, StepSupported: EventSupported, StepMerged: EventMerged,
}
