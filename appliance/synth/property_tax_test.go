package synth_test

import (
	"testing"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/identity"
	"ksmart/appliance/synth"
)

// checkDemoPropertyTax checks what SeedPropertyTax did to a seeded demo
// (TestSeedDemo_ALivingOfficeWithFilesInEveryStateSomeOverdue): the
// demo's ward has buildings paid up (some online), part-paid and overdue
// with penal interest; the demo citizen's buildings are on their account,
// some paid, some owing; ward 1's DCB shows a collection short of the
// demand; the books balance.
func checkDemoPropertyTax(t *testing.T, app *appliance.Appliance, got synth.PropertyTaxSeeded) {
	t.Helper()
	if got.Claimed < 2 || got.Paid == 0 || got.PartPaid == 0 || got.Overdue == 0 || got.Online == 0 || got.Months == 0 || got.Receipts <= got.Paid {
		t.Fatalf("the demo ward's money: %+v; want claimed buildings, some paid (some online), some part-paid, some overdue with interest", got)
	}
	citizens, _ := app.Identity.List(identity.KindCitizen)
	var mine int
	for _, u := range citizens {
		if u.Login == "+91"+synth.DemoCitizenPhone || u.Phone == "+91"+synth.DemoCitizenPhone || u.Phone == synth.DemoCitizenPhone {
			bs, err := app.PropertyTax.ClaimedBy(u.ID)
			if err != nil {
				t.Fatal(err)
			}
			mine = len(bs)
			owing := 0
			for _, b := range bs {
				dues, _ := app.PropertyTax.Dues(b.ID)
				for _, d := range dues {
					if d.Balance > 0 && d.Interest > 0 {
						owing++
						break
					}
				}
			}
			if owing == 0 || owing == len(bs) {
				t.Errorf("the demo citizen's %d buildings: %d owe with interest; want some paid, some owing", len(bs), owing)
			}
		}
	}
	if mine != got.Claimed {
		t.Errorf("the demo citizen's page lists %d buildings, want the %d claimed", mine, got.Claimed)
	}

	all, wards, err := app.PropertyTax.DCBRegister()
	if err != nil {
		t.Fatal(err)
	}
	if w := wards[1]; w == nil || w.Collected <= 0 || w.Collected >= w.Demand || w.Arrears <= 0 || w.Defaulters == 0 || all.Efficiency() <= 0 || all.Efficiency() >= 100 {
		t.Errorf("ward 1's DCB: %+v (all: %+v)", w, all)
	}
	tb, err := app.Finance.TrialBalance(domain.Actor{ID: "u-check", Roles: []domain.Role{domain.RoleAccountant}}, "2099-12-31")
	if err != nil || tb.TotalDebit != tb.TotalCredit {
		t.Fatalf("the books do not balance: %v against %v (%v)", tb.TotalDebit, tb.TotalCredit, err)
	}
}
