package identity_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/store"
)

func TestAddStaff_OnlyAnAdminAndEveryProblemListed(t *testing.T) {
	svc, _ := newService(t)
	start := svc.Store.LastSeq() // the store's declaration of the entities kept outside the log
	clerk := domain.Actor{ID: "u-9", Roles: []domain.Role{domain.RoleSectionClerk, domain.RoleHeadClerk}}
	good := identity.NewStaff{Login: "anitha", Name: "Anitha K.", Roles: []domain.Role{domain.RoleSectionClerk}}
	if _, _, err := svc.AddStaff(clerk, good); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("a clerk adding staff: %v, want forbidden", err)
	}

	_, _, err := svc.AddStaff(admin, identity.NewStaff{
		Login: "Anitha K", Name: "A", Roles: []domain.Role{"boss", domain.RoleRegistrar, domain.RoleCitizen, "chief"},
		Wards: []int{0}, Sections: []string{"Civil Section"}, Phone: "12345", Email: "not-an-email",
	})
	wantCode(t, "bad staff", err, domain.EINVALID)
	fields := err.(*domain.Error).Fields
	for _, f := range []string{"login", "name", "roles", "wards", "sections", "phone", "email"} {
		if fields[f].En == "" || fields[f].Ml == "" {
			t.Errorf("no bilingual problem for %s in %v", f, fields)
		}
	}
	for _, want := range []string{`"boss"`, `"chief"`, "citizen role"} {
		if !strings.Contains(fields["roles"].En, want) {
			t.Errorf("roles problem %q does not mention %s", fields["roles"].En, want)
		}
	}
	_, _, err = svc.AddStaff(admin, identity.NewStaff{Login: "anitha", Name: "Anitha K."})
	wantCode(t, "no roles", err, domain.EINVALID)
	if !strings.Contains(err.(*domain.Error).Fields["roles"].En, "at least one role") {
		t.Fatalf("no roles: %v", err.(*domain.Error).Fields)
	}
	if n := svc.Store.LastSeq() - start; n != 0 {
		t.Fatalf("refused additions wrote %d events", n)
	}

	u, otp, err := svc.AddStaff(domain.System, good)
	if err != nil || u.ID != "u-1" || u.Kind != identity.KindStaff || !u.MustChangePassword || u.PasswordHash != "" {
		t.Fatalf("AddStaff by the system = %+v, %v", u, err)
	}
	if !regexp.MustCompile(`^[a-z2-9]{4}(-[a-z2-9]{4}){3}$`).MatchString(otp) || strings.ContainsAny(otp, "ilo01") {
		t.Fatalf("one-time password %q is not 4 readable groups of 4", otp)
	}
	evs := events(t, svc.Store, "user.created")
	if len(evs) != 1 || evs[0].Actor != domain.System.ID || !strings.Contains(string(evs[0].Data), `"section_clerk"`) {
		t.Fatalf("user.created events = %+v", evs)
	}
}

func TestAddStaff_DuplicateLoginIsAConflict(t *testing.T) {
	svc, _ := newService(t)
	addClerk(t, svc, "anitha")
	_, _, err := svc.AddStaff(admin, identity.NewStaff{Login: "ANITHA", Name: "Anitha M.", Roles: []domain.Role{domain.RoleRegistrar}})
	wantCode(t, "same login again", err, domain.ECONFLICT, `"anitha" is taken`)
	if list, _ := svc.List(identity.KindStaff); len(list) != 1 {
		t.Fatalf("staff after a refused duplicate: %+v", list)
	}
}

