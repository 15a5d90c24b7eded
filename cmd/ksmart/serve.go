package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/finance"
	"ksmart/appliance/finance/sandbox"
	"ksmart/appliance/identity"
	"ksmart/appliance/kyc"
	"ksmart/appliance/messaging/sink"
	"ksmart/appliance/synth"
	"ksmart/appliance/synth/legacy"
	"ksmart/web"
)

func runServe(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "serve", "--data DIR [--addr HOST:PORT] [--local-body FILE] [--tls-cert FILE --tls-key FILE] [--trusted-proxies CIDR,...] [--state https://HOST:PORT[,...] --state-ca FILE --state-cert FILE --state-key FILE]")
	data := fs.String("data", "ksmart-data", "data `DIR`ectory (ksmart.db, index/, keys/)")
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on; 0.0.0.0:8080 to serve the office LAN")
	lbFile := fs.String("local-body", "", "JSON `FILE` with the local body's identity; needed on first start only")
	logFormat := fs.String("log-format", "json", "log format: json or text")
	secure := fs.Bool("secure-cookies", false, "mark session cookies Secure (set when users reach ksmart over HTTPS through a proxy; --tls-cert sets it)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate `FILE` (the full chain); read again on SIGHUP")
	tlsKey := fs.String("tls-key", "", "the PEM private key `FILE` of --tls-cert; read again on SIGHUP")
	twoStep := fs.String("two-step-roles", joinRoles(identity.DefaultTOTPRoles), "comma-separated office `ROLES` whose holders must sign in in two steps (password, then a code from an authenticator app); none: no role must, and only staff who set it up themselves use it")
	trusted := fs.String("trusted-proxies", "", "comma-separated `CIDR` ranges of reverse proxies whose X-Forwarded-For and X-Real-IP are believed (e.g. 10.0.0.5/32); without it those headers are ignored")
	publicURL := fs.String("public-url", "", "`URL` citizens reach this appliance at, printed in receipts' QR codes (e.g. https://ksmart.example-municipality.in)")
	holidays := fs.String("holidays", "", "comma-separated public holidays (2026-12-25,...) excluded from time limits")
	catalogueDir := fs.String("catalogue", "", "`DIR` of service definitions (*.json) to use instead of the built-in catalogue")
	font := fs.String("font", "", "Malayalam OpenType `FILE` (.otf or .ttf) for certificates and receipts; default: Manjari or Noto Sans Malayalam from the usual Debian font paths")
	fontBold := fs.String("font-bold", "", "bold weight `FILE` of --font (default: --font itself)")
	stateAddrs := fs.String("state", "", "the state cluster's nodes, `https://HOST:PORT[,...]`: ship the log there (with --state-ca, --state-cert and --state-key)")
	stateCA := fs.String("state-ca", "", "the state CA's certificate `FILE` (ca.crt)")
	stateCert := fs.String("state-cert", "", "this local body's certificate `FILE` for the state, issued by ksmart state issue-cert --kind body --name CODE")
	stateKey := fs.String("state-key", "", "the key `FILE` of --state-cert")
	messagingFile := fs.String("messaging", "", "`FILE` with the e-mail (SMTP), WhatsApp and SMS settings (see examples/messaging.json); without it messages reach the in-app inbox only and wait for the other channels")
	paymentsFile := fs.String("payments", "", "`FILE` with the payment gateway's keys, the UPI address and the cash counters (see examples/payments.json); without it payments are taken at one counter, C1, and not online")
	propertyTaxFile := fs.String("property-tax", "", "`FILE` with the council's property tax rates and settings, in the form of ksmart's defaults (see examples/property-tax.json); without it ksmart's defaults, which are LOCAL SETTINGS for the council to confirm")
	grievancesFile := fs.String("grievances", "", "`FILE` with the council's complaint categories (section, days to fix, escalation chain) and settings, in the form of ksmart's defaults (appliance/grievance/categories.json); without it ksmart's defaults, which are LOCAL SETTINGS")
	kycFile := fs.String("kyc", "", "`FILE` with video KYC's settings: call hours, slot length, validity, recordings' retention, STUN/TURN servers, one UDP port and ICE-TCP (see examples/kyc.json); without it ksmart's defaults and host candidates only")
	if err := parse(fs, args); err != nil {
		return err
	}
	var lb *domain.LocalBody
	if *lbFile != "" {
		var err error
		if lb, err = readLocalBody(*lbFile); err != nil {
			return err
		}
	}
	logger, err := newLogger(env, *logFormat)
	if err != nil {
		return err
	}
	opt := serveOptions{secureCookies: *secure}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("to serve HTTPS give both --tls-cert FILE and --tls-key FILE")
	}
	if *tlsCert != "" {
		if opt.certs, err = web.NewCertReloader(*tlsCert, *tlsKey); err != nil {
			return err
		}
		opt.secureCookies = true
	}
	if *trusted != "" {
		if opt.trustedProxies, err = web.ParseTrustedProxies(*trusted); err != nil {
			return err
		}
	}
	cfg := appliance.Config{Dir: *data, LocalBody: lb, Logger: logger, CatalogueDir: *catalogueDir, FontRegular: *font, FontBold: *fontBold}
	if *twoStep == "none" {
		cfg.NoTwoStep = true
	} else {
		cfg.TwoStepRoles = []domain.Role{}
		for _, r := range splitList(*twoStep) {
			if role := domain.Role(r); !role.Known() || role == domain.RoleCitizen {
				return usageError{fmt.Sprintf("--two-step-roles: %q is not an office role; give office roles like %s, or none", r, joinRoles(identity.DefaultTOTPRoles))}
			}
			cfg.TwoStepRoles = append(cfg.TwoStepRoles, domain.Role(r))
		}
	}
	if *fontBold != "" && *font == "" {
		return usageError{"--font-bold needs --font"}
	}
	if cfg.State, err = stateConfig(*stateAddrs, *stateCA, *stateCert, *stateKey); err != nil {
		return err
	}
	if *messagingFile != "" {
		m, warn, err := loadMessaging(*messagingFile)
		if err != nil {
			return err
		}
		if warn != "" {
			logger.Warn(warn)
		}
		cfg.Messaging = m
	}
	if *paymentsFile != "" {
		p, warn, err := loadPayments(*paymentsFile)
		if err != nil {
			return err
		}
		if warn != "" {
			logger.Warn(warn)
		}
		cfg.Payments = p
	}
	if *grievancesFile != "" {
		raw, err := os.ReadFile(*grievancesFile)
		if err != nil {
			return fmt.Errorf("--grievances: %v", err)
		}
		cfg.GrievanceCategories = raw
	}
	if *propertyTaxFile != "" {
		raw, err := os.ReadFile(*propertyTaxFile)
		if err != nil {
			return fmt.Errorf("--property-tax: %v", err)
		}
		cfg.PropertyTaxRules = raw
	}
	if *kycFile != "" {
		raw, err := os.ReadFile(*kycFile)
		if err == nil {
			cfg.KYC, err = kyc.ParseSettings(raw)
		}
		if err != nil {
			return fmt.Errorf("--kyc: %v", err)
		}
	}
	if *holidays != "" {
		cfg.Holidays = strings.Split(*holidays, ",")
	}
	if *publicURL != "" {
		u, err := url.Parse(*publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return usageError{fmt.Sprintf("--public-url %q must be like https://host or http://host:port", *publicURL)}
		}
		*publicURL = strings.TrimSuffix(*publicURL, "/")
		cfg.PublicURL = *publicURL
	}
	opt.publicURL = *publicURL
	return serve(ctx, env, logger, cfg, *addr, opt)
}

