package kyc

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Booking statuses.
const (
	StatusDraft       = "draft"        // the application is kept; no slot yet
	StatusBooked      = "booked"       // a slot is booked
	StatusVerified    = "verified"     // the officer verified the identity
	StatusNotVerified = "not_verified" // the officer could not
)

// StatusName names a booking's status for people.
func StatusName(s string) domain.Text {
	switch s {
	case StatusDraft:
		return domain.T("Application kept: choose a time", "അപേക്ഷ സൂക്ഷിച്ചു: സമയം തിരഞ്ഞെടുക്കുക")
	case StatusBooked:
		return domain.T("Call booked", "കോൾ ബുക്ക് ചെയ്തു")
	case StatusVerified:
		return domain.T("Verified", "ഉറപ്പാക്കി")
	case StatusNotVerified:
		return domain.T("Not verified", "ഉറപ്പാക്കാനായില്ല")
	}
	return domain.T(s, s)
}

// Booking is one citizen's video KYC for one application: the draft kept,
// the slot, the call's parts and recordings, and the outcome.
type Booking struct {
	ID      string    `json:"id"`
	Number  string    `json:"number"` // VK-<n>/<year>, for people
	Citizen string    `json:"citizen"`
	Name    string    `json:"name"` // the citizen's
	Service string    `json:"service"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	// Draft is the application being filled in, kept until it is resumed.
	Draft Draft `json:"draft"`
	// Persons must each appear on the call and be named by the officer.
	Persons []Person `json:"persons"`
	// Subject identifies the persons (a hash of their names): a KYC is
	// valid for an application naming the same persons, by the same citizen.
	Subject string `json:"subject"`
	Slot    *Slot  `json:"slot,omitempty"`
	// TimeZone is the citizen's own (IANA), to show them the slot's time.
	TimeZone string `json:"time_zone,omitempty"`
	// Parts are the call's connections, one per party per joining.
	Parts      []Part      `json:"parts,omitempty"`
	Recordings []Recording `json:"recordings,omitempty"`
	// AudioOnly says the citizen joined without a camera.
	AudioOnly bool `json:"audio_only,omitempty"`
	// Snapshots are the officer's stills from the call (SHA-256 of each).
	Snapshots []string `json:"snapshots,omitempty"`
	Outcome   *Outcome `json:"outcome,omitempty"`
}

// Draft is an application kept while its applicant completes KYC.
type Draft struct {
	Values  map[string]string      `json:"values"`
	Uploads map[string]DraftUpload `json:"uploads,omitempty"`
}

// DraftUpload is a document uploaded with a draft, kept as a blob.
type DraftUpload struct {
	Name  string `json:"name"`
	Blob  string `json:"blob"`
	Bytes int    `json:"bytes"`
}

// Person is someone who must appear on the call.
type Person struct {
	Field string      `json:"field"` // the form's name field
	Role  domain.Text `json:"role"`  // its label: "Bride's name"
	Name  domain.Text `json:"name"`
}

// Part is one party's connection to the call.
type Part struct {
	N      int       `json:"n"`
	Side   string    `json:"side"` // SideCitizen or SideOfficer
	By     string    `json:"by"`
	Joined time.Time `json:"joined"`
}

// Recording is a call's recording kept on this node.
type Recording struct {
	SHA256 string    `json:"sha256"`
	Bytes  int64     `json:"bytes"`
	Files  []string  `json:"files"`
	Kept   time.Time `json:"kept"`
	// Partial says the call was cut short (the appliance stopped); Note
	// says how.
	Partial bool   `json:"partial,omitempty"`
	Note    string `json:"note,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
}

// Sides of a call.
const (
	SideCitizen = "citizen"
	SideOfficer = "officer"
)

// persons reads who must appear from an application's values.
func persons(svc catalogue.Service, values map[string]string) []Person {
	var out []Person
	for _, name := range svc.VideoKYC.Persons {
		p := Person{Field: name, Name: domain.T(strings.TrimSpace(values[name+"_en"]), strings.TrimSpace(values[name+"_ml"]))}
		for _, f := range svc.Fields {
			if f.Name == name {
				p.Role = f.Label
			}
		}
		out = append(out, p)
	}
	return out
}

