package kyc_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/kyc"
	"ksmart/appliance/synth"
)

// office is a node with video KYC, its clock stopped at a moment the test
// moves, a registrar and two citizens abroad.
type office struct {
	app       *appliance.Appliance
	mu        sync.Mutex
	now       time.Time
	registrar domain.Actor
	nurse     domain.Actor
	other     domain.Actor
}

func (o *office) clock() time.Time { o.mu.Lock(); defer o.mu.Unlock(); return o.now }
func (o *office) set(t time.Time)  { o.mu.Lock(); o.now = t; o.mu.Unlock() }

func newOffice(t *testing.T) *office {
	t.Helper()
	lb := synth.DemoLocalBody()
	// Tuesday 1 December 2026, 10:55 in Kerala: the first slot is at 11:00.
	o := &office{now: time.Date(2026, 12, 1, 10, 55, 0, 0, kyc.Kerala)}
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Now: o.clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		KYC: kyc.Settings{ICE: kyc.ICE{LoopbackOnly: true}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	o.app = app
	o.registrar = domain.Actor{ID: "u-reg", Name: "Registrar", Roles: []domain.Role{domain.RoleRegistrar}}
	o.nurse = domain.Actor{ID: "u-nurse", Name: "Anitha Kumari", Roles: []domain.Role{domain.RoleCitizen}}
	o.other = domain.Actor{ID: "u-other", Name: "Biju Thomas", Roles: []domain.Role{domain.RoleCitizen}}
	return o
}

func marriage(groom, bride string) map[string]string {
	return map[string]string{"applying_from": "abroad", "groom_name_en": groom, "bride_name_en": bride,
		"witness1_name_en": "Joseph Mathew", "witness2_name_en": "Rekha Nair"}
}

func (o *office) draft(t *testing.T, by domain.Actor) kyc.Booking {
	t.Helper()
	b, err := o.app.KYC.KeepDraft(by, "marriage_registration", marriage("Rahul Thomas", "Anitha Kumari"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVideoKYC_SlotsAreInOfficeHoursOnWorkingDaysAndEachHoldsOneCall(t *testing.T) {
	o := newOffice(t)
	free, err := o.app.KYC.FreeSlots()
	if err != nil || len(free) == 0 {
		t.Fatalf("free slots: %v %v", free, err)
	}
	if first := free[0].Start.In(kyc.Kerala); first.Format("2006-01-02 15:04") != "2026-12-01 11:00" {
		t.Errorf("the first free slot is %v; want 11:00 today, the next after now", first)
	}
	for _, s := range free {
		k := s.Start.In(kyc.Kerala)
		hm := k.Hour()*60 + k.Minute()
		if k.Weekday() == time.Sunday || hm < 10*60 || hm >= 17*60 || (hm >= 13*60 && hm < 14*60) || s.End.Sub(s.Start) != 20*time.Minute {
			t.Errorf("slot %v–%v is outside the office's call hours", k, s.End.In(kyc.Kerala))
		}
	}
	a, b := o.draft(t, o.nurse), o.draft(t, o.other)
	if _, err := o.app.KYC.Book(o.nurse, a.ID, free[0].Start, "Asia/Dubai"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.app.KYC.Book(o.other, b.ID, free[0].Start, "Asia/Riyadh"); !strings.Contains(fieldMsg(err, "slot"), "just taken") {
		t.Errorf("a slot booked twice: %v", err)
	}
	if _, err := o.app.KYC.Book(o.other, b.ID, free[0].Start.Add(7*time.Minute), ""); !strings.Contains(fieldMsg(err, "slot"), "free times") {
		t.Errorf("a time the office does not offer: %v", err)
	}
	if _, err := o.app.KYC.Book(o.other, a.ID, free[1].Start, ""); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("moving someone else's booking: %v", err)
	}
	again, _ := o.app.KYC.FreeSlots()
	if again[0].Start.Equal(free[0].Start) {
		t.Errorf("the booked slot is still offered")
	}
}

func fieldMsg(err error, field string) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Fields[field].En
	}
	return ""
}

// chanSignal is a signalling channel held in memory, as a browser that has
// joined and sends nothing more.
type chanSignal struct {
	once sync.Once
	done chan struct{}
}

func newSignal() *chanSignal { return &chanSignal{done: make(chan struct{})} }

func (s *chanSignal) Read(ctx context.Context) (kyc.Message, error) {
	select {
	case <-s.done:
		return kyc.Message{}, io.EOF
	case <-ctx.Done():
		return kyc.Message{}, ctx.Err()
	}
}
func (s *chanSignal) Write(context.Context, kyc.Message) error { return nil }
func (s *chanSignal) Close()                                   { s.once.Do(func() { close(s.done) }) }

func TestVideoKYC_TheCallIsRefusedToAnotherAccountOutsideItsSlotAndToASecondBrowser(t *testing.T) {
	o := newOffice(t)
	b := o.draft(t, o.nurse)
	free, _ := o.app.KYC.FreeSlots()
	if _, err := o.app.KYC.Book(o.nurse, b.ID, free[0].Start, "Asia/Dubai"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.app.KYC.CanJoin(o.other, b.ID); domain.ErrorCode(err) != domain.EFORBIDDEN || !strings.Contains(err.Error(), "another account") {
		t.Errorf("someone else using the link: %v", err)
	}
	o.set(time.Date(2026, 12, 1, 10, 30, 0, 0, kyc.Kerala))
	if _, _, err := o.app.KYC.CanJoin(o.nurse, b.ID); domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "11:00–11:20") {
		t.Errorf("joining half an hour early: %v", err)
	}
	o.set(time.Date(2026, 12, 1, 11, 5, 0, 0, kyc.Kerala))
	first := newSignal()
	joined := make(chan error, 1)
	go func() { joined <- o.app.KYC.Join(context.Background(), o.nurse, b.ID, first, false) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(o.app.KYC.Present(b.ID)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the citizen never joined")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := o.app.KYC.Join(context.Background(), o.nurse, b.ID, newSignal(), false); domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), "already in this call") {
		t.Errorf("a second browser: %v", err)
	}
	first.Close() // the connection drops
	if err := <-joined; err != nil {
		t.Fatalf("the first browser's call: %v", err)
	}
	rejoin := newSignal()
	go func() { joined <- o.app.KYC.Join(context.Background(), o.nurse, b.ID, rejoin, true) }()
	for len(o.app.KYC.Present(b.ID)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the citizen never rejoined")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rejoin.Close()
	<-joined
	got, _ := o.app.KYC.Booking(o.nurse, b.ID)
	if len(got.Parts) != 2 || got.Parts[1].N != 2 || !got.AudioOnly {
		t.Errorf("after a drop and a rejoin without camera: parts %+v, audio only %v", got.Parts, got.AudioOnly)
	}
	// Without a camera the officer must accept audio only to verify.
	_, err := o.app.KYC.Decide(o.registrar, b.ID, kyc.Checklist{Verified: true, IDDocument: "Passport Z1234567", IDMatches: true, ConsentRead: true,
		Appeared: []string{"groom_name", "bride_name", "witness1_name", "witness2_name"}})
	if !strings.Contains(fieldMsg(err, "audio_only_accepted"), "without a camera") {
		t.Errorf("verifying an audio-only call without accepting it: %v", fieldsText(err))
	}
}

func TestVideoKYC_TheOutcomeNeedsTheWholeChecklistOrAReason(t *testing.T) {
	o := newOffice(t)
	b := o.draft(t, o.nurse)
	free, _ := o.app.KYC.FreeSlots()
	if _, err := o.app.KYC.Book(o.nurse, b.ID, free[0].Start, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := o.app.KYC.Decide(o.nurse, b.ID, kyc.Checklist{Verified: true}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a citizen recording their own outcome: %v", err)
	}
	_, err := o.app.KYC.Decide(o.registrar, b.ID, kyc.Checklist{Verified: true, IDDocument: "Passport Z1234567", IDMatches: true, Appeared: []string{"groom_name"}})
	for _, want := range []string{"Anitha Kumari (Bride's name) must appear", "consent statement", "snapshot", "both have joined"} {
		if err == nil || !strings.Contains(fieldsText(err), want) {
			t.Errorf("verifying without %q: %v", want, fieldsText(err))
		}
	}
	if _, err := o.app.KYC.Decide(o.registrar, b.ID, kyc.Checklist{}); fieldMsg(err, "reason") == "" {
		t.Errorf("not verified without a reason: %v", err)
	}
	got, err := o.app.KYC.Decide(o.registrar, b.ID, kyc.Checklist{Reason: "The citizen did not join within the slot."})
	if err != nil || got.Status != kyc.StatusNotVerified {
		t.Fatalf("not verified with a reason: %+v %v", got, err)
	}
	svc, _ := o.app.Catalogue.Get("marriage_registration")
	if ok, _ := kyc.Verified(o.app.Store, o.nurse.ID, svc, marriage("Rahul Thomas", "Anitha Kumari"), o.clock()); ok {
		t.Errorf("a KYC not verified unlocks the application")
	}
}

func fieldsText(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return ""
	}
	var out []string
	for _, t := range de.Fields {
		out = append(out, t.En)
	}
	return strings.Join(out, " | ")
}

func TestVideoKYC_TheExampleSettingsReadAndBadOnesAreNamed(t *testing.T) {
	raw, err := os.ReadFile("../../examples/kyc.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := kyc.ParseSettings(raw)
	if err != nil || s.ICE.UDPPort != 50000 || s.ICE.TCPPort != 50001 || len(s.ICE.Servers) != 2 || s.RetentionDays != 180 {
		t.Fatalf("examples/kyc.json: %+v %v", s, err)
	}
	if _, err := kyc.ParseSettings([]byte(`{"sessions": ["10-13"], "slot_minutes": 5, "colour": "blue"}`)); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("an unknown key: %v", err)
	}
	if _, err := kyc.ParseSettings([]byte(`{"sessions": ["10-13"], "slot_minutes": 5}`)); err == nil || !strings.Contains(err.Error(), "HH:MM-HH:MM") || !strings.Contains(err.Error(), "10 to 120") {
		t.Errorf("bad hours and slot: %v", err)
	}
}

func TestVideoKYC_OneUDPPortAndICETCPAreOpenedAndAPortInUseIsNamed(t *testing.T) {
	o := newOffice(t)
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := udp.LocalAddr().(*net.UDPAddr).Port
	udp.Close()
	tcp, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tport := tcp.Addr().(*net.TCPAddr).Port
	tcp.Close()
	if err := o.app.KYC.SetICE(kyc.ICE{UDPPort: port, TCPPort: tport, Servers: []kyc.ICEServer{{URLs: []string{"stun:stun.example.org:3478"}}}}); err != nil {
		t.Fatalf("one UDP port and ICE-TCP: %v", err)
	}
	if got := o.app.KYC.ICEServers(); len(got) != 1 || got[0].URLs[0] != "stun:stun.example.org:3478" {
		t.Errorf("the browsers are given %v", got)
	}
	// The same ports again, while the relay holds them.
	err = o.app.KYC.SetICE(kyc.ICE{UDPPort: port})
	if err == nil || !strings.Contains(err.Error(), "KYC UDP port") {
		t.Errorf("a UDP port in use: %v", err)
	}
}
