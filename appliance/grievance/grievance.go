package grievance

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Limits of what a report says.
const (
	MaxDescription = 4000 // characters
	MaxLandmark    = 200
	MaxName        = 100
)

// Grievance is the module's instance on one node. Create it with its
// fields set (Open does, for the appliance).
type Grievance struct {
	Store      *store.Store
	LocalBody  domain.LocalBody
	Calendar   domain.Calendar
	Categories *Categories
	Wards      *Wards
	// Identity finds the ward officers a report is routed to.
	Identity *identity.Service
	Now      func() time.Time
	Logger   *slog.Logger
}

// Submission is a report as the reporter (or the front office, or a kiosk,
// or an Open311 client) gives it.
type Submission struct {
	Category    string
	Description string
	// Ward is the ward chosen (0: none); Lat and Lon the place as typed
	// ("" for none). A place inside a drawn ward decides the ward.
	Ward     int
	Landmark string
	Lat, Lon string
	Photos   []PhotoUpload
	// Name, Phone and Email are the reporter's, all optional.
	Name, Phone, Email string
	Anonymous          bool
	Language           string
	// Channel is how it came (ChannelOnline when "").
	Channel string
}

// Who is whoever acts on a report from outside the office: a signed-in
// citizen (Actor), or someone holding the key their report was given.
type Who struct {
	Actor domain.Actor
	Key   string
}

func field(name string, en, ml string) error { return domain.FieldErrors{name: domain.T(en, ml)}.Err() }

