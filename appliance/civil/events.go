package civil

import "ksmart/store"

// The event types civil writes. A register entry's events are on the entry
// (entity "civil_entry") and carry, for a registration or an import, the
// whole entry, and for a change the Change; a certificate's are on the
// certificate (entity "civil_certificate"); the kiosk's on the kiosk
// (entity "kiosk").
var (
	EventBirthRegistered      = store.EventType{Name: "birth.registered", Version: 1}
	EventStillBirthRegistered = store.EventType{Name: "still_birth.registered", Version: 1}
	EventDeathRegistered      = store.EventType{Name: "death.registered", Version: 1}
	EventMarriageRegistered   = store.EventType{Name: "marriage.registered", Version: 1}

	EventBirthImported      = store.EventType{Name: "birth.imported", Version: 1}
	EventStillBirthImported = store.EventType{Name: "still_birth.imported", Version: 1}
	EventDeathImported      = store.EventType{Name: "death.imported", Version: 1}
	EventMarriageImported   = store.EventType{Name: "marriage.imported", Version: 1}

	EventBirthCorrected    = store.EventType{Name: "birth.corrected", Version: 1}
	EventDeathCorrected    = store.EventType{Name: "death.corrected", Version: 1}
	EventMarriageCorrected = store.EventType{Name: "marriage.corrected", Version: 1}
	EventBirthNameIncluded = store.EventType{Name: "birth.name_included", Version: 1}

	EventEntryViewed    = store.EventType{Name: "civil.entry_viewed", Version: 1}
	EventRegisterViewed = store.EventType{Name: "civil.register_viewed", Version: 1}

	EventCertificateIssued     = store.EventType{Name: "certificate.issued", Version: 1}
	EventCertificateSuperseded = store.EventType{Name: "certificate.superseded", Version: 1}
	EventCertificateViewed     = store.EventType{Name: "certificate.viewed", Version: 1}
	EventCertificateRevoked    = store.EventType{Name: "certificate.revoked", Version: 1}

	EventKioskSearched = store.EventType{Name: "kiosk.searched", Version: 1}
	EventKioskRefused  = store.EventType{Name: "kiosk.refused", Version: 1}
	EventKioskOpened   = store.EventType{Name: "kiosk.opened", Version: 1}
	EventKioskPrinted  = store.EventType{Name: "kiosk.printed", Version: 1}
)

// registeredEvents, importedEvents and changeEvents are the events of an
// entry made, imported or changed, by register kind (and change kind).
var (
	registeredEvents = map[string]store.EventType{
		KindBirth: EventBirthRegistered, KindStillBirth: EventStillBirthRegistered,
		KindDeath: EventDeathRegistered, KindMarriage: EventMarriageRegistered,
	}
	importedEvents = map[string]store.EventType{
		KindBirth: EventBirthImported, KindStillBirth: EventStillBirthImported,
		KindDeath: EventDeathImported, KindMarriage: EventMarriageImported,
	}
	changeEvents = map[[2]string]store.EventType{
		{KindBirth, ChangeCorrected}: EventBirthCorrected, {KindDeath, ChangeCorrected}: EventDeathCorrected,
		{KindMarriage, ChangeCorrected}: EventMarriageCorrected, {KindBirth, ChangeNameIncluded}: EventBirthNameIncluded,
	}
)

// Events lists every event type civil writes.
var Events = []store.EventType{
	EventBirthRegistered, EventStillBirthRegistered, EventDeathRegistered, EventMarriageRegistered,
	EventBirthImported, EventStillBirthImported, EventDeathImported, EventMarriageImported,
	EventBirthCorrected, EventDeathCorrected, EventMarriageCorrected, EventBirthNameIncluded,
	EventEntryViewed, EventRegisterViewed,
	EventCertificateIssued, EventCertificateSuperseded, EventCertificateViewed, EventCertificateRevoked,
	EventKioskSearched, EventKioskRefused, EventKioskOpened, EventKioskPrinted,
}
