package stateview

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/replication/replicationtest"
	"ksmart/search"
	"ksmart/store"
)

// indexBody is a local body of a district, its own appliance (store and
// office index) seeded with a legacy birth register.
type indexBody struct {
	code, district string
	app            *appliance.Appliance
}

// newIndexBody opens a body with rows legacy register entries.
func newIndexBody(tb testing.TB, code, district string, rows int) indexBody {
	tb.Helper()
	lb := synth.DemoLocalBody()
	lb.Code, lb.Name, lb.District = code, domain.T("Body "+code, "സ്ഥാപനം "+code), domain.T(district, district)
	app, err := appliance.Open(appliance.Config{Dir: tb.TempDir(), LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { app.Close() })
	if rows > 0 {
		if _, err := synth.SeedLegacyRegister(app, rows); err != nil {
			tb.Fatal(err)
		}
	}
	return indexBody{code: code, district: district, app: app}
}

// officeFinds is what the body's own office index finds for text: the
// numbers of every hit, sorted, and the total.
func (b indexBody) officeFinds(tb testing.TB, text string) ([]string, uint64) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.app.Search.CatchUp(ctx, b.app.Store); err != nil {
		tb.Fatal(err)
	}
	res, err := b.app.Search.Search(ctx, search.Query{Text: text, Size: 100})
	if err != nil {
		tb.Fatal(err)
	}
	hits, err := appliance.Hits(b.app.Store, b.app.Catalogue, appliance.Modules, res.Hits)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, h := range hits {
		out = append(out, h.Number)
	}
	sort.Strings(out)
	return out, res.Total
}

// importBirths imports rows legacy birth entries of a year.
func importBirths(tb testing.TB, app *appliance.Appliance, rows int, year uint64) {
	tb.Helper()
	login, err := synth.DemoRegistrar(app)
	if err != nil {
		tb.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(legacy.Births(pw, rows, year)) }()
	defer pr.Close()
	if _, err := app.ImportRegister("births", pr, "demo", login, nil); err != nil {
		tb.Fatal(err)
	}
}

func openTestIndex(tb testing.TB, src replicaSource, dir string) *Index {
	tb.Helper()
	x, err := openIndex(src, IndexConfig{Dir: dir, Recheck: 200 * time.Millisecond}, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { x.Close() })
	return x
}

func waitIndexed(tb testing.TB, x *Index) {
	tb.Helper()
	replicationtest.Eventually(tb, 120*time.Second, x.CaughtUp)
}

