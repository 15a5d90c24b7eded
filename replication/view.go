package replication

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// The state view's figures: per local body, computed from its mirror's
// current documents (the appliance's own types: workflow.File in entity
// "file", civil.Entry in "civil_entry", the body's domain.LocalBody in
// "local_body"/"self"), and summed per district and for the state.
//
// A body's figures are cached and computed again when its mirror has
// moved, at most every FiguresEvery (longer when a computation is slow),
// so that a busy body does not have its files re-read on every page, and
// at least every FiguresMaxAge, since files fall overdue as time passes.

// FigureMonths is how many months of history the figures give.
const FigureMonths = 24

// Figures are one body's (or, summed, a district's or the state's)
// figures. Monthly series run over Months, oldest first; a month is a
// calendar month in Indian Standard Time.
type Figures struct {
	Months []string `json:"months"` // "2026-01"

	// Registrations are the register entries made each month (by date of
	// registration), by register kind (civil.Kinds), and the entries held
	// of each kind in all; RegistrationsTotal counts every entry.
	Registrations       map[string][]int `json:"registrations_by_month"`
	RegistrationsByKind map[string]int   `json:"registrations_by_kind"`
	RegistrationsTotal  int              `json:"registrations"`

	// Applications are the files received each month; ApplicationsTotal
	// every file held.
	Applications      []int `json:"applications_by_month"`
	ApplicationsTotal int   `json:"applications"`
	// Pending files are open (in progress, returned to the applicant, or
	// approved and not yet issued); Overdue files are open, with the
	// office, and past their due time (workflow.File.Overdue).
	Pending int `json:"pending"`
	Overdue int `json:"overdue"`

	// Decided are the files decided (approved or rejected) each month and
	// OnTime those decided on or before their due time; the delivery rate
	// is OnTime / Decided.
	Decided      []int `json:"decided_by_month"`
	OnTime       []int `json:"on_time_by_month"`
	DecidedTotal int   `json:"decided"`
	OnTimeTotal  int   `json:"on_time"`

	// ComputedAt is the time the figures were computed for (overdue is
	// "past due at ComputedAt").
	ComputedAt time.Time `json:"computed_at"`
}

// DeliveryRate is the share of decided files decided in time, or nil when
// none was decided.
func (f *Figures) DeliveryRate() *float64 { return rate(f.OnTimeTotal, f.DecidedTotal) }

