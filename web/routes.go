package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ksmart/appliance/civil"
	"ksmart/appliance/domain"
)

// routes registers every route in one place, each with who may call it.
// The modules check deeper (whose file, which step); these are the doors.
func (s *Server) routes() {
	e := s.echo
	citizen := signedIn(domain.RoleCitizen)
	staff := signedIn(staffRoles...)
	counter := signedIn(domain.RoleFrontOffice)
	s.authLimiter = s.authLimit() // one per-IP budget for every sign-in, sign-up and verify route
	limited := s.authLimiter

	// Public.
	e.GET("/", s.home)
	e.GET("/healthz", s.healthz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})))
	e.GET("/static*", echo.StaticDirectoryHandler(staticFiles(), !e.EnablePathUnescapingStaticFiles), s.staticCache)
	e.GET("/services", s.services)
	e.GET("/services/:code", s.serviceDetail)
	e.GET("/status", s.status)
	e.GET("/signup", s.signupPage)
	e.POST("/signup", s.signup, limited)
	e.GET("/verify", s.verifyPage)
	e.POST("/verify", s.verify, limited)
	e.GET("/signin", s.signinPage)
	e.GET("/verify/:number", s.verifyCertificatePage)
	// Providers' callbacks, authenticated by their own signatures.
	e.GET("/webhooks/whatsapp", s.whatsappVerify)
	e.POST("/webhooks/whatsapp", s.whatsappStatus)
	e.POST("/signin", s.signin, limited)
	e.GET("/signin/two-step", s.twoStepPage)
	e.POST("/signin/two-step", s.twoStep, limited)
	e.GET("/signin/two-step/setup", s.twoStepSetupPage)
	e.POST("/signin/two-step/setup", s.twoStepSetup, limited)
	e.GET("/forgot", s.forgotPage)
	e.POST("/forgot", s.forgot, limited)
	e.GET("/forgot/reset", s.forgotResetPage)
	e.POST("/forgot/reset", s.forgotReset, limited)

	// Anyone signed in.
	e.POST("/signout", s.signout, signedIn())
	e.GET("/account/password", s.passwordPage, signedIn())
	e.POST("/account/password", s.changePassword, signedIn())

	// Citizens: their own applications only (the workflow checks whose).
	e.GET("/services/:code/apply", s.applyPage, citizen)
	e.POST("/services/:code/apply", s.submit, citizen)
	e.GET("/applications", s.myApplications, citizen)
	e.GET("/applications/:id", s.applicationPage, citizen)
	e.POST("/applications/:id/answer", s.answer, citizen)
	e.GET("/applications/:id/receipt.pdf", s.receipt, citizen)
	e.GET("/applications/:id/documents/:blob", s.document, citizen)
	e.GET("/applications/:id/certificate.pdf", s.issuedDocument, citizen)
	e.GET("/messages", s.messages, citizen)
	e.GET("/account/messages", s.messageSettings, citizen)
	e.POST("/account/messages", s.saveMessageSettings, citizen)
	e.POST("/account/messages/verify", s.verifyContact, citizen, limited)

	// Office staff (the workflow decides which actions each role may take).
	e.GET("/office", s.officeInbox, staff)
	e.GET("/office/files/:id", s.officeFile, staff)
	e.POST("/office/files/:id/act", s.officeAct, staff)
	e.GET("/office/files/:id/receipt.pdf", s.receipt, staff)
	e.GET("/office/files/:id/documents/:blob", s.document, staff)
	e.GET("/office/files/:id/certificate.pdf", s.issuedDocument, staff)
	e.GET("/office/counter", s.counterPage, counter)
	e.GET("/office/counter/:code", s.applyPage, counter)
	e.POST("/office/counter/:code", s.submit, counter)
	// One box over everything the role may see (OfficeSearch decides
	// what); the words go by POST, never in a URL.
	e.GET("/office/search", s.officeSearchPage, staff)
	e.POST("/office/search", s.officeSearch, staff)

	// The registrar's office: the civil registers and their certificates.
	registers := signedIn(civil.RegisterRoles...)
	e.GET("/office/registers", s.registersPage, registers)
	e.GET("/office/registers/entry", s.registerEntryPage, registers)
	e.GET("/office/certificates/:number/pdf", s.officeCertificatePDF, registers)
	e.POST("/office/certificates/:number/revoke", s.revokeCertificate, signedIn(domain.RoleRegistrar))

	// The local body's administrator: office accounts.
	admin := signedIn(domain.RoleAdmin)
	e.GET("/admin/users", s.adminUsers, admin)
	e.POST("/admin/users", s.adminAddUser, admin)
	e.POST("/admin/users/:id/reset", s.adminResetPassword, admin)
	e.POST("/admin/users/:id/two-step-reset", s.adminResetTwoStep, admin)
	e.POST("/admin/users/:id/disable", s.adminDisable, admin)
	e.POST("/admin/users/:id/enable", s.adminEnable, admin)
	e.POST("/admin/users/:id/roles", s.adminSetRoles, admin)
	e.GET("/admin/replication", s.adminReplication, admin)
	e.GET("/admin/replication/fork", s.adminFork, signedIn(forkWarned...))

	api := e.Group("/api/v1")
	s.apiRoutes(api)
	s.moneyRoutes(e, api)
	s.propertyTaxRoutes(e, api)
	s.licenceRoutes(e, api)
	s.buildingRoutes(e, api)
	s.grievanceRoutes(e)
	s.kycRoutes(e)
	s.rtsRoutes(e, api)
	s.mailboxRoutes(e) // demo only: 404 without a Mailbox

	// The kiosk: no sign-in, anyone at it; known by its device cookie,
	// limited per kiosk and per address (see kiosk.go).
	s.kioskRoutes(e, api)
}

// kioskRoutes registers the kiosk's pages and API: no sign-in, no-store,
// limited per kiosk and per address (except the blank form).
func (s *Server) kioskRoutes(e *echo.Echo, api *echo.Group) {
	lim := s.newKioskLimits()
	page := []echo.MiddlewareFunc{s.kioskPage, lim.byAddress, s.kioskIdentity, lim.byKiosk}
	e.GET("/kiosk", s.kioskHome, s.kioskPage)
	e.POST("/kiosk/search", s.kioskSearch, page...)
	e.POST("/kiosk/open", s.kioskOpen, page...)
	e.POST("/kiosk/certificate", s.kioskCertificate, page...)
	e.POST("/kiosk/copy", s.kioskCopy, page...)
	e.POST("/kiosk/copy/print", s.kioskPaidCopy, page...)
	e.GET("/kiosk/copy/pdf", s.kioskPrinted, page...)
	e.POST("/kiosk/status", s.kioskStatus, page...)

	apiChain := []echo.MiddlewareFunc{kioskHeaders, lim.byAddress, s.kioskIdentity, lim.byKiosk}
	api.POST("/kiosk/search", s.apiKioskSearch, apiChain...)
	api.POST("/kiosk/status", s.apiKioskStatus, apiChain...)
}

func (s *Server) home(c echo.Context) error {
	return s.render(c, http.StatusOK, "home.html", "home", struct {
		Events   uint64
		KindEn   string
		KindMl   string
		Services int
		Started  time.Time
	}{s.App.Store.LastSeq(), kindName(s.App.LocalBody.Kind, "en"), kindName(s.App.LocalBody.Kind, "ml"), s.App.Catalogue.OfferedCount(), s.started})
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