// Submit checks a report field by field, places it in its ward, routes it
// to its section's ward officer with its deadline and acknowledges it, in
// one durable write. Anyone may report; only the front office reports at
// the counter and a kiosk at the kiosk. Key is the secret a reporter
// without an account confirms, reopens or rates with ("" for a signed-in
// citizen). Nothing is stored when anything is wrong.
func (g *Grievance) Submit(by domain.Actor, in Submission) (r Report, key string, err error) {
	now := g.Now()
	channel := in.Channel
	if channel == "" {
		channel = ChannelOnline
	}
	switch {
	case channel == ChannelCounter && by.Has(domain.RoleFrontOffice):
	case channel == ChannelKiosk && by.Has(domain.RoleKiosk):
	case channel == ChannelOnline || channel == ChannelOpen311:
	default:
		return Report{}, "", domain.Bilingual(domain.EFORBIDDEN, domain.T("Reports at the counter are taken by the front office, and at the kiosk by the kiosk.", "കൗണ്ടറിലെ പരാതികൾ ഫ്രണ്ട് ഓഫീസും കിയോസ്കിലേത് കിയോസ്കും സ്വീകരിക്കുന്നു."))
	}
	fe := domain.FieldErrors{}
	cat, ok := g.Categories.Get(in.Category)
	if !ok {
		fe.Add("category", domain.T("Choose what the problem is from the list.", "പ്രശ്നം എന്താണെന്ന് പട്ടികയിൽ നിന്ന് തിരഞ്ഞെടുക്കുക."))
	}
	desc := strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(desc); {
	case !utf8.ValidString(desc):
		fe.Add("description", domain.T("The description has characters that are not text.", "വിവരണത്തിൽ അക്ഷരങ്ങളല്ലാത്തവയുണ്ട്."))
	case n == 0:
		fe.Add("description", domain.T("Say what the problem is, in a few words.", "പ്രശ്നം എന്താണെന്ന് കുറച്ച് വാക്കുകളിൽ എഴുതുക."))
	case n > MaxDescription:
		fe.Add("description", domain.T(fmt.Sprintf("The description is %d characters; keep it within %d.", n, MaxDescription), fmt.Sprintf("വിവരണം %d അക്ഷരങ്ങളുണ്ട്; %d-നുള്ളിൽ ഒതുക്കുക.", n, MaxDescription)))
	}
	landmark := strings.TrimSpace(in.Landmark)
	if utf8.RuneCountInString(landmark) > MaxLandmark || !utf8.ValidString(landmark) {
		fe.Add("landmark", domain.T(fmt.Sprintf("Keep the landmark within %d characters.", MaxLandmark), fmt.Sprintf("അടയാളം %d അക്ഷരങ്ങൾക്കുള്ളിൽ ഒതുക്കുക.", MaxLandmark)))
	}
	rep := Reporter{Name: strings.Join(strings.Fields(in.Name), " "), Anonymous: in.Anonymous, Language: in.Language}
	if rep.Language != "ml" {
		rep.Language = "en"
	}
	if utf8.RuneCountInString(rep.Name) > MaxName || !utf8.ValidString(rep.Name) {
		fe.Add("name", domain.T(fmt.Sprintf("Keep the name within %d characters.", MaxName), fmt.Sprintf("പേര് %d അക്ഷരങ്ങൾക്കുള്ളിൽ ഒതുക്കുക.", MaxName)))
	}
	if s := strings.TrimSpace(in.Phone); s != "" {
		if rep.Phone, ok = identity.NormalizePhone(s); !ok {
			fe.Add("phone", identity.MsgPhone)
		}
	}
	if s := strings.TrimSpace(in.Email); s != "" {
		if rep.Email, ok = identity.NormalizeEmail(s); !ok {
			fe.Add("email", identity.MsgEmail)
		}
	}
	if by.Has(domain.RoleCitizen) && channel == ChannelOnline {
		rep.UserID = by.ID
	}
	var photos []checkedPhoto
	if len(in.Photos) > g.Categories.Settings.MaxPhotos {
		fe.Add("photo", domain.T(fmt.Sprintf("Send at most %d photos.", g.Categories.Settings.MaxPhotos), fmt.Sprintf("പരമാവധി %d ഫോട്ടോകൾ അയയ്ക്കുക.", g.Categories.Settings.MaxPhotos)))
	} else {
		for _, u := range in.Photos {
			if len(u.Data) == 0 {
				continue
			}
			p, err := checkPhoto(u)
			if err != nil {
				var de *domain.Error
				if errors.As(err, &de) && (de.Code == domain.EINVALID || de.Code == domain.ETOOLARGE) {
					fe.Add("photo", domain.T(de.Message, de.MessageML))
					continue
				}
				return Report{}, "", err
			}
			photos = append(photos, p)
		}
	}
	ward, at, atFrom := g.place(in, photos, fe)
	if err := fe.Err(); err != nil {
		return Report{}, "", err
	}

	r = Report{Category: cat.Code, Description: desc, Ward: ward, Landmark: landmark, At: at, AtFrom: atFrom, Channel: channel, Reporter: rep,
		Status: StatusAcknowledged, Role: cat.Chain[0], Reported: now, Updated: now, Due: g.Calendar.AddWorkingDays(now, cat.Days)}
	r.SectionDue = r.Due
	if rep.UserID == "" {
		key = newKey()
		r.Reporter.KeyHash = hashKey(key)
	}
	for _, p := range photos {
		p.photo.Blob = store.SumBlob(p.data)
		r.Photos = append(r.Photos, p.photo)
	}
	r.History = []Step{
		{At: now, Kind: StepReported, Status: StatusAcknowledged, ActorID: by.ID, ActorName: staffName(by)},
		{At: now, Kind: StepAcknowledged, Status: StatusAcknowledged, ActorID: domain.System.ID, ActorName: domain.System.Name, Role: cat.Chain[0]},
	}
	if officer, ok := g.wardOfficer(cat.Chain[0], ward); ok {
		r.Officer, r.OfficerName, r.Status = officer.ID, officer.Name, StatusAssigned
		r.History = append(r.History, Step{At: now, Kind: StepAssigned, Status: StatusAssigned, ActorID: domain.System.ID, ActorName: domain.System.Name, Role: cat.Chain[0]})
	}
	id, err := g.Store.Reserve("grievance")
	if err != nil {
		return Report{}, "", err
	}
	year := now.In(domain.IST).Year()
	seq := fmt.Sprintf("grievance/%d", year)
	n, err := g.Store.Reserve(seq)
	if err != nil {
		return Report{}, "", err
	}
	r.ID, r.Number = fmt.Sprintf("%010d", id), fmt.Sprintf("GR-%d-%d", year, n)
	raw, err := json.Marshal(r)
	if err != nil {
		return Report{}, "", err
	}
	msg := g.message(r, cat, StepAcknowledged, key)
	_, err = g.Store.Write(func(tx *store.Tx) error {
		if err := tx.UseNumber("grievance", id); err != nil {
			return err
		}
		if err := tx.UseNumber(seq, n); err != nil {
			return err
		}
		for _, p := range photos {
			if err := tx.PutSummedBlob(store.SumBlob(p.data), p.data); err != nil {
				return err
			}
		}
		if err := tx.ClaimKey(indexNumber, r.Number, r.ID); err != nil {
			return err
		}
		if err := tx.PutRaw(entityReport, r.ID, raw); err != nil {
			return err
		}
		if err := tx.PutRaw(entityOpen, openKey(r), present); err != nil {
			return err
		}
		if r.Reporter.UserID != "" {
			if err := tx.PutRaw(entityUser, r.Reporter.UserID+"/"+r.ID, present); err != nil {
				return err
			}
		}
		// The reported event carries the whole report: the record it starts from.
		if err := tx.EmitRaw(by.ID, EventReported, entityReport, r.ID, raw); err != nil {
			return err
		}
		if msg != nil {
			if _, err := messaging.Queue(tx, now, *msg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Report{}, "", err
	}
	return r, key, nil
}

// place decides a report's ward and place: a place given (both
// coordinates) must lie in the body, and its ward decides; without one, a
// photo's EXIF place inside the body is taken; without either, the ward
// chosen. Problems are added to fe.
func (g *Grievance) place(in Submission, photos []checkedPhoto, fe domain.FieldErrors) (int, *Point, string) {
	lat, lon := strings.TrimSpace(in.Lat), strings.TrimSpace(in.Lon)
	if in.Ward != 0 && !g.LocalBody.HasWard(in.Ward) {
		fe.Add("ward", domain.T(fmt.Sprintf("There is no ward %d here; choose one from the list.", in.Ward), fmt.Sprintf("ഇവിടെ %d എന്ന വാർഡ് ഇല്ല; പട്ടികയിൽ നിന്ന് തിരഞ്ഞെടുക്കുക.", in.Ward)))
		return 0, nil, ""
	}
	if lat != "" || lon != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		p := Point{Lat: la, Lon: lo}
		if err1 != nil || err2 != nil || !p.Valid() {
			fe.Add("location", domain.T("Give the place as latitude and longitude in degrees (e.g. 9.9816, 76.2999), or choose the ward.", "സ്ഥലം അക്ഷാംശവും രേഖാംശവും ഡിഗ്രിയിൽ (ഉദാ. 9.9816, 76.2999) നൽകുക, അല്ലെങ്കിൽ വാർഡ് തിരഞ്ഞെടുക്കുക."))
			return 0, nil, ""
		}
		if !g.Wards.Drawn() {
			if in.Ward == 0 {
				fe.Add("ward", domain.T("Choose the ward: this local body's ward boundaries are not drawn yet, so a place alone cannot say which.", "വാർഡ് തിരഞ്ഞെടുക്കുക: വാർഡ് അതിരുകൾ ഇനിയും രേഖപ്പെടുത്തിയിട്ടില്ല."))
			}
			return in.Ward, &p, "reporter"
		}
		w := g.Wards.Ward(p)
		if w == 0 {
			fe.Add("location", domain.T(fmt.Sprintf("The place %.5f, %.5f is outside %s. Report it to the local body where it is.", p.Lat, p.Lon, g.LocalBody.Name.En),
				fmt.Sprintf("%.5f, %.5f എന്ന സ്ഥലം %s-ന് പുറത്താണ്. അത് ഉൾപ്പെടുന്ന തദ്ദേശ സ്ഥാപനത്തിൽ അറിയിക്കുക.", p.Lat, p.Lon, g.LocalBody.Name.Ml)))
			return 0, nil, ""
		}
		return w, &p, "reporter"
	}
	for _, ph := range photos {
		if ph.at == nil {
			continue
		}
		if w := g.Wards.Ward(*ph.at); w != 0 && (in.Ward == 0 || in.Ward == w) {
			return w, ph.at, "photo"
		}
	}
	if in.Ward == 0 {
		fe.Add("ward", domain.T("Choose the ward, or give the place (use my location).", "വാർഡ് തിരഞ്ഞെടുക്കുക, അല്ലെങ്കിൽ സ്ഥലം നൽകുക."))
	}
	return in.Ward, nil, ""
}

// wardOfficer is the office's officer of role for ward: the one enabled
// staff member with the role tied to the ward (or, when none is tied to
// it, the only one with the role at all).
func (g *Grievance) wardOfficer(role domain.Role, ward int) (domain.Actor, bool) {
	if g.Identity == nil {
		return domain.Actor{}, false
	}
	users, err := g.Identity.StaffWith(role)
	if err != nil {
		return domain.Actor{}, false
	}
	var tied, any []domain.Actor
	for _, u := range users {
		if u.Disabled {
			continue
		}
		if slices.Contains(u.Wards, ward) {
			tied = append(tied, u.Actor())
		}
		if len(u.Wards) == 0 {
			any = append(any, u.Actor())
		}
	}
	switch {
	case len(tied) > 0:
		return tied[0], true
	case len(any) == 1:
		return any[0], true
	}
	return domain.Actor{}, false
}

func staffName(by domain.Actor) string {
	if by.IsStaff() {
		return by.Name
	}
	return ""
}

func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func hashKey(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:])
}

