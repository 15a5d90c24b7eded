package pgpeer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNotInstalled is returned by Start when no PostgreSQL server binaries
// (initdb and postgres) are found, neither under Debian's
// /usr/lib/postgresql/<major>/bin nor on PATH.
var ErrNotInstalled = errors.New("pgpeer: PostgreSQL server binaries (initdb, postgres) not found: apt-get install postgresql")

// serverPort is the port number in the socket's name. The server listens on
// no TCP port at all, and every peer has its own socket directory, so peers
// never collide on it.
const serverPort = 5432

// superuser is the role initdb creates; the server trusts it on its socket.
const superuser = "ksmart"

// binDir finds the directory holding initdb and postgres: the newest of
// Debian's /usr/lib/postgresql/<major>/bin, else the directory of an initdb
// on PATH (other distributions, Homebrew).
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(d string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return major(b) - major(a) })
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// serverCredential is who initdb and postgres run as: nil (ourselves) unless
// we are root, which both refuse to run as; then the postgres system user that
// Debian's postgresql package creates.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgpeer: running as root, PostgreSQL must run as the postgres system user, and there is none (apt-get install postgresql creates it): %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgpeer: user postgres has uid %q, gid %q", u.Uid, u.Gid)
	}
	// Groups is empty, so the child also drops root's supplementary groups.
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// prepareDataDir makes dir ready for initdb: created if absent, refused if
// not empty. As root, the server's user must be able to reach it; when some
// ancestor is closed to it (t.TempDir() is, its parent has mode 0700), the
// cluster goes to a fresh directory under os.TempDir() instead, which the
// returned owned flag says Close must remove.
func prepareDataDir(dir string, cred *syscall.Credential) (dataDir string, owned bool, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", false, fmt.Errorf("pgpeer: data directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return "", false, fmt.Errorf("pgpeer: data directory: %w", err)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			return "", false, fmt.Errorf("pgpeer: data directory: %w", err)
		}
	case err != nil:
		return "", false, fmt.Errorf("pgpeer: data directory: %w", err)
	case len(entries) > 0:
		return "", false, fmt.Errorf("pgpeer: data directory %s is not empty; give an empty or absent directory", dir)
	}
	if cred == nil {
		return dir, false, nil
	}
	if !reachable(dir, cred) {
		tmp, err := os.MkdirTemp("", "ksmart-pgpeer-")
		if err != nil {
			return "", false, fmt.Errorf("pgpeer: data directory: %w", err)
		}
		if !reachable(tmp, cred) {
			os.Remove(tmp)
			return "", false, fmt.Errorf("pgpeer: neither %s nor %s can be reached by the postgres user; give a directory whose ancestors have mode 0755", dir, tmp)
		}
		dir, owned = tmp, true
	}
	if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
		return "", false, fmt.Errorf("pgpeer: data directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("pgpeer: data directory: %w", err)
	}
	return dir, owned, nil
}

// reachable reports whether every ancestor of dir lets cred's user search it,
// judged by owner, primary group and mode bits (supplementary groups are not
// counted, which errs on the safe side).
func reachable(dir string, cred *syscall.Credential) bool {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return false
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		m := fi.Mode().Perm()
		if m&0o001 == 0 && !(st.Gid == cred.Gid && m&0o010 != 0) && !(st.Uid == cred.Uid && m&0o100 != 0) {
			return false
		}
		if filepath.Dir(d) == d {
			return true
		}
	}
}

// socketDir is where the server puts its socket: the data directory, unless
// that path is too long for a unix socket address (107 bytes), then a fresh
// directory under os.TempDir() that Close must remove (owned).
func socketDir(dataDir string, cred *syscall.Credential) (dir string, owned bool, err error) {
	if len(dataDir)+len("/.s.PGSQL.")+len(strconv.Itoa(serverPort)) <= 100 {
		return dataDir, false, nil
	}
	dir, err = os.MkdirTemp("", "pgpeer-")
	if err != nil {
		return "", false, fmt.Errorf("pgpeer: socket directory: %w", err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.Remove(dir)
			return "", false, fmt.Errorf("pgpeer: socket directory: %w", err)
		}
	}
	return dir, true, nil
}

// initdb creates the cluster in dataDir: UTF-8 with the C.UTF-8 locale (so
// that pg_trgm and the text search parser take Malayalam letters and vowel
// signs as word characters, which the plain C locale does not), trust
// authentication (the socket is reachable by the server's user and root only),
// and no fsync.
func initdb(ctx context.Context, bin, dataDir string, cred *syscall.Credential) error {
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", dataDir, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
	cmd.Dir = "/" // our working directory may be closed to the server's user
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgpeer: initdb: %w: %s", err, lastLines(string(out), 10))
	}
	return nil
}

