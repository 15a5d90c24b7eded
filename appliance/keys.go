package appliance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/seal"
	"ksmart/store"
)

// The seal's private key is kept twice: in keys/seal.key, where an
// administrator can see and back it up, and in the store's private bucket,
// which no event mentions and no change set carries (only its SHA-256, so
// that check verifies it), so that a backup of
// the store carries the key but the log (and so the state's copy) never
// does. Every public key the body has had is kept as a document
// (civil.EntitySealPublic), replicated, and written out as
// keys/seal-<fingerprint>.pub, so that certificates signed with a key
// since replaced still verify (a body rebuilt from the state makes a new
// key, unless its keys/seal.key is put back first).
const (
	entityPrivate = store.PrivateEntity
	sealKeyID     = "seal_key"
)

// localEntities are the modules' entities written without events, which
// the store's check does not verify (store.Options.LocalEntities).
var localEntities = slices.Concat(identity.LocalEntities, messaging.LocalEntities, finance.LocalEntities)

// openSeal loads the local body's seal key, making it at first start. When
// the file and the store disagree, the start is refused: certificates signed
// with one key would not verify against the other. With keepLog, no key is
// made (and nothing written to the log): a.Seal stays nil when there is
// none.
func (a *Appliance) openSeal(keepLog bool) error {
	if err := a.loadSeal(keepLog); err != nil {
		return err
	}
	return a.writePublicKeys()
}

func (a *Appliance) loadSeal(keepLog bool) error {
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
		if a.Seal, err = seal.ParsePrivate(fromFile); err != nil {
			return err
		}
		return a.publishSeal(keepLog)
	case fromStore != nil:
		// Restored from a backup: the store carries the key; write the files back.
		if a.Seal, err = seal.ParsePrivate(fromStore); err != nil {
			return err
		}
		a.Logger.Info("seal key restored from the store", "file", path)
		if err := a.Seal.WriteFiles(dir); err != nil {
			return err
		}
		return a.publishSeal(keepLog)
	case fromFile != nil && keepLog:
		return fmt.Errorf("%s is not yet recorded in the store; start ksmart serve once to record it", path)
	case fromFile != nil:
		if a.Seal, err = seal.ParsePrivate(fromFile); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if a.Seal.LocalBody != a.LocalBody.Code {
			return fmt.Errorf("%s is the seal key of %s, not of %s", path, a.Seal.LocalBody, a.LocalBody.Code)
		}
		a.Logger.Info("seal key taken from its file", "file", path, "fingerprint", seal.Fingerprint(a.Seal.Public()))
		return a.recordSeal(fromFile)
	case keepLog:
		return nil
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
type SealRecord = civil.SealKey

func (a *Appliance) sealRecord() (SealRecord, error) {
	pub, err := seal.MarshalPublic(a.Seal.LocalBody, a.Seal.Public())
	if err != nil {
		return SealRecord{}, err
	}
	return SealRecord{LocalBody: a.Seal.LocalBody, PublicKey: string(pub), Fingerprint: seal.Fingerprint(a.Seal.Public())}, nil
}

// recordSeal keeps the private key in the store and publishes the public
// key as a document and an event, so the state can verify this body's
// certificates, and so can the body after its key is replaced.
func (a *Appliance) recordSeal(priv []byte) error {
	rec, err := a.sealRecord()
	if err != nil {
		return err
	}
	_, err = a.Store.Write(func(tx *store.Tx) error {
		if err := tx.PutRaw(entityPrivate, sealKeyID, priv); err != nil {
			return err
		}
		if err := tx.Put(civil.EntitySealPublic, rec.Fingerprint, rec); err != nil {
			return err
		}
		return tx.Emit(domain.System.ID, EventSealCreated, "seal", rec.Fingerprint, rec)
	})
	return err
}

// publishSeal records the current key's public half as a document, for a
// data directory made before public keys were kept: once, with a
// seal.published event.
func (a *Appliance) publishSeal(keepLog bool) error {
	rec, err := a.sealRecord()
	if err != nil {
		return err
	}
	var have bool
	a.Store.View(func(tx *store.Tx) error { have = tx.Exists(civil.EntitySealPublic, rec.Fingerprint); return nil })
	if have || keepLog {
		return nil
	}
	_, err = a.Store.Write(func(tx *store.Tx) error {
		if err := tx.Put(civil.EntitySealPublic, rec.Fingerprint, rec); err != nil {
			return err
		}
		return tx.Emit(domain.System.ID, EventSealPublished, "seal", rec.Fingerprint, rec)
	})
	return err
}

// SealKeys returns every seal public key the local body has had, by
// fingerprint.
func (a *Appliance) SealKeys() (out []SealRecord, err error) {
	err = a.Store.View(func(tx *store.Tx) error { out, err = SealKeysIn(tx); return err })
	return out, err
}

// SealKeysIn reads every seal public key a store holding a body's
// documents keeps (a node's own, or a state mirror's), by fingerprint.
func SealKeysIn(tx *store.Tx) ([]SealRecord, error) {
	var out []SealRecord
	err := tx.Scan(civil.EntitySealPublic, store.ScanOptions{}, func(id string, raw []byte) error {
		var k SealRecord
		if err := json.Unmarshal(raw, &k); err != nil {
			return fmt.Errorf("seal key %s: %w", id, err)
		}
		out = append(out, k)
		return nil
	})
	return out, err
}

// PublishedSealKey returns the seal public key an event of the log
// publishes (EventSealCreated or EventSealPublished), and false for any
// other event or one whose data does not read: a reader of a body's log
// (the state view) learns the body's keys from it.
func PublishedSealKey(ev store.Event) (SealRecord, bool) {
	if !ev.Is(EventSealCreated) && !ev.Is(EventSealPublished) {
		return SealRecord{}, false
	}
	var k SealRecord
	if json.Unmarshal(ev.Data, &k) != nil || k.PublicKey == "" {
		return SealRecord{}, false
	}
	return k, true
}

// writePublicKeys writes keys/seal-<fingerprint>.pub for every key the
// body has had, for ksmart verify --data, and all of them in one file,
// keys/seal-bundle.pub, to hand to verifiers (ksmart verify --key).
func (a *Appliance) writePublicKeys() error {
	keys, err := a.SealKeys()
	if err != nil {
		return err
	}
	dir := filepath.Join(a.Store.Dir(), "keys")
	var bundle strings.Builder
	for _, k := range keys {
		bundle.WriteString(k.PublicKey)
		path := filepath.Join(dir, "seal-"+k.Fingerprint+".pub")
		if old, err := os.ReadFile(path); err == nil && string(old) == k.PublicKey {
			continue
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(k.PublicKey), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	path := filepath.Join(dir, seal.BundleFile)
	if old, err := os.ReadFile(path); err == nil && string(old) == bundle.String() {
		return nil
	}
	if err := os.WriteFile(path, []byte(bundle.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
