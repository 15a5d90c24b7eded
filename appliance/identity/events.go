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
	// EventUserKYCVerified was the account flag of KYC before video KYC;
	// kept so that old logs read (KYC is package kyc's now).
	EventUserKYCVerified   = store.EventType{Name: "user.kyc_verified", Version: 1}
	EventUserLoggedIn      = store.EventType{Name: "user.logged_in", Version: 1}
	EventUserLoginFailed   = store.EventType{Name: "user.login_failed", Version: 1}
	EventUserLocked        = store.EventType{Name: "user.locked", Version: 1}
	EventUserSignedOutAll  = store.EventType{Name: "user.signed_out_everywhere", Version: 1}
	EventUserPreferences   = store.EventType{Name: "user.preferences_changed", Version: 1}
	EventCitizenSignedUp   = store.EventType{Name: "citizen.signed_up", Version: 1}
	EventCitizenCodeSent   = store.EventType{Name: "citizen.code_sent", Version: 1}
	EventCitizenCodeFailed = store.EventType{Name: "citizen.code_failed", Version: 1}
	EventCitizenVerified   = store.EventType{Name: "citizen.verified", Version: 1}
	// EventUserAdminRefused: an administrator tried to act as a citizen
	// (data: action, by) and was refused.
	EventUserAdminRefused = store.EventType{Name: "user.admin_action_refused", Version: 1}
	// EventCitizenRecoveryRequested: a recovery code went to a citizen's
	// verified contact (data: channel, expires).
	EventCitizenRecoveryRequested = store.EventType{Name: "citizen.recovery_requested", Version: 1}
	// EventCitizenRecoveryFailed: a wrong recovery code (data: attempts).
	EventCitizenRecoveryFailed = store.EventType{Name: "citizen.recovery_failed", Version: 1}
	// EventCitizenPasswordRecovered: a citizen set a new password with a
	// recovery code.
	EventCitizenPasswordRecovered = store.EventType{Name: "citizen.password_recovered", Version: 1}
	// EventUserTOTPEnrolled: a staff member set up two-step sign-in
	// (data: recovery_codes, how many were made).
	EventUserTOTPEnrolled = store.EventType{Name: "user.two_step_enrolled", Version: 1}
	// EventUserTOTPPassed: the second step of a sign-in (data: with "app"
	// or "recovery_code", and recovery_codes_left).
	EventUserTOTPPassed = store.EventType{Name: "user.two_step_passed", Version: 1}
	// EventUserTOTPFailed: a wrong second step (data: reason "wrong",
	// "reused" or "wrong_recovery_code").
	EventUserTOTPFailed = store.EventType{Name: "user.two_step_failed", Version: 1}
	// EventUserTOTPReset: an administrator removed a staff member's
	// two-step set-up (data: by, reason).
	EventUserTOTPReset = store.EventType{Name: "user.two_step_reset", Version: 1}
	// EventUserTOTPBegun: a staff member was shown a new authenticator
	// key to set up (data: none; the key is in the change set, bound to
	// this event like every other write).
	EventUserTOTPBegun = store.EventType{Name: "user.two_step_begun", Version: 1}
	// EventCitizenContactCodeSent: a code went to a phone or e-mail a
	// citizen added after sign-up (data: kind, expires; never the code).
	EventCitizenContactCodeSent = store.EventType{Name: "citizen.contact_code_sent", Version: 1}
	// EventCitizenContactCodeFailed: a wrong code for an added contact
	// (data: kind, attempts).
	EventCitizenContactCodeFailed = store.EventType{Name: "citizen.contact_code_failed", Version: 1}
	// EventCitizenContactVerified: an added contact was verified by its
	// code and is used from now on (data: kind).
	EventCitizenContactVerified = store.EventType{Name: "citizen.contact_verified", Version: 1}
)

// Events lists every event type identity writes.
var Events = []store.EventType{
	EventUserCreated, EventUserRolesChanged, EventUserDisabled, EventUserEnabled, EventUserPasswordReset,
	EventUserPasswordChanged, EventUserKYCVerified, EventUserLoggedIn, EventUserLoginFailed, EventUserLocked,
	EventUserSignedOutAll, EventUserPreferences, EventCitizenSignedUp, EventCitizenCodeSent, EventCitizenCodeFailed,
	EventCitizenVerified, EventUserAdminRefused, EventCitizenRecoveryRequested, EventCitizenRecoveryFailed,
	EventCitizenPasswordRecovered, EventUserTOTPEnrolled, EventUserTOTPPassed, EventUserTOTPFailed, EventUserTOTPReset, EventUserTOTPBegun,
	EventCitizenContactCodeSent, EventCitizenContactCodeFailed, EventCitizenContactVerified,
}
