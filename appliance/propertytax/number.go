package propertytax

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A building number is the ward and the door number, with a letter for a
// sub-number (a flat, a shop in a row): "12/345", "12/345A". Its id in the
// store is the same, zero-padded so that a ward's buildings list in order:
// "012-000345A".

var numberPattern = regexp.MustCompile(`^\s*(\d{1,3})\s*/\s*(\d{1,6})\s*([A-Za-z]{0,2})\s*$`)

// Number is a parsed building number.
type Number struct {
	Ward int
	Door int
	Sub  string // "" or capital letters
}

// ParseNumber reads a building number.
func ParseNumber(s string) (Number, error) {
	m := numberPattern.FindStringSubmatch(s)
	if m == nil {
		return Number{}, fmt.Errorf("%q is not a building number: write the ward, a slash and the door number, with a letter for a sub-number (e.g. 12/345 or 12/345A)", s)
	}
	ward, _ := strconv.Atoi(m[1])
	door, _ := strconv.Atoi(m[2])
	if ward == 0 || door == 0 {
		return Number{}, fmt.Errorf("%q is not a building number: ward and door numbers start at 1", s)
	}
	return Number{Ward: ward, Door: door, Sub: strings.ToUpper(m[3])}, nil
}

// String is the number as printed: "12/345A".
func (n Number) String() string { return fmt.Sprintf("%d/%d%s", n.Ward, n.Door, n.Sub) }

// ID is the building's id in the store.
func (n Number) ID() string { return fmt.Sprintf("%03d-%06d%s", n.Ward, n.Door, n.Sub) }

// wardPrefix is the id prefix of a ward's buildings.
func wardPrefix(ward int) string { return fmt.Sprintf("%03d-", ward) }
