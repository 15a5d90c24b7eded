package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BackupInfo describes a backup: the log position it holds, and its size.
type BackupInfo struct {
	Seq   uint64
	Hash  []byte
	Bytes int64
}

// Backup writes a consistent copy of the whole store (log, state, numbers,
// blobs) to w while writes go on. The copy holds exactly the events up to
// Seq in the returned info.
func (s *Store) Backup(w io.Writer) (BackupInfo, error) {
	var info BackupInfo
	err := s.view(func(btx *bolt.Tx) error {
		if k, v := btx.Bucket(bucketLog).Cursor().Last(); k != nil {
			ev, err := DecodeEvent(v)
			if err != nil {
				return err
			}
			info.Seq, info.Hash = ev.Seq, ev.Hash
		}
		n, err := btx.WriteTo(w)
		info.Bytes = n
		return err
	})
	return info, err
}

// BackupFile writes a backup to path atomically: a temporary file beside
// it, synced, then renamed into place. An existing file is not overwritten.
func (s *Store) BackupFile(path string) (BackupInfo, error) {
	if _, err := os.Stat(path); err == nil {
		return BackupInfo{}, fmt.Errorf("store: %s exists already; choose a new backup file name", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ksmart-backup-*")
	if err != nil {
		return BackupInfo{}, err
	}
	defer os.Remove(tmp.Name())
	info, err := s.Backup(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path) // fails rather than overwrite
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	return info, err
}

// Restore replaces the store in data directory dir with the backup file
// from, after checking the backup end to end. It refuses to overwrite an
// existing store unless force is set; then the old file is kept beside it
// as ksmart.db.before-restore-<time>. The data directory must not be open.
func Restore(from, dir string, force bool) (BackupInfo, error) {
	var info BackupInfo
	rep, err := CheckFile(from)
	if errors.Is(err, ErrMetaDamaged) {
		return info, fmt.Errorf("backup %s has one damaged meta page (one of its two headers), so it was not restored; its data checks out from the other one: use another backup, or copy this one by hand to %s in a stopped data directory (ksmart rewrites the damaged header at its first write)", from, DBFile)
	}
	if err != nil {
		return info, fmt.Errorf("backup %s fails its check, so it was not restored: %w", from, err)
	}
	info.Seq, info.Hash = rep.Events, rep.LastHash

	if err := os.MkdirAll(dir, 0o750); err != nil {
		return info, err
	}
	target := filepath.Join(dir, DBFile)
	if _, err := os.Stat(target); err == nil {
		if !force {
			return info, fmt.Errorf("%s already holds a store; restore into an empty directory, or pass --force to replace it (the old file is kept)", dir)
		}
		// Taking the lock proves no appliance is running on it.
		cur, err := Open(dir, Options{LockTimeout: time.Second})
		if err != nil {
			return info, err
		}
		cur.Close()
		aside := fmt.Sprintf("%s.before-restore-%s", target, time.Now().UTC().Format("20060102T150405Z"))
		if err := os.Rename(target, aside); err != nil {
			return info, err
		}
	}
	n, err := copyFileSynced(from, target)
	info.Bytes = n
	if err != nil {
		return info, err
	}
	return info, syncDir(dir)
}

// CheckFile opens a store file read-only (a backup, or a stopped
// appliance's ksmart.db) and runs Check on it.
func CheckFile(path string) (CheckReport, error) {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return CheckReport{}, fmt.Errorf("%w: %s is not a readable file", ErrNotFound, path)
	}
	s, err := openPath(filepath.Dir(path), path, Options{ReadOnly: true, LockTimeout: time.Second})
	if err != nil {
		return CheckReport{}, err
	}
	defer s.Close()
	return s.Check()
}

func copyFileSynced(from, to string) (int64, error) {
	in, err := os.Open(from)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	tmp := to + ".restoring"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, to)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return n, err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
