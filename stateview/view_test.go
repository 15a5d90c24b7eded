package stateview_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/files"
	"ksmart/appliance/module"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/replication"
	"ksmart/replication/replicationtest"
	"ksmart/stateview"
	"ksmart/store"
)

// seededBody is a real local body: an appliance seeded with the demo's
// office and a legacy register of births.
type seededBody struct {
	app  *appliance.Appliance
	code string
}

// seedBodies opens two local bodies of two districts and seeds them, at
// the same time (each takes seconds, mostly hashing the demo's passwords).
func seedBodies(t *testing.T) []seededBody {
	t.Helper()
	specs := []struct {
		code, en, ml, district, districtMl string
		seed                               uint64
	}{
		{"M0701", "Aluva Municipality (test)", "ആലുവ മുനിസിപ്പാലിറ്റി (പരീക്ഷണം)", "Ernakulam", "എറണാകുളം", 1},
		{"G0802", "Mala Grama Panchayat (test)", "മാള ഗ്രാമ പഞ്ചായത്ത് (പരീക്ഷണം)", "Thrissur", "തൃശൂർ", 2},
	}
	out := make([]seededBody, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, s := range specs {
		lb := synth.DemoLocalBody()
		lb.Code, lb.Name, lb.District = s.code, domain.T(s.en, s.ml), domain.T(s.district, s.districtMl)
		if i == 1 {
			lb.Kind = domain.KindGramaPanchayat
		}
		app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { app.Close() })
		out[i] = seededBody{app: app, code: s.code}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := synth.SeedDemo(app, 40, s.seed, nil, nil); err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = synth.SeedLegacyRegister(app, 2000)
		}()
	}
	start := time.Now()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	t.Logf("two bodies seeded in %s", time.Since(start).Round(time.Millisecond))
	return out
}

// shipBody ships a body's log from event from on with its change sets,
// as its shipper would, and returns its head.
func shipBody(t *testing.T, cl *replication.Client, st *store.Store, from uint64) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for from <= st.LastSeq() {
		evs, changes, err := st.ReadReplica(from, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.ShipReplica(ctx, evs, changes); err != nil {
			t.Fatalf("shipping events %d…: %v", from, err)
		}
		from = evs[len(evs)-1].Seq + 1
	}
	return st.LastSeq()
}

// getJSON gets a view's JSON answer into out and returns its status.
func getJSON(t *testing.T, cl *http.Client, n *replication.Node, path string, out any) int {
	t.Helper()
	resp, err := cl.Get("https://" + n.HTTPAddr() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s: %v in %s", path, err, body)
		}
	}
	return resp.StatusCode
}

