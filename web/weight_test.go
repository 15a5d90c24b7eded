package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// TestPages_CompressedAndTheStylesheetCachedByItsFingerprint: a browser
// that takes gzip gets pages and the stylesheet compressed; the page names
// the stylesheet by its fingerprint, which may be kept for a year, while
// the bare address must be checked again.
func TestPages_CompressedAndTheStylesheetCachedByItsFingerprint(t *testing.T) {
	env := newTestEnv(t)
	c := env.newClient(t)
	c.header.Set("Accept-Encoding", "gzip")
	home := c.do(t, http.MethodGet, "/services", nil)
	if home.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("/services: Content-Encoding %q, want gzip", home.header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(home.body))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(zr)
	if len(home.body)*2 > len(page) {
		t.Errorf("/services: %d bytes gzipped of %d: less than half saved", len(home.body), len(page))
	}
	css := regexp.MustCompile(`href="(/static/ksmart\.css\?v=[0-9a-f]{12})"`).FindSubmatch(page)
	if css == nil {
		t.Fatalf("the page names no fingerprinted stylesheet:\n%.600s", page)
	}
	r := c.do(t, http.MethodGet, string(css[1]), nil)
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "public, max-age=31536000, immutable" || r.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("%s: %d, Cache-Control %q, Content-Encoding %q; want 200, a year, gzip", css[1], r.status, r.header.Get("Cache-Control"), r.header.Get("Content-Encoding"))
	}
	for _, p := range []string{"/static/ksmart.css", "/static/ksmart.css?v=0123456789ab"} {
		if r := c.do(t, http.MethodGet, p, nil); r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d, Cache-Control %q; want 200 and no-cache (an old or no fingerprint)", p, r.status, r.header.Get("Cache-Control"))
		}
	}
}

// TestMessages_ACitizenWithManyMessagesReadsThemTenAPageNewestFirst: the
// messages page stays small however many messages a citizen has, and
// every message is reachable through the pages.
func TestMessages_ACitizenWithManyMessagesReadsThemTenAPageNewestFirst(t *testing.T) {
	env := newTestEnv(t).withRoles(t)
	u := env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	const n = 35
	if _, err := env.app.Store.Write(func(tx *store.Tx) error {
		for i := range n {
			if _, err := messaging.Queue(tx, env.app.Now(), messaging.Message{To: u.ID, Kind: messaging.KindNotice,
				Subject: domain.T(fmt.Sprintf("Notice %02d", i+1), fmt.Sprintf("അറിയിപ്പ് %02d", i+1)), Body: domain.T("Text.", "വാചകം.")}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := env.signIn(t, citizenA)
	seen := map[string]bool{}
	next := "/messages?lang=en"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("more than 5 pages for 36 messages")
		}
		r := c.do(t, http.MethodGet, next, nil)
		got := regexp.MustCompile(`Notice \d\d`).FindAllString(string(r.body), -1)
		if len(got) > messagesPage {
			t.Errorf("%s shows %d messages, want at most %d", next, len(got), messagesPage)
		}
		if pages == 0 && (len(got) == 0 || got[0] != fmt.Sprintf("Notice %02d", n)) {
			t.Errorf("the first page starts with %v, want the newest, Notice %02d", got, n)
		}
		for _, g := range got {
			seen[g] = true
		}
		m := regexp.MustCompile(`href="(/messages\?page=\d+)" rel="next"`).FindSubmatch(r.body)
		next = ""
		if m != nil {
			next = strings.ReplaceAll(string(m[1]), "&amp;", "&")
		}
	}
	if len(seen) != n {
		t.Errorf("the pages showed %d of the %d notices", len(seen), n)
	}
}
