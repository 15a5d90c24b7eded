// Package pgpeer runs PostgreSQL as the comparison peer of two benchmarks.
// For the kiosk search (Start) it is full text search plus pg_trgm: it
// starts a throwaway server of its own, loads the same civil records the
// Bleve index holds, and answers the same queries with the same semantics,
// so that the two can be timed side by side and their recall compared on the
// relevance set. For the submit benchmark (StartSubmit) it is a durable
// server that writes each citizen's application in one transaction, the
// same rows ours writes, from clients that DialSubmit from another process.
//
// It owns the server's life cycle (initdb, postgres, shutdown), the tables,
// their indexes and the SQL. It must never be used for records that matter:
// the search peer runs without fsync and its table is unlogged, and every
// cluster is thrown away. It knows nothing of the appliance; the benchmarks
// hand it plain Records and Applications.
//
// The peer is meant to be fair, not a straw man: GIN indexes for both full
// text and trigrams, one prepared statement per query shape, memory sized for
// the machine, statistics gathered after the load. DESIGN.md beside this file
// explains the choices and the plans PostgreSQL picks.
//
// # Caveats
//
//   - Start takes about a second (initdb, then the server's start). Load
//     takes 3–6 s for 100,000 records and about a minute for 1M on two cores
//     (some 17,000 records a second), most of it building the GIN indexes.
//   - A peer holds up to 6 GiB of shared memory (a quarter of RAM), touched
//     as the data is read: 0.7 GiB of table and indexes at 1M records.
//   - initdb and postgres refuse to run as root. Run as root, Start runs them
//     as the postgres system user that Debian's postgresql package creates.
//     That user must be able to reach the data directory; when it cannot
//     (t.TempDir() is not reachable: its parent has mode 0700), Start puts the
//     cluster in a fresh directory under os.TempDir() instead, which Close
//     removes.
//   - The server listens on a unix socket only, in the data directory (or a
//     short directory under os.TempDir() when that path is too long for a
//     socket address).
//   - If the process dies without Close, the kernel signals the server to shut
//     down; the data directory (and a directory Start made in its place) is
//     left behind.
package pgpeer

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// maxConns is the size of the connection pool: enough for the benchmark's
// two client threads with room to spare, far below max_connections.
const maxConns = 8

// Peer is a running PostgreSQL server with the record table, and a pool of
// connections to it. Its methods are safe for concurrent use; Load must
// finish before searches are timed.
type Peer struct {
	pool    *pgxpool.Pool
	srv     *server
	version string
	socket  string   // the server's socket file
	sockDir string   // the directory it is in
	remove  []string // directories Start made that Close removes
	shapes  [1 << 4]string

	closeOnce sync.Once
	closeErr  error
}

// Start creates a PostgreSQL cluster in dir (which must be empty or absent;
// as root, see the Caveats), starts its server and connects a pool of up to 8
// connections. It returns ErrNotInstalled when no server binaries are found.
// ctx bounds the start only, not the server's life. The caller must Close the
// peer; dir is left for the caller to remove.
func Start(ctx context.Context, dir string) (p *Peer, err error) {
	settings := func(sockDir string) []string { return serverSettings(sockDir, maxConns) }
	p, err = start(ctx, dir, settings, maxConns, searchParams)
	if err != nil {
		return nil, err
	}
	if err := p.createSchema(ctx); err != nil {
		p.Close()
		return nil, err
	}
	p.shapes = buildShapes()
	return p, nil
}

// searchParams are the search's settings on each of its connections.
func searchParams(params map[string]string) {
	// The threshold of the trigram operator in the searches; see query.go.
	params["pg_trgm.strict_word_similarity_threshold"] = strconv.FormatFloat(trigramThreshold, 'f', -1, 64)
	// Generic plans for the prepared searches, always. Left to itself the
	// server keeps planning each execution afresh (its custom plans look a
	// little cheaper), and a custom plan of a trigram search takes about 2 ms
	// at 1M records, because pg_trgm estimates selectivity by running the
	// similarity function over the column's statistics sample: more than the
	// search itself. The generic plan of every shape is the one a custom plan
	// picks anyway (DESIGN.md).
	params["plan_cache_mode"] = "force_generic_plan"
}

