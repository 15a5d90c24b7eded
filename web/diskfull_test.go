package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
)

// smallDisk mounts a tmpfs of size MiB under a temporary directory and
// returns its path; it is unmounted when the test ends. Mounting needs
// root (CI runs as root): without it the test skips saying so, or fails
// under KSMART_REQUIRE_ALL=1.
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "mounting a small tmpfs to fill needs root (CI runs as root)"
	} else if _, err := exec.LookPath("mount"); err != nil {
		why = "mounting a small tmpfs needs mount(8): apt-get install mount"
	}
	mnt := filepath.Join(t.TempDir(), "disk")
	if why == "" {
		if err := os.Mkdir(mnt, 0o700); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", size), "tmpfs", mnt).CombinedOutput(); err != nil {
			why = fmt.Sprintf("mounting a tmpfs failed (%v: %s); the test needs a machine that may mount one", err, bytes.TrimSpace(out))
		}
	}
	if why != "" {
		if os.Getenv("KSMART_REQUIRE_ALL") == "1" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
	})
	return mnt
}

// fill writes a file in dir until the disk is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	// The last few bytes too, so that no page is left.
	for _, n := range []int{4096, 512, 1} {
		for {
			if _, err := f.Write(chunk[:n]); err != nil {
				break
			}
		}
	}
	return path
}

// eventually retries fn until it returns nil or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Issue 20, failure 2: a full disk gives clients a clear answer and never
// takes the process down; when space returns, writes and search work again
// without a restart.
func TestDiskFull_ClientsGet507AndEverythingWorksAgainWhenSpaceReturns(t *testing.T) {
	disk := smallDisk(t, 48)
	env := openTestEnvIn(t, filepath.Join(disk, "data"), func(cfg *appliance.Config) { cfg.RetryAfter = 100 * time.Millisecond })
	env.withRoles(t, domain.RoleRegistrar, domain.RoleAdmin)
	env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	citizen, registrar, admin := env.signIn(t, citizenA), env.signIn(t, string(domain.RoleRegistrar)), env.signIn(t, string(domain.RoleAdmin))
	// Two documents of 2 MB each: a write that needs new pages, which a
	// full disk cannot give.
	doc := append(bytes.Clone(tinyPDF), make([]byte, 2<<20)...)
	apply := func(c *client, accept string) *response {
		if accept != "" {
			c.header.Set("Accept", accept)
			defer c.header.Del("Accept")
		}
		path := "/api/v1/applications"
		if accept != "" {
			path = "/services/event_noc/apply"
		}
		return c.do(t, "POST", path, &multipartBody{fields: eventNOC(), files: map[string][]byte{"venue_consent": doc, "organiser_id": doc}})
	}

	filler := fill(t, disk)
	// The indexer starts on a full disk, with the register's births to
	// index: Bleve cannot write them.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go env.app.Run(ctx)

	r := apply(citizen, "")
	if r.status != 507 || !strings.Contains(string(r.body), `"code":"insufficient_storage"`) || !strings.Contains(string(r.body), "run out of disk space") || !strings.Contains(string(r.body), "ഡിസ്ക് സ്ഥലം തീർന്നതിനാൽ") {
		t.Fatalf("applying on a full disk: %d %s; want 507 saying so in both languages", r.status, r.body)
	}
	// The page says it in the language the person reads.
	for lang, want := range map[string]string{"en": "run out of disk space, so nothing was saved", "ml": "ഡിസ്ക് സ്ഥലം തീർന്നതിനാൽ ഒന്നും സേവ് ചെയ്തിട്ടില്ല"} {
		citizen.header.Set("Cookie", "lang="+lang)
		r = apply(citizen, "text/html")
		citizen.header.Del("Cookie")
		if r.status != 507 || !strings.Contains(string(r.body), want) {
			t.Fatalf("applying from the page (%s) on a full disk: %d %s; want a 507 page saying %q", lang, r.status, r.body, want)
		}
	}
	eventually(t, 20*time.Second, "the indexer meets the full disk and sets the index aside", func() error {
		if h := env.app.Health(); !h.IndexBroken {
			return fmt.Errorf("health %+v", h)
		}
		return nil
	})
	if r := admin.do(t, "GET", "/admin/users", nil); r.status != 200 || !strings.Contains(string(r.body), `id="disk-full"`) || !strings.Contains(string(r.body), `id="index-broken"`) {
		t.Fatalf("the admin page on a full disk: %d; want it to say the disk is full and the index waits", r.status)
	}
	if r := env.newClient(t).do(t, "GET", "/metrics", nil); !strings.Contains(string(r.body), "\nksmart_disk_full 1\n") || !strings.Contains(string(r.body), "\nksmart_search_index_broken 1\n") {
		t.Fatalf("/metrics on a full disk lacks ksmart_disk_full 1 and ksmart_search_index_broken 1")
	}

	// Space returns: no restart.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	var number string
	eventually(t, 20*time.Second, "an application is taken once space returns", func() error {
		r := apply(citizen, "")
		if r.status != 201 {
			return fmt.Errorf("%d %s", r.status, r.body)
		}
		var f struct{ Number string }
		r.json(t, &f)
		number = f.Number
		return nil
	})
	eventually(t, 30*time.Second, "the index is rebuilt and finds the register and the new file", func() error {
		var a searchAnswer
		r := registrar.do(t, "POST", "/api/v1/search", map[string]any{"text": "Anagha"})
		if r.status != 200 {
			return fmt.Errorf("%d %s", r.status, r.body)
		}
		r.json(t, &a)
		if a.Total < 2 {
			return fmt.Errorf("found %d births of Anagha, want the register's 2", a.Total)
		}
		r = registrar.do(t, "POST", "/api/v1/search", map[string]any{"text": number})
		if r.status != 200 || !strings.Contains(string(r.body), number) {
			return fmt.Errorf("the new file %s: %d %s", number, r.status, r.body)
		}
		return nil
	})
	if h := env.app.Health(); h.DiskFull || h.IndexBroken {
		t.Fatalf("health after space returned: %+v", h)
	}
	if r := env.newClient(t).do(t, "GET", "/metrics", nil); !strings.Contains(string(r.body), "\nksmart_disk_full 0\n") {
		t.Fatalf("/metrics after space returned still says the disk is full")
	}
}
