package rts

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Ruling is what an appellate authority decides on an appeal.
type Ruling struct {
	Outcome string // OutcomeDeliver, OutcomeUphold or OutcomePenalty
	Reasons string // the order's reasons, printed on it
	// DeliverWithinDays is the days (calendar) the designated officer has
	// to deliver: needed to order delivery, optional with a penalty.
	DeliverWithinDays int
	// Penalty and Hearing: the amount proposed and the note of the
	// officer's hearing, for OutcomePenalty.
	Penalty domain.Paise
	Hearing string
}

// MaxDeliverDays is the longest time an order may give to deliver.
const MaxDeliverDays = 90

// Decide records an appellate authority's order on an appeal, prints it
// as a bilingual order with a QR code to the application's status, and
// tells the appellant: delivery ordered (a rejected file is reopened on
// the designated officer's desk with the date ordered as its due date),
// the decision upheld with reasons, or a penalty proposed on the
// designated officer with the hearing's note (and delivery ordered where
// it still can be). Only the role of the appeal's authority may decide
// it, the second appeal not by whoever decided the first; an appeal is
// decided once.
func (r *RTS) Decide(by domain.Actor, appealID string, in Ruling) (Appeal, error) {
	now := r.Now()
	in.Reasons, in.Hearing = strings.TrimSpace(in.Reasons), strings.TrimSpace(in.Hearing)
	a, err := r.Get(appealID)
	if err != nil {
		return Appeal{}, err
	}
	if err := r.MayDecide(by, a); err != nil {
		return Appeal{}, err
	}
	f, err := r.Workflow.File(a.File)
	if err != nil {
		return Appeal{}, err
	}
	rule := r.Workflow.Service(f).RTS()
	fe := domain.FieldErrors{}
	if n := utf8.RuneCountInString(in.Reasons); n < 10 || n > documents.MaxLetterBody {
		fe.Add("reasons", domain.T("Write the order's reasons (10 to 2,000 characters); the appellant will read them.", "ഉത്തരവിന്റെ കാരണങ്ങൾ എഴുതുക (10 മുതൽ 2,000 അക്ഷരങ്ങൾ വരെ); അപ്പീൽ നൽകിയയാൾ ഇത് വായിക്കും."))
	}
	delivered := !f.Open() && f.Status != workflow.StatusRejected
	switch in.Outcome {
	case OutcomeDeliver:
		if in.DeliverWithinDays < 1 || in.DeliverWithinDays > MaxDeliverDays {
			fe.Add("deliver_within_days", domain.T(fmt.Sprintf("Give the days to deliver within, 1 to %d.", MaxDeliverDays), fmt.Sprintf("സേവനം നൽകേണ്ട ദിവസങ്ങൾ നൽകുക, 1 മുതൽ %d വരെ.", MaxDeliverDays)))
		}
	case OutcomeUphold:
		in.DeliverWithinDays, in.Penalty, in.Hearing = 0, 0, ""
	case OutcomePenalty:
		if in.Penalty < rule.PenaltyMin || in.Penalty > rule.PenaltyMax || in.Penalty%100 != 0 {
			fe.Add("penalty", domain.T(fmt.Sprintf("The penalty is whole rupees from %s to %s (%s).", rule.PenaltyMin, rule.PenaltyMax, "the Act's range"),
				fmt.Sprintf("പിഴ %s മുതൽ %s വരെ മുഴുവൻ രൂപയായിരിക്കണം.", rule.PenaltyMin, rule.PenaltyMax)))
		}
		if n := utf8.RuneCountInString(in.Hearing); n < 10 || n > 2000 {
			fe.Add("hearing", domain.T("Record the designated officer's hearing (10 to 2,000 characters): a penalty is proposed only after hearing them.", "നിയുക്ത ഉദ്യോഗസ്ഥനെ കേട്ടതിന്റെ കുറിപ്പ് രേഖപ്പെടുത്തുക (10 മുതൽ 2,000 അക്ഷരങ്ങൾ വരെ)."))
		}
		if in.DeliverWithinDays < 0 || in.DeliverWithinDays > MaxDeliverDays {
			fe.Add("deliver_within_days", domain.T(fmt.Sprintf("Days to deliver within: 1 to %d, or none.", MaxDeliverDays), fmt.Sprintf("സേവനം നൽകേണ്ട ദിവസങ്ങൾ: 1 മുതൽ %d വരെ, അല്ലെങ്കിൽ ഒന്നുമില്ല.", MaxDeliverDays)))
		}
	default:
		fe.Add("outcome", domain.T("Choose the order: deliver, uphold or penalty.", "ഉത്തരവ് തിരഞ്ഞെടുക്കുക: സേവനം നൽകുക, ശരിവെക്കുക, അല്ലെങ്കിൽ പിഴ."))
	}
	if err := fe.Err(); err != nil {
		return Appeal{}, err
	}
	if delivered && in.DeliverWithinDays > 0 {
		return Appeal{}, refuse(domain.ECONFLICT, "The service has been delivered meanwhile; it cannot be ordered again. Uphold, or propose a penalty for the delay without an order to deliver.", "സേവനം ഇതിനകം നൽകിക്കഴിഞ്ഞു; വീണ്ടും ഉത്തരവിടാനാകില്ല.")
	}

	d := Decision{Outcome: in.Outcome, Reasons: in.Reasons, At: now, ByID: by.ID, ByName: by.Name}
	if in.DeliverWithinDays > 0 {
		d.DeliverBy = endOfDay(now, in.DeliverWithinDays)
	}
	var pen *Penalty
	var penaltyID uint64
	if in.Outcome == OutcomePenalty {
		if penaltyID, err = r.Store.Reserve("rts_penalty"); err != nil {
			return Appeal{}, err
		}
		officerID, officerName, desk := answerable(f, rule.DesignatedOfficer)
		pen = &Penalty{ID: fmt.Sprintf("%010d", penaltyID), Appeal: a.Number, AppealID: a.ID, FileNumber: a.FileNumber, Service: a.Service,
			OfficerID: officerID, OfficerName: officerName, Designation: desk, Amount: in.Penalty, Hearing: in.Hearing,
			ProposedBy: by.Name, ProposedByID: by.ID, Proposed: now, Basis: rule.Basis}
		d.Penalty, d.PenaltyAmount = pen.ID, pen.Amount
	}
	decided := a
	decided.Decision = &d
	if pen != nil {
		decided.Officer = pen.Designation
	}
	pdf, err := r.printOrder(decided, f, now)
	if err != nil {
		return Appeal{}, err
	}
	d.Order = store.SumBlob(pdf)

	var out Appeal
	_, err = r.Store.Write(func(tx *store.Tx) error {
		var cur Appeal
		if err := tx.Get(entityAppeal, a.ID, &cur); err != nil {
			return err
		}
		if cur.Decided() {
			return refuse(domain.ECONFLICT, "This appeal has already been decided.", "ഈ അപ്പീൽ ഇതിനകം തീരുമാനിച്ചു.")
		}
		if err := tx.PutSummedBlob(d.Order, pdf); err != nil {
			return err
		}
		if !d.DeliverBy.IsZero() {
			note := fmt.Sprintf("Appeal %s: deliver by %s. %s", a.Number, ddmmyyyy(d.DeliverBy), d.Reasons)
			if _, err := r.Workflow.OrderDelivery(tx, a.File, by, a.Authority.Role, note, d.DeliverBy, now); err != nil {
				return err
			}
		}
		if pen != nil {
			if err := tx.UseNumber("rts_penalty", penaltyID); err != nil {
				return err
			}
			if err := tx.Put(entityPenalty, pen.ID, pen); err != nil {
				return err
			}
			if err := tx.Emit(by.ID, EventPenaltyProposed, entityPenalty, pen.ID, pen); err != nil {
				return err
			}
		}
		cur.Decision = &d
		if pen != nil {
			cur.Officer = pen.Designation
		}
		if err := tx.Put(entityAppeal, cur.ID, cur); err != nil {
			return err
		}
		if err := tx.Emit(by.ID, EventAppealDecided, entityAppeal, cur.ID, cur); err != nil {
			return err
		}
		if _, err := messaging.Queue(tx, now, messaging.Message{To: cur.Appellant, Kind: messaging.KindFileDecided, Link: "/applications/" + cur.File,
			Subject: domain.T("Order on your appeal "+cur.Number, "നിങ്ങളുടെ അപ്പീൽ "+cur.Number+" ലെ ഉത്തരവ്"),
			Body: domain.T(OutcomeName(d.Outcome).En+". Download the order from the application's page.",
				OutcomeName(d.Outcome).Ml+". ഉത്തരവ് അപേക്ഷയുടെ പേജിൽ നിന്ന് ഡൗൺലോഡ് ചെയ്യാം.")}); err != nil {
			return err
		}
		out = cur
		return nil
	})
	return out, err
}

