package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	bolt "go.etcd.io/bbolt"

	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/licence"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

// LicencesConfig says how large a register the licences benchmark runs
// the day's job over. Zero fields take the defaults.
type LicencesConfig struct {
	Dir          string // scratch directory; default the temp directory
	Licences     int    // licences in the register; default 100,000
	Applications int    // paid applications left undecided 31 days, deemed by the job; default 100
	OnPhase      func(string)
}

// LicencesResult is what the licences benchmark measured.
type LicencesResult struct {
	Name         string `json:"name"` // "licences"
	Licences     int    `json:"licences"`
	Applications int    `json:"applications"`
	Buildings    int    `json:"buildings"`
	// Seconds is the whole day's job on 1 April (Licences.Daily): the
	// undecided applications deemed, each with its signed certificate,
	// and every licence whose year ended on 31 March marked expired, 500
	// a write, with an event each; DeemedSeconds and ExpirySeconds are
	// its two parts.
	Seconds       float64 `json:"seconds"`
	DeemedSeconds float64 `json:"deemed_seconds"`
	ExpirySeconds float64 `json:"expiry_seconds"`
	LicencesPerS  float64 `json:"licences_per_s"`
	Deemed        int     `json:"deemed"`
	Expired       int     `json:"expired"`
	// RawSeconds is raw bbolt scanning the same licence records (the
	// bytes the register holds), decoding each to find those whose year
	// ended, and writing each back changed, 500 a transaction.
	RawSeconds float64 `json:"raw_bbolt_seconds"`
	// Ratio is RawSeconds over ExpirySeconds: the share of the raw rate
	// the job's expiry keeps with its indexes, events and checks.
	Ratio        float64 `json:"ratio"`
	SetupSeconds float64 `json:"setup_seconds"`
	EveryoneOnce bool    `json:"each_deemed_once"`
	EveryExpired bool    `json:"every_licence_expired"`
}

