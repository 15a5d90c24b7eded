package finance_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/finance/sandbox"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// office is a local body with a registrar's office, a cashier, the
// accountant and a citizen, paying online through a sandbox gateway.
type office struct {
	app                                     *appliance.Appliance
	clock                                   *clock
	gw                                      *sandbox.Gateway
	clerk, registrar, front, cashier, accnt domain.Actor
	secretary                               domain.Actor
	citizen, other                          domain.Actor
}

func newOffice(t *testing.T) *office {
	t.Helper()
	gw, err := sandbox.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	lb := synth.DemoLocalBody()
	// Monday 7 December 2026, 10:30 IST.
	c := &clock{time.Date(2026, 12, 7, 10, 30, 0, 0, domain.IST)}
	keys := gw.Keys
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Now: c.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicURL: "https://demo.ksmart.test", Payments: appliance.PaymentsConfig{Gateway: &keys,
			Counters: []finance.Counter{{Code: "C1", Name: domain.T("Counter 1", "കൗണ്ടർ 1")}, {Code: "C2", Name: domain.T("Counter 2", "കൗണ്ടർ 2")}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		checkBooks(t, app)
		app.Close()
	})
	o := &office{app: app, clock: c, gw: gw}
	for _, s := range []struct {
		login string
		role  domain.Role
		to    *domain.Actor
	}{{"clerk", domain.RoleSectionClerk, &o.clerk}, {"registrar", domain.RoleRegistrar, &o.registrar}, {"front", domain.RoleFrontOffice, &o.front},
		{"cashier", domain.RoleCashier, &o.cashier}, {"accountant", domain.RoleAccountant, &o.accnt}, {"secretary", domain.RoleSecretary, &o.secretary}} {
		u, _, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: s.login, Name: "Officer " + s.login, Roles: []domain.Role{s.role}})
		if err != nil {
			t.Fatal(err)
		}
		*s.to = u.Actor()
	}
	for i, p := range []string{"9847012345", "9847012346"} {
		u, err := synth.Citizen(app, p, []string{"Ravi Kumar", "Sreeja R."}[i], "a long enough password 1")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			o.citizen = u.Actor()
		} else {
			o.other = u.Actor()
		}
	}
	return o
}

// checkBooks fails the test when the books do not balance: total debits
// equal total credits, today and for every head.
func checkBooks(t *testing.T, app *appliance.Appliance) {
	t.Helper()
	accountant := domain.Actor{ID: "u-check", Roles: []domain.Role{domain.RoleAccountant}}
	tb, err := app.Finance.TrialBalance(accountant, "2099-12-31")
	if err != nil {
		t.Errorf("trial balance: %v", err)
		return
	}
	if tb.TotalDebit != tb.TotalCredit {
		t.Errorf("the books do not balance: debits %v, credits %v: %+v", tb.TotalDebit, tb.TotalCredit, tb.Lines)
	}
}

func (o *office) balanceOf(t *testing.T, head string) domain.Paise {
	t.Helper()
	tb, err := o.app.Finance.TrialBalance(o.accnt, o.clock.t.In(domain.IST).Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	if tb.TotalDebit != tb.TotalCredit {
		t.Fatalf("the books do not balance: %v against %v", tb.TotalDebit, tb.TotalCredit)
	}
	for _, l := range tb.Lines {
		if l.Code == head {
			return l.Debit - l.Credit
		}
	}
	return 0
}

var pdf = workflow.Upload{Name: "scan.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")}

