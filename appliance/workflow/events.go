package workflow

import (
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// SubmittedData is the data of EventSubmitted (version 2): the fields a
// reader of the log needs to follow a file's time (version 1 carried these
// too, under the same names, within the whole file).
type SubmittedData struct {
	Number    string       `json:"number"`
	Service   string       `json:"service"`
	Channel   string       `json:"channel"`
	Submitted time.Time    `json:"submitted"`
	Due       time.Time    `json:"due"`
	Role      domain.Role  `json:"role"`
	Fee       domain.Paise `json:"fee"`
}

// The event types workflow writes, each on the file it concerns (entity
// "file"). An action's event carries the Action as recorded in the file's
// history, except EventSubmitted, which carries SubmittedData. Version 1
// of EventSubmitted carried the whole file, which the same write's change
// set (bound into the chain by the event) holds already: version 2 says
// what was submitted in brief, and the file is rebuilt from the change set.
var (
	EventSubmitted   = store.EventType{Name: "application." + KindSubmitted, Version: 2}
	EventForwarded   = store.EventType{Name: "application." + KindForwarded, Version: 1}
	EventReturned    = store.EventType{Name: "application." + KindReturned, Version: 1}
	EventResubmitted = store.EventType{Name: "application." + KindResubmitted, Version: 1}
	EventNoteAdded   = store.EventType{Name: "application." + KindNote, Version: 1}
	EventInspection  = store.EventType{Name: "application." + KindInspection, Version: 1}
	EventApproved    = store.EventType{Name: "application." + KindApproved, Version: 1}
	EventRejected    = store.EventType{Name: "application." + KindRejected, Version: 1}
	EventIssued      = store.EventType{Name: "application." + KindIssued, Version: 1}
	EventEscalated   = store.EventType{Name: "application." + KindEscalated, Version: 1}
	// EventDeemed records a file the law decided in the applicant's
	// favour because the office did not decide it in time (Deem).
	EventDeemed = store.EventType{Name: "application." + KindDeemed, Version: 1}
	// EventOrdered records an appellate authority's order to deliver
	// (OrderDelivery); its Action's Due is the date ordered.
	EventOrdered = store.EventType{Name: "application." + KindOrdered, Version: 1}
	// EventViewed records that office staff read a file's personal data.
	EventViewed = store.EventType{Name: "application.viewed", Version: 1}
)

// actionEvents are the events of the actions, by action kind.
var actionEvents = map[string]store.EventType{
	KindSubmitted: EventSubmitted, KindForwarded: EventForwarded, KindReturned: EventReturned,
	KindResubmitted: EventResubmitted, KindNote: EventNoteAdded, KindInspection: EventInspection,
	KindApproved: EventApproved, KindRejected: EventRejected, KindIssued: EventIssued, KindEscalated: EventEscalated,
	KindDeemed: EventDeemed, KindOrdered: EventOrdered,
}

// Events lists every event type workflow writes.
var Events = []store.EventType{
	EventSubmitted, EventForwarded, EventReturned, EventResubmitted, EventNoteAdded, EventInspection,
	EventApproved, EventRejected, EventIssued, EventEscalated, EventViewed, EventDeemed, EventOrdered,
}
