package web

import (
	"context"
	"net"
	"net/http"
	"regexp"
	"testing"
)

// fromAddress makes c connect from another loopback address, as a second
// machine would: the server sees that address, not a header.
func fromAddress(c *client, ip string) *client {
	tr := c.env.ts.Client().Transport.(*http.Transport).Clone()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}
	c.hc.Transport = tr
	return c
}

// variable masks what differs between two answers given a moment apart:
// the request id and the figures of how long to wait.
var variable = regexp.MustCompile(`"request_id":"[^"]*"|[0-9]+`)

func TestSignIn_AnUnknownLoginAnswersAsARealOneAndAStrangerCannotLockAnOfficerOut(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	env.app.Identity.NoThrottle = false
	stranger := fromAddress(env.newClient(t), "127.0.0.2")
	try := func(login string) (int, string) {
		r := stranger.do(t, "POST", "/api/v1/session", map[string]string{"login": login, "password": "a wrong password"})
		return r.status, variable.ReplaceAllString(string(r.body), "#")
	}
	for i := 1; i <= 7; i++ {
		realStatus, realBody := try("secretary")
		unknownStatus, unknownBody := try("nobody-here")
		if realStatus != unknownStatus || realBody != unknownBody {
			t.Fatalf("try %d: a real login answers %d %s, an unknown one %d %s", i, realStatus, realBody, unknownStatus, unknownBody)
		}
		if want := map[bool]int{true: 401, false: 429}[i <= 5]; realStatus != want {
			t.Fatalf("try %d from the stranger's address: %d, want %d", i, realStatus, want)
		}
	}
	// The secretary, at their own desk, signs in as ever.
	if r := env.newClient(t).do(t, "POST", "/api/v1/session", map[string]string{"login": "secretary", "password": testPassword}); r.status != 200 {
		t.Fatalf("the secretary after a stranger's failures: %d %s", r.status, r.body)
	}
}
