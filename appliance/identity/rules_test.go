package identity

import (
	"testing"
	"time"
)

func TestLockFor_DoublesFromOneMinuteToAnHour(t *testing.T) {
	for failures, want := range map[int]time.Duration{
		4: 0, 5: time.Minute, 6: 2 * time.Minute, 7: 4 * time.Minute, 10: 32 * time.Minute, 11: time.Hour, 500: time.Hour,
	} {
		if got := lockFor(failures); got != want {
			t.Errorf("lockFor(%d) = %v, want %v", failures, got, want)
		}
	}
}

func TestNormalizePhone_AcceptedSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"9847012345":        "+919847012345",
		"98470 12345":       "+919847012345",
		"+91 98470-12345":   "+919847012345",
		"09847012345":       "+919847012345",
		"919847012345":      "+919847012345",
		"0091 9847012345":   "+919847012345",
		"6000000000":        "+916000000000",
		"+971 50 123 4567":  "+971501234567",
		"+1 (415) 555-0100": "+14155550100",
		"5847012345":        "", // Indian mobiles start with 6-9
		"984701234":         "", // 9 digits
		"+91 5847012345":    "",
		"+12345":            "", // overseas needs 8-15 digits
		"+1234567890123456": "",
		"98470abcde":        "",
		"":                  "",
	} {
		got, ok := normalizePhone(in)
		if got != want || ok != (want != "") {
			t.Errorf("normalizePhone(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestLoginKey_StaffPhoneOrEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Anitha":             "anitha",
		" anitha.k ":         "anitha.k",
		"98470 12345":        "+919847012345",
		"Rajesh@Example.COM": "rajesh@example.com",
	} {
		if got, ok := loginKey(in); !ok || got != want {
			t.Errorf("loginKey(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestCleanName_MalayalamAndEnglish(t *testing.T) {
	for in, ok := range map[string]bool{
		"രാജേഷ് കുമാർ":  true,
		"K. Sreekumar":  true,
		"Mary D'Cruz":   true,
		"  Rajesh   K ": true,
		"R":             false,
		"Rajesh123":     false,
		"...":           false,
		"<script>":      false,
	} {
		if _, problem := cleanName(in); (problem == nil) != ok {
			t.Errorf("cleanName(%q) accepted = %v, want %v", in, problem == nil, ok)
		}
	}
}

// BenchmarkHashPassword measures one argon2id hash with the parameters new
// passwords get (the design asks for 50-100 ms on the 2-core appliance).
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
