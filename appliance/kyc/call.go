package kyc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/ivfwriter"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"

	"ksmart/appliance/domain"
	"ksmart/store"
)

// Signal is one party's signalling channel (a WebSocket in web): JSON
// messages each way. Read blocks until a message comes or the channel
// closes; Close makes it return.
type Signal interface {
	Read(ctx context.Context) (Message, error)
	Write(ctx context.Context, m Message) error
	Close()
}

// Message is one signalling message. From a browser: "offer" (SDP),
// "candidate". To it: "answer" (SDP), "candidate", "peer" (the other
// party came, Present, or went), "ended" (Text says why).
type Message struct {
	Type      string          `json:"type"`
	SDP       string          `json:"sdp,omitempty"`
	Candidate json.RawMessage `json:"candidate,omitempty"`
	Side      string          `json:"side,omitempty"`
	Present   bool            `json:"present,omitempty"`
	AudioOnly bool            `json:"audio_only,omitempty"`
	Part      int             `json:"part,omitempty"`
	Text      *domain.Text    `json:"text,omitempty"`
}

// call is a call in progress: who is connected, and the tracks that carry
// each party's media to the other.
type call struct {
	id      string
	dir     string
	mu      sync.Mutex
	parties map[string]*party
	// to[side][kind] carries the other party's media to side.
	to map[string]map[string]*webrtc.TrackLocalStaticRTP
}

type party struct {
	side  string
	sig   Signal
	pc    atomic.Pointer[webrtc.PeerConnection] // set once connect has made it
	wmu   sync.Mutex
	done  chan struct{}
	audio bool // audio only
	// video is the SSRC of the party's camera track, 0 until it arrives:
	// where a keyframe is asked for when the other party needs one.
	video atomic.Uint32
}

// askKeyframe asks a party's browser for a keyframe of its camera, so that
// the other party (joining, or having lost packets) sees a picture at once
// rather than at the next periodic request.
func (p *party) askKeyframe() {
	if ssrc, pc := p.video.Load(), p.pc.Load(); ssrc != 0 && pc != nil {
		_ = pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
	}
}

func (p *party) send(m Message) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.sig.Write(ctx, m) // a party gone is noticed by its read loop
}

func other(side string) string {
	if side == SideCitizen {
		return SideOfficer
	}
	return SideCitizen
}

func newCall(id, dir string) (*call, error) {
	c := &call{id: id, dir: dir, parties: map[string]*party{}, to: map[string]map[string]*webrtc.TrackLocalStaticRTP{}}
	for _, side := range []string{SideCitizen, SideOfficer} {
		c.to[side] = map[string]*webrtc.TrackLocalStaticRTP{}
		a, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", other(side))
		if err != nil {
			return nil, err
		}
		v, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", other(side))
		if err != nil {
			return nil, err
		}
		c.to[side]["audio"], c.to[side]["video"] = a, v
	}
	return c, os.MkdirAll(dir, 0o700)
}

// hangUp tells every party the call ended and waits until each has gone
// and its files are closed.
func (c *call) hangUp() {
	c.mu.Lock()
	ps := make([]*party, 0, len(c.parties))
	for _, p := range c.parties {
		ps = append(ps, p)
	}
	c.mu.Unlock()
	for _, p := range ps {
		p.send(Message{Type: "ended", Text: &domain.Text{En: "The officer has ended the call.", Ml: "ഓഫീസർ കോൾ അവസാനിപ്പിച്ചു."}})
		p.sig.Close()
	}
	for _, p := range ps {
		<-p.done
	}
}

// joinRefusal checks whether by may join booking b now, and as which side.
func (k *KYC) joinRefusal(by domain.Actor, b Booking, now time.Time) (string, error) {
	side := ""
	switch {
	case by.ID == b.Citizen:
		side = SideCitizen
	case by.HasAny(OfficerRoles...):
		side = SideOfficer
	default:
		return "", domain.Bilingual(domain.EFORBIDDEN, domain.T(
			"This call's link was sent to another account: only the citizen who booked it, signed in to their own account, can join. If you booked it, sign out and sign in with that account.",
			"ഈ കോളിന്റെ ലിങ്ക് മറ്റൊരു അക്കൗണ്ടിലേക്കാണ് അയച്ചത്: ബുക്ക് ചെയ്ത പൗരന് സ്വന്തം അക്കൗണ്ടിൽ നിന്ന് മാത്രമേ ചേരാനാകൂ."))
	}
	switch {
	case b.Outcome != nil:
		return "", domain.Bilingual(domain.ECONFLICT, domain.T("This call is over: its outcome is recorded.", "ഈ കോൾ കഴിഞ്ഞു: ഫലം രേഖപ്പെടുത്തി."))
	case b.Slot == nil:
		return "", domain.Bilingual(domain.EINVALID, domain.T("Book a time for this call first.", "ആദ്യം ഈ കോളിന് സമയം ബുക്ക് ചെയ്യുക."))
	}
	early := time.Duration(k.settings().JoinEarlyMinutes) * time.Minute
	if now.Before(b.Slot.Start.Add(-early)) || now.After(b.Slot.End.Add(early)) {
		when := b.Slot.Start.In(Kerala).Format("Mon 2 Jan 2006, 15:04") + "–" + b.Slot.End.In(Kerala).Format("15:04")
		return "", domain.Bilingual(domain.ECONFLICT, domain.T(
			fmt.Sprintf("This call is booked for %s Kerala time; it can be joined from %d minutes before. Outside that time, book another slot.", when, k.settings().JoinEarlyMinutes),
			fmt.Sprintf("ഈ കോൾ കേരള സമയം %s-നാണ്; %d മിനിറ്റ് മുമ്പ് മുതൽ ചേരാം. ആ സമയത്തിന് പുറത്താണെങ്കിൽ മറ്റൊരു സമയം ബുക്ക് ചെയ്യുക.", when, k.settings().JoinEarlyMinutes)))
	}
	return side, nil
}

