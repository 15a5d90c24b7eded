package appliance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/replication"
	"ksmart/store"
)

// Curing a fork.
//
// A data directory restored from an old backup writes new events under
// numbers the state already holds for the events the lost server wrote:
// the logs fork, and the shipper stops. CureFork mends it without losing
// either side's work where they do not collide:
//
//  1. it keeps the forked tail — this directory's events from the first
//     one that differs from the state's, each write with its change set;
//  2. it rebuilds the directory from the state's copy (RestoreFromState),
//     into a new directory beside it, with this directory's keys/;
//  3. for each forked write, in order, whose documents, unique keys and
//     numbers the state's log did not also write after the divergence, it
//     writes the same change set again as a new write: the original events
//     again, then EventForkReapplied naming their original sequences and
//     types, all bound in the chain;
//  4. the others — a document or key the state's log also wrote, a number
//     the state's log also handed out, the seal's private key, or a write
//     that touches what an earlier conflicting one wrote — are not written
//     but listed, with what each would have stored, for an officer;
//  5. EventForkCured records the cure in the log (so the state sees it),
//     the report is kept as JSON under fork-reports/ in the new directory,
//     and the forked directory is kept beside it, renamed, untouched.
//
// The office must be stopped: CureFork takes the store's lock and refuses
// a directory in use.

// entityFork is the entity of the cure's events; no document is kept under it.
const entityFork = "fork"

// ForkReportsDir is the folder of a data directory that holds the report
// of each cure, fork-at-N.json.
const ForkReportsDir = "fork-reports"

// ForkReapplied is EventForkReapplied's data.
type ForkReapplied struct {
	ForkedAt      uint64   `json:"forked_at"`
	OriginalSeqs  []uint64 `json:"original_seqs"`
	OriginalTypes []string `json:"original_types"`
}

// ForkCureSummary is EventForkCured's data.
type ForkCureSummary struct {
	ForkedAt    uint64              `json:"forked_at"`
	StateHead   uint64              `json:"state_head"`
	ForkedHead  uint64              `json:"forked_head"`
	Reapplied   []ForkCureWriteNote `json:"reapplied"`
	Conflicting []ForkCureWriteNote `json:"conflicting"`
}

// ForkCureWriteNote names one forked write in the log's record of a cure.
type ForkCureWriteNote struct {
	Seqs   []uint64 `json:"seqs"`
	Types  []string `json:"types"`
	NewSeq uint64   `json:"new_seq,omitempty"`
}

// ForkedWrite is one write of the forked tail and what became of it.
type ForkedWrite struct {
	Seqs   []uint64  `json:"seqs"`  // its events in the forked log
	Types  []string  `json:"types"` // their types
	Actor  string    `json:"actor"`
	Time   time.Time `json:"time"`
	Entity string    `json:"entity"` // of its last event
	ID     string    `json:"id"`
	// NewSeq is, for a reapplied write, its EventForkReapplied in the cured log.
	NewSeq uint64 `json:"new_seq,omitempty"`
	// Conflicts say, for a write not reapplied, why, one line each.
	Conflicts []string `json:"conflicts,omitempty"`
	// Changes are, for a write not reapplied, what it would have stored.
	Changes []ForkedChange `json:"changes,omitempty"`
}

// ForkedChange is one thing a conflicting write would have stored.
type ForkedChange struct {
	Kind   string          `json:"kind"` // state, keys, numbers or blobs
	Sub    string          `json:"sub,omitempty"`
	Key    string          `json:"key"`
	Delete bool            `json:"delete,omitempty"`
	Number uint64          `json:"number,omitempty"`
	JSON   json.RawMessage `json:"json,omitempty"`  // a document as it was written
	Text   string          `json:"text,omitempty"`  // a key's document id
	Bytes  int             `json:"bytes,omitempty"` // a blob's size
}

