package module

import (
	"sort"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Figures are what the state view counts of a module in each local body's
// records, and how it shows them. Counts and monthly series from every
// module of a body go into one Tally, keyed by names the module chooses
// (prefixed with its name where another module could choose the same);
// tallies of several bodies add up key by key.
type Figures struct {
	// Count fills the module's part of a body's tally from the body's
	// current documents (a state mirror's store, or a node's own).
	Count func(tx *store.Tx, t *Tally) error
	// Counter is Count's incremental form, which the state keeps as it
	// applies each write (counter.go); nil when the module has none.
	Counter *Counter
	// Headlines are the figures shown for every body, district and the
	// state, in the order given.
	Headlines []Headline
	// Charts are the module's charts, in the order given.
	Charts []Chart
}

// Headline is one figure shown in tables and cards: a count, or a rate of
// one count over another.
type Headline struct {
	Name domain.Text
	// Key is the count shown; with Of, the share Key/Of is shown instead,
	// as a percentage.
	Key, Of string
}

// Chart is one chart over the tally's months: bars (stacked, one series
// each) or a rate per month.
type Chart struct {
	ID          string // the element's id on the page
	Title       domain.Text
	Description domain.Text // what it shows, for people who cannot see it
	// Bars are stacked monthly series.
	Bars []Series
	// Rate, when set, draws Rate.Key over Rate.Of per month as a line.
	Rate *Headline
}

// Series is one monthly series of a chart.
type Series struct {
	Key   string
	Name  domain.Text
	Class string // the CSS class that colours it
}

// Months is how many months of history a tally keeps.
const Months = 24

// Tally is one body's (or, added up, a district's or the state's) counts
// and monthly series. A month is a calendar month in Indian Standard Time;
// Months runs oldest first and ends with the month of At.
type Tally struct {
	Months  []string         `json:"months"` // "2026-01"
	Counts  map[string]int   `json:"counts"`
	Monthly map[string][]int `json:"monthly"`
	// At is when the tally was counted, for figures that depend on it
	// (overdue files).
	At time.Time `json:"computed_at"`
}

// NewTally returns an empty tally of the Months months up to and
// including at's.
func NewTally(at time.Time) *Tally {
	t := &Tally{Counts: map[string]int{}, Monthly: map[string][]int{}, At: at}
	ist := at.In(domain.IST)
	first := time.Date(ist.Year(), ist.Month(), 1, 0, 0, 0, 0, domain.IST).AddDate(0, -(Months - 1), 0)
	for i := range Months {
		t.Months = append(t.Months, first.AddDate(0, i, 0).Format("2006-01"))
	}
	return t
}

// Month returns the index of at's month in t.Months, or -1 when it is
// outside them.
func (t *Tally) Month(at time.Time) int {
	if at.IsZero() {
		return -1
	}
	m := at.In(domain.IST).Format("2006-01")
	i := sort.SearchStrings(t.Months, m)
	if i < len(t.Months) && t.Months[i] == m {
		return i
	}
	return -1
}

// FirstYear is the calendar year of the first month, for counts that can
// skip records older than it.
func (t *Tally) FirstYear() int {
	y, _ := time.Parse("2006-01", t.Months[0])
	return y.Year()
}

// Add adds n to the count key.
func (t *Tally) Add(key string, n int) { t.Counts[key] += n }

// AddMonthly adds one to key's series in at's month, when at is among the
// months.
func (t *Tally) AddMonthly(key string, at time.Time) {
	i := t.Month(at)
	if i < 0 {
		return
	}
	s := t.Monthly[key]
	if s == nil {
		s = make([]int, len(t.Months))
		t.Monthly[key] = s
	}
	s[i]++
}

// Series returns key's monthly series, zeros when it has none.
func (t *Tally) Series(key string) []int {
	if s, ok := t.Monthly[key]; ok {
		return s
	}
	return make([]int, len(t.Months))
}

// Rate returns key over of, or nil when of is zero.
func (t *Tally) Rate(key, of string) *float64 { return rate(t.Counts[key], t.Counts[of]) }

// Rates returns key over of for each month (nil for a month without any).
func (t *Tally) Rates(key, of string) []*float64 {
	n, d := t.Series(key), t.Series(of)
	out := make([]*float64, len(t.Months))
	for i := range out {
		out[i] = rate(n[i], d[i])
	}
	return out
}

func rate(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}

// AddTally adds u's counts and series into t (of the same months).
func (t *Tally) AddTally(u *Tally) {
	for k, n := range u.Counts {
		t.Counts[k] += n
	}
	for k, s := range u.Monthly {
		dst := t.Monthly[k]
		if dst == nil {
			dst = make([]int, len(t.Months))
			t.Monthly[k] = dst
		}
		for i := range min(len(dst), len(s)) {
			dst[i] += s[i]
		}
	}
}