func getPage(t *testing.T, cl *http.Client, n *replication.Node, path string) (int, string) {
	t.Helper()
	resp, err := cl.Get("https://" + n.HTTPAddr() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// tallyOf is what a body's own store counts at at, by the modules'
// Figures.Count, as the state view once counted its mirror of it.
func tallyOf(t *testing.T, st *store.Store, at time.Time) *module.Tally {
	t.Helper()
	tally := module.NewTally(at)
	err := st.View(func(tx *store.Tx) error {
		for _, m := range appliance.Modules {
			if m.Figures == nil {
				continue
			}
			if err := m.Figures.Count(tx, tally); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tally
}

// overview is the part of /state/api/overview the tests read.
type overview struct {
	Node      string `json:"node"`
	Lag       uint64 `json:"lag"`
	Districts []struct {
		Slug   string `json:"slug"`
		Bodies []struct {
			Code     string               `json:"code"`
			Name     domain.Text          `json:"name"`
			District domain.Text          `json:"district"`
			Status   stateview.ViewStatus `json:"status"`
			Figures  *stateview.Figures   `json:"figures"`
		} `json:"bodies"`
		Totals *stateview.Figures `json:"totals"`
	} `json:"districts"`
	Totals *stateview.Figures `json:"totals"`
}

// deliveryRate is the rate of files decided in time, as the figures name
// it.
var deliveryRate = stateview.RateKey(files.FigureOnTime, files.FigureDecided)

// overviewMatches waits until node n's overview gives, for every body,
// the figures its own store gives, and for the state their sums.
func overviewMatches(t *testing.T, cl *http.Client, n *replication.Node, view *stateview.View, bodies []seededBody) {
	t.Helper()
	replicationtest.Eventually(t, 30*time.Second, func() error {
		if err := view.CaughtUp(); err != nil {
			return err
		}
		if err := view.Index().CaughtUp(); err != nil {
			return err
		}
		var ov overview
		if st := getJSON(t, cl, n, "/state/api/overview", &ov); st != http.StatusOK {
			return fmt.Errorf("overview: %d", st)
		}
		if ov.Node != n.ID() {
			return fmt.Errorf("answered by %q, asked %q", ov.Node, n.ID())
		}
		found := 0
		sum := map[string]int{}
		for _, d := range ov.Districts {
			for _, b := range d.Bodies {
				for _, sb := range bodies {
					if b.Code != sb.code {
						continue
					}
					found++
					if b.Figures == nil || b.Figures.Tally == nil {
						return fmt.Errorf("%s on %s: no figures", b.Code, n.ID())
					}
					got := b.Figures
					want := tallyOf(t, sb.app.Store, got.At)
					if !reflect.DeepEqual(got.Counts, want.Counts) || !reflect.DeepEqual(got.Monthly, want.Monthly) || !reflect.DeepEqual(got.Months, want.Months) {
						return fmt.Errorf("%s on %s: the overview counts %v, the body holds %v", b.Code, n.ID(), got.Counts, want.Counts)
					}
					if want.Counts[civil.FigureKey(civil.KindBirth)] < 2000 || want.Counts[files.FigureApplications] == 0 || want.Counts[files.FigureDecided] == 0 {
						return fmt.Errorf("%s holds too little to count: %v", b.Code, want.Counts)
					}
					if r := got.Rates[deliveryRate]; r == nil || *r != float64(want.Counts[files.FigureOnTime])/float64(want.Counts[files.FigureDecided]) {
						return fmt.Errorf("%s on %s: the delivery rate is %v for %d of %d", b.Code, n.ID(), r, want.Counts[files.FigureOnTime], want.Counts[files.FigureDecided])
					}
					if b.Name != sb.app.LocalBody.Name || d.Slug != strings.ToLower(sb.app.LocalBody.District.En) || b.Status.Lag != 0 || len(got.Months) != module.Months {
						return fmt.Errorf("%s on %s: name %v, district %s, lag %d, %d months", b.Code, n.ID(), b.Name, d.Slug, b.Status.Lag, len(got.Months))
					}
					for k, v := range got.Counts {
						sum[k] += v
					}
				}
			}
		}
		if found != len(bodies) {
			return fmt.Errorf("the overview on %s shows %d of the %d bodies", n.ID(), found, len(bodies))
		}
		if !reflect.DeepEqual(ov.Totals.Counts, sum) {
			return fmt.Errorf("the state's counts on %s are %v, the bodies' sum %v", n.ID(), ov.Totals.Counts, sum)
		}
		return nil
	})
}

// TestStateView_TwoBodiesShippedToThreeNodesAreCountedSearchedAndVerified
// ships two real local bodies to a 3-node cluster and reads the state view
// on the leader and a follower.
func TestStateView_TwoBodiesShippedToThreeNodesAreCountedSearchedAndVerified(t *testing.T) {
	bodies := seedBodies(t)
	views := make([]*stateview.View, 3) // each node's view, made again at a restart
	c := replicationtest.New(t, 3, func(i int, cfg *replication.Config) {
		views[i] = stateview.New(stateview.Config{Figures: &stateview.FiguresConfig{}, Index: &stateview.IndexConfig{}, Logger: replicationtest.Logger(t)})
		cfg.Extension = views[i]
	})
	for _, b := range bodies {
		shipBody(t, c.Client(b.code), b.app.Store, 1)
	}
	admin := c.HTTP(replication.KindAdmin, "stateit")
	leader := c.WaitLeader()
	var follower *replication.Node
	leaderIdx, followerIdx := 0, 0
	for i, n := range c.Nodes() {
		if n == leader {
			leaderIdx = i
		} else if follower == nil {
			follower, followerIdx = n, i
		}
	}

	t.Run("OverviewCountsWhatEachBodyHoldsOnLeaderAndFollower", func(t *testing.T) {
		overviewMatches(t, admin, leader, views[leaderIdx], bodies)
		overviewMatches(t, admin, follower, views[followerIdx], bodies)
		var d struct {
			Bodies []struct{ Code string } `json:"bodies"`
		}
		if st := getJSON(t, admin, follower, "/state/api/districts/thrissur", &d); st != http.StatusOK || len(d.Bodies) != 1 || d.Bodies[0].Code != "G0802" {
			t.Fatalf("Thrissur's district answer: %d %+v", st, d)
		}
		if st := getJSON(t, admin, follower, "/state/api/districts/wayanad", nil); st != http.StatusNotFound {
			t.Fatalf("a district without bodies answered %d, want 404", st)
		}
		// A body's figures are the modules' tally with the rates of their
		// headlines (stateview.Figures).
		var b struct {
			Body struct {
				Figures map[string]json.RawMessage `json:"figures"`
			} `json:"body"`
		}
		if st := getJSON(t, admin, follower, "/state/api/bodies/M0701", &b); st != http.StatusOK {
			t.Fatalf("the body's answer: %d", st)
		}
		var keys []string
		for k := range b.Body.Figures {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if fmt.Sprint(keys) != "[computed_at counts monthly monthly_rates months rates]" {
			t.Fatalf("a body's figures have the fields %v", keys)
		}
		var rates map[string]*float64
		if err := json.Unmarshal(b.Body.Figures["rates"], &rates); err != nil || rates[deliveryRate] == nil {
			t.Fatalf("a body's rates %s (%v) have no %s", b.Body.Figures["rates"], err, deliveryRate)
		}
	})

	t.Run("PagesDrawChartsOfTwentyFourMonthsWithTables", func(t *testing.T) {
		st, page := getPage(t, admin, follower, "/state/bodies/M0701")
		if st != http.StatusOK {
			t.Fatalf("body page: %d\n%s", st, page)
		}
		keepEvidence(t, "state-body.html", page)
		for _, id := range []string{"chart-registrations", "chart-applications"} {
			chart := section(page, `<figure class="chart" id="`+id+`"`, "</figure>")
			if n := strings.Count(chart, `<g class="bar">`); n != module.Months {
				t.Errorf("%s draws %d bars, want one a month (%d)", id, n, module.Months)
			}
			if !strings.Contains(chart, `role="img"`) || !strings.Contains(chart, "<table>") {
				t.Errorf("%s has no accessible name or no data table", id)
			}
		}
		if chart := section(page, `<figure class="chart" id="chart-delivery"`, "</figure>"); !strings.Contains(chart, `<g class="point">`) {
			t.Errorf("the delivery chart has no point: %s", chart)
		}
		for _, want := range []string{"Aluva Municipality (test)", "ആലുവ", "Pending", "തീർപ്പാക്കാനുള്ളവ", "lag"} {
			if !strings.Contains(page, want) {
				t.Errorf("the body page does not say %q", want)
			}
		}
		// Every module's headlines are shown, in both languages, and its
		// charts drawn.
		for _, m := range appliance.Modules {
			if m.Figures == nil {
				continue
			}
			for _, h := range m.Figures.Headlines {
				if !strings.Contains(page, h.Name.En) || !strings.Contains(page, h.Name.Ml) {
					t.Errorf("the body page does not show the headline %v of %s", h.Name, m.Name)
				}
			}
			for _, ch := range m.Figures.Charts {
				if !strings.Contains(page, `<figure class="chart" id="`+ch.ID+`"`) {
					t.Errorf("the body page does not draw the chart %s of %s", ch.ID, m.Name)
				}
			}
		}
		if strings.Contains(page, "<script") {
			t.Error("the page has a script")
		}
		st, page = getPage(t, admin, leader, "/state")
		keepEvidence(t, "state-overview.html", page)
		if st != http.StatusOK || !strings.Contains(page, `href="/state/bodies/G0802"`) || !strings.Contains(page, `href="/state/districts/ernakulam"`) {
			t.Fatalf("the overview page (%d) does not link the bodies and districts", st)
		}
		if n := strings.Count(section(page, `id="chart-applications"`, "</figure>"), `<g class="bar">`); n != module.Months {
			t.Errorf("the state's applications chart draws %d bars", n)
		}
	})

	t.Run("SearchFindsAVariantSpellingAndNamesTheBody", func(t *testing.T) {
		qs, _ := legacy.RelevanceQueries(2000, 2026, 40, 7)
		var q legacy.Query
		for _, x := range qs {
			if x.Kind == "variant" {
				q = x
				break
			}
		}
		if q.Name == "" {
			t.Fatal("no variant query")
		}
		var res stateview.SearchResult
		path := "/state/api/search?size=50&q=" + url.QueryEscape(q.Name)
		if st := getJSON(t, admin, follower, path, &res); st != http.StatusOK {
			t.Fatalf("search: %d", st)
		}
		found := false
		for _, h := range res.Hits {
			if h.Body == "G0802" && h.Number == q.Target {
				found = true
				if h.BodyName.En != "Mala Grama Panchayat (test)" || h.Type != "register" || h.Kind != civil.KindBirth || h.Name.En == "" || h.Link != "/state/bodies/G0802" {
					t.Errorf("the hit does not name its body, kind and person: %+v", h)
				}
			}
		}
		if !found || res.Bodies != 2 {
			t.Fatalf("searching %q over %d bodies did not find %s of G0802 (its register, spelt %q): %+v", q.Name, res.Bodies, q.Target, q.Name, res.Hits)
		}
		st, page := getPage(t, admin, follower, "/state/search?q="+url.QueryEscape(q.Name))
		if st != http.StatusOK || !strings.Contains(page, q.Target) || !strings.Contains(page, "Mala Grama Panchayat (test)") {
			t.Errorf("the search page (%d) does not show %s of Mala", st, q.Target)
		}
		if st := getJSON(t, admin, follower, "/state/api/search?q=", nil); st != http.StatusBadRequest {
			t.Errorf("an empty search answered %d, want 400", st)
		}
	})

	t.Run("VerificationOfAnyBodysCertificateTellsGenuineFromForged", func(t *testing.T) {
		var cert civil.Certificate
		var issuer seededBody
		for _, b := range bodies {
			b.app.Store.View(func(tx *store.Tx) error {
				return tx.Scan("civil_certificate", store.ScanOptions{}, func(_ string, raw []byte) error {
					var c civil.Certificate
					if err := json.Unmarshal(raw, &c); err != nil {
						return err
					}
					if c.Status == civil.StatusCurrent && cert.Number == "" {
						cert, issuer = c, b
					}
					return nil
				})
			})
		}
		if cert.Number == "" {
			t.Fatal("the demo issued no current certificate in either body; choose other seeds")
		}
		u, err := url.Parse(cert.QR)
		if err != nil {
			t.Fatal(err)
		}
		d, s := u.Query().Get("d"), u.Query().Get("s")
		flip := func(v string) string {
			b := []byte(v)
			if b[3] == 'A' {
				b[3] = 'B'
			} else {
				b[3] = 'A'
			}
			return string(b)
		}
		type answer struct {
			Body    string      `json:"body"`
			Found   bool        `json:"found"`
			Checked bool        `json:"checked"`
			Genuine bool        `json:"genuine"`
			Status  string      `json:"status"`
			Problem domain.Text `json:"problem"`
			Fields  []any       `json:"particulars"`
		}
		cases := []struct {
			name, number, d, s      string
			found, checked, genuine bool
			problem                 string
			showsParticulars        bool
		}{
			{"genuine QR code", cert.Number, d, s, true, true, true, "", true},
			{"number alone", cert.Number, "", "", true, false, true, "", false},
			{"forged signature", cert.Number, d, flip(s), true, true, false, "forged", false},
			{"altered digest", cert.Number, flip(d), s, true, true, false, "forged", false},
			{"unknown number", cert.Number + "9", d, s, false, false, false, "no certificate", false},
			{"unknown body", "X9999-BC-2026-1", "", "", false, false, false, "No local body with the code X9999", false},
			{"not a number", "hello there", "", "", false, false, false, "not a certificate number", false},
		}
		for _, tc := range cases {
			var a answer
			path := "/state/api/verify/" + url.PathEscape(tc.number) + "?" + url.Values{"d": {tc.d}, "s": {tc.s}}.Encode()
			if st := getJSON(t, admin, follower, path, &a); st != http.StatusOK {
				t.Errorf("%s: %d", tc.name, st)
				continue
			}
			if a.Found != tc.found || a.Checked != tc.checked || a.Genuine != tc.genuine || !strings.Contains(a.Problem.En, tc.problem) || (len(a.Fields) > 0) != tc.showsParticulars {
				t.Errorf("%s: %+v", tc.name, a)
			}
			if tc.found && (a.Status != civil.StatusCurrent || !strings.HasPrefix(tc.number, a.Body+"-")) {
				t.Errorf("%s: status %q of body %q", tc.name, a.Status, a.Body)
			}
		}
		genuine := "/state/verify/" + url.PathEscape(cert.Number) + "?" + url.Values{"d": {d}, "s": {s}}.Encode()
		st, page := getPage(t, admin, leader, genuine)
		if st != http.StatusOK || !strings.Contains(page, "Genuine and current") || !strings.Contains(page, "യഥാർത്ഥവും നിലവിലുള്ളതും") {
			t.Errorf("the verification page (%d) does not say genuine and current", st)
		}
		// Once the node's copy has caught up, it does not warn that a
		// certificate may not be here yet.
		replicationtest.Eventually(t, 20*time.Second, func() error {
			if _, page := getPage(t, admin, leader, genuine); strings.Contains(page, "may not be here yet") {
				return fmt.Errorf("the verification page still warns of a lag:\n%s", page)
			}
			return nil
		})
		// Every search box posts its words: no names in URLs (and so in
		// proxies' and browsers' histories).
		for _, path := range []string{"/state", "/state/bodies/" + issuer.code, "/state/search"} {
			_, page := getPage(t, admin, leader, path)
			if strings.Contains(page, `method="get" action="/state/search"`) || !strings.Contains(page, `method="post" action="/state/search"`) {
				t.Errorf("%s has a search box that does not post", path)
			}
		}

		// The registrar revokes it; once shipped, every node says so.
		from := issuer.app.Store.LastSeq() + 1
		registrar := domain.Actor{ID: "registrar-test", Name: "Registrar", Roles: []domain.Role{domain.RoleRegistrar}}
		if _, err := issuer.app.Civil.Revoke(registrar, cert.Number, "Registration cancelled by court order (test)."); err != nil {
			t.Fatal(err)
		}
		shipBody(t, c.Client(issuer.code), issuer.app.Store, from)
		for _, n := range []*replication.Node{leader, follower} {
			replicationtest.Eventually(t, 20*time.Second, func() error {
				var a struct {
					Genuine bool        `json:"genuine"`
					Status  string      `json:"status"`
					Reason  domain.Text `json:"status_reason"`
				}
				getJSON(t, admin, n, "/state/api"+strings.TrimPrefix(genuine, "/state"), &a)
				if a.Genuine || a.Status != civil.StatusRevoked || !strings.Contains(a.Reason.En, "court order") {
					return fmt.Errorf("%s after the revocation: %+v", n.ID(), a)
				}
				return nil
			})
		}
	})

	t.Run("ABodyCertificateIsRefusedTheStateView", func(t *testing.T) {
		body := c.HTTP(replication.KindBody, "M0701")
		for _, path := range []string{"/state", "/state/api/overview", "/state/bodies/M0701", "/state/api/search?q=x", "/state/verify/M0701-BC-2026-1"} {
			if st, _ := getPage(t, body, leader, path); st != http.StatusForbidden {
				t.Errorf("%s with a body certificate: %d, want 403", path, st)
			}
		}
	})

	t.Run("DeletedFiguresAndIndexAreMadeAgainAtRestartAndOldMirrorsRemoved", func(t *testing.T) {
		c.Close(followerIdx)
		figures := filepath.Join(c.Dir(followerIdx), stateview.FiguresDir)
		index := filepath.Join(c.Dir(followerIdx), stateview.IndexDir)
		for _, dir := range []string{figures, index} {
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("no directory to delete: %v", err)
			}
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
		}
		// What an earlier version left: a mirror of a body.
		old := filepath.Join(c.Dir(followerIdx), "mirrors")
		if err := os.MkdirAll(filepath.Join(old, "G0802", "index"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(old, "G0802", store.DBFile), []byte("old mirror"), 0o600); err != nil {
			t.Fatal(err)
		}
		n := c.Restart(followerIdx)
		overviewMatches(t, admin, n, views[followerIdx], bodies)
		if _, err := os.Stat(filepath.Join(figures, stateview.CountersFile)); err != nil {
			t.Fatalf("the counters were not made again: %v", err)
		}
		replicationtest.Eventually(t, 10*time.Second, func() error {
			if _, err := os.Stat(old); err == nil {
				return fmt.Errorf("the old mirrors are still in %s", old)
			}
			return nil
		})
	})
}

func TestStateView_ANodeWithoutTheViewSaysSoAndServesTheAPI(t *testing.T) {
	c := replicationtest.New(t, 1, func(_ int, cfg *replication.Config) {
		cfg.Extension = stateview.New(stateview.Config{Logger: replicationtest.Logger(t)}) // --view=false
	})
	n := c.Node(0)
	admin := c.HTTP(replication.KindAdmin, "stateit")
	if st := getJSON(t, admin, n, "/state/api/overview", nil); st != http.StatusServiceUnavailable {
		t.Errorf("the overview of a node without the view answered %d, want 503", st)
	}
	st, page := getPage(t, admin, n, "/state")
	if st != http.StatusServiceUnavailable || !strings.Contains(page, "--view=false") || !strings.Contains(page, "ask another state node") {
		t.Errorf("the page of a node without the view (%d) does not say why: %s", st, page)
	}
	if st, page := getPage(t, admin, n, "/state/search?q=Rajesh"); st != http.StatusServiceUnavailable || !strings.Contains(page, "--index=false") {
		t.Errorf("the search of a node without the state index answered %d, want 503 saying why: %s", st, page)
	}
	if st := getJSON(t, admin, n, "/v1/cluster/status", nil); st != http.StatusOK {
		t.Errorf("the API beside the view answered %d", st)
	}
}

// section returns s from the first from to the next to after it.
func section(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}

// keepEvidence writes a page to KSMART_EVIDENCE_DIR (from the repository
// root) when it is set, so that it can be opened in a browser and looked at.
func keepEvidence(t *testing.T, name, page string) {
	dir := os.Getenv("KSMART_EVIDENCE_DIR")
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(page), 0o644); err != nil {
		t.Error(err)
	}
}
