package stateview_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ksmart/replication"
	"ksmart/replication/replicationtest"
	"ksmart/stateview"
)

// forgeCert signs, with the cluster's own CA, a certificate whose kind
// (OU) and name (CN) issue-cert would refuse: what a careless or hostile
// CA operator might make.
func forgeCert(t *testing.T, caDir, ou, cn string) (certPEM, keyPEM []byte) {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(filepath.Join(caDir, replication.CACertFile), filepath.Join(caDir, replication.CAKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(pair.Certificate[0])
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:   pkix.Name{Organization: []string{"ksmart state"}, OrganizationalUnit: []string{ou}, CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, pair.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})
}

// TestAuthz_EveryKindOnEveryRoute tries a certificate of every kind, and
// two that no kind admits, on every route a state node serves (its API's
// and the state view's, as Node.Routes lists them): a kind the
// authorization table grants the route's permission gets past the
// admission (whatever the handler then answers), every other gets 403
// naming the kinds that may; and a revoked admin certificate gets 403
// naming its serial and reason on every route.
func TestAuthz_EveryKindOnEveryRoute(t *testing.T) {
	c := replicationtest.New(t, 1, func(i int, cfg *replication.Config) {
		cfg.Extension = stateview.New(stateview.Config{Figures: &stateview.FiguresConfig{}, Index: &stateview.IndexConfig{}, Logger: replicationtest.Logger(t)})
	})
	n := c.Node(0)
	const code = "KL-EKM-M01"
	names := map[replication.Kind]string{replication.KindNode: "state9", replication.KindBody: code, replication.KindAdmin: "it-admin", replication.KindAuditor: "cag-auditor"}
	type caller struct {
		label string
		kind  replication.Kind // "" for one no kind admits
		cl    *http.Client
	}
	var callers []caller
	for _, k := range replication.Kinds {
		callers = append(callers, caller{string(k), k, c.HTTP(k, names[k])})
	}
	unknownCert, unknownKey := forgeCert(t, c.CADir(), "janitor", "sweeper")
	badNameCert, badNameKey := forgeCert(t, c.CADir(), "body", "not a code")
	callers = append(callers, caller{"unknown kind", "", c.HTTPWith(unknownCert, unknownKey)}, caller{"body with a malformed name", "", c.HTTPWith(badNameCert, badNameKey)})

	// What the issue asks of each kind, by least privilege: the table in
	// replication/authz.go must say exactly this.
	want := map[replication.Kind][]replication.Permission{
		replication.KindNode:    {replication.PermRaft, replication.PermForward, replication.PermRecordCerts, replication.PermSnapshotRange, replication.PermMetrics},
		replication.KindBody:    {replication.PermShip, replication.PermReadLog},
		replication.KindAdmin:   {replication.PermMembership, replication.PermRevoke, replication.PermResolveFork, replication.PermStatus, replication.PermReadLog, replication.PermMetrics, replication.PermView, replication.PermSearch, replication.PermVerify},
		replication.KindAuditor: {replication.PermView, replication.PermSearch, replication.PermVerify, replication.PermMetrics},
	}
	routes := n.Routes()
	if len(routes) < 20 {
		t.Fatalf("the node lists %d routes; want the API's and the view's", len(routes))
	}
	fill := strings.NewReplacer("{code}", code, "{district}", "ernakulam", "{number}", "B-1-2026", "{$}", "")
	call := func(cl *http.Client, r replication.Route) (int, string) {
		method, path, _ := strings.Cut(r.Pattern, " ")
		req, _ := http.NewRequest(method, "https://"+n.HTTPAddr()+fill.Replace(path), bytes.NewReader([]byte("{}")))
		req.Header.Set("Content-Type", "application/json")
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", r.Pattern, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tried := 0
	for _, r := range routes {
		for _, cr := range callers {
			status, body := call(cr.cl, r)
			tried++
			may := cr.kind != "" && slices.Contains(want[cr.kind], r.Permission)
			switch {
			case cr.kind != "" && may != replication.Allowed(cr.kind, r.Permission):
				t.Errorf("the table says %s may %s: %v; the issue says %v", cr.kind, r.Permission, !may, may)
			case may && status == http.StatusForbidden:
				t.Errorf("%s on %s (%s): 403 %.200s, but the table grants it", cr.label, r.Pattern, r.Permission, body)
			case !may && status != http.StatusForbidden:
				t.Errorf("%s on %s (%s): %d, want 403", cr.label, r.Pattern, r.Permission, status)
			case !may && cr.kind != "" && !strings.Contains(body, "needs a certificate of kind "+kindsText(replication.KindsWith(r.Permission))):
				t.Errorf("%s on %s: the refusal does not name the kinds that may: %.200s", cr.label, r.Pattern, body)
			case !may && cr.kind == "" && !strings.Contains(body, "is refused") && !strings.Contains(body, "unknown certificate kind"):
				t.Errorf("%s on %s: the refusal does not say why: %.200s", cr.label, r.Pattern, body)
			}
		}
	}
	t.Logf("%d routes × %d callers tried", len(routes), len(callers))

	// A revoked certificate: refused on every route, saying why.
	admin := c.HTTP(replication.KindAdmin, "second-admin")
	serial := revokeVia(t, n, admin, callers[2].cl) // by it-admin
	for _, r := range routes {
		status, body := call(admin, r)
		if status != http.StatusForbidden || !strings.Contains(body, serial) || !strings.Contains(body, "left the department") {
			t.Errorf("a revoked admin on %s: %d %.200s; want 403 naming the serial and the reason", r.Pattern, status, body)
		}
	}

	// The auditor sees the revocation, and every certificate's days left,
	// on the view's certificates page, in both languages.
	resp, err := callers[3].cl.Get("https://" + n.HTTPAddr() + "/state/certificates")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{serial, "left the department", "admin/it-admin", "Revoked", "റദ്ദാക്കിയവ", `id="own-days-left">364`, "cag-auditor", "Days left"} {
		if resp.StatusCode != 200 || !strings.Contains(string(page), want) {
			t.Fatalf("/state/certificates: %d, lacks %q:\n%s", resp.StatusCode, want, page)
		}
	}
}

// revokeVia makes victim's certificate known by using it once, then
// revokes it with revoker's, and returns its serial.
func revokeVia(t *testing.T, n *replication.Node, victim, revoker *http.Client) string {
	t.Helper()
	resp, err := victim.Get("https://" + n.HTTPAddr() + "/v1/cluster/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var s string
	replicationtest.Eventually(t, 10*time.Second, func() error {
		for _, ci := range n.FSM().Certificates() {
			if ci.Name == "second-admin" {
				s = ci.Serial
				return nil
			}
		}
		return fmt.Errorf("the second admin's certificate is not in the register yet")
	})
	body, _ := json.Marshal(replication.RevokeRequest{Serial: s, Reason: "left the department"})
	resp, err = revoker.Post("https://"+n.HTTPAddr()+"/v1/cluster/revoke", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
	return s
}

func kindsText(kinds []replication.Kind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, " or ")
}
