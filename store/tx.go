package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Tx is a transaction handed to a View or Write function. In a Write, reads
// see committed state plus this function's own staged writes (Scan
// excepted), and writes are staged until the function returns nil.
type Tx struct {
	btx      *bolt.Tx
	store    *Store
	writable bool

	staged  map[string]int // overlay key → index in writes
	writes  []stagedWrite
	events  []Event
	used    map[string]uint64 // numbers handed out by Reserve and used here, for the change set
	replica *replica          // set by AppendReplica only
	tails   tails             // the commit's, shared by the writes in it

	// reader, in a Tx of ViewReader, holds the state instead of btx;
	// rerr is its first failure, which ends the view.
	reader Reader
	rerr   error
}

type stagedWrite struct {
	top    []byte
	sub    string
	key    []byte
	value  []byte // nil deletes
	ifNone bool   // write only when the key is absent (blobs)
}

func overlayKey(top []byte, sub string, key []byte) string {
	return string(top) + "\x00" + sub + "\x00" + string(key)
}

// Writable reports whether the Tx belongs to a Write.
func (tx *Tx) Writable() bool { return tx.writable }

// get returns a value, staged or committed; the bytes may belong to bbolt.
func (tx *Tx) get(top []byte, sub string, key []byte) []byte {
	if i, ok := tx.staged[overlayKey(top, sub, key)]; ok {
		return tx.writes[i].value
	}
	if tx.reader != nil {
		return tx.readerGet(top, sub, key)
	}
	b := tx.btx.Bucket(top)
	if sub != "" {
		if b = b.Bucket([]byte(sub)); b == nil {
			return nil
		}
	}
	return b.Get(key)
}

func (tx *Tx) stage(w stagedWrite) error {
	if !tx.writable {
		return ErrReadOnly
	}
	if len(w.key) == 0 || len(w.key) > bolt.MaxKeySize {
		return fmt.Errorf("store: key of %d bytes: keys must be 1..%d bytes", len(w.key), bolt.MaxKeySize)
	}
	if tx.staged == nil {
		tx.staged = map[string]int{}
	}
	k := overlayKey(w.top, w.sub, w.key)
	if i, ok := tx.staged[k]; ok {
		tx.writes[i] = w
		return nil
	}
	tx.staged[k] = len(tx.writes)
	tx.writes = append(tx.writes, w)
	return nil
}

func checkName(what, name string) error {
	if name == "" || len(name) > 200 || bytes.IndexByte([]byte(name), 0) >= 0 {
		return fmt.Errorf("store: %s name %q must be 1..200 bytes without NUL", what, name)
	}
	return nil
}

// Get decodes the document entity/id into v. It returns an error wrapping
// ErrNotFound when there is none.
func (tx *Tx) Get(entity, id string, v any) error {
	raw := tx.get(bucketState, entity, []byte(id))
	if tx.rerr != nil {
		return tx.rerr
	}
	if raw == nil {
		return fmt.Errorf("%w: %s %q", ErrNotFound, entity, id)
	}
	return json.Unmarshal(raw, v)
}

// GetRaw returns a copy of the JSON document entity/id.
func (tx *Tx) GetRaw(entity, id string) ([]byte, error) {
	raw := tx.get(bucketState, entity, []byte(id))
	if tx.rerr != nil {
		return nil, tx.rerr
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: %s %q", ErrNotFound, entity, id)
	}
	return bytes.Clone(raw), nil
}

// Exists reports whether the document entity/id exists.
func (tx *Tx) Exists(entity, id string) bool {
	return tx.get(bucketState, entity, []byte(id)) != nil
}

// Put stages v, encoded as JSON, as the current document entity/id.
func (tx *Tx) Put(entity, id string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encoding %s %q: %w", entity, id, err)
	}
	return tx.PutRaw(entity, id, raw)
}

// PutRaw stages raw JSON as the current document entity/id.
func (tx *Tx) PutRaw(entity, id string, raw []byte) error {
	if err := checkName("entity", entity); err != nil {
		return err
	}
	return tx.stage(stagedWrite{top: bucketState, sub: entity, key: []byte(id), value: bytes.Clone(raw)})
}

