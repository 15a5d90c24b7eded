package web

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
)

// pager is one page of a long list: items From to To (exclusive) of Total,
// and the addresses of the pages before and after, keeping the rest of the
// request's query (a filter, a search), so that a list never grows past
// what a phone on a slow link should load at once.
type pager struct {
	Page, Pages     int
	From, To, Total int
	Prev, Next      string
}

// pageOf reads ?page= (from 1) for a list of total items, size a page; a
// page past the end shows the last.
func pageOf(c echo.Context, total, size int) pager {
	p, _ := strconv.Atoi(c.QueryParam("page"))
	pages := max(1, (total+size-1)/size)
	p = min(max(p, 1), pages)
	pg := pager{Page: p, Pages: pages, Total: total, From: (p - 1) * size, To: min(p*size, total)}
	link := func(n int) string {
		u := *c.Request().URL
		q := u.Query()
		q.Del("lang")
		if n == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		u.RawQuery = q.Encode()
		return (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
	}
	if p > 1 {
		pg.Prev = link(p - 1)
	}
	if p < pages {
		pg.Next = link(p + 1)
	}
	return pg
}
