// Package stateview owns what state IT sees of every local body on a
// state node: the state index (one search shard per district, fed from
// the change sets the FSM applies, with a locator of where each document
// was last written), which answers the state-wide search and the
// verification of any body's certificate; and counters of each body's
// figures (counters.go), kept as the FSM applies its writes and added up
// per district and for the state; as pages under /state and the same
// data as JSON under /state/api. No node keeps a copy of any body's store.
//
// It is a replication.Extension (View): ksmart state run gives one to its
// node, which opens it once raft has started, serves its routes on its
// HTTPS API to admin and auditor certificates (the view, search and verify
// permissions of replication's authorization table) behind the same
// mutual TLS, and closes
// it after raft stops and before the FSM. With no counters
// (Config.Figures nil, --view=false) the figures' routes answer 503,
// saying so; with no index (Config.Index nil, --view=false or
// --index=false) search and verification do.
//
// Everything it knows of the records comes from the modules, through the
// one list appliance.Modules, never from copies of their layouts: the
// search sources (appliance.SearchSources) and how a hit reads
// (module.Records.Hit, through appliance.Hits); the figures, which each
// module's Figures.Counter keeps per body as the FSM applies its writes
// (Counters, counters.go) and reads into one module.Tally per body (added
// up per district and for the state with Tally.AddTally), and whose
// headlines and charts are the modules' own, in the list's order; the body's
// identity and seal keys through appliance's readers (LocalBodyIn,
// SealKeysIn, PublishedSealKey); and certificates through civil's own
// Verify, reading the body's documents where the state index places them
// (civil.Civil.Records, a store.ViewReader over the locator).
//
// The figures' JSON (Figures) is the tally — "months", "counts",
// "monthly", "computed_at" — with "rates" and "monthly_rates" of the
// headlines and charts that show a rate, keyed "<key>/<of>" (e.g.
// "on_time/decided"); a count no body has is absent from "counts".
//
// The package must never write a local body's store or the state's: the
// index and the counters are written only from the FSM's log and change
// sets, and both are derived, so they may be deleted and made again at
// any time. It must never interpret an event beyond what the
// modules and appliance declare (a figure, a hit, a seal key), never keep
// a figure, a search source or a record layout of its own, and never
// answer as if it were the leader: every answer is this node's own, and
// says how far its index and counters trail this node's FSM.
//
// DESIGN.md beside this file explains the choices: the sharded index and
// its locator, counters instead of recounting, rebuilding what
// contradicts the FSM, verification.
//
// # Caveats
//
//   - The index and the counters trail this node's FSM (and a follower's
//     FSM the leader's): figures, hits and verifications may miss the last
//     moments' records (a body's status: index_seq and figures_seq
//     against state_seq).
//   - A word of a name counts as known at the state when any body of the
//     shards searched has it; a body's office asks its own index. A word
//     only another body has is matched exactly at the state and loosely
//     (within one edit) in the office.
//   - A rule change in a module's Counter must raise its Version (which
//     counts every body again), or the counters go on with sums of the
//     old rule.
//   - A body whose log reached the state before change sets did has no
//     documents at the state (partial): no figures, hits or verification
//     for it.
//   - An older version's DATA/mirrors/ is deleted when the view opens
//     (in the background, logged); nothing reads it.
//   - Reading a hit or a certificate reads the change set that last wrote
//     it from the FSM: a large write's (an import's) change set is read
//     whole for one record.
package stateview
