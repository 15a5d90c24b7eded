package civil

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/search"
	"ksmart/search/names"
	"ksmart/store"
)

// The kiosk lets a person without an account find a birth, death or
// marriage certificate and print it. Its rules, all here:
//
//   - A search needs at least two of: the name, the date of the event, a
//     parent's or spouse's name, the register number. Every one given must
//     match.
//   - When more than KioskMaxMatches entries match, nothing about any of
//     them is shown: the person is asked for another detail.
//   - A match is shown masked: of the names, only the words the person
//     typed (however spelt) are shown whole; the rest show their first
//     letter. The register number and date show only what was typed.
//   - A match is opened with a token that names it, bound to the kiosk and
//     valid for KioskTokenLife, so nothing personal travels in a URL and a
//     token copied elsewhere is useless.
//   - Every search, opening and printing is an event naming the kiosk and
//     its network address — but not what was typed.
const (
	KioskMaxMatches = 5
	KioskTokenLife  = 3 * time.Minute
	// KioskMaxField is the most letters one field of a kiosk search holds.
	KioskMaxField = 120
	entityKiosk   = "kiosk"
)

// KioskQuery is what a person gave at the kiosk.
type KioskQuery struct {
	// Kind is birth, death or marriage; empty searches all three.
	Kind                         string
	Name, Date, Relation, Number string
}

// KioskMatch is one entry found, as the kiosk shows it before it is opened.
type KioskMatch struct {
	Token     string
	Kind      string
	KindName  domain.Text
	Number    string        // as typed, or masked: B-•/2021
	Date      string        // as typed (DD-MM-YYYY), or only the year
	Names     []MaskedField // the person (or groom and bride)
	Relations []MaskedField // parents, or spouse
}

// MaskedField is a label and a value with the words not typed masked.
type MaskedField struct {
	Label domain.Text
	Value domain.Text
}

// KioskResult is the answer to a kiosk search.
type KioskResult struct {
	Matches []KioskMatch
	// TooMany is set when more entries matched than may be shown; Matches
	// is then empty.
	TooMany bool
}

// KioskEntry is an opened entry: what its certificate prints.
type KioskEntry struct {
	Token      string
	Kind       string
	KindName   domain.Text
	Number     string
	Registered time.Time
	Fields     []documents.CertField
	// Certifiable is false for a still birth, which is registered but not
	// certified.
	Certifiable bool
	// Fee is what a copy costs, paid before it prints; 0 prints it free.
	Fee domain.Paise
}

// kioskKinds are the registers the kiosk searches.
var kioskKinds = []string{KindBirth, KindDeath, KindMarriage}

// kioskKeys signs kiosk tokens; a fresh key per process, so tokens die
// with a restart.
var kioskKeys = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
})

// KioskSearch finds entries for a person at a kiosk.
func (c *Civil) KioskSearch(ctx context.Context, kiosk domain.Actor, address string, q KioskQuery) (KioskResult, error) {
	if err := canUseKiosk(kiosk); err != nil {
		return KioskResult{}, err
	}
	sq, given, err := kioskQuery(q)
	if err != nil {
		// A refused search is recorded too: what was refused, not what was typed.
		if _, werr := c.Store.Write(func(tx *store.Tx) error {
			return tx.Emit(kiosk.ID, EventKioskRefused, entityKiosk, kioskID(kiosk), map[string]any{"address": address, "reason": domain.ErrorMessage(err)})
		}); werr != nil {
			return KioskResult{}, werr
		}
		return KioskResult{}, err
	}
	if c.Search == nil {
		return KioskResult{}, domain.Errorf(domain.EINTERNAL, "civil: no search index")
	}
	sq.Size = KioskMaxMatches + 1
	res, err := c.Search.Search(ctx, sq)
	if err != nil {
		return KioskResult{}, err
	}
	q.Date = sq.Date
	out := KioskResult{TooMany: res.Total > KioskMaxMatches}
	var shown []string
	if !out.TooMany {
		err = c.Store.View(func(tx *store.Tx) error {
			for _, h := range res.Hits {
				e, err := getEntry(tx, h.ID)
				if errors.Is(err, store.ErrNotFound) {
					continue // gone since it was indexed
				}
				if err != nil {
					return err
				}
				out.Matches = append(out.Matches, maskEntry(e, q, kioskToken(kiosk.ID, e.ID, c.Now())))
				shown = append(shown, e.Number)
			}
			return nil
		})
		if err != nil {
			return KioskResult{}, err
		}
	}
	_, err = c.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(kiosk.ID, EventKioskSearched, entityKiosk, kioskID(kiosk), map[string]any{
			"address": address, "fields": given, "kinds": sq.Kinds, "matched": res.Total, "shown": shown})
	})
	return out, err
}

