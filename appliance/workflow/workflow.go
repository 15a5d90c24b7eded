package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// MaxUploadBytes limits one uploaded document.
const MaxUploadBytes = 5 << 20

// UploadLimit says what a document may be, for a form's help: its formats
// and MaxUploadBytes.
func UploadLimit() domain.Text {
	mb := MaxUploadBytes >> 20
	return domain.T(fmt.Sprintf("PDF, JPEG or PNG, up to %d MB.", mb), fmt.Sprintf("PDF, JPEG അല്ലെങ്കിൽ PNG, %d MB വരെ.", mb))
}

// Workflow moves files. Create it with its fields set; it keeps no state of
// its own beyond the store.
type Workflow struct {
	Store     *store.Store
	Catalogue *catalogue.Catalogue
	LocalBody domain.LocalBody
	Calendar  domain.Calendar
	Now       func() time.Time
	// Users looks up a staff user for forwarding to a named person.
	Users func(id string) (domain.Actor, bool)
	// Rules holds the rules of the module that serves each service, by
	// service code.
	Rules map[string]Rules
	// Documents draws receipts (see Receipt); the process shares one
	// renderer, whose fonts and caches live as long as it does.
	Documents *documents.Renderer
	// Money turns fees into demands and says what is owed (see Money);
	// nil where no finance module is assembled, and fees are then only
	// recorded on the file.
	Money Money

	desks *deskView // the desks and citizens' lists (desks.go)
}

// Upload is a document as received.
type Upload struct {
	Name string
	Data []byte
}

// ChannelFor decides the channel of an application by makes: as asked
// ("" means the usual one: the front office enters at the counter, anyone
// else applies online), and refuses a channel that does not exist or an
// online application that names someone else as the applicant (only the
// front office enters one for a walk-in). Problems are added to fe; the
// channel is "" when there is one.
func ChannelFor(by domain.Actor, asked string, namesApplicant bool, fe domain.FieldErrors) string {
	channel := asked
	switch asked {
	case "":
		channel = ChannelOnline
		if !by.Has(domain.RoleCitizen) && by.Has(domain.RoleFrontOffice) {
			channel = ChannelCounter
		}
	case ChannelOnline, ChannelCounter:
	default:
		fe.Add("channel", domain.T(`Give channel "online" (a citizen's own application) or "counter" (the front office's).`, `channel "online" അല്ലെങ്കിൽ "counter" ആയിരിക്കണം.`))
		return ""
	}
	if channel == ChannelOnline && namesApplicant {
		fe.Add("applicant", domain.T("An online application is in your own name; only the front office names a walk-in applicant.", "ഓൺലൈൻ അപേക്ഷ നിങ്ങളുടെ പേരിലാണ്; മറ്റൊരാളുടെ പേര് ഫ്രണ്ട് ഓഫീസിന് മാത്രമേ നൽകാനാകൂ."))
	}
	return channel
}

// Submission is an application as the applicant (or the front office on
// their behalf) fills it in.
type Submission struct {
	Service   string
	Values    map[string]string
	Uploads   map[string]Upload // by document field name or required-document code
	Applicant Applicant
	Channel   string // ChannelOnline or ChannelCounter
}

