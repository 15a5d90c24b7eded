package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strings"

	"ksmart/appliance/messaging"
)

// messagingFile is the --messaging file: the e-mail, WhatsApp and SMS
// channels' settings and secrets. A channel left out is not configured:
// its messages wait, and the office sees so.
type messagingFile struct {
	SMTP *struct {
		Host     string `json:"host"`
		Port     int    `json:"port"`
		Username string `json:"username"`
		Password string `json:"password"`
		From     string `json:"from"`
		TLS      string `json:"tls"`
	} `json:"smtp"`
	WhatsApp *struct {
		BaseURL       string `json:"base_url"`
		PhoneNumberID string `json:"phone_number_id"`
		Token         string `json:"token"`
		AppSecret     string `json:"app_secret"`
		VerifyToken   string `json:"verify_token"`
	} `json:"whatsapp"`
	SMS *struct {
		URL      string `json:"url"`
		Method   string `json:"method"`
		Username string `json:"username"`
		Password string `json:"password"`
	} `json:"sms"`
}

// loadMessaging reads and checks a --messaging file, naming every problem
// in one error.
func loadMessaging(path string) (messaging.Config, string, error) {
	var cfg messaging.Config
	raw, err := os.ReadFile(path)
	if err != nil {
		return cfg, "", fmt.Errorf("--messaging: %v", err)
	}
	var warn string
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		warn = fmt.Sprintf("%s holds passwords and tokens but others may read it; chmod 600 %s", path, path)
	}
	var f messagingFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return cfg, "", fmt.Errorf("--messaging %s is not a messaging settings file: %v (see examples/messaging.json)", path, err)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if s := f.SMTP; s != nil {
		if s.Host == "" {
			bad("smtp.host is missing")
		}
		if s.Port == 0 {
			s.Port = 587
		}
		if s.Port < 1 || s.Port > 65535 {
			bad("smtp.port %d is not a port", s.Port)
		}
		if _, err := mail.ParseAddress(s.From); err != nil {
			bad("smtp.from %q is not an address like \"Pala Municipality <noreply@pala.lsgkerala.gov.in>\"", s.From)
		}
		if s.TLS == "" {
			s.TLS = "starttls"
		}
		if s.TLS != "starttls" && s.TLS != "tls" && s.TLS != "none" {
			bad("smtp.tls must be starttls, tls or none, not %q", s.TLS)
		}
		cfg.SMTP = &messaging.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, From: s.From, TLS: s.TLS}
	}
	if w := f.WhatsApp; w != nil {
		if u, err := url.Parse(w.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("whatsapp.base_url %q must be like https://graph.facebook.com/v21.0", w.BaseURL)
		}
		if w.PhoneNumberID == "" || w.Token == "" {
			bad("whatsapp needs phone_number_id and token")
		}
		if w.AppSecret == "" {
			bad("whatsapp.app_secret is needed to check the delivery webhooks' signatures")
		}
		cfg.WhatsApp = &messaging.WhatsAppConfig{BaseURL: strings.TrimRight(w.BaseURL, "/"), PhoneNumberID: w.PhoneNumberID, Token: w.Token, AppSecret: w.AppSecret, VerifyToken: w.VerifyToken}
	}
	if s := f.SMS; s != nil {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.Contains(s.URL, "{to}") || !strings.Contains(s.URL, "{text}") {
			bad("sms.url %q must be an http(s) URL with {to} and {text} in it", s.URL)
		}
		if s.Method == "" {
			s.Method = "GET"
		}
		if s.Method != "GET" && s.Method != "POST" {
			bad("sms.method must be GET or POST, not %q", s.Method)
		}
		cfg.SMS = &messaging.SMSConfig{URL: s.URL, Method: s.Method, Username: s.Username, Password: s.Password}
	}
	if len(problems) > 0 {
		return messaging.Config{}, "", fmt.Errorf("--messaging %s: %s", path, strings.Join(problems, "; "))
	}
	return cfg, warn, nil
}