// serverSettings are the server's settings for the search benchmark, sized
// for the machine it runs on (the target is 2 cores and 24 GiB). They make
// PostgreSQL a fair peer for query speed, which is what it is measured on:
//
//   - fsync, synchronous_commit and full_page_writes are off and the table is
//     UNLOGGED: durability costs nothing at query time, and the load should not
//     be what the benchmark waits for. Never use these settings for data that
//     matters; the cluster is thrown away after the run.
//   - shared_buffers is a quarter of RAM (at most 6 GiB), effective_cache_size
//     three quarters, the usual starting points; the 1M-record table and its
//     indexes fit in either.
//   - work_mem 32MB keeps ranking sorts and bitmaps of broad name-only queries in
//     memory for 8 connections; maintenance_work_mem up to 1 GiB speeds the GIN
//     builds, which run two at a time.
//   - random_page_cost 1.1: the data is in memory (or on SSD).
//   - No parallel query and no JIT: with two clients on two cores a parallel
//     worker only takes a core from the other client, and JIT compilation
//     costs tens of milliseconds on the broad queries, straight into p99.
//   - autovacuum off: Load runs VACUUM (ANALYZE) itself, so nothing wakes up
//     in the middle of a measurement.
func serverSettings(sockDir string, conns int) []string {
	return append(commonSettings(sockDir, conns),
		"fsync=off",
		"synchronous_commit=off",
		"full_page_writes=off",
		"work_mem=32MB",
		"random_page_cost=1.1",
		"effective_io_concurrency=200",
		"max_parallel_workers_per_gather=0",
		"max_parallel_maintenance_workers=0",
		"jit=off",
	)
}

// durableSettings are the server's settings for the submit benchmark, where
// PostgreSQL is measured on durable writes: every commit is on disk before it
// is acknowledged, as ours are.
//
//   - fsync, synchronous_commit and full_page_writes on (the defaults, named
//     so that nobody has to look): a commit waits for its WAL to be flushed,
//     and a torn page can be repaired after a crash. Concurrent commits share
//     a flush (PostgreSQL's own group commit), as ours share one.
//   - wal_level minimal and no WAL senders: nothing replicates the peer, and
//     minimal logging is the cheapest that is still crash-safe.
//   - max_wal_size 8GB and checkpoint_timeout 1h: no checkpoint starts in the
//     middle of a measurement (ours has none to make).
//   - wal_buffers 64MB: 64 clients' WAL between flushes fits.
//   - lz4 for TOAST: the file documents are a few KB, beyond the TOAST
//     threshold, and lz4 costs a fraction of the default pglz's CPU.
//   - autovacuum off: the tables are only inserted into, and nothing should
//     wake up in the middle of a measurement.
func durableSettings(sockDir string, conns int) []string {
	return append(commonSettings(sockDir, conns),
		"fsync=on",
		"synchronous_commit=on",
		"full_page_writes=on",
		"wal_buffers=64MB",
		"default_toast_compression=lz4",
	)
}

// commonSettings are the settings every peer has: a unix socket only, room
// for conns connections, memory sized for the machine, no replication and no
// checkpoint or autovacuum in the middle of a measurement.
func commonSettings(sockDir string, conns int) []string {
	ram := memTotal()
	mb := func(b int64) string { return strconv.FormatInt(b>>20, 10) + "MB" }
	shared := min(ram/4, 6<<30)
	maint := min(ram/16, 1<<30)
	return []string{
		"listen_addresses=",
		"unix_socket_directories=" + sockDir,
		"unix_socket_permissions=0700",
		"port=" + strconv.Itoa(serverPort),
		"max_connections=" + strconv.Itoa(conns+12),
		"wal_level=minimal",
		"max_wal_senders=0",
		"max_wal_size=8GB",
		"checkpoint_timeout=1h",
		"autovacuum=off",
		"shared_buffers=" + mb(max(shared, 128<<20)),
		"effective_cache_size=" + mb(max(ram*3/4, 512<<20)),
		"maintenance_work_mem=" + mb(max(maint, 64<<20)),
		"log_min_messages=warning",
		"logging_collector=off",
	}
}

// memTotal is the machine's RAM from /proc/meminfo, or 4 GiB when unknown.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 4 << 30
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil && kb > 0 {
				return kb << 10
			}
		}
	}
	return 4 << 30
}

// server is a running postmaster, our child process.
type server struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the postmaster has exited
	waitErr error         // its exit status, valid once exited is closed
	logPath string
}

// startServer starts postgres on dataDir with settings. The postmaster is
// our child, in its own process group, and gets SIGINT (a fast shutdown) if
// this process dies without calling Close, so no server outlives a crashed
// test or benchmark.
func startServer(bin, dataDir string, settings []string, cred *syscall.Credential) (*server, error) {
	logPath := filepath.Join(dataDir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pgpeer: server log: %w", err)
	}
	args := []string{"-D", dataDir}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	s := &server{
		cmd:     exec.Command(filepath.Join(bin, "postgres"), args...),
		exited:  make(chan struct{}),
		logPath: logPath,
	}
	s.cmd.Dir = "/"
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGINT}
	started := make(chan error, 1)
	go func() {
		// The kernel sends Pdeathsig when the thread that forked the child
		// exits, not the process, so that thread is kept for as long as the
		// server runs: this goroutine stays locked to it, waiting.
		runtime.LockOSThread()
		err := s.cmd.Start()
		logf.Close()
		started <- err
		if err != nil {
			runtime.UnlockOSThread()
			close(s.exited)
			return
		}
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgpeer: start postgres: %w", err)
	}
	return s, nil
}

// stop shuts the server down the way pg_ctl stop -m fast does (SIGINT: roll
// back open transactions, disconnect clients, checkpoint, exit) and waits for
// it to exit; after a minute it escalates to an immediate shutdown, then a kill.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return fmt.Errorf("pgpeer: the server had already exited (%v): %s", s.waitErr, s.logTail())
	default:
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGKILL} {
		_ = s.cmd.Process.Signal(sig)
		select {
		case <-s.exited:
			return nil
		case <-time.After(time.Minute):
		}
	}
	return fmt.Errorf("pgpeer: the server (pid %d) did not exit", s.cmd.Process.Pid)
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > 4096 {
		_, _ = f.Seek(-4096, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return lastLines(string(b), 10)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
