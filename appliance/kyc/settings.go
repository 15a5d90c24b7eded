package kyc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"ksmart/appliance/domain"
)

// Settings are the office's video KYC settings. The zero value of a field
// means its default (DefaultSettings).
type Settings struct {
	// Sessions are the office's call hours on a working day, in Kerala
	// time, as "HH:MM-HH:MM"; default 10:00-13:00 and 14:00-17:00 (the
	// office's hours less lunch).
	Sessions []string `json:"sessions,omitempty"`
	// SlotMinutes is one call's length; default 20.
	SlotMinutes int `json:"slot_minutes,omitempty"`
	// DaysAhead is how far ahead slots are offered; default 14 days.
	DaysAhead int `json:"days_ahead,omitempty"`
	// JoinEarlyMinutes is how long before a slot its call may be joined,
	// and after its end a call in progress may still be rejoined; default 10.
	JoinEarlyMinutes int `json:"join_early_minutes,omitempty"`
	// ValidDays is how long a verified KYC stands for the application it
	// was made for; default 90 days.
	ValidDays int `json:"valid_days,omitempty"`
	// RetentionDays is how long a recording is kept after the outcome;
	// default 180 days (then it is deleted and the deletion logged).
	RetentionDays int `json:"retention_days,omitempty"`
	// ICE is how the relay is reached (see ICE).
	ICE ICE `json:"ice,omitempty"`
}

// ICE configures how browsers reach the relay: host candidates always (a
// LAN works with nothing set); STUN and TURN servers for an office behind
// NAT and citizens on strict networks (given to the browsers too); one
// UDP port for every call (pion's UDP mux) so that a firewall needs one
// rule; ICE over TCP on one port for networks that block UDP.
type ICE struct {
	// Servers are STUN and TURN servers, e.g. {URLs: ["stun:stun.example.org:3478"]}.
	Servers []ICEServer `json:"servers,omitempty"`
	// UDPPort, when not 0, carries every call's media on this one UDP port.
	UDPPort int `json:"udp_port,omitempty"`
	// TCPPort, when not 0, also offers ICE-TCP candidates on this port.
	TCPPort int `json:"tcp_port,omitempty"`
	// PublicIPs, when set, are announced in place of the host's own
	// addresses (a server behind 1:1 NAT).
	PublicIPs []string `json:"public_ips,omitempty"`
	// LoopbackOnly keeps every candidate on 127.0.0.1: for tests on one
	// machine, never for an office.
	LoopbackOnly bool `json:"loopback_only,omitempty"`
}

// ICEServer is one STUN or TURN server.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// ParseSettings reads settings from JSON (examples/kyc.json), refusing
// keys it does not know and settings that make no sense, every problem
// named.
func ParseSettings(raw []byte) (Settings, error) {
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("video KYC settings: %v", err)
	}
	return s, s.Validate()
}

// DefaultSettings are the settings an office starts with.
func DefaultSettings() Settings {
	return Settings{Sessions: []string{"10:00-13:00", "14:00-17:00"}, SlotMinutes: 20, DaysAhead: 14, JoinEarlyMinutes: 10,
		ValidDays: 90, RetentionDays: 180}
}

// withDefaults fills every zero field from DefaultSettings.
func (s Settings) withDefaults() Settings {
	d := DefaultSettings()
	if len(s.Sessions) == 0 {
		s.Sessions = d.Sessions
	}
	for _, p := range []struct{ v, d *int }{{&s.SlotMinutes, &d.SlotMinutes}, {&s.DaysAhead, &d.DaysAhead},
		{&s.JoinEarlyMinutes, &d.JoinEarlyMinutes}, {&s.ValidDays, &d.ValidDays}, {&s.RetentionDays, &d.RetentionDays}} {
		if *p.v == 0 {
			*p.v = *p.d
		}
	}
	return s
}

// Validate says what is wrong with the settings, every problem at once.
func (s Settings) Validate() error {
	s = s.withDefaults()
	var problems []string
	for _, sess := range s.Sessions {
		if _, _, err := parseSession(sess); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if s.SlotMinutes < 10 || s.SlotMinutes > 120 {
		problems = append(problems, fmt.Sprintf("a KYC slot of %d minutes: give 10 to 120", s.SlotMinutes))
	}
	if s.RetentionDays < 1 || s.ValidDays < 1 {
		problems = append(problems, "KYC retention and validity are whole days, at least 1")
	}
	if len(problems) > 0 {
		return fmt.Errorf("video KYC settings: %v", problems)
	}
	return nil
}

// parseSession reads "HH:MM-HH:MM" into minutes after midnight.
func parseSession(s string) (from, to int, err error) {
	var h1, m1, h2, m2 int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil || h1*60+m1 >= h2*60+m2 || h2 > 23 {
		return 0, 0, fmt.Errorf("KYC hours %q: write them as HH:MM-HH:MM, e.g. 10:00-13:00", s)
	}
	return h1*60 + m1, h2*60 + m2, nil
}

// Kerala is the time zone of the office (India Standard Time, no daylight saving).
var Kerala = time.FixedZone("IST", 5*3600+1800)

// OfficerRoles are the registrar's office: who holds calls, completes the
// checklist and may play recordings.
var OfficerRoles = []domain.Role{domain.RoleRegistrar, domain.RoleSectionClerk, domain.RoleHeadClerk, domain.RoleSecretary}
