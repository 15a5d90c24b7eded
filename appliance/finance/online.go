package finance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Gateway is a payment gateway as finance uses it: a payment is created
// for a payer to complete on the gateway's page, the payer comes back with
// a signed answer, the gateway confirms with a signed webhook, and can be
// asked about a payment later. Every answer is checked before it is
// believed.
type Gateway interface {
	// Name is the gateway's name in URLs: /webhooks/payments/<name>.
	Name() string
	// Create asks for a payment and returns the gateway's id for it and
	// the address to send the payer to.
	Create(ctx context.Context, r GatewayRequest) (GatewayOrder, error)
	// Return checks the signed query the payer comes back with, and reads
	// it; ErrSignature when it does not check.
	Return(q url.Values) (GatewayPayment, error)
	// Webhook checks a webhook's signature over its body and reads it;
	// ErrSignature when it does not check; ok is false for an event that
	// is not about a payment.
	Webhook(body []byte, h http.Header) (p GatewayPayment, ok bool, err error)
	// Fetch asks the gateway about a payment by its id.
	Fetch(ctx context.Context, id string) (GatewayPayment, error)
}

// GatewayRequest is a payment to create.
type GatewayRequest struct {
	Reference   string // ours: the order's id
	Amount      domain.Paise
	Description string
	Name, Phone string
	ReturnURL   string
}

// GatewayOrder is a payment the gateway created.
type GatewayOrder struct {
	ID  string // the gateway's id for it
	URL string // where the payer completes it
}

// GatewayPayment is what the gateway says of a payment.
type GatewayPayment struct {
	ID        string // the gateway's id of the payment request (GatewayOrder.ID)
	Reference string // ours, as we gave it
	PaymentID string // the gateway's id of the money received
	// Amount is what was paid, when the gateway said (0 when it did not).
	Amount domain.Paise
	Status string // GatewayPaid, GatewayPending or GatewayFailed
}

// What a gateway says of a payment.
const (
	GatewayPaid    = "paid"
	GatewayPending = "pending"
	GatewayFailed  = "failed"
)

// ErrSignature is a gateway's answer whose signature does not check: it
// is refused (401) and changes nothing.
var ErrSignature = errors.New("finance: the payment gateway's signature does not match")

// Order is a payment online of a demand.
type Order struct {
	ID        string       `json:"id"`     // KSO-<local body>-<n>: the reference the gateway carries
	Demand    string       `json:"demand"` // id
	DemandN   string       `json:"demand_number"`
	Ref       Ref          `json:"ref"`
	Payer     string       `json:"payer,omitempty"` // user id
	Amount    domain.Paise `json:"amount_paise"`
	Gateway   string       `json:"gateway"`
	GatewayID string       `json:"gateway_id"`
	URL       string       `json:"url"`
	Created   time.Time    `json:"created"`
	Status    string       `json:"status"` // OrderCreated, OrderPaid, OrderFailed or OrderMismatch
	Updated   time.Time    `json:"updated,omitzero"`
	PaymentID string       `json:"payment_id,omitempty"`
	Receipt   string       `json:"receipt,omitempty"`
	// Problem says, for the accountant, why a payment was not credited.
	Problem string `json:"problem,omitempty"`
}

// Order statuses.
const (
	OrderCreated  = "created"
	OrderPaid     = "paid"
	OrderFailed   = "failed"
	OrderMismatch = "mismatch"
)

