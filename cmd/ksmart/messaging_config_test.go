package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServe_MessagingFileProblemsAreNamedBeforeStarting(t *testing.T) {
	cases := []struct{ name, file, want string }{
		{"not JSON", `{"smtp": `, "not a messaging settings file"},
		{"unknown setting", `{"smtp": {"host": "mail.example.in", "from": "A <a@example.in>", "pasword": "x"}}`, `unknown field "pasword"`},
		{"bad from and TLS", `{"smtp": {"host": "mail.example.in", "from": "nobody", "tls": "maybe"}}`, "smtp.from"},
		{"WhatsApp without the app secret", `{"whatsapp": {"base_url": "https://graph.facebook.com/v21.0", "phone_number_id": "1", "token": "t"}}`, "app_secret"},
		{"SMS URL without placeholders", `{"sms": {"url": "https://sms.example.in/send"}}`, "{to} and {text}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "messaging.json")
			os.WriteFile(path, []byte(c.file), 0o600)
			code, _, errOut := ksmart(t, "serve", "--data", t.TempDir(), "--messaging", path, "--local-body", "../../examples/local-body.json")
			if code != 1 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Fatalf("exit %d, want 1 and one line naming %q: %s", code, c.want, errOut)
			}
		})
	}
	if _, _, err := loadMessaging("../../examples/messaging.json"); err != nil {
		t.Fatalf("the example file does not load: %v", err)
	}
}
