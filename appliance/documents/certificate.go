package documents

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"ksmart/appliance/domain"
)

// Certificate kinds.
const (
	CertBirth    = "birth"
	CertDeath    = "death"
	CertMarriage = "marriage"
	// CertMarriageFormIV is the certificate of marriage as rule 11(1) of
	// the Kerala Registration of Marriages (Common) Rules, 2008 has it
	// issued: in Form No. IV. CertMarriage is the same certificate as it
	// was drawn before it printed its form and rule, kept so that those
	// issued then still draw again byte for byte.
	CertMarriageFormIV  = "marriage_form_iv"
	CertNonAvailability = "non_availability" // Field rows say which event (birth or death) was searched for
	// A trade licence, and one the law granted when the office did not
	// decide in time: RegistrationNumber is the licence's number,
	// RegistrationDate the day it was granted.
	CertTradeLicence  = "trade_licence"
	CertDeemedLicence = "deemed_licence"
)

// Certificate is everything a certificate prints. Its canonical JSON (see
// Digest) is what the QR's signature covers.
type Certificate struct {
	Kind               string           `json:"kind"`
	LocalBody          domain.LocalBody `json:"local_body"`          // Digest ignores Wards: only Code, Name, Kind, District count
	Number             string           `json:"number"`              // the certificate's own number, e.g. "DEMO01-BC-2026-12"; what /verify/<number> takes
	RegistrationNumber string           `json:"registration_number"` // e.g. "B-12/2026"; "" for non-availability
	RegistrationDate   time.Time        `json:"registration_date,omitzero"`
	Issued             time.Time        `json:"issued"`        // date of issue; also the PDF's dates
	Officer            domain.Text      `json:"officer"`       // the issuing officer's name
	OfficerTitle       domain.Text      `json:"officer_title"` // e.g. Registrar of Births and Deaths
	Fields             []CertField      `json:"fields"`        // the rows, in order
	Remarks            domain.Text      `json:"remarks,omitzero"`
	Supersedes         string           `json:"supersedes,omitempty"` // number of the certificate this one replaces (after a correction); printed as a remark
	QR                 string           `json:"-"`                    // the signed verification URL; drawn as the QR code; not part of the digest
}

// CertField is one labelled row of a certificate.
type CertField struct {
	Label domain.Text `json:"label"`
	Value domain.Text `json:"value"` // a value may be English only (e.g. a date) or a name in both scripts
}

// certNumber is what a certificate number may hold: it is a path segment of
// /verify/<number>.
var certNumber = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Validate reports every problem with the certificate's data at once, as an
// EINVALID *domain.Error naming each. It does not ask for QR, which is made
// (signed) from the Digest of a valid certificate; Renderer.Certificate does.
func (c Certificate) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if _, ok := certKinds[c.Kind]; !ok {
		add("kind must be one of %s, %s, %s, %s or %s, not %q", CertBirth, CertDeath, CertMarriageFormIV, CertMarriage, CertNonAvailability, c.Kind)
	}
	switch {
	case strings.TrimSpace(c.Number) == "":
		add("certificate number is missing")
	case !certNumber.MatchString(c.Number):
		add("certificate number %q may hold only letters, digits, '.', '_' and '-'", c.Number)
	}
	lb := c.LocalBody
	if strings.TrimSpace(lb.Code) == "" && blank(lb.Name) && blank(lb.District) {
		add("local body is missing")
	} else {
		if strings.TrimSpace(lb.Code) == "" {
			add("local body code is missing")
		}
		if strings.TrimSpace(lb.Name.En) == "" || strings.TrimSpace(lb.Name.Ml) == "" {
			add("local body name is needed in English and Malayalam")
		}
		if strings.TrimSpace(lb.District.En) == "" {
			add("local body district is missing")
		}
	}
	if c.Kind == CertNonAvailability {
		if c.RegistrationNumber != "" || !c.RegistrationDate.IsZero() {
			add("a non-availability certificate has no registration number or date of registration")
		}
	} else {
		if strings.TrimSpace(c.RegistrationNumber) == "" {
			add("registration number is missing")
		}
		if c.RegistrationDate.IsZero() {
			add("date of registration is missing")
		}
	}
	if c.Issued.IsZero() {
		add("date of issue is missing")
	} else if !c.RegistrationDate.IsZero() && dateIST(c.RegistrationDate).After(dateIST(c.Issued)) {
		add("date of registration is after the date of issue")
	}
	if blank(c.Officer) {
		add("issuing officer's name is missing")
	}
	if blank(c.OfficerTitle) {
		add("issuing officer's designation is missing")
	}
	if len(c.Fields) == 0 {
		add("fields are missing: a certificate needs at least one row")
	}
	for i, f := range c.Fields {
		if strings.TrimSpace(f.Label.En) == "" {
			add("field %d has no English label", i+1)
		}
		if blank(f.Value) {
			add("field %d (%s) has no value", i+1, strings.TrimSpace(f.Label.En))
		}
	}
	if c.Supersedes != "" && c.Supersedes == c.Number {
		add("a certificate cannot supersede itself")
	}
	if len(problems) > 0 {
		return domain.Errorf(domain.EINVALID, "certificate: %s", strings.Join(problems, "; "))
	}
	return nil
}

