package civil

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/seal"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Certificate is the record of one issued certificate: exactly what it
// printed, the digests that tie the PDF and the QR code to it, and whether
// it is still current.
type Certificate struct {
	Number         string    `json:"number"`
	Kind           string    `json:"kind"` // documents.CertBirth, …
	Entry          string    `json:"entry,omitempty"`
	RegisterNumber string    `json:"register_number,omitempty"`
	EntryVersion   int       `json:"entry_version,omitempty"`
	File           string    `json:"file"` // the application it was issued on
	Applicant      string    `json:"applicant,omitempty"`
	Issued         time.Time `json:"issued"`
	IssuedBy       Officer   `json:"issued_by"`
	// Printed is what the certificate printed; Digest is the SHA-256 of its
	// canonical form, which the QR code's signature covers.
	Printed documents.Certificate `json:"printed"`
	Digest  string                `json:"digest"`
	// PDF is the SHA-256 of the PDF as issued; the PDF is kept as a blob
	// under that name.
	PDF string `json:"pdf"`
	// Key is the fingerprint of the seal key that signed it.
	Key string `json:"key"`
	QR  string `json:"qr"`
	// Pages is how many pages the PDF has: 1, or more when its particulars
	// went on to an annexure (0 in records made before annexures, which
	// were all one page).
	Pages int `json:"pages,omitempty"`

	Status        string      `json:"status"` // StatusCurrent, StatusSuperseded or StatusRevoked
	SupersededBy  string      `json:"superseded_by,omitempty"`
	StatusChanged time.Time   `json:"status_changed,omitzero"`
	StatusReason  domain.Text `json:"status_reason,omitzero"`

	// sequence and serial are the reserved number the certificate took,
	// between drawing and recording: the write records it as used, so a
	// copy of the store rebuilt from its log (ksmart restore --from-state)
	// never numbers a certificate the same again.
	sequence string
	serial   uint64
}

// EntitySealPublic holds every seal public key the local body has had, by
// fingerprint, as SealKey documents. The appliance writes one with the
// seal.created event of each key it makes or is given; they are replicated
// with the log, so a certificate keeps verifying after the key that signed
// it is replaced (a body rebuilt from the state makes a new key: the
// private key never leaves the body).
const EntitySealPublic = "seal_public"

// SealKey is a seal public key as kept under EntitySealPublic, and the
// data of the seal.created event.
type SealKey struct {
	LocalBody   string `json:"local_body"`
	PublicKey   string `json:"public_key"` // PEM (seal.MarshalPublic)
	Fingerprint string `json:"fingerprint"`
}

// StatusName names a certificate status for people.
func StatusName(s string) domain.Text {
	switch s {
	case StatusCurrent:
		return domain.T("Current", "നിലവിലുള്ളത്")
	case StatusSuperseded:
		return domain.T("Superseded", "പകരം പുതിയത് നൽകി")
	case StatusRevoked:
		return domain.T("Revoked", "റദ്ദാക്കി")
	}
	return domain.T(s, s)
}

// Certificate statuses.
const (
	StatusCurrent    = "current"
	StatusSuperseded = "superseded"
	StatusRevoked    = "revoked"
)

// certKind is the documents certificate kind of a register kind.
func certKind(kind string) string {
	switch kind {
	case KindBirth:
		return documents.CertBirth
	case KindDeath:
		return documents.CertDeath
	case KindMarriage:
		return documents.CertMarriageFormIV
	}
	return documents.CertNonAvailability
}

func officerTitle(kind string) domain.Text {
	if kind == KindMarriage {
		return domain.T("Local Registrar of Marriages (Common)", "തദ്ദേശ വിവാഹ രജിസ്ട്രാർ (പൊതു)")
	}
	return domain.T("Registrar of Births and Deaths", "ജനന-മരണ രജിസ്ട്രാർ")
}