// Delete stages the removal of document entity/id.
func (tx *Tx) Delete(entity, id string) error {
	if err := checkName("entity", entity); err != nil {
		return err
	}
	return tx.stage(stagedWrite{top: bucketState, sub: entity, key: []byte(id)})
}

// ScanOptions select documents of one entity in key order.
type ScanOptions struct {
	Prefix  string // only ids with this prefix
	After   string // start after this id (for paging); "" starts at the beginning
	Limit   int    // at most this many; 0 means no limit
	Reverse bool   // descending order; After then means "before"
}

// Scan calls fn with each document's id and JSON in order. The bytes are
// valid only during fn. Returning ErrStop from fn ends the scan early
// without error.
func (tx *Tx) Scan(entity string, opt ScanOptions, fn func(id string, raw []byte) error) error {
	return tx.scan(bucketState, entity, opt, fn)
}

// IDsUnder lists what follows "owner/" in the ids of entity that start
// with it — the modules' per-person lists (a citizen's licences,
// buildings, demands) — in key order, or as opt orders and limits it.
func (tx *Tx) IDsUnder(entity, owner string, opt ScanOptions) ([]string, error) {
	opt.Prefix = owner + "/"
	var ids []string
	err := tx.Scan(entity, opt, func(id string, _ []byte) error {
		ids = append(ids, id[len(opt.Prefix):])
		return nil
	})
	return ids, err
}

// ScanKeys calls fn with each key of a unique-key index and the id that
// holds it, in key order, with the same options as Scan (Prefix finds the
// keys that begin with it, e.g. every register number starting "B-12").
func (tx *Tx) ScanKeys(index string, opt ScanOptions, fn func(key, id string) error) error {
	return tx.scan(bucketKeys, index, opt, func(k string, v []byte) error {
		return fn(k, string(v))
	})
}

// scan walks the sub-bucket sub of top as Scan describes, in the store's
// file or the Tx's Reader.
func (tx *Tx) scan(top []byte, sub string, opt ScanOptions, fn func(key string, value []byte) error) error {
	if tx.reader != nil {
		c := tx.readerCursor(top, sub)
		if c == nil {
			return tx.rerr
		}
		err := scanCursor(c, opt, fn)
		if tx.rerr == nil {
			tx.rerr = tx.reader.Err()
		}
		return errors.Join(err, tx.rerr)
	}
	b := tx.btx.Bucket(top).Bucket([]byte(sub))
	if b == nil {
		return nil
	}
	return scanCursor(b.Cursor(), opt, fn)
}

