package licence

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/store"
)

// Certificate is the record of one licence certificate printed: what it
// printed, the digests that tie the PDF and the QR code to it.
type Certificate struct {
	Number  string                `json:"number"` // <local body>-LC-<year>-<n>
	Licence string                `json:"licence"`
	Year    string                `json:"year"`
	File    string                `json:"file"`
	Issued  time.Time             `json:"issued"`
	Printed documents.Certificate `json:"printed"`
	Digest  string                `json:"digest"`
	PDF     string                `json:"pdf"` // SHA-256 of the PDF, kept as a blob
	Key     string                `json:"key"` // the seal key's fingerprint
	QR      string                `json:"qr"`

	sequence string
	serial   uint64
}

// IsCertificateNumber reports whether a number is a licence
// certificate's, as /verify/<number> dispatches it.
func IsCertificateNumber(number string) bool {
	return strings.Contains(strings.ToUpper(number), "-LC-")
}

// officerTitle is the title printed under the licensing authority.
var officerTitle = domain.T("Secretary (licensing authority)", "സെക്രട്ടറി (ലൈസൻസിംഗ് അധികാരി)")

// draw renders and signs the certificate of licence l as it will stand
// after the write, issued now on file by officer; it writes nothing.
func (s *Licences) draw(l Licence, file, officer string, now time.Time) (Certificate, []byte, error) {
	if s.Seal == nil || s.Documents == nil {
		return Certificate{}, nil, domain.Errorf(domain.EINTERNAL, "licence: no seal key or document renderer")
	}
	y, _ := ParseYear(l.Year)
	sequence := fmt.Sprintf("licence_certificate/%d", y)
	serial, err := s.Store.Reserve(sequence)
	if err != nil {
		return Certificate{}, nil, err
	}
	kind := documents.CertTradeLicence
	if l.Deemed != nil {
		kind = documents.CertDeemedLicence
	}
	c, _ := s.Schedule.Category(l.Category)
	m := MeasureName(l.Measure)
	plain := func(v string) domain.Text { return domain.Text{En: v} }
	row := func(en, ml string, v domain.Text) documents.CertField {
		return documents.CertField{Label: domain.T(en, ml), Value: v}
	}
	fields := []documents.CertField{
		row("Licence number", "ലൈസൻസ് നമ്പർ", plain(l.Number)),
		row("Establishment", "സ്ഥാപനം", plain(l.TradeName)),
		row("Trade", "വ്യാപാരം", c.Name),
		row("Premises (building number)", "കെട്ടിട നമ്പർ", plain(fmt.Sprintf("%s, ward %d", l.Premises, l.Ward))),
		row("Capacity", "ശേഷി", domain.T(fmt.Sprintf("%d %s", l.Capacity, m.En), fmt.Sprintf("%d %s", l.Capacity, m.Ml))),
		row("Licensee", "ലൈസൻസി", l.Holder.Name),
	}
	if strings.TrimSpace(l.Description) != "" {
		fields = append(fields[:3], append([]documents.CertField{row("What is made, sold or done", "പ്രവർത്തനം", plain(l.Description))}, fields[3:]...)...)
	}
	if l.Partners != "" {
		fields = append(fields, row("Partners", "പങ്കാളികൾ", plain(l.Partners)))
	}
	fields = append(fields,
		row("Valid", "കാലാവധി", domain.T(fmt.Sprintf("%s to %s (financial year %s)", l.ValidFrom, l.ValidTo, l.Year), fmt.Sprintf("%s മുതൽ %s വരെ (സാമ്പത്തിക വർഷം %s)", l.ValidFrom, l.ValidTo, l.Year))),
		row("Fee paid", "അടച്ച ഫീസ്", plain(l.Fee.String())),
		row("Application", "അപേക്ഷ", plain(file)))
	var remarks domain.Text
	if d := l.Deemed; d != nil {
		who := d.Role.Name()
		name := d.OfficerName
		if name == "" {
			name = who.En
		}
		remarks = domain.T(
			fmt.Sprintf("Deemed granted by ksmart on %s: %d days of the application's time ran undecided while it was on the desk of %s (%s).", dateOf(now), d.Days, name, who.En),
			fmt.Sprintf("%s-ന് ksmart അനുവദിച്ചതായി കണക്കാക്കി: %s (%s) എന്നവരുടെ പക്കൽ ഫയൽ %d ദിവസം തീരുമാനമില്ലാതെ കിടന്നു.", dateOf(now), name, who.Ml, d.Days))
	}
	number := fmt.Sprintf("%s-LC-%d-%d", s.LocalBody.Code, y, serial)
	printed := documents.Certificate{Kind: kind,
		LocalBody: domain.LocalBody{Code: s.LocalBody.Code, Name: s.LocalBody.Name, Kind: s.LocalBody.Kind, District: s.LocalBody.District},
		Number:    number, RegistrationNumber: l.Number, RegistrationDate: l.Granted, Issued: now,
		Officer: domain.Text{En: officer}, OfficerTitle: officerTitle, Fields: fields, Remarks: remarks}
	payload, err := s.Seal.Sign(s.PublicURL(), number, printed.Digest())
	if err != nil {
		return Certificate{}, nil, err
	}
	printed.QR = payload.String()
	pdf, err := s.Documents.Certificate(printed)
	if err != nil {
		return Certificate{}, nil, err
	}
	d := printed.Digest()
	return Certificate{Number: number, Licence: l.Number, Year: l.Year, File: file, Issued: now, Printed: printed,
		Digest: hex.EncodeToString(d[:]), PDF: store.SumBlob(pdf), Key: seal.Fingerprint(s.Seal.Public()), QR: printed.QR,
		sequence: sequence, serial: serial}, pdf, nil
}

