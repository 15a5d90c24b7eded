// Package store owns a local body's records: one bbolt file holding an
// append-only, hash-chained event log and the current-state documents that
// the events produce, written together in one transaction.
//
// It knows documents, events, unique keys, number sequences and blobs — never
// births or licences. Modules use it directly, the way code uses database/sql.
//
// Every write goes through Store.Write: the caller's function reads state,
// decides, then stages document puts, unique-key claims, numbers and events on
// a Tx. Staged writes are applied only when the function returns nil, so a
// function that fails leaves no trace, and each function runs exactly once.
// Concurrent writers are group-committed: one committer goroutine gathers
// every waiting write into a single bbolt transaction and one fsync. Write
// returns only after that commit is durable.
//
// # Caveats
//
//   - One process per data directory: bbolt's file lock refuses a second one
//     (ErrLocked) after Options.LockTimeout.
//   - Bytes read inside a View or Write function are valid only inside it;
//     the helpers here copy or decode them before returning.
//   - Tx.Scan inside a Write sees committed state and the writes of functions
//     earlier in the same batch, but not the calling function's own staged puts.
//   - A long View holds old pages back from reuse; keep reads short.
package store
