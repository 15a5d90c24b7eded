package propertytax

// Every store layout of property tax, in one place (schema version 1).
//
//	pt_building "<ward:03>-<door:06><sub>"  → Building (Number.ID)
//	pt_user     "<user id>/<building id>"   → building id: the buildings a citizen claimed
//	pt_demand   "<building id>/<period>"    → demand id: the one demand of a building for a half-year
//	pt_open     "<demand id>"               → building id: demands not yet settled, which may gather interest
//	pt_reminded "<period>/<building id>"    → when the owner was reminded
//	pt_job      "<period>"                  → DemandJob: how far raising the half-year's demands got
//
// pt_demand's "<period>" is "arrears" (ArrearsKey) for the demand of what
// the register kept before ksmart said was owed (import.go). The import's
// events name the entity pt_import, with the time of the import as id; it
// keeps no document.
const (
	entityBuilding = "pt_building"
	entityUser     = "pt_user"
	entityDemand   = "pt_demand"
	entityOpen     = "pt_open"
	entityReminded = "pt_reminded"
	entityJob      = "pt_job"
	entityImport   = "pt_import"
)
