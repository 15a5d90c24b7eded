package workflow

import (
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// OrderDelivery records, inside the caller's write, an appellate
// authority's order under the Right to Service Act that the designated
// officer deliver the service by deliverBy. A rejected file is reopened
// on its deciding officer's desk with deliverBy as its due date (the
// rejection is set aside); a file still open keeps its due date, so it
// stays late in every report, and carries the order in its history. A
// file already delivered cannot be ordered.
func (w *Workflow) OrderDelivery(tx *store.Tx, id string, by domain.Actor, role domain.Role, note string, deliverBy, now time.Time) (File, error) {
	f, err := getFile(tx, id)
	if err != nil {
		return File{}, err
	}
	old := f
	f.History = append([]Action(nil), f.History...)
	act := Action{At: now, Kind: KindOrdered, ActorID: by.ID, ActorName: by.Name, Role: role, Note: note, Due: deliverBy}
	switch f.Status {
	case StatusRejected:
		svc := w.Service(f)
		last := len(svc.Steps) - 1
		f.Status, f.Step, f.Role, f.StepName = StatusInProgress, last, svc.Steps[last].Role, svc.Steps[last].Name
		f.Decided, f.Reason, f.AssignedTo, f.EscalatedTo, f.Due = time.Time{}, "", "", "", deliverBy
		act.ToRole = f.Role
	case StatusInProgress, StatusReturned, StatusApproved:
	default:
		return File{}, conflict("This file has been delivered; there is nothing to order.", "ഈ സേവനം നൽകിക്കഴിഞ്ഞു; ഉത്തരവിടാൻ ഒന്നുമില്ല.")
	}
	f.History = append(f.History, act)
	if err := w.save(tx, &old, &f, by, KindOrdered, act); err != nil {
		return File{}, err
	}
	if f.Applicant.UserID != "" {
		when := deliverBy.In(domain.IST).Format("02-01-2006")
		if _, err := messaging.Queue(tx, now, messaging.Message{To: f.Applicant.UserID, Kind: messaging.KindFileDecided, Link: "/applications/" + f.ID,
			Subject: domain.T("Appeal allowed: "+f.Number, "അപ്പീൽ അനുവദിച്ചു: "+f.Number),
			Body: domain.T("The appellate authority has ordered that your application "+f.Number+" be delivered by "+when+".",
				"നിങ്ങളുടെ അപേക്ഷ "+f.Number+" "+when+" നകം തീർപ്പാക്കാൻ അപ്പീൽ അധികാരി ഉത്തരവിട്ടു.")}); err != nil {
			return File{}, err
		}
	}
	return f, nil
}
