package bench

import "testing"

// TestPayments_ASmallRunSettlesEveryDemandAndBalances runs the payments
// benchmark small: every demand is settled once (the benchmark fails
// otherwise), the books balance, and the figures are there.
func TestPayments_ASmallRunSettlesEveryDemandAndBalances(t *testing.T) {
	r, err := RunPayments(PaymentsConfig{Dir: t.TempDir(), Clients: 8, Collections: 200, Postings: 4000})
	if err != nil {
		t.Fatal(err)
	}
	if r.CollectionsPerSec <= 0 || r.StoreWritesPerSec <= 0 || r.Ratio <= 0 || !r.Balanced || r.TrialBalanceMs <= 0 || r.RawScanMs <= 0 {
		t.Fatalf("figures: %+v", r)
	}
}
