package grievance

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// Office actions on a report.
const (
	ActAssign = "assign" // to a named officer (Officer)
	ActStart  = "start"  // work has started
	ActFix    = "fix"    // fixed: a note and an "after" photo
	ActClose  = "close"  // closed for a Reason (duplicate: Into; not ours: Redirect; cannot fix: Note)
)

// Action is what an officer does to a report.
type Action struct {
	Kind     string
	Officer  string // ActAssign: the user id
	Note     string
	Reason   string
	Redirect string
	Into     string // a duplicate's original, by number
	Photo    *PhotoUpload
}

// MaxNote is the longest note an officer or reporter may write.
const MaxNote = 2000

func forbidden(en, ml string) error { return domain.Bilingual(domain.EFORBIDDEN, domain.T(en, ml)) }
func conflict(en, ml string) error  { return domain.Bilingual(domain.ECONFLICT, domain.T(en, ml)) }

// holders are the roles that hold a report: its chain up to where it has
// climbed (the section's officer keeps it when it goes up).
func (g *Grievance) holders(r Report) []domain.Role {
	cat, _ := g.Categories.Get(r.Category)
	if r.Level < len(cat.Chain) {
		return cat.Chain[:r.Level+1]
	}
	return cat.Chain
}

// mayAct decides whether an officer may work a report: one of the roles
// holding it, or the top of its chain (the secretary may step in at any
// time), in their wards when they are tied to wards.
func (g *Grievance) mayAct(by domain.Actor, r Report) error {
	cat, _ := g.Categories.Get(r.Category)
	roles := g.holders(r)
	if len(cat.Chain) > 0 {
		roles = append(slices.Clone(roles), cat.Chain[len(cat.Chain)-1])
	}
	if !by.IsStaff() || !by.HasAny(roles...) {
		return forbidden(fmt.Sprintf("Report %s is the %s's; your role does not work it.", r.Number, cat.Section.En),
			fmt.Sprintf("%s എന്ന പരാതി %s-ന്റേതാണ്; നിങ്ങളുടെ ചുമതലയിൽ വരുന്നില്ല.", r.Number, cat.Section.Ml))
	}
	if len(by.Wards) > 0 && !slices.Contains(by.Wards, r.Ward) {
		return forbidden(fmt.Sprintf("Report %s is in ward %d, not one of yours.", r.Number, r.Ward), fmt.Sprintf("%s എന്ന പരാതി %d-ാം വാർഡിലാണ്; നിങ്ങളുടെ വാർഡല്ല.", r.Number, r.Ward))
	}
	return nil
}

// Actions lists what an officer may do to a report now, for a page to
// offer exactly what Act takes.
func (g *Grievance) Actions(by domain.Actor, r Report) []string {
	if g.mayAct(by, r) != nil || !r.Open() {
		return nil
	}
	out := []string{ActAssign}
	if r.Status != StatusInProgress {
		out = append(out, ActStart)
	}
	return append(out, ActFix, ActClose)
}

