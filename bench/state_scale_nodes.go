package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"ksmart/replication"
)

// The state nodes of the state-scale benchmark are real `ksmart state run`
// processes on loopback, each with its raft port behind a TCP proxy of the
// benchmark's (the address the node advertises, so every raft connection
// to it passes there): the proxy counts the bytes the node receives and can
// cut it off. The benchmark talks to the nodes only as state IT does,
// through their HTTPS API with an admin certificate.

// scaleNode is one state node process.
type scaleNode struct {
	id, dir string
	api     string // host:port of its HTTPS API
	proxy   *raftProxy
	cmd     *exec.Cmd
	log     *os.File // its stderr
	done    chan struct{}
}

// raftProxy forwards TCP connections to a node's raft port, counting the
// bytes sent to the node; while cut it closes every connection and refuses
// new ones (a firewall dropping the link).
type raftProxy struct {
	ln     net.Listener
	target string
	cut    atomic.Bool
	in     atomic.Int64 // bytes forwarded to the node
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

func newRaftProxy() (*raftProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return &raftProxy{ln: ln, conns: map[net.Conn]struct{}{}}, nil
}

func (p *raftProxy) addr() string { return p.ln.Addr().String() }

func (p *raftProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.cut.Load() {
			c.Close()
			continue
		}
		go func() {
			up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
			if err != nil {
				c.Close()
				return
			}
			if !p.track(c, up) {
				return
			}
			go p.pipe(c, up, nil)
			p.pipe(up, c, &p.in)
		}()
	}
}

// track notes a connection pair, or closes it when the link was cut
// meanwhile.
func (p *raftProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut.Load() {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

// pipe copies src to dst, counting into n, and closes both at the end.
func (p *raftProxy) pipe(dst, src net.Conn, n *atomic.Int64) {
	buf := make([]byte, 64<<10)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			if n != nil {
				n.Add(int64(k))
			}
			if _, werr := dst.Write(buf[:k]); werr != nil {
				err = werr
			}
		}
		if err != nil {
			dst.Close()
			src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
			return
		}
	}
}

