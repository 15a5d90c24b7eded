package workflow

import (
	"strings"
	"time"

	"ksmart/appliance/domain"
)

// Every store layout of the workflow, in one place.
//
//	entity "file"       file id ("0000000042") → File
//	key index "application_number"  numberKey(number) → file id (the serial zero-padded, so
//	                    new numbers append at the end of the index instead of landing all over it)
//	sequences "file" (file ids) and "application/<lb>/<year>/<service>" (application numbers)
//
// Desks ("role:<role>", "user:<user id>" and "open", every file on an
// office desk, for escalation) and each citizen's own files are views kept
// in memory by following the log (desks.go), not records. Data files
// written before that hold them as entities "desk" and "applicant", which
// nothing reads or changes any more.
const (
	entityFile  = "file"
	indexNumber = "application_number"
)

// DeskEntry is a file's summary as an inbox shows it.
type DeskEntry struct {
	ID          string      `json:"id"`
	Number      string      `json:"number"`
	Service     string      `json:"service"`
	ServiceName domain.Text `json:"service_name"`
	Applicant   domain.Text `json:"applicant"`
	Status      string      `json:"status"`
	StepName    domain.Text `json:"step_name"`
	Role        domain.Role `json:"role"`
	EscalatedTo domain.Role `json:"escalated_to,omitempty"`
	Ward        int         `json:"ward,omitempty"`
	Submitted   time.Time   `json:"submitted"`
	Due         time.Time   `json:"due"`
}

// Overdue reports whether the entry's file is past due at now.
func (d DeskEntry) Overdue(now time.Time) bool {
	return d.Status == StatusInProgress && now.After(d.Due)
}

func (f File) entry() DeskEntry {
	return DeskEntry{ID: f.ID, Number: f.Number, Service: f.Service, ServiceName: f.ServiceName, Applicant: f.Applicant.Name,
		Status: f.Status, StepName: f.StepName, Role: f.Role, EscalatedTo: f.EscalatedTo, Ward: f.Ward, Submitted: f.Submitted, Due: f.Due}
}

func dueKey(t time.Time) string { return t.UTC().Format("20060102T150405") }

// deskNames lists the desks that should hold the file in its current state.
func (f File) deskNames() []string {
	var desks []string
	switch f.Status {
	case StatusInProgress:
		desks = append(desks, "open")
		fallthrough
	case StatusApproved:
		desks = append(desks, "role:"+string(f.Role))
		if f.AssignedTo != "" {
			desks = append(desks, "user:"+f.AssignedTo)
		}
		if f.EscalatedTo != "" {
			desks = append(desks, "role:"+string(f.EscalatedTo))
		}
	}
	return desks
}

// numberKey is an application number as its index key: the serial at its
// end zero-padded to 12 digits, so keys sort in the order numbers are given.
func numberKey(number string) string {
	i := strings.LastIndexByte(number, '/')
	serial := number[i+1:]
	if serial == "" || len(serial) > 12 || strings.Trim(serial, "0123456789") != "" {
		return number
	}
	return number[:i+1] + strings.Repeat("0", 12-len(serial)) + serial
}

// FileEntity is the entity of files, for readers of change sets (the
// state's counters) that follow files without a store.
const FileEntity = entityFile
