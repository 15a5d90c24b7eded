package stateview_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ksmart/appliance"
	"ksmart/appliance/synth"
	"ksmart/replication"
	"ksmart/replication/replicationtest"
	"ksmart/stateview"
)

// TestStateView_AxeFindsNothingSeriousOnItsPages runs axe-core in Chromium
// on the state view's pages (overview, district, body, search, a
// verification, the no-mirrors page) at 360 px and at 1280 px: no serious
// or critical violation of WCAG 2.1 A and AA. The pages are fetched with
// the state IT client's certificate and shown to Chromium from a plain
// local server, as they are self-contained (their style is inline).
func TestStateView_AxeFindsNothingSeriousOnItsPages(t *testing.T) {
	exe := stateChromium(t)
	axe := stateAxe(t)
	bodies := seedBodies(t)
	view := stateview.New(stateview.Config{Figures: &stateview.FiguresConfig{}, Index: &stateview.IndexConfig{}, Logger: replicationtest.Logger(t)})
	c := replicationtest.New(t, 1, func(_ int, cfg *replication.Config) { cfg.Extension = view })
	for _, b := range bodies {
		shipBody(t, c.Client(b.code), b.app.Store, 1)
	}
	// A third data directory under M0701's code forks its log, so that the
	// pages draw their "Needs attention" table too.
	lb := synth.DemoLocalBody()
	lb.Code = "M0701"
	other, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	evs, changes, err := other.Store.ReadReplica(1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Client("M0701").ShipReplica(t.Context(), evs, changes); err == nil {
		t.Fatal("the other directory's log was accepted")
	}
	n := c.WaitLeader()
	admin := c.HTTP(replication.KindAdmin, "stateit")
	replicationtest.Eventually(t, 60*time.Second, func() error { return errors.Join(view.CaughtUp(), view.Index().CaughtUp()) })
	pages := map[string]string{}
	for _, p := range []string{"/state", "/state/districts/ernakulam", "/state/bodies/M0701", "/state/search?q=Anagha", "/state/verify/M0701-BC-2026-999999"} {
		st, page := getPage(t, admin, n, p)
		if st >= 500 || !strings.Contains(page, "<html") {
			t.Fatalf("%s: %d", p, st)
		}
		pages[p] = page
	}
	if !strings.Contains(pages["/state"], `id="attention"`) {
		t.Fatal("the overview draws no attention table for the forked body")
	}
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, pages[r.URL.RequestURI()])
	}))
	t.Cleanup(local.Close)

	probed := false
	for _, width := range []int64{360, 1280} {
		ctx := stateBrowser(t, exe)
		for p := range pages {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(local.URL+p), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
				t.Fatalf("open %s: %v", p, err)
			}
			if !probed {
				// axe must see a fault where there is one.
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.insertAdjacentHTML("beforeend", "<img src='x.png'>"); true`)); err != nil {
					t.Fatal(err)
				}
				if vs := stateRunAxe(t, ctx, axe); !slices.ContainsFunc(vs, func(v stateViolation) bool { return v.ID == "image-alt" }) {
					t.Fatalf("axe did not report an image without alt text: %+v", vs)
				}
				probed = true
				chromedp.Do(ctx, chromedp.Navigate(local.URL+p), chromedp.WaitReady(chromedp.CSS("body")))
			}
			for _, v := range stateRunAxe(t, ctx, axe) {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%dpx %s: %s (%s) at %v", width, p, v.ID, v.Help, v.Nodes)
				}
			}
		}
	}
}

type stateViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

func stateRunAxe(t *testing.T, ctx context.Context, axe string) []stateViolation {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](axe+`;
		axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
			.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	var vs []stateViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func stateBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// stateChromium and stateAxe find Chromium and axe-core's script, or skip
// saying what to install (fail under KSMART_REQUIRE_ALL=1), as the web
// package's browser tests do.
func stateChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	stateMissing(t, "browser tests need Chromium: apt-get install chromium (CI installs it)")
	return ""
}

func stateAxe(t *testing.T) string {
	t.Helper()
	paths := []string{os.Getenv("KSMART_AXE"), "/usr/lib/node_modules/axe-core/axe.min.js", "/usr/local/lib/node_modules/axe-core/axe.min.js"}
	if out, err := exec.Command("npm", "root", "-g").Output(); err == nil {
		paths = append(paths, filepath.Join(strings.TrimSpace(string(out)), "axe-core", "axe.min.js"))
	}
	for _, p := range paths {
		if src, err := os.ReadFile(p); p != "" && err == nil {
			return string(src)
		}
	}
	stateMissing(t, "the accessibility test needs axe-core: npm install -g axe-core (.ci/run does), or KSMART_AXE=/path/to/axe.min.js")
	return ""
}

func stateMissing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
