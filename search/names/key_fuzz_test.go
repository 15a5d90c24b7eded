package names

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzKey checks that Key never panics, returns lower-case ASCII letters
// and digits, and is idempotent: the key of a key is the key.
func FuzzKey(f *testing.F) {
	for _, w := range []string{"Sreekutty", "ശ്രീക്കുട്ടി", "Mohammed", "അനില്‍", "Kizhakkethil", "Chembakassery", "Aleyamma",
		"Shyni", "Vinoth", "Jaison", "ഉണ്ണികൃഷ്ണൻ", "വിൻസെന്റ്", "K.", "കെ", "José", "Ayesha", "Xavier"} {
		f.Add(w)
	}
	f.Add("Ayyappan")
	f.Add("\u0D4D\u200D")
	f.Add("ൻ്റ")
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		for i := 0; i < len(k); i++ {
			if c := k[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
				t.Fatalf("Key(%q) = %q: not lower-case ASCII", s, k)
			}
		}
		if _, listed := spelledAs[k]; listed {
			return // a key that is itself a listed spelling (md) is read as that spelling
		}
		if k2 := Key(k); k2 != k {
			t.Fatalf("Key(%q) = %q but Key(%q) = %q", s, k, k, k2)
		}
		n := Normalize(s)
		if !utf8.ValidString(s) {
			return
		}
		if n2 := Normalize(n); n2 != n {
			t.Fatalf("Normalize(%q) = %q but Normalize(%q) = %q", s, n, n, n2)
		}
		if strings.Contains(n, "  ") || strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") {
			t.Fatalf("Normalize(%q) = %q has stray spaces", s, n)
		}
		Keys(s)
		Transliterate(s)
	})
}
