package messaging

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// whatsAppSender sends through the WhatsApp Business Cloud API: a template
// message with the message's parameters, then, when the message carries a
// PDF, the PDF uploaded as media and sent as a document message.
type whatsAppSender struct {
	cfg    *WhatsAppConfig
	client *http.Client
}

func (s *whatsAppSender) send(ctx context.Context, j *job) sent {
	to := strings.TrimPrefix(j.d.To, "+")
	id := j.d.ProviderID // the template went on an earlier attempt
	if id == "" {
		t, v := j.tmpl.in(j.lang), j.vals(j.lang)
		params := make([]map[string]string, 0, len(t.WhatsApp.Params))
		for _, p := range t.WhatsApp.Params {
			text := strings.Join(strings.Fields(v.Replace(p)), " ") // no newlines or runs of spaces in a parameter
			if text == "" {
				text = "-"
			}
			params = append(params, map[string]string{"type": "text", "text": text})
		}
		var err error
		id, err = s.message(ctx, j.idem, map[string]any{
			"messaging_product": "whatsapp", "to": to, "type": "template",
			"template": map[string]any{
				"name":       t.WhatsApp.Name,
				"language":   map[string]string{"code": j.lang},
				"components": []any{map[string]any{"type": "body", "parameters": params}},
			},
		})
		if err != nil {
			return sent{err: err}
		}
	}
	if j.att == nil {
		return sent{providerID: id}
	}
	media, err := s.upload(ctx, j.idem+"/media", j.att)
	if err != nil {
		return sent{providerID: id, err: err}
	}
	doc, err := s.message(ctx, j.idem+"/document", map[string]any{
		"messaging_product": "whatsapp", "to": to, "type": "document",
		"document": map[string]string{"id": media, "filename": j.att.name},
	})
	if err != nil {
		return sent{providerID: id, err: err}
	}
	return sent{providerID: id, extraIDs: []string{doc}}
}

// message POSTs one message and returns its wamid.
func (s *whatsAppSender) message(ctx context.Context, idem string, body any) (string, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return "", permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url("messages"), bytes.NewReader(raw))
	if err != nil {
		return "", permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.do(req, idem)
	if err != nil {
		return "", err
	}
	var r struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || len(r.Messages) == 0 || r.Messages[0].ID == "" {
		return "", fmt.Errorf("whatsapp: the answer has no message id: %.200s", resp)
	}
	return r.Messages[0].ID, nil
}

// upload sends the PDF as media and returns its media id.
func (s *whatsAppSender) upload(ctx context.Context, idem string, a *attachment) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("messaging_product", "whatsapp")
	w.WriteField("type", "application/pdf")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, a.name))
	h.Set("Content-Type", "application/pdf")
	part, err := w.CreatePart(h)
	if err != nil {
		return "", permanent(err)
	}
	part.Write(a.pdf)
	if err := w.Close(); err != nil {
		return "", permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url("media"), &buf)
	if err != nil {
		return "", permanent(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := s.do(req, idem)
	if err != nil {
		return "", err
	}
	var r struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp, &r); err != nil || r.ID == "" {
		return "", fmt.Errorf("whatsapp: the media upload's answer has no id: %.200s", resp)
	}
	return r.ID, nil
}

func (s *whatsAppSender) url(what string) string {
	return strings.TrimSuffix(s.cfg.BaseURL, "/") + "/" + s.cfg.PhoneNumberID + "/" + what
}

// transientCodes are Cloud API error codes that clear up by themselves:
// throttling, temporary faults, an expired token the office renews.
var transientCodes = []int{1, 2, 4, 190, 80007, 130429, 131000, 131016, 131048, 131056, 133004}

// do sends req with the bearer token and idempotency key and returns the
// answer's body. A 400 meaning the number is not on WhatsApp or not valid
// (131026, 131030), or another 4xx for a request that cannot succeed, is
// permanent; 401, 403, 408, 429, 5xx and transport errors are retried.
func (s *whatsAppSender) do(req *http.Request, idem string) ([]byte, error) {
	req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
	req.Header.Set("Idempotency-Key", idem)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("whatsapp: reading the answer: %w", err)
	}
	if resp.StatusCode/100 == 2 {
		return body, nil
	}
	var e struct {
		Error struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(body, &e)
	err = fmt.Errorf("whatsapp: HTTP %d, error %d: %s", resp.StatusCode, e.Error.Code, e.Error.Message)
	switch code := e.Error.Code; {
	case resp.StatusCode == 400 && (code == 131026 || code == 131030):
		return nil, permanent(fmt.Errorf("the number is not on WhatsApp or is not valid (%w)", err))
	case slices.Contains(transientCodes, code), resp.StatusCode >= 500,
		slices.Contains([]int{401, 403, 408, 429}, resp.StatusCode):
		return nil, err
	case resp.StatusCode >= 400:
		return nil, permanent(err)
	}
	return nil, err
}

