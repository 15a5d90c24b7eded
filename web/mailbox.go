package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
	"ksmart/appliance/messaging/sink"
)

// The demo's mailbox: every e-mail and WhatsApp message the demo appliance
// sent, as the citizen would receive it, from the demo's own mail server
// and WhatsApp stand-in (package sink). It exists only when the server has
// a Mailbox, which `ksmart demo` sets and `ksmart serve` never does; without
// one its addresses answer 404.

// mailboxPage is how many messages the mailbox shows at once.
const mailboxPage = 20

func (s *Server) mailboxRoutes(e *echo.Echo) {
	e.GET("/demo/mailbox", s.mailbox)
	e.GET("/demo/mailbox/:channel/:id/:n", s.mailboxAttachment)
}

func (s *Server) mailbox(c echo.Context) error {
	if s.Mailbox == nil {
		return echo.ErrNotFound
	}
	channel := c.QueryParam("channel")
	if channel != "whatsapp" {
		channel = "email"
	}
	v := map[string]any{"Channel": channel}
	if channel == "email" {
		all := s.Mailbox.Mails()
		pg := pageOf(c, len(all), mailboxPage)
		v["Mails"], v["Page"] = all[pg.From:pg.To], pg
	} else {
		all := s.Mailbox.WhatsApps()
		pg := pageOf(c, len(all), mailboxPage)
		v["WhatsApps"], v["Page"] = all[pg.From:pg.To], pg
	}
	return s.render(c, http.StatusOK, "demo_mailbox.html", "demo_mailbox", v)
}

func (s *Server) mailboxAttachment(c echo.Context) error {
	if s.Mailbox == nil {
		return echo.ErrNotFound
	}
	id, err1 := strconv.Atoi(c.Param("id"))
	n, err2 := strconv.Atoi(c.Param("n"))
	if err1 != nil || err2 != nil {
		return echo.ErrNotFound
	}
	f, ok := s.Mailbox.Attachment(id, n, c.Param("channel") == "whatsapp")
	if !ok {
		return domain.Bilingual(domain.ENOTFOUND, domain.T(
			fmt.Sprintf("No such attachment: it may be older than the last %d messages the demo keeps.", sink.Keep),
			fmt.Sprintf("ഈ അറ്റാച്ച്മെന്റ് ഇല്ല: ഡെമോ സൂക്ഷിക്കുന്ന അവസാന %d സന്ദേശങ്ങളെക്കാൾ പഴയതാകാം.", sink.Keep)))
	}
	c.Response().Header().Set("Content-Disposition", "inline; filename=\""+safeFilename(f.Name)+"\"")
	return c.Blob(http.StatusOK, f.ContentType, f.Data)
}
