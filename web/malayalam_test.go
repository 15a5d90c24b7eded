package web

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/store"
)

// latinAllowed is every Latin word a Malayalam page may show besides
// proper nouns, numbers and codes: names of products and standards a
// person reads as they are. Keep it short; a word of the interface belongs
// in the message files instead.
var latinAllowed = map[string]bool{
	"ksmart": true, "WhatsApp": true, "UPI": true, "PDF": true, "QR": true, "OTP": true, "KYC": true,
	"SMS": true, "PIN": true, "IFSC": true, "Open311": true, "ID": true, "OpenStreetMap": true, "OSM": true, "m": true, // m is the metre, an SI symbol
	"e": true, // e-mail is ഇ-മെയിൽ; "e" survives in addresses
}

// latinRun is a run of Latin words, with what joins them in a phrase.
var latinRun = regexp.MustCompile(`[A-Za-z][A-Za-z'’]*(?:[ ,.&()-]+[A-Za-z][A-Za-z'’]*)*`)

// isoDate is a date as stored, which a page writes as dd-mm-yyyy.
var isoDate = regexp.MustCompile(`\b20[0-9]{2}-[01][0-9]-[0-3][0-9]\b`)

// codeLike is a whitespace-delimited token that is a number or a code
// (KS/DEMO01/2026/BIRTH/3, B-77/2019, 9847000001, demo@example.in, a URL).
var codeLike = regexp.MustCompile(`^[\p{L}\p{N}]*[0-9/@_:.=#][\p{L}\p{N}/@_:.=#?&+-]*$`)