// stateConfig reads the --state flags: all four or none.
func stateConfig(addrs, ca, cert, key string) (*appliance.StateConfig, error) {
	var missing []string
	for _, f := range []struct{ flag, value string }{{"--state https://HOST:PORT", addrs}, {"--state-ca FILE", ca}, {"--state-cert FILE", cert}, {"--state-key FILE", key}} {
		if f.value == "" {
			missing = append(missing, f.flag)
		}
	}
	switch {
	case len(missing) == 4:
		return nil, nil
	case len(missing) > 0:
		return nil, usageError{"to ship the log to the state give all of --state, --state-ca, --state-cert and --state-key; missing " + strings.Join(missing, ", ")}
	}
	list, err := stateAddrList(addrs)
	if err != nil {
		return nil, usageError{"--state: " + err.Error()}
	}
	return &appliance.StateConfig{Addrs: list, CAFile: ca, CertFile: cert, KeyFile: key}, nil
}

// stateAddrList reads state node addresses given as https://HOST:PORT or
// HOST:PORT, separated by commas.
func stateAddrList(s string) ([]string, error) {
	var out []string
	for _, a := range strings.Split(s, ",") {
		a = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(a), "https://"), "/")
		if a == "" {
			continue
		}
		if strings.Contains(a, "://") {
			return nil, fmt.Errorf("%q: the state speaks HTTPS only; give https://HOST:PORT", a)
		}
		if host, port, err := net.SplitHostPort(a); err != nil || host == "" || port == "" {
			return nil, fmt.Errorf("%q is not https://HOST:PORT", a)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("give at least one state node as https://HOST:PORT")
	}
	return out, nil
}