// Submit checks the application field by field, gives it its number, puts it
// on the first desk and acknowledges it, all in one durable write. Only a
// citizen (online, for themselves) or the front office (at the counter) may
// submit. Nothing is stored when any field is wrong.
func (w *Workflow) Submit(by domain.Actor, in Submission) (File, error) {
	svc, ok := w.Catalogue.Get(in.Service)
	if !ok {
		return File{}, domain.Errorf(domain.ENOTFOUND, "There is no service %q; choose one from the list of services.", in.Service)
	}
	if err := w.Catalogue.Offered(svc.Code); err != nil {
		return File{}, err
	}
	now := w.Now()
	switch {
	case in.Channel == ChannelOnline && by.Has(domain.RoleCitizen):
		in.Applicant.UserID = by.ID
	case in.Channel == ChannelCounter && by.Has(domain.RoleFrontOffice):
	default:
		return File{}, domain.Bilingual(domain.EFORBIDDEN, domain.T("Applications are made by citizens online or by the front office at the counter.", "അപേക്ഷകൾ പൗരന്മാർ ഓൺലൈനായോ ഫ്രണ്ട് ഓഫീസിൽ കൗണ്ടറിലൂടെയോ സമർപ്പിക്കണം."))
	}
	fe := domain.FieldErrors{}
	values, err := svc.Validate(in.Values, w.LocalBody, now)
	var de *domain.Error
	if errors.As(err, &de) && de.Fields != nil {
		for k, v := range de.Fields {
			fe.Add(k, v)
		}
	} else if err != nil {
		return File{}, err
	}
	if strings.TrimSpace(in.Applicant.Name.En) == "" && strings.TrimSpace(in.Applicant.Name.Ml) == "" {
		fe.Add("applicant_name", domain.T("Give the applicant's name.", "അപേക്ഷകന്റെ പേര് നൽകുക."))
	}
	assessed := Assessment{Fee: svc.Fee.Amount}
	if r := w.rules(svc); r != nil && len(fe) == 0 {
		if assessed, err = r.Assess(Assessing{Service: svc, Values: values, By: by, Channel: in.Channel, Now: now}); err != nil {
			return File{}, err
		}
	} else if r == nil && (svc.Fee.Kind == catalogue.FeeBands || svc.Fee.Kind == catalogue.FeeComputed) {
		return File{}, domain.Errorf(domain.EINTERNAL, "service %s has a %s fee but no module rules to reckon it", svc.Code, svc.Fee.Kind)
	}
	if len(fe) == 0 {
		waive(svc, values, &assessed)
	}
	docs, err := w.checkUploads(svc, assessed.Documents, in.Uploads, by, now, fe)
	if err != nil {
		return File{}, err
	}
	if err := fe.Err(); err != nil {
		return File{}, err
	}

	f := File{
		Service: svc.Code, ServiceName: svc.Name, Module: svc.Module, Applicant: in.Applicant, Channel: in.Channel,
		Values: values, Status: StatusInProgress, Step: 0, StepName: svc.Steps[0].Name, Role: svc.Steps[0].Role,
		Submitted: now, Due: w.Calendar.AddDays(now, svc.TimeLimitDays, svc.RTS().Calendar()),
		Fee: assessed.Fee, FeeNote: assessed.FeeNote, FeeHead: assessed.FeeHead, FeePaid: in.Channel == ChannelCounter && assessed.Fee > 0 && w.Money == nil,
	}
	for _, field := range svc.Fields {
		if field.Type == catalogue.FieldWard {
			f.Ward, _ = strconv.Atoi(values[field.Name])
		}
	}
	f.History = []Action{{At: now, Kind: KindSubmitted, ActorID: by.ID, ActorName: by.Name, ToRole: f.Role}}
	// Everything that can be is decided and encoded here, in the caller's
	// goroutine; the write itself only stages bytes, because write functions
	// run one at a time in the store's committer.
	numberSeq := fmt.Sprintf("application/%s/%d/%s", w.LocalBody.Code, now.In(domain.IST).Year(), svc.Code)
	id, err := w.Store.Reserve("file")
	if err != nil {
		return File{}, err
	}
	n, err := w.Store.Reserve(numberSeq)
	if err != nil {
		return File{}, err
	}
	f.ID = fmt.Sprintf("%010d", id)
	f.Number = ApplicationNumber(w.LocalBody.Code, now.In(domain.IST).Year(), svc.Abbr, n)
	for i := range docs {
		docs[i].sum = store.SumBlob(docs[i].data)
		docs[i].att.Blob = docs[i].sum
		f.Documents = append(f.Documents, docs[i].att)
	}
	enc, err := encode(f)
	if err != nil {
		return File{}, err
	}
	submitted, err := json.Marshal(SubmittedData{Number: f.Number, Service: f.Service, Channel: f.Channel, Submitted: f.Submitted, Due: f.Due, Role: f.Role, Fee: f.Fee})
	if err != nil {
		return File{}, err
	}
	var ack *messaging.Message
	if f.Applicant.UserID != "" {
		due := f.Due.In(domain.IST).Format("02-01-2006")
		ack = &messaging.Message{
			To: f.Applicant.UserID, Kind: messaging.KindAcknowledgement, Link: "/applications/" + f.ID,
			Subject: domain.T("Application received: "+f.Number, "അപേക്ഷ ലഭിച്ചു: "+f.Number),
			Body: domain.T(
				fmt.Sprintf("Your application for %s is received as %s. It is due by %s. Download the acknowledgement receipt from the application's page.", svc.Name.En, f.Number, due),
				fmt.Sprintf("%s എന്നതിനുള്ള നിങ്ങളുടെ അപേക്ഷ %s ആയി ലഭിച്ചു. %s നകം തീർപ്പാക്കും. കൈപ്പറ്റ് രസീത് അപേക്ഷയുടെ പേജിൽ നിന്ന് ഡൗൺലോഡ് ചെയ്യാം.", svc.Name.Ml, f.Number, due)),
		}
		if w.Money != nil && f.Fee > 0 {
			when := domain.T("before it is issued", "നൽകുന്നതിന് മുമ്പ്")
			if svc.Fee.Pay == catalogue.PayOnApplication {
				when = domain.T("before it is decided", "തീരുമാനിക്കുന്നതിന് മുമ്പ്")
			}
			ack.Body.En += fmt.Sprintf(" The fee of %s is to be paid %s: online from your payments page, or at the cash counter quoting %s.", f.Fee, when.En, f.Number)
			ack.Body.Ml += fmt.Sprintf(" %s ഫീസ് %s അടയ്ക്കണം: നിങ്ങളുടെ പേയ്മെന്റ് പേജിൽ ഓൺലൈനായി, അല്ലെങ്കിൽ %s പറഞ്ഞ് ക്യാഷ് കൗണ്ടറിൽ.", f.Fee, when.Ml, f.Number)
		}
	}
	_, err = w.Store.Write(func(tx *store.Tx) error {
		if err := tx.UseNumber("file", id); err != nil {
			return err
		}
		if err := tx.UseNumber(numberSeq, n); err != nil {
			return err
		}
		for _, d := range docs {
			if err := tx.PutSummedBlob(d.sum, d.data); err != nil {
				return err
			}
		}
		if err := tx.ClaimKey(indexNumber, numberKey(f.Number), f.ID); err != nil {
			return err
		}
		// The file as submitted is in this write's change set, which the
		// event binds; the event says what it is in brief.
		if err := w.stage(tx, nil, &f, enc, by, KindSubmitted, submitted); err != nil {
			return err
		}
		if w.Money != nil && f.Fee > 0 {
			if err := w.Money.Raise(tx, f, svc, by); err != nil {
				return err
			}
		}
		if ack != nil {
			if _, err := messaging.Queue(tx, now, *ack); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return File{}, err
	}
	return f, nil
}

type upload struct {
	att  Attachment
	data []byte
	sum  string
}

// allowedTypes are the document formats accepted, decided by content.
var allowedTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// checkUploads checks every upload by its content and size, and that every
// required document is there.
func (w *Workflow) checkUploads(svc catalogue.Service, extra []catalogue.DocumentRequirement, uploads map[string]Upload, by domain.Actor, now time.Time, fe domain.FieldErrors) ([]upload, error) {
	wanted := map[string]bool{} // name → required
	var order []string
	for _, f := range svc.DocumentFields() {
		wanted[f.Name] = f.Required
		order = append(order, f.Name)
	}
	for _, d := range append(slices.Clone(svc.Documents), extra...) {
		if _, dup := wanted[d.Code]; !dup {
			order = append(order, d.Code)
		}
		wanted[d.Code] = wanted[d.Code] || d.Required
	}
	for name := range uploads {
		if _, ok := wanted[name]; !ok {
			fe.Add(name, domain.T("This service does not ask for this document.", "ഈ സേവനത്തിന് ഈ രേഖ ആവശ്യമില്ല."))
		}
	}
	var out []upload
	for _, name := range order {
		u, ok := uploads[name]
		if !ok || len(u.Data) == 0 {
			if wanted[name] {
				fe.Add(name, domain.T("Attach this document (PDF, JPEG or PNG).", "ഈ രേഖ ചേർക്കുക (PDF, JPEG അല്ലെങ്കിൽ PNG)."))
			}
			continue
		}
		att, err := checkDocument(name, u, by, now)
		if err != nil {
			var de *domain.Error
			if errors.As(err, &de) && de.Code == domain.ETOOLARGE {
				return nil, err
			}
			fe.Add(name, domain.T(de.Message, de.MessageML))
			continue
		}
		out = append(out, upload{att: att, data: u.Data})
	}
	return out, nil
}

// checkDocument decides an upload's type from its bytes, never its name.
func checkDocument(field string, u Upload, by domain.Actor, now time.Time) (Attachment, error) {
	if len(u.Data) > MaxUploadBytes {
		return Attachment{}, domain.Bilingual(domain.ETOOLARGE, domain.T(
			fmt.Sprintf("The document %q is %.1f MB; the limit is %d MB. Scan it at a lower resolution or as a PDF.", u.Name, float64(len(u.Data))/(1<<20), MaxUploadBytes>>20),
			fmt.Sprintf("%q എന്ന രേഖ %.1f MB ആണ്; പരമാവധി %d MB. കുറഞ്ഞ റെസല്യൂഷനിൽ സ്കാൻ ചെയ്യുക.", u.Name, float64(len(u.Data))/(1<<20), MaxUploadBytes>>20)))
	}
	ct := http.DetectContentType(u.Data)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if !allowedTypes[ct] {
		return Attachment{}, domain.Bilingual(domain.EINVALID, domain.T(
			"This file is not a PDF, JPEG or PNG document (whatever its name says). Attach a scan or photo in one of those formats.",
			"ഈ ഫയൽ PDF, JPEG, PNG രൂപത്തിലുള്ളതല്ല. അവയിലൊന്നിൽ സ്കാൻ അല്ലെങ്കിൽ ഫോട്ടോ ചേർക്കുക."))
	}
	name := u.Name
	if !utf8.ValidString(name) || len(name) > 200 {
		name = "document"
	}
	return Attachment{Field: field, Name: name, ContentType: ct, Size: len(u.Data), Uploaded: now, By: by.ID}, nil
}

// encoded is a file's JSON.
type encoded struct{ file []byte }

func encode(f File) (encoded, error) {
	file, err := json.Marshal(f)
	return encoded{file: file}, err
}

// save writes the file and appends the event for the action.
func (w *Workflow) save(tx *store.Tx, old, f *File, by domain.Actor, kind string, data any) error {
	enc, err := encode(*f)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return w.stage(tx, old, f, enc, by, kind, raw)
}

// stage puts an encoded file and its event. The desks it moves between
// follow from the event (desks.go).
func (w *Workflow) stage(tx *store.Tx, old, f *File, enc encoded, by domain.Actor, kind string, eventData []byte) error {
	if err := tx.PutRaw(entityFile, f.ID, enc.file); err != nil {
		return err
	}
	if err := tx.EmitRaw(by.ID, actionEvents[kind], entityFile, f.ID, eventData); err != nil {
		return err
	}
	if wt, ok := w.rules(w.Service(*f)).(Watcher); ok {
		return wt.FileChanged(tx, old, f, kind)
	}
	return nil
}

// get loads a file inside a transaction.
func getFile(tx *store.Tx, id string) (File, error) {
	var f File
	if err := tx.Get(entityFile, id, &f); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return f, domain.Errorf(domain.ENOTFOUND, "There is no file %s.", id)
		}
		return f, err
	}
	return f, nil
}

