package domain

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Kinds of local body in Kerala.
const (
	KindCorporation    = "corporation"
	KindMunicipality   = "municipality"
	KindGramaPanchayat = "grama_panchayat"
)

// Ward is one electoral ward of a local body.
type Ward struct {
	Number int  `json:"number"`
	Name   Text `json:"name"`
	// Boundary is the ward's boundary as a GeoJSON geometry (a Polygon or
	// MultiPolygon in longitude, latitude order), or empty when the body
	// has not drawn it. Package grievance reads it to place a reported
	// point in its ward; it is kept here, as given, so the identity file
	// stays the one place a local body describes itself.
	Boundary json.RawMessage `json:"boundary,omitempty"`
}

// LocalBody is the identity of the local body an appliance serves. It is set
// once, at first start, and kept in the store.
type LocalBody struct {
	Code     string `json:"code"` // short code used in numbers, e.g. "M0701"
	Name     Text   `json:"name"`
	Kind     string `json:"kind"`
	District Text   `json:"district"`
	Wards    []Ward `json:"wards"`
}

var localBodyCode = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,11}$`)

// Validate lists every problem with the identity at once.
func (lb LocalBody) Validate() error {
	var problems []string
	if !localBodyCode.MatchString(lb.Code) {
		problems = append(problems, "code must be 2-12 capital letters or digits, starting with a letter (e.g. M0701)")
	}
	if strings.TrimSpace(lb.Name.En) == "" || strings.TrimSpace(lb.Name.Ml) == "" {
		problems = append(problems, "name is needed in both English and Malayalam")
	}
	switch lb.Kind {
	case KindCorporation, KindMunicipality, KindGramaPanchayat:
	default:
		problems = append(problems, "kind must be corporation, municipality or grama_panchayat")
	}
	if strings.TrimSpace(lb.District.En) == "" {
		problems = append(problems, "district is needed")
	}
	if len(lb.Wards) == 0 {
		problems = append(problems, "at least one ward is needed")
	}
	seen := map[int]bool{}
	for _, w := range lb.Wards {
		if w.Number <= 0 || seen[w.Number] {
			problems = append(problems, "ward numbers must be positive and distinct")
			break
		}
		seen[w.Number] = true
	}
	if len(problems) > 0 {
		return Errorf(EINVALID, "local body identity: %s", strings.Join(problems, "; "))
	}
	return nil
}

// HasWard reports whether n is one of the local body's wards.
func (lb LocalBody) HasWard(n int) bool {
	for _, w := range lb.Wards {
		if w.Number == n {
			return true
		}
	}
	return false
}
