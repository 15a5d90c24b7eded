package main

import "testing"

// A small live heap may grow by gcHeadroom before it is collected; a large
// one is collected as Go does by default, when it has doubled.
func TestGCPercent_SmallHeapsGetHeadroomLargeOnesGoDefault(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, gcMostPercent},       // at start, before a collection
		{8 << 20, gcMostPercent}, // 128 MB over 8 MB live is 1600%: capped
		{32 << 20, 400},          // 128 MB over 32 MB
		{64 << 20, 200},          // 128 MB over 64 MB
		{128 << 20, 100},         // Go's default from here on
		{1 << 30, 100},           // a large heap is never let grow more than double
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}
