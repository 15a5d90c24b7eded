package grievance

import (
	"fmt"
	"net/url"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
)

// notAFile is why grievance serves no catalogue service as an application.
var notAFile = domain.T(
	"no application or sign-in is needed: report the problem under Report a problem (or at the counter, the kiosk or through any Open311 app), and follow it by its number.",
	"അപേക്ഷയോ സൈൻ ഇൻ ചെയ്യലോ ആവശ്യമില്ല: ‘പ്രശ്നം അറിയിക്കുക’ എന്നതിൽ (അല്ലെങ്കിൽ കൗണ്ടറിൽ, കിയോസ്കിൽ, ഏതെങ്കിലും Open311 ആപ്പിലൂടെ) അറിയിക്കുക, നമ്പർ ഉപയോഗിച്ച് പിന്തുടരുക.")

// message is the reporter's message about a step of their report, in
// their language, worded for a complaint; nil when the step tells them
// nothing or they left no way to reach them. key, when given, goes in the
// link, so a reporter without an account can act from the message.
func (g *Grievance) message(r Report, cat Category, step, key string) *messaging.Message {
	if !r.Reporter.Reachable() {
		return nil
	}
	to := r.Reporter.UserID
	if to == "" {
		to = ContactPrefix + r.ID
	}
	link := "/grievances/" + url.PathEscape(r.Number)
	if key != "" {
		link += "?key=" + url.QueryEscape(key)
	}
	due := r.Due.In(domain.IST).Format("02-01-2006")
	what := cat.Name
	var subject, body domain.Text
	switch step {
	case StepAcknowledged:
		subject = domain.T("Complaint received: "+r.Number, "പരാതി ലഭിച്ചു: "+r.Number)
		body = domain.T(fmt.Sprintf("Your complaint (%s, ward %d) is received as %s and sent to the %s. It should be fixed by %s. Follow it, and confirm or reopen it once it is fixed, at the link.", what.En, r.Ward, r.Number, cat.Section.En, due),
			fmt.Sprintf("നിങ്ങളുടെ പരാതി (%s, വാർഡ് %d) %s ആയി ലഭിച്ചു, %s-ലേക്ക് അയച്ചു. %s-നകം പരിഹരിക്കണം. ലിങ്കിൽ പിന്തുടരാം; പരിഹരിച്ച ശേഷം സ്ഥിരീകരിക്കുകയോ വീണ്ടും തുറക്കുകയോ ചെയ്യാം.", what.Ml, r.Ward, r.Number, cat.Section.Ml, due))
	case StepAssigned:
		subject = domain.T("Complaint "+r.Number+" is with an officer", "പരാതി "+r.Number+" ഉദ്യോഗസ്ഥനെ ഏൽപ്പിച്ചു")
		body = domain.T(fmt.Sprintf("Your complaint %s is with the %s (%s) for ward %d. It should be fixed by %s.", r.Number, r.Role.Name().En, cat.Section.En, r.Ward, due),
			fmt.Sprintf("നിങ്ങളുടെ പരാതി %s വാർഡ് %d-ന്റെ %s (%s) ഏറ്റെടുത്തു. %s-നകം പരിഹരിക്കണം.", r.Number, r.Ward, r.Role.Name().Ml, cat.Section.Ml, due))
	case StepStarted:
		subject = domain.T("Work started on complaint "+r.Number, "പരാതി "+r.Number+": പണി തുടങ്ങി")
		body = domain.T(fmt.Sprintf("Work has started on your complaint %s.", r.Number), fmt.Sprintf("നിങ്ങളുടെ പരാതി %s പരിഹരിക്കാനുള്ള പണി തുടങ്ങി.", r.Number))
	case StepFixed:
		days := g.Categories.Settings.ReopenDays
		subject = domain.T("Complaint "+r.Number+" fixed", "പരാതി "+r.Number+" പരിഹരിച്ചു")
		body = domain.T(fmt.Sprintf("The office has marked your complaint %s fixed. Please look: within %d days, confirm it (and rate the fix) or reopen it if it is not fixed.", r.Number, days),
			fmt.Sprintf("നിങ്ങളുടെ പരാതി %s പരിഹരിച്ചതായി ഓഫീസ് രേഖപ്പെടുത്തി. %d ദിവസത്തിനകം ഇത് സ്ഥിരീകരിക്കുക (റേറ്റിംഗ് നൽകുക), പരിഹരിച്ചിട്ടില്ലെങ്കിൽ വീണ്ടും തുറക്കുക.", r.Number, days))
	case StepClosed:
		subject = domain.T("Complaint "+r.Number+" closed", "പരാതി "+r.Number+" അവസാനിപ്പിച്ചു")
		why := ReasonName(r.Reason)
		body = domain.T(fmt.Sprintf("Your complaint %s is closed: %s.", r.Number, why.En), fmt.Sprintf("നിങ്ങളുടെ പരാതി %s അവസാനിപ്പിച്ചു: %s.", r.Number, why.Ml))
		switch r.Reason {
		case ReasonDuplicate:
			body.En += fmt.Sprintf(" The same problem is reported as %s; follow it there.", r.DuplicateOf)
			body.Ml += fmt.Sprintf(" ഇതേ പ്രശ്നം %s ആയി റിപ്പോർട്ട് ചെയ്തിട്ടുണ്ട്; അവിടെ പിന്തുടരുക.", r.DuplicateOf)
		case ReasonNotOurs:
			body.En += " Please approach: " + r.Redirect + "."
			body.Ml += " ദയവായി സമീപിക്കുക: " + r.Redirect + "."
		}
	case StepEscalated:
		subject = domain.T("Complaint "+r.Number+" escalated", "പരാതി "+r.Number+" മേലധികാരിക്ക് കൈമാറി")
		body = domain.T(fmt.Sprintf("Your complaint %s was not fixed in time, so it has gone up to the %s, to be fixed by %s.", r.Number, r.Role.Name().En, due),
			fmt.Sprintf("നിങ്ങളുടെ പരാതി %s സമയത്ത് പരിഹരിക്കാത്തതിനാൽ %s-ക്ക് കൈമാറി; %s-നകം പരിഹരിക്കണം.", r.Number, r.Role.Name().Ml, due))
	case StepReopened:
		subject = domain.T("Complaint "+r.Number+" reopened", "പരാതി "+r.Number+" വീണ്ടും തുറന്നു")
		body = domain.T(fmt.Sprintf("You reopened complaint %s. It is back with the %s, to be fixed by %s.", r.Number, cat.Section.En, due),
			fmt.Sprintf("നിങ്ങൾ പരാതി %s വീണ്ടും തുറന്നു. ഇത് വീണ്ടും %s-ന്റെ പക്കലാണ്; %s-നകം പരിഹരിക്കണം.", r.Number, cat.Section.Ml, due))
	case StepConfirmed, StepRated:
		subject = domain.T("Thank you: complaint "+r.Number, "നന്ദി: പരാതി "+r.Number)
		body = domain.T(fmt.Sprintf("Thank you for confirming the fix of complaint %s.", r.Number), fmt.Sprintf("പരാതി %s-ന്റെ പരിഹാരം സ്ഥിരീകരിച്ചതിന് നന്ദി.", r.Number))
		if r.Rating > 0 {
			body.En += fmt.Sprintf(" Your rating: %d of 5.", r.Rating)
			body.Ml += fmt.Sprintf(" നിങ്ങളുടെ റേറ്റിംഗ്: 5-ൽ %d.", r.Rating)
		}
	default:
		return nil
	}
	return &messaging.Message{To: to, Kind: messaging.KindNotice, Link: link, Subject: subject, Body: body}
}