// approver is the officer who decided the file: the certificate names them
// as its issuing authority, whoever hands it over.
func approver(f workflow.File, by domain.Actor) Officer {
	for i := len(f.History) - 1; i >= 0; i-- {
		if a := f.History[i]; a.Kind == workflow.KindApproved {
			return Officer{ID: a.ActorID, Name: a.ActorName}
		}
	}
	return Officer{ID: by.ID, Name: by.Name}
}

// prepareIssue renders and signs the certificate a file is issued with,
// before the write; the write then checks that the register entry has not
// changed meanwhile and records it.
func (c *Civil) prepareIssue(sv service, f workflow.File, by domain.Actor, now time.Time) (workflow.Apply, error) {
	var e Entry
	var supersedes string
	var naValues map[string]string
	if sv.action == actNonAvailablity {
		naValues = f.Values
	} else {
		err := c.Store.View(func(tx *store.Tx) (err error) {
			if e, err = entryByNumber(tx, f.Record); err != nil {
				return err
			}
			supersedes, err = lastSuperseded(tx, e)
			return err
		})
		if err != nil {
			return nil, err
		}
		if e.Kind == KindStillBirth {
			// A still birth is registered, not certified: the file closes
			// with the registration.
			return nil, nil
		}
	}
	rec, pdf, err := c.drawCertificate(e, naValues, supersedes, approver(f, by), f.Number, f.Applicant.UserID, by, now)
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx, f *workflow.File) error {
		if err := c.recordCertificate(tx, e, rec, pdf, by, nil); err != nil {
			return err
		}
		f.Issued = &workflow.IssuedDocument{Kind: f.Service, Number: rec.Number, Title: certTitle(rec.Printed.Kind), Blob: rec.PDF}
		return nil
	}, nil
}

// drawCertificate renders and signs a certificate of entry e (or, with
// naValues, of the non-availability of an event), numbered now; it writes
// nothing.
func (c *Civil) drawCertificate(e Entry, naValues map[string]string, supersedes string, off Officer, file, applicant string, by domain.Actor, now time.Time) (Certificate, []byte, error) {
	if c.Seal == nil || c.Documents == nil {
		return Certificate{}, nil, domain.Errorf(domain.EINTERNAL, "civil: no seal key or document renderer")
	}
	year := now.In(domain.IST).Year()
	kind := e.Kind
	if naValues != nil {
		kind = ""
	}
	sequence := fmt.Sprintf("certificate/%d", year)
	seq, err := c.Store.Reserve(sequence)
	if err != nil {
		return Certificate{}, nil, err
	}
	number := CertificateNumber(c.LocalBody.Code, kind, year, seq)
	var printed documents.Certificate
	var pdf []byte
	if naValues != nil {
		printed, pdf, err = c.DrawNonAvailability(naValues, number, off, now)
	} else {
		printed, pdf, err = c.DrawCertificate(e, number, supersedes, off, now)
	}
	if err != nil {
		return Certificate{}, nil, err
	}
	pages, err := documents.PageCount(pdf)
	if err != nil {
		return Certificate{}, nil, err
	}
	rec := Certificate{Number: number, Kind: printed.Kind, Entry: e.ID, RegisterNumber: e.Number, EntryVersion: e.Version, File: file,
		Applicant: applicant, Issued: now, IssuedBy: Officer{ID: by.ID, Name: by.Name}, Printed: printed,
		Digest: RecordDigest(printed), PDF: store.SumBlob(pdf), Key: seal.Fingerprint(c.Seal.Public()), QR: printed.QR, Status: StatusCurrent,
		Pages: pages, sequence: sequence, serial: seq}
	return rec, pdf, nil
}

