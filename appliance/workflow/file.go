package workflow

import (
	"time"

	"ksmart/appliance/domain"
)

// Statuses of a file.
const (
	StatusInProgress = "in_progress" // on an office desk
	StatusReturned   = "returned"    // with the applicant for missing information
	StatusApproved   = "approved"    // decided in the applicant's favour; the document is being issued
	StatusRejected   = "rejected"    // decided against, with a reason
	StatusIssued     = "issued"      // done: the document or reply has been issued
)

// StatusName names a status for people.
func StatusName(s string) domain.Text {
	switch s {
	case StatusInProgress:
		return domain.T("In progress", "നടപടിയിൽ")
	case StatusReturned:
		return domain.T("Returned to applicant", "അപേക്ഷകന് തിരിച്ചയച്ചു")
	case StatusApproved:
		return domain.T("Approved", "അംഗീകരിച്ചു")
	case StatusRejected:
		return domain.T("Rejected", "നിരസിച്ചു")
	case StatusIssued:
		return domain.T("Issued", "നൽകി")
	}
	return domain.T(s, s)
}

// Channels through which an application arrives.
const (
	ChannelOnline  = "online"
	ChannelCounter = "counter"
)

// File is one application and everything that happened to it.
type File struct {
	ID          string            `json:"id"`     // internal, ordered by submission
	Number      string            `json:"number"` // KS/<local body>/<year>/<service>/<n>
	Service     string            `json:"service"`
	ServiceName domain.Text       `json:"service_name"`
	Module      string            `json:"module"`
	Applicant   Applicant         `json:"applicant"`
	Channel     string            `json:"channel"`
	Values      map[string]string `json:"values"`
	Documents   []Attachment      `json:"documents,omitempty"`
	Ward        int               `json:"ward,omitempty"`

	Status     string      `json:"status"`
	Step       int         `json:"step"` // index into the service's steps
	StepName   domain.Text `json:"step_name"`
	Role       domain.Role `json:"role"`                  // the role whose desk holds the file
	AssignedTo string      `json:"assigned_to,omitempty"` // a user, when forwarded to one
	// EscalatedTo is the role above, once the time limit has passed.
	EscalatedTo domain.Role `json:"escalated_to,omitempty"`
	Return      *Return     `json:"return,omitempty"` // the open return, while StatusReturned

	Submitted time.Time    `json:"submitted"`
	Due       time.Time    `json:"due"`
	Decided   time.Time    `json:"decided,omitzero"`
	Fee       domain.Paise `json:"fee"`
	FeeNote   domain.Text  `json:"fee_note,omitzero"`  // why the fee is what it is, e.g. a late band
	FeeHead   string       `json:"fee_head,omitempty"` // the account head, when the application decides it
	FeePaid   bool         `json:"fee_paid"`
	// Record is the register entry or record the file made or concerns,
	// e.g. a birth's register number, once its module has decided it.
	Record string `json:"record,omitempty"`
	// Issued is the document the file ended in, once issued.
	Issued  *IssuedDocument `json:"issued,omitempty"`
	Reason  string          `json:"reason,omitempty"` // of a rejection
	History []Action        `json:"history"`
}

// Applicant is who applied. UserID is empty for a walk-in applicant with
// no account.
type Applicant struct {
	UserID string      `json:"user_id,omitempty"`
	Name   domain.Text `json:"name"`
	Phone  string      `json:"phone,omitempty"`
	Email  string      `json:"email,omitempty"`
}

// Attachment is an uploaded document, kept as a content-addressed blob.
type Attachment struct {
	Field       string    `json:"field"` // the form field or document code, or "inspection_report"
	Name        string    `json:"name"`  // the file name as uploaded
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	Blob        string    `json:"blob"` // SHA-256 hex
	Uploaded    time.Time `json:"uploaded"`
	By          string    `json:"by"`
}

// Return is a request to the applicant for missing information.
type Return struct {
	Reason   string    `json:"reason"`
	Returned time.Time `json:"returned"`
	By       string    `json:"by"`
}

// Action is one entry of a file's history.
type Action struct {
	At        time.Time   `json:"at"`
	Kind      string      `json:"kind"`
	ActorID   string      `json:"actor_id"`
	ActorName string      `json:"actor_name,omitempty"`
	Role      domain.Role `json:"role,omitempty"` // the role the actor acted in
	Note      string      `json:"note,omitempty"`
	ToRole    domain.Role `json:"to_role,omitempty"`
	ToUser    string      `json:"to_user,omitempty"`
	Document  string      `json:"document,omitempty"` // blob of an attached report or answer
	// Due is the file's due date as the action left it, when it moved it
	// (an answer to a return, an appellate order to deliver).
	Due time.Time `json:"due,omitzero"`
}

