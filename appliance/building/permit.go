package building

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/seal"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Permit is one entry of the register of building permits.
type Permit struct {
	Number      string      `json:"number"` // "DEMO01-BP-2026-7", also what /verify takes
	File        string      `json:"file"`   // the application's number
	FileID      string      `json:"file_id"`
	Service     string      `json:"service"`
	LowRisk     bool        `json:"low_risk"`
	Owner       domain.Text `json:"owner"`
	OwnerUserID string      `json:"owner_user_id,omitempty"`
	Phone       string      `json:"phone,omitempty"`
	Address     string      `json:"address,omitempty"`
	Ward        int         `json:"ward"`
	Survey      string      `json:"survey_number"`
	Village     string      `json:"village"`
	Work        string      `json:"work,omitempty"`
	Plan        Plan        `json:"plan"`
	Checks      []Check     `json:"checks"`
	// Relaxed are the checks the plan failed that the secretary relaxed.
	Relaxed    []Check      `json:"relaxed,omitempty"`
	Fee        domain.Paise `json:"fee_paise"`
	Granted    time.Time    `json:"granted"`
	ValidUntil time.Time    `json:"valid_until"`
	Renewals   int          `json:"renewals"`
	Status     string       `json:"status"`
	// Commenced is the date the work began, as its holder reported it.
	Commenced string `json:"commenced,omitempty"`
	// Documents are the numbers of what was printed for it: the permit,
	// each renewal, the occupancy certificate.
	Documents []string   `json:"documents,omitempty"`
	Occupancy *Occupancy `json:"occupancy,omitempty"`
}

// Occupancy is a permitted building's occupancy certificate and the
// number the property tax register gave it.
type Occupancy struct {
	Number         string    `json:"number"` // the certificate's
	File           string    `json:"file"`
	CompletedOn    string    `json:"completed_on"`
	FloorArea      Centi     `json:"floor_area"`
	BuildingNumber string    `json:"building_number"`
	Certified      time.Time `json:"certified"`
}

// Permit statuses.
const (
	StatusGranted   = "granted"   // approved; printed once its fees are paid
	StatusIssued    = "issued"    // printed and in force until ValidUntil
	StatusOccupied  = "occupied"  // completed and certified for occupancy
	StatusCancelled = "cancelled" // e.g. on a false declaration
)

// PermitStatusName is a permit's status as a person reads it.
func PermitStatusName(status string) domain.Text {
	switch status {
	case StatusGranted:
		return domain.T("granted, fee not yet paid", "അനുവദിച്ചു, ഫീസ് അടച്ചിട്ടില്ല")
	case StatusIssued:
		return domain.T("issued", "നൽകി")
	case StatusOccupied:
		return domain.T("occupancy certified", "ഒക്യുപൻസി സാക്ഷ്യപ്പെടുത്തി")
	case StatusCancelled:
		return domain.T("cancelled", "റദ്ദാക്കി")
	}
	return domain.T(status, status)
}

// Expired reports whether an issued permit's validity has run out.
func (p Permit) Expired(now time.Time) bool {
	return p.Status == StatusIssued && now.After(p.ValidUntil)
}

// Permit reads a permit by its number.
func (m *Permits) Permit(number string) (Permit, error) {
	var p Permit
	err := m.Store.View(func(tx *store.Tx) error { return tx.Get(entityPermit, strings.ToUpper(strings.TrimSpace(number)), &p) })
	if errors.Is(err, store.ErrNotFound) {
		return p, domain.Bilingual(domain.ENOTFOUND, domain.T("There is no permit "+number+".", number+" എന്ന പെർമിറ്റ് ഇല്ല."))
	}
	return p, err
}

