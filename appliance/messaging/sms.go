package messaging

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// smsSender sends through a generic HTTP gateway: the configured URL with
// {to} (E.164) and {text} filled in, query-escaped.
type smsSender struct {
	cfg    *SMSConfig
	client *http.Client
}

func (s *smsSender) send(ctx context.Context, j *job) sent {
	text := j.vals(j.lang).Replace(j.tmpl.in(j.lang).SMS)
	u := strings.NewReplacer("{to}", url.QueryEscape(j.d.To), "{text}", url.QueryEscape(text)).Replace(s.cfg.URL)
	method := http.MethodGet
	if strings.EqualFold(s.cfg.Method, http.MethodPost) {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return sent{err: permanentf("sms: the gateway URL is not valid: %v", err)}
	}
	req.Header.Set("Idempotency-Key", j.idem)
	if s.cfg.Username != "" {
		req.SetBasicAuth(s.cfg.Username, s.cfg.Password)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return sent{err: fmt.Errorf("sms: %w", err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch c := resp.StatusCode; {
	case c/100 == 2:
		return sent{}
	case c == 408 || c == 429 || c >= 500:
		return sent{err: fmt.Errorf("sms: gateway answered HTTP %d: %.200s", c, body)}
	case c >= 400:
		return sent{err: permanentf("sms: gateway refused the message, HTTP %d: %.200s", c, body)}
	default:
		return sent{err: fmt.Errorf("sms: gateway answered HTTP %d", c)}
	}
}
