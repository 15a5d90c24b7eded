// Package needs is for tests that need something outside Go: a program, a
// font, a server. Each helper skips the test when the thing is missing,
// saying which Debian package provides it, or fails it when
// KSMART_REQUIRE_ALL=1 (as CI sets), so that a machine without the tools
// cannot pass silently. Production code never imports it.
package needs

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// RequireAll reports whether a missing tool fails a test rather than
// skipping it.
func RequireAll() bool { return os.Getenv("KSMART_REQUIRE_ALL") == "1" }

// Missing skips tb, or fails it under KSMART_REQUIRE_ALL=1, with msg: what
// is missing and how to install it.
func Missing(tb testing.TB, msg string) {
	tb.Helper()
	if RequireAll() {
		tb.Fatal(msg)
	}
	tb.Skip(msg + " (CI installs it)")
}

// Tool returns the path of a program the test needs, trying each name in
// turn; when none is found it calls Missing naming the Debian package.
func Tool(tb testing.TB, debianPackage string, names ...string) string {
	tb.Helper()
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	Missing(tb, fmt.Sprintf("%s not found: install the Debian package %s (apt-get install -y %s)", names[0], debianPackage, debianPackage))
	return ""
}
