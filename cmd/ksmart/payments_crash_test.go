package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/finance/sandbox"
	"ksmart/appliance/synth"
)

// TestServe_KilledWhileTheGatewayConfirmsPaymentsCreditsEachOnce: 300
// demands are paid at the gateway, whose webhooks reach a serving ksmart
// from many connections at once; the process is killed with SIGKILL
// part-way. The gateway then sends every webhook again (as it does until
// it is answered 200) to the restarted process. Every demand ends paid
// exactly once, with one receipt: none the process acknowledged is lost,
// none is credited twice, and the books balance.
func TestServe_KilledWhileTheGatewayConfirmsPaymentsCreditsEachOnce(t *testing.T) {
	const demands = 300
	gw, err := sandbox.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	dir := t.TempDir()
	keys := gw.Keys
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Payments: appliance.PaymentsConfig{Gateway: &keys}})
	if err != nil {
		t.Fatal(err)
	}
	accountant := domain.Actor{ID: "u-acc", Name: "Accountant", Roles: []domain.Role{domain.RoleAccountant}}
	var bodies [][]byte
	for i := range demands {
		d, err := app.Finance.RaiseDemand(accountant, finance.Demand{Payer: finance.Payer{Name: domain.T("Payer", "")},
			Ref: finance.Ref{Kind: "rent", ID: fmt.Sprint(i), Number: fmt.Sprintf("Shop %d", i), Title: domain.T("Shop rent", "കടമുറി വാടക")}, Head: "150-10", Amount: domain.Paise(50000 + i)})
		if err != nil {
			t.Fatal(err)
		}
		o, err := app.Finance.PayOnline(context.Background(), accountant, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gw.Settle(o.GatewayID, true); err != nil {
			t.Fatal(err)
		}
		body, _ := gw.WebhookBody(o.GatewayID)
		bodies = append(bodies, body)
	}
	app.Close()

	cfg := filepath.Join(t.TempDir(), "payments.json")
	os.WriteFile(cfg, fmt.Appendf(nil, `{"payment_links": {"base_url": %q, "key_id": %q, "key_secret": %q, "webhook_secret": %q}}`,
		keys.BaseURL, keys.KeyID, keys.KeySecret, keys.WebhookSecret), 0o600)
	serve := func() *process {
		return start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--payments", cfg, "--log-format", "text")
	}
	// deliver posts every webhook not yet answered 200, from 16
	// connections, and records which were; stop ends it early.
	acked := make([]atomic.Bool, demands)
	deliver := func(url string, stop *atomic.Bool) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= demands || stop.Load() {
						return
					}
					if acked[i].Load() {
						continue
					}
					req, _ := http.NewRequest(http.MethodPost, url+"webhooks/payments/paymentlinks", bytes.NewReader(bodies[i]))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Razorpay-Signature", keys.WebhookSignature(bodies[i]))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						continue // the process is gone
					}
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						acked[i].Store(true)
					}
				}
			}()
		}
		wg.Wait()
	}
	count := func() (n int) {
		for i := range acked {
			if acked[i].Load() {
				n++
			}
		}
		return n
	}

	p := serve()
	var stop atomic.Bool
	done := make(chan struct{})
	go func() { deliver(p.url, &stop); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for count() < demands/3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	stop.Store(true)
	<-done
	atKill := count()
	if atKill == 0 || atKill == demands {
		t.Fatalf("%d of %d webhooks were answered before the kill; the kill must fall in the middle", atKill, demands)
	}

	p = serve()
	var never atomic.Bool
	deliver(p.url, &never)
	if n := count(); n != demands {
		t.Fatalf("after the restart %d of %d webhooks were answered 200", n, demands)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d: %s", code, p.stderr)
	}

	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Payments: appliance.PaymentsConfig{Gateway: &keys}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := app.Store.Check(); err != nil {
		t.Fatal(err)
	}
	for i := range demands {
		d, err := app.Finance.Demand(accountant, fmt.Sprintf("%010d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		if d.Paid != d.Amount || d.State != finance.StatePaid || len(d.Receipts) != 1 {
			t.Errorf("demand %s after the kill and the resends: paid %v of %v, %d receipts (%s)", d.Number, d.Paid, d.Amount, len(d.Receipts), strings.Join(d.Receipts, ", "))
		}
	}
	tb, err := app.Finance.TrialBalance(accountant, "2099-12-31")
	if err != nil || tb.TotalDebit != tb.TotalCredit {
		t.Fatalf("the books after the kill: %+v %v", tb, err)
	}
	for _, l := range tb.Lines {
		if l.Code == "434-10" && l.Debit != l.Credit {
			t.Errorf("still receivable after every demand was paid: %+v", l)
		}
	}
	t.Logf("%d of %d webhooks answered before SIGKILL; after the restart and the resends every demand is paid once", atKill, demands)
}
