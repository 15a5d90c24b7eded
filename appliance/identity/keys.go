package identity

// Every store layout of identity, in one place.
//
//	state/user        "u-<n>" → User JSON, password hash and pending code included
//	state/session     hex SHA-256 of an scs token → sessionDoc JSON (written without events)
//	keys/login        login → user id; a staff username, a citizen's "+<digits>" phone or lower-case e-mail
//	numbers/user      the last user number handed out
//
// Event types (all version 1): user.created, user.roles_changed,
// user.disabled, user.enabled, user.password_reset, user.password_changed,
// user.logged_in, user.login_failed, user.locked, user.signed_out_everywhere,
// citizen.signed_up, citizen.code_sent, citizen.code_failed, citizen.verified.
//
// schemaVersion changes when a layout above changes; migrations then go in
// an ordered, idempotent list beside it.
const schemaVersion = 1

const (
	entityUser    = "user"
	entitySession = "session"
	indexLogin    = "login"
	seqUser       = "user"
)
