package stateview

import (
	"sort"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/replication"
)

// The state view's figures: per local body, each module's Counter (the
// incremental form of its Figures.Count) is kept by the node's Counters as
// the FSM applies the body's writes, and read into one module.Tally at the
// view's time; the tallies of a district's bodies, and of every body, are
// added up key by key (Tally.AddTally). The view knows no figure of its
// own: what is counted, which counts are headlines and which are charted
// is what each module declares, in the order of appliance.Modules.
// Figures that change with time alone (files falling overdue) are kept as
// sums by the time that decides them and reckoned when read, so no figure
// is cached.

// Figures are one body's (or, added up, a district's or the state's)
// tally, with the rates of the headlines and charts that show a rate. As
// JSON: the tally's "months", "counts", "monthly" and "computed_at", then
// "rates" and "monthly_rates", each keyed "<key>/<of>" (e.g.
// "on_time/decided") and null where of is zero.
type Figures struct {
	*module.Tally
	Rates        map[string]*float64   `json:"rates"`
	MonthlyRates map[string][]*float64 `json:"monthly_rates"`
}

// RateKey is the key of a rate of count key over count of in Figures'
// Rates and MonthlyRates.
func RateKey(key, of string) string { return key + "/" + of }

// figuresOf returns a tally's figures, with the rates the modules' headlines
// and charts show.
func figuresOf(t *module.Tally) *Figures {
	f := &Figures{Tally: t, Rates: map[string]*float64{}, MonthlyRates: map[string][]*float64{}}
	for _, h := range rateHeadlines() {
		k := RateKey(h.Key, h.Of)
		f.Rates[k] = t.Rate(h.Key, h.Of)
		f.MonthlyRates[k] = t.Rates(h.Key, h.Of)
	}
	return f
}

// headlines are every module's headlines, in the modules' order.
func headlines() []module.Headline {
	var out []module.Headline
	for _, m := range modules {
		if m.Figures != nil {
			out = append(out, m.Figures.Headlines...)
		}
	}
	return out
}

// charts are every module's charts, in the modules' order.
func charts() []module.Chart {
	var out []module.Chart
	for _, m := range modules {
		if m.Figures != nil {
			out = append(out, m.Figures.Charts...)
		}
	}
	return out
}

