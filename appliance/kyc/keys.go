package kyc

// Key layout of video KYC, schema version 1. Documents (store.Tx.Put):
//
//	kyc_booking   <booking id>                      Booking
//	kyc_slot      <slot start, RFC 3339 UTC>        slotTaken{Booking}: a slot holds one call
//	kyc_valid     <user id>/<service>/<subject>     Verification: what Verified looks up
//	kyc_override  <user id>/<service>               Verification: an administrator's override
//
// Files under the data directory (never in the store, never replicated):
//
//	kyc/live/<booking id>/p<part>-<side>-<kind>.{ivf,ogg}   a call being recorded
//	kyc/recordings/<sha256>.tar                             a kept recording
//	kyc/snapshots/<sha256>.jpg                              the officer's snapshots
const (
	entityBooking  = "kyc_booking"
	entitySlot     = "kyc_slot"
	entityValid    = "kyc_valid"
	entityOverride = "kyc_override"

	// bookingSeq numbers bookings: VK-<n>/<year>.
	bookingSeq = "kyc_booking"
)

func validKey(user, service, subject string) string { return user + "/" + service + "/" + subject }
func overrideKey(user, service string) string       { return user + "/" + service }