// mayDecide checks that by may decide the appeal.
func mayDecide(by domain.Actor, a Appeal) error {
	if a.Decided() {
		return refuse(domain.ECONFLICT, "This appeal has already been decided.", "ഈ അപ്പീൽ ഇതിനകം തീരുമാനിച്ചു.")
	}
	if !by.Has(a.Authority.Role) {
		return refuse(domain.EFORBIDDEN, "Only the "+a.Authority.Designation.En+" decides this appeal.", "ഈ അപ്പീൽ "+a.Authority.Designation.Ml+" ആണ് തീരുമാനിക്കേണ്ടത്.")
	}
	return nil
}

// MayDecide reports whether by may decide the appeal now (a page offers
// the form only then); the second appeal is not for whoever decided the
// first.
func (r *RTS) MayDecide(by domain.Actor, a Appeal) error {
	if err := mayDecide(by, a); err != nil {
		return err
	}
	if a.Level == Second {
		first, err := r.Get(a.Previous)
		if err != nil {
			return err
		}
		if first.Decision != nil && first.Decision.ByID == by.ID {
			return refuse(domain.EFORBIDDEN, "You decided the first appeal; the second appeal is heard by another officer.", "ഒന്നാം അപ്പീൽ തീരുമാനിച്ചത് നിങ്ങളാണ്; രണ്ടാം അപ്പീൽ മറ്റൊരു ഉദ്യോഗസ്ഥൻ കേൾക്കണം.")
		}
	}
	return nil
}

