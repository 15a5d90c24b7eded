package building

import "ksmart/store"

// The event types building permission writes. The file's own actions
// (submitted, forwarded, approved, issued) are the workflow's events;
// these are the module's records made with them.
var (
	// EventInspected records an overseer's site inspection: findings,
	// location and the photos' blobs.
	EventInspected = store.EventType{Name: "building.site_inspected", Version: 1}
	// EventScrutinyReported records the assistant engineer's scrutiny
	// report: the figures verified and every check on them.
	EventScrutinyReported = store.EventType{Name: "building.scrutiny_reported", Version: 1}
	// EventPermitGranted records a permit entered in the register on the
	// secretary's approval, with its figures, fee and validity.
	EventPermitGranted = store.EventType{Name: "building_permit.granted", Version: 1}
	// EventDocumentIssued records a permit or occupancy certificate
	// printed, with the digest its QR code signs.
	EventDocumentIssued = store.EventType{Name: "building_permit.document_issued", Version: 1}
	// EventPermitRenewed records a permit's validity extended.
	EventPermitRenewed = store.EventType{Name: "building_permit.renewed", Version: 1}
	// EventCommenced records the date a permit's work began.
	EventCommenced = store.EventType{Name: "building_permit.commenced", Version: 1}
	// EventOccupancyCertified records the occupancy certificate granted
	// and the building number the register gave the building.
	EventOccupancyCertified = store.EventType{Name: "building_permit.occupancy_certified", Version: 1}
)

// Events lists every event type building permission writes.
var Events = []store.EventType{EventInspected, EventScrutinyReported, EventPermitGranted, EventDocumentIssued, EventPermitRenewed, EventCommenced, EventOccupancyCertified}