// serveOptions are what differ between serve and demo.
type serveOptions struct {
	secureCookies bool
	publicURL     string
	// certs, when set, serves HTTPS; SIGHUP reads its files again.
	certs *web.CertReloader
	// trustedProxies are the proxies whose forwarded addresses are believed.
	trustedProxies []*net.IPNet
	demo           bool
	demoFiles      int
	// demoSeed seeds the demo's data; demoSeedGiven says --seed gave it.
	demoSeed      uint64
	demoSeedGiven bool
	// gateway is the demo's sandbox payment gateway.
	gateway *sandbox.Gateway
	// mailbox is the demo's mail server and WhatsApp stand-in, unless
	// --messaging named real gateways.
	mailbox *sink.Sink
}

func runDemo(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "demo", "[--data DIR] [--addr HOST:PORT] [--applications N] [--seed N] [--messaging FILE]")
	data := fs.String("data", "", "data `DIR`ectory; default a fresh one under the temp directory")
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on")
	files := fs.Int("applications", 300, "how many demo applications to seed on a fresh data directory")
	seed := fs.Uint64("seed", 0, "seed `N` of the demo's data: the same seed makes the same data again (default: one from the clock, printed at start)")
	messagingFile := fs.String("messaging", "", "`FILE` with real e-mail (SMTP), WhatsApp and SMS settings, as for serve; without it the demo sends to its own mail server and WhatsApp stand-in on this machine, shown at /demo/mailbox")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *files < 0 || *files > 100000 {
		return usageError{"--applications must be between 0 and 100000"}
	}
	seedGiven := false
	fs.Visit(func(f *flag.Flag) { seedGiven = seedGiven || f.Name == "seed" })
	if !seedGiven {
		*seed = uint64(time.Now().UnixNano())
	}
	if *data == "" {
		d, err := os.MkdirTemp("", "ksmart-demo-")
		if err != nil {
			return err
		}
		*data = d
	}
	logger, _ := newLogger(env, "text")
	lb := synth.DemoLocalBody()
	// A payment gateway on this machine, so that a citizen can pay online
	// end to end; it says on its page that no money moves.
	gw, err := sandbox.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer gw.Close()
	keys := gw.Keys
	// The demo's printed logins sign in with their password alone: two-step
	// sign-in (which serve requires of the roles in --two-step-roles) is
	// off, and the banner says so.
	cfg := appliance.Config{Dir: *data, LocalBody: &lb, Logger: logger, NoTwoStep: true, Payments: appliance.PaymentsConfig{Gateway: &keys,
		UPI:      finance.UPI{VPA: "demo.municipality@invalid", Payee: "Demo Municipality (demo, not a real payee)"},
		Counters: []finance.Counter{{Code: "C1", Name: domain.T("Cash counter 1", "ക്യാഷ് കൗണ്ടർ 1")}, {Code: "C2", Name: domain.T("Cash counter 2", "ക്യാഷ് കൗണ്ടർ 2")}}}}
	opt := serveOptions{demo: true, demoFiles: *files, demoSeed: *seed, demoSeedGiven: seedGiven, gateway: gw}
	if *messagingFile != "" {
		m, warn, err := loadMessaging(*messagingFile)
		if err != nil {
			return err
		}
		if warn != "" {
			logger.Warn(warn)
		}
		cfg.Messaging = m
	} else {
		// Messages go out as in a real office, to a mail server and a
		// WhatsApp peer of the demo's own, so that deliveries are sent
		// and a person can read them at /demo/mailbox.
		mb, err := sink.Start()
		if err != nil {
			return err
		}
		defer mb.Close()
		cfg.Messaging, opt.mailbox = mb.Config(), mb
	}
	return serve(ctx, env, logger, cfg, *addr, opt)
}

