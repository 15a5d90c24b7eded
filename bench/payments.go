package bench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"text/tabwriter"
	"time"

	bolt "go.etcd.io/bbolt"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/finance/sandbox"
	"ksmart/appliance/synth"
)

// PaymentsConfig says how much the payments benchmark does. Zero fields
// take the defaults.
type PaymentsConfig struct {
	Dir         string // scratch directory; default the temp directory
	Clients     int    // concurrent cashiers and gateway callbacks; default 64
	Collections int    // demands settled in the timed burst; default 10,000
	Postings    int    // journal lines the trial balance sums; default 1,000,000
	OnPhase     func(string)
}

// PaymentsResult is what the payments benchmark measured.
type PaymentsResult struct {
	Name        string `json:"name"` // "payments"
	Clients     int    `json:"clients"`
	Collections int    `json:"collections"`
	// CollectionsPerSec is demands settled per second by Clients at once,
	// half cashiers taking cash at two counters, half gateway callbacks
	// crediting online orders: each a demand, a receipt numbered in its
	// counter's gapless series and balanced entries in one durable write.
	CollectionsPerSec float64 `json:"collections_per_s"`
	P50Ms             float64 `json:"p50_ms"`
	P99Ms             float64 `json:"p99_ms"`
	// StoreWritesPerSec is the store's own rate of durable writes from as
	// many writers, measured in the same run; Ratio is collections over it.
	StoreWritesPerSec float64 `json:"store_writes_per_s"`
	Ratio             float64 `json:"ratio"`
	// Postings are the journal lines the trial balance sums, over
	// PostingDays days; TrialBalanceMs is the median of five trial
	// balances at the last day, RawScanMs the median of five scans of the
	// same postings in a plain bbolt bucket summed by head, and
	// TrialBalanceRatio the first over the second.
	Postings          int     `json:"postings"`
	PostingDays       int     `json:"posting_days"`
	ImportSeconds     float64 `json:"import_seconds"`
	TrialBalanceMs    float64 `json:"trial_balance_ms"`
	RawScanMs         float64 `json:"raw_bbolt_scan_ms"`
	TrialBalanceRatio float64 `json:"trial_balance_ratio"`
	Balanced          bool    `json:"balanced"`
	TargetsMet        bool    `json:"targets_met"`
}

