package rts_test

import (
	"strings"
	"testing"
	"time"

	"ksmart/appliance/domain"
	"ksmart/appliance/rts"
	"ksmart/appliance/workflow"
)

// TestAppeal_OverdueFileThroughBothAppealsToAPenalty: a citizen's petition
// sits on the clerk's desk past its 15 working days. She appeals; the
// Deputy Director (first appellate authority: the Secretary is the
// designated officer) orders delivery within 7 days;
// it is still not delivered and she appeals again; the LSGD's appellate
// authority, after hearing the clerk, proposes a penalty of Rs 2,000 on
// the officer at whose desk it lay. Each order is a PDF naming the designation
// (not the officer) with a QR code; the penalty register names the
// officer; the file carries the order; the second appeal cannot be
// decided by the officer who decided the first.
func TestAppeal_OverdueFileThroughBothAppealsToAPenalty(t *testing.T) {
	c := (&clock{}).At("2026-08-03 10:00:00")
	app := open(t, c)
	meena := citizen(t, app, "9847022222", "Meena Joseph")
	f := petition(t, app, meena)
	f = act(t, app, front, f.ID, workflow.KindForwarded, "")
	act(t, app, clerk, f.ID, workflow.KindNote, "Asked the overseer for the pole's details.")
	c.Set(f.Due.Add(3 * 24 * time.Hour))

	first, err := app.RTS.File(meena, f.ID, "My petition about the street light has not been answered in 15 working days.")
	if err != nil {
		t.Fatal(err)
	}
	if first.Level != rts.First || first.Ground != rts.GroundOverdue || first.Authority.Role != domain.RoleAppellateAuthority || first.Officer != domain.RoleSecretary ||
		!strings.HasPrefix(first.Number, "RTS/"+app.LocalBody.Code+"/2026/A1/") {
		t.Fatalf("first appeal %+v", first)
	}
	// The same appeal twice is one appeal.
	if _, err := app.RTS.File(meena, f.ID, "My petition has still not been answered."); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a second first appeal: %v", err)
	}
	c.Add(2 * 24 * time.Hour)
	if _, err := app.RTS.Decide(secretary, first.ID, rts.Ruling{Outcome: rts.OutcomeDeliver, Reasons: "Deliver it.", DeliverWithinDays: 7}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("the Secretary decides the appeal against their own desk: %v", err)
	}
	first, err = app.RTS.Decide(lsgd1, first.ID, rts.Ruling{Outcome: rts.OutcomeDeliver, DeliverWithinDays: 7,
		Reasons: "The petition was received on 03-08-2026 and has not been answered. The section is directed to reply within 7 days."})
	if err != nil {
		t.Fatal(err)
	}
	if want := dayEnd(c.Now().In(domain.IST).AddDate(0, 0, 7).Format(time.DateOnly)); !first.Decision.DeliverBy.Equal(want) {
		t.Errorf("deliver by %v, want %v", first.Decision.DeliverBy, want)
	}
	f, _ = app.Workflow.File(f.ID)
	if last := f.History[len(f.History)-1]; last.Kind != workflow.KindOrdered || !last.Due.Equal(first.Decision.DeliverBy) || f.Status != workflow.StatusInProgress || !f.Overdue(c.Now()) {
		t.Errorf("the file after the order: %s, last action %+v, overdue %v; want the order in its history and still late", f.Status, last, f.Overdue(c.Now()))
	}
	pdf, err := app.RTS.Order(first)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"Order on first appeal", first.Number, f.Number, "Delivery ordered", "Deputy Director Suresh", "Deputy Director of Panchayats", "directed to reply within"} {
		if !strings.Contains(text, want) {
			t.Errorf("the first order does not say %q:\n%s", want, text)
		}
	}

	c.Add(10 * 24 * time.Hour)
	second, err := app.RTS.File(meena, f.ID, "The Secretary ordered a reply within 7 days; none has come.")
	if err != nil {
		t.Fatal(err)
	}
	if second.Level != rts.Second || second.Previous != first.ID || second.Authority.Role != domain.RoleAppellateAuthority {
		t.Fatalf("second appeal %+v", second)
	}
	_, err = app.RTS.Decide(lsgd1, second.ID, rts.Ruling{Outcome: rts.OutcomeUphold, Reasons: "The delay was explained."})
	if de, ok := err.(*domain.Error); !ok || de.Code != domain.EFORBIDDEN || de.MessageML == "" {
		t.Errorf("the second appeal decided by who decided the first: %v", err)
	}
	_, err = app.RTS.Decide(lsgd2, second.ID, rts.Ruling{Outcome: rts.OutcomePenalty, Penalty: 1000_00, Reasons: "Not delivered.", Hearing: "x"})
	if de, ok := err.(*domain.Error); !ok || de.Fields["hearing"].En == "" || de.Fields["hearing"].Ml == "" || de.Fields["reasons"].En != "" {
		t.Errorf("a penalty without a hearing: %v", err)
	}
	_, err = app.RTS.Decide(lsgd2, second.ID, rts.Ruling{Outcome: rts.OutcomePenalty, Penalty: 6000_00, Reasons: "Not delivered in time.", Hearing: "Heard the clerk on 20-09."})
	if de, ok := err.(*domain.Error); !ok || !strings.Contains(de.Fields["penalty"].En, "₹500") || !strings.Contains(de.Fields["penalty"].En, "₹5,000") {
		t.Errorf("a penalty of Rs 6,000: %v", err)
	}
	second, err = app.RTS.Decide(lsgd2, second.ID, rts.Ruling{Outcome: rts.OutcomePenalty, Penalty: 2000_00, DeliverWithinDays: 3,
		Reasons: "The petition remains unanswered after the first appellate order. A penalty is proposed and a reply ordered within 3 days.",
		Hearing: "Heard the section clerk and the Secretary on 24-09-2026; no sufficient reason shown for the delay."})
	if err != nil {
		t.Fatal(err)
	}
	pens, err := app.RTS.Penalties()
	if err != nil || len(pens) != 1 {
		t.Fatalf("penalty register %v, %v", pens, err)
	}
	if p := pens[0]; p.Amount != 2000_00 || p.Designation != domain.RoleSectionClerk || p.OfficerName != clerk.Name || p.Appeal != second.Number || p.FileNumber != f.Number || !strings.Contains(p.Hearing, "Heard the section clerk") {
		t.Errorf("penalty %+v", p)
	}
	if pdf, err = app.RTS.Order(second); err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, pdf)
	for _, want := range []string{"Order on second appeal", second.Number, "Penalty proposed", "₹2,000", "Section clerk", "Joint Director"} {
		if !strings.Contains(text, want) {
			t.Errorf("the second order does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, clerk.Name) {
		t.Errorf("the order, which the citizen reads, names the officer %q beyond the designation", clerk.Name)
	}
	if _, err := app.RTS.File(meena, f.ID, "A third appeal, please, it is still late."); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a third appeal: %v", err)
	}
	// The secretary answers at last, within the order.
	act(t, app, clerk, f.ID, workflow.KindForwarded, "")
	f = act(t, app, secretary, f.ID, workflow.KindApproved, "The lamp at pole 14 was replaced on 25-09-2026.")
	if f.Status != workflow.StatusApproved {
		t.Errorf("after the order the file is %s", f.Status)
	}
}
