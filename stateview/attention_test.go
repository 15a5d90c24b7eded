package stateview_test

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/replication"
	"ksmart/replication/replicationtest"
	"ksmart/stateview"
)

// TestStateView_ForksAndSilentBodiesAreNamedFirstOnTheOverviewAndTheirDistrict:
// a body whose log forks (another data directory shipped under its code)
// and a body the state has heard nothing from for five days are listed
// under "Needs attention" at the top of the overview and of their own
// district's page — the fork with its event and since when, the silence
// in days — and the tables give each body's last received date as
// dd-mm-yyyy; before the five days, only the fork is listed.
func TestStateView_ForksAndSilentBodiesAreNamedFirstOnTheOverviewAndTheirDistrict(t *testing.T) {
	var shift atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	view := stateview.New(stateview.Config{Figures: &stateview.FiguresConfig{}, Index: &stateview.IndexConfig{}, Logger: replicationtest.Logger(t), Now: now})
	c := replicationtest.New(t, 1, func(_ int, cfg *replication.Config) { cfg.Extension = view })
	open := func(code, name, district, districtMl string) *appliance.Appliance {
		lb := synth.DemoLocalBody()
		lb.Code, lb.Name, lb.District = code, domain.T(name, name), domain.T(district, districtMl)
		app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { app.Close() })
		return app
	}
	forked := open("M0701", "Aluva Municipality (test)", "Ernakulam", "എറണാകുളം")
	quiet := open("G0802", "Mala Grama Panchayat (test)", "Thrissur", "തൃശൂർ")
	shipBody(t, c.Client("M0701"), forked.Store, 1)
	shipBody(t, c.Client("G0802"), quiet.Store, 1)
	// Another data directory under M0701's code: its first event differs.
	other := open("M0701", "Aluva Municipality (test)", "Ernakulam", "എറണാകുളം")
	evs, changes, err := other.Store.ReadReplica(1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Client("M0701").ShipReplica(t.Context(), evs, changes); err == nil {
		t.Fatal("the other directory's log was accepted")
	}
	n := c.WaitLeader()
	replicationtest.Eventually(t, 60*time.Second, func() error { return view.CaughtUp() })
	admin := c.HTTP(replication.KindAdmin, "stateit")

	attention := func(page string) string {
		i := strings.Index(page, `id="attention-title"`)
		j := strings.Index(page, "</section>")
		if i < 0 || j < i {
			t.Fatalf("no attention section:\n%s", page)
		}
		return page[i:j]
	}
	_, page := getPage(t, admin, n, "/state")
	got := attention(page)
	if !strings.Contains(got, "Aluva Municipality (test)") || !regexp.MustCompile(`Forked at event.*</span> 1</strong>, since .*\d\d-\d\d-\d{4}`).MatchString(got) || strings.Contains(got, "Mala") {
		t.Fatalf("the overview's attention section before five days:\n%s", got)
	}
	if !strings.Contains(page, `href="/state/bodies/M0701#forks"`) || !regexp.MustCompile(`<td>\d\d-\d\d-20\d\d</td>`).MatchString(page) {
		t.Fatalf("the overview links the fork to the body's forks and dates the last receipt as dd-mm-yyyy:\n%s", page)
	}

	shift.Store(int64(5*24*time.Hour + time.Hour))
	_, page = getPage(t, admin, n, "/state")
	got = attention(page)
	if strings.Index(got, "Aluva") > strings.Index(got, "Mala") || !strings.Contains(got, "nothing for") || !strings.Contains(got, " 5 days") {
		t.Fatalf("the overview's attention section after five days (the fork first, then the silent body):\n%s", got)
	}
	_, page = getPage(t, admin, n, "/state/districts/thrissur")
	got = attention(page)
	if !strings.Contains(got, "Mala Grama Panchayat (test)") || strings.Contains(got, "Aluva") {
		t.Fatalf("Thrissur's attention section:\n%s", got)
	}
	var ov struct {
		Attention []struct {
			Code       string `json:"code"`
			Forks      int    `json:"forks"`
			ForkAt     uint64 `json:"fork_at"`
			SilentDays int    `json:"silent_days"`
		} `json:"attention"`
	}
	if st := getJSON(t, admin, n, "/state/api/overview", &ov); st != http.StatusOK || len(ov.Attention) != 2 || ov.Attention[0].Code != "M0701" || ov.Attention[0].ForkAt != 1 || ov.Attention[1].SilentDays != 5 {
		t.Fatalf("the overview's JSON: %d %+v", st, ov.Attention)
	}
}
