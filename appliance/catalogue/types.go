package catalogue

import "ksmart/appliance/domain"

// Service is one citizen service as the catalogue defines it. Its JSON form
// is what the data files hold and what GET /api/v1/services lists.
type Service struct {
	// Code identifies the service in application numbers and URLs; it is
	// lower-case snake case and unique across the catalogue.
	Code string `json:"code"`
	// Abbr is the short code in application numbers (KS/M0701/2026/BC/12):
	// 2-5 capital letters or digits, unique across the catalogue.
	Abbr        string      `json:"abbr"`
	Name        domain.Text `json:"name"`
	Module      string      `json:"module"`
	Description domain.Text `json:"description,omitzero"`
	// ApplicantKinds lists who may apply (ApplicantResident, ApplicantAbroad,
	// ApplicantInstitution); empty means anyone.
	ApplicantKinds []string              `json:"applicant_kinds,omitempty"`
	Fields         []Field               `json:"fields"`
	Documents      []DocumentRequirement `json:"documents,omitempty"`
	// Steps are the workflow steps in order; the last one is the approving
	// authority.
	Steps []Step  `json:"steps"`
	Fee   FeeRule `json:"fee"`
	// TimeLimitDays is the Right to Service time limit, counted from the
	// day after submission in working days, or in calendar days where the
	// service's Act says so (see Rights).
	TimeLimitDays int `json:"time_limit_days"`
	// Rights is the service's own Right to Service notification, where it
	// differs from DefaultRTS; read it with RTS.
	Rights *RightToService `json:"rts,omitempty"`
	// Issues names the kind of document issued on approval (one of the
	// Issue constants); "" when approval issues nothing.
	Issues string `json:"issues,omitempty"`
	// VideoKYC, when set, says which applications need the applicant's
	// verified video KYC before they are taken, and who must appear on the
	// call; nil when none do.
	VideoKYC *VideoKYCNeed `json:"video_kyc,omitempty"`
}

// VideoKYCNeed is when an application needs video KYC and who must appear.
type VideoKYCNeed struct {
	// Field and Value: an application needs KYC when its Field has Value
	// (marriage_registration's applying_from is "abroad").
	Field string `json:"field"`
	Value string `json:"value"`
	// Persons are the form's name fields of everyone who must appear on
	// the call and be named by the officer (the parties, the witnesses).
	Persons []string `json:"persons"`
}

// NeedsVideoKYC reports whether an application with these values needs
// the applicant's video KYC first.
func (s Service) NeedsVideoKYC(values map[string]string) bool {
	return s.VideoKYC != nil && values[s.VideoKYC.Field] == s.VideoKYC.Value
}

// Field is one input of a service's form.
type Field struct {
	// Name is the form key. A FieldName field is submitted as two keys,
	// Name+"_en" and Name+"_ml".
	Name     string      `json:"name"`
	Label    domain.Text `json:"label"`
	Type     string      `json:"type"`
	Required bool        `json:"required,omitempty"`
	// Choices are the allowed values of a FieldChoice field.
	Choices []Choice `json:"choices,omitempty"`
	// MaxLen is the most characters (not bytes) a text-like value may have;
	// 0 means the type's default (see DefaultMaxLen).
	MaxLen int `json:"max_len,omitempty"`
	// Min and Max bound a FieldNumber value; nil means unbounded.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// DateRule restricts a FieldDate value: DatePast (today or earlier),
	// DateFuture (today or later) or "" (any real date).
	DateRule string      `json:"date_rule,omitempty"`
	Help     domain.Text `json:"help,omitzero"`
}

// Choice is one allowed value of a choice field.
type Choice struct {
	Value string      `json:"value"`
	Label domain.Text `json:"label"`
}

// DocumentRequirement is a supporting document the applicant uploads or
// produces, e.g. the registered deed for an ownership change.
type DocumentRequirement struct {
	Code     string      `json:"code"`
	Name     domain.Text `json:"name"`
	Required bool        `json:"required,omitempty"`
}

