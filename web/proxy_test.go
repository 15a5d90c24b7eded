package web

import (
	"fmt"
	"net/http"
	"testing"
)

// signInsUntilLimited sends n codes to the sign-in's verification step
// (under the same per-address limit as sign-in, and answered at once, with
// no password hashing to make the run slow enough for the limit to refill)
// from c, each request claiming to come from xff(i) (no header when it
// returns ""), and counts the answers refused by the per-address limit.
func signInsUntilLimited(t *testing.T, c *client, n int, xff func(i int) string) (limited int) {
	t.Helper()
	for i := range n {
		c.header.Del("X-Forwarded-For")
		if a := xff(i); a != "" {
			c.header.Set("X-Forwarded-For", a)
		}
		r := c.do(t, http.MethodPost, "/verify", formBody("code=123456"))
		if r.status == http.StatusTooManyRequests {
			limited++
		}
	}
	return limited
}

// TestTrustedProxies_ForwardedAddressBelievedOnlyFromAProxyNamed: a client
// that varies X-Forwarded-For on each try is still limited as one address
// unless its connection comes from a proxy given with --trusted-proxies;
// behind a trusted proxy each forwarded client has its own limit, and one
// client hammering does not limit another.
func TestTrustedProxies_ForwardedAddressBelievedOnlyFromAProxyNamed(t *testing.T) {
	spoofed := func(i int) string { return fmt.Sprintf("203.0.113.%d", i+1) }

	// No proxy trusted: the header is ignored. (25 requests: the limit
	// allows a burst of 20.)
	env := newTestEnv(t)
	env.srv.NoAuthLimit = false
	if limited := signInsUntilLimited(t, env.newClient(t), 25, spoofed); limited == 0 {
		t.Fatalf("25 sign-ins with a different spoofed X-Forwarded-For each were never limited")
	}

	// A proxy trusted, but not the one the request came through (the
	// test's connection is from 127.0.0.1): still ignored.
	env = newTestEnv(t)
	env.srv.NoAuthLimit = false
	nets, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	env.srv.TrustProxies(nets)
	if limited := signInsUntilLimited(t, env.newClient(t), 25, spoofed); limited == 0 {
		t.Fatalf("X-Forwarded-For from an untrusted peer was believed")
	}

	// The connection's peer is a trusted proxy: each forwarded client is
	// counted on its own.
	env = newTestEnv(t)
	env.srv.NoAuthLimit = false
	nets, _ = ParseTrustedProxies("127.0.0.1/32")
	env.srv.TrustProxies(nets)
	c := env.newClient(t)
	if limited := signInsUntilLimited(t, c, 25, spoofed); limited != 0 {
		t.Fatalf("behind a trusted proxy, 25 different clients were limited %d times", limited)
	}
	if limited := signInsUntilLimited(t, c, 25, func(int) string { return "198.51.100.9" }); limited == 0 {
		t.Fatalf("one forwarded client signing in 25 times was never limited")
	}
	// A client that puts its own X-Forwarded-For before the proxy's
	// cannot escape: the nearest untrusted address is the one counted
	// (each of these would be a fresh client if the first entry were).
	if limited := signInsUntilLimited(t, c, 5, func(i int) string { return fmt.Sprintf("203.0.113.%d, 198.51.100.9", 100+i) }); limited < 3 {
		t.Fatalf("a forged first X-Forwarded-For entry escaped the limit: %d of 5 limited", limited)
	}
	if limited := signInsUntilLimited(t, c, 1, func(int) string { return "198.51.100.10" }); limited != 0 {
		t.Fatalf("another client behind the same proxy was limited by the first")
	}
	// X-Real-IP is believed from the trusted proxy too.
	c.header.Set("X-Real-IP", "198.51.100.9")
	if limited := signInsUntilLimited(t, c, 5, func(int) string { return "" }); limited < 3 {
		t.Fatalf("X-Real-IP from the trusted proxy was not believed: %d of 5 limited", limited)
	}
}

func TestTrustedProxies_ABadRangeIsNamed(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "ten.0.0.0/8", " , ", "10.0.0.1,proxy"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("--trusted-proxies %q accepted", bad)
		}
	}
}
