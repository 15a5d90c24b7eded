// Package noc is the smallest example of a module: one service (a
// no-objection certificate for a public event), one rule (the event must
// be at least seven days away when the application is made: an example's
// setting, not a law), and the certificate it issues. It plugs into the
// appliance as every module does: this package, its JSON, and one line in
// a list of modules (see noc_test.go). It is not in appliance.Modules.
package noc

import (
	_ "embed"
	"fmt"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/module"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

//go:embed noc.json
var services []byte

// MinNoticeDays is how far ahead of the event one must apply.
const MinNoticeDays = 7

// Module is the example module.
var Module = module.Module{
	Name:      "noc",
	Catalogue: catalogue.ModuleFileManagement,
	Services:  services,
	Serves: func(svc catalogue.Service) error {
		if svc.Code != "event_noc" {
			return module.NotServed(domain.T("the NOC example serves only event_noc.", "NOC മാതൃക event_noc മാത്രമേ നൽകൂ."))
		}
		return nil
	},
	Open: func(h *module.Host) (workflow.Rules, error) { return &rules{h}, nil },
}

type rules struct{ h *module.Host }

// Assess refuses an event fewer than MinNoticeDays days away.
func (r *rules) Assess(a workflow.Assessing) (workflow.Assessment, error) {
	day, err := time.ParseInLocation(time.DateOnly, a.Values["event_date"], domain.IST)
	if err != nil || day.Before(a.Now.In(domain.IST).AddDate(0, 0, MinNoticeDays-1)) {
		fe := domain.FieldErrors{}
		fe.Add("event_date", domain.T(fmt.Sprintf("Apply at least %d days before the event.", MinNoticeDays), fmt.Sprintf("പരിപാടിക്ക് %d ദിവസം മുമ്പെങ്കിലും അപേക്ഷിക്കുക.", MinNoticeDays)))
		return workflow.Assessment{}, fe.Err()
	}
	return workflow.Assessment{Fee: a.Service.Fee.Amount}, nil
}

// Prepare prints the certificate when the file is issued.
func (r *rules) Prepare(p workflow.Preparing) (workflow.Apply, error) {
	if p.Kind != workflow.KindIssued {
		return nil, nil
	}
	f, v := p.File, p.File.Values
	decision, _ := f.Decision()
	pdf, err := r.h.Documents.Letter(documents.Letter{
		LocalBody: r.h.LocalBody, Title: domain.T("No-objection certificate", "എതിർപ്പില്ലാ സാക്ഷ്യപത്രം"), Number: f.Number,
		Rows: []documents.LetterRow{
			{Label: domain.T("Event", "പരിപാടി"), Value: domain.Text{En: v["event_name"]}},
			{Label: domain.T("Date", "തീയതി"), Value: domain.Text{En: v["event_date"]}},
			{Label: domain.T("Venue", "വേദി"), Value: domain.Text{En: v["venue"]}},
			{Label: domain.T("Organiser", "സംഘാടകൻ"), Value: domain.T(v["organiser_name_en"], v["organiser_name_ml"])},
		},
		Body:    "The local body has no objection to the event above, held as described in the application.",
		Officer: decision.ActorName, OfficerTitle: decision.Role.Name(), Issued: p.Now,
		StatusURL: workflow.StatusURL(r.h.PublicURL(), f.Number),
	})
	if err != nil {
		return nil, err
	}
	sum := store.SumBlob(pdf)
	return func(tx *store.Tx, f *workflow.File) error {
		f.Issued = &workflow.IssuedDocument{Kind: catalogue.IssueCertificate, Number: f.Number, Title: domain.T("No-objection certificate", "എതിർപ്പില്ലാ സാക്ഷ്യപത്രം"), Blob: sum}
		return tx.PutSummedBlob(sum, pdf)
	}, nil
}
