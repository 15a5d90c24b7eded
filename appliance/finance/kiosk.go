package finance

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/store"
)

// Kiosk copies. A kiosk prints a certificate copy once its fee is paid: the
// kiosk asks for a demand, the person pays it at the counter or by UPI
// quoting its number, and the kiosk prints with that number. A copy's
// demand nobody pays within CopyHeld lapses: its income is reversed, so the
// books do not count copies that were never taken.

const (
	// RefKioskCopy is the kind of Ref a kiosk copy's demand is for; its id
	// is the register entry's.
	RefKioskCopy = "kiosk_copy"
	// CopyHeld is how long a kiosk copy's demand waits to be paid.
	CopyHeld = 24 * time.Hour
	// DecisionLapsed is the decision that cancels an unpaid kiosk copy.
	DecisionLapsed = "lapsed"
)

// ChargeCopy raises the demand for a certificate copy a kiosk was asked
// for: the fee of svc (the certificate service in the catalogue), for the
// entry ref names. The same kiosk asking again for the same entry while a
// demand waits gets that demand back, not a second one.
func (f *Finance) ChargeCopy(kiosk domain.Actor, svc catalogue.Service, ref Ref) (Demand, error) {
	if !kiosk.Has(domain.RoleKiosk) {
		return Demand{}, domain.Errorf(domain.EFORBIDDEN, "This is for the kiosk.")
	}
	if svc.Fee.Kind != catalogue.FeeFlat || svc.Fee.Amount <= 0 {
		return Demand{}, fmt.Errorf("finance: %s has no flat fee for a copy", svc.Code)
	}
	ref.Kind = RefKioskCopy
	now := f.Now()
	var out Demand
	_, err := f.Store.Write(func(tx *store.Tx) error {
		waiting, err := demandsOf(tx, RefKioskCopy, ref.ID)
		if err != nil {
			return err
		}
		for _, d := range waiting {
			if d.Payer.Kiosk == kiosk.ID && d.State == StateOpen && now.Before(d.Due) {
				out = d
				return nil
			}
		}
		// Nobody is named at a kiosk: the demand names the kiosk.
		d := Demand{Payer: Payer{Name: domain.T(kiosk.Name, "കിയോസ്ക് "+strings.TrimPrefix(kiosk.ID, "kiosk:")), Kiosk: kiosk.ID},
			Ref: ref, Head: f.HeadOf(svc), Amount: svc.Fee.Amount, Raised: now, Due: now.Add(CopyHeld), Pay: catalogue.PayBeforeIssue,
			Note: domain.T("Copy printed at the kiosk once paid", "അടച്ച ശേഷം കിയോസ്കിൽ അച്ചടിക്കുന്ന പകർപ്പ്")}
		if _, err := f.raise(tx, &d, kiosk); err != nil {
			return err
		}
		out = d
		return tx.Put(entityCopyOpen, d.ID, d.Due)
	})
	return out, err
}

// CopyDemand reads a kiosk copy's demand by its number, for the kiosk to
// print the copy once it is paid.
func (f *Finance) CopyDemand(number string) (Demand, error) {
	var d Demand
	err := f.Store.View(func(tx *store.Tx) (err error) { d, err = findDemand(tx, number); return err })
	if err == nil && d.Ref.Kind != RefKioskCopy {
		err = domain.Bilingual(domain.EINVALID, domain.T(
			"That demand is not for a kiosk copy. Type the number the kiosk showed when the copy was asked for.",
			"ആ ഡിമാൻഡ് കിയോസ്ക് പകർപ്പിനുള്ളതല്ല. പകർപ്പ് ആവശ്യപ്പെട്ടപ്പോൾ കിയോസ്ക് കാണിച്ച നമ്പർ നൽകുക."))
	}
	return d, err
}

// LapseCopies cancels kiosk copy demands still unpaid after their due
// time, reversing their income, and returns how many lapsed. A part-paid
// one waits for the counter: the money taken is the person's.
func (f *Finance) LapseCopies() (int, error) {
	now := f.Now()
	lapsed := 0
	_, err := f.Store.Write(func(tx *store.Tx) error {
		var due []string
		err := tx.Scan(entityCopyOpen, store.ScanOptions{}, func(k string, v []byte) error {
			due = append(due, k)
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range due {
			var d Demand
			if err := tx.Get(entityDemand, id, &d); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			switch {
			case d.ID == "" || d.Balance() <= 0:
				if err := tx.Delete(entityCopyOpen, id); err != nil {
					return err
				}
			case d.State == StateOpen && !now.Before(d.Due):
				if err := f.remit(tx, &d, d.Balance(), DecisionLapsed, "not paid within a day of being asked for at the kiosk", domain.System, "", now); err != nil {
					return err
				}
				if err := tx.Delete(entityCopyOpen, id); err != nil {
					return err
				}
				lapsed++
			}
		}
		return nil
	})
	return lapsed, err
}

// RunLapses lapses unpaid kiosk copies every interval until stop closes.
func (f *Finance) RunLapses(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := f.LapseCopies(); err != nil {
			f.Logger.Error("finance: lapsing kiosk copies", "err", err)
		} else if n > 0 {
			f.Logger.Info("finance: unpaid kiosk copies lapsed", "count", n)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}
