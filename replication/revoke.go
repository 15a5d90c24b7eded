package replication

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Revocation, and the register of certificates it needs.
//
// A certificate is revoked by a raft entry (opRevoke), so every node holds
// the revocation once it is committed and refuses the certificate from its
// next handshake on the raft transport, and its next request on the API
// and the view (Node.allow), whatever connection it came on. The API
// admits a revoked certificate's handshake on purpose: only so can it
// answer each request with ErrRevoked naming the serial and the reason,
// which is what a body's shipper shows its administrator.
//
// The cluster keeps a register of the certificates it knows (bucket
// certs): every certificate a node admits is recorded once (opRecordCerts,
// through the leader), and a revocation may carry the certificate itself
// (ksmart state revoke --cert), so that one never used can be revoked too.
// A serial the register does not hold is refused: the cluster cannot say
// what it would revoke. The register also says whether a revocation would
// leave no administrator, and how many days each certificate has left.

// CertInfo is a certificate the cluster knows.
type CertInfo struct {
	Serial    string    `json:"serial"`
	Kind      Kind      `json:"kind"`
	Name      string    `json:"name"`
	Issuer    string    `json:"issuer"` // the CA's name and serial, which tells two CAs apart during a rollover
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	FirstSeen time.Time `json:"first_seen"` // the raft leader's clock when the cluster first recorded it
}

// DaysLeft is the number of whole days until the certificate expires at
// now (negative once expired).
func (c CertInfo) DaysLeft(now time.Time) int { return DaysLeft(c.NotAfter, now) }

// DaysLeft is the number of whole days from now until notAfter (negative
// once past).
func DaysLeft(notAfter, now time.Time) int {
	d := notAfter.Sub(now)
	if d < 0 {
		return -int((-d).Hours()/24) - 1
	}
	return int(d.Hours() / 24)
}

// Revocation is a certificate state IT revoked: what it was, who revoked
// it, when and why.
type Revocation struct {
	Serial    string    `json:"serial"`
	Kind      Kind      `json:"kind"`
	Name      string    `json:"name"`
	NotAfter  time.Time `json:"not_after"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`        // the admin: "admin/it-admin"
	BySerial  string    `json:"by_serial"` // the admin's certificate
	At        time.Time `json:"at"`        // the raft leader's clock when it was committed
	RaftIndex uint64    `json:"raft_index"`
}

// String says what was revoked, by whom, when and why, in one line.
func (r Revocation) String() string {
	return fmt.Sprintf("certificate serial %s (%s %s) was revoked on %s by %s: %s", r.Serial, r.Kind, r.Name, r.At.UTC().Format("2006-01-02 15:04 UTC"), r.By, r.Reason)
}

// RevokeRequest asks the cluster to revoke a certificate (POST
// /v1/cluster/revoke, admin only).
type RevokeRequest struct {
	Serial string `json:"serial"`
	Reason string `json:"reason"`
	// CertPEM, when given, is the certificate itself (the .crt issue-cert
	// wrote, or the CA's copy under issued/): needed for one the cluster
	// has never seen. Its serial must be Serial.
	CertPEM string `json:"cert_pem,omitempty"`
}

// RevokeResult is the answer to a revocation.
type RevokeResult struct {
	Revocation Revocation `json:"revocation"`
	// Already is set when the certificate was revoked before; nothing changed.
	Already bool `json:"already,omitempty"`
}

// maxReasonLen bounds a revocation's reason.
const maxReasonLen = 500

// certInfoOf describes a parsed certificate for the register; false when
// it is not a ksmart state certificate.
func certInfoOf(c *x509.Certificate, at time.Time) (CertInfo, bool) {
	kind, name, err := certKind(c)
	if err != nil {
		return CertInfo{}, false
	}
	return CertInfo{Serial: FormatSerial(c.SerialNumber), Kind: kind, Name: name,
		Issuer:    issuerOf(c),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), FirstSeen: at}, true
}