// kioskQuery checks what a person gave and turns it into the index query
// the kiosk runs; given names the fields given.
func kioskQuery(q KioskQuery) (sq search.Query, given []string, err error) {
	q.Name, q.Relation, q.Number = strings.TrimSpace(q.Name), strings.TrimSpace(q.Relation), strings.TrimSpace(q.Number)
	long := domain.FieldErrors{}
	for field, v := range map[string]string{"name": q.Name, "relation": q.Relation, "number": q.Number, "date": q.Date} {
		if utf8.RuneCountInString(v) > KioskMaxField {
			long.Add(field, domain.T(fmt.Sprintf("Write at most %d letters here.", KioskMaxField), fmt.Sprintf("ഇവിടെ പരമാവധി %d അക്ഷരങ്ങൾ.", KioskMaxField)))
		}
	}
	if err := long.Err(); err != nil {
		return sq, nil, err
	}
	date, err := kioskDate(q.Date)
	if err != nil {
		return sq, nil, err
	}
	for _, f := range []struct{ name, v string }{{"name", q.Name}, {"date", date}, {"relation", q.Relation}, {"number", q.Number}} {
		if f.v != "" {
			given = append(given, f.name)
		}
	}
	if len(given) < 2 {
		return sq, nil, domain.Bilingual(domain.EINVALID, domain.T(
			"Give at least two of: the name, the date, a parent's or spouse's name, the register number.",
			"പേര്, തീയതി, മാതാപിതാക്കളുടെയോ ജീവിതപങ്കാളിയുടെയോ പേര്, രജിസ്റ്റർ നമ്പർ — ഇവയിൽ രണ്ടെണ്ണമെങ്കിലും നൽകുക."))
	}
	kinds := kioskKinds
	if q.Kind != "" {
		if !slices.Contains(kioskKinds, q.Kind) {
			return sq, nil, domain.Errorf(domain.EINVALID, "The kiosk finds births, deaths and marriages, not %q.", q.Kind)
		}
		kinds = []string{q.Kind}
	}
	sq = search.Query{Name: q.Name, Relation: q.Relation, Number: q.Number, Date: date}
	if len(kinds) == 1 {
		sq.Kinds = kinds
	} else {
		// Every register but still births (not certified): excluding the
		// few is cheaper than requiring one of the many.
		sq.NotTypes, sq.NotKinds = []string{"file"}, []string{KindStillBirth}
	}
	return sq, given, nil
}

// KioskRanking returns the register numbers of the n entries a kiosk
// search ranks first, unmasked. It is for measuring the kiosk's relevance
// (tests, ksmart bench search); nothing a kiosk shows comes from it.
func (c *Civil) KioskRanking(ctx context.Context, q KioskQuery, n int) ([]string, error) {
	sq, _, err := kioskQuery(q)
	if err != nil {
		return nil, err
	}
	sq.Size = n
	res, err := c.Search.Search(ctx, sq)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	entries, err := c.EntriesByID(ids)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if e, ok := entries[id]; ok {
			out = append(out, e.Number)
		}
	}
	return out, nil
}

// KioskOpen returns the entry a token names, as its certificate prints it.
func (c *Civil) KioskOpen(kiosk domain.Actor, address, token string) (KioskEntry, error) {
	e, err := c.kioskEntry(kiosk, token)
	if err != nil {
		return KioskEntry{}, err
	}
	_, err = c.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(kiosk.ID, EventKioskOpened, entityKiosk, kioskID(kiosk), map[string]any{"address": address, "register_number": e.Number})
	})
	ke := KioskEntry{Token: token, Kind: e.Kind, KindName: KindName(e.Kind), Number: e.Number, Registered: e.Registered,
		Fields: c.particulars(e), Certifiable: e.Kind != KindStillBirth}
	if svc, ok := c.copyService(e.Kind); ok && ke.Certifiable {
		ke.Fee = svc.Fee.Amount
	}
	return ke, err
}

