package web

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ksmart/appliance/domain"
	"ksmart/appliance/kyc"
	"ksmart/appliance/messaging"
	"ksmart/internal/needs"
)

// marriageFromAbroad is a marriage registration form from abroad: groom
// and bride named, two witnesses, married ten days before 1 Dec 2026.
func marriageFromAbroad(groom, bride string) *multipartBody {
	return &multipartBody{fields: map[string]string{
		"date_of_marriage": "2026-11-21", "place_of_marriage": "St. Mary's Church, Kollam", "ward": "1", "applying_from": "abroad",
		"groom_name_en": groom, "groom_dob": "1992-04-10", "groom_address": "Thekkethil House, Kollam",
		"bride_name_en": bride, "bride_dob": "1995-03-02", "bride_address": "Puthenveedu, Kollam",
		"witness1_name_en": "Joseph Mathew", "witness1_address": "Mathew Villa, Kollam",
		"witness2_name_en": "Rekha Nair", "witness2_address": "Nair House, Kollam", "phone": "9847000001"},
		files: map[string][]byte{"form_i": tinyPDF, "bride_age_proof": tinyPDF, "groom_age_proof": tinyPDF, "marriage_proof": tinyPDF, "photographs": tinyPDF, "witness_id": tinyPDF}}
}

// kycChromium is a browser with a fake camera and microphone that WebRTC
// may connect over loopback.
func kycChromium(t *testing.T, exe, baseURL string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true), chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(900, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, url: baseURL}
}

