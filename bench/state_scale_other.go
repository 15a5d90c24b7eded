//go:build !unix

package bench

import (
	"errors"
	"os"
)

// freezeProcess needs SIGSTOP, which only Unix has.
func freezeProcess(*os.Process) error {
	return errors.New("freezing a state node needs SIGSTOP: run the state-scale benchmark on Linux")
}

func resumeProcess(*os.Process) error { return nil }
