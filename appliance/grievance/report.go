package grievance

import (
	"time"

	"ksmart/appliance/domain"
)

// Statuses of a report. Acknowledged, assigned, in progress and reopened
// are open (the office holds it); fixed and closed are closed, as Open311
// has it. A fix stays open to the reporter's confirmation or reopening for
// Settings.ReopenDays.
const (
	StatusAcknowledged = "acknowledged"
	StatusAssigned     = "assigned"
	StatusInProgress   = "in_progress"
	StatusReopened     = "reopened"
	StatusFixed        = "fixed"
	StatusClosed       = "closed"
)

// StatusName names a status for people, worded for a complaint.
func StatusName(s string) domain.Text {
	switch s {
	case StatusAcknowledged:
		return domain.T("Received", "ലഭിച്ചു")
	case StatusAssigned:
		return domain.T("With the ward officer", "വാർഡ് ഉദ്യോഗസ്ഥന്റെ പക്കൽ")
	case StatusInProgress:
		return domain.T("Being fixed", "പരിഹരിച്ചുകൊണ്ടിരിക്കുന്നു")
	case StatusReopened:
		return domain.T("Reopened: not fixed", "വീണ്ടും തുറന്നു: പരിഹരിച്ചിട്ടില്ല")
	case StatusFixed:
		return domain.T("Fixed", "പരിഹരിച്ചു")
	case StatusClosed:
		return domain.T("Closed", "അവസാനിപ്പിച്ചു")
	}
	return domain.T(s, s)
}

// Reasons a report is closed without a fix.
const (
	ReasonDuplicate = "duplicate"  // the same problem as another report, followed there
	ReasonNotOurs   = "not_ours"   // not the local body's: Redirect says whom to approach
	ReasonCannotFix = "cannot_fix" // the note says why
)

// ReasonName names a reason for closing.
func ReasonName(r string) domain.Text {
	switch r {
	case ReasonDuplicate:
		return domain.T("Duplicate of another report", "മറ്റൊരു പരാതിയുടെ ആവർത്തനം")
	case ReasonNotOurs:
		return domain.T("Not the local body's responsibility", "തദ്ദേശ സ്ഥാപനത്തിന്റെ ചുമതലയല്ല")
	case ReasonCannotFix:
		return domain.T("Cannot be fixed", "പരിഹരിക്കാനാവില്ല")
	}
	return domain.T(r, r)
}

// Channels a report comes through.
const (
	ChannelOnline  = "online"
	ChannelCounter = "counter"
	ChannelKiosk   = "kiosk"
	ChannelOpen311 = "open311"
)

// Report is one reported problem and everything that happened to it.
type Report struct {
	ID          string `json:"id"`
	Number      string `json:"number"` // "GR-2026-42": the reference the reporter quotes
	Category    string `json:"category"`
	Description string `json:"description"`
	Ward        int    `json:"ward"`
	Landmark    string `json:"landmark,omitempty"`
	// At is the place, when known: given, or read from a photo's EXIF
	// (AtFrom says which).
	At      *Point  `json:"at,omitempty"`
	AtFrom  string  `json:"at_from,omitempty"` // "reporter" or "photo"
	Photos  []Photo `json:"photos,omitempty"`
	Channel string  `json:"channel"`

	Reporter Reporter `json:"reporter"`

	Status string `json:"status"`
	// Level is the place in the category's chain of whoever holds it: 0
	// the section's officer, each escalation one up.
	Level int         `json:"level"`
	Role  domain.Role `json:"role"` // the role holding it: the chain's at Level
	// Officer is the ward officer it was routed or assigned to, when the
	// office has one for its section and ward.
	Officer     string `json:"officer,omitempty"`
	OfficerName string `json:"officer_name,omitempty"`

	Reported time.Time `json:"reported"`
	Due      time.Time `json:"due"`
	// SectionDue is the section's own deadline (from the report, or from
	// its latest reopening); Due moves on with each escalation.
	SectionDue time.Time `json:"section_due"`
	Updated    time.Time `json:"updated"`
	Fixed      time.Time `json:"fixed,omitzero"`
	// FixedInTime is whether the last fix came by the deadline of the
	// section (not an escalated one).
	FixedInTime bool      `json:"fixed_in_time,omitempty"`
	Closed      time.Time `json:"closed,omitzero"`
	Reason      string    `json:"reason,omitempty"`
	// Redirect says whom to approach when the problem is not the local
	// body's (the KSEB, the PWD, the Water Authority).
	Redirect    string `json:"redirect,omitempty"`
	DuplicateOf string `json:"duplicate_of,omitempty"`
	Confirmed   bool   `json:"confirmed,omitempty"`
	Reopened    int    `json:"reopened,omitempty"`
	Rating      int    `json:"rating,omitempty"`
	// Supporters are the people who said "me too"; SupporterIDs the
	// signed-in ones, so each counts once.
	Supporters   int      `json:"supporters,omitempty"`
	SupporterIDs []string `json:"supporter_ids,omitempty"`
	// Merged are the numbers of duplicates merged into this one.
	Merged  []string `json:"merged,omitempty"`
	History []Step   `json:"history"`
}