// permitFor reads the permit an application names, refusing it field by
// field when there is none, it is not the applicant's, it is not issued,
// or its validity ended before since.
func (m *Permits) permitFor(number string, by domain.Actor, since time.Time) (Permit, error) {
	p, err := m.Permit(number)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return p, fieldErr("permit_number", domain.T(fmt.Sprintf("There is no permit %s. Give the number printed on the permit (e.g. %s-BP-2026-7).", number, m.LocalBody.Code),
				fmt.Sprintf("%s എന്ന പെർമിറ്റ് ഇല്ല. പെർമിറ്റിൽ അച്ചടിച്ച നമ്പർ നൽകുക.", number)))
		}
		return p, err
	}
	if by.Has(domain.RoleCitizen) && p.OwnerUserID != "" && p.OwnerUserID != by.ID {
		return p, fieldErr("permit_number", domain.T("Permit "+p.Number+" was granted to someone else; only its holder may apply on it.", p.Number+" എന്ന പെർമിറ്റ് മറ്റൊരാൾക്കാണ്."))
	}
	switch {
	case p.Status == StatusGranted:
		return p, fieldErr("permit_number", domain.T("Permit "+p.Number+" is granted but not issued yet: pay its fee first.", p.Number+" എന്ന പെർമിറ്റ് ഇതുവരെ നൽകിയിട്ടില്ല: ഫീസ് അടയ്ക്കുക."))
	case p.Status == StatusOccupied:
		return p, fieldErr("permit_number", domain.T("The building of permit "+p.Number+" has its occupancy certificate already ("+p.Occupancy.Number+").", p.Number+" എന്ന പെർമിറ്റിലെ കെട്ടിടത്തിന് ഒക്യുപൻസി സർട്ടിഫിക്കറ്റ് ഇതിനകം നൽകി."))
	case p.Status == StatusCancelled:
		return p, fieldErr("permit_number", domain.T("Permit "+p.Number+" is cancelled.", p.Number+" എന്ന പെർമിറ്റ് റദ്ദാക്കിയതാണ്."))
	case since.After(p.ValidUntil):
		return p, fieldErr("permit_number", domain.T(fmt.Sprintf("Permit %s was valid until %s; renew it first.", p.Number, p.ValidUntil.In(domain.IST).Format("02-01-2006")),
			fmt.Sprintf("%s എന്ന പെർമിറ്റിന്റെ കാലാവധി %s-ന് അവസാനിച്ചു; ആദ്യം പുതുക്കുക.", p.Number, p.ValidUntil.In(domain.IST).Format("02-01-2006"))))
	}
	return p, nil
}

// occupancyTolerance is how far the completed floor area may exceed the
// permitted one and still be certified as built to the permit: a
// twentieth. Beyond it the owner needs a revised permit or
// regularisation.
const occupancyTolerance = 5

// completedArea reads the completed floor area, refusing one beyond the
// permit's tolerance, and asking for the deviations when it differs.
func (m *Permits) completedArea(p Permit, v map[string]string) (Centi, error) {
	f, _ := strconv.ParseFloat(v["built_up_area_sqm"], 64)
	built := centi(f)
	if most := Centi(int64(p.Plan.FloorArea) * (100 + occupancyTolerance) / 100); built > most {
		return 0, fieldErr("built_up_area_sqm", domain.T(fmt.Sprintf("The building has %s m², more than the %s m² permit %s allows (up to %s m² is certified as built to it). Apply for regularisation of the excess first.", built, p.Plan.FloorArea, p.Number, most),
			fmt.Sprintf("കെട്ടിടം %s ച.മീ. ആണ്; %s എന്ന പെർമിറ്റ് അനുവദിച്ചത് %s ച.മീ. ആദ്യം അധിക ഭാഗം ക്രമവൽക്കരിക്കുക.", built, p.Number, p.Plan.FloorArea)))
	}
	if built != p.Plan.FloorArea && len(strings.TrimSpace(v["deviations"])) < 5 {
		return 0, fieldErr("deviations", domain.T(fmt.Sprintf("The building's %s m² differs from the permitted %s m²: describe the deviations.", built, p.Plan.FloorArea),
			fmt.Sprintf("കെട്ടിടം (%s ച.മീ.) അനുവദിച്ചതിൽ (%s ച.മീ.) നിന്ന് വ്യത്യസ്തമാണ്: വ്യതിയാനങ്ങൾ വിവരിക്കുക.", built, p.Plan.FloorArea)))
	}
	return built, nil
}

// Prepare applies a decision on a file, or prints what it issues. It
// implements workflow.Rules.
func (m *Permits) Prepare(pr workflow.Preparing) (workflow.Apply, error) {
	switch pr.Kind {
	case workflow.KindApproved:
		switch pr.File.Service {
		case SvcPermit, SvcLowRisk:
			return m.prepareGrant(pr)
		case SvcOccupancy:
			return m.prepareOccupancy(pr)
		case SvcRenewal:
			return m.prepareRenewal(pr)
		}
	case workflow.KindIssued:
		return m.prepareIssue(pr)
	}
	return nil, nil
}