// scanCursor walks c as Scan describes.
func scanCursor(c Cursor, opt ScanOptions, fn func(key string, value []byte) error) error {
	prefix := []byte(opt.Prefix)
	var k, v []byte
	switch {
	case !opt.Reverse && opt.After != "":
		k, v = c.Seek([]byte(opt.After))
		if bytes.Equal(k, []byte(opt.After)) {
			k, v = c.Next()
		}
	case !opt.Reverse:
		k, v = c.Seek(prefix)
	default:
		// Start at the last key that is < After, or the last key with the prefix.
		bound := []byte(opt.After)
		if opt.After == "" {
			bound = prefixEnd(prefix)
		}
		if bound == nil {
			k, v = c.Last()
		} else if k, _ = c.Seek(bound); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	n := 0
	for ; k != nil; n++ {
		if !bytes.HasPrefix(k, prefix) || (opt.Limit > 0 && n >= opt.Limit) {
			break
		}
		if err := fn(string(k), v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
		if opt.Reverse {
			k, v = c.Prev()
		} else {
			k, v = c.Next()
		}
	}
	return nil
}

// ErrStop ends a Scan early.
var ErrStop = errors.New("store: stop scan")

// prefixEnd returns the smallest key greater than every key with prefix p,
// or nil when there is none (empty or all 0xff).
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Count returns how many documents entity holds.
func (tx *Tx) Count(entity string) int {
	if tx.reader != nil {
		n := 0
		tx.scan(bucketState, entity, ScanOptions{}, func(string, []byte) error { n++; return nil })
		return n
	}
	b := tx.btx.Bucket(bucketState).Bucket([]byte(entity))
	if b == nil {
		return 0
	}
	return b.Stats().KeyN
}

// Lookup returns the document id that holds unique key in index.
func (tx *Tx) Lookup(index, key string) (string, error) {
	v := tx.get(bucketKeys, index, []byte(key))
	if tx.rerr != nil {
		return "", tx.rerr
	}
	if v == nil {
		return "", fmt.Errorf("%w: no %s %q", ErrNotFound, index, key)
	}
	return string(v), nil
}

// ClaimKey stages key in index as belonging to id. Claiming a key id
// already holds is a no-op; a key held by another id is ErrDuplicate.
func (tx *Tx) ClaimKey(index, key, id string) error {
	if err := checkName("index", index); err != nil {
		return err
	}
	if v := tx.get(bucketKeys, index, []byte(key)); v != nil {
		if string(v) == id {
			return nil
		}
		return fmt.Errorf("%w: %s %q is already in use", ErrDuplicate, index, key)
	}
	return tx.stage(stagedWrite{top: bucketKeys, sub: index, key: []byte(key), value: []byte(id)})
}

// ReleaseKey stages the removal of key from index.
func (tx *Tx) ReleaseKey(index, key string) error {
	return tx.stage(stagedWrite{top: bucketKeys, sub: index, key: []byte(key)})
}

// NextNumber hands out the next number of the named sequence (1, 2, ...).
// The number is committed with the rest of the Write, so a number is never
// handed out twice, even across a crash.
func (tx *Tx) NextNumber(name string) (uint64, error) {
	if err := checkName("sequence", name); err != nil {
		return 0, err
	}
	var n uint64
	if v := tx.get(bucketNumbers, "", []byte(name)); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	return n, tx.stage(stagedWrite{top: bucketNumbers, key: []byte(name), value: binary.BigEndian.AppendUint64(nil, n)})
}

// UseNumber records that number n of the named sequence, handed out by
// Store.Reserve, is used by this write. Reserve has already set it aside
// durably; this keeps the sequence right should the block be lost.
func (tx *Tx) UseNumber(name string, n uint64) error {
	if err := checkName("sequence", name); err != nil {
		return err
	}
	if tx.used == nil {
		tx.used = map[string]uint64{}
	}
	tx.used[name] = max(tx.used[name], n)
	if tx.CurrentNumber(name) >= n {
		return nil
	}
	return tx.stage(stagedWrite{top: bucketNumbers, key: []byte(name), value: binary.BigEndian.AppendUint64(nil, n)})
}

// CurrentNumber returns the last number handed out by the named sequence.
func (tx *Tx) CurrentNumber(name string) uint64 {
	if v := tx.get(bucketNumbers, "", []byte(name)); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// Append stages an event. Seq, Prev and Hash are assigned at commit; Time
// is stamped with the store's clock when zero, and Version defaults to 1.
// Modules write events with Emit or EmitRaw, which take a declared
// EventType; Append is for copying events that exist already.
func (tx *Tx) Append(ev Event) error {
	if !tx.writable {
		return ErrReadOnly
	}
	if ev.Type == "" || ev.Entity == "" || ev.ID == "" {
		return fmt.Errorf("store: an event needs a type, an entity and an id (got %q %q %q)", ev.Type, ev.Entity, ev.ID)
	}
	if ev.Time.IsZero() {
		ev.Time = tx.store.opts.Now()
	}
	ev.Time = ev.Time.UTC()
	if ev.Version == 0 {
		ev.Version = 1
	}
	ev.Data = bytes.Clone(ev.Data)
	tx.events = append(tx.events, ev)
	return nil
}

// Emit stages an event of type t whose data is v encoded as JSON.
func (tx *Tx) Emit(actor string, t EventType, entity, id string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encoding %s event: %w", t.Name, err)
	}
	return tx.EmitRaw(actor, t, entity, id, raw)
}

// EmitRaw stages an event of type t whose data is raw, JSON already
// encoded (outside the committer, where encoding costs nothing to others).
func (tx *Tx) EmitRaw(actor string, t EventType, entity, id string, raw []byte) error {
	if t.Version == 0 {
		return fmt.Errorf("store: event type %q has no version; declare it with Version 1", t.Name)
	}
	return tx.Append(Event{Actor: actor, Type: t.Name, Version: t.Version, Entity: entity, ID: id, Data: raw})
}

// PutBlob stages content-addressed bytes and returns their hex SHA-256.
// Storing the same bytes twice keeps one copy.
func (tx *Tx) PutBlob(data []byte) (string, error) {
	if !tx.writable {
		return "", ErrReadOnly
	}
	if len(data) > tx.store.opts.MaxBlobSize {
		return "", fmt.Errorf("%w: %d bytes is over the %d byte limit", ErrTooLarge, len(data), tx.store.opts.MaxBlobSize)
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	return key, tx.stage(stagedWrite{top: bucketBlobs, key: []byte(key), value: bytes.Clone(data), ifNone: true})
}

// SumBlob returns the content address PutSummedBlob wants: the hex SHA-256
// of data. Callers compute it before Write, away from the committer.
func SumBlob(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// PutSummedBlob is PutBlob for bytes whose SumBlob the caller has computed.
// data must not change afterwards.
func (tx *Tx) PutSummedBlob(sum string, data []byte) error {
	if !tx.writable {
		return ErrReadOnly
	}
	if len(data) > tx.store.opts.MaxBlobSize {
		return fmt.Errorf("%w: %d bytes is over the %d byte limit", ErrTooLarge, len(data), tx.store.opts.MaxBlobSize)
	}
	if len(sum) != 64 {
		return fmt.Errorf("store: blob sum %q is not a hex SHA-256", sum)
	}
	return tx.stage(stagedWrite{top: bucketBlobs, key: []byte(sum), value: data, ifNone: true})
}

// Blob returns a copy of the blob with hex SHA-256 sum.
func (tx *Tx) Blob(sum string) ([]byte, error) {
	v := tx.get(bucketBlobs, "", []byte(sum))
	if tx.rerr != nil {
		return nil, tx.rerr
	}
	if v == nil {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, sum)
	}
	return bytes.Clone(v), nil
}

// apply writes the staged changes into the bbolt transaction.
func (tx *Tx) apply() error {
	for _, w := range tx.writes {
		b := tx.btx.Bucket(w.top)
		if w.sub != "" {
			var err error
			if w.value == nil {
				if b = b.Bucket([]byte(w.sub)); b == nil {
					continue
				}
			} else if b, err = b.CreateBucketIfNotExists([]byte(w.sub)); err != nil {
				return err
			}
		}
		switch {
		case w.value == nil:
			if err := b.Delete(w.key); err != nil {
				return err
			}
		case w.ifNone && b.Get(w.key) != nil:
		default:
			if w.sub != "" && tx.tails != nil {
				tx.tails.put(b, w.key)
			}
			if err := b.Put(w.key, w.value); err != nil {
				return err
			}
		}
	}
	return nil
}

// tails keeps, for each document or index bucket a commit writes to, the
// bucket's last key before the commit and whether every key the commit
// puts there comes after it. Such a bucket only grows at its end (files,
// demands and entries numbered in order, an index by date), and its pages
// are filled instead of split in half: bbolt's default leaves each page
// it splits half empty, a demand's page three of 0.6 KB where six fit.
type tails map[*bolt.Bucket]*tail

type tail struct {
	last      []byte // nil for an empty bucket
	appending bool
}

func (t tails) put(b *bolt.Bucket, key []byte) {
	tl := t[b]
	if tl == nil {
		last, _ := b.Cursor().Last()
		tl = &tail{last: bytes.Clone(last), appending: true}
		t[b] = tl
	}
	if tl.appending && tl.last != nil && bytes.Compare(key, tl.last) <= 0 {
		tl.appending = false
	}
	if tl.appending {
		b.FillPercent = 1.0
	} else {
		b.FillPercent = bolt.DefaultFillPercent
	}
}
