package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/propertytax"
	"ksmart/store"
)

// buildingsHelp explains the property register's file in `ksmart import -h`.
func buildingsHelp(w io.Writer) {
	fmt.Fprintln(w, "\nbuildings: the property register kept before ksmart, one row a building. Each good row")
	fmt.Fprintln(w, "is entered in the register under its number, taxed by ksmart from the current half-year;")
	fmt.Fprintln(w, "its arrears become one arrears demand. Then the register is read back and set beside the")
	fmt.Fprintln(w, "file ward by ward (the parity report): rows, buildings, the annual tax and the arrears the")
	fmt.Fprintln(w, "old system had, against the buildings registered, the annual tax as ksmart reckons it and")
	fmt.Fprintf(w, "the arrears demanded. A ward whose count or arrears differ at all, or whose tax differs by\n")
	fmt.Fprintf(w, "more than %d%%, does not reconcile. Exit status 1 when a row was refused or a ward does not\n", propertytax.TaxTolerancePercent)
	fmt.Fprintln(w, "reconcile. --json prints the report as one JSON object. Columns (* required):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range propertytax.ImportColumns {
		star := ""
		if c.Required {
			star = "*"
		}
		fmt.Fprintf(tw, "  %s%s\t%s\n", c.Name, star, c.Help)
	}
	tw.Flush()
}

// importBuildings runs `ksmart import buildings`: in this process when no
// appliance holds the data directory, else through the running one.
func importBuildings(ctx context.Context, env *env, dir string, in io.Reader, size int64, asJSON bool) error {
	show := &importProgress{}
	if !asJSON {
		show = newImportProgress(env, "buildings", size)
	}
	progress := func(p propertytax.ImportProgress) {
		show.update(civil.ImportProgress{Read: p.Read, Imported: p.Imported, AlreadyPresent: p.AlreadyPresent, Bad: p.Bad, Bytes: p.Bytes})
	}
	start := time.Now()
	rep, online, err := runBuildingsImport(ctx, dir, in, progress)
	show.finish()
	if err != nil && rep.Read == 0 {
		return cliError(err)
	}
	if asJSON {
		if jerr := json.NewEncoder(env.stdout).Encode(rep); jerr != nil {
			return jerr
		}
	} else {
		writeBuildingsReport(env.stdout, rep, err == nil)
		fmt.Fprintf(env.stdout, "buildings: %d rows read, %d imported, %d already present, %d not imported (bad), in %s%s\n",
			rep.Read, rep.Imported, rep.AlreadyPresent, rep.Bad, time.Since(start).Round(100*time.Millisecond), via(online))
	}
	if err != nil {
		return fmt.Errorf("the import stopped after %d rows: %w; the rows before were imported, and running the same file again skips them", rep.Read, cliError(err))
	}
	return buildingsVerdict(rep)
}

// buildingsVerdict is the one line that says why the import exits 1, or
// nil when every row is in the register and every ward reconciles.
func buildingsVerdict(rep propertytax.ImportReport) error {
	var wards []string
	for _, w := range rep.Parity.Wards {
		if !w.Reconciled {
			wards = append(wards, wardName(w.Ward))
		}
	}
	notWards := ""
	if len(wards) > 0 {
		notWards = fmt.Sprintf("%s %s not reconcile with the file", strings.Join(wards, ", "), map[bool]string{true: "does", false: "do"}[len(wards) == 1])
	}
	switch {
	case rep.Bad > 0 && notWards != "":
		return fmt.Errorf("%d of %d rows were not imported and %s; correct the lines above and run the same file again (the rows imported are skipped)", rep.Bad, rep.Read, notWards)
	case rep.Bad > 0:
		return fmt.Errorf("%d of %d rows were not imported; correct the lines above and run the same file again (the rows imported are skipped)", rep.Bad, rep.Read)
	case notWards != "":
		return fmt.Errorf("every row is in the register, but %s (see the differences above): check the file and the council's rates before the cut-over", notWards)
	case !rep.Parity.Reconciled:
		return errors.New("every row is in the register, but the totals do not reconcile with the file (see the differences above)")
	}
	return nil
}

func wardName(w int) string {
	if w == 0 {
		return "the rows whose ward cannot be read"
	}
	return fmt.Sprintf("ward %d", w)
}

// runBuildingsImport imports on the data directory: in this process when
// no appliance holds it (indexing as it goes, on the other core), else
// streamed through the running appliance's control socket.
func runBuildingsImport(ctx context.Context, dir string, in io.Reader, progress func(propertytax.ImportProgress)) (rep propertytax.ImportReport, online bool, err error) {
	app, err := appliance.Open(appliance.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler), LockTimeout: time.Second})
	switch {
	case errors.Is(err, store.ErrLocked):
		rep, err = appliance.ControlImportBuildings(ctx, dir, unixUser(), in, progress)
		return rep, true, err
	case err != nil:
		return rep, false, err
	}
	defer app.Close()
	indexCtx, stopIndexing := context.WithCancel(ctx)
	defer stopIndexing()
	app.FollowIndex(indexCtx)
	rep, err = app.ImportBuildings(in, unixUser(), progress)
	if werr := app.Search.WaitFor(ctx, app.Store.LastSeq()); err == nil && werr != nil {
		err = fmt.Errorf("the buildings were imported, but indexing them stopped (%v); the appliance indexes them when it next starts, or run ksmart reindex", werr)
	}
	return rep, false, err
}

// writeBuildingsReport prints the refused rows by line and the parity
// table, each ward that does not reconcile marked, and what differs.
func writeBuildingsReport(w io.Writer, rep propertytax.ImportReport, complete bool) {
	for i, p := range rep.Problems {
		if i == importShown {
			break
		}
		number := ""
		if p.Number != "" {
			number = "building " + p.Number + ": "
		}
		fmt.Fprintf(w, "line %d: %s%s\n", p.Line, number, p.Reason())
	}
	if rep.Bad > importShown {
		fmt.Fprintf(w, "... and %d more\n", rep.Bad-importShown)
	}
	if !complete {
		return
	}
	par := rep.Parity
	fmt.Fprintf(w, "\nparity, ward by ward: the file (the old system's figures) and the register as read back (annual tax for %s, without cess)\n\n", par.Year)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "ward\trows\tbuildings\ttax (file)\tarrears (file)\tregistered\ttax (ksmart)\tarrears demanded\trefused\ttax diff\t\t\n")
	line := func(name string, l propertytax.WardParity) {
		mark := ""
		if !l.Reconciled {
			mark = "DIFFERS"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%s\t%s\t%d\t%+.1f%%\t%s\t\n", name, l.Rows, l.Buildings, rupees(l.FileTax), rupees(l.FileArrears),
			l.Registered, rupees(l.Tax), rupees(l.Arrears), l.Refused, l.TaxDifferencePercent, mark)
	}
	for _, l := range par.Wards {
		name := fmt.Sprint(l.Ward)
		if l.Ward == 0 {
			name = "?"
		}
		line(name, l)
	}
	line("total", par.Total)
	tw.Flush()
	if par.Reconciled {
		fmt.Fprintf(w, "\nthe register reconciles with the file: every building is there, with its arrears, and every ward's tax is within %d%%\n", propertytax.TaxTolerancePercent)
		return
	}
	fmt.Fprintln(w, "\ndoes not reconcile:")
	for _, d := range par.Differences {
		fmt.Fprintf(w, "  %s\n", d)
	}
}

// rupees prints paise as rupees without the sign, for a table.
func rupees(p domain.Paise) string {
	return strings.TrimPrefix(p.String(), "₹")
}
