// Package replication owns the state cluster: the 3 or 5 state nodes that
// keep a faithful copy of every local body's hash-chained log on
// hashicorp/raft, each event with the change set of its write (so a body
// can be rebuilt from it), the HTTPS API local bodies ship their logs to,
// the Client they (and state IT's tools) use, the Shipper each local body
// runs, and the certificate authority that authenticates every party with
// mutual TLS.
//
// A Node runs raft with raft-boltdb/v2 for its log and stable store, file
// snapshots, and a TCP transport wrapped in TLS. Its FSM keeps each body's
// log in a bbolt file (state.db) and applies a shipped batch only where it
// continues that body's chain: the next sequence number and the matching
// prev hash. A batch already held is acknowledged again (resends are
// harmless); a batch that overlaps the head applies only its new tail; a
// batch that starts after the head is refused as a gap; a batch that holds
// different events under numbers already held — a body restored from an
// old backup — is refused and recorded as a Fork for state IT. Nothing the
// state holds is ever overwritten or deleted.
//
// Writes (Ship, Join, Leave) are committed by the leader; a follower's API
// forwards them there, in one place (forwardOrServe). Reads (Head,
// ReadLog, Bodies, Forks, and the FSM's read API) answer from the node's
// own state and may trail the leader by a little; the API's ?fresh=1 reads
// on the leader after a raft barrier, and Client always asks for that.
//
// The package never writes a local body's store, and its FSM never decides
// what an event means: it knows sequence numbers and hashes, nothing of
// births or licences, and it imports none of the appliance's packages. It
// must never merge a fork or drop an acknowledged event.
//
// The state view lives in package stateview, a reader beside the FSM
// that a node runs as its Config.Extension (extension.go): the node opens
// it once raft has started and restored its snapshot, mounts its routes on
// the API behind the same mutual-TLS admission (Mount, RequestCaller), and
// closes it after raft stops and before the FSM. An extension reads the
// FSM (Node.FSM) and never applies to raft. Package replicationtest starts
// test clusters for such packages' tests.
//
// Certificates (see Kind): a state node's carries OU=node, a local body's
// OU=body with CN its code, state IT's OU=admin, a read-only auditor's
// OU=auditor. What each may do is one table, grants in authz.go: a body
// ships and reads only its own log; only admins join, remove or revoke;
// only nodes speak raft or forward on another's behalf; auditors read the
// state view. A revocation is a raft entry (revoke.go): every node holds
// it once committed and refuses the certificate at its next raft
// handshake or API request. Identities reload their files on demand
// (Identity.Reload, SIGHUP in ksmart), so certificates and the CA are
// rotated without a restart.
//
// DESIGN.md beside this file explains the choices: the wire formats, the
// chain rules, why state.db is durable, snapshots as manifests, extensions, and the
// measured figures.
//
// # Caveats
//
//   - ApplyBatch panics on a raft entry it cannot decode (a newer ksmart's
//     op, or a damaged log) rather than diverge from its peers: upgrade
//     every state node before a new op is used.
//   - A snapshot is a manifest (each body's head, and the small tables),
//     not a copy of the logs: restoring one fetches the events a node
//     lacks from its peers, so a node that lost state.db needs a peer that
//     holds it, and a one-node cluster cannot rebuild it from raft alone.
//   - state.db is synced on every commit (it is what snapshots refer to),
//     which halves the FSM's apply rate on a slow disk.
//   - Between a restore's fetches and its last transaction, a follower's
//     bbolt file holds events beyond the recorded heads; reads through
//     the read API may see them early (they are committed events).
//   - OnApplied callbacks run on raft's apply goroutine: return quickly.
//   - A batch of one record may be up to MaxRecordBytes (48 MiB, a write
//     with big uploads), so a raft entry may be that large.
//   - Change sets are kept as shipped; the hash chain covers the events,
//     not the change sets.
//   - A read that is not fresh, served by a follower that has not yet
//     applied a revocation, is admitted (milliseconds, or until a node
//     that was down catches up); writes and fresh reads are decided by the
//     leader, which holds every committed revocation.
//   - Serials are random 127-bit numbers and the register is keyed by
//     serial alone, across CAs during a rollover.
package replication
