// Command packaging builds the Debian package an office server installs:
//
//	go run ./packaging --out DIR [--version V]
//
// writes DIR/ksmart_<version>_amd64.deb with the binary (built here, pure
// Go), the systemd units (the service under its own user, and a daily
// backup timer that keeps the newest backups, each checked), an example
// configuration under /etc/ksmart/ and the scripts that create the user
// and the data directory. It uses nfpm as a library; the unit files and
// scripts are the files in packaging/files, embedded.
package main

import (
	"bytes"
	"embed"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
)

//go:embed files
var packageFiles embed.FS

// Depends are the Debian packages ksmart needs on an office server: the
// Malayalam font certificates are drawn with (ksmart looks for Manjari at
// Debian's path).
var Depends = []string{"fonts-smc-manjari"}

func main() {
	out := flag.String("out", "", "`DIR`ectory to write ksmart_<version>_amd64.deb into")
	version := flag.String("version", "", "package `VERSION` (semver, e.g. 0.2.0); default: the version the binary reports")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "packaging: usage: go run ./packaging --out DIR [--version V]")
		os.Exit(2)
	}
	path, err := Build(*out, *version)
	if err != nil {
		fmt.Fprintf(os.Stderr, "packaging: %s\n", strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
	fmt.Println(path)
}

// Build compiles ksmart for linux/amd64 and writes its Debian package into
// outDir, returning the package's path. version "" takes the binary's own.
func Build(outDir, version string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	work, err := os.MkdirTemp("", "ksmart-packaging-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "ksmart")
	ldflags := "-s -w"
	if version != "" {
		ldflags += " -X main.version=" + version
	}
	build := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, "./cmd/ksmart")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if msg, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/ksmart: %v: %s", err, msg)
	}
	if version == "" {
		// "ksmart 0.1.0-dev (go1.26 linux/amd64)"
		said, err := exec.Command(bin, "version").Output()
		if f := strings.Fields(string(said)); err != nil || len(f) < 2 {
			return "", fmt.Errorf("the built binary did not say its version: %v %q", err, said)
		} else {
			version = f[1]
		}
	}
	// The embedded files, written out for nfpm, which reads from disk.
	staged := filepath.Join(work, "files")
	if err := os.MkdirAll(staged, 0o755); err != nil {
		return "", err
	}
	entries, _ := packageFiles.ReadDir("files")
	for _, e := range entries {
		raw, _ := packageFiles.ReadFile("files/" + e.Name())
		if err := os.WriteFile(filepath.Join(staged, e.Name()), raw, 0o644); err != nil {
			return "", err
		}
	}
	f := func(name string) string { return filepath.Join(staged, name) }
	mode := func(m os.FileMode) *files.ContentFileInfo {
		return &files.ContentFileInfo{Mode: m, Owner: "root", Group: "root"}
	}
	contents := files.Contents{
		{Source: bin, Destination: "/usr/bin/ksmart", FileInfo: mode(0o755)},
		{Source: f("ksmart.service"), Destination: "/usr/lib/systemd/system/ksmart.service", FileInfo: mode(0o644)},
		{Source: f("ksmart-backup.service"), Destination: "/usr/lib/systemd/system/ksmart-backup.service", FileInfo: mode(0o644)},
		{Source: f("ksmart-backup.timer"), Destination: "/usr/lib/systemd/system/ksmart-backup.timer", FileInfo: mode(0o644)},
		{Source: f("ksmart.env"), Destination: "/etc/ksmart/ksmart.env", Type: files.TypeConfigNoReplace, FileInfo: mode(0o640)},
		{Source: filepath.Join(root, "examples", "local-body.json"), Destination: "/etc/ksmart/local-body.json", Type: files.TypeConfigNoReplace, FileInfo: mode(0o640)},
		{Source: filepath.Join(root, "README.md"), Destination: "/usr/share/doc/ksmart/README.md", FileInfo: mode(0o644)},
	}
	for _, ex := range []string{"messaging.json", "payments.json", "property-tax.json", "kyc.json"} {
		contents = append(contents, &files.Content{Source: filepath.Join(root, "examples", ex), Destination: "/usr/share/doc/ksmart/examples/" + ex, FileInfo: mode(0o644)})
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name:        "ksmart",
		Arch:        "amd64",
		Platform:    "linux",
		Version:     version,
		Section:     "web",
		Priority:    "optional",
		Maintainer:  "ksmart maintainers <ksmart@localhost>",
		Description: "e-governance appliance for Kerala's local bodies\nOne binary serving a municipality's or panchayat's citizen services:\napplications as files, registers, certificates, payments and accounts,\nwith a hash-chained log replicated to the state. Runs as the systemd\nservice ksmart under its own user; a daily timer keeps checked backups.",
		Homepage:    "https://ksmart.invalid/",
		License:     "Proprietary",
		MTime:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), // the same package from the same binary
		Overridables: nfpm.Overridables{
			Depends:  Depends,
			Contents: contents,
			Scripts:  nfpm.Scripts{PostInstall: f("postinst"), PreRemove: f("prerm"), PostRemove: f("postrm")},
		},
	})
	if err := nfpm.Validate(info); err != nil {
		return "", err
	}
	pkg, err := nfpm.Get("deb")
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := pkg.Package(info, &buf); err != nil {
		return "", fmt.Errorf("nfpm: %w", err)
	}
	path := filepath.Join(outDir, pkg.ConventionalFileName(info))
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// moduleRoot is the directory of ksmart's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("run from inside the ksmart module (go env GOMOD is empty)")
	}
	if raw, err := os.ReadFile(gomod); err != nil || !bytes.HasPrefix(raw, []byte("module ksmart\n")) {
		return "", fmt.Errorf("%s is not ksmart's go.mod", gomod)
	}
	return filepath.Dir(gomod), nil
}