// isReporter reports whether who reported r.
func (r Report) isReporter(who Who) bool {
	if r.Reporter.UserID != "" && who.Actor.ID == r.Reporter.UserID {
		return true
	}
	return r.Reporter.KeyHash != "" && who.Key != "" && subtle.ConstantTimeCompare([]byte(hashKey(who.Key)), []byte(r.Reporter.KeyHash)) == 1
}

// IsReporter reports whether who reported the report with number, for a
// page to offer the reporter's actions.
func (g *Grievance) IsReporter(number string, who Who) bool {
	r, err := g.report(number)
	return err == nil && r.isReporter(who)
}

var errNoReport = domain.Bilingual(domain.ENOTFOUND, domain.T("No report has that number. Check it against your acknowledgement (e.g. GR-2026-42).", "ആ നമ്പറിൽ പരാതിയില്ല. കൈപ്പറ്റിലെ നമ്പർ പരിശോധിക്കുക (ഉദാ. GR-2026-42)."))

func getReport(tx *store.Tx, number string) (Report, error) {
	id, err := tx.Lookup(indexNumber, strings.ToUpper(strings.TrimSpace(number)))
	if errors.Is(err, store.ErrNotFound) {
		return Report{}, errNoReport
	}
	if err != nil {
		return Report{}, err
	}
	var r Report
	err = tx.Get(entityReport, id, &r)
	return r, err
}

