package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Paise is an amount of money in integer paise (1 rupee = 100 paise). Money is
// never a float.
type Paise int64

// Rupees returns n rupees in paise.
func Rupees(n int64) Paise { return Paise(n * 100) }

// String formats the amount the Indian way: "₹1,23,456.50".
func (p Paise) String() string {
	neg := p < 0
	if neg {
		p = -p
	}
	rupees := strconv.FormatInt(int64(p)/100, 10)
	// Indian grouping: last three digits, then groups of two.
	var groups []string
	if len(rupees) > 3 {
		head, tail := rupees[:len(rupees)-3], rupees[len(rupees)-3:]
		for len(head) > 2 {
			groups = append([]string{head[len(head)-2:]}, groups...)
			head = head[:len(head)-2]
		}
		groups = append([]string{head}, groups...)
		groups = append(groups, tail)
		rupees = strings.Join(groups, ",")
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return fmt.Sprintf("%s₹%s.%02d", sign, rupees, int64(p)%100)
}