// RunPayments measures collections from concurrent cashiers and gateway
// callbacks beside the store's raw write rate, then the trial balance
// over a million postings beside a raw bbolt scan of the same postings.
func RunPayments(c PaymentsConfig) (PaymentsResult, error) {
	if c.Clients == 0 {
		c.Clients = 64
	}
	if c.Collections == 0 {
		c.Collections = 10000
	}
	if c.Postings == 0 {
		c.Postings = 1000000
	}
	if c.OnPhase == nil {
		c.OnPhase = func(string) {}
	}
	res := PaymentsResult{Name: "payments", Clients: c.Clients, Collections: c.Collections, Postings: c.Postings}
	scratch, err := os.MkdirTemp(c.Dir, "ksmart-bench-payments-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(scratch)
	if err := measureCollections(c, filepath.Join(scratch, "collections"), &res); err != nil {
		return res, err
	}
	c.OnPhase("the store's own write rate, same writers")
	sr, err := RunStore(StoreConfig{Dir: scratch, Writers: c.Clients, Events: c.Collections, PayloadBytes: 2048, SingleEvents: 1, FsyncSamples: 1, OnPhase: c.OnPhase})
	if err != nil {
		return res, err
	}
	res.StoreWritesPerSec = sr.StoreConcurrent
	res.Ratio = res.CollectionsPerSec / res.StoreWritesPerSec
	if err := measureTrialBalance(c, filepath.Join(scratch, "books"), &res); err != nil {
		return res, err
	}
	res.TargetsMet = res.Ratio >= 0.5 && res.TrialBalanceMs <= 1000
	return res, nil
}

// WriteTable writes the figures as `ksmart bench payments` prints them.
func (r PaymentsResult) WriteTable(out io.Writer) {
	fmt.Fprintf(out, "payments: %d demands settled by %d cashiers and gateway callbacks at once\n\n", r.Collections, r.Clients)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\tper s\tp50 ms\tp99 ms\t\n")
	fmt.Fprintf(w, "collections (receipt + demand + balanced entries)\t%.0f\t%.1f\t%.1f\t\n", r.CollectionsPerSec, r.P50Ms, r.P99Ms)
	fmt.Fprintf(w, "store writes, same writers\t%.0f\t\t\t\n", r.StoreWritesPerSec)
	w.Flush()
	fmt.Fprintf(out, "\nratio to the store's own write rate (target >= 0.5): %.2f\n", r.Ratio)
	fmt.Fprintf(out, "\ntrial balance over %d postings of %d days (imported in %.1f s): %.1f ms median (target <= 1000 ms)\n", r.Postings, r.PostingDays, r.ImportSeconds, r.TrialBalanceMs)
	fmt.Fprintf(out, "raw bbolt scan of the same postings, summed by head: %.1f ms; ratio %.3f; books balance: %v\n", r.RawScanMs, r.TrialBalanceRatio, r.Balanced)
}

// measureCollections opens an appliance with a sandbox gateway, raises
// c.Collections demands and, for half, an online order each, then settles
// them all from c.Clients goroutines: cashiers at two counters and the
// gateway's callbacks.
func measureCollections(c PaymentsConfig, dir string, res *PaymentsResult) error {
	c.OnPhase("opening an appliance and raising the demands")
	gw, err := sandbox.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer gw.Close()
	keys := gw.Keys
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Payments: appliance.PaymentsConfig{Gateway: &keys, Counters: []finance.Counter{
			{Code: "C1", Name: domain.T("Counter 1", "കൗണ്ടർ 1")}, {Code: "C2", Name: domain.T("Counter 2", "കൗണ്ടർ 2")}}}})
	if err != nil {
		return err
	}
	defer app.Close()
	f := app.Finance
	accountant := domain.Actor{ID: "u-bench-accountant", Name: "Accountant", Roles: []domain.Role{domain.RoleAccountant}}
	cashier := domain.Actor{ID: "u-bench-cashier", Name: "Cashier", Roles: []domain.Role{domain.RoleCashier}}
	ids := make([]string, c.Collections)
	if err := parallelErr(c.Clients, func(w int) error {
		for i := w; i < c.Collections; i += c.Clients {
			d, err := f.RaiseDemand(accountant, finance.Demand{Payer: finance.Payer{Name: domain.T(fmt.Sprintf("Payer %d", i), "")},
				Ref:  finance.Ref{Kind: "rent", ID: fmt.Sprintf("shop-%d", i), Number: fmt.Sprintf("Shop %d", i), Title: domain.T("Shop rent", "കടമുറി വാടക")},
				Head: "150-10", Amount: domain.Paise(100000 + i)})
			if err != nil {
				return err
			}
			ids[i] = d.ID
		}
		return nil
	}); err != nil {
		return err
	}
	c.OnPhase("creating the online orders at the gateway")
	payments := make([]finance.GatewayPayment, c.Collections)
	if err := parallelErr(8, func(w int) error {
		for i := w; i < c.Collections; i += 8 {
			if i%2 == 1 {
				continue
			}
			o, err := f.PayOnline(context.Background(), accountant, ids[i])
			if err != nil {
				return err
			}
			if _, err := gw.Settle(o.GatewayID, true); err != nil {
				return err
			}
			payments[i] = finance.GatewayPayment{ID: o.GatewayID, Reference: o.ID, PaymentID: "pay_" + o.ID, Amount: o.Amount, Status: finance.GatewayPaid}
		}
		return nil
	}); err != nil {
		return err
	}
	c.OnPhase(fmt.Sprintf("settling %d demands from %d cashiers and callbacks", c.Collections, c.Clients))
	lat := make([]time.Duration, c.Collections)
	var failed atomic.Int64
	start := time.Now()
	err = parallelErr(c.Clients, func(w int) error {
		for i := w; i < c.Collections; i += c.Clients {
			t0 := time.Now()
			var err error
			if i%2 == 0 {
				_, err = f.Credit(payments[i])
			} else {
				_, err = f.Collect(cashier, ids[i], finance.Payment{Counter: []string{"C1", "C2"}[i%4/2], Amount: domain.Paise(100000 + i), Mode: finance.ModeCash})
			}
			if err != nil {
				failed.Add(1)
				return err
			}
			lat[i] = time.Since(t0)
		}
		return nil
	})
	took := time.Since(start)
	if err != nil {
		return err
	}
	res.CollectionsPerSec = float64(c.Collections) / took.Seconds()
	res.P50Ms, res.P99Ms = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99))
	tb, err := f.TrialBalance(accountant, time.Now().In(domain.IST).Format(time.DateOnly))
	if err != nil {
		return err
	}
	if tb.TotalDebit != tb.TotalCredit {
		return fmt.Errorf("after the collections the books do not balance: %v against %v", tb.TotalDebit, tb.TotalCredit)
	}
	for _, l := range tb.Lines {
		if l.Code == "434-10" && (l.Debit != 0 || l.Credit != 0) {
			return fmt.Errorf("after every demand was settled, %v is still receivable", l.Debit-l.Credit)
		}
	}
	return nil
}