// Reporter is who reported, as only the office sees it.
type Reporter struct {
	UserID string `json:"user_id,omitempty"` // when signed in
	Name   string `json:"name,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Email  string `json:"email,omitempty"`
	// Language is the reporter's language for messages ("en" or "ml").
	Language string `json:"language"`
	// Anonymous asks that even the office's lists show no name: only the
	// report's own page, to the officer, gives the contact.
	Anonymous bool `json:"anonymous,omitempty"`
	// KeyHash is the SHA-256 of the key given to a reporter without an
	// account, with which they confirm, reopen or rate.
	KeyHash string `json:"key_hash,omitempty"`
}

// Reachable reports whether the office can send the reporter messages.
func (r Reporter) Reachable() bool { return r.UserID != "" || r.Phone != "" || r.Email != "" }

// Step kinds of a report's history; each is an event.
const (
	StepReported     = "reported"
	StepAcknowledged = "acknowledged"
	StepAssigned     = "assigned"
	StepStarted      = "started"
	StepFixed        = "fixed"
	StepClosed       = "closed"
	StepEscalated    = "escalated"
	StepConfirmed    = "confirmed"
	StepReopened     = "reopened"
	StepRated        = "rated"
	StepSupported    = "supported"
	StepMerged       = "merged"
)

// StepName names a step for people.
func StepName(k string) domain.Text {
	switch k {
	case StepReported:
		return domain.T("Reported", "റിപ്പോർട്ട് ചെയ്തു")
	case StepAcknowledged:
		return domain.T("Received and routed", "ലഭിച്ചു, കൈമാറി")
	case StepAssigned:
		return domain.T("Given to an officer", "ഉദ്യോഗസ്ഥനെ ഏൽപ്പിച്ചു")
	case StepStarted:
		return domain.T("Work started", "പണി തുടങ്ങി")
	case StepFixed:
		return domain.T("Fixed", "പരിഹരിച്ചു")
	case StepClosed:
		return domain.T("Closed", "അവസാനിപ്പിച്ചു")
	case StepEscalated:
		return domain.T("Escalated: deadline passed", "സമയപരിധി കഴിഞ്ഞു: മേലധികാരിക്ക് കൈമാറി")
	case StepConfirmed:
		return domain.T("Reporter confirmed the fix", "പരിഹാരം പരാതിക്കാരൻ സ്ഥിരീകരിച്ചു")
	case StepReopened:
		return domain.T("Reporter reopened it: not fixed", "പരാതിക്കാരൻ വീണ്ടും തുറന്നു: പരിഹരിച്ചിട്ടില്ല")
	case StepRated:
		return domain.T("Reporter rated the fix", "പരാതിക്കാരൻ പരിഹാരത്തിന് റേറ്റിംഗ് നൽകി")
	case StepSupported:
		return domain.T("Someone else reported it too", "മറ്റൊരാളും ഇത് റിപ്പോർട്ട് ചെയ്തു")
	case StepMerged:
		return domain.T("A duplicate was merged into it", "ഒരു ആവർത്തന പരാതി ഇതിൽ ലയിപ്പിച്ചു")
	}
	return domain.T(k, k)
}

// Step is one entry of a report's history. ActorName is an officer's
// name or role, never a reporter's.
type Step struct {
	At        time.Time   `json:"at"`
	Kind      string      `json:"kind"`
	Status    string      `json:"status"` // the report's status after it
	ActorID   string      `json:"actor_id"`
	ActorName string      `json:"actor_name,omitempty"`
	Role      domain.Role `json:"role,omitempty"` // whom it went to (routing, assigning, escalating)
	Note      string      `json:"note,omitempty"`
	Reason    string      `json:"reason,omitempty"`
	Rating    int         `json:"rating,omitempty"`
	Photo     string      `json:"photo,omitempty"` // blob of an "after" photo
	Other     string      `json:"other,omitempty"` // the other report's number (a duplicate, a merge)
}

// Open reports whether the office still holds the report.
func (r Report) Open() bool {
	switch r.Status {
	case StatusAcknowledged, StatusAssigned, StatusInProgress, StatusReopened:
		return true
	}
	return false
}

// Overdue reports whether an open report has passed its section's
// deadline: late against what the reporter was promised, escalated or
// not. (Escalation goes by Due, the deadline of whoever holds it now.)
func (r Report) Overdue(now time.Time) bool { return r.Open() && now.After(r.SectionDue) }

// Escalated reports whether the report has gone up its chain.
func (r Report) Escalated() bool { return r.Level > 0 }

// Public is a report as anyone may see it: no name, phone, e-mail or
// account of its reporter or of anyone who said "me too". Officers appear
// by their role only.
type Public struct {
	Number       string      `json:"number"`
	Category     string      `json:"category"`
	CategoryName domain.Text `json:"category_name"`
	Description  string      `json:"description"`
	Ward         int         `json:"ward"`
	Landmark     string      `json:"landmark,omitempty"`
	At           *Point      `json:"at,omitempty"`
	Status       string      `json:"status"`
	StatusName   domain.Text `json:"status_name"`
	Open         bool        `json:"open"`
	Section      domain.Text `json:"section"`
	// Holder is the role holding it now (after escalation, the officer
	// above).
	Holder      domain.Role `json:"holder"`
	Escalated   bool        `json:"escalated"`
	Overdue     bool        `json:"overdue"`
	Reported    time.Time   `json:"reported"`
	Due         time.Time   `json:"due"`
	Updated     time.Time   `json:"updated"`
	Reason      string      `json:"reason,omitempty"`
	Redirect    string      `json:"redirect,omitempty"`
	DuplicateOf string      `json:"duplicate_of,omitempty"`
	Reopened    int         `json:"reopened"`
	Rating      int         `json:"rating,omitempty"`
	Supporters  int         `json:"supporters"`
	Anonymous   bool        `json:"anonymous"`
	Photos      []Photo     `json:"photos,omitempty"`
	// Note is the office's last word: the fix's note or the closing's.
	Note    string       `json:"note,omitempty"`
	History []PublicStep `json:"history"`
}

// PublicStep is a step as anyone may see it.
type PublicStep struct {
	At     time.Time   `json:"at"`
	Kind   string      `json:"kind"`
	Name   domain.Text `json:"name"`
	Status string      `json:"status"`
	Role   domain.Role `json:"role,omitempty"`
	Note   string      `json:"note,omitempty"`
	Rating int         `json:"rating,omitempty"`
}

// publicNotes are the steps whose notes are the office's public word; a
// reporter's reopening note may name them or their house, and stays with
// the office.
var publicNotes = map[string]bool{StepFixed: true, StepClosed: true, StepStarted: true}

// Public returns what anyone may see of the report at now.
func (r Report) Public(cat Category, now time.Time) Public {
	p := Public{Number: r.Number, Category: r.Category, CategoryName: cat.Name, Description: r.Description, Ward: r.Ward, Landmark: r.Landmark,
		At: r.At, Status: r.Status, StatusName: StatusName(r.Status), Open: r.Open(), Section: cat.Section, Holder: r.Role,
		Escalated: r.Escalated(), Overdue: r.Overdue(now), Reported: r.Reported, Due: r.Due, Updated: r.Updated, Reason: r.Reason,
		Redirect: r.Redirect, DuplicateOf: r.DuplicateOf, Reopened: r.Reopened, Rating: r.Rating, Supporters: r.Supporters,
		Anonymous: r.Reporter.Anonymous || r.Reporter.Name == "", Photos: r.Photos}
	for _, s := range r.History {
		ps := PublicStep{At: s.At, Kind: s.Kind, Name: StepName(s.Kind), Status: s.Status, Role: s.Role, Rating: s.Rating}
		if publicNotes[s.Kind] {
			ps.Note = s.Note
			p.Note = s.Note
		}
		p.History = append(p.History, ps)
	}
	return p
}
