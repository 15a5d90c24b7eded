package web

import (
	"strings"
	"sync"
	"testing"
)

func TestSignIn_ManyTriesFromOneAddressAreSlowedDown(t *testing.T) {
	env := newTestEnv(t).withStaff(t)
	env.srv.NoAuthLimit = false
	c := env.newClient(t)
	// Thirty tries by the API and thirty by the sign-in page, all at once,
	// so that the budget's refill (one try in two seconds) cannot keep up
	// however slowly a loaded machine hashes passwords: only the burst of
	// 20 (and what refills meanwhile) gets through, and both ways of
	// signing in share that one budget.
	api, page := make([]*response, 30), make([]*response, 30)
	var wg sync.WaitGroup
	for i := range api {
		wg.Add(2)
		go func() {
			defer wg.Done()
			api[i] = c.do(t, "POST", "/api/v1/session", map[string]string{"login": "section_clerk", "password": "wrong-password-" + strings.Repeat("x", i%3)})
		}()
		go func() {
			defer wg.Done()
			page[i] = c.do(t, "POST", "/signin", map[string]string{"login": "section_clerk", "password": testPassword})
		}()
	}
	wg.Wait()
	limited := func(answers []*response) (n int, said bool) {
		for _, r := range answers {
			if r.status == 429 {
				n++
				said = said || strings.Contains(string(r.body), "Too many attempts")
			}
		}
		return n, said
	}
	if n, said := limited(api); n == 0 || !said {
		t.Fatalf("30 sign-ins by the API from one address at once: %d answered 429 (saying why: %v)", n, said)
	}
	if n, _ := limited(page); n == 0 {
		t.Fatalf("30 sign-ins by the page from the same address at once were never limited")
	}
}
