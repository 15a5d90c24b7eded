package web

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"ksmart/appliance"
)

// bodyLimit caps a request body; uploadLimit a multipart form with
// documents (several, each up to workflow.MaxUploadBytes).
const (
	bodyLimit   = "1M"
	uploadLimit = "16M"
)

// renderErrors renders a handler's error inside the session middleware, so
// a session changed before the error is still saved.
func (s *Server) renderErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			c.Error(err)
		}
		return nil
	}
}

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Trust no proxy header by default: a spoofed X-Forwarded-For must not
	// change who a rate limit or an audit line thinks the client is.
	// TrustProxies names the proxies whose headers are believed.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestID())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.Logger.Error("panic in handler", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"path", c.Path(), "error", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.Logger.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID), slog.String("ip", v.RemoteIP))
			return nil
		},
	}))
	e.Use(s.metrics.middleware)
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0", // obsolete; CSP does the work
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            31536000,
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
	}))
	// Forms and JSON are small; only multipart forms carry documents.
	isMultipart := func(c echo.Context) bool {
		return strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm)
	}
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: bodyLimit, Skipper: isMultipart}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: uploadLimit, Skipper: func(c echo.Context) bool { return !isMultipart(c) }}))
	e.Use(echo.WrapMiddleware(s.sessions.LoadAndSave))
	e.Use(s.loadUser)
	e.Use(csrf(s.SecureCookies))
	e.Use(s.renderErrors)
	return e
}

// httpMetrics are the Prometheus series the server exports on /metrics.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry, app *appliance.Appliance) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ksmart_http_requests_total", Help: "HTTP requests answered, by route and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ksmart_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ksmart_store_events_total", Help: "Events in the local body's log.",
		}, func() float64 { return float64(app.Store.LastSeq()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ksmart_store_commits_total", Help: "Durable store commits since start (each may carry many writes).",
		}, func() float64 { return float64(app.Store.Stats().Commits) }),
	)
	// What can fail without a request failing: a full disk, a search index
	// waiting to be rebuilt, panics recovered in background work.
	bool01 := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_disk_full", Help: "1 while the last write was refused because the data directory's disk is full (HTTP 507 to clients).",
		}, func() float64 { return bool01(app.Health().DiskFull) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_disk_free_bytes", Help: "Space left on the data directory's file system.",
		}, func() float64 { return float64(app.Health().FreeBytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_search_index_broken", Help: "1 while the search index has failed and waits to be set aside and rebuilt from the log.",
		}, func() float64 { return bool01(app.Health().IndexBroken) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ksmart_background_panics_total", Help: "Panics recovered in background work (indexer, outbox, shipper, jobs) since start; each was logged and the work started again.",
		}, func() float64 { return float64(app.Health().Panics) }),
	)
	// The outbox's queued, sent and failed messages per channel, and its lag.
	reg.MustRegister(app.Outbox.Collectors()...)
	// The shipper's lag behind the state, when it ships to one.
	reg.MustRegister(replicationCollectors(app)...)
	return m
}

func (m *httpMetrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			c.Error(err) // render now, so the status recorded is the one sent
			status = c.Response().Status
		}
		route := c.Path() // the route pattern, not the raw URL: bounded label values
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(c.Request().Method, route).Observe(time.Since(start).Seconds())
		return nil
	}
}