// DrawCertificate renders and signs the certificate of entry e that civil
// issues: what it prints (the particulars, the remarks, the certificate it
// replaces when supersedes is set), numbered number, issued now by officer.
// It returns the record it printed, with its signed QR payload, and the PDF
// — one page, or more with an annexure. It reserves no number and writes
// nothing: issuing numbers the certificate, then records what this drew.
// A still birth has no certificate: it is registered, not certified.
func (c *Civil) DrawCertificate(e Entry, number, supersedes string, officer Officer, now time.Time) (documents.Certificate, []byte, error) {
	switch e.Kind {
	case KindBirth, KindDeath, KindMarriage:
	case KindStillBirth:
		return documents.Certificate{}, nil, domain.Bilingual(domain.EINVALID, domain.T(
			"A still birth is registered, not certified: there is no certificate of "+e.Number+".",
			"ചാപിള്ള ജനനം രജിസ്റ്റർ ചെയ്യുന്നതേയുള്ളൂ, സർട്ടിഫിക്കറ്റ് നൽകുന്നില്ല: "+e.Number+"-ന് സർട്ടിഫിക്കറ്റില്ല."))
	default:
		return documents.Certificate{}, nil, domain.Errorf(domain.EINVALID, "civil: no certificate of a register entry of kind %q", e.Kind)
	}
	printed := c.certificateHead(e.Kind, number, officer, now)
	printed.RegistrationNumber, printed.RegistrationDate = e.Number, e.Registered
	printed.Fields = c.particulars(e)
	printed.Remarks = remarks(e)
	printed.Supersedes = supersedes
	return c.sealAndDraw(printed)
}

// DrawNonAvailability renders and signs a non-availability certificate of
// the event a non_availability_certificate form (values) describes,
// numbered number, issued now by officer. Like DrawCertificate it writes
// nothing; the register is searched for the event when the file is
// approved, not here.
func (c *Civil) DrawNonAvailability(values map[string]string, number string, officer Officer, now time.Time) (documents.Certificate, []byte, error) {
	printed := c.certificateHead("", number, officer, now)
	printed.Fields, printed.Remarks = nonAvailabilityFields(values, c.LocalBody)
	return c.sealAndDraw(printed)
}

// certificateHead is what every certificate of a register kind ("" for
// non-availability) prints besides its particulars.
func (c *Civil) certificateHead(kind, number string, officer Officer, now time.Time) documents.Certificate {
	return documents.Certificate{
		Kind: certKind(kind), LocalBody: domain.LocalBody{Code: c.LocalBody.Code, Name: c.LocalBody.Name, Kind: c.LocalBody.Kind, District: c.LocalBody.District},
		Number: number, Issued: now, Officer: domain.Text{En: officer.Name}, OfficerTitle: officerTitle(kind),
	}
}

// sealAndDraw signs the printed record's digest with the local body's seal
// into its QR payload and draws it.
func (c *Civil) sealAndDraw(printed documents.Certificate) (documents.Certificate, []byte, error) {
	if c.Seal == nil || c.Documents == nil {
		return documents.Certificate{}, nil, domain.Errorf(domain.EINTERNAL, "civil: no seal key or document renderer")
	}
	payload, err := c.Seal.Sign(c.publicURL(), printed.Number, printed.Digest())
	if err != nil {
		return documents.Certificate{}, nil, err
	}
	printed.QR = payload.String()
	pdf, err := c.Documents.Certificate(printed)
	if err != nil {
		return documents.Certificate{}, nil, err
	}
	return printed, pdf, nil
}

