package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/labstack/echo/v4"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/kyc"
	"ksmart/appliance/workflow"
)

// The video KYC pages: a citizen whose application needs KYC has it kept
// as a draft, books one of the registrar's office's slots (shown in Kerala
// time and their own), joins the call from the link in their message, and
// resumes the application once verified. The officer sees the day's calls,
// joins one, takes snapshots, completes the checklist; recordings and
// snapshots are played from the call's page. Every rule is kyc's; the
// signalling is a WebSocket carrying kyc.Message, and the small script
// static/kyc.js does getUserMedia and the RTCPeerConnection.

// kycRoutes registers the video KYC routes with who may call them.
func (s *Server) kycRoutes(e *echo.Echo) {
	if s.App.KYC == nil {
		return
	}
	citizen := signedIn(domain.RoleCitizen)
	officers := signedIn(kyc.OfficerRoles...)
	e.GET("/kyc", s.kycMine, citizen)
	e.GET("/kyc/:id", s.kycPage, citizen)
	e.POST("/kyc/:id/book", s.kycBook, citizen)
	e.GET("/kyc/:id/ws", s.kycSignal, citizen)
	e.GET("/office/kyc", s.kycOffice, officers)
	e.GET("/office/kyc/:id", s.kycOfficePage, officers)
	e.GET("/office/kyc/:id/ws", s.kycSignal, officers)
	e.POST("/office/kyc/:id/snapshots", s.kycSnapshot, officers)
	e.GET("/office/kyc/:id/snapshots/:sum", s.kycSnapshotImage, officers)
	e.POST("/office/kyc/:id/outcome", s.kycOutcome, officers)
	e.GET("/office/kyc/:id/recordings/:sum", s.kycRecording, officers)
}

// kycFuncs are the templates' helpers for video KYC.
var kycFuncs = template.FuncMap{
	"kycstatus": func(lang, s string) string { return kyc.StatusName(s).In(lang) },
}

// keepForKYC keeps an application refused for want of KYC as a draft and
// sends the citizen to book a call; one resumed from a draft goes back to
// its booking.
func (s *Server) keepForKYC(c echo.Context, service string, values map[string]string, uploads map[string]workflow.Upload) error {
	if id := values["kyc"]; id != "" {
		// Resumed from a booking still to be decided: back to it. One not
		// verified is done; the application is kept again for a new call.
		if b, err := s.App.KYC.Booking(actor(c), id); err == nil && b.Citizen == actor(c).ID && b.Outcome == nil {
			return c.Redirect(http.StatusSeeOther, "/kyc/"+b.ID)
		}
	}
	delete(values, "kyc")
	b, err := s.App.KYC.KeepDraft(actor(c), service, values, uploads)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/kyc/"+b.ID+"?kept=1")
}