// DeliveryRates are the monthly delivery rates (nil for a month without
// decisions).
func (f *Figures) DeliveryRates() []*float64 {
	out := make([]*float64, len(f.Months))
	for i := range f.Months {
		out[i] = rate(f.OnTime[i], f.Decided[i])
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

// MarshalJSON adds the delivery rates to the fields.
func (f Figures) MarshalJSON() ([]byte, error) {
	type plain Figures
	return json.Marshal(struct {
		plain
		DeliveryRate  *float64   `json:"delivery_rate"`
		DeliveryRates []*float64 `json:"delivery_rate_by_month"`
	}{plain(f), f.DeliveryRate(), f.DeliveryRates()})
}

// newFigures returns empty figures for the FigureMonths months up to and
// including now's.
func newFigures(now time.Time) *Figures {
	f := &Figures{ComputedAt: now, Registrations: map[string][]int{}, RegistrationsByKind: map[string]int{},
		Applications: make([]int, FigureMonths), Decided: make([]int, FigureMonths), OnTime: make([]int, FigureMonths)}
	t := now.In(domain.IST)
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, domain.IST).AddDate(0, -(FigureMonths - 1), 0)
	for i := range FigureMonths {
		f.Months = append(f.Months, first.AddDate(0, i, 0).Format("2006-01"))
	}
	for _, k := range civil.Kinds {
		f.Registrations[k] = make([]int, FigureMonths)
	}
	return f
}

// month returns the index of t's month in f.Months, or -1.
func (f *Figures) month(t time.Time) int {
	if t.IsZero() {
		return -1
	}
	m := t.In(domain.IST).Format("2006-01")
	i := sort.SearchStrings(f.Months, m)
	if i < len(f.Months) && f.Months[i] == m {
		return i
	}
	return -1
}

// add sums g into f (same months).
func (f *Figures) add(g *Figures) {
	for k, v := range g.Registrations {
		if f.Registrations[k] == nil {
			f.Registrations[k] = make([]int, len(f.Months))
		}
		addInts(f.Registrations[k], v)
	}
	for k, n := range g.RegistrationsByKind {
		f.RegistrationsByKind[k] += n
	}
	f.RegistrationsTotal += g.RegistrationsTotal
	addInts(f.Applications, g.Applications)
	f.ApplicationsTotal += g.ApplicationsTotal
	f.Pending += g.Pending
	f.Overdue += g.Overdue
	addInts(f.Decided, g.Decided)
	addInts(f.OnTime, g.OnTime)
	f.DecidedTotal += g.DecidedTotal
	f.OnTimeTotal += g.OnTimeTotal
}

func addInts(dst, src []int) {
	for i := range min(len(dst), len(src)) {
		dst[i] += src[i]
	}
}

// The appliance's entities the figures read.
const (
	entityFile       = "file"
	entityCivilEntry = "civil_entry"
)

// computeFigures reads a body's current documents.
func computeFigures(st *store.Store, now time.Time) (*Figures, error) {
	f := newFigures(now)
	err := st.View(func(tx *store.Tx) error {
		// Register entries: ids are "<kind>/<year>/<seq>", so only the
		// years the months reach are read; the rest are only counted.
		f.RegistrationsTotal = tx.Count(entityCivilEntry)
		firstYear, _ := time.Parse("2006-01", f.Months[0])
		for _, kind := range civil.Kinds {
			n := 0
			err := tx.Scan(entityCivilEntry, store.ScanOptions{Prefix: kind + "/"}, func(id string, raw []byte) error {
				n++
				if year := yearOfEntryID(id); year != 0 && year < firstYear.Year()-1 {
					return nil // registered too long ago (the year of an entry is its registration's)
				}
				var e struct {
					Kind       string    `json:"kind"`
					Registered time.Time `json:"registered"`
				}
				if err := json.Unmarshal(raw, &e); err != nil {
					return fmt.Errorf("register entry %s: %w", id, err)
				}
				if i := f.month(e.Registered); i >= 0 {
					if f.Registrations[e.Kind] == nil {
						f.Registrations[e.Kind] = make([]int, len(f.Months))
					}
					f.Registrations[e.Kind][i]++
				}
				return nil
			})
			if err != nil {
				return err
			}
			if n > 0 {
				f.RegistrationsByKind[kind] = n
			}
		}
		return tx.Scan(entityFile, store.ScanOptions{}, func(id string, raw []byte) error {
			var file workflow.File
			if err := json.Unmarshal(raw, &file); err != nil {
				return fmt.Errorf("file %s: %w", id, err)
			}
			f.ApplicationsTotal++
			if i := f.month(file.Submitted); i >= 0 {
				f.Applications[i]++
			}
			if file.Open() {
				f.Pending++
			}
			if file.Overdue(now) {
				f.Overdue++
			}
			if !file.Decided.IsZero() {
				onTime := !file.Decided.After(file.Due)
				f.DecidedTotal++
				if onTime {
					f.OnTimeTotal++
				}
				if i := f.month(file.Decided); i >= 0 {
					f.Decided[i]++
					if onTime {
						f.OnTime[i]++
					}
				}
			}
			return nil
		})
	})
	return f, err
}

// yearOfEntryID returns the year in a register entry's id
// ("birth/2026/000012"), or 0.
func yearOfEntryID(id string) int {
	parts := strings.Split(id, "/")
	if len(parts) != 3 {
		return 0
	}
	var y int
	if _, err := fmt.Sscan(parts[1], &y); err != nil {
		return 0
	}
	return y
}

// BodyFigures are one body's figures with what the state knows of it.
type BodyFigures struct {
	Code     string       `json:"code"`
	Name     domain.Text  `json:"name"`
	Kind     string       `json:"kind,omitempty"` // corporation, municipality, grama_panchayat
	District domain.Text  `json:"district"`
	Mirror   MirrorStatus `json:"mirror"`
	// Stale: the figures were computed at an earlier event than the
	// mirror now holds (they are recomputed at most every few seconds).
	FiguresSeq uint64    `json:"figures_seq"`
	Figures    *Figures  `json:"figures,omitempty"`
	Forks      int       `json:"forks"`
	Updated    time.Time `json:"updated,omitzero"` // when the state last applied a batch of this body's
}

// unknownDistrict names the district of a body whose identity the mirror
// does not hold (a log shipped before change sets).
var unknownDistrict = domain.T("District not known", "ജില്ല അറിയില്ല")

// bodyFigures returns a body's figures, from the cache when its mirror has
// not moved or they were computed moments ago.
func (m *Mirrors) bodyFigures(info BodyInfo) (BodyFigures, error) {
	mr := m.get(info.Code)
	var fig *Figures
	var figSeq uint64
	mr.smu.Lock()
	cached, at, took, known := mr.fig, mr.figAt, mr.figIn, mr.state
	mr.smu.Unlock()
	// Figures are kept while the mirror has not moved, or moved moments
	// ago, and not longer than FiguresMaxAge (files fall overdue as time
	// passes); a slow computation is repeated less often.
	fresh := func(seq uint64) bool {
		age := time.Since(at)
		return cached != nil && age < max(m.cfg.FiguresMaxAge, 10*took) && (cached.seq == seq || age < max(m.cfg.FiguresEvery, 10*took))
	}
	var err error
	if known.Known && fresh(known.Seq) {
		// The mirror has not moved (or moved moments ago): no need to open it.
		fig, figSeq = cached.figures, cached.seq
	} else {
		err = m.use(mr, func(o *openMirror) error {
			seq := o.st.LastSeq()
			if fresh(seq) {
				fig, figSeq = cached.figures, cached.seq
				return nil
			}
			start := time.Now()
			f, err := computeFigures(o.st, m.cfg.Now())
			if err != nil {
				return err
			}
			mr.smu.Lock()
			mr.fig, mr.figAt, mr.figIn = &cachedFigures{figures: f, seq: seq}, time.Now(), time.Since(start)
			mr.smu.Unlock()
			fig, figSeq = f, seq
			return nil
		})
	}
	if err != nil {
		return BodyFigures{}, err
	}
	mr.smu.Lock()
	st := mr.state
	mr.smu.Unlock()
	bf := BodyFigures{Code: info.Code, Mirror: m.status(info.Code, info), FiguresSeq: figSeq, Figures: fig, Forks: info.Forks, Updated: info.Updated}
	if st.Identity {
		bf.Name, bf.Kind, bf.District = st.Body.Name, st.Body.Kind, st.Body.District
	} else {
		bf.Name, bf.District = domain.Text{En: info.Code, Ml: info.Code}, unknownDistrict
	}
	return bf, nil
}

// cachedFigures are figures with the mirror's last event when computed.
type cachedFigures struct {
	figures *Figures
	seq     uint64
}

// DistrictFigures are a district's bodies and their sums.
type DistrictFigures struct {
	District domain.Text   `json:"district"`
	Slug     string        `json:"slug"` // its path segment
	Bodies   []BodyFigures `json:"bodies"`
	Totals   *Figures      `json:"totals"`
	// Lag is the most events any of its bodies' mirrors has still to append.
	Lag uint64 `json:"lag"`
}

// Overview is the state's figures: every district, every body.
type Overview struct {
	Generated time.Time         `json:"generated"`
	Totals    *Figures          `json:"totals"`
	Districts []DistrictFigures `json:"districts"`
	// Lag is the most events any body's mirror has still to append on
	// this node; Behind counts the bodies whose mirror lags.
	Lag    uint64 `json:"lag"`
	Behind int    `json:"behind"`
}

// stalenessNote is said with every answer of the view.
const stalenessNote = "Figures come from this node's mirrors of each local body and may trail the bodies (and, on a follower, the leader) by the events shown as lag."

// overview computes the state's figures; district, when not "", keeps only
// that district's bodies (matched by its slug).
func (m *Mirrors) overview(district string) (Overview, error) {
	bodies, err := m.src.Bodies()
	if err != nil {
		return Overview{}, err
	}
	now := m.cfg.Now()
	ov := Overview{Generated: now, Totals: newFigures(now)}
	byDistrict := map[string]*DistrictFigures{}
	for _, b := range bodies {
		bf, err := m.bodyFigures(b)
		if err != nil {
			m.logger.Warn("figures of a body", "body", b.Code, "error", err)
			bf = BodyFigures{Code: b.Code, Name: domain.Text{En: b.Code, Ml: b.Code}, District: unknownDistrict, Mirror: m.status(b.Code, b), Forks: b.Forks}
			bf.Mirror.Error = err.Error()
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
		d.Lag = max(d.Lag, bf.Mirror.Lag)
		ov.Lag = max(ov.Lag, bf.Mirror.Lag)
		if bf.Mirror.Lag > 0 {
			ov.Behind++
		}
	}
	for _, d := range byDistrict {
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