// KioskCertificate returns the certificate of the entry a token names, to
// print, when a copy is free (see printEntry). When copies have a fee the
// kiosk asks for its demand (KioskCopy) and prints once it is paid
// (KioskPaidCopy).
func (c *Civil) KioskCertificate(kiosk domain.Actor, address, token string) (Certificate, []byte, error) {
	e, err := c.kioskEntry(kiosk, token)
	if err != nil {
		return Certificate{}, nil, err
	}
	if e.Kind == KindStillBirth {
		return Certificate{}, nil, notCertified()
	}
	if svc, ok := c.copyService(e.Kind); ok {
		return Certificate{}, nil, domain.Bilingual(domain.ECONFLICT, domain.T(
			fmt.Sprintf("A copy costs %s. Ask for it to be charged, pay at the counter or by UPI, then print it with the demand's number.", svc.Fee.Amount),
			fmt.Sprintf("ഒരു പകർപ്പിന് %s. ഫീസ് ആവശ്യപ്പെട്ട് കൗണ്ടറിലോ യു.പി.ഐ. വഴിയോ അടച്ച ശേഷം ഡിമാൻഡ് നമ്പർ നൽകി അച്ചടിക്കുക.", svc.Fee.Amount)))
	}
	return c.printEntry(kiosk, address, e, "")
}

// CopyFees charges for kiosk copies: implemented by the finance module,
// given to civil by the appliance, so that civil does not depend on it.
type CopyFees interface {
	// ChargeCopy raises (or, asked again by the same kiosk while it
	// waits, returns) the demand for a copy of an entry: svc's fee.
	ChargeCopy(kiosk domain.Actor, svc catalogue.Service, entryID, entryNumber string, title domain.Text) (CopyDemand, error)
	// CopyDemand reads a kiosk copy's demand by its number.
	CopyDemand(number string) (CopyDemand, error)
}

// CopyDemand is a kiosk copy's demand as the kiosk shows it.
type CopyDemand struct {
	Number  string
	EntryID string
	Amount  domain.Paise
	Balance domain.Paise
	// Lapsed is set when nobody paid it in time and it was cancelled.
	Lapsed bool
	Due    time.Time
	// UPI is the upi://pay address to pay it by, "" when the office has
	// no UPI address or nothing is owed.
	UPI string
}

// kioskCopy records that a paid copy was printed, so a demand prints once.
type kioskCopy struct {
	Demand      string    `json:"demand"`
	Entry       string    `json:"entry"`
	Certificate string    `json:"certificate"`
	Printed     time.Time `json:"printed"`
	Kiosk       string    `json:"kiosk"`
}

// certificateService names the catalogue service whose fee a copy of each
// kind of entry costs.
var certificateService = map[string]string{KindBirth: "birth_certificate", KindDeath: "death_certificate", KindMarriage: "marriage_certificate"}

// copyService is the catalogue service whose flat fee a kiosk copy of an
// entry of kind costs; false when copies print free.
func (c *Civil) copyService(kind string) (catalogue.Service, bool) {
	if c.CopyFees == nil {
		return catalogue.Service{}, false
	}
	svc, ok := c.Catalogue.Get(certificateService[kind])
	if !ok || svc.Fee.Kind != catalogue.FeeFlat || svc.Fee.Amount <= 0 {
		return catalogue.Service{}, false
	}
	return svc, true
}

// KioskCopy raises the demand for a copy of the entry a token names: the
// kiosk shows its number and how to pay it.
func (c *Civil) KioskCopy(kiosk domain.Actor, address, token string) (CopyDemand, error) {
	e, err := c.kioskEntry(kiosk, token)
	if err != nil {
		return CopyDemand{}, err
	}
	if e.Kind == KindStillBirth {
		return CopyDemand{}, notCertified()
	}
	svc, ok := c.copyService(e.Kind)
	if !ok {
		return CopyDemand{}, domain.Bilingual(domain.EINVALID, domain.T("Copies here are free: print it.", "ഇവിടെ പകർപ്പുകൾ സൗജന്യമാണ്: അച്ചടിക്കുക."))
	}
	name := KindName(e.Kind)
	title := domain.T("Copy of the "+strings.ToLower(name.En)+" certificate, "+e.Number, name.Ml+" സർട്ടിഫിക്കറ്റിന്റെ പകർപ്പ്, "+e.Number)
	return c.CopyFees.ChargeCopy(kiosk, svc, e.ID, e.Number, title)
}

