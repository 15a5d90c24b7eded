package identity_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/store"
)

// TestLog_HoldsNoPasswordHashOrOneTimeCode: the log is replicated to the
// state, so no event may carry a password, its hash, or a one-time code.
func TestLog_HoldsNoPasswordHashOrOneTimeCode(t *testing.T) {
	svc, clk := newService(t)
	var secrets []string // exact strings that must not appear
	var codes []string   // 6-digit codes, which must not appear as a number
	stored := func(id string) {
		var raw struct {
			PasswordHash string                `json:"password_hash"`
			Code         *identity.PendingCode `json:"code"`
		}
		svc.Store.View(func(tx *store.Tx) error { return tx.Get("user", id, &raw) })
		secrets = append(secrets, raw.PasswordHash)
		if raw.Code != nil {
			secrets = append(secrets, raw.Code.Hash, raw.Code.Salt)
		}
	}

	login, adminOTP, _, err := svc.EnsureAdmin()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := svc.Authenticate(login, adminOTP)
	stored(a.ID)
	clerk, otp, err := svc.AddStaff(a.Actor(), identity.NewStaff{Login: "anitha", Name: "Anitha", Roles: []domain.Role{domain.RoleSectionClerk}})
	if err != nil {
		t.Fatal(err)
	}
	stored(clerk.ID)
	reset, _ := svc.ResetPassword(a.Actor(), clerk.ID)
	stored(clerk.ID)
	svc.Authenticate("anitha", "a wrong password")
	if err := svc.ChangePassword(clerk.ID, reset, "my own password"); err != nil {
		t.Fatal(err)
	}
	stored(clerk.ID)
	secrets = append(secrets, adminOTP, otp, reset, "my own password", "a wrong password")

	c, _ := svc.SignUp(identity.SignUp{Contact: "9847012345", Name: "Rajesh", Password: "citizen password"})
	stored(c.ID)
	codes = append(codes, latestCode(t, svc.Store, c.ID))
	svc.Verify(c.ID, "000000")
	clk.Add(time.Minute)
	svc.ResendCode(c.ID)
	stored(c.ID)
	codes = append(codes, latestCode(t, svc.Store, c.ID))
	if err := svc.Verify(c.ID, codes[1]); err != nil {
		t.Fatal(err)
	}
	svc.Authenticate("9847012345", "citizen password")
	e, _ := svc.SignUp(identity.SignUp{Contact: "rajesh@example.com", Name: "Rajesh", Password: "e-mail password"})
	stored(e.ID)
	codes = append(codes, latestCode(t, svc.Store, e.ID))
	secrets = append(secrets, "citizen password", "e-mail password", "$argon2id", "argon2")

	all, err := svc.Store.ReadLog(1, 0)
	if err != nil || len(all) < 15 {
		t.Fatalf("%d events, %v", len(all), err)
	}
	for _, ev := range all {
		whole, _ := json.Marshal(ev) // every field, Data included
		text := string(whole) + string(ev.Data)
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("event %d %s holds the secret %q: %s", ev.Seq, ev.Type, s, ev.Data)
			}
		}
		for _, code := range codes {
			if regexp.MustCompile(`(^|[^0-9])` + code + `([^0-9]|$)`).MatchString(string(ev.Data)) {
				t.Errorf("event %d %s holds the one-time code %s: %s", ev.Seq, ev.Type, code, ev.Data)
			}
		}
		if strings.Contains(strings.ToLower(string(ev.Data)), "password") || strings.Contains(string(ev.Data), `"code"`) {
			t.Errorf("event %d %s has a password or code field: %s", ev.Seq, ev.Type, ev.Data)
		}
	}
}
