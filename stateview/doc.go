// Package stateview owns what state IT sees of every local body on a
// state node: a mirror of each body (its current documents, replayed from
// the log and change sets the state cluster holds, with a search index of
// its own), the figures per body, district and state with their charts,
// the state-wide search, and the verification of any body's certificate;
// as pages under /state and the same data as JSON under /state/api.
//
// It is a replication.Extension (View): ksmart state run gives one to its
// node, which opens it once raft has started, serves its routes on its
// HTTPS API to admin and auditor certificates (the view, search and verify
// permissions of replication's authorization table) behind the same
// mutual TLS, and closes
// it after raft stops and before the FSM. With no mirrors
// (Config.Mirrors nil, --mirrors=false) every route answers 503, saying so.
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
// Verify, run on the mirror.
//
// The figures' JSON (Figures) is the tally — "months", "counts",
// "monthly", "computed_at" — with "rates" and "monthly_rates" of the
// headlines and charts that show a rate, keyed "<key>/<of>" (e.g.
// "on_time/decided"); a count no body has is absent from "counts".
//
// The package must never write a local body's store or the state's: a
// mirror is written only by replaying what the FSM holds
// (store.AppendReplica), and is derived, so it may be deleted and made
// again at any time. It must never interpret an event beyond what the
// modules and appliance declare (a figure, a hit, a seal key), never keep
// a figure, a search source or a record layout of its own, and never
// answer as if it were the leader: every answer is this node's own, and
// says how far its mirrors trail this node's FSM.
//
// DESIGN.md beside this file explains the choices: whole writes only,
// rebuilding contradicting mirrors, many bodies with few open files,
// figure caching, the merged search, verification.
//
// # Caveats
//
//   - A mirror trails this node's FSM (and a follower's FSM the leader's):
//     figures, hits and verifications may miss the last moments' records.
//   - Figures trail this node's FSM by the moment the counters take to
//     apply a write (figures_seq against the mirror status' state_seq).
//     A rule change in a module's Counter must raise its Version (which
//     counts every body again), or the counters go on with sums of the
//     old rule.
//   - A body whose log reached the state before change sets did has a
//     mirror of its log without its documents (partial), and counters
//     without them: no figures, hits or verification for it.
//   - Each open mirror holds a bbolt file and a Bleve index open: raise
//     MaxOpen with the process's file limit at 1,200 bodies.
package stateview