// dateIST is t's calendar date in IST.
func dateIST(t time.Time) time.Time {
	y, m, d := t.In(domain.IST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, domain.IST)
}

// canonical returns c as the JSON its digest and the PDF's record hold:
// json.Marshal of c with the local body's wards left out (QR is never
// marshalled).
func (c Certificate) canonical() []byte {
	c.LocalBody.Wards = nil
	b, err := json.Marshal(c)
	if err != nil {
		// Every field is a string, a time or a struct of strings.
		panic(fmt.Sprintf("documents: marshal certificate: %v", err))
	}
	return b
}

// Digest is the SHA-256 of the certificate's canonical JSON: json.Marshal of
// the struct, without QR and without the local body's wards. The QR code's
// signature covers it with the number, so any change to what the
// certificate says changes the digest.
func (c Certificate) Digest() [32]byte {
	return sha256.Sum256(c.canonical())
}

// certKind is what differs between kinds of certificate: the form, title,
// legal basis, statutory sentence and the footer's reminder.
type certKind struct {
	form  domain.Text
	title domain.Text
	// annexure is the title of the pages that continue a certificate too
	// long for one.
	annexure  domain.Text
	law       domain.Text
	statement func(lb, district domain.Text) domain.Text
	reminder  domain.Text
}

var (
	lawBirthsDeaths = domain.T(
		"(Issued under section 12/17 of the Registration of Births and Deaths Act, 1969 and rule 8/13 of the Kerala Registration of Births and Deaths Rules, 1999)",
		"(1969-ലെ ജനന മരണ രജിസ്ട്രേഷൻ ആക്റ്റിലെ 12/17 വകുപ്പും 1999-ലെ കേരള ജനന മരണ രജിസ്ട്രേഷൻ ചട്ടങ്ങളിലെ 8/13 ചട്ടവും പ്രകാരം നൽകുന്നത്)")
	remindBirthsDeaths = domain.T("Ensure registration of every birth and death", "എല്ലാ ജനനവും മരണവും രജിസ്റ്റർ ചെയ്യുമെന്ന് ഉറപ്പാക്കുക")
)

// recordStatement is the sentence of Forms 5 and 6 (and its Malayalam) for
// a record of event (birth, death, marriage) in register.
func recordStatement(eventEn, registerEn, registerMl string) func(lb, district domain.Text) domain.Text {
	return func(lb, district domain.Text) domain.Text {
		return domain.T(
			fmt.Sprintf("This is to certify that the following information has been taken from the original record of %s which is the register %s %s of %s district of Kerala State.",
				eventEn, registerEn, lb.En, district.En),
			fmt.Sprintf("കേരള സംസ്ഥാനത്ത് %s ജില്ലയിലെ %s എന്ന തദ്ദേശ സ്ഥാപനത്തിന്റെ %s അസ്സൽ രേഖയിൽ നിന്ന് എടുത്തതാണ് താഴെപ്പറയുന്ന വിവരങ്ങൾ എന്ന് സാക്ഷ്യപ്പെടുത്തുന്നു.",
				mlOr(district), mlOr(lb), registerMl))
	}
}

