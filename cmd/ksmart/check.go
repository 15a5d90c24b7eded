package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ksmart/appliance"
	"ksmart/store"
)

func runCheck(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "check", "--data DIR | --file BACKUP")
	data := fs.String("data", "", "data `DIR`ectory to check (also while the appliance runs)")
	file := fs.String("file", "", "a backup `FILE` to check instead")
	if err := parse(fs, args); err != nil {
		return err
	}
	path, err := storeFile(*data, *file)
	if err != nil {
		return err
	}
	rep, err := store.CheckFile(path)
	if errors.Is(err, store.ErrLocked) && *data != "" {
		// The appliance is running: ask it to check itself.
		body, cerr := appliance.ControlRequest(ctx, *data, "/check")
		if cerr != nil {
			return cerr
		}
		defer body.Close()
		out, _ := io.ReadAll(body)
		var hash string
		if _, err := fmt.Sscanf(string(out), "%d %s", &rep.Events, &hash); err != nil {
			return fmt.Errorf("unexpected answer from the running appliance: %q", out)
		}
		fmt.Fprintf(env.stdout, "ok: %s: pages consistent, %d events, hash chain verified (last %s) [checked by the running appliance]\n", path, rep.Events, short(hash))
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "ok: %s: pages consistent, %d events, hash chain verified (last %s)%s\n", path, rep.Events, short(fmt.Sprintf("%x", rep.LastHash)), recordsNote(rep))
	return nil
}

// recordsNote says how far check verified the current records.
func recordsNote(rep store.CheckReport) string {
	if rep.Unbound {
		return "; current records not yet bound into the chain (a data directory from before this version: the next start seals them)"
	}
	note := fmt.Sprintf("; %d current records match the writes that stored them", rep.Records)
	if len(rep.Local) > 0 {
		note += fmt.Sprintf(" (kept outside the log, not verified: %s)", strings.Join(rep.Local, ", "))
	}
	return note
}

// storeFile turns --data or --file into the path of a store file, with a
// message that says what to fix when it cannot be one.
func storeFile(data, file string) (string, error) {
	switch {
	case data == "" && file == "":
		return "", usageError{"give --data DIR or --file BACKUP"}
	case data != "" && file != "":
		return "", usageError{"give --data or --file, not both"}
	case file != "":
		return file, nil
	}
	fi, err := os.Stat(data)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("data directory %s does not exist", data)
	case err != nil:
		return "", err
	case !fi.IsDir():
		return "", fmt.Errorf("data directory %s is a file, not a directory; give --data the directory that holds %s, or --file for a backup", data, store.DBFile)
	}
	return filepath.Join(data, store.DBFile), nil
}

func short(hash string) string {
	if len(hash) > 16 {
		return hash[:16] + "…"
	}
	return strings.TrimSpace(hash)
}
