package seal

import (
	"bytes"
	"testing"
)

// FuzzParse_NeverPanicsAndWhatItReadsItWritesBack reads arbitrary QR code
// text: Parse must never panic, and a payload it accepts is written back by
// String into text that Parse reads as the same payload.
func FuzzParse_NeverPanicsAndWhatItReadsItWritesBack(f *testing.F) {
	f.Add("https://ksmart.example.in/verify/B-12%2F2026?d=AAAAAAAAAAAAAAAAAAAAAA&s=" + string(bytes.Repeat([]byte("A"), 86)))
	f.Add("/verify/x?d=&s=")
	f.Add("http://[::1]:80/verify/")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		q, err := Parse(p.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %+v, whose String %q does not parse: %v", s, p, p.String(), err)
		}
		if q.Number != p.Number || !bytes.Equal(q.Digest, p.Digest) || !bytes.Equal(q.Signature, p.Signature) {
			t.Fatalf("Parse(%q) = %+v, but Parse(String()) = %+v", s, p, q)
		}
	})
}
