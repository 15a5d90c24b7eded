//go:build !unix

package bench

import (
	"errors"
	"os"
	"time"
)

// freezeProcess needs SIGSTOP, which only Unix has.
func freezeProcess(*os.Process) error {
	return errors.New("freezing a state node needs SIGSTOP: run the state-scale benchmark on Linux")
}

func resumeProcess(*os.Process) error { return nil }

// processCPU is not measured off Unix; the figures built on it read 0.
func processCPU() time.Duration { return 0 }
