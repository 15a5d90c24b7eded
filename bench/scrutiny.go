package bench

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"ksmart/appliance/building"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
)

// ScrutinyConfig says how many scrutinies the scrutiny benchmark times.
type ScrutinyConfig struct {
	Scrutinies int // default 2,000
	OnPhase    func(string)
}

// ScrutinyTargetMS is the most a scrutiny may take, median, DXF included.
const ScrutinyTargetMS = 50

// ScrutinyResult is what the scrutiny benchmark measured.
type ScrutinyResult struct {
	Name       string `json:"name"` // "scrutiny"
	Scrutinies int    `json:"scrutinies"`
	DXFBytes   int    `json:"dxf_bytes"`
	// MedianMS and P99MS are of one scrutiny from the drawing's bytes:
	// reading the DXF (building.ReadDXF) and checking its plan
	// (Rules.Scrutinise).
	MedianMS  float64 `json:"median_ms"`
	P99MS     float64 `json:"p99_ms"`
	PerSecond float64 `json:"scrutinies_per_s"`
	// ParseShare is the share of the time spent reading the DXF.
	ParseShare float64 `json:"parse_share"`
	// TypedMedianUS is the median of a scrutiny of typed figures alone
	// (no drawing), in microseconds: the engine's own cost.
	TypedMedianUS float64 `json:"typed_median_us"`
	TargetMS      float64 `json:"target_ms"`
	TargetMet     bool    `json:"target_met"`
}

// RunScrutiny times scrutinies of a typical two-floor house's DXF plan
// (synth.HouseDrawing: a plot, two floors, a road and 800 wall lines and
// labels on other layers), one at a time after a warm-up, and of the same
// plan's figures typed. It fails if the plan does not read or pass.
func RunScrutiny(c ScrutinyConfig) (ScrutinyResult, error) {
	n := c.Scrutinies
	if n <= 0 {
		n = 2000
	}
	phase := func(s string) {
		if c.OnPhase != nil {
			c.OnPhase(s)
		}
	}
	rules, err := building.DefaultRules()
	if err != nil {
		return ScrutinyResult{}, err
	}
	dxf := synth.HouseDrawing().Bytes()
	typed := building.PlanInput{LocalBodyKind: domain.KindMunicipality, Use: "a1_residential", Height: 7}.Plan()
	once := func() (parse, total time.Duration, err error) {
		start := time.Now()
		d, err := building.ReadDXF(bytes.NewReader(dxf))
		if err != nil {
			return 0, 0, err
		}
		parsed := time.Now()
		p := typed
		d.Apply(&p)
		res, err := rules.Scrutinise(p)
		if err == nil && !res.Pass {
			err = fmt.Errorf("bench: the house's plan fails %v", res.FailingList().En)
		}
		return parsed.Sub(start), time.Since(parsed) + parsed.Sub(start), err
	}
	phase(fmt.Sprintf("scrutinising a house's DXF plan (%d bytes) %d times", len(dxf), n))
	for range 20 {
		if _, _, err := once(); err != nil {
			return ScrutinyResult{}, err
		}
	}
	totals := make([]time.Duration, n)
	var parseSum, totalSum time.Duration
	for i := range n {
		p, t, err := once()
		if err != nil {
			return ScrutinyResult{}, err
		}
		totals[i], parseSum, totalSum = t, parseSum+p, totalSum+t
	}
	d, _ := building.ReadDXF(bytes.NewReader(dxf))
	d.Apply(&typed)
	typedTimes := make([]time.Duration, n)
	for i := range n {
		start := time.Now()
		if _, err := rules.Scrutinise(typed); err != nil {
			return ScrutinyResult{}, err
		}
		typedTimes[i] = time.Since(start)
	}
	slices.Sort(totals)
	slices.Sort(typedTimes)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	r := ScrutinyResult{Name: "scrutiny", Scrutinies: n, DXFBytes: len(dxf), MedianMS: ms(totals[n/2]), P99MS: ms(totals[n*99/100]),
		PerSecond: float64(n) / totalSum.Seconds(), ParseShare: float64(parseSum) / float64(totalSum),
		TypedMedianUS: float64(typedTimes[n/2]) / float64(time.Microsecond), TargetMS: ScrutinyTargetMS}
	r.TargetMet = r.MedianMS <= ScrutinyTargetMS
	return r, nil
}

// WriteTable writes the figures as `ksmart bench scrutiny` prints them.
func (r ScrutinyResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "scrutiny: a two-floor house's DXF plan (%d bytes), read and checked against KMBR %d times, one at a time\n\n", r.DXFBytes, r.Scrutinies)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tmedian\tp99\tper second\t\n")
	fmt.Fprintf(w, "DXF read + scrutiny\t%.3f ms\t%.3f ms\t%.0f\t\n", r.MedianMS, r.P99MS, r.PerSecond)
	fmt.Fprintf(w, "scrutiny of typed figures\t%.1f µs\t\t\t\n", r.TypedMedianUS)
	w.Flush()
	fmt.Fprintf(out, "\nshare of the time spent reading the DXF: %.0f%%\n", 100*r.ParseShare)
	fmt.Fprintf(out, "target: median <= %d ms including the DXF: met: %v\n", ScrutinyTargetMS, r.TargetMet)
}