func (g *Grievance) report(number string) (r Report, err error) {
	err = g.Store.View(func(tx *store.Tx) error { r, err = getReport(tx, number); return err })
	return r, err
}

// Public returns what anyone may see of the report with number.
func (g *Grievance) Public(number string) (Public, error) {
	r, err := g.report(number)
	if err != nil {
		return Public{}, err
	}
	cat, _ := g.Categories.Get(r.Category)
	return r.Public(cat, g.Now()), nil
}

// Photo returns a photo of a report, to anyone: photos are public, and
// were stripped of EXIF when they came.
func (g *Grievance) Photo(number, blob string) ([]byte, error) {
	var data []byte
	err := g.Store.View(func(tx *store.Tx) error {
		r, err := getReport(tx, number)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(r.Photos, func(p Photo) bool { return p.Blob == blob }) {
			return domain.Bilingual(domain.ENOTFOUND, domain.T("This report has no such photo.", "ഈ പരാതിയിൽ അങ്ങനെയൊരു ഫോട്ടോ ഇല്ല."))
		}
		data, err = tx.Blob(blob)
		return err
	})
	return data, err
}

// Filter selects reports for a list.
type Filter struct {
	Ward     int
	Category string
	// Status is "open", "closed" or "" for both (Open311's values), or one
	// of the Status constants.
	Status   string
	From, To time.Time // reported in [From, To); zero: unbounded
	Limit    int       // 0: 200
}

// List returns the reports a filter selects, newest first, as anyone may
// see them.
func (g *Grievance) List(f Filter) ([]Public, error) {
	now := g.Now()
	if f.Limit <= 0 {
		f.Limit = 200
	}
	var out []Public
	err := g.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityReport, store.ScanOptions{Reverse: true}, func(_ string, raw []byte) error {
			var r Report
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			if !f.To.IsZero() && !r.Reported.Before(f.To) {
				return nil
			}
			if !f.From.IsZero() && r.Reported.Before(f.From) {
				return store.ErrStop
			}
			if !f.matches(r) {
				return nil
			}
			cat, _ := g.Categories.Get(r.Category)
			out = append(out, r.Public(cat, now))
			if len(out) >= f.Limit {
				return store.ErrStop
			}
			return nil
		})
	})
	return out, err
}

func (f Filter) matches(r Report) bool {
	if (f.Ward != 0 && r.Ward != f.Ward) || (f.Category != "" && r.Category != f.Category) {
		return false
	}
	switch f.Status {
	case "":
		return true
	case "open":
		return r.Open()
	case "closed":
		return !r.Open()
	}
	return r.Status == f.Status
}