// PayOnline creates a payment of what is owed on a demand through the
// gateway, for its payer (or the office on their behalf), and returns the
// order, whose URL the payer is sent to.
func (f *Finance) PayOnline(ctx context.Context, by domain.Actor, demand string) (Order, error) {
	if f.Gateway == nil {
		return Order{}, domain.Bilingual(domain.EUNAVAILABLE, domain.T("Online payment is not set up at this office; pay at the cash counter or by UPI.", "ഈ ഓഫീസിൽ ഓൺലൈൻ പേയ്മെന്റ് സജ്ജമാക്കിയിട്ടില്ല; ക്യാഷ് കൗണ്ടറിലോ യു.പി.ഐ. വഴിയോ അടയ്ക്കുക."))
	}
	d, err := f.Demand(by, demand)
	if err != nil {
		return Order{}, err
	}
	if d.Balance() <= 0 {
		return Order{}, conflict(fmt.Sprintf("Nothing is owed on %s.", d.Number), fmt.Sprintf("%s-ൽ ഒന്നും അടയ്ക്കാനില്ല.", d.Number))
	}
	n, err := f.Store.Reserve(seqOrder)
	if err != nil {
		return Order{}, err
	}
	now := f.Now()
	o := Order{ID: fmt.Sprintf("KSO-%s-%d", f.LocalBody.Code, n), Demand: d.ID, DemandN: d.Number, Ref: d.Ref, Payer: d.Payer.UserID,
		Amount: d.Balance(), Gateway: f.Gateway.Name(), Created: now, Status: OrderCreated}
	g, err := f.Gateway.Create(ctx, GatewayRequest{Reference: o.ID, Amount: o.Amount, Description: d.Ref.Title.En + " " + d.Ref.Number + " (" + d.Number + ")",
		Name: d.Payer.Name.En, Phone: d.Payer.Phone, ReturnURL: f.PublicURL() + "/payments/return"})
	if err != nil {
		return Order{}, domain.Bilingual(domain.EUNAVAILABLE, domain.T("The payment gateway did not answer; try again in a few minutes, or pay at the counter.", "പേയ്മെന്റ് ഗേറ്റ്‌വേ പ്രതികരിച്ചില്ല; കുറച്ചു കഴിഞ്ഞ് ശ്രമിക്കുക, അല്ലെങ്കിൽ കൗണ്ടറിൽ അടയ്ക്കുക."))
	}
	o.GatewayID, o.URL = g.ID, g.URL
	_, err = f.Store.Write(func(tx *store.Tx) error {
		if err := tx.UseNumber(seqOrder, n); err != nil {
			return err
		}
		if err := tx.ClaimKey(indexGateway, o.Gateway+"/"+o.GatewayID, o.ID); err != nil {
			return err
		}
		if err := tx.Put(entityOrder, o.ID, o); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventOrderCreated, entityOrder, o.ID, o)
	})
	return o, err
}

// Returned handles the payer's return from the gateway: the signed query
// is checked (ErrSignature when it does not check), the gateway is asked
// for the payment's amount, and the demand is credited once. It returns
// the order as it is after.
func (f *Finance) Returned(ctx context.Context, q url.Values) (Order, error) {
	if f.Gateway == nil {
		return Order{}, ErrSignature
	}
	p, err := f.Gateway.Return(q)
	if err != nil {
		return Order{}, err
	}
	if p.Status == GatewayPaid {
		// The return says paid; the gateway's own record says how much.
		if fetched, err := f.Gateway.Fetch(ctx, p.ID); err == nil {
			p = fetched
		} else {
			f.Logger.Warn("finance: asking the gateway about a returned payment failed; the webhook or the reconciliation will credit it", "gateway_id", p.ID, "error", err)
			return f.order(p.ID)
		}
	}
	return f.Credit(p)
}

// Webhook handles a gateway's webhook: the signature over the body is
// checked (ErrSignature when it does not check) and a payment it reports
// is credited once.
func (f *Finance) Webhook(gateway string, body []byte, h http.Header) error {
	if f.Gateway == nil || gateway != f.Gateway.Name() {
		return ErrSignature
	}
	p, ok, err := f.Gateway.Webhook(body, h)
	if err != nil || !ok {
		return err
	}
	_, err = f.Credit(p)
	return err
}

func (f *Finance) order(gatewayID string) (Order, error) {
	var o Order
	err := f.Store.View(func(tx *store.Tx) error {
		id, err := tx.Lookup(indexGateway, f.Gateway.Name()+"/"+gatewayID)
		if err != nil {
			return err
		}
		return tx.Get(entityOrder, id, &o)
	})
	return o, err
}