// Act does an officer's action, in one write with its event and the
// message to the reporter. Nothing is stored when it is refused.
func (g *Grievance) Act(by domain.Actor, number string, a Action) (Report, error) {
	now := g.Now()
	// Who may act is asked first, so nobody learns more than "not yours"
	// of a report they may not work; it is asked again inside the write.
	r, err := g.report(number)
	if err != nil {
		return Report{}, err
	}
	if err := g.mayAct(by, r); err != nil {
		return Report{}, err
	}
	note := strings.TrimSpace(a.Note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Report{}, field("note", fmt.Sprintf("Keep the note within %d characters.", MaxNote), fmt.Sprintf("കുറിപ്പ് %d അക്ഷരങ്ങൾക്കുള്ളിൽ ഒതുക്കുക.", MaxNote))
	}
	var after *checkedPhoto
	var officer domain.Actor
	switch a.Kind {
	case ActAssign:
		u, err := g.Identity.Get(a.Officer)
		if err != nil || u.Disabled || u.Kind != "staff" {
			return Report{}, field("officer", "Choose an officer from the list.", "പട്ടികയിൽ നിന്ന് ഉദ്യോഗസ്ഥനെ തിരഞ്ഞെടുക്കുക.")
		}
		officer = u.Actor()
	case ActStart:
	case ActFix:
		if utf8.RuneCountInString(note) < 5 {
			return Report{}, field("note", "Say what was done, for the reporter and the public.", "എന്ത് ചെയ്തുവെന്ന് പരാതിക്കാരനും പൊതുജനത്തിനുമായി എഴുതുക.")
		}
		if a.Photo == nil || len(a.Photo.Data) == 0 {
			return Report{}, field("photo", "Attach a photo of the place after the fix.", "പരിഹരിച്ചതിന് ശേഷമുള്ള സ്ഥലത്തിന്റെ ഫോട്ടോ ചേർക്കുക.")
		}
		p, err := checkPhoto(*a.Photo)
		if err != nil {
			return Report{}, err
		}
		p.photo.After, p.photo.Blob = true, store.SumBlob(p.data)
		after = &p
	case ActClose:
		switch a.Reason {
		case ReasonDuplicate:
			if strings.TrimSpace(a.Into) == "" {
				return Report{}, field("into", "Give the number of the report this one repeats.", "ഇത് ആവർത്തിക്കുന്ന പരാതിയുടെ നമ്പർ നൽകുക.")
			}
			return g.merge(by, number, strings.TrimSpace(a.Into), now)
		case ReasonNotOurs:
			if utf8.RuneCountInString(strings.TrimSpace(a.Redirect)) < 3 {
				return Report{}, field("redirect", "Say whom the reporter should approach (e.g. KSEB section office, PWD roads).", "പരാതിക്കാരൻ ആരെ സമീപിക്കണമെന്ന് എഴുതുക (ഉദാ. കെ.എസ്.ഇ.ബി. സെക്ഷൻ ഓഫീസ്, പി.ഡബ്ല്യു.ഡി.).")
			}
		case ReasonCannotFix:
			if utf8.RuneCountInString(note) < 5 {
				return Report{}, field("note", "Say why it cannot be fixed.", "എന്തുകൊണ്ട് പരിഹരിക്കാനാവില്ലെന്ന് എഴുതുക.")
			}
		default:
			return Report{}, field("reason", "Choose why it is closed: duplicate, not the local body's, or cannot be fixed.", "അവസാനിപ്പിക്കുന്നതിന്റെ കാരണം തിരഞ്ഞെടുക്കുക.")
		}
	default:
		return Report{}, field("action", "Choose an action.", "ഒരു നടപടി തിരഞ്ഞെടുക്കുക.")
	}
	return g.change(number, func(tx *store.Tx, r *Report) (Step, error) {
		if err := g.mayAct(by, *r); err != nil {
			return Step{}, err
		}
		if !r.Open() {
			return Step{}, conflict(fmt.Sprintf("Report %s is %s already.", r.Number, StatusName(r.Status).En), fmt.Sprintf("%s എന്ന പരാതി ഇതിനകം %s.", r.Number, StatusName(r.Status).Ml))
		}
		st := Step{At: now, ActorID: by.ID, ActorName: by.Name, Note: note}
		switch a.Kind {
		case ActAssign:
			r.Officer, r.OfficerName, r.Status = officer.ID, officer.Name, StatusAssigned
			st.Kind, st.Role = StepAssigned, r.Role
		case ActStart:
			if r.Status == StatusInProgress {
				return Step{}, conflict("Work on "+r.Number+" has started already.", r.Number+" പണി ഇതിനകം തുടങ്ങി.")
			}
			r.Status, st.Kind = StatusInProgress, StepStarted
		case ActFix:
			if err := tx.PutSummedBlob(after.photo.Blob, after.data); err != nil {
				return Step{}, err
			}
			r.Photos = append(r.Photos, after.photo)
			r.Status, r.Fixed, r.FixedInTime, r.Confirmed = StatusFixed, now, !now.After(r.SectionDue), false
			st.Kind, st.Photo = StepFixed, after.photo.Blob
		case ActClose:
			r.Status, r.Closed, r.Reason = StatusClosed, now, a.Reason
			if a.Reason == ReasonNotOurs {
				r.Redirect = strings.TrimSpace(a.Redirect)
				if st.Note == "" {
					st.Note = r.Redirect
				}
			}
			st.Kind, st.Reason = StepClosed, a.Reason
		}
		return st, nil
	})
}

