package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/labstack/echo/v4"
)

// Pages name each static file with its fingerprint, /static/ksmart.css?v=
// the first hex of its SHA-256, so that a browser keeps it for a year and
// fetches it again only when a new version of ksmart changes it: a phone
// on patchy data loads the stylesheet once, not with every page.

// staticVersions are the fingerprints of the embedded static files.
func staticVersions() map[string]string {
	out := map[string]string{}
	fs.WalkDir(staticFiles(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(staticFiles(), path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[path] = hex.EncodeToString(sum[:6])
		return nil
	})
	return out
}

// staticURL is a static file's fingerprinted address.
func (s *Server) staticURL(name string) string {
	return "/static/" + name + "?v=" + s.static[name]
}

// staticCache marks a static file cacheable for a year when asked for by
// its current fingerprint, and to be checked again otherwise (an old
// page's address, or none).
func (s *Server) staticCache(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		name := strings.TrimPrefix(c.Request().URL.Path, "/static/")
		if v := c.QueryParam("v"); v != "" && v == s.static[name] {
			c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
		}
		return next(c)
	}
}

// compressed compresses pages, stylesheets, scripts and JSON of a kilobyte
// or more (gzip, or zstd for a browser that takes it); a page of the
// office's lists shrinks to a fifth. PDFs, photos and recordings are
// compressed already and go as they are, a WebSocket (video KYC's
// signalling) is left alone, and /metrics compresses itself. It wraps the
// whole of echo, its error pages too, with klauspost's gzhttp: its writers
// reset in place, where the standard library's clear ~600 KB of tables
// for every response (measured: a quarter of the appliance's CPU per
// application submitted through the API).
func compressed(h http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		return nil, err
	}
	gz := wrap(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if uncompressed(r) {
			h.ServeHTTP(w, r)
			return
		}
		gz.ServeHTTP(w, r)
	}), nil
}

// uncompressed says which responses go as they are.
func uncompressed(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return true
	}
	p := r.URL.Path
	for _, suffix := range []string{".pdf", "/pdf", ".png", ".jpg", ".jpeg", ".webm"} {
		if strings.HasSuffix(p, suffix) {
			return true
		}
	}
	// /metrics is compressed by promhttp itself: twice would reach
	// a scraper still gzipped once it passed a kilobyte compressed.
	return p == "/metrics" || strings.Contains(p, "/documents/") || strings.Contains(p, "/photo") || strings.Contains(p, "/recording") || strings.HasPrefix(p, "/demo/mailbox/")
}
