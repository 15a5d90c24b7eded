package module

import (
	"math"
	"sort"
	"strconv"
	"time"

	"ksmart/appliance/domain"
)

// Counter is the incremental form of Figures.Count: what the state keeps
// of a body's figures as it applies each write, instead of counting the
// body's documents again. Each document of Entities is kept as a small
// projection (Keep) in a group; a group's documents contribute sums
// (Part); the sums of every group of a body are added up as writes arrive
// (an update subtracts the group's old contribution and adds its new);
// and Read turns the sums into the module's part of a Tally at the
// tally's time. So a figure that changes with time alone (files falling
// overdue) is kept as sums by the time that decides it (a histogram of
// due times) and reckoned at Read.
//
// The contract, which the state's equivalence test holds every module
// to: for any store, Read over the sums of Part over the groups of Keep
// over the store's documents fills a tally exactly as Count does, counts
// of zero and absent keys alike.
type Counter struct {
	// Version is the version of Keep's and Part's rules: raise it when
	// either changes what it keeps or contributes, and the state counts
	// every body again from its log (sums of two rules do not add up).
	Version int
	// Entities are the entities whose documents count.
	Entities []string
	// Keep returns the group a document is reckoned in ("" when it does
	// not count) and the projection of it that the group's Part reads;
	// doc is never nil. A group is usually the document itself
	// (OwnGroup); documents that count only together (an index entry and
	// the demand it names) share one.
	Keep func(entity, id string, doc []byte) (group string, kept []byte, err error)
	// Part adds to c what one group contributes, from what Keep kept of
	// each of its documents (at least one). It must depend on nothing
	// else: it is run again on the same projections to take the old
	// contribution away.
	Part func(group string, kept []Kept, c *Contribution) error
	// Read fills the module's part of t from the sums of every group's
	// contribution, at t.At.
	Read func(s *Sums, t *Tally)
}

// Kept is what a Counter's Keep kept of one document.
type Kept struct {
	Entity, ID string
	Data       []byte
}

// OwnGroup is the group of a document counted on its own.
func OwnGroup(entity, id string) string { return entity + "/" + id }

// Contribution is what one group adds to a body's sums: numbers under a
// name and a sub-key (a month, a due time, "" for a plain count), and
// members of named sets whose size is counted (Member).
type Contribution struct {
	Sums    map[SumKey]int64
	Members map[SumKey]bool // (set name, member)
}

// SumKey names one sum: a name and a sub-key.
type SumKey struct{ Name, Sub string }

// Add adds n to the sum name (a plain count).
func (c *Contribution) Add(name string, n int64) { c.AddSub(name, "", n) }

// AddSub adds n to the sum of name and sub.
func (c *Contribution) AddSub(name, sub string, n int64) {
	if c.Sums == nil {
		c.Sums = map[SumKey]int64{}
	}
	c.Sums[SumKey{name, sub}] += n
}

// AddMonth adds one to name's count of at's month (IST); nothing for a
// zero time, which no month holds.
func (c *Contribution) AddMonth(name string, at time.Time) {
	if !at.IsZero() {
		c.AddSub(name, MonthOf(at), 1)
	}
}

// AddTime adds n to name's histogram at the instant at (see Sums.Before).
func (c *Contribution) AddTime(name string, at time.Time, n int64) {
	c.AddSub(name, strconv.FormatInt(nanos(at), 10), n)
}

// nanos is at in nanoseconds since 1970, held to what an int64 holds (a
// zero time is long before any other).
func nanos(at time.Time) int64 {
	switch {
	case at.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case at.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return at.UnixNano()
}

// Member counts member in the set name: Sums.Get(name, "") is the number
// of distinct members any group holds.
func (c *Contribution) Member(name, member string) {
	if c.Members == nil {
		c.Members = map[SumKey]bool{}
	}
	c.Members[SumKey{name, member}] = true
}

// MonthOf is the calendar month (IST) a sum keeps at's count under:
// "2026-01".
func MonthOf(at time.Time) string { return at.In(domain.IST).Format("2006-01") }

// Sums are a body's (or several bodies') sums of every group's
// contribution, by name and sub-key. A sum that comes back to zero is
// removed.
type Sums struct {
	m map[string]map[string]int64
}

// NewSums returns empty sums.
func NewSums() *Sums { return &Sums{m: map[string]map[string]int64{}} }

// Get returns the sum of name and sub (0 when there is none).
func (s *Sums) Get(name, sub string) int64 { return s.m[name][sub] }

// Each calls fn with each sub-key of name and its sum, in sub-key order.
func (s *Sums) Each(name string, fn func(sub string, n int64)) {
	subs := make([]string, 0, len(s.m[name]))
	for sub := range s.m[name] {
		subs = append(subs, sub)
	}
	sort.Strings(subs)
	for _, sub := range subs {
		fn(sub, s.m[name][sub])
	}
}

// Before returns the total of name's histogram (AddTime) at instants
// strictly before at: what is overdue at at, for a histogram of due
// times (now.After(due)).
func (s *Sums) Before(name string, at time.Time) int64 {
	var n int64
	now := nanos(at)
	for sub, v := range s.m[name] {
		if due, err := strconv.ParseInt(sub, 10, 64); err == nil && due < now {
			n += v
		}
	}
	return n
}

// AddTo adds n to the sum of name and sub, removing it at zero.
func (s *Sums) AddTo(name, sub string, n int64) {
	if n == 0 {
		return
	}
	m := s.m[name]
	if m == nil {
		m = map[string]int64{}
		s.m[name] = m
	}
	if m[sub] += n; m[sub] == 0 {
		delete(m, sub)
		if len(m) == 0 {
			delete(s.m, name)
		}
	}
}

// Len returns how many sums there are.
func (s *Sums) Len() int {
	n := 0
	for _, m := range s.m {
		n += len(m)
	}
	return n
}

// EachSum calls fn with every sum, in no order.
func (s *Sums) EachSum(fn func(name, sub string, n int64)) {
	for name, m := range s.m {
		for sub, n := range m {
			fn(name, sub, n)
		}
	}
}

// AddMonths adds the monthly series key from name's monthly sums
// (Contribution.AddMonth) over the tally's months, as AddMonthly would
// have one by one: the series appears only when a month in reach has a
// count.
func (t *Tally) AddMonths(key string, s *Sums, name string) {
	for i, m := range t.Months {
		if n := s.Get(name, m); n > 0 {
			t.addMonthN(key, i, int(n))
		}
	}
}

// addMonthN adds n to key's series in month i.
func (t *Tally) addMonthN(key string, i, n int) {
	sr := t.Monthly[key]
	if sr == nil {
		sr = make([]int, len(t.Months))
		t.Monthly[key] = sr
	}
	sr[i] += n
}

// AddMonthN adds n to key's series in month, when it is among the tally's
// months ("2026-01").
func (t *Tally) AddMonthN(key, month string, n int) {
	i := sort.SearchStrings(t.Months, month)
	if i < len(t.Months) && t.Months[i] == month && n > 0 {
		t.addMonthN(key, i, n)
	}
}
