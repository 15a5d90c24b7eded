package workflow

import (
	"errors"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// ErrNotDeemed says Deem found the file no longer waiting on the office
// (decided, returned or deemed already): nothing was written.
var ErrNotDeemed = errors.New("workflow: the file is not waiting on the office")

// Deeming is what a module decided when the law grants a file that the
// office did not decide in time (a deemed licence under s.447(6) of the
// Kerala Municipality Act): whose desk held it, why, and the module's part
// of the write (the register entry and the document issued).
type Deeming struct {
	// Officer is the officer whose desk held the file when its time ran
	// out: the person it was forwarded to, or the last to act at its desk;
	// Role is that desk.
	OfficerID, OfficerName string
	Role                   domain.Role
	// Note says why, in the file's history.
	Note string
	// Still re-checks, inside the write, that the file as it is then is
	// still due to be deemed (its clock may have stopped meanwhile).
	Still func(f File) bool
	// Apply writes the module's records and sets File.Issued.
	Apply Apply
	// Message tells the applicant.
	Message domain.Text
}

// Deem decides and issues a file by the system, in one write, when the
// office did not decide it within the time the law gives: the file is
// closed as issued with a "deemed" action naming the desk that held it,
// the module's Apply records what was granted, and the applicant is told.
// A file that is not in progress on an office desk, or that d.Still
// refuses, is left as it is and ErrNotDeemed returned, so running Deem
// twice issues once.
func (w *Workflow) Deem(id string, d Deeming, now time.Time) (File, error) {
	var out File
	_, err := w.Store.Write(func(tx *store.Tx) error {
		f, err := getFile(tx, id)
		if err != nil {
			return err
		}
		if f.Status != StatusInProgress || (d.Still != nil && !d.Still(f)) {
			return ErrNotDeemed
		}
		old := f
		f.History = append([]Action(nil), f.History...)
		f.Status, f.Decided, f.AssignedTo, f.EscalatedTo = StatusIssued, now, "", ""
		act := Action{At: now, Kind: KindDeemed, ActorID: domain.System.ID, ActorName: domain.System.Name, Role: d.Role,
			ToUser: d.OfficerID, Note: d.Note}
		if d.Apply != nil {
			if err := d.Apply(tx, &f); err != nil {
				return err
			}
		}
		f.History = append(f.History, act)
		if err := w.save(tx, &old, &f, domain.System, KindDeemed, map[string]any{"action": act, "officer": d.OfficerName, "desk": d.Role}); err != nil {
			return err
		}
		if f.Applicant.UserID != "" {
			subject := domain.T("Deemed granted: "+f.Number, "അനുവദിച്ചതായി കണക്കാക്കി: "+f.Number)
			if _, err := messaging.Queue(tx, now, messaging.Message{To: f.Applicant.UserID, Kind: messaging.KindFileDecided,
				Link: "/applications/" + f.ID, Subject: subject, Body: d.Message}); err != nil {
				return err
			}
		}
		out = f
		return nil
	})
	return out, err
}

// DeemedServices lists the services whose Right to Service notification
// says the law grants an application the office did not decide in time
// (rts.deemed in the catalogue, with its legal basis). Deem is the one
// way such a file is granted; the module that serves the service decides
// what is entered and issued.
func (w *Workflow) DeemedServices() []string {
	var out []string
	for _, svc := range w.Catalogue.All() {
		if svc.RTS().Deemed {
			out = append(out, svc.Code)
		}
	}
	return out
}

// InProgress lists the files of these services that are on an office
// desk (not with their applicant, not decided), by due date: what a job
// watching a service's clock reads.
func (w *Workflow) InProgress(services ...string) ([]File, error) {
	want := map[string]bool{}
	for _, s := range services {
		want[s] = true
	}
	var ids []string
	err := w.current(func(v *deskView) error {
		for _, e := range v.onDesk("open") {
			if want[e.Service] {
				ids = append(ids, e.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []File
	err = w.Store.View(func(tx *store.Tx) error {
		for _, id := range ids {
			f, err := getFile(tx, id)
			if err != nil {
				return err
			}
			out = append(out, f)
		}
		return nil
	})
	return out, err
}
