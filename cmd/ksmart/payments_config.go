package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"ksmart/appliance"
	"ksmart/appliance/finance"
)

// paymentsFile is the --payments file: how the local body takes money.
type paymentsFile struct {
	// PaymentLinks is the online gateway (the payment-links shape); left
	// out, payments are not taken online.
	PaymentLinks *finance.PaymentLinks `json:"payment_links"`
	// UPI is the local body's UPI address for payment QR codes.
	UPI *finance.UPI `json:"upi"`
	// Counters are the cash counters; left out, one: C1.
	Counters []finance.Counter `json:"counters"`
}

var vpaPattern = regexp.MustCompile(`^[a-zA-Z0-9.\-_]{2,256}@[a-zA-Z][a-zA-Z0-9.\-]{1,63}$`)

// loadPayments reads and checks a --payments file, naming every problem
// in one error; warn says when its secrets are readable by others.
func loadPayments(path string) (appliance.PaymentsConfig, string, error) {
	var cfg appliance.PaymentsConfig
	raw, err := os.ReadFile(path)
	if err != nil {
		return cfg, "", fmt.Errorf("--payments: %v", err)
	}
	var warn string
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		warn = fmt.Sprintf("%s holds the payment gateway's secrets but others may read it; chmod 600 %s", path, path)
	}
	var f paymentsFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return cfg, "", fmt.Errorf("--payments %s is not a payments settings file: %v (see examples/payments.json)", path, err)
	}
	var problems []string
	if f.PaymentLinks != nil {
		if err := f.PaymentLinks.Check(); err != nil {
			problems = append(problems, "payment_links: "+err.Error())
		}
		cfg.Gateway = f.PaymentLinks
	}
	if f.UPI != nil {
		if !vpaPattern.MatchString(f.UPI.VPA) || strings.TrimSpace(f.UPI.Payee) == "" {
			problems = append(problems, "upi: give vpa as name@bank (e.g. ksmart.demo01@sbi) and the payee's name as payers should see it")
		}
		cfg.UPI = *f.UPI
	}
	cfg.Counters = f.Counters
	if len(problems) > 0 {
		return cfg, "", fmt.Errorf("--payments %s: %s", path, strings.Join(problems, "; "))
	}
	return cfg, warn, nil
}
