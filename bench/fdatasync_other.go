//go:build !linux

package bench

import "os"

// fdatasync is f.Sync where fdatasync(2) is not to be had.
func fdatasync(f *os.File) error { return f.Sync() }
