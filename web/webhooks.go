package web

import (
	"crypto/subtle"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"ksmart/appliance/domain"
)

// maxWebhookBytes bounds a provider's status callback; real ones are a few
// kilobytes.
const maxWebhookBytes = 1 << 20

// whatsappVerify answers the WhatsApp Cloud API's subscription handshake:
// the provider sends the verify token it was given, and gets the challenge
// back only if it matches.
func (s *Server) whatsappVerify(c echo.Context) error {
	wa := s.App.Outbox.Config.WhatsApp
	if wa == nil || wa.VerifyToken == "" {
		return domain.Errorf(domain.ENOTFOUND, "WhatsApp is not configured on this appliance.")
	}
	if c.QueryParam("hub.mode") != "subscribe" || subtle.ConstantTimeCompare([]byte(c.QueryParam("hub.verify_token")), []byte(wa.VerifyToken)) != 1 {
		return domain.Errorf(domain.EFORBIDDEN, "The verify token does not match this appliance's.")
	}
	return c.String(http.StatusOK, c.QueryParam("hub.challenge"))
}

// whatsappStatus takes a delivery-status callback, signed by the provider
// with the app secret (X-Hub-Signature-256); a wrong signature changes
// nothing.
func (s *Server) whatsappStatus(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxWebhookBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxWebhookBytes {
		return domain.Errorf(domain.ETOOLARGE, "A status callback is at most 1 MB.")
	}
	if err := s.App.Outbox.WhatsAppWebhook(body, c.Request().Header.Get("X-Hub-Signature-256")); err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}
