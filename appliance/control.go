package appliance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// ControlSocket is the Unix socket in the data directory through which
// `ksmart backup` and `ksmart check` reach a running appliance: the store's
// file lock keeps a second process off the file, so online work goes
// through the process that holds it. The socket is mode 0600, so only the
// appliance's own user (and root) can use it.
const ControlSocket = "control.sock"

// ServeControl answers backup, check and user-management requests on the
// control socket until ctx ends.
func (a *Appliance) ServeControl(ctx context.Context) error {
	path := filepath.Join(a.Store.Dir(), ControlSocket)
	os.Remove(path) // a stale socket from a killed process
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		info, err := a.Store.Backup(w)
		if err != nil {
			a.Logger.Error("online backup failed", "error", err)
			return
		}
		a.Logger.Info("online backup taken", "seq", info.Seq, "bytes", info.Bytes)
	})
	mux.HandleFunc("GET /check", func(w http.ResponseWriter, r *http.Request) {
		rep, err := a.Store.Check()
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		fmt.Fprintf(w, "%d %x", rep.Events, rep.LastHash)
	})
	a.userControl(mux)
	a.importControl(mux)
	a.importBuildingsControl(mux)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
		os.Remove(path)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ControlRequest asks the appliance running on dir for path ("/backup" or
// "/check") and returns the response body, which the caller must close.
func ControlRequest(ctx context.Context, dir, path string) (io.ReadCloser, error) {
	sock := filepath.Join(dir, ControlSocket)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://ksmart"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the data directory is in use, and its appliance does not answer on %s: %w", sock, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, errors.New(string(msg))
	}
	return resp.Body, nil
}

// ControlJSON sends in as JSON (nil: no body) to the appliance running on
// dir with method and path (e.g. POST "/user/add"), and decodes its JSON
// answer into out. An error answer comes back as the *domain.Error it
// carried, so its code and message reach the caller unchanged.
func ControlJSON(ctx context.Context, dir, method, path string, in, out any) error {
	sock := filepath.Join(dir, ControlSocket)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://ksmart"+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("the data directory is in use, and its appliance does not answer on %s: %w", sock, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return readControlError(resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}