// mlOr is t's Malayalam half, or its English half when it has none.
func mlOr(t domain.Text) string {
	if strings.TrimSpace(t.Ml) != "" {
		return t.Ml
	}
	return t.En
}

var certKinds = map[string]certKind{
	CertTradeLicence:  tradeLicenceKind,
	CertDeemedLicence: deemedLicenceKind,
	CertBirth: {
		form:      domain.T("Form No. 5", "ഫോറം നമ്പർ 5"),
		title:     domain.T("BIRTH CERTIFICATE", "ജനന സർട്ടിഫിക്കറ്റ്"),
		annexure:  domain.T("ANNEXURE TO THE BIRTH CERTIFICATE", "ജനന സർട്ടിഫിക്കറ്റിന്റെ അനുബന്ധം"),
		law:       lawBirthsDeaths,
		statement: recordStatement("birth", "for", "ജനന രജിസ്റ്ററിലെ"),
		reminder:  remindBirthsDeaths,
	},
	CertDeath: {
		form:      domain.T("Form No. 6", "ഫോറം നമ്പർ 6"),
		title:     domain.T("DEATH CERTIFICATE", "മരണ സർട്ടിഫിക്കറ്റ്"),
		annexure:  domain.T("ANNEXURE TO THE DEATH CERTIFICATE", "മരണ സർട്ടിഫിക്കറ്റിന്റെ അനുബന്ധം"),
		law:       lawBirthsDeaths,
		statement: recordStatement("death", "for", "മരണ രജിസ്റ്ററിലെ"),
		reminder:  remindBirthsDeaths,
	},
	CertMarriage: {
		title:    domain.T("CERTIFICATE OF REGISTRATION OF MARRIAGE", "വിവാഹ രജിസ്ട്രേഷൻ സർട്ടിഫിക്കറ്റ്"),
		annexure: domain.T("ANNEXURE TO THE CERTIFICATE OF REGISTRATION OF MARRIAGE", "വിവാഹ രജിസ്ട്രേഷൻ സർട്ടിഫിക്കറ്റിന്റെ അനുബന്ധം"),
		law: domain.T("(Issued under the Kerala Registration of Marriages (Common) Rules, 2008)",
			"(2008-ലെ കേരള വിവാഹ രജിസ്ട്രേഷൻ (പൊതു) ചട്ടങ്ങൾ പ്രകാരം നൽകുന്നത്)"),
		statement: recordStatement("marriage", "of marriages (common) for", "വിവാഹ (പൊതു) രജിസ്റ്ററിലെ"),
		reminder:  domain.T("Register every marriage", "എല്ലാ വിവാഹങ്ങളും രജിസ്റ്റർ ചെയ്യുക"),
	},
	// Rule 11(1): "A certificate of marriage shall be issued to the
	// applicant in Form No. IV appended to these Rules" (the Rules'
	// text as the Information Kerala Mission's Sanchitha publishes it,
	// sanchitha.ikm.in/node/1503).
	CertMarriageFormIV: {
		form:     domain.T("Form No. IV", "ഫോറം നമ്പർ IV"),
		title:    domain.T("CERTIFICATE OF REGISTRATION OF MARRIAGE", "വിവാഹ രജിസ്ട്രേഷൻ സർട്ടിഫിക്കറ്റ്"),
		annexure: domain.T("ANNEXURE TO THE CERTIFICATE OF REGISTRATION OF MARRIAGE", "വിവാഹ രജിസ്ട്രേഷൻ സർട്ടിഫിക്കറ്റിന്റെ അനുബന്ധം"),
		law: domain.T("(Issued under rule 11(1) of the Kerala Registration of Marriages (Common) Rules, 2008)",
			"(2008-ലെ കേരള വിവാഹ രജിസ്ട്രേഷൻ (പൊതു) ചട്ടങ്ങളിലെ 11(1) ചട്ടം പ്രകാരം നൽകുന്നത്)"),
		statement: recordStatement("marriage", "of marriages (common) for", "വിവാഹ (പൊതു) രജിസ്റ്ററിലെ"),
		reminder:  domain.T("Register every marriage", "എല്ലാ വിവാഹങ്ങളും രജിസ്റ്റർ ചെയ്യുക"),
	},
	CertNonAvailability: {
		form:     domain.T("Form No. 10", "ഫോറം നമ്പർ 10"),
		title:    domain.T("NON-AVAILABILITY CERTIFICATE", "രേഖ ലഭ്യമല്ലെന്ന സർട്ടിഫിക്കറ്റ്"),
		annexure: domain.T("ANNEXURE TO THE NON-AVAILABILITY CERTIFICATE", "രേഖ ലഭ്യമല്ലെന്ന സർട്ടിഫിക്കറ്റിന്റെ അനുബന്ധം"),
		law: domain.T(
			"(Issued under section 17 of the Registration of Births and Deaths Act, 1969 and rule 13 of the Kerala Registration of Births and Deaths Rules, 1999)",
			"(1969-ലെ ജനന മരണ രജിസ്ട്രേഷൻ ആക്റ്റിലെ 17-ാം വകുപ്പും 1999-ലെ കേരള ജനന മരണ രജിസ്ട്രേഷൻ ചട്ടങ്ങളിലെ 13-ാം ചട്ടവും പ്രകാരം നൽകുന്നത്)"),
		statement: func(lb, district domain.Text) domain.Text {
			return domain.T(
				fmt.Sprintf("This is to certify that the registers of births and deaths kept for %s of %s district of Kerala State have been searched, and that the event described below is not registered in them.",
					lb.En, district.En),
				fmt.Sprintf("കേരള സംസ്ഥാനത്ത് %s ജില്ലയിലെ %s എന്ന തദ്ദേശ സ്ഥാപനത്തിലെ ജനന മരണ രജിസ്റ്ററുകൾ പരിശോധിച്ചുവെന്നും താഴെപ്പറയുന്ന സംഭവം അവയിൽ രജിസ്റ്റർ ചെയ്തിട്ടില്ലെന്നും സാക്ഷ്യപ്പെടുത്തുന്നു.",
					mlOr(district), mlOr(lb)))
		},
		reminder: remindBirthsDeaths,
	},
}

