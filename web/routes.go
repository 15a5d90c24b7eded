package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes registers every route in one place. Each says who may call it.
func (s *Server) routes() {
	e := s.echo
	e.GET("/", s.home)                                                                           // public
	e.GET("/healthz", s.healthz)                                                                 // public: load balancers, monitoring
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))) // office LAN monitoring
	e.StaticFS("/static", staticFiles())                                                         // public
}

func (s *Server) home(c echo.Context) error {
	return s.render(c, http.StatusOK, "home.html", "ksmart", struct {
		Events  uint64
		KindEn  string
		KindMl  string
		Started time.Time
	}{s.App.Store.LastSeq(), kindName(s.App.LocalBody.Kind, "en"), kindName(s.App.LocalBody.Kind, "ml"), s.started})
}

// healthz answers 200 while the store accepts reads, with the log position,
// so a monitor can also see that writes advance.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{
		"status":     "ok",
		"local_body": s.App.LocalBody.Code,
		"last_seq":   s.App.Store.LastSeq(),
		"version":    s.Version,
		"uptime_s":   int(time.Since(s.started).Seconds()),
	})
}

func kindName(kind, lang string) string {
	names := map[string][2]string{
		"corporation":     {"Municipal Corporation", "മുനിസിപ്പൽ കോർപ്പറേഷൻ"},
		"municipality":    {"Municipality", "മുനിസിപ്പാലിറ്റി"},
		"grama_panchayat": {"Grama Panchayat", "ഗ്രാമ പഞ്ചായത്ത്"},
	}
	n := names[kind]
	if lang == "ml" {
		return n[1]
	}
	return n[0]
}