// KioskPaidCopy prints the copy a paid kiosk demand is for, once: the same
// demand does not print a second copy. It returns the certificate and a
// token that shows its PDF to the same kiosk (KioskPrinted).
func (c *Civil) KioskPaidCopy(kiosk domain.Actor, address, number string) (Certificate, string, error) {
	rec, _, err := c.paidCopy(kiosk, address, number)
	if err != nil {
		return Certificate{}, "", err
	}
	return rec, kioskToken(kiosk.ID, printedToken+rec.Number, c.Now()), nil
}

// printedToken begins the id a token names for a printed certificate, so
// that it never passes for an entry's.
const printedToken = "certificate:"

// KioskPrinted returns the PDF of a certificate the kiosk printed, by the
// token KioskPaidCopy gave, for KioskTokenLife.
func (c *Civil) KioskPrinted(kiosk domain.Actor, token string) (Certificate, []byte, error) {
	if err := canUseKiosk(kiosk); err != nil {
		return Certificate{}, nil, err
	}
	id, ok := checkKioskToken(kiosk.ID, token, c.Now())
	if !ok || !strings.HasPrefix(id, printedToken) {
		return Certificate{}, nil, domain.Bilingual(domain.EINVALID, domain.T("This copy is no longer shown. Print it again with the demand number at the counter.", "ഈ പകർപ്പ് ഇനി കാണിക്കില്ല. കൗണ്ടറിൽ ഡിമാൻഡ് നമ്പറുമായി ചോദിക്കുക."))
	}
	var rec Certificate
	var pdf []byte
	err := c.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityCertificate, strings.TrimPrefix(id, printedToken), &rec); err != nil {
			return err
		}
		b, err := tx.Blob(rec.PDF)
		pdf = append([]byte(nil), b...)
		return err
	})
	return rec, pdf, err
}

func (c *Civil) paidCopy(kiosk domain.Actor, address, number string) (Certificate, []byte, error) {
	if err := canUseKiosk(kiosk); err != nil {
		return Certificate{}, nil, err
	}
	number = strings.ToUpper(strings.TrimSpace(number))
	if number == "" || len(number) > 40 {
		return Certificate{}, nil, fieldError("demand", domain.T("Type the demand number the kiosk showed (e.g. DM/2026-27/12).", "കിയോസ്ക് കാണിച്ച ഡിമാൻഡ് നമ്പർ നൽകുക (ഉദാ. DM/2026-27/12)."))
	}
	if c.CopyFees == nil {
		return Certificate{}, nil, domain.Bilingual(domain.EINVALID, domain.T("Copies here are free: search for the entry and print it.", "ഇവിടെ പകർപ്പുകൾ സൗജന്യമാണ്: രേഖ തിരഞ്ഞ് അച്ചടിക്കുക."))
	}
	d, err := c.CopyFees.CopyDemand(number)
	if err != nil {
		return Certificate{}, nil, err
	}
	switch {
	case d.Lapsed:
		return Certificate{}, nil, domain.Bilingual(domain.ECONFLICT, domain.T(
			d.Number+" was not paid in time and has lapsed. Search again and ask for a new copy.",
			d.Number+" സമയത്ത് അടയ്ക്കാത്തതിനാൽ റദ്ദായി. വീണ്ടും തിരഞ്ഞ് പുതിയ പകർപ്പ് ആവശ്യപ്പെടുക."))
	case d.Balance > 0:
		return Certificate{}, nil, domain.Bilingual(domain.ECONFLICT, domain.T(
			fmt.Sprintf("%s is still to be paid on %s: pay at the counter or by UPI, then print.", d.Balance, d.Number),
			fmt.Sprintf("%s-ൽ ഇനിയും %s അടയ്ക്കാനുണ്ട്: കൗണ്ടറിലോ യു.പി.ഐ. വഴിയോ അടച്ച ശേഷം അച്ചടിക്കുക.", d.Number, d.Balance)))
	}
	var printed kioskCopy
	var e Entry
	err = c.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityKioskCopy, d.Number, &printed); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var err error
		e, err = getEntry(tx, d.EntryID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return Certificate{}, nil, domain.Errorf(domain.ENOTFOUND, "That entry is no longer in the register.")
	}
	if err != nil {
		return Certificate{}, nil, err
	}
	if printed.Demand != "" {
		return Certificate{}, nil, copyPrinted(printed)
	}
	return c.printEntry(kiosk, address, e, d.Number)
}