// setCut cuts the link (closing every connection) or lets it back.
func (p *raftProxy) setCut(cut bool) {
	p.mu.Lock()
	p.cut.Store(cut)
	var conns []net.Conn
	if cut {
		for c := range p.conns {
			conns = append(conns, c)
		}
		p.conns = map[net.Conn]struct{}{}
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

func (p *raftProxy) close() { p.ln.Close(); p.setCut(true) }

// freePort is a loopback port free a moment ago, for a node's raft
// listener behind its proxy.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startScaleNode starts `ksmart state run` (command, then its arguments)
// for node id in dir, its raft behind a new proxy, and waits for the lines
// that give its API address.
func startScaleNode(command, env []string, dir, caDir, id string, bootstrap bool) (*scaleNode, error) {
	n := &scaleNode{id: id, dir: filepath.Join(dir, "state", id), done: make(chan struct{})}
	certDir := filepath.Join(dir, "certs", id)
	if _, _, err := replication.IssueCert(caDir, replication.KindNode, id, certDir); err != nil {
		return nil, err
	}
	var err error
	if n.proxy, err = newRaftProxy(); err != nil {
		return nil, err
	}
	raftAddr, err := freePort()
	if err != nil {
		n.proxy.close()
		return nil, err
	}
	n.proxy.target = raftAddr
	go n.proxy.serve()
	args := append(append([]string(nil), command[1:]...), "state", "run", "--data", n.dir, "--id", id,
		"--raft-addr", raftAddr, "--raft-advertise", n.proxy.addr(), "--http-addr", "127.0.0.1:0",
		"--ca", filepath.Join(certDir, replication.CACertFile), "--cert", filepath.Join(certDir, id+".crt"), "--key", filepath.Join(certDir, id+".key"))
	if bootstrap {
		args = append(args, "--bootstrap")
	}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o700); err != nil {
		return nil, err
	}
	if n.log, err = os.Create(filepath.Join(dir, "logs", id+".log")); err != nil {
		return nil, err
	}
	n.cmd = exec.Command(command[0], args...)
	n.cmd.Env = env
	n.cmd.Stderr = n.log
	out, err := n.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := n.cmd.Start(); err != nil {
		n.proxy.close()
		return nil, fmt.Errorf("starting %s: %w", command[0], err)
	}
	go func() { n.cmd.Wait(); close(n.done) }()
	lines := bufio.NewScanner(out)
	timer := time.AfterFunc(time.Minute, func() { n.cmd.Process.Kill() })
	defer timer.Stop()
	var said strings.Builder
	for lines.Scan() {
		said.WriteString(lines.Text() + "\n")
		f := strings.Fields(lines.Text())
		if len(f) == 2 && f[0] == "api" {
			n.api = strings.TrimSuffix(strings.TrimPrefix(f[1], "https://"), "/")
		}
		if len(f) > 0 && f[0] == "stop" {
			go io.Copy(io.Discard, out)
			return n, nil
		}
	}
	n.stop()
	return nil, fmt.Errorf("state node %s did not start: %s%s", id, said.String(), n.logTail())
}

// logTail is the end of the node's log, for an error.
func (n *scaleNode) logTail() string {
	b, _ := os.ReadFile(n.log.Name())
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// stop ends the process (it may be stopped by SIGSTOP: it is continued
// first) and its proxy.
func (n *scaleNode) stop() {
	if n.cmd.Process != nil {
		resumeProcess(n.cmd.Process)
		n.cmd.Process.Signal(os.Interrupt)
		select {
		case <-n.done:
		case <-time.After(20 * time.Second):
			n.cmd.Process.Kill()
			<-n.done
		}
	}
	n.proxy.close()
	n.log.Close()
}

// adminAPI is state IT's HTTPS client for the nodes' API.
type adminAPI struct{ http *http.Client }

func newAdminAPI(ca, cert, key []byte) (*adminAPI, error) {
	pair, err := tls.X509KeyPair(cert, key)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.New("the CA certificate did not parse")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 8}
	return &adminAPI{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}, nil
}

func (a *adminAPI) close() { a.http.CloseIdleConnections() }

// do sends a request and decodes a JSON answer into out (nil: none).
func (a *adminAPI) do(ctx context.Context, method, addr, path string, form url.Values, out any) error {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, "https://"+addr+path, body)
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s on %s answered %d: %.300s", method, path, addr, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	if p, ok := out.(*[]byte); ok {
		*p = b
		return nil
	}
	return json.Unmarshal(b, out)
}

// status is the node's own view of the cluster (GET /v1/cluster/status,
// answered by the node itself).
func (a *adminAPI) status(ctx context.Context, addr string) (replication.Status, error) {
	var s replication.Status
	err := a.do(ctx, http.MethodGet, addr, "/v1/cluster/status", nil, &s)
	return s, err
}

// stateHits is what the benchmark reads of a state search's answer.
type stateHits struct {
	Total uint64     `json:"total"`
	Hits  []stateHit `json:"hits"`
}

// stateHit is a record found: its body and register or file number.
type stateHit struct {
	Body   string `json:"body"`
	Number string `json:"number"`
}

// search asks the node's state-wide search, by POST as a search box does.
func (a *adminAPI) search(ctx context.Context, addr, q string, size int) (stateHits, error) {
	var h stateHits
	err := a.do(ctx, http.MethodPost, addr, "/state/api/search", url.Values{"q": {q}, "size": {strconv.Itoa(size)}}, &h)
	return h, err
}

// metric is the value of a counter or gauge without labels on the node's
// /metrics, and whether the node has it.
func (a *adminAPI) metric(ctx context.Context, addr, name string) (float64, bool, error) {
	var b []byte
	if err := a.do(ctx, http.MethodGet, addr, "/metrics", nil, &b); err != nil {
		return 0, false, err
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) == 2 && f[0] == name {
			v, err := strconv.ParseFloat(f[1], 64)
			return v, err == nil, err
		}
	}
	return 0, false, nil
}