// licenceLaw is the legal basis printed on a trade licence.
var licenceLaw = domain.T(
	"(Issued under section 447 of the Kerala Municipality Act, 1994 / the Kerala Panchayat Raj Act, 1994 and the rules for licences to trades, industries and factories made under them)",
	"(1994-ലെ കേരള മുനിസിപ്പാലിറ്റി ആക്റ്റിലെ 447-ാം വകുപ്പ് / 1994-ലെ കേരള പഞ്ചായത്ത് രാജ് ആക്റ്റ്, അവയ്ക്കു കീഴിലുള്ള ലൈസൻസ് ചട്ടങ്ങൾ എന്നിവ പ്രകാരം നൽകുന്നത്)")

// The kinds of a trade licence, in certKinds.
var (
	tradeLicenceKind = certKind{
		title:    domain.T("TRADE LICENCE", "വ്യാപാര ലൈസൻസ്"),
		annexure: domain.T("ANNEXURE TO THE TRADE LICENCE", "വ്യാപാര ലൈസൻസിന്റെ അനുബന്ധം"),
		law:      licenceLaw,
		statement: func(lb, district domain.Text) domain.Text {
			return domain.T(
				fmt.Sprintf("Licence is granted by %s, %s district, to the licensee named below to carry on the trade described at the premises below, for the period shown, subject to the Act, the rules and the conditions of the licence.", lb.En, district.En),
				fmt.Sprintf("%s ജില്ലയിലെ %s താഴെ പേരു പറയുന്ന ലൈസൻസിക്ക്, താഴെ വിവരിക്കുന്ന വ്യാപാരം താഴെ പറയുന്ന കെട്ടിടത്തിൽ, കാണിച്ച കാലയളവിലേക്ക്, ആക്റ്റിനും ചട്ടങ്ങൾക്കും ലൈസൻസ് വ്യവസ്ഥകൾക്കും വിധേയമായി നടത്താൻ ലൈസൻസ് അനുവദിക്കുന്നു.", mlOr(district), mlOr(lb)))
		},
		reminder: domain.T("Display this licence at the premises; renew it before 31 March", "ഈ ലൈസൻസ് സ്ഥാപനത്തിൽ പ്രദർശിപ്പിക്കുക; മാർച്ച് 31-ന് മുമ്പ് പുതുക്കുക"),
	}
	deemedLicenceKind = certKind{
		title:    domain.T("DEEMED TRADE LICENCE", "അനുവദിച്ചതായി കണക്കാക്കിയ വ്യാപാര ലൈസൻസ്"),
		annexure: domain.T("ANNEXURE TO THE DEEMED TRADE LICENCE", "അനുവദിച്ചതായി കണക്കാക്കിയ ലൈസൻസിന്റെ അനുബന്ധം"),
		law:      licenceLaw,
		statement: func(lb, district domain.Text) domain.Text {
			return domain.T(
				fmt.Sprintf("The application below was complete and %s, %s district, did not decide it within the time the law gives; under section 447(6) of the Kerala Municipality Act, 1994 the licence is deemed granted to the licensee named below, for the trade, premises and period shown.", lb.En, district.En),
				fmt.Sprintf("താഴെ പറയുന്ന പൂർണ്ണമായ അപേക്ഷയിൽ %s ജില്ലയിലെ %s നിയമം അനുവദിക്കുന്ന സമയത്തിനകം തീരുമാനമെടുത്തില്ല; 1994-ലെ കേരള മുനിസിപ്പാലിറ്റി ആക്റ്റിലെ 447(6) വകുപ്പ് പ്രകാരം താഴെ പേരു പറയുന്ന ലൈസൻസിക്ക് കാണിച്ച വ്യാപാരത്തിനും കെട്ടിടത്തിനും കാലയളവിനും ലൈസൻസ് അനുവദിച്ചതായി കണക്കാക്കുന്നു.", mlOr(district), mlOr(lb)))
		},
		reminder: domain.T("Display this licence at the premises; renew it before 31 March", "ഈ ലൈസൻസ് സ്ഥാപനത്തിൽ പ്രദർശിപ്പിക്കുക; മാർച്ച് 31-ന് മുമ്പ് പുതുക്കുക"),
	}
)

