package appliance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"

	"ksmart/appliance/domain"
	"ksmart/appliance/propertytax"
)

// ImportBuildings imports a property register kept before ksmart from a
// CSV file (see propertytax.PropertyTax.Import), acting as the
// administrator "cli:<unixUser>". `ksmart import buildings` calls it
// in-process when the appliance is stopped; the control socket calls it
// for a running one.
func (a *Appliance) ImportBuildings(r io.Reader, unixUser string, progress func(propertytax.ImportProgress)) (propertytax.ImportReport, error) {
	if unixUser == "" {
		return propertytax.ImportReport{}, domain.Errorf(domain.EINVALID, "the import does not say which Unix user runs it")
	}
	if a.PropertyTax == nil {
		return propertytax.ImportReport{}, domain.Errorf(domain.EINVALID, "this appliance has no property tax module to import buildings into")
	}
	return a.PropertyTax.Import(r, CLIActor(unixUser), progress)
}

// buildingsLine is one line of the control socket's answer to an import
// of buildings: a progress report, then the report with its parity, or
// the error that ended it.
type buildingsLine = importLine[propertytax.ImportProgress, propertytax.ImportReport]

// importBuildingsControl registers POST /import/buildings?by=<unix user>
// on the control socket, answered as POST /import/{register} is: JSON
// lines, {"progress":…} after every batch, then {"report":…}, or
// {"error":…} (after a "report" line counting what was written).
func (a *Appliance) importBuildingsControl(mux *http.ServeMux) {
	mux.HandleFunc("POST /import/buildings", func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			a.Logger.Warn("import on the control socket: no full duplex; progress will come at the end", "error", err)
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		send := func(l buildingsLine) {
			enc.Encode(l)
			rc.Flush()
		}
		rep, err := a.ImportBuildings(r.Body, r.URL.Query().Get("by"), func(p propertytax.ImportProgress) { send(buildingsLine{Progress: &p}) })
		if err != nil {
			if rep.Read > 0 {
				send(buildingsLine{Report: &rep})
			}
			if domain.ErrorCode(err) == domain.EINTERNAL {
				a.Logger.Error("import of buildings on the control socket failed", "error", err)
			}
			send(buildingsLine{Error: newControlError(err)})
			return
		}
		a.Logger.Info("property register imported through the control socket", "by", "cli:"+r.URL.Query().Get("by"),
			"read", rep.Read, "imported", rep.Imported, "already_present", rep.AlreadyPresent, "bad", rep.Bad, "reconciled", rep.Parity.Reconciled)
		send(buildingsLine{Report: &rep})
	})
}

// ControlImportBuildings streams a property register's CSV file to the
// appliance running on dir and imports it there as unixUser, calling
// progress as the appliance reports it. An error the appliance answered
// with comes back as the *domain.Error it carried; a report that came
// before it is returned too.
func ControlImportBuildings(ctx context.Context, dir, unixUser string, body io.Reader, progress func(propertytax.ImportProgress)) (propertytax.ImportReport, error) {
	sock := filepath.Join(dir, ControlSocket)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://ksmart/import/buildings?by="+url.QueryEscape(unixUser), body)
	if err != nil {
		return propertytax.ImportReport{}, err
	}
	req.Header.Set("Content-Type", "text/csv")
	resp, err := client.Do(req)
	if err != nil {
		return propertytax.ImportReport{}, fmt.Errorf("the data directory is in use, and its appliance does not answer on %s: %w", sock, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return propertytax.ImportReport{}, readControlError(resp.StatusCode, msg)
	}
	return readImportAnswer[propertytax.ImportProgress, propertytax.ImportReport](resp.Body, 256<<20, progress) // a report lists up to a thousand problems and every ward
}
