package bench

import (
	"os"
	"syscall"
)

// fdatasync flushes what was written to f to the disk, its data without
// the metadata a later read does not need.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
