package identity

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Sign-in throttling. Failed sign-ins are counted in memory per network
// (what one attacker controls) and per login from that network, never per
// login alone: an account cannot be locked by a stranger elsewhere, because
// only the stranger's own network is slowed. Past a free allowance each
// further failure makes that key wait, doubling from firstLock to maxLock.
// The same counting applies to logins that have no account, so a throttled
// answer does not tell who is registered.
const (
	freePerLogin   = 5  // failures for one login from one network before waits begin
	freePerNetwork = 20 // failures from one network, over all logins, before waits begin
	throttleForget = 24 * time.Hour
	throttleMaxMap = 100_000 // entries kept before quiet ones are swept
)

// throttleEntry is one key's consecutive failures and how long it waits.
type throttleEntry struct {
	failures int
	until    time.Time
	last     time.Time
}

// throttle counts failures per key; the zero value is ready.
type throttle struct {
	mu      sync.Mutex
	entries map[string]*throttleEntry
}

// wait returns how long the longest of keys must still wait at now (0: go
// ahead).
func (t *throttle) wait(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var d time.Duration
	for _, k := range keys {
		if e := t.entries[k]; e != nil && now.Before(e.until) {
			d = max(d, e.until.Sub(now))
		}
	}
	return d
}

// fail counts a failure against each key, with free failures before waits
// begin.
func (t *throttle) fail(now time.Time, free map[string]int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.entries == nil {
		t.entries = map[string]*throttleEntry{}
	}
	if len(t.entries) > throttleMaxMap {
		for k, e := range t.entries {
			if now.Sub(e.last) > time.Hour && !now.Before(e.until) {
				delete(t.entries, k)
			}
		}
	}
	for k, allowed := range free {
		e := t.entries[k]
		if e == nil || now.Sub(e.last) > throttleForget {
			e = &throttleEntry{}
			t.entries[k] = e
		}
		e.failures++
		e.last = now
		// lockFor waits from its maxFailures-th failure on; shift it so
		// that waits begin after this key's allowance.
		if d := lockFor(e.failures - allowed + maxFailures); d > 0 {
			e.until = now.Add(d)
		}
	}
}

// succeed forgets the failures of the login from its network.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}

// networkOf returns the network an address belongs to, as far as one
// attacker is concerned: the address itself for IPv4, its /64 for IPv6
// (a home or a phone gets a whole /64). "" (a shell, a test) is "local".
func networkOf(addr string) string {
	ip, err := netip.ParseAddr(strings.TrimSpace(addr))
	switch {
	case err != nil:
		return "local"
	case ip.Is4() || ip.Is4In6():
		return ip.Unmap().String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}

// throttleKeys are the keys a sign-in from network as login is counted
// under: the network, and the login from it. The login is folded to its
// normal form when it has one, so spellings of one phone count together.
func throttleKeys(network, login string) (byNetwork, byLogin string) {
	key, ok := loginKey(login)
	if !ok {
		key = strings.ToLower(strings.TrimSpace(login))
	}
	return "net " + network, "login " + network + " " + key
}