// prepareGrant grants a permit on the secretary's approval: for a permit
// on the engineer's verified figures once the overseer has inspected the
// site, relaxing what the applicant asked relaxed; for a low-risk permit
// on the figures as self-certified. The permit fee is demanded in the
// same write (a low-risk permit's was demanded on applying).
func (m *Permits) prepareGrant(pr workflow.Preparing) (workflow.Apply, error) {
	f := pr.File
	plan := m.planOf(f.Values)
	var res Result
	var err error
	if f.Service == SvcPermit {
		var insp []Inspection
		var rep Report
		err := m.Store.View(func(tx *store.Tx) (err error) {
			if insp, err = inspectionsIn(tx, f.ID); err != nil {
				return err
			}
			err = tx.Get(entityReport, f.ID, &rep)
			if errors.Is(err, store.ErrNotFound) {
				return domain.Bilingual(domain.ECONFLICT, domain.T("The assistant engineer's scrutiny report is not on the file yet; a permit is decided on it.", "അസിസ്റ്റന്റ് എഞ്ചിനീയറുടെ പരിശോധനാ റിപ്പോർട്ട് ഫയലിൽ ഇല്ല."))
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(insp) == 0 {
			return nil, domain.Bilingual(domain.ECONFLICT, domain.T("The overseer's site inspection is not on the file yet; a permit is decided after it.", "ഓവർസിയറുടെ സ്ഥല പരിശോധന ഫയലിൽ ഇല്ല."))
		}
		plan, res = rep.Plan, rep.Result
	} else if res, err = m.Rules.Scrutinise(plan); err != nil {
		return nil, err
	}
	var relaxed []Check
	if !res.Pass {
		if f.Service != SvcPermit || f.Values["relaxation"] != "yes" {
			list := res.FailingList()
			return nil, domain.Bilingual(domain.ECONFLICT, domain.T("The plan fails these rules and no relaxation was asked for: "+list.En+". Refuse the application with these reasons.",
				"പ്ലാൻ ഈ ചട്ടങ്ങൾ പാലിക്കുന്നില്ല, ഇളവ് ചോദിച്ചിട്ടുമില്ല: "+list.Ml+". ഈ കാരണങ്ങളോടെ അപേക്ഷ നിരസിക്കുക."))
		}
		if len(strings.TrimSpace(pr.Note)) < 10 {
			return nil, fieldErr("note", domain.T("Granting a relaxation of "+res.FailingList().En+": record the reasons in the note (at least 10 characters).", "ഇളവ് അനുവദിക്കുന്നതിന്റെ കാരണം കുറിപ്പിൽ രേഖപ്പെടുത്തുക."))
		}
		relaxed = res.Failing()
	}
	if m.Finance == nil && res.Fee > 0 && f.Service == SvcPermit {
		return nil, errors.New("building: no finance module to demand the permit fee")
	}
	year := pr.Now.In(domain.IST).Year()
	seq := fmt.Sprintf("permit/%s/%d", m.LocalBody.Code, year)
	n, err := m.Store.Reserve(seq)
	if err != nil {
		return nil, err
	}
	v := f.Values
	permit := Permit{Number: fmt.Sprintf("%s-BP-%d-%d", m.LocalBody.Code, year, n), File: f.Number, FileID: f.ID, Service: f.Service, LowRisk: f.Service == SvcLowRisk,
		Owner: domain.T(v["owner_name_en"], v["owner_name_ml"]), Phone: v["phone"], Address: v["owner_address"], Ward: f.Ward,
		Survey: v["survey_number"], Village: v["village"], Work: v["work"], Plan: plan, Checks: res.Checks, Relaxed: relaxed, Fee: res.Fee,
		Granted: pr.Now, ValidUntil: pr.Now.AddDate(m.Rules.Validity.Years, 0, 0), Status: StatusGranted}
	if f.Channel == workflow.ChannelOnline {
		permit.OwnerUserID = f.Applicant.UserID
	}
	return func(tx *store.Tx, f *workflow.File) error {
		if err := tx.UseNumber(seq, n); err != nil {
			return err
		}
		if err := tx.Put(entityPermit, permit.Number, permit); err != nil {
			return err
		}
		if err := tx.ClaimKey(indexByFile, f.ID, permit.Number); err != nil {
			return err
		}
		if f.Service == SvcPermit && permit.Fee > 0 {
			d := &finance.Demand{Payer: finance.Payer{UserID: f.Applicant.UserID, Name: f.Applicant.Name, Phone: f.Applicant.Phone},
				Ref:  finance.Ref{Kind: "file", ID: f.ID, Number: f.Number, Title: f.ServiceName},
				Head: m.Finance.HeadOf(m.Workflow.Service(*f)), Amount: permit.Fee, Raised: pr.Now, Due: f.Due,
				Note: domain.T(fmt.Sprintf("Permit fee for permit %s: %s m² at Rs %d a m²", permit.Number, plan.FloorArea, res.FeeRate),
					fmt.Sprintf("%s പെർമിറ്റിന്റെ ഫീസ്: %s ച.മീ., ച.മീ.-ന് %d രൂപ", permit.Number, plan.FloorArea, res.FeeRate))}
			if err := m.Finance.RaiseIn(tx, d, pr.By); err != nil {
				return err
			}
		}
		f.Record = permit.Number
		return tx.Emit(pr.By.ID, EventPermitGranted, entityPermit, permit.Number, permit)
	}, nil
}

// prepareOccupancy certifies a completed building on the secretary's
// approval, after the overseer's inspection: the building is handed to the
// property tax register, which gives it its number and demands its tax, in
// the same write.
func (m *Permits) prepareOccupancy(pr workflow.Preparing) (workflow.Apply, error) {
	f := pr.File
	v := f.Values
	if m.PropertyTax == nil {
		return nil, errors.New("building: no property tax register to hand the building to")
	}
	var insp []Inspection
	if err := m.Store.View(func(tx *store.Tx) (err error) { insp, err = inspectionsIn(tx, f.ID); return err }); err != nil {
		return nil, err
	}
	if len(insp) == 0 {
		return nil, domain.Bilingual(domain.ECONFLICT, domain.T("The overseer's inspection of the completed building is not on the file yet.", "പൂർത്തിയായ കെട്ടിടത്തിന്റെ ഓവർസിയർ പരിശോധന ഫയലിൽ ഇല്ല."))
	}
	p, err := m.permitFor(v["permit_number"], domain.Actor{}, pr.Now)
	if err != nil {
		return nil, err
	}
	built, err := m.completedArea(p, v)
	if err != nil {
		return nil, err
	}
	completed, err := time.ParseInLocation(time.DateOnly, v["completed_on"], domain.IST)
	if err != nil {
		return nil, fieldErr("completed_on", domain.T("Give the date of completion.", "പൂർത്തിയായ തീയതി നൽകുക."))
	}
	year := pr.Now.In(domain.IST).Year()
	seq := fmt.Sprintf("occupancy/%s/%d", m.LocalBody.Code, year)
	n, err := m.Store.Reserve(seq)
	if err != nil {
		return nil, err
	}
	number := fmt.Sprintf("%s-OC-%d-%d", m.LocalBody.Code, year, n)
	owner := propertytax.Owner{Name: p.Owner, Share: 100, Phone: p.Phone, Address: domain.T(p.Address, ""), UserID: p.OwnerUserID}
	handed := propertytax.Completed{Ward: p.Ward, Owner: owner, Occupancy: orDefault(v["occupied_by"], "owner"), Floors: taxFloors(p.Plan, built),
		PlotArea: propertytax.Area(p.Plan.PlotArea), Road: orDefault(v["road"], "other_road"), Construction: orDefault(roofs[v["roof_type"]], "rcc"),
		Address: domain.T(p.Address, ""), SurveyNumber: p.Survey, CompletedOn: completed}
	return func(tx *store.Tx, f *workflow.File) error {
		if err := tx.UseNumber(seq, n); err != nil {
			return err
		}
		var cur Permit
		if err := tx.Get(entityPermit, p.Number, &cur); err != nil {
			return err
		}
		if cur.Status != StatusIssued {
			return domain.Bilingual(domain.ECONFLICT, domain.T("Permit "+p.Number+" is "+cur.Status+" now; it cannot be certified.", p.Number+" എന്ന പെർമിറ്റിന് ഇപ്പോൾ സർട്ടിഫിക്കറ്റ് നൽകാനാകില്ല."))
		}
		b, err := m.PropertyTax.RegisterCompleted(tx, handed, pr.By, f)
		if err != nil {
			return err
		}
		cur.Status = StatusOccupied
		cur.Occupancy = &Occupancy{Number: number, File: f.Number, CompletedOn: v["completed_on"], FloorArea: built, BuildingNumber: b.Number, Certified: pr.Now}
		if err := tx.Put(entityPermit, cur.Number, cur); err != nil {
			return err
		}
		if err := tx.ClaimKey(indexByFile, f.ID, cur.Number); err != nil {
			return err
		}
		f.Record = cur.Number
		f.Values["building_number"] = b.Number
		return tx.Emit(pr.By.ID, EventOccupancyCertified, entityPermit, cur.Number, map[string]any{"permit": cur.Number, "certificate": number, "file": f.Number, "building_number": b.Number, "floor_area": built})
	}, nil
}

// roofs maps the form's roof to the tax register's construction.
var roofs = map[string]string{"concrete": "rcc", "tiled": "tiled", "sheet": "sheet", "thatched": "thatched"}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// taxUses are the tax register's uses of each occupancy group.
var taxUses = map[string]string{"a1_residential": "residential", "a2_special_residential": "lodging", "b_educational": "educational",
	"c_medical": "hospital", "d_assembly": "commercial", "e_office": "office", "f_mercantile": "commercial", "g_industrial": "industrial", "h_storage": "commercial"}

// taxFloors spreads the completed floor area over the permitted floors,
// the ground floor taking what does not divide evenly.
func taxFloors(plan Plan, built Centi) []propertytax.Floor {
	n := max(plan.Floors, 1)
	each := int64(built) / int64(n)
	floors := make([]propertytax.Floor, n)
	for i := range floors {
		floors[i] = propertytax.Floor{Level: i, Use: taxUses[plan.Use], Area: propertytax.Area(each)}
	}
	floors[0].Area += propertytax.Area(int64(built) - each*int64(n))
	return floors
}

// prepareRenewal extends a permit's validity on approval.
func (m *Permits) prepareRenewal(pr workflow.Preparing) (workflow.Apply, error) {
	number := strings.ToUpper(strings.TrimSpace(pr.File.Values["permit_number"]))
	return func(tx *store.Tx, f *workflow.File) error {
		var p Permit
		if err := tx.Get(entityPermit, number, &p); err != nil {
			return err
		}
		if p.Status != StatusIssued || p.Renewals >= m.Rules.Validity.Renewals {
			return domain.Bilingual(domain.ECONFLICT, domain.T("Permit "+p.Number+" cannot be renewed now.", p.Number+" എന്ന പെർമിറ്റ് ഇപ്പോൾ പുതുക്കാനാകില്ല."))
		}
		from := p.ValidUntil
		if pr.Now.After(from) {
			from = pr.Now
		}
		p.ValidUntil, p.Renewals = from.AddDate(m.Rules.Validity.RenewalYears, 0, 0), p.Renewals+1
		if err := tx.Put(entityPermit, p.Number, p); err != nil {
			return err
		}
		f.Record = p.Number
		return tx.Emit(pr.By.ID, EventPermitRenewed, entityPermit, p.Number, map[string]any{"file": f.Number, "valid_until": p.ValidUntil, "renewals": p.Renewals})
	}, nil
}

// Document is a permit, a renewal or an occupancy certificate as printed
// and signed: what /verify shows to someone holding it.
type Document struct {
	Number  string                `json:"number"`
	Kind    string                `json:"kind"` // permit, renewal, occupancy
	Permit  string                `json:"permit"`
	File    string                `json:"file"`
	Title   domain.Text           `json:"title"`
	Rows    []documents.LetterRow `json:"rows"`
	Issued  time.Time             `json:"issued"`
	Digest  string                `json:"digest"` // SHA-256 of the printed record, hex
	Key     string                `json:"key"`    // the seal key's fingerprint
	PDF     string                `json:"pdf"`    // SHA-256 of the PDF
	Current bool                  `json:"current"`
}

// Document kinds.
const (
	DocPermit    = "permit"
	DocRenewal   = "renewal"
	DocOccupancy = "occupancy"
)

// digest is the SHA-256 of what a document printed, which its QR code's
// signature covers.
func (d Document) digest(lb string) [32]byte {
	b, _ := json.Marshal(struct {
		LocalBody, Number, Kind, Permit string
		Title                           domain.Text
		Rows                            []documents.LetterRow
		Issued                          string
	}{lb, d.Number, d.Kind, d.Permit, d.Title, d.Rows, d.Issued.In(domain.IST).Format(time.DateOnly)})
	return sha256.Sum256(b)
}

// prepareIssue prints the permit, its renewal or the occupancy
// certificate, signed for /verify.
func (m *Permits) prepareIssue(pr workflow.Preparing) (workflow.Apply, error) {
	f := pr.File
	decision, ok := f.Decision()
	if !ok || decision.Kind != workflow.KindApproved {
		return nil, domain.Errorf(domain.ECONFLICT, "file %s is not approved; it cannot be issued", f.Number)
	}
	p, err := m.Permit(f.Record)
	if err != nil {
		return nil, err
	}
	doc, letter := m.draft(f, p, decision, pr.Now)
	if m.Seal == nil {
		return nil, errors.New("building: no seal to sign the permit with")
	}
	sum := doc.digest(m.LocalBody.Code)
	payload, err := m.Seal.Sign(m.PublicURL(), doc.Number, sum)
	if err != nil {
		return nil, err
	}
	letter.StatusURL = payload.String()
	pdf, err := m.Documents.Letter(letter)
	if err != nil && domain.ErrorCode(err) == domain.EINVALID && len(doc.Rows) > 0 {
		// The conditions in both languages do not fit beside many relaxed
		// rules: print them in English, with a Malayalam line saying so.
		letter.Body = englishBody(letter.Body)
		pdf, err = m.Documents.Letter(letter)
	}
	if err != nil {
		return nil, err
	}
	doc.Digest, doc.Key, doc.PDF, doc.Current = hex.EncodeToString(sum[:]), seal.Fingerprint(m.Seal.Public()), store.SumBlob(pdf), true
	issued := catalogue.IssuePermit
	if doc.Kind == DocOccupancy {
		issued = catalogue.IssueOccupancyCertificate
	}
	return func(tx *store.Tx, f *workflow.File) error {
		var cur Permit
		if err := tx.Get(entityPermit, p.Number, &cur); err != nil {
			return err
		}
		if doc.Kind == DocPermit {
			cur.Status = StatusIssued
		}
		// A renewal's document replaces the permit's as the one in force.
		for _, old := range cur.Documents {
			var od Document
			if err := tx.Get(entityDocument, old, &od); err == nil && od.Kind != DocOccupancy && doc.Kind == DocRenewal && od.Current {
				od.Current = false
				if err := tx.Put(entityDocument, old, od); err != nil {
					return err
				}
			}
		}
		cur.Documents = append(cur.Documents, doc.Number)
		if err := tx.Put(entityPermit, cur.Number, cur); err != nil {
			return err
		}
		if err := tx.Put(entityDocument, doc.Number, doc); err != nil {
			return err
		}
		if err := tx.PutSummedBlob(doc.PDF, pdf); err != nil {
			return err
		}
		f.Issued = &workflow.IssuedDocument{Kind: issued, Number: doc.Number, Title: doc.Title, Blob: doc.PDF}
		return tx.Emit(pr.By.ID, EventDocumentIssued, entityDocument, doc.Number, doc)
	}, nil
}

// draft lays out what a file issues: the rows and conditions it prints.
func (m *Permits) draft(f workflow.File, p Permit, decision workflow.Action, now time.Time) (Document, documents.Letter) {
	plain := func(s string) domain.Text { return domain.Text{En: s} }
	row := func(en, ml string, v domain.Text) documents.LetterRow {
		return documents.LetterRow{Label: domain.T(en, ml), Value: v}
	}
	date := func(t time.Time) string { return t.In(domain.IST).Format("02-01-2006") }
	rs, _ := m.Rules.RuleSet(p.Plan.Rules)
	doc := Document{Kind: DocPermit, Permit: p.Number, Number: p.Number, File: f.Number, Issued: now,
		Title: domain.T("Building permit", "കെട്ടിട നിർമ്മാണ പെർമിറ്റ്")}
	if p.LowRisk {
		doc.Title = domain.T("Building permit (low-risk, on self-certification)", "കെട്ടിട നിർമ്മാണ പെർമിറ്റ് (സ്വയം സാക്ഷ്യപ്പെടുത്തൽ)")
	}
	rows := []documents.LetterRow{
		row("Owner", "ഉടമ", p.Owner),
		row("Site", "സ്ഥലം", plain(fmt.Sprintf("Ward %d, survey no. %s, %s", p.Ward, p.Survey, p.Village))),
		row("Use", "ഉപയോഗം", UseName(p.Plan.Use)),
		row("Approved figures", "അനുവദിച്ച അളവുകൾ", domain.T(
			fmt.Sprintf("plot %s m²; floor area %s m² on %d floor(s); footprint %s m²; height %s m", p.Plan.PlotArea, p.Plan.FloorArea, p.Plan.Floors, p.Plan.Footprint, p.Plan.Height),
			fmt.Sprintf("പ്ലോട്ട് %s ച.മീ.; തറ വിസ്തീർണ്ണം %s ച.മീ., %d നില; അടിസ്ഥാനം %s ച.മീ.; ഉയരം %s മീ.", p.Plan.PlotArea, p.Plan.FloorArea, p.Plan.Floors, p.Plan.Footprint, p.Plan.Height))),
		row("Yards", "അകലങ്ങൾ", domain.T(
			fmt.Sprintf("front %s m, rear %s m, left %s m, right %s m; road %s m wide", p.Plan.Front, p.Plan.Rear, p.Plan.Left, p.Plan.Right, p.Plan.RoadWidth),
			fmt.Sprintf("മുൻ %s മീ., പിൻ %s മീ., ഇടത് %s മീ., വലത് %s മീ.; റോഡ് %s മീ.", p.Plan.Front, p.Plan.Rear, p.Plan.Left, p.Plan.Right, p.Plan.RoadWidth))),
		row("Rules", "ചട്ടങ്ങൾ", rs.Name),
		row("Permit fee", "പെർമിറ്റ് ഫീസ്", plain(p.Fee.String())),
		row("Valid until", "കാലാവധി", plain(date(p.ValidUntil))),
	}
	conditions := []string{
		"1. Build only as the approved plan and the figures above show; any change needs a revised permit.",
		"2. Report the start of work, and the completion through the licensee, to the office.",
		"3. The permit lapses if the work is not completed by the date above, unless renewed.",
	}
	conditionsML := []string{
		"1. അനുവദിച്ച പ്ലാനിലും മുകളിലെ അളവുകളിലും മാത്രം നിർമ്മിക്കുക; മാറ്റത്തിന് പുതുക്കിയ പെർമിറ്റ് വേണം.",
		"2. പണി തുടങ്ങുന്നതും ലൈസൻസി മുഖേന പൂർത്തീകരണവും ഓഫീസിനെ അറിയിക്കുക.",
		"3. മുകളിലെ തീയതിക്കകം പൂർത്തിയാക്കിയില്ലെങ്കിൽ, പുതുക്കാത്ത പക്ഷം, പെർമിറ്റ് അസാധുവാകും.",
	}
	if p.LowRisk {
		conditions = append(conditions, "4. Granted on the owner's and the licensee's declarations, without prior inspection; the site may be inspected, and a false declaration cancels this permit.")
		conditionsML = append(conditionsML, "4. ഉടമയുടെയും ലൈസൻസിയുടെയും സത്യപ്രസ്താവനയിൽ, മുൻകൂർ പരിശോധന കൂടാതെ നൽകിയത്; പരിശോധന ഉണ്ടാകാം, തെറ്റായ പ്രസ്താവന പെർമിറ്റ് റദ്ദാക്കും.")
	}
	for _, c := range p.Relaxed {
		conditions = append(conditions, fmt.Sprintf("Relaxed: %s (%s), required %s, provided %s.", c.Title.En, c.Rule, c.Required, c.Provided))
		conditionsML = append(conditionsML, fmt.Sprintf("ഇളവ്: %s (%s), വേണ്ടത് %s, നൽകിയത് %s.", c.Title.Ml, c.Rule, c.Required, c.Provided))
	}
	switch f.Service {
	case SvcRenewal:
		doc.Kind, doc.Number = DocRenewal, fmt.Sprintf("%s-R%d", p.Number, p.Renewals)
		doc.Title = domain.T("Renewal of building permit", "കെട്ടിട നിർമ്മാണ പെർമിറ്റ് പുതുക്കൽ")
		rows = []documents.LetterRow{row("Permit", "പെർമിറ്റ്", plain(p.Number)), row("Owner", "ഉടമ", p.Owner), row("Renewed until", "പുതുക്കിയ കാലാവധി", plain(date(p.ValidUntil)))}
		conditions, conditionsML = []string{"The permit above is renewed on its conditions until the date shown."}, []string{"മുകളിലെ പെർമിറ്റ് അതേ വ്യവസ്ഥകളോടെ കാണിച്ച തീയതി വരെ പുതുക്കി."}
	case SvcOccupancy:
		o := p.Occupancy
		doc.Kind, doc.Number = DocOccupancy, o.Number
		doc.Title = domain.T("Occupancy certificate", "ഒക്യുപൻസി സർട്ടിഫിക്കറ്റ്")
		rows = []documents.LetterRow{
			row("Building number", "കെട്ടിട നമ്പർ", plain(o.BuildingNumber)),
			row("Permit", "പെർമിറ്റ്", plain(p.Number)),
			row("Owner", "ഉടമ", p.Owner),
			row("Use", "ഉപയോഗം", UseName(p.Plan.Use)),
			row("Floor area as built", "നിർമ്മിച്ച തറ വിസ്തീർണ്ണം", plain(o.FloorArea.String()+" m²")),
			row("Completed on", "പൂർത്തിയായത്", plain(o.CompletedOn)),
		}
		conditions = []string{fmt.Sprintf("Certified that the building was completed as permitted and may be occupied for the use above. It is entered in the register of buildings as %s and assessed to property tax from the half-year after its completion.", o.BuildingNumber)}
		conditionsML = []string{fmt.Sprintf("കെട്ടിടം അനുമതി പ്രകാരം പൂർത്തിയാക്കിയെന്നും മുകളിലെ ഉപയോഗത്തിന് താമസിക്കാമെന്നും സാക്ഷ്യപ്പെടുത്തുന്നു. കെട്ടിട രജിസ്റ്ററിൽ %s ആയി ചേർത്തു; പൂർത്തിയായതിന്റെ അടുത്ത അർദ്ധവർഷം മുതൽ വസ്തു നികുതി.", o.BuildingNumber)}
	}
	doc.Rows = rows
	body := strings.Join(conditions, "\n") + "\n\n" + strings.Join(conditionsML, "\n")
	if len([]rune(body)) > documents.MaxLetterBody {
		body = englishBody(body)
	}
	letter := documents.Letter{LocalBody: m.LocalBody, Title: doc.Title, Number: doc.Number, Reference: f.Number, Rows: rows, Body: body,
		Officer: decision.ActorName, OfficerTitle: decision.Role.Name(), Issued: now,
		QRCaption: domain.T("Scan this code to verify this document on the office's site.", "ഈ രേഖ ഓഫീസിന്റെ സൈറ്റിൽ പരിശോധിക്കാൻ ഈ കോഡ് സ്കാൻ ചെയ്യുക.")}
	return doc, letter
}

// IsDocumentNumber reports whether a number has the form of a building
// permission document (a permit, its renewal or an occupancy
// certificate), so that /verify asks this module about it.
func IsDocumentNumber(number string) bool {
	parts := strings.Split(strings.ToUpper(number), "-")
	return len(parts) >= 4 && (parts[1] == "BP" || parts[1] == "OC")
}

// Verification answers "is this permit or certificate genuine and in
// force?"
type Verification struct {
	Number  string
	Found   bool
	Checked bool // a QR code's signature and digest were checked
	Problem domain.Text
	Doc     Document
	Permit  Permit
}

// Genuine reports whether the document is one this body issued, its code
// (if given) checks, and it is the one in force.
func (v Verification) Genuine() bool { return v.Found && v.Problem == (domain.Text{}) && v.Doc.Current }

// Verify looks a permit or certificate up by number and, when the QR
// code's query is given, checks its signature and digest. Like civil's
// verification it never fails for bad input: what is wrong is the answer.
func (m *Permits) Verify(number, digest, signature string, publicKey func(fingerprint string) []byte) (Verification, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	v := Verification{Number: number}
	err := m.Store.View(func(tx *store.Tx) error {
		if err := tx.Get(entityDocument, number, &v.Doc); err != nil {
			return err
		}
		return tx.Get(entityPermit, v.Doc.Permit, &v.Permit)
	})
	if errors.Is(err, store.ErrNotFound) {
		v.Problem = domain.T(fmt.Sprintf("%s has issued no permit or certificate with the number %s.", m.LocalBody.Name.En, number),
			fmt.Sprintf("%s %s എന്ന നമ്പറിൽ പെർമിറ്റോ സർട്ടിഫിക്കറ്റോ നൽകിയിട്ടില്ല.", m.LocalBody.Name.Ml, number))
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.Found = true
	if v.Permit.Status == StatusCancelled {
		v.Problem = domain.T("This permit has been cancelled.", "ഈ പെർമിറ്റ് റദ്ദാക്കി.")
	}
	if digest == "" && signature == "" {
		return v, nil
	}
	v.Checked = true
	p, err := seal.Parse("/verify/" + number + "?d=" + digest + "&s=" + signature)
	if err == nil {
		pub := m.Seal.Public()
		if v.Doc.Key != seal.Fingerprint(pub) && publicKey != nil {
			pub = publicKey(v.Doc.Key)
		}
		err = p.Verify(pub)
	}
	if err == nil {
		sum, _ := hex.DecodeString(v.Doc.Digest)
		var full [32]byte
		copy(full[:], sum)
		err = p.Matches(full)
	}
	if err != nil {
		v.Problem = domain.T("The code on this document is not the one "+m.LocalBody.Name.En+" signed: it was altered or forged. Do not accept it.",
			"ഈ രേഖയിലെ കോഡ് "+m.LocalBody.Name.Ml+" ഒപ്പിട്ടതല്ല: മാറ്റം വരുത്തിയതോ വ്യാജമോ ആണ്. സ്വീകരിക്കരുത്.")
	}
	return v, nil
}

// VerifyURL is the signed address a document's QR code holds (the seal's
// signatures are deterministic, so it is the one printed while the seal
// key is the same).
func (m *Permits) VerifyURL(number string) (string, error) {
	var d Document
	if err := m.Store.View(func(tx *store.Tx) error { return tx.Get(entityDocument, number, &d) }); err != nil {
		return "", err
	}
	sum, err := hex.DecodeString(d.Digest)
	if err != nil || len(sum) != 32 || m.Seal == nil {
		return "", fmt.Errorf("building: document %s has no digest to sign", number)
	}
	p, err := m.Seal.Sign(m.PublicURL(), number, [32]byte(sum))
	if err != nil {
		return "", err
	}
	return p.String(), nil
}

// englishBody keeps a document's English conditions, the first paragraph,
// and says in Malayalam where to read them.
func englishBody(body string) string {
	en, _, _ := strings.Cut(body, "\n\n")
	return en + "\n\nവ്യവസ്ഥകൾ മുകളിൽ ഇംഗ്ലീഷിൽ; മലയാളം പകർപ്പ് ഓഫീസിൽ ലഭിക്കും."
}
