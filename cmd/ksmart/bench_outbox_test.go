package main

import (
	"strings"
	"testing"
)

func TestBenchOutbox_JSONReportsEveryAcknowledgementDeliveredOnBothChannelsAndRatioToGoMail(t *testing.T) {
	r := benchJSON(t, "outbox", "--applications", "200", "--clients", "8", "--json")
	positive(t, r, "ratio", "applications_per_s", "burst_seconds", "drain_seconds", "attachment_bytes", "workers",
		"email_msgs_per_s", "whatsapp_msgs_per_s", "raw_gomail_msgs_per_s", "raw_gomail_seconds")
	if r["name"] != "outbox" || r["applications"] != 200.0 || r["clients"] != 8.0 {
		t.Errorf("name, applications, clients = %v, %v, %v; want outbox, 200, 8", r["name"], r["applications"], r["clients"])
	}
	for _, k := range []string{"emails", "email_message_ids", "whatsapp_messages", "whatsapp_documents"} {
		if r[k] != 200.0 {
			t.Errorf("%s = %v, want 200: every application's acknowledgement delivered once", k, r[k])
		}
	}
	for _, k := range []string{"lag_events_after_burst", "pending_deliveries_after_burst"} {
		if v, ok := r[k].(float64); !ok || v < 0 {
			t.Errorf("%s = %v, want a count", k, r[k])
		}
	}
}

func TestBenchOutbox_AMistakeInTheFlagsExitsWith2AndOneLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"outbox", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"outbox", "--applications", "4", "--clients", "8"}, "--applications from --clients"},
		{[]string{"outbox", "--clients", "0"}, "--clients must be at least 1"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, stdout, stderr := ksmart(t, append([]string{"bench"}, c.args...)...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, one line saying %q", code, stdout, stderr, c.want)
			}
		})
	}
}