// merge closes a report as a duplicate of another, which gains its
// supporters, in one write.
func (g *Grievance) merge(by domain.Actor, number, into string, now time.Time) (Report, error) {
	var dup Report
	var msgs []messaging.Message
	_, err := g.Store.Write(func(tx *store.Tx) error {
		msgs = nil
		d, err := getReport(tx, number)
		if err != nil {
			return err
		}
		o, err := getReport(tx, into)
		if err != nil {
			return domain.FieldErrors{"into": domain.T("No report has that number.", "ആ നമ്പറിൽ പരാതിയില്ല.")}.Err()
		}
		if err := g.mayAct(by, d); err != nil {
			return err
		}
		switch {
		case d.ID == o.ID:
			return field("into", "A report cannot repeat itself; give the other report's number.", "മറ്റേ പരാതിയുടെ നമ്പർ നൽകുക.")
		case !d.Open():
			return conflict(fmt.Sprintf("Report %s is %s already.", d.Number, StatusName(d.Status).En), fmt.Sprintf("%s എന്ന പരാതി ഇതിനകം %s.", d.Number, StatusName(d.Status).Ml))
		case o.Reason != "" || o.DuplicateOf != "":
			return field("into", fmt.Sprintf("Report %s is closed as %s; merge into a report still followed.", o.Number, ReasonName(o.Reason).En), fmt.Sprintf("%s അവസാനിപ്പിച്ചതാണ്; നിലവിലുള്ള പരാതിയിൽ ലയിപ്പിക്കുക.", o.Number))
		}
		oldD, oldO := d, o
		d.Status, d.Closed, d.Reason, d.DuplicateOf, d.Updated = StatusClosed, now, ReasonDuplicate, o.Number, now
		dst := Step{At: now, Kind: StepClosed, Status: StatusClosed, ActorID: by.ID, ActorName: by.Name, Reason: ReasonDuplicate, Other: o.Number}
		d.History = append(slices.Clone(d.History), dst)
		o.Supporters += 1 + d.Supporters
		o.Merged = append(slices.Clone(o.Merged), d.Number)
		o.Updated = now
		ost := Step{At: now, Kind: StepMerged, Status: o.Status, ActorID: by.ID, ActorName: by.Name, Other: d.Number}
		o.History = append(slices.Clone(o.History), ost)
		catD, _ := g.Categories.Get(d.Category)
		if err := g.save(tx, &oldD, &d, by, dst, catD, &msgs); err != nil {
			return err
		}
		catO, _ := g.Categories.Get(o.Category)
		if err := g.save(tx, &oldO, &o, by, ost, catO, nil); err != nil {
			return err
		}
		dup = d
		return nil
	})
	return dup, err
}

// Confirm is the reporter saying a fix is done, with a rating (1–5) or
// none (0) yet.
func (g *Grievance) Confirm(who Who, number string, rating int) (Report, error) {
	now := g.Now()
	if rating < 0 || rating > 5 {
		return Report{}, field("rating", "Rate the fix from 1 (poor) to 5 (very good).", "പരിഹാരത്തിന് 1 (മോശം) മുതൽ 5 (വളരെ നല്ലത്) വരെ റേറ്റിംഗ് നൽകുക.")
	}
	return g.change(number, func(tx *store.Tx, r *Report) (Step, error) {
		if err := g.reporterMay(who, *r, now); err != nil {
			return Step{}, err
		}
		if r.Confirmed {
			return Step{}, conflict("You have confirmed this fix already.", "ഈ പരിഹാരം നിങ്ങൾ ഇതിനകം സ്ഥിരീകരിച്ചു.")
		}
		r.Confirmed = true
		st := Step{At: now, Kind: StepConfirmed, ActorID: who.Actor.ID}
		if rating > 0 {
			r.Rating, st.Rating = rating, rating
		}
		return st, nil
	})
}

// Rate is the reporter's rating (1–5) of a fix they confirmed, once.
func (g *Grievance) Rate(who Who, number string, rating int) (Report, error) {
	now := g.Now()
	if rating < 1 || rating > 5 {
		return Report{}, field("rating", "Rate the fix from 1 (poor) to 5 (very good).", "പരിഹാരത്തിന് 1 (മോശം) മുതൽ 5 (വളരെ നല്ലത്) വരെ റേറ്റിംഗ് നൽകുക.")
	}
	return g.change(number, func(tx *store.Tx, r *Report) (Step, error) {
		if !r.isReporter(who) {
			return Step{}, notReporter()
		}
		switch {
		case r.Status != StatusFixed || !r.Confirmed:
			return Step{}, conflict("A fix is rated once you have confirmed it.", "പരിഹാരം സ്ഥിരീകരിച്ച ശേഷമാണ് റേറ്റിംഗ് നൽകുക.")
		case r.Rating != 0:
			return Step{}, conflict("You have rated this fix already.", "ഈ പരിഹാരത്തിന് നിങ്ങൾ ഇതിനകം റേറ്റിംഗ് നൽകി.")
		}
		r.Rating = rating
		return Step{At: now, Kind: StepRated, ActorID: who.Actor.ID, Rating: rating}, nil
	})
}

