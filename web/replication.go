package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"ksmart/appliance"
	"ksmart/appliance/domain"
	"ksmart/replication"
)

// replicationPage is the data of the admin's replication page.
type replicationPage struct {
	Configured bool
	Status     replication.ShipperStatus
	LagSeconds string // rounded for reading
}

// adminReplication shows how far the log has been shipped to the state:
// the state's addresses, the last event it acknowledged, the lag in events
// and seconds, the last error, and a fork if shipping has stopped.
func (s *Server) adminReplication(c echo.Context) error {
	p := replicationPage{}
	if sh := s.App.Shipper; sh != nil {
		p.Configured, p.Status = true, sh.Status()
		p.LagSeconds = fmt.Sprintf("%.1f", p.Status.LagSeconds)
	}
	return s.render(c, http.StatusOK, "admin_replication.html", "replication", p)
}

// forkWarned are the roles warned of a fork on every page, and who may
// read the fork page: the administrator, who runs the cure, and the
// secretary, who answers for the office's records.
var forkWarned = []domain.Role{domain.RoleAdmin, domain.RoleSecretary}

// forkPage is the data of the fork page.
type forkPage struct {
	Fork    *replication.Fork
	Dir     string // the data directory, for the commands
	Code    string
	State   *appliance.StateConfig
	Reports []appliance.ForkCure
	Error   string // a report that could not be read
}

// adminFork shows a fork, the cure step by step with this office's own
// paths, and what each past cure reapplied and left for an officer.
func (s *Server) adminFork(c echo.Context) error {
	p := forkPage{Dir: s.App.Store.Dir(), Code: s.App.LocalBody.Code, State: s.App.StateFiles}
	if sh := s.App.Shipper; sh != nil {
		p.Fork = sh.Status().Fork
	}
	var err error
	if p.Reports, err = appliance.ForkCureReports(p.Dir); err != nil {
		p.Error = err.Error()
	}
	return s.render(c, http.StatusOK, "admin_fork.html", "fork_cure_title", p)
}

// replicationCollectors are the shipper's figures on /metrics, when the
// appliance ships to a state.
func replicationCollectors(app *appliance.Appliance) []prometheus.Collector {
	sh := app.Shipper
	if sh == nil {
		return nil
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_replication_lag_events", Help: "Events of the local log the state has not acknowledged yet.",
		}, func() float64 { return float64(sh.Status().LagEvents) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_replication_lag_seconds", Help: "Age of the oldest event the state has not acknowledged yet (0 when caught up).",
		}, func() float64 { return sh.Status().LagSeconds }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_replication_acked_seq", Help: "The last event of the local log the state acknowledged.",
		}, func() float64 { return float64(sh.Status().Acked) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ksmart_replication_errors_total", Help: "Failed attempts to reach or ship to the state since start.",
		}, func() float64 { return float64(sh.Status().Errors) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_replication_certificate_days_left", Help: "Days until this office's state certificate expires (the admin page warns within 30).",
		}, func() float64 { return float64(sh.Status().CertDaysLeft) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_replication_revoked", Help: "1 while shipping is stopped because the state revoked this office's certificate.",
		}, func() float64 {
			if sh.Status().Revoked != "" {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_replication_fork_at_seq", Help: "While shipping is stopped by a fork, the first event of the local log that differs from the state's copy (0 without a fork).",
		}, func() float64 {
			if f := sh.Status().Fork; f != nil {
				return float64(f.AtSeq)
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ksmart_replication_fork", Help: "1 while shipping is stopped because the local log forks from the state's copy.",
		}, func() float64 {
			if sh.Status().Fork != nil {
				return 1
			}
			return 0
		}),
	}
}
