// Command ksmart runs a Kerala local body's e-governance appliance: the
// server (serve, demo) and the tools around its data directory (check,
// backup, restore, bench, version). main stays thin: each subcommand is a
// function in a file of its own, and tests run them through Run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

var commands = map[string]command{
	"serve":   {"run the appliance for a local body", runServe},
	"demo":    {"run a working appliance with a demo municipality on a fresh data directory", runDemo},
	"check":   {"verify a data directory or backup: page consistency and the log's hash chain", runCheck},
	"backup":  {"write a consistent backup, online while the appliance serves", runBackup},
	"restore": {"restore a data directory from a backup", runRestore},
	"bench":   {"measure performance against the raw libraries (store, submit, certificate, receipt, import, memory, ...)", runBench},
	"version": {"print the version", runVersion},
	"verify":  {"check a certificate offline: a PDF, or the text of its QR code, with the local body's public key", runVerify},
	"user":    {"manage office users: add, list, reset, disable, enable", runUser},
	"import":  {"import a register kept before ksmart from CSV: births, deaths, marriages", runImport},
	"state":   {"run and manage the state cluster that keeps every local body's log (raft)", runState},
	"reindex": {"rebuild the search index of a stopped data directory from its log", runReindex},
}

// env is what a subcommand may touch of the outside world.
type env struct {
	stdout, stderr io.Writer
}

// usageError makes Run exit with status 2 (the caller got the words wrong).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Run runs one subcommand and returns the process exit status: 0 on
// success, 1 on failure, 2 on a usage mistake. Failures print one line.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ksmart: unknown command %q; run 'ksmart -h' for the list\n", args[0])
		return 2
	}
	err := cmd.run(ctx, &env{stdout: stdout, stderr: stderr}, args[1:])
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "ksmart %s: %s\n", args[0], ue.msg)
		return 2
	default:
		fmt.Fprintf(stderr, "ksmart %s: %s\n", args[0], oneLine(err.Error()))
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ksmart: e-governance appliance for Kerala local bodies")
	fmt.Fprintln(w, "\nUsage: ksmart COMMAND [flags]   (ksmart COMMAND -h for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
}

// flags is a subcommand's flag set with its help text.
type flags struct {
	*flag.FlagSet
	help func()
}

// newFlags returns a flag set that prints its help to stdout on -h only;
// a mistake is reported by parse as one line.
func newFlags(env *env, name, synopsis string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, help: func() {
		fmt.Fprintf(env.stdout, "Usage: ksmart %s %s\n\nFlags:\n", name, synopsis)
		fs.SetOutput(env.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}}
}

// parse parses flags; a mistake becomes one line saying what to fix.
func parse(fs *flags, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.help()
			return err
		}
		return usageError{fmt.Sprintf("%v (run 'ksmart %s -h' for the flags)", err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q (run 'ksmart %s -h' for the flags)", fs.Arg(0), fs.Name())}
	}
	return nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