// lateBirth has the citizen report a birth 25 days late (the Rs 2 band)
// online and the registrar approve it; the file waits to be issued.
func (o *office) lateBirth(t *testing.T) workflow.File {
	t.Helper()
	day := o.clock.t.AddDate(0, 0, -25).Format(time.DateOnly)
	f, err := o.app.Workflow.Submit(o.citizen, workflow.Submission{Service: "birth_registration", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Citizen", "")}, Uploads: map[string]workflow.Upload{"parent_id": pdf},
		Values: map[string]string{"child_name_en": "Sreekutty", "sex": "female", "still_birth": "no", "date_of_birth": day,
			"place_type": "hospital", "place_of_birth": "General Hospital, Ernakulam", "reported_by": "family",
			"mother_name_en": "Priya", "permanent_address": "Thekkedath House, Fort Road", "ward": "3", "informant_name_en": "Krishnan", "informant_phone": "9847012345"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		by   domain.Actor
		kind string
	}{{o.clerk, workflow.KindForwarded}, {o.registrar, workflow.KindApproved}} {
		if f, err = o.app.Workflow.Act(step.by, f.ID, workflow.Request{Kind: step.kind}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (o *office) demandOf(t *testing.T, f workflow.File) finance.Demand {
	t.Helper()
	m, err := o.app.Finance.OfFile(f.ID)
	if err != nil || len(m.Demands) != 1 {
		t.Fatalf("file %s's demands: %+v %v", f.Number, m, err)
	}
	return m.Demands[0]
}

func code(err error) string { return domain.ErrorCode(err) }

func TestMoney_ALateFeeIsPaidOnlineThenTheCertificateIsIssued(t *testing.T) {
	o := newOffice(t)
	f := o.lateBirth(t)
	d := o.demandOf(t, f)
	if d.Amount != 200 || d.Balance() != 200 || d.State != finance.StateOpen || d.Payer.UserID != o.citizen.ID {
		t.Fatalf("the late fee's demand: %+v", d)
	}
	_, err := o.app.Workflow.Act(o.front, f.ID, workflow.Request{Kind: workflow.KindIssued})
	if de, ok := err.(*domain.Error); !ok || de.Code != domain.ECONFLICT || !strings.Contains(de.Message, "₹2.00 is not paid") || de.MessageML == "" {
		t.Fatalf("issuing before the fee is paid: %v", err)
	}
	if got := o.app.Workflow.Actions(o.front, f).Actions; len(got) != 0 {
		t.Errorf("the front office is offered %v on an unpaid file", got)
	}
	// The acknowledgement the citizen got says the fee and how to pay it.
	msgs, _ := messaging.Inbox(o.app.Store, o.citizen.ID, 0)
	var ack messaging.Message
	for _, m := range msgs {
		if m.Kind == messaging.KindAcknowledgement {
			ack = m
		}
	}
	if !strings.Contains(ack.Body.En, "The fee of ₹2.00 is to be paid before it is issued") || !strings.Contains(ack.Body.Ml, "₹2.00 ഫീസ്") {
		t.Errorf("the acknowledgement does not say the fee: %+v", ack)
	}

	// Another citizen cannot pay, or see, this demand.
	if _, err := o.app.Finance.PayOnline(context.Background(), o.other, d.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("another citizen paying the demand: %v", err)
	}
	order, err := o.app.Finance.PayOnline(context.Background(), o.citizen, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if order.Amount != 200 || !strings.HasPrefix(order.URL, o.gw.Keys.BaseURL+"/pay/") {
		t.Fatalf("order %+v", order)
	}
	back, err := o.gw.Settle(order.GatewayID, true)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if u.Path != "/payments/return" {
		t.Fatalf("the gateway sends the payer back to %s", back)
	}
	after, err := o.app.Finance.Returned(context.Background(), u.Query())
	if err != nil || after.Status != finance.OrderPaid || after.Receipt == "" {
		t.Fatalf("the return: %+v %v", after, err)
	}
	// The same return again, and the gateway's webhook after it, credit nothing more.
	if again, err := o.app.Finance.Returned(context.Background(), u.Query()); err != nil || again.Receipt != after.Receipt {
		t.Fatalf("the return again: %+v %v", again, err)
	}
	body, _ := o.gw.WebhookBody(order.GatewayID)
	h := http.Header{"X-Razorpay-Signature": {o.gw.Keys.WebhookSignature(body)}}
	if err := o.app.Finance.Webhook("paymentlinks", body, h); err != nil {
		t.Fatal(err)
	}
	d = o.demandOf(t, f)
	if d.Paid != 200 || d.State != finance.StatePaid || len(d.Receipts) != 1 {
		t.Fatalf("after the payment, twice told: %+v", d)
	}
	r, err := o.app.Finance.Receipt(o.citizen, after.Receipt)
	if err != nil || r.Mode != finance.ModeOnline || r.Counter != finance.OnlineCounter || !strings.HasPrefix(r.Number, "DEMO01-ON-2026-27-") {
		t.Fatalf("the online receipt: %+v %v", r, err)
	}
	if o.balanceOf(t, "450-61") != 200 || o.balanceOf(t, "434-10") != 0 || o.balanceOf(t, "140-41") != -200 {
		t.Errorf("the books after the online payment: gateway %v, receivable %v, late fees %v", o.balanceOf(t, "450-61"), o.balanceOf(t, "434-10"), o.balanceOf(t, "140-41"))
	}
	if f, err = o.app.Workflow.Act(o.front, f.ID, workflow.Request{Kind: workflow.KindIssued}); err != nil || f.Issued == nil {
		t.Fatalf("issuing once paid: %v", err)
	}
}

func TestMoney_PaidAtTheCounterWithAGaplessReceiptThatVerifies(t *testing.T) {
	o := newOffice(t)
	var numbers []string
	for range 3 {
		d := o.demandOf(t, o.lateBirth(t))
		r, err := o.app.Finance.Collect(o.cashier, d.Number, finance.Payment{Counter: "C2", Amount: 200, Mode: finance.ModeCash})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, r.Number)
	}
	if strings.Join(numbers, " ") != "DEMO01-C2-2026-27-1 DEMO01-C2-2026-27-2 DEMO01-C2-2026-27-3" {
		t.Fatalf("counter C2's receipts are numbered %v", numbers)
	}
	r, err := o.app.Finance.Receipt(o.cashier, numbers[1])
	if err != nil {
		t.Fatal(err)
	}
	doc, err := o.app.Finance.PDF(r)
	if err != nil || !strings.HasPrefix(string(doc), "%PDF-") {
		t.Fatalf("the receipt's PDF: %v", err)
	}
	if dir := os.Getenv("KSMART_EVIDENCE_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, "payment-receipt.pdf"), doc, 0o644)
	}
	if again, _ := o.app.Finance.PDF(r); string(again) != string(doc) {
		t.Error("the receipt is not the same bytes when drawn again")
	}
	qr, _ := o.app.Finance.QR(r)
	q, _ := url.Parse(qr)
	c, err := o.app.Finance.Verify(r.Number, q.Query().Get("d"), q.Query().Get("s"))
	if err != nil || !c.Genuine() || !c.Checked || c.Receipt == nil || c.Receipt.Amount != 200 {
		t.Fatalf("the receipt's QR code does not verify: %+v %v", c, err)
	}
	// A forger changes a letter in the middle of the signature.
	forged := []byte(q.Query().Get("s"))
	if forged[20] == 'A' {
		forged[20] = 'B'
	} else {
		forged[20] = 'A'
	}
	if c, _ := o.app.Finance.Verify(r.Number, q.Query().Get("d"), string(forged)); c.Genuine() || c.Receipt != nil || c.Problem.En == "" {
		t.Errorf("a forged code: %+v", c)
	}
	if c, _ := o.app.Finance.Verify(r.Number, "", ""); c.Receipt != nil || !c.Genuine() {
		t.Errorf("a number alone shows the payer or does not say it stands: %+v", c)
	}
	if o.balanceOf(t, "450-10") != 600 {
		t.Errorf("cash in hand %v, want ₹6", o.balanceOf(t, "450-10"))
	}
}

func TestMoney_BadPaymentsAreRefusedFieldByFieldAndWriteNothing(t *testing.T) {
	o := newOffice(t)
	d := o.demandOf(t, o.lateBirth(t))
	before := o.app.Store.LastSeq()
	for _, c := range []struct {
		name  string
		by    domain.Actor
		p     finance.Payment
		code  string
		field string
	}{
		{"zero", o.cashier, finance.Payment{Counter: "C1", Amount: 0, Mode: finance.ModeCash}, domain.EINVALID, "amount_paise"},
		{"negative", o.cashier, finance.Payment{Counter: "C1", Amount: -100, Mode: finance.ModeCash}, domain.EINVALID, "amount_paise"},
		{"over the balance", o.cashier, finance.Payment{Counter: "C1", Amount: 300, Mode: finance.ModeCash}, domain.EINVALID, "amount_paise"},
		{"no such counter", o.cashier, finance.Payment{Counter: "C9", Amount: 200, Mode: finance.ModeCash}, domain.EINVALID, "counter"},
		{"a cheque without its particulars", o.cashier, finance.Payment{Counter: "C1", Amount: 200, Mode: finance.ModeCheque}, domain.EINVALID, "instrument_number"},
		{"a post-dated cheque", o.cashier, finance.Payment{Counter: "C1", Amount: 200, Mode: finance.ModeCheque, Instrument: finance.Instrument{Bank: "SBI Fort", Number: "123456", Date: "2027-01-30"}}, domain.EINVALID, "instrument_date"},
		{"UPI without its reference", o.cashier, finance.Payment{Counter: "C1", Amount: 200, Mode: finance.ModeUPI}, domain.EINVALID, "reference"},
		{"an unknown mode", o.cashier, finance.Payment{Counter: "C1", Amount: 200, Mode: "barter"}, domain.EINVALID, "mode"},
		{"a clerk is no cashier", o.clerk, finance.Payment{Counter: "C1", Amount: 200, Mode: finance.ModeCash}, domain.EFORBIDDEN, ""},
	} {
		_, err := o.app.Finance.Collect(c.by, d.ID, c.p)
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != c.code || (c.field != "" && de.Fields[c.field].En == "") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := o.app.Finance.Collect(o.cashier, "DM/2026-27/999", finance.Payment{Counter: "C1", Amount: 200, Mode: finance.ModeCash}); code(err) != domain.ENOTFOUND {
		t.Errorf("a demand that does not exist: %v", err)
	}
	if o.app.Store.LastSeq() != before {
		t.Fatalf("refused payments wrote %d events", o.app.Store.LastSeq()-before)
	}
	// Paid in two parts; then the demand is paid and takes nothing more.
	for _, amt := range []domain.Paise{150, 50} {
		if _, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: amt, Mode: finance.ModeCash}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: 100, Mode: finance.ModeCash}); code(err) != domain.ECONFLICT {
		t.Errorf("paying a paid demand: %v", err)
	}
	if d, _ := o.app.Finance.Demand(o.cashier, d.ID); d.State != finance.StatePaid || len(d.Receipts) != 2 {
		t.Errorf("after two part payments: %+v", d)
	}
}

func TestMoney_AChequeReturnedUnpaidReversesAndTheFileWaitsAgain(t *testing.T) {
	o := newOffice(t)
	f := o.lateBirth(t)
	d := o.demandOf(t, f)
	r, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: 200, Mode: finance.ModeCheque,
		Instrument: finance.Instrument{Bank: "State Bank of India, Fort", Number: "004512", Date: "2026-12-05"}})
	if err != nil {
		t.Fatal(err)
	}
	if o.balanceOf(t, "450-31") != 200 {
		t.Fatalf("the cheque in hand: %v", o.balanceOf(t, "450-31"))
	}
	if _, err := o.app.Finance.Bounce(o.cashier, r.Number, "Returned by the bank: insufficient funds"); code(err) != domain.EFORBIDDEN {
		t.Errorf("the cashier recording the return: %v", err)
	}
	if _, err := o.app.Finance.Bounce(o.accnt, r.Number, "short"); code(err) != domain.EINVALID {
		t.Errorf("a return without its reason: %v", err)
	}
	if r, err = o.app.Finance.Bounce(o.accnt, r.Number, "Returned by the bank: insufficient funds"); err != nil || r.Status != finance.ReceiptBounced {
		t.Fatalf("the return: %+v %v", r, err)
	}
	if _, err := o.app.Finance.Bounce(o.accnt, r.Number, "Returned by the bank: insufficient funds"); code(err) != domain.ECONFLICT {
		t.Errorf("a second return: %v", err)
	}
	if _, err := o.app.Finance.Cancel(o.secretary, r.Number, "Cancelling a returned cheque"); code(err) != domain.ECONFLICT {
		t.Errorf("cancelling a returned cheque's receipt: %v", err)
	}
	if d, _ = o.app.Finance.Demand(o.accnt, d.ID); d.Balance() != 200 || d.State != finance.StateOpen {
		t.Fatalf("after the return the demand is %+v", d)
	}
	if o.balanceOf(t, "450-31") != 0 || o.balanceOf(t, "434-10") != 200 {
		t.Errorf("after the return: instruments %v, receivable %v", o.balanceOf(t, "450-31"), o.balanceOf(t, "434-10"))
	}
	if _, err := o.app.Workflow.Act(o.front, f.ID, workflow.Request{Kind: workflow.KindIssued}); code(err) != domain.ECONFLICT {
		t.Errorf("issuing after the cheque was returned: %v", err)
	}
	// The cancelled receipt stays in the collection register, marked.
	c, err := o.app.Finance.Collections(o.accnt, "C1", "2026-12-07")
	if err != nil || len(c.Receipts) != 1 || c.Receipts[0].Status != finance.ReceiptBounced {
		t.Errorf("the collection register: %+v %v", c, err)
	}
}

func TestMoney_ACancelledReceiptNeedsASupervisorAndIsNotCancelledTwice(t *testing.T) {
	o := newOffice(t)
	d := o.demandOf(t, o.lateBirth(t))
	r, err := o.app.Finance.Collect(o.accnt, d.ID, finance.Payment{Counter: "C1", Amount: 200, Mode: finance.ModeCash})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.app.Finance.Cancel(o.accnt, r.Number, "Entered against the wrong demand"); code(err) != domain.EFORBIDDEN {
		t.Errorf("the one who issued it cancelling it: %v", err)
	}
	if _, err := o.app.Finance.Cancel(o.cashier, r.Number, "Entered against the wrong demand"); code(err) != domain.EFORBIDDEN {
		t.Errorf("a cashier cancelling: %v", err)
	}
	if r, err = o.app.Finance.Cancel(o.secretary, r.Number, "Entered against the wrong demand"); err != nil || r.Status != finance.ReceiptCancelled || r.Reversal == nil {
		t.Fatalf("the cancellation: %+v %v", r, err)
	}
	if _, err := o.app.Finance.Cancel(o.secretary, r.Number, "Entered against the wrong demand"); code(err) != domain.ECONFLICT {
		t.Errorf("cancelled twice: %v", err)
	}
	if o.balanceOf(t, "450-10") != 0 || o.balanceOf(t, "434-10") != 200 {
		t.Errorf("after the cancellation: cash %v, receivable %v", o.balanceOf(t, "450-10"), o.balanceOf(t, "434-10"))
	}
	doc, err := o.app.Finance.PDF(r)
	if err != nil || len(doc) == 0 {
		t.Fatalf("the cancelled receipt's PDF: %v", err)
	}
	c, _ := o.app.Finance.Verify(r.Number, "", "")
	if c.Genuine() || c.Status != finance.ReceiptCancelled {
		t.Errorf("verifying a cancelled receipt: %+v", c)
	}
}

func TestMoney_ForgedCallbacksAndWebhooksChangeNothing(t *testing.T) {
	o := newOffice(t)
	d := o.demandOf(t, o.lateBirth(t))
	order, err := o.app.Finance.PayOnline(context.Background(), o.citizen, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := o.app.Store.LastSeq()
	q := url.Values{"razorpay_payment_id": {"pay_forged"}, "razorpay_payment_link_id": {order.GatewayID}, "razorpay_payment_link_reference_id": {order.ID},
		"razorpay_payment_link_status": {"paid"}, "razorpay_signature": {strings.Repeat("ab", 32)}}
	if _, err := o.app.Finance.Returned(context.Background(), q); !errors.Is(err, finance.ErrSignature) {
		t.Errorf("a forged return: %v", err)
	}
	q.Del("razorpay_signature")
	if _, err := o.app.Finance.Returned(context.Background(), q); !errors.Is(err, finance.ErrSignature) {
		t.Errorf("a return without a signature: %v", err)
	}
	body := []byte(`{"event":"payment_link.paid","payload":{"payment_link":{"entity":{"id":"` + order.GatewayID + `","reference_id":"` + order.ID + `","amount":200,"amount_paid":200,"status":"paid"}}}}`)
	for _, sig := range []string{"", strings.Repeat("0", 64), o.gw.Keys.ReturnSignature("a", "b", "c", "d")} {
		if err := o.app.Finance.Webhook("paymentlinks", body, http.Header{"X-Razorpay-Signature": {sig}}); !errors.Is(err, finance.ErrSignature) {
			t.Errorf("a webhook signed %q: %v", sig, err)
		}
	}
	if o.app.Store.LastSeq() != before {
		t.Fatalf("forged callbacks wrote %d events", o.app.Store.LastSeq()-before)
	}
	// A genuine webhook whose amount does not match the order credits
	// nothing and is shown to the accountant.
	wrong := []byte(strings.Replace(string(body), `"amount_paid":200`, `"amount_paid":100`, 1))
	if err := o.app.Finance.Webhook("paymentlinks", wrong, http.Header{"X-Razorpay-Signature": {o.gw.Keys.WebhookSignature(wrong)}}); err != nil {
		t.Fatal(err)
	}
	if d, _ = o.app.Finance.Demand(o.accnt, d.ID); d.Paid != 0 {
		t.Fatalf("a mismatched amount credited %v", d.Paid)
	}
	list, err := o.app.Finance.Orders(o.accnt, time.Hour)
	if err != nil || len(list) != 1 || list[0].Status != finance.OrderMismatch || !strings.Contains(list[0].Problem, "₹1.00") {
		t.Fatalf("the accountant's list: %+v %v", list, err)
	}
}

func TestMoney_ReconciliationCreditsALostCallbackOnce(t *testing.T) {
	o := newOffice(t)
	d := o.demandOf(t, o.lateBirth(t))
	order, err := o.app.Finance.PayOnline(context.Background(), o.citizen, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	o.gw.DropWebhooks = true
	if _, err := o.gw.Settle(order.GatewayID, true); err != nil { // paid; the payer never comes back
		t.Fatal(err)
	}
	if n, err := o.app.Finance.Reconcile(context.Background(), 10*time.Minute); err != nil || n != 0 {
		t.Fatalf("reconciling an order minutes old: %d %v", n, err)
	}
	o.clock.t = o.clock.t.Add(15 * time.Minute)
	if list, _ := o.app.Finance.Orders(o.accnt, 10*time.Minute); len(list) != 1 {
		t.Errorf("the pending order is not listed for the accountant: %+v", list)
	}
	if n, err := o.app.Finance.Reconcile(context.Background(), 10*time.Minute); err != nil || n != 1 {
		t.Fatalf("reconciliation: %d %v", n, err)
	}
	if n, err := o.app.Finance.Reconcile(context.Background(), 10*time.Minute); err != nil || n != 0 {
		t.Fatalf("reconciliation again: %d %v", n, err)
	}
	body, _ := o.gw.WebhookBody(order.GatewayID)
	if err := o.app.Finance.Webhook("paymentlinks", body, http.Header{"X-Razorpay-Signature": {o.gw.Keys.WebhookSignature(body)}}); err != nil {
		t.Fatal(err)
	}
	if d, _ = o.app.Finance.Demand(o.accnt, d.ID); d.Paid != 200 || len(d.Receipts) != 1 {
		t.Fatalf("after reconciliation and a late webhook: %+v", d)
	}
}

func TestMoney_AClosedPeriodAndAClosedDayTakeNothing(t *testing.T) {
	o := newOffice(t)
	d := o.demandOf(t, o.lateBirth(t))
	if _, err := o.app.Finance.ClosePeriod(o.accnt, "2026-12"); code(err) != domain.EINVALID {
		t.Errorf("closing a month not over: %v", err)
	}
	if _, err := o.app.Finance.ClosePeriod(o.accnt, "2026-11"); err != nil {
		t.Fatal(err)
	}
	// A payment dated in the closed month (a clock set back) is refused.
	o.clock.t = time.Date(2026, 11, 30, 12, 0, 0, 0, domain.IST)
	if _, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: 100, Mode: finance.ModeCash}); code(err) != domain.ECONFLICT {
		t.Errorf("a payment in a closed month: %v", err)
	}
	o.clock.t = time.Date(2026, 12, 7, 16, 0, 0, 0, domain.IST)
	if _, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: 100, Mode: finance.ModeCash}); err != nil {
		t.Fatal(err)
	}
	dc, err := o.app.Finance.CloseDay(o.cashier, "C1", "2026-12-07")
	if err != nil || dc.Total != 100 || dc.ByMode[finance.ModeCash] != 100 || dc.Receipts != 1 {
		t.Fatalf("the day close: %+v %v", dc, err)
	}
	if _, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: 100, Mode: finance.ModeCash}); code(err) != domain.ECONFLICT {
		t.Errorf("a payment at a closed counter: %v", err)
	}
	if _, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C2", Amount: 100, Mode: finance.ModeCash}); err != nil {
		t.Errorf("a payment at another counter: %v", err)
	}
	if _, err := o.app.Finance.Remit(o.accnt, "C1", "2026-12-07", "SBI-CH-0042"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.app.Finance.Remit(o.accnt, "C1", "2026-12-07", "SBI-CH-0042"); code(err) != domain.ECONFLICT {
		t.Errorf("remitting twice: %v", err)
	}
	if o.balanceOf(t, "450-21") != 100 || o.balanceOf(t, "450-10") != 100 {
		t.Errorf("after the remittance: bank %v, cash %v (C2's ₹1 still in hand)", o.balanceOf(t, "450-21"), o.balanceOf(t, "450-10"))
	}
	s, err := o.app.Finance.ReceiptsAndPayments(o.accnt, "2026-12-01", "2026-12-31")
	if err != nil || s.TotalReceipts != 200 || s.TotalPayments != 0 {
		t.Errorf("receipts and payments: %+v %v", s, err)
	}
	l, err := o.app.Finance.Ledger(o.accnt, "450-10", "2026-12-07", "2026-12-07")
	if err != nil || len(l.Lines) != 3 || l.Closing != 100 {
		t.Errorf("the cash book: %+v %v", l, err)
	}
}