// recordCertificate records a drawn certificate inside a write, after
// checking that its entry has not changed since it was drawn. extra adds
// facts to the certificate.issued event (the kiosk it was printed at).
func (c *Civil) recordCertificate(tx *store.Tx, e Entry, rec Certificate, pdf []byte, by domain.Actor, extra map[string]any) error {
	if e.ID != "" {
		now, err := getEntry(tx, e.ID)
		if err != nil {
			return err
		}
		if now.Version != e.Version {
			return domain.Errorf(domain.ECONFLICT, "The register entry %s changed while the certificate was being made; issue it again.", e.Number)
		}
		for _, old := range now.Certificates {
			var oc Certificate
			if err := tx.Get(entityCertificate, old, &oc); err != nil {
				return err
			}
			if oc.Status == StatusSuperseded && oc.SupersededBy == "" {
				oc.SupersededBy = rec.Number
				if err := tx.Put(entityCertificate, old, oc); err != nil {
					return err
				}
			}
		}
		now.Certificates = append(append([]string(nil), now.Certificates...), rec.Number)
		if err := tx.Put(entityEntry, now.ID, now); err != nil {
			return err
		}
	}
	if err := tx.PutSummedBlob(rec.PDF, pdf); err != nil {
		return err
	}
	if rec.sequence != "" {
		if err := tx.UseNumber(rec.sequence, rec.serial); err != nil {
			return err
		}
	}
	if err := tx.Put(entityCertificate, rec.Number, rec); err != nil {
		return err
	}
	facts := map[string]any{
		"kind": rec.Kind, "register_number": rec.RegisterNumber, "entry_version": rec.EntryVersion, "file": rec.File,
		"digest": rec.Digest, "pdf": rec.PDF, "key": rec.Key, "supersedes": rec.Printed.Supersedes}
	for k, v := range extra {
		facts[k] = v
	}
	return tx.Emit(by.ID, EventCertificateIssued, entityCertificate, rec.Number, facts)
}

// lastSuperseded returns the newest of the entry's certificates that a
// change superseded, which a new certificate replaces.
func lastSuperseded(tx *store.Tx, e Entry) (string, error) {
	for i := len(e.Certificates) - 1; i >= 0; i-- {
		var oc Certificate
		if err := tx.Get(entityCertificate, e.Certificates[i], &oc); err != nil {
			return "", err
		}
		if oc.Status == StatusSuperseded {
			return oc.Number, nil
		}
	}
	return "", nil
}

// supersedeOld marks the entry's current certificates superseded by a
// change; the new certificate, when issued, is filled in as their successor.
func (c *Civil) supersedeOld(tx *store.Tx, e Entry, by string, now time.Time, why domain.Text) error {
	for _, n := range e.Certificates {
		var oc Certificate
		if err := tx.Get(entityCertificate, n, &oc); err != nil {
			return err
		}
		if oc.Status != StatusCurrent {
			continue
		}
		oc.Status, oc.StatusChanged, oc.StatusReason, oc.SupersededBy = StatusSuperseded, now, why, by
		if err := tx.Put(entityCertificate, n, oc); err != nil {
			return err
		}
		if err := tx.Emit(domain.System.ID, EventCertificateSuperseded, entityCertificate, n, map[string]string{"reason": why.En}); err != nil {
			return err
		}
	}
	return nil
}

func (c *Civil) publicURL() string {
	if c.PublicURL == nil {
		return "http://127.0.0.1:8080"
	}
	return strings.TrimRight(c.PublicURL(), "/")
}

func certTitle(kind string) domain.Text {
	switch kind {
	case documents.CertBirth:
		return domain.T("Birth certificate", "ജനന സർട്ടിഫിക്കറ്റ്")
	case documents.CertDeath:
		return domain.T("Death certificate", "മരണ സർട്ടിഫിക്കറ്റ്")
	case documents.CertMarriage, documents.CertMarriageFormIV:
		return domain.T("Marriage certificate", "വിവാഹ സർട്ടിഫിക്കറ്റ്")
	}
	return domain.T("Non-availability certificate", "ലഭ്യമല്ലെന്ന സർട്ടിഫിക്കറ്റ്")
}

// formatDate writes a YYYY-MM-DD date as Kerala's offices do: 31-01-2026.
func formatDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("02-01-2006")
}

func sexName(s string) domain.Text {
	switch s {
	case "male":
		return domain.T("Male", "പുരുഷൻ")
	case "female":
		return domain.T("Female", "സ്ത്രീ")
	case "transgender":
		return domain.T("Transgender", "ട്രാൻസ്ജെൻഡർ")
	}
	return domain.Text{En: s}
}

