package main

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/identity"
	"ksmart/appliance/kyc"
)

var otpLine = regexp.MustCompile(`(?m)one-time password[^:\n]*: ([a-z0-9-]+)$`)

// oneTimePassword returns the password a user command printed.
func oneTimePassword(t *testing.T, stdout string) string {
	t.Helper()
	m := otpLine.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no one-time password in %q", stdout)
	}
	return m[1]
}

// authenticate opens the stopped data directory and signs in.
func authenticate(t *testing.T, dir, login, password string) (identity.User, error) {
	t.Helper()
	app, err := appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	return app.Identity.Authenticate(login, password)
}

func TestUser_AddListResetDisableEnableOnAStoppedDataDirectory(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	code, stdout, stderr := ksmart(t, "user", "add", "--data", dir, "--login", "anitha", "--name", "Anitha K.", "--roles", "section_clerk,registrar", "--wards", "1,2", "--sections", "civil")
	if code != 0 || !strings.Contains(stdout, "added anitha") || strings.Contains(stdout, "through the running appliance") {
		t.Fatalf("user add: exit %d %q %q", code, stdout, stderr)
	}
	otp := oneTimePassword(t, stdout)
	u, err := authenticate(t, dir, "anitha", otp)
	if err != nil || !u.MustChangePassword || u.Wards[1] != 2 {
		t.Fatalf("signing in with the printed password: %+v %v", u, err)
	}

	code, stdout, _ = ksmart(t, "user", "list", "--data", dir)
	row := regexp.MustCompile(`(?m)^anitha\s+Anitha K\.\s+staff\s+section_clerk,registrar\s+1,2\s+-\s+-$`)
	if code != 0 || !strings.HasPrefix(stdout, "LOGIN") || !row.MatchString(stdout) {
		t.Fatalf("user list: exit %d\n%s", code, stdout)
	}

	code, stdout, stderr = ksmart(t, "user", "reset", "--data", dir, "--login", "ANITHA")
	if code != 0 {
		t.Fatalf("user reset: exit %d %q %q", code, stdout, stderr)
	}
	newOTP := oneTimePassword(t, stdout)
	if _, err := authenticate(t, dir, "anitha", newOTP); err != nil || newOTP == otp {
		t.Fatalf("signing in with the reset password %q: %v", newOTP, err)
	}
	if _, err := authenticate(t, dir, "anitha", otp); err == nil {
		t.Fatal("the old password still works after user reset")
	}

	if code, stdout, stderr := ksmart(t, "user", "disable", "--data", dir, "--login", "anitha"); code != 0 || !strings.Contains(stdout, "disabled anitha") {
		t.Fatalf("user disable: exit %d %q %q", code, stdout, stderr)
	}
	if _, err := authenticate(t, dir, "anitha", newOTP); !errors.Is(err, identity.ErrDisabled) {
		t.Fatalf("a disabled user signing in: %v", err)
	}
	if _, stdout, _ := ksmart(t, "user", "list", "--data", dir); !regexp.MustCompile(`(?m)^anitha .*\byes\s+-$`).MatchString(stdout) {
		t.Fatalf("user list does not show anitha disabled:\n%s", stdout)
	}
	if code, stdout, _ := ksmart(t, "user", "enable", "--data", dir, "--login", "anitha"); code != 0 || !strings.Contains(stdout, "enabled anitha") {
		t.Fatalf("user enable: exit %d %q", code, stdout)
	}
	if _, err := authenticate(t, dir, "anitha", newOTP); err != nil {
		t.Fatalf("signing in after user enable: %v", err)
	}
}

func TestUser_MistakesSayWhatToFix(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	if code, _, stderr := ksmart(t, "user", "add", "--data", dir, "--login", "anitha", "--name", "Anitha", "--roles", "section_clerk"); code != 0 {
		t.Fatalf("user add: exit %d %q", code, stderr)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no action", nil, 2, []string{"give an action"}},
		{"unknown action", []string{"remove"}, 2, []string{`unknown action "remove"`}},
		{"missing flags", []string{"add", "--data", dir, "--login", "x"}, 2, []string{"--name NAME", "--roles ROLES"}},
		{"wards not numbers", []string{"add", "--data", dir, "--login", "babu", "--name", "Babu", "--roles", "overseer", "--wards", "one"}, 2, []string{"--wards takes ward numbers"}},
		{"every problem at once", []string{"add", "--data", dir, "--login", "B", "--name", "Babu", "--roles", "overseer,boss,citizen", "--wards", "9"}, 1,
			[]string{"--login: Use 3 to 32", `--roles: Unknown role "boss"`, "citizen role", "--wards: No ward 9"}},
		{"duplicate login", []string{"add", "--data", dir, "--login", "anitha", "--name", "Anitha M", "--roles", "registrar"}, 1, []string{`"anitha" is taken`}},
		{"unknown login", []string{"reset", "--data", dir, "--login", "nobody"}, 1, []string{`no user with login "nobody"`}},
		{"no data directory", []string{"list", "--data", filepath.Join(dir, "nope")}, 1, []string{"does not exist"}},
		{"not a data directory", []string{"list", "--data", t.TempDir()}, 1, []string{"holds no ksmart.db"}},
		{"list without data", []string{"list"}, 2, []string{"give --data DIR"}},
		{"disable without login", []string{"disable", "--data", dir}, 2, []string{"--login LOGIN"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := ksmart(t, append([]string{"user"}, c.args...)...)
			if code != c.code || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and one line", code, stdout, stderr, c.code)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Fatalf("%q does not say %q", stderr, w)
				}
			}
		})
	}
	for _, action := range []string{"", "add", "list", "reset", "disable", "enable"} {
		args := []string{"user", "-h"}
		if action != "" {
			args = []string{"user", action, "-h"}
		}
		if code, stdout, _ := ksmart(t, args...); code != 0 || !strings.Contains(stdout, "Usage: ksmart user") {
			t.Errorf("ksmart %v: exit %d %q", args, code, stdout)
		}
	}
}

