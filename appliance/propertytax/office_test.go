package propertytax_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ksmart/appliance/domain"
	"ksmart/appliance/propertytax"
	"ksmart/appliance/synth"
	"ksmart/internal/needs"
)

// TestOwners_AClaimGivesTheOwnerTheArrearsAndOthersSeeNothing: the owner
// whose mobile the register has claims the house registered with arrears;
// the half-years raised before the claim are then theirs to see among
// their payments. Another citizen asking for it is told it is not among
// theirs, as for a number nobody has; the office reads it.
func TestOwners_AClaimGivesTheOwnerTheArrearsAndOthersSeeNothing(t *testing.T) {
	o := newOffice(t)
	b := o.house(t, "5/10", "2025-26/H1")
	if owed, _ := o.app.Finance.OwedBy(o.owner.ID, 50); len(owed) != 0 {
		t.Fatalf("before the claim the owner already has %d demands", len(owed))
	}
	if _, err := o.pt.Owned(o.owner, "5/10"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("an unclaimed building read by its owner: %v", err)
	}
	if _, err := o.pt.Claim(o.owner, "5/10"); err != nil {
		t.Fatal(err)
	}
	owed, err := o.app.Finance.OwedBy(o.owner.ID, 50)
	if err != nil || len(owed) != 4 {
		t.Fatalf("after the claim the owner has %d demands (%v), want the four half-years", len(owed), err)
	}
	if got, err := o.pt.Owned(o.owner, b.ID); err != nil || got.Number != "5/10" {
		t.Errorf("the owner reads their building by its id: %+v %v", got, err)
	}
	other, err := synth.Citizen(o.app, "9847099999", "Someone Else", "a long enough password 2")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"5/10", "5/11"} {
		if _, err := o.pt.Owned(other.Actor(), ref); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("another citizen asking for %s: %v, want not found", ref, err)
		}
	}
	if _, err := o.pt.Owned(o.clerk, "5/10"); err != nil {
		t.Errorf("the clerk reads it: %v", err)
	}
	if _, err := o.pt.Owned(o.owner, "five"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a number that is not one: %v", err)
	}
	// Paying a half-year not demanded on it is refused, naming the field.
	_, err = o.pt.PayOnline(context.Background(), o.owner, "5/10", "2024-25/H1")
	var de *domain.Error
	if domain.ErrorCode(err) != domain.EINVALID || !asError(err, &de) || de.Fields["period"].En == "" || de.Fields["period"].Ml == "" {
		t.Errorf("paying 2024-25/H1, never demanded: %v", err)
	}
}

func asError(err error, de **domain.Error) bool {
	e, ok := err.(*domain.Error)
	*de = e
	return ok
}

func TestOffice_TheWardsRegisterShowsTaxAndBalanceToTheRevenueSectionOnly(t *testing.T) {
	o := newOffice(t)
	o.house(t, "5/10", "2025-26/H1")
	o.house(t, "5/12", "")
	list, next, err := o.pt.Ward(o.inspector, 5, "", 1)
	if err != nil || len(list) != 1 || list[0].Number != "5/10" || next == "" {
		t.Fatalf("the first page: %+v %q %v", list, next, err)
	}
	// ₹1,389 tax and ₹69 cess in 2026-27; four half-years owed.
	if list[0].AnnualTax != 145800 || list[0].Balance != 2*(66150+3300)+2*(69450+3450) {
		t.Errorf("5/10: annual tax %v, balance %v", list[0].AnnualTax, list[0].Balance)
	}
	rest, next, err := o.pt.Ward(o.accounts, 5, next, 1)
	if err != nil || len(rest) != 1 || rest[0].Number != "5/12" || next != "" {
		t.Fatalf("the second page: %+v %q %v", rest, next, err)
	}
	if _, _, err := o.pt.Ward(o.cashier, 5, "", 0); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("the cashier reads the register: %v", err)
	}
	if _, _, err := o.pt.Ward(o.clerk, 99, "", 0); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("ward 99: %v", err)
	}
	if _, err := o.pt.RunDemandJob(o.clerk); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("the clerk runs the demand job: %v", err)
	}
	job, err := o.pt.RunDemandJob(o.secretary)
	if err != nil || !job.Done || job.Period != "2026-27/H2" || job.Buildings != 2 || job.Raised != 0 {
		t.Errorf("the secretary runs the job (each building demanded already): %+v %v", job, err)
	}
}

func TestSurvey_MistakesAreNamedFieldByFieldAndNothingIsWritten(t *testing.T) {
	o := newOffice(t)
	form := map[string]string{"number": "5/77", "owner1_name_en": "Mary Joseph", "owner1_share": "100", "owner1_phone": "98470", "occupancy": "owner",
		"floor1_level": "0", "floor1_use": "casino", "floor1_area": "-5", "plot_area_sqm": "2", "zone": "secondary", "road": "other_road",
		"construction": "rcc", "year_built": "2090"}
	_, err := o.pt.RegisterSurveyed(o.inspector, form)
	var de *domain.Error
	if !asError(err, &de) || de.Code != domain.EINVALID {
		t.Fatalf("a form full of mistakes: %v", err)
	}
	for _, f := range []string{"owners", "plinth_area_sqm", "use", "year_built"} {
		if de.Fields[f].En == "" || de.Fields[f].Ml == "" {
			t.Errorf("no message in both languages for %s: %+v", f, de.Fields)
		}
	}
	if _, err := o.pt.Building("5/77"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("the refused building is in the register: %v", err)
	}
	form["owner1_phone"], form["floor1_use"], form["floor1_area"], form["plot_area_sqm"], form["year_built"] = "9847012399", "residential", "120.5", "300", "2001"
	form["floor2_level"], form["floor2_use"], form["floor2_area"], form["floor2_unauthorised"] = "1", "residential", "40", "1"
	if _, err := o.pt.RegisterSurveyed(o.clerk, form); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("the clerk enters a building directly: %v", err)
	}
	b, err := o.pt.RegisterSurveyed(o.inspector, form)
	if err != nil || b.Ward != 5 || len(b.Floors) != 2 || !b.Floors[1].Unauthorised || b.PlinthArea() != propertytax.SquareMetres(160)+50 {
		t.Fatalf("the surveyed building: %+v %v", b, err)
	}
}

func TestNotice_SaysTheFiguresTheOwnerOwes(t *testing.T) {
	needs.Tool(t, "poppler-utils", "pdftotext")
	o := newOffice(t)
	o.house(t, "5/10", "2026-27/H1")
	if _, err := o.pt.AccrueInterest(domain.System); err != nil {
		t.Fatal(err)
	}
	pdf, err := o.pt.Notice("5/10")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := o.pt.Notice("005-000010")
	if string(again) != string(pdf) {
		t.Error("the notice by id differs from the one by number on the same day")
	}
	path := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	// 2026-27/H1, due 30 September 2026: ₹729 with three months' interest
	// of ₹15 on 7 December; 2026-27/H2 not yet due.
	for _, want := range []string{"5/10", "Ravi Kumar", "07-12-2026", "₹1,389.00 tax + ₹69.00 service cess", "2026-27/H1", "30-09-2026", "₹729.00", "₹45.00", "₹774.00",
		"2026-27/H2", "31-03-2027", "₹1,503.00", "2% a month", "(1% a month for months that began before 01-05-2023)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the notice does not say %q:\n%s", want, text)
		}
	}
}