func TestMoney_AMiscellaneousPaymentIsReckonedInPaiseAndIssuedAsItsReceipt(t *testing.T) {
	o := newOffice(t)
	sub := func(amount string) (workflow.File, error) {
		return o.app.Workflow.Submit(o.citizen, workflow.Submission{Service: "misc_payment", Channel: workflow.ChannelOnline,
			Applicant: workflow.Applicant{Name: domain.T("Citizen", "")},
			Values:    map[string]string{"payer_name_en": "Citizen", "head": "rent", "reference": "Shop 4, market complex", "amount_rupees": amount, "phone": "9847012345"}})
	}
	for _, bad := range []string{"2500.505", "-10", "0", "1e3"} {
		if _, err := sub(bad); code(err) != domain.EINVALID {
			t.Errorf("amount %q: %v", bad, err)
		}
	}
	f, err := sub("2500.50")
	if err != nil {
		t.Fatal(err)
	}
	d := o.demandOf(t, f)
	if d.Amount != 250050 || d.Head != "150-10" {
		t.Fatalf("the demand: %+v", d)
	}
	if _, err := o.app.Workflow.Act(o.accnt, f.ID, workflow.Request{Kind: workflow.KindApproved}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.app.Workflow.Act(o.accnt, f.ID, workflow.Request{Kind: workflow.KindIssued}); code(err) != domain.ECONFLICT {
		t.Errorf("issuing the receipt of an unpaid payment: %v", err)
	}
	r, err := o.app.Finance.Collect(o.cashier, d.ID, finance.Payment{Counter: "C1", Amount: 250050, Mode: finance.ModeUPI, Instrument: finance.Instrument{Reference: "UTR123456789012"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err = o.app.Workflow.Act(o.accnt, f.ID, workflow.Request{Kind: workflow.KindIssued})
	if err != nil || f.Issued == nil || f.Issued.Number != r.Number {
		t.Fatalf("the issued receipt: %+v %v", f.Issued, err)
	}
	if o.balanceOf(t, "450-21") != 250050 || o.balanceOf(t, "150-10") != -250050 {
		t.Errorf("the books: bank %v, rent %v", o.balanceOf(t, "450-21"), o.balanceOf(t, "150-10"))
	}
}

func TestMoney_AKioskCopyNobodyPaidForLapsesAndItsIncomeIsReversed(t *testing.T) {
	o := newOffice(t)
	f := o.app.Finance
	hall, porch := appliance.KioskActor("hall"), appliance.KioskActor("porch")
	svc, _ := o.app.Catalogue.Get("birth_certificate")
	ref := finance.Ref{ID: "birth/2021/000015", Number: "B-15/2021", Title: domain.T("Copy of a birth certificate", "ജനന സർട്ടിഫിക്കറ്റിന്റെ പകർപ്പ്")}
	income := o.balanceOf(t, "140-40")

	if _, err := f.ChargeCopy(o.citizen, svc, ref); code(err) != domain.EFORBIDDEN {
		t.Errorf("a citizen charging a kiosk copy: %v", err)
	}
	unpaid, err := f.ChargeCopy(hall, svc, ref)
	if err != nil || unpaid.Amount != 1000 || unpaid.Ref.Kind != finance.RefKioskCopy {
		t.Fatalf("charging a copy: %+v, %v", unpaid, err)
	}
	if again, _ := f.ChargeCopy(hall, svc, ref); again.Number != unpaid.Number {
		t.Errorf("the same kiosk asking again got %s, not %s", again.Number, unpaid.Number)
	}
	paid, _ := f.ChargeCopy(porch, svc, ref)
	if paid.Number == unpaid.Number {
		t.Fatal("another kiosk got the first kiosk's demand")
	}
	if _, err := f.Collect(o.cashier, paid.Number, finance.Payment{Counter: "C1", Amount: 1000, Mode: finance.ModeCash}); err != nil {
		t.Fatal(err)
	}
	if got := income - o.balanceOf(t, "140-40"); got != 2000 {
		t.Errorf("two copies charged credit %v to the fee head, want ₹20.00", got)
	}

	// Within the day nothing lapses; after it, the unpaid copy does, once.
	o.clock.t = o.clock.t.Add(finance.CopyHeld - time.Minute)
	if n, err := f.LapseCopies(); n != 0 || err != nil {
		t.Errorf("before the day is out, %d lapsed (%v)", n, err)
	}
	o.clock.t = o.clock.t.Add(2 * time.Minute)
	if n, err := f.LapseCopies(); n != 1 || err != nil {
		t.Errorf("after the day, %d lapsed (%v), want the unpaid one", n, err)
	}
	if n, _ := f.LapseCopies(); n != 0 {
		t.Errorf("lapsing again lapsed %d more", n)
	}
	d, err := f.CopyDemand(unpaid.Number)
	if err != nil || d.State != finance.StateCancelled || d.Balance() != 0 || d.Decisions[0].Kind != finance.DecisionLapsed {
		t.Errorf("the lapsed demand: %+v, %v", d, err)
	}
	if got := income - o.balanceOf(t, "140-40"); got != 1000 {
		t.Errorf("after the lapse the fee head has %v, want only the paid copy's ₹10.00", got)
	}
	if _, err := f.Collect(o.cashier, unpaid.Number, finance.Payment{Counter: "C1", Amount: 1000, Mode: finance.ModeCash}); code(err) != domain.ECONFLICT {
		t.Errorf("taking money on a lapsed copy: %v", err)
	}
	if p, _ := f.CopyDemand(paid.Number); p.State != finance.StatePaid {
		t.Errorf("the paid copy's demand is %s", p.State)
	}
	if _, err := f.CopyDemand(o.demandOf(t, o.lateBirth(t)).Number); code(err) != domain.EINVALID {
		t.Errorf("a file's demand read as a kiosk copy: %v", err)
	}
}
