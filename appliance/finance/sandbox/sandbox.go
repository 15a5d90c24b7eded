// Package sandbox is a payment gateway on this machine, of the payment
// links shape finance.PaymentLinks speaks (create, a hosted payment page,
// the signed return, the signed webhook, fetch), holding no money. The
// demo runs one so that a citizen can pay online end to end, and the tests
// pay through it; ksmart serve never does: a real office configures a real
// gateway. Its pages say plainly that it is a test gateway.
package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"ksmart/appliance/finance"
)

// Gateway is a running sandbox gateway.
type Gateway struct {
	// Keys are the secrets it signs with; give the same to the appliance.
	Keys finance.PaymentLinks
	// WebhookURL is where it posts payment_link.paid; "" for none.
	WebhookURL string
	// DropWebhooks, when true, loses every webhook (as a network might),
	// so that reconciliation has something to do.
	DropWebhooks bool

	srv  *http.Server
	ln   net.Listener
	mu   sync.Mutex
	seq  int
	link map[string]*link
	sent int
}

type link struct {
	ID          string `json:"id"`
	ReferenceID string `json:"reference_id"`
	Amount      int64  `json:"amount"`
	AmountPaid  int64  `json:"amount_paid"`
	Status      string `json:"status"`
	ShortURL    string `json:"short_url"`
	Description string `json:"description"`
	CallbackURL string `json:"-"`
	Payments    []struct {
		PaymentID string `json:"payment_id"`
		Amount    int64  `json:"amount"`
		Status    string `json:"status"`
	} `json:"payments"`
}

// Start runs a sandbox gateway on addr ("127.0.0.1:0" for any port) with
// fresh keys, and returns it; its Keys.BaseURL is where it listens.
func Start(addr string) (*Gateway, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	g := &Gateway{ln: ln, link: map[string]*link{}}
	g.Keys = finance.PaymentLinks{BaseURL: "http://" + ln.Addr().String(), KeyID: "sandbox_key", KeySecret: randomSecret(), WebhookSecret: randomSecret()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/payment_links", g.create)
	mux.HandleFunc("GET /v1/payment_links/{id}", g.fetch)
	mux.HandleFunc("GET /pay/{id}", g.page)
	mux.HandleFunc("POST /pay/{id}", g.pay)
	g.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go g.srv.Serve(ln)
	return g, nil
}

// Close stops it.
func (g *Gateway) Close() error { return g.srv.Close() }

// Webhooks counts the webhooks delivered.
func (g *Gateway) Webhooks() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sent
}

func randomSecret() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "sandbox_" + hex.EncodeToString(b)
}

func (g *Gateway) authorised(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	return ok && id == g.Keys.KeyID && secret == g.Keys.KeySecret
}

