package main

import (
	"io"
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/licence"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/rts"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// TestServe_KilledWhileDeemingLicencesIssuesEachDeemedLicenceOnce: 60
// paid applications for a licence were filed 32 days ago and left on the
// clerk's desk; `ksmart serve` starts, and its day's job deems them, a
// write each with its signed certificate. The process is killed with
// SIGKILL part-way through and started again: in the end every
// application is deemed exactly once (one deemed action on its file, one
// licence, one licence.deemed event, one application.deemed event), the
// Right to Service report counts each once as deemed, and the store
// checks. Deemed approval is driven by the catalogue's Right to Service
// data (rts.deemed on the licence services), through workflow.Deem.
func TestServe_KilledWhileDeemingLicencesIssuesEachDeemedLicenceOnce(t *testing.T) {
	const applications = 60
	dir := t.TempDir()
	filed := time.Now().AddDate(0, 0, -32)
	lb := synth.DemoLocalBody()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := filed
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: quiet, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.PropertyTax.Register(domain.System, propertytax.Building{Number: "3/40", Ward: 3, Occupancy: "rented",
		Owners: []propertytax.Owner{{Name: domain.T("Market Committee", ""), Share: 100}}, Floors: []propertytax.Floor{{Use: propertytax.UseCommercial, Area: propertytax.SquareMetres(900)}},
		PlotArea: propertytax.SquareMetres(1200), Zone: "secondary", Road: "other_road", Construction: "rcc", YearBuilt: 2001}); err != nil {
		t.Fatal(err)
	}
	front := domain.Actor{ID: "u-front", Name: "Front office", Roles: []domain.Role{domain.RoleFrontOffice}}
	cashier := domain.Actor{ID: "u-cash", Name: "Cashier", Roles: []domain.Role{domain.RoleCashier}}
	pdf := workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%scan\n")}
	for i := range applications {
		f, err := app.Workflow.Submit(front, workflow.Submission{Service: licence.SvcNew, Channel: workflow.ChannelCounter,
			Values: map[string]string{"trade_name": "Stall " + string(rune('A'+i%26)), "trade_type": "grocery", "trade_description": "Groceries",
				"building_number": "3/40", "ward": "3", "area_sqm": "20", "trade_started_on": filed.AddDate(0, 0, -5).Format(time.DateOnly),
				"owner_name_en": "Trader", "owner_address": "Market", "phone": "9847011111"},
			Applicant: workflow.Applicant{Name: domain.T("Trader", "")}, Uploads: map[string]workflow.Upload{"premises_proof": pdf, "owner_id": pdf, "fssai": pdf}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.Finance.Collect(cashier, firstDemand(t, app, f.ID), finance.Payment{Counter: "C1", Amount: f.Fee, Mode: finance.ModeCash}); err != nil {
			t.Fatal(err)
		}
	}
	// s.447(6)'s 30 days are calendar days, so the files are past due as
	// well as deemable: they are escalated here, before serve starts, so
	// that its first writes are the deeming the kill must interrupt.
	clock = time.Now()
	if _, err := app.Workflow.EscalateOverdue(); err != nil {
		t.Fatal(err)
	}
	app.Close()

	serve := func() (*process, *lockedBuffer) {
		return startLogged(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-format", "text")
	}
	p, _ := serve()
	first := lastSeq(t, p)
	deadline := time.Now().Add(60 * time.Second)
	for lastSeq(t, p) < first+8 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	deemed := func() (licences, files, events int) {
		t.Helper()
		app, err := appliance.Open(appliance.Config{Dir: dir, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		ls, err := app.Licences.ByStatus(licence.StatusDeemed, 0)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, l := range ls {
			if seen[l.Deemed.File] {
				t.Errorf("application %s has two deemed licences", l.Deemed.File)
			}
			seen[l.Deemed.File] = true
			id, err := app.Workflow.IDByNumber(l.Deemed.File)
			if err != nil {
				t.Fatal(err)
			}
			f, err := app.Workflow.File(id)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, a := range f.History {
				if a.Kind == workflow.KindDeemed {
					n++
				}
			}
			if n != 1 || f.Status != workflow.StatusIssued || f.Record != l.Number {
				t.Errorf("application %s: %d deemed actions, %s, record %q; want one, issued, %s", f.Number, n, f.Status, f.Record, l.Number)
			}
			files++
		}
		for seq := uint64(1); ; seq += 1000 {
			evs, err := app.Store.ReadLog(seq, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Type == licence.EventDeemed.Name {
					events++
				}
			}
			if len(evs) < 1000 {
				break
			}
		}
		if _, err := app.Store.Check(); err != nil {
			t.Fatal(err)
		}
		return len(ls), files, events
	}
	if n, _, _ := deemed(); n == 0 || n == applications {
		t.Fatalf("at the kill %d of %d were deemed; the kill must fall in the middle", n, applications)
	}

	p, log := serve()
	for time.Now().Before(deadline.Add(60 * time.Second)) {
		if strings.Contains(log.String(), "licences: the day's job") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d after the job:\n%s", code, log)
	}
	if l, f, e := deemed(); l != applications || f != applications || e != applications {
		t.Errorf("after the restart: %d deemed licences, %d files deemed, %d licence.deemed events; want %d each", l, f, e, applications)
	}
	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	events := 0
	for seq := uint64(1); ; seq += 1000 {
		evs, err := app.Store.ReadLog(seq, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Type == workflow.EventDeemed.Name {
				events++
			}
		}
		if len(evs) < 1000 {
			break
		}
	}
	day := func(t time.Time) string { return t.In(domain.IST).Format(time.DateOnly) }
	period, err := rts.ParsePeriod(day(filed), day(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := app.RTS.Report(period)
	if err != nil {
		t.Fatal(err)
	}
	reported := 0
	for _, s := range rep.Services {
		if s.Code == licence.SvcNew {
			reported = s.Deemed
		}
	}
	if events != applications || reported != applications {
		t.Errorf("after the restart: %d application.deemed events, %d deemed in the Right to Service report; want %d each", events, reported, applications)
	}
}

func firstDemand(t *testing.T, app *appliance.Appliance, fileID string) string {
	t.Helper()
	var id string
	err := app.Store.View(func(tx *store.Tx) error {
		ds, err := app.Finance.DemandsFor(tx, "file", fileID)
		if len(ds) > 0 {
			id = ds[0].ID
		}
		return err
	})
	if err != nil || id == "" {
		t.Fatalf("no demand on %s: %v", fileID, err)
	}
	return id
}
