package stateview

import (
	"encoding/binary"

	"ksmart/store"
)

// Layout of the state index (index.go) under <node dir>/stateindex/,
// schema version below.
//
// locator.db (bbolt), derived from the FSM's change sets:
//
//	meta                "schema" → indexSchema as a decimal string
//	bodies              body code → JSON bodyRecord: the last event whose change set the
//	                    locator holds (seq, hash), the body's shard, identity and name
//	loc/<code>          part (1 byte, store.Part) ‖ sub ‖ 0x00 ‖ key → where the body's
//	                    current value is: locRef ‖ uint64 BE seq of the change set that last
//	                    wrote it ‖ uint32 BE offset of its record there (store.ChangeAt), or
//	                    locInline ‖ the value itself (short values: keys, numbers, tiny
//	                    documents)
//	seals/<code>        seal fingerprint → the public key (PEM) the body's log published
//	                    (appliance.PublishedSealKey)
//
// shards/<slug>/ (Bleve, search.Shards): one per district of Kerala and
// one (otherShard) for bodies whose district is none of them; documents
// "<code>/<entity>/<id>", and the internal value
//
//	progress/<code>     uint64 BE seq ‖ 32-byte hash of the last event whose documents the
//	                    shard holds, written in the same batch as them
//
// A locator.db of another schema, or one that does not open, is deleted
// with the shards and made again from the FSM: all of it is derived.
const indexSchema = "1"

var (
	bucketIdxMeta   = []byte("meta")
	bucketIdxBodies = []byte("bodies")
	bucketIdxLoc    = []byte("loc")
	bucketIdxSeals  = []byte("seals")
	keyIdxSchema    = []byte("schema")
)

// Tags of a loc value.
const (
	locRef    = 1 // the value is in the change set of this sequence
	locInline = 2 // the value follows
)

// maxInline is the longest value a loc entry holds itself rather than
// pointing at its change set.
const maxInline = 24

// locKey is the loc key of a part's sub and key.
func locKey(part store.Part, sub string, key []byte) []byte {
	k := make([]byte, 0, 2+len(sub)+len(key))
	k = append(k, byte(part))
	k = append(k, sub...)
	k = append(k, 0)
	return append(k, key...)
}

// locPrefix is the loc prefix of a part's sub.
func locPrefix(part store.Part, sub string) []byte {
	return append(append([]byte{byte(part)}, sub...), 0)
}

func refValue(seq uint64, at int) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64([]byte{locRef}, seq), uint32(at))
}

// progressKey is a body's progress in its shard.
func progressKey(code string) string { return "progress/" + code }

// indexDir is the state index's directory in a node's data directory.
const indexDir = "stateindex"