// CanJoin reports whether by may join the call now (nil) or why not.
func (k *KYC) CanJoin(by domain.Actor, id string) (Booking, string, error) {
	var b Booking
	if err := k.Store.View(func(tx *store.Tx) (err error) { b, err = getBooking(tx, id); return err }); err != nil {
		return b, "", err
	}
	side, err := k.joinRefusal(by, b, k.Now())
	return b, side, err
}

// Join connects a party to the call through the relay and records what
// they send, until their signalling channel closes or the call is ended.
// A party that drops and joins again continues the recording as a new
// part; a second browser of a party still connected is refused.
// audioOnly says the browser has no camera.
func (k *KYC) Join(ctx context.Context, by domain.Actor, id string, sig Signal, audioOnly bool) error {
	b, side, err := k.CanJoin(by, id)
	if err != nil {
		return err
	}
	k.mu.Lock()
	if k.ending[id] {
		k.mu.Unlock()
		return domain.Bilingual(domain.ECONFLICT, domain.T("The officer has ended this call.", "ഓഫീസർ ഈ കോൾ അവസാനിപ്പിച്ചു."))
	}
	c := k.calls[id]
	if c == nil {
		if c, err = newCall(id, filepath.Join(k.Dir, "live", id)); err != nil {
			k.mu.Unlock()
			return err
		}
		k.calls[id] = c
	}
	k.mu.Unlock()
	c.mu.Lock()
	if _, busy := c.parties[side]; busy {
		c.mu.Unlock()
		return domain.Bilingual(domain.ECONFLICT, domain.T(
			"You are already in this call in another window or on another device. Close it there and join here, or carry on there.",
			"നിങ്ങൾ മറ്റൊരു വിൻഡോയിലോ ഉപകരണത്തിലോ ഈ കോളിൽ ഇപ്പോൾ തന്നെയുണ്ട്. അവിടെ അടച്ച ശേഷം ഇവിടെ ചേരുക."))
	}
	p := &party{side: side, sig: sig, done: make(chan struct{}), audio: audioOnly}
	c.parties[side] = p
	c.mu.Unlock()
	defer close(p.done)
	defer func() {
		c.mu.Lock()
		delete(c.parties, side)
		peer := c.parties[other(side)]
		c.mu.Unlock()
		if peer != nil {
			peer.send(Message{Type: "peer", Side: side, Present: false})
		}
	}()

	b, err = k.update(id, func(tx *store.Tx, b *Booking) error {
		n := len(b.Parts) + 1
		b.Parts = append(b.Parts, Part{N: n, Side: side, By: by.ID, Joined: k.Now()})
		if side == SideCitizen {
			b.AudioOnly = audioOnly
		}
		return tx.Emit(by.ID, EventJoined, entityBooking, id, map[string]any{"part": n, "side": side, "audio_only": audioOnly})
	})
	if err != nil {
		return err
	}
	partN := len(b.Parts)
	return k.connect(ctx, c, p, partN)
}

