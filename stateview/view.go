package stateview

import (
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"ksmart/appliance"
	"ksmart/replication"
)

// modules are the modules whose records and figures the view shows: the
// appliance's one list, the same a local body's node is assembled from.
var modules = appliance.Modules

// Config configures a node's view.
type Config struct {
	// Mirrors configures the node's mirrors. nil for a node that keeps
	// none (ksmart state run --mirrors=false): its view answers every
	// route with 503, saying so and to ask another node.
	Mirrors *MirrorsConfig
	// Index configures the node's state index (index.go), which answers
	// the state-wide search and certificate verification. nil for a node
	// that keeps none (ksmart state run --index=false): those routes then
	// answer 503, saying so.
	Index *IndexConfig
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now is the clock for certificates' days left; default time.Now.
	Now func() time.Time
}

// View is the state view of one state node: its mirrors of every local
// body, and the pages and JSON under /state that read them. It is a
// replication.Extension: set it as the node's Config.Extension, and the
// node opens it once raft has started, mounts its routes on its API for
// admin and auditor certificates, and closes it before the FSM. A View serves one run
// of one node; make a new one for each.
type View struct {
	cfg     Config
	logger  *slog.Logger
	node    *replication.Node
	mirrors *Mirrors // nil when Config.Mirrors is
	index   *Index   // nil when Config.Index is
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
// IndexConfig.Dir says otherwise) and its mirrors (in <node dir>/mirrors
// unless MirrorsConfig.Dir says otherwise), following its FSM. It implements
// replication.Extension: the node calls it once raft has started and
// restored its snapshot, so that the mirrors' first comparison sees the
// state as restored.
func (v *View) Open(n *replication.Node) error {
	if v.node != nil {
		return errors.New("stateview: a view serves one node once; make a new one")
	}
	v.node = n
	v.logger = v.cfg.Logger.With("node", n.ID())
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
	if v.cfg.Mirrors == nil {
		return nil
	}
	cfg := *v.cfg.Mirrors
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(n.Dir(), MirrorsDir)
	}
	m, err := OpenMirrors(n.FSM(), cfg, v.logger)
	if err != nil {
		if v.index != nil {
			v.index.Close()
		}
		return err
	}
	v.mirrors = m
	return nil
}

// Routes mounts the view's pages and JSON (http.go). It implements
// replication.Extension.
func (v *View) Routes(mount replication.Mount) { v.routes(mount) }

// Close stops the mirrors. It implements replication.Extension: the node
// calls it after raft has stopped and before the FSM closes.
func (v *View) Close() error {
	var errs []error
	if v.index != nil {
		errs = append(errs, v.index.Close())
	}
	if v.mirrors != nil {
		errs = append(errs, v.mirrors.Close())
	}
	return errors.Join(errs...)
}

func (v *View) now() time.Time {
	if v.cfg.Now != nil {
		return v.cfg.Now()
	}
	return time.Now()
}

// Mirrors returns the view's mirrors, or nil when the node keeps none (or
// before Open).
func (v *View) Mirrors() *Mirrors { return v.mirrors }

// Index returns the view's state index, or nil when the node keeps none
// (or before Open).
func (v *View) Index() *Index { return v.index }
