package appliance

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"ksmart/replication"
)

// StateConfig connects a local body to its state cluster (ksmart serve
// --state, --state-ca, --state-cert, --state-key).
type StateConfig struct {
	// Addrs are the API addresses (host:port) of state nodes; any will do.
	Addrs []string
	// CAFile is the state CA's certificate; CertFile and KeyFile this
	// body's certificate (kind body, issued for its code with ksmart state
	// issue-cert) and key. All PEM.
	CAFile, CertFile, KeyFile string
}

// stateLink is a state configuration whose files have been read and whose
// certificate has been checked.
type stateLink struct {
	cfg                    *StateConfig
	caPEM, certPEM, keyPEM []byte
	id                     *replication.Identity
}

// readState reads the state configuration's files and checks the
// certificate before anything is opened, so a mistake stops the start
// before anything is written: it must be a body certificate, and for
// code when code is known ("" when it is not yet).
func readState(sc *StateConfig, code string) (*stateLink, error) {
	if sc == nil {
		return nil, nil
	}
	if len(sc.Addrs) == 0 {
		return nil, fmt.Errorf("give the address of at least one state node")
	}
	read := func(what, path string) ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read the %s for the state (%v)", what, err)
		}
		return b, nil
	}
	l := &stateLink{cfg: sc}
	var err error
	if l.caPEM, err = read("state CA certificate --state-ca", sc.CAFile); err != nil {
		return nil, err
	}
	if l.certPEM, err = read("certificate --state-cert", sc.CertFile); err != nil {
		return nil, err
	}
	if l.keyPEM, err = read("key --state-key", sc.KeyFile); err != nil {
		return nil, err
	}
	// Loaded from the files, so that SIGHUP can reload them
	// (ReloadStateCertificate).
	if l.id, err = replication.LoadIdentity(sc.CAFile, sc.CertFile, sc.KeyFile); err != nil {
		return nil, fmt.Errorf("the state certificate %s: %w", sc.CertFile, err)
	}
	return l, l.check(code, "")
}

// check refuses a certificate that is not this local body's.
func (l *stateLink) check(code, name string) error {
	if l == nil || code == "" {
		return nil
	}
	if name != "" {
		name = " (" + name + ")"
	}
	switch {
	case l.id.Kind != replication.KindBody:
		return fmt.Errorf("the state certificate %s is a certificate of kind %s (%s), not a local body's; local body %s%s needs one issued with ksmart state issue-cert --kind body --name %s", l.cfg.CertFile, l.id.Kind, l.id.Name, code, name, code)
	case l.id.Name != code:
		return fmt.Errorf("the state certificate %s is local body %s's, but this data directory serves %s%s; use the certificate issued for %s (ksmart state issue-cert --kind body --name %s)", l.cfg.CertFile, l.id.Name, code, name, code, code)
	}
	return nil
}

// openShipper checks the certificate against the local body the data
// directory serves and prepares the shipper Run starts.
func (a *Appliance) openShipper(l *stateLink) error {
	if l == nil {
		return nil
	}
	code := a.LocalBody.Code
	if err := l.check(code, a.LocalBody.Name.En); err != nil {
		return err
	}
	cl, err := replication.NewClient(replication.ClientConfig{Addrs: l.cfg.Addrs, Identity: l.id, LocalBody: code})
	if err != nil {
		return err
	}
	a.Shipper = &replication.Shipper{Store: a.Store, Client: cl, Logger: a.Logger.With("part", "shipper"), Now: a.Now}
	a.StateFiles = l.cfg
	a.Logger.Info("the log is shipped to the state", "state", strings.Join(l.cfg.Addrs, ","), "certificate", l.cfg.CertFile, "serial", l.id.Serial())
	a.warnStateExpiry(l.id)
	return nil
}

// ReloadStateCertificate reads the state certificate, key and CA files
// again and uses them from the shipper's next request on: how a body
// switches to a renewed certificate (or a CA bundle during a rollover)
// without a restart; ksmart serve calls it on SIGHUP. The new certificate
// must be this body's; on any error the old one stays in use.
func (a *Appliance) ReloadStateCertificate() error {
	if a.Shipper == nil {
		return fmt.Errorf("this office does not ship to the state; there is no state certificate to reload")
	}
	cl := a.Shipper.Client
	if err := cl.ReloadCertificate(); err != nil {
		return err
	}
	a.Shipper.Wake() // a shipper stopped by a revoked certificate tries the new one now
	id := cl.Identity()
	a.Logger.Info("state certificate reloaded", "serial", id.Serial(), "expires", id.Certificate().NotAfter.Format("2006-01-02"))
	a.warnStateExpiry(id)
	return nil
}

// warnStateExpiry logs a warning when the state certificate expires
// within replication.ExpiryWarning (the replication page says so too).
func (a *Appliance) warnStateExpiry(id *replication.Identity) {
	na := id.Certificate().NotAfter
	if now := a.Now(); na.Sub(now) < replication.ExpiryWarning {
		a.Logger.Warn("the state certificate expires soon: ask state IT for a new one, put it in place of --state-cert and --state-key, and send SIGHUP",
			"serial", id.Serial(), "expires", na.Format("2006-01-02"), "days_left", replication.DaysLeft(na, now))
	}
}

// startShipper starts the shipper, which runs until ctx ends or the
// appliance closes.
func (a *Appliance) startShipper(ctx context.Context) {
	if a.Shipper == nil || a.shipperDone != nil {
		return
	}
	a.shipperDone = make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-a.closing:
		case <-ctx.Done():
		}
		cancel()
	}()
	go func() {
		defer close(a.shipperDone)
		// A panic while shipping is logged and shipping starts again.
		for a.supervised("shipper", func() { a.Shipper.Run(ctx) }) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(a.retry):
			}
		}
	}()
}
