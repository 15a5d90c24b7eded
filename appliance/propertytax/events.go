package propertytax

import "ksmart/store"

// The event types property tax writes. A building's events carry the
// building as it stands after the change, and what changed and why, so
// that its history reads from the log. Demands and interest are finance's
// events (demands.raised, demands.accrued), written in the same writes.
var (
	EventBuildingRegistered  = store.EventType{Name: "building.registered", Version: 1}
	EventBuildingReassessed  = store.EventType{Name: "building.reassessed", Version: 1}
	EventBuildingTransferred = store.EventType{Name: "building.transferred", Version: 1}
	EventBuildingExempted    = store.EventType{Name: "building.exempted", Version: 1}
	EventBuildingDemolished  = store.EventType{Name: "building.demolished", Version: 1}
	EventBuildingClaimed     = store.EventType{Name: "building.claimed", Version: 1}
	EventBuildingsImported   = store.EventType{Name: "buildings.imported", Version: 1}
	EventTaxReminded         = store.EventType{Name: "property_tax.reminded", Version: 1}
	// EventDemandJob records a batch of the half-year's demand job that
	// raised nothing (every building exempt or demanded already): how far
	// the job got. A batch that raises demands is recorded by finance's
	// demands.raised, in the same write.
	EventDemandJob = store.EventType{Name: "property_tax.demand_batch", Version: 1}
	// EventDemandsSettled records demands no longer watched for interest.
	EventDemandsSettled = store.EventType{Name: "property_tax.demands_settled", Version: 1}
	// EventBuildingViewed records that office staff read a building's
	// personal data (its owners' phones), as a file's reading is recorded.
	EventBuildingViewed = store.EventType{Name: "building.viewed", Version: 1}
)

// Events lists every event type property tax writes.
var Events = []store.EventType{
	EventBuildingRegistered, EventBuildingReassessed, EventBuildingTransferred, EventBuildingExempted,
	EventBuildingDemolished, EventBuildingClaimed, EventBuildingsImported, EventTaxReminded, EventDemandJob, EventDemandsSettled,
	EventBuildingViewed,
}
