package workflow

import (
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/store"
)

// Rules is what a module adds to the files of its services, where the law
// has rules a catalogue entry cannot say: fees by delay, checks against the
// module's registers, and the records and documents made when a file is
// approved or issued. The appliance puts each service's Rules in
// Workflow.Rules under the service's code (see package module).
type Rules interface {
	// Assess runs at submission, after the form is valid and before
	// anything is stored. It returns the fee and any documents required on
	// top of the service's own, or an error (EINVALID with field errors, or
	// EFORBIDDEN) that refuses the application.
	Assess(a Assessing) (Assessment, error)
	// Prepare runs before the write that approves (KindApproved) or issues
	// (KindIssued) a file, outside the store's committer, so slow work such
	// as rendering a certificate does not hold other writers back. The
	// Apply it returns (nil for nothing to do) runs inside that write, once
	// the actor's right to act is checked, with the file as it is then: it
	// may refuse (and nothing is stored), change the file, and write the
	// module's own records, documents and events. An issue that ends in a
	// document sets File.Issued.
	Prepare(p Preparing) (Apply, error)
}

// Watcher is Rules that keep a module's own records in step with its
// files (a licence marked as being renewed while its renewal file is
// open). FileChanged runs inside every write that changes one of the
// module's files, submission included (old nil), after the file's own
// change and event are staged; an error refuses the whole write.
type Watcher interface {
	FileChanged(tx *store.Tx, old, f *File, kind string) error
}

// Preparing is an approval or an issue as Prepare sees it.
type Preparing struct {
	Kind string // KindApproved or KindIssued
	File File   // as it was read before the write
	By   domain.Actor
	Now  time.Time
	// Note is the officer's note with the action (the decision's words).
	Note string
}

// Apply is a module's part of a write that approves or issues a file.
type Apply func(tx *store.Tx, f *File) error

// Assessing is an application as Assess sees it.
type Assessing struct {
	Service catalogue.Service
	Values  map[string]string // valid, normalised form values
	By      domain.Actor
	Channel string
	Now     time.Time
}

// Assessment is what a module decided about an application at submission.
type Assessment struct {
	Fee domain.Paise
	// FeeNote says why the fee is what it is, e.g. the delay band.
	FeeNote domain.Text
	// FeeHead, when set, is the account head the fee is income of, where
	// the application decides it (a miscellaneous payment's purpose).
	FeeHead string
	// Documents are required on top of the service's own, e.g. the District
	// Registrar's permission for a birth reported after 30 days.
	Documents []catalogue.DocumentRequirement
}

// IssuedDocument is the document a file ended in: a certificate, licence or
// permit, kept as a blob (whose name is its SHA-256).
type IssuedDocument struct {
	Kind   string      `json:"kind"`   // the catalogue's Issue kind
	Number string      `json:"number"` // the document's own number
	Title  domain.Text `json:"title"`
	Blob   string      `json:"blob"` // SHA-256 hex of the PDF
}

func (w *Workflow) rules(svc catalogue.Service) Rules {
	if w.Rules == nil {
		return nil
	}
	return w.Rules[svc.Code]
}

// Assess returns what the service's module decides of an application with
// these (valid) values: its fee and any documents it needs beyond the
// service's own. The demo uses it to attach what a late band asks for.
func (w *Workflow) Assess(by domain.Actor, svc catalogue.Service, values map[string]string, channel string, now time.Time) (Assessment, error) {
	as := Assessment{Fee: svc.Fee.Amount}
	if r := w.rules(svc); r != nil {
		var err error
		if as, err = r.Assess(Assessing{Service: svc, Values: values, By: by, Channel: channel, Now: now}); err != nil {
			return as, err
		}
	}
	waive(svc, values, &as)
	return as, nil
}

// waive applies the service's fee waiver when the values earn it: the law
// frees the applicant of the fee (an RTI request from below the poverty
// line, RTI Act s.7(5)) on the proof attached instead.
func waive(svc catalogue.Service, values map[string]string, as *Assessment) {
	if waiver, ok := svc.Fee.Waived(values); ok {
		as.Fee, as.FeeNote = 0, waiver.Basis
		as.Documents = append(as.Documents, catalogue.DocumentRequirement{Code: waiver.Proof, Name: waiver.Basis, Required: true})
	}
}
