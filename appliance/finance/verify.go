package finance

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/store"
)

// printed is what a receipt prints, in a fixed order: its digest is what
// the QR code's signature covers. The status is not in it: a receipt
// cancelled later still verifies as the receipt it was, and the
// verification says it no longer stands.
func (r Receipt) printed() []byte {
	b, _ := json.Marshal([]any{r.Number, r.Received.UTC(), r.Payer.Name, r.DemandN, r.Ref.Number, r.Head, int64(r.Amount), r.Mode, r.Instrument})
	return b
}

// ErrNoSeal is returned when receipts are drawn on a node without a seal
// key (one opened only to keep its log).
var ErrNoSeal = errors.New("finance: no seal key to sign the receipt with")

// QR is the receipt's verification address: the site's receipts
// verification page with the digest and the seal's signature, as a
// certificate's is.
func (f *Finance) QR(r Receipt) (string, error) {
	if f.Seal == nil {
		return "", ErrNoSeal
	}
	payload, err := f.Seal.Sign(f.PublicURL(), r.Number, sha256.Sum256(r.printed()))
	if err != nil {
		return "", err
	}
	return f.PublicURL() + "/receipts/verify/" + r.Number + "?" + payload.Query(), nil
}

// PDF draws a receipt: the same bytes every time for the same record (a
// cancelled receipt drawn again says so across it).
func (f *Finance) PDF(r Receipt) ([]byte, error) {
	qr, err := f.QR(r)
	if err != nil {
		return nil, err
	}
	head, _ := f.Chart.Head(r.Head)
	counter := domain.Text{En: r.Counter, Ml: r.Counter}
	if c, ok := f.counter(r.Counter); ok {
		counter = c.Name
	} else if r.Counter == OnlineCounter {
		counter = domain.T("Online", "ഓൺലൈൻ")
	}
	doc := documents.Payment{LocalBody: f.LocalBody, Number: r.Number, Counter: counter, Received: r.Received, Payer: r.Payer.Name,
		For:  domain.T(r.DemandN+": "+r.Ref.Title.En+" "+r.Ref.Number, r.DemandN+": "+r.Ref.Title.Ml+" "+r.Ref.Number),
		Head: head.Name, Amount: r.Amount, Mode: ModeName(r.Mode), Instrument: instrumentText(r), ReceivedBy: r.ByName, QR: qr}
	if r.Reversal != nil {
		doc.Cancelled = domain.T(ReceiptStatusName(r.Status).En+" on "+r.Reversal.At.In(domain.IST).Format("02-01-2006")+": "+r.Reversal.Reason,
			ReceiptStatusName(r.Status).Ml+" ("+r.Reversal.At.In(domain.IST).Format("02-01-2006")+"): "+r.Reversal.Reason)
	}
	return f.Documents.Payment(doc)
}

func instrumentText(r Receipt) string {
	in := r.Instrument
	switch r.Mode {
	case ModeCheque, ModeDD:
		return fmt.Sprintf("No. %s dated %s, %s", in.Number, in.Date, in.Bank)
	case ModeUPI:
		return "UTR " + in.Reference
	case ModeOnline:
		return "Payment " + in.Reference
	}
	return ""
}

// ReceiptCheck is the answer about a receipt number and, when given, its
// QR code.
type ReceiptCheck struct {
	Number  string
	Found   bool
	Checked bool // the QR code's signature and digest checked
	Status  string
	Problem domain.Text
	// Receipt is shown whole only when the QR code checked: receipt
	// numbers run in order, and a number alone must not show who paid.
	Receipt *Receipt
	Amount  domain.Paise
}

// Genuine reports whether the receipt is this body's, its code (if given)
// checks, and it stands.
func (c ReceiptCheck) Genuine() bool {
	return c.Found && c.Problem == (domain.Text{}) && c.Status == ReceiptValid
}

// Verify answers for a receipt number and, when given, the QR code's
// digest and signature. Bad input is an answer, not an error.
func (f *Finance) Verify(number, digest, signature string) (ReceiptCheck, error) {
	c := ReceiptCheck{Number: strings.ToUpper(strings.TrimSpace(number))}
	var r Receipt
	err := f.Store.View(func(tx *store.Tx) (err error) { r, err = getReceipt(tx, c.Number); return err })
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		c.Problem = domain.T("No receipt of this local body has this number. A receipt number looks like DEMO01-C1-2026-27-14.", "ഈ തദ്ദേശ സ്ഥാപനത്തിന്റെ ഒരു രസീതിനും ഈ നമ്പറില്ല.")
		return c, nil
	}
	if err != nil {
		return c, err
	}
	c.Found, c.Status = true, r.Status
	if digest == "" && signature == "" {
		return c, nil
	}
	p, err := seal.Parse(f.PublicURL() + "/verify/" + r.Number + "?d=" + url.QueryEscape(digest) + "&s=" + url.QueryEscape(signature))
	if err == nil && f.Seal != nil {
		err = p.Verify(f.Seal.Public())
	}
	if err == nil {
		err = p.Matches(sha256.Sum256(r.printed()))
	}
	if err != nil {
		c.Problem = domain.T("This receipt's code does not check: it was altered, or was not made by this local body. Do not accept it.", "ഈ രസീതിന്റെ കോഡ് ശരിയല്ല: ഇത് മാറ്റം വരുത്തിയതോ ഈ തദ്ദേശ സ്ഥാപനം നൽകാത്തതോ ആണ്. ഇത് സ്വീകരിക്കരുത്.")
		return c, nil
	}
	c.Checked, c.Receipt, c.Amount = true, &r, r.Amount
	return c, nil
}
