package licence

import "ksmart/store"

// The event types the licence module writes. A licence's events carry the
// licence as it stands after the change, with what changed and why, so its
// history reads from the log.
var (
	EventGranted = store.EventType{Name: "licence.granted", Version: 1}
	// EventEntered records a licence entered from the register kept
	// before ksmart.
	EventEntered     = store.EventType{Name: "licence.entered", Version: 1}
	EventDeemed      = store.EventType{Name: "licence.deemed", Version: 1}
	EventRenewed     = store.EventType{Name: "licence.renewed", Version: 1}
	EventAmended     = store.EventType{Name: "licence.amended", Version: 1}
	EventTransferred = store.EventType{Name: "licence.transferred", Version: 1}
	EventSuspended   = store.EventType{Name: "licence.suspended", Version: 1}
	EventReinstated  = store.EventType{Name: "licence.reinstated", Version: 1}
	EventCancelled   = store.EventType{Name: "licence.cancelled", Version: 1}
	EventSurrendered = store.EventType{Name: "licence.surrendered", Version: 1}
	EventExpired     = store.EventType{Name: "licence.expired", Version: 1}
	// EventRenewalPending records a licence whose year ended while its
	// renewal was being decided.
	EventRenewalPending = store.EventType{Name: "licence.renewal_pending", Version: 1}
	EventRenewalApplied = store.EventType{Name: "licence.renewal_applied", Version: 1}
	EventRenewalRefused = store.EventType{Name: "licence.renewal_refused", Version: 1}
	EventCertified      = store.EventType{Name: "licence.certificate_issued", Version: 1}
	EventReminded       = store.EventType{Name: "licence.reminded", Version: 1}
	EventMSMERecorded   = store.EventType{Name: "licence.msme_recorded", Version: 1}
	EventMSMEEnded      = store.EventType{Name: "licence.msme_exemption_ended", Version: 1}
	// EventJob records how far a day's job got.
	EventJob = store.EventType{Name: "licence.job", Version: 1}
)

// Events lists every event type the licence module writes.
var Events = []store.EventType{
	EventGranted, EventEntered, EventDeemed, EventRenewed, EventAmended, EventTransferred, EventSuspended, EventReinstated,
	EventCancelled, EventSurrendered, EventExpired, EventRenewalPending, EventRenewalApplied, EventRenewalRefused, EventCertified, EventReminded,
	EventMSMERecorded, EventMSMEEnded, EventJob,
}
