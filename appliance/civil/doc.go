// Package civil owns the civil registers of a local body: births (and still
// births), deaths and marriages, with the rules the law puts on them — the
// delay bands of the Registration of Births and Deaths Act as the Kerala
// Rules, 1999 apply them, the 45-day and one-year limits of the Kerala
// Registration of Marriages (Common) Rules, 2008, inclusion of a child's
// name, corrections and non-availability — and the certificates issued from
// them, signed with the local body's seal so that anyone can verify them.
//
// Applications reach the registers through the workflow: civil is the
// workflow's Rules for the catalogue module "civil_registration". Fees and
// the documents each delay band requires come from the catalogue; this
// package only counts the delay and decides which band applies.
//
// A register entry is never overwritten silently: a correction or a name
// inclusion is an event of its own that names the evidence and the
// approving officer, raises the entry's version, and supersedes the
// certificates issued from the earlier version.
package civil
