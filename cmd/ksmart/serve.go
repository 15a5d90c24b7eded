package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/appliance/synth"
	"ksmart/web"
)

func runServe(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "serve", "--data DIR [--addr HOST:PORT] [--local-body FILE]")
	data := fs.String("data", "ksmart-data", "data `DIR`ectory (ksmart.db, index/, keys/)")
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on; 0.0.0.0:8080 to serve the office LAN")
	lbFile := fs.String("local-body", "", "JSON `FILE` with the local body's identity; needed on first start only")
	logFormat := fs.String("log-format", "json", "log format: json or text")
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
	return serve(ctx, env, logger, appliance.Config{Dir: *data, LocalBody: lb, Logger: logger}, *addr, false)
}

func runDemo(ctx context.Context, env *env, args []string) error {
	fs := newFlags(env, "demo", "[--data DIR] [--addr HOST:PORT]")
	data := fs.String("data", "", "data `DIR`ectory; default a fresh one under the temp directory")
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on")
	if err := parse(fs, args); err != nil {
		return err
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
	return serve(ctx, env, logger, appliance.Config{Dir: *data, LocalBody: &lb, Logger: logger}, *addr, true)
}

// serve opens the appliance and answers HTTP until ctx ends (SIGINT or
// SIGTERM), then finishes requests in flight and closes the store.
func serve(ctx context.Context, env *env, logger *slog.Logger, cfg appliance.Config, addr string, demo bool) error {
	app, err := appliance.Open(cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	srv, err := web.New(app, logger, version)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%s is already in use; stop what is using it or choose another address with --addr", addr)
		}
		return fmt.Errorf("cannot listen on %s: %v; give --addr as HOST:PORT", addr, err)
	}
	url := "http://" + ln.Addr().String() + "/"
	if demo {
		abs, _ := filepath.Abs(cfg.Dir)
		fmt.Fprintf(env.stdout, "ksmart demo: %s (%s)\n", app.LocalBody.Name.En, app.LocalBody.Name.Ml)
		fmt.Fprintf(env.stdout, "  open        %s\n", url)
		fmt.Fprintf(env.stdout, "  health      %shealthz\n", url)
		fmt.Fprintf(env.stdout, "  metrics     %smetrics\n", url)
		fmt.Fprintf(env.stdout, "  data        %s (delete it when you are done)\n", abs)
		fmt.Fprintf(env.stdout, "  stop        Ctrl+C\n")
	} else {
		fmt.Fprintf(env.stdout, "ksmart serving %s at %s\n", app.LocalBody.Name.En, url)
	}
	go func() {
		if err := app.ServeControl(ctx); err != nil {
			logger.Warn("control socket unavailable: online backup and check will not reach this process", "error", err)
		}
	}()
	logger.Info("listening", "url", url, "local_body", app.LocalBody.Code, "data", cfg.Dir)
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	logger.Info("stopped cleanly")
	return nil
}

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