// Credit records what the gateway said of a payment, once: a payment paid
// in full credits its demand with a receipt of the online series; one
// whose amount or reference does not match its order, or that comes after
// the demand was paid otherwise, is marked for the accountant and credits
// nothing; a failed one closes its order. Said again (a callback twice, a
// webhook after the return, the reconciliation after both), it changes
// nothing.
func (f *Finance) Credit(p GatewayPayment) (Order, error) {
	now := f.Now()
	var out Order
	_, err := f.Store.Write(func(tx *store.Tx) error {
		id, err := tx.Lookup(indexGateway, f.Gateway.Name()+"/"+p.ID)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return domain.Errorf(domain.ENOTFOUND, "no payment order has the gateway's id %q", p.ID)
			}
			return err
		}
		var o Order
		if err := tx.Get(entityOrder, id, &o); err != nil {
			return err
		}
		out = o
		if o.Status != OrderCreated {
			return nil // already settled one way or the other
		}
		o.Updated = now
		switch {
		case p.Status == GatewayPending:
			return nil
		case p.Status == GatewayFailed:
			o.Status = OrderFailed
			out = o
			if err := tx.Put(entityOrder, o.ID, o); err != nil {
				return err
			}
			return tx.Emit(domain.System.ID, EventOrderFailed, entityOrder, o.ID, o)
		case p.Reference != o.ID || p.Amount != o.Amount:
			o.Status, o.PaymentID = OrderMismatch, p.PaymentID
			o.Problem = fmt.Sprintf("the gateway says %v was paid for %q; the order is for %v (%s)", p.Amount, p.Reference, o.Amount, o.ID)
			out = o
			if err := tx.Put(entityOrder, o.ID, o); err != nil {
				return err
			}
			return tx.Emit(domain.System.ID, EventOrderMismatch, entityOrder, o.ID, o)
		}
		d, err := findDemand(tx, o.Demand)
		if err != nil {
			return err
		}
		if d.Balance() < o.Amount {
			o.Status, o.PaymentID = OrderMismatch, p.PaymentID
			o.Problem = fmt.Sprintf("%v was paid online, but only %v was still owed on %s (paid meanwhile at the counter?): refund the difference", o.Amount, d.Balance(), d.Number)
			out = o
			if err := tx.Put(entityOrder, o.ID, o); err != nil {
				return err
			}
			return tx.Emit(domain.System.ID, EventOrderMismatch, entityOrder, o.ID, o)
		}
		gateway := domain.Actor{ID: "gateway:" + o.Gateway, Name: "Payment gateway"}
		r, err := f.receive(tx, &d, OnlineCounter, o.Amount, ModeOnline, Instrument{Reference: p.PaymentID}, gateway, now)
		if err != nil {
			return err
		}
		o.Status, o.PaymentID, o.Receipt = OrderPaid, p.PaymentID, r.Number
		out = o
		return tx.Put(entityOrder, o.ID, o)
	})
	return out, err
}

// Orders lists the online payments that need the accountant: those still
// created longer than pendingFor ago, and those that did not match.
func (f *Finance) Orders(by domain.Actor, pendingFor time.Duration) ([]Order, error) {
	if err := mayReadBooks(by); err != nil {
		return nil, err
	}
	now := f.Now()
	var out []Order
	err := f.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityOrder, store.ScanOptions{}, func(_ string, raw []byte) error {
			var o Order
			if err := json.Unmarshal(raw, &o); err != nil {
				return err
			}
			if o.Status == OrderMismatch || (o.Status == OrderCreated && now.Sub(o.Created) >= pendingFor) {
				out = append(out, o)
			}
			return nil
		})
	})
	return out, err
}

// Reconcile asks the gateway about every order still created after
// olderThan, and credits or closes each as the gateway says: a callback
// that never came (the payer closed the page, the webhook was lost) credits
// once this way. It returns how many it settled.
func (f *Finance) Reconcile(ctx context.Context, olderThan time.Duration) (int, error) {
	if f.Gateway == nil {
		return 0, nil
	}
	now := f.Now()
	var pending []Order
	err := f.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityOrder, store.ScanOptions{}, func(_ string, raw []byte) error {
			var o Order
			if err := json.Unmarshal(raw, &o); err != nil {
				return err
			}
			if o.Status == OrderCreated && o.Gateway == f.Gateway.Name() && now.Sub(o.Created) >= olderThan {
				pending = append(pending, o)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range pending {
		p, err := f.Gateway.Fetch(ctx, o.GatewayID)
		if err != nil {
			f.Logger.Warn("finance: reconciliation could not ask the gateway", "order", o.ID, "error", err)
			continue
		}
		after, err := f.Credit(p)
		if err != nil {
			return n, err
		}
		if after.Status != OrderCreated {
			n++
		}
	}
	return n, ctx.Err()
}

// RunReconciliation reconciles every interval, orders older than
// olderThan, until stop closes.
func (f *Finance) RunReconciliation(interval, olderThan time.Duration, stop <-chan struct{}) {
	if f.Gateway == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		if n, err := f.Reconcile(ctx, olderThan); err != nil {
			f.Logger.Error("finance: reconciliation failed", "error", err)
		} else if n > 0 {
			f.Logger.Info("finance: online payments settled by reconciliation", "count", n)
		}
		cancel()
	}
}

// UPIURI is the address a UPI app pays a demand's balance to the local
// body by (upi://pay, as NPCI's deep-link form has it): the payee's VPA and
// name, the amount in rupees, and the demand's number as the note, which the
// cashier matches when the payment is confirmed. "" when the local body has
// no UPI address or nothing is owed.
func (f *Finance) UPIURI(d Demand) string {
	if f.UPI.VPA == "" || d.Balance() <= 0 {
		return ""
	}
	q := url.Values{"pa": {f.UPI.VPA}, "pn": {f.UPI.Payee}, "am": {fmt.Sprintf("%d.%02d", d.Balance()/100, d.Balance()%100)}, "cu": {"INR"}, "tn": {d.Number}}
	return "upi://pay?" + q.Encode()
}