// resumeDraft shows the application form filled in from a KYC draft.
func (s *Server) resumeDraft(c echo.Context, svc catalogue.Service, id string) error {
	b, err := s.App.KYC.Booking(actor(c), id)
	if err != nil {
		return err
	}
	if b.Citizen != actor(c).ID || b.Service != svc.Code {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	values := map[string]string{}
	for k, v := range b.Draft.Values {
		values[k] = v
	}
	counter := strings.HasPrefix(c.Path(), "/office/")
	return s.render(c, http.StatusOK, "apply.html", svc.Name.In(lang(c)), applyForm{Service: svc, Fields: formFields(svc, s.App.LocalBody, values, nil),
		Counter: counter, Values: values, Action: "/services/" + svc.Code + "/apply", Draft: &b})
}

// withDraftUploads adds a resumed draft's kept documents to those not
// uploaded again.
func (s *Server) withDraftUploads(c echo.Context, values map[string]string, uploads map[string]workflow.Upload) error {
	id := values["kyc"]
	if id == "" || s.App.KYC == nil {
		return nil
	}
	kept, err := s.App.KYC.DraftUploads(actor(c), id)
	if err != nil {
		return err
	}
	for name, u := range kept {
		if _, ok := uploads[name]; !ok {
			uploads[name] = u
		}
	}
	return nil
}

func (s *Server) kycMine(c echo.Context) error {
	bs, err := s.App.KYC.Bookings(actor(c).ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "kyc_mine.html", "kyc_title", map[string]any{"Bookings": bs})
}

// slotView is a slot as a citizen sees it: in Kerala time and their own.
type slotView struct {
	Value  string // RFC 3339, the form's value
	Kerala string
	Theirs string
}

func viewSlot(sl kyc.Slot, loc *time.Location) slotView {
	return slotView{Value: sl.Start.UTC().Format(time.RFC3339), Kerala: sl.Start.In(kyc.Kerala).Format("Mon 2 Jan, 15:04") + "–" + sl.End.In(kyc.Kerala).Format("15:04"),
		Theirs: sl.Start.In(loc).Format("Mon 2 Jan, 15:04") + "–" + sl.End.In(loc).Format("15:04")}
}

// timeZones are offered to a citizen whose browser does not say its own:
// where most Keralites abroad live first.
var timeZones = []string{"Asia/Dubai", "Asia/Riyadh", "Asia/Qatar", "Asia/Kuwait", "Asia/Muscat", "Asia/Bahrain", "Asia/Singapore",
	"Europe/London", "Europe/Berlin", "America/New_York", "America/Toronto", "Australia/Sydney", "Asia/Kolkata"}

// kycView is the data of a call's page, the citizen's or the officer's.
type kycView struct {
	B         kyc.Booking
	Service   catalogue.Service
	Slots     []slotView
	TimeZone  string
	TimeZones []string
	Slot      *slotView
	Kept      bool
	CanJoin   bool
	JoinError *domain.Error
	Office    bool
	Consent   domain.Text
	Errors    map[string]domain.Text
	ICE       string // JSON of the STUN/TURN servers for the browser
	Present   []string
	Retention int
	// Answers are the kept application's particulars, for the officer to
	// compare with the ID shown.
	Answers []answer
}

func (s *Server) kycView(c echo.Context, b kyc.Booking) kycView {
	svc, _ := s.App.Catalogue.Get(b.Service)
	tz := c.QueryParam("tz")
	if tz == "" {
		tz = b.TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		tz, loc = "Asia/Kolkata", kyc.Kerala
	}
	ice, _ := json.Marshal(s.App.KYC.ICEServers())
	v := kycView{B: b, Service: svc, TimeZone: tz, TimeZones: timeZones, Kept: c.QueryParam("kept") == "1", Consent: kyc.ConsentStatement,
		ICE: string(ice), Present: s.App.KYC.Present(b.ID), Retention: s.App.KYC.RetentionDays()}
	if !slices.Contains(v.TimeZones, tz) {
		v.TimeZones = append([]string{tz}, v.TimeZones...)
	}
	if b.Slot != nil {
		sv := viewSlot(*b.Slot, loc)
		v.Slot = &sv
		_, _, err := s.App.KYC.CanJoin(actor(c), b.ID)
		v.CanJoin = err == nil
		if err != nil && !errors.As(err, &v.JoinError) {
			v.JoinError = domain.Errorf(domain.EINTERNAL, "The call cannot be joined now.")
		}
	}
	return v
}

func (s *Server) kycPage(c echo.Context) error {
	b, err := s.App.KYC.Booking(actor(c), c.Param("id"))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		// The link reached another account: CanJoin says so plainly, and
		// shows nothing of the booking.
		_, _, err = s.App.KYC.CanJoin(actor(c), c.Param("id"))
	}
	if err != nil {
		return err
	}
	v := s.kycView(c, b)
	if b.Outcome == nil && len(b.Parts) == 0 {
		free, err := s.App.KYC.FreeSlots()
		if err != nil {
			return err
		}
		loc, _ := time.LoadLocation(v.TimeZone)
		for _, sl := range free {
			v.Slots = append(v.Slots, viewSlot(sl, loc))
		}
	}
	return s.render(c, http.StatusOK, "kyc_call.html", "kyc_title", v)
}