// Reopen is the reporter saying a fix did not fix it, within
// Settings.ReopenDays: the report goes back to its section's officer
// with a new deadline.
func (g *Grievance) Reopen(who Who, number, note string) (Report, error) {
	now := g.Now()
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Report{}, field("note", fmt.Sprintf("Keep it within %d characters.", MaxNote), fmt.Sprintf("%d അക്ഷരങ്ങൾക്കുള്ളിൽ ഒതുക്കുക.", MaxNote))
	}
	return g.change(number, func(tx *store.Tx, r *Report) (Step, error) {
		if err := g.reporterMay(who, *r, now); err != nil {
			return Step{}, err
		}
		if r.Confirmed {
			return Step{}, conflict("You confirmed this fix; report the problem again as a new report.", "ഈ പരിഹാരം നിങ്ങൾ സ്ഥിരീകരിച്ചു; പ്രശ്നം പുതിയ പരാതിയായി അറിയിക്കുക.")
		}
		cat, _ := g.Categories.Get(r.Category)
		r.Status, r.Level, r.Role, r.Reopened = StatusReopened, 0, cat.Chain[0], r.Reopened+1
		r.Due = g.Calendar.AddWorkingDays(now, cat.Days)
		r.SectionDue, r.Fixed, r.FixedInTime = r.Due, time.Time{}, false
		return Step{At: now, Kind: StepReopened, ActorID: who.Actor.ID, Note: note, Role: r.Role}, nil
	})
}

func notReporter() error {
	return forbidden("Only the person who reported this can confirm, reopen or rate it. Sign in with the account you reported from, or open the link in your acknowledgement.",
		"പരാതി നൽകിയ ആൾക്ക് മാത്രമേ ഇത് സ്ഥിരീകരിക്കാനോ വീണ്ടും തുറക്കാനോ റേറ്റ് ചെയ്യാനോ കഴിയൂ. പരാതി നൽകിയ അക്കൗണ്ടിൽ സൈൻ ഇൻ ചെയ്യുക, അല്ലെങ്കിൽ കൈപ്പറ്റിലെ ലിങ്ക് തുറക്കുക.")
}

// reporterMay decides whether who may confirm or reopen r now: its
// reporter, while it is fixed and within the window.
func (g *Grievance) reporterMay(who Who, r Report, now time.Time) error {
	if !r.isReporter(who) {
		return notReporter()
	}
	if r.Status != StatusFixed {
		return conflict(fmt.Sprintf("Report %s is not marked fixed (it is %s), so there is nothing to confirm or reopen.", r.Number, StatusName(r.Status).En),
			fmt.Sprintf("%s എന്ന പരാതി പരിഹരിച്ചതായി രേഖപ്പെടുത്തിയിട്ടില്ല (%s).", r.Number, StatusName(r.Status).Ml))
	}
	days := g.Categories.Settings.ReopenDays
	if now.After(r.ReopenUntil(days)) {
		return conflict(fmt.Sprintf("The %d days to confirm or reopen this fix ended on %s. If the problem is back, make a new report.", days, r.ReopenUntil(days).In(domain.IST).Format("02-01-2006")),
			fmt.Sprintf("ഈ പരിഹാരം സ്ഥിരീകരിക്കാനോ വീണ്ടും തുറക്കാനോ ഉള്ള %d ദിവസം %s-ന് അവസാനിച്ചു. പ്രശ്നം വീണ്ടും ഉണ്ടെങ്കിൽ പുതിയ പരാതി നൽകുക.", days, r.ReopenUntil(days).In(domain.IST).Format("02-01-2006")))
	}
	return nil
}

// ReopenUntil is when the reporter's time to confirm or reopen a fix ends.
func (r Report) ReopenUntil(days int) time.Time { return r.Fixed.AddDate(0, 0, days) }

// MeToo is someone else saying they have the same problem: the report
// counts them (a signed-in person once), instead of a duplicate.
func (g *Grievance) MeToo(by domain.Actor, number string) (Report, error) {
	now := g.Now()
	return g.change(number, func(tx *store.Tx, r *Report) (Step, error) {
		switch {
		case !r.Open() && r.Status != StatusFixed:
			return Step{}, conflict(fmt.Sprintf("Report %s is closed; if you still have the problem, make a new report.", r.Number), fmt.Sprintf("%s അവസാനിപ്പിച്ചതാണ്; പ്രശ്നം ഇപ്പോഴും ഉണ്ടെങ്കിൽ പുതിയ പരാതി നൽകുക.", r.Number))
		case by.ID != "" && by.ID == r.Reporter.UserID:
			return Step{}, conflict("You made this report.", "ഈ പരാതി നൽകിയത് നിങ്ങളാണ്.")
		case by.ID != "" && slices.Contains(r.SupporterIDs, by.ID):
			return Step{}, conflict("You have said so already; thank you.", "നിങ്ങൾ ഇത് ഇതിനകം അറിയിച്ചു; നന്ദി.")
		}
		r.Supporters++
		if by.ID != "" {
			r.SupporterIDs = append(slices.Clone(r.SupporterIDs), by.ID)
		}
		return Step{At: now, Kind: StepSupported}, nil
	})
}

