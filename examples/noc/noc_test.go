package noc_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/module"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/examples/noc"
)

var tinyPDF = []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// TestNOC_OnePackageAndOneLineMakeAModule assembles a node with the
// example module added to the list, and takes an application through it:
// the module's rule refuses an event too soon, and its certificate is
// issued at the end.
func TestNOC_OnePackageAndOneLineMakeAModule(t *testing.T) {
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Modules: append([]module.Module{noc.Module}, appliance.Modules...), // the one line
	})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if !app.Catalogue.Available("event_noc") || !app.Catalogue.Available("general_petition") {
		t.Fatal("the example's service, or file management's, is not offered")
	}
	citizen := domain.Actor{ID: "u-9", Name: "Sreeja", Roles: []domain.Role{domain.RoleCitizen}}
	form := func(daysAhead int) map[string]string {
		return map[string]string{"event_name": "Onam cultural evening", "event_date": app.Now().In(domain.IST).AddDate(0, 0, daysAhead).Format(time.DateOnly),
			"venue": "Town Hall grounds", "ward": "3", "attendance": "400", "organiser_name_en": "Sreeja R.", "phone": "9847012345"}
	}
	docs := map[string]workflow.Upload{"venue_consent": {Name: "consent.pdf", Data: tinyPDF}, "organiser_id": {Name: "id.pdf", Data: tinyPDF}}
	sub := workflow.Submission{Service: "event_noc", Values: form(3), Uploads: docs, Channel: workflow.ChannelOnline, Applicant: workflow.Applicant{Name: domain.T("Sreeja R.", "")}}
	_, err = app.Workflow.Submit(citizen, sub)
	if de, ok := err.(*domain.Error); !ok || !strings.Contains(de.Fields["event_date"].En, "7 days before") {
		t.Fatalf("an event three days away: %v", err)
	}
	sub.Values = form(10)
	f, err := app.Workflow.Submit(citizen, sub)
	if err != nil {
		t.Fatal(err)
	}
	if f.Fee != 10000 {
		t.Errorf("fee %v, want Rs 100", f.Fee)
	}
	clerk := domain.Actor{ID: "u-2", Name: "Anitha K.", Roles: []domain.Role{domain.RoleSectionClerk}}
	inspector := domain.Actor{ID: "u-3", Name: "Noushad A.", Roles: []domain.Role{domain.RoleHealthInspector}}
	secretary := domain.Actor{ID: "u-4", Name: "Sheeba George", Roles: []domain.Role{domain.RoleSecretary}}
	for _, step := range []struct {
		by   domain.Actor
		kind string
	}{{clerk, workflow.KindForwarded}, {inspector, workflow.KindForwarded}, {secretary, workflow.KindApproved}} {
		if f, err = app.Workflow.Act(step.by, f.ID, workflow.Request{Kind: step.kind}); err != nil {
			t.Fatalf("%s by %s: %v", step.kind, step.by.Name, err)
		}
	}
	// The fee is a demand, paid at the counter before the certificate issues.
	if _, err := app.Workflow.Act(secretary, f.ID, workflow.Request{Kind: workflow.KindIssued}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("issued with the fee unpaid: %v", err)
	}
	money, err := app.Finance.OfFile(f.ID)
	if err != nil || money.Balance != 10000 {
		t.Fatalf("the file's demand: %+v, %v", money, err)
	}
	cashier := domain.Actor{ID: "u-5", Name: "Cashier", Roles: []domain.Role{domain.RoleCashier}}
	if _, err := app.Finance.Collect(cashier, money.Demands[0].Number, finance.Payment{Counter: "C1", Amount: 10000, Mode: finance.ModeCash}); err != nil {
		t.Fatal(err)
	}
	if f, err = app.Workflow.Act(secretary, f.ID, workflow.Request{Kind: workflow.KindIssued}); err != nil {
		t.Fatalf("issuing once paid: %v", err)
	}
	doc, pdf, err := app.Workflow.Issued(citizen, f.ID)
	if err != nil || doc.Title.En != "No-objection certificate" || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("issued %+v (%d bytes): %v", doc, len(pdf), err)
	}
}
