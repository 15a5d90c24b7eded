package web

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

func TestMessages_EveryTemplateMessageExistsInBothLanguages(t *testing.T) {
	msgs, err := loadMessages()
	if err != nil {
		t.Fatal(err)
	}
	// A message is used as {{t .Lang "id"}}, or in both languages side
	// by side as the kiosk shows every label: {{template "bi" "id"}}.
	used := regexp.MustCompile(`\{\{(?:t \S+|template "bi") "([a-z0-9_]+)"\}\}`)
	tUsed := regexp.MustCompile(`\{\{t \S+ "[a-z0-9_]+"\}\}`)
	seen := map[string]bool{}
	err = fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, _ := fs.ReadFile(templateFS, path)
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
			if _, ok := msgs["en"][m[1]]; !ok {
				t.Errorf("%s uses message %q, which the message files lack", path, m[1])
			}
		}
		if strings.Contains(string(src), `{{t .Lang "`) && len(tUsed.FindAllString(string(src), -1)) != strings.Count(string(src), "{{t ") {
			t.Errorf("%s has a {{t ...}} that does not name one message", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A page's title names a message too: s.render(c, status, "x.html",
	// "id" or "id "+number, ...).
	titled := regexp.MustCompile(`(?:render\(c, [^,]+, [^,]+|page\(c), "([a-z0-9_]+)[ "]`)
	gofiles, _ := filepath.Glob("*.go")
	for _, path := range gofiles {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(path)
		for _, m := range titled.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
			if _, ok := msgs["en"][m[1]]; !ok {
				t.Errorf("%s titles a page with message %q, which the message files lack", path, m[1])
			}
		}
	}
	for id, text := range msgs["ml"] {
		if !seen[id] {
			t.Errorf("message %q is in the files but no template uses it", id)
		}
		if !strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Malayalam, r) }) {
			t.Errorf("the Malayalam of %q has no Malayalam in it: %q", id, text)
		}
	}
}

// TestLanguageSwitch_KeepsThePageAndItsQuery: switching the language of a
// status looked up shows the same status in the other language, not the
// blank form.
func TestLanguageSwitch_KeepsThePageAndItsQuery(t *testing.T) {
	env := newTestEnv(t)
	c := env.newClient(t)
	r := c.do(t, http.MethodGet, "/status?number=KS%2FDEMO01%2F2026%2FBR%2F7&lang=en", nil)
	want := `href="/status?lang=ml&amp;number=KS%2FDEMO01%2F2026%2FBR%2F7" lang="ml"`
	if !strings.Contains(string(r.body), want) {
		t.Errorf("the switch to Malayalam is not %s:\n%.1500s", want, r.body)
	}
}
