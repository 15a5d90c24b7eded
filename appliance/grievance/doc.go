// Package grievance is public grievance redressal: problems anyone may
// report (signed in or not; online, at the counter, at the kiosk or
// through Open311), placed in their ward by the local body's ward
// boundaries, routed to the section and ward officer for their category
// with a deadline, escalated up the category's chain when it passes,
// worked to fixed or closed with a reason, confirmed or reopened by the
// reporter, rated, and counted for the state.
//
// It owns its reports and their rules (categories.json holds the
// categories and the local settings, each with its source). A report is
// not a workflow file: a file has one applicant who must be named and
// signed in, statuses that end in "issued", and one fixed escalation
// step, where a report may be anonymous, ends "fixed" and climbs the
// category's chain. DESIGN.md says why.
//
// It never holds HTTP (web renders its answers, including Open311's
// format) and never shows a reporter's name, phone or e-mail in a public
// answer: Public is the only shape of a report the public sees.
//
// # Caveats
//
//   - Ward boundaries come from the local body's identity, which is set at
//     first start; a body that draws its wards later places points by
//     ward choice until the identity carries them.
//   - Photos are re-encoded (EXIF and anything else beside the pixels are
//     dropped); the reporter's original bytes are never stored.
package grievance
