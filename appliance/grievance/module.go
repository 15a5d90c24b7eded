package grievance

import (
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/workflow"
)

// Module is public grievance redressal as the appliance assembles it:
// reports, their routing and deadlines, and the figures the state sees.
var Module = module.Module{
	Name:      "grievance",
	Catalogue: catalogue.ModuleGrievance,
	Serves:    serves,
	Open:      open,
	Events:    Events,
	Figures:   figures,
}

// serves serves none of the catalogue's grievance services as an
// application: a complaint is a report anyone makes without an account,
// so each is listed with where to report instead.
func serves(catalogue.Service) error { return module.NotServed(notAFile) }

func open(h *module.Host) (workflow.Rules, error) {
	cats, err := DefaultCategories()
	if err != nil {
		return nil, err
	}
	wards, err := ParseWards(h.LocalBody)
	if err != nil {
		return nil, err
	}
	return &Grievance{Store: h.Store, LocalBody: h.LocalBody, Calendar: h.Calendar, Categories: cats, Wards: wards,
		Identity: h.Identity, Now: h.Now, Logger: h.Logger}, nil
}

// Module-level names a page shows beside reports.
var (
	// Name names the module for people.
	Name = domain.T("Complaints", "പരാതികൾ")
)
