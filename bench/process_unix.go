//go:build unix

package bench

import (
	"os"
	"syscall"
	"time"
)

// freezeProcess stops p (SIGSTOP): it keeps its sockets open and the
// kernel keeps accepting connections for it, but it answers nothing and
// sends nothing — a frozen node, as a hung VM or a long stall looks.
func freezeProcess(p *os.Process) error { return p.Signal(syscall.SIGSTOP) }

// resumeProcess lets a frozen process run again (SIGCONT).
func resumeProcess(p *os.Process) error { return p.Signal(syscall.SIGCONT) }

// processCPU is the CPU time this process has used so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