func plain(s string) domain.Text { return domain.Text{En: s} }

func row(en, ml string, v domain.Text) documents.CertField {
	if strings.TrimSpace(v.En) == "" && strings.TrimSpace(v.Ml) == "" {
		v = domain.T("Not stated", "രേഖപ്പെടുത്തിയിട്ടില്ല")
	}
	return documents.CertField{Label: domain.T(en, ml), Value: v}
}

// particulars are the rows a certificate prints for an entry: what the
// statutory forms print, never the cause of death or the informant.
func (c *Civil) particulars(e Entry) []documents.CertField {
	v := e.Values
	switch e.Kind {
	case KindBirth:
		name := e.Name("child_name")
		if name.En == "" && name.Ml == "" {
			name = domain.T("Not named at registration", "രജിസ്ട്രേഷൻ സമയത്ത് പേരിട്ടിട്ടില്ല")
		}
		return []documents.CertField{
			row("Name", "പേര്", name),
			row("Sex", "ലിംഗം", sexName(v["sex"])),
			row("Date of birth", "ജനന തീയതി", plain(formatDate(v["date_of_birth"]))),
			row("Place of birth", "ജനന സ്ഥലം", plain(v["place_of_birth"])),
			row("Name of mother", "അമ്മയുടെ പേര്", e.Name("mother_name")),
			row("Name of father", "അച്ഛന്റെ പേര്", e.Name("father_name")),
			row("Permanent address of parents", "മാതാപിതാക്കളുടെ സ്ഥിര വിലാസം", plain(oneLine(v["permanent_address"]))),
		}
	case KindDeath:
		return []documents.CertField{
			row("Name of deceased", "മരിച്ചയാളുടെ പേര്", e.Name("deceased_name")),
			row("Sex", "ലിംഗം", sexName(v["sex"])),
			row("Age", "പ്രായം", plain(ageText(v["age_years"]))),
			row("Date of death", "മരണ തീയതി", plain(formatDate(v["date_of_death"]))),
			row("Place of death", "മരണ സ്ഥലം", plain(v["place_of_death"])),
			row("Name of mother", "അമ്മയുടെ പേര്", e.Name("mother_name")),
			row("Name of father", "അച്ഛന്റെ പേര്", e.Name("father_name")),
			row("Name of spouse", "ജീവിതപങ്കാളിയുടെ പേര്", e.Name("spouse_name")),
			row("Permanent address", "സ്ഥിര വിലാസം", plain(oneLine(v["permanent_address"]))),
		}
	case KindMarriage:
		return []documents.CertField{
			row("Name of husband", "ഭർത്താവിന്റെ പേര്", e.Name("groom_name")),
			row("Husband's date of birth", "ഭർത്താവിന്റെ ജനന തീയതി", plain(formatDate(v["groom_dob"]))),
			row("Husband's address", "ഭർത്താവിന്റെ വിലാസം", plain(oneLine(v["groom_address"]))),
			row("Name of wife", "ഭാര്യയുടെ പേര്", e.Name("bride_name")),
			row("Wife's date of birth", "ഭാര്യയുടെ ജനന തീയതി", plain(formatDate(v["bride_dob"]))),
			row("Wife's address", "ഭാര്യയുടെ വിലാസം", plain(oneLine(v["bride_address"]))),
			row("Date of marriage", "വിവാഹ തീയതി", plain(formatDate(v["date_of_marriage"]))),
			row("Place of marriage", "വിവാഹ സ്ഥലം", plain(v["place_of_marriage"])),
		}
	}
	return nil
}

