// Package files is the file management module: every application is a
// file, and this module makes files searchable, counts them for the state
// (received, pending, overdue, decided in time), and serves the catalogue's
// file_management services that end in a written reply from the office (a
// general petition, an RTI request, a status enquiry): the officer who
// decides writes the reply, and issuing it prints that reply as a
// bilingual letter with a QR code to the application's status.
//
// Moving files between desks is workflow's, not this package's; services
// whose rules are not written yet (a certified copy's per-page fee, a
// withdrawal that withdraws another file) are not served, so not offered.
package files

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// Module is file management as the appliance assembles it.
var Module = module.Module{
	Name:      "files",
	Catalogue: catalogue.ModuleFileManagement,
	Serves:    serves,
	Open: func(h *module.Host) (workflow.Rules, error) {
		return &Files{Store: h.Store, LocalBody: h.LocalBody, Documents: h.Documents, PublicURL: h.PublicURL}, nil
	},
	Records: []module.Records{{
		Type:     "file",
		Name:     domain.T("Files", "ഫയലുകൾ"),
		Source:   workflow.SearchSource,
		Readable: func(by domain.Actor) bool { return by.IsStaff() && !by.Has(domain.RoleKiosk) },
		Hit:      fileHit,
	}},
	Figures: figures,
}

// Files is the module's instance on one node: the rules of the reply
// services. Create it with its fields set.
type Files struct {
	Store     *store.Store
	LocalBody domain.LocalBody
	Documents *documents.Renderer
	// PublicURL is the address the letter's QR code points to.
	PublicURL func() string
}

// serves decides which file_management services this module serves: those
// that end in a reply, for no fee or a flat one.
func serves(svc catalogue.Service) error {
	if svc.Issues != catalogue.IssueReply {
		return module.NotServed(domain.T("its rules are still being written.", "ഇതിന്റെ ചട്ടങ്ങൾ ഇനിയും തയ്യാറാക്കുന്നു."))
	}
	if svc.Fee.Kind != catalogue.FeeNone && svc.Fee.Kind != catalogue.FeeFlat {
		return fmt.Errorf("service %s: its fee is %q, but file management reckons only none or flat", svc.Code, svc.Fee.Kind)
	}
	return nil
}

// minReply is the least a reply may say, in characters.
const minReply = 10

// Assess takes the catalogue's fee. It implements workflow.Rules.
func (fm *Files) Assess(a workflow.Assessing) (workflow.Assessment, error) {
	return workflow.Assessment{Fee: a.Service.Fee.Amount}, nil
}

// Prepare asks for the reply when a file is approved (the note the
// deciding officer writes), and prints it as a letter when the file is
// issued. It implements workflow.Rules.
func (fm *Files) Prepare(p workflow.Preparing) (workflow.Apply, error) {
	switch p.Kind {
	case workflow.KindApproved:
		if n := utf8.RuneCountInString(p.Note); n < minReply || n > documents.MaxLetterBody {
			t := domain.T("Write the reply the applicant will receive (10 to 2,000 characters); it is printed as the office's letter.",
				"അപേക്ഷകന് ലഭിക്കേണ്ട മറുപടി എഴുതുക (10 മുതൽ 2,000 അക്ഷരങ്ങൾ വരെ); ഇത് ഓഫീസിന്റെ കത്തായി അച്ചടിക്കും.")
			return nil, &domain.Error{Code: domain.EINVALID, Message: t.En, MessageML: t.Ml, Fields: map[string]domain.Text{"note": t}}
		}
		return nil, nil
	case workflow.KindIssued:
		return fm.prepareLetter(p)
	}
	return nil, nil
}

// prepareLetter prints the reply written at approval as the office's
// letter, and records it as the document the file was issued with.
func (fm *Files) prepareLetter(p workflow.Preparing) (workflow.Apply, error) {
	f := p.File
	decision, ok := f.Decision()
	if !ok || decision.Kind != workflow.KindApproved || strings.TrimSpace(decision.Note) == "" {
		return nil, domain.Errorf(domain.ECONFLICT, "file %s has no reply written at its approval; it cannot be issued", f.Number)
	}
	letter := documents.Letter{
		LocalBody: fm.LocalBody, Title: domain.T("Reply", "മറുപടി"), Number: f.Number, Reference: f.Number,
		Rows: []documents.LetterRow{
			{Label: domain.T("Service", "സേവനം"), Value: f.ServiceName},
			{Label: domain.T("To", "സ്വീകർത്താവ്"), Value: f.Applicant.Name},
			{Label: domain.T("Received on", "ലഭിച്ചത്"), Value: domain.Text{En: f.Submitted.In(domain.IST).Format("02-01-2006")}},
		},
		Body: decision.Note, Officer: decision.ActorName, OfficerTitle: decision.Role.Name(), Issued: p.Now,
		StatusURL: workflow.StatusURL(fm.PublicURL(), f.Number),
	}
	if subject := strings.TrimSpace(f.Values["subject"]); subject != "" {
		letter.Rows = append(letter.Rows, documents.LetterRow{Label: domain.T("Subject", "വിഷയം"), Value: domain.Text{En: subject}})
	}
	pdf, err := fm.Documents.Letter(letter)
	if err != nil {
		return nil, err
	}
	sum := store.SumBlob(pdf)
	return func(tx *store.Tx, f *workflow.File) error {
		if err := tx.PutSummedBlob(sum, pdf); err != nil {
			return err
		}
		f.Issued = &workflow.IssuedDocument{Kind: catalogue.IssueReply, Number: f.Number, Title: letter.Title, Blob: sum}
		return nil
	}, nil
}

