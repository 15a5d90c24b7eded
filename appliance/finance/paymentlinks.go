package finance

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ksmart/appliance/domain"
)

// PaymentLinks is a Gateway of the payment-links shape Razorpay documents:
//
//   - create: POST <base>/v1/payment_links with HTTP basic auth (key id,
//     key secret) and {amount (paise), currency "INR", reference_id,
//     description, customer, callback_url, callback_method "get"}; the
//     answer's id and short_url are the payment and the page to send the
//     payer to;
//   - return: the payer comes back to callback_url with
//     razorpay_payment_id, razorpay_payment_link_id,
//     razorpay_payment_link_reference_id, razorpay_payment_link_status and
//     razorpay_signature, the hex HMAC-SHA256 with the key secret of
//     "<link id>|<reference id>|<status>|<payment id>";
//   - webhook: a POST whose X-Razorpay-Signature header is the hex
//     HMAC-SHA256 of the raw body with the webhook secret; the event
//     payment_link.paid carries payload.payment_link.entity (id,
//     reference_id, amount, amount_paid, status) and payload.payment.entity
//     (id, amount, status);
//   - fetch: GET <base>/v1/payment_links/<id> answers the link with its
//     status and amount_paid.
//
// Signatures are compared in constant time (hmac.Equal).
type PaymentLinks struct {
	BaseURL       string `json:"base_url"` // e.g. https://api.razorpay.com
	KeyID         string `json:"key_id"`
	KeySecret     string `json:"key_secret"`
	WebhookSecret string `json:"webhook_secret"`
	// Client makes the calls; nil means one with a 20 s timeout.
	Client *http.Client `json:"-"`
}

// Name is the gateway's name in webhook URLs.
func (g *PaymentLinks) Name() string { return "paymentlinks" }

func (g *PaymentLinks) client() *http.Client {
	if g.Client != nil {
		return g.Client
	}
	return &http.Client{Timeout: 20 * time.Second}
}

// Check says what is missing from the configuration.
func (g *PaymentLinks) Check() error {
	var missing []string
	if _, err := url.ParseRequestURI(g.BaseURL); err != nil || !strings.HasPrefix(g.BaseURL, "http") {
		missing = append(missing, "base_url (e.g. https://api.razorpay.com)")
	}
	for name, v := range map[string]string{"key_id": g.KeyID, "key_secret": g.KeySecret, "webhook_secret": g.WebhookSecret} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the payment gateway needs %s", strings.Join(missing, ", "))
	}
	return nil
}

type linkEntity struct {
	ID          string `json:"id"`
	ReferenceID string `json:"reference_id"`
	Amount      int64  `json:"amount"`
	AmountPaid  int64  `json:"amount_paid"`
	Status      string `json:"status"`
	ShortURL    string `json:"short_url"`
	Payments    []struct {
		PaymentID string `json:"payment_id"`
		Amount    int64  `json:"amount"`
		Status    string `json:"status"`
	} `json:"payments"`
}

func (l linkEntity) payment() GatewayPayment {
	p := GatewayPayment{ID: l.ID, Reference: l.ReferenceID, Amount: domain.Paise(l.AmountPaid), Status: GatewayPending}
	switch l.Status {
	case "paid":
		p.Status = GatewayPaid
	case "expired", "cancelled":
		p.Status = GatewayFailed
	}
	for _, pm := range l.Payments {
		if pm.Status == "captured" {
			p.PaymentID = pm.PaymentID
		}
	}
	return p
}

func (g *PaymentLinks) call(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(g.BaseURL, "/")+path, rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth(g.KeyID, g.KeySecret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("payment gateway: %s %s: %s: %.200s", method, path, resp.Status, data)
	}
	return json.Unmarshal(data, out)
}

// Create asks for a payment link.
func (g *PaymentLinks) Create(ctx context.Context, r GatewayRequest) (GatewayOrder, error) {
	body := map[string]any{
		"amount": int64(r.Amount), "currency": "INR", "reference_id": r.Reference, "description": r.Description,
		"customer": map[string]string{"name": r.Name, "contact": r.Phone},
		"notify":   map[string]bool{"sms": false, "email": false}, "reminder_enable": false,
		"callback_url": r.ReturnURL, "callback_method": "get",
	}
	var l linkEntity
	if err := g.call(ctx, http.MethodPost, "/v1/payment_links", body, &l); err != nil {
		return GatewayOrder{}, err
	}
	if l.ID == "" || l.ShortURL == "" {
		return GatewayOrder{}, fmt.Errorf("payment gateway: the created link has no id or url")
	}
	return GatewayOrder{ID: l.ID, URL: l.ShortURL}, nil
}

// Fetch asks for a payment link's status.
func (g *PaymentLinks) Fetch(ctx context.Context, id string) (GatewayPayment, error) {
	var l linkEntity
	if err := g.call(ctx, http.MethodGet, "/v1/payment_links/"+url.PathEscape(id), nil, &l); err != nil {
		return GatewayPayment{}, err
	}
	return l.payment(), nil
}

func sign(secret string, parts ...string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(m.Sum(nil))
}

func equalHex(a, b string) bool { return hmac.Equal([]byte(a), []byte(strings.ToLower(b))) }

// ReturnSignature is the signature of a payer's return, as the gateway
// makes it (for a gateway's stand-in in tests).
func (g *PaymentLinks) ReturnSignature(linkID, reference, status, paymentID string) string {
	return sign(g.KeySecret, linkID, reference, status, paymentID)
}

// WebhookSignature is the signature of a webhook body.
func (g *PaymentLinks) WebhookSignature(body []byte) string {
	m := hmac.New(sha256.New, []byte(g.WebhookSecret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Return checks and reads the payer's return.
func (g *PaymentLinks) Return(q url.Values) (GatewayPayment, error) {
	id, ref, status, pay := q.Get("razorpay_payment_link_id"), q.Get("razorpay_payment_link_reference_id"), q.Get("razorpay_payment_link_status"), q.Get("razorpay_payment_id")
	if id == "" || !equalHex(g.ReturnSignature(id, ref, status, pay), q.Get("razorpay_signature")) {
		return GatewayPayment{}, ErrSignature
	}
	p := GatewayPayment{ID: id, Reference: ref, PaymentID: pay, Status: GatewayPending}
	if status == "paid" {
		p.Status = GatewayPaid
	}
	return p, nil
}

// Webhook checks and reads a webhook.
func (g *PaymentLinks) Webhook(body []byte, h http.Header) (GatewayPayment, bool, error) {
	if !equalHex(g.WebhookSignature(body), h.Get("X-Razorpay-Signature")) {
		return GatewayPayment{}, false, ErrSignature
	}
	var ev struct {
		Event   string `json:"event"`
		Payload struct {
			PaymentLink struct {
				Entity linkEntity `json:"entity"`
			} `json:"payment_link"`
			Payment struct {
				Entity struct {
					ID     string `json:"id"`
					Amount int64  `json:"amount"`
					Status string `json:"status"`
				} `json:"entity"`
			} `json:"payment"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return GatewayPayment{}, false, fmt.Errorf("payment gateway webhook: %w", err)
	}
	switch ev.Event {
	case "payment_link.paid", "payment_link.expired", "payment_link.cancelled":
	default:
		return GatewayPayment{}, false, nil
	}
	p := ev.Payload.PaymentLink.Entity.payment()
	if pm := ev.Payload.Payment.Entity; pm.ID != "" {
		p.PaymentID = pm.ID
	}
	return p, true, nil
}
