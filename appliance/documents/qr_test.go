package documents

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"rsc.io/qr/coding"
)

// TestQR_EveryMaskMatchesADirectEncoding checks the shortcut qrSymbols
// takes (encode once, derive the other masks) against encoding with each
// mask's own plan.
func TestQR_EveryMaskMatchesADirectEncoding(t *testing.T) {
	for _, content := range []string{sampleQR, "https://x.in/status?number=KS%2FM0701%2F2026%2FBR%2F000123", "12345", strings.Repeat("A", 300)} {
		symbols, n, err := qrSymbols(content)
		if err != nil {
			t.Fatal(err)
		}
		var enc coding.Encoding = coding.String(content)
		switch {
		case coding.Num(content).Check() == nil:
			enc = coding.Num(content)
		case coding.Alpha(content).Check() == nil:
			enc = coding.Alpha(content)
		}
		v := coding.Version(coding.MinVersion)
		for enc.Bits(v) > v.DataBytes(qrLevel)*8 {
			v++
		}
		for m := range 8 {
			plan, err := coding.NewPlan(v, qrLevel, coding.Mask(m))
			if err != nil {
				t.Fatal(err)
			}
			code, err := plan.Encode(enc)
			if err != nil {
				t.Fatal(err)
			}
			if code.Size != n {
				t.Fatalf("size %d, want %d", n, code.Size)
			}
			for y := range n {
				for x := range n {
					if symbols[m][y*n+x] != code.Black(x, y) {
						t.Fatalf("%.20q mask %d: module (%d,%d) differs from rsc.io/qr's own encoding", content, m, x, y)
					}
				}
			}
		}
	}
}

func TestQR_PicksTheMaskWithTheLowestPenaltyDeterministically(t *testing.T) {
	symbols, n, err := qrSymbols(sampleQR)
	if err != nil {
		t.Fatal(err)
	}
	modules, err := qrModules(sampleQR)
	if err != nil {
		t.Fatal(err)
	}
	flat := slices.Concat(modules...)
	chosen := qrPenalty(flat, n)
	for m, s := range symbols {
		if p := qrPenalty(s, n); p < chosen {
			t.Errorf("mask %d scores %d, lower than the chosen symbol's %d", m, p, chosen)
		}
	}
	again, _ := qrModules(sampleQR)
	if !slices.Equal(slices.Concat(again...), flat) {
		t.Error("the same text gave a different symbol")
	}
	if _, err := qrModules(strings.Repeat("x", 3000)); err == nil {
		t.Error("3000 characters fit in a QR code")
	}
}

// TestQR_BitSetPenaltyEqualsTheModuleByModuleOne checks the fast scorer
// against the plain one on random symbols and on real ones.
func TestQR_BitSetPenaltyEqualsTheModuleByModuleOne(t *testing.T) {
	seed := uint64(20260312)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	for _, n := range []int{21, 53, 61, 64} {
		for range 50 {
			m := make([]bool, n*n)
			for i := range m {
				m[i] = rng.IntN(3) > 0 // unbalanced, so that rule 4 counts
			}
			if a, b := qrPenaltyBits(m, n), qrPenalty(m, n); a != b {
				t.Fatalf("n=%d: bit-set penalty %d, module-by-module %d", n, a, b)
			}
		}
	}
	symbols, n, err := qrSymbols(sampleQR)
	if err != nil {
		t.Fatal(err)
	}
	for m, s := range symbols {
		if a, b := qrPenaltyBits(s, n), qrPenalty(s, n); a != b {
			t.Fatalf("mask %d: bit-set penalty %d, module-by-module %d", m, a, b)
		}
	}
}
