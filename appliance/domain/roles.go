package domain

import "slices"

// Role is what a user may do in the office or as a citizen.
type Role string

// The roles of a Kerala local body office, the kiosk, state audit and citizens.
const (
	RoleFrontOffice       Role = "front_office"
	RoleSectionClerk      Role = "section_clerk"
	RoleHeadClerk         Role = "head_clerk"
	RoleRevenueInspector  Role = "revenue_inspector"
	RoleHealthInspector   Role = "health_inspector"
	RoleOverseer          Role = "overseer"
	RoleAssistantEngineer Role = "assistant_engineer"
	RoleRegistrar         Role = "registrar"
	RoleSecretary         Role = "secretary"
	RoleAccountant        Role = "accountant"
	RoleCashier           Role = "cashier"
	RoleKiosk             Role = "kiosk"
	RoleAdmin             Role = "admin"
	RoleStateAuditor      Role = "state_auditor"
	// RoleAppellateAuthority is an officer of the LSGD directorate who
	// hears Right to Service appeals on this body's files.
	RoleAppellateAuthority Role = "appellate_authority"
	RoleCitizen            Role = "citizen"
)

// RoleNames names every known role in both languages, in the order an office
// lists them.
var RoleNames = []struct {
	Role Role
	Name Text
}{
	{RoleFrontOffice, T("Front office", "ഫ്രണ്ട് ഓഫീസ്")},
	{RoleSectionClerk, T("Section clerk", "സെക്ഷൻ ക്ലാർക്ക്")},
	{RoleHeadClerk, T("Head clerk", "ഹെഡ് ക്ലാർക്ക്")},
	{RoleRevenueInspector, T("Revenue inspector", "റവന്യൂ ഇൻസ്പെക്ടർ")},
	{RoleHealthInspector, T("Health inspector", "ഹെൽത്ത് ഇൻസ്പെക്ടർ")},
	{RoleOverseer, T("Overseer", "ഓവർസിയർ")},
	{RoleAssistantEngineer, T("Assistant engineer", "അസിസ്റ്റന്റ് എഞ്ചിനീയർ")},
	{RoleRegistrar, T("Registrar", "രജിസ്ട്രാർ")},
	{RoleSecretary, T("Secretary", "സെക്രട്ടറി")},
	{RoleAccountant, T("Accountant", "അക്കൗണ്ടന്റ്")},
	{RoleCashier, T("Cashier", "കാഷ്യർ")},
	{RoleKiosk, T("Kiosk", "കിയോസ്ക്")},
	{RoleAdmin, T("Administrator", "അഡ്മിനിസ്ട്രേറ്റർ")},
	{RoleStateAuditor, T("State auditor", "സംസ്ഥാന ഓഡിറ്റർ")},
	{RoleAppellateAuthority, T("RTS appellate authority", "സേവനാവകാശ അപ്പീൽ അധികാരി")},
	{RoleCitizen, T("Citizen", "പൗരൻ")},
}

// Known reports whether r is one of the roles above.
func (r Role) Known() bool {
	for _, n := range RoleNames {
		if n.Role == r {
			return true
		}
	}
	return false
}

// Name returns the role's bilingual name.
func (r Role) Name() Text {
	for _, n := range RoleNames {
		if n.Role == r {
			return n.Name
		}
	}
	return T(string(r), string(r))
}

// Actor is who does something: a staff user, a citizen, or the system itself.
// Every event records its actor.
type Actor struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Roles []Role `json:"roles,omitempty"`
	Wards []int  `json:"wards,omitempty"`
}

// System is the actor for what ksmart does by itself (escalation, seeding).
var System = Actor{ID: "system", Name: "ksmart"}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// HasAny reports whether the actor holds any of roles.
func (a Actor) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// IsStaff reports whether the actor holds an office role.
func (a Actor) IsStaff() bool {
	for _, r := range a.Roles {
		if r != RoleCitizen {
			return true
		}
	}
	return false
}
