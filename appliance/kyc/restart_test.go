package kyc_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/kyc"
	"ksmart/appliance/synth"
)

// pipeSignal is the relay's end of a signalling channel whose other end a
// test drives as a browser would: fromPeer carries the browser's messages,
// toPeer the relay's.
type pipeSignal struct {
	fromPeer chan kyc.Message
	toPeer   chan kyc.Message
	closed   chan struct{}
}

func newPipe() *pipeSignal {
	return &pipeSignal{fromPeer: make(chan kyc.Message, 64), toPeer: make(chan kyc.Message, 64), closed: make(chan struct{})}
}

func (p *pipeSignal) Read(ctx context.Context) (kyc.Message, error) {
	select {
	case m := <-p.fromPeer:
		return m, nil
	case <-p.closed:
		return kyc.Message{}, io.EOF
	case <-ctx.Done():
		return kyc.Message{}, ctx.Err()
	}
}

func (p *pipeSignal) Write(_ context.Context, m kyc.Message) error {
	select {
	case p.toPeer <- m:
	case <-p.closed:
	}
	return nil
}

func (p *pipeSignal) Close() {
	select {
	case <-p.closed:
	default:
		close(p.closed)
	}
}

// TestVideoKYC_ARestartMidCallKeepsThePartialRecordingMarked: a citizen's
// browser (a pion peer on loopback, sending Opus) is in the call when the
// appliance stops; at the next start what was recorded is kept as a
// partial recording, marked so, with its hash in the log.
func TestVideoKYC_ARestartMidCallKeepsThePartialRecordingMarked(t *testing.T) {
	dir := t.TempDir()
	lb := synth.DemoLocalBody()
	now := func() time.Time { return time.Date(2026, 12, 1, 11, 5, 0, 0, kyc.Kerala) }
	open := func() *appliance.Appliance {
		app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			KYC: kyc.Settings{ICE: kyc.ICE{LoopbackOnly: true}}})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	app := open()
	o := &office{app: app, nurse: domain.Actor{ID: "u-nurse", Name: "Anitha Kumari", Roles: []domain.Role{domain.RoleCitizen}}}
	b, err := app.KYC.KeepDraft(o.nurse, "marriage_registration", marriage("Rahul Thomas", "Anitha Kumari"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Booked before the slot began (the clock then), joined within it.
	before := &office{now: time.Date(2026, 12, 1, 10, 55, 0, 0, kyc.Kerala)}
	app.KYC.Now = before.clock
	if _, err := app.KYC.Book(o.nurse, b.ID, time.Date(2026, 12, 1, 11, 0, 0, 0, kyc.Kerala), "Asia/Dubai"); err != nil {
		t.Fatal(err)
	}
	app.KYC.Now = now

	sig := newPipe()
	joined := make(chan error, 1)
	go func() { joined <- app.KYC.Join(context.Background(), o.nurse, b.ID, sig, true) }()

	// The browser: a pion peer on loopback with a microphone sending Opus.
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	peer, err := webrtc.NewAPI(webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	mic, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "nurse")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := peer.AddTrack(mic); err != nil {
		t.Fatal(err)
	}
	peer.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			raw, _ := json.Marshal(c.ToJSON())
			sig.fromPeer <- kyc.Message{Type: "candidate", Candidate: raw}
		}
	})
	connected := make(chan struct{})
	peer.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			close(connected)
		}
	})
	go func() {
		for m := range sig.toPeer {
			switch m.Type {
			case "joined":
				offer, _ := peer.CreateOffer(nil)
				_ = peer.SetLocalDescription(offer)
				sig.fromPeer <- kyc.Message{Type: "offer", SDP: offer.SDP}
			case "answer":
				_ = peer.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: m.SDP})
			case "candidate":
				var c webrtc.ICECandidateInit
				if json.Unmarshal(m.Candidate, &c) == nil {
					_ = peer.AddICECandidate(c)
				}
			}
		}
	}()
	select {
	case <-connected:
	case <-time.After(20 * time.Second):
		t.Fatal("the peer never connected to the relay")
	}
	// Opus silence, 20 ms a frame, until the relay has recorded some.
	live := filepath.Join(dir, "kyc", "live", b.ID, "p01-citizen-audio.ogg")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := mic.WriteSample(media.Sample{Data: []byte{0xf8, 0xff, 0xfe}, Duration: 20 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(live); err == nil && fi.Size() > 2000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing was recorded")
		}
		time.Sleep(20 * time.Millisecond) // a microphone's pace
	}

	if err := app.Close(); err != nil { // the appliance stops mid-call
		t.Fatal(err)
	}
	<-joined
	app = open()
	defer app.Close()
	got, err := app.KYC.Booking(o.nurse, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Recordings) != 1 || !got.Recordings[0].Partial || !strings.Contains(got.Recordings[0].Note, "stopped during the call") {
		t.Fatalf("after the restart the recordings are %+v", got.Recordings)
	}
	data, err := os.ReadFile(app.KYC.RecordingFile(got.Recordings[0].SHA256))
	if err != nil {
		t.Fatal(err)
	}
	h, err := tar.NewReader(bytes.NewReader(data)).Next()
	if err != nil || h.Name != "p01-citizen-audio.ogg" || h.Size < 2000 {
		t.Errorf("the partial recording holds %+v (%v)", h, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kyc", "live", b.ID)); !os.IsNotExist(err) {
		t.Errorf("the call's live files are still there after being kept: %v", err)
	}

	// Only the registrar's office plays it, each playing logged; it is
	// deleted once its retention is over, its hash kept in the log.
	registrar := domain.Actor{ID: "u-reg", Name: "Registrar", Roles: []domain.Role{domain.RoleRegistrar}}
	sum := got.Recordings[0].SHA256
	if _, err := app.KYC.Play(o.nurse, b.ID, sum, "p01-citizen-audio.ogg"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("the citizen playing the recording: %v", err)
	}
	played := app.Store.LastSeq()
	if ogg, err := app.KYC.Play(registrar, b.ID, sum, "p01-citizen-audio.ogg"); err != nil || !bytes.HasPrefix(ogg, []byte("OggS")) {
		t.Errorf("the registrar playing the audio: %d bytes, %v", len(ogg), err)
	}
	if app.Store.LastSeq() != played+1 {
		t.Errorf("playing the recording wrote %d events; want one (the audit)", app.Store.LastSeq()-played)
	}
	if _, err := app.KYC.Decide(registrar, b.ID, kyc.Checklist{Reason: "The call was cut short; the citizen will book again."}); err != nil {
		t.Fatal(err)
	}
	if n, err := app.KYC.SweepRecordings(); n != 0 || err != nil {
		t.Errorf("a fresh recording swept: %d %v", n, err)
	}
	app.KYC.Now = func() time.Time { return now().AddDate(0, 0, 181) }
	if n, err := app.KYC.SweepRecordings(); n != 1 || err != nil {
		t.Errorf("after 181 days %d recordings were deleted (%v); want 1", n, err)
	}
	if _, err := os.Stat(app.KYC.RecordingFile(sum)); !os.IsNotExist(err) {
		t.Errorf("the recording's file is still there: %v", err)
	}
	if _, err := app.KYC.Play(registrar, b.ID, sum, ""); !strings.Contains(fmt.Sprint(err), "retention") {
		t.Errorf("playing a deleted recording: %v", err)
	}
}