// issuerOf names a certificate's CA: its name and the start of its key
// identifier, which tells an old CA from its successor.
func issuerOf(c *x509.Certificate) string {
	id := hex.EncodeToString(c.AuthorityKeyId)
	return c.Issuer.CommonName + " " + id[:min(len(id), 16)]
}

// recordCert puts a certificate in the register unless it is there.
func recordCert(tx *bolt.Tx, ci CertInfo) (bool, error) {
	b := tx.Bucket(bucketCerts)
	if b.Get([]byte(ci.Serial)) != nil {
		return false, nil
	}
	v, _ := json.Marshal(ci)
	return true, b.Put([]byte(ci.Serial), v)
}

// applyRecordCerts applies opRecordCerts: each argument a certificate's
// DER. What does not parse is skipped alike on every node (the leader
// checked each against its CAs before proposing).
func applyRecordCerts(tx *bolt.Tx, args [][]byte, at time.Time) (changed bool, err error) {
	for _, der := range args {
		c, perr := x509.ParseCertificate(der)
		if perr != nil {
			continue
		}
		ci, ok := certInfoOf(c, at)
		if !ok {
			continue
		}
		added, err := recordCert(tx, ci)
		if err != nil {
			return changed, err
		}
		changed = changed || added
	}
	return changed, nil
}