// statement is the certificate's statutory sentence in English and
// Malayalam, as printed under its title.
func (c Certificate) statement() domain.Text {
	k, ok := certKinds[c.Kind]
	if !ok {
		return domain.Text{}
	}
	return k.statement(c.LocalBody.Name, c.LocalBody.District)
}

// Label texts of the rows every certificate has.
var (
	labelCertNumber = domain.T("Certificate No.", "സർട്ടിഫിക്കറ്റ് നമ്പർ")
	labelRegNumber  = domain.T("Registration number", "രജിസ്ട്രേഷൻ നമ്പർ")
	labelRegDate    = domain.T("Date of registration", "രജിസ്ട്രേഷൻ തീയതി")
	labelRemarks    = domain.T("Remarks", "കുറിപ്പുകൾ")
	labelIssued     = domain.T("Date of issue", "നൽകിയ തീയതി")
)

// remarks is the Remarks row's value: the remarks, then a note of the
// certificate this one replaces, or "Nil".
func (c Certificate) remarks() domain.Text {
	r := domain.T(strings.TrimSpace(c.Remarks.En), strings.TrimSpace(c.Remarks.Ml))
	if c.Supersedes != "" {
		s := domain.T(
			"This certificate replaces certificate No. "+c.Supersedes+", which is no longer valid.",
			"ഈ സർട്ടിഫിക്കറ്റ് "+c.Supersedes+" നമ്പർ സർട്ടിഫിക്കറ്റിന് പകരമുള്ളതാണ്; അത് ഇനി സാധുവല്ല.")
		r.En = strings.TrimSpace(r.En + " " + s.En)
		r.Ml = strings.TrimSpace(r.Ml + " " + s.Ml)
	}
	if blank(r) {
		return domain.T("Nil", "ഇല്ല")
	}
	return r
}

