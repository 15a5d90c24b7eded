package building

// Every store layout of building permission, in one place (schema
// version 1).
//
//	bp_permit      "<permit number>"         → Permit: the register of permits
//	bp_document    "<document number>"       → Document: a permit or occupancy certificate as printed and signed, for /verify
//	bp_inspection  "<file id>/<seq:03>"      → Inspection: the overseer's site inspections of a file
//	bp_report      "<file id>"               → Report: the assistant engineer's scrutiny report on a file
//	index bp_by_file  "<file id>"            → permit number a file granted (or the occupancy file's permit)
//	sequence permit/<local body>/<year>      permit numbers (reserved, may have gaps)
//	sequence occupancy/<local body>/<year>   occupancy certificate numbers
const (
	entityPermit     = "bp_permit"
	entityDocument   = "bp_document"
	entityInspection = "bp_inspection"
	entityReport     = "bp_report"
	indexByFile      = "bp_by_file"
)
