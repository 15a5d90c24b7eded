package replication

import "encoding/binary"

// Every bucket and key layout of the state FSM's bbolt file (state.db), in
// one place.
//
//	meta                 "schema"  → uint64 BE schema version
//	                     "applied" → uint64 BE index ‖ uint64 BE term of the last raft entry applied
//	                     "clean"   → 1 byte: 1 when the file was closed cleanly, else 0
//	                     "durable" → 1 byte: 1 when every commit to the file is synced (since
//	                                 manifest snapshots); a file without it is kept only when clean
//	bodies               body code → JSON bodyRecord (head seq and hash, counts, times)
//	log                  one nested bucket per body code:
//	  log/<code>         uint64 BE seq → encoded store.Event, exactly the bytes the body shipped
//	changes              one nested bucket per body code (schema 2):
//	  changes/<code>     uint64 BE seq → the change set shipped with event seq (store.ReadReplica),
//	                     exactly as shipped; only events with a non-empty change set have one
//	forks                body code ‖ 0x00 ‖ uint64 BE seq ‖ their 32-byte hash → JSON Fork
//	nodes                raft server ID → JSON NodeInfo (raft and HTTP addresses)
//	certs                serial (FormatSerial) → JSON CertInfo: every certificate the cluster has
//	                     seen or been shown (schema 3)
//	revoked              serial → JSON Revocation: who revoked it, when and why (schema 3)
//
// "applied" is written in the same transaction as the data it covers, as
// vault's FSM does, so the file always says exactly which raft entries it
// holds and an entry at or below it is skipped when raft replays it.
//
// Schema changes are an ordered list of idempotent migrations (migrations,
// in fsm.go) run when a file is made, kept from a clean close, or restored
// from a snapshot; schemaVersion is the version this code writes. A
// snapshot carries the file, so a node restores snapshots of its own schema
// or older (migrating them), never newer.
//
//	1  bodies, log, forks, nodes
//	2  changes: each event's change set, so that a body can be rebuilt from the state
//	3  certs and revoked: the certificates known to the cluster and those revoked
const schemaVersion = 3

var (
	bucketMeta   = []byte("meta")
	bucketBodies = []byte("bodies")
	bucketLog    = []byte("log")
	bucketForks  = []byte("forks")
	bucketNodes  = []byte("nodes")
	// bucketChanges is new in schema 2.
	bucketChanges = []byte("changes")
	// bucketCerts and bucketRevoked are new in schema 3.
	bucketCerts   = []byte("certs")
	bucketRevoked = []byte("revoked")

	keySchema  = []byte("schema")
	keyApplied = []byte("applied")
	keyClean   = []byte("clean")
	keyDurable = []byte("durable")
)

// topBuckets are created when the file is made.
var topBuckets = [][]byte{bucketMeta, bucketBodies, bucketLog, bucketForks, bucketNodes, bucketChanges, bucketCerts, bucketRevoked}

// stateFile is the FSM's bbolt file inside a node's data directory; raftDir
// holds raft's own log store (raftLogFile) and its snapshots.
const (
	stateFile   = "state.db"
	raftDir     = "raft"
	raftLogFile = "log.db"
	snapsDir    = "snapshots"
)

func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

// forkKey orders a body's forks by sequence; their hash tells two
// different forks at the same sequence apart, and a resend of the same one
// lands on the same key.
func forkKey(code string, seq uint64, theirs []byte) []byte {
	k := make([]byte, 0, len(code)+1+8+len(theirs))
	k = append(k, code...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, seq)
	return append(k, theirs...)
}

func forkPrefix(code string) []byte {
	return append([]byte(code), 0)
}
