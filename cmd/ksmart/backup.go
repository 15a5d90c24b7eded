package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"ksmart/appliance"
	"ksmart/store"
)

func runBackup(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "backup", "--data DIR (--out FILE | --dir DIR [--keep N])")
	data := fs.String("data", "", "data `DIR`ectory to back up (running or stopped)")
	out := fs.String("out", "", "backup `FILE` to write; it must not exist yet")
	dir := fs.String("dir", "", "write the backup into this `DIR`ectory as ksmart-<UTC time>.kbak (what the daily timer does)")
	keep := fs.Int("keep", 0, "with --dir: after a backup that checked, delete the oldest ksmart-*.kbak in it beyond the newest `N` (0: keep all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *data == "" || (*out == "") == (*dir == ""):
		return usageError{"give --data DIR and one of --out FILE or --dir DIR"}
	case *keep < 0 || (*keep > 0 && *dir == ""):
		return usageError{"--keep N takes a number of backups to keep (0: all), with --dir"}
	case *dir != "":
		if fi, err := os.Stat(*dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("--dir %s is not a directory; create it, writable by the user ksmart runs as", *dir)
		}
		*out = filepath.Join(*dir, "ksmart-"+time.Now().UTC().Format("20060102T150405.000Z")+".kbak")
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
	if *keep > 0 {
		removed, err := pruneBackups(*dir, *keep)
		for _, r := range removed {
			fmt.Fprintf(env.stdout, "removed the older backup %s (--keep %d)\n", r, *keep)
		}
		return err
	}
	return nil
}

// pruneBackups deletes the oldest ksmart-*.kbak files in dir beyond the
// newest keep; their names sort by the time they were taken. Other files
// are never touched.
func pruneBackups(dir string, keep int) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "ksmart-*.kbak"))
	if err != nil || len(names) <= keep {
		return nil, err
	}
	sort.Strings(names)
	old := names[:len(names)-keep]
	for _, name := range old {
		if err := os.Remove(name); err != nil {
			return nil, err
		}
	}
	return old, nil
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
