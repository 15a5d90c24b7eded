package kyc

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// keep packs the files recorded in a call's live directory into one tar
// under recordings/, named by its SHA-256, and records it with the
// booking. It returns the zero Recording when nothing was recorded.
func (k *KYC) keep(id string, partial bool, note string) (Recording, error) {
	live := filepath.Join(k.Dir, "live", id)
	entries, err := os.ReadDir(live)
	if errors.Is(err, os.ErrNotExist) {
		return Recording{}, nil
	}
	if err != nil {
		return Recording{}, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return Recording{}, os.Remove(live)
	}
	tmp, err := os.CreateTemp(filepath.Join(k.Dir, "recordings"), "packing-*.tar")
	if err != nil {
		return Recording{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(tmp, h))
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(live, n))
		if err != nil {
			tmp.Close()
			return Recording{}, err
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o600, Size: int64(len(data)), ModTime: k.Now()}); err != nil {
			tmp.Close()
			return Recording{}, err
		}
		if _, err := tw.Write(data); err != nil {
			tmp.Close()
			return Recording{}, err
		}
	}
	if err := tw.Close(); err != nil {
		tmp.Close()
		return Recording{}, err
	}
	size, _ := tmp.Seek(0, io.SeekCurrent)
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return Recording{}, err
	}
	tmp.Close()
	rec := Recording{SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: size, Files: names, Kept: k.Now(), Partial: partial, Note: note}
	if err := os.Rename(tmp.Name(), k.recordingPath(rec.SHA256)); err != nil {
		return Recording{}, err
	}
	_, err = k.update(id, func(tx *store.Tx, b *Booking) error {
		b.Recordings = append(b.Recordings, rec)
		return tx.Emit(domain.System.ID, EventRecordingKept, entityBooking, id, map[string]any{"sha256": rec.SHA256, "bytes": rec.Bytes,
			"files": rec.Files, "partial": partial, "note": note})
	})
	if err != nil {
		return Recording{}, err
	}
	// The files are in the tar, whose hash is in the log: the live copy goes.
	return rec, os.RemoveAll(live)
}

func (k *KYC) recordingPath(sum string) string {
	return filepath.Join(k.Dir, "recordings", sum+".tar")
}

// keepInterrupted keeps, as partial recordings, the calls a stopped
// appliance was recording.
func (k *KYC) keepInterrupted() error {
	entries, err := os.ReadDir(filepath.Join(k.Dir, "live"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		rec, err := k.keep(e.Name(), true, "ksmart stopped during the call; what was recorded until then is kept")
		if err != nil {
			return fmt.Errorf("kyc: keeping the interrupted call %s: %w", e.Name(), err)
		}
		if rec.SHA256 != "" {
			k.Logger.Warn("video KYC call interrupted by a restart: its partial recording is kept", "booking", e.Name(), "sha256", rec.SHA256)
		}
	}
	return nil
}

// Play returns one file of a booking's recording (file "" for the whole
// tar), for the registrar's office only; each call is logged as a playing.
func (k *KYC) Play(by domain.Actor, id, sum, file string) ([]byte, error) {
	if !by.HasAny(OfficerRoles...) {
		return nil, domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the registrar's office may play KYC recordings.", "കെ.വൈ.സി. റെക്കോർഡിങ്ങുകൾ രജിസ്ട്രാർ ഓഫീസിന് മാത്രമേ കാണാനാകൂ."))
	}
	b, err := k.Booking(by, id)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(b.Recordings, func(r Recording) bool { return r.SHA256 == sum })
	if i < 0 {
		return nil, notFound()
	}
	if b.Recordings[i].Deleted {
		return nil, domain.Bilingual(domain.ENOTFOUND, domain.T("This recording was deleted at the end of its retention period; its hash stays in the log.", "സൂക്ഷിക്കൽ കാലാവധി കഴിഞ്ഞതിനാൽ ഈ റെക്കോർഡിങ് നീക്കി; ഹാഷ് ലോഗിലുണ്ട്."))
	}
	data, err := os.ReadFile(k.recordingPath(sum))
	if err != nil {
		return nil, err
	}
	if file != "" {
		if data, err = untar(data, file); err != nil {
			return nil, err
		}
	}
	_, err = k.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventRecordingPlayed, entityBooking, id, map[string]any{"sha256": sum, "file": file})
	})
	return data, err
}