// Step is one workflow step and the office role that acts at it.
type Step struct {
	Code string      `json:"code"`
	Name domain.Text `json:"name"`
	Role domain.Role `json:"role"`
}

// FeeRule says what the applicant pays. Amount is what is collected at
// submission, in paise, always whole rupees.
type FeeRule struct {
	Kind   string       `json:"kind"`
	Amount domain.Paise `json:"amount,omitempty"`
	// Bands are the fee bands of a FeeBands rule, by how late the
	// application is; the owning module says from what date the delay is
	// counted (Basis, in words for the applicant). Bands do not overlap and
	// are listed in order. A delay outside every band is refused with
	// Outside, which says what the applicant should do instead.
	Basis   domain.Text `json:"basis,omitzero"`
	Bands   []FeeBand   `json:"bands,omitempty"`
	Outside domain.Text `json:"outside,omitzero"`
	// Pay says when the fee must be paid: PayOnApplication (before the
	// office decides) or PayBeforeIssue (before what was applied for is
	// issued; the default).
	Pay string `json:"pay,omitempty"`
	// Head is the account head the fee is income of (e.g. "140-40"); ""
	// for the finance module's default head of the service's module.
	Head string `json:"head,omitempty"`
	// Waiver, when set, is who pays nothing by law (an RTI applicant below
	// the poverty line), and the proof they must attach instead.
	Waiver *FeeWaiver `json:"waiver,omitempty"`
}

// FeeWaiver frees an application whose form Field has Value from the
// fee, by Basis; Proof is the form's document field that must then be
// attached.
type FeeWaiver struct {
	Field string      `json:"field"`
	Value string      `json:"value"`
	Proof string      `json:"proof"`
	Basis domain.Text `json:"basis"`
}

// Waived returns the rule's waiver when these form values earn it.
func (r FeeRule) Waived(values map[string]string) (FeeWaiver, bool) {
	if r.Waiver == nil || values[r.Waiver.Field] != r.Waiver.Value {
		return FeeWaiver{}, false
	}
	return *r.Waiver, true
}

// When a fee must be paid.
const (
	PayOnApplication = "on_application"
	PayBeforeIssue   = "before_issue"
)

// FeeBand is one band of a delay-banded fee: from FromDays to ToDays days
// late (both inclusive; ToDays 0 means no upper bound), the fee is Amount
// and the applicant must also produce Documents.
type FeeBand struct {
	FromDays  int                   `json:"from_days"`
	ToDays    int                   `json:"to_days,omitempty"`
	Amount    domain.Paise          `json:"amount"`
	Name      domain.Text           `json:"name"`
	Documents []DocumentRequirement `json:"documents,omitempty"`
}

// Band returns the band a delay of days falls in, or false when it falls
// in none (the application is then refused with the rule's Outside text).
func (r FeeRule) Band(days int) (FeeBand, bool) {
	for _, b := range r.Bands {
		if days >= b.FromDays && (b.ToDays == 0 || days <= b.ToDays) {
			return b, true
		}
	}
	return FeeBand{}, false
}

// Field types.
const (
	FieldText     = "text"     // one line of free text
	FieldName     = "name"     // a person's name as an English/Malayalam pair
	FieldDate     = "date"     // YYYY-MM-DD
	FieldNumber   = "number"   // a decimal number, optionally bounded
	FieldChoice   = "choice"   // one of Choices
	FieldWard     = "ward"     // a ward number of the local body
	FieldPhone    = "phone"    // an Indian mobile or an overseas number
	FieldEmail    = "email"    // an e-mail address
	FieldAddress  = "address"  // a postal address, several lines
	FieldDocument = "document" // an upload, checked by the caller
	FieldTextarea = "textarea" // several lines of free text
)

// fieldTypes lists every field type, in the order error messages name them.
var fieldTypes = []string{
	FieldText, FieldName, FieldDate, FieldNumber, FieldChoice, FieldWard,
	FieldPhone, FieldEmail, FieldAddress, FieldDocument, FieldTextarea,
}

