package appliance

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"ksmart/appliance/building"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/files"
	"ksmart/appliance/finance"
	"ksmart/appliance/grievance"
	"ksmart/appliance/kyc"
	"ksmart/appliance/licence"
	"ksmart/appliance/module"
	"ksmart/appliance/propertytax"
	"ksmart/search"
	"ksmart/store"
)

// Modules is the one list of the appliance's modules (package module says
// what a module declares). A node and the state view are assembled from
// it. A service is served by the first module in the list whose catalogue
// module is the service's and whose Serves takes it; a service that no
// module serves is listed, as not yet available, and offered to nobody.
var Modules = []module.Module{
	civil.Module,
	files.Module,
	finance.Module,
	propertytax.Module,
	licence.Module,
	building.Module,
	grievance.Module,
	kyc.Module,
}

// Catalogue reads the services of a node with these modules: the built-in
// definitions and those the modules bring, or instead of both every
// *.json file of dir when dir is not "". Any problem is returned, every
// one listed, before anything is opened.
func Catalogue(dir string, modules []module.Module) (*catalogue.Catalogue, error) {
	var cat *catalogue.Catalogue
	var err error
	if dir != "" {
		if fi, serr := os.Stat(dir); serr != nil || !fi.IsDir() {
			return nil, fmt.Errorf("catalogue directory %s is not a readable directory", dir)
		}
		cat, err = catalogue.LoadFS(os.DirFS(dir))
	} else {
		var files map[string][]byte
		if files, err = catalogue.Embedded(); err == nil {
			for _, m := range modules {
				if m.Services != nil {
					files["module "+m.Name+".json"] = m.Services
				}
			}
			cat, err = catalogue.Parse(files)
		}
	}
	if err == nil && cat.Len() == 0 {
		err = fmt.Errorf("no services defined (no *.json files)")
	}
	if err != nil {
		return nil, fmt.Errorf("the service catalogue has problems; ksmart will not start until they are fixed:\n%w", err)
	}
	return offer(cat, modules)
}

// offer decides which module serves each service, and returns the
// catalogue with those no module serves marked as not offered. A module
// that finds a service's definition contradicts it stops the start, with
// every such service named.
func offer(cat *catalogue.Catalogue, modules []module.Module) (*catalogue.Catalogue, error) {
	notOffered := map[string]domain.Text{}
	var problems []string
	for _, svc := range cat.All() {
		var why *domain.Text
		served := false
		for _, m := range modules {
			if m.Catalogue != svc.Module || m.Serves == nil {
				continue
			}
			err := m.Serves(svc)
			var ns *module.NotServedError
			switch {
			case err == nil:
				served = true
			case errors.As(err, &ns):
				if why == nil {
					why = &ns.Reason
				}
				continue
			default:
				problems = append(problems, fmt.Sprintf("module %s cannot serve %s as defined: %v", m.Name, svc.Code, err))
			}
			break
		}
		if served {
			continue
		}
		if why == nil {
			name := catalogue.ModuleName(svc.Module)
			why = &domain.Text{En: "its module (" + name.En + ") is still being built.", Ml: "ഇതിന്റെ ഭാഗം (" + name.Ml + ") ഇനിയും തയ്യാറാകുന്നതേയുള്ളൂ."}
		}
		notOffered[svc.Code] = *why
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("the service catalogue and the modules disagree; ksmart will not start until they are fixed:\n%s", strings.Join(problems, "\n"))
	}
	return cat.Offer(notOffered), nil
}

// servedBy returns the module that serves each offered service, by code.
func servedBy(cat *catalogue.Catalogue, modules []module.Module) map[string]int {
	out := map[string]int{}
	for _, svc := range cat.All() {
		if !cat.Available(svc.Code) {
			continue
		}
		for i, m := range modules {
			if m.Catalogue == svc.Module && m.Serves != nil && m.Serves(svc) == nil {
				out[svc.Code] = i
				break
			}
		}
	}
	return out
}

// SearchSources are the sources of every record the modules make
// searchable, for the index of a store holding their documents.
func SearchSources(cat *catalogue.Catalogue, modules []module.Module) []search.Source {
	var out []search.Source
	for _, m := range modules {
		for _, r := range m.Records {
			out = append(out, r.Source(cat))
		}
	}
	return out
}

// RecordsOf returns the records whose search source indexes entity.
func RecordsOf(cat *catalogue.Catalogue, modules []module.Module, entity string) (module.Records, bool) {
	for _, m := range modules {
		for _, r := range m.Records {
			if r.Source(cat).Entity() == entity {
				return r, true
			}
		}
	}
	return module.Records{}, false
}

// Hits reads how each search hit looks from a store holding the modules'
// documents (or any keeper of them, store.Viewer), in one transaction, in
// the hits' order; hits on records gone since they were indexed are left
// out.
//
// text, when not "", is what was typed: a hit found through a relation's
// name rather than the person's says so (Why).
func Hits(st store.Viewer, cat *catalogue.Catalogue, modules []module.Module, hits []search.Hit, text ...string) ([]module.Hit, error) {
	byEntity := map[string]module.Records{}
	for _, m := range modules {
		for _, r := range m.Records {
			byEntity[r.Source(cat).Entity()] = r
		}
	}
	var out []module.Hit
	err := st.View(func(tx *store.Tx) error {
		for _, h := range hits {
			r, ok := byEntity[h.Entity]
			if !ok {
				continue
			}
			hit, ok, err := r.Hit(tx, h.ID)
			if err != nil {
				return err
			}
			if ok {
				hit.Score = h.Score
				if len(text) > 0 && text[0] != "" {
					doc, found, err := r.Source(cat).Document(tx, h.ID)
					if err != nil {
						return err
					}
					if i, rel := search.MatchedRelation(doc, text[0]); found && rel && i < len(doc.RelationRoles) {
						role := relationRoles[doc.RelationRoles[i]]
						hit.Why = domain.T(role.En+": "+doc.Relations[i], role.Ml+": "+doc.Relations[i])
					}
				}
				out = append(out, hit)
			}
		}
		return nil
	})
	return out, err
}

// EventTypes is the whole vocabulary of a node's log: every event type the
// appliance, its shared packages and these modules declare. An event of
// any other type in a log was written by a newer ksmart (and is kept and
// skipped) or by a fault.
func EventTypes(modules []module.Module) []store.EventType {
	out := append([]store.EventType(nil), sharedEvents()...)
	for _, m := range modules {
		out = append(out, m.Events...)
	}
	return out
}

// relationRoles name the roles of search.Doc.RelationRoles, as a hit found
// through a relation shows them.
var relationRoles = map[string]domain.Text{
	"mother": domain.T("mother", "അമ്മ"), "father": domain.T("father", "അച്ഛൻ"), "spouse": domain.T("spouse", "ജീവിതപങ്കാളി"),
	"groom": domain.T("husband", "ഭർത്താവ്"), "bride": domain.T("wife", "ഭാര്യ"), "form": domain.T("name on the form", "അപേക്ഷയിലെ പേര്"),
}
