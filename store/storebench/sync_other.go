//go:build !linux

package storebench

import "os"

func fdatasync(f *os.File) error { return f.Sync() }