// Geometry of a certificate's closing block (QR code, seal, signature),
// which sits above the footer; the rows must end above it.
const (
	certBlockH     = 37 * mm
	certBlockTop   = footerTop - 2*mm - certBlockH
	certCaptionX   = marginX + qrSize + 3*mm
	certCaptionW   = 44 * mm
	certSealR      = 10 * mm
	certSealX      = certCaptionX + certCaptionW + 4*mm + certSealR // centre
	certSignatureX = certSealX + certSealR + 3*mm
	certSignatureW = pageW - marginX - certSignatureX
	// certSignatureLine is how far below the block's top the signature
	// line is drawn.
	certSignatureLine = 12 * mm
)

// Certificate renders a certificate as an A4 PDF laid out like Kerala's
// forms: Government of Kerala and the local body at the head, the form,
// title and legal basis, the statutory sentence, the rows, the register
// number and date of registration, remarks and date of issue, then the QR
// code with its caption, the seal and the issuing officer's signature.
//
// A certificate is one page when its particulars fit, if need be with its
// body set smaller (down to 76%); one that does not fit even then goes on,
// at the normal size, on annexure pages (see drawCertificatePages): every
// page numbered and carrying the certificate's number, the QR code and
// signature on the last. A lawful certificate is never refused for its
// length: a word too wide for its column is broken, a long value divided
// between pages.
//
// The PDF carries c's canonical JSON and its QR payload in its XMP metadata
// (see ReadCertificate), so the same certificate drawn with the same fonts
// always gives the same bytes, every page of it, and a copy can be checked
// by drawing it again. It returns an EINVALID *domain.Error when c is
// invalid (see Validate), has no QR, or has an issuing officer whose name
// and designation would take more than half a page.
func (r *Renderer) Certificate(c Certificate) ([]byte, error) {
	f, err := r.certificateFile(c)
	if err != nil {
		return nil, err
	}
	defer f.release()
	return f.bytes(), nil
}

// certificateFile lays out and draws the certificate's pages.
func (r *Renderer) certificateFile(c Certificate) (*pdfFile, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.QR) == "" {
		return nil, domain.Errorf(domain.EINVALID, "certificate: the QR payload (the signed verification URL) is missing")
	}
	// Long particulars (a long address, several corrections in the
	// remarks) first shrink the body a step at a time, so that a
	// certificate stays one sheet while it reads comfortably; past the
	// smallest step it goes on to an annexure.
	for _, scale := range bodyScales {
		f, err := r.drawCertificate(c, scale)
		if err == nil || !errors.Is(err, errOverflow) {
			return f, err
		}
	}
	return r.drawCertificatePages(c)
}

// bodyScales are the sizes a certificate's body is tried at on one page,
// largest first.
var bodyScales = []float64{1, 0.92, 0.84, 0.76}

// errOverflow says that a certificate's rows run into its closing block.
var errOverflow = errors.New("the certificate does not fit on one page")

