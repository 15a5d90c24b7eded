package identity

// Every store layout of identity, in one place (schema version 1; a new
// layout raises it, with its migration in an ordered, idempotent list
// here). The event types are in events.go.
//
//	state/user        "u-<n>" → User JSON, password hash, pending codes, TOTP secret and recovery-code hashes included
//	state/session     hex SHA-256 of an scs token → sessionDoc JSON (written without events)
//	keys/login        login → user id; a staff username, a citizen's "+<digits>" phone or lower-case e-mail
//	numbers/user      the last user number handed out

const (
	entityUser    = "user"
	entitySession = "session"
	indexLogin    = "login"
	seqUser       = "user"
)

// LocalEntities are identity's entities written without events (sessions):
// the appliance declares them to the store, whose check does not verify them.
var LocalEntities = []string{entitySession}
