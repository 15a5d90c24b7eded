package kyc

import "ksmart/store"

// Event types of video KYC. Each is a fact; a correction is a new event.
var (
	// EventDraftKept: an application that needs KYC was kept as a draft.
	EventDraftKept = store.EventType{Name: "kyc.draft_kept", Version: 1}
	// EventBooked: a citizen booked a slot for their call.
	EventBooked = store.EventType{Name: "kyc.booked", Version: 1}
	// EventJoined: a party joined the call (each joining starts a part).
	EventJoined = store.EventType{Name: "kyc.joined", Version: 1}
	// EventRecordingKept: a recording was packed and stored on this node;
	// its SHA-256 and size are in the event, the bytes are not.
	EventRecordingKept = store.EventType{Name: "kyc.recording_kept", Version: 1}
	// EventVerified: the officer verified the identity; the data names the
	// officer, the recordings' hashes, what it is valid for and until when.
	EventVerified = store.EventType{Name: "kyc.verified", Version: 1}
	// EventNotVerified: the officer could not verify, with the reason.
	EventNotVerified = store.EventType{Name: "kyc.not_verified", Version: 1}
	// EventOverridden: an administrator recorded a KYC without a call,
	// with the reason (ksmart user kyc).
	EventOverridden = store.EventType{Name: "kyc.overridden", Version: 1}
	// EventRecordingPlayed: someone of the registrar's office played or
	// downloaded a recording (the audit of personal data).
	EventRecordingPlayed = store.EventType{Name: "kyc.recording_played", Version: 1}
	// EventRecordingDeleted: a recording past its retention was deleted.
	EventRecordingDeleted = store.EventType{Name: "kyc.recording_deleted", Version: 1}
)

// Events are every event type video KYC writes.
var Events = []store.EventType{EventDraftKept, EventBooked, EventJoined, EventRecordingKept, EventVerified, EventNotVerified,
	EventOverridden, EventRecordingPlayed, EventRecordingDeleted}