// applyRevoke applies opRevoke: serial, reason, by, the caller's DER, and
// the revoked certificate's DER (may be empty). Every decision is made
// here, from the entry and the state, so that every node makes it alike;
// a refusal writes nothing.
func applyRevoke(tx *bolt.Tx, args [][]byte, at time.Time, index uint64) (*applyResult, *Revocation, error) {
	serial, reason, by := string(args[0]), string(args[1]), string(args[2])
	var caller, target *CertInfo
	for i, der := range args[3:5] {
		if len(der) == 0 {
			continue
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		if ci, ok := certInfoOf(c, at); ok {
			if i == 0 {
				caller = &ci
			} else {
				target = &ci
			}
		}
	}
	refuse := func(format string, a ...any) (*applyResult, *Revocation, error) {
		return &applyResult{err: fmt.Errorf("%w: "+format, append([]any{ErrBadRequest}, a...)...)}, nil, nil
	}
	if v := tx.Bucket(bucketRevoked).Get([]byte(serial)); v != nil {
		var r Revocation
		json.Unmarshal(v, &r)
		return &applyResult{value: &RevokeResult{Revocation: r, Already: true}}, nil, nil
	}
	var ci CertInfo
	if v := tx.Bucket(bucketCerts).Get([]byte(serial)); v != nil {
		json.Unmarshal(v, &ci)
	} else if target != nil && target.Serial == serial {
		ci = *target
	} else {
		return refuse("no certificate with serial %s is known to the cluster (it was never used against it); check the serial (ksmart state status lists those known), or give the certificate itself with --cert FILE (the CA keeps a copy of each in issued/SERIAL.crt)", serial)
	}
	if ci.Kind == KindAdmin {
		others := 0
		admins := map[string]bool{}
		err := tx.Bucket(bucketCerts).ForEach(func(k, v []byte) error {
			var o CertInfo
			if json.Unmarshal(v, &o) == nil && o.Kind == KindAdmin {
				admins[o.Serial] = o.NotAfter.After(at)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if caller != nil && caller.Kind == KindAdmin {
			admins[caller.Serial] = caller.NotAfter.After(at)
		}
		for s, valid := range admins {
			if s != serial && valid && tx.Bucket(bucketRevoked).Get([]byte(s)) == nil {
				others++
			}
		}
		if others == 0 {
			return refuse("certificate serial %s is the last administrator's (%s): revoking it would leave no one able to manage the cluster; issue another admin certificate and revoke this one with it", serial, ci.Name)
		}
	}
	r := Revocation{Serial: serial, Kind: ci.Kind, Name: ci.Name, NotAfter: ci.NotAfter, Reason: reason, By: by, At: at, RaftIndex: index}
	if caller != nil {
		r.BySerial = caller.Serial
		if _, err := recordCert(tx, *caller); err != nil {
			return nil, nil, err
		}
	}
	ci.FirstSeen = at
	if _, err := recordCert(tx, ci); err != nil {
		return nil, nil, err
	}
	v, _ := json.Marshal(r)
	if err := tx.Bucket(bucketRevoked).Put([]byte(serial), v); err != nil {
		return nil, nil, err
	}
	return &applyResult{value: &RevokeResult{Revocation: r}}, &r, nil
}

// pkiState is the FSM's register and revocations in memory, for the
// checks made on every handshake and request. It is replaced whole.
type pkiState struct {
	certs   map[string]CertInfo
	revoked map[string]Revocation
}

// loadPKI reads the register and the revocations from the file.
func (f *FSM) loadPKI(db *bolt.DB) error {
	st := &pkiState{certs: map[string]CertInfo{}, revoked: map[string]Revocation{}}
	err := db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketCerts); b != nil {
			if err := b.ForEach(func(k, v []byte) error {
				var c CertInfo
				if err := json.Unmarshal(v, &c); err != nil {
					return err
				}
				st.certs[c.Serial] = c
				return nil
			}); err != nil {
				return err
			}
		}
		if b := tx.Bucket(bucketRevoked); b != nil {
			return b.ForEach(func(k, v []byte) error {
				var r Revocation
				if err := json.Unmarshal(v, &r); err != nil {
					return err
				}
				st.revoked[r.Serial] = r
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the certificates of state.db: %w", err)
	}
	f.pki.Store(st)
	return nil
}

// Revoked returns the revocation of a certificate, if it is revoked.
func (f *FSM) Revoked(serial string) (Revocation, bool) {
	st := f.pki.Load()
	if st == nil {
		return Revocation{}, false
	}
	r, ok := st.revoked[serial]
	return r, ok
}

// Known reports whether the register holds a certificate.
func (f *FSM) Known(serial string) bool {
	st := f.pki.Load()
	if st == nil {
		return false
	}
	_, ok := st.certs[serial]
	return ok
}

// Revocations lists every revocation, the latest first.
func (f *FSM) Revocations() []Revocation {
	st := f.pki.Load()
	if st == nil {
		return nil
	}
	out := make([]Revocation, 0, len(st.revoked))
	for _, r := range st.revoked {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RaftIndex > out[j].RaftIndex })
	return out
}

// Certificates lists every certificate the cluster knows and has not
// revoked, the soonest to expire first.
func (f *FSM) Certificates() []CertInfo {
	st := f.pki.Load()
	if st == nil {
		return nil
	}
	out := make([]CertInfo, 0, len(st.certs))
	for s, c := range st.certs {
		if _, gone := st.revoked[s]; !gone {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].NotAfter.Equal(out[j].NotAfter) {
			return out[i].NotAfter.Before(out[j].NotAfter)
		}
		return out[i].Serial < out[j].Serial
	})
	return out
}

// OnRevoke registers fn to be called with each revocation this node
// applies, after it is committed to its state (on raft's apply goroutine:
// return quickly). A node uses it to drop the raft connections of a
// revoked node certificate at once.
func (f *FSM) OnRevoke(fn func(Revocation)) {
	f.subMu.Lock()
	defer f.subMu.Unlock()
	f.onRevoke = append(f.onRevoke, fn)
}

// checkRevoked is the error for a revoked certificate, or nil.
func (f *FSM) checkRevoked(c *x509.Certificate) error {
	if r, ok := f.Revoked(FormatSerial(c.SerialNumber)); ok {
		return fmt.Errorf("%w: %s; ask state IT for a new certificate", ErrRevoked, r)
	}
	return nil
}

// parseCertPEM reads one certificate from PEM.
func parseCertPEM(s string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: cert_pem holds no PEM certificate", ErrBadRequest)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: cert_pem does not parse: %v", ErrBadRequest, err)
	}
	return c, nil
}
