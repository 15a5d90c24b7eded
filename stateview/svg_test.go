package stateview

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/module"
)

// axisText is an axis label as drawn: where it is anchored and what it says.
var axisText = regexp.MustCompile(`<text class="axis" x="([-\d.]+)" y="([-\d.]+)" text-anchor="(\w+)">([^<]*)</text>`)

type box struct {
	text                     string
	left, right, top, bottom float64
}

// labelBoxes are the boxes an SVG's axis labels take, each as wide as its
// characters can be (textWidth) and a font size high above its baseline.
func labelBoxes(t *testing.T, svg string) []box {
	t.Helper()
	var out []box
	for _, m := range axisText.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		text := m[4]
		w := textWidth(text)
		b := box{text: text, top: y - axisFont, bottom: y}
		switch m[3] {
		case "start":
			b.left, b.right = x, x+w
		case "end":
			b.left, b.right = x-w, x
		default:
			b.left, b.right = x-w/2, x+w/2
		}
		out = append(out, b)
	}
	return out
}

func monthsUpTo(n int, last time.Time) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = last.AddDate(0, i-n+1, 0).Format("2006-01")
	}
	return out
}

// TestCharts_AxisLabelsNeverOverlapNorLeaveTheChart: for 1 to 24 months,
// small and crore-sized values, and a title with the longest district
// name, no two axis labels of a bar or rate chart overlap, each stays
// inside the chart, and the last month is always named.
func TestCharts_AxisLabelsNeverOverlapNorLeaveTheChart(t *testing.T) {
	where := domain.T("Thiruvananthapuram Municipal Corporation, Thiruvananthapuram district", "തിരുവനന്തപുരം മുനിസിപ്പൽ കോർപ്പറേഷൻ, തിരുവനന്തപുരം ജില്ല")
	last := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1, 2, 7, 12, 13, module.Months} {
		for _, top := range []int{3, 999, 87_654, 7_65_432, 4_32_10_987} {
			months := monthsUpTo(n, last)
			values, of := make([]int, n), make([]int, n)
			for i := range values {
				values[i], of[i] = top*(i+1)/n, top
			}
			charts := map[string]string{
				"bar":  string(barChart("c", where, where, months, []chartSeries{{Name: where, Values: values, Class: "a"}, {Name: where, Values: values, Class: "b"}})),
				"rate": string(rateChart("r", where, where, module.Headline{Name: where}, months, values, of)),
			}
			for kind, svg := range charts {
				name := fmt.Sprintf("%s chart, %d months up to %d", kind, n, top)
				boxes := labelBoxes(t, svg)
				if len(boxes) < 4 {
					t.Fatalf("%s: %d labels drawn", name, len(boxes))
				}
				named := false
				for i, a := range boxes {
					named = named || a.text == monthName(months[n-1]).En
					if a.left < 0 || a.right > chartW || a.top < 0 || a.bottom > chartH {
						t.Errorf("%s: label %q at [%.0f, %.0f]×[%.0f, %.0f] leaves the %d×%d chart", name, a.text, a.left, a.right, a.top, a.bottom, chartW, chartH)
					}
					for _, b := range boxes[i+1:] {
						if a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom {
							t.Errorf("%s: labels %q [%.0f, %.0f] and %q [%.0f, %.0f] overlap", name, a.text, a.left, a.right, b.text, b.left, b.right)
						}
					}
				}
				if !named {
					t.Errorf("%s: the last month %s is not named", name, monthName(months[n-1]).En)
				}
			}
		}
	}
}
