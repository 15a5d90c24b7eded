package catalogue

import (
	"maps"
	"slices"
	"strings"

	"ksmart/appliance/domain"
)

// Catalogue is a checked, read-only set of services. It is safe for
// concurrent use.
type Catalogue struct {
	services []Service      // sorted by module (in Modules order), then code
	byCode   map[string]int // code -> index in services
	// notOffered are the services no module serves, with why (see Offer).
	notOffered map[string]domain.Text
}

func newCatalogue(services []Service) *Catalogue {
	slices.SortFunc(services, func(a, b Service) int {
		if d := moduleRank(a.Module) - moduleRank(b.Module); d != 0 {
			return d
		}
		return strings.Compare(a.Code, b.Code)
	})
	c := &Catalogue{services: services, byCode: make(map[string]int, len(services))}
	for i, s := range services {
		c.byCode[s.Code] = i
	}
	return c
}

// Get returns the service with the given code.
func (c *Catalogue) Get(code string) (Service, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Service{}, false
	}
	return c.services[i], true
}

// All returns every service, sorted by module in the order Modules lists
// them, then by code.
func (c *Catalogue) All() []Service {
	return slices.Clone(c.services)
}

// ByModule returns module m's services sorted by code; none for an unknown
// module.
func (c *Catalogue) ByModule(m string) []Service {
	var out []Service
	for _, s := range c.services {
		if s.Module == m {
			out = append(out, s)
		}
	}
	return out
}

// Len returns the number of services.
func (c *Catalogue) Len() int { return len(c.services) }

// Offer returns the catalogue with the services in notOffered marked as
// not offered, each with the reason people are told: a service that no
// module of the node serves is listed, so people learn it is coming, but
// nobody can apply for it. The catalogue itself is not changed.
func (c *Catalogue) Offer(notOffered map[string]domain.Text) *Catalogue {
	out := *c
	out.notOffered = maps.Clone(notOffered)
	return &out
}

// Offered returns nil when the service may be applied for, else an
// EUNAVAILABLE error that says, in both languages, that it is not yet
// available and why.
func (c *Catalogue) Offered(code string) error {
	why, no := c.notOffered[code]
	if !no {
		return nil
	}
	return domain.Bilingual(domain.EUNAVAILABLE, domain.T(
		"This service is not yet available in ksmart: "+why.En+" Until it is, ask at the office how to apply.",
		"ഈ സേവനം ksmart-ൽ ഇതുവരെ ലഭ്യമല്ല: "+why.Ml+" അതുവരെ എങ്ങനെ അപേക്ഷിക്കാമെന്ന് ഓഫീസിൽ അന്വേഷിക്കുക."))
}

// Available reports whether the service may be applied for.
func (c *Catalogue) Available(code string) bool {
	_, no := c.notOffered[code]
	return !no
}

// NotOfferedReason is why a service is not offered, or false when it is.
func (c *Catalogue) NotOfferedReason(code string) (domain.Text, bool) {
	why, no := c.notOffered[code]
	return why, no
}

// OfferedCount is how many services may be applied for.
func (c *Catalogue) OfferedCount() int { return len(c.services) - len(c.notOffered) }