// drawCertificate draws the certificate on one page with its body at scale,
// or returns errOverflow.
func (r *Renderer) drawCertificate(c Certificate, scale float64) (*pdfFile, error) {
	k := certKinds[c.Kind]
	p := newPage(r.fonts)
	p.scale = scale
	fail := func(err error) (*pdfFile, error) {
		p.file(pdfInfo{}, nil).release()
		return nil, err
	}
	blockTop, err := p.closingBlockTop(c)
	if err != nil {
		return fail(err)
	}
	p.certificateHead(c, k, 1, 1)
	p.rows(c.rows())
	if p.y > blockTop {
		return fail(errOverflow)
	}
	if err := p.certificateBlock(c, blockTop); err != nil {
		return fail(err)
	}
	p.footer(k.reminder, domain.T(
		"Computer-generated certificate. Its QR code carries the local body's digital signature: scan it to verify the certificate.",
		"കമ്പ്യൂട്ടർ തയ്യാറാക്കിയ സർട്ടിഫിക്കറ്റ്. ഇതിലെ ക്യുആർ കോഡിൽ തദ്ദേശ സ്ഥാപനത്തിന്റെ ഡിജിറ്റൽ ഒപ്പുണ്ട്; സ്കാൻ ചെയ്ത് പരിശോധിക്കാം."))
	return p.file(p.certificateInfo(c, k), certificateXMP(c)), nil
}

// certificateInfo is the certificate's document information.
func (p *page) certificateInfo(c Certificate, k certKind) pdfInfo {
	return pdfInfo{Title: p.join(k.title), Author: p.join(c.LocalBody.Name), Subject: c.Number, Time: c.Issued}
}

// rows are the certificate's rows as printed: its fields, the register
// number with the date of registration, the remarks and the date of issue.
func (c Certificate) rows() []row {
	rows := make([]row, 0, len(c.Fields)+3)
	for _, f := range c.Fields {
		rows = append(rows, row{Label: f.Label, Value: f.Value})
	}
	if c.Kind != CertNonAvailability {
		rows = append(rows, row{Label: labelRegNumber, Value: plain(c.RegistrationNumber), Strong: true,
			Label2: labelRegDate, Value2: plain(formatDate(c.RegistrationDate))})
	}
	return append(rows,
		row{Label: labelRemarks, Value: c.remarks()},
		row{Label: labelIssued, Value: plain(formatDate(c.Issued))})
}

// certificateHead draws the first page's head: the certificate number and
// form (and, on a certificate of more than one page, which page this is),
// the local body, the title, the legal basis and the statutory sentence.
func (p *page) certificateHead(c Certificate, k certKind, page, pages int) {
	top := p.y
	h := p.paragraph(p.join(labelCertNumber)+": "+c.Number, styleCaption, marginX, top, contentW/2, alignLeft, grey)
	right := []string{p.join(k.form)}
	if pages > 1 {
		right = append(right, p.join(pageOf(page, pages)))
	}
	h = max(h, p.textBlock(right, styleCaption, marginX+contentW/2, top, contentW/2, alignRight, grey))
	p.y += h + 1*mm

	p.header(c.LocalBody, true)
	p.title(k.title)
	p.y += p.textBlock([]string{k.law.En, p.ml(k.law)}, styleSmall, marginX+8*mm, p.y, contentW-16*mm, alignCenter, grey)
	p.y += 3 * mm
	st := c.statement()
	p.y += p.paragraph(st.En, p.fit(styleStatement), marginX, p.y, contentW, alignLeft, black)
	if ml := p.ml(st); ml != "" {
		p.y += 1 * mm
		p.y += p.paragraph(ml, p.fit(styleStatement), marginX, p.y, contentW, alignLeft, black)
	}
	p.y += 3 * mm
}

// pageOf reads "Page 2 of 3" in both languages.
func pageOf(page, pages int) domain.Text {
	return domain.T(fmt.Sprintf("Page %d of %d", page, pages), fmt.Sprintf("ആകെ %d പേജുകളിൽ %d-ാം പേജ്", pages, page))
}