func ageText(a string) string {
	if _, err := strconv.Atoi(a); err != nil || a == "" {
		return a
	}
	return a + " years"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// remarks say what changed in an entry since it was first registered, as
// the register's remarks column does.
func remarks(e Entry) domain.Text {
	var en, ml []string
	for _, ch := range e.Changes {
		d := ch.At.In(domain.IST).Format("02-01-2006")
		switch ch.Kind {
		case ChangeNameIncluded:
			en = append(en, fmt.Sprintf("Name included on %s (%s).", d, ch.File))
			ml = append(ml, fmt.Sprintf("%s-ന് പേര് ചേർത്തു (%s).", d, ch.File))
		default:
			en = append(en, fmt.Sprintf("Corrected on %s (%s).", d, ch.File))
			ml = append(ml, fmt.Sprintf("%s-ന് തിരുത്തി (%s).", d, ch.File))
		}
	}
	if e.Source == "legacy" {
		en = append(en, "Entered from the register kept before ksmart.")
		ml = append(ml, "മുൻ രജിസ്റ്ററിൽ നിന്ന് ചേർത്തത്.")
	}
	return domain.Text{En: strings.Join(en, " "), Ml: strings.Join(ml, " ")}
}

func nonAvailabilityFields(v map[string]string, lb domain.LocalBody) ([]documents.CertField, domain.Text) {
	ev := domain.T("Birth", "ജനനം")
	if v["event"] == KindDeath {
		ev = domain.T("Death", "മരണം")
	}
	fields := []documents.CertField{
		row("Event searched for", "തിരഞ്ഞ സംഭവം", ev),
		row("Name", "പേര്", domain.Text{En: v["person_name_en"], Ml: v["person_name_ml"]}),
		row("Date of event", "സംഭവ തീയതി", plain(formatDate(v["date_of_event"]))),
		row("Place of event", "സംഭവ സ്ഥലം", plain(v["place_of_event"])),
		row("Name of mother", "അമ്മയുടെ പേര്", domain.Text{En: v["mother_name_en"], Ml: v["mother_name_ml"]}),
		row("Name of father", "അച്ഛന്റെ പേര്", domain.Text{En: v["father_name_en"], Ml: v["father_name_ml"]}),
	}
	return fields, domain.T(
		fmt.Sprintf("The register of %ss of %s was searched and this event is not registered in it.", strings.ToLower(ev.En), lb.Name.En),
		fmt.Sprintf("%s-ലെ %s രജിസ്റ്റർ പരിശോധിച്ചു; ഈ സംഭവം അതിൽ രജിസ്റ്റർ ചെയ്തിട്ടില്ല.", lb.Name.Ml, ev.Ml))
}

// CertificatePDF returns an issued certificate's PDF as issued, with its
// record, to the registrar's office; the reading is recorded. (An
// applicant gets theirs through their file.)
func (c *Civil) CertificatePDF(by domain.Actor, number string) (Certificate, []byte, error) {
	if err := canReadRegisters(by); err != nil {
		return Certificate{}, nil, err
	}
	var rec Certificate
	var pdf []byte
	err := c.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityCertificate, number, &rec); err != nil {
			return err
		}
		b, err := tx.Blob(rec.PDF)
		pdf = append([]byte(nil), b...)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return Certificate{}, nil, domain.Errorf(domain.ENOTFOUND, "There is no certificate %s.", number)
	}
	if err != nil {
		return Certificate{}, nil, err
	}
	_, err = c.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventCertificateViewed, entityCertificate, number, nil)
	})
	return rec, pdf, err
}

// Certificates returns the certificates issued from an entry, oldest first.
func (c *Civil) Certificates(e Entry) ([]Certificate, error) {
	out := make([]Certificate, 0, len(e.Certificates))
	err := c.Store.View(func(tx *store.Tx) error {
		for _, n := range e.Certificates {
			var rec Certificate
			if err := tx.Get(entityCertificate, n, &rec); err != nil {
				return err
			}
			out = append(out, rec)
		}
		return nil
	})
	return out, err
}

// Particulars are the rows a certificate of the entry would print now.
func (c *Civil) Particulars(e Entry) []documents.CertField { return c.particulars(e) }