func (g *Gateway) create(w http.ResponseWriter, r *http.Request) {
	if !g.authorised(r) {
		http.Error(w, `{"error":{"code":"BAD_REQUEST_ERROR","description":"Authentication failed"}}`, http.StatusUnauthorized)
		return
	}
	var in struct {
		Amount      int64  `json:"amount"`
		Currency    string `json:"currency"`
		ReferenceID string `json:"reference_id"`
		Description string `json:"description"`
		CallbackURL string `json:"callback_url"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Amount < 100 || in.Currency != "INR" || in.ReferenceID == "" {
		http.Error(w, `{"error":{"code":"BAD_REQUEST_ERROR","description":"amount (at least 100 paise), currency INR and reference_id are required"}}`, http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.seq++
	l := &link{ID: fmt.Sprintf("plink_sandbox%06d", g.seq), ReferenceID: in.ReferenceID, Amount: in.Amount, Status: "created",
		Description: in.Description, CallbackURL: in.CallbackURL, Payments: nil}
	l.ShortURL = g.Keys.BaseURL + "/pay/" + l.ID
	g.link[l.ID] = l
	out, _ := json.Marshal(l)
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

func (g *Gateway) fetch(w http.ResponseWriter, r *http.Request) {
	if !g.authorised(r) {
		http.Error(w, "unauthorised", http.StatusUnauthorized)
		return
	}
	g.mu.Lock()
	l, ok := g.link[r.PathValue("id")]
	var out []byte
	if ok {
		out, _ = json.Marshal(l)
	}
	g.mu.Unlock()
	if !ok {
		http.Error(w, `{"error":{"code":"BAD_REQUEST_ERROR","description":"The id provided does not exist"}}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

var payPage = template.Must(template.New("pay").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test payment gateway</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}
.warn{background:#fff3cd;border:1px solid #b58a00;padding:.75rem}button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .3rem 0 0}</style></head>
<body><p class="warn" role="note"><strong>Test payment gateway.</strong> This is ksmart's stand-in for a real payment gateway: no money moves. A real office configures its bank's gateway.</p>
<h1>Pay ₹{{.Rupees}}</h1><p>{{.Description}}</p><p>Reference: {{.ReferenceID}}</p>
{{if eq .Status "created"}}<form method="post"><button name="action" value="pay" type="submit">Pay ₹{{.Rupees}}</button><button name="action" value="fail" type="submit">Decline</button></form>
{{else}}<p>This payment is {{.Status}}.</p>{{end}}</body></html>`))

func (g *Gateway) page(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	l, ok := g.link[r.PathValue("id")]
	var data map[string]any
	if ok {
		data = map[string]any{"Rupees": fmt.Sprintf("%d.%02d", l.Amount/100, l.Amount%100), "Description": l.Description, "ReferenceID": l.ReferenceID, "Status": l.Status}
	}
	g.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	payPage.Execute(w, data)
}

func (g *Gateway) pay(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	callback, err := g.Settle(id, r.FormValue("action") == "pay")
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	http.Redirect(w, r, callback, http.StatusSeeOther)
}

// Settle completes a payment link, paid or declined, as a payer on its
// page would: it posts the webhook (unless DropWebhooks) and returns the
// signed address the payer is sent back to.
func (g *Gateway) Settle(id string, paid bool) (string, error) {
	g.mu.Lock()
	l, ok := g.link[id]
	if !ok || l.Status != "created" {
		g.mu.Unlock()
		return "", fmt.Errorf("payment link %s is not open for payment", id)
	}
	payment := fmt.Sprintf("pay_sandbox%06d", g.seq*1000+len(l.Payments)+1)
	if paid {
		l.Status, l.AmountPaid = "paid", l.Amount
		l.Payments = append(l.Payments, struct {
			PaymentID string `json:"payment_id"`
			Amount    int64  `json:"amount"`
			Status    string `json:"status"`
		}{payment, l.Amount, "captured"})
	} else {
		l.Status = "cancelled"
		payment = ""
	}
	snapshot := *l
	g.mu.Unlock()
	if paid && g.WebhookURL != "" && !g.DropWebhooks {
		g.webhook(snapshot, payment)
	}
	q := url.Values{"razorpay_payment_id": {payment}, "razorpay_payment_link_id": {l.ID}, "razorpay_payment_link_reference_id": {l.ReferenceID},
		"razorpay_payment_link_status": {snapshot.Status}}
	q.Set("razorpay_signature", g.Keys.ReturnSignature(l.ID, l.ReferenceID, snapshot.Status, payment))
	sep := "?"
	if strings.Contains(snapshot.CallbackURL, "?") {
		sep = "&"
	}
	return snapshot.CallbackURL + sep + q.Encode(), nil
}

// WebhookBody is the body of a payment_link.paid webhook for a link.
func (g *Gateway) WebhookBody(id string) ([]byte, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	l, ok := g.link[id]
	if !ok || len(l.Payments) == 0 {
		return nil, false
	}
	return webhookBody(*l, l.Payments[len(l.Payments)-1].PaymentID), true
}

func webhookBody(l link, payment string) []byte {
	body, _ := json.Marshal(map[string]any{"entity": "event", "event": "payment_link.paid", "payload": map[string]any{
		"payment_link": map[string]any{"entity": l},
		"payment":      map[string]any{"entity": map[string]any{"id": payment, "amount": l.AmountPaid, "status": "captured"}},
	}})
	return body
}

func (g *Gateway) webhook(l link, payment string) {
	body := webhookBody(l, payment)
	req, err := http.NewRequest(http.MethodPost, g.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Razorpay-Signature", g.Keys.WebhookSignature(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		g.mu.Lock()
		g.sent++
		g.mu.Unlock()
	}
}