// serve opens the appliance and answers HTTP until ctx ends (SIGINT or
// SIGTERM), then finishes requests in flight and closes the store.
func serve(ctx context.Context, env *env, logger *slog.Logger, cfg appliance.Config, addr string, opt serveOptions) error {
	app, err := appliance.Open(cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	// Listen before the demo is seeded: its certificates' QR codes point
	// at the address we listen on, until an operator gives the public one.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%s is already in use; stop what is using it or choose another address with --addr", addr)
		}
		return fmt.Errorf("cannot listen on %s: %v; give --addr as HOST:PORT", addr, err)
	}
	defer ln.Close()
	url := "http://" + ln.Addr().String() + "/"
	if opt.certs != nil {
		url = "https://" + ln.Addr().String() + "/"
	}
	if opt.publicURL == "" {
		app.PublicURL = strings.TrimSuffix(url, "/")
		if cfg.Messaging.PublicURL == "" {
			app.Outbox.Config.PublicURL = app.PublicURL
		}
	}
	var logins []synth.Login
	if opt.demo {
		if logins, err = seedDemo(env, app, opt); err != nil {
			return err
		}
		opt.gateway.WebhookURL = url + "webhooks/payments/" + opt.gateway.Keys.Name()
	}
	// First start: make sure someone can administer it, and say so once.
	admin, otp, created, err := app.Identity.EnsureAdmin()
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(env.stdout, "First start: administrator %q has the one-time password %s\n(shown only now; it must be changed at first sign-in; 'ksmart user reset --login %s' makes a new one)\n", admin, otp, admin)
	}
	srv, err := web.New(app, logger, version, opt.secureCookies)
	if err != nil {
		return err
	}
	srv.PublicURL = opt.publicURL
	srv.Demo = opt.demo
	if opt.trustedProxies != nil {
		srv.TrustProxies(opt.trustedProxies)
	}
	if opt.certs != nil {
		srv.TLS = opt.certs.TLSConfig()
	}
	if opt.certs != nil || app.Shipper != nil {
		// Registered before the address is printed, so a SIGHUP from then
		// on reloads rather than ends the process.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go reloadOnHangup(ctx, logger, opt.certs, app, hup)
	}
	srv.Mailbox = opt.mailbox
	if opt.demo {
		abs, _ := filepath.Abs(cfg.Dir)
		fmt.Fprintf(env.stdout, "ksmart demo: %s (%s)\n", app.LocalBody.Name.En, app.LocalBody.Name.Ml)
		fmt.Fprintf(env.stdout, "  two-step    OFF in the demo: its logins sign in with the password alone (ksmart serve requires an authenticator app code of %s)\n", joinRoles(identity.DefaultTOTPRoles))
		fmt.Fprintf(env.stdout, "  open        %s\n", url)
		fmt.Fprintf(env.stdout, "  health      %shealthz\n", url)
		fmt.Fprintf(env.stdout, "  metrics     %smetrics\n", url)
		if e := demoKioskExample; e.Number != "" {
			date, _ := time.Parse(time.DateOnly, e.EventDate)
			fmt.Fprintf(env.stdout, "  kiosk       %skiosk  (try: %s, born %s, mother %s)\n", url, e.NameEn, date.Format("02-01-2006"), e.MotherEn)
		}
		fmt.Fprintf(env.stdout, "  payments    a test payment gateway at %s takes online payments (no money moves)\n", opt.gateway.Keys.BaseURL)
		if opt.mailbox != nil {
			fmt.Fprintf(env.stdout, "  mailbox     %sdemo/mailbox  (every e-mail and WhatsApp message the demo sent, through its own mail server at %s; %s's e-mail is %s)\n",
				url, opt.mailbox.SMTPAddr, synth.DemoCitizenPhone, demoCitizenEmail)
		}
		if app.PropertyTax != nil {
			fmt.Fprintf(env.stdout, "  tax office  %soffice/property-tax/dcb  (property tax: ward 1's register, its demand, collection and balance, defaulters)\n", url)
			fmt.Fprintf(env.stdout, "  tax owner   %sproperty-tax  (signed in as %s: their buildings, what is owed with interest, paying it)\n", url, synth.DemoCitizenPhone)
		}
		if p := demoPermits; p.Occupied != "" {
			fmt.Fprintf(env.stdout, "  permits     %sbuilding-permits/scrutiny  (plan scrutiny; the demo citizen's permits: %s same-day low-risk, %s approved after inspection, %s refused with reasons, %s occupied as building %s)\n",
				url, p.LowRisk, p.Approved, p.Refused, p.Occupied, p.BuildingNumber)
		}
		if g := demoGrievances; g.Reports > 0 {
			fmt.Fprintf(env.stdout, "  complaints  %sgrievances  (%d reports: %d open, %d overdue, %d escalated, %d fixed, %d reopened, %d rated; the office's queue at %soffice/grievances; Open311 at %sopen311/v2/services.json)\n",
				url, g.Reports, g.Open, g.Overdue, g.Escalated, g.Fixed, g.Reopened, g.Rated, url, url)
		}
		fmt.Fprintf(env.stdout, "  data        %s (delete it when you are done)\n", abs)
		fmt.Fprintf(env.stdout, "  stop        Ctrl+C\n")
		if len(logins) > 0 {
			fmt.Fprintf(env.stdout, "\n  demo logins (sign in at %ssignin):\n", url)
			for _, l := range logins {
				fmt.Fprintf(env.stdout, "    %-12s %-22s %s\n", l.Login, l.Password, l.Roles[0])
			}
		}
	} else {
		fmt.Fprintf(env.stdout, "ksmart serving %s at %s\n", app.LocalBody.Name.En, url)
		if cfg.State != nil {
			fmt.Fprintf(env.stdout, "  shipping the log to the state at %s\n", strings.Join(cfg.State.Addrs, ", "))
		}
	}
	go app.Run(ctx)
	go func() {
		if err := app.ServeControl(ctx); err != nil {
			logger.Warn("control socket unavailable: online backup and check will not reach this process", "error", err)
		}
	}()
	logger.Info("listening", "url", url, "local_body", app.LocalBody.Code, "data", cfg.Dir)
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	// Close waits for the background work before the store closes, so
	// nothing is logged after this says so.
	if err := app.Close(); err != nil {
		return err
	}
	logger.Info("stopped cleanly")
	return nil
}