// ForkCure is what CureFork did: the report kept under fork-reports/.
type ForkCure struct {
	LocalBody  string    `json:"local_body"`
	At         time.Time `json:"at"`
	ForkedAt   uint64    `json:"forked_at"`   // the first event where the logs differ
	StateHead  uint64    `json:"state_head"`  // the state's last event, restored
	ForkedHead uint64    `json:"forked_head"` // the forked directory's last event
	LastSeq    uint64    `json:"last_seq"`    // the cured log's last event
	// Reapplied are the forked writes written again; Conflicting those
	// listed for an officer.
	Reapplied   []ForkedWrite `json:"reapplied"`
	Conflicting []ForkedWrite `json:"conflicting"`
	// KeptAt is where the forked data directory now is; Report the path
	// of this report.
	KeptAt string `json:"kept_at"`
	Report string `json:"report"`
}

// CureForkConfig says which data directory to cure, from which state.
// RestoreStateConfig.Dir is the forked data directory; LocalBody may be
// left empty (it is read from the directory).
type CureForkConfig struct {
	RestoreStateConfig
	Now func() time.Time
}

// ErrNoFork is returned by CureFork for a directory whose log continues
// the state's: there is nothing to cure (the shipper ships it as it is).
var ErrNoFork = errors.New("no fork")

