package identity

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"ksmart/store"
)

// SessionStore keeps scs sessions on the store as documents of entity
// "session", written without events: a session is not a fact to replicate.
// A document's id is the hex SHA-256 of the token, so the store (and any
// backup of it) holds no token that would sign anyone in.
//
// Expired sessions are treated as absent; Sweep deletes them.
type SessionStore struct {
	Store *store.Store
	Now   func() time.Time
}

var _ scs.Store = (*SessionStore)(nil)

type sessionDoc struct {
	Data   []byte    `json:"data"`
	Expiry time.Time `json:"expiry"`
}

// sessionID is the document id of a token.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (ss *SessionStore) now() time.Time {
	if ss.Now == nil {
		return time.Now()
	}
	return ss.Now()
}

func (ss *SessionStore) get(id string) (sessionDoc, bool, error) {
	var d sessionDoc
	err := ss.Store.View(func(tx *store.Tx) error { return tx.Get(entitySession, id, &d) })
	if errors.Is(err, store.ErrNotFound) {
		return d, false, nil
	}
	return d, err == nil, err
}

// Find returns the data of the session with token, and false when there is
// none or it has expired.
func (ss *SessionStore) Find(token string) ([]byte, bool, error) {
	d, ok, err := ss.get(sessionID(token))
	if err != nil || !ok || !ss.now().Before(d.Expiry) {
		return nil, false, err
	}
	return d.Data, true, nil
}

// commitSlack is how far an unchanged session's expiry may move before it is
// written again. With an idle timeout scs commits on every request; this
// keeps page views from costing a durable write each, at the price of an
// idle timeout up to this much shorter.
const commitSlack = time.Minute

// Commit stores the session's data with its expiry, durably.
func (ss *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	id := sessionID(token)
	if d, ok, err := ss.get(id); err == nil && ok && sameSession(d.Data, b) && expiry.Sub(d.Expiry) < commitSlack && !expiry.Before(d.Expiry) {
		return nil
	}
	_, err := ss.Store.Write(func(tx *store.Tx) error {
		return tx.Put(entitySession, id, sessionDoc{Data: b, Expiry: expiry.UTC()})
	})
	return err
}

// sameSession reports whether two encodings hold the same session; the
// session codec encodes equal sessions to equal bytes.
func sameSession(a, b []byte) bool { return bytes.Equal(a, b) }

// Delete removes the session with token; a missing one is not an error.
func (ss *SessionStore) Delete(token string) error {
	_, err := ss.Store.Write(func(tx *store.Tx) error { return tx.Delete(entitySession, sessionID(token)) })
	return err
}

// Sweep deletes the expired sessions and returns how many. The web calls it
// now and then; Find already ignores expired sessions, so a late sweep
// only costs space.
func (ss *SessionStore) Sweep() (int, error) {
	now := ss.now()
	var expired []string
	err := ss.Store.View(func(tx *store.Tx) error {
		return tx.Scan(entitySession, store.ScanOptions{}, func(id string, raw []byte) error {
			var d struct {
				Expiry time.Time `json:"expiry"`
			}
			if err := json.Unmarshal(raw, &d); err != nil || !now.Before(d.Expiry) {
				expired = append(expired, id)
			}
			return nil
		})
	})
	if err != nil || len(expired) == 0 {
		return 0, err
	}
	n := 0
	_, err = ss.Store.Write(func(tx *store.Tx) error {
		n = 0
		for _, id := range expired {
			var d sessionDoc
			// A session committed again since the scan lives on.
			if err := tx.Get(entitySession, id, &d); err == nil && now.Before(d.Expiry) {
				continue
			}
			if err := tx.Delete(entitySession, id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Session settings.
const (
	SessionCookie      = "ksmart_session"
	SessionLifetime    = 12 * time.Hour
	SessionIdleTimeout = 2 * time.Hour
)

// NewSessionManager returns an scs session manager keeping sessions on s:
// cookie "ksmart_session", HttpOnly, SameSite=Lax, Secure when
// secureCookie (serve over HTTPS), 12 hours at most and 2 hours idle. Its
// Store is a *SessionStore, whose Sweep the web should call periodically.
func NewSessionManager(s *store.Store, secureCookie bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = &SessionStore{Store: s}
	sm.Codec = sessionCodec{}
	sm.Lifetime = SessionLifetime
	sm.IdleTimeout = SessionIdleTimeout
	sm.Cookie.Name = SessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secureCookie
	sm.Cookie.Path = "/"
	return sm
}

// Session keys.
const (
	sessionUserID = "user_id"
	sessionEpoch  = "epoch"
)

// SignIn starts a session for u in the request's context: a fresh token
// (so a token planted before sign-in is worthless), the user's id and
// session epoch. A disabled user gets ErrDisabled, an unverified citizen
// ErrNotVerified.
func (s *Service) SignIn(ctx context.Context, sm *scs.SessionManager, u User) error {
	cur, err := s.Get(u.ID)
	if err != nil {
		return err
	}
	switch {
	case cur.Disabled:
		return ErrDisabled
	case cur.Kind == KindCitizen && !cur.Verified:
		return ErrNotVerified
	}
	if err := sm.RenewToken(ctx); err != nil {
		return err
	}
	sm.Put(ctx, sessionUserID, cur.ID)
	sm.Put(ctx, sessionEpoch, cur.SessionEpoch)
	return nil
}

// CurrentUser returns the signed-in user of the request, read afresh from
// the store (so roles and wards are current). It reports false when there
// is no session, or the user is gone, disabled, unverified, or has been
// signed out everywhere (or had a password reset) since this session
// began.
func (s *Service) CurrentUser(ctx context.Context, sm *scs.SessionManager) (User, bool) {
	id := sm.GetString(ctx, sessionUserID)
	if id == "" {
		return User{}, false
	}
	u, err := s.Get(id)
	if err != nil || u.Disabled || (u.Kind == KindCitizen && !u.Verified) || sm.GetInt(ctx, sessionEpoch) != u.SessionEpoch {
		return User{}, false
	}
	return u, true
}

// SignOut ends the request's session and deletes it from the store.
func (s *Service) SignOut(ctx context.Context, sm *scs.SessionManager) error {
	return sm.Destroy(ctx)
}
