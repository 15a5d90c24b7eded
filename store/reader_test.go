package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"testing"

	"ksmart/store"
	"ksmart/store/storetest"
)

// mapReader keeps what change sets write, as a keeper outside a store
// would, for ViewReader.
type mapReader struct {
	vals map[string][]byte // part ‖ sub ‖ 0 ‖ key
	fail error
}

func rkey(p store.Part, sub string, key []byte) string {
	return string(append(append([]byte{byte(p)}, sub...), 0)) + string(key)
}

func (r *mapReader) apply(cs []byte) error {
	return store.EachChange(cs, func(c store.Change) error {
		k := rkey(c.Part, c.Sub, c.Key)
		switch c.Op {
		case store.ChangePut, store.ChangePutIfNone, store.ChangeNumberAtLeast:
			r.vals[k] = bytes.Clone(c.Value)
		case store.ChangeDelete:
			delete(r.vals, k)
		}
		return nil
	})
}

func (r *mapReader) Get(p store.Part, sub string, key []byte) ([]byte, error) {
	if r.fail != nil {
		return nil, r.fail
	}
	return r.vals[rkey(p, sub, key)], nil
}

func (r *mapReader) Cursor(p store.Part, sub string) store.Cursor {
	prefix := rkey(p, sub, nil)
	c := &sliceCursor{i: -1}
	for k, v := range r.vals {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			c.keys, c.vals = append(c.keys, []byte(k[len(prefix):])), append(c.vals, v)
		}
	}
	sort.Sort(c)
	return c
}

func (r *mapReader) Err() error { return nil }

type sliceCursor struct {
	keys, vals [][]byte
	i          int
}

func (c *sliceCursor) Len() int           { return len(c.keys) }
func (c *sliceCursor) Less(i, j int) bool { return bytes.Compare(c.keys[i], c.keys[j]) < 0 }
func (c *sliceCursor) Swap(i, j int) {
	c.keys[i], c.keys[j] = c.keys[j], c.keys[i]
	c.vals[i], c.vals[j] = c.vals[j], c.vals[i]
}
func (c *sliceCursor) at() ([]byte, []byte) {
	if c.i < 0 || c.i >= len(c.keys) {
		return nil, nil
	}
	return c.keys[c.i], c.vals[c.i]
}
func (c *sliceCursor) First() ([]byte, []byte) { c.i = 0; return c.at() }
func (c *sliceCursor) Last() ([]byte, []byte)  { c.i = len(c.keys) - 1; return c.at() }
func (c *sliceCursor) Next() ([]byte, []byte)  { c.i++; return c.at() }
func (c *sliceCursor) Prev() ([]byte, []byte)  { c.i--; return c.at() }
func (c *sliceCursor) Seek(s []byte) ([]byte, []byte) {
	c.i = sort.Search(len(c.keys), func(i int) bool { return bytes.Compare(c.keys[i], s) >= 0 })
	return c.at()
}

var evNoted = store.EventType{Name: "test.noted", Version: 1}

func TestViewReader_ATxOverChangeSetsReadsWhatTheStoreReads(t *testing.T) {
	st := storetest.Open(t)
	for i := range 3 {
		_, err := st.Write(func(tx *store.Tx) error {
			for j := range 4 {
				id := fmt.Sprintf("n%d-%d", i, j)
				if err := tx.Put("note", id, map[string]int{"i": i, "j": j}); err != nil {
					return err
				}
				if err := tx.ClaimKey("note_number", "N-"+id, id); err != nil {
					return err
				}
			}
			if i == 2 {
				if err := tx.Delete("note", "n0-1"); err != nil {
					return err
				}
			}
			if _, err := tx.NextNumber("notes"); err != nil {
				return err
			}
			return tx.Emit("clerk", evNoted, "note", fmt.Sprint(i), nil)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	evs, changes, err := st.ReadReplica(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := &mapReader{vals: map[string][]byte{}}
	for i := range evs {
		if err := r.apply(changes[i]); err != nil {
			t.Fatal(err)
		}
		// Each record reads alone from its offset.
		store.EachChange(changes[i], func(c store.Change) error {
			one, err := store.ChangeAt(changes[i], c.At)
			if err != nil || !bytes.Equal(one.Key, c.Key) || !bytes.Equal(one.Value, c.Value) || one.Op != c.Op {
				t.Errorf("the record at %d reads as %+v (%v), not %+v", c.At, one, err, c)
			}
			return nil
		})
	}
	read := func(tx *store.Tx) (string, error) {
		var ids []string
		err := tx.Scan("note", store.ScanOptions{Prefix: "n1-", Reverse: true}, func(id string, raw []byte) error {
			ids = append(ids, id+"="+string(raw))
			return nil
		})
		if err != nil {
			return "", err
		}
		id, err := tx.Lookup("note_number", "N-n2-3")
		return fmt.Sprint(ids, id, tx.Count("note"), tx.Exists("note", "n0-1"), tx.CurrentNumber("notes")), err
	}
	var want, got string
	if err := st.View(func(tx *store.Tx) (err error) { want, err = read(tx); return err }); err != nil {
		t.Fatal(err)
	}
	if err := store.ViewReader(r, func(tx *store.Tx) (err error) { got, err = read(tx); return err }); err != nil {
		t.Fatal(err)
	}
	if got != want || want == "" {
		t.Errorf("over the change sets a Tx reads\n%s\nand the store's\n%s", got, want)
	}

	// A read that fails ends the view with its failure, even when fn takes
	// the missing answer for "not found".
	r.fail = errors.New("the disk is gone")
	err = store.ViewReader(r, func(tx *store.Tx) error {
		if err := tx.Get("note", "n1-1", &struct{}{}); errors.Is(err, store.ErrNotFound) {
			return nil
		}
		tx.Exists("note", "n1-2")
		return nil
	})
	if err == nil || !errors.Is(err, r.fail) {
		t.Errorf("a failing reader's view answered %v", err)
	}
	if err := store.ViewReader(r, func(tx *store.Tx) error { return tx.Put("note", "x", 1) }); !errors.Is(err, r.fail) && !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("a write in a reader's view answered %v", err)
	}
}
