package identity

import "ksmart/store"

// The event types identity writes, each on the user it concerns (entity
// "user"). Their data never holds a password, a code or a session token.
var (
	EventUserCreated         = store.EventType{Name: "user.created", Version: 1}
	EventUserRolesChanged    = store.EventType{Name: "user.roles_changed", Version: 1}
	EventUserDisabled        = store.EventType{Name: "user.disabled", Version: 1}
	EventUserEnabled         = store.EventType{Name: "user.enabled", Version: 1}
	EventUserPasswordReset   = store.EventType{Name: "user.password_reset", Version: 1}
	EventUserPasswordChanged = store.EventType{Name: "user.password_changed", Version: 1}
	EventUserKYCVerified     = store.EventType{Name: "user.kyc_verified", Version: 1} // the account flag before video KYC (package kyc); kept so old logs read
	EventUserLoggedIn        = store.EventType{Name: "user.logged_in", Version: 1}
	EventUserLoginFailed     = store.EventType{Name: "user.login_failed", Version: 1}
	EventUserLocked          = store.EventType{Name: "user.locked", Version: 1}
	EventUserSignedOutAll    = store.EventType{Name: "user.signed_out_everywhere", Version: 1}
	EventUserPreferences     = store.EventType{Name: "user.preferences_changed", Version: 1}
	EventCitizenSignedUp     = store.EventType{Name: "citizen.signed_up", Version: 1}
	EventCitizenCodeSent     = store.EventType{Name: "citizen.code_sent", Version: 1}
	EventCitizenCodeFailed   = store.EventType{Name: "citizen.code_failed", Version: 1}
	EventCitizenVerified     = store.EventType{Name: "citizen.verified", Version: 1}
)

// Events lists every event type identity writes.
var Events = []store.EventType{
	EventUserCreated, EventUserRolesChanged, EventUserDisabled, EventUserEnabled, EventUserPasswordReset,
	EventUserPasswordChanged, EventUserKYCVerified, EventUserLoggedIn, EventUserLoginFailed, EventUserLocked,
	EventUserSignedOutAll, EventUserPreferences, EventCitizenSignedUp, EventCitizenCodeSent, EventCitizenCodeFailed,
	EventCitizenVerified,
}
