// Package bench owns every benchmark `ksmart bench` runs, each measured
// beside its raw-library or peer baseline in the same run on the same
// machine, so that the figures are ratios that hold anywhere:
//
//   - store: durable writes through the store against raw bbolt Batch and
//     Update, and the disk's own write+fdatasync rate (store.go);
//   - submit: applications through the HTTP API against the store's own
//     write rate (submit.go);
//   - certificate: signed birth certificates against fpdf writing an empty
//     page (certificate.go);
//   - import: a legacy register of births against raw bbolt writing the same
//     entries (import.go);
//   - outbox: acknowledgements by e-mail and WhatsApp to local peers against
//     go-mail sending the same e-mails (outbox.go, outbox_peers.go);
//   - search: the kiosk's search against PostgreSQL full text and pg_trgm
//     (search.go, and its peer in bench/pgpeer);
//   - state: a 3-node state cluster against raw raft with the same entries,
//     a shipper's lag and a backlog's catch-up (state.go, state_cluster.go);
//   - state-scale: the state at a tenth of Kerala — real bodies' data
//     directories shipped into `ksmart state run` processes, measured
//     through their public interfaces only, against the targets (it has no
//     library peer): search, disk, a follower cut off, a frozen leader
//     (state_scale*.go).
//
// Each benchmark has a Config (zero fields take the defaults `ksmart bench`
// uses), a Run function returning a Result whose JSON is what
// `ksmart bench NAME --json` prints (the field names are a contract), and a
// WriteTable method that writes the human-readable table. Progress goes to
// the Config's OnPhase; nothing here writes to stdout or stderr.
//
// bench may import anything below cmd; production code never imports it:
// only cmd/ksmart (ksmart bench, ksmart state bench) and tests do. The event types the benchmarks
// write are declared in events.go and belong to no node's vocabulary.
package bench