// WhatsAppWebhook applies a Cloud API status webhook: sent, delivered and
// read move the matching delivery forward (never back), failed fails it
// with the reason. signatureHeader is the request's X-Hub-Signature-256,
// "sha256=" and the hex HMAC-SHA256 of body under the app secret. A wrong
// or missing signature, or no app secret configured, is a domain
// EUNAUTHENTICATED error and changes nothing; a body that is not a webhook
// is EINVALID. Statuses of messages the outbox did not send are ignored.
func (o *Outbox) WhatsAppWebhook(body []byte, signatureHeader string) error {
	cfg := o.Config.WhatsApp
	if cfg == nil || cfg.AppSecret == "" {
		return domain.Errorf(domain.EUNAUTHENTICATED, "WhatsApp webhooks are refused: no app secret is configured to check their signature")
	}
	hexSig, ok := strings.CutPrefix(signatureHeader, "sha256=")
	got, err := hex.DecodeString(hexSig)
	mac := hmac.New(sha256.New, []byte(cfg.AppSecret))
	mac.Write(body)
	if !ok || err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return domain.Errorf(domain.EUNAUTHENTICATED, "the webhook's X-Hub-Signature-256 signature is missing or wrong")
	}
	var hook struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Statuses []waStatus `json:"statuses"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &hook); err != nil {
		return domain.Errorf(domain.EINVALID, "the webhook body is not a WhatsApp notification: %v", err)
	}
	var statuses []waStatus
	for _, e := range hook.Entry {
		for _, c := range e.Changes {
			statuses = append(statuses, c.Value.Statuses...)
		}
	}
	if len(statuses) == 0 {
		return nil
	}
	o.initMetrics()
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	var failed []string
	_, err = o.Store.Write(func(tx *store.Tx) error {
		failed = failed[:0]
		for _, st := range statuses {
			id, err := tx.Lookup(indexProvider, st.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			var d Delivery
			if err := tx.Get(entityDelivery, id, &d); err != nil {
				continue
			}
			if !st.apply(&d) {
				continue
			}
			if d.Status == StatusFailed {
				if err := tx.Delete(entityDue, dueKey(d)); err != nil {
					return err
				}
				d.NextAttempt = time.Time{}
				failed = append(failed, d.Channel)
			}
			d.Updated = now
			if err := tx.Put(entityDelivery, d.ID, d); err != nil {
				return err
			}
			if err := emitStatus(tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, ch := range failed {
		o.count(ch, StatusFailed)
	}
	return nil
}

// waStatus is one status in a webhook.
type waStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"` // sent, delivered, read, failed
	Errors []struct {
		Code    int    `json:"code"`
		Title   string `json:"title"`
		Message string `json:"message"`
	} `json:"errors"`
}

var progress = map[string]int{StatusSending: 0, StatusRetrying: 0, StatusSent: 1, StatusDelivered: 2, StatusRead: 3}

// apply moves d to the status st reports and says whether it changed.
// Statuses only move forward; a failure counts until the message is delivered.
func (st waStatus) apply(d *Delivery) bool {
	cur, known := progress[d.Status]
	switch st.Status {
	case StatusSent, StatusDelivered, StatusRead:
		if !known || progress[st.Status] <= cur || d.Status == StatusSending || d.Status == StatusRetrying {
			return false
		}
		d.Status = st.Status
		return true
	case StatusFailed:
		if !known || cur >= progress[StatusDelivered] {
			return false
		}
		reason := "WhatsApp reported the message undelivered"
		if len(st.Errors) > 0 {
			reason = fmt.Sprintf("%s (error %d: %s)", reason, st.Errors[0].Code, strings.TrimSpace(st.Errors[0].Title+" "+st.Errors[0].Message))
		}
		d.Status, d.LastError = StatusFailed, reason
		return true
	}
	return false
}
