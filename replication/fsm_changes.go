package replication

import (
	"bytes"

	bolt "go.etcd.io/bbolt"

	"ksmart/store"
)

// ReadChange returns the one record at offset at (store.Change.At) of the
// change set shipped with a body's event seq, copied, without copying the
// rest of the change set: a reader that knows where a document was
// written (the state index) reads it back from a large write. ok is false
// when the state holds no change set for that event.
func (f *FSM) ReadChange(code string, seq uint64, at int) (c store.Change, ok bool, err error) {
	err = f.view(func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketChanges).Bucket([]byte(code))
		if cb == nil {
			return nil
		}
		cs := cb.Get(seqKey(seq))
		if cs == nil {
			return nil
		}
		if c, err = store.ChangeAt(cs, at); err != nil {
			return err
		}
		c.Key, c.Value, ok = bytes.Clone(c.Key), bytes.Clone(c.Value), true
		return nil
	})
	return c, ok, err
}
