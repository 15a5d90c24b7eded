package civil

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/kyc"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// service is what civil knows of each of its services: which register it
// concerns and what the service does to it.
type service struct {
	kind   string // register kind (KindBirth, …); "" for non-availability
	action string
	// dateField is the form field holding the event's date.
	dateField string
}

// Actions a service takes on a register.
const (
	actRegister       = "register"         // a new entry on approval
	actCopy           = "copy"             // a certificate of an existing entry
	actCorrect        = "correct"          // a correction of an entry
	actIncludeName    = "include_name"     // a child's name added to a birth entry
	actNonAvailablity = "non_availability" // a certificate that no entry exists
)

var services = map[string]service{
	"birth_registration":           {KindBirth, actRegister, "date_of_birth"},
	"delayed_birth_registration":   {KindBirth, actRegister, "date_of_birth"},
	"death_registration":           {KindDeath, actRegister, "date_of_death"},
	"delayed_death_registration":   {KindDeath, actRegister, "date_of_death"},
	"marriage_registration":        {KindMarriage, actRegister, "date_of_marriage"},
	"birth_certificate":            {KindBirth, actCopy, "date_of_birth"},
	"death_certificate":            {KindDeath, actCopy, "date_of_death"},
	"marriage_certificate":         {KindMarriage, actCopy, "date_of_marriage"},
	"birth_correction":             {KindBirth, actCorrect, "date_of_birth"},
	"death_correction":             {KindDeath, actCorrect, "date_of_death"},
	"marriage_correction":          {KindMarriage, actCorrect, "date_of_marriage"},
	"birth_name_inclusion":         {KindBirth, actIncludeName, "date_of_birth"},
	"non_availability_certificate": {"", actNonAvailablity, "date_of_event"},
}

// daysBetween counts whole days from date (YYYY-MM-DD) to now's date, both
// in IST: a birth on the 1st reported on the 22nd is 21 days late.
func daysBetween(date string, now time.Time) (int, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, domain.IST)
	if err != nil {
		return 0, err
	}
	t := now.In(domain.IST)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, domain.IST)
	return int(today.Sub(d).Hours()/24 + 0.5), nil
}

func fieldError(field string, t domain.Text) error {
	fe := domain.FieldErrors{}
	fe.Add(field, t)
	return fe.Err()
}

