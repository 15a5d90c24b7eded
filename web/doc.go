// Package web is ksmart's HTTP face: the echo server, its middleware, the
// routes with the role each needs, server-rendered bilingual pages and the
// JSON API. It holds no business rule: handlers parse, call the appliance's
// modules and render; errors map to HTTP status in one place (errors.go).
package web
