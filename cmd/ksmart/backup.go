package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"ksmart/appliance"
	"ksmart/store"
)

func runBackup(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "backup", "--data DIR --out FILE")
	data := fs.String("data", "", "data `DIR`ectory to back up (running or stopped)")
	out := fs.String("out", "", "backup `FILE` to write; it must not exist yet")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" || *out == "" {
		return usageError{"give both --data DIR and --out FILE"}
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists already; choose a new backup file name", *out)
	}
	if _, err := storeFile(*data, ""); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".ksmart-backup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	online, err := writeBackup(ctx, *data, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// A backup is only worth keeping if it restores: check it before
	// giving it its name.
	rep, err := store.CheckFile(tmp.Name())
	if err != nil {
		return fmt.Errorf("the backup failed its check and was not kept: %w", err)
	}
	if err := os.Link(tmp.Name(), *out); err != nil {
		return err
	}
	fi, _ := os.Stat(*out)
	how := "offline"
	if online {
		how = "online, from the running appliance"
	}
	fmt.Fprintf(env.stdout, "backup %s: %d events (last hash %s), %d bytes, checked; taken %s\n", *out, rep.Events, short(fmt.Sprintf("%x", rep.LastHash)), fi.Size(), how)
	return nil
}

// writeBackup copies the store into w: directly when no appliance holds the
// data directory, else through the running appliance's control socket.
func writeBackup(ctx context.Context, dir string, w io.Writer) (online bool, err error) {
	s, err := store.Open(dir, store.Options{ReadOnly: true, LockTimeout: time.Second})
	if err == nil {
		defer s.Close()
		_, err = s.Backup(w)
		return false, err
	}
	if !errors.Is(err, store.ErrLocked) {
		return false, err
	}
	body, err := appliance.ControlRequest(ctx, dir, "/backup")
	if err != nil {
		return true, err
	}
	defer body.Close()
	_, err = io.Copy(w, body)
	return true, err
}
