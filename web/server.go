package web

import (
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"ksmart/appliance"
	"ksmart/appliance/identity"
	"ksmart/appliance/messaging/sink"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server serves one appliance over HTTP.
type Server struct {
	App    *appliance.Appliance
	Logger *slog.Logger
	// Version is shown in the page footer and /healthz.
	Version string
	// SecureCookies marks session cookies Secure: set it when served over HTTPS.
	SecureCookies bool
	// PublicURL is the address citizens reach this appliance at (no
	// trailing slash), printed in receipts' QR codes. Empty: the address of
	// each request, which a client can set with its Host header.
	PublicURL string
	// TLS, when set, makes Serve answer HTTPS only (with HSTS); its
	// GetCertificate may change the certificate while serving.
	TLS *tls.Config

	echo     *echo.Echo
	handler  http.Handler // echo, compressed
	pages    *template.Template
	msgs     messages
	static   map[string]string // static file → fingerprint
	pending  pendingUploads
	sessions *scs.SessionManager
	// NoAuthLimit turns the per-IP limit on sign-in, sign-up and verify
	// off: for tests and benchmarks that sign many people in from one
	// address. serve never sets it.
	NoAuthLimit bool
	// Demo shows a password recovery code on the page that asked for it
	// (the demo has no SMS or e-mail); never set for a real office.
	Demo bool
	// Mailbox, set by the demo only, is the demo's mail server and
	// WhatsApp stand-in: /demo/mailbox shows what they received. Without
	// it (serve) the mailbox's addresses answer 404.
	Mailbox     *sink.Sink
	authLimiter echo.MiddlewareFunc
	// NoKioskLimit turns the kiosk's per-kiosk and per-address limits
	// off: for tests and benchmarks that search many times from one
	// address. serve never sets it.
	NoKioskLimit bool
	// NoReportLimit turns the per-address limit on complaints (reports,
	// "me too", a reporter's answers, Open311 posts) off: for tests that
	// report many times from one address. serve never sets it.
	NoReportLimit bool
	// KioskIdle is how long a kiosk waits without input before it clears
	// itself back to the blank form; zero means a minute. Tests shorten it.
	KioskIdle time.Duration
	// rendered, when set, is told the name of every page template drawn:
	// the Malayalam test uses it to know it has seen every page.
	rendered func(name string)
	registry *prometheus.Registry
	metrics  *httpMetrics
	started  time.Time
}

// New builds the server and its routes.
func New(app *appliance.Appliance, logger *slog.Logger, version string, secureCookies bool) (*Server, error) {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{App: app, Logger: logger, Version: version, SecureCookies: secureCookies, started: time.Now()}
	s.sessions = identity.NewSessionManager(app.Store, secureCookies)
	msgs, err := loadMessages()
	if err != nil {
		return nil, err
	}
	s.msgs = msgs
	s.static = staticVersions()
	if s.pages, err = template.New("").Funcs(templateFuncs).Funcs(taxFuncs).Funcs(licenceFuncs).Funcs(grievanceFuncs).Funcs(kycFuncs).Funcs(template.FuncMap{"t": msgs.text, "static": s.staticURL}).ParseFS(templateFS, "templates/*.html"); err != nil {
		return nil, err
	}
	s.registry = prometheus.NewRegistry()
	s.metrics = newHTTPMetrics(s.registry, app)
	s.echo = s.newEcho()
	s.routes()
	if s.handler, err = compressed(s.echo); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the HTTP handler (for tests and the server).
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests on ln until ctx ends, then shuts down gracefully:
// it stops accepting, lets requests in flight finish (up to 15 s), and
// returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads on slow phone links
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	if s.TLS != nil {
		srv.TLSConfig = s.TLS
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func staticFiles() fs.FS {
	sub, _ := fs.Sub(staticFS, "static")
	return sub
}
