package stateview

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ksmart/appliance"
	"ksmart/replication"
)

// modules are the modules whose records and figures the view shows: the
// appliance's one list, the same a local body's node is assembled from.
var modules = appliance.Modules

// Config configures a node's view.
type Config struct {
	// Figures configures the node's counters of each body's figures
	// (counters.go), which the overview, district and body pages read.
	// nil for a node that keeps none (ksmart state run --view=false):
	// those routes answer 503, saying so and to ask another node.
	Figures *FiguresConfig
	// Index configures the node's state index (index.go), which answers
	// the state-wide search and certificate verification. nil for a node
	// that keeps none (--view=false or --index=false): those routes then
	// answer 503, saying so.
	Index *IndexConfig
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now is the clock of the figures (overdue files, the last 24 months)
	// and of certificates' days left; default time.Now.
	Now func() time.Time
}

// FiguresConfig configures a node's counters. Zero values take the
// defaults noted.
type FiguresConfig struct {
	// Dir holds the counters' file (CountersFile); default
	// <node dir>/figures.
	Dir string
	// Page is how many events one read from the FSM takes; default 2000.
	Page int
	// Recheck is how often every body is compared with the FSM even
	// without news from it, as a safety net; default 1 minute.
	Recheck time.Duration
}

// FiguresDir is the directory of a node's counters, in its data directory.
const FiguresDir = "figures"

// oldMirrorsDir is where earlier versions kept a full copy of every body
// (and the counters); nothing reads it now, so Open deletes it.
const oldMirrorsDir = "mirrors"

// View is the state view of one state node: its state index and counters
// of every local body, and the pages and JSON under /state that read them.
// It is a replication.Extension: set it as the node's Config.Extension,
// and the node opens it once raft has started, mounts its routes on its
// API for admin and auditor certificates, and closes it before the FSM. A
// View serves one run of one node; make a new one for each.
type View struct {
	cfg      Config
	logger   *slog.Logger
	node     *replication.Node
	counters *Counters // nil when Config.Figures is
	index    *Index    // nil when Config.Index is
	cleanup  sync.WaitGroup
}

// New returns a view for cfg, to be given to a node as its extension.
func New(cfg Config) *View {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &View{cfg: cfg, logger: cfg.Logger}
}

var _ replication.Extension = (*View)(nil)

// Open starts the node's state index (in <node dir>/stateindex unless
// IndexConfig.Dir says otherwise) and its counters (in <node dir>/figures
// unless FiguresConfig.Dir says otherwise), following its FSM. It
// implements replication.Extension: the node calls it once raft has
// started and restored its snapshot, so that their first comparison sees
// the state as restored.
func (v *View) Open(n *replication.Node) error {
	if v.node != nil {
		return errors.New("stateview: a view serves one node once; make a new one")
	}
	v.node = n
	v.logger = v.cfg.Logger.With("node", n.ID())
	v.removeOldMirrors(filepath.Join(n.Dir(), oldMirrorsDir))
	if v.cfg.Index != nil {
		cfg := *v.cfg.Index
		if cfg.Dir == "" {
			cfg.Dir = filepath.Join(n.Dir(), IndexDir)
		}
		x, err := OpenIndex(n.FSM(), cfg, v.logger)
		if err != nil {
			return err
		}
		v.index = x
	}
	if v.cfg.Figures == nil {
		return nil
	}
	cfg := *v.cfg.Figures
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(n.Dir(), FiguresDir)
	}
	if cfg.Page <= 0 {
		cfg.Page = 2000
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = time.Minute
	}
	c, err := v.openCounters(n.FSM(), cfg)
	if err != nil {
		if v.index != nil {
			v.index.Close()
		}
		return err
	}
	v.counters = c
	return nil
}

func (v *View) openCounters(src replicaSource, cfg FiguresConfig) (*Counters, error) {
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	c, err := openCounters(src, filepath.Join(cfg.Dir, CountersFile), cfg.Page, modules, v.logger)
	if err != nil {
		return nil, err
	}
	c.start(cfg.Recheck)
	return c, nil
}

// removeOldMirrors deletes, in the background, the per-body mirrors an
// earlier version kept: at Kerala's scale they can be hundreds of GB, and
// nothing reads them now.
func (v *View) removeOldMirrors(dir string) {
	if _, err := os.Stat(dir); err != nil {
		return
	}
	v.logger.Info("removing the per-body mirrors an earlier version kept (the state index and counters replaced them)", "dir", dir)
	v.cleanup.Add(1)
	go func() {
		defer v.cleanup.Done()
		if err := os.RemoveAll(dir); err != nil {
			v.logger.Warn("the old mirrors could not all be removed; delete the directory by hand", "dir", dir, "error", err)
			return
		}
		v.logger.Info("old mirrors removed", "dir", dir)
	}()
}

// Routes mounts the view's pages and JSON (http.go). It implements
// replication.Extension.
func (v *View) Routes(mount replication.Mount) { v.routes(mount) }

// Close stops the index and counters. It implements replication.Extension:
// the node calls it after raft has stopped and before the FSM closes.
func (v *View) Close() error {
	var errs []error
	if v.index != nil {
		errs = append(errs, v.index.Close())
	}
	if v.counters != nil {
		errs = append(errs, v.counters.Close())
	}
	v.cleanup.Wait()
	return errors.Join(errs...)
}

func (v *View) now() time.Time {
	if v.cfg.Now != nil {
		return v.cfg.Now()
	}
	return time.Now()
}

// CaughtUp reports whether the view's index and counters hold every
// event this node's FSM holds (for tests and health checks). Before Open,
// or with neither, it says so.
func (v *View) CaughtUp() error {
	if v.index == nil && v.counters == nil {
		return errors.New("this view keeps neither an index nor counters")
	}
	var errs []error
	if v.index != nil {
		errs = append(errs, v.index.CaughtUp())
	}
	if v.counters != nil {
		errs = append(errs, v.counters.CaughtUp())
	}
	return errors.Join(errs...)
}

// Counters returns the view's counters, or nil when the node keeps none
// (or before Open).
func (v *View) Counters() *Counters { return v.counters }

// Index returns the view's state index, or nil when the node keeps none
// (or before Open).
func (v *View) Index() *Index { return v.index }
