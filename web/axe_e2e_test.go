package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"ksmart/appliance/synth"
)

// axeScript returns axe-core's browser script (axe.min.js): $KSMART_AXE,
// or the one in the global node_modules folder (.ci/run puts it there). Without
// it the test skips, saying what to install, except under
// KSMART_REQUIRE_ALL=1, where it fails.
func axeScript(t *testing.T) string {
	t.Helper()
	paths := []string{os.Getenv("KSMART_AXE")}
	if out, err := exec.Command("npm", "root", "-g").Output(); err == nil {
		paths = append(paths, filepath.Join(strings.TrimSpace(string(out)), "axe-core", "axe.min.js"))
	}
	paths = append(paths, "/usr/lib/node_modules/axe-core/axe.min.js", "/usr/local/lib/node_modules/axe-core/axe.min.js")
	for _, p := range paths {
		if p == "" {
			continue
		}
		if src, err := os.ReadFile(p); err == nil {
			return string(src)
		}
	}
	if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
		t.Fatal("the accessibility test needs axe-core: npm install -g axe-core (.ci/run does), or KSMART_AXE=/path/to/axe.min.js")
	}
	t.Skip("the accessibility test needs axe-core: npm install -g axe-core (.ci/run does), or KSMART_AXE=/path/to/axe.min.js")
	return ""
}

// runAxe runs axe-core on the browser's page against WCAG 2.1 A and AA.
func runAxe(t *testing.T, b *browser, axe, path string) []axeViolation {
	t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](axe+`;
		axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
			.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe on %s: %v", path, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe's answer on %s: %v", path, err)
	}
	return vs
}

// axeViolation is one rule axe found broken, with where.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// TestBrowser_AxeFindsNothingSeriousOnAnyPageInEitherLanguageOrWidth runs
// axe-core in Chromium on every page template, each as drawn for the role
// that first reached it (citizens, every office role, the kiosk, an
// auditor of the state), in Malayalam on a 360 px phone and in English on
// a desktop: no serious or critical violation (WCAG 2.1 A and AA, colour
// contrast included) may be found.
func TestBrowser_AxeFindsNothingSeriousOnAnyPageInEitherLanguageOrWidth(t *testing.T) {
	exe := chromium(t)
	axe := axeScript(t)
	env := newTestEnv(t)
	app := env.app
	logins, err := synth.SeedDemo(app, 12, 7, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedPropertyTax(app, env.gw, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedLicences(app, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedPermits(app, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedGrievances(app, 12, 7); err != nil {
		t.Fatal(err)
	}
	env.withMailbox(t)

	// First, over HTTP: one address for each page template, and who drew it.
	type visit struct{ login, password, path string }
	var mu sync.Mutex
	var current visit
	first := map[string]visit{}
	env.srv.rendered = func(name string) {
		mu.Lock()
		if _, ok := first[name]; !ok {
			first[name] = current
		}
		mu.Unlock()
	}
	who := []synth.Login{{}}
	who = append(who, logins...)
	for _, l := range who {
		c := env.newClient(t)
		if l.Login != "" {
			if r := c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"login": l.Login, "password": l.Password}); r.status != http.StatusOK {
				t.Fatalf("sign in as %s: %d", l.Login, r.status)
			}
		}
		pages := crawl(t, c, []string{"/", "/office", "/applications", "/kiosk", "/services", "/grievances", "/grievances/new", "/office/search", "/building-permits/scrutiny", "/demo/mailbox", "/demo/mailbox?channel=whatsapp"})
		paths := make([]string, 0, len(pages))
		for p := range pages {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		// Draw each again, one at a time, to know which template it is.
		for _, p := range paths {
			mu.Lock()
			current = visit{l.Login, l.Password, p}
			mu.Unlock()
			c.do(t, http.MethodGet, p, nil)
		}
	}
	env.srv.rendered = nil
	byLogin := map[string][]visit{}
	names := make([]string, 0, len(first))
	for name := range first {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := first[name]
		byLogin[v.login] = append(byLogin[v.login], v)
	}
	if len(names) < 40 {
		t.Fatalf("the crawl reached only %d page templates: %v", len(names), names)
	}

	// axe itself must see a fault where there is one: an image without
	// words, on a page of the same server (so under the same CSP).
	probe := newBrowserSized(t, exe, env.ts.URL, 360, 740)
	probe.run("open a page", chromedp.Navigate(probe.url+"/"))
	if _, err := chromedp.Run(probe.ctx, chromedp.Evaluate[bool](`document.querySelector("main").insertAdjacentHTML("beforeend", "<img src='/static/none.png'>"); true`)); err != nil {
		t.Fatal(err)
	}
	if vs := runAxe(t, probe, axe, "/"); !slices.ContainsFunc(vs, func(v axeViolation) bool { return v.ID == "image-alt" && v.Impact == "critical" }) {
		t.Fatalf("axe did not report an image without alt text as critical: %+v", vs)
	}

	var found []string
	for _, look := range []struct {
		lang          string
		width, height int
	}{{"ml", 360, 740}, {"en", 1280, 900}} {
		for login, visits := range byLogin {
			b := newBrowserSized(t, exe, env.ts.URL, look.width, look.height)
			b.run("choose "+look.lang, chromedp.Navigate(b.url+"/?lang="+look.lang))
			if login != "" {
				b.signIn(login, visits[0].password)
			}
			for _, v := range visits {
				b.run("open "+v.path, chromedp.Navigate(b.url+v.path), chromedp.WaitReady(chromedp.CSS("body")))
				for _, x := range runAxe(t, b, axe, v.path) {
					if x.Impact != "serious" && x.Impact != "critical" {
						continue
					}
					var where []string
					for _, n := range x.Nodes[:min(3, len(x.Nodes))] {
						where = append(where, fmt.Sprint(n.Target...))
					}
					found = append(found, fmt.Sprintf("%s %dpx %s as %q: %s (%s) at %s", look.lang, look.width, v.path, login, x.ID, x.Help, strings.Join(where, "; ")))
				}
			}
		}
	}
	for _, f := range found {
		t.Error(f)
	}
	t.Logf("axe checked %d page templates, each in Malayalam at 360 px and English at 1280 px", len(names))
}