func copyPrinted(p kioskCopy) error {
	at := p.Printed.In(domain.IST).Format("2 Jan 2006 15:04")
	return domain.Bilingual(domain.ECONFLICT, domain.T(
		"The copy paid by "+p.Demand+" was printed on "+at+" ("+p.Certificate+"). For another, ask for a new copy.",
		p.Demand+" വഴി അടച്ച പകർപ്പ് "+at+"-ന് അച്ചടിച്ചു ("+p.Certificate+"). മറ്റൊന്നിന് പുതിയ പകർപ്പ് ആവശ്യപ്പെടുക."))
}

func notCertified() error {
	return domain.Bilingual(domain.EINVALID, domain.T("A still birth is registered but not certified.", "ചാപിള്ള ജനനം രജിസ്റ്റർ ചെയ്യുന്നു, സർട്ടിഫിക്കറ്റ് നൽകുന്നില്ല."))
}

// printEntry returns an entry's certificate to print at a kiosk: the
// current certificate when one was issued for the entry as it stands, else
// a new one, signed and recorded like any other. demand, when not "", is
// the paid demand the copy is printed for, recorded in the same write.
func (c *Civil) printEntry(kiosk domain.Actor, address string, e Entry, demand string) (Certificate, []byte, error) {
	var rec Certificate
	var pdf []byte
	err := c.Store.View(func(tx *store.Tx) error {
		for i := len(e.Certificates) - 1; i >= 0; i-- {
			var oc Certificate
			if err := tx.Get(entityCertificate, e.Certificates[i], &oc); err != nil {
				return err
			}
			if oc.Status == StatusCurrent && oc.EntryVersion == e.Version {
				b, err := tx.Blob(oc.PDF)
				rec, pdf = oc, append([]byte(nil), b...)
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Certificate{}, nil, err
	}
	facts := map[string]any{"address": address, "register_number": e.Number}
	if demand != "" {
		facts["demand"] = demand
	}
	// markPaid records the paid copy, refusing a demand another kiosk
	// printed meanwhile.
	markPaid := func(tx *store.Tx, certificate string) error {
		if demand == "" {
			return nil
		}
		var printed kioskCopy
		if err := tx.Get(entityKioskCopy, demand, &printed); err == nil {
			return copyPrinted(printed)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.Put(entityKioskCopy, demand, kioskCopy{Demand: demand, Entry: e.ID, Certificate: certificate, Printed: c.Now(), Kiosk: kiosk.ID})
	}
	if pdf != nil {
		facts["certificate"] = rec.Number
		_, err = c.Store.Write(func(tx *store.Tx) error {
			if err := markPaid(tx, rec.Number); err != nil {
				return err
			}
			return tx.Emit(kiosk.ID, EventKioskPrinted, entityKiosk, kioskID(kiosk), facts)
		})
		return rec, pdf, err
	}
	var supersedes string
	if err := c.Store.View(func(tx *store.Tx) (err error) { supersedes, err = lastSuperseded(tx, e); return err }); err != nil {
		return Certificate{}, nil, err
	}
	// The officer the certificate names is the registrar who registered
	// the entry; the kiosk only prints it.
	officer, err := c.officerOfRecord(e)
	if err != nil {
		return Certificate{}, nil, err
	}
	rec, pdf, err = c.drawCertificate(e, nil, supersedes, officer, "", "", kiosk, c.Now())
	if err != nil {
		return Certificate{}, nil, err
	}
	facts["certificate"] = rec.Number
	_, err = c.Store.Write(func(tx *store.Tx) error {
		if err := markPaid(tx, rec.Number); err != nil {
			return err
		}
		if err := c.recordCertificate(tx, e, rec, pdf, kiosk, map[string]any{"kiosk": kioskID(kiosk)}); err != nil {
			return err
		}
		return tx.Emit(kiosk.ID, EventKioskPrinted, entityKiosk, kioskID(kiosk), facts)
	})
	return rec, pdf, err
}

func canUseKiosk(by domain.Actor) error {
	if by.Has(domain.RoleKiosk) {
		return nil
	}
	return domain.Errorf(domain.EFORBIDDEN, "This is for the kiosk.")
}

func kioskID(by domain.Actor) string { return strings.TrimPrefix(by.ID, "kiosk:") }

// kioskEntry checks a token and loads the entry it names.
func (c *Civil) kioskEntry(kiosk domain.Actor, token string) (Entry, error) {
	if err := canUseKiosk(kiosk); err != nil {
		return Entry{}, err
	}
	id, ok := checkKioskToken(kiosk.ID, token, c.Now())
	if !ok {
		return Entry{}, domain.Bilingual(domain.EINVALID, domain.T("This result has expired. Search again.", "ഈ ഫലത്തിന്റെ സമയം കഴിഞ്ഞു. വീണ്ടും തിരയുക."))
	}
	var e Entry
	err := c.Store.View(func(tx *store.Tx) (err error) { e, err = getEntry(tx, id); return err })
	if errors.Is(err, store.ErrNotFound) {
		return Entry{}, domain.Errorf(domain.ENOTFOUND, "That entry is no longer in the register.")
	}
	return e, err
}

// kioskToken names an entry for one kiosk until KioskTokenLife from now:
// expiry, entry id and an HMAC over them with the kiosk's id.
func kioskToken(kioskActor, entryID string, now time.Time) string {
	msg := binary.BigEndian.AppendUint64(nil, uint64(now.Add(KioskTokenLife).Unix()))
	msg = append(msg, entryID...)
	return base64.RawURLEncoding.EncodeToString(append(msg, kioskMAC(kioskActor, msg)...))
}

func checkKioskToken(kioskActor, token string, now time.Time) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 8+sha256.Size {
		return "", false
	}
	msg, mac := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if !hmac.Equal(mac, kioskMAC(kioskActor, msg)) || now.Unix() > int64(binary.BigEndian.Uint64(msg)) {
		return "", false
	}
	return string(msg[8:]), true
}

func kioskMAC(kioskActor string, msg []byte) []byte {
	m := hmac.New(sha256.New, kioskKeys())
	m.Write([]byte(kioskActor))
	m.Write([]byte{0})
	m.Write(msg)
	return m.Sum(nil)
}

// kioskDate reads a date as people type it: 31-01-2021, 31/01/2021 or
// 2021-01-31.
func kioskDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{time.DateOnly, "02-01-2006", "02/01/2006", "2-1-2006", "2/1/2006", "02.01.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", domain.FieldErrors{"date": domain.T("Write the date as day-month-year, e.g. 31-01-2021.", "തീയതി ദിവസം-മാസം-വർഷം എന്ന രീതിയിൽ എഴുതുക, ഉദാ. 31-01-2021.")}.Err()
}

// maskEntry is an entry as a kiosk result shows it before it is opened;
// q.Date is the date given, if any, as YYYY-MM-DD.
func maskEntry(e Entry, q KioskQuery, token string) KioskMatch {
	// A word is shown where it was typed: the name's words in the person's
	// names, the relation's in the relations' (both in a marriage's two
	// people, who are each other's spouse).
	keysOf := func(s string) map[string]bool {
		out := map[string]bool{}
		for _, k := range names.Keys(s) {
			out[k] = true
			if stem, ok := names.StemKey(k); ok {
				out[stem] = true
			}
		}
		// The other forms of what was typed: Unnikrishnan typed shows
		// the entry's Unni Krishnan.
		for _, k := range names.AltKeys(names.Words(s)) {
			out[k] = true
		}
		return out
	}
	personTyped, relationTyped := keysOf(q.Name), keysOf(q.Relation)
	if e.Kind == KindMarriage {
		personTyped = keysOf(q.Name + " " + q.Relation)
	}
	m := KioskMatch{Token: token, Kind: e.Kind, KindName: KindName(e.Kind)}
	if q.Number != "" {
		m.Number = e.Number
	} else {
		_, year, _ := strings.Cut(e.Number, "/")
		m.Number = strings.SplitN(e.Number, "-", 2)[0] + "-•/" + year
	}
	if q.Date != "" {
		m.Date = formatDate(e.EventDate)
	} else if len(e.EventDate) >= 4 {
		m.Date = e.EventDate[:4]
	}
	field := func(label domain.Text, f string, typed map[string]bool) MaskedField {
		n := e.Name(f)
		return MaskedField{Label: label, Value: domain.Text{En: maskName(n.En, typed), Ml: maskName(n.Ml, typed)}}
	}
	labels := map[string]domain.Text{
		"child_name": domain.T("Name", "പേര്"), "deceased_name": domain.T("Name of deceased", "മരിച്ചയാളുടെ പേര്"),
		"groom_name": domain.T("Husband", "ഭർത്താവ്"), "bride_name": domain.T("Wife", "ഭാര്യ"),
		"mother_name": domain.T("Mother", "അമ്മ"), "father_name": domain.T("Father", "അച്ഛൻ"), "spouse_name": domain.T("Spouse", "ജീവിതപങ്കാളി"),
	}
	for _, f := range personFields[e.Kind] {
		m.Names = append(m.Names, field(labels[f], f, personTyped))
	}
	if e.Kind != KindMarriage {
		for _, f := range relationFields[e.Kind] {
			if n := e.Name(f); n.En != "" || n.Ml != "" {
				m.Relations = append(m.Relations, field(labels[f], f, relationTyped))
			}
		}
	}
	return m
}

// maskName shows the words of a name whose key was typed, and of the rest
// only the first letter.
func maskName(name string, typed map[string]bool) string {
	var out []string
	for _, w := range strings.Fields(name) {
		if wordTyped(w, typed) {
			out = append(out, w)
			continue
		}
		r := []rune(w)
		if len(r) == 0 {
			continue
		}
		first := string(r[0])
		if len(r) > 1 && r[1] >= 0x0D3E && r[1] <= 0x0D57 {
			first += string(r[1]) // a Malayalam letter with its vowel sign
		}
		out = append(out, first+"•••")
	}
	return strings.Join(out, " ")
}

// officerOfRecord is the officer a kiosk copy of e names: its registrar of
// record, when that is a staff account; else — a register imported before
// its registrar was named, whose entries say "root" or "demo" — the body's
// registrar today. With neither nothing prints: a certificate always names
// a real officer.
func (c *Civil) officerOfRecord(e Entry) (Officer, error) {
	if c.IsStaff == nil || c.Registrars == nil || e.Registrar.ID != "" && c.IsStaff(e.Registrar.ID) {
		return e.Registrar, nil
	}
	regs, err := c.Registrars()
	if err != nil {
		return Officer{}, err
	}
	if len(regs) == 0 {
		return Officer{}, domain.Bilingual(domain.ECONFLICT, domain.T(
			"No registrar is on record for "+e.Number+", and the office has no registrar's account to name on its certificate. Ask at the office.",
			e.Number+"-ന് രേഖപ്പെടുത്തിയ രജിസ്ട്രാറില്ല; സർട്ടിഫിക്കറ്റിൽ പേര് ചേർക്കാൻ ഓഫീസിൽ രജിസ്ട്രാറുടെ അക്കൗണ്ടുമില്ല. ഓഫീസിൽ അന്വേഷിക്കുക."))
	}
	return regs[0], nil
}

// wordTyped reports whether a word of an entry's name was typed, however
// spelt: its key, its stem without -an (Vasudevan for Vasudev typed), or,
// for a compound, both its parts (Unnikrishnan for Unni Krishnan typed).
func wordTyped(w string, typed map[string]bool) bool {
	k := names.Key(w)
	if typed[k] {
		return true
	}
	if stem, ok := names.StemKey(k); ok && typed[stem] {
		return true
	}
	alts := names.AltKeys([]string{w})
	if len(alts) < 2 {
		return false
	}
	for _, a := range alts[:2] {
		if !typed[a] {
			return false
		}
	}
	return true
}
