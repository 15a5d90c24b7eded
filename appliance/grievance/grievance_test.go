package grievance_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/grievance"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging"
	"ksmart/appliance/module"
	"ksmart/appliance/synth"
	"ksmart/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// town is the demo municipality on Monday 7 December 2026 with its
// streetlight chain: ward 7's overseer, the assistant engineer and the
// secretary.
type town struct {
	app                     *appliance.Appliance
	g                       *grievance.Grievance
	clock                   *clock
	overseer, ae, secretary domain.Actor
	otherOverseer           domain.Actor
}

func newTown(t *testing.T) *town {
	t.Helper()
	lb := synth.DemoLocalBody()
	c := &clock{t: time.Date(2026, 12, 7, 10, 30, 0, 0, domain.IST)}
	app, err := appliance.Open(appliance.Config{Dir: t.TempDir(), LocalBody: &lb, Now: c.now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	staff := func(login, name string, r domain.Role, wards ...int) domain.Actor {
		u, _, err := app.Identity.AddStaff(domain.System, identity.NewStaff{Login: login, Name: name, Roles: []domain.Role{r}, Wards: wards})
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor()
	}
	return &town{app: app, g: app.Grievance, clock: c,
		overseer: staff("overseer7", "Prakash V.", domain.RoleOverseer, 7), otherOverseer: staff("overseer2", "Suma R.", domain.RoleOverseer, 2),
		ae: staff("engineer", "Deepa Nair", domain.RoleAssistantEngineer), secretary: staff("secretary", "Sheeba George", domain.RoleSecretary)}
}

// wardCentre is the middle of a demo ward.
func wardCentre(t *testing.T, g *grievance.Grievance, ward int) grievance.Point {
	p, ok := g.Wards.Centre(ward)
	if !ok {
		t.Fatalf("ward %d has no boundary", ward)
	}
	return p
}

// photo is a small JPEG of a street at night.
func photo(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withGPS puts an EXIF segment with a GPS place (and a camera make) into
// a JPEG, as a phone's camera does.
func withGPS(jpg []byte, lat, lon float64) []byte {
	le := binary.LittleEndian
	tiff := make([]byte, 128)
	copy(tiff, "II*\x00")
	le.PutUint32(tiff[4:], 8)
	// IFD0: the GPS IFD's pointer.
	le.PutUint16(tiff[8:], 1)
	le.PutUint16(tiff[10:], 0x8825)
	le.PutUint16(tiff[12:], 4)
	le.PutUint32(tiff[14:], 1)
	le.PutUint32(tiff[18:], 26)
	// GPS IFD at 26: N, latitude, E, longitude.
	le.PutUint16(tiff[26:], 4)
	entry := func(i int, tag, typ uint16, count, value uint32) {
		p := 28 + 12*i
		le.PutUint16(tiff[p:], tag)
		le.PutUint16(tiff[p+2:], typ)
		le.PutUint32(tiff[p+4:], count)
		le.PutUint32(tiff[p+8:], value)
	}
	entry(0, 1, 2, 2, uint32('N'))
	entry(1, 2, 5, 3, 80)
	entry(2, 3, 2, 2, uint32('E'))
	entry(3, 4, 5, 3, 104)
	rational := func(off int, deg float64) {
		d := int(deg)
		m := int((deg - float64(d)) * 60)
		s := ((deg-float64(d))*60 - float64(m)) * 60
		le.PutUint32(tiff[off:], uint32(d))
		le.PutUint32(tiff[off+4:], 1)
		le.PutUint32(tiff[off+8:], uint32(m))
		le.PutUint32(tiff[off+12:], 1)
		le.PutUint32(tiff[off+16:], uint32(s*10000))
		le.PutUint32(tiff[off+20:], 10000)
	}
	rational(80, lat)
	rational(104, lon)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	payload = append(payload, "PhoneMaker Model X"...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// messagesTo are the texts of every message queued to a recipient.
func messagesTo(t *testing.T, app *appliance.Appliance, to string) []messaging.Message {
	t.Helper()
	msgs, err := messaging.Inbox(app.Store, to, 0)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// TestReport_AnonymousStreetlightRoutedByItsPlaceEscalatedFixedReopenedFixedAndRated
// is a streetlight's whole life: a resident reports it without signing
// in, giving their phone but asking to stay anonymous, with the place
// their phone gave; it lands in ward 7 and with ward 7's overseer, 7
// working days to fix. Nobody fixes it in time: it goes up to the
// assistant engineer and the public sees it did. The engineer fixes it,
// with a note and a photo after; the reporter (by their key: nobody else)
// reopens it; ward 7's overseer fixes it again, in time; the reporter
// confirms and rates it 4. Each step is a message in Malayalam, worded for
// a complaint, and the figures count it.
func TestReport_AnonymousStreetlightRoutedByItsPlaceEscalatedFixedReopenedFixedAndRated(t *testing.T) {
	tw := newTown(t)
	g := tw.g
	at := wardCentre(t, g, 7)
	r, key, err := g.Submit(domain.Actor{}, grievance.Submission{Category: "streetlight", Description: "The streetlight by the bus shelter has been off for a week.",
		Lat: fmtFloat(at.Lat), Lon: fmtFloat(at.Lon), Landmark: "Bus shelter", Phone: "98470 12345", Anonymous: true, Language: "ml",
		Photos: []grievance.PhotoUpload{{Name: "light.jpg", Data: photo(t)}}})
	if err != nil {
		t.Fatal(err)
	}
	if key == "" {
		t.Fatal("a reporter without an account got no key to act with")
	}
	if r.Ward != 7 || r.Role != domain.RoleOverseer || r.Officer != tw.overseer.ID || r.Status != grievance.StatusAssigned {
		t.Fatalf("routed to ward %d, %s, officer %q, %s; want ward 7's overseer", r.Ward, r.Role, r.Officer, r.Status)
	}
	if want := time.Date(2026, 12, 16, 23, 59, 59, 0, domain.IST); !r.Due.Equal(want) {
		t.Errorf("due %v, want %v (7 working days: the second Saturday and Sunday do not count)", r.Due.In(domain.IST), want)
	}
	pub, _ := g.Public(r.Number)
	if !pub.Anonymous || pub.Ward != 7 || pub.Holder != domain.RoleOverseer {
		t.Errorf("public view: %+v", pub)
	}
	if q, _ := g.Queue(tw.overseer, 0); len(q) != 1 || q[0].Number != r.Number || q[0].Reporter.Phone != "" {
		t.Errorf("ward 7's overseer's queue: %+v", q)
	}
	if q, _ := g.Queue(tw.otherOverseer, 0); len(q) != 0 {
		t.Errorf("ward 2's overseer sees ward 7's report: %+v", q)
	}

	// Past the deadline: up the chain, once.
	tw.clock.add(10 * 24 * time.Hour)
	if n, err := g.EscalateOverdue(); err != nil || n != 1 {
		t.Fatalf("escalated %d (%v), want 1", n, err)
	}
	if n, _ := g.EscalateOverdue(); n != 0 {
		t.Errorf("a second run escalated %d more", n)
	}
	pub, _ = g.Public(r.Number)
	if !pub.Escalated || pub.Holder != domain.RoleAssistantEngineer || pub.History[len(pub.History)-1].Kind != grievance.StepEscalated {
		t.Fatalf("the public does not see the escalation: %+v", pub)
	}
	if _, err := g.Act(tw.otherOverseer, r.Number, grievance.Action{Kind: grievance.ActStart}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("another ward's overseer started it: %v", err)
	}
	if _, err := g.Act(tw.ae, r.Number, grievance.Action{Kind: grievance.ActFix, Note: "Replaced the lamp."}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a fix without an after photo: %v", err)
	}
	fixed, err := g.Act(tw.ae, r.Number, grievance.Action{Kind: grievance.ActFix, Note: "Replaced the lamp and the choke.", Photo: &grievance.PhotoUpload{Name: "after.jpg", Data: photo(t)}})
	if err != nil || fixed.Status != grievance.StatusFixed || fixed.FixedInTime {
		t.Fatalf("fixed late: %+v %v", fixed.Status, err)
	}

	// Someone else cannot reopen it; nothing is written.
	before := tw.app.Store.LastSeq()
	if _, err := g.Reopen(grievance.Who{Key: "0123456789abcdef0123456789abcdef"}, r.Number, "still off"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a stranger reopened it: %v", err)
	}
	if _, err := g.Reopen(grievance.Who{Actor: tw.overseer}, r.Number, "still off"); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("an officer reopened it as the reporter: %v", err)
	}
	if tw.app.Store.LastSeq() != before {
		t.Error("a refused reopening wrote to the log")
	}
	tw.clock.add(24 * time.Hour)
	re, err := g.Reopen(grievance.Who{Key: key}, r.Number, "It went off again the next night.")
	if err != nil || re.Status != grievance.StatusReopened || re.Role != domain.RoleOverseer || re.Level != 0 || re.Reopened != 1 {
		t.Fatalf("reopened: %+v %v", re, err)
	}
	if pub, _ := g.Public(r.Number); strings.Contains(strings.Join(publicNotes(pub), " "), "next night") {
		t.Error("the reporter's reopening note is public")
	}
	tw.clock.add(48 * time.Hour)
	if _, err := g.Act(tw.overseer, r.Number, grievance.Action{Kind: grievance.ActFix, Note: "Cable joint redone; on for three nights.", Photo: &grievance.PhotoUpload{Name: "after2.jpg", Data: photo(t)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Rate(grievance.Who{Key: key}, r.Number, 4); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("rated before confirming: %v", err)
	}
	done, err := g.Confirm(grievance.Who{Key: key}, r.Number, 4)
	if err != nil || !done.Confirmed || done.Rating != 4 || !done.FixedInTime {
		t.Fatalf("confirmed: %+v %v", done, err)
	}
	if _, err := g.Rate(grievance.Who{Key: key}, r.Number, 5); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("rated twice: %v", err)
	}

	stats, total, err := g.Statistics()
	if err != nil {
		t.Fatal(err)
	}
	if s := stats[0]; s.Category != "streetlight" || s.Received != 1 || s.Fixed != 1 || s.FixedInTime != 1 || s.Reopened != 1 || s.AverageRating() != 4 {
		t.Errorf("streetlight figures: %+v", s)
	}
	if total.Received != 1 {
		t.Errorf("all: %+v", total)
	}
	// The same figures reach the state view, from the body's documents.
	tally := module.NewTally(tw.clock.now())
	if err := tw.app.Store.View(func(tx *store.Tx) error { return grievance.Module.Figures.Count(tx, tally) }); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]int{grievance.FigureReceived: 1, grievance.FigureFixed: 1, grievance.FigureFixedInTime: 1, grievance.FigureReopened: 1,
		grievance.FigureRated: 1, grievance.FigureSatisfied: 1, grievance.FigureOpen: 0} {
		if tally.Counts[k] != want {
			t.Errorf("the state's %s is %d, want %d", k, tally.Counts[k], want)
		}
	}

	// The reporter was told of every step, in Malayalam words for a complaint.
	msgs := messagesTo(t, tw.app, grievance.ContactPrefix+r.ID)
	var kinds []string
	for _, m := range msgs {
		kinds = append(kinds, m.Subject.En)
		for _, bad := range []string{"issued", "approved", "application"} {
			if strings.Contains(strings.ToLower(m.Subject.En+m.Body.En), bad) {
				t.Errorf("a message says %q: %s / %s", bad, m.Subject.En, m.Body.En)
			}
		}
	}
	joined := strings.Join(kinds, "|")
	for _, want := range []string{"received", "escalated", "fixed", "reopened", "Thank you"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no message %q among %s", want, joined)
		}
	}
	if c, ok := tw.app.Grievance.Contact(grievance.ContactPrefix + r.ID); !ok || c.Phone != "+919847012345" || c.Language != "ml" {
		t.Errorf("the outbox's contact: %+v", c)
	}
}

func publicNotes(p grievance.Public) []string {
	var out []string
	for _, s := range p.History {
		out = append(out, s.Note)
	}
	return out
}

// TestReport_PhotoPlaceIsReadThenEXIFIsStrippedFromTheStoredBytes: a photo
// whose EXIF says it was taken in ward 3 places a report with no ward or
// place given in ward 3; the bytes stored (and served) carry no EXIF, no
// GPS and no camera make, and are still a photo.
func TestReport_PhotoPlaceIsReadThenEXIFIsStrippedFromTheStoredBytes(t *testing.T) {
	tw := newTown(t)
	at := wardCentre(t, tw.g, 3)
	raw := withGPS(photo(t), at.Lat, at.Lon)
	if !bytes.Contains(raw, []byte("Exif")) {
		t.Fatal("the test photo has no EXIF")
	}
	r, _, err := tw.g.Submit(domain.Actor{}, grievance.Submission{Category: "waste", Description: "Waste dumped beside the canal.", Photos: []grievance.PhotoUpload{{Name: "canal.jpg", Data: raw}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Ward != 3 || r.At == nil || r.AtFrom != "photo" || r.At.Metres(at) > 5 {
		t.Fatalf("placed in ward %d at %+v (%s), want ward 3 from the photo", r.Ward, r.At, r.AtFrom)
	}
	stored, err := tw.g.Photo(r.Number, r.Photos[0].Blob)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"Exif", "PhoneMaker", "II*\x00"} {
		if bytes.Contains(stored, []byte(leak)) {
			t.Errorf("the stored photo still holds %q", leak)
		}
	}
	if _, err := jpeg.Decode(bytes.NewReader(stored)); err != nil {
		t.Errorf("the stored photo is not a JPEG: %v", err)
	}
}

// TestReport_BadInputIsRefusedClearlyAndNothingIsWritten tries what a
// careless or hostile reporter sends.
func TestReport_BadInputIsRefusedClearlyAndNothingIsWritten(t *testing.T) {
	tw := newTown(t)
	good := func() grievance.Submission {
		return grievance.Submission{Category: "road", Description: "Pothole in front of the school gate.", Ward: 4}
	}
	huge := make([]byte, 6<<20)
	copy(huge, photo(t))
	scripted := append(photo(t)[:len(photo(t))-2], []byte("<script>alert(1)</script>\xff\xd9")...)
	cases := []struct {
		name  string
		edit  func(*grievance.Submission)
		code  string
		field string
		says  string
	}{
		{"not an image", func(s *grievance.Submission) {
			s.Photos = []grievance.PhotoUpload{{Name: "pothole.jpg", Data: []byte("%PDF-1.4 not a photo at all")}}
		}, domain.EINVALID, "photo", "not a JPEG or PNG"},
		{"oversized", func(s *grievance.Submission) { s.Photos = []grievance.PhotoUpload{{Name: "big.jpg", Data: huge}} }, domain.EINVALID, "photo", "the limit is 5 MB"},
		{"script inside", func(s *grievance.Submission) { s.Photos = []grievance.PhotoUpload{{Name: "x.jpg", Data: scripted}} }, domain.EINVALID, "photo", "script"},
		{"outside the body", func(s *grievance.Submission) { s.Lat, s.Lon = "10.5276", "76.2144" }, domain.EINVALID, "location", "outside"},
		{"not a place", func(s *grievance.Submission) { s.Lat, s.Lon = "north", "76.2" }, domain.EINVALID, "location", "latitude and longitude"},
		{"empty description", func(s *grievance.Submission) { s.Description = "   " }, domain.EINVALID, "description", "Say what the problem is"},
		{"50,000 characters", func(s *grievance.Submission) { s.Description = strings.Repeat("a", 50000) }, domain.EINVALID, "description", "50000 characters"},
		{"unknown category", func(s *grievance.Submission) { s.Category = "ufo" }, domain.EINVALID, "category", "Choose what the problem is"},
		{"no ward or place", func(s *grievance.Submission) { s.Ward = 0 }, domain.EINVALID, "ward", "Choose the ward"},
		{"no such ward", func(s *grievance.Submission) { s.Ward = 40 }, domain.EINVALID, "ward", "no ward 40"},
		{"bad phone", func(s *grievance.Submission) { s.Phone = "12345" }, domain.EINVALID, "phone", "10-digit"},
		{"counter without the front office", func(s *grievance.Submission) { s.Channel = grievance.ChannelCounter }, domain.EFORBIDDEN, "", "front office"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := tw.app.Store.LastSeq()
			s := good()
			c.edit(&s)
			_, _, err := tw.g.Submit(domain.Actor{}, s)
			de, ok := err.(*domain.Error)
			if !ok || de.Code != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			msg := de.Message
			if c.field != "" {
				msg = de.Fields[c.field].En
				if de.Fields[c.field].Ml == "" {
					t.Errorf("no Malayalam for %s", c.field)
				}
			}
			if !strings.Contains(msg, c.says) {
				t.Errorf("%s says %q (fields %v), want %q", c.field, msg, de.Fields, c.says)
			}
			if tw.app.Store.LastSeq() != before {
				t.Error("a refused report wrote to the log")
			}
		})
	}
	// A name in Malayalam only is a name.
	s := good()
	s.Name = "രാജേഷ് കുമാർ"
	if _, _, err := tw.g.Submit(domain.Actor{}, s); err != nil {
		t.Errorf("a Malayalam name was refused: %v", err)
	}
}

// TestReport_ReopenAfterTheWindowIsRefused: 15 days after a fix, the
// reporter is told the window ended on which day, and to report anew.
func TestReport_ReopenAfterTheWindowIsRefused(t *testing.T) {
	tw := newTown(t)
	u, err := synth.Citizen(tw.app, "9847055555", "Ravi Kumar", "a long enough password 1")
	if err != nil {
		t.Fatal(err)
	}
	r, key, err := tw.g.Submit(u.Actor(), grievance.Submission{Category: "drain", Description: "Drain overflowing onto the road.", Ward: 7})
	if err != nil || key != "" {
		t.Fatalf("%v, key %q for a signed-in citizen", err, key)
	}
	if _, err := tw.g.Act(tw.overseer, r.Number, grievance.Action{Kind: grievance.ActFix, Note: "Cleared the silt.", Photo: &grievance.PhotoUpload{Name: "a.jpg", Data: photo(t)}}); err != nil {
		t.Fatal(err)
	}
	tw.clock.add(16 * 24 * time.Hour)
	before := tw.app.Store.LastSeq()
	_, err = tw.g.Reopen(grievance.Who{Actor: u.Actor()}, r.Number, "overflowing again")
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "15 days") || !strings.Contains(domain.ErrorMessage(err), "22-12-2026") {
		t.Errorf("reopened after the window: %v", err)
	}
	if tw.app.Store.LastSeq() != before {
		t.Error("a refused reopening wrote to the log")
	}
	if mine, _ := tw.g.Mine(u.ID); len(mine) != 1 || mine[0].Number != r.Number {
		t.Errorf("the citizen's reports: %+v", mine)
	}
	if msgs := messagesTo(t, tw.app, u.ID); len(msgs) < 2 {
		t.Errorf("the signed-in reporter's inbox has %d messages", len(msgs))
	}
}

// TestReport_NearbyReportsAreShownAndADuplicateIsMerged: a second report
// of a blocked drain 40 m from the first sees the first before it is made;
// one made anyway is merged into the first by the office, which then
// counts two people, and its reporter is told where to follow it.
func TestReport_NearbyReportsAreShownAndADuplicateIsMerged(t *testing.T) {
	tw := newTown(t)
	at := wardCentre(t, tw.g, 7)
	first, _, err := tw.g.Submit(domain.Actor{}, grievance.Submission{Category: "drain", Description: "Blocked drain.", Lat: fmtFloat(at.Lat), Lon: fmtFloat(at.Lon)})
	if err != nil {
		t.Fatal(err)
	}
	near := grievance.Point{Lat: at.Lat + 0.0003, Lon: at.Lon + 0.0001}
	if got, _ := tw.g.Nearby("drain", 7, &near); len(got) != 1 || got[0].Number != first.Number {
		t.Errorf("nearby drains: %+v", got)
	}
	if got, _ := tw.g.Nearby("road", 7, &near); len(got) != 0 {
		t.Errorf("nearby roads: %+v", got)
	}
	far := grievance.Point{Lat: at.Lat + 0.004, Lon: at.Lon}
	if got, _ := tw.g.Nearby("drain", 7, &far); len(got) != 0 {
		t.Errorf("a drain 440 m away is nearby: %+v", got)
	}
	if _, err := tw.g.MeToo(domain.Actor{}, first.Number); err != nil {
		t.Fatal(err)
	}
	dup, _, err := tw.g.Submit(domain.Actor{}, grievance.Submission{Category: "drain", Description: "Drain blocked near the shop.", Lat: fmtFloat(near.Lat), Lon: fmtFloat(near.Lon), Email: "resident@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	merged, err := tw.g.Act(tw.overseer, dup.Number, grievance.Action{Kind: grievance.ActClose, Reason: grievance.ReasonDuplicate, Into: first.Number})
	if err != nil || merged.Status != grievance.StatusClosed || merged.DuplicateOf != first.Number {
		t.Fatalf("merged: %+v %v", merged, err)
	}
	orig, _ := tw.g.Public(first.Number)
	if orig.Supporters != 2 {
		t.Errorf("the original counts %d others, want 2 (a me too and the merged duplicate)", orig.Supporters)
	}
	msgs := messagesTo(t, tw.app, grievance.ContactPrefix+dup.ID)
	if len(msgs) == 0 || !strings.Contains(msgs[0].Body.En, first.Number) {
		t.Errorf("the duplicate's reporter was not told where to follow it: %+v", msgs)
	}
	if _, err := tw.g.Act(tw.overseer, first.Number, grievance.Action{Kind: grievance.ActClose, Reason: grievance.ReasonNotOurs}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("closed as not ours without saying whom to approach: %v", err)
	}
}

// TestCategories_TheCouncilsFileIsCheckedBeforeAnythingIsWritten: a
// council's categories with a category nobody could be routed to, a
// role that is not the office's and a figure without its source stop the
// first start, each problem named, with no data written; a good file
// replaces the defaults.
func TestCategories_TheCouncilsFileIsCheckedBeforeAnythingIsWritten(t *testing.T) {
	lb := synth.DemoLocalBody()
	bad := `{"source": "LOCAL SETTING: council resolution 12/2026", "settings": {"reopen_days": 10, "escalation_days": 1, "nearby_metres": 100, "nearby_days": 30, "max_photos": 2},
	 "categories": [{"code": "streetlight", "name": {"en": "Streetlight", "ml": "തെരുവുവിളക്ക്"}, "section": {"en": "Electrical", "ml": "ഇലക്ട്രിക്കൽ"}, "chain": ["citizen"], "days": 2, "days_source": "resolution"},
	                {"code": "waste", "name": {"en": "Waste", "ml": "മാലിന്യം"}, "section": {"en": "Health", "ml": "ആരോഗ്യം"}, "chain": [], "days": 0, "days_source": "LOCAL SETTING: resolution"}]}`
	dir := t.TempDir()
	_, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, GrievanceCategories: []byte(bad), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, want := range []string{`"citizen" is not an office role`, "days_source must say LOCAL SETTING", `"waste": days must be at least 1`, `"waste": its chain needs`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the bad file was not refused for %q: %v", want, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused start left %d entries in the data directory", len(entries))
	}
	good := strings.NewReplacer(`["citizen"]`, `["overseer", "secretary"]`, `"days_source": "resolution"`, `"days_source": "LOCAL SETTING: resolution"`,
		`"chain": [], "days": 0`, `"chain": ["health_inspector"], "days": 1`).Replace(bad)
	app, err := appliance.Open(appliance.Config{Dir: dir, LocalBody: &lb, GrievanceCategories: []byte(good), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if len(app.Grievance.Categories.List) != 2 || app.Grievance.Categories.Settings.ReopenDays != 10 {
		t.Errorf("the council's categories are not in use: %+v", app.Grievance.Categories)
	}
}