// reloadOnHangup reads certificate files again on each SIGHUP until ctx
// ends: the HTTPS certificate and key (after a renewal) and the state
// certificate (a renewed one, or a CA bundle during a CA rollover), each
// kept as it was when its new files are wrong.
func reloadOnHangup(ctx context.Context, logger *slog.Logger, certs *web.CertReloader, app *appliance.Appliance, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if app.Shipper != nil {
				if err := app.ReloadStateCertificate(); err != nil {
					logger.Error("SIGHUP: the state certificate files did not load; still using the old ones", "error", err)
				}
			}
			if certs != nil {
				if err := certs.Reload(); err != nil {
					logger.Error("SIGHUP: the TLS certificate was not changed", "error", err)
					continue
				}
				logger.Info("SIGHUP: TLS certificate reloaded", "cert", certs.CertFile, "not_after", certs.NotAfter())
			}
		}
	}
}

// seedDemo fills a fresh demo data directory, showing progress, with the
// seed printed first so that the run can be repeated; a data directory
// seeded before is left as it is. An application that fails is reported,
// skipped and counted, never the end of the demo.
func seedDemo(env *env, app *appliance.Appliance, opt serveOptions) ([]synth.Login, error) {
	if users, err := app.Identity.List(""); err != nil || len(users) > 0 {
		if err == nil && opt.demoSeedGiven {
			fmt.Fprintf(env.stdout, "ksmart demo: the data directory was seeded before; --seed %d changes nothing in it\n", opt.demoSeed)
		}
		return nil, err
	}
	seed, files := opt.demoSeed, opt.demoFiles
	fmt.Fprintf(env.stdout, "ksmart demo: seeding %d applications with --seed %d (ksmart demo --seed %d makes the same data again today)\n", files, seed, seed)
	bar := progressbar.NewOptions(files, progressbar.OptionSetWriter(env.stderr), progressbar.OptionSetDescription("seeding demo applications"),
		progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
	var failed []synth.DemoFailure
	logins, err := synth.SeedDemo(app, files, seed, func(done, _ int) { bar.Set(done) }, func(f synth.DemoFailure) { failed = append(failed, f) })
	bar.Finish()
	if err != nil {
		return nil, fmt.Errorf("%w (seed %d)", err, seed)
	}
	reportDemoFailures(env, failed, files, seed)
	if err := synth.SeedMoney(app, opt.gateway, seed); err != nil {
		fmt.Fprintf(env.stderr, "ksmart demo: the demo's online payments and closed day were not seeded (%s); the demo goes on without them. ksmart demo --seed %d repeats it.\n", oneLine(err.Error()), seed)
	}
	if _, err := synth.SeedPropertyTax(app, opt.gateway, seed); err != nil {
		fmt.Fprintf(env.stderr, "ksmart demo: the demo's property tax demands and payments were not seeded (%s); the demo goes on without them. ksmart demo --seed %d repeats it.\n", oneLine(err.Error()), seed)
	}
	if lic, err := synth.SeedLicences(app, seed); err != nil {
		fmt.Fprintf(env.stderr, "ksmart demo: the demo's trade licences were not seeded (%s); the demo goes on without them. ksmart demo --seed %d repeats it.\n", oneLine(err.Error()), seed)
	} else if lic.Deemed != "" {
		fmt.Fprintf(env.stdout, "ksmart demo: trade licences in every status at /office/licences; %s was deemed granted today (its file sat 31 days), %s renewed online\n", lic.Deemed, lic.RenewedOnline)
	}
	if r, err := synth.SeedRTS(app); err != nil {
		fmt.Fprintf(env.stderr, "ksmart demo: the demo's Right to Service appeals were not seeded (%s); the demo goes on without them.\n", oneLine(err.Error()))
	} else {
		fmt.Fprintf(env.stdout, "ksmart demo: Right to Service at /office/rts: appeals %s (first, pending) and %s (second, pending), a penalty proposed on %s; the demo citizen may appeal %s\n",
			r.FirstPending, r.SecondPending, r.Penalty, r.Appealable)
	}
	if demoPermits, err = synth.SeedPermits(app, seed); err != nil {
		fmt.Fprintf(env.stderr, "ksmart demo: the demo's building permits were not seeded (%s); the demo goes on without them. ksmart demo --seed %d repeats it.\n", oneLine(err.Error()), seed)
	}
	if gs, err := synth.SeedGrievances(app, files, seed); err != nil {
		fmt.Fprintf(env.stderr, "ksmart demo: the demo's complaints were not seeded (%s); the demo goes on without them. ksmart demo --seed %d repeats it.\n", oneLine(err.Error()), seed)
	} else {
		demoGrievances = gs
	}
	if opt.mailbox != nil {
		// The demo citizen has an e-mail too, so that the mailbox shows
		// receipts by e-mail beside WhatsApp.
		if u, err := app.Identity.ByLogin("+91" + synth.DemoCitizenPhone); err == nil {
			p := u.Preferences()
			p.Email, p.Channels = demoCitizenEmail, []string{"email", "whatsapp"}
			if _, err := app.Identity.SetPreferences(u.ID, p); err != nil {
				fmt.Fprintf(env.stderr, "ksmart demo: the demo citizen's e-mail was not set (%s); their messages go by WhatsApp only.\n", oneLine(err.Error()))
			}
		}
	}
	fmt.Fprintf(env.stderr, "importing a legacy register of %d births for the kiosk and the office search\n", synth.DemoRegisterRows)
	example, err := synth.SeedLegacyRegister(app, synth.DemoRegisterRows)
	if err != nil {
		return nil, err
	}
	demoKioskExample = example
	return logins, nil
}

// demoFailuresShown is how many failed demo applications are listed one by
// one; the rest are counted.
const demoFailuresShown = 10

// reportDemoFailures lists the demo applications that failed and were
// skipped, with the seed that makes them again.
func reportDemoFailures(env *env, failed []synth.DemoFailure, files int, seed uint64) {
	if len(failed) == 0 {
		return
	}
	for _, f := range failed[:min(len(failed), demoFailuresShown)] {
		fmt.Fprintf(env.stderr, "ksmart demo: skipped %s\n", oneLine(f.Error()))
	}
	if more := len(failed) - demoFailuresShown; more > 0 {
		fmt.Fprintf(env.stderr, "ksmart demo: … and %d more\n", more)
	}
	fmt.Fprintf(env.stderr, "ksmart demo: %d of %d demo applications failed and were skipped; the demo goes on. ksmart demo --seed %d repeats them.\n",
		len(failed), files, seed)
}

// demoCitizenEmail is the demo citizen's e-mail: .invalid, so that no
// real mail server would ever take it.
const demoCitizenEmail = "demo.citizen@demo.invalid"

// demoPermits are the demo's building permits, one in each state.
var demoPermits synth.PermitsSeeded

// demoGrievances is what the demo's complaints came to, for the banner.
var demoGrievances synth.GrievancesSeeded

// demoKioskExample is a person of the demo's legacy register, printed as
// something to look for at the kiosk.
var demoKioskExample legacy.Record

func newLogger(env *env, format string) (*slog.Logger, error) {
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(env.stderr, nil)), nil
	case "text":
		return slog.New(slog.NewTextHandler(env.stderr, nil)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format must be json or text, not %q", format)}
}

// readLocalBody reads the identity file for a first start.
func readLocalBody(path string) (*domain.LocalBody, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--local-body: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var lb domain.LocalBody
	if err := dec.Decode(&lb); err != nil {
		return nil, fmt.Errorf("--local-body %s is not a valid identity file: %v (see README, \"First start\", for an example)", path, err)
	}
	if err := lb.Validate(); err != nil {
		return nil, fmt.Errorf("--local-body %s: %v", path, err)
	}
	return &lb, nil
}
