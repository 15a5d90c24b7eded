package propertytax

import (
	"fmt"
	"strings"
)

// ParseCouncilRules reads a council's own rules file (serve --property-tax
// FILE, rates.json's form) for a kind of local body, as ParseRules does,
// and names every problem on one line, separated by semicolons: the
// message that stops the start must fit the one line a command prints.
func ParseCouncilRules(data []byte, kind string) (*Rules, error) {
	r, err := ParseRules(data, kind)
	if err == nil {
		return r, nil
	}
	var problems []string
	for _, p := range strings.Split(strings.TrimPrefix(err.Error(), "property tax rules:"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			problems = append(problems, p)
		}
	}
	return nil, fmt.Errorf("the council's property tax settings (serve --property-tax FILE) cannot be used, so ksmart will not start: %s (see examples/property-tax.json)", strings.Join(problems, "; "))
}