// Assess decides an application's fee and extra documents by its delay
// band, and checks it against the registers. It implements workflow.Rules.
func (c *Civil) Assess(a workflow.Assessing) (workflow.Assessment, error) {
	sv, ok := services[a.Service.Code]
	if !ok {
		return workflow.Assessment{Fee: a.Service.Fee.Amount}, nil
	}
	v := a.Values
	switch sv.action {
	case actRegister:
		if err := c.checkRegistration(sv, a); err != nil {
			return workflow.Assessment{}, err
		}
		days, err := daysBetween(v[sv.dateField], a.Now)
		if err != nil {
			return workflow.Assessment{}, fieldError(sv.dateField, domain.T("Give the date as YYYY-MM-DD.", "തീയതി YYYY-MM-DD രൂപത്തിൽ നൽകുക."))
		}
		return band(a.Service, sv.dateField, days)
	case actIncludeName, actCorrect, actCopy:
		number := strings.ToUpper(strings.TrimSpace(v["registration_number"]))
		if number == "" && sv.action == actCopy {
			// The clerk searches the register by the particulars given.
			return workflow.Assessment{Fee: a.Service.Fee.Amount}, nil
		}
		var e Entry
		err := c.Store.View(func(tx *store.Tx) (err error) { e, err = entryByNumber(tx, number); return err })
		if err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return workflow.Assessment{}, fieldError("registration_number", domain.T(
					"Nothing of this kind is registered under this number here. Check the number (it looks like B-12/2026), or apply for a non-availability certificate.",
					"ഈ നമ്പറിൽ ഇവിടെ രജിസ്ട്രേഷനില്ല. നമ്പർ പരിശോധിക്കുക (ഉദാ. B-12/2026), അല്ലെങ്കിൽ ലഭ്യമല്ലെന്ന സർട്ടിഫിക്കറ്റിന് അപേക്ഷിക്കുക."))
			}
			return workflow.Assessment{}, err
		}
		if e.Kind != sv.kind {
			return workflow.Assessment{}, fieldError("registration_number", domain.T(
				fmt.Sprintf("%s is not in the register of %s.", e.Number, strings.ToLower(KindName(sv.kind).En)),
				fmt.Sprintf("%s %s രജിസ്റ്ററിലുള്ളതല്ല.", e.Number, KindName(sv.kind).Ml)))
		}
		if d := v[sv.dateField]; d != "" && d != e.EventDate {
			return workflow.Assessment{}, fieldError(sv.dateField, domain.T(
				"This date does not match the register's entry for that number. Give the date as the certificate shows it.",
				"ഈ തീയതി ആ നമ്പറിലെ രജിസ്റ്റർ രേഖയുമായി പൊരുത്തപ്പെടുന്നില്ല. സർട്ടിഫിക്കറ്റിലെ തീയതി നൽകുക."))
		}
		if sv.action == actIncludeName {
			if e.Values["child_name_en"] != "" || e.Values["child_name_ml"] != "" {
				return workflow.Assessment{}, fieldError("registration_number", domain.T(
					"This birth is already registered with a name. To change the name, apply for a correction.",
					"ഈ ജനനം പേരോടു കൂടി രജിസ്റ്റർ ചെയ്തതാണ്. പേര് മാറ്റാൻ തിരുത്തലിന് അപേക്ഷിക്കുക."))
			}
			days, _ := daysBetween(e.Registered.In(domain.IST).Format(time.DateOnly), a.Now)
			return band(a.Service, "registration_number", days)
		}
		if sv.action == actCorrect {
			if _, ok := correctable(sv.kind, v["entry"]); !ok {
				return workflow.Assessment{}, fieldError("entry", domain.T("Choose which entry to correct.", "തിരുത്തേണ്ട ഇനം തിരഞ്ഞെടുക്കുക."))
			}
		}
		return workflow.Assessment{Fee: a.Service.Fee.Amount}, nil
	}
	return workflow.Assessment{Fee: a.Service.Fee.Amount}, nil
}

// band finds the catalogue's fee band for a delay, or refuses the
// application on field with the catalogue's words.
func band(svc catalogue.Service, field string, days int) (workflow.Assessment, error) {
	if svc.Fee.Kind != catalogue.FeeBands {
		return workflow.Assessment{Fee: svc.Fee.Amount}, nil
	}
	b, ok := svc.Fee.Band(max(days, 0))
	if !ok {
		return workflow.Assessment{}, fieldError(field, svc.Fee.Outside)
	}
	return workflow.Assessment{Fee: b.Amount, FeeNote: b.Name, Documents: b.Documents}, nil
}