// TestPages_MalayalamPagesShowNoEnglishForAnyRole signs in as every demo
// role (and no one), chooses Malayalam, and follows every link of the
// demo office's pages: no page may show a run of English words that is
// not a proper noun, a number, a code, the switch to English or one of
// latinAllowed. Text a page marks as another language (lang="en": a name
// or a note typed in English, the language switch) is left out, as a
// screen reader reads it in that language. Every page template must be
// drawn by the crawl, so that a new page cannot hide from the test.
func TestPages_MalayalamPagesShowNoEnglishForAnyRole(t *testing.T) {
	env := newTestEnv(t)
	app := env.app
	logins, err := synth.SeedDemo(app, 40, 7, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.SeedMoney(app, env.gw, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedPropertyTax(app, env.gw, 7); err != nil {
		t.Fatal(err)
	}
	lic, err := synth.SeedLicences(app, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedPermits(app, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SeedGrievances(app, 40, 7); err != nil {
		t.Fatal(err)
	}
	// Appeals at both levels and a penalty (after the rest, so that the
	// other seeds draw the same data as the demo's).
	if _, err := synth.SeedRTS(app); err != nil {
		t.Fatal(err)
	}
	env.srv.Demo = true
	env.withMailbox(t)
	var mu sync.Mutex
	drawn := map[string]bool{}
	env.srv.rendered = func(name string) {
		mu.Lock()
		drawn[name] = true
		mu.Unlock()
	}
	nouns := properNouns(t, env)

	who := []string{""}
	passwords := map[string]string{}
	for _, l := range logins {
		who = append(who, l.Login)
		passwords[l.Login] = l.Password
	}
	faults := map[string][]string{} // run → pages
	// Verification pages are reached by a document's QR code, not a link:
	// a licence in force and a receipt the crawl saw.
	if len(lic.ByStatus["active"]) == 0 {
		t.Fatalf("the demo has no licence in force: %+v", lic)
	}
	inForce, err := app.Licences.Licence(lic.ByStatus["active"][0])
	if err != nil || inForce.Certificate == "" {
		t.Fatalf("licence %s: %+v %v", lic.ByStatus["active"][0], inForce, err)
	}
	// And a birth or death certificate: the crawl reaches one's page from
	// a file only when its first two pages of that shape happen to be one.
	var civilCert string
	err = app.Store.View(func(tx *store.Tx) error {
		return tx.Scan("civil_certificate", store.ScanOptions{Limit: 1}, func(number string, _ []byte) error {
			civilCert = number
			return nil
		})
	})
	if err != nil || civilCert == "" {
		t.Fatalf("the demo has no birth or death certificate (%v)", err)
	}
	qr := []string{"/verify/" + inForce.Certificate, "/verify/" + civilCert}
	receiptSeen := false
	who = append(who, "qr") // a person who scanned a code, signed out
	for _, login := range who {
		c := env.newClient(t)
		if login != "" && login != "qr" {
			if r := c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"login": login, "password": passwords[login]}); r.status != http.StatusOK {
				t.Fatalf("sign in as %s: %d %s", login, r.status, r.body)
			}
		}
		c.header.Set("Cookie", "lang=ml")
		starts := []string{"/", "/office", "/applications", "/kiosk", "/services", "/grievances", "/grievances/new", "/office/search", "/building-permits/scrutiny"}
		if login == "qr" {
			starts = qr
		}
		pages := crawl(t, c, starts)
		if len(pages) < len(starts)/2 {
			t.Errorf("%s: the crawl drew only %d pages", login, len(pages))
		}
		for page, body := range pages {
			// The kiosk shows every label in both languages, each marked
			// with its lang, for whoever walks up to it.
			if !bytes.Contains(body, []byte(`<html lang="ml"`)) && !strings.HasPrefix(page, "/kiosk") {
				faults["(page language not Malayalam)"] = append(faults["(page language not Malayalam)"], login+" "+page)
			}
			for _, run := range englishRuns(body, nouns) {
				faults[run] = append(faults[run], login+" "+page)
			}
			if n, ok := strings.CutPrefix(page, "/office/receipts/"); ok && !receiptSeen {
				qr, receiptSeen = append(qr, "/receipts/verify/"+n), true
			}
		}
	}
	runs := make([]string, 0, len(faults))
	for r := range faults {
		runs = append(runs, r)
	}
	sort.Strings(runs)
	for _, r := range runs {
		pages := faults[r]
		t.Errorf("English %q on %d Malayalam pages, e.g. %s", r, len(pages), strings.Join(pages[:min(3, len(pages))], ", "))
	}

	// Pages drawn only after a POST (a form sent back with its mistakes, a
	// result) are drawn here by their GET twin or named below with why.
	notCrawled := map[string]string{
		"error.html":        "drawn by the error handler, not render",
		"forgot_reset.html": "after a recovery request is posted",
		"verify.html":       "only for a citizen who has not yet verified",
		"password.html":     "reached from the menu; covered when the crawl follows it",
		"kyc_call.html":     "needs a booked call",
		"pay_online.html":   "after choosing to pay",
		"receipt.html":      "after a payment",
		"kiosk_entry.html":  "a kiosk's search result, after a POST",
		"kiosk_copy.html":   "a kiosk's paid copy, after a POST",
		// The demo's logins sign in without two-step (it says so); these
		// pages are drawn in both languages by the two-step tests.
		"two_step.html":       "two-step sign-in is off in the demo",
		"two_step_setup.html": "two-step sign-in is off in the demo",
		"two_step_codes.html": "two-step sign-in is off in the demo",
	}
	var missing []string
	for _, tp := range env.srv.pages.Templates() {
		name := tp.Name()
		// A file's own template is only its defines unless it draws
		// something itself.
		empty := tp.Tree == nil || strings.TrimSpace(tp.Tree.Root.String()) == ""
		if strings.HasSuffix(name, ".html") && !empty && !drawn[name] && notCrawled[name] == "" {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the crawl never drew %v: link them from a page a role reaches, or name them in notCrawled with why", missing)
	}
}

// properNouns are the words of every name the demo holds in Latin letters:
// people, the local body, its district and wards. Names are shown as
// written; a Malayalam page does not transliterate them.
func properNouns(tb testing.TB, env *testEnv) map[string]bool {
	tb.Helper()
	out := map[string]bool{}
	add := func(s string) {
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '\'') }) {
			if w != "" && w[0] >= 'A' && w[0] <= 'Z' {
				out[w] = true
			}
		}
	}
	users, err := env.app.Identity.List("")
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range users {
		add(u.Name)
	}
	d := legacy.Names()
	var names []legacy.Name
	for _, g := range d.Given {
		names = append(names, g.Name)
	}
	for _, f := range d.Family {
		names = append(names, f.Name)
	}
	for _, n := range append(names, d.Initials...) {
		for _, sp := range n.Spellings() {
			add(sp)
		}
	}
	return out
}

