package web

import (
	"sync"
	"time"

	"ksmart/appliance/workflow"
)

// pendingUploads keeps the documents a citizen attached to a form that
// came back with a mistake, so that correcting a date does not mean
// choosing five scans again on a phone. They are kept per citizen and
// service (a new sign-in finds them too), in memory: a restart forgets
// them, as it would a half-filled form. The next submission of that form
// uses them for every document not chosen again; a successful one, or a
// day, ends them.
type pendingUploads struct {
	mu    sync.Mutex
	byKey map[string]pendingEntry
	order []string // keys, oldest first
}

type pendingEntry struct {
	uploads map[string]workflow.Upload
	at      time.Time
}

// Bounds: a few hundred citizens correcting a form at once, each with a
// few documents of at most workflow's upload limit.
const (
	pendingKept    = 200
	pendingTimeout = 24 * time.Hour
)

func pendingKey(userID, service string) string { return userID + "/" + service }

// take returns the documents kept for key, if any and still fresh.
func (p *pendingUploads) take(key string, now time.Time) map[string]workflow.Upload {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.byKey[key]
	if !ok || now.Sub(e.at) > pendingTimeout {
		return nil
	}
	return e.uploads
}

// keep replaces what is kept for key; an empty set forgets it.
func (p *pendingUploads) keep(key string, uploads map[string]workflow.Upload, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byKey == nil {
		p.byKey = map[string]pendingEntry{}
	}
	if _, ok := p.byKey[key]; ok {
		delete(p.byKey, key)
		for i, k := range p.order {
			if k == key {
				p.order = append(p.order[:i:i], p.order[i+1:]...)
				break
			}
		}
	}
	if len(uploads) == 0 {
		return
	}
	for len(p.order) >= pendingKept {
		delete(p.byKey, p.order[0])
		p.order = p.order[1:]
	}
	p.byKey[key] = pendingEntry{uploads: uploads, at: now}
	p.order = append(p.order, key)
}
