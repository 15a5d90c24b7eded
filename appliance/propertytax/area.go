package propertytax

import (
	"fmt"
	"strconv"
	"strings"
)

// Area is an area in hundredths of a square metre, so that 60 m² and
// 60.01 m² (either side of the small-house exemption) are exact: areas are
// never floats here, as money is not.
type Area int64

// SquareMetres returns n whole square metres.
func SquareMetres(n int64) Area { return Area(n * 100) }

// ParseArea reads an area in square metres as people write it: "85",
// "85.5", "85.25". More than two decimals, a sign or anything else is
// refused.
func ParseArea(s string) (Area, error) {
	s = strings.TrimSpace(s)
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (dot && frac == "") || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("%q is not an area in square metres with at most two decimals (e.g. 85.25)", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 10_000_000 {
		return 0, fmt.Errorf("%q is not an area in square metres with at most two decimals (e.g. 85.25)", s)
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, fmt.Errorf("%q is not an area in square metres with at most two decimals (e.g. 85.25)", s)
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return Area(w*100 + f), nil
}

// Decimal is the area in square metres as a decimal, without trailing
// zeros: "85", "85.5", "85.25".
func (a Area) Decimal() string {
	s := fmt.Sprintf("%d.%02d", a/100, a%100)
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "0"), "0"), ".")
}

// String is the area for people: "85.25 m²".
func (a Area) String() string { return a.Decimal() + " m²" }

// MarshalJSON writes the area as a JSON number of square metres.
func (a Area) MarshalJSON() ([]byte, error) { return []byte(a.Decimal()), nil }

// UnmarshalJSON reads a JSON number of square metres.
func (a *Area) UnmarshalJSON(b []byte) error {
	v, err := ParseArea(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
