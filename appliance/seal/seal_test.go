package seal_test

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"ksmart/appliance/seal"
)

func TestPayload_SignedCodeVerifiesAndAnyChangeIsCaught(t *testing.T) {
	k, err := seal.Generate("DEMO01")
	if err != nil {
		t.Fatal(err)
	}
	record := sha256.Sum256([]byte(`{"number":"DEMO01-BC-2026-12","name":"Sreekutty"}`))
	p, err := k.Sign("https://ksmart.example.in/", "DEMO01-BC-2026-12", record)
	if err != nil {
		t.Fatal(err)
	}
	text := p.String()
	if !strings.HasPrefix(text, "https://ksmart.example.in/verify/DEMO01-BC-2026-12?d=") || len(text) > 180 {
		t.Fatalf("payload %q (%d characters): want the verification URL, short enough for a small QR code", text, len(text))
	}
	got, err := seal.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Verify(k.Public()); err != nil {
		t.Fatalf("a genuine code: %v", err)
	}
	if err := got.Matches(record); err != nil {
		t.Fatalf("the signed record: %v", err)
	}
	if err := got.Matches(sha256.Sum256([]byte("edited"))); !errors.Is(err, seal.ErrDigest) {
		t.Fatalf("another record: %v", err)
	}
	other, _ := seal.Generate("DEMO01")
	if err := got.Verify(other.Public()); !errors.Is(err, seal.ErrSignature) {
		t.Fatalf("another key: %v", err)
	}
	// The number is covered by the signature: a code moved to another
	// certificate number fails.
	moved, _ := seal.Parse(strings.Replace(text, "BC-2026-12", "BC-2026-13", 1))
	if err := moved.Verify(k.Public()); !errors.Is(err, seal.ErrSignature) {
		t.Fatalf("a code moved to another number: %v", err)
	}
	for _, bad := range []string{"", "hello", "https://x/verify/DEMO01-BC-2026-12", "https://x/verify/DEMO01-BC-2026-12?d=AAAA&s=BBBB", "https://x/verify/<b>?d=" + strings.Repeat("A", 22) + "&s=" + strings.Repeat("A", 86)} {
		if _, err := seal.Parse(bad); !errors.Is(err, seal.ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestKeys_PEMRoundTripNamesTheLocalBody(t *testing.T) {
	k, _ := seal.Generate("M0701")
	priv, err := k.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	back, err := seal.ParsePrivate(priv)
	if err != nil || back.LocalBody != "M0701" || !back.Public().Equal(k.Public()) {
		t.Fatalf("private key round trip: %v %v", back, err)
	}
	pub, _ := seal.MarshalPublic("M0701", k.Public())
	lb, p, err := seal.ParsePublic(pub)
	if err != nil || lb != "M0701" || !p.Equal(k.Public()) {
		t.Fatalf("public key round trip: %s %v", lb, err)
	}
	if _, _, err := seal.ParsePublic(priv); err == nil {
		t.Fatal("a private key was taken as a public key file")
	}
}