// answerable names the officer answerable for a file's delay or
// rejection, and their desk: who rejected it; else the last person who
// acted at the designated officer's desk; else the last who acted at the
// desk that holds the file now. None found leaves the name empty and the
// designated officer's role.
func answerable(f workflow.File, role domain.Role) (id, name string, desk domain.Role) {
	if d, ok := f.Decision(); ok {
		return d.ActorID, d.ActorName, d.Role
	}
	for _, r := range []domain.Role{role, f.Role} {
		for i := len(f.History) - 1; i >= 0; i-- {
			if a := f.History[i]; a.Role == r && a.ActorID != domain.System.ID && a.Kind != workflow.KindOrdered {
				return a.ActorID, a.ActorName, r
			}
		}
	}
	return "", "", role
}

// printOrder draws the order on an appeal.
func (r *RTS) printOrder(a Appeal, f workflow.File, now time.Time) ([]byte, error) {
	d := a.Decision
	title := domain.T("Order on first appeal (Right to Service)", "ഒന്നാം അപ്പീലിലെ ഉത്തരവ് (സേവനാവകാശം)")
	if a.Level == Second {
		title = domain.T("Order on second appeal (Right to Service)", "രണ്ടാം അപ്പീലിലെ ഉത്തരവ് (സേവനാവകാശം)")
	}
	rows := []documents.LetterRow{
		{Label: domain.T("Application", "അപേക്ഷ"), Value: domain.Text{En: a.FileNumber}},
		{Label: domain.T("Service", "സേവനം"), Value: a.ServiceName},
		{Label: domain.T("Appellant", "അപ്പീൽ നൽകിയയാൾ"), Value: a.AppellantName},
		{Label: domain.T("Filed on", "നൽകിയത്"), Value: domain.Text{En: ddmmyyyy(a.Filed)}},
		{Label: domain.T("Designated officer", "നിയുക്ത ഉദ്യോഗസ്ഥൻ"), Value: a.Officer.Name()},
		{Label: domain.T("Order", "ഉത്തരവ്"), Value: OutcomeName(d.Outcome)},
	}
	if !d.DeliverBy.IsZero() {
		rows = append(rows, documents.LetterRow{Label: domain.T("Deliver by", "സേവനം നൽകേണ്ട തീയതി"), Value: domain.Text{En: ddmmyyyy(d.DeliverBy)}})
	}
	if d.PenaltyAmount > 0 {
		rows = append(rows, documents.LetterRow{Label: domain.T("Penalty proposed", "നിർദ്ദേശിച്ച പിഴ"),
			Value: domain.Text{En: d.PenaltyAmount.String() + " on the " + a.Officer.Name().En, Ml: d.PenaltyAmount.String() + " " + a.Officer.Name().Ml}})
	}
	pdf, err := r.Documents.Letter(documents.Letter{LocalBody: r.LocalBody, Title: title, Number: a.Number, Reference: a.FileNumber, Rows: rows,
		Body: d.Reasons, Officer: d.ByName, OfficerTitle: a.Authority.Designation, Issued: now,
		StatusURL: workflow.StatusURL(r.PublicURL(), f.Number),
		QRCaption: domain.T("Scan this code with a phone camera to see the application this order is about.", "ഈ ഉത്തരവ് ബന്ധപ്പെട്ട അപേക്ഷ കാണാൻ ഫോൺ ക്യാമറ ഉപയോഗിച്ച് ഈ കോഡ് സ്കാൻ ചെയ്യുക.")})
	if err != nil {
		return nil, fmt.Errorf("order on %s: %w", a.Number, err)
	}
	return pdf, nil
}