// record stores a drawn certificate in tx and makes it l's current one;
// the caller stages l (whose event names the certificate) after.
func record(tx *store.Tx, l *Licence, c Certificate, pdf []byte) (map[string]any, error) {
	if err := tx.PutSummedBlob(c.PDF, pdf); err != nil {
		return nil, err
	}
	if err := tx.UseNumber(c.sequence, c.serial); err != nil {
		return nil, err
	}
	if err := tx.Put(entityCertificate, c.Number, c); err != nil {
		return nil, err
	}
	l.Certificate = c.Number
	return map[string]any{"certificate": c.Number, "kind": c.Printed.Kind, "digest": c.Digest, "pdf": c.PDF, "key": c.Key, "file": c.File}, nil
}

// CertificatePDF returns a licence's current certificate and its PDF.
func (s *Licences) CertificatePDF(number string) (Certificate, []byte, error) {
	var c Certificate
	var pdf []byte
	err := s.Store.View(func(tx *store.Tx) error {
		l, err := byNumber(tx, number)
		if err != nil {
			return err
		}
		if l.Certificate == "" {
			return domain.Bilingual(domain.ENOTFOUND, domain.T("No certificate has been printed for licence "+l.Number+" yet.", l.Number+" എന്ന ലൈസൻസിന് ഇതുവരെ സർട്ടിഫിക്കറ്റ് ഇല്ല."))
		}
		if err := tx.Get(entityCertificate, l.Certificate, &c); err != nil {
			return err
		}
		pdf, err = tx.Blob(c.PDF)
		return err
	})
	return c, pdf, err
}

// Verification is the answer to "is this licence certificate genuine, and
// is the licence in force?"
type Verification struct {
	Number      string
	Found       bool
	Checked     bool // a QR payload was checked, not only the number looked up
	Certificate Certificate
	Licence     Licence
	Status      string // the licence's status today
	// Current says whether this is the licence's latest certificate.
	Current bool
	Problem domain.Text
}

// Genuine reports whether the certificate is this body's, its code checks
// (when given), it is the licence's latest and the licence is in force.
func (v Verification) Genuine() bool {
	return v.Found && v.Problem == (domain.Text{}) && v.Current && (v.Status == StatusActive || v.Status == StatusDeemed || v.Status == StatusPending)
}

// Verify looks a licence certificate up by number and, given the QR
// code's d and s, checks its signature and digest. Bad input is the
// answer, never an error.
func (s *Licences) Verify(number, digest, signature string) (Verification, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	v := Verification{Number: number}
	if !seal.ValidNumber(number) {
		v.Problem = domain.T("This is not a licence certificate number.", "ഇതൊരു ലൈസൻസ് സർട്ടിഫിക്കറ്റ് നമ്പറല്ല.")
		return v, nil
	}
	err := s.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityCertificate, number, &v.Certificate); err != nil {
			return err
		}
		var err error
		v.Licence, err = byNumber(tx, v.Certificate.Licence)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		v.Problem = domain.T(
			fmt.Sprintf("%s has printed no licence certificate %s. It is not genuine, or the number was misread.", s.LocalBody.Name.En, number),
			fmt.Sprintf("%s %s എന്ന ലൈസൻസ് സർട്ടിഫിക്കറ്റ് നൽകിയിട്ടില്ല. ഇത് യഥാർത്ഥമല്ല, അല്ലെങ്കിൽ നമ്പർ തെറ്റി വായിച്ചു.", s.LocalBody.Name.Ml, number))
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.Found, v.Status, v.Current = true, v.Licence.StatusAt(s.Now()), v.Licence.Certificate == number
	if digest == "" && signature == "" {
		return v, nil
	}
	v.Checked = true
	p, err := seal.Parse("/verify/" + number + "?d=" + digest + "&s=" + signature)
	if err == nil && s.Seal != nil && v.Certificate.Key == seal.Fingerprint(s.Seal.Public()) {
		err = p.Verify(s.Seal.Public())
	} else if err == nil {
		err = errors.New("signed with a key this office no longer holds")
	}
	if err == nil {
		sum, _ := hex.DecodeString(v.Certificate.Digest)
		var full [32]byte
		copy(full[:], sum)
		err = p.Matches(full)
	}
	if err != nil {
		v.Problem = domain.T(
			"The code on this licence is not the one "+s.LocalBody.Name.En+" signed: it was altered or forged. Do not accept it; ask the office.",
			"ഈ ലൈസൻസിലെ കോഡ് "+s.LocalBody.Name.Ml+" ഒപ്പിട്ടതല്ല: മാറ്റം വരുത്തിയതോ വ്യാജമോ ആണ്. സ്വീകരിക്കരുത്; ഓഫീസിൽ അന്വേഷിക്കുക.")
	}
	return v, nil
}
