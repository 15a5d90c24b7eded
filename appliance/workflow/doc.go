// Package workflow owns files: every application is a file that moves
// through the office, from submission and acknowledgement through the
// service's steps (forward, return to the applicant, note, inspection
// report, approve or reject) to issue, under the Right to Service time
// limit, escalated when it runs out.
//
// The rules of who may act on a file, and when, live here and nowhere else.
// Each action is one store Write: the file document, its desk entries and an
// event that carries the action, so the file can be rebuilt from the log.
package workflow