// fileHit is how a file found by a search reads.
func fileHit(tx *store.Tx, id string) (module.Hit, bool, error) {
	f, err := workflow.FileIn(tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return module.Hit{}, false, nil
	}
	if err != nil {
		return module.Hit{}, false, err
	}
	return module.Hit{Type: "file", Kind: f.Service, KindName: f.ServiceName, Number: f.Number, Status: f.Status,
		StatusName: workflow.StatusName(f.Status), Title: f.Applicant.Name, Date: f.Submitted.In(domain.IST).Format(time.DateOnly),
		Ward: f.Ward, Link: "/office/files/" + url.PathEscape(f.ID)}, true, nil
}

// The keys of the figures of files: every file held and those received
// each month (FigureApplications); open ones (FigurePending) and those past
// their due time with the office (FigureOverdue); those decided
// (FigureDecided) and decided by their due time (FigureOnTime), in all and
// by month of decision.
const (
	FigureApplications = "applications"
	FigurePending      = "pending"
	FigureOverdue      = "overdue"
	FigureDecided      = "decided"
	FigureOnTime       = "on_time"
	// FigureDeemed are files the law granted because the office did not
	// decide them in time; FigureAppeals the Right to Service appeals on
	// the body's files, FigurePenalties those that proposed a penalty.
	FigureDeemed    = "deemed"
	FigureAppeals   = "rts_appeals"
	FigurePenalties = "rts_penalties"
)

var deliveryRate = module.Headline{Name: domain.T("Delivered in time", "സമയബന്ധിതമായി"), Key: FigureOnTime, Of: FigureDecided}

var figures = &module.Figures{
	Count:   countFiles,
	Counter: counter,
	Headlines: []module.Headline{
		{Name: domain.T("Applications", "അപേക്ഷകൾ"), Key: FigureApplications},
		{Name: domain.T("Pending", "തീർപ്പാക്കാനുള്ളവ"), Key: FigurePending},
		{Name: domain.T("Overdue", "സമയപരിധി കഴിഞ്ഞവ"), Key: FigureOverdue},
		deliveryRate,
		{Name: domain.T("Deemed granted by law", "നിയമപ്രകാരം അനുവദിച്ചവ"), Key: FigureDeemed},
		{Name: domain.T("Right to Service appeals", "സേവനാവകാശ അപ്പീലുകൾ"), Key: FigureAppeals},
		{Name: domain.T("Penalties proposed", "നിർദ്ദേശിച്ച പിഴകൾ"), Key: FigurePenalties},
	},
	Charts: []module.Chart{
		{
			ID:          "chart-applications",
			Title:       domain.T("Applications received per month", "ഓരോ മാസവും ലഭിച്ച അപേക്ഷകൾ"),
			Description: domain.T("One bar per month for the last 24 months: applications (files) received that month.", "കഴിഞ്ഞ 24 മാസത്തെ ഓരോ മാസത്തിനും ഒരു ബാർ: ആ മാസം ലഭിച്ച അപേക്ഷകൾ."),
			Bars:        []module.Series{{Key: FigureApplications, Name: domain.T("Applications", "അപേക്ഷകൾ"), Class: "apps"}},
		},
		{
			ID:          "chart-delivery",
			Title:       domain.T("Time-bound delivery rate per month", "ഓരോ മാസത്തെയും സമയബന്ധിത സേവന നിരക്ക്"),
			Description: domain.T("A line over the last 24 months: of the files decided each month, the share decided on or before their due date.", "കഴിഞ്ഞ 24 മാസത്തെ രേഖ: ഓരോ മാസവും തീർപ്പാക്കിയ ഫയലുകളിൽ നിശ്ചിത തീയതിക്കകം തീർപ്പാക്കിയവയുടെ പങ്ക്."),
			Rate:        &deliveryRate,
		},
	},
}

// countFiles counts every file a body holds, and its Right to Service
// appeals.
func countFiles(tx *store.Tx, t *module.Tally) error {
	appeals, penalties, err := rts.CountAppeals(tx)
	if err != nil {
		return err
	}
	t.Add(FigureAppeals, appeals)
	t.Add(FigurePenalties, penalties)
	return workflow.ScanFiles(tx, func(f workflow.File) error {
		if _, byOffice := f.Decision(); !f.Decided.IsZero() && !byOffice {
			t.Add(FigureDeemed, 1)
		}
		t.Add(FigureApplications, 1)
		t.AddMonthly(FigureApplications, f.Submitted)
		if f.Open() {
			t.Add(FigurePending, 1)
		}
		if f.Overdue(t.At) {
			t.Add(FigureOverdue, 1)
		}
		if !f.Decided.IsZero() {
			t.Add(FigureDecided, 1)
			t.AddMonthly(FigureDecided, f.Decided)
			if !f.Decided.After(f.Due) {
				t.Add(FigureOnTime, 1)
				t.AddMonthly(FigureOnTime, f.Decided)
			}
		}
		return nil
	})
}