// measureTrialBalance imports c.Postings journal lines (two-line entries
// over a year of days, across the chart's heads) into a fresh appliance,
// and the same lines into a raw bbolt bucket, then times five trial
// balances and five raw scans and keeps the medians.
func measureTrialBalance(c PaymentsConfig, dir string, res *PaymentsResult) error {
	c.OnPhase(fmt.Sprintf("importing %d postings", c.Postings))
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer app.Close()
	f := app.Finance
	accountant := domain.Actor{ID: "u-bench-accountant", Name: "Accountant", Roles: []domain.Role{domain.RoleAccountant}}
	var income []string
	for _, h := range f.Chart.Heads {
		if h.Type == finance.HeadIncome {
			income = append(income, h.Code)
		}
	}
	money := []string{f.Chart.Role(finance.RoleCash), f.Chart.Role(finance.RoleBank), f.Chart.Role(finance.RoleGateway)}
	const days = 365
	first := time.Date(2025, 4, 1, 0, 0, 0, 0, domain.IST)
	entries := c.Postings / 2
	entryOf := func(i int) finance.Entry {
		amt := domain.Paise(1000 + i%100000)
		return finance.Entry{Date: first.AddDate(0, 0, i*days/entries).Format(time.DateOnly), Narration: domain.T("Imported", "ഇറക്കുമതി"),
			Lines: []finance.Line{{Head: money[i%len(money)], Debit: amt}, {Head: income[i%len(income)], Credit: amt}}}
	}
	raw, err := bolt.Open(filepath.Join(dir, "raw.db"), 0o600, &bolt.Options{NoFreelistSync: true})
	if err != nil {
		return err
	}
	defer raw.Close()
	start := time.Now()
	const batch = 5000
	for i := 0; i < entries; i += batch {
		list := make([]finance.Entry, 0, batch)
		for j := i; j < min(i+batch, entries); j++ {
			list = append(list, entryOf(j))
		}
		if err := f.ImportEntries(accountant, list); err != nil {
			return err
		}
		err := raw.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("postings"))
			if err != nil {
				return err
			}
			b.FillPercent = 1
			for j, e := range list {
				for k, l := range e.Lines {
					v, _ := json.Marshal(struct {
						Date   string       `json:"date"`
						Head   string       `json:"head"`
						Debit  domain.Paise `json:"d"`
						Credit domain.Paise `json:"c"`
					}{e.Date, l.Head, l.Debit, l.Credit})
					if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64((i+j)*2+k)), v); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	res.ImportSeconds = time.Since(start).Seconds()
	res.PostingDays = days
	last := first.AddDate(0, 0, days-1).Format(time.DateOnly)
	c.OnPhase("five trial balances and five raw scans")
	var ours, theirs []float64
	for range 5 {
		t0 := time.Now()
		tb, err := f.TrialBalance(accountant, last)
		if err != nil {
			return err
		}
		ours = append(ours, msFine(time.Since(t0)))
		res.Balanced = tb.TotalDebit == tb.TotalCredit && tb.TotalDebit > 0
		t0 = time.Now()
		if err := rawScan(raw, last); err != nil {
			return err
		}
		theirs = append(theirs, msFine(time.Since(t0)))
	}
	res.TrialBalanceMs, res.RawScanMs = medianOf(ours), medianOf(theirs)
	res.TrialBalanceRatio = res.TrialBalanceMs / res.RawScanMs
	return nil
}

// rawScan sums every posting up to date by head, as a trial balance
// without day totals must.
func rawScan(db *bolt.DB, date string) error {
	sums := map[string][2]domain.Paise{}
	return db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("postings")).ForEach(func(_, v []byte) error {
			var p struct {
				Date   string       `json:"date"`
				Head   string       `json:"head"`
				Debit  domain.Paise `json:"d"`
				Credit domain.Paise `json:"c"`
			}
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			if p.Date <= date {
				s := sums[p.Head]
				s[0] += p.Debit
				s[1] += p.Credit
				sums[p.Head] = s
			}
			return nil
		})
	})
}

func medianOf(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
