package rts

import "ksmart/store"

// The event types rts writes: an appeal filed and decided (entity
// "rts_appeal", data the Appeal as it then is) and a penalty proposed
// (entity "rts_penalty", data the Penalty).
var (
	EventAppealFiled     = store.EventType{Name: "rts.appeal_filed", Version: 1}
	EventAppealDecided   = store.EventType{Name: "rts.appeal_decided", Version: 1}
	EventPenaltyProposed = store.EventType{Name: "rts.penalty_proposed", Version: 1}
)

// Events lists every event type rts writes.
var Events = []store.EventType{EventAppealFiled, EventAppealDecided, EventPenaltyProposed}
