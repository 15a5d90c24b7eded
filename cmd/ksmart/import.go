package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/store"
)

// importShown is how many bad rows `ksmart import` prints; the rest are
// counted.
const importShown = 50

// importBarFrom is the file size from which an import on a terminal shows
// a progress bar: smaller files are done before a bar would be read.
const importBarFrom = 1 << 20

func runImport(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "import", "births|deaths|marriages FILE.csv --data DIR --registrar LOGIN | buildings FILE.csv --data DIR [--json]")
	data := fs.String("data", "", "data `DIR`ectory (running or stopped)")
	registrar := fs.String("registrar", "", "births, deaths and marriages: the staff `LOGIN` of the registrar answerable for the entries, whom their certificates name")
	asJSON := fs.Bool("json", false, "buildings only: print the report and its parity as one JSON object")
	pos, err := parseWithArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		importHelp(env.stdout)
	}
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usageError{"give the register (births, deaths, marriages or buildings) and the CSV FILE to import (run 'ksmart import -h')"}
	case !slices.Contains(civil.ImportRegisters, pos[0]) && pos[0] != "buildings":
		return usageError{fmt.Sprintf("unknown register %q; import births, deaths, marriages or buildings (run 'ksmart import -h')", pos[0])}
	case len(pos) == 1:
		return usageError{fmt.Sprintf("give the CSV FILE of %s to import (run 'ksmart import -h')", pos[0])}
	case len(pos) > 2:
		return usageError{fmt.Sprintf("unexpected argument %q (run 'ksmart import -h')", pos[2])}
	case *data == "":
		return usageError{"give --data DIR (run 'ksmart import -h')"}
	case *asJSON && pos[0] != "buildings":
		return usageError{"--json is for import buildings, whose report has a parity to read; the other registers print their bad lines"}
	case *registrar == "" && pos[0] != "buildings":
		return usageError{"give --registrar LOGIN: the registrar answerable for the imported entries (a staff account with the registrar role), whose name and designation their certificates print"}
	}
	register, file := pos[0], pos[1]
	path, err := storeFile(*data, "")
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%s holds no %s; give --data the directory of a ksmart that has been started once", *data, filepath.Base(path))
	}
	in, size, err := openImportFile(file)
	if err != nil {
		return err
	}
	defer in.Close()
	if register == "buildings" {
		return importBuildings(ctx, env, *data, in, size, *asJSON)
	}

	show := newImportProgress(env, register, size)
	start := time.Now()
	rep, online, err := importRegister(ctx, *data, register, *registrar, in, show.update)
	show.finish()
	if err != nil && rep.Read == 0 {
		return cliError(err)
	}
	for i, p := range rep.Problems {
		if i == importShown {
			break
		}
		fmt.Fprintf(env.stdout, "line %d: %s\n", p.Line, p.Reason)
	}
	if rep.Bad > importShown {
		fmt.Fprintf(env.stdout, "... and %d more\n", rep.Bad-importShown)
	}
	fmt.Fprintf(env.stdout, "%s: %d rows read, %d imported, %d already present, %d not imported (bad), in %s%s\n",
		register, rep.Read, rep.Imported, rep.AlreadyPresent, rep.Bad, time.Since(start).Round(100*time.Millisecond), via(online))
	switch {
	case err != nil:
		return fmt.Errorf("the import stopped after %d rows: %w; the rows before were imported, and running the same file again skips them", rep.Read, cliError(err))
	case rep.Bad > 0:
		return fmt.Errorf("%d of %d rows were not imported; correct the lines above and run the same file again (the rows imported are skipped)", rep.Bad, rep.Read)
	}
	return nil
}

// parseWithArgs parses flags that may come before, between or after the
// positional arguments, which it returns.
func parseWithArgs(fs *flags, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, err
			}
			return nil, usageError{fmt.Sprintf("%v (run 'ksmart %s -h' for the flags)", err, fs.Name())}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

func importHelp(w io.Writer) {
	fmt.Fprintln(w, "\nImports a register kept before ksmart from a CSV file (UTF-8, with a header")
	fmt.Fprintln(w, "row), into a stopped data directory or through the running appliance. Good rows")
	fmt.Fprintln(w, "are imported; each bad row is listed by its line and changes nothing. Running the")
	fmt.Fprintln(w, "same file again imports only what is not there yet. Dates are YYYY-MM-DD or")
	fmt.Fprintln(w, "DD-MM-YYYY; names in English letters in *_en, in Malayalam script in *_ml.")
	fmt.Fprintln(w, "Exit status: 0 when every row is imported or already present, 1 when some are not.")
	fmt.Fprintln(w, "\nColumns (* required):")
	for _, reg := range civil.ImportRegisters {
		required, optional := civil.ImportColumns(reg)
		fmt.Fprintf(w, "  %-9s %s*,%s\n", reg, strings.Join(required, "*,"), strings.Join(optional, ","))
	}
	buildingsHelp(w)
}

// openImportFile opens the file to import ("-" is standard input) and
// returns its size, or -1 when it is not known.
func openImportFile(name string) (io.ReadCloser, int64, error) {
	if name == "-" {
		return io.NopCloser(os.Stdin), -1, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read the file to import: %v", err)
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, 0, err
	case fi.IsDir():
		f.Close()
		return nil, 0, fmt.Errorf("%s is a directory; give the CSV file", name)
	}
	return f, fi.Size(), nil
}

// importRegister runs the import on the data directory: in this process
// when no appliance holds it, else streamed through the running appliance's
// control socket.
func importRegister(ctx context.Context, dir, register, registrar string, in io.Reader, progress func(civil.ImportProgress)) (rep civil.ImportReport, online bool, err error) {
	app, err := appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler), LockTimeout: time.Second})
	switch {
	case errors.Is(err, store.ErrLocked):
		rep, err = appliance.ControlImport(ctx, dir, register, unixUser(), registrar, in, progress)
		return rep, true, err
	case err != nil:
		return rep, false, err
	}
	defer app.Close()
	// Index while importing, on the other core, so the rows are searchable
	// when the command returns.
	indexCtx, stopIndexing := context.WithCancel(ctx)
	defer stopIndexing()
	app.FollowIndex(indexCtx)
	rep, err = app.ImportRegister(register, in, unixUser(), registrar, progress)
	if werr := app.Search.WaitFor(ctx, app.Store.LastSeq()); err == nil && werr != nil {
		err = fmt.Errorf("the rows were imported, but indexing them stopped (%v); the appliance indexes them when it next starts, or run ksmart reindex", werr)
	}
	return rep, false, err
}

// importProgress shows an import's progress on a terminal, as a bar over
// the file's bytes with the rows counted so far.
type importProgress struct {
	bar *progressbar.ProgressBar
}

func newImportProgress(env *env, register string, size int64) *importProgress {
	f, ok := env.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || (size >= 0 && size < importBarFrom) {
		return &importProgress{}
	}
	return &importProgress{bar: progressbar.NewOptions64(size, progressbar.OptionSetWriter(env.stderr),
		progressbar.OptionSetDescription("importing "+register), progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())}
}

func (p *importProgress) update(pr civil.ImportProgress) {
	if p.bar == nil {
		return
	}
	p.bar.Describe(fmt.Sprintf("%d rows: %d imported, %d present, %d bad", pr.Read, pr.Imported, pr.AlreadyPresent, pr.Bad))
	p.bar.Set64(pr.Bytes)
}

func (p *importProgress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