// Nearby returns the reports of a category made in the last
// Settings.NearbyDays near a place (within Settings.NearbyMetres), or in
// the ward when no place is given, that are still open or fixed: what a
// reporter is shown before making a new one, to say "me too" instead.
func (g *Grievance) Nearby(category string, ward int, at *Point) ([]Public, error) {
	s := g.Categories.Settings
	now := g.Now()
	since := now.AddDate(0, 0, -s.NearbyDays)
	cat, _ := g.Categories.Get(category)
	var out []Public
	err := g.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityReport, store.ScanOptions{Reverse: true}, func(_ string, raw []byte) error {
			var r Report
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			if r.Reported.Before(since) {
				return store.ErrStop
			}
			if r.Category != category || r.Reason != "" || r.Status == StatusClosed {
				return nil
			}
			near := false
			switch {
			case at != nil && r.At != nil:
				near = at.Metres(*r.At) <= s.NearbyMetres
			case at != nil && r.At == nil:
				near = ward != 0 && r.Ward == ward
			default:
				near = r.Ward == ward
			}
			if near {
				out = append(out, r.Public(cat, now))
			}
			if len(out) >= 10 {
				return store.ErrStop
			}
			return nil
		})
	})
	return out, err
}

// Mine lists a signed-in citizen's own reports, newest first.
func (g *Grievance) Mine(userID string) ([]Public, error) {
	now := g.Now()
	var out []Public
	err := g.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityUser, store.ScanOptions{Prefix: userID + "/", Reverse: true, Limit: 100}, func(k string, _ []byte) error {
			var r Report
			if err := tx.Get(entityReport, k[strings.IndexByte(k, '/')+1:], &r); err != nil {
				return err
			}
			cat, _ := g.Categories.Get(r.Category)
			out = append(out, r.Public(cat, now))
			return nil
		})
	})
	return out, err
}

// Queue is an officer's list of the reports they hold, by deadline,
// overdue first: those of their roles' sections (as the section's officer
// or the one escalated to), in their wards when they are tied to wards.
// The secretary, who may step into any report, queues only those that
// have climbed to them.
// The reporter's contact is not in it (see Office).
func (g *Grievance) Queue(by domain.Actor, ward int) ([]Report, error) {
	if !by.IsStaff() || by.Has(domain.RoleKiosk) {
		return nil, domain.Bilingual(domain.EFORBIDDEN, domain.T("Only office staff have a queue of reports.", "ഓഫീസ് ജീവനക്കാർക്ക് മാത്രമേ പരാതികളുടെ നിര ഉള്ളൂ."))
	}
	var out []Report
	err := g.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityOpen, store.ScanOptions{}, func(k string, _ []byte) error {
			var r Report
			if err := tx.Get(entityReport, k[strings.IndexByte(k, '/')+1:], &r); err != nil {
				return err
			}
			if ward != 0 && r.Ward != ward {
				return nil
			}
			if g.mayAct(by, r) != nil || !by.HasAny(g.holders(r)...) {
				return nil
			}
			r.Reporter = Reporter{Anonymous: r.Reporter.Anonymous, Language: r.Reporter.Language}
			out = append(out, r)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, err
}

// Office returns a report with its reporter's contact to office staff who
// may work it, recording that they read it.
func (g *Grievance) Office(by domain.Actor, number string) (Report, error) {
	r, err := g.report(number)
	if err != nil {
		return Report{}, err
	}
	if !by.IsStaff() || by.Has(domain.RoleKiosk) {
		return Report{}, errNoReport
	}
	_, err = g.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(by.ID, EventViewed, entityReport, r.ID, map[string]string{"number": r.Number})
	})
	return r, err
}

// Contact is how the outbox reaches a reporter without an account, by
// the recipient ContactPrefix+<report id>.
func (g *Grievance) Contact(recipient string) (messaging.Contact, bool) {
	id, ok := strings.CutPrefix(recipient, ContactPrefix)
	if !ok {
		return messaging.Contact{}, false
	}
	var r Report
	if err := g.Store.View(func(tx *store.Tx) error { return tx.Get(entityReport, id, &r) }); err != nil {
		return messaging.Contact{}, false
	}
	name := r.Reporter.Name
	if name == "" {
		name = map[string]string{"en": "resident", "ml": "താമസക്കാരൻ/താമസക്കാരി"}[r.Reporter.Language]
	}
	return messaging.Contact{UserID: recipient, Name: name, Language: r.Reporter.Language, Phone: r.Reporter.Phone, Email: r.Reporter.Email}, true
}

// Assess refuses every workflow application: grievance serves no
// catalogue service as a file (see serves). It implements workflow.Rules.
func (g *Grievance) Assess(workflow.Assessing) (workflow.Assessment, error) {
	return workflow.Assessment{}, domain.Bilingual(domain.EUNAVAILABLE, notAFile)
}

// Prepare does nothing: no file of grievance's is ever approved. It
// implements workflow.Rules.
func (g *Grievance) Prepare(workflow.Preparing) (workflow.Apply, error) { return nil, nil }