// DefaultMaxLen returns the most characters a value of type typ may have when
// a field sets no MaxLen. For a name it is the limit of each language's part.
func DefaultMaxLen(typ string) int {
	switch typ {
	case FieldName:
		return 100
	case FieldAddress:
		return 500
	case FieldTextarea:
		return 2000
	case FieldEmail:
		return 254 // RFC 5321's limit on a forward path
	default:
		return 200
	}
}

// Date rules of a date field.
const (
	DatePast   = "past"   // today or earlier, e.g. a date of birth
	DateFuture = "future" // today or later, e.g. a booking date
)

// Fee kinds.
const (
	// FeeNone means the service is free.
	FeeNone = "none"
	// FeeFlat means Amount is collected at submission and is the whole fee.
	FeeFlat = "flat"
	// FeeComputed means the owning module computes the fee from the law's
	// rules (late-registration bands, tax, per-square-metre permit fees);
	// Amount, if set, is an application fee collected at submission.
	FeeComputed = "computed"
	// FeeBands means the fee and the documents required depend on how late
	// the application is, by the rule's Bands (late registration of a birth,
	// a death or a marriage; inclusion of a child's name).
	FeeBands = "bands"
)

// Kinds of document issued on approval.
const (
	IssueBirthCertificate     = "birth_certificate"
	IssueDeathCertificate     = "death_certificate"
	IssueMarriageCertificate  = "marriage_certificate"
	IssueNonAvailability      = "non_availability_certificate"
	IssueOccupancyCertificate = "occupancy_certificate"
	IssueCertificate          = "certificate" // any other certificate, e.g. ownership
	IssueTradeLicence         = "trade_licence"
	IssueLicence              = "licence" // a licence that is not for a trade, e.g. a pet dog
	IssuePermit               = "permit"
	IssueReceipt              = "receipt"
	IssueOrder                = "order" // a decision, e.g. a tax assessment or a refund sanction
	IssueCertifiedCopy        = "certified_copy"
	IssueReply                = "reply" // a written reply, e.g. to a grievance or an RTI request
	issueNothing              = ""
)

var issueKinds = []string{
	IssueBirthCertificate, IssueDeathCertificate, IssueMarriageCertificate,
	IssueNonAvailability, IssueOccupancyCertificate, IssueCertificate,
	IssueTradeLicence, IssueLicence, IssuePermit, IssueReceipt, IssueOrder,
	IssueCertifiedCopy, IssueReply,
	"", // approval issues nothing, e.g. an account verification
}

// Applicant kinds.
const (
	ApplicantResident    = "resident"    // a person living in India
	ApplicantAbroad      = "abroad"      // a person living abroad (non-resident Keralite)
	ApplicantInstitution = "institution" // a hospital, firm or office applying as such
)

var applicantKinds = []string{ApplicantResident, ApplicantAbroad, ApplicantInstitution}

// officeRoles are the roles that may act at a workflow step: the office's
// staff, never a citizen, kiosk or auditor.
var officeRoles = []domain.Role{
	domain.RoleFrontOffice, domain.RoleSectionClerk, domain.RoleHeadClerk,
	domain.RoleRevenueInspector, domain.RoleHealthInspector, domain.RoleOverseer,
	domain.RoleAssistantEngineer, domain.RoleRegistrar, domain.RoleSecretary,
	domain.RoleAccountant, domain.RoleCashier,
}

// DocumentFields returns the service's upload fields. Validate skips them;
// the caller checks that each required upload is present and sound.
func (s Service) DocumentFields() []Field {
	var out []Field
	for _, f := range s.Fields {
		if f.Type == FieldDocument {
			out = append(out, f)
		}
	}
	return out
}

// Approver returns the role of the last workflow step, the authority that
// approves the service.
func (s Service) Approver() domain.Role {
	if len(s.Steps) == 0 {
		return ""
	}
	return s.Steps[len(s.Steps)-1].Role
}