// Revoke withdraws a certificate, e.g. when a court cancels the
// registration: its verification then says so, with the reason. Only the
// registrar may revoke.
func (c *Civil) Revoke(by domain.Actor, number, reason string) (Certificate, error) {
	if !by.Has(domain.RoleRegistrar) {
		return Certificate{}, domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the registrar may revoke a certificate.", "രജിസ്ട്രാർക്ക് മാത്രമേ സർട്ടിഫിക്കറ്റ് റദ്ദാക്കാനാകൂ."))
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 10 || len(reason) > 1000 {
		return Certificate{}, &domain.Error{Code: domain.EINVALID, Message: "Give the reason for revoking (at least 10 characters); anyone verifying the certificate will read it.",
			Fields: map[string]domain.Text{"reason": domain.T("Give the reason (at least 10 characters).", "കാരണം നൽകുക (കുറഞ്ഞത് 10 അക്ഷരം).")}}
	}
	var out Certificate
	_, err := c.Store.Write(func(tx *store.Tx) error {
		if err := tx.Get(entityCertificate, number, &out); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return domain.Errorf(domain.ENOTFOUND, "There is no certificate %s.", number)
			}
			return err
		}
		if out.Status == StatusRevoked {
			return domain.Errorf(domain.ECONFLICT, "Certificate %s is already revoked.", number)
		}
		out.Status, out.StatusChanged, out.StatusReason = StatusRevoked, c.Now(), domain.Text{En: reason, Ml: reason}
		if err := tx.Put(entityCertificate, number, out); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventCertificateRevoked, entityCertificate, number, map[string]string{"reason": reason})
	})
	return out, err
}

// Verification is the answer to "is this certificate genuine and current?"
type Verification struct {
	Number string
	// Found: this local body issued a certificate with this number.
	Found       bool
	Certificate Certificate
	// Checked says whether a QR payload was checked (signature and digest),
	// or only the number was looked up.
	Checked bool
	// Problem, when set, says plainly why the certificate must not be
	// trusted; the verification page shows it first.
	Problem domain.Text
	// OtherBody is the local body code of a number issued elsewhere.
	OtherBody string
}

// Genuine reports whether the certificate is one this body issued, its
// code (if given) checks, and it is current.
func (v Verification) Genuine() bool {
	return v.Found && v.Problem == (domain.Text{}) && v.Certificate.Status == StatusCurrent
}

// ShowsParticulars reports whether the answer may show what the
// certificate printed: only to someone holding it, whose QR code checked.
// Certificate numbers run in order, so a number alone must not open a
// person's particulars to anyone who counts through them; it gets the
// status and the date of issue.
func (v Verification) ShowsParticulars() bool {
	return v.Found && v.Checked && v.Problem == (domain.Text{})
}