// closingBlockTop is where the closing block starts: certBlockTop, or
// higher when the issuing officer's name and designation take more lines
// than the block has room for. It refuses, naming the fields, an officer
// whose name and designation would take more than half the page.
func (p *page) closingBlockTop(c Certificate) (float64, error) {
	h := certSignatureLine + 0.5*mm + stackHeight(p.signatureLines(c))
	top := min(certBlockTop, footerTop-h)
	if top < pageH/2 {
		return 0, &domain.Error{Code: domain.EINVALID,
			Message:   "certificate: the issuing officer's name and designation are too long for the signature block; shorten them",
			MessageML: "സർട്ടിഫിക്കറ്റ്: നൽകുന്ന ഉദ്യോഗസ്ഥന്റെ പേരും പദവിയും ഒപ്പിനുള്ള സ്ഥലത്തിന് വളരെ നീളമുള്ളതാണ്; ചുരുക്കുക",
			Fields: map[string]domain.Text{
				"officer":       domain.T("The issuing officer's name is too long for the signature block.", "നൽകുന്ന ഉദ്യോഗസ്ഥന്റെ പേര് ഒപ്പിനുള്ള സ്ഥലത്തിന് വളരെ നീളമുള്ളതാണ്."),
				"officer_title": domain.T("The designation is too long for the signature block.", "പദവി ഒപ്പിനുള്ള സ്ഥലത്തിന് വളരെ നീളമുള്ളതാണ്."),
			}}
	}
	return top, nil
}

// signatureLines are the words under the signature line: what it is, the
// issuing officer's name and designation, and the local body.
func (p *page) signatureLines(c Certificate) []laidText {
	sx, sw := certSignatureX, certSignatureW
	var lines []laidText
	for _, t := range []string{"Signature of the issuing authority", p.ml(domain.T("", "സർട്ടിഫിക്കറ്റ് നൽകുന്ന അധികാരിയുടെ ഒപ്പ്"))} {
		if strings.TrimSpace(t) != "" {
			lines = append(lines, p.lay(t, styleSmall, sx, sw, alignCenter, grey))
		}
	}
	lines = append(lines, p.layBilingual(c.Officer, styleStrong, sx, sw, alignCenter, black)...)
	lines = append(lines, p.layBilingual(c.OfficerTitle, styleCaption, sx, sw, alignCenter, black)...)
	return append(lines, p.lay(c.LocalBody.Name.En, styleCaption, sx, sw, alignCenter, black))
}

// certificateBlock draws the closing block from top: the QR code with its
// caption on the left, the seal's place in the middle and the issuing
// officer's signature line, name and designation on the right.
func (p *page) certificateBlock(c Certificate, top float64) error {
	if err := p.drawQR(marginX, top, qrSize, c.QR); err != nil {
		return err
	}
	y := top + 3*mm
	y += p.textBlock([]string{"Scan to verify this certificate", p.ml(domain.T("", "ഈ സർട്ടിഫിക്കറ്റ് പരിശോധിക്കാൻ സ്കാൻ ചെയ്യുക"))},
		styleCaption, certCaptionX, y, certCaptionW, alignLeft, black)
	if site, _, _ := strings.Cut(c.QR, "?"); strings.HasPrefix(site, "http") {
		y += 1 * mm
		p.textBlock([]string{"or visit " + site}, styleSmall, certCaptionX, y, certCaptionW, alignLeft, grey)
	}

	sealY := top + certSealR + 2*mm
	p.circle(certSealX, sealY, certSealR, 0.6, light, 2)
	p.textBlock([]string{p.join(domain.T("Seal", "മുദ്ര"))}, styleCaption, certSealX-certSealR, sealY-4*mm, 2*certSealR, alignCenter, light)

	lineY := top + certSignatureLine
	sx, sw := certSignatureX, certSignatureW
	p.line(sx+6*mm, lineY, sx+sw-6*mm, lineY, 0.5, black)
	p.drawStack(p.signatureLines(c), lineY+0.5*mm)
	return nil
}
