package messaging

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	mail "github.com/wneessen/go-mail"
)

// emailSender sends e-mail over SMTP with go-mail: one connection per
// message, STARTTLS required unless configured otherwise, SMTP AUTH (the
// best mechanism the server offers) when a user name is set.
type emailSender struct {
	cfg    *SMTPConfig
	opts   []mail.Option
	domain string // for Message-IDs: the From address's domain
}

func newEmailSender(c *SMTPConfig) (*emailSender, error) {
	from, err := netmail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("messaging: SMTP From %q is not an address like \"Name <office@example.org>\": %w", c.From, err)
	}
	if c.Host == "" {
		return nil, errors.New("messaging: SMTP needs a Host")
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	opts := []mail.Option{mail.WithTimeout(sendTimeout / 2)}
	switch c.TLS {
	case "", "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithPort(portOr(c.Port, 587)))
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithPort(portOr(c.Port, 465)))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS), mail.WithPort(portOr(c.Port, 25)))
	default:
		return nil, fmt.Errorf("messaging: SMTP TLS %q: use starttls, tls or none", c.TLS)
	}
	if c.TLSConfig != nil {
		tc := c.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = c.Host
		}
		opts = append(opts, mail.WithTLSConfig(tc))
	}
	if c.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	return &emailSender{cfg: c, opts: opts, domain: domain}, nil
}

func portOr(p, def int) int {
	if p > 0 {
		return p
	}
	return def
}

// MessageID returns the Message-ID header value (without angle brackets)
// that e-mail for idempotency key key carries: the same on every attempt,
// so a receiver can drop a copy sent again after a crash.
func MessageID(key, domain string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

func (s *emailSender) send(ctx context.Context, j *job) sent {
	msg, err := s.build(j)
	if err != nil {
		return sent{err: err}
	}
	client, err := mail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return sent{err: fmt.Errorf("smtp: %w", err)}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return sent{err: classifySMTP(err)}
	}
	return sent{providerID: MessageID(j.idem, s.domain)}
}

// build makes the e-mail: subject and body in the contact's language, the
// other language below, and the PDF attached.
func (s *emailSender) build(j *job) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return nil, permanentf("smtp: From %q: %v", s.cfg.From, err)
	}
	if err := msg.AddToFormat(j.c.Name, j.d.To); err != nil {
		return nil, permanentf("the e-mail address %q is not valid", j.d.To)
	}
	first, second := j.lang, other(j.lang)
	t1, t2 := j.tmpl.in(first), j.tmpl.in(second)
	v1, v2 := j.vals(first), j.vals(second)
	subject := v1.Replace(t1.EmailSubject)
	if s2 := v2.Replace(t2.EmailSubject); s2 != subject {
		subject += " / " + s2
	}
	msg.Subject(subject)
	msg.SetMessageIDWithValue(MessageID(j.idem, s.domain))
	msg.SetDateWithValue(j.m.Created)
	var body strings.Builder
	body.WriteString(v1.Replace(t1.EmailBody))
	body.WriteString("\n--------------------------------\n\n")
	body.WriteString(v2.Replace(t2.EmailBody))
	msg.SetBodyString(mail.TypeTextPlain, body.String())
	if j.att != nil {
		if err := msg.AttachReader(j.att.name, bytes.NewReader(j.att.pdf), mail.WithFileContentType("application/pdf")); err != nil {
			return nil, fmt.Errorf("smtp: attaching %s: %w", j.att.name, err)
		}
	}
	return msg, nil
}

// classifySMTP marks as permanent a 5xx answer to RCPT TO or DATA (no such
// mailbox, message refused); everything else (connection refused, time-outs,
// 4xx, a 5xx to MAIL FROM or AUTH, which are the office's configuration) is
// retried.
func classifySMTP(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		switch se.Reason {
		case mail.ErrSMTPRcptTo, mail.ErrSMTPData, mail.ErrSMTPDataClose:
			return permanent(fmt.Errorf("smtp: %w", err))
		}
	}
	return fmt.Errorf("smtp: %w", err)
}