// RunLicences enters a register of c.Licences licences for 2026-27 on
// synthetic premises (ten to a building, as in a market) and c.Applications
// paid applications filed on 20 February 2027 and left on the clerk's
// desk; then on 1 April 2027 times the day's job, which deems the
// applications and expires the licences, and raw bbolt doing the expiry's
// scan and writes over the same records. It checks each application was
// deemed once and every licence expired, and fails when not.
func RunLicences(c LicencesConfig) (LicencesResult, error) {
	if c.Licences == 0 {
		c.Licences = 100000
	}
	if c.Applications == 0 {
		c.Applications = 100
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := LicencesResult{Name: "licences", Licences: c.Licences, Applications: c.Applications, Buildings: (c.Licences + 9) / 10}
	scratch, err := os.MkdirTemp(c.Dir, "ksmart-bench-licences-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(scratch)
	app, setNow, err := openDemoOnClock(filepath.Join(scratch, "appliance"), time.Date(2026, 4, 2, 11, 0, 0, 0, domain.IST))
	if err != nil {
		return res, err
	}
	defer app.Close()
	lc := app.Licences

	start := time.Now()
	c.OnPhase(fmt.Sprintf("entering %d buildings and %d licences", res.Buildings, c.Licences))
	rng := rand.New(rand.NewPCG(3, 4))
	var premises []string
	for w := 1; len(premises) < res.Buildings; w++ {
		n := min(res.Buildings-len(premises), 1000)
		bs := synth.Buildings(rng, (w-1)%len(app.LocalBody.Wards)+1, n, propertytax.Period{Year: 2026, Half: 1}, app.Now())
		for i := range bs {
			// Numbers unique across the rounds that revisit a ward.
			bs[i].Number = fmt.Sprintf("%d/%d", bs[i].Ward, 10000*((w-1)/len(app.LocalBody.Wards))+i+1)
		}
		if err := app.PropertyTax.RegisterMany(domain.System, bs); err != nil {
			return res, err
		}
		for _, b := range bs {
			premises = append(premises, b.Number)
		}
	}
	cats := lc.Schedule.Local.Categories
	for i := 0; i < c.Licences; i += 1000 {
		var batch []licence.Licence
		for j := i; j < min(i+1000, c.Licences); j++ {
			cat := cats[j%len(cats)]
			p := synth.NewPerson(rng)
			batch = append(batch, licence.Licence{Category: cat.Code, TradeName: fmt.Sprintf("%s %d", cat.Name.En, j), Capacity: cat.Slabs[0].UpTo,
				Premises: premises[j/10], Ward: 1, Holder: licence.Holder{Name: p.Name, Phone: p.Phone}, Year: "2026-27"})
		}
		if _, err := lc.Enter(domain.System, batch); err != nil {
			return res, err
		}
	}
	c.OnPhase(fmt.Sprintf("filing %d applications on 20 February 2027, left undecided", c.Applications))
	filed := time.Date(2027, 2, 20, 11, 0, 0, 0, domain.IST)
	setNow(filed)
	front := domain.Actor{ID: "u-bench-front", Name: "Front office", Roles: []domain.Role{domain.RoleFrontOffice}}
	cashier := domain.Actor{ID: "u-bench-cashier", Name: "Cashier", Roles: []domain.Role{domain.RoleCashier}}
	pdf := workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%scan\n")}
	for i := range c.Applications {
		p := synth.NewPerson(rng)
		f, err := app.Workflow.Submit(front, workflow.Submission{Service: licence.SvcNew, Channel: workflow.ChannelCounter,
			Values: map[string]string{"trade_name": fmt.Sprintf("New Stores %d", i), "trade_type": "grocery", "trade_description": "Groceries",
				"building_number": premises[i%len(premises)], "ward": fmt.Sprint(premisesWard(premises[i%len(premises)])), "area_sqm": "40",
				"trade_started_on": "2027-02-10", "owner_name_en": p.Name.En, "owner_address": "Market Road", "phone": p.Phone},
			Applicant: workflow.Applicant{Name: p.Name, Phone: p.Phone}, Uploads: map[string]workflow.Upload{"premises_proof": pdf, "owner_id": pdf, "fssai": pdf}})
		if err != nil {
			return res, fmt.Errorf("application %d: %w", i, err)
		}
		m, err := app.Finance.OfFile(f.ID)
		if err != nil {
			return res, err
		}
		for _, d := range m.Demands {
			if _, err := app.Finance.Collect(cashier, d.ID, finance.Payment{Counter: "C1", Amount: d.Balance(), Mode: finance.ModeCash}); err != nil {
				return res, err
			}
		}
	}
	res.SetupSeconds = time.Since(start).Seconds()

	day := time.Date(2027, 4, 1, 6, 0, 0, 0, domain.IST)
	setNow(day)
	c.OnPhase(fmt.Sprintf("the day's job on %s over %d licences", day.Format(time.DateOnly), c.Licences))
	start = time.Now()
	deemed, err := lc.DeemDue(day)
	if err != nil {
		return res, err
	}
	res.DeemedSeconds = time.Since(start).Seconds()
	mid := time.Now()
	job, err := lc.Daily(day)
	if err != nil {
		return res, err
	}
	res.ExpirySeconds = time.Since(mid).Seconds()
	res.Seconds = time.Since(start).Seconds()
	res.Deemed, res.Expired = len(deemed)+len(job.Deemed), job.Expired
	res.LicencesPerS = float64(c.Licences+c.Applications) / res.Seconds

	c.OnPhase("checking each application deemed once, every licence expired")
	again, err := lc.Daily(day)
	if err != nil {
		return res, err
	}
	files, err := app.Workflow.InProgress(licence.SvcNew)
	if err != nil {
		return res, err
	}
	deemedNow, _ := lc.ByStatus(licence.StatusDeemed, 0)
	res.EveryoneOnce = res.Deemed == c.Applications && len(again.Deemed) == 0 && len(files) == 0 && len(deemedNow) == c.Applications
	expired, _ := lc.ByStatus(licence.StatusExpired, 0)
	res.EveryExpired = res.Expired == c.Licences && len(expired) == c.Licences
	if !res.EveryoneOnce || !res.EveryExpired {
		return res, fmt.Errorf("after the job: %d deemed (%d again, %d still open, %d in the register), %d expired (%d in the register); want %d and %d",
			res.Deemed, len(again.Deemed), len(files), len(deemedNow), res.Expired, len(expired), c.Applications, c.Licences)
	}

	c.OnPhase("raw bbolt scanning and rewriting the same licence records")
	raw, err := rawLicencePeer(filepath.Join(scratch, "raw.db"), expired, day.Format(time.DateOnly))
	if err != nil {
		return res, err
	}
	res.RawSeconds = raw.Seconds()
	res.Ratio = res.RawSeconds / res.ExpirySeconds
	return res, nil
}

func premisesWard(number string) int {
	var w int
	fmt.Sscanf(number, "%d/", &w)
	return w
}

// rawLicencePeer stores the licences as they stood before the job (in
// force, the bytes the register keeps) in a new bbolt file, outside the
// timing; then times one read transaction scanning them all, decoding
// each to find those whose year ended before today, and writing each of
// those back changed, 500 a transaction, as the job's writes take them.
func rawLicencePeer(path string, ls []licence.Licence, today string) (time.Duration, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	bucket := []byte("licences")
	for i := 0; i < len(ls); i += 10000 {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucket)
			if err != nil {
				return err
			}
			for _, l := range ls[i:min(i+10000, len(ls))] {
				l.Status = licence.StatusActive
				raw, err := json.Marshal(l)
				if err != nil {
					return err
				}
				if err := b.Put([]byte(l.ID), raw); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	start := time.Now()
	var ended [][]byte
	err = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var l licence.Licence
			if err := json.Unmarshal(v, &l); err != nil {
				return err
			}
			if l.ValidTo < today {
				ended = append(ended, append([]byte(nil), k...))
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(ended); i += 500 {
		err := db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			for _, k := range ended[i:min(i+500, len(ended))] {
				var l licence.Licence
				if err := json.Unmarshal(b.Get(k), &l); err != nil {
					return err
				}
				l.Status = licence.StatusExpired
				raw, err := json.Marshal(l)
				if err != nil {
					return err
				}
				if err := b.Put(k, raw); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// WriteTable prints the result as a table.
func (r LicencesResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "licences: the day's job on 1 April over a register of %d licences for 2026-27 and %d applications undecided since 20 February\n\n", r.Licences, r.Applications)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tseconds\t\n")
	fmt.Fprintf(w, "Licences.Daily: %d deemed, each with its signed certificate\t%.2f\t\n", r.Deemed, r.DeemedSeconds)
	fmt.Fprintf(w, "Licences.Daily: %d expired, 500 a write, an event each\t%.2f\t\n", r.Expired, r.ExpirySeconds)
	fmt.Fprintf(w, "raw bbolt: scan and decode the same records, write back those ended\t%.2f\t\n", r.RawSeconds)
	w.Flush()
	fmt.Fprintf(out, "\nthe whole job: %.2f s (%.0f licences/s); each deemed once: %v; every licence expired: %v\n", r.Seconds, r.LicencesPerS, r.EveryoneOnce, r.EveryExpired)
	fmt.Fprintf(out, "ratio of the expiry to raw bbolt doing the same scan and writes: %.3f\n", r.Ratio)
	fmt.Fprintf(out, "(the register was entered first, in %.1f s, outside the measurement)\n", r.SetupSeconds)
}
