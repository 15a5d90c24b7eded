package grievance

import "time"

// Every store layout of grievance, in one place (schema version 1).
//
//	gr_report  "<report id>"            → Report (id "0000000042", in the order reported)
//	gr_open    "<due>/<report id>"      → "": reports the office still holds, by deadline, so a
//	                                      queue and the escalation read them overdue first
//	gr_user    "<user id>/<report id>"  → "": a signed-in reporter's own reports
//	key index "grievance_number"  number ("GR-2026-42") → report id
//	sequences "grievance" (ids) and "grievance/<year>" (numbers)
//
// Messages to a reporter without an account go to "grievance:<report id>"
// (ContactPrefix), whom the outbox reaches through Contact.
const (
	entityReport = "gr_report"
	entityOpen   = "gr_open"
	entityUser   = "gr_user"
	indexNumber  = "grievance_number"
)

// ContactPrefix begins the messaging recipient of a reporter without an
// account.
const ContactPrefix = "grievance:"

func dueKey(t time.Time) string { return t.UTC().Format("20060102T150405") }

func openKey(r Report) string { return dueKey(r.Due) + "/" + r.ID }

// present is the value of an index entry whose key says everything (a
// document must have bytes: an empty one is no document).
var present = []byte("true")
