package rts

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// RTS is the Right to Service appeals of one node. Create it with its
// fields set.
type RTS struct {
	Store     *store.Store
	Workflow  *workflow.Workflow
	LocalBody domain.LocalBody
	Documents *documents.Renderer
	// PublicURL is the address the orders' QR codes point to.
	PublicURL func() string
	Now       func() time.Time
}

// Appeal levels.
const (
	First  = 1
	Second = 2
)

// Grounds of a first appeal.
const (
	GroundOverdue  = "overdue"  // not delivered within the time limit
	GroundRejected = "rejected" // rejected
)

// Outcomes of an appeal.
const (
	OutcomeDeliver = "deliver" // the designated officer is ordered to deliver by a date
	OutcomeUphold  = "uphold"  // the rejection (or the delay) is upheld, with reasons
	OutcomePenalty = "penalty" // a penalty is proposed on the designated officer (with an order to deliver, where it can still be)
)

// OutcomeName names an outcome for people.
func OutcomeName(o string) domain.Text {
	switch o {
	case OutcomeDeliver:
		return domain.T("Delivery ordered", "സേവനം നൽകാൻ ഉത്തരവ്")
	case OutcomeUphold:
		return domain.T("Appeal dismissed; decision upheld", "അപ്പീൽ തള്ളി; തീരുമാനം ശരിവെച്ചു")
	case OutcomePenalty:
		return domain.T("Penalty proposed on the designated officer", "നിയുക്ത ഉദ്യോഗസ്ഥന് പിഴ നിർദ്ദേശിച്ചു")
	}
	return domain.T(o, o)
}

// Appeal is one appeal on a file, to the first or the second appellate
// authority; a file of its own, with its own number and time limit.
type Appeal struct {
	ID          string      `json:"id"`
	Number      string      `json:"number"` // RTS/<local body>/<year>/A<level>/<n>
	Level       int         `json:"level"`
	File        string      `json:"file"` // the file appealed against (id)
	FileNumber  string      `json:"file_number"`
	Service     string      `json:"service"`
	ServiceName domain.Text `json:"service_name"`
	// Appellant is the file's applicant (user id); AppellantName as filed.
	Appellant     string      `json:"appellant"`
	AppellantName domain.Text `json:"appellant_name"`
	Ground        string      `json:"ground"` // GroundOverdue, GroundRejected, or the first appeal's number
	Grounds       string      `json:"grounds"`
	// Authority hears it; Officer is the designated officer's desk.
	Authority catalogue.Authority `json:"authority"`
	Officer   domain.Role         `json:"officer"`
	Filed     time.Time           `json:"filed"`
	Due       time.Time           `json:"due"`
	// Previous is the first appeal a second appeal is against.
	Previous string    `json:"previous,omitempty"`
	Decision *Decision `json:"decision,omitempty"`
}

// Decided reports whether the appeal has been decided.
func (a Appeal) Decided() bool { return a.Decision != nil }

// Overdue reports whether the appellate authority is past its own limit.
func (a Appeal) Overdue(now time.Time) bool { return !a.Decided() && now.After(a.Due) }

// Decision is an appellate authority's order.
type Decision struct {
	Outcome string    `json:"outcome"`
	Reasons string    `json:"reasons"`
	At      time.Time `json:"at"`
	ByID    string    `json:"by_id"`
	ByName  string    `json:"by_name"`
	// DeliverBy is the date the designated officer must deliver by.
	DeliverBy time.Time `json:"deliver_by,omitzero"`
	// Penalty is the penalty proposed (its id), and its amount.
	Penalty       string       `json:"penalty,omitempty"`
	PenaltyAmount domain.Paise `json:"penalty_amount,omitempty"`
	// Order is the SHA-256 of the order's PDF.
	Order string `json:"order"`
}

// Penalty is a penalty proposed on a designated officer, as the penalty
// register lists it. The officer's name is for the office and the
// authority; a citizen is shown the designation only.
type Penalty struct {
	ID           string       `json:"id"`
	Appeal       string       `json:"appeal"` // the appeal's number
	AppealID     string       `json:"appeal_id"`
	FileNumber   string       `json:"file_number"`
	Service      string       `json:"service"`
	OfficerID    string       `json:"officer_id,omitempty"`
	OfficerName  string       `json:"officer_name,omitempty"`
	Designation  domain.Role  `json:"designation"`
	Amount       domain.Paise `json:"amount"`
	Hearing      string       `json:"hearing"`
	ProposedBy   string       `json:"proposed_by"`
	ProposedByID string       `json:"proposed_by_id"`
	Proposed     time.Time    `json:"proposed"`
	Basis        string       `json:"basis"`
}

