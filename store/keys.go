package store

// Every bucket and key layout of the store, in one place.
//
//	meta                  "schema" → uint64 BE schema version
//	                      "bound"  → uint64 BE sequence of the first event that binds a change set (bind.go)
//	                      "local"  → JSON list of the entities last declared local (EventLocalEntities)
//	log                   uint64 BE sequence → encoded Event (see event.go)
//	state/<entity>        document id → JSON document
//	keys/<index>          unique key (e.g. a phone or an application number) → document id
//	numbers               sequence name → uint64 BE last number handed out
//	blobs                 hex SHA-256 → blob bytes
//	changes               uint64 BE sequence → the change set of the write whose last event it is (changes.go)
//
// Schema versions:
//
//	1  meta, log, state, keys, numbers, blobs
//	2  changes: each write's change set
//	3  each change set's digest bound into its event (format 2); older files are sealed once at open (bind.go)
//
// Schema changes are an ordered, idempotent list of migrations in
// migrate; schemaVersion is the version the code writes.
const schemaVersion = 3

var (
	bucketMeta    = []byte("meta")
	bucketLog     = []byte("log")
	bucketState   = []byte("state")
	bucketKeys    = []byte("keys")
	bucketNumbers = []byte("numbers")
	bucketBlobs   = []byte("blobs")
	bucketChanges = []byte("changes")

	keySchema = []byte("schema")
	keyBound  = []byte("bound")
	keyLocal  = []byte("local")
)

// topBuckets are created on first open; a file must have all but changes,
// which files of schema 1 lack.
var topBuckets = [][]byte{bucketMeta, bucketLog, bucketState, bucketKeys, bucketNumbers, bucketBlobs, bucketChanges}

// DBFile is the name of the bbolt file inside a data directory.
const DBFile = "ksmart.db"