// stateFinds is what the state index finds for q: the hits' numbers by
// body, sorted.
func stateFinds(tb testing.TB, x *Index, q SearchQuery) (map[string][]string, SearchResult) {
	tb.Helper()
	q.Size = 100
	res, err := x.search(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	for _, h := range res.Hits {
		out[h.Body] = append(out[h.Body], h.Number)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out, res
}

func TestIndex_ASearchOverBodiesOfManyDistrictsFindsWhatEachOfficeFinds(t *testing.T) {
	const rows = 400
	specs := []struct{ code, district string }{
		{"M0701", "Ernakulam"}, {"G0703", "Ernakulam"}, {"G0802", "Thrissur"}, {"G0201", "Kollam"}, {"G1401", "Kasaragod"},
		{"G9901", "Mahe"}, // not a district of Kerala: the shard of other names
	}
	src := newFakeSource()
	var bodies []indexBody
	for _, s := range specs {
		b := newIndexBody(t, s.code, s.district, rows)
		bodies = append(bodies, b)
		src.set(b.code, b.app.Store, 0, false)
	}
	x := openTestIndex(t, src, t.TempDir())
	waitIndexed(t, x)

	qs, _ := legacy.RelevanceQueries(rows, 2026, 30, 11)
	var texts []string
	for _, q := range qs {
		if q.Kind == "exact" || q.Kind == "variant" || q.Kind == "crossing" {
			texts = append(texts, q.Name)
		}
	}
	if len(texts) < 5 {
		t.Fatalf("only %d queries", len(texts))
	}
	for _, text := range texts[:8] {
		// Each body's records, found at the state, are those its office finds.
		for _, b := range bodies {
			want, total := b.officeFinds(t, text)
			if total > 100 {
				continue
			}
			got, res := stateFinds(t, x, SearchQuery{Text: text, Body: b.code})
			if !slices.Equal(got[b.code], want) || res.Total != total || len(got) > 1 {
				t.Errorf("%q in %s: the state finds %v (of %d), the office %v (of %d)", text, b.code, got, res.Total, want, total)
			}
		}
		// A district's search keeps its bodies only, and finds all that
		// their offices find.
		got, res := stateFinds(t, x, SearchQuery{Text: text, District: "ernakulam"})
		var total uint64
		for _, b := range bodies[:2] {
			want, n := b.officeFinds(t, text)
			total += n
			if n <= 50 && !slices.Equal(got[b.code], want) {
				t.Errorf("%q in Ernakulam: the state finds %v of %s, its office %v", text, got[b.code], b.code, want)
			}
		}
		for code := range got {
			if code != "M0701" && code != "G0703" {
				t.Errorf("%q in Ernakulam found records of %s", text, code)
			}
		}
		if res.Total != total || res.Bodies != 2 {
			t.Errorf("%q in Ernakulam: %d found over %d bodies; the two offices find %d", text, res.Total, res.Bodies, total)
		}
		for _, h := range res.Hits {
			if h.District.En != "Ernakulam" || h.BodyName.En != "Body "+h.Body || h.Type != "register" || h.Link != "/state/bodies/"+url.PathEscape(h.Body) {
				t.Errorf("a hit does not say its body and district: %+v", h)
			}
		}
		// A district not in Kerala's fourteen shares a shard, yet keeps
		// its own bodies only.
		got, _ = stateFinds(t, x, SearchQuery{Text: text, District: "mahe"})
		for code := range got {
			if code != "G9901" {
				t.Errorf("%q in Mahe found records of %s", text, code)
			}
		}
		// The whole state finds every body's.
		_, res = stateFinds(t, x, SearchQuery{Text: text})
		var all uint64
		for _, b := range bodies {
			_, n := b.officeFinds(t, text)
			all += n
		}
		if res.Total != all || res.Bodies != len(bodies) {
			t.Errorf("%q in the state: %d found over %d bodies; the offices find %d", text, res.Total, res.Bodies, all)
		}
	}
	st, err := x.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Shards["ernakulam"] == 0 || st.Shards["other"] == 0 || st.Shards["wayanad"] != 0 {
		t.Errorf("the shards hold %v", st.Shards)
	}
}

// currentCertificate returns a current certificate a body issued.
func currentCertificate(tb testing.TB, st *store.Store) civil.Certificate {
	tb.Helper()
	var cert civil.Certificate
	st.View(func(tx *store.Tx) error {
		return tx.Scan("civil_certificate", store.ScanOptions{}, func(_ string, raw []byte) error {
			var c civil.Certificate
			if err := json.Unmarshal(raw, &c); err != nil {
				return err
			}
			if c.Status == civil.StatusCurrent && cert.Number == "" {
				cert = c
			}
			return nil
		})
	})
	if cert.Number == "" {
		tb.Fatal("the demo issued no current certificate; choose another seed")
	}
	return cert
}

func TestIndex_ACertificateIsVerifiedFromTheIndexAndTheStatesChangeSetsAlone(t *testing.T) {
	b := newIndexBody(t, "M0701", "Ernakulam", 0)
	if _, err := synth.SeedDemo(b.app, 40, 1, nil, nil); err != nil {
		t.Fatal(err)
	}
	src := newFakeSource()
	src.set(b.code, b.app.Store, 0, false)
	x := openTestIndex(t, src, t.TempDir())
	waitIndexed(t, x)

	cert := currentCertificate(t, b.app.Store)
	u, err := url.Parse(cert.QR)
	if err != nil {
		t.Fatal(err)
	}
	d, s := u.Query().Get("d"), u.Query().Get("s")
	forged := []byte(s)
	forged[3] ^= 1
	office := civil.Civil{Store: b.app.Store, LocalBody: b.app.LocalBody, SealKeys: nil}
	for _, tc := range []struct {
		name, number, d, s string
		found, genuine     bool
	}{
		{"genuine", cert.Number, d, s, true, true},
		{"forged signature", cert.Number, d, string(forged), true, false},
		{"no such number", b.code + "-BC-2026-99999", "", "", false, false},
	} {
		c, err := x.verify(tc.number, tc.d, tc.s)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.Found != tc.found || c.Genuine() != tc.genuine || c.Body != b.code || c.BodyName.En != "Body M0701" {
			t.Errorf("%s: found %v genuine %v body %s %q, want %v %v (%s)", tc.name, c.Found, c.Genuine(), c.Body, c.BodyName.En, tc.found, tc.genuine, c.Problem.En)
		}
		// The state says what the office says.
		o, err := office.Verify(tc.number, tc.d, tc.s)
		if err != nil {
			t.Fatal(err)
		}
		if o.Genuine() != c.Genuine() || o.Problem.En != c.Problem.En || o.Certificate.Digest != c.Certificate.Digest {
			t.Errorf("%s: the state answers %v %q, the office %v %q", tc.name, c.Genuine(), c.Problem.En, o.Genuine(), o.Problem.En)
		}
	}
}

func TestIndex_ARestartResumesAndADeletedIndexIsMadeAgainFromTheState(t *testing.T) {
	a := newIndexBody(t, "M0701", "Ernakulam", 300)
	b := newIndexBody(t, "G0802", "Thrissur", 300)
	src := newFakeSource()
	src.set(a.code, a.app.Store, 0, false)
	src.set(b.code, b.app.Store, 0, false)
	dir := filepath.Join(t.TempDir(), IndexDir)
	x, err := openIndex(src, IndexConfig{Dir: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, x)
	before, _ := x.Stats()
	qs, _ := legacy.RelevanceQueries(300, 2026, 10, 3)
	text := qs[0].Name
	found, _ := stateFinds(t, x, SearchQuery{Text: text})
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart with a few new events of one body indexes those only.
	head := a.app.Store.LastSeq()
	importBirths(t, a.app, 320, 2026) // the first 300 are there: 20 new
	added := a.app.Store.LastSeq() - head
	x = openTestIndex(t, src, dir)
	waitIndexed(t, x)
	after, _ := x.Stats()
	if after.EventsSince != added || after.Documents != before.Documents+20 {
		t.Errorf("after a restart the index applied %d events (%d new) and holds %d documents (%d before, 20 new)", after.EventsSince, added, after.Documents, before.Documents)
	}
	x.Close()

	// A deleted index is made again from the state's log, the same.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	x = openTestIndex(t, src, dir)
	waitIndexed(t, x)
	again, _ := x.Stats()
	if again.Documents != after.Documents || again.EventsSince != a.app.Store.LastSeq()+b.app.Store.LastSeq() {
		t.Errorf("made again, the index holds %d documents (%d before) from %d events", again.Documents, after.Documents, again.EventsSince)
	}
	refound, _ := stateFinds(t, x, SearchQuery{Text: text})
	if !slices.Equal(refound[b.code], found[b.code]) || len(refound[b.code]) == 0 {
		t.Errorf("%q found %v in %s before and %v after the index was made again", text, found[b.code], b.code, refound[b.code])
	}
}

func TestIndex_ABodyWhoseLogTheStateReplacesHasItsRecordsReplacedNotDuplicated(t *testing.T) {
	old := newIndexBody(t, "M0701", "Ernakulam", 300)
	src := newFakeSource()
	src.set(old.code, old.app.Store, 0, false)
	x := openTestIndex(t, src, t.TempDir())
	waitIndexed(t, x)
	qs, _ := legacy.RelevanceQueries(300, 2026, 10, 3)
	text := qs[0].Name
	if got, _ := stateFinds(t, x, SearchQuery{Text: text}); len(got[old.code]) == 0 {
		t.Fatalf("%q finds nothing in the first log", text)
	}

	// The state now holds another log under the same code (a snapshot
	// installed from a cluster that holds the body restored and written
	// again): fewer records, none of the first log's names.
	renewed := newIndexBody(t, "M0701", "Ernakulam", 0)
	src.set(old.code, renewed.app.Store, 0, true)
	replicationtest.Eventually(t, 60*time.Second, func() error {
		s, err := x.Status(old.code)
		if err != nil {
			return err
		}
		if s.Rebuilds == 0 || s.IndexSeq != renewed.app.Store.LastSeq() {
			return fmt.Errorf("status %+v", s)
		}
		return nil
	})
	st, _ := x.Stats()
	if st.Documents != 0 {
		t.Errorf("the replaced body's index holds %d documents, its new log none", st.Documents)
	}
	if got, res := stateFinds(t, x, SearchQuery{Text: text}); res.Total != 0 {
		t.Errorf("%q still finds %v of the replaced log", text, got)
	}
}

// TestIndex_AWriteCutShortAtTheHeadIsIndexedWhenItsChangeSetComes: a
// shipper part-way through a write leaves the state with the write's
// first events but not its change set (recorded under its last event);
// the index holds them without their files, and finds every file once the
// rest of the write comes.
func TestIndex_AWriteCutShortAtTheHeadIsIndexedWhenItsChangeSetComes(t *testing.T) {
	src := newFakeSource()
	x := openTestIndex(t, src, filepath.Join(t.TempDir(), IndexDir))
	st := bodyStore(t, 30, 10, "Sreekumar") // writes of events 1-10, 11-20, 21-30
	// The shipper has sent events 1-15: the second write's first half.
	src.set("T01", st, 15, false)
	waitIndexed(t, x)
	if found, res := stateFinds(t, x, SearchQuery{Text: "Sreekumar"}); len(found["T01"]) != 10 {
		t.Fatalf("with one write and half of another, the index finds %d files (%d in all), want the first write's 10", len(found["T01"]), res.Total)
	}
	src.set("T01", st, 0, false)
	waitIndexed(t, x)
	if found, res := stateFinds(t, x, SearchQuery{Text: "Sreekumar"}); len(found["T01"]) != 30 {
		t.Fatalf("with every write, the index finds %d files (%d in all), want 30", len(found["T01"]), res.Total)
	}
}