// crawl follows same-site links from starts, GET only, drawing at most two
// pages of each shape (digits stand for any number), and returns each HTML
// page's body by its address.
func crawl(tb testing.TB, c *client, starts []string) map[string][]byte {
	tb.Helper()
	digits := regexp.MustCompile(`[0-9]+`)
	seen := map[string]bool{}
	shapes := map[string]int{}
	out := map[string][]byte{}
	queue := slices.Clone(starts)
	for len(queue) > 0 && len(out) < 600 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		u, _ := url.Parse(p)
		shape := digits.ReplaceAllString(u.Path, "N")
		if shapes[shape] >= 2 {
			continue
		}
		shapes[shape]++
		r := c.do(tb, http.MethodGet, p, nil)
		if r.status >= 500 {
			tb.Errorf("GET %s: %d", p, r.status)
		}
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			continue
		}
		out[p] = r.body
		for _, href := range links(r.body) {
			if next, ok := sameSite(u, href); ok && !seen[next] {
				queue = append(queue, next)
			}
		}
	}
	return out
}

// sameSite resolves href against the page and says whether to follow it:
// a page of this site, not a download, the sign-out or a language switch.
func sameSite(page *url.URL, href string) (string, bool) {
	ref, err := url.Parse(href)
	if err != nil || (ref.Scheme != "" && ref.Scheme != "http") {
		return "", false
	}
	abs := page.ResolveReference(ref)
	if ref.Host != "" || abs.Path == "" {
		return "", false
	}
	q := abs.Query()
	if q.Has("lang") {
		return "", false
	}
	for _, skip := range []string{"/static/", "/metrics", "/healthz", "/api/", "/open311/", "/signout"} {
		if strings.HasPrefix(abs.Path, skip) {
			return "", false
		}
	}
	for _, ext := range []string{".pdf", ".json", ".csv", ".png", ".jpg", ".svg", ".webm"} {
		if strings.HasSuffix(abs.Path, ext) {
			return "", false
		}
	}
	if strings.Contains(abs.Path, "/documents/") || strings.Contains(abs.Path, "/download") || strings.HasSuffix(abs.Path, "/pdf") ||
		strings.Contains(abs.Path, "/photo") || strings.Contains(abs.Path, "/recording") {
		return "", false
	}
	abs.Fragment = ""
	return abs.RequestURI(), true
}

func links(body []byte) []string {
	var out []string
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, has := z.TagName()
			if string(name) != "a" || !has {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "href" {
					out = append(out, string(v))
				}
				if !more {
					break
				}
			}
		}
	}
}

// englishRuns are the runs of Latin words a person reads on the page
// (text, the title, labels in attributes, buttons' values) outside any
// element marked as another language, less proper nouns, codes and
// latinAllowed.
func englishRuns(body []byte, nouns map[string]bool) []string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return []string{"unparsable page: " + err.Error()}
	}
	var texts []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "lang" && a.Val != "ml" {
					return
				}
			}
			// A login, a key or a command is a code: shown in <code>.
			if n.Data == "script" || n.Data == "style" || n.Data == "svg" || n.Data == "code" || n.Data == "kbd" {
				return
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "title", "placeholder", "aria-label", "alt":
					texts = append(texts, a.Val)
				case "value":
					if n.Data == "input" && slices.ContainsFunc(n.Attr, func(x html.Attribute) bool {
						return x.Key == "type" && (x.Val == "submit" || x.Val == "button")
					}) {
						texts = append(texts, a.Val)
					}
				}
			}
		}
		if n.Type == html.TextNode {
			texts = append(texts, n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	var out []string
	for _, text := range texts {
		if d := isoDate.FindString(text); d != "" {
			out = append(out, "ISO date "+d)
		}
		var kept []string
		for _, tok := range strings.Fields(text) {
			if codeLike.MatchString(strings.Trim(tok, "()[];,:“”\"'")) {
				continue
			}
			kept = append(kept, tok)
		}
		for _, run := range latinRun.FindAllString(strings.Join(kept, " "), -1) {
			english := false
			for _, w := range strings.FieldsFunc(run, func(r rune) bool { return strings.ContainsRune(" ,.&()-", r) }) {
				if !latinAllowed[w] && !nouns[w] && !(len(w) > 1 && strings.ToUpper(w) == w) {
					english = true
				}
			}
			if english {
				out = append(out, run)
			}
		}
	}
	return out
}
