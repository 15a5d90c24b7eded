package stateview

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/appliance/module"
)

// Charts of the state view, drawn on the server as inline SVG: no
// JavaScript, readable without CSS. Each chart is a figure with a title
// and a description the SVG is labelled by, a <title> on every bar and
// point (a tooltip, and what a screen reader says for it), and the same
// numbers as a table in a <details> below it.

// chartSeries is one series of a chart: a name and a value per month.
type chartSeries struct {
	Name   domain.Text
	Values []int
	Class  string // CSS class of its bars (its colour)
}

const (
	chartW, chartH         = 720, 220
	chartLeft, chartRight  = 52, 8
	chartTop, chartBottom  = 12, 28
	plotW                  = chartW - chartLeft - chartRight
	plotH                  = chartH - chartTop - chartBottom
	percentFormat          = "%.0f%%"
	chartTableSummaryEn    = "The numbers as a table"
	chartTableSummaryMl    = "അക്കങ്ങൾ പട്ടികയായി"
	chartNoDataEn          = "none"
	chartNoDataMl          = "ഇല്ല"
	chartValueAxisLabelPad = 6
	// axisFont is the axis labels' font size (svg .axis in layout.html),
	// in the chart's units; axisCharEm bounds the width of one of their
	// characters, in ems (Noto Sans digits are 0.57 em, its widest capitals
	// about 0.65), so that labels laid out by it never touch.
	axisFont   = 11
	axisCharEm = 0.65
	// axisGap is the least space between two labels.
	axisGap = 6
)

// textWidth is the most an axis label can take across.
func textWidth(s string) float64 {
	return float64(utf8.RuneCountInString(s)) * axisFont * axisCharEm
}

// axisNumber writes a value axis's number short enough for the margin:
// Indian grouping up to 99,999, then lakhs (L) and crores (Cr).
func axisNumber(v int) string {
	short := func(v, unit int, name string) string {
		if v%unit == 0 {
			return strconv.Itoa(v/unit) + " " + name
		}
		return strconv.FormatFloat(float64(v)/float64(unit), 'f', 1, 64) + " " + name
	}
	switch {
	case v >= 1_00_00_000:
		return short(v, 1_00_00_000, "Cr")
	case v >= 1_00_000:
		return short(v, 1_00_000, "L")
	}
	return indianNumber(v)
}

var (
	monthsEn = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	monthsMl = [...]string{"ജനു", "ഫെബ്രു", "മാർ", "ഏപ്രി", "മേയ്", "ജൂൺ", "ജൂലൈ", "ഓഗ", "സെപ്റ്റ", "ഒക്ടോ", "നവം", "ഡിസം"}
)

// monthName names a "2026-01" month in both languages.
func monthName(m string) domain.Text {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return domain.Text{En: m, Ml: m}
	}
	y := strconv.Itoa(t.Year())
	return domain.Text{En: monthsEn[t.Month()-1] + " " + y, Ml: monthsMl[t.Month()-1] + " " + y}
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// both writes a bilingual text for an SVG <title> or a label.
func both(t domain.Text) string {
	if t.Ml == "" || t.Ml == t.En {
		return t.En
	}
	return t.En + " / " + t.Ml
}

// niceMax rounds a chart's largest value up to 1, 2 or 5 times a power of
// ten, so the axis reads well.
func niceMax(v int) int {
	if v <= 0 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
}