// change applies fn to the report with number in one write: fn decides
// (or refuses) and returns the step to record; the report, its queue
// entry, the event and the reporter's message are written together.
func (g *Grievance) change(number string, fn func(tx *store.Tx, r *Report) (Step, error)) (Report, error) {
	var out Report
	_, err := g.Store.Write(func(tx *store.Tx) error {
		r, err := getReport(tx, number)
		if err != nil {
			return err
		}
		old := r
		r.History = slices.Clone(r.History)
		st, err := fn(tx, &r)
		if err != nil {
			return err
		}
		st.Status = r.Status
		r.Updated = st.At
		r.History = append(r.History, st)
		cat, _ := g.Categories.Get(r.Category)
		var msgs []messaging.Message
		if err := g.save(tx, &old, &r, domain.Actor{ID: st.ActorID}, st, cat, &msgs); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// save writes a changed report, moves its queue entry, appends the step's
// event and, when msgs is not nil, queues the reporter's message.
func (g *Grievance) save(tx *store.Tx, old, r *Report, by domain.Actor, st Step, cat Category, msgs *[]messaging.Message) error {
	if old.Open() {
		if err := tx.Delete(entityOpen, openKey(*old)); err != nil {
			return err
		}
	}
	if r.Open() {
		if err := tx.PutRaw(entityOpen, openKey(*r), present); err != nil {
			return err
		}
	}
	if err := tx.Put(entityReport, r.ID, r); err != nil {
		return err
	}
	actor := by.ID
	if actor == "" {
		actor = "reporter"
	}
	ev := struct {
		Number string `json:"number"`
		Step
	}{r.Number, st}
	if err := tx.Emit(actor, stepEvents[st.Kind], entityReport, r.ID, ev); err != nil {
		return err
	}
	if msgs != nil {
		if m := g.message(*r, cat, st.Kind, ""); m != nil {
			if _, err := messaging.Queue(tx, st.At, *m); err != nil {
				return err
			}
		}
	}
	return nil
}

// EscalateOverdue sends every open report past its deadline one officer
// up its category's chain, with a new deadline of Settings.EscalationDays
// working days, an event and a message to the reporter. A report at the
// top of its chain stays there, overdue for all to see. It returns how
// many it escalated; running it twice does nothing more.
func (g *Grievance) EscalateOverdue() (int, error) {
	now := g.Now()
	var due []string
	err := g.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entityOpen, store.ScanOptions{}, func(k string, _ []byte) error {
			if k[:15] >= dueKey(now) {
				return store.ErrStop
			}
			due = append(due, k[16:])
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range due {
		var number string
		err := g.Store.View(func(tx *store.Tx) error {
			var r Report
			err := tx.Get(entityReport, id, &r)
			number = r.Number
			return err
		})
		if err != nil {
			return n, err
		}
		escalated := false
		_, err = g.change(number, func(tx *store.Tx, r *Report) (Step, error) {
			cat, _ := g.Categories.Get(r.Category)
			if !r.Open() || !now.After(r.Due) || r.Level+1 >= len(cat.Chain) {
				return Step{}, errNothingToDo
			}
			r.Level++
			r.Role = cat.Chain[r.Level]
			r.Due = g.Calendar.AddWorkingDays(now, g.Categories.Settings.EscalationDays)
			escalated = true
			return Step{At: now, Kind: StepEscalated, ActorID: domain.System.ID, ActorName: domain.System.Name, Role: r.Role}, nil
		})
		if err != nil && err != errNothingToDo {
			return n, err
		}
		if escalated && err == nil {
			n++
		}
	}
	return n, nil
}

// errNothingToDo leaves a report as it is, with nothing written.
var errNothingToDo = fmt.Errorf("grievance: nothing to do")

// RunEscalation escalates overdue reports every interval until stop
// closes, beside the workflow's escalation of files.
func (g *Grievance) RunEscalation(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := g.EscalateOverdue(); err != nil && g.Logger != nil {
			g.Logger.Error("escalation of overdue grievances failed", "error", err)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}