// checkRegistration applies the rules a registration must meet beyond its
// form: a marriage's parties' ages, and registration from abroad only after
// video KYC.
func (c *Civil) checkRegistration(sv service, a workflow.Assessing) error {
	if sv.kind != KindMarriage {
		return nil
	}
	v := a.Values
	fe := domain.FieldErrors{}
	for _, p := range []struct {
		field  string
		min    int
		en, ml string
	}{{"bride_dob", 18, "The bride", "വധു"}, {"groom_dob", 21, "The groom", "വരൻ"}} {
		age, err := yearsOn(v[p.field], v["date_of_marriage"])
		if err != nil {
			continue
		}
		if age < p.min {
			fe.Add(p.field, domain.T(
				fmt.Sprintf("%s was under %d on the date of marriage; such a marriage cannot be registered (Prohibition of Child Marriage Act, 2006).", p.en, p.min),
				fmt.Sprintf("വിവാഹ തീയതിയിൽ %s-ന് %d വയസ്സ് തികഞ്ഞിട്ടില്ല; ഈ വിവാഹം രജിസ്റ്റർ ചെയ്യാനാകില്ല.", p.ml, p.min)))
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if a.Service.NeedsVideoKYC(v) {
		if a.Channel != workflow.ChannelOnline || !a.By.Has(domain.RoleCitizen) {
			return fieldError("applying_from", domain.T("Registration from abroad is made online by the party from their own account.", "വിദേശത്തു നിന്നുള്ള രജിസ്ട്രേഷൻ കക്ഷി സ്വന്തം അക്കൗണ്ടിൽ നിന്ന് ഓൺലൈനായി ചെയ്യണം."))
		}
		if c.KYCVerified == nil || !c.KYCVerified(a.By.ID, a.Service, v) {
			return kyc.Needed() // web keeps the application as a draft and offers a call
		}
	}
	return nil
}

// yearsOn is a person's age in whole years on a date.
func yearsOn(dob, on string) (int, error) {
	b, err := time.Parse(time.DateOnly, dob)
	if err != nil {
		return 0, err
	}
	d, err := time.Parse(time.DateOnly, on)
	if err != nil {
		return 0, err
	}
	age := d.Year() - b.Year()
	if d.YearDay() < b.YearDay() && (d.Month() < b.Month() || d.Month() == b.Month() && d.Day() < b.Day()) {
		age--
	}
	return age, nil
}

// correctable maps a correction form's "entry" choice to the particulars
// it changes; a name changes the English or Malayalam half by the script
// of the correct entry.
func correctable(kind, entry string) (string, bool) {
	m := map[string]map[string]string{
		KindBirth: {"child_name": "child_name", "sex": "sex", "date_of_birth": "date_of_birth", "place_of_birth": "place_of_birth",
			"mother_name": "mother_name", "father_name": "father_name", "address": "permanent_address"},
		KindDeath: {"deceased_name": "deceased_name", "sex": "sex", "date_of_death": "date_of_death", "age_years": "age_years",
			"place_of_death": "place_of_death", "mother_name": "mother_name", "father_name": "father_name", "spouse_name": "spouse_name", "address": "permanent_address"},
		KindMarriage: {"bride_name": "bride_name", "groom_name": "groom_name", "bride_address": "bride_address", "groom_address": "groom_address",
			"date_of_marriage": "date_of_marriage", "place_of_marriage": "place_of_marriage"},
	}
	f, ok := m[kind][entry]
	return f, ok
}

// nameFields are the particulars that hold a person's name in two scripts.
var nameFields = map[string]bool{"child_name": true, "deceased_name": true, "mother_name": true, "father_name": true,
	"spouse_name": true, "bride_name": true, "groom_name": true}

func hasMalayalam(s string) bool {
	for _, r := range s {
		if r >= 0x0D00 && r <= 0x0D7F {
			return true
		}
	}
	return false
}

// Prepare does civil's part of approving or issuing a file. It implements
// workflow.Rules.
func (c *Civil) Prepare(p workflow.Preparing) (workflow.Apply, error) {
	f, by, now := p.File, p.By, p.Now
	sv, ok := services[f.Service]
	if !ok {
		return nil, nil
	}
	if p.Kind == workflow.KindIssued {
		return c.prepareIssue(sv, f, by, now)
	}
	switch sv.action {
	case actRegister:
		return func(tx *store.Tx, f *workflow.File) error {
			values := registerValues(f.Values)
			k := sv.kind
			if k == KindBirth && values["still_birth"] == "yes" {
				k = KindStillBirth
			}
			e, err := register(tx, k, values[sv.dateField], values, f.Ward, f.Number, by, now)
			if err != nil {
				return err
			}
			f.Record = e.Number
			return nil
		}, nil
	case actCopy:
		return func(tx *store.Tx, f *workflow.File) error {
			e, err := c.findForCopy(tx, sv, f.Values)
			if err != nil {
				return err
			}
			f.Record = e.Number
			return nil
		}, nil
	case actCorrect, actIncludeName:
		return func(tx *store.Tx, f *workflow.File) error {
			return c.change(tx, sv, f, by, now)
		}, nil
	case actNonAvailablity:
		return func(tx *store.Tx, f *workflow.File) error {
			ev := f.Values["event"]
			if ev != KindBirth && ev != KindDeath {
				return domain.Errorf(domain.EINVALID, "the event searched for must be a birth or a death")
			}
			matches, err := findByParticulars(tx, ev, f.Values["date_of_event"], domain.Text{En: f.Values["person_name_en"], Ml: f.Values["person_name_ml"]})
			if err != nil {
				return err
			}
			if len(matches) > 0 {
				return domain.Bilingual(domain.ECONFLICT, domain.T(
					fmt.Sprintf("The register has this %s as %s: a non-availability certificate cannot be issued. Reject the application and tell the applicant to ask for a certificate of that entry.", ev, matches[0].Number),
					fmt.Sprintf("ഈ സംഭവം രജിസ്റ്ററിൽ %s ആയി ഉണ്ട്: ലഭ്യമല്ലെന്ന സർട്ടിഫിക്കറ്റ് നൽകാനാകില്ല.", matches[0].Number)))
			}
			return nil
		}, nil
	}
	return nil, nil
}

// registerValues is what the register keeps of a registration form: its
// particulars, without the informant's contact details' empty values.
func registerValues(v map[string]string) map[string]string {
	out := make(map[string]string, len(v))
	for k, x := range v {
		if x != "" {
			out[k] = x
		}
	}
	return out
}

// findForCopy finds the entry a certificate copy is for: by its number, or
// when the applicant did not know it, by the date and the name.
func (c *Civil) findForCopy(tx *store.Tx, sv service, v map[string]string) (Entry, error) {
	if n := v["registration_number"]; n != "" {
		return entryByNumber(tx, n)
	}
	nameField := map[string]string{KindBirth: "person_name", KindDeath: "deceased_name", KindMarriage: "groom_name"}[sv.kind]
	matches, err := findByParticulars(tx, sv.kind, v[sv.dateField], domain.Text{En: v[nameField+"_en"], Ml: v[nameField+"_ml"]})
	if err != nil {
		return Entry{}, err
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return Entry{}, domain.Bilingual(domain.ENOTFOUND, domain.T(
			"The register has no entry with this name on this date. Find the register number and add it as a note, or reject the application suggesting a non-availability certificate.",
			"ഈ തീയതിയിൽ ഈ പേരിൽ രജിസ്റ്ററിൽ രേഖയില്ല."))
	}
	return Entry{}, domain.Bilingual(domain.ECONFLICT, domain.T(
		fmt.Sprintf("%d entries match this name and date; return the application asking for the register number.", len(matches)),
		fmt.Sprintf("ഈ പേരും തീയതിയും %d രേഖകളുമായി പൊരുത്തപ്പെടുന്നു; രജിസ്റ്റർ നമ്പർ ചോദിച്ച് അപേക്ഷ തിരിച്ചയയ്ക്കുക.", len(matches))))
}

// findByParticulars returns the entries of a kind on a date whose person's
// name matches, ignoring case and spacing.
func findByParticulars(tx *store.Tx, kind, date string, name domain.Text) ([]Entry, error) {
	kinds := []string{kind}
	if kind == KindBirth {
		kinds = append(kinds, KindStillBirth)
	}
	var out []Entry
	for _, k := range kinds {
		var ids []string
		prefix := k + "/" + date + "/"
		err := tx.Scan(entityByDate, store.ScanOptions{Prefix: prefix}, func(key string, _ []byte) error {
			ids = append(ids, strings.TrimPrefix(key, prefix))
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			e, err := getEntry(tx, id)
			if err != nil {
				return nil, err
			}
			p := e.Person()
			if k == KindMarriage {
				p = e.Name("groom_name")
			}
			if sameName(p.En, name.En) || sameName(p.Ml, name.Ml) {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

func sameName(a, b string) bool {
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	return a != "" && norm(a) == norm(b)
}

// change applies an approved correction or name inclusion to its entry:
// a new version, an event naming the evidence and the officer, and the
// certificates of the old version superseded.
func (c *Civil) change(tx *store.Tx, sv service, f *workflow.File, by domain.Actor, now time.Time) error {
	e, err := entryByNumber(tx, f.Values["registration_number"])
	if err != nil {
		return err
	}
	ch := Correction{Service: f.Service, Values: f.Values, File: f.Number, Officer: Officer{ID: by.ID, Name: by.Name}, At: now}
	for _, d := range f.Documents {
		ch.Evidence = append(ch.Evidence, d.Blob)
	}
	corrected, err := e.Apply(ch)
	if err != nil {
		return err
	}
	if corrected.EventDate != e.EventDate {
		if err := tx.Delete(entityByDate, byDateKey(e.Kind, e.EventDate, e.ID)); err != nil {
			return err
		}
		if err := tx.PutRaw(entityByDate, byDateKey(e.Kind, corrected.EventDate, e.ID), []byte(e.Number)); err != nil {
			return err
		}
	}
	e = corrected
	if err := c.supersedeOld(tx, e, "", now, domain.T("The register entry was changed by "+f.Number+".", "രജിസ്റ്റർ രേഖ "+f.Number+" പ്രകാരം മാറ്റി.")); err != nil {
		return err
	}
	if err := tx.Put(entityEntry, e.ID, e); err != nil {
		return err
	}
	f.Record = e.Number
	return tx.Emit(by.ID, changeEvents[[2]string{e.Kind, e.Changes[len(e.Changes)-1].Kind}], entityEntry, e.ID, e.Changes[len(e.Changes)-1])
}

// Correction is an approved application that changes a register entry:
// a correction of one particular, or the inclusion of a child's name.
type Correction struct {
	// Service is birth_correction, death_correction, marriage_correction or
	// birth_name_inclusion; Values are its form's values.
	Service string
	Values  map[string]string
	// File is the application's number; Officer who approved it, At when;
	// Evidence the blobs of the documents it rests on.
	File     string
	Officer  Officer
	At       time.Time
	Evidence []string
}

// Apply returns the entry as the approved correction changes it — the
// particular the form names set to its correct value, the version raised,
// the Change appended — without writing anything: the rule the office's
// approval applies, which synthetic registers use too. It returns an
// EINVALID *domain.Error when the correction is not one of the entry's
// register or its correct value is not a lawful one (a date, a sex, an age).
func (e Entry) Apply(cr Correction) (Entry, error) {
	sv, ok := services[cr.Service]
	if !ok || (sv.action != actCorrect && sv.action != actIncludeName) || sv.kind != e.Kind {
		return e, domain.Errorf(domain.EINVALID, "%s does not correct a %s register entry", cr.Service, e.Kind)
	}
	ch := Change{At: cr.At, File: cr.File, Officer: cr.Officer, Reason: cr.Values["reason"], Evidence: cr.Evidence}
	values := make(map[string]string, len(e.Values)+2)
	for k, v := range e.Values {
		values[k] = v
	}
	if sv.action == actIncludeName {
		ch.Kind, ch.Field, ch.To = ChangeNameIncluded, "child_name", domain.T(cr.Values["child_name_en"], cr.Values["child_name_ml"]).Both()
		values["child_name_en"], values["child_name_ml"] = cr.Values["child_name_en"], cr.Values["child_name_ml"]
	} else {
		field, ok := correctable(sv.kind, cr.Values["entry"])
		if !ok {
			return e, domain.Errorf(domain.EINVALID, "%q is not a particular of a %s register entry that can be corrected", cr.Values["entry"], e.Kind)
		}
		to := strings.TrimSpace(cr.Values["correct_entry"])
		key := field
		if nameFields[field] {
			key = field + "_en"
			if hasMalayalam(to) {
				key = field + "_ml"
			}
		}
		if field == sv.dateField || strings.HasSuffix(field, "_dob") {
			if _, err := time.Parse(time.DateOnly, to); err != nil {
				return e, domain.Errorf(domain.EINVALID, "the correct date %q is not a date like 2026-01-31; return the application for it", to)
			}
		}
		if field == "sex" && to != "male" && to != "female" && to != "transgender" {
			to = strings.ToLower(to)
			if to != "male" && to != "female" && to != "transgender" {
				return e, domain.Errorf(domain.EINVALID, "the correct sex must be male, female or transgender")
			}
		}
		if field == "age_years" {
			if _, err := strconv.Atoi(to); err != nil {
				return e, domain.Errorf(domain.EINVALID, "the correct age must be a whole number of years")
			}
		}
		ch.Kind, ch.Field, ch.From, ch.To = ChangeCorrected, key, values[key], to
		values[key] = to
		if field == sv.dateField {
			e.EventDate = to
		}
	}
	e.Values = values
	e.Version++
	ch.Version = e.Version
	e.Changes = append(append([]Change(nil), e.Changes...), ch)
	return e, nil
}
