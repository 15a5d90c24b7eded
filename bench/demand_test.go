package bench

import "testing"

// TestDemand_ASmallRegisterGetsOneDemandEachAndBalancedBooks runs the
// demand benchmark on a few hundred buildings: the benchmark itself fails
// unless every building that owes tax has exactly one demand for the
// half-year, every exempt one none, and the books balance.
func TestDemand_ASmallRegisterGetsOneDemandEachAndBalancedBooks(t *testing.T) {
	r, err := RunDemand(DemandConfig{Dir: t.TempDir(), Buildings: 600})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OneEach || !r.Balanced || r.Buildings != 600 || r.Raised+r.Exempt != 600 || r.Raised == 0 || r.Exempt == 0 {
		t.Fatalf("600 buildings: %+v; want every one demanded once or exempt, some of each, and balanced books", r)
	}
	if r.Seconds <= 0 || r.RawSeconds <= 0 || r.Ratio <= 0 || r.AmountRupees <= 0 {
		t.Fatalf("figures: %+v", r)
	}
}

// TestScrutiny_AHousesDrawingIsReadAndPasses runs the scrutiny benchmark
// briefly: it fails unless the house's drawing reads and its plan passes.
func TestScrutiny_AHousesDrawingIsReadAndPasses(t *testing.T) {
	r, err := RunScrutiny(ScrutinyConfig{Scrutinies: 50})
	if err != nil {
		t.Fatal(err)
	}
	if r.Scrutinies != 50 || r.MedianMS <= 0 || r.ParseShare <= 0 || r.ParseShare >= 1 || r.DXFBytes == 0 {
		t.Fatalf("figures: %+v", r)
	}
}
