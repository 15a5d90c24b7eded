package workflow_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/documents"
	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/appliance/synth"
	"ksmart/appliance/workflow"
	"ksmart/store"
	"ksmart/store/storetest"
)

var (
	citizen   = domain.Actor{ID: "u-100", Name: "Anagha", Roles: []domain.Role{domain.RoleCitizen}}
	neighbour = domain.Actor{ID: "u-101", Name: "Other", Roles: []domain.Role{domain.RoleCitizen}}
	clerk     = domain.Actor{ID: "u-2", Name: "Clerk", Roles: []domain.Role{domain.RoleSectionClerk}}
	headClerk = domain.Actor{ID: "u-3", Name: "Head clerk", Roles: []domain.Role{domain.RoleHeadClerk}}
	registrar = domain.Actor{ID: "u-4", Name: "Registrar", Roles: []domain.Role{domain.RoleRegistrar}}
	secretary = domain.Actor{ID: "u-5", Name: "Secretary", Roles: []domain.Role{domain.RoleSecretary}}
	counter   = domain.Actor{ID: "u-6", Name: "Front office", Roles: []domain.Role{domain.RoleFrontOffice}}
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newWorkflow(t *testing.T) (*workflow.Workflow, *clock) { return newWorkflowB(t) }

func newWorkflowB(t testing.TB) (*workflow.Workflow, *clock) {
	t.Helper()
	cat, err := catalogue.Load()
	if err != nil {
		t.Fatal(err)
	}
	// Monday 7 December 2026, 10:30 IST.
	c := &clock{time.Date(2026, 12, 7, 10, 30, 0, 0, domain.IST)}
	w := &workflow.Workflow{Store: storetest.Open(t), Catalogue: cat, LocalBody: synth.DemoLocalBody(), Now: c.now, Documents: documents.NewRenderer(documents.EnglishOnly()),
		Users: func(id string) (domain.Actor, bool) {
			for _, a := range []domain.Actor{clerk, headClerk, registrar, secretary, counter} {
				if a.ID == id {
					return a, true
				}
			}
			return domain.Actor{}, false
		}}
	return w, c
}

func birthCertificateForm() map[string]string {
	return map[string]string{
		"person_name_en": "Anagha", "person_name_ml": "അനഘ", "sex": "female", "date_of_birth": "2019-04-14",
		"mother_name_en": "Lakshmi", "mother_name_ml": "ലക്ഷ്മി", "applicant_name_en": "Anagha", "applicant_name_ml": "അനഘ",
		"relationship": "self", "phone": "9847012345",
	}
}

func submitBirthCertificate(t *testing.T, w *workflow.Workflow) workflow.File {
	t.Helper()
	f, err := w.Submit(citizen, workflow.Submission{Service: "birth_certificate", Values: birthCertificateForm(),
		Applicant: workflow.Applicant{Name: domain.T("Anagha", "അനഘ")}, Channel: workflow.ChannelOnline})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSubmit_CitizenGetsNumberDueDateAndAcknowledgement(t *testing.T) {
	w, _ := newWorkflow(t)
	f := submitBirthCertificate(t, w)
	if f.Number != "KS/DEMO01/2026/BC/1" || f.Status != workflow.StatusInProgress || f.Role != domain.RoleSectionClerk {
		t.Fatalf("file = %s %s %s", f.Number, f.Status, f.Role)
	}
	// 3 working days after Monday 7 Dec 2026 is Thursday 10 Dec.
	if got := f.Due.In(domain.IST).Format("2006-01-02"); got != "2026-12-10" {
		t.Fatalf("due %s, want 2026-12-10", got)
	}
	if f.Fee != domain.Rupees(10) || f.FeePaid {
		t.Fatalf("fee %v paid %v", f.Fee, f.FeePaid)
	}
	msgs, _ := messaging.Inbox(w.Store, citizen.ID, 0)
	if len(msgs) != 1 || msgs[0].Kind != messaging.KindAcknowledgement || !strings.Contains(msgs[0].Subject.En, f.Number) {
		t.Fatalf("acknowledgement = %+v", msgs)
	}
	f2 := submitBirthCertificate(t, w)
	if f2.Number != "KS/DEMO01/2026/BC/2" {
		t.Fatalf("second number %s", f2.Number)
	}
	st, err := w.Status(f.Number)
	if err != nil || st.Status != workflow.StatusInProgress || st.StepName.En == "" {
		t.Fatalf("public status = %+v, %v", st, err)
	}
}

func TestSubmit_BadFormIsRefusedFieldByFieldAndStoresNothing(t *testing.T) {
	w, _ := newWorkflow(t)
	form := birthCertificateForm()
	delete(form, "sex")
	form["person_name_en"] = "<script>alert(1)</script>"
	form["date_of_birth"] = "2026-02-31"
	form["phone"] = "12345"
	_, err := w.Submit(citizen, workflow.Submission{Service: "birth_certificate", Values: form,
		Uploads:   map[string]workflow.Upload{"x": {Name: "a.pdf", Data: []byte("%PDF-1.4")}},
		Applicant: workflow.Applicant{Name: domain.T("Anagha", "")}, Channel: workflow.ChannelOnline})
	de, ok := err.(*domain.Error)
	if !ok || de.Code != domain.EINVALID {
		t.Fatalf("err = %v", err)
	}
	for _, field := range []string{"sex", "person_name_en", "date_of_birth", "phone", "x"} {
		if _, ok := de.Fields[field]; !ok {
			t.Errorf("no error for field %s; got %v", field, de.Fields)
		}
	}
	if w.Store.LastSeq() != 0 {
		t.Fatalf("a refused application wrote %d events", w.Store.LastSeq())
	}
}

func TestSubmit_UploadsAreJudgedByContentAndSize(t *testing.T) {
	w, _ := newWorkflow(t)
	w.Rules = map[string]workflow.Rules{"birth_registration": &fakeRules{}}
	form := map[string]string{
		"sex": "female", "still_birth": "no", "reported_by": "family", "date_of_birth": "2026-12-01", "place_type": "hospital", "place_of_birth": "General Hospital",
		"mother_name_en": "Lakshmi", "permanent_address": "Fort House, Demo", "ward": "3",
		"informant_name_en": "Ravi", "informant_phone": "9847012345",
	}
	submit := func(data []byte) error {
		_, err := w.Submit(citizen, workflow.Submission{Service: "birth_registration", Values: form,
			Uploads: map[string]workflow.Upload{"parent_id": {Name: "id.pdf", Data: data}}, Applicant: workflow.Applicant{Name: domain.T("Ravi", "")}, Channel: workflow.ChannelOnline})
		return err
	}
	if err := submit([]byte("MZ\x90\x00 this is an exe renamed to .pdf")); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.(*domain.Error).Fields["parent_id"].En, "not a PDF") {
		t.Fatalf("an exe named .pdf: %v", err)
	}
	if err := submit(append([]byte("%PDF-1.4\n"), make([]byte, workflow.MaxUploadBytes)...)); domain.ErrorCode(err) != domain.ETOOLARGE {
		t.Fatalf("an oversized upload: %v", err)
	}
	if err := submit(nil); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("a missing required document: %v", err)
	}
	if err := submit([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")); err != nil {
		t.Fatalf("a real PDF: %v", err)
	}
}

func TestFile_ReturnAnswerForwardApproveIssue(t *testing.T) {
	w, c := newWorkflow(t)
	f := submitBirthCertificate(t, w)

	if _, err := w.Act(registrar, f.ID, workflow.Request{Kind: workflow.KindApproved}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("registrar approving at the clerk's step: %v", err)
	}
	f, err := w.Act(clerk, f.ID, workflow.Request{Kind: workflow.KindReturned, Note: "Attach the hospital discharge summary."})
	if err != nil || f.Status != workflow.StatusReturned {
		t.Fatalf("return: %v %s", err, f.Status)
	}
	if _, err := w.Answer(neighbour, f.ID, "here", nil); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("another citizen answering: %v", err)
	}
	dueBefore := f.Due
	c.t = c.t.Add(48 * time.Hour) // two working days with the applicant
	f, err = w.Answer(citizen, f.ID, "Attached.", map[string]workflow.Upload{"discharge": {Name: "d.png", Data: []byte("\x89PNG\r\n\x1a\n....")}})
	if err != nil || f.Status != workflow.StatusInProgress || len(f.Documents) != 1 {
		t.Fatalf("answer: %v %s %d", err, f.Status, len(f.Documents))
	}
	if days := (domain.Calendar{}).WorkingDaysBetween(dueBefore, f.Due); days != 2 {
		t.Fatalf("due date moved by %d working days, want 2", days)
	}
	if _, err := w.Act(clerk, f.ID, workflow.Request{Kind: workflow.KindApproved}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("a clerk approving: %v", err)
	}
	if f, err = w.Act(clerk, f.ID, workflow.Request{Kind: workflow.KindForwarded}); err != nil || f.Role != domain.RoleRegistrar {
		t.Fatalf("forward: %v %s", err, f.Role)
	}
	if _, err := w.Act(clerk, f.ID, workflow.Request{Kind: workflow.KindNote, Note: "Checked the register."}); err != nil {
		t.Fatalf("a clerk adding a note after forwarding: %v", err)
	}
	if _, err := w.Act(registrar, f.ID, workflow.Request{Kind: workflow.KindForwarded}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("forward past the last step: %v", err)
	}
	if f, err = w.Act(registrar, f.ID, workflow.Request{Kind: workflow.KindApproved}); err != nil || f.Status != workflow.StatusApproved {
		t.Fatalf("approve: %v %s", err, f.Status)
	}
	if f, err = w.Act(counter, f.ID, workflow.Request{Kind: workflow.KindIssued}); err != nil || f.Status != workflow.StatusIssued {
		t.Fatalf("issue: %v %s", err, f.Status)
	}
	var kinds []string
	for _, a := range f.History {
		kinds = append(kinds, a.Kind)
	}
	if got := strings.Join(kinds, ","); got != "submitted,returned,resubmitted,forwarded,note_added,approved,issued" {
		t.Fatalf("history %s", got)
	}
	if inbox, _ := w.Inbox(registrar, 0); len(inbox) != 0 {
		t.Fatalf("an issued file is still in the registrar's inbox: %+v", inbox)
	}
	msgs, _ := messaging.Inbox(w.Store, citizen.ID, 0)
	if len(msgs) != 4 { // acknowledgement, returned, approved, issued
		t.Fatalf("citizen got %d messages, want 4", len(msgs))
	}
}

