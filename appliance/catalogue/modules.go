package catalogue

import "ksmart/appliance/domain"

// The eight K-SMART modules. Every service belongs to exactly one.
const (
	ModuleCivilRegistration  = "civil_registration"
	ModuleTradeLicence       = "trade_licence"
	ModulePropertyTax        = "property_tax"
	ModuleUserManagement     = "user_management"
	ModuleFileManagement     = "file_management"
	ModuleFinance            = "finance"
	ModuleBuildingPermission = "building_permission"
	ModuleGrievance          = "grievance"
)

// Modules lists the modules in the order K-SMART presents them; All sorts
// services by this order.
var Modules = []string{
	ModuleCivilRegistration,
	ModuleTradeLicence,
	ModulePropertyTax,
	ModuleUserManagement,
	ModuleFileManagement,
	ModuleFinance,
	ModuleBuildingPermission,
	ModuleGrievance,
}

var moduleNames = map[string]domain.Text{
	ModuleCivilRegistration:  domain.T("Civil registration", "സിവിൽ രജിസ്ട്രേഷൻ"),
	ModuleTradeLicence:       domain.T("Trade licences", "വ്യാപാര ലൈസൻസുകൾ"),
	ModulePropertyTax:        domain.T("Property tax", "വസ്തു നികുതി"),
	ModuleUserManagement:     domain.T("User management", "ഉപയോക്തൃ മാനേജ്മെന്റ്"),
	ModuleFileManagement:     domain.T("File management", "ഫയൽ മാനേജ്മെന്റ്"),
	ModuleFinance:            domain.T("Finance", "ധനകാര്യം"),
	ModuleBuildingPermission: domain.T("Building permission", "കെട്ടിട നിർമ്മാണ അനുമതി"),
	ModuleGrievance:          domain.T("Public grievance redressal", "പൊതുജന പരാതി പരിഹാരം"),
}

// ModuleName returns module m's name in both languages; an unknown module is
// named by its code.
func ModuleName(m string) domain.Text {
	if n, ok := moduleNames[m]; ok {
		return n
	}
	return domain.T(m, m)
}

// KnownModule reports whether m is one of Modules.
func KnownModule(m string) bool {
	_, ok := moduleNames[m]
	return ok
}

// moduleRank orders modules as Modules lists them.
func moduleRank(m string) int {
	for i, x := range Modules {
		if x == m {
			return i
		}
	}
	return len(Modules)
}