// Get returns a file to someone allowed to read it: its applicant, or
// office staff. A staff member's reading of the applicant's personal data is
// itself recorded as an event.
func (w *Workflow) Get(by domain.Actor, id string) (File, error) {
	var f File
	err := w.Store.View(func(tx *store.Tx) (err error) { f, err = getFile(tx, id); return err })
	if err != nil {
		return File{}, err
	}
	if err := canRead(by, f); err != nil {
		return File{}, err
	}
	if by.IsStaff() {
		_, err = w.Store.Write(func(tx *store.Tx) error {
			return tx.Emit(by.ID, EventViewed, entityFile, f.ID, map[string]string{"number": f.Number})
		})
	}
	return f, err
}

func canRead(by domain.Actor, f File) error {
	switch {
	case by.Has(domain.RoleCitizen) && f.Applicant.UserID == by.ID:
		return nil
	case by.IsStaff() && !by.HasAny(domain.RoleKiosk):
		return nil
	}
	// Not found rather than forbidden: a citizen must not learn which file ids exist.
	return domain.Errorf(domain.ENOTFOUND, "There is no file %s among your applications.", f.ID)
}

// File returns a file by id without checking who asks: for the
// appliance's own work (the outbox attaching a receipt), never for a
// person's request, which goes through Get.
func (w *Workflow) File(id string) (File, error) {
	var f File
	err := w.Store.View(func(tx *store.Tx) (err error) { f, err = getFile(tx, id); return err })
	return f, err
}

