// Package catalogue owns the catalogue of citizen services a local body
// offers: each service is a declarative definition (code, bilingual names,
// module, form fields with their validation rules, required documents,
// ordered workflow steps with the role acting at each, fee rule, time limit
// in working days and the document issued on approval).
//
// The definitions live in embedded JSON files, one per module, under
// services/. Load checks the whole catalogue at once and reports every
// problem in one *ValidationError, so a person editing the files fixes them
// in one pass. Service.Validate checks a submitted form against its
// service's fields and returns cleaned values or a domain.FieldErrors error
// naming every faulty field.
//
// The package decides what a service asks for and who acts on it; it never
// stores applications, moves files, computes fees that depend on the law's
// arithmetic (late-registration bands, tax, per-square-metre permit fees) or
// looks inside uploaded documents. Those belong to workflow and the module
// packages.
//
// # Caveats
//
// Services returned by Get, All and ByModule share their slices with the
// catalogue: treat them as read-only.
package catalogue