// Verify looks up a certificate by number and, when the QR code's query
// (d and s) is given, checks its signature and digest against the record.
// It never fails for bad input: what is wrong is the answer.
func (c *Civil) Verify(number, digest, signature string) (Verification, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	v := Verification{Number: number}
	if !seal.ValidNumber(number) {
		v.Problem = domain.T("This is not a certificate number. A certificate number looks like "+c.LocalBody.Code+"-BC-2026-12.",
			"ഇതൊരു സർട്ടിഫിക്കറ്റ് നമ്പറല്ല. സർട്ടിഫിക്കറ്റ് നമ്പർ "+c.LocalBody.Code+"-BC-2026-12 പോലെയാണ്.")
		return v, nil
	}
	if code, _, _ := strings.Cut(number, "-"); code != c.LocalBody.Code {
		v.OtherBody = code
		v.Problem = domain.T(
			fmt.Sprintf("This certificate was issued by another local body (%s), not by %s. Verify it at that local body's site or on the state portal.", code, c.LocalBody.Name.En),
			fmt.Sprintf("ഈ സർട്ടിഫിക്കറ്റ് നൽകിയത് മറ്റൊരു തദ്ദേശ സ്ഥാപനമാണ് (%s), %s അല്ല. ആ സ്ഥാപനത്തിന്റെ സൈറ്റിലോ സംസ്ഥാന പോർട്ടലിലോ പരിശോധിക്കുക.", code, c.LocalBody.Name.Ml))
		return v, nil
	}
	err := c.records().View(func(tx *store.Tx) error { return tx.Get(entityCertificate, number, &v.Certificate) })
	if errors.Is(err, store.ErrNotFound) {
		v.Problem = domain.T(
			fmt.Sprintf("%s has issued no certificate with the number %s. The certificate is not genuine, or the number was misread.", c.LocalBody.Name.En, number),
			fmt.Sprintf("%s %s എന്ന നമ്പറിൽ സർട്ടിഫിക്കറ്റ് നൽകിയിട്ടില്ല. സർട്ടിഫിക്കറ്റ് യഥാർത്ഥമല്ല, അല്ലെങ്കിൽ നമ്പർ തെറ്റി വായിച്ചു.", c.LocalBody.Name.Ml, number))
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.Found = true
	if digest == "" && signature == "" {
		return v, nil
	}
	v.Checked = true
	p, err := seal.Parse("/verify/" + number + "?d=" + digest + "&s=" + signature)
	if err == nil {
		var pub ed25519.PublicKey
		if pub, err = c.signingKey(v.Certificate.Key); err == nil {
			err = p.Verify(pub)
		}
	}
	if err == nil {
		sum, _ := hex.DecodeString(v.Certificate.Digest)
		var full [32]byte
		copy(full[:], sum)
		err = p.Matches(full)
	}
	if err != nil {
		v.Problem = domain.T(
			"The code on this certificate is not the one "+c.LocalBody.Name.En+" signed: it was altered or forged. Do not accept the certificate; ask the holder to have it checked at the office.",
			"ഈ സർട്ടിഫിക്കറ്റിലെ കോഡ് "+c.LocalBody.Name.Ml+" ഒപ്പിട്ടതല്ല: അത് മാറ്റം വരുത്തിയതോ വ്യാജമോ ആണ്. സർട്ടിഫിക്കറ്റ് സ്വീകരിക്കരുത്; ഓഫീസിൽ പരിശോധിപ്പിക്കാൻ ആവശ്യപ്പെടുക.")
	}
	return v, nil
}

// records is where Verify reads: Records when set, else the store.
func (c *Civil) records() store.Viewer {
	if c.Records != nil {
		return c.Records
	}
	return c.Store
}

// signingKey returns the seal public key with the fingerprint a
// certificate record names: the current key, or one the local body had
// before (EntitySealPublic). A record without a fingerprint is checked with
// the current key.
func (c *Civil) signingKey(fingerprint string) (ed25519.PublicKey, error) {
	if c.Seal != nil && (fingerprint == "" || fingerprint == seal.Fingerprint(c.Seal.Public())) {
		return c.Seal.Public(), nil
	}
	if c.SealKeys != nil {
		if pub := c.SealKeys(fingerprint); pub != nil {
			return pub, nil
		}
	}
	var k SealKey
	if err := c.records().View(func(tx *store.Tx) error { return tx.Get(EntitySealPublic, fingerprint, &k) }); err != nil {
		return nil, fmt.Errorf("seal key %q: %w", fingerprint, err)
	}
	_, pub, err := seal.ParsePublic([]byte(k.PublicKey))
	if err != nil {
		return nil, err
	}
	if seal.Fingerprint(pub) != fingerprint {
		return nil, fmt.Errorf("the seal key kept under %q has the fingerprint %s", fingerprint, seal.Fingerprint(pub))
	}
	return pub, nil
}

// RecordDigest recomputes a printed record's digest, for checks.
func RecordDigest(c documents.Certificate) string {
	d := c.Digest()
	return hex.EncodeToString(d[:])
}
