package finance

import (
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// DemandRaisedData is the data of EventDemandRaised (version 2): the demand
// in brief and the entry that posted it. Version 1 carried the whole demand
// and entry, which the same write's change set (bound into the chain by the
// event) holds already: ~0.9 KB more in the log of every application with
// a fee.
type DemandRaisedData struct {
	Number string       `json:"number"`
	Ref    string       `json:"ref"` // what it is for: kind/id, e.g. file/0000000042
	Payer  string       `json:"payer,omitempty"`
	Head   string       `json:"head"`
	Amount domain.Paise `json:"amount_paise"`
	Due    time.Time    `json:"due"`
	Entry  string       `json:"entry"`
}

// The event types finance writes. Each carries the changed demand, receipt
// or order and the journal entries the movement posted, so that the
// accounts can be rebuilt from the log; EventDemandRaised, written with
// every application that has a fee, carries DemandRaisedData instead.
var (
	EventDemandRaised = store.EventType{Name: "demand.raised", Version: 2}
	// EventDemandsRaised and EventDemandsAccrued are a module's batch:
	// many demands raised, or grown by interest, with one entry.
	EventDemandsRaised    = store.EventType{Name: "demands.raised", Version: 1}
	EventDemandsAccrued   = store.EventType{Name: "demands.accrued", Version: 1}
	EventDemandWaived     = store.EventType{Name: "demand.waived", Version: 1}
	EventDemandWrittenOff = store.EventType{Name: "demand.written_off", Version: 1}
	// EventDemandLapsed cancels a kiosk copy's demand nobody paid on its day.
	EventDemandLapsed     = store.EventType{Name: "demand.lapsed", Version: 1}
	EventPaymentReceived  = store.EventType{Name: "payment.received", Version: 1}
	EventReceiptCancelled = store.EventType{Name: "receipt.cancelled", Version: 1}
	EventChequeRealised   = store.EventType{Name: "cheque.realised", Version: 1}
	EventChequeBounced    = store.EventType{Name: "cheque.bounced", Version: 1}
	EventOrderCreated     = store.EventType{Name: "payment_order.created", Version: 1}
	EventOrderMismatch    = store.EventType{Name: "payment_order.mismatch", Version: 1}
	EventOrderFailed      = store.EventType{Name: "payment_order.failed", Version: 1}
	EventDayClosed        = store.EventType{Name: "counter.day_closed", Version: 1}
	EventCashRemitted     = store.EventType{Name: "cash.remitted", Version: 1}
	EventPeriodClosed     = store.EventType{Name: "period.closed", Version: 1}
	// EventEntriesImported records books kept before ksmart posted in one
	// batch; the entries themselves are documents of the write.
	EventEntriesImported = store.EventType{Name: "entries.imported", Version: 1}
	// EventDemandsPayerNamed puts demands still owed in the name of a
	// citizen's account (a building's owner who claimed it).
	EventDemandsPayerNamed = store.EventType{Name: "demands.payer_named", Version: 1}
)

// Events lists every event type finance writes.
var Events = []store.EventType{
	EventDemandRaised, EventDemandsRaised, EventDemandsAccrued, EventDemandWaived, EventDemandWrittenOff, EventDemandLapsed, EventPaymentReceived, EventReceiptCancelled,
	EventChequeRealised, EventChequeBounced, EventOrderCreated, EventOrderMismatch, EventOrderFailed,
	EventDayClosed, EventCashRemitted, EventPeriodClosed, EventEntriesImported,
	EventDemandsPayerNamed,
}
