package kyc

import (
	"fmt"
	"net"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/intervalpli"
	"github.com/pion/webrtc/v4"
)

// relay is the pion API every call's connections are made with: the
// codecs a recording can hold (VP8 and Opus), keyframe requests every two
// seconds (so that a recording and a party joining late start promptly),
// and the ICE settings.
type relay struct {
	api    *webrtc.API
	config webrtc.Configuration
	udp    net.PacketConn
	tcp    net.Listener
}

func newRelay(cfg ICE) (*relay, error) {
	m := &webrtc.MediaEngine{}
	video := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8,
		ClockRate: 90000, RTCPFeedback: video}, PayloadType: 96}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus,
		ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		return nil, err
	}
	pli, err := intervalpli.NewReceiverInterceptor(intervalpli.GeneratorInterval(2 * time.Second))
	if err != nil {
		return nil, err
	}
	reg.Add(pli)

	r := &relay{}
	se := webrtc.SettingEngine{}
	// mDNS names for host candidates hide a LAN address from web pages;
	// the relay is a server whose addresses are no secret.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	networks := []webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6}
	if cfg.LoopbackOnly {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		networks = []webrtc.NetworkType{webrtc.NetworkTypeUDP4}
	}
	if cfg.UDPPort != 0 {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{Port: cfg.UDPPort})
		if err != nil {
			return nil, fmt.Errorf("the KYC UDP port %d: %w", cfg.UDPPort, err)
		}
		r.udp = conn
		se.SetICEUDPMux(webrtc.NewICEUDPMux(nil, conn))
	}
	if cfg.TCPPort != 0 {
		l, err := net.ListenTCP("tcp", &net.TCPAddr{Port: cfg.TCPPort})
		if err != nil {
			r.close()
			return nil, fmt.Errorf("the KYC ICE-TCP port %d: %w", cfg.TCPPort, err)
		}
		r.tcp = l
		se.SetICETCPMux(webrtc.NewICETCPMux(nil, l, 8))
		networks = append(networks, webrtc.NetworkTypeTCP4)
		if !cfg.LoopbackOnly {
			networks = append(networks, webrtc.NetworkTypeTCP6)
		}
	}
	se.SetNetworkTypes(networks)
	if len(cfg.PublicIPs) > 0 {
		if err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{External: cfg.PublicIPs, AsCandidateType: webrtc.ICECandidateTypeHost}); err != nil {
			r.close()
			return nil, fmt.Errorf("the KYC public addresses %v: %w", cfg.PublicIPs, err)
		}
	}
	for _, s := range cfg.Servers {
		r.config.ICEServers = append(r.config.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	r.api = webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))
	return r, nil
}

func (r *relay) close() {
	if r.udp != nil {
		r.udp.Close()
	}
	if r.tcp != nil {
		r.tcp.Close()
	}
}