// connect runs one party's peer connection: it answers their offer, sends
// them the other party's tracks, records and forwards theirs.
func (k *KYC) connect(ctx context.Context, c *call, p *party, partN int) error {
	k.mu.Lock()
	r := k.relay
	k.mu.Unlock()
	pc, err := r.api.NewPeerConnection(r.config)
	if err != nil {
		return err
	}
	p.pc.Store(pc)
	// tracks counts the recordings running; once closing is set no new
	// one starts, so that Wait below is the last word on the files.
	var tracks sync.WaitGroup
	var tmu sync.Mutex
	closing := false
	defer func() {
		tmu.Lock()
		closing = true
		tmu.Unlock()
		pc.Close() // ends every ReadRTP below
		tracks.Wait()
	}()
	for _, kind := range []string{"audio", "video"} {
		sender, err := pc.AddTrack(c.to[p.side][kind])
		if err != nil {
			return err
		}
		// The viewer's keyframe requests go to the party whose video it is.
		go func() {
			for {
				pkts, _, err := sender.ReadRTCP()
				if err != nil {
					return
				}
				for _, pkt := range pkts {
					switch pkt.(type) {
					case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
						c.mu.Lock()
						peer := c.parties[other(p.side)]
						c.mu.Unlock()
						if peer != nil {
							peer.askKeyframe()
						}
					}
				}
			}
		}()
	}
	pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand == nil {
			return
		}
		raw, _ := json.Marshal(cand.ToJSON())
		p.send(Message{Type: "candidate", Candidate: raw})
	})
	started := time.Now()
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		k.Logger.Info("video KYC connection", "booking", c.id, "side", p.side, "part", partN, "state", s.String(), "after", time.Since(started).Round(time.Millisecond))
		switch s {
		case webrtc.PeerConnectionStateConnected:
			c.mu.Lock()
			peer := c.parties[other(p.side)]
			c.mu.Unlock()
			if peer != nil {
				peer.askKeyframe() // the one who just connected sees the other at once
			}
		case webrtc.PeerConnectionStateFailed:
			p.sig.Close()
		}
	})
	pc.OnTrack(func(remote *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		tmu.Lock()
		if closing {
			tmu.Unlock()
			return
		}
		tracks.Add(1)
		tmu.Unlock()
		defer tracks.Done()
		kind := remote.Kind().String()
		if kind == "video" {
			p.video.Store(uint32(remote.SSRC()))
		}
		if err := k.record(c, p, partN, kind, remote); err != nil && !errors.Is(err, io.EOF) {
			k.Logger.Warn("video KYC track ended", "booking", c.id, "side", p.side, "kind", kind, "error", err)
		}
	})
	c.mu.Lock()
	peer := c.parties[other(p.side)]
	c.mu.Unlock()
	if peer != nil {
		peer.send(Message{Type: "peer", Side: p.side, Present: true, AudioOnly: p.audio})
		p.send(Message{Type: "peer", Side: peer.side, Present: true, AudioOnly: peer.audio})
	}
	p.send(Message{Type: "joined", Side: p.side, Part: partN})
	for {
		m, err := p.sig.Read(ctx)
		if err != nil {
			return nil // the party left, or the call was ended
		}
		switch m.Type {
		case "offer":
			started = time.Now()
			if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: m.SDP}); err != nil {
				return fmt.Errorf("the browser's offer: %w", err)
			}
			answer, err := pc.CreateAnswer(nil)
			if err != nil {
				return err
			}
			if err := pc.SetLocalDescription(answer); err != nil {
				return err
			}
			p.send(Message{Type: "answer", SDP: answer.SDP})
		case "candidate":
			var cand webrtc.ICECandidateInit
			if json.Unmarshal(m.Candidate, &cand) == nil && cand.Candidate != "" {
				if err := pc.AddICECandidate(cand); err != nil {
					k.Logger.Debug("video KYC candidate refused", "error", err)
				}
			}
		}
	}
}

// record writes one remote track to its file in the call's directory and
// forwards each packet to the other party, until the track ends.
func (k *KYC) record(c *call, p *party, partN int, kind string, remote *webrtc.TrackRemote) error {
	name := fmt.Sprintf("p%02d-%s-%s", partN, p.side, kind)
	var w interface {
		WriteRTP(*rtp.Packet) error
		Close() error
	}
	var err error
	if kind == "audio" {
		w, err = oggwriter.New(filepath.Join(c.dir, name+".ogg"), 48000, 2)
	} else {
		w, err = ivfwriter.New(filepath.Join(c.dir, name+".ivf"), ivfwriter.WithCodec(webrtc.MimeTypeVP8))
	}
	if err != nil {
		return err
	}
	defer w.Close()
	fwd := c.to[other(p.side)][kind]
	for {
		pkt, _, err := remote.ReadRTP()
		if err != nil {
			return err
		}
		if err := w.WriteRTP(pkt); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		if err := fwd.WriteRTP(pkt); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			return err
		}
	}
}

// endCall ends a call in progress, if any, and keeps its recording.
//
// Nobody may join while it is packed; Decide lets go (endDone) once the
// outcome is written, after which the outcome refuses every joining.
func (k *KYC) endCall(id string) error {
	k.mu.Lock()
	c := k.calls[id]
	delete(k.calls, id)
	k.ending[id] = true
	k.mu.Unlock()
	if c != nil {
		c.hangUp()
	}
	_, err := k.keep(id, false, "")
	return err
}

// Present reports which sides are connected to a call now.
func (k *KYC) Present(id string) []string {
	k.mu.Lock()
	c := k.calls[id]
	k.mu.Unlock()
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for s := range c.parties {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// endDone lets a call's booking be joined again (its outcome, once
// written, refuses it anyway).
func (k *KYC) endDone(id string) {
	k.mu.Lock()
	delete(k.ending, id)
	k.mu.Unlock()
}