func invalid(field string, t domain.Text) error {
	return &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{field: t}}
}

func refuse(code string, en, ml string) error { return domain.Bilingual(code, domain.T(en, ml)) }

func endOfDay(t time.Time, days int) time.Time {
	return domain.Calendar{}.AddDays(t, days, true)
}

func ddmmyyyy(t time.Time) string { return t.In(domain.IST).Format("02-01-2006") }

// Standing is whether a file's applicant may appeal now, to which level,
// and until when; Why says why not, in both languages.
type Standing struct {
	Level    int         `json:"level"`
	Ground   string      `json:"ground"`
	Deadline time.Time   `json:"deadline"`
	Previous *Appeal     `json:"-"`
	Why      domain.Text `json:"why"`
}

// Can reports whether an appeal may be filed.
func (s Standing) Can() bool { return s.Level > 0 }

// standing decides whether f may be appealed at now, given its appeals.
func standing(f workflow.File, rts catalogue.RightToService, first, second *Appeal, now time.Time) Standing {
	switch {
	case second != nil:
		return Standing{Why: domain.T("Both appeals on this application have been filed; there is no further appeal under the Act.", "ഈ അപേക്ഷയിൽ രണ്ട് അപ്പീലുകളും നൽകിക്കഴിഞ്ഞു; നിയമപ്രകാരം ഇനി അപ്പീലില്ല.")}
	case first != nil && !first.Decided():
		return Standing{Why: domain.T(
			fmt.Sprintf("Your first appeal %s is not decided yet; a second appeal can be filed only against its decision. The first appellate authority must decide by %s.", first.Number, ddmmyyyy(first.Due)),
			fmt.Sprintf("നിങ്ങളുടെ ഒന്നാം അപ്പീൽ %s ഇതുവരെ തീരുമാനിച്ചിട്ടില്ല; അതിലെ തീരുമാനത്തിനെതിരെ മാത്രമേ രണ്ടാം അപ്പീൽ നൽകാനാകൂ. %s നകം തീരുമാനിക്കണം.", first.Number, ddmmyyyy(first.Due)))}
	case first != nil:
		deadline := endOfDay(first.Decision.At, rts.SecondAppealDays)
		if now.After(deadline) {
			return Standing{Why: domain.T(
				fmt.Sprintf("The time for a second appeal ended on %s (%d days after the first appeal was decided).", ddmmyyyy(deadline), rts.SecondAppealDays),
				fmt.Sprintf("രണ്ടാം അപ്പീലിനുള്ള സമയം %s ന് അവസാനിച്ചു (ഒന്നാം അപ്പീൽ തീരുമാനിച്ച് %d ദിവസം).", ddmmyyyy(deadline), rts.SecondAppealDays))}
		}
		return Standing{Level: Second, Ground: first.Number, Deadline: deadline, Previous: first}
	}
	var ground string
	var from time.Time
	switch {
	case f.Status == workflow.StatusRejected:
		ground, from = GroundRejected, f.Decided
	case f.Overdue(now):
		ground, from = GroundOverdue, f.Due
	default:
		why := domain.T(
			fmt.Sprintf("This application is neither late nor rejected: it is due by %s. You may appeal if it is rejected or not delivered by then.", ddmmyyyy(f.Due)),
			fmt.Sprintf("ഈ അപേക്ഷ വൈകുകയോ നിരസിക്കുകയോ ചെയ്തിട്ടില്ല: %s നകം തീർപ്പാക്കണം. നിരസിക്കുകയോ അതിനകം നൽകാതിരിക്കുകയോ ചെയ്താൽ അപ്പീൽ നൽകാം.", ddmmyyyy(f.Due)))
		if !f.Open() {
			why = domain.T("This application has been delivered; there is nothing to appeal against.", "ഈ സേവനം നൽകിക്കഴിഞ്ഞു; അപ്പീൽ നൽകാൻ കാരണമില്ല.")
		} else if f.Status == workflow.StatusReturned {
			why = domain.T("This application is waiting for your answer; its clock is stopped until you answer.", "ഈ അപേക്ഷ നിങ്ങളുടെ മറുപടിക്കായി കാത്തിരിക്കുന്നു; മറുപടി നൽകുന്നതുവരെ സമയം കണക്കാക്കില്ല.")
		}
		return Standing{Why: why}
	}
	deadline := endOfDay(from, rts.AppealDays)
	if now.After(deadline) {
		return Standing{Why: domain.T(
			fmt.Sprintf("The time to appeal ended on %s (%d days after the application was %s).", ddmmyyyy(deadline), rts.AppealDays, map[string]string{GroundRejected: "rejected", GroundOverdue: "due"}[ground]),
			fmt.Sprintf("അപ്പീൽ നൽകാനുള്ള സമയം %s ന് അവസാനിച്ചു (%d ദിവസം).", ddmmyyyy(deadline), rts.AppealDays))}
	}
	return Standing{Level: First, Ground: ground, Deadline: deadline}
}

