package licence

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/workflow"
	"ksmart/search"
	"ksmart/store"
)

// Module is trade licensing as the appliance assembles it: the register
// of licences, the services that grant, renew, amend, transfer and
// surrender them, the deemed licence, and the figures the state sees.
var Module = module.Module{
	Name:      "licence",
	Catalogue: catalogue.ModuleTradeLicence,
	Serves:    serves,
	Open:      open,
	Events:    Events,
	Records: []module.Records{{
		Type:     "licence",
		Name:     domain.T("Trade licences", "വ്യാപാര ലൈസൻസുകൾ"),
		Source:   func(*catalogue.Catalogue) search.Source { return licenceSource{} },
		Readable: func(by domain.Actor) bool { return by.IsStaff() && !by.Has(domain.RoleKiosk) },
		Hit:      licenceHit,
	}},
	Figures: figures,
}

func open(h *module.Host) (workflow.Rules, error) {
	sch, err := DefaultSchedule()
	if err != nil {
		return nil, err
	}
	return &Licences{Store: h.Store, Schedule: sch, LocalBody: h.LocalBody, Workflow: h.Workflow, Identity: h.Identity,
		Documents: h.Documents, Seal: h.Seal, PublicURL: h.PublicURL, Now: h.Now, Logger: h.Logger}, nil
}

// OfficeRoles may read the register and its office pages.
var OfficeRoles = []domain.Role{domain.RoleSectionClerk, domain.RoleHealthInspector, domain.RoleSecretary, domain.RoleHeadClerk, domain.RoleFrontOffice, domain.RoleRevenueInspector}

// licenceSource describes licences to the search index: found by number,
// trade, premises or holder.
type licenceSource struct{}

func (licenceSource) Entity() string { return entityLicence }

func (licenceSource) Document(tx *store.Tx, id string) (search.Doc, bool, error) {
	l, err := getLicence(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return search.Doc{}, false, nil
	}
	if err != nil {
		return search.Doc{}, false, err
	}
	year, _ := ParseYear(l.Year)
	d := search.Doc{Type: "licence", Kind: l.Category, Module: "licence", Number: l.Number, Ward: strconv.Itoa(l.Ward), Status: l.Status,
		Year: strconv.Itoa(year), Text: strings.TrimSpace(l.TradeName + "\n" + l.Description + "\n" + l.Premises + "\n" + l.Partners)}
	for _, n := range []string{l.Holder.Name.En, l.Holder.Name.Ml} {
		if n = strings.TrimSpace(n); n != "" {
			d.Names = append(d.Names, n)
		}
	}
	return d, true, nil
}

func licenceHit(tx *store.Tx, id string) (module.Hit, bool, error) {
	l, err := getLicence(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return module.Hit{}, false, nil
	}
	if err != nil {
		return module.Hit{}, false, err
	}
	return module.Hit{Type: "licence", Kind: l.Category, KindName: domain.T(l.TradeName, l.TradeName), Number: l.Number,
		Title: l.Holder.Name, Date: l.ValidTo, Status: l.Status, StatusName: StatusName(l.Status), Ward: l.Ward,
		Link: "/office/licences/" + url.PathEscape(l.Number)}, true, nil
}