// subject identifies the persons of an application by their names, letters
// compared without case, spaces or dots.
func subject(svc catalogue.Service, values map[string]string) string {
	h := sha256.New()
	h.Write([]byte(svc.Code))
	for _, p := range persons(svc, values) {
		n := strings.Map(func(r rune) rune {
			if r == ' ' || r == '.' || r == ',' {
				return -1
			}
			return r
		}, strings.ToLower(p.Name.En))
		h.Write([]byte{0})
		h.Write([]byte(n))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// KeepDraft keeps an application that needs KYC (its module refused it
// with ErrNeeded) as a draft, uploads included, for its applicant to book
// a call and resume it after.
func (k *KYC) KeepDraft(by domain.Actor, service string, values map[string]string, uploads map[string]workflow.Upload) (Booking, error) {
	svc, ok := k.Catalogue.Get(service)
	if !ok || svc.VideoKYC == nil {
		return Booking{}, domain.Errorf(domain.EINVALID, "service %s needs no video KYC", service)
	}
	if !by.Has(domain.RoleCitizen) {
		return Booking{}, domain.Bilingual(domain.EFORBIDDEN, domain.T("Video KYC is booked by the citizen from their own account.", "വീഡിയോ കെ.വൈ.സി. പൗരൻ സ്വന്തം അക്കൗണ്ടിൽ നിന്ന് ബുക്ക് ചെയ്യണം."))
	}
	now := k.Now()
	b := Booking{Citizen: by.ID, Name: by.Name, Service: service, Status: StatusDraft, Created: now,
		Draft: Draft{Values: values, Uploads: map[string]DraftUpload{}}, Persons: persons(svc, values), Subject: subject(svc, values)}
	names := slices.Sorted(maps.Keys(uploads))
	sums := map[string]string{}
	for _, n := range names {
		sums[n] = store.SumBlob(uploads[n].Data)
	}
	_, err := k.Store.Write(func(tx *store.Tx) error {
		n, err := tx.NextNumber(bookingSeq)
		if err != nil {
			return err
		}
		b.ID = fmt.Sprintf("vk-%d", n)
		b.Number = fmt.Sprintf("VK-%d/%d", n, now.In(Kerala).Year())
		for _, name := range names {
			if err := tx.PutSummedBlob(sums[name], uploads[name].Data); err != nil {
				return err
			}
			b.Draft.Uploads[name] = DraftUpload{Name: uploads[name].Name, Blob: sums[name], Bytes: len(uploads[name].Data)}
		}
		if err := tx.Put(entityBooking, b.ID, b); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventDraftKept, entityBooking, b.ID, map[string]any{"service": service, "citizen": by.ID,
			"number": b.Number, "uploads": len(names)})
	})
	return b, err
}

// Booking returns a booking its citizen or the registrar's office may read.
func (k *KYC) Booking(by domain.Actor, id string) (Booking, error) {
	var b Booking
	err := k.Store.View(func(tx *store.Tx) (err error) { b, err = getBooking(tx, id); return err })
	if err != nil {
		return b, err
	}
	if b.Citizen != by.ID && !by.HasAny(OfficerRoles...) {
		return Booking{}, notFound() // whose booking it is cannot be probed
	}
	return b, nil
}

// Bookings lists a citizen's bookings, newest first.
func (k *KYC) Bookings(citizen string) ([]Booking, error) {
	return k.list(func(b Booking) bool { return b.Citizen == citizen })
}

// OfficeBookings lists the booked calls the registrar's office holds, from
// yesterday on, soonest first, then those with an outcome.
func (k *KYC) OfficeBookings(by domain.Actor) ([]Booking, error) {
	if !by.HasAny(OfficerRoles...) {
		return nil, forbidden()
	}
	out, err := k.list(func(b Booking) bool { return b.Slot != nil })
	slices.SortStableFunc(out, func(a, b Booking) int {
		if (a.Outcome == nil) != (b.Outcome == nil) {
			if a.Outcome == nil {
				return -1
			}
			return 1
		}
		return a.Slot.Start.Compare(b.Slot.Start)
	})
	return out, err
}

func (k *KYC) list(keep func(Booking) bool) ([]Booking, error) {
	var out []Booking
	err := k.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityBooking, store.ScanOptions{}, func(id string, raw []byte) error {
			var b Booking
			if err := json.Unmarshal(raw, &b); err != nil {
				return err
			}
			if keep(b) {
				out = append(out, b)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b Booking) int { return b.Created.Compare(a.Created) })
	return out, err
}

func forbidden() error {
	return domain.Bilingual(domain.EFORBIDDEN, domain.T("Only the registrar's office holds video KYC calls.", "വീഡിയോ കെ.വൈ.സി. കോളുകൾ രജിസ്ട്രാർ ഓഫീസിന് മാത്രം."))
}

// Book books a free slot for a draft's call, and sends the citizen a
// message with the slot in Kerala time and in their own, and the link to
// the call. A citizen may move their booking to another free slot until
// the call has begun.
func (k *KYC) Book(by domain.Actor, id string, start time.Time, timeZone string) (Booking, error) {
	now := k.Now()
	loc, err := time.LoadLocation(timeZone)
	if err != nil || timeZone == "" {
		loc, timeZone = Kerala, "Asia/Kolkata"
	}
	sl, ok := k.slotAt(start, now)
	if !ok {
		return Booking{}, domain.FieldErrors{"slot": domain.T("Choose one of the office's free times shown.", "ഓഫീസിന്റെ ഒഴിവുള്ള സമയങ്ങളിൽ ഒന്ന് തിരഞ്ഞെടുക്കുക.")}.Err()
	}
	return k.update(id, func(tx *store.Tx, b *Booking) error {
		if b.Citizen != by.ID {
			return notFound()
		}
		if b.Status != StatusDraft && b.Status != StatusBooked || len(b.Parts) > 0 {
			return domain.Bilingual(domain.ECONFLICT, domain.T("This call has taken place; it cannot be moved.", "ഈ കോൾ നടന്നുകഴിഞ്ഞു; മാറ്റാനാകില്ല."))
		}
		if tx.Exists(entitySlot, slotKey(sl.Start)) {
			return domain.FieldErrors{"slot": domain.T("That time was just taken: choose another.", "ആ സമയം ഇപ്പോൾ മറ്റൊരാൾ എടുത്തു: മറ്റൊന്ന് തിരഞ്ഞെടുക്കുക.")}.Err()
		}
		if b.Slot != nil {
			if err := tx.Delete(entitySlot, slotKey(b.Slot.Start)); err != nil {
				return err
			}
		}
		if err := tx.Put(entitySlot, slotKey(sl.Start), map[string]string{"booking": b.ID}); err != nil {
			return err
		}
		b.Slot, b.Status, b.TimeZone = &sl, StatusBooked, timeZone
		kerala := sl.Start.In(Kerala).Format("Mon 2 Jan 2006, 15:04") + " (Kerala time)"
		theirs := sl.Start.In(loc).Format("Mon 2 Jan 2006, 15:04") + " (" + timeZone + ")"
		link := "/kyc/" + b.ID
		if _, err := messaging.Queue(tx, now, messaging.Message{To: b.Citizen, Kind: messaging.KindNotice, Link: link,
			Subject: domain.T("Video KYC "+b.Number+": "+kerala, "വീഡിയോ കെ.വൈ.സി. "+b.Number+": "+kerala),
			Body: domain.T(fmt.Sprintf("Your video KYC call with the registrar's office is booked for %s, which is %s where you are. Join from your account at %s (from %d minutes before), with your passport at hand and everyone who must appear: %s. Your application is kept and continues after the call.",
				kerala, theirs, link, k.settings().JoinEarlyMinutes, personList(b.Persons, "en")),
				fmt.Sprintf("രജിസ്ട്രാർ ഓഫീസുമായുള്ള നിങ്ങളുടെ വീഡിയോ കെ.വൈ.സി. കോൾ %s-ന് (നിങ്ങളുടെ സമയം %s) ബുക്ക് ചെയ്തു. %d മിനിറ്റ് മുമ്പ് മുതൽ %s എന്ന ലിങ്കിൽ നിന്ന് ചേരുക; പാസ്പോർട്ടും ഹാജരാകേണ്ട എല്ലാവരും (%s) കൂടെ വേണം. നിങ്ങളുടെ അപേക്ഷ സൂക്ഷിച്ചിട്ടുണ്ട്; കോളിന് ശേഷം തുടരാം.",
					kerala, theirs, k.settings().JoinEarlyMinutes, link, personList(b.Persons, "ml")))}); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventBooked, entityBooking, b.ID, map[string]any{"slot": sl.Start.UTC(), "time_zone": timeZone})
	})
}

func personList(ps []Person, lang string) string {
	var out []string
	for _, p := range ps {
		n := p.Name.In(lang)
		if n == "" {
			n = p.Name.En
		}
		out = append(out, fmt.Sprintf("%s (%s)", n, p.Role.In(lang)))
	}
	return strings.Join(out, ", ")
}

// DraftUploads returns the documents kept with a draft, for the citizen
// resuming it: they need not upload them again.
func (k *KYC) DraftUploads(by domain.Actor, id string) (map[string]workflow.Upload, error) {
	b, err := k.Booking(by, id)
	if err != nil {
		return nil, err
	}
	if b.Citizen != by.ID {
		return nil, notFound()
	}
	out := map[string]workflow.Upload{}
	err = k.Store.View(func(tx *store.Tx) error {
		for name, u := range b.Draft.Uploads {
			data, err := tx.Blob(u.Blob)
			if err != nil {
				return err
			}
			out[name] = workflow.Upload{Name: u.Name, Data: data}
		}
		return nil
	})
	return out, err
}