func TestReject_NeedsAReasonTheApplicantSees(t *testing.T) {
	w, _ := newWorkflow(t)
	f := submitBirthCertificate(t, w)
	w.Act(clerk, f.ID, workflow.Request{Kind: workflow.KindForwarded})
	if _, err := w.Act(registrar, f.ID, workflow.Request{Kind: workflow.KindRejected, Note: "no"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("reject without a reason: %v", err)
	}
	f, err := w.Act(registrar, f.ID, workflow.Request{Kind: workflow.KindRejected, Note: "No birth with these details is in the register."})
	if err != nil || f.Status != workflow.StatusRejected || f.Reason == "" {
		t.Fatalf("reject: %v %+v", err, f.Status)
	}
	msgs, _ := messaging.Inbox(w.Store, citizen.ID, 1)
	if !strings.Contains(msgs[0].Body.En, "No birth with these details") {
		t.Fatalf("rejection message lacks the reason: %+v", msgs[0])
	}
}

func TestGet_CitizensSeeOnlyTheirOwnAndStaffReadsAreLogged(t *testing.T) {
	w, _ := newWorkflow(t)
	f := submitBirthCertificate(t, w)
	if _, err := w.Get(neighbour, f.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("another citizen reading the file: %v", err)
	}
	if _, err := w.Get(citizen, f.ID); err != nil {
		t.Fatal(err)
	}
	before := w.Store.LastSeq()
	if _, err := w.Get(clerk, f.ID); err != nil {
		t.Fatal(err)
	}
	ev, _ := w.Store.Event(before + 1)
	if ev.Type != "application.viewed" || ev.Actor != clerk.ID {
		t.Fatalf("staff read not logged: %+v", ev)
	}
	if apps, _ := w.Applications(neighbour.ID, 0); len(apps) != 0 {
		t.Fatalf("neighbour lists %d applications", len(apps))
	}
}

func TestInbox_OverdueFirstAndEscalatedToTheOfficerAbove(t *testing.T) {
	w, c := newWorkflow(t)
	first := submitBirthCertificate(t, w)
	c.t = c.t.Add(24 * time.Hour)
	second := submitBirthCertificate(t, w)
	inbox, _ := w.Inbox(clerk, 0)
	if len(inbox) != 2 || inbox[0].ID != first.ID {
		t.Fatalf("clerk inbox %+v", inbox)
	}
	if n, _ := w.EscalateOverdue(); n != 0 {
		t.Fatalf("escalated %d files before any was due", n)
	}
	c.t = first.Due.Add(time.Minute)
	if !inbox[0].Overdue(c.t) || inbox[1].Overdue(c.t) {
		t.Fatalf("overdue flags wrong at %s", c.t)
	}
	if n, err := w.EscalateOverdue(); n != 1 || err != nil {
		t.Fatalf("escalated %d (%v), want 1", n, err)
	}
	if n, _ := w.EscalateOverdue(); n != 0 {
		t.Fatalf("escalating again escalated %d", n)
	}
	hc, _ := w.Inbox(headClerk, 0)
	if len(hc) != 1 || hc[0].ID != first.ID || hc[0].EscalatedTo != domain.RoleHeadClerk {
		t.Fatalf("head clerk inbox %+v", hc)
	}
	// The head clerk may now move the escalated file on.
	if _, err := w.Act(headClerk, first.ID, workflow.Request{Kind: workflow.KindForwarded}); err != nil {
		t.Fatalf("head clerk forwarding an escalated file: %v", err)
	}
	if _, err := w.Act(headClerk, second.ID, workflow.Request{Kind: workflow.KindForwarded}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("head clerk acting on a file not escalated: %v", err)
	}
}

func TestCounterEntry_FrontOfficeSubmitsForAWalkIn(t *testing.T) {
	w, _ := newWorkflow(t)
	f, err := w.Submit(counter, workflow.Submission{Service: "birth_certificate", Values: birthCertificateForm(),
		Applicant: workflow.Applicant{Name: domain.T("Ravi", "രവി"), Phone: "+919847000111"}, Channel: workflow.ChannelCounter})
	if err != nil || f.Channel != workflow.ChannelCounter || !f.FeePaid || f.Applicant.UserID != "" {
		t.Fatalf("counter entry: %v %+v", err, f)
	}
	if _, err := w.Submit(clerk, workflow.Submission{Service: "birth_certificate", Values: birthCertificateForm(),
		Applicant: workflow.Applicant{Name: domain.T("Ravi", "")}, Channel: workflow.ChannelCounter}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("a section clerk making a counter entry: %v", err)
	}
	pdf, err := w.Receipt(f, "http://127.0.0.1:8080")
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("receipt: %v", err)
	}
	again, _ := w.Receipt(f, "http://127.0.0.1:8080")
	if !bytes.Equal(pdf, again) {
		t.Fatal("the receipt is not reproducible byte for byte")
	}
	_ = store.ErrNotFound
}