// CureFork cures a forked data directory (see above). When it fails, the
// forked directory is as it was.
func CureFork(ctx context.Context, c CureForkConfig) (ForkCure, error) {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	var res ForkCure
	dir := c.Dir
	old, err := store.Open(dir, store.Options{Replica: true, LockTimeout: time.Second})
	if errors.Is(err, store.ErrLocked) {
		return res, fmt.Errorf("%s is in use: stop ksmart serve first (the cure rebuilds the data directory)", dir)
	}
	if err != nil {
		return res, err
	}
	defer func() {
		if old != nil {
			old.Close()
		}
	}()
	var lb domain.LocalBody
	if err := old.View(func(tx *store.Tx) (err error) { lb, err = LocalBodyIn(tx); return err }); err != nil {
		return res, fmt.Errorf("%s holds no local body: %w", dir, err)
	}
	if c.LocalBody == "" {
		c.LocalBody = lb.Code
	}
	if c.LocalBody != lb.Code {
		return res, fmt.Errorf("%s is local body %s's data directory, not %s's", dir, lb.Code, c.LocalBody)
	}
	res.LocalBody = lb.Code

	cl, err := stateClient(c.RestoreStateConfig)
	if err != nil {
		return res, err
	}
	defer cl.Close()
	hctx, cancel := context.WithTimeout(ctx, restoreHeadTimeout)
	head, err := cl.Head(hctx)
	cancel()
	if err != nil {
		return res, fmt.Errorf("asking the state for %s's log: %w", lb.Code, err)
	}
	local := old.LastSeq()
	at, err := forkPoint(ctx, cl, old, head, local)
	if err != nil {
		return res, err
	}
	res.ForkedAt, res.StateHead, res.ForkedHead = at, head.LastSeq, local

	// 1. The forked tail, write by write.
	writes, changes, err := forkedWrites(old, at)
	if err != nil {
		return res, err
	}
	if err := old.Close(); err != nil {
		return res, err
	}
	old = nil

	// 2. The state's copy, beside the forked directory, with its keys.
	abs, err := filepath.Abs(dir)
	if err != nil {
		return res, err
	}
	tmp := abs + ".cure"
	if _, err := os.Stat(tmp); err == nil {
		return res, fmt.Errorf("%s is there from a cure cut short: remove it, then run the cure again", tmp)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := copyDir(filepath.Join(abs, "keys"), filepath.Join(tmp, "keys")); err != nil {
		return res, fmt.Errorf("copying keys/ beside: %w", err)
	}
	rc := c.RestoreStateConfig
	rc.Dir, rc.LocalBody = tmp, lb.Code
	if _, err := RestoreFromState(ctx, rc); err != nil {
		return res, err
	}

	// 3 and 4. Reapply what does not conflict; list the rest.
	st, err := store.Open(tmp, store.Options{Now: now, LocalEntities: localEntities})
	if err != nil {
		return res, err
	}
	stateTouched, stateNumbers, err := touchedAfter(st, at)
	if err != nil {
		st.Close()
		return res, err
	}
	conflicted := map[string]uint64{} // what conflicting forked writes touched → the write's first seq
	summary := ForkCureSummary{ForkedAt: at, StateHead: head.LastSeq, ForkedHead: local}
	for i := range writes {
		w := &writes[i]
		w.Conflicts = conflictsOf(changes[i], stateTouched, stateNumbers, conflicted)
		if len(w.Conflicts) > 0 {
			w.Changes = describeChanges(changes[i])
			for _, k := range touchKeys(changes[i]) {
				conflicted[k] = w.Seqs[0]
			}
			res.Conflicting = append(res.Conflicting, *w)
			summary.Conflicting = append(summary.Conflicting, ForkCureWriteNote{Seqs: w.Seqs, Types: w.Types})
			continue
		}
		evs, err := st.Write(func(tx *store.Tx) error {
			if len(changes[i].cs) > 0 {
				if err := tx.Replay(changes[i].cs); err != nil {
					return err
				}
			}
			for _, ev := range changes[i].events {
				if err := tx.Append(store.Event{Time: ev.Time, Actor: ev.Actor, Type: ev.Type, Version: ev.Version, Entity: ev.Entity, ID: ev.ID, Data: ev.Data}); err != nil {
					return err
				}
			}
			return tx.Emit(domain.System.ID, EventForkReapplied, entityFork, fmt.Sprint(at), ForkReapplied{ForkedAt: at, OriginalSeqs: w.Seqs, OriginalTypes: w.Types})
		})
		if err != nil {
			st.Close()
			return res, fmt.Errorf("reapplying the forked write of event %d: %w", w.Seqs[len(w.Seqs)-1], err)
		}
		w.NewSeq = evs[len(evs)-1].Seq
		res.Reapplied = append(res.Reapplied, *w)
		summary.Reapplied = append(summary.Reapplied, ForkCureWriteNote{Seqs: w.Seqs, Types: w.Types, NewSeq: w.NewSeq})
	}

	// 5. The record of the cure, the report, and the swap.
	if _, err := st.Write(func(tx *store.Tx) error {
		return tx.Emit(domain.System.ID, EventForkCured, entityFork, fmt.Sprint(at), summary)
	}); err != nil {
		st.Close()
		return res, err
	}
	res.LastSeq = st.LastSeq()
	if err := st.Close(); err != nil {
		return res, err
	}
	if _, err := store.CheckFile(filepath.Join(tmp, store.DBFile)); err != nil {
		return res, fmt.Errorf("the cured store fails its check (%w); nothing was changed", err)
	}
	res.At = now().UTC()
	res.KeptAt = fmt.Sprintf("%s.forked-at-%d-%s", abs, at, res.At.Format("20060102-150405"))
	res.Report = filepath.Join(abs, ForkReportsDir, fmt.Sprintf("fork-at-%d.json", at))
	raw, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return res, err
	}
	if err := os.MkdirAll(filepath.Join(tmp, ForkReportsDir), 0o750); err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ForkReportsDir, filepath.Base(res.Report)), raw, 0o640); err != nil {
		return res, err
	}
	// Earlier cures' reports stay with the data directory.
	if prev, err := os.ReadDir(filepath.Join(abs, ForkReportsDir)); err == nil {
		for _, e := range prev {
			if _, err := os.Stat(filepath.Join(tmp, ForkReportsDir, e.Name())); errors.Is(err, os.ErrNotExist) {
				copyFile(filepath.Join(abs, ForkReportsDir, e.Name()), filepath.Join(tmp, ForkReportsDir, e.Name()))
			}
		}
	}
	if err := os.Rename(abs, res.KeptAt); err != nil {
		return res, fmt.Errorf("moving the forked directory aside: %w (the cured one is complete at %s)", err, tmp)
	}
	if err := os.Rename(tmp, abs); err != nil {
		if rerr := os.Rename(res.KeptAt, abs); rerr != nil {
			return res, fmt.Errorf("moving the cured directory into place: %w; the forked one is at %s and the cured one at %s: move the cured one to %s by hand", err, res.KeptAt, tmp, abs)
		}
		return res, fmt.Errorf("moving the cured directory into place: %w; nothing was changed", err)
	}
	done = true
	syncPath(filepath.Dir(abs))
	return res, nil
}

