package web

import (
	"sync"
	"time"

	"ksmart/appliance/workflow"
)

// pendingUploads keeps the draft of a form that came back with a mistake,
// what was typed and the documents attached, so that correcting a date
// does not mean choosing five scans again on a phone, and so that a
// citizen who signs out (or whose phone drops the page) finds the form as
// they left it when they come back to it. Drafts are kept per citizen and
// service, in memory: a restart forgets them, as it would a half-filled
// form. The next submission of that form uses the documents for every one
// not chosen again; a successful one, or a day, ends the draft.
type pendingUploads struct {
	mu    sync.Mutex
	byKey map[string]pendingEntry
	order []string // keys, oldest first
}

type pendingEntry struct {
	values  map[string]string
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
	return p.draft(key, now).uploads
}

// draft returns what is kept for key, if still fresh.
func (p *pendingUploads) draft(key string, now time.Time) pendingEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.byKey[key]
	if !ok || now.Sub(e.at) > pendingTimeout {
		return pendingEntry{}
	}
	return e
}

// keep replaces what is kept for key; nothing forgets it.
func (p *pendingUploads) keep(key string, values map[string]string, uploads map[string]workflow.Upload, now time.Time) {
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
	if len(uploads) == 0 && len(values) == 0 {
		return
	}
	for len(p.order) >= pendingKept {
		delete(p.byKey, p.order[0])
		p.order = p.order[1:]
	}
	p.byKey[key] = pendingEntry{values: values, uploads: uploads, at: now}
	p.order = append(p.order, key)
}
