package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ksmart/internal/needs"
)

// TestBuild_ADebianPackageAnOfficeCanInstall builds the package and reads
// it with dpkg-deb as apt would: its name and fields, the files it
// installs, the systemd units with their confinement, the daily backup
// timer, the scripts that make the user and the data directory, and the
// binary inside, which runs and says the version the package has.
func TestBuild_ADebianPackageAnOfficeCanInstall(t *testing.T) {
	needs.Tool(t, "dpkg", "dpkg-deb")
	out := t.TempDir()
	path, err := Build(out, "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "ksmart_1.2.3_amd64.deb" {
		t.Fatalf("package named %s", filepath.Base(path))
	}
	dpkg := func(args ...string) string {
		t.Helper()
		raw, err := exec.Command("dpkg-deb", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg-deb %v: %v: %s", args, err, raw)
		}
		return string(raw)
	}
	for field, want := range map[string]string{"Package": "ksmart", "Version": "1.2.3", "Architecture": "amd64", "Depends": "fonts-smc-manjari"} {
		if got := strings.TrimSpace(dpkg("-f", path, field)); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	listing := dpkg("-c", path)
	for _, want := range []string{
		`-rwxr-xr-x root/root .* \./usr/bin/ksmart$`,
		`\./usr/lib/systemd/system/ksmart\.service$`,
		`\./usr/lib/systemd/system/ksmart-backup\.service$`,
		`\./usr/lib/systemd/system/ksmart-backup\.timer$`,
		`-rw-r----- root/root .* \./etc/ksmart/ksmart\.env$`,
		`\./etc/ksmart/local-body\.json$`,
		`\./usr/share/doc/ksmart/examples/messaging\.json$`,
	} {
		if !regexp.MustCompile(`(?m)` + want).MatchString(listing) {
			t.Errorf("the package has no %s:\n%s", want, listing)
		}
	}
	root, control := t.TempDir(), t.TempDir()
	dpkg("-x", path, root)
	dpkg("-e", path, control)
	conffiles, _ := os.ReadFile(filepath.Join(control, "conffiles"))
	for _, f := range []string{"/etc/ksmart/ksmart.env", "/etc/ksmart/local-body.json"} {
		if !slices.Contains(strings.Fields(string(conffiles)), f) {
			t.Errorf("%s is not a conffile (an upgrade would overwrite the office's settings): %q", f, conffiles)
		}
	}
	if said, err := exec.Command(filepath.Join(root, "usr/bin/ksmart"), "version").Output(); err != nil || !strings.HasPrefix(string(said), "ksmart 1.2.3 ") {
		t.Errorf("the packaged binary says %q (%v)", said, err)
	}
	unit := func(name string) string {
		raw, err := os.ReadFile(filepath.Join(root, "usr/lib/systemd/system", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	service := unit("ksmart.service")
	for _, line := range []string{"User=ksmart", "ProtectSystem=strict", "ReadWritePaths=/var/lib/ksmart", "NoNewPrivileges=yes", "Restart=on-failure",
		"ExecStart=/usr/bin/ksmart serve --data /var/lib/ksmart $KSMART_OPTS", "EnvironmentFile=/etc/ksmart/ksmart.env", "WantedBy=multi-user.target"} {
		if !slices.Contains(strings.Split(service, "\n"), line) {
			t.Errorf("ksmart.service has no line %q", line)
		}
	}
	backup := unit("ksmart-backup.service")
	for _, line := range []string{"User=ksmart", "ProtectSystem=strict", "ReadWritePaths=/var/lib/ksmart /var/backups/ksmart", "NoNewPrivileges=yes",
		"ExecStart=/usr/bin/ksmart backup --data /var/lib/ksmart --dir /var/backups/ksmart --keep ${KSMART_BACKUPS_KEPT}"} {
		if !slices.Contains(strings.Split(backup, "\n"), line) {
			t.Errorf("ksmart-backup.service has no line %q", line)
		}
	}
	if timer := unit("ksmart-backup.timer"); !strings.Contains(timer, "OnCalendar=*-*-* 02:30:00") || !strings.Contains(timer, "Persistent=true") {
		t.Errorf("the backup timer is not daily:\n%s", timer)
	}
	postinst, _ := os.ReadFile(filepath.Join(control, "postinst"))
	for _, want := range []string{"useradd --system", "install -d -o ksmart -g ksmart -m 0750 /var/lib/ksmart", "/var/backups/ksmart",
		"chown root:ksmart /etc/ksmart /etc/ksmart/ksmart.env /etc/ksmart/local-body.json"} {
		if !strings.Contains(string(postinst), want) {
			t.Errorf("postinst does not %q:\n%s", want, postinst)
		}
	}
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		if msg, err := exec.Command("sh", "-n", filepath.Join(control, script)).CombinedOutput(); err != nil {
			t.Errorf("%s is not valid sh: %s", script, msg)
		}
	}
	// systemd's own reading of the units, where this machine has it. Where
	// the package is not installed, the only complaint allowed is that
	// /usr/bin/ksmart is not there yet (CI verifies again after installing).
	if _, err := exec.LookPath("systemd-analyze"); err == nil {
		units := []string{}
		for _, u := range []string{"ksmart.service", "ksmart-backup.service", "ksmart-backup.timer"} {
			units = append(units, filepath.Join(root, "usr/lib/systemd/system", u))
		}
		msg, _ := exec.Command("systemd-analyze", append([]string{"verify"}, units...)...).CombinedOutput()
		for _, line := range strings.Split(strings.TrimSpace(string(msg)), "\n") {
			if line == "" || strings.Contains(line, "Command /usr/bin/ksmart is not executable") || strings.Contains(line, "Unit sysinit.target not found") {
				continue
			}
			t.Errorf("systemd-analyze verify: %s", line)
		}
	}
}
