// Package ksmart is the repository's root. It holds no code: the
// appliance is in appliance/ and its subpackages, the binary in
// cmd/ksmart. Its test (architecture_test.go) holds the layering that
// DESIGN.md draws: which package may import which, and where event types
// are declared.
package ksmart