func TestUser_AddGoesThroughARunningAppliance(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "live")
	p := start(t, "demo", "--data", dir, "--addr", "127.0.0.1:0", "--applications", "5")
	code, stdout, stderr := ksmart(t, "user", "add", "--data", dir, "--login", "test.clerk", "--name", "Test Clerk", "--roles", "front_office", "--wards", "3")
	if code != 0 || !strings.Contains(stdout, "[through the running appliance]") {
		t.Fatalf("user add on a running appliance: exit %d %q %q", code, stdout, stderr)
	}
	otp := oneTimePassword(t, stdout)
	if code, stdout, _ := ksmart(t, "user", "list", "--data", dir, "--kind", "staff"); code != 0 || !strings.Contains(stdout, "test.clerk") {
		t.Fatalf("user list on a running appliance: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := ksmart(t, "user", "add", "--data", dir, "--login", "test.clerk", "--name", "Test Clerk", "--roles", "front_office"); code != 1 || !strings.Contains(stderr, `"test.clerk" is taken`) {
		t.Fatalf("a duplicate through the control socket: exit %d %q", code, stderr)
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("demo exit %d: %s", code, p.stderr)
	}
	u, err := authenticate(t, dir, "test.clerk", otp)
	if err != nil || u.Wards[0] != 3 {
		t.Fatalf("signing in as the user added online: %+v %v", u, err)
	}
	app, err := appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	evs, _ := app.Store.ReadLog(1, 0)
	found := false
	for _, ev := range evs {
		if ev.Type == "user.created" && ev.ID == u.ID {
			found = strings.HasPrefix(ev.Actor, "cli:")
		}
	}
	if !found {
		t.Fatal("no user.created event by a cli: actor")
	}
}

func TestUser_KYCIsAnAdministratorsOverrideRecordedWithItsReason(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	app, err := appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	u, err := app.Identity.SignUp(identity.SignUp{Contact: "+971501234567", Name: "Basheer", Password: "a long enough password"})
	app.Close()
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := ksmart(t, "user", "kyc", "--data", dir, "--login", "+971501234567"); code != 2 || !strings.Contains(stderr, "--reason TEXT") {
		t.Errorf("an override without a reason: exit %d %q", code, stderr)
	}
	code, stdout, stderr := ksmart(t, "user", "kyc", "--data", dir, "--login", "+971501234567", "--reason", "Passport Z1234567 seen at the NORKA camp, Dubai")
	if code != 0 || !strings.Contains(stdout, "recorded a KYC override for +971501234567") {
		t.Fatalf("user kyc: exit %d %q %q", code, stdout, stderr)
	}
	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	svc, _ := app.Catalogue.Get("marriage_registration")
	if ok, err := kyc.Verified(app.Store, u.ID, svc, map[string]string{"applying_from": "abroad", "groom_name_en": "Basheer"}, app.Now()); !ok || err != nil {
		t.Errorf("after the override the citizen's marriage from abroad still needs KYC (%v)", err)
	}
}

// TestUser_ResetTwoStepFromTheShellWithAReason is how the office's only
// administrator, who lost their phone, gets back in: from the shell, with
// a reason the log keeps; they set the app up again at the next sign-in.
func TestUser_ResetTwoStepFromTheShellWithAReason(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 1)
	code, stdout, _ := ksmart(t, "user", "add", "--data", dir, "--login", "suma", "--name", "Suma P.", "--roles", "admin")
	if code != 0 {
		t.Fatalf("user add: %d %q", code, stdout)
	}
	app, err := appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := app.Identity.ByLogin("suma")
	if !app.Identity.TOTPRequired(u) {
		t.Fatalf("an administrator need not sign in in two steps by default")
	}
	setup, err := app.Identity.BeginTOTP(u.ID)
	if err == nil {
		_, err = app.Identity.ConfirmTOTP(u.ID, identity.TOTPCode(setup.Secret, app.Now()))
	}
	if u, _ = app.Identity.Get(u.ID); err != nil || u.TwoStep.IsZero() || !app.Identity.TOTPRequired(u) {
		t.Fatalf("two-step set-up of an administrator: %v, required %v", err, app.Identity.TOTPRequired(u))
	}
	app.Close()

	if code, _, stderr := ksmart(t, "user", "reset-two-step", "--data", dir, "--login", "suma"); code != 1 || !strings.Contains(stderr, "Say why") {
		t.Fatalf("reset-two-step without a reason: exit %d %q", code, stderr)
	}
	code, stdout, stderr := ksmart(t, "user", "reset-two-step", "--data", dir, "--login", "suma", "--reason", "phone lost on the bus")
	if code != 0 || !strings.Contains(stdout, "reset the two-step sign-in of suma") {
		t.Fatalf("reset-two-step: exit %d %q %q", code, stdout, stderr)
	}
	app, err = appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if u, _ = app.Identity.Get(u.ID); !u.TwoStep.IsZero() {
		t.Fatalf("two-step sign-in still set up after the reset")
	}
	evs, _ := app.Store.ReadLog(1, 0)
	found := false
	for _, ev := range evs {
		found = found || (ev.Type == identity.EventUserTOTPReset.Name && strings.HasPrefix(ev.Actor, "cli:") && strings.Contains(string(ev.Data), "phone lost on the bus"))
	}
	if !found {
		t.Fatalf("the reset and its reason are not in the log")
	}
}