// Installed returns ErrNotInstalled when PostgreSQL's server binaries are not
// found, so that a caller can say so before it starts anything.
func Installed() error {
	_, err := binDir()
	return err
}

// start creates the cluster in dir, starts its server with the settings made
// for its socket directory, and connects a pool of up to conns connections
// with params set on each.
func start(ctx context.Context, dir string, settings func(sockDir string) []string, conns int, params func(map[string]string)) (p *Peer, err error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	p = &Peer{}
	defer func() {
		if err != nil {
			p.Close()
			p = nil
		}
	}()
	dataDir, owned, err := prepareDataDir(dir, cred)
	if err != nil {
		return p, err
	}
	if owned {
		p.remove = append(p.remove, dataDir)
	}
	sockDir, owned, err := socketDir(dataDir, cred)
	if err != nil {
		return p, err
	}
	if owned {
		p.remove = append(p.remove, sockDir)
	}
	p.sockDir = sockDir
	p.socket = fmt.Sprintf("%s/.s.PGSQL.%d", sockDir, serverPort)
	if err := initdb(ctx, bin, dataDir, cred); err != nil {
		return p, err
	}
	if p.srv, err = startServer(bin, dataDir, settings(sockDir), cred); err != nil {
		return p, err
	}
	if p.pool, err = connect(ctx, sockDir, conns, params, p.srv); err != nil {
		return p, err
	}
	return p, nil
}

// connect makes a pool of up to conns connections to the server whose
// socket is in sockDir, with params set on each, and waits until the server
// accepts connections, or has exited, or ctx is done. srv is nil when the
// server is not our child (another process started it).
func connect(ctx context.Context, sockDir string, conns int, params func(map[string]string), srv *server) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(fmt.Sprintf("port=%d user=%s dbname=postgres sslmode=disable application_name=ksmart-pgpeer", serverPort, superuser))
	if err != nil {
		return nil, fmt.Errorf("pgpeer: %w", err)
	}
	// The socket directory is set here rather than in the string, so that any
	// character in its path is taken as it is, and no other host is tried.
	cfg.ConnConfig.Host, cfg.ConnConfig.Fallbacks = sockDir, nil
	cfg.MaxConns = int32(conns)
	if params != nil {
		params(cfg.ConnConfig.RuntimeParams)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgpeer: %w", err)
	}
	var exited <-chan struct{}
	logTail := func() string { return "" }
	if srv != nil {
		exited, logTail = srv.exited, srv.logTail
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		err := pool.Ping(ctx)
		if err == nil {
			return pool, nil
		}
		select {
		case <-exited:
			pool.Close()
			return nil, fmt.Errorf("pgpeer: the server exited at start (%v): %s", srv.waitErr, logTail())
		case <-ctx.Done():
			pool.Close()
			return nil, fmt.Errorf("pgpeer: the server did not accept connections: %w (last: %v): %s", ctx.Err(), err, logTail())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Version names the server and pg_trgm versions, for the benchmark's table,
// e.g. "PostgreSQL 15.18 (Debian 15.18-0+deb12u1), pg_trgm 1.6".
func (p *Peer) Version() string { return p.version }

// Close closes the pool, shuts the server down the way pg_ctl stop -m fast
// does and waits for it to exit, then removes the directories Start made of
// its own accord (not dir). It returns an error if the server had died before.
// Close may be called more than once.
func (p *Peer) Close() error {
	p.closeOnce.Do(func() {
		if p.pool != nil {
			p.pool.Close()
		}
		if p.srv != nil {
			p.closeErr = p.srv.stop()
		}
		for _, d := range p.remove {
			if err := os.RemoveAll(d); err != nil && p.closeErr == nil {
				p.closeErr = fmt.Errorf("pgpeer: %w", err)
			}
		}
	})
	return p.closeErr
}

// serverRunning reports whether the postmaster is still running; tests use it.
func (p *Peer) serverRunning() bool {
	select {
	case <-p.srv.exited:
		return false
	default:
		return p.srv.cmd.Process.Signal(syscall.Signal(0)) == nil
	}
}