// rateHeadlines are the rates the headlines and charts show, each once.
func rateHeadlines() []module.Headline {
	var out []module.Headline
	seen := map[string]bool{}
	add := func(h module.Headline) {
		if k := RateKey(h.Key, h.Of); h.Of != "" && !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	for _, h := range headlines() {
		add(h)
	}
	for _, c := range charts() {
		if c.Rate != nil {
			add(*c.Rate)
		}
	}
	return out
}

// Headline is one headline's value in a set of figures, as the pages show
// it: a count, or a rate (N of Of).
type Headline struct {
	Name   domain.Text
	IsRate bool
	Count  int      // a count's value
	Rate   *float64 // a rate's value, nil when Of is zero
	N, Of  int      // a rate's counts
}

// Headlines returns the modules' headlines with their values in f.
func (f *Figures) Headlines() []Headline {
	var out []Headline
	for _, h := range headlines() {
		v := Headline{Name: h.Name, Count: f.Counts[h.Key]}
		if h.Of != "" {
			v.IsRate, v.Rate, v.N, v.Of = true, f.Tally.Rate(h.Key, h.Of), f.Counts[h.Key], f.Counts[h.Of]
		}
		out = append(out, v)
	}
	return out
}

// newFigures returns empty figures of the module.Months months up to and
// including now's.
func newFigures(now time.Time) *Figures { return figuresOf(module.NewTally(now)) }

// add adds g's counts and series into f (of the same months); rate then
// takes the rates again, once after the last add rather than at every
// body.
func (f *Figures) add(g *Figures) { f.AddTally(g.Tally) }

// rate takes the rates of f's counts again, after the last add.
func (f *Figures) rate() { *f = *figuresOf(f.Tally) }

// BodyFigures are one body's figures with what the state knows of it.
type BodyFigures struct {
	Code     string      `json:"code"`
	Name     domain.Text `json:"name"`
	Kind     string      `json:"kind,omitempty"` // corporation, municipality, grama_panchayat
	District domain.Text `json:"district"`
	// Status is how far this node's index and counters of the body trail
	// this node's FSM.
	Status ViewStatus `json:"status"`
	// FiguresSeq is the last event of the body's log the figures count
	// (the counters follow the FSM, so it may trail the state's head).
	FiguresSeq uint64    `json:"figures_seq"`
	Figures    *Figures  `json:"figures,omitempty"`
	Forks      int       `json:"forks"`
	Updated    time.Time `json:"updated,omitzero"` // when the state last applied a batch of this body's
}

// ViewStatus is how far this node's view of a body — its state index and
// its counters, each following this node's FSM — trails the FSM.
type ViewStatus struct {
	Code string `json:"code"`
	// StateSeq is the last event this node's FSM holds of the body;
	// IndexSeq the last the state index has applied, FiguresSeq the last
	// the counters have (each 0 when the node keeps no index or counters).
	StateSeq   uint64 `json:"state_seq"`
	IndexSeq   uint64 `json:"index_seq"`
	FiguresSeq uint64 `json:"figures_seq"`
	// Lag is how many events the index or the counters, whichever is
	// further behind, have still to apply.
	Lag uint64 `json:"lag"`
	// Ahead: the index holds more than this node's FSM, which is
	// replaying its log after a restart.
	Ahead bool `json:"ahead,omitempty"`
	// Partial: the body shipped events before change sets existed, so the
	// state holds its log but not the documents it made.
	Partial bool   `json:"partial,omitempty"`
	Error   string `json:"error,omitempty"`
	// Rebuilds counts the index's rebuilds of the body since this node
	// started.
	Rebuilds int `json:"rebuilds,omitempty"`
}

// status is a body's index and counters against this node's FSM; either
// may be absent (--index=false), and then says nothing.
func (v *View) status(info replication.BodyInfo) ViewStatus {
	s := ViewStatus{Code: info.Code, StateSeq: info.LastSeq}
	if v.index != nil {
		s = v.index.viewStatus(info.Code, info)
	}
	if v.counters != nil {
		c := v.counters.status(info.Code)
		s.FiguresSeq = c.seq
		if info.LastSeq > c.seq {
			s.Lag = max(s.Lag, info.LastSeq-c.seq)
		}
		if c.seq > 0 && !c.identity {
			s.Partial = true
		}
		if c.err != "" {
			s.Error = strings.TrimPrefix(s.Error+"; "+c.err, "; ")
		}
	}
	return s
}

// unknownDistrict names the district of a body whose identity the state
// has not seen (a log shipped before change sets).
var unknownDistrict = domain.T("District not known", "ജില്ല അറിയില്ല")

// bodyFigures returns a body's figures, read from its counters at the
// view's time: a few sums, never its documents.
func (v *View) bodyFigures(info replication.BodyInfo) (BodyFigures, error) {
	t, seq, err := v.counters.Tally(info.Code, v.now())
	if err != nil {
		return BodyFigures{}, err
	}
	bf := BodyFigures{Code: info.Code, Status: v.status(info), FiguresSeq: seq, Figures: figuresOf(t), Forks: info.Forks, Updated: info.Updated}
	if lb, ok := v.counters.identity(info.Code); ok {
		bf.Name, bf.Kind, bf.District = lb.Name, lb.Kind, lb.District
	} else {
		bf.Name, bf.District = domain.Text{En: info.Code, Ml: info.Code}, unknownDistrict
	}
	return bf, nil
}

// DistrictFigures are a district's bodies and their sums.
type DistrictFigures struct {
	District domain.Text   `json:"district"`
	Slug     string        `json:"slug"` // its path segment
	Bodies   []BodyFigures `json:"bodies"`
	Totals   *Figures      `json:"totals"`
	// Lag is the most events any of its bodies' index or counters has
	// still to apply.
	Lag uint64 `json:"lag"`
}

// Overview is the state's figures: every district, every body.
type Overview struct {
	Generated time.Time         `json:"generated"`
	Totals    *Figures          `json:"totals"`
	Districts []DistrictFigures `json:"districts"`
	// Lag is the most events any body's index or counters has still to
	// apply on this node; Behind counts the bodies that lag.
	Lag    uint64 `json:"lag"`
	Behind int    `json:"behind"`
}

// stalenessNote is said with every answer of the view.
const stalenessNote = "Figures come from this node's counters of each local body, search and verification from its state index; both follow this node's copy of the state's log and may trail the bodies (and, on a follower, the leader): the figures by the events between figures_seq and state_seq, the index by those between index_seq and state_seq; lag is the larger."

// overview computes the state's figures; district, when not "", keeps only
// that district's bodies (matched by its slug).
func (v *View) overview(district string) (Overview, error) {
	bodies, err := v.node.FSM().Bodies()
	if err != nil {
		return Overview{}, err
	}
	now := v.now()
	ov := Overview{Generated: now, Totals: newFigures(now)}
	byDistrict := map[string]*DistrictFigures{}
	for _, b := range bodies {
		bf, err := v.bodyFigures(b)
		if err != nil {
			v.logger.Warn("figures of a body", "body", b.Code, "error", err)
			bf = BodyFigures{Code: b.Code, Name: domain.Text{En: b.Code, Ml: b.Code}, District: unknownDistrict, Status: v.status(b), Forks: b.Forks}
			bf.Status.Error = err.Error()
		}
		slug := districtSlug(bf.District)
		if district != "" && slug != district {
			continue
		}
		d := byDistrict[slug]
		if d == nil {
			d = &DistrictFigures{District: bf.District, Slug: slug, Totals: newFigures(now)}
			byDistrict[slug] = d
		}
		d.Bodies = append(d.Bodies, bf)
		if bf.Figures != nil {
			d.Totals.add(bf.Figures)
			ov.Totals.add(bf.Figures)
		}
		d.Lag = max(d.Lag, bf.Status.Lag)
		ov.Lag = max(ov.Lag, bf.Status.Lag)
		if bf.Status.Lag > 0 {
			ov.Behind++
		}
	}
	ov.Totals.rate()
	for _, d := range byDistrict {
		d.Totals.rate()
		sort.Slice(d.Bodies, func(i, j int) bool { return d.Bodies[i].Name.En < d.Bodies[j].Name.En })
		ov.Districts = append(ov.Districts, *d)
	}
	sort.Slice(ov.Districts, func(i, j int) bool { return ov.Districts[i].District.En < ov.Districts[j].District.En })
	return ov, nil
}

// districtSlug is a district's path segment: its English name in lower
// case with hyphens ("ernakulam", "district-not-known").
func districtSlug(d domain.Text) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(d.En) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