func TestPassword_HashIsArgon2idPHCAndVerifies(t *testing.T) {
	svc, _ := newService(t)
	u, otp := addClerk(t, svc, "anitha.nair")
	var raw struct {
		PasswordHash string `json:"password_hash"`
	}
	if err := svc.Store.View(func(tx *store.Tx) error { return tx.Get("user", u.ID, &raw) }); err != nil {
		t.Fatal(err)
	}
	// Check the stored hash independently of the package: parse the PHC
	// string and recompute with argon2.IDKey.
	m := regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`).FindStringSubmatch(raw.PasswordHash)
	if m == nil {
		t.Fatalf("stored hash %q is not argon2id in PHC form", raw.PasswordHash)
	}
	var mem, tm, p uint32
	fmt.Sscan(m[1]+" "+m[2]+" "+m[3], &mem, &tm, &p)
	if tm < 1 || tm > 3 || mem > 64*1024 {
		t.Fatalf("parameters m=%d t=%d out of bounds", mem, tm)
	}
	salt, _ := base64.RawStdEncoding.DecodeString(m[4])
	want, _ := base64.RawStdEncoding.DecodeString(m[5])
	if got := argon2.IDKey([]byte(otp), salt, tm, mem, uint8(p), uint32(len(want))); string(got) != string(want) {
		t.Fatal("the one-time password does not verify against the stored hash")
	}

	if got, err := svc.Authenticate("anitha.nair", otp); err != nil || got.ID != u.ID || !got.MustChangePassword {
		t.Fatalf("sign in with the one-time password: %+v %v", got, err)
	}
	for _, c := range []struct{ name, new, want string }{
		{"too short", "short1", "at least 10"},
		{"the login", "Anitha.Nair", "same as your login"},
		{"only digits", "12345678901", "only digits"},
		{"same as before", otp, "different"},
	} {
		err := svc.ChangePassword(u.ID, otp, c.new)
		wantCode(t, c.name, err, domain.EINVALID)
		if f := err.(*domain.Error).Fields["new"]; !strings.Contains(f.En, c.want) || f.Ml == "" {
			t.Errorf("%s: problem with new %+v, want %q", c.name, f, c.want)
		}
	}
	if err := svc.ChangePassword(u.ID, otp, "anitha.kumari"); err != nil {
		// "anitha.kumari" is not the login "anitha.nair", so it is allowed.
		t.Fatal(err)
	}
	if err := svc.ChangePassword(u.ID, "wrong old password", "another good one"); domain.ErrorCode(err) != domain.EINVALID || err.(*domain.Error).Fields["old"].En == "" {
		t.Fatalf("change with a wrong current password: %v", err)
	}
	if got, err := svc.Authenticate("anitha.nair", "anitha.kumari"); err != nil || got.MustChangePassword {
		t.Fatalf("sign in with the new password: %+v %v", got, err)
	}
	if _, err := svc.Authenticate("anitha.nair", otp); domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
		t.Fatalf("the old one-time password still works: %v", err)
	}
}

func TestEnsureAdmin_CreatesOneOnlyWhenNoneIsEnabled(t *testing.T) {
	svc, _ := newService(t)
	// "admin" is taken by someone who is not an administrator.
	if _, _, err := svc.AddStaff(domain.System, identity.NewStaff{Login: "admin", Name: "Admin Section Clerk", Roles: []domain.Role{domain.RoleSectionClerk}}); err != nil {
		t.Fatal(err)
	}
	login, otp, created, err := svc.EnsureAdmin()
	if err != nil || !created || login != "admin2" || otp == "" {
		t.Fatalf("EnsureAdmin = %q %q %v %v, want admin2 created", login, otp, created, err)
	}
	u, err := svc.Authenticate(login, otp)
	if err != nil || !u.Actor().Has(domain.RoleAdmin) || !u.MustChangePassword {
		t.Fatalf("the new admin: %+v %v", u, err)
	}
	login, otp, created, err = svc.EnsureAdmin()
	if err != nil || created || login != "admin2" || otp != "" {
		t.Fatalf("EnsureAdmin again = %q %q %v %v, want the existing admin2", login, otp, created, err)
	}
	// The last enabled administrator can be neither disabled nor demoted.
	err = svc.Disable(u.Actor(), u.ID, "")
	wantCode(t, "disable the last admin", err, domain.ECONFLICT, "only enabled administrator")
	err = svc.SetRoles(u.Actor(), u.ID, []domain.Role{domain.RoleSecretary})
	wantCode(t, "demote the last admin", err, domain.ECONFLICT, "only enabled administrator")
}

func TestSetRolesDisableEnable_ChangeWhatTheUserMayDo(t *testing.T) {
	svc, _ := newService(t)
	u, otp := addClerk(t, svc, "anitha")
	if err := svc.SetRoles(u.Actor(), u.ID, []domain.Role{domain.RoleAdmin}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("a clerk making herself admin: %v", err)
	}
	err := svc.SetRoles(admin, u.ID, []domain.Role{"overlord"})
	wantCode(t, "unknown role", err, domain.EINVALID)
	if err := svc.SetRoles(admin, u.ID, []domain.Role{domain.RoleHeadClerk, domain.RoleRegistrar}); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(u.ID)
	if !slices.Equal(got.Roles, []domain.Role{domain.RoleHeadClerk, domain.RoleRegistrar}) {
		t.Fatalf("roles after SetRoles = %v", got.Roles)
	}
	if err := svc.Disable(admin, u.ID, "left the office"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate("anitha", otp); !errors.Is(err, identity.ErrDisabled) {
		t.Fatalf("a disabled user signing in: %v", err)
	}
	if _, err := svc.Authenticate("anitha", "a wrong password"); domain.ErrorCode(err) != domain.EUNAUTHENTICATED {
		t.Fatalf("a wrong password on a disabled account must not reveal it is disabled: %v", err)
	}
	if err := svc.Enable(admin, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate("anitha", otp); err != nil {
		t.Fatalf("signing in after Enable: %v", err)
	}
	for _, typ := range []string{"user.roles_changed", "user.disabled", "user.enabled"} {
		if evs := events(t, svc.Store, typ); len(evs) != 1 || evs[0].Actor != admin.ID {
			t.Errorf("%s events = %+v", typ, evs)
		}
	}
	var data map[string]any
	json.Unmarshal(events(t, svc.Store, "user.roles_changed")[0].Data, &data)
	if fmt.Sprint(data["previous"]) != "[section_clerk]" {
		t.Errorf("roles_changed data = %v", data)
	}
}