// Action kinds; each is also an event type "application.<kind>".
const (
	KindSubmitted   = "submitted"
	KindForwarded   = "forwarded"
	KindReturned    = "returned"
	KindResubmitted = "resubmitted"
	KindNote        = "note_added"
	KindInspection  = "inspection_attached"
	KindApproved    = "approved"
	KindRejected    = "rejected"
	KindIssued      = "issued"
	KindEscalated   = "escalated"
	KindDeemed      = "deemed"  // decided by the law, not the office: see Deem
	KindOrdered     = "ordered" // an appellate authority ordered delivery: see OrderDelivery
)

// KindName names an action kind for people.
func KindName(k string) domain.Text {
	switch k {
	case KindSubmitted:
		return domain.T("Submitted and acknowledged", "സമർപ്പിച്ചു, കൈപ്പറ്റ് നൽകി")
	case KindForwarded:
		return domain.T("Forwarded", "കൈമാറി")
	case KindReturned:
		return domain.T("Returned to applicant", "അപേക്ഷകന് തിരിച്ചയച്ചു")
	case KindResubmitted:
		return domain.T("Applicant answered", "അപേക്ഷകൻ മറുപടി നൽകി")
	case KindNote:
		return domain.T("Note added", "കുറിപ്പ് ചേർത്തു")
	case KindInspection:
		return domain.T("Inspection report attached", "പരിശോധനാ റിപ്പോർട്ട് ചേർത്തു")
	case KindApproved:
		return domain.T("Approved", "അംഗീകരിച്ചു")
	case KindRejected:
		return domain.T("Rejected", "നിരസിച്ചു")
	case KindIssued:
		return domain.T("Issued", "നൽകി")
	case KindEscalated:
		return domain.T("Escalated: time limit passed", "സമയപരിധി കഴിഞ്ഞു: മേലധികാരിക്ക് കൈമാറി")
	case KindDeemed:
		return domain.T("Deemed granted: not decided in time", "സമയത്ത് തീരുമാനിക്കാത്തതിനാൽ അനുവദിച്ചതായി കണക്കാക്കി")
	case KindOrdered:
		return domain.T("Appellate authority ordered delivery", "സേവനം നൽകാൻ അപ്പീൽ അധികാരി ഉത്തരവിട്ടു")
	}
	return domain.T(k, k)
}

// ActionName names action k as a choice offered to the office, in the
// imperative ("Forward", "Return to the applicant"); KindName names the
// same kind as a fact in the file's history.
func ActionName(k string) domain.Text {
	switch k {
	case KindForwarded:
		return domain.T("Forward to the next desk", "അടുത്ത ഘട്ടത്തിലേക്ക് കൈമാറുക")
	case KindReturned:
		return domain.T("Return to the applicant", "അപേക്ഷകന് തിരിച്ചയയ്ക്കുക")
	case KindNote:
		return domain.T("Add a note", "കുറിപ്പ് ചേർക്കുക")
	case KindInspection:
		return domain.T("Attach the inspection report", "പരിശോധനാ റിപ്പോർട്ട് ചേർക്കുക")
	case KindApproved:
		return domain.T("Approve", "അംഗീകരിക്കുക")
	case KindRejected:
		return domain.T("Reject", "നിരസിക്കുക")
	case KindIssued:
		return domain.T("Issue", "നൽകുക")
	}
	return KindName(k)
}

// Open reports whether the file still awaits the office or the applicant.
func (f File) Open() bool {
	return f.Status == StatusInProgress || f.Status == StatusReturned || f.Status == StatusApproved
}

// Overdue reports whether an open file has passed its due date. Time with
// the applicant does not count against the office (see Answer).
func (f File) Overdue(now time.Time) bool {
	return f.Open() && f.Status != StatusReturned && now.After(f.Due)
}

// PublicStatus is what anyone may see of a file by its number: no personal
// data.
type PublicStatus struct {
	Number      string      `json:"number"`
	Service     domain.Text `json:"service"`
	Status      string      `json:"status"`
	StatusName  domain.Text `json:"status_name"`
	StepName    domain.Text `json:"step_name"`
	Submitted   time.Time   `json:"submitted"`
	Due         time.Time   `json:"due"`
	Overdue     bool        `json:"overdue"`
	LastAction  domain.Text `json:"last_action"`
	LastUpdated time.Time   `json:"last_updated"`
}

// Decision is the action that decided the file (approved or rejected),
// whose actor and note are the decision's, or false while it is undecided.
func (f File) Decision() (Action, bool) {
	for i := len(f.History) - 1; i >= 0; i-- {
		if a := f.History[i]; a.Kind == KindApproved || a.Kind == KindRejected {
			return a, true
		}
	}
	return Action{}, false
}
