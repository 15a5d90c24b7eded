package kyc

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/store"
)

// ErrNeeded says an application needs the applicant's verified video KYC
// first. A module refusing an application for that returns an error that
// wraps it (errors.Is), so that the application can be kept as a draft and
// a call offered (see KeepDraft).
var ErrNeeded = errors.New("video KYC needed")

// Needed is the error a module returns for an application that needs KYC.
func Needed() error {
	return errors.Join(ErrNeeded, domain.Bilingual(domain.EFORBIDDEN, domain.T(
		"Applying from abroad needs video KYC first: your application is kept; book a call with the registrar's office.",
		"വിദേശത്തു നിന്ന് അപേക്ഷിക്കാൻ ആദ്യം വീഡിയോ കെ.വൈ.സി. വേണം: നിങ്ങളുടെ അപേക്ഷ സൂക്ഷിച്ചിട്ടുണ്ട്; രജിസ്ട്രാർ ഓഫീസുമായി ഒരു കോൾ ബുക്ക് ചെയ്യുക.")))
}

// KYC is video KYC for one node. Create it with its fields set, then Open.
type KYC struct {
	Store     *store.Store
	Catalogue *catalogue.Catalogue
	Calendar  domain.Calendar
	Now       func() time.Time
	Logger    *slog.Logger
	// Dir is where recordings and snapshots are kept (kyc/ under the data
	// directory): on this node only.
	Dir string
	// Settings may be changed before Open.
	Settings Settings

	mu    sync.Mutex
	calls map[string]*call // live calls by booking id
	// ending are the calls whose recording is being packed.
	ending map[string]bool
	relay  *relay
}

func (k *KYC) settings() Settings { return k.Settings.withDefaults() }

// Open prepares the directories and the relay, and keeps every call the
// node was recording when it stopped as a partial recording.
func (k *KYC) Open() error {
	if err := k.Settings.Validate(); err != nil {
		return err
	}
	for _, d := range []string{"live", "recordings", "snapshots"} {
		if err := os.MkdirAll(filepath.Join(k.Dir, d), 0o700); err != nil {
			return fmt.Errorf("kyc: %w", err)
		}
	}
	k.calls = map[string]*call{}
	k.ending = map[string]bool{}
	r, err := newRelay(k.settings().ICE)
	if err != nil {
		return fmt.Errorf("kyc: the call relay: %w", err)
	}
	k.relay = r
	return k.keepInterrupted()
}

// Close ends every call: each party is disconnected and the files written
// so far are closed; the next Open keeps them as a partial recording.
func (k *KYC) Close() error {
	k.mu.Lock()
	calls := k.calls
	k.calls = map[string]*call{}
	k.mu.Unlock()
	for _, c := range calls {
		c.hangUp()
	}
	if k.relay != nil {
		k.relay.close()
	}
	return nil
}

// ICEServers are the STUN and TURN servers the browsers are given.
func (k *KYC) ICEServers() []ICEServer { return k.settings().ICE.Servers }

// RetentionDays is how long recordings are kept after the outcome.
func (k *KYC) RetentionDays() int { return k.settings().RetentionDays }

func notFound() error {
	return domain.Bilingual(domain.ENOTFOUND, domain.T("No such video KYC booking.", "ഇങ്ങനെയൊരു വീഡിയോ കെ.വൈ.സി. ബുക്കിങ് ഇല്ല."))
}

func getBooking(tx *store.Tx, id string) (Booking, error) {
	var b Booking
	if err := tx.Get(entityBooking, id, &b); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return b, notFound()
		}
		return b, err
	}
	return b, nil
}

// update reads a booking, lets fn change it and stage its events, and
// writes it back, in one store write.
func (k *KYC) update(id string, fn func(tx *store.Tx, b *Booking) error) (Booking, error) {
	var out Booking
	_, err := k.Store.Write(func(tx *store.Tx) error {
		b, err := getBooking(tx, id)
		if err != nil {
			return err
		}
		if err := fn(tx, &b); err != nil {
			return err
		}
		out = b
		return tx.Put(entityBooking, id, b)
	})
	return out, err
}

// SetICE replaces the ICE settings for calls joined from now on (calls in
// progress keep theirs): for an office that changes its network, and for
// tests that keep every candidate on loopback.
func (k *KYC) SetICE(ice ICE) error {
	r, err := newRelay(ice)
	if err != nil {
		return err
	}
	k.mu.Lock()
	old := k.relay
	k.relay = r
	k.Settings.ICE = ice
	k.mu.Unlock()
	if old != nil {
		old.close()
	}
	return nil
}