// forkPoint finds the first event where the local log and the state's
// differ (each hash covers every event before it, so a binary search on
// hashes), or local+1 when the local log is a part of the state's. A local
// log that continues the state's is ErrNoFork.
func forkPoint(ctx context.Context, cl *replication.Client, st *store.Store, head replication.BodyInfo, local uint64) (uint64, error) {
	same := func(seq uint64) (bool, error) {
		if seq == 0 {
			return true, nil
		}
		rctx, cancel := context.WithTimeout(ctx, restoreHeadTimeout)
		theirs, err := cl.ReadLog(rctx, seq, 1)
		cancel()
		if err != nil {
			return false, fmt.Errorf("reading the state's event %d: %w", seq, err)
		}
		mine, err := st.Event(seq)
		if err != nil {
			return false, err
		}
		return len(theirs) == 1 && bytes.Equal(theirs[0].Hash, mine.Hash), nil
	}
	common := min(local, head.LastSeq)
	ok, err := same(common)
	if err != nil {
		return 0, err
	}
	if ok {
		if local >= head.LastSeq {
			return 0, fmt.Errorf("%w: this data directory's log continues the state's (event %d is the same on both); nothing to cure: ksmart serve ships it", ErrNoFork, common)
		}
		return local + 1, nil
	}
	lo, hi := uint64(1), common // the answer is in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		if ok, err := same(mid); err != nil {
			return 0, err
		} else if ok {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// forkedTail is one forked write's events and change set.
type forkedTail struct {
	events []store.Event
	cs     []byte
}

// forkedWrites reads the events from at on, grouped into writes: a write
// ends with the event that binds its change set (events of writes that
// stored nothing go with the next one; alone at the end, they are one).
func forkedWrites(st *store.Store, at uint64) ([]ForkedWrite, []forkedTail, error) {
	var writes []ForkedWrite
	var tails []forkedTail
	var cur forkedTail
	flush := func() {
		if len(cur.events) == 0 {
			return
		}
		last := cur.events[len(cur.events)-1]
		w := ForkedWrite{Actor: last.Actor, Time: last.Time, Entity: last.Entity, ID: last.ID}
		for _, ev := range cur.events {
			w.Seqs, w.Types = append(w.Seqs, ev.Seq), append(w.Types, ev.Type)
		}
		writes, tails = append(writes, w), append(tails, cur)
		cur = forkedTail{}
	}
	for from := at; ; {
		evs, changes, err := st.ReadReplica(from, 10_000)
		if err != nil {
			return nil, nil, err
		}
		if len(evs) == 0 {
			break
		}
		for i, ev := range evs {
			cur.events = append(cur.events, ev)
			if len(changes[i]) > 0 {
				cur.cs = changes[i]
				flush()
			}
		}
		from = evs[len(evs)-1].Seq + 1
	}
	flush()
	return writes, tails, nil
}

// touchKey names a document or unique key a change touches; "" for what
// cannot collide (blobs: the same key is the same bytes) and numbers.
func touchKey(c store.Change) string {
	switch c.Part {
	case store.PartDocuments, store.PartKeys:
		return c.Part.String() + "/" + c.Sub + "/" + string(c.Key)
	}
	return ""
}

func touchKeys(t forkedTail) []string {
	var out []string
	store.EachChange(t.cs, func(c store.Change) error {
		if k := touchKey(c); k != "" {
			out = append(out, k)
		}
		return nil
	})
	return out
}

// stateTouch is the state's event that wrote something after the fork;
// for a number sequence, seq is the highest number it handed out and typ
// says by which event.
type stateTouch struct {
	seq uint64
	typ string
}

// touchedAfter reads what the restored log wrote from at on: each
// document and key with the last event that wrote it, and each number
// sequence with the highest number it handed out.
func touchedAfter(st *store.Store, at uint64) (map[string]stateTouch, map[string]stateTouch, error) {
	touched, numbers := map[string]stateTouch{}, map[string]stateTouch{}
	for from := at; ; {
		evs, changes, err := st.ReadReplica(from, 10_000)
		if err != nil {
			return nil, nil, err
		}
		if len(evs) == 0 {
			return touched, numbers, nil
		}
		for i, ev := range evs {
			err := store.EachChange(changes[i], func(c store.Change) error {
				t := stateTouch{ev.Seq, ev.Type}
				if c.Part == store.PartNumbers {
					if n := c.Number(); n >= numbers[string(c.Key)].seq {
						numbers[string(c.Key)] = stateTouch{n, fmt.Sprintf("%s (event %d)", ev.Type, ev.Seq)}
					}
				} else if k := touchKey(c); k != "" {
					touched[k] = t
				}
				return nil
			})
			if err != nil {
				return nil, nil, err
			}
		}
		from = evs[len(evs)-1].Seq + 1
	}
}

// conflictsOf says why a forked write cannot be written again; none when
// it can. Numbers handed out twice come first, then unique keys, then
// documents: the first lines say what an officer must settle.
func conflictsOf(t forkedTail, stateTouched, stateNumbers map[string]stateTouch, conflicted map[string]uint64) []string {
	var lists [3][]string
	seen := map[string]bool{}
	add := func(i int, s string) {
		if !seen[s] {
			seen[s] = true
			lists[i] = append(lists[i], s)
		}
	}
	store.EachChange(t.cs, func(c store.Change) error {
		switch {
		case c.Op == store.ChangeDigest:
			add(0, "it changed the seal's private key, which only this office held: make a new seal key instead")
		case c.Part == store.PartNumbers:
			if n, ok := stateNumbers[string(c.Key)]; ok && c.Number() <= n.seq {
				add(0, fmt.Sprintf("it used number %d of %s, and the state's log handed out up to %d of it (%s)", c.Number(), c.Key, n.seq, n.typ))
			}
		default:
			k := touchKey(c)
			if k == "" {
				return nil
			}
			what, i := "document "+c.Sub+" "+string(c.Key), 2
			if c.Part == store.PartKeys {
				what, i = "key "+c.Sub+" "+string(c.Key), 1
			}
			if s, ok := stateTouched[k]; ok {
				add(i, fmt.Sprintf("%s was also written by the state's event %d (%s)", what, s.seq, s.typ))
			} else if seq, ok := conflicted[k]; ok {
				add(i, fmt.Sprintf("%s was written by the forked write of event %d, which is not reapplied", what, seq))
			}
		}
		return nil
	})
	return slices.Concat(lists[0], lists[1], lists[2])
}

// describeChanges is what a change set would have stored, for a person.
func describeChanges(t forkedTail) []ForkedChange {
	var out []ForkedChange
	store.EachChange(t.cs, func(c store.Change) error {
		d := ForkedChange{Kind: c.Part.String(), Sub: c.Sub, Key: string(c.Key), Delete: c.Op == store.ChangeDelete, Number: c.Number()}
		switch {
		case c.Op == store.ChangeDelete || c.Op == store.ChangeDigest || c.Part == store.PartNumbers:
		case c.Part == store.PartBlobs:
			d.Bytes = len(c.Value)
		case c.Part == store.PartDocuments && json.Valid(c.Value):
			d.JSON = bytes.Clone(c.Value)
		case utf8.Valid(c.Value):
			d.Text = string(c.Value)
		}
		out = append(out, d)
		return nil
	})
	return out
}

// ForkCureReports reads the reports of the cures a data directory went
// through, the latest first.
func ForkCureReports(dir string) ([]ForkCure, error) {
	entries, err := os.ReadDir(filepath.Join(dir, ForkReportsDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []ForkCure
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, ForkReportsDir, e.Name()))
		if err != nil {
			return nil, err
		}
		var r ForkCure
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// copyDir copies a directory's files (one level, as keys/ is); a missing
// source copies nothing.
func copyDir(from, to string) error {
	entries, err := os.ReadDir(from)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := copyFile(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
