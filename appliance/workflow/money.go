package workflow

import (
	"fmt"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/store"
)

// Money is where a file's fee becomes money owed and paid: the finance
// module. With Money set, the workflow raises each file's assessed fee as
// a demand in the write that submits it, and will not decide (when the fee
// is due on application) or issue a file while anything is owed on it.
type Money interface {
	// Raise stages, in the submission's write, the demand for f's fee (f
	// is complete: id, number, fee, applicant).
	Raise(tx *store.Tx, f File, svc catalogue.Service, by domain.Actor) error
	// Owed returns what is still owed on the file, read in tx.
	Owed(tx *store.Tx, fileID string) (domain.Paise, error)
}

// unpaid refuses an action that must wait for the fee: an issue, and a
// decision when the service's fee is due on application.
//
// What is owed is every demand on the file: its fee, and what a module
// raised on it when deciding (a fine for a change reported late).
func (w *Workflow) unpaid(tx *store.Tx, f File, svc catalogue.Service, kind string) error {
	if w.Money == nil {
		return nil
	}
	switch {
	case kind == KindIssued:
	case (kind == KindApproved || kind == KindRejected) && svc.Fee.Pay == catalogue.PayOnApplication:
		if kind == KindRejected {
			return nil // a rejection needs no fee
		}
	default:
		return nil
	}
	owed, err := w.Money.Owed(tx, f.ID)
	if err != nil || owed <= 0 {
		return err
	}
	what := domain.T("issued", "നൽകാനാകൂ")
	if kind != KindIssued {
		what = domain.T("decided", "തീരുമാനിക്കാനാകൂ")
	}
	return domain.Bilingual(domain.ECONFLICT, domain.T(
		fmt.Sprintf("The fee of %s is not paid yet; the file can be %s once it is (online, or at the cash counter quoting %s).", owed, what.En, f.Number),
		fmt.Sprintf("%s ഫീസ് ഇതുവരെ അടച്ചിട്ടില്ല; അടച്ചതിന് ശേഷമേ ഫയൽ %s (ഓൺലൈനായി, അല്ലെങ്കിൽ %s പറഞ്ഞ് ക്യാഷ് കൗണ്ടറിൽ).", owed, what.Ml, f.Number)))
}