// TestVideoKYC_ACitizenAbroadIsVerifiedOnARecordedCallAndRegistersHerMarriage:
// a nurse in Dubai applies to register her marriage from abroad; the
// application is kept with its three documents and she books a slot,
// shown in Kerala time and hers, and gets a message with the link. She and
// the registrar join from their browsers (fake camera and microphone),
// connected through ksmart's pion relay; the registrar takes a snapshot,
// completes the checklist and verifies. The recording is kept on the
// node, its SHA-256 in the outcome, and ffprobe reads every track. She
// continues her kept application, which is now taken. The same
// verification unlocks no one else's file.
func TestVideoKYC_ACitizenAbroadIsVerifiedOnARecordedCallAndRegistersHerMarriage(t *testing.T) {
	exe := chromium(t)
	ffprobe := needs.Tool(t, "ffmpeg", "ffprobe")
	env := newTestEnvAt(t, time.Date(2026, 12, 1, 10, 55, 0, 0, kyc.Kerala)).withRoles(t, domain.RoleRegistrar)
	nurse := env.addCitizen(t, citizenA, "9847000001", "Anitha Kumari")
	env.addCitizen(t, citizenB, "9847000002", "Biju Thomas")
	if err := env.app.KYC.SetICE(kyc.ICE{LoopbackOnly: true}); err != nil {
		t.Fatal(err)
	}

	r := env.signIn(t, citizenA).do(t, "POST", "/services/marriage_registration/apply", marriageFromAbroad("Rahul Thomas", "Anitha Kumari"))
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/kyc/") {
		t.Fatalf("applying from abroad without KYC: %d %s %s", r.status, loc, r.body)
	}
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/kyc/")

	citizen := kycChromium(t, exe, env.ts.URL)
	citizen.signIn("9847000001", testPassword)
	citizen.run("open the kept application's booking", chromedp.Navigate(citizen.url+loc+"&tz=Asia/Dubai"), chromedp.WaitVisible(chromedp.CSS("#slot-0")))
	if page := citizen.text(); !strings.Contains(page, "kept as a draft") || !strings.Contains(page, "6 documents kept") {
		t.Errorf("the booking page says: %s", page)
	}
	citizen.run("book the first free time", chromedp.Click(chromedp.CSS("#slot-0")), citizen.submit(`#kyc-book button[type=submit]`))
	if slot := citizen.textOf("#kyc-slot"); !strings.Contains(slot, "11:00–11:20") || !strings.Contains(slot, "09:30–09:50 (Asia/Dubai)") {
		t.Errorf("the booked slot reads: %s", slot)
	}
	msg, ok := messaging.Latest(env.app.Store, nurse.ID, messaging.KindNotice)
	if !ok || !strings.Contains(msg.Body.En, "/kyc/"+id) || !strings.Contains(msg.Body.En, "09:30") || !strings.Contains(msg.Body.En, "Kerala time") {
		t.Errorf("the booking's message: %+v", msg)
	}

	officer := kycChromium(t, exe, env.ts.URL)
	officer.signIn("registrar", testPassword)
	citizen.run("the citizen joins", chromedp.Click(chromedp.CSS("#kyc-join")))
	officer.run("the registrar opens the call", chromedp.Navigate(officer.url+"/office/kyc/"+id), chromedp.WaitVisible(chromedp.CSS("#kyc-join")))
	if app := officer.textOf("#kyc-application"); !strings.Contains(app, "Anitha Kumari") || !strings.Contains(app, "2 March 1995") {
		t.Errorf("the registrar does not see the application to compare the passport with: %s", app)
	}
	began := time.Now()
	officer.run("the registrar joins and sees the citizen",
		chromedp.Click(chromedp.CSS("#kyc-join")),
		chromedp.WaitVisible(chromedp.CSS(`#kyc-call[data-state=connected]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#kyc-remote").videoWidth > 0`))
	setup := time.Since(began)
	citizen.run("the citizen sees the registrar", chromedp.Poll[chromedp.Void](`document.querySelector("#kyc-remote").videoWidth > 0`))
	officer.run("a few seconds of call", chromedp.Poll[chromedp.Void](`document.querySelector("#kyc-remote").currentTime > 3`))
	t.Logf("call set up (the registrar's click to the citizen's video shown, as the test sees it) in %v; in the registrar's page: connected %s ms and first picture %s ms after the click",
		setup.Round(time.Millisecond), eval[string](officer, `String(document.querySelector("#kyc-call").dataset.connectedAt - document.querySelector("#kyc-call").dataset.joinAt)`),
		eval[string](officer, `String(document.querySelector("#kyc-call").dataset.pictureAt - document.querySelector("#kyc-call").dataset.joinAt)`))
	if s := officer.textOf("#kyc-status"); !strings.Contains(s, "being recorded") {
		t.Errorf("the officer's status: %s", s)
	}
	officer.run("take a snapshot of the passport", chromedp.Click(chromedp.CSS("#kyc-snapshot")), chromedp.WaitVisible(chromedp.CSS("#kyc-snapshots li")))
	officer.run("complete the checklist and verify",
		chromedp.SendKeys(chromedp.CSS("#f-id_document"), "Passport Z1234567"),
		chromedp.Click(chromedp.CSS("#f-id_matches")),
		chromedp.Click(chromedp.CSS("#f-appeared-groom_name")), chromedp.Click(chromedp.CSS("#f-appeared-bride_name")),
		chromedp.Click(chromedp.CSS("#f-appeared-witness1_name")), chromedp.Click(chromedp.CSS("#f-appeared-witness2_name")),
		chromedp.Click(chromedp.CSS("#f-consent_read")), chromedp.Click(chromedp.CSS("#f-verified")),
		officer.submit(`#kyc-checklist button[type=submit]`))
	if out := officer.textOf("#kyc-outcome"); !strings.Contains(out, "Identity verified by Registrar") {
		t.Fatalf("after the checklist: %s", officer.text())
	}
	if n := eval[int](officer, unlabelled); n != 0 {
		t.Errorf("%d form controls have no label", n)
	}

	b, err := env.app.KYC.Booking(env.users["registrar"].Actor(), id)
	if err != nil || len(b.Recordings) != 1 || b.Outcome == nil || !b.Outcome.Verified {
		t.Fatalf("the booking after the call: %+v %v", b, err)
	}
	rec := b.Recordings[0]
	if !strings.Contains(officer.textOf("#kyc-recordings"), rec.SHA256) {
		t.Errorf("the office page does not show the recording's SHA-256")
	}
	data, err := os.ReadFile(env.app.KYC.RecordingFile(rec.SHA256))
	if err != nil || len(data) == 0 {
		t.Fatalf("the recording on disk: %d bytes, %v", len(data), err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != rec.SHA256 {
		t.Errorf("the recording's bytes do not hash to the SHA-256 recorded")
	}
	frames := probeRecording(t, ffprobe, data)
	// Each joining is a part numbered in the order the parties joined,
	// which the two browsers race for: count each party's frames by side.
	for _, want := range []string{"-citizen-audio.ogg", "-citizen-video.ivf", "-officer-audio.ogg", "-officer-video.ivf"} {
		n := 0
		for name, f := range frames {
			if strings.HasSuffix(name, want) {
				n += f
			}
		}
		if n < 20 {
			t.Errorf("the recording's %s tracks hold %d frames; want a few seconds' worth (all: %v)", want[1:], n, frames)
		}
	}
	t.Logf("recording %s: %d bytes, frames %v", rec.SHA256[:12], rec.Bytes, frames)

	officer.run("the office's list of calls", chromedp.Navigate(officer.url+"/office/kyc"), chromedp.WaitVisible(chromedp.CSS("main table")))
	if list := officer.text(); !strings.Contains(list, b.Number) || !strings.Contains(list, "Verified") || !strings.Contains(list, "Anitha Kumari") {
		t.Errorf("the office's list of calls: %s", list)
	}
	citizen.run("continue the kept application",
		chromedp.Navigate(citizen.url+"/kyc/"+id), chromedp.WaitVisible(chromedp.CSS("#kyc-resume")),
		chromedp.Click(chromedp.CSS("#kyc-resume")), chromedp.WaitVisible(chromedp.CSS("#kyc-draft")),
		citizen.submit(`form[enctype] button[type=submit]`))
	if page := citizen.text(); !strings.Contains(page, "KS/") || !strings.Contains(page, "Marriage registration") {
		t.Fatalf("after submitting the kept application: %s", page)
	}
	citizen.evidence("kyc-citizen-submitted.png")

	t.Run("a verification unlocks no other person's file", func(t *testing.T) {
		for _, tc := range []struct {
			who, groom, bride string
		}{{citizenB, "Rahul Thomas", "Anitha Kumari"}, {citizenA, "Suresh Babu", "Meera Das"}} {
			r := env.signIn(t, tc.who).do(t, "POST", "/services/marriage_registration/apply", marriageFromAbroad(tc.groom, tc.bride))
			if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/kyc/") || strings.HasPrefix(r.header.Get("Location"), "/kyc/"+id+"?") {
				t.Errorf("%s applying for %s and %s: %d %s; want a new KYC asked for", tc.who, tc.groom, tc.bride, r.status, r.header.Get("Location"))
			}
		}
		other := kycChromium(t, exe, env.ts.URL)
		other.signIn("9847000002", testPassword)
		other.run("open the nurse's link", chromedp.Navigate(other.url+"/kyc/"+id), chromedp.WaitVisible(chromedp.CSS("main")))
		if page := other.text(); !strings.Contains(page, "link was sent to another account") {
			t.Errorf("someone else opening the link sees: %s", page)
		}
	})
}

// probeRecording unpacks a recording and counts each track's frames with
// ffprobe, which must read every file.
func probeRecording(t *testing.T, ffprobe string, data []byte) map[string]int {
	t.Helper()
	dir := t.TempDir()
	out := map[string]int{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		path := filepath.Join(dir, h.Name)
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := exec.Command(ffprobe, "-v", "error", "-count_frames", "-select_streams", "0", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", path).CombinedOutput()
		if err != nil {
			t.Errorf("ffprobe cannot read %s: %v %s", h.Name, err, res)
			continue
		}
		f := strings.Split(strings.TrimSpace(string(res)), ",")
		n, _ := strconv.Atoi(f[len(f)-1])
		out[h.Name] = n
	}
	return out
}
