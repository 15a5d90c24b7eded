package files_test

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/internal/needs"
)

// TestReply_APetitionIsAnsweredInWritingAndTheLetterIsIssued follows a
// general petition from a citizen to the secretary: the decision needs the
// reply's words, and issuing prints them as the office's letter, which the
// citizen downloads.
func TestReply_APetitionIsAnsweredInWritingAndTheLetterIsIssued(t *testing.T) {
	lb := synth.DemoLocalBody()
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	u, err := synth.Citizen(app, "9847011111", "Rasheed K.", "a long enough password 1")
	if err != nil {
		t.Fatal(err)
	}
	citizen := u.Actor()
	// A withdrawal must close the file it names, which no module does yet:
	// it is not offered, rather than answered with a letter that withdraws
	// nothing.
	if app.Catalogue.Available("application_withdrawal") {
		t.Error("a withdrawal of an application is offered, but nothing would withdraw the application")
	}
	front := domain.Actor{ID: "u-f", Name: "Beena Thomas", Roles: []domain.Role{domain.RoleFrontOffice}}
	clerk := domain.Actor{ID: "u-c", Name: "Anitha K.", Roles: []domain.Role{domain.RoleSectionClerk}}
	secretary := domain.Actor{ID: "u-s", Name: "Sheeba George", Roles: []domain.Role{domain.RoleSecretary}}

	f, err := app.Workflow.Submit(citizen, workflow.Submission{Service: "general_petition", Channel: workflow.ChannelOnline,
		Applicant: workflow.Applicant{Name: domain.T("Rasheed K.", "")},
		Values: map[string]string{"applicant_name_en": "Rasheed K.", "address": "Kadavil House, Fort Road", "ward": "3", "phone": "9847011111",
			"subject": "Street light out near the market", "petition": "The light at pole 14 has been out for two weeks."}})
	if err != nil {
		t.Fatal(err)
	}
	for _, by := range []domain.Actor{front, clerk} {
		if f, err = app.Workflow.Act(by, f.ID, workflow.Request{Kind: workflow.KindForwarded}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = app.Workflow.Act(secretary, f.ID, workflow.Request{Kind: workflow.KindApproved, Note: "OK"})
	if de, ok := err.(*domain.Error); !ok || de.Fields["note"].En == "" || !strings.Contains(de.Fields["note"].Ml, "മറുപടി") {
		t.Fatalf("approving a petition with no reply: %v", err)
	}
	reply := "The Assistant Engineer has been asked to replace the lamp at pole 14 within seven days.\n\nതെരുവുവിളക്ക് ഏഴു ദിവസത്തിനകം മാറ്റിസ്ഥാപിക്കും."
	if f, err = app.Workflow.Act(secretary, f.ID, workflow.Request{Kind: workflow.KindApproved, Note: reply}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.Workflow.Issued(citizen, f.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("before issue, the letter: %v", err)
	}
	if f, err = app.Workflow.Act(front, f.ID, workflow.Request{Kind: workflow.KindIssued}); err != nil {
		t.Fatal(err)
	}
	doc, pdf, err := app.Workflow.Issued(citizen, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Kind != catalogue.IssueReply || doc.Number != f.Number || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("issued %+v, %d bytes", doc, len(pdf))
	}
	if dir := os.Getenv("KSMART_EVIDENCE_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, "reply-letter.pdf"), pdf, 0o644)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"Reply", f.Number, "Rasheed K.", "replace the lamp at pole 14", "Sheeba George", "Secretary"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter does not say %q:\n%s", want, text)
		}
	}
	if _, _, err := app.Workflow.Issued(domain.Actor{ID: "u-other", Roles: []domain.Role{domain.RoleCitizen}}, f.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("another citizen reads the letter: %v", err)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := needs.Tool(t, "poppler-utils", "pdftotext")
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
