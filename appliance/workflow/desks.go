package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// The desks (which open files each inbox holds) and each citizen's list of
// their own files are views derived from the files, not records of their
// own: the view here keeps them in memory by following the log, the way the
// search index does. Before, each was a document written in the action's
// own write — three more B-trees per application (two desk entries and the
// applicant's entry, ~1.8 KB, each twice with the change set) — and the
// applicant's entries, keyed by citizen, dirtied a page per application.
//
// The view is a store.DocView of the files: built at first use from the
// files as they stand, then, after every event on a file, the file is read
// as it is now and put on the desks it belongs to; every read first
// catches up with the log (read-your-writes), and a restarted process
// (after kill -9) rebuilds it from the files.
type deskView struct {
	docs  store.DocView
	desks map[string]map[string]DeskEntry // desk → file id → entry
	held  map[string][]string             // file id → the desks it is on
	mine  map[string][]string             // applicant's user id → file ids, ascending
}

// viewFile is what the view reads of a file: the fields of its desk entry
// and of the desks it belongs on, not its form or history.
type viewFile struct {
	ID          string      `json:"id"`
	Number      string      `json:"number"`
	Service     string      `json:"service"`
	ServiceName domain.Text `json:"service_name"`
	Applicant   Applicant   `json:"applicant"`
	Ward        int         `json:"ward,omitempty"`
	Status      string      `json:"status"`
	StepName    domain.Text `json:"step_name"`
	Role        domain.Role `json:"role"`
	AssignedTo  string      `json:"assigned_to,omitempty"`
	EscalatedTo domain.Role `json:"escalated_to,omitempty"`
	Submitted   time.Time   `json:"submitted"`
	Due         time.Time   `json:"due"`
}

// viewInit guards making a workflow's view at first use. It is not a
// field: the seeds copy a Workflow to give it another clock, and a copy
// made after the first use shares the view.
var viewInit sync.Mutex

// view returns the workflow's view, made at first use.
func (w *Workflow) view() *deskView {
	viewInit.Lock()
	defer viewInit.Unlock()
	if w.desks == nil {
		v := &deskView{}
		v.docs = store.DocView{Store: w.Store, Entity: entityFile,
			Affected: func(ev store.Event) []string {
				if ev.Entity == entityFile && ev.Type != EventViewed.Name {
					return []string{ev.ID}
				}
				return nil
			},
			Reset: func() {
				v.desks, v.held, v.mine = map[string]map[string]DeskEntry{}, map[string][]string{}, map[string][]string{}
			},
			Apply: func(id string, raw []byte) error {
				if raw == nil {
					v.remove(id)
					return nil
				}
				var f viewFile
				if err := json.Unmarshal(raw, &f); err != nil {
					return fmt.Errorf("file %s: %w", id, err)
				}
				v.apply(f.file())
				return nil
			}}
		w.desks = v
	}
	return w.desks
}

// current runs fn with the view caught up with the log as it stands now.
func (w *Workflow) current(fn func(v *deskView) error) error {
	v := w.view()
	return v.docs.Read(func() error { return fn(v) })
}

// FollowDesks keeps the desks and the citizens' lists caught up with the
// log until ctx ends (ctx.Err()), the store closes (store.ErrClosed) or a
// read fails, so that an inbox opened after a busy hour does not wait for
// the hour's events. It is a convenience: every read catches up by itself.
func (w *Workflow) FollowDesks(ctx context.Context) error {
	return w.view().docs.Follow(ctx)
}

// apply puts f on the desks it belongs on now, off those it has left, and
// in its applicant's list.
func (v *deskView) apply(f File) {
	v.remove(f.ID)
	desks := f.deskNames()
	if len(desks) > 0 {
		e := f.entry()
		for _, d := range desks {
			m := v.desks[d]
			if m == nil {
				m = map[string]DeskEntry{}
				v.desks[d] = m
			}
			m[f.ID] = e
		}
		v.held[f.ID] = desks
	}
	if u := f.Applicant.UserID; u != "" {
		ids := v.mine[u]
		if i, found := slices.BinarySearch(ids, f.ID); !found {
			v.mine[u] = slices.Insert(ids, i, f.ID)
		}
	}
}

// remove takes a file off every desk it is on.
func (v *deskView) remove(id string) {
	for _, d := range v.held[id] {
		delete(v.desks[d], id)
	}
	delete(v.held, id)
}

// onDesk returns the entries on a desk in the order an inbox shows them:
// by due date (to the second), then by file id — overdue first.
func (v *deskView) onDesk(desk string) []DeskEntry {
	m := v.desks[desk]
	out := make([]DeskEntry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b DeskEntry) int {
		if c := strings.Compare(dueKey(a.Due), dueKey(b.Due)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func (f viewFile) file() File {
	return File{ID: f.ID, Number: f.Number, Service: f.Service, ServiceName: f.ServiceName, Applicant: f.Applicant, Ward: f.Ward,
		Status: f.Status, StepName: f.StepName, Role: f.Role, AssignedTo: f.AssignedTo, EscalatedTo: f.EscalatedTo,
		Submitted: f.Submitted, Due: f.Due}
}