// ApplicationNumber is an application's number as citizens quote it:
// KS/<local body>/<year>/<service abbreviation>/<n>, e.g. KS/M0701/2026/BC/12.
func ApplicationNumber(localBody string, year int, abbr string, n uint64) string {
	return fmt.Sprintf("KS/%s/%d/%s/%d", localBody, year, abbr, n)
}

// IDByNumber returns the file id for an application number.
func (w *Workflow) IDByNumber(number string) (string, error) {
	var id string
	err := w.Store.View(func(tx *store.Tx) (err error) {
		id, err = tx.Lookup(indexNumber, numberKey(strings.TrimSpace(number)))
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", domain.Bilingual(domain.ENOTFOUND, domain.T("No application has that number. Check it against your receipt (e.g. KS/M0701/2026/BC/12).", "ആ നമ്പറിൽ അപേക്ഷയില്ല. രസീതിലെ നമ്പർ പരിശോധിക്കുക."))
	}
	return id, err
}

// Status returns the public status of the application with this number.
func (w *Workflow) Status(number string) (PublicStatus, error) {
	id, err := w.IDByNumber(number)
	if err != nil {
		return PublicStatus{}, err
	}
	var f File
	if err := w.Store.View(func(tx *store.Tx) (err error) { f, err = getFile(tx, id); return err }); err != nil {
		return PublicStatus{}, err
	}
	last := f.History[len(f.History)-1]
	return PublicStatus{Number: f.Number, Service: f.ServiceName, Status: f.Status, StatusName: StatusName(f.Status), StepName: f.StepName,
		Submitted: f.Submitted, Due: f.Due, Overdue: f.Overdue(w.Now()), LastAction: KindName(last.Kind), LastUpdated: last.At}, nil
}

// Inbox lists the open files on the actor's desks — each of their roles, and
// files forwarded to them by name — overdue first, then by due date. Staff
// tied to wards see only their wards' files. It shows every action
// committed before it was called.
func (w *Workflow) Inbox(by domain.Actor, limit int) ([]DeskEntry, error) {
	if !by.IsStaff() {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only office staff have an inbox.")
	}
	desks := []string{"user:" + by.ID}
	for _, r := range by.Roles {
		desks = append(desks, "role:"+string(r))
	}
	seen := map[string]bool{}
	var out []DeskEntry
	err := w.current(func(v *deskView) error {
		for _, d := range desks {
			entries := v.onDesk(d)
			if limit > 0 && len(entries) > limit {
				entries = entries[:limit]
			}
			for _, e := range entries {
				if seen[e.ID] || !inWards(by, e.Ward) {
					continue
				}
				seen[e.ID] = true
				out = append(out, e)
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

func inWards(by domain.Actor, ward int) bool {
	return len(by.Wards) == 0 || ward == 0 || slices.Contains(by.Wards, ward)
}

// Applications lists a citizen's own files, newest first. It shows every
// application committed before it was called.
func (w *Workflow) Applications(userID string, limit int) ([]DeskEntry, error) {
	var ids []string
	err := w.current(func(v *deskView) error {
		mine := v.mine[userID]
		if limit > 0 && len(mine) > limit {
			mine = mine[len(mine)-limit:]
		}
		ids = slices.Clone(mine)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]DeskEntry, 0, len(ids))
	err = w.Store.View(func(tx *store.Tx) error {
		for i := len(ids) - 1; i >= 0; i-- {
			raw, err := tx.GetRaw(entityFile, ids[i])
			if err != nil {
				return err
			}
			var f viewFile
			if err := json.Unmarshal(raw, &f); err != nil {
				return fmt.Errorf("file %s: %w", ids[i], err)
			}
			out = append(out, f.file().entry())
		}
		return nil
	})
	return out, err
}

// Service returns the catalogue definition a file was made under.
func (w *Workflow) Service(f File) catalogue.Service {
	svc, _ := w.Catalogue.Get(f.Service)
	return svc
}

// Attachment returns a document attached to a file (an upload, a report)
// and its bytes, to someone who may read the file (see Get).
func (w *Workflow) Attachment(by domain.Actor, id, blob string) (Attachment, []byte, error) {
	f, err := w.Get(by, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	for _, d := range f.Documents {
		if d.Blob == blob {
			data, err := w.blob(d.Blob)
			return d, data, err
		}
	}
	return Attachment{}, nil, domain.Bilingual(domain.ENOTFOUND, domain.T("This file has no such document.", "ഈ ഫയലിൽ അങ്ങനെയൊരു രേഖയില്ല."))
}

// Issued returns the document a file was issued with (a certificate, a
// letter) and its PDF, to someone who may read the file (see Get).
func (w *Workflow) Issued(by domain.Actor, id string) (IssuedDocument, []byte, error) {
	f, err := w.Get(by, id)
	if err != nil {
		return IssuedDocument{}, nil, err
	}
	if f.Issued == nil {
		return IssuedDocument{}, nil, domain.Bilingual(domain.ENOTFOUND, domain.T("Nothing has been issued on this application yet.", "ഈ അപേക്ഷയിൽ ഇതുവരെ ഒന്നും നൽകിയിട്ടില്ല."))
	}
	data, err := w.blob(f.Issued.Blob)
	return *f.Issued, data, err
}

func (w *Workflow) blob(sum string) ([]byte, error) {
	var data []byte
	err := w.Store.View(func(tx *store.Tx) (err error) { data, err = tx.Blob(sum); return err })
	return data, err
}
