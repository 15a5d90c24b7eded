package finance_test

import (
	"testing"

	"ksmart/appliance/finance"
)

// TestPayers_ACitizenSeesTheirFeeAtOnceNewestFirstAndAfterARestart: the
// demands in a citizen's name are a view that follows the log; a fee is
// among the citizen's payments as soon as the application is submitted,
// never among another's, newest first, limited as asked, and a process
// that starts afresh on the same store (kill -9, an upgrade) finds them
// from the demands themselves.
func TestPayers_ACitizenSeesTheirFeeAtOnceNewestFirstAndAfterARestart(t *testing.T) {
	o := newOffice(t)
	first := o.demandOf(t, o.lateBirth(t))
	owed, err := o.app.Finance.OwedBy(o.citizen.ID, 10)
	if err != nil || len(owed) != 1 || owed[0].ID != first.ID {
		t.Fatalf("right after applying the citizen owes %+v (%v), want demand %s", owed, err, first.ID)
	}
	second := o.demandOf(t, o.lateBirth(t))
	owed, err = o.app.Finance.OwedBy(o.citizen.ID, 10)
	if err != nil || len(owed) != 2 || owed[0].ID != second.ID || owed[1].ID != first.ID {
		t.Fatalf("after a second application the citizen owes %+v (%v), want %s then %s", owed, err, second.ID, first.ID)
	}
	if owed, _ := o.app.Finance.OwedBy(o.citizen.ID, 1); len(owed) != 1 || owed[0].ID != second.ID {
		t.Errorf("the newest one only: %+v", owed)
	}
	if owed, _ := o.app.Finance.OwedBy(o.other.ID, 10); len(owed) != 0 {
		t.Errorf("another citizen sees %d demands that are not theirs", len(owed))
	}
	// Finance as a process that has just started on this store: the view
	// is built from the demands.
	fresh := &finance.Finance{Store: o.app.Store}
	owed, err = fresh.OwedBy(o.citizen.ID, 0)
	if err != nil || len(owed) != 2 || owed[0].ID != second.ID || owed[1].ID != first.ID {
		t.Fatalf("a fresh view of the same store: %+v (%v)", owed, err)
	}
	// ...and follows what is raised after it was built.
	third := o.demandOf(t, o.lateBirth(t))
	if owed, err := fresh.OwedBy(o.citizen.ID, 0); err != nil || len(owed) != 3 || owed[0].ID != third.ID {
		t.Errorf("the fresh view after a third application: %+v (%v)", owed, err)
	}
}
