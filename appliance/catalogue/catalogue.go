package catalogue

import (
	"slices"
	"strings"
)

// Catalogue is a checked, read-only set of services. It is safe for
// concurrent use.
type Catalogue struct {
	services []Service      // sorted by module (in Modules order), then code
	byCode   map[string]int // code -> index in services
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
