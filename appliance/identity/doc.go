// Package identity owns the people who use a local body's appliance: office
// staff with their roles, wards and sections, and citizens who sign up with
// a mobile number or an e-mail address. It hashes and checks passwords,
// slows repeated failed sign-ins per network, verifies citizens with a
// one-time code, and keeps sign-in sessions on the store for
// github.com/alexedwards/scs/v2.
//
// Every change to a user is a store Write with an event naming its actor.
// Event data never holds a password, a password hash or a one-time code:
// the log is replicated to the state. Those secrets live only in the user
// document, and the Users this package returns never carry them.
//
// Sessions are not facts: they are documents written without events, keyed
// by the SHA-256 of the session token, so a backup holds no live token.
//
// It knows nothing of HTTP beyond the scs session manager the web hands it.
//
// # Caveats
//
//   - Hashing a password costs about 80 ms and 64 MiB (argon2id, see
//     password.go); at most one hash per CPU runs at a time, so a burst of
//     sign-ins queues instead of exhausting memory.
//   - Failed sign-ins are counted in memory per network and per login from
//     a network (see DESIGN.md): a restart forgets them, and a process that
//     runs several Services counts each apart.
//   - SignIn, CurrentUser and SignOut need a request context loaded by the
//     session manager's LoadAndSave middleware; scs panics without one.
package identity