// barChart draws one bar per month; with several series the bars are
// stacked. Every month is a <g class="bar"> with a <title> giving its
// numbers, even a month of zero (which draws no rectangle).
func barChart(id string, title, desc domain.Text, months []string, series []chartSeries) template.HTML {
	top := 0
	for i := range months {
		sum := 0
		for _, s := range series {
			sum += s.Values[i]
		}
		top = max(top, sum)
	}
	if top = niceMax(top); top%2 == 1 {
		top++ // so that the middle grid line is a whole number
	}
	var b strings.Builder
	openChart(&b, id, title, desc)
	axis(&b, func(f float64) string { return axisNumber(int(f*float64(top) + 0.5)) })
	slot := float64(plotW) / float64(len(months))
	barW := slot * 0.7
	for i, m := range months {
		x := chartLeft + slot*float64(i) + (slot-barW)/2
		var parts []string
		sum := 0
		for _, s := range series {
			sum += s.Values[i]
			if len(series) > 1 {
				parts = append(parts, fmt.Sprintf("%s %d", both(s.Name), s.Values[i]))
			}
		}
		label := fmt.Sprintf("%s: %d", both(monthName(m)), sum)
		if len(parts) > 0 {
			label += " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(&b, `<g class="bar"><title>%s</title>`, esc(label))
		y := float64(chartTop + plotH)
		for _, s := range series {
			v := s.Values[i]
			if v == 0 {
				continue
			}
			h := float64(v) / float64(top) * plotH
			y -= h
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`, esc(s.Class), x, y, barW, h)
		}
		b.WriteString(`</g>`)
	}
	monthLabels(&b, months, slot)
	b.WriteString(`</svg>`)
	if len(series) > 1 {
		legend(&b, series)
	}
	// The table: a row per month, a column per series (and the total).
	b.WriteString(`<details class="data"><summary>` + chartTableSummaryEn + ` <span lang="ml">` + chartTableSummaryMl + `</span></summary><table><caption>` + esc(both(title)) + `</caption><thead><tr><th scope="col">Month <span lang="ml">മാസം</span></th>`)
	for _, s := range series {
		b.WriteString(`<th scope="col">` + esc(both(s.Name)) + `</th>`)
	}
	if len(series) > 1 {
		b.WriteString(`<th scope="col">Total <span lang="ml">ആകെ</span></th>`)
	}
	b.WriteString(`</tr></thead><tbody>`)
	for i, m := range months {
		b.WriteString(`<tr><th scope="row">` + esc(both(monthName(m))) + `</th>`)
		sum := 0
		for _, s := range series {
			sum += s.Values[i]
			fmt.Fprintf(&b, `<td>%d</td>`, s.Values[i])
		}
		if len(series) > 1 {
			fmt.Fprintf(&b, `<td>%d</td>`, sum)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></details></figure>`)
	return template.HTML(b.String())
}

// rateChart draws the monthly rates of h (h.Key over h.Of, whose monthly
// series are n and of) as a line with a point per month that has one; a
// month without a rate (of zero) breaks the line.
func rateChart(id string, title, desc domain.Text, h module.Headline, months []string, n, of []int) template.HTML {
	rates := make([]*float64, len(months))
	for i := range months {
		if of[i] > 0 {
			r := float64(n[i]) / float64(of[i])
			rates[i] = &r
		}
	}
	var b strings.Builder
	openChart(&b, id, title, desc)
	axis(&b, func(f float64) string { return fmt.Sprintf(percentFormat, f*100) })
	slot := float64(plotW) / float64(len(months))
	var line []string
	flush := func() {
		if len(line) > 1 {
			b.WriteString(`<polyline class="rate" points="` + strings.Join(line, " ") + `"></polyline>`)
		}
		line = nil
	}
	type point struct {
		x, y  float64
		label string
	}
	var points []point
	for i, m := range months {
		x := chartLeft + slot*float64(i) + slot/2
		if rates[i] == nil {
			flush()
			continue
		}
		y := chartTop + plotH - *rates[i]*plotH
		line = append(line, fmt.Sprintf("%.1f,%.1f", x, y))
		points = append(points, point{x, y, fmt.Sprintf("%s: %s "+percentFormat+" (%d / %d)", both(monthName(m)), both(h.Name), *rates[i]*100, n[i], of[i])})
	}
	flush()
	for _, p := range points {
		fmt.Fprintf(&b, `<g class="point"><title>%s</title><circle cx="%.1f" cy="%.1f" r="4"></circle></g>`, esc(p.label), p.x, p.y)
	}
	monthLabels(&b, months, slot)
	b.WriteString(`</svg>`)
	b.WriteString(`<details class="data"><summary>` + chartTableSummaryEn + ` <span lang="ml">` + chartTableSummaryMl + `</span></summary><table><caption>` + esc(both(title)) + `</caption><thead><tr><th scope="col">Month <span lang="ml">മാസം</span></th><th scope="col">` + esc(both(h.Name)) + `</th><th scope="col">Counts <span lang="ml">എണ്ണം</span></th></tr></thead><tbody>`)
	for i, m := range months {
		r := chartNoDataEn + ` <span lang="ml">` + chartNoDataMl + `</span>`
		if rates[i] != nil {
			r = fmt.Sprintf(percentFormat, *rates[i]*100)
		}
		fmt.Fprintf(&b, `<tr><th scope="row">%s</th><td>%s</td><td>%d / %d</td></tr>`, esc(both(monthName(m))), r, n[i], of[i])
	}
	b.WriteString(`</tbody></table></details></figure>`)
	return template.HTML(b.String())
}

// openChart starts a chart's figure and SVG, labelled by its title and
// description.
func openChart(b *strings.Builder, id string, title, desc domain.Text) {
	id = esc(id)
	fmt.Fprintf(b, `<figure class="chart" id="%s"><figcaption id="%s-title">%s <span lang="ml">%s</span></figcaption>`, id, id, esc(title.En), esc(title.Ml))
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-svgtitle %s-desc" focusable="false">`, chartW, chartH, id, id)
	fmt.Fprintf(b, `<title id="%s-svgtitle">%s</title><desc id="%s-desc">%s</desc>`, id, esc(both(title)), id, esc(both(desc)))
}

// axis draws the value axis's grid lines at 0, ½ and 1 of the top.
func axis(b *strings.Builder, label func(float64) string) {
	for _, f := range []float64{0, 0.5, 1} {
		y := chartTop + plotH - f*plotH
		fmt.Fprintf(b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"></line>`, chartLeft, chartW-chartRight, y, y)
		fmt.Fprintf(b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-chartValueAxisLabelPad, y+4, esc(label(f)))
	}
}

// monthLabels names months under the plot: the last, and every step-th
// before it, step the fewest months whose labels do not touch (so 24
// months of "Sep 2026" are not a smudge); a label that would touch the
// last is left out.
func monthLabels(b *strings.Builder, months []string, slot float64) {
	widest := 0.0
	for _, m := range months {
		widest = max(widest, textWidth(monthName(m).En))
	}
	step := max(1, int(math.Ceil((widest+axisGap)/slot)))
	type label struct {
		x, left, right float64
		anchor, text   string
	}
	var labels []label
	for i, m := range months {
		last := i == len(months)-1
		if i%step != 0 && !last {
			continue
		}
		text := monthName(m).En
		w := textWidth(text)
		l := label{x: chartLeft + slot*float64(i) + slot/2, anchor: "middle", text: text}
		l.left, l.right = l.x-w/2, l.x+w/2
		if l.left < 0 {
			l.x, l.anchor, l.left, l.right = 0, "start", 0, w
		}
		if last && l.right > chartW {
			l.x, l.anchor, l.left, l.right = chartW-chartRight, "end", chartW-chartRight-w, chartW-chartRight
		}
		for last && len(labels) > 0 && labels[len(labels)-1].right+axisGap > l.left {
			labels = labels[:len(labels)-1]
		}
		labels = append(labels, l)
	}
	for _, l := range labels {
		fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%d" text-anchor="%s">%s</text>`, l.x, chartH-8, l.anchor, esc(l.text))
	}
}

// legend names a stacked chart's series by their colour.
func legend(b *strings.Builder, series []chartSeries) {
	b.WriteString(`<ul class="legend">`)
	for _, s := range series {
		fmt.Fprintf(b, `<li><span class="swatch %s" aria-hidden="true"></span>%s <span lang="ml">%s</span></li>`, esc(s.Class), esc(s.Name.En), esc(s.Name.Ml))
	}
	b.WriteString(`</ul>`)
}