func untar(data []byte, name string) ([]byte, error) {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, notFound()
		}
		if err != nil {
			return nil, err
		}
		if h.Name == name {
			return io.ReadAll(tr)
		}
	}
}

// RecordingFile returns where a kept recording is on disk, for checks and
// for copying it off with the local body's backups.
func (k *KYC) RecordingFile(sum string) string { return k.recordingPath(sum) }

// AddSnapshot keeps a still the officer took from the call (JPEG or PNG,
// at most 2 MB) with the booking; it stays on this node, its hash goes in
// the outcome.
func (k *KYC) AddSnapshot(by domain.Actor, id string, img []byte) (string, error) {
	if !by.HasAny(OfficerRoles...) {
		return "", forbidden()
	}
	if len(img) > 2<<20 || !(bytes.HasPrefix(img, []byte{0xff, 0xd8, 0xff}) || bytes.HasPrefix(img, []byte("\x89PNG"))) {
		return "", domain.Bilingual(domain.EINVALID, domain.T("A snapshot is a JPEG or PNG picture of at most 2 MB.", "സ്നാപ്പ്ഷോട്ട് 2 MB-യിൽ താഴെയുള്ള JPEG/PNG ചിത്രമായിരിക്കണം."))
	}
	sum := store.SumBlob(img)
	if err := os.WriteFile(filepath.Join(k.Dir, "snapshots", sum+".img"), img, 0o600); err != nil {
		return "", err
	}
	_, err := k.update(id, func(tx *store.Tx, b *Booking) error {
		if b.Outcome != nil {
			return domain.Bilingual(domain.ECONFLICT, domain.T("The outcome is recorded; no more snapshots.", "ഫലം രേഖപ്പെടുത്തി; ഇനി സ്നാപ്പ്ഷോട്ട് വേണ്ട."))
		}
		if !slices.Contains(b.Snapshots, sum) {
			b.Snapshots = append(b.Snapshots, sum)
		}
		return nil
	})
	return sum, err
}

// Snapshot returns a snapshot of a booking to the registrar's office,
// logged as a playing.
func (k *KYC) Snapshot(by domain.Actor, id, sum string) ([]byte, error) {
	b, err := k.Booking(by, id)
	if err != nil {
		return nil, err
	}
	if !by.HasAny(OfficerRoles...) || !slices.Contains(b.Snapshots, sum) {
		return nil, notFound()
	}
	data, err := os.ReadFile(filepath.Join(k.Dir, "snapshots", sum+".img"))
	if err != nil {
		return nil, err
	}
	_, err = k.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventRecordingPlayed, entityBooking, id, map[string]any{"snapshot": sum})
	})
	return data, err
}

// SweepRecordings deletes the recordings and snapshots of bookings whose
// outcome is older than the retention period; each deletion is an event,
// and the hashes stay in the log. It returns how many were deleted.
func (k *KYC) SweepRecordings() (int, error) {
	now := k.Now()
	keep := time.Duration(k.settings().RetentionDays) * 24 * time.Hour
	old, err := k.list(func(b Booking) bool {
		return b.Outcome != nil && now.Sub(b.Outcome.At) > keep &&
			slices.ContainsFunc(b.Recordings, func(r Recording) bool { return !r.Deleted })
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range old {
		_, err := k.update(b.ID, func(tx *store.Tx, b *Booking) error {
			for i, r := range b.Recordings {
				if r.Deleted {
					continue
				}
				if err := os.Remove(k.recordingPath(r.SHA256)); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				b.Recordings[i].Deleted = true
				n++
				if err := tx.Emit(domain.System.ID, EventRecordingDeleted, entityBooking, b.ID, map[string]any{"sha256": r.SHA256, "retention_days": k.settings().RetentionDays}); err != nil {
					return err
				}
			}
			for _, s := range b.Snapshots {
				os.Remove(filepath.Join(k.Dir, "snapshots", s+".img"))
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