// Standing says whether the applicant of f may appeal now.
func (r *RTS) Standing(f workflow.File) (Standing, error) {
	var first, second *Appeal
	err := r.Store.View(func(tx *store.Tx) (err error) {
		first, second, err = appealsOn(tx, f.ID)
		return err
	})
	if err != nil {
		return Standing{}, err
	}
	return standing(f, r.Workflow.Service(f).RTS(), first, second, r.Now()), nil
}

func appealsOn(tx *store.Tx, fileID string) (first, second *Appeal, err error) {
	for level, dst := range map[int]**Appeal{First: &first, Second: &second} {
		id, err := tx.Lookup(indexAppealOf, appealOfKey(fileID, level))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		var a Appeal
		if err := tx.Get(entityAppeal, id, &a); err != nil {
			return nil, nil, err
		}
		*dst = &a
	}
	return first, second, nil
}

// MinGrounds and MaxGrounds bound an appeal's grounds, in characters.
const (
	MinGrounds = 10
	MaxGrounds = 2000
)

// File files the applicant's appeal on a file that is late or rejected:
// the first appeal, or the second once the first is decided, each within
// its days (the notification's appeal_days and second_appeal_days). It is
// refused, with the reason in both languages and nothing stored, when
// the file is neither late nor rejected, the time to appeal has passed,
// the appellant is not the file's applicant, or the first appeal is not
// decided yet.
func (r *RTS) File(by domain.Actor, fileID, grounds string) (Appeal, error) {
	now := r.Now()
	grounds = strings.TrimSpace(grounds)
	if !by.Has(domain.RoleCitizen) {
		return Appeal{}, refuse(domain.EFORBIDDEN, "Only the applicant may appeal, signed in with their own account.", "അപേക്ഷകന് മാത്രമേ സ്വന്തം അക്കൗണ്ടിൽ അപ്പീൽ നൽകാനാകൂ.")
	}
	if n := utf8.RuneCountInString(grounds); n < MinGrounds || n > MaxGrounds {
		return Appeal{}, invalid("grounds", domain.T("Say why you appeal (10 to 2,000 characters): what you applied for and what went wrong.", "അപ്പീലിന്റെ കാരണം എഴുതുക (10 മുതൽ 2,000 അക്ഷരങ്ങൾ വരെ)."))
	}
	id, err := r.Store.Reserve("rts_appeal")
	if err != nil {
		return Appeal{}, err
	}
	var out Appeal
	_, err = r.Store.Write(func(tx *store.Tx) error {
		f, err := workflow.FileIn(tx, fileID)
		if errors.Is(err, store.ErrNotFound) || err == nil && f.Applicant.UserID != by.ID {
			return refuse(domain.ENOTFOUND, "Only the applicant may appeal, and there is no such application among yours. Open the application from your own list.", "അപേക്ഷകന് മാത്രമേ അപ്പീൽ നൽകാനാകൂ; നിങ്ങളുടെ അപേക്ഷകളിൽ ഇതില്ല. നിങ്ങളുടെ പട്ടികയിൽ നിന്ന് അപേക്ഷ തുറക്കുക.")
		}
		if err != nil {
			return err
		}
		first, second, err := appealsOn(tx, f.ID)
		if err != nil {
			return err
		}
		svc := r.Workflow.Service(f)
		rule := svc.RTS()
		st := standing(f, rule, first, second, now)
		if !st.Can() {
			return domain.Bilingual(domain.ECONFLICT, st.Why)
		}
		a := Appeal{ID: fmt.Sprintf("%010d", id), Level: st.Level, File: f.ID, FileNumber: f.Number, Service: f.Service, ServiceName: f.ServiceName,
			Appellant: by.ID, AppellantName: f.Applicant.Name, Ground: st.Ground, Grounds: grounds, Authority: rule.FirstAppellate,
			Officer: rule.DesignatedOfficer, Filed: now, Due: endOfDay(now, rule.DecideAppealDays)}
		if st.Level == Second {
			a.Authority, a.Previous = rule.SecondAppellate, first.ID
		}
		year := now.In(domain.IST).Year()
		n, err := tx.NextNumber(fmt.Sprintf("rts_appeal/%s/%d", r.LocalBody.Code, year))
		if err != nil {
			return err
		}
		a.Number = fmt.Sprintf("RTS/%s/%d/A%d/%d", r.LocalBody.Code, year, a.Level, n)
		if err := tx.UseNumber("rts_appeal", id); err != nil {
			return err
		}
		if err := tx.ClaimKey(indexAppealOf, appealOfKey(f.ID, a.Level), a.ID); err != nil {
			return err
		}
		if err := tx.Put(entityAppeal, a.ID, a); err != nil {
			return err
		}
		if err := tx.Emit(by.ID, EventAppealFiled, entityAppeal, a.ID, a); err != nil {
			return err
		}
		if _, err := messaging.Queue(tx, now, messaging.Message{To: by.ID, Kind: messaging.KindAcknowledgement, Link: "/applications/" + f.ID,
			Subject: domain.T("Appeal received: "+a.Number, "അപ്പീൽ ലഭിച്ചു: "+a.Number),
			Body: domain.T(fmt.Sprintf("Your appeal %s on %s is with the %s, who must decide it by %s.", a.Number, f.Number, a.Authority.Designation.En, ddmmyyyy(a.Due)),
				fmt.Sprintf("%s സംബന്ധിച്ച നിങ്ങളുടെ അപ്പീൽ %s %s ന് ലഭിച്ചു; %s നകം തീരുമാനിക്കണം.", f.Number, a.Number, a.Authority.Designation.Ml, ddmmyyyy(a.Due)))}); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// Get returns an appeal by id.
func (r *RTS) Get(id string) (Appeal, error) {
	var a Appeal
	err := r.Store.View(func(tx *store.Tx) error { return tx.Get(entityAppeal, id, &a) })
	if errors.Is(err, store.ErrNotFound) {
		return a, refuse(domain.ENOTFOUND, "There is no such appeal.", "അങ്ങനെയൊരു അപ്പീലില്ല.")
	}
	return a, err
}

// Of returns a file's appeals, first then second.
func (r *RTS) Of(fileID string) ([]Appeal, error) {
	var out []Appeal
	err := r.Store.View(func(tx *store.Tx) error {
		first, second, err := appealsOn(tx, fileID)
		for _, a := range []*Appeal{first, second} {
			if a != nil {
				out = append(out, *a)
			}
		}
		return err
	})
	return out, err
}

// All returns every appeal, oldest first.
func (r *RTS) All() ([]Appeal, error) {
	var out []Appeal
	err := r.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityAppeal, store.ScanOptions{}, func(_ string, raw []byte) error {
			var a Appeal
			if err := json.Unmarshal(raw, &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// Penalties returns the penalty register, oldest first, to the office.
func (r *RTS) Penalties() ([]Penalty, error) {
	var out []Penalty
	err := r.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityPenalty, store.ScanOptions{}, func(_ string, raw []byte) error {
			var p Penalty
			if err := json.Unmarshal(raw, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// Order returns an appeal's order PDF.
func (r *RTS) Order(a Appeal) ([]byte, error) {
	if a.Decision == nil {
		return nil, refuse(domain.ENOTFOUND, "This appeal has not been decided yet; there is no order.", "ഈ അപ്പീൽ ഇതുവരെ തീരുമാനിച്ചിട്ടില്ല; ഉത്തരവില്ല.")
	}
	var data []byte
	err := r.Store.View(func(tx *store.Tx) (err error) { data, err = tx.Blob(a.Decision.Order); return err })
	return data, err
}