// fakeRules stands in for a module's rules, to show what the workflow does
// with them: the fee and the extra documents of Assess, and Prepare's
// Apply running inside the approval's write.
type fakeRules struct {
	extra   []catalogue.DocumentRequirement
	refuse  error
	applied int
}

func (r *fakeRules) Assess(workflow.Assessing) (workflow.Assessment, error) {
	return workflow.Assessment{Fee: 200, FeeNote: domain.T("Late", "വൈകി"), Documents: r.extra}, nil
}

func (r *fakeRules) Prepare(p workflow.Preparing) (workflow.Apply, error) {
	kind, by := p.Kind, p.By
	return func(tx *store.Tx, f *workflow.File) error {
		if r.refuse != nil {
			return r.refuse
		}
		r.applied++
		f.Record = "B-1/2026"
		return tx.Emit(by.ID, store.EventType{Name: "birth.registered", Version: 1}, "civil_entry", "x", map[string]string{"kind": kind})
	}, nil
}

func TestRules_ModuleSetsFeeAsksForDocumentsAndWritesWithTheApproval(t *testing.T) {
	w, _ := newWorkflow(t)
	rules := &fakeRules{extra: []catalogue.DocumentRequirement{{Code: "affidavit", Name: domain.T("Affidavit", "സത്യവാങ്മൂലം"), Required: true}}}
	w.Rules = map[string]workflow.Rules{"birth_registration": rules}
	form := map[string]string{
		"sex": "female", "still_birth": "no", "reported_by": "family", "date_of_birth": "2026-12-01", "place_type": "hospital", "place_of_birth": "General Hospital",
		"mother_name_en": "Lakshmi", "permanent_address": "Fort House, Demo", "ward": "3",
		"informant_name_en": "Ravi", "informant_phone": "9847012345",
	}
	pdf := workflow.Upload{Name: "a.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")}
	sub := workflow.Submission{Service: "birth_registration", Values: form, Uploads: map[string]workflow.Upload{"parent_id": pdf},
		Applicant: workflow.Applicant{Name: domain.T("Ravi", "")}, Channel: workflow.ChannelOnline}
	_, err := w.Submit(citizen, sub)
	var de *domain.Error
	if !errors.As(err, &de) || de.Fields["affidavit"].En == "" {
		t.Fatalf("the module's extra document was not asked for: %v", err)
	}
	sub.Uploads["affidavit"] = pdf
	f, err := w.Submit(citizen, sub)
	if err != nil {
		t.Fatal(err)
	}
	if f.Fee != 200 || f.FeeNote.En != "Late" {
		t.Fatalf("fee %v (%q), want the module's 200 paise, Late", f.Fee, f.FeeNote.En)
	}
	if f, err = w.Act(clerk, f.ID, workflow.Request{Kind: workflow.KindForwarded}); err != nil {
		t.Fatal(err)
	}
	rules.refuse = domain.Errorf(domain.ECONFLICT, "the register says no")
	before := w.Store.LastSeq()
	if _, err := w.Act(registrar, f.ID, workflow.Request{Kind: workflow.KindApproved}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("a module's refusal: %v", err)
	}
	if got, _ := w.Get(clerk, f.ID); got.Status != workflow.StatusInProgress || w.Store.LastSeq() != before+1 { // +1: the clerk's read is logged
		t.Fatalf("a refused approval changed the file: %s, %d events", got.Status, w.Store.LastSeq()-before)
	}
	rules.refuse = nil
	if f, err = w.Act(registrar, f.ID, workflow.Request{Kind: workflow.KindApproved}); err != nil {
		t.Fatal(err)
	}
	if f.Status != workflow.StatusApproved || f.Record != "B-1/2026" || rules.applied != 1 {
		t.Fatalf("approval with the module: status %s, record %q, applied %d", f.Status, f.Record, rules.applied)
	}
	evs, _ := w.Store.ReadLog(w.Store.LastSeq()-2, 3) // the module's event, the approval, the message to the citizen
	if evs[0].Type != "birth.registered" || evs[1].Type != "application.approved" {
		t.Fatalf("the module's event and the approval are not one write: %s, %s", evs[0].Type, evs[1].Type)
	}
}
