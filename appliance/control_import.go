package appliance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
)

// ImportRegister imports a register kept before ksmart from a CSV file
// (see civil.Civil.ImportFor), acting as the administrator
// "cli:<unixUser>", with the staff account registrarLogin as the entries'
// registrar of record: the officer answerable for them, whom their
// certificates name. It is refused (EINVALID) before anything is read
// when registrarLogin is empty or is not an active staff account with the
// registrar role. `ksmart import` calls it in-process when the appliance
// is stopped; the control socket calls it for a running one.
func (a *Appliance) ImportRegister(register string, r io.Reader, unixUser, registrarLogin string, progress func(civil.ImportProgress)) (civil.ImportReport, error) {
	if unixUser == "" {
		return civil.ImportReport{}, domain.Errorf(domain.EINVALID, "the import does not say which Unix user runs it")
	}
	registrar, err := a.registrarOfRecord(registrarLogin)
	if err != nil {
		return civil.ImportReport{}, err
	}
	return a.Civil.ImportFor(register, r, CLIActor(unixUser), registrar, progress)
}

// registrarOfRecord is the officer a staff login names, when it is an
// active account with the registrar role.
func (a *Appliance) registrarOfRecord(login string) (civil.Officer, error) {
	login = strings.TrimSpace(login)
	if login == "" {
		return civil.Officer{}, civil.NoRegistrarOfRecord()
	}
	u, err := a.Identity.ByLogin(login)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && u.Kind != identity.KindStaff:
		return civil.Officer{}, domain.Bilingual(domain.EINVALID, domain.T(
			fmt.Sprintf("No staff account %q: give --registrar the login of the registrar answerable for the entries.", login),
			fmt.Sprintf("%q എന്ന ജീവനക്കാരുടെ അക്കൗണ്ടില്ല: രേഖകൾക്ക് ഉത്തരവാദിയായ രജിസ്ട്രാറുടെ ലോഗിൻ --registrar ആയി നൽകുക.", login)))
	case err != nil:
		return civil.Officer{}, err
	case u.Disabled || !u.Actor().Has(domain.RoleRegistrar):
		return civil.Officer{}, domain.Bilingual(domain.EINVALID, domain.T(
			fmt.Sprintf("%s (%s) is not an active registrar: give --registrar the login of a staff account with the registrar role.", login, u.Name),
			fmt.Sprintf("%s (%s) സജീവ രജിസ്ട്രാറല്ല: രജിസ്ട്രാർ ചുമതലയുള്ള അക്കൗണ്ടിന്റെ ലോഗിൻ --registrar ആയി നൽകുക.", login, u.Name)))
	}
	return civil.Officer{ID: u.ID, Name: u.Name}, nil
}

// importLine is one line of the control socket's answer to an import: a
// progress report, then the final report or the error that ended it.
type importLine[P, R any] struct {
	Progress *P            `json:"progress,omitempty"`
	Report   *R            `json:"report,omitempty"`
	Error    *controlError `json:"error,omitempty"`
}

// readImportAnswer reads an import's JSON lines from the control socket:
// progress after every batch, then the report or an error. maxLine bounds
// the report's line.
func readImportAnswer[P, R any](body io.Reader, maxLine int, progress func(P)) (R, error) {
	var rep R
	var got bool
	lines := bufio.NewScanner(body)
	lines.Buffer(make([]byte, 64<<10), maxLine)
	for lines.Scan() {
		var l importLine[P, R]
		if err := json.Unmarshal(lines.Bytes(), &l); err != nil {
			return rep, fmt.Errorf("unexpected answer from the running appliance: %q", lines.Bytes())
		}
		switch {
		case l.Progress != nil && progress != nil:
			progress(*l.Progress)
		case l.Report != nil:
			rep, got = *l.Report, true
		case l.Error != nil:
			return rep, &domain.Error{Code: l.Error.Code, Message: l.Error.Message, MessageML: l.Error.MessageML, Fields: l.Error.Fields}
		}
	}
	if err := lines.Err(); err != nil {
		return rep, fmt.Errorf("the running appliance's answer broke off: %w", err)
	}
	if !got {
		return rep, errors.New("the running appliance ended the import without a report; its log says why")
	}
	return rep, nil
}

// registerLine is a civil register import's line.
type registerLine = importLine[civil.ImportProgress, civil.ImportReport]

// importControl registers POST /import/{register}?by=<unix user>&registrar=<login> on the
// control socket. The body is the CSV file, read as it arrives; the answer
// is JSON lines (application/x-ndjson): {"progress":…} after every batch,
// then {"report":…}, or {"error":…} when the import failed — in which case a
// "report" line before it counts what was written.
func (a *Appliance) importControl(mux *http.ServeMux) {
	mux.HandleFunc("POST /import/{register}", func(w http.ResponseWriter, r *http.Request) {
		register, by := r.PathValue("register"), r.URL.Query().Get("by")
		// The progress lines go out while the file still comes in.
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			a.Logger.Warn("import on the control socket: no full duplex; progress will come at the end", "error", err)
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		send := func(l registerLine) {
			enc.Encode(l)
			rc.Flush()
		}
		rep, err := a.ImportRegister(register, r.Body, by, r.URL.Query().Get("registrar"), func(p civil.ImportProgress) { send(registerLine{Progress: &p}) })
		if err != nil {
			if rep.Read > 0 {
				send(registerLine{Report: &rep})
			}
			if domain.ErrorCode(err) == domain.EINTERNAL {
				a.Logger.Error("import on the control socket failed", "register", register, "error", err)
			}
			send(registerLine{Error: newControlError(err)})
			return
		}
		a.Logger.Info("register imported through the control socket", "register", register, "by", "cli:"+by,
			"read", rep.Read, "imported", rep.Imported, "already_present", rep.AlreadyPresent, "bad", rep.Bad)
		send(registerLine{Report: &rep})
	})
}

func newControlError(err error) *controlError {
	ce := &controlError{Code: domain.ErrorCode(err), Message: domain.ErrorMessage(err)}
	var de *domain.Error
	if errors.As(err, &de) {
		ce.MessageML, ce.Fields = de.MessageML, de.Fields
	} else {
		ce.Message = "internal error; the appliance's log has the details"
	}
	return ce
}

// ControlImport streams a register's CSV file to the appliance running on
// dir and imports it there as unixUser, with the staff account
// registrarLogin as the entries' registrar of record, calling progress as
// the appliance reports it. An error the appliance answered with comes back as the
// *domain.Error it carried; a report that came before it is returned too.
func ControlImport(ctx context.Context, dir, register, unixUser, registrarLogin string, body io.Reader, progress func(civil.ImportProgress)) (civil.ImportReport, error) {
	sock := filepath.Join(dir, ControlSocket)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://ksmart/import/"+url.PathEscape(register)+"?by="+url.QueryEscape(unixUser)+"&registrar="+url.QueryEscape(registrarLogin), body)
	if err != nil {
		return civil.ImportReport{}, err
	}
	req.Header.Set("Content-Type", "text/csv")
	resp, err := client.Do(req)
	if err != nil {
		return civil.ImportReport{}, fmt.Errorf("the data directory is in use, and its appliance does not answer on %s: %w", sock, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return civil.ImportReport{}, readControlError(resp.StatusCode, msg)
	}
	return readImportAnswer[civil.ImportProgress, civil.ImportReport](resp.Body, 64<<20, progress) // a report lists up to a thousand problems
}
