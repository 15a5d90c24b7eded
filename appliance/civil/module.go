package civil

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/kyc"
	"ksmart/appliance/module"
	"ksmart/appliance/workflow"
	"ksmart/search"
	"ksmart/store"
)

// Module is civil registration as the appliance assembles it: the
// services of the catalogue's civil_registration module that civil has
// rules for, the register entries people search, and the registrations
// the state counts.
var Module = module.Module{
	Name:      "civil",
	Catalogue: catalogue.ModuleCivilRegistration,
	Serves:    serves,
	Open:      open,
	Events:    Events,
	Records: []module.Records{{
		Type:     "register",
		Name:     domain.T("Register entries", "രജിസ്റ്റർ രേഖകൾ"),
		Source:   func(*catalogue.Catalogue) search.Source { return SearchSource() },
		Readable: MayReadRegisters,
		Hit:      entryHit,
	}},
	Figures: &module.Figures{
		Count:     countRegistrations,
		Counter:   counter,
		Headlines: []module.Headline{{Name: domain.T("Registrations", "രജിസ്ട്രേഷനുകൾ"), Key: figRegistrations}},
		Charts: []module.Chart{{
			ID:          "chart-registrations",
			Title:       domain.T("Registrations per month, by register", "ഓരോ മാസത്തെയും രജിസ്ട്രേഷനുകൾ, രജിസ്റ്റർ തിരിച്ച്"),
			Description: domain.T("Stacked bars, one per month for the last 24 months: register entries made that month, by kind.", "കഴിഞ്ഞ 24 മാസത്തെ ഓരോ മാസത്തിനും ഒരു ബാർ: ആ മാസം ചേർത്ത രജിസ്റ്റർ എൻട്രികൾ, തരം തിരിച്ച്."),
			Bars: []module.Series{
				{Key: FigureKey(KindBirth), Name: KindName(KindBirth), Class: "k-birth"},
				{Key: FigureKey(KindStillBirth), Name: KindName(KindStillBirth), Class: "k-still"},
				{Key: FigureKey(KindDeath), Name: KindName(KindDeath), Class: "k-death"},
				{Key: FigureKey(KindMarriage), Name: KindName(KindMarriage), Class: "k-marriage"},
			},
		}},
	},
}

func open(h *module.Host) (workflow.Rules, error) {
	return &Civil{Store: h.Store, Catalogue: h.Catalogue, LocalBody: h.LocalBody, Seal: h.Seal, Documents: h.Documents, Now: h.Now,
		PublicURL: h.PublicURL, Search: h.Search,
		IsStaff: func(id string) bool {
			u, err := h.Identity.Get(id)
			return err == nil && u.Kind == identity.KindStaff
		},
		Registrars: func() ([]Officer, error) {
			users, err := h.Identity.StaffWith(domain.RoleRegistrar)
			var out []Officer
			for _, u := range users {
				out = append(out, Officer{ID: u.ID, Name: u.Name})
			}
			return out, err
		},
		KYCVerified: func(user string, svc catalogue.Service, values map[string]string) bool {
			ok, err := kyc.Verified(h.Store, user, svc, values, h.Now())
			return err == nil && ok
		}}, nil
}

// issues is the document each action of a register issues.
func issues(sv service) string {
	switch {
	case sv.action == actNonAvailablity:
		return catalogue.IssueNonAvailability
	case sv.kind == KindBirth:
		return catalogue.IssueBirthCertificate
	case sv.kind == KindDeath:
		return catalogue.IssueDeathCertificate
	}
	return catalogue.IssueMarriageCertificate
}

// serves checks a civil_registration service against the rules civil has
// for it: one of its services, with a fee it can reckon (none, flat, or
// the delay bands it counts) and the certificate it issues.
func serves(svc catalogue.Service) error {
	sv, ok := services[svc.Code]
	if !ok {
		return module.NotServed(domain.T("civil registration has no rules for this service yet.", "ഈ സേവനത്തിനുള്ള ചട്ടങ്ങൾ സിവിൽ രജിസ്ട്രേഷനിൽ ഇതുവരെ ഇല്ല."))
	}
	var problems []string
	if !slices.Contains([]string{catalogue.FeeNone, catalogue.FeeFlat, catalogue.FeeBands}, svc.Fee.Kind) {
		problems = append(problems, fmt.Sprintf("its fee is %q, but civil reckons only none, flat or delay bands", svc.Fee.Kind))
	}
	if svc.Fee.Kind == catalogue.FeeBands && sv.action != actRegister && sv.action != actIncludeName {
		problems = append(problems, "its fee is in delay bands, but civil counts a delay only for a registration or a name inclusion")
	}
	if want := issues(sv); svc.Issues != want {
		problems = append(problems, fmt.Sprintf("it issues %q, but civil issues a %s for it", svc.Issues, want))
	}
	if len(problems) > 0 {
		return fmt.Errorf("service %s: %s", svc.Code, strings.Join(problems, "; "))
	}
	return nil
}

// entryHit is how a register entry found by a search reads.
func entryHit(tx *store.Tx, id string) (module.Hit, bool, error) {
	e, err := getEntry(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return module.Hit{}, false, nil
	}
	if err != nil {
		return module.Hit{}, false, err
	}
	return module.Hit{Type: "register", Kind: e.Kind, KindName: KindName(e.Kind), Number: e.Number, Title: e.Person(),
		Date: e.EventDate, Ward: e.Ward, Link: "/office/registers/entry?number=" + url.QueryEscape(e.Number)}, true, nil
}

// The figures civil counts: every entry held (figRegistrations), and each
// register's entries in all and by month of registration (FigureKey).
const figRegistrations = "registrations"

// FigureKey is the key of a register kind's figures.
func FigureKey(kind string) string { return figRegistrations + "." + kind }

// countRegistrations counts the registers' entries. Entry ids are
// "<kind>/<year>/<seq>" (the year of registration), so only the entries of
// the years the months reach are read; the rest are only counted.
func countRegistrations(tx *store.Tx, t *module.Tally) error {
	t.Add(figRegistrations, tx.Count(entityEntry))
	firstYear := t.FirstYear()
	for _, kind := range Kinds {
		n := 0
		err := tx.Scan(entityEntry, store.ScanOptions{Prefix: kind + "/"}, func(id string, raw []byte) error {
			n++
			if year := yearOfEntryID(id); year != 0 && year < firstYear-1 {
				return nil
			}
			var e struct {
				Registered time.Time `json:"registered"`
			}
			if err := json.Unmarshal(raw, &e); err != nil {
				return fmt.Errorf("register entry %s: %w", id, err)
			}
			t.AddMonthly(FigureKey(kind), e.Registered)
			return nil
		})
		if err != nil {
			return err
		}
		if n > 0 {
			t.Add(FigureKey(kind), n)
		}
	}
	return nil
}

// yearOfEntryID returns the year in a register entry's id
// ("birth/2026/000012"), or 0.
func yearOfEntryID(id string) int {
	parts := strings.Split(id, "/")
	if len(parts) != 3 {
		return 0
	}
	year, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0
	}
	return year
}