func (s *Server) kycBook(c echo.Context) error {
	start, err := time.Parse(time.RFC3339, c.FormValue("slot"))
	if err != nil {
		start = time.Time{}
	}
	_, err = s.App.KYC.Book(actor(c), c.Param("id"), start, c.FormValue("tz"))
	if errs, ok := fieldErrors(err); ok {
		b, berr := s.App.KYC.Booking(actor(c), c.Param("id"))
		if berr != nil {
			return berr
		}
		v := s.kycView(c, b)
		v.Errors = errs
		free, _ := s.App.KYC.FreeSlots()
		loc, _ := time.LoadLocation(v.TimeZone)
		for _, sl := range free {
			v.Slots = append(v.Slots, viewSlot(sl, loc))
		}
		return s.render(c, http.StatusUnprocessableEntity, "kyc_call.html", "kyc_title", v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/kyc/"+c.Param("id")+"?booked=1")
}

func (s *Server) kycOffice(c echo.Context) error {
	bs, err := s.App.KYC.OfficeBookings(actor(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "kyc_office.html", "kyc_office_title", map[string]any{"Bookings": bs})
}

func (s *Server) kycOfficePage(c echo.Context) error {
	b, err := s.App.KYC.Booking(actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	v := s.kycView(c, b)
	v.Office = true
	v.Answers = answersOf(v.Service, b.Draft.Values, s.App.LocalBody)
	return s.render(c, http.StatusOK, "kyc_call.html", "kyc_title", v)
}

// wsSignal carries kyc.Message over a WebSocket.
type wsSignal struct{ conn *websocket.Conn }

func (w wsSignal) Read(ctx context.Context) (kyc.Message, error) {
	var m kyc.Message
	err := wsjson.Read(ctx, w.conn, &m)
	return m, err
}

func (w wsSignal) Write(ctx context.Context, m kyc.Message) error {
	return wsjson.Write(ctx, w.conn, m)
}
func (w wsSignal) Close() { w.conn.Close(websocket.StatusNormalClosure, "the call ended") }

// kycSignal is a party's signalling channel. A refusal (someone else's
// link, outside the slot, a second browser) is sent as an "ended" message
// with the reason, then the socket closes.
func (s *Server) kycSignal(c echo.Context) error {
	by, id := actor(c), c.Param("id")
	conn, err := websocket.Accept(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // Accept has answered
	}
	conn.SetReadLimit(256 << 10) // an SDP offer is a few kB
	sig := wsSignal{conn}
	ctx := c.Request().Context()
	err = s.App.KYC.Join(ctx, by, id, sig, c.QueryParam("audio_only") == "1")
	if err != nil {
		msg := domain.T("The call could not continue; join again.", "കോൾ തുടരാനായില്ല; വീണ്ടും ചേരുക.")
		var de *domain.Error
		if errors.As(err, &de) && de.Code != domain.EINTERNAL {
			msg = domain.T(de.Message, de.MessageML)
		} else {
			s.Logger.Error("video KYC call", "booking", id, "error", err)
		}
		_ = sig.Write(ctx, kyc.Message{Type: "ended", Text: &msg})
		conn.Close(websocket.StatusPolicyViolation, "refused")
		return nil
	}
	conn.Close(websocket.StatusNormalClosure, "")
	return nil
}

// kycSnapshot keeps a still the officer's browser took of the call.
func (s *Server) kycSnapshot(c echo.Context) error {
	img, err := io.ReadAll(io.LimitReader(c.Request().Body, 2<<20+1))
	if err != nil {
		return err
	}
	sum, err := s.App.KYC.AddSnapshot(actor(c), c.Param("id"), img)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"sha256": sum})
}

func (s *Server) kycSnapshotImage(c echo.Context) error {
	img, err := s.App.KYC.Snapshot(actor(c), c.Param("id"), c.Param("sum"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, http.DetectContentType(img), img)
}

// kycOutcome records the officer's checklist.
func (s *Server) kycOutcome(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	cl := kyc.Checklist{IDDocument: strings.TrimSpace(form.Get("id_document")), IDMatches: form.Get("id_matches") == "yes",
		Appeared: form["appeared"], ConsentRead: form.Get("consent_read") == "yes", AudioOnlyAccepted: form.Get("audio_only_accepted") == "yes",
		Verified: form.Get("outcome") == "verified", Reason: form.Get("reason")}
	_, err = s.App.KYC.Decide(actor(c), c.Param("id"), cl)
	if errs, ok := fieldErrors(err); ok {
		b, berr := s.App.KYC.Booking(actor(c), c.Param("id"))
		if berr != nil {
			return berr
		}
		v := s.kycView(c, b)
		v.Office, v.Errors, v.Answers = true, errs, answersOf(v.Service, b.Draft.Values, s.App.LocalBody)
		return s.render(c, http.StatusUnprocessableEntity, "kyc_call.html", "kyc_title", v)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/office/kyc/"+c.Param("id"))
}

// kycRecording sends a recording (the tar) or one of its tracks (?file=),
// each sending logged by kyc as a playing.
func (s *Server) kycRecording(c echo.Context) error {
	file := c.QueryParam("file")
	data, err := s.App.KYC.Play(actor(c), c.Param("id"), c.Param("sum"), file)
	if err != nil {
		return err
	}
	ct, name := "application/x-tar", c.Param("sum")+".tar"
	switch {
	case strings.HasSuffix(file, ".ogg"):
		ct, name = "audio/ogg", file
	case strings.HasSuffix(file, ".ivf"):
		ct, name = "video/x-ivf", file
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", name))
	return c.Blob(http.StatusOK, ct, data)
}
