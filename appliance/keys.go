package appliance

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/store"
)

// The seal's private key is kept twice: in keys/seal.key, where an
// administrator can see and back it up, and in the store's private bucket,
// which no event mentions, so that a backup of the store carries the key but
// the log (and so the state's copy) never does.
const (
	entityPrivate = "private"
	sealKeyID     = "seal_key"
)

// openSeal loads the local body's seal key, making it at first start. When
// the file and the store disagree, the start is refused: certificates signed
// with one key would not verify against the other.
func (a *Appliance) openSeal() error {
	dir := filepath.Join(a.Store.Dir(), "keys")
	path := filepath.Join(dir, seal.PrivateFile)
	fromFile, ferr := os.ReadFile(path)
	if ferr != nil && !errors.Is(ferr, os.ErrNotExist) {
		return fmt.Errorf("read the seal key: %w", ferr)
	}
	var fromStore []byte
	err := a.Store.View(func(tx *store.Tx) (err error) {
		fromStore, err = tx.GetRaw(entityPrivate, sealKeyID)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	switch {
	case fromFile != nil && fromStore != nil:
		if !bytes.Equal(fromFile, fromStore) {
			return fmt.Errorf("%s is not the seal key this data directory was made with; certificates would not verify. Put back the right key file, or delete it to restore it from the store", path)
		}
		a.Seal, err = seal.ParsePrivate(fromFile)
		return err
	case fromStore != nil:
		// Restored from a backup: the store carries the key; write the files back.
		if a.Seal, err = seal.ParsePrivate(fromStore); err != nil {
			return err
		}
		a.Logger.Info("seal key restored from the store", "file", path)
		return a.Seal.WriteFiles(dir)
	case fromFile != nil:
		if a.Seal, err = seal.ParsePrivate(fromFile); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if a.Seal.LocalBody != a.LocalBody.Code {
			return fmt.Errorf("%s is the seal key of %s, not of %s", path, a.Seal.LocalBody, a.LocalBody.Code)
		}
		return a.recordSeal(fromFile)
	}
	if a.Seal, err = seal.Generate(a.LocalBody.Code); err != nil {
		return err
	}
	priv, err := a.Seal.MarshalPrivate()
	if err != nil {
		return err
	}
	if err := a.Seal.WriteFiles(dir); err != nil {
		return fmt.Errorf("write the seal key: %w", err)
	}
	a.Logger.Info("seal key made", "public_key", filepath.Join(dir, seal.PublicFile), "fingerprint", seal.Fingerprint(a.Seal.Public()))
	return a.recordSeal(priv)
}

// SealRecord is what the log says of a seal key: only the public half.
type SealRecord struct {
	LocalBody   string `json:"local_body"`
	PublicKey   string `json:"public_key"` // PEM
	Fingerprint string `json:"fingerprint"`
}

// recordSeal keeps the private key in the store and publishes the public
// key as an event, so the state can verify this body's certificates.
func (a *Appliance) recordSeal(priv []byte) error {
	pub, err := seal.MarshalPublic(a.Seal.LocalBody, a.Seal.Public())
	if err != nil {
		return err
	}
	rec := SealRecord{LocalBody: a.Seal.LocalBody, PublicKey: string(pub), Fingerprint: seal.Fingerprint(a.Seal.Public())}
	_, err = a.Store.Write(func(tx *store.Tx) error {
		if err := tx.PutRaw(entityPrivate, sealKeyID, priv); err != nil {
			return err
		}
		return tx.Emit(domain.System.ID, "seal.created", "seal", rec.Fingerprint, rec)
	})
	return err
}
